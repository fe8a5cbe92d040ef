"""XLSX exports: German headers, number formats, the data kinds as column and note, rounding."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from planungsraeume import darstellung as d


def _table() -> pd.DataFrame:
    table = pd.DataFrame({"Planungsraum": ["Mitte", "=HYPERLINK(\"x\")"],
                          "Einwohner": [5452, 120],
                          "Anteil erreicht (%)": [0.2818627450980392 * 100, 52.14],
                          "Quelle": ["synthetisch", "amtlich"]})
    return d.with_format(table, {"Anteil erreicht (%)": 1})


def test_xlsx_opens_with_openpyxl_and_carries_the_flags():
    raw = d.xlsx_bytes(_table(), blatt="versorgung", hinweise=("Zahlen gerundet.",),
                       datenlage="Bevölkerung modelliert")
    sheet = load_workbook(io.BytesIO(raw)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Planungsraum", "Einwohner", "Anteil erreicht (%)", "Quelle", d.DATA_KIND_COLUMN]
    assert rows[1][:3] == ["Mitte", 5452, 28.2]
    assert rows[1][4] == "synthetisch (erfunden); Bevölkerung modelliert"
    assert rows[2][4] == "Bevölkerung modelliert"
    assert sheet["C2"].number_format == "#,##0.0"
    assert sheet["B2"].number_format == "#,##0"
    # A text that looks like a formula stays text.
    assert sheet["A3"].data_type == "s" and sheet["A3"].value.startswith("=")
    notes = [r[0] for r in rows[3:] if r[0]]
    assert notes == ["Datenlage: Bevölkerung modelliert", "Zahlen gerundet."]
    assert sheet.freeze_panes == "A2"


def test_csv_export_is_rounded_to_the_declared_decimals():
    text = d.csv_bytes(_table()).decode("utf-8-sig").splitlines()
    assert text[1] == "Mitte;5452;28,2;synthetisch"
    undeclared = pd.DataFrame({"Anteil": [0.2818627450980392]})
    assert d.csv_bytes(undeclared).decode("utf-8-sig").splitlines()[1] == "0,28"
