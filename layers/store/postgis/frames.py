"""Frames in and out of PostGIS tables: the same dtypes as the GeoPackage store gives.

Reading selects the attribute columns and ``ST_AsBinary(geometry)`` and decodes the WKB at
once with shapely; the column types map to those :mod:`layers.store.reader` gives for a
GeoPackage (``text`` → ``str``, ``bigint`` → ``int64`` or ``float64`` with gaps, ``integer`` →
``int32``, ``double precision`` → ``float64``, ``boolean`` → ``bool``), so every caller sees
the same frame whichever store is configured. Writing streams rows with ``COPY`` (geometries
as EWKB with the region's SRID).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from layers.errors import CRSError
from layers.store import sqlite as gpkg
from layers.store.postgis.richtlinien import MERGED_COLUMNS, pg_type, q
from layers.store.reader import column_from_values

__all__ = [
    "TableInfo",
    "copy_frame",
    "create_table_for",
    "placeholders",
    "python_values",
    "read_frame",
    "table_info",
]

_DECLARED = {"text": "TEXT", "character varying": "TEXT", "bigint": "INTEGER",
             "integer": "MEDIUMINT", "smallint": "SMALLINT", "double precision": "REAL",
             "real": "FLOAT", "numeric": "REAL", "boolean": "BOOLEAN",
             "timestamp without time zone": "DATETIME", "timestamp with time zone": "DATETIME",
             "date": "DATE"}
_HIDDEN = ("fid", *MERGED_COLUMNS)


class TableInfo:
    """Columns of a table: attribute columns with their types, the geometry and its SRID."""

    def __init__(self, rows: Sequence[tuple[str, str]]) -> None:
        self.types: dict[str, str] = {}
        self.geometry: str | None = None
        self.srid = 0
        for name, kind in rows:
            if kind.startswith("geometry"):
                self.geometry = name
                inner = kind[kind.find("(") + 1:kind.rfind(")")] if "(" in kind else ""
                self.srid = int(inner.split(",")[1]) if "," in inner else 0
            else:
                self.types[name] = kind

    @property
    def columns(self) -> list[str]:
        """Attribute columns users see (without ``fid`` and the internal ones)."""
        return [c for c in self.types if c not in _HIDDEN]

    @property
    def all_columns(self) -> list[str]:
        """Every column, with the geometry."""
        return [*self.types, *([self.geometry] if self.geometry else [])]


def table_info(conn: Any, schema: str, table: str) -> TableInfo | None:
    """The columns of ``schema.table`` (``None`` if it does not exist)."""
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum", (schema, table)).fetchall()
    return TableInfo([(str(r[0]), str(r[1])) for r in rows]) if rows else None


def placeholders(sql: str) -> str:
    """SQL written for sqlite3 (``?`` placeholders) for psycopg (``%s``; ``%`` doubled)."""
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if char == "%":
            out.append("%%")
            continue
        if quote is None and char in ("'", '"'):
            quote = char
        elif quote is not None and char == quote:
            quote = None
        out.append("%s" if char == "?" and quote is None else char)
    return "".join(out)


def read_frame(
    conn: Any,
    schema: str,
    table: str,
    info: TableInfo,
    *,
    crs: CRS,
    columns: Sequence[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    where: str | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read a table as the GeoPackage store would (see the module docstring).

    Raises
    ------
    CRSError
        If the geometry column's SRID is not the region's.
    """
    if info.geometry and info.srid and info.srid != (crs.to_epsg() or 0):
        raise CRSError(
            f"Die Ebene '{table}' liegt in EPSG:{info.srid}, die Region arbeitet in "
            f"{crs.to_string()}.",
            hinweis="Laden Sie die Ebene neu hoch (sozialraum server hochladen).",
        )
    wanted = [c for c in info.columns if columns is None or c in columns]
    selected = [q(c) for c in wanted]
    if info.geometry:
        selected.append(f"ST_AsBinary({q(info.geometry)})")
    conditions = []
    params: list[Any] = []
    if where:  # psycopg reads '%' as a placeholder as soon as there are parameters
        conditions.append(f"({where.replace('%', '%%') if bbox is not None else where})")
    if bbox is not None and info.geometry:
        conditions.append(f"{q(info.geometry)} && ST_MakeEnvelope(%s, %s, %s, %s, %s) AND "
                          f"ST_Intersects({q(info.geometry)}, ST_MakeEnvelope(%s, %s, %s, %s, %s))")
        params += [*bbox, info.srid, *bbox, info.srid]
    sql = (f"SELECT {', '.join(selected) or 'fid'} FROM {q(schema)}.{q(table)}"
           + (f" WHERE {' AND '.join(conditions)}" if conditions else "") + " ORDER BY fid")
    rows = conn.execute(sql, params or None).fetchall()
    data = list(zip(*rows, strict=True)) if rows else [() for _ in selected]
    frame = pd.DataFrame({c: column_from_values(list(data[i]), _DECLARED.get(info.types[c], ""))
                          for i, c in enumerate(wanted)})
    if not info.geometry:
        return frame
    blobs = np.array([None if b is None else bytes(b) for b in data[len(wanted)]], dtype=object)
    shapes = shapely.from_wkb(blobs)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapes, crs=crs), crs=crs)


def python_values(series: pd.Series) -> list[Any]:
    """A column as plain Python values for psycopg (``None`` for every kind of NA)."""
    return [gpkg.to_sql(v) for v in series.to_numpy(dtype=object)]


def _ewkb(geometries: Any, srid: int) -> list[str | None]:
    values = np.asarray(list(geometries), dtype=object)
    missing = np.array([g is None or (isinstance(g, float) and np.isnan(g)) for g in values],
                       dtype=bool)
    out: list[str | None] = [None] * len(values)
    present = np.flatnonzero(~missing)
    if len(present):
        with_srid = shapely.set_srid(values[present], srid)
        for index, text in zip(present, shapely.to_wkb(with_srid, hex=True, include_srid=True),
                               strict=True):
            out[index] = str(text)
    return out


def copy_frame(conn: Any, schema: str, table: str, frame: pd.DataFrame, info: TableInfo, *,
               srid: int, constants: Mapping[str, Any] | None = None,
               secured: bool = True) -> int:
    """Append every row of a frame with ``COPY`` (columns the table lacks are skipped).

    PostgreSQL refuses ``COPY FROM`` into a table with row-level security, so for a secured
    table the rows are copied into a temporary table first and moved with one
    ``INSERT … SELECT``, to which every policy and trigger applies.

    Parameters
    ----------
    constants
        Values for extra columns of every row (e.g. ``_herkunft``).
    secured
        Whether the table has row-level security (``False`` only for a table just created).

    Returns
    -------
    int
        Rows written.
    """
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    names = [c for c in frame.columns if c != geometry and c in info.types and c != "fid"]
    values = [python_values(frame[c]) for c in names]
    extra = dict(constants or {})
    columns = [*names, *extra]
    if geometry is not None and info.geometry:
        values.append(_ewkb(frame.geometry, srid))
        columns.append(info.geometry)
    fixed = list(extra.values())
    target = f"{q(schema)}.{q(table)}"
    staging = target
    listed = ", ".join(q(c) for c in columns)
    if secured:  # the columns' types, no constraints, no policies
        staging = q(f"_kopie_{table}")
        conn.execute(f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS SELECT {listed} FROM "
                     f"{target} WITH NO DATA")
    with conn.cursor() as cursor, cursor.copy(f"COPY {staging} ({listed}) FROM STDIN") as copy:
        for i in range(len(frame)):
            row = [column[i] for column in values[:len(names)]] + fixed
            row += [column[i] for column in values[len(names):]]
            copy.write_row(row)
    if secured:
        conn.execute(f"INSERT INTO {target} ({listed}) SELECT {listed} FROM {staging}")
        conn.execute(f"DROP TABLE {staging}")
    return len(frame)


def create_table_for(schema: str, table: str, frame: pd.DataFrame, *, srid: int,
                     merged: bool = False, reports: bool = False) -> list[str]:
    """``CREATE TABLE`` statements for a frame's columns and geometry type."""
    from layers.store.postgis.richtlinien import table_ddl

    geometry = None
    if isinstance(frame, gpd.GeoDataFrame):
        geometry = gpkg.frame_geometry_type(frame)
    name_of_geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    columns = {str(c): pg_type(str(frame[c].dtype)) for c in frame.columns
               if c != name_of_geometry and c != "fid"}
    return table_ddl(schema, table, columns, geometry=geometry, srid=srid, merged=merged,
                     reports=reports)
