"""Row edits in one PostgreSQL transaction: the :class:`layers.store.Transaction` interface.

Opened by :meth:`layers.store.postgis.PostgisStore.transaction`, which takes the region's
advisory lock first (writers of one region follow each other, as with ``BEGIN IMMEDIATE`` on
the GeoPackage), so a read-modify-write of the app cannot interleave with another one. What
the database adds, whatever client writes (QGIS included):

* the version trigger refuses an update that does not raise ``version`` by one (SQLSTATE
  ``SA409`` → :class:`~layers.errors.VersionConflictError`);
* row-level security refuses what the login's role may not do: a ``WITH CHECK`` violation
  is an error, a row an ``UPDATE``/``DELETE`` policy hides is left alone - both end as
  :class:`~layers.errors.AccessDeniedError` here;
* the audit trigger writes who (the database login), when, old and new values;
  :meth:`PgTransaction.audit` only names the action of that entry (or adds a summary entry
  of an import), through a function that always writes the login's own name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from layers import schema
from layers.errors import AccessDeniedError, LayerNotFoundError, StoreError, VersionConflictError
from layers.store import sqlite as gpkg
from layers.store.postgis.frames import (
    TableInfo,
    copy_frame,
    placeholders,
    read_frame,
    table_info,
)
from layers.store.postgis.funktionen import GLOBAL_SCHEMA
from layers.store.postgis.richtlinien import MERGED_COLUMNS, q

if TYPE_CHECKING:
    from layers.store.postgis.store import PostgisStore

__all__ = ["PgTransaction"]


class PgTransaction:
    """Row edits inside one database transaction of a region (see the module docstring).

    Parameters
    ----------
    conn
        A psycopg connection inside a transaction, the region's advisory lock held.
    store
        The store it belongs to.
    """

    def __init__(self, conn: Any, store: PostgisStore) -> None:
        self._conn = conn
        self._store = store
        self._schema = store.schema
        self._srid = store.srid
        self.user = store.user
        self._info: dict[str, TableInfo | None] = {}

    # ---- tables -----------------------------------------------------------------------------

    def _table(self, table: str) -> TableInfo | None:
        if table not in self._info:
            self._info[table] = table_info(self._conn, self._schema, table)
        return self._info[table]

    def _target(self, table: str) -> str:
        return f"{q(self._schema)}.{q(table)}"

    def _require(self, table: str) -> TableInfo:
        info = self._table(table)
        if info is None:
            raise LayerNotFoundError(
                f"Die Tabelle '{table}' gibt es in der Datenbank nicht.",
                hinweis="Neue Tabellen legt die Verwaltung an (sozialraum server einrichten).",
            )
        return info

    def _writable(self, table: str) -> TableInfo:
        if schema.owner(table) == schema.DERIVED:
            raise StoreError(
                f"Die Ebene '{table}' wird beim Bau der Region erzeugt und kann nicht bearbeitet "
                "werden.",
                hinweis="Ändern Sie die Quellen oder die Regionskonfiguration, bauen Sie neu und "
                "laden Sie die Region hoch (sozialraum server hochladen).",
            )
        return self._require(table)

    def has_table(self, table: str) -> bool:
        """Whether the table exists."""
        return self._table(table) is not None

    def ensure_table(self, table: str, columns: Mapping[str, str]) -> None:
        """Users' tables exist from ``server einrichten`` on; a missing one is an error."""
        self._require(table)

    # ---- reading ----------------------------------------------------------------------------

    def _row(self, names: Sequence[str], values: Sequence[Any], geometry: str | None
             ) -> dict[str, Any]:
        row = {n: v for n, v in zip(names, values, strict=True) if n not in MERGED_COLUMNS}
        if geometry is not None:
            blob = row.pop(geometry, None)
            row["geometry"] = None if blob is None else shapely.from_wkb(bytes(blob))
        return row

    def rows(self, table: str, where: str = "", params: Sequence[Any] = ()
             ) -> list[dict[str, Any]]:
        """Rows as dicts (what the login may see); the geometry under ``geometry``."""
        info = self._require(table)
        columns = [q(c) for c in info.types]
        if info.geometry:
            columns.append(f"ST_AsBinary({q(info.geometry)})")
        sql = f"SELECT {', '.join(columns)} FROM {self._target(table)}"
        if where:
            sql += " WHERE " + placeholders(where) if params else " WHERE " + where
        cursor = self._conn.execute(sql, tuple(params) if params else None)
        names = [*info.types, *([info.geometry] if info.geometry else [])]
        return [self._row(names, values, info.geometry) for values in cursor.fetchall()]

    def existing_keys(self, table: str, key_col: str, values: Sequence[Any]) -> set[str]:
        """Which of these key values the table holds (of the rows the login may see)."""
        if self._table(table) is None:
            return set()
        rows = self._conn.execute(
            f"SELECT {q(key_col)} FROM {self._target(table)} WHERE {q(key_col)}::text = "
            "ANY(%s)", ([str(v) for v in values],))
        return {str(r[0]) for r in rows}

    def read_layer(self, name: str, **kwargs: Any) -> pd.DataFrame:
        """Read a layer as :meth:`PostgisStore.read_layer` does, inside this transaction."""
        info = self._require(name)
        return read_frame(self._conn, self._schema, name, info, crs=self._store.crs, **kwargs)

    # ---- writing ----------------------------------------------------------------------------

    def _values(self, info: TableInfo, values: Mapping[str, Any],
                geometry: BaseGeometry | None) -> tuple[list[str], list[str], list[Any]]:
        names, marks, data = [], [], []
        for key, value in values.items():
            if key in info.types and key != "fid" and key not in MERGED_COLUMNS:
                names.append(q(key))
                marks.append("%s")
                data.append(gpkg.to_sql(value))
        if geometry is not None and info.geometry:
            names.append(q(info.geometry))
            marks.append("ST_GeomFromWKB(%s, %s)")
            data += [shapely.to_wkb(geometry), self._srid]
        return names, marks, data

    def insert(self, table: str, values: Mapping[str, Any],
               geometry: BaseGeometry | None = None) -> int:
        """Insert a row; returns its ``fid``."""
        info = self._writable(table)
        names, marks, data = self._values(info, values, geometry)
        sql = (f"INSERT INTO {self._target(table)} ({', '.join(names)}) VALUES "
               f"({', '.join(marks)}) RETURNING fid" if names
               else f"INSERT INTO {self._target(table)} DEFAULT VALUES RETURNING fid")
        return int(self._conn.execute(sql, data or None).fetchone()[0])

    def insert_frame(self, table: str, frame: pd.DataFrame) -> int:
        """Insert all rows of a frame at once (``COPY``; columns the table lacks are skipped).

        Audit entries are not written by clients here: for rows of the audit table the
        trigger's entries of the same objects get the given action (see :meth:`audit`).
        """
        if table == schema.AUDIT_TABLE:
            return self._label(frame)
        info = self._writable(table)
        return copy_frame(self._conn, self._schema, table, frame, info, srid=self._srid)

    def _label(self, entries: pd.DataFrame) -> int:
        for (table, action), group in entries.groupby(["tabelle", "aktion"], sort=False):
            labelled = self._conn.execute(
                f"SELECT {GLOBAL_SCHEMA}.protokoll_beschriften(%s, %s, %s, %s)",
                (self._schema, str(table), [str(v) for v in group["objekt_id"]],
                 str(action))).fetchone()[0]
            if labelled:
                continue
            for row in group.to_dict("records"):
                self._conn.execute(
                    f"SELECT {GLOBAL_SCHEMA}.protokoll(%s, %s, %s, %s, %s, %s)",
                    (self._schema, str(table), str(row["objekt_id"]), str(action),
                     gpkg.to_sql(row.get("alt_json")), gpkg.to_sql(row.get("neu_json"))))
        return len(entries)

    def replace_table(self, table: str, frame: pd.DataFrame) -> int:
        """Replace a users' table (or the users' part of a merged layer) by a frame's rows."""
        self._writable(table)
        layer = schema.LAYERS.get(table)
        if layer is not None and layer.owner == schema.MERGED and layer.merge == schema.BY_KEY:
            self._conn.execute(f"DELETE FROM {self._target(table)} WHERE _herkunft <> "
                               "'abgeleitet'")
        else:  # users' tables; planning areas: users' areas replace the generated ones
            self._conn.execute(f"DELETE FROM {self._target(table)}")
        return self.insert_frame(table, frame)

    def _visible(self, table: str, key_col: str, key_value: Any) -> bool:
        return self._conn.execute(
            f"SELECT 1 FROM {self._target(table)} WHERE {q(key_col)} = %s LIMIT 1",
            (gpkg.to_sql(key_value),)).fetchone() is not None

    def _refused(self, table: str, key_value: Any, what: str) -> AccessDeniedError:
        """The German error for a change row-level security silently left out."""
        me = self._store.identity()
        where = ""
        if me.rolle == "koordination":
            where = (" (er liegt nicht in Ihren Planungsräumen "
                     f"{', '.join(me.planungsraeume) or '–'})")
        return AccessDeniedError(
            f"Die Datenbank hat abgelehnt, '{key_value}' in '{table}' zu {what}: Ihre Rolle "
            f"'{me.rolle}' darf diesen Eintrag nicht {what}{where}.",
            hinweis="Wenden Sie sich an die Sozialplanung, wenn der Eintrag geändert werden muss.",
        )

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
        """Update one row; with ``expected_version`` the version check (the trigger checks too).

        Returns
        -------
        int
            The new version (or 0 if the table has no version column).

        Raises
        ------
        VersionConflictError
            If the row's version is not ``expected_version``.
        AccessDeniedError
            If the login's role may not change this row.
        LayerNotFoundError
            If no row has that key.
        """
        key_col, key_value = key
        info = self._writable(table)
        versioned = version_column in info.types
        found = self._conn.execute(
            f"SELECT {q(version_column) if versioned else '0'} FROM {self._target(table)} "
            f"WHERE {q(key_col)} = %s", (gpkg.to_sql(key_value),)).fetchone()
        if found is None:
            raise LayerNotFoundError(
                f"Das Objekt '{key_value}' gibt es in '{table}' nicht (mehr).",
                hinweis="Laden Sie die Ansicht neu; vielleicht wurde es inzwischen entfernt.",
            )
        current = int(found[0] or 0) if versioned else 0
        if expected_version is not None and versioned and current != expected_version:
            raise VersionConflictError(
                f"Das Objekt '{key_value}' wurde inzwischen von jemand anderem geändert "
                f"(Version {current}, Ihre Bearbeitung beruht auf Version {expected_version}). "
                "Ihre Änderung wurde nicht gespeichert.",
                hinweis="Laden Sie das Objekt neu, prüfen Sie die neue Fassung und tragen Sie Ihre "
                "Änderung dort erneut ein.",
            )
        changes = {k: v for k, v in values.items() if k != key_col}
        if versioned:  # the trigger wants exactly one more than the stored version
            changes[version_column] = (current or 1) + 1
        names, marks, data = self._values(info, changes, geometry)
        if not names:
            return current + 1 if versioned else 0
        assignments = ", ".join(f"{n} = {m}" for n, m in zip(names, marks, strict=True))
        cursor = self._conn.execute(
            f"UPDATE {self._target(table)} SET {assignments} WHERE {q(key_col)} = %s",
            (*data, gpkg.to_sql(key_value)))
        if cursor.rowcount == 0:
            raise self._refused(table, key_value, "ändern")
        return int(changes.get(version_column, 0)) if versioned else 0

    def delete(self, table: str, key: tuple[str, Any]) -> int:
        """Delete the rows matching ``key``; how many disappeared.

        A deleted derived row of a merged layer gets a removal mark (trigger), so the next
        upload keeps it hidden.
        """
        self._writable(table)
        value = gpkg.to_sql(key[1])
        cursor = self._conn.execute(
            f"DELETE FROM {self._target(table)} WHERE {q(key[0])} = %s", (value,))
        if cursor.rowcount == 0 and self._visible(table, key[0], value):
            raise self._refused(table, key[1], "löschen")
        return int(cursor.rowcount)

    def audit(self, table: str, object_id: str, action: str,
              old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> int:
        """Name the action of the trigger's entry of this change; returns the entry's ``fid``.

        Without such an entry (a summary of an import) a new entry is written with ``old``
        and ``new``; always in the login's own name.
        """
        row = self._conn.execute(
            f"SELECT {GLOBAL_SCHEMA}.protokoll(%s, %s, %s, %s, %s, %s)",
            (self._schema, table, str(object_id), action, gpkg.json_or_none(old),
             gpkg.json_or_none(new))).fetchone()
        return int(row[0])

    def link_undo(self, entry: int, undone: int) -> None:
        """Record that audit entry ``entry`` undid entry ``undone``."""
        self._conn.execute(f"SELECT {GLOBAL_SCHEMA}.rueckgaengig_verknuepfen(%s, %s, %s)",
                           (self._schema, int(entry), int(undone)))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run SQL in the region's schema (``?`` placeholders as with sqlite3)."""
        self._info.clear()
        self._conn.execute(f"SET LOCAL search_path = {q(self._schema)}, public")
        return self._conn.execute(placeholders(sql) if params else sql,
                                  tuple(params) if params else None)
