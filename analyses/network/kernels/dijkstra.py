"""Multi-source Dijkstra on the plain CSR graph, with start times, labels and a stop rule (numba).

Every source entry starts at a node after a start time (the partial edge of a snapped service)
and carries a label (the service's position); every node gets the time to the nearest entry and
its label, as scipy's ``dijkstra(min_only=True)`` on the augmented matrix gives them – without
building that matrix (a copy of the whole graph) and with an indexed binary heap of one slot
per node instead of a Fibonacci heap node per node. The search stops beyond ``limit`` or as
soon as every node marked in ``needed`` is settled (the edge ends of the origins: nothing else
is read by a nearest-service question); nodes not settled then are reported as unreached.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["dijkstra_field"]


@numba.njit(cache=True, nogil=True)
def _sift_up(keys: np.ndarray, nodes: np.ndarray, where: np.ndarray, j: int) -> None:
    key = keys[j]
    node = nodes[j]
    while j > 0:
        parent = (j - 1) >> 1
        if keys[parent] <= key:
            break
        keys[j] = keys[parent]
        nodes[j] = nodes[parent]
        where[nodes[j]] = j
        j = parent
    keys[j] = key
    nodes[j] = node
    where[node] = j


@numba.njit(cache=True, nogil=True)
def _pop(keys: np.ndarray, nodes: np.ndarray, where: np.ndarray, size: int) -> int:
    """Remove the minimum (read ``keys[0]``, ``nodes[0]`` first); returns the new size."""
    where[nodes[0]] = -2  # settled
    size -= 1
    if size == 0:
        return 0
    key = keys[size]
    node = nodes[size]
    j = 0
    while True:
        child = 2 * j + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= key:
            break
        keys[j] = keys[child]
        nodes[j] = nodes[child]
        where[nodes[j]] = j
        j = child
    keys[j] = key
    nodes[j] = node
    where[node] = j
    return size


@numba.njit(cache=True, nogil=True)
def dijkstra_field(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, source_node: np.ndarray,
    source_seconds: np.ndarray, source_label: np.ndarray, needed: np.ndarray, n_needed: int,
    limit: float, seconds: np.ndarray, label: np.ndarray,
) -> int:
    """Fill ``seconds`` / ``label`` (pre-filled with inf / −1) with the nearest entry per node.

    Parameters
    ----------
    indptr, indices, data
        The graph (CSR, non-negative times).
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
    where = np.full(n, -1, np.int32)  # −1 unseen, −2 settled, else heap slot
    keys = np.empty(n, np.float64)
    nodes = np.empty(n, np.int32)
    size = 0
    for i in range(source_node.shape[0]):
        v = source_node[i]
        t = source_seconds[i]
        if t < seconds[v]:
            seconds[v] = t
            label[v] = source_label[i]
            if where[v] == -1:
                where[v] = size
                keys[size] = t
                nodes[size] = v
                size += 1
            else:
                keys[where[v]] = t
            _sift_up(keys, nodes, where, where[v])
    settled = 0
    remaining = n_needed
    while size > 0:
        d = keys[0]
        v = nodes[0]
        if d > limit:
            break
        size = _pop(keys, nodes, where, size)
        settled += 1
        if remaining > 0 and needed[v]:
            remaining -= 1
            if remaining == 0:
                break
        current = label[v]
        for e in range(indptr[v], indptr[v + 1]):
            w = indices[e]
            candidate = d + data[e]
            if candidate < seconds[w] and where[w] != -2:
                seconds[w] = candidate
                label[w] = current
                if where[w] == -1:
                    where[w] = size
                    keys[size] = candidate
                    nodes[size] = w
                    size += 1
                else:
                    keys[where[w]] = candidate
                _sift_up(keys, nodes, where, where[w])
    for v in range(n):
        if where[v] != -2:
            seconds[v] = np.inf
            label[v] = -1
    return settled
