"""Contraction of a graph into a hierarchy (numba kernel of :mod:`analyses.network.contraction`).

The remaining graph is kept as runs in a growing pool (one run per node, moved to the end of
the pool when full); nodes are contracted in the order of a lazily updated priority, and the
shortcuts of each contracted node are found by bounded local witness searches.
"""

from __future__ import annotations

import numba
import numpy as np

from analyses.network.kernels.heap import heap_pop, heap_push

__all__ = ["contract"]


@numba.njit(cache=True, nogil=True)
def _shortcuts(
    v: int, start: np.ndarray, length: np.ndarray, pool_node: np.ndarray, pool_w: np.ndarray,
    pool_hops: np.ndarray, settle_limit: int, wdist: np.ndarray, touched: np.ndarray,
    heap_k: np.ndarray, heap_v: np.ndarray, record: bool, out_a: np.ndarray,
    out_b: np.ndarray, out_w: np.ndarray, out_hops: np.ndarray,
) -> tuple[int, int]:
    """Shortcuts needed to contract ``v`` (counted; written to ``out_*`` if ``record``).

    For every neighbour ``a`` a local Dijkstra that avoids ``v`` looks for witnesses to the
    later neighbours ``b``; it stops after ``settle_limit`` settled nodes or beyond the longest
    candidate shortcut.
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
    return count, hops


@numba.njit(cache=True, nogil=True)
def _priority(
    v: int, start: np.ndarray, length: np.ndarray, pool_node: np.ndarray, pool_w: np.ndarray,
    pool_hops: np.ndarray, settle_limit: int, wdist: np.ndarray, touched: np.ndarray,
    heap_k: np.ndarray, heap_v: np.ndarray, out_a: np.ndarray, out_b: np.ndarray,
    out_w: np.ndarray, out_hops: np.ndarray, level: np.ndarray,
) -> float:
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
    result: float = level[v] + added / max(degree, 1) + added_hops / max(removed_hops, 1)
    return result


@numba.njit(cache=True, nogil=True)
def contract(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, witness_limit: int,
    priority_limit: int, heap_size: int, core_degree: int,
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
           np.ndarray]:
    """Contract the nodes in priority order until the next one has more than ``core_degree``.

    Returns the rank per node, the number of contracted nodes, their upward arcs (from, to,
    seconds) and the arcs among the core nodes (both directions).

    Why this is one long function (about 200 lines): it is a numba kernel whose main loop
    carries some twenty arrays (the adjacency pool, the priority queue, the witness buffers)
    from one contracted node to the next and replaces several of them when they grow. Split
    into helper kernels (pool set-up, upward arcs, detaching a node, inserting a shortcut, core
    arcs) it gave the same hierarchy but took about 10 % longer on Aachen (measured in one
    process, 30 alternating runs), because every call reference-counts its array arguments.
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
        queue_size = heap_push(queue_k, queue_v, queue_size, priority[v], v)

    next_rank = 0
    while queue_size > 0:
        p = queue_k[0]
        v = queue_v[0]
        queue_size = heap_pop(queue_k, queue_v, queue_size)
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
            queue_size = heap_push(queue_k, queue_v, queue_size, current, v)
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
            queue_size = heap_push(queue_k, queue_v, queue_size, priority[u], u)
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
