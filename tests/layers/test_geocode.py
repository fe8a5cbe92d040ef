"""Offline geocoding against the Aachen OSM addresses: exact, fuzzy, fallbacks, refusals."""

from __future__ import annotations

import pytest

from layers.geocode import (
    housenumber_fallbacks,
    normalize_housenumber,
    normalize_street,
    split_address,
)


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("Jülicher Straße", "juelicherstrasse"),
        ("Juelicher Str.", "juelicherstrasse"),
        ("jülicher strasse", "juelicherstrasse"),
        ("Adalbert-Stifter-Str", "adalbertstifterstrasse"),
        ("Adalbert Stifter Straße", "adalbertstifterstrasse"),
        ("Römerstr.", "roemerstrasse"),
        ("St.-Jöris-Str.", "sanktjoerisstrasse"),
        ("Marktpl.", "marktplatz"),
    ],
)
def test_street_normalisation(variant, expected):
    assert normalize_street(variant) == expected


def test_housenumber_normalisation_and_fallbacks():
    assert normalize_housenumber("12 A") == "12a"
    assert normalize_housenumber(" 12 - 14 ") == "12-14"
    assert normalize_housenumber("7.0") == "7"
    assert housenumber_fallbacks("12a") == ["12"]
    assert housenumber_fallbacks("12-14") == ["12", "14"]
    assert housenumber_fallbacks("12") == []


def test_split_address():
    assert split_address("Römerstr. 5a, 52064 Aachen") == ("Römerstr.", "5a", "52064", "Aachen")
    assert split_address("Adalbertstraße 66") == ("Adalbertstraße", "66", None, None)
    assert split_address("Markt") == ("Markt", None, None, None)
