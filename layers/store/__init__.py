"""The region store: one small interface for reading and writing region layers.

Every module reads and writes region data through :class:`RegionStore`; nothing else opens the
GeoPackage (or, later, a PostGIS connection). The default implementation,
:class:`GeoPackageStore`, keeps a region in one GeoPackage that planners can also open in QGIS.

Two kinds of writes exist:

* :meth:`RegionStore.write_layers` replaces whole layers. It works on a copy of the file and
  swaps the copy in with an atomic ``os.replace``: a failure at any point leaves the previous file
  untouched, and readers never see a half-written store.
* :meth:`RegionStore.transaction` edits single rows (the service directory, the audit table) in one
  SQLite transaction with optimistic version checks, so two concurrent edits of the same object
  cannot silently overwrite each other.

Both take a lock file, so a layer replacement and a row edit never interleave.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from filelock import FileLock, Timeout
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from layers import settings
from layers.errors import CRSError, LayerNotFoundError, StoreError, VersionConflictError
from layers.log import get_logger
from layers.validation import require_crs

log = get_logger("store")

META_TABLE = "_metadaten"
AUDIT_TABLE = "_aenderungsprotokoll"
LOCK_TIMEOUT_S = 60.0


class RegionStore(ABC):
    """Interface of a region store (GeoPackage now, PostGIS later).

    Attributes
    ----------
    crs : pyproj.CRS
        The working CRS every spatial layer must have.
    """

    crs: CRS

    @abstractmethod
    def exists(self) -> bool:
        """Whether the store has been built."""

    @abstractmethod
    def list_layers(self) -> list[str]:
        """Names of all layers and tables (internal tables start with ``_``)."""

    @abstractmethod
    def read_layer(
        self,
        name: str,
        *,
        columns: Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        where: str | None = None,
    ) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read one layer (a GeoDataFrame) or attribute table (a DataFrame)."""

    @abstractmethod
    def write_layers(self, layers: Mapping[str, pd.DataFrame]) -> None:
        """Replace the given layers atomically: all of them or none."""

    @abstractmethod
    def transaction(self) -> Any:
        """Context manager yielding a :class:`Transaction` for row edits."""

    @abstractmethod
    def version_token(self) -> str:
        """A string that changes whenever the store's content changes (for caches)."""

    def has_layer(self, name: str) -> bool:
        """Whether a layer of that name exists."""
        return name in self.list_layers()

    def read_meta(self) -> dict[str, str]:
        """The key/value metadata written by the build (fingerprint, summary, …)."""
        if not self.exists() or not self.has_layer(META_TABLE):
            return {}
        table = self.read_layer(META_TABLE)
        return dict(zip(table["schluessel"].astype(str), table["wert"].astype(str), strict=True))


def meta_frame(values: Mapping[str, object]) -> pd.DataFrame:
    """Turn metadata into the key/value table stored as :data:`META_TABLE`.

    Parameters
    ----------
    values
        Keys and values; non-strings are stored as JSON.

    Returns
    -------
    pandas.DataFrame
    """
    rows = [
        (str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        for k, v in values.items()
    ]
    return pd.DataFrame(rows, columns=["schluessel", "wert"])


# --------------------------------------------------------------------------------------------
# GeoPackage geometry blobs (for row edits through sqlite3)
# --------------------------------------------------------------------------------------------

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def _blob_to_geometry(blob: bytes | None) -> BaseGeometry | None:
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


def _register_gpkg_functions(conn: sqlite3.Connection) -> None:
    """Provide the ST_* functions the GeoPackage R-tree triggers call (GDAL registers them too)."""

    def bound(index: int) -> Any:
        def fn(blob: bytes | None) -> float | None:
            geom = _blob_to_geometry(blob)
            return None if geom is None or geom.is_empty else float(geom.bounds[index])

        return fn

    conn.create_function("ST_MinX", 1, bound(0), deterministic=True)
    conn.create_function("ST_MinY", 1, bound(1), deterministic=True)
    conn.create_function("ST_MaxX", 1, bound(2), deterministic=True)
    conn.create_function("ST_MaxY", 1, bound(3), deterministic=True)

    def is_empty(blob: bytes | None) -> int | None:
        if blob is None:
            return None
        geom = _blob_to_geometry(blob)
        return int(geom is None or geom.is_empty)

    conn.create_function("ST_IsEmpty", 1, is_empty, deterministic=True)


class Transaction:
    """Row edits inside one SQLite transaction on a GeoPackage.

    Obtain it from :meth:`GeoPackageStore.transaction`; it commits when the ``with`` block ends
    without an exception and rolls back otherwise.
    """

    def __init__(self, conn: sqlite3.Connection, srs_id: int, user: str) -> None:
        self._conn = conn
        self._srs_id = srs_id
        self.user = user

    def _geometry_column(self, table: str) -> str | None:
        row = self._conn.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
        ).fetchone()
        return row[0] if row else None

    def _columns(self, table: str) -> list[str]:
        return [r[1] for r in self._conn.execute(f'PRAGMA table_info("{table}")')]

    def rows(self, table: str, where: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Return rows as dicts; the geometry (if any) is decoded under the key ``geometry``."""
        geom_col = self._geometry_column(table)
        sql = f'SELECT * FROM "{table}"' + (f" WHERE {where}" if where else "")
        cursor = self._conn.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description]
        result = []
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            if geom_col:
                row["geometry"] = _blob_to_geometry(row.pop(geom_col))
            result.append(row)
        return result

    def insert(
        self, table: str, values: Mapping[str, Any], geometry: BaseGeometry | None = None
    ) -> int:
        """Insert a row; returns its ``fid``."""
        data = {k: _to_sql(v) for k, v in values.items() if k in self._columns(table)}
        geom_col = self._geometry_column(table)
        if geometry is not None and geom_col:
            data[geom_col] = geometry_to_blob(geometry, self._srs_id)
        names = ", ".join(f'"{k}"' for k in data)
        marks = ", ".join("?" for _ in data)
        cursor = self._conn.execute(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})', tuple(data.values())
        )
        return int(cursor.lastrowid or 0)

    def update(
        self,
        table: str,
        key: tuple[str, Any],
        values: Mapping[str, Any],
        *,
        geometry: BaseGeometry | None = None,
        expected_version: int | None = None,
        version_column: str = "version",
    ) -> int:
        """Update one row identified by ``key``; with ``expected_version`` do a version check.

        Returns
        -------
        int
            The new version (or 0 if the table has no version column).

        Raises
        ------
        VersionConflictError
            If the row's version is not ``expected_version`` (someone else changed it first).
        LayerNotFoundError
            If no row has that key.
        """
        key_col, key_value = key
        columns = self._columns(table)
        current = self._conn.execute(
            f'SELECT "{version_column}" FROM "{table}" WHERE "{key_col}" = ?'
            if version_column in columns
            else f'SELECT 0 FROM "{table}" WHERE "{key_col}" = ?',
            (key_value,),
        ).fetchone()
        if current is None:
            raise LayerNotFoundError(
                f"Das Objekt '{key_value}' gibt es in '{table}' nicht (mehr).",
                hinweis="Laden Sie die Ansicht neu; vielleicht wurde es inzwischen entfernt.",
            )
        current_version = int(current[0] or 0)
        if expected_version is not None and current_version != expected_version:
            raise VersionConflictError(
                f"Das Objekt '{key_value}' wurde inzwischen von jemand anderem geändert "
                f"(Version {current_version}, Ihre Bearbeitung beruht auf Version {expected_version}). "
                "Ihre Änderung wurde nicht gespeichert.",
                hinweis="Laden Sie das Objekt neu, prüfen Sie die neue Fassung und tragen Sie Ihre "
                "Änderung dort erneut ein.",
            )
        data = {k: _to_sql(v) for k, v in values.items() if k in columns and k != key_col}
        geom_col = self._geometry_column(table)
        if geometry is not None and geom_col:
            data[geom_col] = geometry_to_blob(geometry, self._srs_id)
        new_version = current_version + 1
        if version_column in columns:
            data[version_column] = new_version
        if data:
            assignments = ", ".join(f'"{k}" = ?' for k in data)
            self._conn.execute(
                f'UPDATE "{table}" SET {assignments} WHERE "{key_col}" = ?',
                (*data.values(), key_value),
            )
        return new_version if version_column in columns else 0

    def delete(self, table: str, key: tuple[str, Any]) -> int:
        """Delete rows matching ``key``; returns how many."""
        cursor = self._conn.execute(f'DELETE FROM "{table}" WHERE "{key[0]}" = ?', (key[1],))
        return cursor.rowcount

    def audit(
        self,
        table: str,
        object_id: str,
        action: str,
        old: Mapping[str, Any] | None,
        new: Mapping[str, Any] | None,
    ) -> int:
        """Append an entry to the audit table (who, when, what, old and new values)."""
        ensure_attribute_table(
            self._conn,
            AUDIT_TABLE,
            {
                "zeitpunkt": "TEXT",
                "benutzer": "TEXT",
                "tabelle": "TEXT",
                "objekt_id": "TEXT",
                "aktion": "TEXT",
                "alt_json": "TEXT",
                "neu_json": "TEXT",
                "rueckgaengig_von": "INTEGER",
            },
        )
        return self.insert(
            AUDIT_TABLE,
            {
                "zeitpunkt": datetime.now(UTC).isoformat(timespec="seconds"),
                "benutzer": self.user,
                "tabelle": table,
                "objekt_id": str(object_id),
                "aktion": action,
                "alt_json": _json_or_none(old),
                "neu_json": _json_or_none(new),
            },
        )

    def ensure_table(self, table: str, columns: Mapping[str, str]) -> None:
        """Create an attribute table with these SQLite column types if it does not exist yet."""
        ensure_attribute_table(self._conn, table, columns)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run raw SQL in the transaction (for queries the helpers do not cover)."""
        return self._conn.execute(sql, tuple(params))


def _json_or_none(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    clean = {
        k: (v.wkt if isinstance(v, BaseGeometry) else _to_sql(v)) for k, v in values.items()
    }
    return json.dumps(clean, ensure_ascii=False, default=str)


def _to_sql(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    return value


def ensure_attribute_table(conn: sqlite3.Connection, name: str, columns: Mapping[str, str]) -> None:
    """Create a GeoPackage attribute table (registered in ``gpkg_contents``) if missing."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)
    ).fetchone()
    if exists:
        return
    cols = ", ".join(f'"{k}" {v}' for k, v in columns.items())
    conn.execute(f'CREATE TABLE "{name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, {cols})')
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, last_change) "
        "VALUES (?, 'attributes', ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
        (name, name),
    )


class GeoPackageStore(RegionStore):
    """A region store in one GeoPackage file.

    Parameters
    ----------
    path
        The ``.gpkg`` file (it need not exist yet).
    crs
        The region's working CRS.
    user
        Name recorded in the audit table for edits made through this store.
    """

    def __init__(self, path: str | Path, crs: CRS | str | int, *, user: str | None = None) -> None:
        self.path = Path(path)
        self.crs = CRS.from_user_input(crs)
        self.user = user or os.environ.get("SOZIALRAUM_USER") or _login_name()
        self._lock = FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT_S)

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r})"

    def exists(self) -> bool:
        """Whether the GeoPackage file exists."""
        return self.path.exists()

    def version_token(self) -> str:
        """File modification time and size, which change with every committed write."""
        if not self.path.exists():
            return "leer"
        stat = self.path.stat()
        return f"{stat.st_mtime_ns}-{stat.st_size}"

    def list_layers(self) -> list[str]:
        """Names of all layers and attribute tables."""
        if not self.path.exists():
            return []
        return [str(row[0]) for row in pyogrio.list_layers(self.path)]

    def read_layer(
        self,
        name: str,
        *,
        columns: Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        where: str | None = None,
    ) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read one layer.

        Parameters
        ----------
        name
            Layer name (German, stable: users open the file in QGIS).
        columns
            Only these attribute columns.
        bbox
            Only features intersecting these bounds (region CRS).
        where
            An OGR SQL attribute filter.

        Returns
        -------
        geopandas.GeoDataFrame or pandas.DataFrame
            A GeoDataFrame in the region CRS, or a DataFrame for attribute tables.

        Raises
        ------
        LayerNotFoundError
            If the store or the layer does not exist.
        CRSError
            If a spatial layer is not in the region CRS.
        """
        if not self.path.exists():
            raise LayerNotFoundError(
                f"Der Regionsspeicher {self.path.name} existiert noch nicht.",
                hinweis="Bauen Sie die Region zuerst: sozialraum build --region <name>.",
                datei=self.path,
            )
        if name not in self.list_layers():
            raise LayerNotFoundError(
                f"Die Ebene '{name}' fehlt im Regionsspeicher.",
                hinweis="Bauen Sie die Region neu (sozialraum build --region <name> --force).",
                datei=self.path,
            )
        frame = pyogrio.read_dataframe(
            self.path,
            layer=name,
            columns=list(columns) if columns is not None else None,
            bbox=bbox,
            where=where,
            use_arrow=True,
        )
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
            if frame.crs is not None or len(frame):
                require_crs(frame, self.crs, name=name, datei=self.path)
            else:
                frame = frame.set_crs(self.crs)
            return frame
        return pd.DataFrame(frame)

    def write_layers(self, layers: Mapping[str, pd.DataFrame]) -> None:
        """Replace the given layers in one atomic step.

        The new state is written into a temporary copy next to the store and moved over the
        original with ``os.replace``. If anything fails, the original file is untouched.

        Parameters
        ----------
        layers
            Layer name to frame. GeoDataFrames must be in the region CRS.

        Raises
        ------
        CRSError
            If a spatial layer is not in the region CRS (nothing is written).
        StoreError
            If writing fails or the store is locked for longer than a minute.
        """
        for name, frame in layers.items():
            if isinstance(frame, gpd.GeoDataFrame):
                require_crs(frame, self.crs, name=name)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._lock:
                handle, tmp_name = tempfile.mkstemp(
                    prefix=f".{self.path.stem}.tmp-", suffix=".gpkg", dir=self.path.parent
                )
                os.close(handle)
                tmp = Path(tmp_name)
                try:
                    if self.path.exists():
                        shutil.copyfile(self.path, tmp)
                    else:
                        tmp.unlink()
                    for name, frame in layers.items():
                        _write_frame(frame, tmp, name)
                    os.replace(tmp, self.path)
                finally:
                    with suppress(FileNotFoundError):
                        tmp.unlink()
        except Timeout as exc:
            raise StoreError(
                "Der Regionsspeicher ist gesperrt, weil gerade jemand anderes schreibt.",
                hinweis="Versuchen Sie es in einer Minute erneut.",
                datei=self.path,
            ) from exc

    def replace_with(self, built: Path) -> None:
        """Atomically replace the whole store with a freshly built GeoPackage.

        Parameters
        ----------
        built
            A complete GeoPackage in the same directory (so that the move is atomic).
        """
        try:
            with self._lock:
                os.replace(built, self.path)
        except Timeout as exc:
            raise StoreError(
                "Der Regionsspeicher ist gesperrt, weil gerade jemand anderes schreibt.",
                hinweis="Versuchen Sie es in einer Minute erneut.",
                datei=self.path,
            ) from exc

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Open a write transaction for row edits.

        Yields
        ------
        Transaction
            Committed when the block ends normally, rolled back on any exception.
        """
        if not self.path.exists():
            raise LayerNotFoundError(
                f"Der Regionsspeicher {self.path.name} existiert noch nicht.",
                hinweis="Bauen Sie die Region zuerst: sozialraum build --region <name>.",
                datei=self.path,
            )
        epsg = self.crs.to_epsg() or 0
        try:
            with self._lock:
                conn = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_S, isolation_level=None)
                try:
                    _register_gpkg_functions(conn)
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        yield Transaction(conn, epsg, self.user)
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                    else:
                        conn.execute("COMMIT")
                finally:
                    conn.close()
        except Timeout as exc:
            raise StoreError(
                "Der Regionsspeicher ist gesperrt, weil gerade jemand anderes schreibt.",
                hinweis="Versuchen Sie es in einer Minute erneut.",
                datei=self.path,
            ) from exc


def _write_frame(frame: pd.DataFrame, path: Path, name: str) -> None:
    if not isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame)
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is None:
        raise CRSError(f"Die Ebene '{name}' hat kein Koordinatenbezugssystem (CRS).")
    geometry_type = None
    if isinstance(frame, gpd.GeoDataFrame) and len(frame) == 0:
        geometry_type = "Unknown"
    try:
        pyogrio.write_dataframe(
            frame,
            path,
            layer=name,
            driver="GPKG",
            geometry_type=geometry_type,
            promote_to_multi=False,
        )
    except Exception as exc:
        raise StoreError(
            f"Die Ebene '{name}' konnte nicht geschrieben werden ({exc}).",
            hinweis="Prüfen Sie freien Speicherplatz und Schreibrechte im Cache-Verzeichnis.",
            datei=path,
        ) from exc


def _login_name() -> str:
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unbekannt"


def region_store_path(region_name: str) -> Path:
    """Where the GeoPackage of a region lives in the cache."""
    return settings.cache_dir / "regions" / f"{region_name}.gpkg"


def open_store(region: Any) -> GeoPackageStore:
    """Open the store of a region.

    Parameters
    ----------
    region
        A :class:`layers.regions.RegionConfig` or a region name.

    Returns
    -------
    GeoPackageStore
    """
    from layers.regions import RegionConfig, load_region

    config = region if isinstance(region, RegionConfig) else load_region(region)
    return GeoPackageStore(region_store_path(config.name), config.crs)
