"""Result cache: analyses are computed once per set of inputs, in memory and on disk.

A result is identified by a hash of everything it depends on – the kind of analysis, the region
store's identity and version token (which changes with every edit), the profile's rules, the
unknown-tag mode, the service selection, thresholds and options, and :data:`ANALYSIS_VERSION`.
The cache keeps the last results in memory (LRU) and writes them as Parquet (GeoParquet for
layers) with a JSON sidecar for ``attrs`` under ``<cache>/analysen/``. Callers always get a copy,
so changing a returned frame never changes the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd

from layers import settings
from layers.log import get_logger

log = get_logger("cache")

# Bump when the meaning of a cached result changes (invalidates every cached result).
ANALYSIS_VERSION = 1
MEMORY_SIZE = 64

Frame = TypeVar("Frame", pd.DataFrame, gpd.GeoDataFrame)


def cache_key(kind: str, inputs: Mapping[str, Any]) -> str:
    """Hash of an analysis kind and its inputs (JSON-serialisable values, sorted keys)."""
    text = json.dumps(
        {"art": kind, "eingaben": inputs, "version": ANALYSIS_VERSION},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class ResultCache:
    """In-memory LRU plus Parquet files for analysis results.

    Parameters
    ----------
    directory
        Where result files go (default ``<cache>/analysen``); ``None`` keeps results in memory
        only if ``disk`` is false.
    disk
        Whether to read and write files at all.
    memory_size
        How many results to hold in memory.
    """

    def __init__(
        self, directory: Path | None = None, *, disk: bool = True, memory_size: int = MEMORY_SIZE
    ) -> None:
        self.directory = directory
        self.disk = disk
        self.memory_size = memory_size
        self._memory: OrderedDict[str, pd.DataFrame] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _dir(self) -> Path:
        return self.directory or settings.cache_dir / "analysen"

    def clear_memory(self) -> None:
        """Forget the results held in memory (files stay)."""
        with self._lock:
            self._memory.clear()

    def get_or_compute(
        self, kind: str, inputs: Mapping[str, Any], compute: Callable[[], Frame]
    ) -> Frame:
        """The cached result for these inputs, computing and storing it if unknown.

        Parameters
        ----------
        kind
            Name of the analysis (part of the key and of the file name).
        inputs
            Everything the result depends on.
        compute
            Called without arguments when the result is not cached.

        Returns
        -------
        pandas.DataFrame or geopandas.GeoDataFrame
            A copy of the cached (or new) result.
        """
        key = f"{kind}-{cache_key(kind, inputs)}"
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                self.hits += 1
                return self._memory[key].copy()
        frame = self._read(key) if self.disk else None
        if frame is None:
            self.misses += 1
            frame = compute()
            if self.disk:
                self._write(key, frame)
        else:
            self.hits += 1
        with self._lock:
            self._memory[key] = frame
            while len(self._memory) > self.memory_size:
                self._memory.popitem(last=False)
        return frame.copy()

    def _paths(self, key: str) -> tuple[Path, Path]:
        directory = self._dir()
        return directory / f"{key}.parquet", directory / f"{key}.json"

    def _read(self, key: str) -> pd.DataFrame | None:
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
            return frame
        except (OSError, ValueError, KeyError) as exc:  # damaged cache files are recomputed
            log.warning("Ergebnis-Cache %s unlesbar (%s); rechne neu.", data_path.name, exc)
            return None

    def _write(self, key: str, frame: pd.DataFrame) -> None:
        data_path, meta_path = self._paths(key)
        try:
            data_path.parent.mkdir(parents=True, exist_ok=True)
            suffix = f".{os.getpid()}.{threading.get_ident()}.tmp"
            tmp_data = data_path.with_name(data_path.name + suffix)
            tmp_meta = meta_path.with_name(meta_path.name + suffix)
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


#: The cache the store-level functions in :mod:`planungsraeume.erreichbarkeit` use.
results = ResultCache()
