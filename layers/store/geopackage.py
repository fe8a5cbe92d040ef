"""One GeoPackage file: reading layers, and replacing the derived store atomically.

The derived store is never written in place. A build (or a test that writes derived layers)
writes a new file next to it and moves it over the old one with ``os.replace``; readers of the
old file keep reading it undisturbed, new readers see the new one, and a crash at any moment
leaves either the old or the new file, never a mixture. Temporary files follow one protocol
(:func:`temporary_gpkg`): their lock is taken *before* the file exists and held until it is
moved or deleted, so :func:`clean_leftovers` can tell a dead writer's file from a live one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from filelock import FileLock, Timeout
from pyproj import CRS

from layers.errors import CRSError, LayerNotFoundError, StoreError
from layers.log import get_logger
from layers.store import sqlite as gpkg
from layers.store.base import LOCK_TIMEOUT_S
from layers.validation import require_crs

__all__ = [
    "SIDECARS",
    "GeoPackageFile",
    "clean_leftovers",
    "fsync_path",
    "locked",
    "remove_sidecars",
    "temporary_gpkg",
    "write_frame",
]

log = get_logger("store")

#: SQLite's companion files of a database (rollback journal, write-ahead log, shared memory).
SIDECARS = ("-journal", "-wal", "-shm")
_TEMP_MARK = ".neu-"


@contextmanager
def locked(lock: FileLock, datei: Path) -> Iterator[None]:
    """Hold a file lock; a German :class:`StoreError` if it is not free within its timeout."""
    try:
        lock.acquire()
    except Timeout as exc:
        raise StoreError(
            "Der Regionsspeicher ist gesperrt, weil gerade jemand anderes schreibt.",
            hinweis="Versuchen Sie es in einer Minute erneut.",
            datei=datei,
        ) from exc
    try:
        yield
    finally:
        lock.release()


def fsync_path(path: Path) -> None:
    """Flush a file (or a directory entry) to disk; ignored where the OS does not support it."""
    with suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_sidecars(path: Path) -> None:
    """Delete the journal, WAL and shared-memory files of a database file."""
    for suffix in SIDECARS:
        with suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()


@contextmanager
def temporary_gpkg(target: Path) -> Iterator[Path]:
    """A temporary GeoPackage name next to ``target``, owned by this process while in use.

    The lock ``<name>.lock`` is taken before the file is created and released after it was
    moved into place or deleted; :func:`clean_leftovers` deletes only files whose lock is free.

    Yields
    ------
    pathlib.Path
        A path that does not exist yet, in the same directory as ``target``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.stem}{_TEMP_MARK}{uuid.uuid4().hex[:12]}.gpkg"
    lock = FileLock(str(tmp) + ".lock", timeout=0)
    lock.acquire()
    try:
        yield tmp
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()
        remove_sidecars(tmp)
        lock.release()
        with suppress(FileNotFoundError):
            Path(str(tmp) + ".lock").unlink()


def clean_leftovers(directory: Path, stem: str) -> list[Path]:
    """Delete temporary files that a killed write left next to a region's stores.

    Parameters
    ----------
    directory
        The folder of the stores.
    stem
        The region's file stem (``aachen`` for ``aachen.gpkg``): temporary files of the derived
        store (``.aachen.neu-….gpkg``), of the user store (``.aachen.nutzer.neu-….gpkg``) and of
        earlier versions (``.aachen.tmp-…``, ``.aachen.build-…``) are considered.

    Returns
    -------
    list of pathlib.Path
        The files deleted.
    """
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for candidate in sorted(directory.glob(f".{stem}.*.gpkg")):
        lock = FileLock(str(candidate) + ".lock", timeout=0)
        try:
            lock.acquire()
        except Timeout:
            continue  # a live writer owns it
        try:
            with suppress(FileNotFoundError):
                candidate.unlink()
                removed.append(candidate)
            remove_sidecars(candidate)
        finally:
            lock.release()
            with suppress(FileNotFoundError):
                Path(str(candidate) + ".lock").unlink()
    for sidecar in directory.glob(f".{stem}.*.gpkg-*"):
        base = Path(str(sidecar).rsplit("-", 1)[0])
        if not base.exists() and not Path(str(base) + ".lock").exists():
            sidecar.unlink(missing_ok=True)
    for orphan in directory.glob(f".{stem}.*.gpkg.lock"):
        if not Path(str(orphan).removesuffix(".lock")).exists():
            lock = FileLock(str(orphan), timeout=0)
            with suppress(Timeout), lock:
                orphan.unlink(missing_ok=True)
    if removed:
        log.warning("Übrig gebliebene temporäre Dateien entfernt: %s",
                    ", ".join(p.name for p in removed))
    return removed


def write_frame(frame: pd.DataFrame, path: Path, name: str) -> None:
    """Write one layer into a GeoPackage with GDAL (a new layer in a new or staging file)."""
    if not isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame)
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is None:
        raise CRSError(f"Die Ebene '{name}' hat kein Koordinatenbezugssystem (CRS).")
    geometry_type = None
    if isinstance(frame, gpd.GeoDataFrame) and len(frame) == 0:
        geometry_type = "Unknown"
    try:
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG",
                                geometry_type=geometry_type, promote_to_multi=False)
    except Exception as exc:
        raise StoreError(
            f"Die Ebene '{name}' konnte nicht geschrieben werden ({exc}).",
            hinweis="Prüfen Sie freien Speicherplatz und Schreibrechte im Cache-Verzeichnis.",
            datei=path,
        ) from exc


class GeoPackageFile:
    """One GeoPackage file (the derived store, or the user store for reading).

    Parameters
    ----------
    path
        The ``.gpkg`` file (it need not exist yet).
    crs
        The region's working CRS.
    """

    def __init__(self, path: str | Path, crs: CRS | str | int) -> None:
        self.path = Path(path)
        self.crs = CRS.from_user_input(crs)
        self.lock = FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT_S)

    def __repr__(self) -> str:
        return f"GeoPackageFile({str(self.path)!r})"

    def exists(self) -> bool:
        """Whether the file exists."""
        return self.path.exists()

    def list_layers(self) -> list[str]:
        """Names of the layers and attribute tables registered in the file."""
        if not self.path.exists():
            return []
        try:
            conn = gpkg.connect(self.path, mode="ro")
            try:
                rows = conn.execute("SELECT table_name FROM gpkg_contents ORDER BY rowid")
                return [str(r[0]) for r in rows]
            finally:
                conn.close()
        except sqlite3.Error:
            return [str(row[0]) for row in pyogrio.list_layers(self.path)]

    def read_layer(
        self,
        name: str,
        *,
        columns: Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        where: str | None = None,
    ) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read one layer with GDAL; see :meth:`layers.store.GeoPackageStore.read_layer`."""
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
        """Replace the given layers in one atomic step (copy, write, ``os.replace``).

        Raises
        ------
        CRSError
            If a spatial layer is not in the region CRS (nothing is written).
        StoreError
            If writing fails or the file is locked for longer than a minute.
        """
        for name, frame in layers.items():
            if isinstance(frame, gpd.GeoDataFrame):
                require_crs(frame, self.crs, name=name)
        with locked(self.lock, self.path), temporary_gpkg(self.path) as tmp:
            if self.path.exists():
                self._copy_consistent(tmp)
            for name, frame in layers.items():
                write_frame(frame, tmp, name)
            self._move_into_place(tmp)

    def replace_with(self, built: Path) -> None:
        """Atomically replace the whole file with a complete GeoPackage in the same folder."""
        with locked(self.lock, self.path):
            self._move_into_place(built)

    def _copy_consistent(self, tmp: Path) -> None:
        """Copy the file with SQLite's backup API (consistent even beside a WAL)."""
        source = gpkg.connect(self.path, mode="ro")
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
            source.close()
        if not tmp.exists():  # pragma: no cover - the backup always creates it
            shutil.copyfile(self.path, tmp)

    def _move_into_place(self, tmp: Path) -> None:
        """Flush ``tmp``, drop the old file's journal/WAL (they belong to the old file) and move."""
        fsync_path(tmp)
        remove_sidecars(self.path)
        os.replace(tmp, self.path)
        fsync_path(self.path.parent)
