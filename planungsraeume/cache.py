"""The one result cache of Sozialraum-Atlas: every answer is computed once per region version.

Everything the app, the command line and the Steckbrief ask a region goes through
:meth:`ResultCache.get_or_compute`, keyed by the kind of answer, the region's identity (its name,
the versions of its stores and the day, because offers become active or retired by date) and
every argument of the question. There is no other result cache in the project: ``analyses/``
computes and forgets, and the app's pages call the cached functions of ``planungsraeume`` instead
of caching again.

Frames are kept in memory (LRU) and, where the kind allows it, as Parquet (GeoParquet for layers)
with a JSON sidecar for ``attrs`` under ``<cache>/analysen/``, so that a restarted app answers
at once. Callers get a copy of a frame, so changing it never changes the cache. Other objects
(graphs, publications, comparison results) are kept in memory only and shared: treat them as
read-only. One kind may ask for an explicit ``pickled=True``: its non-frame answer is also
written as a pickle beside the Parquet files (used only for the app's prepared map layers,
which cost seconds to rebuild after a restart and are not frames; the cache directory is the
user's own, so reading its pickles is as safe as reading its Parquet files). Large artefacts
that are expensive to rebuild (the network graph of a profile) are written by their owner into
:meth:`ResultCache.artefact_path`.

:func:`cached` turns a function ``f(region, …)`` into a cached one; its key is built from the
bound arguments (a :class:`~planungsraeume.frage.Question` by its :meth:`key`, frames by a hash
of their content, a ``progress`` callback not at all).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import inspect
import json
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, ParamSpec, Protocol, TypeVar

import geopandas as gpd
import pandas as pd

from layers import settings
from layers.log import get_logger

__all__ = [
    "ANALYSIS_VERSION",
    "ResultCache",
    "cache_key",
    "cached",
    "code_fingerprint",
    "fingerprint_of",
    "key_value",
    "results",
]

log = get_logger("cache")

# Bump when the format of the cached files changes; code changes are caught by code_fingerprint().
ANALYSIS_VERSION = 2
MEMORY_SIZE = 160
#: Arguments that never change an answer (how progress is shown).
UNKEYED_ARGUMENTS = frozenset({"progress"})

P = ParamSpec("P")
R = TypeVar("R")


#: Files of the disk cache not used for this many days are removed (once per process).
UNUSED_DAYS = 14


class Keyed(Protocol):
    """Anything with a cache identity (a :class:`~planungsraeume.region.Region`)."""

    def identity(self) -> dict[str, str]:
        """Name, store versions and day."""
        ...


def key_value(value: Any, *, daily: bool = True) -> Any:
    """A JSON-friendly stand-in for one argument of a cached function.

    Questions and regions give their keys (a region without the day where ``daily`` is false:
    for answers that do not depend on which offers are active today); frames a hash of their
    content (geometry as WKB); dataclasses their fields; sets and tuples sorted/listed;
    everything else ``str``.
    """
    if hasattr(value, "key") and callable(value.key):
        return ["frage", *value.key()]
    if hasattr(value, "identity") and callable(value.identity):
        identity = dict(value.identity())
        if not daily:
            identity.pop("tag", None)
        return identity
    if isinstance(value, pd.DataFrame):
        return ["tabelle", _frame_hash(value)]
    if isinstance(value, pd.Series):
        return ["reihe", _frame_hash(value.to_frame())]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, key_value(dataclasses.asdict(value))]
    if isinstance(value, Mapping):
        return {str(k): key_value(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [key_value(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _frame_hash(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    plain = pd.DataFrame(frame).copy()
    if isinstance(frame, gpd.GeoDataFrame):
        for column in frame.columns:
            if isinstance(frame[column].dtype, gpd.array.GeometryDtype):
                plain[column] = frame[column].to_wkb(hex=True)
        digest.update(str(frame.crs).encode())
    digest.update(",".join(map(str, plain.columns)).encode())
    digest.update(pd.util.hash_pandas_object(plain.astype(str), index=True).to_numpy().tobytes())
    return digest.hexdigest()[:24]


#: The code and configuration every cached answer is computed by (relative to the project root).
FINGERPRINTED = ("analyses", "layers", "planungsraeume", "data")
FINGERPRINT_SUFFIXES = frozenset({".py", ".toml"})


@functools.cache
def code_fingerprint() -> str:
    """Hash of the source code and configuration files answers are computed by.

    Part of every key, so that a cached answer never outlives the code that computed it: after
    an update (or a developer's edit) of an analysis, of a build step or of a region file, the
    old files are simply no longer found (and pruned after :data:`UNUSED_DAYS`). Hashing the
    whole of these packages instead of one function's module is deliberate: an answer depends
    on everything its function calls, and a per-function version number is exactly the kind of
    second copy that is forgotten. Computed once per process (a few milliseconds).
    """
    return fingerprint_of(Path(__file__).resolve().parent.parent)


def fingerprint_of(root: Path) -> str:
    """Hash of the fingerprinted packages' ``.py`` and ``.toml`` files below ``root``."""
    digest = hashlib.sha256()
    for package in FINGERPRINTED:
        files = sorted(
            path
            for path in (root / package).rglob("*")
            if path.suffix in FINGERPRINT_SUFFIXES and "__pycache__" not in path.parts
        )
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(kind: str, inputs: Mapping[str, Any]) -> str:
    """Hash of an answer's kind, its inputs (JSON, sorted keys) and the code that computes it."""
    text = json.dumps(
        {"art": kind, "eingaben": inputs, "version": ANALYSIS_VERSION, "code": code_fingerprint()},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class ResultCache:
    """In-memory LRU for every answer, plus Parquet files for frames.

    Parameters
    ----------
    directory
        Where result files go (default ``<cache>/analysen``).
    disk
        Whether to read and write files at all.
    memory_size
        How many answers to hold in memory.
    """

    def __init__(
        self, directory: Path | None = None, *, disk: bool = True, memory_size: int = MEMORY_SIZE
    ) -> None:
        self.directory = directory
        self.disk = disk
        self.memory_size = memory_size
        self._memory: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[str, threading.Lock] = {}
        self.hits = 0
        self.misses = 0
        self._pruned = False

    def _dir(self) -> Path:
        return self.directory or settings.cache_dir / "analysen"

    def artefact_path(self, kind: str, inputs: Mapping[str, Any], suffix: str) -> Path:
        """Where an owner keeps a large artefact of these inputs (e.g. a graph as ``.npz``)."""
        return settings.cache_dir / kind / f"{cache_key(kind, inputs)}{suffix}"

    def clear_memory(self) -> None:
        """Forget the answers held in memory (files stay)."""
        with self._lock:
            self._memory.clear()

    def get_or_compute(
        self,
        kind: str,
        inputs: Mapping[str, Any],
        compute: Callable[[], R],
        *,
        disk: bool = True,
        pickled: bool = False,
    ) -> R:
        """The cached answer for these inputs, computing and storing it if unknown.

        Parameters
        ----------
        kind
            Name of the answer (part of the key and of the file name).
        inputs
            Everything the answer depends on (JSON-serialisable).
        compute
            Called without arguments when the answer is not cached. Concurrent callers with
            the same key wait for the first one instead of computing it twice.
        disk
            Whether frames of this kind may be written to and read from disk.
        pickled
            Whether a non-frame answer of this kind may be written to and read from disk as a
            pickle (only for answers that are expensive to rebuild and not frames).

        Returns
        -------
        object
            A copy of a cached frame, or the shared cached object.
        """
        key = f"{kind}-{cache_key(kind, inputs)}"
        found, value = self._lookup(key)
        if found:
            return value
        with self._lock:
            guard = self._computing.setdefault(key, threading.Lock())
        with guard:
            found, value = self._lookup(key)
            if found:
                return value
            use_disk = self.disk and disk
            stored: Any = self._read(key, pickled) if use_disk else None
            if stored is None:
                self.misses += 1
                stored = compute()
                if use_disk and isinstance(stored, pd.DataFrame):
                    self._write(key, stored)
                elif use_disk and pickled:
                    self._write_pickle(key, stored)
            else:
                self.hits += 1
            with self._lock:
                self._memory[key] = stored
                while len(self._memory) > self.memory_size:
                    self._memory.popitem(last=False)
                self._computing.pop(key, None)
        return stored.copy() if isinstance(stored, pd.DataFrame) else stored  # type: ignore[return-value]

    def _lookup(self, key: str) -> tuple[bool, Any]:
        with self._lock:
            if key not in self._memory:
                return False, None
            self._memory.move_to_end(key)
            self.hits += 1
            value = self._memory[key]
        return True, value.copy() if isinstance(value, pd.DataFrame) else value

    def _paths(self, key: str) -> tuple[Path, Path]:
        directory = self._dir()
        return directory / f"{key}.parquet", directory / f"{key}.json"

    def prune(self, days: float = UNUSED_DAYS) -> int:
        """Remove result files not used for ``days`` days; returns how many were removed.

        A file's modification time is its last use (reads touch it), so what the app still
        asks for stays; answers for old store versions or past days age out.
        """
        directory = self._dir()
        if not directory.is_dir():
            return 0
        limit = time.time() - days * 86_400
        removed = 0
        for path in directory.iterdir():
            with contextlib.suppress(OSError):
                if path.is_file() and path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
        return removed

    def _touch(self, *paths: Path) -> None:
        """Mark files as used now (for :meth:`prune`)."""
        for path in paths:
            with contextlib.suppress(OSError):
                os.utime(path)

    def _read(self, key: str, pickled: bool = False) -> Any:
        if not self._pruned:
            self._pruned = True
            self.prune()
        if pickled:
            found = self._read_pickle(key)
            if found is not None:
                return found
        data_path, meta_path = self._paths(key)
        if not data_path.exists() or not meta_path.exists():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("geo"):
                frame: pd.DataFrame = gpd.read_parquet(data_path)
            else:
                frame = pd.read_parquet(data_path)
            frame.attrs = dict(meta.get("attrs", {}))
            self._touch(data_path, meta_path)
            return frame
        except (OSError, ValueError, KeyError) as exc:  # damaged cache files are recomputed
            log.warning("Ergebnis-Cache %s unlesbar (%s); rechne neu.", data_path.name, exc)
            return None

    def _write(self, key: str, frame: pd.DataFrame) -> None:
        data_path, meta_path = self._paths(key)
        suffix = f".{os.getpid()}.{threading.get_ident()}.tmp"
        tmp_data = data_path.with_name(data_path.name + suffix)
        tmp_meta = meta_path.with_name(meta_path.name + suffix)
        try:
            data_path.parent.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(tmp_data)
            meta = {
                "geo": isinstance(frame, gpd.GeoDataFrame),
                "attrs": json.loads(json.dumps(frame.attrs, default=str)),
            }
            tmp_meta.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            tmp_data.replace(data_path)
            tmp_meta.replace(meta_path)
        except (OSError, ValueError, TypeError) as exc:  # the cache is an optimisation only
            log.warning("Ergebnis-Cache %s nicht schreibbar (%s).", data_path.name, exc)
            tmp_data.unlink(missing_ok=True)
            tmp_meta.unlink(missing_ok=True)

    def _pickle_path(self, key: str) -> Path:
        return self._dir() / f"{key}.pickle"

    def _read_pickle(self, key: str) -> Any:
        path = self._pickle_path(key)
        if not path.exists():
            return None
        try:
            with path.open("rb") as handle:
                value = pickle.load(handle)
            self._touch(path)
            return value
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
                TypeError, ValueError) as exc:  # damaged or outdated: recomputed
            log.warning("Ergebnis-Cache %s unlesbar (%s); rechne neu.", path.name, exc)
            return None

    def _write_pickle(self, key: str, value: Any) -> None:
        path = self._pickle_path(key)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:  # optimisation only
            log.warning("Ergebnis-Cache %s nicht schreibbar (%s).", path.name, exc)
            tmp.unlink(missing_ok=True)


#: The cache of the whole process (app server, command, test session).
results = ResultCache()


def cached(
    kind: str, *, disk: bool = True, pickled: bool = False, daily: bool = True
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Cache a function whose first argument is a region, keyed by every bound argument.

    Parameters
    ----------
    kind
        Name of the answer (unique per function).
    disk
        Whether a frame answer may be kept on disk as well.
    pickled
        Whether a non-frame answer may be kept on disk as a pickle (explicit opt-in; only the
        app's prepared map layers use it).
    daily
        Whether the answer depends on the day (which offers are active): then a new day gives
        a new answer; answers about layers, the network or the population keep across days.

    Examples
    --------
    >>> @cached("reisezeiten")                       # doctest: +SKIP
    ... def travel_times(region: Region, frage: Question) -> pd.DataFrame: ...
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            inputs = {name: key_value(value, daily=daily)
                      for name, value in bound.arguments.items()
                      if name not in UNKEYED_ARGUMENTS}
            return results.get_or_compute(kind, inputs, lambda: function(*args, **kwargs),
                                          disk=disk, pickled=pickled)

        wrapper.uncached = function  # type: ignore[attr-defined]
        return wrapper

    return decorate
