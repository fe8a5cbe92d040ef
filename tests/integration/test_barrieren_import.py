"""Importing barrier reports: every check with a real file, German messages, all or nothing."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from layers.barrieren import (
    import_barriers,
    read_reports,
)
from layers.errors import InputValidationError, PersonalDataError
from tests.tools.paths import DATA
from tests.tools.stores import fingerprint

BAD = DATA / "bad_barrieren"
GOOD = DATA / "barrieren" / "gute_meldungen.csv"
TODAY = date(2025, 12, 31)



def test_good_file_is_imported_with_all_kinds_of_places(aachen_store_copy):
    before = len(aachen_store_copy.read_layer("barrieren"))
    result = import_barriers(GOOD, "aachen", store=aachen_store_copy, today=TODAY)
    assert result.gespeichert
    assert result.meldungen == 4 and result.personen == 3
    assert result.uebersprungen == 1  # the .0 row is no finding
    assert result.geokodiert_adresse == 1 and result.strassenbezug == 1
    assert any("e1500" in str(w) and "e150" in str(w) for w in result.warnungen)
    stored = aachen_store_copy.read_layer("barrieren")
    assert len(stored) == before + 4
    new = stored[stored["meldung_id"].str.startswith("LVR-")].set_index("meldung_id")
    assert new.loc["LVR-0001", "icf_titel"].startswith("Entwurf, Konstruktion")
    assert new.loc["LVR-0001", "schweregrad"] == 3
    assert new.loc["LVR-0002", "qualifikator"] == ".2"  # qualifier written into the code cell
    assert new.loc["LVR-0002", "ortsbezug"] == "adresse"
    assert new.loc["LVR-0003", "beeintraechtigung"] == "Mobilität"  # alias "Rollstuhl"
    assert new.loc["LVR-0003", "qualifikator"] == "+2"
    assert pd.isna(new.loc["LVR-0003", "schweregrad"])
    assert new.loc["LVR-0003", "strasse"] == "Pontstraße"
    assert new.loc["LVR-0005", "qualifikator"] == ".8"
    # The free text is kept in the store for the case managers ...
    assert new.loc["LVR-0001", "freitext"] == "Stufe am Eingang der Beratungsstelle"
    # ... but the reader for analyses never returns it.
    assert "freitext" not in read_reports(aachen_store_copy).columns
    # Synthetic rows are untouched.
    assert (stored["quelle"] == "synthetisch").sum() == before


def test_second_import_of_the_same_file_is_refused(aachen_store_copy):
    import_barriers(GOOD, "aachen", store=aachen_store_copy, today=TODAY)
    before = fingerprint(aachen_store_copy)
    with pytest.raises(InputValidationError) as info:
        import_barriers(GOOD, "aachen", store=aachen_store_copy, today=TODAY)
    assert "bereits gespeichert" in str(info.value)
    assert fingerprint(aachen_store_copy) == before


def test_xlsx_is_read(aachen_store_copy, tmp_path):
    frame = pd.read_csv(GOOD, sep=";", dtype=str)
    path = tmp_path / "meldungen.xlsx"
    frame.to_excel(path, index=False)
    result = import_barriers(path, "aachen", store=aachen_store_copy, today=TODAY)
    assert result.meldungen == 4


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unbekannter_code.csv", ["Zeile 3", "Spalte 'icf_code'", "'e157' gibt es in der ICF"]),
        ("aktivitaetscode.csv", ["Zeile 2", "Aktivitäten und Partizipation", "Zeile 3",
                                 "Körperfunktionen", "Zeile 4", "Körperstrukturen",
                                 "ausschließlich als Umweltfaktoren"]),
        ("qualifikator_ausserhalb.csv", ["Zeile 2", ".5 liegt außerhalb", "Zeile 3", "+7",
                                         "Zeile 4", "'sehr' ist kein ICF-Beurteilungsmerkmal",
                                         "Spalte 'qualifikator'"]),
        ("datum_zukunft.csv", ["Zeile 3", "Spalte 'datum'", "05.03.2099 liegt in der Zukunft"]),
        ("ausserhalb_region.csv", ["Zeile 3", "Spalte 'lon/lat'", "außerhalb der Region"]),
        ("ausserhalb_region_xy.csv", ["Zeile 3", "Spalte 'x/y'", "außerhalb der Region"]),
        ("name_als_schluessel.csv", ["Zeile 2", "Spalte 'person_schluessel'", "Personenname"]),
        ("unbekannte_gruppe_und_strasse.csv", ["Zeile 2", "'Rollschuh' ist keine bekannte "
                                               "Beeinträchtigungsgruppe", "Zeile 3",
                                               "'Pontstrase' gibt es im Wegenetz",
                                               "Meinten Sie: Pontstraße"]),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(aachen_store_copy, name, expected):
    before = fingerprint(aachen_store_copy)
    with pytest.raises(InputValidationError) as info:
        import_barriers(BAD / name, "aachen", store=aachen_store_copy, today=TODAY)
    text = str(info.value)
    assert f"Datei '{name}'" in text
    assert "Es wurde nichts gespeichert" in text
    for fragment in expected:
        assert fragment in text, (fragment, text)
    assert fingerprint(aachen_store_copy) == before


def test_file_with_personal_columns_is_refused(aachen_store_copy):
    before = fingerprint(aachen_store_copy)
    with pytest.raises(PersonalDataError) as info:
        import_barriers(BAD / "personenbezogen.csv", "aachen", store=aachen_store_copy,
                        today=TODAY)
    text = str(info.value)
    assert "Spalte 'Name'" in text and "Spalte 'Geburtsdatum'" in text
    assert "Erika" not in text  # the message never repeats personal data
    assert fingerprint(aachen_store_copy) == before
