"""Contraction in rounds of independent nodes, or in a given order (numba kernels).

:func:`contract_batched` replaces the priority queue of :func:`.contracting.contract`: every
round contracts all nodes whose priority is below that of each neighbour (an independent set,
so no node's shortcuts depend on another contraction of the same round), then updates the
priorities of their neighbours once. No heap of stale entries: on a 250,000-node grid the queue
alone cost about as much as the witness searches. :func:`contract_in_order` contracts in a
given sequence (the order of an earlier contraction of the same network, e.g. before a
scenario changed a few travel times) and computes no priorities at all.

A node with more than ``core_degree`` neighbours left stays in the core (ranked above all
contracted nodes) in both kernels.
"""

from __future__ import annotations

import numba
import numpy as np

from analyses.network.kernels.contracting import contraction_priority, witness_shortcuts

__all__ = ["contract_batched", "contract_in_order"]


@numba.njit(cache=True, nogil=True)
def _pool(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int
]:
    """The remaining graph as runs in a pool: start, capacity, length, node, seconds, hops."""
    n = indptr.shape[0] - 1
    start = np.empty(n, np.int64)
    capacity = np.empty(n, np.int64)
    length = np.zeros(n, np.int64)
    used = 0
    for v in range(n):
        start[v] = used
        capacity[v] = max(4, 2 * (indptr[v + 1] - indptr[v]))
        used += capacity[v]
    size = used + used // 2 + 16
    pool_node = np.empty(size, np.int32)
    pool_w = np.empty(size, np.float64)
    pool_hops = np.empty(size, np.int32)
    for v in range(n):
        for e in range(indptr[v], indptr[v + 1]):
            pool_node[start[v] + length[v]] = indices[e]
            pool_w[start[v] + length[v]] = data[e]
            pool_hops[start[v] + length[v]] = 1
            length[v] += 1
    return start, capacity, length, pool_node, pool_w, pool_hops, used


@numba.njit(cache=True, nogil=True)
def _insert(
    a: int, b: int, w: float, hops: int, start: np.ndarray, capacity: np.ndarray,
    length: np.ndarray, pool_node: np.ndarray, pool_w: np.ndarray, pool_hops: np.ndarray,
    used: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Arc ``a → b`` into a's run (the shorter of parallel arcs kept); the pool may grow."""
    for q in range(start[a], start[a] + length[a]):
        if pool_node[q] == b:
            if w < pool_w[q]:
                pool_w[q] = w
                pool_hops[q] = hops
            return pool_node, pool_w, pool_hops, used
    if length[a] == capacity[a]:
        new_capacity = 2 * capacity[a]
        if used + new_capacity > pool_node.shape[0]:
            size = max(2 * pool_node.shape[0], used + new_capacity)
            grown_node = np.empty(size, np.int32)
            grown_w = np.empty(size, np.float64)
            grown_hops = np.empty(size, np.int32)
            grown_node[:used] = pool_node[:used]
            grown_w[:used] = pool_w[:used]
            grown_hops[:used] = pool_hops[:used]
            pool_node, pool_w, pool_hops = grown_node, grown_w, grown_hops
        for q in range(length[a]):
            pool_node[used + q] = pool_node[start[a] + q]
            pool_w[used + q] = pool_w[start[a] + q]
            pool_hops[used + q] = pool_hops[start[a] + q]
        start[a] = used
        capacity[a] = new_capacity
        used += new_capacity
    pool_node[start[a] + length[a]] = b
    pool_w[start[a] + length[a]] = w
    pool_hops[start[a] + length[a]] = hops
    length[a] += 1
    return pool_node, pool_w, pool_hops, used


@numba.njit(cache=True, nogil=True)
def _detach(v: int, start: np.ndarray, length: np.ndarray, pool_node: np.ndarray,
            pool_w: np.ndarray, pool_hops: np.ndarray, level: np.ndarray) -> None:
    """Remove ``v`` from its neighbours' runs (and raise their level above v's)."""
    for k in range(start[v], start[v] + length[v]):
        u = pool_node[k]
        for q in range(start[u], start[u] + length[u]):
            if pool_node[q] == v:
                last = start[u] + length[u] - 1
                pool_node[q] = pool_node[last]
                pool_w[q] = pool_w[last]
                pool_hops[q] = pool_hops[last]
                length[u] -= 1
                break
        if level[u] < level[v] + 1:
            level[u] = level[v] + 1


@numba.njit(cache=True, nogil=True)
def _core(
    n: int, order: np.ndarray, contracted: np.ndarray, rank: np.ndarray, next_rank: int,
    start: np.ndarray, length: np.ndarray, pool_node: np.ndarray, pool_w: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank the nodes left (in ``order``) above the contracted ones; their arcs."""
    n_core_arcs = 0
    for position in range(n):
        v = order[position]
        if not contracted[v]:
            rank[v] = next_rank
            next_rank += 1
            n_core_arcs += length[v]
    core_from = np.empty(n_core_arcs, np.int32)
    core_to = np.empty(n_core_arcs, np.int32)
    core_w = np.empty(n_core_arcs, np.float64)
    c = 0
    for v in range(n):
        if not contracted[v]:
            for k in range(start[v], start[v] + length[v]):
                core_from[c] = v
                core_to[c] = pool_node[k]
                core_w[c] = pool_w[k]
                c += 1
    return core_from, core_to, core_w


@numba.njit(cache=True, nogil=True)
def _contract_sequence(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, order: np.ndarray, batched: bool,
    witness_limit: int, priority_limit: int, heap_size: int, core_degree: int,
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
           np.ndarray]:
    """Both kernels: contract in rounds of local priority minima, or in the sequence ``order``.

    Why this is one long function (about 110 lines of code): the loop carries the adjacency pool, the
    witness buffers and the upward arcs from one node to the next and replaces them when they
    grow; helper kernels would take and return all of them on every call.
    """
    n = indptr.shape[0] - 1
    start, capacity, length, pool_node, pool_w, pool_hops, used = _pool(indptr, indices, data)
    contracted = np.zeros(n, np.bool_)
    level = np.zeros(n, np.int64)
    rank = np.full(n, -1, np.int64)
    wdist = np.full(n, np.inf)
    touched = np.empty(n, np.int32)
    target = np.full(n, -1, np.int32)
    heap_k = np.empty(heap_size, np.float64)
    heap_v = np.empty(heap_size, np.int32)
    out_a = np.empty(256, np.int64)
    out_b = np.empty(256, np.int64)
    out_w = np.empty(256, np.float64)
    out_hops = np.empty(256, np.int64)
    up_from = np.empty(indices.shape[0] + 16, np.int32)
    up_to = np.empty(indices.shape[0] + 16, np.int32)
    up_w = np.empty(indices.shape[0] + 16, np.float64)
    n_up = 0
    next_rank = 0
    priority = np.zeros(n, np.float64)
    if batched:
        for v in range(n):
            priority[v] = contraction_priority(v, start, length, pool_node, pool_w, pool_hops,
                                    priority_limit, wdist, touched, heap_k, heap_v, out_a, out_b,
                                    out_w, out_hops, level, target)
    todo = order.copy()  # batched: the nodes left; else the sequence itself
    n_todo = n
    chosen = np.empty(n, np.int64)
    dirty = np.zeros(n, np.bool_)
    while n_todo > 0:
        n_chosen = 0
        if batched:
            for i in range(n_todo):
                v = todo[i]
                if length[v] > core_degree:
                    continue
                minimum = True
                for k in range(start[v], start[v] + length[v]):
                    u = pool_node[k]
                    if length[u] <= core_degree and (priority[u] < priority[v] or (
                            priority[u] == priority[v] and u < v)):
                        minimum = False
                        break
                if minimum:
                    chosen[n_chosen] = v
                    n_chosen += 1
            if n_chosen == 0:
                break
        else:
            for i in range(n_todo):
                if length[todo[i]] <= core_degree:
                    chosen[n_chosen] = todo[i]
                    n_chosen += 1
            n_todo = 0
        for c in range(n_chosen):
            v = chosen[c]
            degree = length[v]
            if degree > core_degree:
                continue  # in order: its degree grew since the selection; it stays in the core
            if out_a.shape[0] < degree * degree:
                out_a = np.empty(degree * degree, np.int64)
                out_b = np.empty(degree * degree, np.int64)
                out_w = np.empty(degree * degree, np.float64)
                out_hops = np.empty(degree * degree, np.int64)
            shortcuts, _ = witness_shortcuts(v, start, length, pool_node, pool_w, pool_hops,
                                      witness_limit, wdist, touched, heap_k, heap_v, True, out_a,
                                      out_b, out_w, out_hops, target)
            if n_up + degree > up_from.shape[0]:
                size = max(2 * up_from.shape[0], n_up + degree)
                up_from = np.concatenate((up_from[:n_up], np.empty(size - n_up, np.int32)))
                up_to = np.concatenate((up_to[:n_up], np.empty(size - n_up, np.int32)))
                up_w = np.concatenate((up_w[:n_up], np.empty(size - n_up, np.float64)))
            for k in range(start[v], start[v] + degree):
                up_from[n_up] = v
                up_to[n_up] = pool_node[k]
                up_w[n_up] = pool_w[k]
                n_up += 1
                dirty[pool_node[k]] = True
            _detach(v, start, length, pool_node, pool_w, pool_hops, level)
            contracted[v] = True
            rank[v] = next_rank
            next_rank += 1
            for s in range(shortcuts):
                pool_node, pool_w, pool_hops, used = _insert(
                    out_a[s], out_b[s], out_w[s], out_hops[s], start, capacity, length,
                    pool_node, pool_w, pool_hops, used)
                pool_node, pool_w, pool_hops, used = _insert(
                    out_b[s], out_a[s], out_w[s], out_hops[s], start, capacity, length,
                    pool_node, pool_w, pool_hops, used)
        if batched:
            kept = 0
            for i in range(n_todo):
                v = todo[i]
                if contracted[v]:
                    continue
                if dirty[v]:
                    priority[v] = contraction_priority(v, start, length, pool_node, pool_w, pool_hops,
                                            priority_limit, wdist, touched, heap_k, heap_v,
                                            out_a, out_b, out_w, out_hops, level, target)
                    dirty[v] = False
                todo[kept] = v
                kept += 1
            n_todo = kept
    core_from, core_to, core_w = _core(n, order, contracted, rank, next_rank, start, length,
                                       pool_node, pool_w)
    return (rank, next_rank, up_from[:n_up].copy(), up_to[:n_up].copy(), up_w[:n_up].copy(),
            core_from, core_to, core_w)


@numba.njit(cache=True, nogil=True)
def contract_batched(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, witness_limit: int,
    priority_limit: int, heap_size: int, core_degree: int,
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
           np.ndarray]:
    """Contract in rounds of independent local priority minima until none has few neighbours.

    Returns what :func:`analyses.network.kernels.contracting.contract` returns: the rank per
    node, the number of contracted nodes, their upward arcs (from, to, seconds) and the arcs
    among the core nodes (both directions).
    """
    n = indptr.shape[0] - 1
    return _contract_sequence(indptr, indices, data, np.arange(n), True, witness_limit,
                              priority_limit, heap_size, core_degree)


@numba.njit(cache=True, nogil=True)
def contract_in_order(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, order: np.ndarray,
    witness_limit: int, heap_size: int, core_degree: int,
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
           np.ndarray]:
    """Contract the nodes in the sequence ``order`` (node ids); returns as :func:`contract_batched`.

    Nodes with more than ``core_degree`` neighbours at their turn stay in the core.
    """
    return _contract_sequence(indptr, indices, data, order, False, witness_limit, 0, heap_size,
                              core_degree)
