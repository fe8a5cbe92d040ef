"""Isochrones: the area reachable within given minutes from one or more points.

Method: one bounded multi-source Dijkstra gives every node its travel time *t*. An edge whose
ends are both reached early enough is taken whole; at the boundary an edge is cut at exactly the
reachable length (remaining time × speed, divided by the edge's factor), from either end, and the
edge a source sits on is walked from the source's foot point in both directions. The reachable
edge parts are then buffered by a small walking buffer (default 25 m: the front of the houses
along a reachable street).

Why a buffer and not a concave hull of reached points: a hull bridges whatever lies between
reachable streets – a river, a railway, a row of steps the wheelchair profile cannot use – and
would show people as reaching places they cannot. The buffer only covers what is actually along
a reachable way, which is the point of barrier-aware isochrones.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analyses.network.graph import NetworkGraph
from analyses.network.search import check_minutes, source_field
from analyses.network.snapping import DEFAULT_MAX_SNAP_M, SnappedPoints, snap_points
from layers.errors import AnalysisError

__all__ = [
    "DEFAULT_BUFFER_M",
    "edge_substrings",
    "isochrones",
    "merge_intervals",
    "reachable_edge_parts",
]

DEFAULT_BUFFER_M = 25.0


def reachable_edge_parts(
    graph: NetworkGraph,
    sources: SnappedPoints,
    node_seconds: np.ndarray,
    limit_seconds: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edge parts reachable within ``limit_seconds``.

    Parameters
    ----------
    graph
        The network.
    sources
        The snapped start points (their own edges are walked from the foot points).
    node_seconds
        Travel time per node from :func:`analyses.network.search.source_field`.
    limit_seconds
        The time budget.

    Returns
    -------
    tuple of numpy.ndarray
        Edge rows, start and end fractions (0 = ``edge_u``, 1 = ``edge_v``) of every part.
    """
    w = graph.edge_seconds
    ta = node_seconds[graph.edge_u]
    tb = node_seconds[graph.edge_v]
    ra = limit_seconds - ta
    rb = limit_seconds - tb
    with np.errstate(invalid="ignore", divide="ignore"):
        whole = (ra >= w) | (rb >= w) | ((ra > 0) & (rb > 0) & (ra + rb >= w))
        from_a = ~whole & (ra > 0)
        from_b = ~whole & (rb > 0)
        frac_a = np.where(w > 0, ra / w, 1.0)
        frac_b = np.where(w > 0, 1.0 - rb / w, 0.0)
    rows = [np.flatnonzero(whole), np.flatnonzero(from_a), np.flatnonzero(from_b)]
    starts = [np.zeros(len(rows[0])), np.zeros(len(rows[1])), frac_b[rows[2]]]
    ends = [np.ones(len(rows[0])), frac_a[rows[1]], np.ones(len(rows[2]))]
    # Along the sources' own edges, from the foot point in both directions.
    ok = sources.connected & (sources.snap_seconds <= limit_seconds)
    if ok.any():
        edge = sources.edge[ok]
        remaining = limit_seconds - sources.snap_seconds[ok]
        with np.errstate(invalid="ignore", divide="ignore"):
            reach = np.where(w[edge] > 0, remaining / w[edge], 1.0)
        rows.append(edge)
        starts.append(np.clip(sources.frac[ok] - reach, 0.0, 1.0))
        ends.append(np.clip(sources.frac[ok] + reach, 0.0, 1.0))
    return merge_intervals(np.concatenate(rows), np.concatenate(starts), np.concatenate(ends))


def merge_intervals(
    rows: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unite overlapping intervals on the same edge (vectorised), so no way is counted twice."""
    keep = end > start
    rows, start, end = rows[keep], start[keep], end[keep]
    if len(rows) == 0:
        return rows.astype(np.int64), start, end
    order = np.lexsort((start, rows))
    rows, start, end = rows[order], start[order], end[order]
    # Running maximum of the end within each edge: fractions lie in [0, 1], so offsetting each
    # edge by 2 × its row keeps one global accumulate from mixing edges.
    running = np.maximum.accumulate(rows * 2.0 + end) - rows * 2.0
    new_group = np.ones(len(rows), dtype=bool)
    new_group[1:] = (rows[1:] != rows[:-1]) | (start[1:] > running[:-1])
    first = np.flatnonzero(new_group)
    return rows[first].astype(np.int64), start[first], np.maximum.reduceat(end, first)


def edge_substrings(
    graph: NetworkGraph, rows: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cut edges to the parts between two fractions of their length (vectorised).

    Returns
    -------
    tuple of numpy.ndarray
        Shapely LineStrings, and for each the position of its part in the input arrays (parts
        shorter than 1 mm are dropped).
    """
    lines = graph.edge_lines()
    position = np.arange(len(rows))
    length = shapely.length(lines[rows]) if len(rows) else np.zeros(0)
    d0, d1 = start * length, end * length
    keep = d1 - d0 > 1e-3
    rows, d0, d1, position = rows[keep], d0[keep], d1[keep], position[keep]
    if len(rows) == 0:
        return np.array([], dtype=object), position
    coords = graph.edge_coords
    offsets = graph.edge_offsets
    cumulative = _cumulative_lengths(graph)
    counts = offsets[rows + 1] - offsets[rows]
    part = np.repeat(np.arange(len(rows)), counts)
    first = np.cumsum(counts) - counts
    vertex = offsets[rows][part] + (np.arange(int(counts.sum())) - first[part])
    along = cumulative[vertex]
    inside = (along > d0[part]) & (along < d1[part])
    start_pts = shapely.get_coordinates(shapely.line_interpolate_point(lines[rows], d0))
    end_pts = shapely.get_coordinates(shapely.line_interpolate_point(lines[rows], d1))
    n_parts = len(rows)
    all_part = np.concatenate([np.arange(n_parts), part[inside], np.arange(n_parts)])
    all_key = np.concatenate([np.full(n_parts, -1.0), along[inside], np.full(n_parts, np.inf)])
    all_xy = np.concatenate([start_pts, coords[vertex[inside]], end_pts])
    order = np.lexsort((all_key, all_part))
    return shapely.linestrings(all_xy[order], indices=all_part[order]), position


def _cumulative_lengths(graph: NetworkGraph) -> np.ndarray:
    """Distance of every vertex from the start of its edge (cached on the graph)."""
    cached: np.ndarray | None = graph.memo.get("cumulative_lengths")
    if cached is not None:
        return cached
    coords = graph.edge_coords
    offsets = graph.edge_offsets
    step = np.zeros(len(coords))
    step[1:] = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
    step[offsets[:-1]] = 0.0  # no step across the start of an edge
    total = np.cumsum(step)
    edge_of_vertex = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    cumulative: np.ndarray = total - total[offsets[:-1]][edge_of_vertex]
    graph.memo["cumulative_lengths"] = cumulative
    return cumulative


def isochrones(
    graph: NetworkGraph,
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    minuten: float | Iterable[float],
    *,
    puffer_m: float = DEFAULT_BUFFER_M,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
    ringe: bool = False,
) -> gpd.GeoDataFrame:
    """Isochrone polygons around one or more start points.

    Several points give the area reachable from *any* of them (e.g. all EUTB offices).

    Parameters
    ----------
    graph
        The network of one profile.
    points
        Start points (a service, a stop, an address …) in the graph's CRS.
    minuten
        One or more time budgets (> 0).
    puffer_m, max_anbindung_m
        Walking buffer around the reachable edge parts (m, > 0); largest distance of a start
        point from the network.
    ringe
        Return rings (area between the previous and this budget) instead of nested areas.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per budget, ascending: ``minuten``, ``flaeche_km2``, ``kanten_m`` (length of the
        reachable ways), ``profil``, ``unbekannt``, ``puffer_m``; polygons in the graph's CRS.

    Raises
    ------
    AnalysisError
        Budget ≤ 0, buffer ≤ 0, no start point, or every start point off the network.
    """
    budgets = sorted(set(check_minutes(minuten)))
    sources = _start_points(graph, points, puffer_m, max_anbindung_m)
    field = source_field(graph, sources, limit_seconds=max(budgets) * 60.0)
    stamp = {"profil": graph.profil.name, "unbekannt": graph.unbekannt, "puffer_m": float(puffer_m)}
    records = []
    geometries = []
    growing = _Growing(graph, sources, field.seconds, puffer_m)
    for budget in budgets:
        area, parts = growing.area(budget * 60.0)
        previous = growing.previous
        shown = shapely.difference(area, previous) if ringe and not previous.is_empty else area
        growing.previous = area
        geometries.append(shown)
        length = round(float(shapely.length(parts).sum()) if len(parts) else 0.0, 1)
        records.append({"minuten": budget, "flaeche_km2": round(float(shapely.area(shown)) / 1e6, 4),
                        "kanten_m": length, **stamp})
    result = gpd.GeoDataFrame(pd.DataFrame(records), geometry=geometries, crs=graph.crs)
    result.attrs.update(stamp)
    return result


def _start_points(
    graph: NetworkGraph,
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    puffer_m: float,
    max_anbindung_m: float,
) -> SnappedPoints:
    """Snap the start points; raise for a bad buffer, no point, or none on the network."""
    if not (np.isfinite(puffer_m) and puffer_m > 0):
        raise AnalysisError(
            f"Der Puffer um erreichbare Wege muss größer als 0 m sein (angegeben: {puffer_m}).",
            hinweis="Üblich sind 20 bis 50 m.",
        )
    if len(points) == 0:
        raise AnalysisError(
            "Es ist kein Startpunkt für die Isochrone angegeben.",
            hinweis="Wählen Sie ein Angebot oder einen Punkt auf der Karte.",
        )
    sources = snap_points(graph, points, max_anbindung_m, name="Startpunkte")
    if not sources.connected.any():
        raise AnalysisError(
            f"Kein Startpunkt liegt näher als {max_anbindung_m:.0f} m am Wegenetz des Profils "
            f"'{graph.profil.name}'.",
            hinweis="Prüfen Sie die Lage der Startpunkte oder erhöhen Sie die maximale "
            "Anbindungsdistanz.",
        )
    return sources


class _Growing:
    """The isochrone area for increasing budgets, each built on the previous one.

    Larger budgets only add to the area of smaller ones: only the edge parts that were not
    already whole edges before are buffered, and united with the previous polygon.
    """

    def __init__(
        self, graph: NetworkGraph, sources: SnappedPoints, node_seconds: np.ndarray,
        puffer_m: float,
    ) -> None:
        self.graph = graph
        self.sources = sources
        self.node_seconds = node_seconds
        self.puffer_m = puffer_m
        self.previous: shapely.Geometry = shapely.Polygon()
        self.whole_before = np.zeros(len(graph.edge_seconds), dtype=bool)

    def area(self, seconds: float) -> tuple[shapely.Geometry, np.ndarray]:
        """Return the area reachable within ``seconds`` and the reachable edge parts (lines)."""
        graph = self.graph
        rows, start, end = reachable_edge_parts(graph, self.sources, self.node_seconds, seconds)
        parts, position = edge_substrings(graph, rows, start, end)
        new = ~self.whole_before[rows[position]]
        lines = np.concatenate([parts[new], _connectors(graph, self.sources, seconds)])
        pieces = [self.previous] if not self.previous.is_empty else []
        if len(lines):
            # Buffering each part and uniting the polygons (cascaded union) is an order of
            # magnitude faster in GEOS than buffering one MultiLineString.
            pieces.append(shapely.union_all(shapely.buffer(lines, self.puffer_m, quad_segs=4)))
        area = shapely.union_all(pieces) if pieces else shapely.Polygon()
        whole_now = np.zeros_like(self.whole_before)
        whole_now[rows[(start <= 0.0) & (end >= 1.0)]] = True
        self.whole_before |= whole_now
        return area, parts


def _connectors(graph: NetworkGraph, sources: SnappedPoints, seconds: float) -> np.ndarray:
    """Return the straight ways from start points to their foot points (if walked within the budget)."""
    ok = sources.connected & (sources.snap_seconds <= seconds) & (sources.distance_m > 1e-3)
    if not ok.any():
        return np.array([], dtype=object)
    foot = shapely.line_interpolate_point(
        graph.edge_lines()[sources.edge[ok]], sources.frac[ok], normalized=True
    )
    start = shapely.points(sources.x[ok], sources.y[ok])
    coords = np.empty((2 * int(ok.sum()), 2))
    coords[0::2] = shapely.get_coordinates(start)
    coords[1::2] = shapely.get_coordinates(foot)
    lines: np.ndarray = shapely.linestrings(coords, indices=np.repeat(np.arange(int(ok.sum())), 2))
    return lines
