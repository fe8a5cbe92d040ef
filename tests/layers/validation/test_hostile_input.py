"""Hostile and unlucky input on tiny in-code files: limits, invisible characters, dates, keys.

The same cases on real files and the built demo region are in tests/integration/test_bad_files.py.
"""

from __future__ import annotations

import zipfile
from datetime import date

import numpy as np
import pandas as pd
import pytest

from layers import settings
from layers.errors import InputValidationError, PersonalDataError, Problem, SourceDataError
from layers.validation import (
    AmbiguousDateError,
    ambiguous_columns,
    check_personal_columns,
    check_pseudonym_values,
    clean_table,
    normalize_person_key,
    parse_date,
    parse_option_date,
    plausible_date_problem,
    read_table,
    renumber,
    row_numbers,
    table_notes,
)
from layers.validation.encoding import detect_utf16
from layers.validation.limits import scan_xlsx_sheet

# -- dates ------------------------------------------------------------------------------------

def test_slash_dates_are_read_only_when_unambiguous():
    with pytest.raises(AmbiguousDateError, match=r"3\. Mai 2024 \(Tag/Monat\) oder 5\. März "
                       r"2024 \(Monat/Tag\)"):
        parse_date("03/05/2024")
    assert parse_date("25/05/2024") == "2024-05-25"  # only day/month fits
    assert parse_date("05/25/2024") == "2024-05-25"  # only month/day fits
    assert parse_date("05/05/24") == "2024-05-05"  # both readings are the same day
    assert parse_date("03.05.2024") == "2024-05-03"  # dots are always day.month


def test_implausible_dates():
    today = date(2025, 6, 1)
    assert "mehr als 3 Jahre in der Zukunft" in plausible_date_problem("2099-01-01", today=today)
    assert plausible_date_problem("2028-05-31", today=today) is None
    assert "vor 1900" in plausible_date_problem("1850-01-01", today=today)
    assert plausible_date_problem("2099-01-01", today=today, future=False) is None


def test_command_line_dates_give_german_errors():
    assert parse_option_date("2024-03-01", option="--von") == date(2024, 3, 1)
    assert parse_option_date(None, option="--von") is None
    with pytest.raises(InputValidationError, match=r"Ungültiges Datum bei --von: '31\.02\.2024' "
                       r"ist kein gültiges Datum"):
        parse_option_date("31.02.2024", option="--von")


def test_cli_von_with_impossible_date_is_a_german_error_not_a_traceback(capsys):
    from cli import main

    assert main(["barrieren", "planungsraeume", "--von", "31.02.2024"]) == 2
    err = capsys.readouterr().err
    assert "'31.02.2024' ist kein Datum (--von)" in err and "So beheben:" in err
    assert "Traceback" not in err


# -- personal data ----------------------------------------------------------------------------

@pytest.mark.parametrize("column", ["Diagnose", "ICD-10", "icd_10_code", "Krankenkasse",
                                    "Pflegegrad", "KV-Nummer", "GdB", "Medikation"])
def test_health_data_columns_are_refused(column):
    with pytest.raises(PersonalDataError) as info:
        check_personal_columns(["person_schluessel", column], datei="m.csv")
    assert info.value.probleme[0].spalte == column
    assert "Gesundheitsdaten" in info.value.probleme[0].meldung


@pytest.mark.parametrize("column", ["beeintraechtigung", "icf_code", "Typ", "Kapazität",
                                    "Pflegestützpunkt"])
def test_ordinary_columns_pass(column):
    check_personal_columns([column])


@pytest.mark.parametrize(("key", "name_like"), [
    ("müller, hans", True), ("Dr. Hans Müller", True), ("Hans Müller", True),
    ("anna-lena schmidt", True), ("P-4711-AC", False), ("XK7Q", False), ("p 4711", False),
    ("P-abcdefab", False),
])
def test_name_like_person_keys_are_refused(key, name_like):
    problems = check_pseudonym_values(pd.Series([key]), spalte="person_schluessel")
    assert bool(problems) is name_like


def test_person_keys_are_normalised_before_counting():
    keys = ["P-4711", " p-4711", "P-4711\u200b", "Ｐ－４７１１", "P-4711  ", "P-4712"]
    assert len({normalize_person_key(k) for k in keys}) == 2
    assert normalize_person_key("  ") is None and normalize_person_key(None) is None


# -- invisible characters ---------------------------------------------------------------------

def test_invisible_characters_are_removed_bidi_refused_and_strict_columns_refuse_all():
    frame = pd.DataFrame({
        "name": ["EUTB\u200b Mitte", "Stufe \u202eecnartne", "A\x07B\x1b", "sauber"],
        "quelle": ["import", "import", "import", "synthe\u200btisch"],
    }).astype("string")
    cleaned, problems = clean_table(frame, np.array([2, 3, 5, 6]), datei="a.csv",
                                    strict=["quelle"])
    assert cleaned["name"].tolist() == ["EUTB Mitte", "Stufe \u202eecnartne", "AB", "sauber"]
    assert cleaned["quelle"].iloc[3] == "synthe\u200btisch"  # refused, not "repaired"
    found = {(p.zeile, p.spalte, p.schwere) for p in problems}
    assert found == {(2, "name", "warnung"), (3, "name", "fehler"), (5, "name", "warnung"),
                     (6, "quelle", "fehler")}
    assert frame["name"].iloc[0] == "EUTB\u200b Mitte"  # the input is not changed


# -- tables -----------------------------------------------------------------------------------

def test_blank_rows_keep_true_row_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a;b\n1;2\n\n;\n3;4\n", encoding="utf-8")
    table = read_table(path)
    assert row_numbers(table).tolist() == [2, 5]
    found = [Problem("x", zeile=3)]  # a check that numbered the second value as row 3
    assert renumber(found, row_numbers(table))[0].zeile == 5


def test_sep_line_sets_the_separator(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("sep=,\nName,Typ\nEUTB,EUTB\n", encoding="utf-8")
    table = read_table(path)
    assert table.columns.tolist() == ["Name", "Typ"] and row_numbers(table).tolist() == [2]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(tmp_path, encoding):
    raw = "Name;Straße\nKoKoBe Süd;Römerstraße 5\n".encode(encoding)
    assert detect_utf16(raw) == encoding
    path = tmp_path / "t.csv"
    path.write_bytes(raw)
    assert read_table(path)["Straße"].iloc[0] == "Römerstraße 5"
    assert detect_utf16(b"PK\x03\x04\x00\x00binary\x00\x01") is None


def test_long_cell_is_refused_with_row_and_column(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "max_field_chars", 100)
    path = tmp_path / "t.csv"
    path.write_text("Name;Bemerkung\nA;kurz\nB;" + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(SourceDataError) as info:
        read_table(path)
    assert (info.value.zeile, info.value.spalte) == (3, "Bemerkung")
    assert "200.000 Zeichen" in info.value.meldung and "max_field_chars" in info.value.meldung


def test_rows_and_columns_are_limited_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "max_rows", 3)
    path = tmp_path / "t.csv"
    path.write_text("a;b\n" + "1;2\n" * 4, encoding="utf-8")
    with pytest.raises(SourceDataError, match="4 Zeilen; erlaubt sind höchstens 3"):
        read_table(path)


def test_sheet_extent_is_scanned_without_building_cells(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Name", "Typ"])
    book.active["XFD1048576"] = "x"
    book.active.merge_cells("A1:B1")
    path = tmp_path / "weit.xlsx"
    book.save(path)
    scan = scan_xlsx_sheet(path, 0)
    assert (scan.max_row, scan.max_column, scan.last_cell) == (1048576, 16384, "XFD1048576")
    assert scan.merged == ((1, 1, 1, 2),)
    with pytest.raises(SourceDataError, match="letzte benutzte Zelle ist XFD1048576"):
        read_table(path)


def test_zip_bomb_is_refused_from_the_archive_directory(tmp_path):
    path = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    with pytest.raises(SourceDataError, match="ZIP-Bombe"):
        read_table(path)


def test_two_row_header_with_merged_cells_is_joined(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Barrierefreiheit", None])
    sheet.append([None, "Zugang", "WC"])
    sheet.append(["EUTB", "ja", "nein"])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:C1")
    path = tmp_path / "kopf.xlsx"
    book.save(path)
    table = read_table(path)
    assert table.columns.tolist() == ["Name", "Zugang", "WC"]
    assert table["WC"].tolist() == ["nein"] and row_numbers(table).tolist() == [3]
    assert "zwei Zeilen" in table_notes(table)[0].meldung


def test_doubled_columns_are_found():
    aliases = {"icf_code": ("icf", "code"), "x": ("rechtswert",)}
    assert ambiguous_columns(["icf_code", "ICF", "x"], aliases) == {"icf_code": ["icf_code", "ICF"]}
    assert ambiguous_columns(["icf_code", "x"], aliases) == {}
