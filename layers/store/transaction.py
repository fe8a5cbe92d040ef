"""Row edits in one SQLite transaction on the user store, with the derived store attached.

A :class:`Transaction` is opened by :meth:`layers.store.GeoPackageStore.transaction` with
``BEGIN IMMEDIATE`` *before* anything is read, so a read-modify-write can never interleave
with another writer (no lost updates across processes). Its connection has the user store as
``main`` and the derived store attached read-only as ``abgeleitet``; tables are routed by
:func:`layers.schema.owner`:

* user tables (audit, ``nutzer_*``, ``szenario*``, undeclared names) live in ``main``;
* merged layers (``angebote``, ``barrieren``, ``planungsraeume``) are read as the merged view
  (:func:`layers.schema.visible_derived`); writes go to ``main``. Updating a derived row first
  copies it into the user store (same key, same version) and then applies the optimistic
  version check there;
* derived layers can be read but not written (only a build writes them).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from layers import schema
from layers.errors import LayerNotFoundError, StoreError, VersionConflictError
from layers.schema import AUDIT_TABLE, REMOVED_TABLE
from layers.store import sqlite as gpkg

__all__ = ["AUDIT_COLUMNS", "DERIVED_SCHEMA", "Transaction", "quote"]

DERIVED_SCHEMA = "abgeleitet"
AUDIT_COLUMNS = {
    "zeitpunkt": "TEXT",
    "benutzer": "TEXT",
    "tabelle": "TEXT",
    "objekt_id": "TEXT",
    "aktion": "TEXT",
    "alt_json": "TEXT",
    "neu_json": "TEXT",
    "rueckgaengig_von": "INTEGER",
}


def quote(name: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


_q = quote


_REMOVED_DDL = (f"CREATE TABLE IF NOT EXISTS {_q(REMOVED_TABLE)} (tabelle TEXT NOT NULL, "
                "schluessel TEXT NOT NULL, zeitpunkt TEXT, PRIMARY KEY (tabelle, schluessel))")


class _HiddenKeys(Collection[str]):
    """Keys hiding derived rows (user rows and removal marks), looked up instead of loaded."""

    def __init__(self, conn: sqlite3.Connection, table: str, key: str) -> None:
        self._conn, self._table, self._key = conn, table, key
        self._user = gpkg.table_exists(conn, table)
        self._removed = gpkg.table_exists(conn, REMOVED_TABLE)

    def __contains__(self, value: object) -> bool:
        if self._user and self._conn.execute(
            f"SELECT 1 FROM main.{_q(self._table)} WHERE {_q(self._key)} = ? LIMIT 1", (value,)
        ).fetchone():
            return True
        return self._removed and self._conn.execute(
            f"SELECT 1 FROM main.{_q(REMOVED_TABLE)} WHERE tabelle = ? AND schluessel = ?",
            (self._table, value),
        ).fetchone() is not None

    def __iter__(self) -> Iterator[str]:
        keys: list[str] = []
        if self._user:
            keys += [str(r[0]) for r in self._conn.execute(
                f"SELECT {_q(self._key)} FROM main.{_q(self._table)}")]
        if self._removed:
            keys += [str(r[0]) for r in self._conn.execute(
                f"SELECT schluessel FROM main.{_q(REMOVED_TABLE)} WHERE tabelle = ?",
                (self._table,))]
        return iter(keys)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Transaction:
    """Row edits inside one SQLite transaction of a region store.

    Obtain it from :meth:`layers.store.GeoPackageStore.transaction`; it commits when the
    ``with`` block ends without an exception and rolls back otherwise.

    Parameters
    ----------
    conn
        Connection with the user store as ``main`` (and the derived store attached as
        ``abgeleitet`` if it exists), inside ``BEGIN IMMEDIATE``.
    srs_id
        SRS id of the region CRS (for geometry blobs).
    user
        Name recorded in the audit table.
    reader
        ``read_layer`` of the store (for :meth:`read_layer`).
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        srs_id: int,
        user: str,
        *,
        reader: Callable[..., pd.DataFrame] | None = None,
    ) -> None:
        self._conn = conn
        self._srs_id = srs_id
        self.user = user
        self._reader = reader
        self._has_derived = any(r[1] == DERIVED_SCHEMA for r in conn.execute("PRAGMA database_list"))
        self._columns_cache: dict[tuple[str, str], list[str]] = {}
        self._statements: dict[tuple[str, tuple[str, ...]], str] = {}

    # ---- routing ----------------------------------------------------------------------------

    def _exists(self, table: str, where: str = "main") -> bool:
        if where == DERIVED_SCHEMA and not self._has_derived:
            return False
        key = (where, "\0exists:" + table)
        cached = self._columns_cache.get(key)
        if cached is None:
            cached = ["1"] if gpkg.table_exists(self._conn, table, where) else []
            self._columns_cache[key] = cached
        return bool(cached)

    def _columns(self, table: str, where: str = "main") -> list[str]:
        cached = self._columns_cache.get((where, table))
        if cached is None:
            cached = gpkg.table_columns(self._conn, table, where)
            self._columns_cache[(where, table)] = cached
        return cached

    def _forget(self, table: str) -> None:
        """Drop cached table metadata after the table was created or dropped."""
        for key in (table, "\0geometry:" + table, "\0exists:" + table):
            self._columns_cache.pop(("main", key), None)
        self._statements.clear()

    def _geometry(self, table: str, where: str = "main") -> str | None:
        key = (where, "\0geometry:" + table)
        cached = self._columns_cache.get(key)
        if cached is None:
            column = gpkg.geometry_column(self._conn, table, where)
            cached = [column] if column else []
            self._columns_cache[key] = cached
        return cached[0] if cached else None

    def _writable(self, table: str) -> str:
        """Route a write: refuse derived layers, create a merged layer's user table."""
        own = schema.owner(table)
        if own == schema.DERIVED:
            raise StoreError(
                f"Die Ebene '{table}' wird beim Bau der Region erzeugt und kann nicht bearbeitet "
                "werden.",
                hinweis="Ändern Sie die Quellen oder die Regionskonfiguration und bauen Sie neu.",
            )
        if own == schema.MERGED:
            self._ensure_merged(table)
        return table

    def _ensure_merged(self, table: str, frame: pd.DataFrame | None = None) -> None:
        """Create the user part of a merged layer (declared columns, the derived ones and those
        of ``frame``; the declared geometry type unless ``frame`` has others)."""
        if self._exists(table):
            return
        layer = schema.LAYERS[table]
        extra = gpkg.frame_columns(frame) if frame is not None else {}
        geometry_type = layer.geometry
        if isinstance(frame, gpd.GeoDataFrame) and len(frame):
            kind = gpkg.frame_geometry_type(frame)
            if kind != geometry_type:
                geometry_type = "GEOMETRY"
        columns = {c: schema.sql_type(t) for c, t in layer.columns.items()}
        if self._exists(table, DERIVED_SCHEMA):
            types = self._conn.execute(f"PRAGMA {DERIVED_SCHEMA}.table_info({_q(table)})")
            geom = gpkg.geometry_column(self._conn, table, DERIVED_SCHEMA)
            for _cid, name, kind, *_ in types:
                if name not in ("fid", geom) and name not in columns:
                    columns[str(name)] = str(kind or "TEXT")
        for name, kind in extra.items():
            columns.setdefault(name, kind)
        gpkg.create_table(self._conn, table, columns, geometry_type=geometry_type,
                          srs_id=self._srs_id)
        if layer.key:
            self._conn.execute(
                f"CREATE INDEX {_q(f'idx_{table}_{layer.key}')} ON {_q(table)} ({_q(layer.key)})"
            )
        self._forget(table)

    # ---- reading ----------------------------------------------------------------------------

    def _select(self, where_db: str, table: str, where: str, params: Sequence[Any]
                ) -> list[dict[str, Any]]:
        geom_col = self._geometry(table, where_db)
        sql = f"SELECT * FROM {where_db}.{_q(table)}" + (f" WHERE {where}" if where else "")
        cursor = self._conn.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description]
        result = []
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            if geom_col:
                row["geometry"] = gpkg.blob_to_geometry(row.pop(geom_col))
            result.append(row)
        return result

    def rows(self, table: str, where: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts (the merged view for merged layers); the geometry is under ``geometry``.

        Parameters
        ----------
        table
            Table name.
        where
            An SQL condition (may end in ``ORDER BY …`` for single-store tables).
        params
            Its parameters.
        """
        own = schema.owner(table)
        if own == schema.DERIVED:
            source = DERIVED_SCHEMA if self._exists(table, DERIVED_SCHEMA) else "main"
            return self._select(source, table, where, params)
        if own == schema.USER:
            return self._select("main", table, where, params)
        user = self._select("main", table, where, params) if self._exists(table) else []
        if not self._exists(table, DERIVED_SCHEMA):
            return user
        derived = self._select(DERIVED_SCHEMA, table, where, params)
        if not derived:
            return user
        layer = schema.LAYERS[table]
        keys: Collection[str] = (
            _HiddenKeys(self._conn, table, layer.key) if layer.key else frozenset()
        )
        count = self._count(table) if layer.merge == schema.WHOLE else 0
        mask = schema.visible_derived(layer, [r.get(layer.key or "") for r in derived], keys,
                                      count)
        return [r for r, keep in zip(derived, mask, strict=True) if keep] + user

    def _count(self, table: str) -> int:
        if not self._exists(table):
            return 0
        return int(self._conn.execute(f"SELECT count(*) FROM main.{_q(table)}").fetchone()[0])

    def existing_keys(self, table: str, key_col: str, values: Sequence[Any]) -> set[str]:
        """Which of these key values the table (the merged view for merged layers) holds.

        Looked up in batches through the key indexes, so checking a 100k-row import costs
        seconds, not a scan per row.
        """
        wanted = [str(v) for v in values]
        found: set[str] = set()
        sources = [s for s in ("main", DERIVED_SCHEMA) if self._exists(table, s)]
        layer = schema.LAYERS.get(table)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for source in sources:
                if source == DERIVED_SCHEMA and schema.owner(table) == schema.USER:
                    continue
                hits = [str(r[0]) for r in self._conn.execute(
                    f"SELECT {_q(key_col)} FROM {source}.{_q(table)} "
                    f"WHERE {_q(key_col)} IN ({marks})", chunk)]
                if hits and source == DERIVED_SCHEMA and layer is not None and layer.key == key_col:
                    count = self._count(table) if layer.merge == schema.WHOLE else 0
                    mask = schema.visible_derived(
                        layer, hits, _HiddenKeys(self._conn, table, key_col), count)
                    hits = [h for h, keep in zip(hits, mask, strict=True) if keep]
                found.update(hits)
        return found

    def read_layer(self, name: str, **kwargs: Any) -> pd.DataFrame:
        """Read a layer as :meth:`GeoPackageStore.read_layer` does, inside this transaction.

        No other writer can commit while the transaction is open, and the transaction's own
        writes are visible: a read-modify-write built on it cannot lose a concurrent update.
        """
        if self._reader is None:
            raise StoreError("Diese Transaktion kann keine Ebenen lesen.")
        return self._reader(name, **kwargs)

    # ---- writing ----------------------------------------------------------------------------

    def insert(
        self, table: str, values: Mapping[str, Any], geometry: BaseGeometry | None = None
    ) -> int:
        """Insert a row into the user store; returns its ``fid``."""
        self._writable(table)
        columns = set(self._columns(table))
        columns.discard("fid")
        data = {k: gpkg.to_sql(v) for k, v in values.items() if k in columns}
        geom_col = self._geometry(table)
        if geometry is not None and geom_col:
            data[geom_col] = gpkg.geometry_to_blob(geometry, self._srs_id)
        shape = (table, tuple(data))
        sql = self._statements.get(shape)
        if sql is None:
            names = ", ".join(_q(k) for k in data)
            marks = ", ".join("?" for _ in data)
            sql = (f"INSERT INTO {_q(table)} ({names}) VALUES ({marks})" if data
                   else f"INSERT INTO {_q(table)} DEFAULT VALUES")
            self._statements[shape] = sql
        cursor = self._conn.execute(sql, tuple(data.values()))
        return int(cursor.lastrowid or 0)

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        """Insert all rows of a frame at once (columns the table lacks are skipped).

        A user table that does not exist yet is created from the frame's columns.

        Returns
        -------
        int
            Rows inserted.
        """
        if schema.owner(table) == schema.MERGED:
            self._ensure_merged(table, frame)
        elif not self._exists(table):
            self._create_from_frame(table, frame)
        self._writable(table)
        return gpkg.insert_frame(self._conn, table, frame, self._srs_id)

    def replace_table(self, table: str, frame: pd.DataFrame) -> int:
        """Replace a user table (or the user part of a merged layer) by the rows of a frame."""
        self._writable(table)
        if self._exists(table):
            gpkg.drop_table(self._conn, table)
            self._forget(table)
        return self.insert_frame(table, frame)

    def _create_from_frame(self, table: str, frame: pd.DataFrame) -> None:
        geometry = None
        if isinstance(frame, gpd.GeoDataFrame):
            geometry = gpkg.frame_geometry_type(frame)
        gpkg.create_table(self._conn, table, gpkg.frame_columns(frame), geometry_type=geometry,
                          srs_id=self._srs_id)
        self._forget(table)

    def _copy_from_derived(self, table: str, key_col: str, key_value: Any) -> bool:
        """Copy a derived row into the user store (copy on write); whether there was one."""
        if not self._exists(table, DERIVED_SCHEMA):
            return False
        cursor = self._conn.execute(
            f"SELECT * FROM {DERIVED_SCHEMA}.{_q(table)} WHERE {_q(key_col)} = ?", (key_value,)
        )
        row = cursor.fetchone()
        if row is None:
            return False
        values = dict(zip([d[0] for d in cursor.description], row, strict=True))
        self._ensure_merged(table)
        derived_geom = gpkg.geometry_column(self._conn, table, DERIVED_SCHEMA)
        user_geom = gpkg.geometry_column(self._conn, table)
        if derived_geom and user_geom and derived_geom != user_geom:
            values[user_geom] = values.pop(derived_geom)
        columns = self._columns(table)
        data = {k: v for k, v in values.items() if k in columns and k != "fid"}
        self._conn.execute(
            f"INSERT INTO {_q(table)} ({', '.join(_q(k) for k in data)}) "
            f"VALUES ({', '.join('?' for _ in data)})",
            tuple(data.values()),
        )
        return True

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

        A row of a merged layer that so far exists only in the derived store is first copied
        into the user store; the check and the change then apply to that copy.

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
        self._writable(table)
        current = self._current_version(table, key_col, key_value, version_column)
        if current is None and schema.owner(table) == schema.MERGED:
            if self._copy_from_derived(table, key_col, key_value):
                current = self._current_version(table, key_col, key_value, version_column)
        if current is None:
            raise LayerNotFoundError(
                f"Das Objekt '{key_value}' gibt es in '{table}' nicht (mehr).",
                hinweis="Laden Sie die Ansicht neu; vielleicht wurde es inzwischen entfernt.",
            )
        if expected_version is not None and current != expected_version:
            raise VersionConflictError(
                f"Das Objekt '{key_value}' wurde inzwischen von jemand anderem geändert "
                f"(Version {current}, Ihre Bearbeitung beruht auf Version {expected_version}). "
                "Ihre Änderung wurde nicht gespeichert.",
                hinweis="Laden Sie das Objekt neu, prüfen Sie die neue Fassung und tragen Sie Ihre "
                "Änderung dort erneut ein.",
            )
        columns = self._columns(table)
        data = {k: gpkg.to_sql(v) for k, v in values.items() if k in columns and k != key_col}
        geom_col = self._geometry(table)
        if geometry is not None and geom_col:
            data[geom_col] = gpkg.geometry_to_blob(geometry, self._srs_id)
        versioned = version_column in columns
        if versioned:
            data[version_column] = current + 1
        if data:
            assignments = ", ".join(f"{_q(k)} = ?" for k in data)
            self._conn.execute(
                f"UPDATE {_q(table)} SET {assignments} WHERE {_q(key_col)} = ?",
                (*data.values(), key_value),
            )
        return current + 1 if versioned else 0

    def _current_version(self, table: str, key_col: str, key_value: Any, version_column: str
                         ) -> int | None:
        if not self._exists(table):
            return None
        column = _q(version_column) if version_column in self._columns(table) else "0"
        row = self._conn.execute(
            f"SELECT {column} FROM {_q(table)} WHERE {_q(key_col)} = ?", (key_value,)
        ).fetchone()
        return None if row is None else int(row[0] or 0)

    def delete(self, table: str, key: tuple[str, Any]) -> int:
        """Delete the rows matching ``key``; returns how many disappeared from the view.

        For a merged layer the user rows are deleted and derived rows with that key get a
        removal mark in the user store (the derived store is never edited).
        """
        self._writable(table)
        removed = 0
        if self._exists(table):
            removed = self._conn.execute(
                f"DELETE FROM {_q(table)} WHERE {_q(key[0])} = ?", (key[1],)).rowcount
        layer = schema.LAYERS.get(table)
        if (schema.owner(table) == schema.MERGED and layer is not None and layer.key
                and self._exists(table, DERIVED_SCHEMA)):
            derived = [str(r[0]) for r in self._conn.execute(
                f"SELECT {_q(layer.key)} FROM {DERIVED_SCHEMA}.{_q(table)} "
                f"WHERE {_q(key[0])} = ?", (key[1],))]
            if derived:
                self._conn.execute(_REMOVED_DDL)
                now = datetime.now(UTC).isoformat(timespec="seconds")
                before = self._conn.total_changes
                self._conn.executemany(
                    f"INSERT OR IGNORE INTO {_q(REMOVED_TABLE)} VALUES (?, ?, ?)",
                    [(table, k, now) for k in derived])
                removed = max(removed, self._conn.total_changes - before)
        return removed

    def audit(
        self,
        table: str,
        object_id: str,
        action: str,
        old: Mapping[str, Any] | None,
        new: Mapping[str, Any] | None,
    ) -> int:
        """Append an entry to the audit table (who, when, what, old and new values)."""
        self.ensure_table(AUDIT_TABLE, AUDIT_COLUMNS)
        return self.insert(
            AUDIT_TABLE,
            {
                "zeitpunkt": datetime.now(UTC).isoformat(timespec="seconds"),
                "benutzer": self.user,
                "tabelle": table,
                "objekt_id": str(object_id),
                "aktion": action,
                "alt_json": gpkg.json_or_none(old),
                "neu_json": gpkg.json_or_none(new),
            },
        )

    def has_table(self, table: str) -> bool:
        """Whether the table exists (in the user store, or the derived store for its layers)."""
        if self._exists(table):
            return True
        return schema.owner(table) != schema.USER and self._exists(table, DERIVED_SCHEMA)

    def link_undo(self, entry: int, undone: int) -> None:
        """Record that audit entry ``entry`` undid entry ``undone``."""
        self._conn.execute(f"UPDATE {_q(AUDIT_TABLE)} SET rueckgaengig_von = ? WHERE fid = ?",
                           (int(undone), int(entry)))

    def ensure_table(self, table: str, columns: Mapping[str, str]) -> None:
        """Create a user attribute table with these SQLite column types if it does not exist."""
        if not self._exists(table):
            gpkg.ensure_attribute_table(self._conn, table, columns)
            self._forget(table)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run raw SQL on the user store (``abgeleitet.<table>`` reaches the derived store)."""
        if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT", "DELETE")):
            self._columns_cache.clear()  # DDL: table metadata may have changed
            self._statements.clear()
        return self._conn.execute(sql, tuple(params))
