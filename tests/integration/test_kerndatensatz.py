"""The Kerndatensatz (issue #12, item 4): export → import → identical, documented, from the
one place that computes each figure."""

from __future__ import annotations

import pandas as pd
import pytest

from cli import main
from planungsraeume.kerndatensatz import KEY_COLUMNS, kerndatensatz
from planungsraeume.kerndatensatz.datei import read_kerndatensatz, write_kerndatensatz
from planungsraeume.kerndatensatz.lexikon import COLUMNS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def koeln_export(koeln, tmp_path_factory):
    frame = kerndatensatz(koeln)
    files = write_kerndatensatz(frame, tmp_path_factory.mktemp("kds_koeln"), koeln.name,
                                titel=koeln.titel)
    return frame, files


def test_koeln_round_trips_with_every_year(koeln_export):
    frame, files = koeln_export
    assert sorted(frame["jahr"].dropna().unique()) == list(range(2005, 2013))
    for path in (files.csv, files.xlsx):
        pd.testing.assert_frame_equal(read_kerndatensatz(path), frame, check_exact=True)
    assert not frame.duplicated(KEY_COLUMNS).any()
    people = frame[(frame["indikator"] == "einwohner") & (frame["ebene"] == "Region")]
    assert people.set_index("jahr").loc[2012, "wert"] == 1_044_555  # the source's 2012 total
    areas = frame[(frame["indikator"] == "einwohner") & (frame["ebene"] == "Planungsraum")]
    assert areas.groupby("jahr")["schluessel"].nunique().eq(86).all()
    assert not frame.loc[frame["bereich"] == "Bevölkerung", "modelliert"].any()  # official
    assert frame.loc[frame["bereich"] == "Angebote", "synthetisch"].all()  # demo offers


def test_aachen_round_trips_and_says_what_is_modelled(aachen, tmp_path):
    frame = kerndatensatz(aachen)
    files = write_kerndatensatz(frame, tmp_path, aachen.name, titel=aachen.titel)
    for path in (files.csv, files.xlsx):
        pd.testing.assert_frame_equal(read_kerndatensatz(path), frame, check_exact=True)
    population = frame[frame["bereich"] == "Bevölkerung"]
    assert population["modelliert"].all() and population["jahr"].isna().all()
    assert set(frame["ebene"]) == {"Planungsraum", "Region"}
    assert frame["quelle"].notna().all()


def test_dictionary_documents_every_column_and_indicator(koeln_export):
    frame, files = koeln_export
    columns = pd.read_csv(files.spalten, sep=";", encoding="utf-8-sig")
    assert list(columns["spalte"]) == list(frame.columns) == [c for c, _, _ in COLUMNS]
    assert columns["bedeutung"].str.len().gt(20).all()
    indicators = pd.read_csv(files.kennzahlen, sep=";", encoding="utf-8-sig")
    assert set(indicators["indikator"]) == set(frame["indikator"])
    assert indicators["definition"].notna().all() and indicators["quelle"].notna().all()
    row = indicators.set_index("indikator").loc["anteil_65_plus"]
    assert row["einheit"] == "%" and row["modelliert"] == "nein" and row["jahre"] == "2005–2012"
    text = files.lexikon.read_text(encoding="utf-8")
    assert "## Spalten" in text and "## Kennzahlen" in text and r"barrieren\_personen" in text  # escaped Markdown


def test_hostile_text_stays_text_and_comes_back(tmp_path):
    """A name a spreadsheet would run as a formula is neutralised in the CSV and restored."""
    from planungsraeume.kerndatensatz import conform

    frame = conform(pd.DataFrame({
        "ebene": ["Planungsraum", "Region"], "schluessel": ["=1+1", "-x"],
        "name": ['=HYPERLINK("http://x")', "@SUM(A1)"], "jahr": [2020, None],
        "bereich": ["Eigene Kennzahlen", "Bevölkerung"], "indikator": ["eigen_a", "einwohner"],
        "bezeichnung": ["a;b\nc", "Einwohner"], "wert": [-3.5, 0.1234567],
        "einheit": ["", "Personen"], "art": ["anzahl", "anzahl"], "zaehler": [None, None],
        "nenner": [None, None], "quelle": ["+eigene", "amtlich"], "modelliert": [False, True],
        "synthetisch": [True, False]}))
    files = write_kerndatensatz(frame, tmp_path, "test")
    raw = files.csv.read_bytes().decode("utf-8-sig")
    assert "'=HYPERLINK" in raw and "'@SUM" in raw and "-3,5" in raw
    for path in (files.csv, files.xlsx):
        pd.testing.assert_frame_equal(read_kerndatensatz(path), frame, check_exact=True)
    # The app's workbook (ui.widgets.csv_download) adds the data kind and note rows below.
    from planungsraeume.darstellung import xlsx_bytes
    from planungsraeume.kerndatensatz.datei import file_table

    app_file = tmp_path / "app.xlsx"
    app_file.write_bytes(xlsx_bytes(file_table(frame), blatt="kerndatensatz_test",
                                    hinweise=("Erstellt mit Sozialraum-Atlas.",),
                                    datenlage="Bevölkerung modelliert"))
    pd.testing.assert_frame_equal(read_kerndatensatz(app_file), frame, check_exact=True)


def test_a_bad_cell_is_named(tmp_path):
    from layers.errors import InputValidationError

    bad = tmp_path / "kds.csv"
    header = ";".join(c for c, _, _ in COLUMNS)
    cells = ["Planungsraum", "1", "A", "zwanzig"] + [""] * (len(COLUMNS) - 4)
    bad.write_text(header + "\n" + ";".join(cells) + "\n", encoding="utf-8")
    with pytest.raises(InputValidationError) as error:
        read_kerndatensatz(bad)
    assert "Zeile 2" in str(error.value) and "jahr" in str(error.value)


def test_cli_export_and_import(aachen, tmp_path, capsys, monkeypatch):
    from cli import common

    monkeypatch.setattr(common, "open_region", lambda name, **_: aachen)
    import cli.kerndatensatz as command

    monkeypatch.setattr(command, "open_region", lambda name, **_: aachen)
    assert main(["export", "kerndatensatz", "--region", "aachen", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Kerndatensatz:" in out and "kerndatensatz_aachen.xlsx" in out
    assert main(["import", "kerndatensatz", str(tmp_path / "kerndatensatz_aachen.csv")]) == 0
    out = capsys.readouterr().out
    assert "Kerndatensatz gelesen" in out and "Barrieremeldungen" in out
