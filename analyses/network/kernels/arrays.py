"""Graph-building kernels for large networks: the symmetric CSR and oriented geometries (numba).

:func:`analyses.network.build.symmetric_csr` and :func:`analyses.network.build.oriented_coords`
use these on networks of at least :data:`analyses.network.build.KERNEL_MIN_EDGES` edges, where
numpy's sorts and fancy-indexed temporaries cost seconds and hundreds of megabytes; smaller
networks keep the numpy code (no numba import). Both give identical arrays (tested).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["components", "csr_entries", "orient_runs"]


@numba.njit(cache=True, nogil=True)
def _sort_row(col: np.ndarray, ent: np.ndarray, weight: np.ndarray, a: int, b: int) -> None:
    """Insertion sort of ``col[a:b]`` / ``ent[a:b]`` by (column, weight, edge row)."""
    for i in range(a + 1, b):
        c = col[i]
        e = ent[i]
        w = weight[e]
        j = i - 1
        while j >= a:
            cj = col[j]
            ej = ent[j]
            if cj < c or (cj == c and (weight[ej] < w or (weight[ej] == w and ej < e))):
                break
            col[j + 1] = cj
            ent[j + 1] = ej
            j -= 1
        col[j + 1] = c
        ent[j + 1] = e


@numba.njit(cache=True, nogil=True)
def csr_entries(
    u: np.ndarray, v: np.ndarray, weight: np.ndarray, n: int, col: np.ndarray, ent: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR structure of the symmetric graph: both directions, no loops, fastest parallel edge.

    ``col`` and ``ent`` are filled (length: twice the number of edges that are no loop; their
    dtypes are those of the result).

    Returns
    -------
    indptr, indices, entry
        Row pointers (int64), sorted column indices and, per entry, the edge row of the fastest
        of the parallel edges it stands for (the first of equally fast ones); views of ``col``
        and ``ent``.
    """
    m = u.shape[0]
    indptr = np.zeros(n + 1, np.int64)
    for i in range(m):
        if u[i] != v[i]:
            indptr[u[i] + 1] += 1
            indptr[v[i] + 1] += 1
    for r in range(n):
        indptr[r + 1] += indptr[r]
    fill = indptr[:n].copy()
    for i in range(m):
        a = u[i]
        b = v[i]
        if a != b:
            col[fill[a]] = b
            ent[fill[a]] = i
            fill[a] += 1
            col[fill[b]] = a
            ent[fill[b]] = i
            fill[b] += 1
    write = 0
    start = 0
    for r in range(n):
        end = indptr[r + 1]
        _sort_row(col, ent, weight, start, end)
        indptr[r] = write
        for k in range(start, end):
            if k > start and col[k] == col[k - 1]:
                continue  # a slower (or later) parallel edge
            col[write] = col[k]
            ent[write] = ent[k]
            write += 1
        start = end
    indptr[n] = write
    return indptr, col[:write], ent[:write]


@numba.njit(cache=True, nogil=True)
def orient_runs(
    coords: np.ndarray, offsets: np.ndarray, x: np.ndarray, y: np.ndarray, u: np.ndarray
) -> np.ndarray:
    """Reverse, in place, every coordinate run whose last point is nearer to its ``u`` node.

    Returns
    -------
    numpy.ndarray
        Boolean per run: whether it was reversed.
    """
    m = offsets.shape[0] - 1
    reverse = np.zeros(m, np.bool_)
    for e in range(m):
        s = offsets[e]
        t = offsets[e + 1] - 1
        ux = x[u[e]]
        uy = y[u[e]]
        d_first = (coords[s, 0] - ux) ** 2 + (coords[s, 1] - uy) ** 2
        d_last = (coords[t, 0] - ux) ** 2 + (coords[t, 1] - uy) ** 2
        if d_last < d_first:
            reverse[e] = True
            while s < t:
                for c in range(2):
                    tmp = coords[s, c]
                    coords[s, c] = coords[t, c]
                    coords[t, c] = tmp
                s += 1
                t -= 1
    return reverse


@numba.njit(cache=True, nogil=True)
def components(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Connected component of every node of a symmetric CSR graph (labels by lowest node).

    The same labels as ``scipy.sparse.csgraph.connected_components(directed=False)`` (tested),
    without its transposed copy of the matrix.
    """
    n = indptr.shape[0] - 1
    label = np.full(n, -1, np.int32)
    stack = np.empty(n, np.int32)
    current = 0
    for start in range(n):
        if label[start] >= 0:
            continue
        label[start] = current
        top = 0
        stack[0] = start
        while top >= 0:
            node = stack[top]
            top -= 1
            for k in range(indptr[node], indptr[node + 1]):
                other = indices[k]
                if label[other] < 0:
                    label[other] = current
                    top += 1
                    stack[top] = other
        current += 1
    return label
