"""Reading user-store tables with :mod:`sqlite3` into the frames GDAL would give.

Why not GDAL here: pyogrio's GDAL carries its own copy of SQLite. Two SQLite libraries in one
process do not see each other's POSIX locks, and closing a file in one drops the other's locks
on it (measured: ``sqlite3.OperationalError: locking protocol`` at COMMIT when a transaction
read its own store through pyogrio). The user store is written in place, so every access to it
in this project goes through Python's :mod:`sqlite3` - one library, correct locking, and reads
inside a transaction see that transaction's own writes. The derived store is never written in
place and is read with GDAL as before.

The frames match what ``pyogrio.read_dataframe(..., use_arrow=True)`` returns for the same
table: text columns ``str``, integers ``int64`` (``float64`` with gaps), ``MEDIUMINT`` ``int32``,
booleans ``bool``, reals ``float64``, the geometry as column ``geometry`` in the region CRS.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from layers.errors import LayerNotFoundError
from layers.store import sqlite as gpkg

__all__ = ["UserFile", "column_from_values", "list_tables", "read_table"]

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_INTEGERS = {"INTEGER": "int64", "INT": "int64", "BIGINT": "int64", "MEDIUMINT": "int32",
             "SMALLINT": "int16", "TINYINT": "int8"}


def list_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables registered as GeoPackage contents (features and attributes), in order."""
    if not gpkg.table_exists(conn, "gpkg_contents"):
        return []
    rows = conn.execute("SELECT table_name FROM gpkg_contents ORDER BY rowid")
    return [str(r[0]) for r in rows]


def _geometries(blobs: Sequence[bytes | None]) -> np.ndarray:
    """Decode GeoPackage blobs at once (header and envelope stripped, WKB parsed vectorised)."""
    wkb: list[bytes | None] = []
    for blob in blobs:
        if blob is None or (blob[3] >> 4) & 1:
            wkb.append(None)
            continue
        wkb.append(bytes(blob[8 + _ENVELOPE_BYTES[(blob[3] >> 1) & 0b111]:]))
    return shapely.from_wkb(np.array(wkb, dtype=object))


def column_from_values(values: list[Any], declared: str) -> pd.Series:
    """A column of values as GDAL would type it for a declared SQLite column type.

    Also used by the PostGIS store (:mod:`layers.store.postgis.frames`), so that both stores
    give the same dtypes.
    """
    kind = declared.upper().split("(")[0].strip()
    if kind in _INTEGERS:
        if any(v is None for v in values):
            return pd.Series(values, dtype="float64")
        return pd.Series(values, dtype=_INTEGERS[kind])
    if kind in ("REAL", "DOUBLE", "FLOAT", "NUMERIC"):
        return pd.Series(values, dtype="float32" if kind == "FLOAT" else "float64")
    if kind == "BOOLEAN":
        if any(v is None for v in values):
            return pd.Series([None if v is None else bool(v) for v in values], dtype=object)
        return pd.Series([bool(v) for v in values], dtype=bool)
    if kind in ("DATETIME", "DATE"):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601"))
    if kind in ("TEXT", "VARCHAR", ""):
        return pd.Series(values, dtype="str")  # TEXT affinity: SQLite returns text or NULL
    return pd.Series(values, dtype=object)


def read_table(
    conn: sqlite3.Connection,
    name: str,
    *,
    crs: CRS,
    columns: Sequence[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    where: str | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read one table of a GeoPackage (the user store) as a frame.

    Parameters
    ----------
    conn
        Connection to the GeoPackage (inside a transaction: its own writes are visible).
    name
        The table.
    crs
        The region CRS (the store's SRS must be it; the table was written in it).
    columns
        Only these attribute columns (unknown names are ignored, as GDAL does).
    bbox
        Only features whose geometry intersects these bounds.
    where
        An SQL condition (the same text GDAL would pass on to SQLite for a GeoPackage).

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
    """
    info = list(conn.execute(f'PRAGMA table_info("{name}")'))
    geom = gpkg.geometry_column(conn, name)
    declared = {str(r[1]): str(r[2] or "") for r in info if r[1] not in ("fid", geom)}
    wanted = [c for c in declared if columns is None or c in columns]
    selected = [*wanted, *([geom] if geom else [])]
    sql_columns = ", ".join(f'"{c}"' for c in selected) or "fid"
    sql = f'SELECT {sql_columns} FROM "{name}"' + (f" WHERE {where}" if where else "")
    rows = conn.execute(sql).fetchall()
    data = list(zip(*rows, strict=True)) if rows else [() for _ in selected]
    frame = pd.DataFrame({c: column_from_values(list(data[i]), declared[c])
                          for i, c in enumerate(wanted)})
    if not geom:
        return frame
    shapes = _geometries(list(data[len(wanted)]))
    result = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapes, crs=crs), crs=crs)
    if bbox is not None and len(result):
        result = result[shapely.intersects(shapes, shapely.box(*bbox))].reset_index(drop=True)
    return result


class UserFile:
    """The user store as a GeoPackage read through :mod:`sqlite3` (see the module docstring).

    Parameters
    ----------
    path
        The user store file.
    crs
        The region CRS.
    """

    def __init__(self, path: Path, crs: CRS) -> None:
        self.path = path
        self.crs = crs

    def __repr__(self) -> str:
        return f"UserFile({str(self.path)!r})"

    def exists(self) -> bool:
        """Whether the file exists."""
        return self.path.exists()

    @contextmanager
    def connection(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        """A read-only connection (or ``conn``, left open, e.g. a transaction's)."""
        if conn is not None:
            yield conn
            return
        own = gpkg.connect_reader(self.path)
        try:
            yield own
        finally:
            own.close()

    def list_layers(self, conn: sqlite3.Connection | None = None) -> list[str]:
        """Tables of the user store (empty if there is none yet)."""
        if conn is None and not self.path.exists():
            return []
        with self.connection(conn) as active:
            return list_tables(active)

    def read_layer(
        self,
        name: str,
        *,
        columns: Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        where: str | None = None,
        conn: sqlite3.Connection | None = None,
    ) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read one table; :class:`LayerNotFoundError` if the store or table is missing."""
        if conn is None and not self.path.exists():
            raise LayerNotFoundError(
                f"Die Ebene '{name}' fehlt: es gibt noch keine eigenen Daten.",
                hinweis="Sie entsteht mit dem ersten Import oder der ersten Bearbeitung.",
                datei=self.path,
            )
        with self.connection(conn) as active:
            if name not in list_tables(active):
                raise LayerNotFoundError(
                    f"Die Ebene '{name}' fehlt im Regionsspeicher.",
                    hinweis="Sie entsteht mit dem ersten Import oder der ersten Bearbeitung.",
                    datei=self.path,
                )
            return read_table(active, name, crs=self.crs, columns=columns, bbox=bbox,
                              where=where)
