"""Witness searches and contraction priorities (numba kernels of the contraction).

The remaining graph is kept as runs in a growing pool (one run per node, moved to the end of
the pool when full; see :mod:`.ordered`, which contracts). :func:`witness_shortcuts` finds the
shortcuts a node's contraction needs by bounded local witness searches, :func:`contraction_priority`
rates a node for the contraction order.
"""

from __future__ import annotations

import numba
import numpy as np

from analyses.network.kernels.heap import heap_pop, heap_push

__all__ = ["contraction_priority", "witness_shortcuts"]


@numba.njit(cache=True, nogil=True)
def witness_shortcuts(
    v: int, start: np.ndarray, length: np.ndarray, pool_node: np.ndarray, pool_w: np.ndarray,
    pool_hops: np.ndarray, settle_limit: int, wdist: np.ndarray, touched: np.ndarray,
    heap_k: np.ndarray, heap_v: np.ndarray, record: bool, out_a: np.ndarray,
    out_b: np.ndarray, out_w: np.ndarray, out_hops: np.ndarray, target: np.ndarray,
) -> tuple[int, int]:
    """Shortcuts needed to contract ``v`` (counted; written to ``out_*`` if ``record``).

    For every neighbour ``a`` a local Dijkstra that avoids ``v`` looks for witnesses to the
    later neighbours ``b``; it stops after ``settle_limit`` settled nodes, beyond the longest
    candidate shortcut, or when every later neighbour is settled (``target`` holds −1 for every
    node on entry and on return; it marks the neighbours' positions meanwhile).
    Returns the number of shortcuts and the sum of their hop counts (original edges).

    Why the witness search is not a function of its own (the kernel has about 70 lines): this
    is the innermost kernel of the contraction, run for every neighbour in every priority
    update; as a separate numba function, whose array arguments are reference-counted on every
    call, it made the contraction about 25 % slower on Aachen (measured).
    """
    degree = length[v]
    base = start[v]
    count = 0
    hops = 0
    if settle_limit > 0:
        for j in range(degree):
            target[pool_node[base + j]] = j
    for i in range(degree - 1):
        a = pool_node[base + i]
        wa = pool_w[base + i]
        bound = 0.0
        for j in range(i + 1, degree):
            if wa + pool_w[base + j] > bound:
                bound = wa + pool_w[base + j]
        remaining = degree - 1 - i
        n_touched = 1
        touched[0] = a
        wdist[a] = 0.0
        size = heap_push(heap_k, heap_v, 0, 0.0, a)
        settled = 0
        overflow = False
        while size > 0 and settled < settle_limit and not overflow:
            d = heap_k[0]
            x = heap_v[0]
            size = heap_pop(heap_k, heap_v, size)
            if d > wdist[x]:
                continue
            if d > bound:
                break
            settled += 1
            if target[x] > i:
                remaining -= 1
                if remaining == 0:
                    break
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
                    size = heap_push(heap_k, heap_v, size, nd, y)
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
    if settle_limit > 0:
        for j in range(degree):
            target[pool_node[base + j]] = -1
    return count, hops


@numba.njit(cache=True, nogil=True)
def contraction_priority(
    v: int, start: np.ndarray, length: np.ndarray, pool_node: np.ndarray, pool_w: np.ndarray,
    pool_hops: np.ndarray, settle_limit: int, wdist: np.ndarray, touched: np.ndarray,
    heap_k: np.ndarray, heap_v: np.ndarray, out_a: np.ndarray, out_b: np.ndarray,
    out_w: np.ndarray, out_hops: np.ndarray, level: np.ndarray, target: np.ndarray,
) -> float:
    """Contraction priority of ``v`` (lower = contract earlier).

    Level plus the ratios of added to removed arcs and of their hop counts (as RoutingKit does):
    nodes whose removal adds few and short shortcuts go first, and the hierarchy stays balanced.
    """
    added, added_hops = witness_shortcuts(v, start, length, pool_node, pool_w, pool_hops, settle_limit,
                                   wdist, touched, heap_k, heap_v, False, out_a, out_b, out_w,
                                   out_hops, target)
    degree = length[v]
    removed_hops = 0
    for k in range(start[v], start[v] + degree):
        removed_hops += pool_hops[k]
    result: float = level[v] + added / max(degree, 1) + added_hops / max(removed_hops, 1)
    return result
