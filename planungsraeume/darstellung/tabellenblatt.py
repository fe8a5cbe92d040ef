"""Display tables as Excel workbooks (.xlsx) and the rounding every export shares.

Every table a user downloads as CSV is also offered as XLSX (:func:`xlsx_bytes`): German headers
as in the app, real numbers with a number format per column (Excel shows them in the reader's
format, ``12.345,6`` in a German Excel), the kind of data as a column (``Datenlage``: modelled
population, generated planning areas, synthetic offers) and as note rows below the table, a
frozen header row and an autofilter. Cells are written as values, never as formulas: a text
that starts with ``=``, ``+``, ``-`` or ``@`` stays text.

:func:`rounded` rounds the numbers of an export to the decimals the table declares (see
:func:`planungsraeume.darstellung.format.with_format`), so that a CSV or workbook reads
``0,28`` and not ``0,2818627450980392``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from planungsraeume.darstellung.format import DECIMALS

__all__ = ["DATA_KIND_COLUMN", "FLOAT_DECIMALS", "number_format", "rounded", "xlsx_bytes"]

#: Column that carries the kind of data (modelliert, generiert, synthetisch) in an export.
DATA_KIND_COLUMN = "Datenlage"
#: Decimals of float columns whose table declares none (coordinates keep 6).
FLOAT_DECIMALS = 2
_COORDINATE_COLUMNS = {"lat", "lon", "breite", "länge", "laenge", "x", "y"}


def _decimals(table: pd.DataFrame, column: object) -> int | None:
    """Decimals of a numeric column: declared, 6 for coordinates, 0 for integers, else 2."""
    declared = table.attrs.get(DECIMALS, {})
    series = table[column]
    if str(column) in declared:
        return int(declared[str(column)])
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return 0
    return 6 if str(column).lower() in _COORDINATE_COLUMNS else FLOAT_DECIMALS


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """A copy with every float column rounded to its decimals (attrs kept, no geometry)."""
    frame = pd.DataFrame(table.drop(columns=table.geometry.name)) \
        if isinstance(table, gpd.GeoDataFrame) else table.copy()
    for column in frame.columns:
        places = _decimals(frame, column)
        series = frame[column]
        if places is None or not pd.api.types.is_float_dtype(series):
            continue
        frame[column] = series.round(places)
    frame.attrs = dict(table.attrs)
    return frame


def number_format(decimals: int) -> str:
    """Excel number format with thousands separator and ``decimals`` places (``#,##0.0``)."""
    return "#,##0" if decimals <= 0 else "#,##0." + "0" * decimals


def _cell_value(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_ | bool):
        return "ja" if value else "nein"
    if isinstance(value, int | float | str):
        return value
    return str(value)


def xlsx_bytes(table: pd.DataFrame, *, blatt: str = "Tabelle", hinweise: Sequence[str] = (),
               datenlage: str | None = None) -> bytes:
    """A display table as an Excel workbook (one sheet, German headers, number formats).

    Written with XlsxWriter (streaming XML, several times faster than openpyxl's cell objects
    for large tables such as a Kerndatensatz; openpyxl still reads the files). Strings are
    never turned into formulas, numbers or links, whatever they start with.

    Parameters
    ----------
    table
        A display table of :mod:`planungsraeume.darstellung` (German headers; decimals in
        ``attrs``); a geometry column is left out.
    blatt
        Name of the sheet (at most 31 characters; ``[]:*?/\\`` become ``_``).
    hinweise
        Note rows written below the table (e.g. "Bevölkerung modelliert …").
    datenlage
        Text of the :data:`DATA_KIND_COLUMN` column for every row (e.g. "Bevölkerung
        modelliert; Planungsräume generiert"); rows whose ``Quelle`` is ``synthetisch`` get
        "synthetisch" in front. ``None`` and no ``Quelle`` column: no such column.

    Returns
    -------
    bytes
        The ``.xlsx`` file.
    """
    import xlsxwriter

    frame = rounded(table)
    _add_data_kind(frame, datenlage)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False})
    sheet = book.add_worksheet(_sheet_name(blatt))
    columns = [str(c) for c in frame.columns]
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    sheet.write_row(0, 0, columns, header)
    formats = {}
    for i, column in enumerate(frame.columns):
        places = _decimals(frame, column)
        if places is not None:
            formats[i] = book.add_format({"num_format": number_format(places)})
    for number, row in enumerate(frame.itertuples(index=False, name=None), start=1):
        for i, raw in enumerate(row):
            value = _cell_value(raw)
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(number, i, value)
            else:
                sheet.write_number(number, i, value, formats.get(i))
    last = len(frame)
    notes = [*([f"Datenlage: {datenlage}"] if datenlage else []), *hinweise]
    for offset, note in enumerate(notes, start=2):
        sheet.write_string(last + offset, 0, note)
    sheet.freeze_panes(1, 0)
    if len(frame):
        sheet.autofilter(0, 0, last, max(0, len(columns) - 1))
    for i, name in enumerate(columns):
        longest = max([len(name), *(len(str(v)) for v in frame.iloc[:200, i])], default=8)
        sheet.set_column(i, i, min(60, max(8, longest + 2)))
    book.close()
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    """A sheet name Excel accepts: no ``[]:*?/\\``, no leading or trailing apostrophe."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in (name or "Tabelle"))
    return cleaned.strip("'")[:31] or "Tabelle"


def _add_data_kind(frame: pd.DataFrame, datenlage: str | None) -> None:
    """Add the :data:`DATA_KIND_COLUMN` column (in place) where there is something to say."""
    source = next((c for c in frame.columns if str(c).lower() == "quelle"), None)
    if datenlage is None and source is None:
        return
    base = datenlage or ""
    if source is None:
        frame[DATA_KIND_COLUMN] = base
        return
    synthetic = frame[source].astype(str).str.lower().eq("synthetisch")
    frame[DATA_KIND_COLUMN] = [
        "; ".join(p for p in ("synthetisch (erfunden)" if s else "", base) if p)
        for s in synthetic]
