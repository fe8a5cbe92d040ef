"""Central validation: real bad files give German messages with file, row, column and fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.errors import PersonalDataError, SourceDataError
from layers.sources.osm_tags import parse_incline_percent, parse_kerb_height_cm, parse_width_m
from layers.validation import (
    check_lonlat,
    check_personal_columns,
    lonlat_problem,
    parse_crs,
    parse_decimal,
    read_table,
)


def test_reads_cp1252_semicolon_csv_with_decimal_comma(tmp_path):
    path = tmp_path / "angebote_excel.csv"
    path.write_bytes("Name;Straße;Rechtswert\nKoKoBe Süd;Römerstraße 5;294512,75\n".encode("cp1252"))
    table = read_table(path)
    assert table.columns.tolist() == ["Name", "Straße", "Rechtswert"]
    assert table["Straße"].iloc[0] == "Römerstraße 5"
    values, problems = parse_decimal(table["Rechtswert"], spalte="Rechtswert", datei=path)
    assert values.iloc[0] == pytest.approx(294512.75) and problems == []


def test_reads_utf8_bom_comma_csv(tmp_path):
    path = tmp_path / "utf8.csv"
    path.write_bytes("\ufeffName,lat,lon\nEUTB Mitte,50.77,6.08\n".encode())
    table = read_table(path)
    assert table.columns.tolist() == ["Name", "lat", "lon"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "leer (0 Byte)"), (b"Name;Ort\n", "keine Datenzeilen"), (b"  \n\n", "nur Leerzeichen")],
)
def test_empty_files(tmp_path, content, expected):
    path = tmp_path / "leer.csv"
    path.write_bytes(content)
    with pytest.raises(SourceDataError) as info:
        read_table(path)
    assert expected in str(info.value) and "leer.csv" in str(info.value)


def test_binary_file_with_csv_name(tmp_path):
    path = tmp_path / "tabelle.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(SourceDataError, match="keine Textdatei"):
        read_table(path)


def test_unparseable_numbers_name_row_and_column(tmp_path):
    values = pd.Series(["6,08", "sechs", "1.234,5", ""])
    parsed, problems = parse_decimal(values, spalte="lon", datei=tmp_path / "a.csv")
    assert parsed.iloc[0] == pytest.approx(6.08) and parsed.iloc[2] == pytest.approx(1234.5)
    assert np.isnan(parsed.iloc[3])
    assert len(problems) == 1
    text = str(problems[0])
    assert "Zeile 3" in text and "Spalte 'lon'" in text and "a.csv" in text


def test_swapped_coordinates_are_recognised():
    problems = check_lonlat(
        np.array([50.77, 6.08]), np.array([6.08, 50.77]), bounds=(6.0, 50.7, 6.2, 50.8)
    )
    assert len(problems) == 1
    assert "vertauscht" in str(problems[0]) and "Zeile 2" in str(problems[0])


def test_one_rule_explains_a_point_outside_the_region():
    bounds = (6.0, 50.7, 6.2, 50.8)  # Aachen, degrees
    assert lonlat_problem(6.08, 50.77, bounds=bounds) is None
    swapped = lonlat_problem(50.77, 6.08, bounds=bounds, spalte_lon="Länge", spalte_lat="Breite")
    assert swapped is not None and swapped[0] == "Länge und Breite sind vertauscht (Länge=50.77, " \
        "Breite=6.08)."
    metric = lonlat_problem(294512.0, 5628000.0, bounds=bounds)
    assert metric is not None and "keine Grad-Angaben" in metric[0] and "Rechtswert" in metric[1]
    scaled = lonlat_problem(0.608, 5.077, bounds=bounds)  # a decimal comma read as thousands dot
    assert scaled is not None and "Faktor 10 zu klein" in scaled[0]
    outside = lonlat_problem(7.1, 50.7, bounds=bounds)
    assert outside is not None and outside[0] == "Der Punkt (lat 50.7, lon 7.1) liegt außerhalb " \
        "der Region."


def test_personal_columns_are_refused():
    with pytest.raises(PersonalDataError) as info:
        check_personal_columns(["icf_code", "Geburtsdatum", "Nachname", "person_schluessel"],
                               datei="meldungen.csv")
    message = str(info.value)
    assert "Geburtsdatum" in message and "Nachname" in message
    assert "person_schluessel" not in message.split("So beheben")[0].split("\n")[0]
    check_personal_columns(["icf_code", "person_schluessel", "datum"])  # fine


def test_parse_crs_messages():
    assert parse_crs("EPSG:25833", projected=True).to_epsg() == 25833
    with pytest.raises(Exception, match="unbekannt"):
        parse_crs("EPSG:12345678")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("8%", 8.0), ("-12 %", 12.0), ("5°", 8.749), ("up", np.nan), (None, np.nan), ("0", 0.0)],
)
def test_incline(value, expected):
    result = parse_incline_percent(value)
    if np.isnan(expected):
        assert np.isnan(result)
    else:
        assert result == pytest.approx(expected, abs=1e-3)


def test_width_and_kerb():
    assert parse_width_m("1,5") == pytest.approx(1.5)
    assert parse_width_m("150 cm") == pytest.approx(1.5)
    assert parse_kerb_height_cm(None, "0.03") == pytest.approx(3.0)
    assert parse_kerb_height_cm("raised", "4 cm") == pytest.approx(4.0)
    assert parse_kerb_height_cm("lowered", None) == pytest.approx(2.0)
    assert np.isnan(parse_kerb_height_cm("yes", None))
