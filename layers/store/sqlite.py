"""GeoPackage at the SQLite level: connections, geometry blobs, tables, bulk inserts.

GDAL (through pyogrio) reads every layer and writes the derived store; row edits, the user
store and every write inside a transaction go through :mod:`sqlite3` with the helpers here,
because only SQLite's own transactions make a read-modify-write atomic across processes.
"""

from __future__ import annotations

import json
import sqlite3
import struct
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from layers.schema import sql_type

__all__ = [
    "GEOMETRY_COLUMN",
    "GPKG_APPLICATION_ID",
    "blob_to_geometry",
    "connect",
    "connect_reader",
    "create_geopackage",
    "create_table",
    "drop_table",
    "ensure_attribute_table",
    "ensure_srs",
    "frame_columns",
    "geometry_column",
    "geometry_to_blob",
    "insert_frame",
    "json_or_none",
    "register_gpkg_functions",
    "table_columns",
    "table_exists",
    "to_sql",
    "uri",
]

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10400  # GeoPackage 1.4, as GDAL 3.12 writes it
GEOMETRY_COLUMN = "geom"
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

_CORE_TABLES = (
    "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL "
    "PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, "
    "definition TEXT NOT NULL, description TEXT)",
    "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT "
    "NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL "
    "DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, "
    "max_y DOUBLE, srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES "
    "gpkg_spatial_ref_sys(srs_id))",
    "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
    "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT "
    "NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT "
    "uk_gc_table_name UNIQUE (table_name), CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) "
    "REFERENCES gpkg_contents(table_name), CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) "
    "REFERENCES gpkg_spatial_ref_sys (srs_id))",
)
_DEFAULT_SRS = (
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined",
     "undefined cartesian coordinate reference system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined",
     "undefined geographic coordinate reference system"),
)


def uri(path: Path, mode: str) -> str:
    """A SQLite URI for a file (``mode`` = ``ro``, ``rw`` or ``rwc``)."""
    return f"file:{quote(str(Path(path).resolve()))}?mode={mode}"


def connect(path: Path, *, mode: str = "rw", timeout: float = 60.0) -> sqlite3.Connection:
    """Open a GeoPackage with autocommit off-by-default semantics left to the caller.

    Parameters
    ----------
    path
        The file.
    mode
        ``ro`` (read only), ``rw`` (must exist) or ``rwc`` (create).
    timeout
        Seconds to wait for another writer (SQLite's busy timeout).

    Returns
    -------
    sqlite3.Connection
        In autocommit mode (``isolation_level=None``): callers issue ``BEGIN IMMEDIATE``.
    """
    conn = sqlite3.connect(uri(path, mode), uri=True, timeout=timeout, isolation_level=None)
    register_gpkg_functions(conn)
    return conn


def connect_reader(path: Path, *, timeout: float = 60.0) -> sqlite3.Connection:
    """A connection for reading a WAL database that leaves no ``-wal``/``-shm`` files behind.

    A read-only connection creates the WAL index files but may not delete them; a read-write
    connection in ``query_only`` mode (it cannot change data) removes them when it is the last
    one to close, so that a store nobody uses is always exactly one file. Falls back to a
    read-only connection where the folder is not writable.
    """
    try:
        conn = connect(path, mode="rw", timeout=timeout)
        conn.execute("PRAGMA query_only = ON")
        return conn
    except sqlite3.OperationalError:
        return connect(path, mode="ro", timeout=timeout)


# --------------------------------------------------------------------------------------------
# Geometry blobs
# --------------------------------------------------------------------------------------------


def blob_to_geometry(blob: bytes | None) -> BaseGeometry | None:
    """Decode a GeoPackage geometry blob (``None`` for NULL or an empty geometry flag)."""
    if blob is None:
        return None
    flags = blob[3]
    if (flags >> 4) & 1:
        return None
    offset = 8 + _ENVELOPE_BYTES[(flags >> 1) & 0b111]
    return shapely.from_wkb(bytes(blob[offset:]))


def geometry_to_blob(geometry: BaseGeometry, srs_id: int) -> bytes:
    """Encode a shapely geometry as a GeoPackage geometry blob (little endian, xy envelope).

    Parameters
    ----------
    geometry
        The geometry.
    srs_id
        The layer's SRS id (the EPSG code for layers written by this project).

    Returns
    -------
    bytes
    """
    if geometry.is_empty:
        return b"GP" + bytes([0, 0b00010001]) + struct.pack("<i", srs_id) + shapely.to_wkb(
            geometry, byte_order=1
        )
    minx, miny, maxx, maxy = geometry.bounds
    header = b"GP" + bytes([0, 0b00000011]) + struct.pack("<i", srs_id)
    envelope = struct.pack("<4d", minx, maxx, miny, maxy)
    return header + envelope + shapely.to_wkb(geometry, byte_order=1, flavor="iso")


def _blobs(geometries: Sequence[Any], srs_id: int) -> list[bytes | None]:
    """Encode many geometries at once (vectorised WKB and bounds)."""
    values = np.asarray(list(geometries), dtype=object)
    missing = np.array([g is None or (isinstance(g, float) and np.isnan(g)) for g in values])
    out: list[bytes | None] = [None] * len(values)
    present = np.flatnonzero(~missing)
    if not len(present):
        return out
    geoms = values[present]
    empty = shapely.is_empty(geoms)
    wkb = shapely.to_wkb(geoms, byte_order=1, flavor="iso")
    bounds = shapely.bounds(geoms)
    srs = struct.pack("<i", srs_id)
    for index, geom, blob, is_empty, box in zip(present, geoms, wkb, empty, bounds, strict=True):
        if is_empty:
            out[index] = geometry_to_blob(geom, srs_id)
            continue
        out[index] = (b"GP" + bytes([0, 0b00000011]) + srs
                      + struct.pack("<4d", box[0], box[2], box[1], box[3]) + blob)
    return out


def _blob_bounds(blob: bytes) -> tuple[float, float, float, float] | None:
    """``(minx, miny, maxx, maxy)`` of a GeoPackage blob (``None`` if empty), from its envelope."""
    flags = blob[3]
    if (flags >> 4) & 1:
        return None
    if ((flags >> 1) & 0b111) >= 1:  # the envelope starts with minx, maxx, miny, maxy
        minx, maxx, miny, maxy = struct.unpack_from("<4d" if flags & 1 else ">4d", blob, 8)
        return (minx, miny, maxx, maxy)
    geom = blob_to_geometry(blob)
    if geom is None or geom.is_empty:
        return None
    x0, y0, x1, y1 = geom.bounds
    return (float(x0), float(y0), float(x1), float(y1))


def register_gpkg_functions(conn: sqlite3.Connection) -> None:
    """Provide the ST_* functions the GeoPackage R-tree triggers call (GDAL registers them too)."""

    # The R-tree triggers call five of these functions on the same blob one after the other.
    # The bounds are read from the blob's envelope where it has one (every blob this project
    # writes), else from the decoded geometry, once per blob: an import of 100,000 rows
    # otherwise decodes half a million geometries.
    last: list[Any] = [None, None]

    def bounds_of(blob: bytes | None) -> tuple[float, float, float, float] | None:
        if blob is None:
            return None
        if last[0] is None or blob != last[0]:
            last[0], last[1] = blob, _blob_bounds(blob)
        return last[1]

    def bound(index: int) -> Any:
        def fn(blob: bytes | None) -> float | None:
            box = bounds_of(blob)
            return None if box is None else float(box[index])

        return fn

    conn.create_function("ST_MinX", 1, bound(0), deterministic=True)
    conn.create_function("ST_MinY", 1, bound(1), deterministic=True)
    conn.create_function("ST_MaxX", 1, bound(2), deterministic=True)
    conn.create_function("ST_MaxY", 1, bound(3), deterministic=True)

    def is_empty(blob: bytes | None) -> int | None:
        if blob is None:
            return None
        return int(bounds_of(blob) is None)

    conn.create_function("ST_IsEmpty", 1, is_empty, deterministic=True)


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def to_sql(value: Any) -> Any:
    """A Python/pandas/numpy value as something :mod:`sqlite3` stores (``None`` for NA)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        item = value.item()
        return None if isinstance(item, float) and np.isnan(item) else item
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    return value


def json_or_none(values: Mapping[str, Any] | None) -> str | None:
    """Values as JSON for the audit table (geometries as WKT), or ``None``."""
    if values is None:
        return None
    clean = {k: (v.wkt if isinstance(v, BaseGeometry) else to_sql(v)) for k, v in values.items()}
    return json.dumps(clean, ensure_ascii=False, default=str)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_exists(conn: sqlite3.Connection, name: str, schema: str = "main") -> bool:
    """Whether a table exists in a (possibly attached) database."""
    return conn.execute(
        f"SELECT 1 FROM {schema}.sqlite_master WHERE type='table' AND name=?", (name,)
    ).fetchone() is not None


def table_columns(conn: sqlite3.Connection, name: str, schema: str = "main") -> list[str]:
    """Column names of a table (empty if it does not exist)."""
    return [str(r[1]) for r in conn.execute(f"PRAGMA {schema}.table_info({_q(name)})")]


def geometry_column(conn: sqlite3.Connection, name: str, schema: str = "main") -> str | None:
    """The geometry column of a feature table (``None`` for an attribute table)."""
    row = conn.execute(
        f"SELECT column_name FROM {schema}.gpkg_geometry_columns WHERE table_name = ?", (name,)
    ).fetchone()
    return str(row[0]) if row else None


def ensure_attribute_table(conn: sqlite3.Connection, name: str, columns: Mapping[str, str]) -> None:
    """Create a GeoPackage attribute table (registered in ``gpkg_contents``) if missing."""
    if table_exists(conn, name):
        return
    create_table(conn, name, columns, geometry_type=None, srs_id=0)


def ensure_srs(conn: sqlite3.Connection, crs: CRS, srs_id: int) -> None:
    """Register the region CRS in ``gpkg_spatial_ref_sys`` if it is not there yet."""
    if conn.execute("SELECT 1 FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (srs_id,)).fetchone():
        return
    authority = crs.to_authority() or ("NONE", str(srs_id))
    conn.execute(
        "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
        "organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, NULL)",
        (crs.name, srs_id, authority[0], int(authority[1]), crs.to_wkt("WKT1_GDAL")),
    )


def create_geopackage(path: Path, crs: CRS) -> None:
    """Create an empty GeoPackage in WAL mode with the GeoPackage core tables.

    Parameters
    ----------
    path
        A file that does not exist yet (normally a temporary name, moved into place after).
    crs
        The region CRS (registered as an SRS).
    """
    conn = connect(path, mode="rwc")
    try:
        conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        for statement in _CORE_TABLES:
            conn.execute(statement)
        conn.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
                         _DEFAULT_SRS)
        conn.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, "
            "?, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
            (CRS.from_epsg(4326).to_wkt("WKT1_GDAL"),),
        )
        ensure_srs(conn, crs, crs.to_epsg() or 0)
        conn.execute("COMMIT")
    finally:
        conn.close()


def create_table(
    conn: sqlite3.Connection,
    name: str,
    columns: Mapping[str, str],
    *,
    geometry_type: str | None,
    srs_id: int,
) -> None:
    """Create a feature or attribute table and register it as GeoPackage content.

    Parameters
    ----------
    columns
        Column → SQLite type (``TEXT``, ``INTEGER``, ``REAL``, …), without ``fid``/``geom``.
    geometry_type
        ``POINT``, ``POLYGON``, ``GEOMETRY`` …, or ``None`` for an attribute table.
    srs_id
        The SRS of the geometry column.
    """
    parts = ['"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL']
    if geometry_type:
        parts.append(f"{_q(GEOMETRY_COLUMN)} {geometry_type}")
    parts += [f"{_q(k)} {v}" for k, v in columns.items() if k not in ("fid", GEOMETRY_COLUMN)]
    conn.execute(f"CREATE TABLE {_q(name)} ({', '.join(parts)})")
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, last_change, srs_id) "
        "VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?)",
        (name, "features" if geometry_type else "attributes", name,
         srs_id if geometry_type else 0),
    )
    if geometry_type:
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
            (name, GEOMETRY_COLUMN, geometry_type, srs_id),
        )


def drop_table(conn: sqlite3.Connection, name: str) -> None:
    """Drop a table with its GeoPackage registration (and R-tree index, if any)."""
    geom = geometry_column(conn, name) if table_exists(conn, "gpkg_geometry_columns") else None
    if geom and table_exists(conn, f"rtree_{name}_{geom}"):
        conn.execute(f"DROP TABLE {_q(f'rtree_{name}_{geom}')}")
    conn.execute(f"DROP TABLE IF EXISTS {_q(name)}")
    for table in ("gpkg_geometry_columns", "gpkg_contents", "gpkg_extensions",
                  "gpkg_ogr_contents"):
        if table_exists(conn, table):
            conn.execute(f"DELETE FROM {table} WHERE table_name = ?", (name,))


def frame_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Column → SQLite type for the attribute columns of a frame (as GDAL would choose)."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    return {str(c): sql_type(frame[c].dtype) for c in frame.columns if c != geometry}


def frame_geometry_type(frame: gpd.GeoDataFrame) -> str:
    """The GeoPackage geometry type of a frame (``GEOMETRY`` if mixed or empty)."""
    kinds = set(frame.geometry.dropna().geom_type)
    return kinds.pop().upper() if len(kinds) == 1 else "GEOMETRY"


def insert_frame(
    conn: sqlite3.Connection, table: str, frame: pd.DataFrame, srs_id: int
) -> int:
    """Insert all rows of a frame into an existing table (columns it lacks are skipped).

    Returns
    -------
    int
        The number of rows inserted.
    """
    if not len(frame):
        return 0
    known = table_columns(conn, table)
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    names = [str(c) for c in frame.columns if c in known and c not in ("fid", geometry)]
    columns: list[list[Any]] = [[to_sql(v) for v in frame[c].tolist()] for c in names]
    geom_col = geometry_column(conn, table)
    if geometry is not None and geom_col:
        names.append(geom_col)
        columns.append(_blobs(frame.geometry.tolist(), srs_id))
    if not names:
        return 0
    marks = ", ".join("?" for _ in names)
    conn.executemany(
        f"INSERT INTO {_q(table)} ({', '.join(_q(n) for n in names)}) VALUES ({marks})",
        zip(*columns, strict=True),
    )
    return len(frame)
