"""The region store on GeoPackage files: derived store + user store behind one interface.

``<cache>/regions/<name>.gpkg`` holds the derived layers; a build replaces it as a whole.
``<cache>/regions/<name>.nutzer.gpkg`` holds everything users own; only imports and edits
write it, in place, in SQLite transactions in WAL mode, and no build ever reads or replaces it.
:mod:`layers.schema` says which layer lives where and how the shared layers are merged.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from filelock import FileLock
from pyproj import CRS

from layers import schema
from layers.errors import LayerNotFoundError, StoreError
from layers.log import get_logger
from layers.store import recovery
from layers.store import sqlite as gpkg
from layers.store.base import LOCK_TIMEOUT_S, RegionStore
from layers.store.geopackage import (
    GeoPackageFile,
    clean_leftovers,
    fsync_path,
    locked,
    temporary_gpkg,
)
from layers.store.reader import UserFile
from layers.store.transaction import DERIVED_SCHEMA, Transaction
from layers.validation import require_crs

__all__ = ["USER_SUFFIX", "GeoPackageStore", "user_path_for"]

log = get_logger("store")

USER_SUFFIX = ".nutzer.gpkg"
_PREPARED: set[tuple[str, str]] = set()
_PREPARING = threading.Lock()
_BUILD_IDS: dict[tuple[str, int, int, int], str] = {}


def user_path_for(derived: Path) -> Path:
    """The user store that belongs to a derived store (``aachen.gpkg`` → ``aachen.nutzer.gpkg``)."""
    return derived.with_name(derived.stem + USER_SUFFIX)


def _login_name() -> str:
    """The operating system's user (also without a terminal, e.g. in a service or container)."""
    import getpass

    try:
        return os.getlogin()
    except OSError:
        pass
    try:
        return getpass.getuser()  # LOGNAME, USER, LNAME, USERNAME, then the passwd entry
    except (KeyError, OSError):
        return "unbekannt"


class GeoPackageStore(RegionStore):
    """A region store in two GeoPackage files: derived layers and user data.

    Parameters
    ----------
    path
        The derived store ``<name>.gpkg`` (it need not exist yet).
    crs
        The region's working CRS.
    user
        Name recorded in the audit table for edits made through this store.
    user_path
        The user store (default: ``<name>.nutzer.gpkg`` next to ``path``).
    """

    def __init__(
        self,
        path: str | Path,
        crs: CRS | str | int,
        *,
        user: str | None = None,
        user_path: str | Path | None = None,
    ) -> None:
        self.path = Path(path)
        self.user_path = Path(user_path) if user_path is not None else user_path_for(self.path)
        self.crs = CRS.from_user_input(crs)
        self.user = user or os.environ.get("SOZIALRAUM_USER") or _login_name()
        self.derived = GeoPackageFile(self.path, self.crs)
        self.own = UserFile(self.user_path, self.crs)
        self._user_lock = FileLock(str(self.user_path) + ".lock", timeout=LOCK_TIMEOUT_S)
        self._srs_id = self.crs.to_epsg() or 0

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r}, user_path={str(self.user_path)!r})"

    # ---- opening ----------------------------------------------------------------------------

    def prepare(self, *, thorough: bool = False) -> None:
        """Recover and check both files once per process (every build checks again).

        Removes temporary files of killed writers, rolls back a stale journal of the derived
        store, checks that the user store is readable (:class:`UserStoreDamagedError`
        otherwise, without touching it) and migrates users' rows out of a store from before
        the split.

        Parameters
        ----------
        thorough
            Check again even if this process did already, with a full integrity check.
        """
        key = (str(self.path.resolve()), str(self.user_path.resolve()))
        with _PREPARING:
            if key in _PREPARED and not thorough:
                return
            clean_leftovers(self.path.parent, self.path.stem)
            if self.user_path.parent != self.path.parent:
                clean_leftovers(self.user_path.parent, self.user_path.stem)
            if Path(str(self.path) + "-journal").exists():
                with locked(self.derived.lock, self.path):
                    recovery.recover_journal(self.path)
            with locked(self._user_lock, self.user_path):
                recovery.set_aside_orphans(self.user_path)
                if self.user_path.exists():
                    recovery.check_user_store(self.user_path, thorough=thorough)
                self._migrate()
            _PREPARED.add(key)

    def _ready(self) -> None:
        key = (str(self.path.resolve()), str(self.user_path.resolve()))
        if key not in _PREPARED:
            self.prepare()

    def _migrate(self) -> None:
        """Move users' rows out of an old single-file store, once (caller holds the lock)."""
        if self.user_path.exists() and self._state(recovery.MIGRATION_KEY) is not None:
            return
        found = recovery.legacy_rows(self.path)
        if not found:
            return
        self._create_user_store()
        with self._transaction() as tx:
            recovery.migrate_legacy(tx, found)

    def _create_user_store(self) -> None:
        """Create the empty user store (temporary file, then moved into place)."""
        if self.user_path.exists():
            return
        with temporary_gpkg(self.user_path) as tmp:
            gpkg.create_geopackage(tmp, self.crs)
            conn = gpkg.connect(tmp)
            try:
                conn.execute(f'CREATE TABLE "{recovery.STATE_TABLE}" '
                             "(schluessel TEXT PRIMARY KEY, wert TEXT)")
                conn.executemany(
                    f'INSERT INTO "{recovery.STATE_TABLE}" VALUES (?, ?)',
                    [("zaehler", "0"), ("kennung", uuid.uuid4().hex), ("format", "1")],
                )
            finally:
                conn.close()
            if self.user_path.exists():
                return
            fsync_path(tmp)
            os.replace(tmp, self.user_path)
            fsync_path(self.user_path.parent)
        log.info("Nutzerdatei angelegt: %s", self.user_path)

    def _state(self, key: str) -> str | None:
        return self._states(key).get(key)

    def _states(self, *keys: str) -> dict[str, str]:
        """Values of the user store's state table (write counter, write id, migration)."""
        try:
            conn = gpkg.connect_reader(self.user_path)
        except sqlite3.Error:
            return {}
        try:
            if not gpkg.table_exists(conn, recovery.STATE_TABLE):
                return {}
            marks = ", ".join("?" for _ in keys)
            rows = conn.execute(f'SELECT schluessel, wert FROM "{recovery.STATE_TABLE}" '
                                f"WHERE schluessel IN ({marks})", keys)
            return {str(k): str(v) for k, v in rows}
        except sqlite3.Error:
            return {}
        finally:
            conn.close()

    # ---- reading ----------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether the region has been built (the derived store exists)."""
        return self.path.exists()

    def list_layers(self) -> list[str]:
        """Layers of the derived store, then those only the user store has."""
        self._ready()
        derived = self.derived.list_layers()
        return derived + [n for n in self.own.list_layers() if n not in derived]

    def has_layer(self, name: str) -> bool:
        """Whether a layer of that name exists in either store."""
        return name in self.list_layers()

    def read_layer(
        self,
        name: str,
        *,
        columns: Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        where: str | None = None,
    ) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read one layer; ``angebote``, ``barrieren`` and ``planungsraeume`` as merged view.

        Parameters
        ----------
        name
            Layer name (German, stable: users open the files in QGIS).
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
        self._ready()
        filters: dict[str, Any] = {"columns": columns, "bbox": bbox, "where": where}
        if schema.owner(name) == schema.DERIVED or not self.user_path.exists():
            return self._read(name, filters, None)
        with self.own.connection() as conn:
            return self._read(name, filters, conn)

    def _read(self, name: str, filters: dict[str, Any], conn: sqlite3.Connection | None
              ) -> gpd.GeoDataFrame | pd.DataFrame:
        """Route a read; ``conn`` reads the user store (``None``: it does not exist yet)."""
        own = schema.owner(name)
        if own == schema.DERIVED:
            return self.derived.read_layer(name, **filters)
        in_user = conn is not None and name in self.own.list_layers(conn)
        if own == schema.USER:
            if in_user:
                return self.own.read_layer(name, conn=conn, **filters)
            if schema.spec(name) is None and not schema.is_user_owned(name):
                return self.derived.read_layer(name, **filters)
            if not self.exists():
                return self.derived.read_layer(name, **filters)  # "not built yet"
            raise LayerNotFoundError(
                f"Die Ebene '{name}' fehlt im Regionsspeicher.",
                hinweis="Sie entsteht mit dem ersten Import oder der ersten Bearbeitung.",
                datei=self.user_path,
            )
        return self._read_merged(name, conn if in_user else None, filters)

    def _read_merged(self, name: str, conn: sqlite3.Connection | None, filters: dict[str, Any]
                     ) -> gpd.GeoDataFrame | pd.DataFrame:
        layer = schema.LAYERS[name]
        requested = filters["columns"]
        if requested is not None and layer.key and layer.key not in requested:
            filters = {**filters, "columns": [*requested, layer.key]}
        in_derived = name in self.derived.list_layers()
        if conn is not None and in_derived:
            derived = self.derived.read_layer(name, **filters)
            user = self.own.read_layer(name, conn=conn, **filters)
            every = user
            if filters["bbox"] is not None or filters["where"] is not None:
                every = self.own.read_layer(name, columns=[layer.key] if layer.key else [],
                                            conn=conn)
            keys = list(every[layer.key]) if layer.key and layer.key in every.columns else []
            merged = schema.merge_layer(layer, derived, user, user_keys=keys,
                                        user_rows=len(every),
                                        removed_keys=self._removed(name, conn))
        elif conn is not None:
            merged = self.own.read_layer(name, conn=conn, **filters)
        else:
            merged = self.derived.read_layer(name, **filters)
        if requested is not None:
            keep = [c for c in merged.columns
                    if c in requested or (isinstance(merged, gpd.GeoDataFrame)
                                          and c == merged.geometry.name)]
            merged = merged[keep]
        return merged

    @staticmethod
    def _removed(name: str, conn: sqlite3.Connection) -> list[str]:
        """Keys of derived rows of a merged layer that users deleted."""
        if not gpkg.table_exists(conn, schema.REMOVED_TABLE):
            return []
        rows = conn.execute(
            f'SELECT schluessel FROM "{schema.REMOVED_TABLE}" WHERE tabelle = ?', (name,))
        return [str(r[0]) for r in rows]

    def version_token(self) -> str:
        """Build id (and file identity) of the derived store + write id of the user store.

        Every write transaction on the user store writes a new random id and counter value
        inside the transaction, so the token changes exactly with committed writes (file
        times are unreliable in WAL mode); the derived store changes only by being replaced.
        """
        parts = []
        if self.path.exists():
            stat = self.path.stat()
            identity = (str(self.path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
            build = _BUILD_IDS.get(identity)
            if build is None:  # the derived file changes only by being replaced: read it once
                build = _BUILD_IDS[identity] = self._build_id()
            parts.append(f"{build}-{stat.st_ino}-{stat.st_mtime_ns}-{stat.st_size}")
        else:
            parts.append("leer")
        if self.user_path.exists():
            state = self._states("zaehler", "kennung")
            parts.append(f"{state.get('zaehler')}-{state.get('kennung')}")
        else:
            parts.append("keine-nutzerdaten")
        return "|".join(parts)

    def _build_id(self) -> str:
        try:
            conn = gpkg.connect(self.path, mode="ro")
        except sqlite3.Error:
            return "?"
        try:
            if not gpkg.table_exists(conn, schema.META_TABLE):
                return "-"
            row = conn.execute(f'SELECT wert FROM "{schema.META_TABLE}" WHERE schluessel = ?',
                               ("build_id",)).fetchone()
            return "-" if row is None else str(row[0])
        except sqlite3.Error:
            return "?"
        finally:
            conn.close()

    def user_summary(self) -> dict[str, int]:
        """Rows per table of the user store (empty if there is none yet)."""
        if not self.user_path.exists():
            return {}
        conn = gpkg.connect_reader(self.user_path)
        try:
            names = [str(r[0]) for r in conn.execute("SELECT table_name FROM gpkg_contents")]
            return {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0])
                    for n in names}
        finally:
            conn.close()

    # ---- writing ----------------------------------------------------------------------------

    def write_layers(self, layers: Mapping[str, pd.DataFrame]) -> None:
        """Replace layers, routed by name: derived ones in the derived store, the rest in the
        user store (one transaction; for merged layers the user part).

        Each store is changed atomically (all of its layers or none); the CRS of every layer
        is checked before anything is written.

        Raises
        ------
        CRSError
            If a spatial layer is not in the region CRS (nothing is written).
        StoreError
            If writing fails or a store is locked for longer than a minute.
        """
        for name, frame in layers.items():
            if isinstance(frame, gpd.GeoDataFrame):
                require_crs(frame, self.crs, name=name)
        derived = {k: v for k, v in layers.items() if schema.owner(k) == schema.DERIVED}
        users = {k: v for k, v in layers.items() if k not in derived}
        if users:
            self._ready()
            with locked(self._user_lock, self.user_path):
                self._create_user_store()
            with self._transaction() as tx:
                for name, frame in users.items():
                    tx.replace_table(name, frame)
        if derived:
            self.derived.write_layers(derived)

    def replace_with(self, built: Path) -> None:
        """Atomically replace the derived store with a freshly built GeoPackage."""
        self.derived.replace_with(built)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Open a write transaction on the user store (``BEGIN IMMEDIATE`` before any read).

        Yields
        ------
        Transaction
            Committed when the block ends normally, rolled back on any exception.

        Raises
        ------
        LayerNotFoundError
            If the region has not been built.
        StoreError
            If another writer holds the store for longer than a minute.
        """
        if not self.path.exists():
            raise LayerNotFoundError(
                f"Der Regionsspeicher {self.path.name} existiert noch nicht.",
                hinweis="Bauen Sie die Region zuerst: sozialraum build --region <name>.",
                datei=self.path,
            )
        self._ready()
        if not self.user_path.exists():
            with locked(self._user_lock, self.user_path):
                self._create_user_store()
        with self._transaction() as tx:
            yield tx

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        conn = gpkg.connect(self.user_path, mode="rw", timeout=LOCK_TIMEOUT_S)
        try:
            conn.execute("PRAGMA synchronous = FULL")
            if self.path.exists():
                conn.execute(f"ATTACH DATABASE ? AS {DERIVED_SCHEMA}", (gpkg.uri(self.path, "ro"),))
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(
                    "Die Nutzerdaten sind gesperrt, weil gerade jemand anderes schreibt.",
                    hinweis="Versuchen Sie es in einer Minute erneut.",
                    datei=self.user_path,
                ) from exc
            start = conn.total_changes
            try:
                yield Transaction(conn, self._srs_id, self.user, reader=self._reader(conn))
                if conn.total_changes != start:
                    self._bump(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _reader(self, conn: sqlite3.Connection) -> Any:
        """``read_layer`` on a transaction's connection (it sees the transaction's writes)."""

        def read(name: str, *, columns: Sequence[str] | None = None,
                 bbox: tuple[float, float, float, float] | None = None,
                 where: str | None = None) -> gpd.GeoDataFrame | pd.DataFrame:
            return self._read(name, {"columns": columns, "bbox": bbox, "where": where}, conn)

        return read

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        """Record a new write id inside the transaction (what :meth:`version_token` reads).

        Works on any GeoPackage put in place as user store (the state table is created if a
        file lacks it), so the token can never stay the same across a committed write.
        """
        table = recovery.STATE_TABLE
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (schluessel TEXT PRIMARY KEY, '
                     "wert TEXT)")
        row = conn.execute(f'SELECT wert FROM "{table}" WHERE schluessel = ?',
                           ("zaehler",)).fetchone()
        counter = int(row[0]) + 1 if row and str(row[0]).isdigit() else 1
        conn.executemany(f'INSERT OR REPLACE INTO "{table}" (schluessel, wert) VALUES (?, ?)',
                         [("zaehler", str(counter)), ("kennung", uuid.uuid4().hex)])

    def backup(self, target: str | Path) -> Path:
        """Copy the user store into one consistent file (SQLite's online backup).

        Parameters
        ----------
        target
            The backup file (overwritten if it exists).

        Returns
        -------
        pathlib.Path
        """
        self._ready()
        target = Path(target)
        if not self.user_path.exists():
            raise LayerNotFoundError(
                "Es gibt noch keine eigenen Daten zu sichern.",
                hinweis="Die Nutzerdatei entsteht mit dem ersten Import oder der ersten "
                "Bearbeitung.",
                datei=self.user_path,
            )
        source = gpkg.connect_reader(self.user_path)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
            source.close()
        return target
