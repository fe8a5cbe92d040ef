"""Result frames of the network searches: statuses, profile stamps, cheap constant columns.

Every result is indexed like its origins (momepy style) and records the profile and the
unknown-tag mode in columns and in ``DataFrame.attrs``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analyses.network.graph import NetworkGraph
from analyses.network.snapping import SnappedPoints

__all__ = [
    "STATUSES",
    "STATUS_DTYPE",
    "STATUS_NOT_CONNECTED",
    "STATUS_REACHABLE",
    "STATUS_UNREACHABLE",
    "constant_column",
    "frame_from_arrays",
    "pick",
    "result_frame",
    "stamp",
]

STATUS_REACHABLE = "erreichbar"
STATUS_NOT_CONNECTED = "nicht angebunden"
STATUS_UNREACHABLE = "nicht erreichbar"
STATUSES = (STATUS_REACHABLE, STATUS_NOT_CONNECTED, STATUS_UNREACHABLE)
STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))


def stamp(frame: pd.DataFrame, graph: NetworkGraph, **extra: Any) -> pd.DataFrame:
    """Record the graph's profile and unknown-tag mode in columns and ``attrs`` (in place)."""
    frame["profil"] = graph.profil.name
    frame["unbekannt"] = graph.unbekannt
    frame.attrs.update({"profil": graph.profil.name, "unbekannt": graph.unbekannt, **extra})
    return frame


def result_frame(
    graph: NetworkGraph,
    snapped_origins: SnappedPoints,
    seconds: np.ndarray,
    columns: dict[str, Any],
) -> pd.DataFrame:
    """Assemble a result frame from arrays (kept cheap: it runs once per type and profile).

    Parameters
    ----------
    graph
        The network (profile and mode are recorded).
    snapped_origins
        The origins (index, connection, snap distance).
    seconds
        Seconds to the nearest target per origin (``inf`` if unreachable).
    columns
        Further columns, placed after ``minuten``.

    Returns
    -------
    pandas.DataFrame
        Indexed like the origins: ``minuten``, the given columns, ``status``, ``anbindung_m``,
        ``profil``, ``unbekannt``.
    """
    reachable = np.isfinite(seconds)
    codes = np.zeros(len(seconds), dtype=np.int8)
    codes[~reachable] = 2
    codes[~snapped_origins.connected] = 1
    data: dict[str, Any] = {"minuten": np.where(reachable, seconds / 60.0, np.nan)}
    data.update(columns)
    data["status"] = pd.Categorical.from_codes(codes, dtype=STATUS_DTYPE, validate=False)
    data["anbindung_m"] = snapped_origins.distance_m
    data["profil"] = constant_column(graph.profil.name, len(seconds))
    data["unbekannt"] = constant_column(graph.unbekannt, len(seconds))
    return frame_from_arrays(data, snapped_origins.index)


_COLUMN_INDEXES: dict[tuple[str, ...], pd.Index] = {}


def frame_from_arrays(data: dict[str, Any], index: pd.Index) -> pd.DataFrame:
    """A frame of the given equally long columns, without copies or checks.

    ``pd.DataFrame(data)`` spends most of its time on the column labels (an Index of strings,
    its dtype inferred anew per call: ≈ 60–150 µs of a question's 2–3 ms); the labels of each
    column layout are built once here, and pandas' own constructor from arrays skips the
    checks the arrays passed already (same length, one array per column). Falls back to the
    public constructor if a pandas version lacks it.
    """
    names = tuple(data)
    columns = _COLUMN_INDEXES.get(names)
    if columns is None:
        columns = _COLUMN_INDEXES.setdefault(names, pd.Index(list(names)))
    from_arrays = getattr(pd.DataFrame, "_from_arrays", None)
    if from_arrays is None:
        return pd.DataFrame(data, index=index, copy=False)
    frame: pd.DataFrame = from_arrays(
        list(data.values()), columns=columns, index=index, verify_integrity=False
    )
    return frame


_CONSTANT_DTYPES: dict[str, pd.CategoricalDtype] = {}


def constant_column(value: str, n: int) -> pd.Categorical:
    """Return a column holding one text n times, cheaply (categorical with one category)."""
    dtype = _CONSTANT_DTYPES.get(value)
    if dtype is None:
        dtype = _CONSTANT_DTYPES.setdefault(value, pd.CategoricalDtype([value]))
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=dtype, validate=False)


def pick(values: Any, nearest_idx: np.ndarray, reachable: np.ndarray) -> Any:
    """Pick the value of the nearest target per origin (missing where unreachable).

    ``values`` is a pandas extension array, whose ``take`` is fast and keeps the dtype.
    """
    return values.take(np.where(reachable, nearest_idx, -1), allow_fill=True)

