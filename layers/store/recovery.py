"""Recovery on open: stale journals, damaged user stores, and the one-time migration.

* A process killed while writing a GeoPackage in rollback-journal mode leaves a *hot journal*;
  read-only readers then fail ("attempt to write a readonly database") until a read-write
  connection rolls it back. :func:`recover_journal` does that once on open.
* A user store that SQLite cannot read or whose integrity check fails stops everything with
  :class:`~layers.errors.UserStoreDamagedError` (German, naming the file and what to do); the
  file is never written, moved or replaced by the program.
* A store from before the split kept users' rows in the one region file. :func:`legacy_rows`
  finds them (the rules the old build used to carry data over) and :func:`migrate_legacy`
  copies them into the user store in one transaction, exactly once (a marker in the user
  store records it).
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from layers import schema
from layers.errors import UserStoreDamagedError
from layers.log import get_logger
from layers.store import sqlite as gpkg
from layers.store.geopackage import SIDECARS
from layers.store.transaction import DERIVED_SCHEMA, Transaction, quote

__all__ = [
    "MIGRATION_KEY",
    "adopt_derived",
    "STATE_TABLE",
    "check_user_store",
    "legacy_rows",
    "migrate_legacy",
    "recover_journal",
    "set_aside_orphans",
]

log = get_logger("store")

#: Key/value table of the user store: write counter, last write id, migration marker.
STATE_TABLE = "_nutzerspeicher"
MIGRATION_KEY = "altbestand_uebernommen"


def recover_journal(path: Path, timeout: float = 60.0) -> bool:
    """Roll back a hot rollback journal left by a killed writer; whether there was one.

    Opening the file read-write and reading its schema is what makes SQLite roll the journal
    back (only if no live process holds a lock on the file; a live writer is waited for).
    """
    journal = Path(str(path) + "-journal")
    if not path.exists() or not journal.exists():
        return False
    conn = gpkg.connect(path, mode="rw", timeout=timeout)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()
    log.warning("Unterbrochenen Schreibvorgang in %s zurückgerollt.", path.name)
    return True


def _damaged(path: Path, detail: str) -> UserStoreDamagedError:
    return UserStoreDamagedError(
        f"Die Datei mit Ihren eigenen Daten (Importe, Bearbeitungen, Planungsräume, "
        f"Barrieremeldungen, Szenarien, Änderungsprotokoll) ist nicht lesbar: {detail}. "
        "Es wurde nichts gespeichert und nichts überschrieben; auch ein Neubau der Region "
        "bricht ab, bis das behoben ist.",
        hinweis=(
            "Schließen Sie Programme, die die Datei geöffnet haben (z. B. QGIS), und versuchen "
            "Sie es erneut. Ist die Datei beschädigt: benennen Sie sie um (nicht löschen; "
            f"sqlite3 '{path.name}' '.recover' rettet oft noch fast alles), legen Sie Ihre "
            "letzte Sicherung unter dem Namen "
            f"'{path.name}' in den Ordner '{path.parent}' und starten Sie neu. Ohne Sicherung "
            "beginnt nach dem Umbenennen eine leere Nutzerdatei."
        ),
        datei=path,
    )


def check_user_store(path: Path, *, thorough: bool = False, timeout: float = 60.0) -> None:
    """Raise :class:`UserStoreDamagedError` unless the user store is a readable GeoPackage.

    Parameters
    ----------
    path
        The user store (must exist).
    thorough
        Run ``PRAGMA integrity_check`` (every page; builds do this) instead of
        ``PRAGMA quick_check``.
    timeout
        Seconds to wait for a writer.
    """
    try:
        conn = gpkg.connect(path, mode="rw", timeout=timeout)
    except sqlite3.Error as exc:
        raise _damaged(path, f"SQLite kann sie nicht öffnen ({exc})") from exc
    try:
        header = conn.execute("PRAGMA application_id").fetchone()[0]
        if header != gpkg.GPKG_APPLICATION_ID:
            raise _damaged(path, "sie ist kein GeoPackage")
        if not gpkg.table_exists(conn, "gpkg_contents"):
            raise _damaged(path, "die GeoPackage-Tabelle gpkg_contents fehlt")
        pragma = "integrity_check" if thorough else "quick_check"
        result = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}(5)")]
        if result != ["ok"]:
            raise _damaged(path, "die Integritätsprüfung meldet " + "; ".join(result))
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise
        raise _damaged(path, f"SQLite meldet '{exc}'") from exc
    finally:
        conn.close()


def set_aside_orphans(path: Path) -> list[Path]:
    """Rename journal/WAL files whose database file is missing (never delete users' bytes)."""
    moved: list[Path] = []
    if path.exists():
        return moved
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix in SIDECARS:
        orphan = Path(str(path) + suffix)
        if orphan.exists():
            target = orphan.with_name(f"{orphan.name}.verwaist-{stamp}")
            orphan.rename(target)
            moved.append(target)
    if moved:
        log.warning("Verwaiste Journaldateien ohne Datenbank beiseitegelegt: %s",
                    ", ".join(p.name for p in moved))
    return moved


def legacy_rows(derived: Path) -> dict[str, str]:
    """Users' rows in a store from before the split (the old build's carry-over rules).

    Returns
    -------
    dict
        Table → SQL condition selecting the users' rows (``""`` = all rows); empty if there
        are none or the file carries the new format's marker.
    """
    if not derived.exists():
        return {}
    conn = gpkg.connect(derived, mode="ro")
    try:
        if not gpkg.table_exists(conn, "gpkg_contents"):
            return {}
        tables = [str(r[0]) for r in conn.execute("SELECT table_name FROM gpkg_contents")]
        if schema.META_TABLE in tables and conn.execute(
            f'SELECT 1 FROM "{schema.META_TABLE}" WHERE schluessel = ? AND wert = ?',
            ("speicher", "getrennt"),
        ).fetchone():
            return {}
        found: dict[str, str] = {}
        for table in tables:
            condition = _legacy_condition(conn, table)
            if condition is None:
                continue
            where = f" WHERE {condition}" if condition else ""
            if conn.execute(f'SELECT 1 FROM "{table}"{where} LIMIT 1').fetchone():
                found[table] = condition
        return found
    finally:
        conn.close()


def _legacy_condition(conn: sqlite3.Connection, table: str) -> str | None:
    """The condition for users' rows of one table of an old store, or ``None`` for none."""
    columns = gpkg.table_columns(conn, table)
    if schema.is_user_owned(table):
        return ""
    if table == "angebote" and {"quelle", "version"} <= set(columns):
        return "quelle IN ('import', 'manuell') OR CAST(version AS INTEGER) > 1"
    if table == "barrieren" and "quelle" in columns:
        return "quelle IS NULL OR quelle <> 'synthetisch'"
    if table == "planungsraeume":
        if "quelle" not in columns:
            return ""
        first = conn.execute('SELECT quelle FROM "planungsraeume" ORDER BY fid LIMIT 1').fetchone()
        if first is not None and not str(first[0]).startswith("generiert"):
            return ""
    return None


def adopt_derived(tx: Transaction, table: str, condition: str = "", *, keep_fid: bool = False
                  ) -> int:
    """Copy rows of a derived-store table into the user store (inside ``tx``; the migration).

    Parameters
    ----------
    table
        The table (created in the user store with the derived table's columns if missing).
    condition
        SQL condition selecting the rows (``""`` = all).
    keep_fid
        Keep the rows' ``fid`` (for the audit table, whose undo entries refer to ids) if
        the user table is still empty.

    Returns
    -------
    int
        Rows copied. For merged layers, keys the user store already has are skipped.
    """
    if not tx._exists(table, DERIVED_SCHEMA):
        return 0
    own = schema.owner(table)
    derived_geom = gpkg.geometry_column(tx._conn, table, DERIVED_SCHEMA)
    if own == schema.MERGED:
        tx._ensure_merged(table)
    elif not tx._exists(table):
        info = tx._conn.execute(f"PRAGMA {DERIVED_SCHEMA}.table_info({quote(table)})")
        columns = {str(r[1]): str(r[2] or "TEXT") for r in info
                   if r[1] not in ("fid", derived_geom)}
        kind = tx._conn.execute(
            f"SELECT geometry_type_name FROM {DERIVED_SCHEMA}.gpkg_geometry_columns "
            "WHERE table_name = ?", (table,)).fetchone() if derived_geom else None
        gpkg.create_table(tx._conn, table, columns,
                          geometry_type=str(kind[0]) if kind else None, srs_id=tx._srs_id)
        tx._forget(table)
    user_geom = gpkg.geometry_column(tx._conn, table)
    main_columns = tx._columns(table)
    empty = tx._conn.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1").fetchone() is None
    pairs = [(c, c) for c in gpkg.table_columns(tx._conn, table, DERIVED_SCHEMA)
             if c in main_columns and c != derived_geom and (c != "fid" or keep_fid and empty)]
    if derived_geom and user_geom:
        pairs.append((derived_geom, user_geom))
    conditions = [f"({condition})"] if condition else []
    layer = schema.LAYERS.get(table)
    if own == schema.MERGED and layer is not None and layer.key:
        key = quote(layer.key)
        conditions.append(f"{key} NOT IN (SELECT {key} FROM main.{quote(table)} "
                          f"WHERE {key} IS NOT NULL)")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    cursor = tx._conn.execute(
        f"INSERT INTO main.{quote(table)} ({', '.join(quote(t) for _, t in pairs)}) "
        f"SELECT {', '.join(quote(s) for s, _ in pairs)} FROM {DERIVED_SCHEMA}.{quote(table)}"
        f"{where}"
    )
    return max(cursor.rowcount, 0)



def migrate_legacy(tx: Transaction, found: dict[str, str]) -> dict[str, int]:
    """Copy an old store's users' rows into the user store (inside ``tx``) and mark it done.

    Rows whose key the user store already has are kept as they are in the user store; audit
    entries keep their ids (undo entries refer to them).

    Returns
    -------
    dict
        Table → rows copied.
    """
    copied: dict[str, int] = {}
    for table, condition in found.items():
        copied[table] = adopt_derived(tx, table, condition, keep_fid=schema.is_user_owned(table))
    tx.execute(f'CREATE TABLE IF NOT EXISTS "{STATE_TABLE}" (schluessel TEXT PRIMARY KEY, '
               "wert TEXT)")
    tx.execute(
        f'INSERT OR REPLACE INTO "{STATE_TABLE}" (schluessel, wert) VALUES (?, ?)',
        (MIGRATION_KEY, datetime.now(UTC).isoformat(timespec="seconds") + " "
         + ", ".join(f"{k}={v}" for k, v in copied.items())),
    )
    if copied:
        log.warning("Eigene Daten aus dem bisherigen Regionsspeicher in die Nutzerdatei "
                    "übernommen: %s", ", ".join(f"{k} ({v})" for k, v in copied.items()))
    return copied

