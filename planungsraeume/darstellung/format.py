"""Formatting and writing of the display tables: German numbers, the one Excel CSV writer.

Numbers in a display table stay numbers; how many decimals a column shows and which columns
show a sign are kept in ``attrs`` (:data:`DECIMALS`, :data:`SIGNED`) and applied by
:func:`text_table`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.errors import Problem
from layers.formatting import MISSING, de_number, excel_csv_bytes

__all__ = [
    "DECIMALS",
    "SIGNED",
    "area_number",
    "area_numbers",
    "csv_bytes",
    "format_value",
    "points_table",
    "problem_table",
    "text_table",
    "with_format",
    "write_csv",
]

DECIMALS = "dezimalen"
#: ``attrs`` key: columns whose positive values are shown with "+" (differences).
SIGNED = "vorzeichen"
#: Row keys of the region total and of the inhabitants outside every area.
_TOTAL_KEYS = ("gesamt", "Region")
_OUTSIDE_KEY = "ohne"


def with_format(
    table: pd.DataFrame, decimals: Mapping[str, int] | None = None, signed: Iterable[str] = ()
) -> pd.DataFrame:
    """Keep the decimals per column and the signed columns in ``table.attrs`` (returns it)."""
    table.attrs[DECIMALS] = dict(decimals or {})
    table.attrs[SIGNED] = list(signed)
    return table


def area_number(pr_id: object) -> str:
    """The ``Nr.`` cell of a per-area table: "" for the region row, "–" for "ohne"."""
    key = str(pr_id)
    if key in _TOTAL_KEYS:
        return ""
    return MISSING if key == _OUTSIDE_KEY else key


def area_numbers(keys: Iterable[object]) -> list[str]:
    """:func:`area_number` of every key."""
    return [area_number(k) for k in keys]


def format_value(value: object, decimals: int = 0, *, signed: bool = False) -> str:
    """One cell in German format ("12.345", "23,4", "+120"; "–" for a missing number).

    Text is returned unchanged.
    """
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA:
        return MISSING
    text = de_number(value, decimals)
    if signed and text != MISSING and float(value) > 0 and text.strip("0,.") != "":  # type: ignore[arg-type]
        return f"+{text}"
    return text


def text_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table with every cell as German text, using the decimals and signs in ``attrs``."""
    decimals: Mapping[str, int] = table.attrs.get(DECIMALS, {})
    signed = set(table.attrs.get(SIGNED, []))
    out = pd.DataFrame(index=table.index)
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            out[column] = ["" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                           else str(v) for v in values]
            continue
        default = 0 if pd.api.types.is_integer_dtype(values) else 1
        places = int(decimals.get(str(column), default))
        out[column] = [format_value(v, places, signed=column in signed) for v in values]
    return out


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as CSV for German spreadsheet programs: semicolon, decimal comma, UTF-8 with BOM.

    The one CSV writer of the project (command line and app downloads; a geometry column is
    left out), :func:`layers.formatting.excel_csv_bytes`; numbers rounded to the table's decimals
    (:func:`planungsraeume.darstellung.tabellenblatt.rounded`).
    """
    from planungsraeume.darstellung.tabellenblatt import rounded

    return excel_csv_bytes(rounded(table))


def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write :func:`csv_bytes` of a table to a file (parent folders are created)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(csv_bytes(table))
    return target


def problem_table(problems: Sequence[Problem]) -> pd.DataFrame:
    """Findings of a check as a table: Zeile, Spalte, Schwere, Meldung, So beheben."""
    rows = [{"Zeile": p.zeile, "Spalte": p.spalte, "Schwere": p.schwere, "Meldung": p.meldung,
             "So beheben": p.hinweis} for p in problems]
    return pd.DataFrame(rows, columns=["Zeile", "Spalte", "Schwere", "Meldung", "So beheben"])


def points_table(points: gpd.GeoDataFrame) -> pd.DataFrame:
    """Points without geometry, with ``lon`` and ``lat`` (WGS 84, 6 decimals) as last columns."""
    lonlat = points.to_crs("EPSG:4326")
    table = pd.DataFrame(points.drop(columns=points.geometry.name))
    return with_format(table.assign(lon=lonlat.geometry.x.round(6).to_numpy(),
                                     lat=lonlat.geometry.y.round(6).to_numpy()),
                        {"lon": 6, "lat": 6})
