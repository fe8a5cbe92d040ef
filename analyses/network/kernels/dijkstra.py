"""Multi-source Dijkstra on the plain CSR graph, with start times, labels and a stop rule (numba).

Every source entry starts at a node after a start time (the partial edge of a snapped service)
and carries a label (the service's position); every node gets the time to the nearest entry and
its label, as scipy's ``dijkstra(min_only=True)`` on the augmented matrix gives them – without
building that matrix (a copy of the whole graph) and with a 4-ary heap
(:mod:`analyses.network.kernels.heap`) of (time, node) pairs in two arrays instead of a
Fibonacci heap node per node: a node reached faster is pushed again and its outdated entry
skipped when it comes up ("lazy deletion"; no slot index to maintain). Dead ends never enter
the heap (see :func:`dijkstra_field`).

On the Aachen network that is 0.61–0.67× scipy's time (1–200 sources, 30 interleaved rounds,
load 2–3; the binary heap before it: 0.93–1.1×) when the graph is in the CPU caches; within a
page's questions, where the work before pushed it out, 0.75–0.9× until the graph is read in
order first (:func:`_read_in_order`: 0.60–0.66×, single-question benchmark). On synthetic
grids of millions of nodes scipy stays faster (2.5M nodes: 1.10 s against 0.87 s,
memory-bound; see the closing note of #15), which is why a graph's first question runs scipy
(:mod:`analyses.network.choice`).

The heap starts at an eighth of the nodes and grows when full. The search stops beyond
``limit`` or as soon as every node marked in ``needed`` is settled (the edge ends of the
origins: nothing else is read by a nearest-service question); nodes not settled then are
reported as unreached.
"""

from __future__ import annotations

import numba
import numpy as np

from analyses.network.kernels.heap import heap_push

__all__ = ["WARM_MAX_ARCS", "dijkstra_field"]

# Graphs up to this many arcs are read once in order before an unlimited search (see
# dijkstra_field): 2^18 arcs are ≈ 4 MB of arrays, within the 32 MB shared cache of the
# benchmark machine and mostly within the 1 MB per core for city networks (Aachen: 45,038).
WARM_MAX_ARCS = 1 << 18


@numba.njit(cache=True, nogil=True)
def _read_in_order(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, needed: np.ndarray
) -> float:
    """Read one element per cache line of the graph's arrays, in order; returns their sum.

    The hardware prefetcher streams arrays read in order into the cache far faster than a
    search's random reads fetch them line by line. A single question usually finds the graph
    pushed out of the cache by the work before it (its result table, another graph): reading it
    first made the compiled Dijkstra 25 % faster in the single-question benchmark on Aachen
    (1.95 → 1.45 ms, interleaved with scipy and the other graph's questions). The sum keeps
    the reads from being optimised away.
    """
    total = 0.0
    for e in range(0, data.shape[0], 8):  # 8 float64 per 64-byte line
        total += data[e]
    for e in range(0, indices.shape[0], 16):  # 16 int32
        total += indices[e]
    for e in range(0, indptr.shape[0], 16):
        total += indptr[e]
    for e in range(0, needed.shape[0], 64):  # 64 booleans
        total += needed[e]
    return total


@numba.njit(cache=True, nogil=True)
def dijkstra_field(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, source_node: np.ndarray,
    source_seconds: np.ndarray, source_label: np.ndarray, needed: np.ndarray, n_needed: int,
    limit: float, seconds: np.ndarray, label: np.ndarray,
) -> int:
    """Fill ``seconds`` / ``label`` (pre-filled with inf / −1) with the nearest entry per node.

    Longer than 80 lines, which is why it says so: the heap's push and pop are written out (a call
    there measurably slows the hot path of every single question).

    The graph must be symmetric in its pattern (every arc has its reverse; the graph matrices of
    :mod:`analyses.network.build` are). A *dead end* – a node whose only arc leads back to the
    node it is reached from – then has no other way in: its time is final when it is reached and
    it never enters the heap (a quarter of the Aachen network's nodes; fewer pushes and pops).

    Parameters
    ----------
    indptr, indices, data
        The graph (CSR, non-negative times, symmetric pattern).
    source_node, source_seconds, source_label
        The entries: node, start time, label (a node may occur several times).
    needed, n_needed
        Stop once the ``n_needed`` nodes marked in ``needed`` are settled (``n_needed`` < 0:
        never stop early).
    limit
        Do not settle nodes beyond this time.

    Returns
    -------
    int
        Number of settled nodes. Nodes not settled are reset to inf / −1.
    """
    n = indptr.shape[0] - 1
    # Read the graph once in order before the search jumps around in it (see _read_in_order);
    # only without a time limit (a limited search reads a small part) and for graphs that fit
    # in the cache (a larger one would push its own start out again).
    warm = limit == np.inf and data.shape[0] <= WARM_MAX_ARCS
    if warm and _read_in_order(indptr, indices, data, needed) < 0:
        return 0  # never (times and indices are not negative)
    keys = np.empty(max(n // 8, 16), np.float64)
    nodes = np.empty(max(n // 8, 16), np.int32)
    size = 0
    for i in range(source_node.shape[0]):
        v = source_node[i]
        t = source_seconds[i]
        if t < seconds[v]:
            seconds[v] = t
            label[v] = source_label[i]
            if size == keys.shape[0]:
                keys = np.concatenate((keys, np.empty(size, np.float64)))
                nodes = np.concatenate((nodes, np.empty(size, np.int32)))
            size = heap_push(keys, nodes, size, t, v)
    settled = 0
    remaining = n_needed
    # Once every needed node is settled, the nodes at the same time are still settled (ties),
    # then the search stops: every node up to ``bound`` is then settled and relaxed.
    bound = np.inf
    while size > 0:
        d = keys[0]
        v = nodes[0]
        if d > limit or d > bound:
            break
        size -= 1  # pop (inlined: measurably faster than a call here)
        last_key = keys[size]
        last_node = nodes[size]
        j = 0
        while True:
            first = 4 * j + 1
            if first >= size:
                break
            child = first
            child_key = keys[first]  # kept in a register: one load per child
            for other in range(first + 1, min(first + 4, size)):
                if keys[other] < child_key:
                    child_key = keys[other]
                    child = other
            if child_key >= last_key:
                break
            keys[j] = child_key
            nodes[j] = nodes[child]
            j = child
        keys[j] = last_key
        nodes[j] = last_node
        if d > seconds[v]:
            continue  # an outdated entry (the node was reached faster since; pushes improve strictly)
        settled += 1
        if remaining > 0 and needed[v]:
            remaining -= 1
            if remaining == 0:
                bound = d
        current = label[v]
        if size + indptr[v + 1] - indptr[v] > keys.shape[0]:  # room for every neighbour
            keys = np.concatenate((keys, np.empty(keys.shape[0] + indptr[v + 1] - indptr[v])))
            nodes = np.concatenate((nodes, np.empty(nodes.shape[0] + indptr[v + 1] - indptr[v],
                                                    np.int32)))
        for e in range(indptr[v], indptr[v + 1]):
            w = indices[e]
            candidate = d + data[e]
            if candidate < seconds[w]:  # never true for a settled node (times ≥ 0)
                seconds[w] = candidate
                label[w] = current
                if indptr[w + 1] - indptr[w] == 1:
                    # a dead end: its one arc leads back to v (symmetric pattern), so it has no
                    # other way in and is final now; no heap entry
                    settled += 1
                    if remaining > 0 and needed[w]:
                        remaining -= 1
                        if remaining == 0:
                            bound = d
                    continue
                j = size  # push (inlined)
                size += 1
                while j > 0:
                    parent = (j - 1) >> 2
                    if keys[parent] <= candidate:
                        break
                    keys[j] = keys[parent]
                    nodes[j] = nodes[parent]
                    j = parent
                keys[j] = candidate
                nodes[j] = w
    cut = min(bound, limit)
    if cut < np.inf:
        # Stopped early or at the limit: the nodes beyond ``cut`` are tentative and reported as
        # unreached – except, after an early stop, a dead end whose one neighbour was settled
        # (it was reached from there: final). No array of settled flags is needed for that
        # (one random access less per settled node).
        for v in range(n):
            if seconds[v] > cut:
                arc = indptr[v]
                if (seconds[v] <= limit and indptr[v + 1] - arc == 1
                        and seconds[indices[arc]] <= bound):
                    continue
                seconds[v] = np.inf
                label[v] = -1
    return settled
