"""Content fingerprints of small frames, for the memo a graph keeps of derived inputs.

A graph keeps what it derived from an input frame (snapped points, the prepared service pool) in
``graph.memo``, keyed by the frame's *content*, never by its identity: a frame changed in place
gets a new key. :func:`frame_fingerprint` hashes the index, every column and the geometry in
well under a millisecond for a service layer of a few hundred rows (a pandas hash of the same
columns takes several).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["MEMO_SIZE", "frame_fingerprint", "memoised"]

# Entries kept per graph (shared by every kind of memo entry; the oldest goes first).
MEMO_SIZE = 16


def _update(digest: Any, values: np.ndarray | pd.Index) -> None:
    array = np.asarray(values)
    if array.dtype.kind in "biuf":
        digest.update(array.dtype.str.encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    else:
        digest.update("\x1f".join(map(repr, array.tolist())).encode())
    digest.update(b"\x1e")


def _update_column(digest: Any, values: Any) -> None:
    """Hash a column's array; Arrow-backed ones (pandas' string columns) by their buffers, no copy.

    Converting an Arrow string column to a numpy object array costs milliseconds per call
    (pandas infers the dtype first); its buffers, offset and length identify the content
    (a frame with the same content in another memory layout only misses the memo).
    """
    arrow = getattr(values, "__arrow_array__", None)
    if arrow is None:
        _update(digest, np.asarray(values))
        return
    chunked = arrow()
    digest.update(f"{chunked.type}|{len(chunked)}".encode())
    for chunk in getattr(chunked, "chunks", [chunked]):
        digest.update(f"{chunk.offset}:{len(chunk)}:{chunk.null_count}".encode())
        for buffer in chunk.buffers():
            if buffer is not None:
                digest.update(memoryview(buffer))
    digest.update(b"\x1e")


def _column_arrays(frame: pd.DataFrame) -> Any:
    """The frame's column arrays in column order, without a Series per column.

    ``frame.items()`` builds a Series (a GeoSeries for the geometry) per column, which costs
    more than hashing a service layer of a few hundred rows; pandas' own column iterator does
    not. Falls back to the Series' arrays if a pandas version lacks it.
    """
    iterate = getattr(frame, "_iter_column_arrays", None)
    if iterate is not None:
        return iterate()
    return (values.array for _, values in frame.items())


def frame_fingerprint(frame: gpd.GeoDataFrame) -> str:
    """A hash of the frame's index, columns (names and values) and geometry."""
    digest = hashlib.sha1(str(len(frame)).encode())
    _update(digest, frame.index)
    geometry_name = frame.active_geometry_name if isinstance(frame, gpd.GeoDataFrame) else None
    for column, values in zip(frame.columns.tolist(), _column_arrays(frame), strict=True):
        digest.update(repr(column).encode())
        if column == geometry_name:
            geoms = np.asarray(values)
            _update(digest, shapely.get_type_id(geoms))
            _update(digest, shapely.get_coordinates(geoms).ravel())
            _update(digest, shapely.get_num_coordinates(geoms))
        else:
            _update_column(digest, values)
    return digest.hexdigest()


def memoised(memo: dict[Any, Any], key: Any, make: Callable[[], Any]) -> Any:
    """``memo[key]``, made by ``make()`` on first use (the oldest entry goes beyond MEMO_SIZE)."""
    if key in memo:
        return memo[key]
    value = make()
    if len(memo) >= MEMO_SIZE:
        memo.pop(next(iter(memo)))
    memo[key] = value
    return value
