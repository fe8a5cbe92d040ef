"""Nearest edge segment of many points: a uniform grid over the segments, searched in rings (numba).

:func:`analyses.network.snapping.snap_points` uses this on networks of at least
:data:`analyses.network.build.KERNEL_MIN_EDGES` edges instead of shapely's STRtree, which needs
one GEOS LineString per edge (about 250 bytes each and seconds to build on millions of edges)
and answers ``query_nearest`` at about 15 µs per point. Here the segments of the snappable
edges (consecutive coordinates of ``graph.edge_coords``) are listed per grid cell their bounding
box touches (:func:`segment_grid`); a point then checks the cells in rings of growing Chebyshev
distance around its own cell and stops once the nearest segment found is no farther than the
nearest cell not yet looked at (:func:`nearest_segments`). The result is exact: the same
nearest distance as GEOS; among equally near segments the first one (lowest coordinate index,
i.e. lowest edge row, then first segment of the line, as GEOS's ``project`` does) wins.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["nearest_segments", "position_along", "segment_grid"]


@numba.njit(cache=True, nogil=True)
def _cell_range(lo: float, hi: float, origin: float, cell: float, count: int) -> tuple[int, int]:
    a = int(np.floor((lo - origin) / cell))
    b = int(np.floor((hi - origin) / cell))
    return max(a, 0), min(b, count - 1)


@numba.njit(cache=True, nogil=True)
def segment_grid(
    coords: np.ndarray, offsets: np.ndarray, rows: np.ndarray, x0: float, y0: float,
    cell: float, nx: int, ny: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per grid cell the segments whose bounding box touches it (CSR: pointers, start indices).

    A segment is named by the index of its first coordinate in ``coords``; the segments of edge
    ``e`` are ``offsets[e] … offsets[e + 1] − 2``. Only the edges in ``rows`` are listed.
    """
    pointer = np.zeros(nx * ny + 1, np.int64)
    listed = np.empty(0, np.int64)
    fill = pointer[:1]
    for p in range(2):  # first count per cell, then fill
        if p == 1:
            for c in range(nx * ny):
                pointer[c + 1] += pointer[c]
            listed = np.empty(pointer[-1], np.int64)
            fill = pointer[:-1].copy()
        for r in range(rows.shape[0]):
            e = rows[r]
            for k in range(offsets[e], offsets[e + 1] - 1):
                ax, ay, bx, by = coords[k, 0], coords[k, 1], coords[k + 1, 0], coords[k + 1, 1]
                i0, i1 = _cell_range(min(ax, bx), max(ax, bx), x0, cell, nx)
                j0, j1 = _cell_range(min(ay, by), max(ay, by), y0, cell, ny)
                for j in range(j0, j1 + 1):
                    for i in range(i0, i1 + 1):
                        c = j * nx + i
                        if p == 0:
                            pointer[c + 1] += 1
                        else:
                            listed[fill[c]] = k
                            fill[c] += 1
    return pointer, listed


@numba.njit(cache=True, nogil=True)
def _check_cell(
    px: float, py: float, coords: np.ndarray, pointer: np.ndarray, listed: np.ndarray, c: int,
    best: np.ndarray,
) -> None:
    """Update ``best`` = [squared distance, segment, t] with the segments of cell ``c``."""
    for q in range(pointer[c], pointer[c + 1]):
        k = listed[q]
        ax, ay = coords[k, 0], coords[k, 1]
        dx, dy = coords[k + 1, 0] - ax, coords[k + 1, 1] - ay
        length2 = dx * dx + dy * dy
        t = 0.0
        if length2 > 0.0:
            t = ((px - ax) * dx + (py - ay) * dy) / length2
            t = min(max(t, 0.0), 1.0)
        ex, ey = ax + t * dx - px, ay + t * dy - py
        d2 = ex * ex + ey * ey
        if d2 < best[0] or (d2 == best[0] and k < best[1]):
            best[0] = d2
            best[1] = k
            best[2] = t


@numba.njit(cache=True, nogil=True)
def nearest_segments(
    points: np.ndarray, coords: np.ndarray, pointer: np.ndarray, listed: np.ndarray,
    x0: float, y0: float, cell: float, nx: int, ny: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per point the nearest listed segment, its distance and the position ``t`` on it (0–1).

    Returns
    -------
    segment, distance, t
        Segment (first coordinate index; −1 if the grid lists none), distance, and where the
        foot point lies on the segment.
    """
    m = points.shape[0]
    segment = np.full(m, -1, np.int64)
    distance = np.full(m, np.inf)
    along = np.zeros(m)
    best = np.empty(3)
    if listed.shape[0] == 0:
        return segment, distance, along
    for p in range(m):
        px, py = points[p, 0], points[p, 1]
        cx = int(np.floor((px - x0) / cell))
        cy = int(np.floor((py - y0) / cell))
        best[0], best[1], best[2] = np.inf, -1.0, 0.0
        r = max(0, -cx, cx - (nx - 1), -cy, cy - (ny - 1))  # first ring that touches the grid
        while True:
            j0, j1 = max(cy - r, 0), min(cy + r, ny - 1)
            for i in range(max(cx - r, 0), min(cx + r, nx - 1) + 1):
                if i == cx - r or i == cx + r:
                    for j in range(j0, j1 + 1):
                        _check_cell(px, py, coords, pointer, listed, j * nx + i, best)
                else:
                    if cy - r >= 0:
                        _check_cell(px, py, coords, pointer, listed, (cy - r) * nx + i, best)
                    if cy + r <= ny - 1 and r > 0:
                        _check_cell(px, py, coords, pointer, listed, (cy + r) * nx + i, best)
            # every cell not yet checked lies outside the square of rings 0 … r around the point
            bound = min(px - (x0 + (cx - r) * cell), x0 + (cx + r + 1) * cell - px,
                        py - (y0 + (cy - r) * cell), y0 + (cy + r + 1) * cell - py)
            covered = cx - r <= 0 and cx + r >= nx - 1 and cy - r <= 0 and cy + r >= ny - 1
            if covered or (best[1] >= 0 and best[0] < bound * bound):
                break
            r += 1
        if best[1] >= 0:
            segment[p] = int(best[1])
            distance[p] = np.sqrt(best[0])
            along[p] = best[2]
    return segment, distance, along


@numba.njit(cache=True, nogil=True)
def position_along(
    coords: np.ndarray, offsets: np.ndarray, edge: np.ndarray, segment: np.ndarray, t: np.ndarray
) -> np.ndarray:
    """Share of the line's length before the foot point ``t`` on ``segment`` of ``edge`` (0–1)."""
    m = edge.shape[0]
    frac = np.zeros(m)
    for p in range(m):
        e = edge[p]
        before = 0.0
        total = 0.0
        for k in range(offsets[e], offsets[e + 1] - 1):
            length = np.hypot(coords[k + 1, 0] - coords[k, 0], coords[k + 1, 1] - coords[k, 1])
            if k < segment[p]:
                before += length
            elif k == segment[p]:
                before += t[p] * length
            total += length
        if total > 0.0:
            frac[p] = before / total
    return frac
