"""Points that share an edge: the direct way between them along the edge.

An origin and a target attached to the same edge may reach each other along that edge without
passing either of its end nodes; the network search through the end nodes cannot see that way.
:func:`apply_direct_ways` improves the per-origin result of a search by it.
"""

from __future__ import annotations

import numpy as np

from analyses.network.graph import NetworkGraph
from analyses.network.snapping import SnappedPoints

__all__ = ["apply_direct_ways", "direct_seconds", "same_edge_pairs"]


def same_edge_pairs(
    origins: SnappedPoints, sources: SnappedPoints, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """All (origin, source) pairs attached to the same edge (both connected).

    Parameters
    ----------
    origins, sources
        The snapped points.
    rows
        Only these sources (positions in ``sources``); default all.

    Returns
    -------
    origin, source
        Positions of the pairs in ``origins`` and ``sources``.
    """
    order, sorted_edges = origins.edge_order()
    s_rows = np.flatnonzero(sources.connected) if rows is None else np.asarray(rows)[
        sources.connected[np.asarray(rows)]
    ]
    if len(order) == 0 or len(s_rows) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    s_edges = sources.edge[s_rows]
    lo = np.searchsorted(sorted_edges, s_edges, side="left")
    hi = np.searchsorted(sorted_edges, s_edges, side="right")
    count = hi - lo
    total = int(count.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    source_rep = np.repeat(s_rows, count)
    offsets = np.repeat(lo - (np.cumsum(count) - count), count)
    origin_rep = order[np.arange(total) + offsets]
    return origin_rep, source_rep


def direct_seconds(
    graph: NetworkGraph, origins: SnappedPoints, sources: SnappedPoints,
    o_idx: np.ndarray, s_idx: np.ndarray,
) -> np.ndarray:
    """Seconds along a shared edge, without passing one of its ends, for the given pairs."""
    edge = origins.edge[o_idx]
    seconds: np.ndarray = (
        origins.snap_seconds[o_idx]
        + sources.snap_seconds[s_idx]
        + np.abs(origins.frac[o_idx] - sources.frac[s_idx]) * graph.edge_seconds[edge]
    )
    return seconds


def apply_direct_ways(
    graph: NetworkGraph,
    origins: SnappedPoints,
    sources: SnappedPoints,
    seconds: np.ndarray,
    nearest: np.ndarray,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Improve the network times by the direct way along an edge shared with a source.

    ``seconds`` and ``nearest`` (per origin, via the edge ends) are updated in place and
    returned with the mask of origins whose best way is direct.
    """
    direct = np.zeros(len(origins), dtype=bool)
    if rows is None:  # all sources: the pairs are kept with them (many questions, same origins)
        o_idx, s_idx = sources.pairs_with(origins, lambda: same_edge_pairs(origins, sources))
    else:
        o_idx, s_idx = same_edge_pairs(origins, sources, rows)
    if len(o_idx):
        along = direct_seconds(graph, origins, sources, o_idx, s_idx)
        order = np.lexsort((along, o_idx))
        o_sorted, s_sorted, t_sorted = o_idx[order], s_idx[order], along[order]
        first = np.ones(len(o_sorted), dtype=bool)
        first[1:] = o_sorted[1:] != o_sorted[:-1]
        o_best, s_best, t_best = o_sorted[first], s_sorted[first], t_sorted[first]
        better = t_best < seconds[o_best]
        seconds[o_best[better]] = t_best[better]
        nearest[o_best[better]] = s_best[better]
        direct[o_best[better]] = True
    nearest[~np.isfinite(seconds)] = -1
    return seconds, nearest, direct
