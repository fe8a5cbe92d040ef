"""The ÖV-Güteklassen as polygons (better grades win where areas overlap).

Straight-line mode: discs around the stations of each category, as in the ARE method. Network
mode: the parts of the ways reachable from the stations within each grade's distance, buffered
like isochrones (:mod:`analyses.isochrones`).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from analyses.isochrones import edge_substrings, merge_intervals, reachable_edge_parts
from analyses.network.graph import NetworkGraph
from analyses.network.search import SourceField, snap_targets, source_field
from analyses.network.snapping import DEFAULT_MAX_SNAP_M, SnappedPoints
from analyses.transit.grades import check_distance_mode, check_stations
from analyses.transit.method import GueteklassenMethod, load_method
from layers.errors import AnalysisError
from layers.progress import ProgressCallback, Steps

__all__ = ["gueteklassen_flaechen"]

_Fields = dict[int, tuple[SnappedPoints, SourceField]]


def gueteklassen_flaechen(
    stations: gpd.GeoDataFrame,
    *,
    distanz: str = "luftlinie",
    graph: NetworkGraph | None = None,
    puffer_m: float = 25.0,
    method: GueteklassenMethod | None = None,
    progress: ProgressCallback | None = None,
) -> gpd.GeoDataFrame:
    """Return the Güteklassen as polygons (better grades win where areas overlap).

    Parameters
    ----------
    stations
        Stations with ``kategorie`` (:func:`stations_layer`).
    distanz
        ``"luftlinie"`` (circles, default as in the ARE method) or ``"netz"`` (areas reachable
        on the network, built like isochrones; needs ``graph``).
    graph
        The network for ``distanz="netz"``.
    puffer_m
        Walking buffer around reachable ways (network mode).
    progress
        Callback ``(fraction, label)`` for the app; a terminal bar without it (network mode
        takes a few seconds per region).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per grade present: ``gueteklasse``, ``flaeche_km2``, ``distanz_art``.
    """
    method = method or load_method()
    check_distance_mode(distanz)
    if distanz == "netz" and graph is None:
        raise AnalysisError(
            "Für Güteklassen-Flächen im Wegenetz fehlt das Netz.",
            hinweis="Übergeben Sie den Graphen des Profils, z. B. region.graph('fuss').",
        )
    crs = graph.crs if graph is not None else CRS.from_user_input(stations.crs)
    rated = check_stations(stations, crs)
    letters = sorted({g for row in method.grades.values() for g in row if g})
    categories = sorted(set(rated["kategorie"].astype(int)))
    members = {c: rated[rated["kategorie"].astype(int) == c] for c in categories}
    steps = Steps(len(letters), "ÖV-Güteklassen-Flächen", progress)
    grow: _DiscGrades | _NetworkGrades
    if graph is None or distanz == "luftlinie":
        grow = _DiscGrades(method, members)
    else:
        grow = _NetworkGrades(method, graph, _network_fields(graph, members, method), puffer_m)
    records, geometries = _grade_areas(grow, letters, steps, distanz)
    result = gpd.GeoDataFrame(pd.DataFrame(records), geometry=geometries, crs=crs)
    result.attrs.update({k: v for k, v in stations.attrs.items() if k in ("datum", "von", "bis")})
    return result


def _grade_areas(
    grow: _DiscGrades | _NetworkGrades, letters: list[str], steps: Steps, distanz: str
) -> tuple[list[dict[str, Any]], list[Any]]:
    """From the best grade down: each grade's own area (what better grades left over)."""
    records: list[dict[str, Any]] = []
    geometries = []
    covered = shapely.Polygon()
    for grade_number, letter in enumerate(letters):
        if grade_number:
            steps.advance()  # the previous grade is done (its iteration may have ended early)
        steps.step(f"Güteklasse {letter}")
        cumulative = grow.cumulative(letter, covered)
        if cumulative is None:
            continue
        own = shapely.difference(cumulative, covered)
        covered = cumulative
        if own.is_empty:
            continue
        records.append(
            {"gueteklasse": letter, "flaeche_km2": round(own.area / 1e6, 3), "distanz_art": distanz}
        )
        geometries.append(own)
    steps.advance()
    steps.__exit__(None, None, None)  # closes the terminal bar
    return records, geometries


def _radius(method: GueteklassenMethod, category: int, letter: str) -> float | None:
    """Largest distance at which a stop of this category still gives ``letter`` or better."""
    best = None
    for position, grade in enumerate(method.grades.get(category, ())):
        if grade is not None and grade <= letter:
            best = method.bands_m[position]
    return best


class _DiscGrades:
    """Straight-line mode: discs of each category's radius around its stations."""

    def __init__(self, method: GueteklassenMethod, members: dict[int, gpd.GeoDataFrame]) -> None:
        self.method = method
        self.centres = {c: shapely.union_all(m.geometry.to_numpy()) for c, m in members.items()}

    def cumulative(self, letter: str, covered: Any) -> Any:
        """Return the area of this grade or better (with what better grades covered)."""
        discs = [
            shapely.buffer(centre, r, quad_segs=16)
            for c, centre in self.centres.items()
            if (r := _radius(self.method, c, letter)) is not None
        ]
        return shapely.union_all([covered, *discs])


def _network_fields(
    graph: NetworkGraph, members: dict[int, gpd.GeoDataFrame], method: GueteklassenMethod
) -> _Fields:
    """Per category with a station on the network: its snapped stations and time field."""
    fields: _Fields = {}
    for c, stations in members.items():
        try:
            sources, _ = snap_targets(
                graph, stations, DEFAULT_MAX_SNAP_M, name="Haltestellen",
                labels=list(stations["name"].astype(str)),
            )
        except AnalysisError:
            continue
        limit = max(method.bands_m) / graph.speed
        fields[c] = (sources, source_field(graph, sources, limit_seconds=limit))
    return fields


class _NetworkGrades:
    """Network mode: the ways reachable within each grade's distance, buffered."""

    def __init__(
        self, method: GueteklassenMethod, graph: NetworkGraph, fields: _Fields, puffer_m: float
    ) -> None:
        self.method = method
        self.graph = graph
        self.fields = fields
        self.puffer_m = puffer_m
        # Edges wholly inside a better grade add nothing; only the rest is buffered.
        self.whole_before = np.zeros(len(graph.edge_seconds), dtype=bool)

    def cumulative(self, letter: str, covered: Any) -> Any:
        """Return the area of this grade or better, or None if it adds nothing new."""
        graph = self.graph
        rows_list, start_list, end_list = [], [], []
        for c, (sources, field) in self.fields.items():
            r = _radius(self.method, c, letter)
            if r is None:
                continue
            rows, start, end = reachable_edge_parts(graph, sources, field.seconds, r / graph.speed)
            rows_list.append(rows)
            start_list.append(start)
            end_list.append(end)
        if not rows_list:
            return None
        rows, start, end = merge_intervals(
            np.concatenate(rows_list), np.concatenate(start_list), np.concatenate(end_list)
        )
        parts, position = edge_substrings(graph, rows, start, end)
        fresh = parts[~self.whole_before[rows[position]]]
        self.whole_before[rows[(start <= 0.0) & (end >= 1.0)]] = True
        if len(fresh) == 0:
            return None
        grown = shapely.union_all(shapely.buffer(fresh, self.puffer_m, quad_segs=4))
        return shapely.union_all([covered, grown])
