"""Single values of planners' tables: dates, yes/no, postcodes, keys, encodings, numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.errors import PersonalDataError, SourceDataError
from layers.validation import (
    check_personal_columns,
    decode_text,
    normalize_key,
    parse_date,
    parse_decimal_column,
    parse_plz,
    parse_yes_no,
    read_table,
)


@pytest.mark.parametrize(("value", "expected"), [
    ("31.12.2024", "2024-12-31"), ("1.2.24", "2024-02-01"), ("2024-12-31", "2024-12-31"),
    ("2024-12-31 00:00:00", "2024-12-31"), ("", None), (None, None),
])
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31.02.2024", "irgendwann", "2024/12/31"])
def test_bad_dates(value):
    with pytest.raises(ValueError, match="Datum"):
        parse_date(value)


@pytest.mark.parametrize(("value", "expected"), [
    ("Ja", "ja"), ("x", "ja"), ("1", "ja"), ("rollstuhlgerecht", "ja"), ("nein", "nein"),
    ("-", "nein"), ("eingeschränkt", "teilweise"), ("k. A.", "unbekannt"), ("", "unbekannt"),
])
def test_yes_no(value, expected):
    assert parse_yes_no(value) == expected


def test_yes_no_without_partly():
    with pytest.raises(ValueError, match="erlaubt: ja, nein oder unbekannt"):
        parse_yes_no("teilweise", partly=False)


def test_postcodes_and_keys():
    assert parse_plz("52062") == "52062" and parse_plz("1067") == "01067"
    assert parse_plz("52062.0") == "52062"
    with pytest.raises(ValueError, match="fünfstellige"):
        parse_plz("D-52062")
    assert normalize_key("05334002") == normalize_key(5334002) == normalize_key("05 334 002")
    assert normalize_key("101.0") == "101" and normalize_key(" PR03 ") == "pr03"
    assert normalize_key("") is None


def test_utf16_excel_unicode_text_is_read(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("Name\tTyp\nKoKoBe Süd\tKoKoBe\n".encode("utf-16"))
    table = read_table(path)
    assert table["Name"].iloc[0] == "KoKoBe Süd"


def test_trailing_separators_do_not_create_columns(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("Name;Typ;;\nEUTB;EUTB;;\n", encoding="utf-8")
    assert read_table(path).columns.tolist() == ["Name", "Typ"]


def test_garbled_text_names_the_row():
    raw = "Name;Ort\nA;Aachen\nB;DÃ¼ren\n".encode()
    with pytest.raises(SourceDataError) as info:
        decode_text(raw, datei="x.csv")
    assert "Zeile 3" in str(info.value) and "'DÃ¼ren'" in str(info.value)
    assert decode_text("Straße;Köln\n".encode("cp1252")) == "Straße;Köln\n"


def test_service_directory_may_have_office_contacts_but_no_person_data():
    allowed = ("Name", "Telefon", "E-Mail", "Adresse")
    check_personal_columns(["Name", "Telefon", "E-Mail", "Adresse", "Typ"], erlaubt=allowed)
    with pytest.raises(PersonalDataError, match="Geburtsdatum"):
        check_personal_columns(["Name", "Geburtsdatum"], erlaubt=allowed)
    with pytest.raises(PersonalDataError, match="Vorname"):
        check_personal_columns(["Name", "Vorname"], erlaubt=allowed)


def test_decimal_column_with_thousands_points():
    values, problems = parse_decimal_column(pd.Series(["1.234", "7,5", "12"]), spalte="x")
    assert values.tolist() == [1234.0, 7.5, 12.0] and problems == []
    values, problems = parse_decimal_column(pd.Series(["1.234", "2.500"]), spalte="x")
    assert values.tolist() == [1.234, 2.5]
    assert len(problems) == 1 and problems[0].schwere == "warnung"
