"""Benchmark: writing a large table as an Excel workbook (:func:`xlsx_bytes`).

    python benchmarks/tabellenblatt.py [--zeilen 1000 2000 4000] [--json ERGEBNIS.json]

In one process, for tables of the given numbers of rows (17 columns like the Kerndatensatz:
text, years, numbers, flags):

* ``baseline``: the former cell loop of :func:`planungsraeume.darstellung.xlsx_bytes`
  (``sheet.append`` of a row, then ``sheet[sheet.max_row]`` to format it; both look at every
  cell written so far, so the time grew with the square of the rows);
* ``openpyxl``: the next version (openpyxl, cells by row and column number: linear, but one
  cell object with its style per value);
* ``jetzt``: :func:`planungsraeume.darstellung.xlsx_bytes` (XlsxWriter, streaming XML).

Prints the seconds per size and the ratios baseline ÷ jetzt and openpyxl ÷ jetzt; ``--json``
also writes them to a file.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd

from planungsraeume.darstellung import xlsx_bytes
from planungsraeume.darstellung.tabellenblatt import _cell_value


def _table(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(rows)
    frame = pd.DataFrame({f"text_{i}": [f"Planungsraum {j}" for j in range(rows)]
                          for i in range(9)})
    frame["jahr"] = rng.integers(2005, 2013, rows)
    for i in range(5):
        frame[f"zahl_{i}"] = rng.random(rows) * 1000
    frame["modelliert"] = rng.random(rows) > 0.5
    frame["synthetisch"] = rng.random(rows) > 0.5
    return frame


def _baseline(table: pd.DataFrame) -> bytes:
    """The former cell loop (row appended, then looked up by ``sheet.max_row``)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([str(c) for c in table.columns])
    for row in table.itertuples(index=False):
        sheet.append([_cell_value(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif isinstance(cell.value, int | float):
                cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _openpyxl(table: pd.DataFrame) -> bytes:
    """The openpyxl writer of the day before (cells by row and column number)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([str(c) for c in table.columns])
    for number, row in enumerate(table.itertuples(index=False), start=2):
        for i, value in enumerate(row):
            cell = sheet.cell(row=number, column=i + 1, value=_cell_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif isinstance(cell.value, int | float):
                cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _seconds(function: object, table: pd.DataFrame) -> float:
    start = time.perf_counter()
    function(table)  # type: ignore[operator]
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zeilen", type=int, nargs="+", default=[1000, 2000, 4000])
    parser.add_argument("--json", help="Ergebnis als JSON schreiben")
    args = parser.parse_args(argv)
    xlsx_bytes(_table(50))  # warm-up (imports)
    _baseline(_table(50))
    results = []
    for rows in args.zeilen:
        table = _table(rows)
        old, linear = _seconds(_baseline, table), _seconds(_openpyxl, table)
        new = _seconds(xlsx_bytes, table)
        results.append({"zeilen": rows, "baseline_s": round(old, 3),
                        "openpyxl_s": round(linear, 3), "jetzt_s": round(new, 3),
                        "verhaeltnis": round(old / new, 2) if new else None,
                        "verhaeltnis_openpyxl": round(linear / new, 2) if new else None})
        print(f"{rows:>6} Zeilen × {table.shape[1]} Spalten: baseline {old:7.2f} s, "
              f"openpyxl {linear:6.2f} s, jetzt {new:6.2f} s, Verhältnis {old / new:5.2f} "
              f"(zu openpyxl {linear / new:4.2f})")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
