"""Contraction hierarchy of the pedestrian network and PHAST one-to-all queries (numba).

Why: the reachability questions of this tool are "every origin to the nearest service", for many
service types, filters and scenarios on the *same* graph. One Dijkstra per question settles every
node through a priority queue; on the 19,000 nodes of the Aachen demo that costs 1–2 ms, in scipy
as in compiled code alike (the heap is the cost: a plain sweep over all arcs takes 0.04 ms). A
contraction hierarchy (CH) is computed once per graph (≈ 0.1 s for Aachen); afterwards every
multi-source one-to-all question is answered by PHAST (Delling, Goldberg, Nowatzyk, Werneck
2011): linear sweeps over the nodes in rank order, ≈ 0.15 ms on the same graph including the
origins' evaluation, with the same distances.

How:

* Contraction removes the nodes one by one in the order of a priority (level plus the ratios of
  added to removed arcs and hops, as in RoutingKit; lazy updates). When node *v* is removed,
  every pair of its remaining neighbours *a*, *b* gets a shortcut ``a–b`` of length
  ``w(a,v) + w(v,b)`` unless a *witness* path of at most that length avoids *v* (local Dijkstra,
  bounded by a number of settled nodes; an unfinished witness search only adds a superfluous
  shortcut, never a wrong one). The arcs of *v* to its neighbours at that moment are its
  *upward* arcs (all lead to nodes of higher rank).
* Contraction stops when the next node has more than :data:`CORE_DEGREE` neighbours; the rest
  is the *core*, ranked above all contracted nodes. This bounds the contraction time on
  grid-like networks (where the last nodes would otherwise become dense and each removal cubic
  in the degree); on Aachen the core has a few hundred nodes.
* Query from sources with start times (the two edge ends of every snapped service with the
  partial times): (1) upward sweep over the contracted nodes in increasing rank – every node
  pushes its time along its upward arcs (they form an acyclic graph, so one pass gives the exact
  upward distances); (2) Dijkstra on the small core, started from every core node reached;
  (3) downward sweep in decreasing rank – every contracted node takes the minimum over its
  upward arcs of the neighbour's final time plus the arc. Every shortest path consists of an
  upward part, a core part and a downward part, therefore the result equals Dijkstra's (up to
  the order of floating-point additions, ≈ 1e-11 s). The label of the nearest source travels
  with the minimum.

numba is imported by this module; :mod:`analyses.network.graph` imports it only when a hierarchy is
needed, and :mod:`analyses.network.search` falls back to ``scipy.sparse.csgraph.dijkstra`` (the
reference in the tests) when numba is not installed. The kernels are compiled on first use and
kept in numba's on-disk cache (``__pycache__``; ≈ 10 s once per installation, then ≈ 0.2 s).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numba
import numpy as np
from scipy.sparse import csr_matrix

# Settled nodes per witness search during contraction; more finds more witnesses (fewer
# shortcuts) but costs time. Measured on Aachen: 50–2000 give the same sweep time.
WITNESS_SETTLE_LIMIT = 100
# Settled nodes per witness search when only estimating a node's priority. 0 = count every
# neighbour pair (a minimum-degree order); measured on Aachen, Heidelberg and grids: as few
# shortcuts and as fast queries as with witness searches, and the quickest contraction.
PRIORITY_SETTLE_LIMIT = 0
# Contraction stops when the next node has more neighbours than this; the remaining nodes form
# the core, searched by Dijkstra in each query. Bounds the contraction time on grid-like networks
# (without it the last nodes become dense and contraction cubic in their degree).
CORE_DEGREE = 12
# Capacity of the witness search heap; a search that would overflow it stops (safe: the
# shortcut is then added).
WITNESS_HEAP_SIZE = 1 << 14


@dataclass(eq=False)
class Hierarchy:
    """A contraction hierarchy of one graph, arranged for PHAST sweeps.

    Nodes are addressed by rank: the contracted nodes have ranks ``0 … n_contracted − 1`` in
    contraction order, the core (the nodes left when contraction stopped at
    :data:`CORE_DEGREE`) the ranks above.

    Attributes
    ----------
    rank
        Rank of every graph node (int64, length *n*).
    n_contracted
        Number of contracted nodes.
    up_ptr
        CSR row pointers by rank (length ``n_contracted + 1``): the upward arcs of the node of
        rank *r* are ``up_ptr[r]:up_ptr[r+1]``.
    up_target, up_seconds
        Rank of the arc's upper end (int32) and the arc's length in seconds (an original edge
        or a shortcut).
    core_ptr, core_target, core_seconds
        The core graph (both directions) in the same layout, rows ``rank − n_contracted``.
    build_seconds
        Time the contraction took (for reports).
    shared
        Taken (scaled) from a graph with proportional travel times instead of built.
    """

    rank: np.ndarray
    n_contracted: int
    up_ptr: np.ndarray
    up_target: np.ndarray
    up_seconds: np.ndarray
    core_ptr: np.ndarray
    core_target: np.ndarray
    core_seconds: np.ndarray
    build_seconds: float = 0.0
    shared: bool = False

    @property
    def n_nodes(self) -> int:
        """Number of graph nodes."""
        return len(self.rank)

    @property
    def n_core(self) -> int:
        """Number of core nodes."""
        return self.n_nodes - self.n_contracted

    @property
    def n_arcs(self) -> int:
        """Number of upward arcs plus core arcs."""
        return len(self.up_target) + len(self.core_target)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Arrays for the disk cache (:func:`hierarchy_from_arrays` restores them)."""
        return {
            "rank": self.rank,
            "n_contracted": np.array([self.n_contracted], dtype=np.int64),
            "up_ptr": self.up_ptr,
            "up_target": self.up_target,
            "up_seconds": self.up_seconds,
            "core_ptr": self.core_ptr,
            "core_target": self.core_target,
            "core_seconds": self.core_seconds,
        }


def hierarchy_from_arrays(arrays: dict[str, np.ndarray]) -> Hierarchy:
    """Rebuild a :class:`Hierarchy` from :meth:`Hierarchy.to_arrays`."""
    return Hierarchy(
        rank=np.ascontiguousarray(arrays["rank"], dtype=np.int64),
        n_contracted=int(arrays["n_contracted"][0]),
        up_ptr=np.ascontiguousarray(arrays["up_ptr"], dtype=np.int64),
        up_target=np.ascontiguousarray(arrays["up_target"], dtype=np.int32),
        up_seconds=np.ascontiguousarray(arrays["up_seconds"], dtype=np.float64),
        core_ptr=np.ascontiguousarray(arrays["core_ptr"], dtype=np.int64),
        core_target=np.ascontiguousarray(arrays["core_target"], dtype=np.int32),
        core_seconds=np.ascontiguousarray(arrays["core_seconds"], dtype=np.float64),
    )


def _rank_csr(
    rows: np.ndarray, targets: np.ndarray, seconds: np.ndarray, n_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR (row pointers, int32 targets, seconds) of arcs given by row and target."""
    order = np.lexsort((targets, rows))
    ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=ptr[1:])
    return (
        ptr,
        np.ascontiguousarray(targets[order], dtype=np.int32),
        np.ascontiguousarray(seconds[order], dtype=np.float64),
    )


def build_hierarchy(matrix: csr_matrix) -> Hierarchy:
    """Contract a symmetric CSR graph of non-negative travel times.

    Parameters
    ----------
    matrix
        Symmetric CSR matrix (*n* × *n*), no self-loops, no duplicate entries (as
        :func:`analyses.network.graph.build_graph` makes it).

    Returns
    -------
    Hierarchy
    """
    started = time.perf_counter()
    n = matrix.shape[0]
    indptr = np.ascontiguousarray(matrix.indptr, dtype=np.int64)
    indices = np.ascontiguousarray(matrix.indices, dtype=np.int64)
    data = np.ascontiguousarray(matrix.data, dtype=np.float64)
    (rank, n_contracted, up_from, up_to, up_w, core_from, core_to, core_w) = _contract(
        indptr, indices, data, WITNESS_SETTLE_LIMIT, PRIORITY_SETTLE_LIMIT, WITNESS_HEAP_SIZE,
        CORE_DEGREE,
    )
    n_contracted = int(n_contracted)
    up_ptr, up_target, up_seconds = _rank_csr(rank[up_from], rank[up_to], up_w, n_contracted)
    core_ptr, core_target, core_seconds = _rank_csr(
        rank[core_from] - n_contracted, rank[core_to], core_w, n - n_contracted
    )
    return Hierarchy(
        rank=rank,
        n_contracted=n_contracted,
        up_ptr=up_ptr,
        up_target=up_target,
        up_seconds=up_seconds,
        core_ptr=core_ptr,
        core_target=core_target,
        core_seconds=core_seconds,
        build_seconds=time.perf_counter() - started,
    )


def _empty_state(n: int) -> np.ndarray:
    """The query state by rank: column 0 the time (inf), column 1 the label (−1, as float).

    Time and label of a node share a cache line: the downward sweep reads both for every arc
    in random order, and the interleaved layout makes it ≈ 3× faster than two arrays
    (measured on Aachen: 81 µs instead of 296 µs per sweep). Labels below 2**53 are exact.
    """
    state = np.empty((n, 2), dtype=np.float64)
    state[:, 0] = np.inf
    state[:, 1] = -1.0
    return state


def _core_heap(hierarchy: Hierarchy) -> tuple[np.ndarray, np.ndarray]:
    size = len(hierarchy.core_target) + hierarchy.n_core + 1
    return np.empty(size, dtype=np.float64), np.empty(size, dtype=np.int64)


def node_field(
    hierarchy: Hierarchy,
    source_nodes: np.ndarray,
    source_seconds: np.ndarray,
    source_label: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Time to the nearest source and its label for every graph node (one query).

    Parameters
    ----------
    hierarchy
        The graph's hierarchy.
    source_nodes
        Graph nodes where sources enter (a node may occur several times).
    source_seconds
        Start time at each entry (≥ 0).
    source_label
        Label of each entry (e.g. the source's position); the nearest one's label is returned.

    Returns
    -------
    seconds, label
        Per graph node (node order, not rank order); ``inf`` and −1 where no source is reachable.
    """
    state = _empty_state(hierarchy.n_nodes)
    heap_k, heap_v = _core_heap(hierarchy)
    _phast(
        hierarchy.up_ptr,
        hierarchy.up_target,
        hierarchy.up_seconds,
        hierarchy.n_contracted,
        hierarchy.core_ptr,
        hierarchy.core_target,
        hierarchy.core_seconds,
        hierarchy.rank[np.asarray(source_nodes, dtype=np.int64)],
        np.ascontiguousarray(source_seconds, dtype=np.float64),
        np.ascontiguousarray(source_label, dtype=np.int64),
        state,
        heap_k,
        heap_v,
    )
    by_node = state[hierarchy.rank]
    return by_node[:, 0], by_node[:, 1].astype(np.int64)


def nearest_for_groups(
    hierarchy: Hierarchy,
    source_nodes: np.ndarray,
    source_seconds: np.ndarray,
    source_label: np.ndarray,
    group_ptr: np.ndarray,
    origin_a: np.ndarray,
    origin_b: np.ndarray,
    cost_a: np.ndarray,
    cost_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For several groups of sources at once: per origin the time to the group's nearest source.

    Group *g* consists of the source entries ``group_ptr[g]:group_ptr[g+1]``. An origin enters
    the network at the graph nodes ``origin_a`` / ``origin_b`` (−1 = not connected) after
    ``cost_a`` / ``cost_b`` seconds; it takes the better of the two (``a`` on ties), as
    :func:`analyses.network.search.evaluate_origins` does.

    Returns
    -------
    seconds, label
        Arrays of shape (groups, origins); ``inf`` / −1 where unreachable or not connected.
    """
    groups = len(group_ptr) - 1
    m = len(origin_a)
    seconds = np.full((groups, m), np.inf)
    label = np.full((groups, m), -1, dtype=np.int64)
    rank = hierarchy.rank
    origin_a = np.asarray(origin_a, dtype=np.int64)
    origin_b = np.asarray(origin_b, dtype=np.int64)
    a = np.where(origin_a >= 0, rank[np.maximum(origin_a, 0)], -1)
    b = np.where(origin_b >= 0, rank[np.maximum(origin_b, 0)], -1)
    _phast_groups(
        hierarchy.up_ptr,
        hierarchy.up_target,
        hierarchy.up_seconds,
        hierarchy.n_contracted,
        hierarchy.core_ptr,
        hierarchy.core_target,
        hierarchy.core_seconds,
        rank[np.asarray(source_nodes, dtype=np.int64)],
        np.ascontiguousarray(source_seconds, dtype=np.float64),
        np.ascontiguousarray(source_label, dtype=np.int64),
        np.ascontiguousarray(group_ptr, dtype=np.int64),
        a,
        b,
        np.ascontiguousarray(cost_a, dtype=np.float64),
        np.ascontiguousarray(cost_b, dtype=np.float64),
        seconds,
        label,
    )
    return seconds, label


def warm_up() -> float:
    """Compile (or load from numba's cache) all kernels on a tiny graph; returns the seconds."""
    started = time.perf_counter()
    rows = np.array([0, 1, 1, 2, 2, 3, 3, 0])
    cols = np.array([1, 0, 2, 1, 3, 2, 0, 3])
    matrix = csr_matrix((np.ones(8), (rows, cols)), shape=(4, 4))
    hierarchy = build_hierarchy(matrix)
    node_field(hierarchy, np.array([0]), np.array([0.0]), np.array([0]))
    nearest_for_groups(
        hierarchy, np.array([0]), np.array([0.0]), np.array([0]), np.array([0, 1]),
        np.array([2]), np.array([1]), np.array([0.0]), np.array([0.0]),
    )
    return time.perf_counter() - started


# --------------------------------------------------------------------------------------------
# Kernels (numba, no Python objects)
# --------------------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _heap_push(keys, values, size, key, value):
    """Push onto a binary min-heap stored in two arrays; returns the new size."""
    j = size
    while j > 0:
        parent = (j - 1) >> 1
        if keys[parent] <= key:
            break
        keys[j] = keys[parent]
        values[j] = values[parent]
        j = parent
    keys[j] = key
    values[j] = value
    return size + 1


@numba.njit(cache=True, nogil=True)
def _heap_pop(keys, values, size):
    """Remove the minimum (read it from ``keys[0]``/``values[0]`` first); returns the new size."""
    size -= 1
    if size > 0:
        last_key = keys[size]
        last_value = values[size]
        j = 0
        while True:
            child = 2 * j + 1
            if child >= size:
                break
            if child + 1 < size and keys[child + 1] < keys[child]:
                child += 1
            if keys[child] >= last_key:
                break
            keys[j] = keys[child]
            values[j] = values[child]
            j = child
        keys[j] = last_key
        values[j] = last_value
    return size


@numba.njit(cache=True, nogil=True)
def _shortcuts(
    v, start, length, pool_node, pool_w, pool_hops, settle_limit, wdist, touched, heap_k,
    heap_v, record, out_a, out_b, out_w, out_hops,
):
    """Shortcuts needed to contract ``v`` (counted; written to ``out_*`` if ``record``).

    For every neighbour ``a`` a local Dijkstra that avoids ``v`` looks for witnesses to the
    later neighbours ``b``; it stops after ``settle_limit`` settled nodes or beyond the longest
    candidate shortcut.
    Returns the number of shortcuts and the sum of their hop counts (original edges).
    """
    degree = length[v]
    base = start[v]
    count = 0
    hops = 0
    for i in range(degree - 1):
        a = pool_node[base + i]
        wa = pool_w[base + i]
        bound = 0.0
        for j in range(i + 1, degree):
            if wa + pool_w[base + j] > bound:
                bound = wa + pool_w[base + j]
        n_touched = 1
        touched[0] = a
        wdist[a] = 0.0
        size = _heap_push(heap_k, heap_v, 0, 0.0, a)
        settled = 0
        overflow = False
        while size > 0 and settled < settle_limit and not overflow:
            d = heap_k[0]
            x = heap_v[0]
            size = _heap_pop(heap_k, heap_v, size)
            if d > wdist[x]:
                continue
            if d > bound:
                break
            settled += 1
            for k in range(start[x], start[x] + length[x]):
                y = pool_node[k]
                if y == v:
                    continue
                nd = d + pool_w[k]
                if nd < wdist[y] and nd <= bound:
                    if wdist[y] == np.inf:
                        touched[n_touched] = y
                        n_touched += 1
                    wdist[y] = nd
                    if size >= heap_k.shape[0]:
                        overflow = True
                        break
                    size = _heap_push(heap_k, heap_v, size, nd, y)
        for j in range(i + 1, degree):
            b = pool_node[base + j]
            via = wa + pool_w[base + j]
            if wdist[b] <= via:
                continue
            if record:
                out_a[count] = a
                out_b[count] = b
                out_w[count] = via
                out_hops[count] = pool_hops[base + i] + pool_hops[base + j]
            count += 1
            hops += pool_hops[base + i] + pool_hops[base + j]
        for t in range(n_touched):
            wdist[touched[t]] = np.inf
    return count, hops


@numba.njit(cache=True, nogil=True)
def _priority(
    v, start, length, pool_node, pool_w, pool_hops, settle_limit, wdist, touched, heap_k,
    heap_v, out_a, out_b, out_w, out_hops, level,
):
    """Contraction priority of ``v`` (lower = contract earlier).

    Level plus the ratios of added to removed arcs and of their hop counts (as RoutingKit does):
    nodes whose removal adds few and short shortcuts go first, and the hierarchy stays balanced.
    """
    added, added_hops = _shortcuts(v, start, length, pool_node, pool_w, pool_hops, settle_limit,
                                   wdist, touched, heap_k, heap_v, False, out_a, out_b, out_w,
                                   out_hops)
    degree = length[v]
    removed_hops = 0
    for k in range(start[v], start[v] + degree):
        removed_hops += pool_hops[k]
    return (
        level[v]
        + added / max(degree, 1)
        + added_hops / max(removed_hops, 1)
    )


@numba.njit(cache=True, nogil=True)
def _contract(indptr, indices, data, witness_limit, priority_limit, heap_size, core_degree):
    """Contract the nodes in priority order until the next one has more than ``core_degree``
    neighbours.

    Returns the rank per node, the number of contracted nodes, their upward arcs (from, to,
    seconds) and the arcs among the core nodes (both directions).
    """
    n = indptr.shape[0] - 1
    # Adjacency of the remaining graph: per node a run in a pool that grows when a run is full
    # (the run moves to the end of the pool).
    start = np.empty(n, np.int64)
    capacity = np.empty(n, np.int64)
    length = np.zeros(n, np.int64)
    used = 0
    for v in range(n):
        start[v] = used
        capacity[v] = max(4, 2 * (indptr[v + 1] - indptr[v]))
        used += capacity[v]
    pool_node = np.empty(2 * used + 16, np.int64)
    pool_w = np.empty(2 * used + 16, np.float64)
    pool_hops = np.empty(2 * used + 16, np.int64)
    for v in range(n):
        for e in range(indptr[v], indptr[v + 1]):
            pool_node[start[v] + length[v]] = indices[e]
            pool_w[start[v] + length[v]] = data[e]
            pool_hops[start[v] + length[v]] = 1
            length[v] += 1

    contracted = np.zeros(n, np.bool_)
    level = np.zeros(n, np.int64)
    rank = np.full(n, -1, np.int64)
    wdist = np.full(n, np.inf)
    touched = np.empty(n, np.int64)
    heap_k = np.empty(heap_size, np.float64)
    heap_v = np.empty(heap_size, np.int64)
    out_a = np.empty(256, np.int64)
    out_b = np.empty(256, np.int64)
    out_w = np.empty(256, np.float64)
    out_hops = np.empty(256, np.int64)
    up_from = np.empty(indices.shape[0] + 16, np.int64)
    up_to = np.empty(indices.shape[0] + 16, np.int64)
    up_w = np.empty(indices.shape[0] + 16, np.float64)
    n_up = 0

    priority = np.empty(n, np.float64)
    queue_k = np.empty(2 * n + 16, np.float64)
    queue_v = np.empty(2 * n + 16, np.int64)
    queue_size = 0
    for v in range(n):
        priority[v] = _priority(v, start, length, pool_node, pool_w, pool_hops, priority_limit,
                                wdist, touched, heap_k, heap_v, out_a, out_b, out_w, out_hops,
                                level)
        queue_size = _heap_push(queue_k, queue_v, queue_size, priority[v], v)

    next_rank = 0
    while queue_size > 0:
        p = queue_k[0]
        v = queue_v[0]
        queue_size = _heap_pop(queue_k, queue_v, queue_size)
        if contracted[v] or p != priority[v]:
            continue  # stale entry
        # Lazy update: re-evaluate; if v is no longer the minimum, queue it again.
        current = _priority(v, start, length, pool_node, pool_w, pool_hops, priority_limit,
                            wdist, touched, heap_k, heap_v, out_a, out_b, out_w, out_hops,
                            level)
        if queue_size > 0 and current > queue_k[0]:
            priority[v] = current
            if queue_size >= queue_k.shape[0]:
                grown_k = np.empty(2 * queue_k.shape[0], np.float64)
                grown_v = np.empty(2 * queue_k.shape[0], np.int64)
                grown_k[:queue_size] = queue_k[:queue_size]
                grown_v[:queue_size] = queue_v[:queue_size]
                queue_k = grown_k
                queue_v = grown_v
            queue_size = _heap_push(queue_k, queue_v, queue_size, current, v)
            continue

        degree = length[v]
        if degree > core_degree:
            break  # the rest is the core
        if out_a.shape[0] < degree * degree:
            out_a = np.empty(degree * degree, np.int64)
            out_b = np.empty(degree * degree, np.int64)
            out_w = np.empty(degree * degree, np.float64)
            out_hops = np.empty(degree * degree, np.int64)
        shortcuts, _ = _shortcuts(v, start, length, pool_node, pool_w, pool_hops, witness_limit,
                                  wdist, touched, heap_k, heap_v, True, out_a, out_b, out_w,
                                  out_hops)
        # upward arcs of v: to every remaining neighbour
        if n_up + degree > up_from.shape[0]:
            size = max(2 * up_from.shape[0], n_up + degree)
            grown_from = np.empty(size, np.int64)
            grown_to = np.empty(size, np.int64)
            grown_w = np.empty(size, np.float64)
            grown_from[:n_up] = up_from[:n_up]
            grown_to[:n_up] = up_to[:n_up]
            grown_w[:n_up] = up_w[:n_up]
            up_from = grown_from
            up_to = grown_to
            up_w = grown_w
        for k in range(start[v], start[v] + degree):
            up_from[n_up] = v
            up_to[n_up] = pool_node[k]
            up_w[n_up] = pool_w[k]
            n_up += 1
        contracted[v] = True
        rank[v] = next_rank
        next_rank += 1
        # remove v from its neighbours' runs
        for k in range(start[v], start[v] + degree):
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
        # insert the shortcuts in both directions (keep the shorter of parallel arcs)
        for s in range(shortcuts):
            for side in range(2):
                a = out_a[s] if side == 0 else out_b[s]
                b = out_b[s] if side == 0 else out_a[s]
                w = out_w[s]
                found = False
                for q in range(start[a], start[a] + length[a]):
                    if pool_node[q] == b:
                        if w < pool_w[q]:
                            pool_w[q] = w
                            pool_hops[q] = out_hops[s]
                        found = True
                        break
                if found:
                    continue
                if length[a] == capacity[a]:
                    new_capacity = 2 * capacity[a]
                    if used + new_capacity > pool_node.shape[0]:
                        size = max(2 * pool_node.shape[0], used + new_capacity)
                        grown_node = np.empty(size, np.int64)
                        grown_pw = np.empty(size, np.float64)
                        grown_hops = np.empty(size, np.int64)
                        grown_node[:used] = pool_node[:used]
                        grown_pw[:used] = pool_w[:used]
                        grown_hops[:used] = pool_hops[:used]
                        pool_node = grown_node
                        pool_w = grown_pw
                        pool_hops = grown_hops
                    for q in range(length[a]):
                        pool_node[used + q] = pool_node[start[a] + q]
                        pool_w[used + q] = pool_w[start[a] + q]
                        pool_hops[used + q] = pool_hops[start[a] + q]
                    start[a] = used
                    capacity[a] = new_capacity
                    used += new_capacity
                pool_node[start[a] + length[a]] = b
                pool_w[start[a] + length[a]] = w
                pool_hops[start[a] + length[a]] = out_hops[s]
                length[a] += 1
        # new priorities of the neighbours
        for k in range(start[v], start[v] + degree):
            u = pool_node[k]
            priority[u] = _priority(u, start, length, pool_node, pool_w, pool_hops,
                                    priority_limit, wdist, touched, heap_k, heap_v, out_a, out_b,
                                    out_w, out_hops, level)
            if queue_size >= queue_k.shape[0]:
                grown_k = np.empty(2 * queue_k.shape[0], np.float64)
                grown_v = np.empty(2 * queue_k.shape[0], np.int64)
                grown_k[:queue_size] = queue_k[:queue_size]
                grown_v[:queue_size] = queue_v[:queue_size]
                queue_k = grown_k
                queue_v = grown_v
            queue_size = _heap_push(queue_k, queue_v, queue_size, priority[u], u)
    # the core: remaining nodes get the highest ranks; their arcs among each other
    n_contracted = next_rank
    n_core_arcs = 0
    for v in range(n):
        if not contracted[v]:
            rank[v] = next_rank
            next_rank += 1
            n_core_arcs += length[v]
    core_from = np.empty(n_core_arcs, np.int64)
    core_to = np.empty(n_core_arcs, np.int64)
    core_w = np.empty(n_core_arcs, np.float64)
    c = 0
    for v in range(n):
        if not contracted[v]:
            for k in range(start[v], start[v] + length[v]):
                core_from[c] = v
                core_to[c] = pool_node[k]
                core_w[c] = pool_w[k]
                c += 1
    return (rank, n_contracted, up_from[:n_up].copy(), up_to[:n_up].copy(), up_w[:n_up].copy(),
            core_from, core_to, core_w)


@numba.njit(cache=True, nogil=True)
def _phast(up_ptr, up_target, up_seconds, n_contracted, core_ptr, core_target, core_seconds,
           source_rank, source_seconds, source_label, state, heap_k, heap_v):
    """One query into ``state`` (rank order; time in column 0, label in column 1; pre-filled
    with inf / −1).

    Upward sweep over the contracted nodes, Dijkstra on the core (highest ranks), downward
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
    # upward: the upward arcs form a DAG in rank order
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
    # core: Dijkstra (binary heap, lazy deletion) from every core node reached so far
    size = 0
    for r in range(n_contracted, n):
        if state[r, 0] < np.inf:
            size = _heap_push(heap_k, heap_v, size, state[r, 0], r)
    while size > 0:
        d = heap_k[0]
        r = heap_v[0]
        size = _heap_pop(heap_k, heap_v, size)
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
                size = _heap_push(heap_k, heap_v, size, candidate, t)
    # downward: every contracted node takes the best of its (final) upper neighbours;
    # written without branches (selects), the comparison outcome is unpredictable
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
def _phast_groups(up_ptr, up_target, up_seconds, n_contracted, core_ptr, core_target,
                  core_seconds, source_rank, source_seconds, source_label, group_ptr, origin_a,
                  origin_b, cost_a, cost_b, out_seconds, out_label):
    """:func:`_phast` per group, then the origins' better edge end (see nearest_for_groups)."""
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
        _phast(up_ptr, up_target, up_seconds, n_contracted, core_ptr, core_target, core_seconds,
               source_rank[lo:hi], source_seconds[lo:hi], source_label[lo:hi], state, heap_k,
               heap_v)
        for i in range(origin_a.shape[0]):
            a = origin_a[i]
            if a < 0:
                continue
            b = origin_b[i]
            via_a = cost_a[i] + state[a, 0]
            via_b = cost_b[i] + state[b, 0]
            if via_a <= via_b:
                out_seconds[g, i] = via_a
                out_label[g, i] = np.int64(state[a, 1])
            else:
                out_seconds[g, i] = via_b
                out_label[g, i] = np.int64(state[b, 1])
