"""Attach points (origins, services, stops) to the nearest edge of a profile's main network.

A point is projected onto the nearest snappable edge (not merely the nearest node): it enters
the network at that foot point, from where the two ends of the edge are reached after the
partial lengths. The straight way from the point to the foot point (the snap distance) is walked
at the profile speed. Points farther away than ``max_anbindung_m`` are kept, marked as not
connected ("nicht angebunden"), and never silently dropped.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analyses.network import build
from analyses.network.graph import NetworkGraph
from layers.errors import AnalysisError, GeometryError, Problem
from layers.validation import FIRST_DATA_ROW, require_crs

__all__ = [
    "DEFAULT_MAX_SNAP_M",
    "PAIRS_KEPT",
    "SNAP_MEMO_SIZE",
    "SnappedPoints",
    "point_geometries",
    "snap_kernel",
    "snap_points",
    "snapped_points_frame",
]

DEFAULT_MAX_SNAP_M = 250.0
SNAP_MEMO_SIZE = 16


# Origin sets per source set whose shared-edge pairs are kept (SnappedPoints.pairs_with).
PAIRS_KEPT = 4


@dataclass(eq=False)
class SnappedPoints:
    """Points attached to a graph.

    Attributes
    ----------
    index
        The index of the input rows (results are indexed like the input).
    graph_key
        Key of the graph the points were snapped to.
    edge
        Edge row (in the graph's edge arrays) each point is attached to; −1 if not connected.
    frac
        Position of the foot point along the edge, from ``edge_u`` (0) to ``edge_v`` (1).
    distance_m
        Straight distance from the point to its foot point (reported also when too far).
    connected
        Whether the point is within ``max_anbindung_m`` of the main network.
    cost_u, cost_v
        Seconds from the point to the edge's ``u`` and ``v`` node (snap walk + partial edge);
        ``inf`` if not connected.
    snap_seconds
        Seconds of the snap walk alone.
    x, y
        Coordinates of the points (polygon inputs: centroids).
    max_anbindung_m
        The snap limit used.
    """

    index: pd.Index
    graph_key: str
    edge: np.ndarray
    frac: np.ndarray
    distance_m: np.ndarray
    connected: np.ndarray
    cost_u: np.ndarray
    cost_v: np.ndarray
    snap_seconds: np.ndarray
    x: np.ndarray
    y: np.ndarray
    max_anbindung_m: float
    _edge_order: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _end_mask: np.ndarray | None = field(default=None, repr=False)
    _ends: tuple[np.ndarray, ...] | None = field(default=None, repr=False)
    _pairs: dict[int, tuple[SnappedPoints, np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False
    )

    def __len__(self) -> int:
        """Return the number of points."""
        return len(self.edge)

    def edge_order(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the connected points sorted by edge, and their edges (cached; for same-edge lookups)."""
        cached = self._edge_order
        if cached is None:
            rows = np.flatnonzero(self.connected)
            order = rows[np.argsort(self.edge[rows], kind="stable")]
            cached = (order, self.edge[order])
            self._edge_order = cached
        return cached

    def end_mask(self, edge_u: np.ndarray, edge_v: np.ndarray, n_nodes: int) -> np.ndarray:
        """Boolean mask of the graph's nodes at the ends of the connected points' edges (cached).

        The arrays are those of the graph the points were snapped to (``graph_key``); the mask
        is what a nearest-point search over these points reads (treat it as read-only).
        """
        cached = self._end_mask
        if cached is None or len(cached) != n_nodes:
            cached = np.zeros(n_nodes, dtype=bool)
            _, u, v, _, _ = self.edge_ends(edge_u, edge_v)
            cached[u] = True
            cached[v] = True
            self._end_mask = cached
        return cached

    def edge_ends(
        self, edge_u: np.ndarray, edge_v: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The connected points (rows), their edges' end nodes and the seconds to them (cached).

        What every nearest-point evaluation reads per point (a page asks many questions of the
        same origins). The arrays are those of the graph the points were snapped to; returns
        ``(rows, u, v, cost_u, cost_v)``, read-only.
        """
        cached = self._ends
        if cached is None:
            rows = np.flatnonzero(self.connected)
            edges = self.edge[rows]
            cached = (rows, edge_u[edges], edge_v[edges], self.cost_u[rows], self.cost_v[rows])
            self._ends = cached
        rows, u, v, cost_u, cost_v = cached
        return rows, u, v, cost_u, cost_v

    def pairs_with(
        self, origins: SnappedPoints, make: Callable[[], tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The (origin, source) pairs on shared edges with ``origins``, made once per origins.

        ``make`` computes them (:func:`analyses.network.shared_edges.same_edge_pairs`). Kept
        for the last :data:`PAIRS_KEPT` origins (snapped points are not changed once made);
        each entry holds its origins, so that their ``id`` cannot be reused while it is kept.
        """
        cached = self._pairs.get(id(origins))
        if cached is None or cached[0] is not origins:
            if len(self._pairs) >= PAIRS_KEPT:
                self._pairs.pop(next(iter(self._pairs)))
            cached = (origins, *make())
            self._pairs[id(origins)] = cached
        return cached[1], cached[2]

    def subset(self, mask: np.ndarray) -> SnappedPoints:
        """Return the points where ``mask`` is true (a boolean or integer selector)."""
        return SnappedPoints(
            index=self.index[mask],
            graph_key=self.graph_key,
            edge=self.edge[mask],
            frac=self.frac[mask],
            distance_m=self.distance_m[mask],
            connected=self.connected[mask],
            cost_u=self.cost_u[mask],
            cost_v=self.cost_v[mask],
            snap_seconds=self.snap_seconds[mask],
            x=self.x[mask],
            y=self.y[mask],
            max_anbindung_m=self.max_anbindung_m,
        )


def point_geometries(
    layer: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str
) -> np.ndarray:
    """Point geometries of a layer: points as they are, lines and polygons by their centroid.

    Raises
    ------
    GeometryError
        If a row has no geometry (listing the rows).
    """
    geoms: np.ndarray = (
        layer.geometry.to_numpy() if isinstance(layer, gpd.GeoDataFrame) else layer.to_numpy()
    )
    missing = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if missing.any():
        problems = [
            Problem(
                f"Objekt ohne Geometrie in '{name}'.",
                "Ergänzen Sie die Lage (Koordinaten oder Adresse) oder entfernen Sie die Zeile.",
                zeile=int(pos) + FIRST_DATA_ROW,
                spalte="geometry",
            )
            for pos in np.flatnonzero(missing)
        ]
        raise GeometryError(
            f"{int(missing.sum())} Objekte in '{name}' haben keine Geometrie; sie können nicht "
            "an das Wegenetz angebunden werden.",
            hinweis="Ergänzen Sie die Lage oder entfernen Sie die Zeilen.",
            probleme=problems,
        )
    types = shapely.get_type_id(geoms)
    if (types == 0).all():
        return geoms
    result = geoms.copy()
    others = types != 0
    result[others] = shapely.centroid(geoms[others])
    return result


def snap_points(
    graph: NetworkGraph,
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
    *,
    name: str = "Startpunkte",
) -> SnappedPoints:
    """Attach points to the nearest edge of the graph's main network.

    Parameters
    ----------
    graph
        The network of one profile.
    points
        Points, lines or polygons (by centroid) in the graph's CRS.
    max_anbindung_m
        Largest allowed straight distance to the network (m).
    name
        Name of the layer for messages.

    Returns
    -------
    SnappedPoints
        Indexed like ``points``; the input is not changed.

    Raises
    ------
    CRSError
        If ``points`` is not in the graph's CRS.
    GeometryError
        If a row has no geometry.
    AnalysisError
        If ``max_anbindung_m`` is not a positive number.
    """
    if not (np.isfinite(max_anbindung_m) and max_anbindung_m > 0):
        raise AnalysisError(
            f"Die maximale Anbindungsdistanz muss größer als 0 m sein (angegeben: {max_anbindung_m}).",
            hinweis="Üblich sind 100 bis 500 m; voreingestellt sind 250 m.",
        )
    require_crs(points, graph.crs, name=name)
    geoms = point_geometries(points, name=name)
    coords = shapely.get_coordinates(geoms)
    memo_key = (
        "snap",
        hashlib.sha1(np.ascontiguousarray(coords).tobytes()).hexdigest(),
        float(max_anbindung_m),
        hashlib.sha1(
            pd.util.hash_pandas_object(points.index.to_series(), index=False).to_numpy().tobytes()
        ).hexdigest(),
    )
    cached = graph.memo.get(memo_key)
    if cached is not None:
        return cached
    result = _snap(graph, geoms, coords, points.index, float(max_anbindung_m))
    if len(graph.memo) >= SNAP_MEMO_SIZE:
        graph.memo.pop(next(iter(graph.memo)))
    graph.memo[memo_key] = result
    return result


def _snap(
    graph: NetworkGraph,
    geoms: np.ndarray,
    coords: np.ndarray,
    index: pd.Index,
    max_m: float,
) -> SnappedPoints:
    n = len(geoms)
    kernel = snap_kernel(graph)
    if kernel is not None:
        edge, distance, frac = _nearest_by_grid(graph, kernel, coords)
    else:
        edge, distance, frac = _nearest_by_tree(graph, geoms, coords, max_m)
    frac = np.clip(frac, 0.0, 1.0)
    connected = (edge >= 0) & (distance <= max_m)
    snap_s = np.where(connected, distance / graph.speed, np.inf)
    seconds = np.where(connected, graph.edge_seconds[np.maximum(edge, 0)], 0.0)
    cost_u = np.where(connected, snap_s + frac * seconds, np.inf)
    cost_v = np.where(connected, snap_s + (1.0 - frac) * seconds, np.inf)
    return SnappedPoints(
        index=index,
        graph_key=graph.key,
        edge=np.where(connected, edge, -1),
        frac=frac,
        distance_m=distance,
        connected=connected,
        cost_u=cost_u,
        cost_v=cost_v,
        snap_seconds=snap_s,
        x=coords[:, 0].copy() if n else np.zeros(0),
        y=coords[:, 1].copy() if n else np.zeros(0),
        max_anbindung_m=max_m,
    )


def snap_kernel(graph: NetworkGraph) -> ModuleType | None:
    """The compiled grid search (:mod:`analyses.network.kernels.snap`) for large graphs, else None.

    Used from :data:`analyses.network.build.KERNEL_MIN_EDGES` edges on (smaller graphs keep
    shapely's STRtree: no numba import), and only if numba can be imported.
    """
    if len(graph.kante_id) < build.KERNEL_MIN_EDGES:
        return None
    try:
        return importlib.import_module("analyses.network.kernels.snap")
    except ImportError:
        return None


def _nearest_by_tree(
    graph: NetworkGraph, geoms: np.ndarray, coords: np.ndarray, max_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest snappable edge, distance and position along it, by shapely's STRtree."""
    n = len(geoms)
    tree, tree_edges = graph.snap_tree()
    lines = graph.edge_lines()
    edge = np.full(n, -1, dtype=np.int64)
    distance = np.full(n, np.nan)
    if n and len(tree_edges):
        # Query in spatial order (neighbouring points share tree nodes in the cache), first
        # within the snap limit, which prunes the search; points without a match are asked
        # again without limit, only to report how far away they are.
        cell = np.floor(coords / 500.0)
        order = np.lexsort((coords[:, 0], cell[:, 0], cell[:, 1]))
        (found_pos, tree_idx), dist = tree.query_nearest(
            geoms[order], max_distance=max_m, return_distance=True, all_matches=False
        )
        edge[order[found_pos]] = tree_edges[tree_idx]
        distance[order[found_pos]] = dist
        rest = np.flatnonzero(edge < 0)
        if len(rest):
            (rest_pos, rest_tree), rest_dist = tree.query_nearest(
                geoms[rest], return_distance=True, all_matches=False
            )
            edge[rest[rest_pos]] = tree_edges[rest_tree]
            distance[rest[rest_pos]] = rest_dist
    found = edge >= 0
    frac = np.zeros(n)
    if found.any():
        chosen = lines[edge[found]]
        along = shapely.line_locate_point(chosen, geoms[found])
        total = shapely.length(chosen)
        frac[found] = np.divide(along, total, out=np.zeros(len(along)), where=total > 0)
    return edge, distance, frac


def _grid(graph: NetworkGraph, kernel: ModuleType) -> tuple[Any, ...]:
    """The segment grid of the graph's snappable edges (built once, kept in ``graph.memo``)."""
    cached = graph.memo.get("snap_grid")
    if cached is not None:
        return cast(tuple[Any, ...], cached)
    rows = np.flatnonzero(graph.edge_snappable)
    coords, offsets = graph.edge_coords, graph.edge_offsets
    n_segments = max(int((offsets[rows + 1] - offsets[rows] - 1).sum()), 1)
    if len(coords):
        x0, y0 = float(coords[:, 0].min()), float(coords[:, 1].min())
        width, height = float(coords[:, 0].max()) - x0, float(coords[:, 1].max()) - y0
    else:
        x0 = y0 = width = height = 0.0
    # about four segments per cell on a uniform network, never smaller than a mean segment
    mean_segment = float(graph.edge_length_m[rows].sum()) / n_segments if len(rows) else 1.0
    cell = max(2.0 * np.sqrt(max(width * height, 1.0) / n_segments), mean_segment, 1e-3)
    nx, ny = int(width // cell) + 1, int(height // cell) + 1
    pointer, listed = kernel.segment_grid(coords, offsets, rows.astype(np.int64), x0, y0, cell,
                                          nx, ny)
    grid = (pointer, listed, x0, y0, cell, nx, ny)
    graph.memo["snap_grid"] = grid
    return grid


def _nearest_by_grid(
    graph: NetworkGraph, kernel: ModuleType, coords: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest snappable edge, distance and position along it, by the compiled grid search."""
    pointer, listed, x0, y0, cell, nx, ny = _grid(graph, kernel)
    # in the order of the grid cells: neighbouring points read the same cells (memory cache)
    blocks = np.floor((coords - (x0, y0)) / (8 * cell))
    order = np.lexsort((blocks[:, 0], blocks[:, 1]))
    found_segment, found_distance, found_t = kernel.nearest_segments(
        np.ascontiguousarray(coords[order], dtype=np.float64), graph.edge_coords, pointer,
        listed, x0, y0, cell, nx, ny)
    segment, distance, t = (np.empty_like(found_segment), np.empty_like(found_distance),
                            np.empty_like(found_t))
    segment[order], distance[order], t[order] = found_segment, found_distance, found_t
    found = segment >= 0
    edge = np.full(len(segment), -1, dtype=np.int64)
    frac = np.zeros(len(segment))
    if found.any():
        offsets = graph.edge_offsets
        k = segment[found]
        e = np.searchsorted(offsets, k, side="right") - 1
        edge[found] = e
        frac[found] = kernel.position_along(graph.edge_coords, offsets, e, k, t[found])
    distance[~found] = np.nan
    return edge, distance, frac


def snapped_points_frame(graph: NetworkGraph, snapped: SnappedPoints) -> gpd.GeoDataFrame:
    """Foot points on the network as a layer (for maps and checks), indexed like the input."""
    lines = graph.edge_lines()
    foot = np.full(len(snapped), None, dtype=object)
    ok = snapped.connected
    if ok.any():
        foot[ok] = shapely.line_interpolate_point(
            lines[snapped.edge[ok]], snapped.frac[ok], normalized=True
        )
    return gpd.GeoDataFrame(
        {
            "anbindung_m": snapped.distance_m,
            "angebunden": snapped.connected,
            "kante_id": np.where(ok, graph.kante_id[np.maximum(snapped.edge, 0)], -1),
        },
        geometry=list(foot),
        index=snapped.index,
        crs=graph.crs,
    )
