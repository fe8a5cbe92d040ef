"""The service vocabulary: German column headers, type spellings, a label for every column."""

from __future__ import annotations

import pytest

from layers.angebote import SCHEMA, resolve_service_type
from layers.angebote.importer import map_columns

# --------------------------------------------------------------------------------------------
# Column mapping and types
# --------------------------------------------------------------------------------------------


def test_german_headers_are_mapped():
    mapping, unmapped, duplicates = map_columns(
        ["Bezeichnung", "Straße ", "Hnr", "PLZ", "Rechtswert", "Hochwert", "Barrierefrei",
         "Träger", "Kapazität (Std./Woche)", "Lieblingsfarbe", "Name"])
    assert mapping["name"] == "Bezeichnung" and mapping["strasse"] == "Straße "
    assert mapping["hausnummer"] == "Hnr" and mapping["x"] == "Rechtswert"
    assert mapping["stufenloser_zugang"] == "Barrierefrei" and mapping["traeger"] == "Träger"
    assert mapping["kapazitaet_std_woche"] == "Kapazität (Std./Woche)"
    assert unmapped == ["Lieblingsfarbe"] and duplicates == ["Name"]


@pytest.mark.parametrize(("text", "key"), [
    ("kokobe", "KoKoBe"), ("Pflegestuetzpunkt", "Pflegestützpunkt"),
    ("Beratung nach § 106 SGB IX", "Beratung § 106 SGB IX"), ("peer beratung", "Peer-Beratung"),
    ("EUTB Aachen-Mitte", "EUTB"), ("Bäckerei", None),
])
def test_service_type_spellings(text, key):
    assert resolve_service_type(text) == key


def test_every_schema_column_has_a_german_label():
    from layers.angebote import COLUMN_LABELS

    assert list(COLUMN_LABELS) == list(SCHEMA)
