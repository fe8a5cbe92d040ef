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

* Contraction removes the nodes in rounds (:func:`~analyses.network.kernels.contract_batched`):
  each round takes every node whose priority (level plus the ratios of added to removed arcs
  and hops, as in RoutingKit) is below that of all its neighbours – an independent set – and
  then updates the priorities of their neighbours once; no priority queue of stale entries.
  When node *v* is removed, every pair of its remaining neighbours *a*, *b* gets a shortcut
  ``a–b`` of length ``w(a,v) + w(v,b)`` unless a *witness* path of at most that length avoids
  *v* (local Dijkstra, bounded by a number of settled nodes and stopped once every neighbour
  is settled; an unfinished witness search only adds a superfluous shortcut, never a wrong
  one). The arcs of *v* to its neighbours at that moment are its *upward* arcs (all lead to
  nodes of higher rank).
* A node with more than :data:`CORE_DEGREE` neighbours left is not contracted; these nodes
  form the *core*, ranked above all contracted nodes. This bounds the contraction time on
  grid-like networks (where the last nodes would otherwise become dense and each removal cubic
  in the degree); on Aachen the core has a few hundred nodes.
* The contraction order of a hierarchy can be reused for the same network with other travel
  times (:func:`build_hierarchy` with ``reuse``, e.g. after a scenario changed a few edges):
  the nodes are then contracted in that sequence without any priorities (about 30 % faster).
* Query from sources with start times (the two edge ends of every snapped service with the
  partial times): (1) upward sweep over the contracted nodes in increasing rank – every node
  pushes its time along its upward arcs (they form an acyclic graph, so one pass gives the exact
  upward distances); (2) Dijkstra on the small core, started from every core node reached;
  (3) downward sweep in decreasing rank – every contracted node takes the minimum over its
  upward arcs of the neighbour's final time plus the arc. Every shortest path consists of an
  upward part, a core part and a downward part, therefore the result equals Dijkstra's (up to
  the order of floating-point additions, ≈ 1e-11 s). The label of the nearest source travels
  with the minimum.

numba is imported by this module (through its kernels in :mod:`analyses.network.kernels`);
:mod:`analyses.network.graph` imports it only when a hierarchy is needed, and
:mod:`analyses.network.search` falls back to ``scipy.sparse.csgraph.dijkstra`` (the reference in
the tests) when numba is not installed. The kernels are compiled on first use and kept in numba's
on-disk cache (``__pycache__``; ≈ 10 s once per installation, then ≈ 0.2 s).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from analyses.network.kernels import (
    better_end,
    contract_batched,
    contract_in_order,
    phast,
    phast_groups,
)
from analyses.network.kernels.dijkstra import dijkstra_field

__all__ = [
    "CORE_DEGREE",
    "PRIORITY_SETTLE_LIMIT",
    "WITNESS_HEAP_SIZE",
    "WITNESS_SETTLE_LIMIT",
    "Hierarchy",
    "build_hierarchy",
    "dijkstra_node_field",
    "hierarchy_from_arrays",
    "nearest_for_groups",
    "node_field",
    "origin_times",
    "warm_up",
]

# Settled nodes per witness search during contraction; more finds more witnesses (fewer
# shortcuts) but costs time. Measured on a grid of 1,000,000 nodes (the search also stops once
# every neighbour is settled): 5 contracts in 6.0 s CPU, 10 in 7.9 s, 100 in ≈ 12 s, with
# queries equally fast; on Aachen 5–2000 give the same sweep time.
WITNESS_SETTLE_LIMIT = 5
# Settled nodes per witness search when only estimating a node's priority. 0 = count every
# neighbour pair (a minimum-degree order); measured on Aachen, Heidelberg and grids: as few
# shortcuts and as fast queries as with witness searches, and the quickest contraction.
PRIORITY_SETTLE_LIMIT = 0
# A node with more neighbours than this when its turn comes stays in the core, searched by
# Dijkstra in each query. Bounds the contraction time on grid-like networks (the last nodes
# would otherwise become dense and contraction cubic in their degree). Measured on the grid of
# 1,000,000 nodes: 10 contracts 13 % faster than 12 with a core of 16 % instead of 13 % and
# the same query time.
CORE_DEGREE = 10
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

    def order(self) -> np.ndarray:
        """The nodes in contraction order, then the core (what ``build_hierarchy(reuse=)`` takes)."""
        order: np.ndarray = np.argsort(self.rank, kind="stable")
        return order

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


def build_hierarchy(matrix: csr_matrix, *, reuse: Hierarchy | None = None) -> Hierarchy:
    """Contract a symmetric CSR graph of non-negative travel times.

    Parameters
    ----------
    matrix
        Symmetric CSR matrix (*n* × *n*), no self-loops, no duplicate entries (as
        :func:`analyses.network.graph.build_graph` makes it).
    reuse
        A hierarchy of the same nodes (e.g. before a scenario changed some travel times):
        contract in its order instead of computing priorities. Any order gives exact
        distances; the one of a similar metric gives a hierarchy about as good.

    Returns
    -------
    Hierarchy
    """
    started = time.perf_counter()
    n = matrix.shape[0]
    indptr = np.ascontiguousarray(matrix.indptr, dtype=np.int64)
    indices = np.ascontiguousarray(matrix.indices, dtype=np.int32)
    data = np.ascontiguousarray(matrix.data, dtype=np.float64)
    if reuse is not None:
        if reuse.n_nodes != n:
            raise ValueError("the hierarchy to reuse belongs to a graph with other nodes")
        arrays = contract_in_order(indptr, indices, data, reuse.order(), WITNESS_SETTLE_LIMIT,
                                   WITNESS_HEAP_SIZE, CORE_DEGREE)
    else:
        arrays = contract_batched(indptr, indices, data, WITNESS_SETTLE_LIMIT,
                                  PRIORITY_SETTLE_LIMIT, WITNESS_HEAP_SIZE, CORE_DEGREE)
    (rank, n_contracted, up_from, up_to, up_w, core_from, core_to, core_w) = arrays
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
    """Return the query state by rank: column 0 the time (inf), column 1 the label (−1, as float).

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
    phast(
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
    phast_groups(
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


def dijkstra_node_field(
    matrix: csr_matrix,
    source_nodes: np.ndarray,
    source_seconds: np.ndarray,
    source_label: np.ndarray,
    *,
    needed: np.ndarray | None = None,
    limit_seconds: float = np.inf,
) -> tuple[np.ndarray, np.ndarray, int]:
    """:func:`node_field` by a compiled Dijkstra on the graph itself (no hierarchy needed).

    Parameters
    ----------
    matrix
        The graph (CSR, non-negative times).
    source_nodes, source_seconds, source_label
        As in :func:`node_field`.
    needed
        Boolean mask of the nodes whose times are wanted: the search stops once all of them
        are settled (the others that are not settled by then are reported as unreached).
    limit_seconds
        Nodes farther away are unreached.

    Returns
    -------
    seconds, label, settled
        Per node (``inf`` / −1 where unreached) and the number of settled nodes.
    """
    n = matrix.shape[0]
    seconds = np.full(n, np.inf)
    # int32 labels: positions among the sources; half the memory traffic of int64 per relaxed arc
    label = np.full(n, -1, dtype=np.int32)
    mask = np.zeros(0, dtype=np.bool_) if needed is None else needed
    settled = dijkstra_field(
        matrix.indptr, matrix.indices, matrix.data,
        np.ascontiguousarray(source_nodes, dtype=np.int64),
        np.ascontiguousarray(source_seconds, dtype=np.float64),
        np.ascontiguousarray(source_label, dtype=np.int32),
        mask, -1 if needed is None else int(np.count_nonzero(needed)), float(limit_seconds),
        seconds, label,
    )
    return seconds, label, int(settled)


def origin_times(
    seconds: np.ndarray, label: np.ndarray, a: np.ndarray, b: np.ndarray,
    cost_a: np.ndarray, cost_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per origin the better of its edge's ends in a node field: seconds and label.

    One compiled pass instead of a dozen array operations (each costs microseconds when a
    search has just pushed the interpreter's data out of the CPU caches).

    Parameters
    ----------
    seconds, label
        The node field (:func:`dijkstra_node_field`, :func:`node_field`).
    a, b, cost_a, cost_b
        Per origin its edge's end nodes and the seconds from the origin to each.

    Returns
    -------
    seconds, label
        Per origin (``inf`` / −1 where neither end is reached).
    """
    out_seconds = np.full(len(a), np.inf)
    out_label = np.full(len(a), -1, dtype=np.int64)
    better_end(seconds, label, a, b, cost_a, cost_b, out_seconds, out_label)
    return out_seconds, out_label


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
    seconds, label, _ = dijkstra_node_field(matrix, np.array([0]), np.array([0.0]), np.array([0]))
    ends = np.array([0, 1])
    origin_times(seconds, label, ends, ends[::-1].copy(), np.zeros(2), np.zeros(2))
    dijkstra_node_field(matrix, np.array([0]), np.array([0.0]), np.array([0]),
                        needed=np.ones(4, dtype=bool), limit_seconds=1.0)
    build_hierarchy(matrix, reuse=hierarchy)
    return time.perf_counter() - started
