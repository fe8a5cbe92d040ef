"""Back up, restore and check the user store of a region (one file).

``python -m layers.store.sicherung sichern --region aachen --ziel sicherung.gpkg`` writes a
consistent copy even while the app is running (SQLite's online backup); ``wiederherstellen``
checks a backup, sets the current file aside (never deletes it) and puts the backup in its
place; ``pruefen`` runs the full integrity check of both files.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from layers.errors import SozialraumError, StoreError
from layers.store import sqlite as gpkg
from layers.store.composite import GeoPackageStore
from layers.store.geopackage import SIDECARS, locked, temporary_gpkg
from layers.store.recovery import check_user_store

__all__ = ["backup", "check", "main", "restore"]


def backup(store: GeoPackageStore, target: str | Path) -> Path:
    """Write a consistent one-file copy of the user store (see :meth:`GeoPackageStore.backup`)."""
    return store.backup(target)


def restore(store: GeoPackageStore, source: str | Path) -> Path | None:
    """Replace the user store by a backup; the current file is renamed, never deleted.

    Run it while no app or import uses the region (it takes the store's lock).

    Returns
    -------
    pathlib.Path or None
        Where the previous user store was set aside (``None`` if there was none).

    Raises
    ------
    UserStoreDamagedError
        If the backup is not a readable user store (nothing is changed).
    """
    source = Path(source)
    check_user_store(source, thorough=True)
    aside: Path | None = None
    with locked(store._user_lock, store.user_path), temporary_gpkg(store.user_path) as tmp:
        copy = sqlite3.connect(tmp)
        origin = gpkg.connect(source, mode="ro")
        try:
            origin.backup(copy)
            copy.execute("PRAGMA journal_mode = WAL")
        finally:
            origin.close()
            copy.close()
        if store.user_path.exists():
            conn = gpkg.connect(store.user_path)  # fold a WAL into the file before moving it
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            aside = store.user_path.with_name(
                f"{store.user_path.name}.vor-wiederherstellung-{time.strftime('%Y%m%d-%H%M%S')}")
            os.replace(store.user_path, aside)
            for suffix in SIDECARS:
                stale = Path(str(store.user_path) + suffix)
                if stale.exists():
                    os.replace(stale, Path(str(aside) + suffix))
        os.replace(tmp, store.user_path)
    store.prepare(thorough=True)
    return aside


def check(store: GeoPackageStore) -> list[str]:
    """Full integrity check of both files; German lines, one per file."""
    lines = []
    for label, path in (("Abgeleitete Ebenen", store.path), ("Eigene Daten", store.user_path)):
        if not path.exists():
            lines.append(f"{label}: {path} (noch nicht vorhanden)")
            continue
        conn = gpkg.connect(path, mode="ro")
        try:
            result = "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check(5)"))
        finally:
            conn.close()
        lines.append(f"{label}: {path}: {'in Ordnung' if result == 'ok' else result}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``sichern``, ``wiederherstellen``, ``pruefen`` (exit 2 on errors)."""
    from layers.store import open_store

    parser = argparse.ArgumentParser(prog="python -m layers.store.sicherung",
                                     description="Eigene Daten einer Region sichern.")
    parser.add_argument("aktion", choices=("sichern", "wiederherstellen", "pruefen"))
    parser.add_argument("--region", required=True)
    parser.add_argument("--datei", help="Sicherungsdatei (Ziel oder Quelle)")
    args = parser.parse_args(argv)
    try:
        store = open_store(args.region)
        if not isinstance(store, GeoPackageStore):
            raise StoreError(
                "Im Teambetrieb (PostgreSQL) sichert die IT die Datenbank (pg_dump, siehe README).",
                hinweis="Dieses Werkzeug sichert nur die Nutzerdatei einer GeoPackage-Region.")
        if args.aktion == "pruefen":
            print("\n".join(check(store)))
            return 0
        if not args.datei:
            raise StoreError("Es fehlt die Sicherungsdatei.", hinweis="Geben Sie --datei an.")
        if args.aktion == "sichern":
            print(f"Gesichert: {backup(store, args.datei)}")
        else:
            aside = restore(store, args.datei)
            print(f"Wiederhergestellt: {store.user_path}"
                  + (f" (bisherige Datei: {aside})" if aside else ""))
        return 0
    except SozialraumError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
