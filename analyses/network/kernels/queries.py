"""PHAST one-to-all queries on a contraction hierarchy (numba kernels).

The query state is an (n × 2) array by rank: time in column 0, label of the nearest source in
column 1 (see :func:`analyses.network.contraction.node_field`).
"""

from __future__ import annotations

import numba
import numpy as np

from analyses.network.kernels.heap import heap_pop, heap_push

__all__ = ["better_end", "phast", "phast_groups"]


@numba.njit(cache=True, nogil=True)
def _upward(
    up_ptr: np.ndarray, up_target: np.ndarray, up_seconds: np.ndarray, n_contracted: int,
    lowest: int, state: np.ndarray,
) -> None:
    """Upward sweep: the upward arcs form a DAG in rank order, one pass from ``lowest``."""
    for r in range(lowest, n_contracted):
        d = state[r, 0]
        if d == np.inf:
            continue
        current = state[r, 1]
        for e in range(up_ptr[r], up_ptr[r + 1]):
            t = up_target[e]
            candidate = d + up_seconds[e]
            if candidate < state[t, 0]:
                state[t, 0] = candidate
                state[t, 1] = current


@numba.njit(cache=True, nogil=True)
def _core_dijkstra(
    n_contracted: int, core_ptr: np.ndarray, core_target: np.ndarray,
    core_seconds: np.ndarray, state: np.ndarray, heap_k: np.ndarray, heap_v: np.ndarray,
) -> None:
    """Dijkstra on the core (4-ary heap, lazy deletion) from every core node reached so far."""
    n = state.shape[0]
    size = 0
    for r in range(n_contracted, n):
        if state[r, 0] < np.inf:
            size = heap_push(heap_k, heap_v, size, state[r, 0], r)
    while size > 0:
        d = heap_k[0]
        r = heap_v[0]
        size = heap_pop(heap_k, heap_v, size)
        if d > state[r, 0]:
            continue
        current = state[r, 1]
        row = r - n_contracted
        for e in range(core_ptr[row], core_ptr[row + 1]):
            t = core_target[e]
            candidate = d + core_seconds[e]
            if candidate < state[t, 0]:
                state[t, 0] = candidate
                state[t, 1] = current
                size = heap_push(heap_k, heap_v, size, candidate, t)


@numba.njit(cache=True, nogil=True)
def _downward(
    up_ptr: np.ndarray, up_target: np.ndarray, up_seconds: np.ndarray, n_contracted: int,
    state: np.ndarray,
) -> None:
    """Downward sweep: every contracted node takes the best of its (final) upper neighbours.

    Written without branches (selects): the comparison outcome is unpredictable.
    """
    for r in range(n_contracted - 1, -1, -1):
        d = state[r, 0]
        current = state[r, 1]
        for e in range(up_ptr[r], up_ptr[r + 1]):
            t = up_target[e]
            candidate = state[t, 0] + up_seconds[e]
            upper_label = state[t, 1]
            better = candidate < d
            d = candidate if better else d
            current = upper_label if better else current
        state[r, 0] = d
        state[r, 1] = current


@numba.njit(cache=True, nogil=True)
def phast(
    up_ptr: np.ndarray, up_target: np.ndarray, up_seconds: np.ndarray, n_contracted: int,
    core_ptr: np.ndarray, core_target: np.ndarray, core_seconds: np.ndarray,
    source_rank: np.ndarray, source_seconds: np.ndarray, source_label: np.ndarray,
    state: np.ndarray, heap_k: np.ndarray, heap_v: np.ndarray,
) -> None:
    """Run one query into ``state``.

    ``state`` is in rank order, time in column 0 and label in column 1, pre-filled with
    inf / −1. Upward sweep over the contracted nodes, Dijkstra on the core (highest ranks), downward
    sweep over the contracted nodes.
    """
    n = state.shape[0]
    lowest = n
    for i in range(source_rank.shape[0]):
        r = source_rank[i]
        if source_seconds[i] < state[r, 0]:
            state[r, 0] = source_seconds[i]
            state[r, 1] = source_label[i]
        if r < lowest:
            lowest = r
    _upward(up_ptr, up_target, up_seconds, n_contracted, lowest, state)
    _core_dijkstra(n_contracted, core_ptr, core_target, core_seconds, state, heap_k, heap_v)
    _downward(up_ptr, up_target, up_seconds, n_contracted, state)


@numba.njit(cache=True, nogil=True)
def phast_groups(
    up_ptr: np.ndarray, up_target: np.ndarray, up_seconds: np.ndarray, n_contracted: int,
    core_ptr: np.ndarray, core_target: np.ndarray, core_seconds: np.ndarray,
    source_rank: np.ndarray, source_seconds: np.ndarray, source_label: np.ndarray,
    group_ptr: np.ndarray, origin_a: np.ndarray, origin_b: np.ndarray, cost_a: np.ndarray,
    cost_b: np.ndarray, out_seconds: np.ndarray, out_label: np.ndarray,
) -> None:
    """:func:`phast` per group, then the origins' better edge end (see nearest_for_groups)."""
    n = n_contracted + core_ptr.shape[0] - 1
    state = np.empty((n, 2), np.float64)
    heap_size = core_target.shape[0] + (n - n_contracted) + 1
    heap_k = np.empty(heap_size, np.float64)
    heap_v = np.empty(heap_size, np.int64)
    for g in range(group_ptr.shape[0] - 1):
        lo = group_ptr[g]
        hi = group_ptr[g + 1]
        if hi == lo:
            continue
        for r in range(n):
            state[r, 0] = np.inf
            state[r, 1] = -1.0
        phast(up_ptr, up_target, up_seconds, n_contracted, core_ptr, core_target, core_seconds,
              source_rank[lo:hi], source_seconds[lo:hi], source_label[lo:hi], state, heap_k,
              heap_v)
        better_end(state[:, 0], state[:, 1], origin_a, origin_b, cost_a, cost_b,
                   out_seconds[g], out_label[g])


@numba.njit(cache=True, nogil=True)
def better_end(
    seconds: np.ndarray, label: np.ndarray, origin_a: np.ndarray, origin_b: np.ndarray,
    cost_a: np.ndarray, cost_b: np.ndarray, out_seconds: np.ndarray, out_label: np.ndarray,
) -> None:
    """Per origin the better of its edge's two ends: ``cost + seconds`` there, and that label.

    ``origin_a`` / ``origin_b`` index ``seconds`` and ``label`` (−1: origin not connected, left
    as it is in the outputs); ties go to end ``a``, as in
    :func:`analyses.network.search.evaluate_origins`.
    """
    for i in range(origin_a.shape[0]):
        a = origin_a[i]
        if a < 0:
            continue
        b = origin_b[i]
        via_a = cost_a[i] + seconds[a]
        via_b = cost_b[i] + seconds[b]
        if via_a <= via_b:
            out_seconds[i] = via_a
            out_label[i] = np.int64(label[a])
        else:
            out_seconds[i] = via_b
            out_label[i] = np.int64(label[b])
