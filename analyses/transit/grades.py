"""ÖV-Güteklassen per origin, and the walking distance to the nearest stop.

:func:`gueteklassen` grades every origin A–F from the categories of the stations and the
walking distance to them: network distance (travel time × profile speed: plain metres with
``fuss``, "metres as if on asphalt" with a barrier-aware profile) or straight line as in the
original method. :func:`nearest_stop` gives the network walking time and distance to the nearest
stop of any stop layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from analyses.network.graph import NetworkGraph
from analyses.network.search import (
    evaluate_origins,
    nearest,
    snap_origins,
    snap_targets,
    source_field,
)
from analyses.network.snapping import DEFAULT_MAX_SNAP_M, SnappedPoints, point_geometries
from analyses.transit.method import NO_GRADE, ROMAN, GueteklassenMethod, load_method
from layers.errors import AnalysisError
from layers.log import get_logger
from layers.validation import require_crs

__all__ = ["DISTANCE_MODES", "check_distance_mode", "check_stations", "gueteklassen", "nearest_stop"]

log = get_logger("transit")

DISTANCE_MODES = ("netz", "luftlinie")
_LETTERS = "ABCDEFGHIJ"


def check_distance_mode(distanz: str) -> None:
    """Raise unless ``distanz`` is ``"netz"`` or ``"luftlinie"``."""
    if distanz not in DISTANCE_MODES:
        raise AnalysisError(
            f"Unbekannte Distanzart '{distanz}'.",
            hinweis="Erlaubt sind 'netz' (Fußweg im Wegenetz) und 'luftlinie'.",
        )


def check_stations(stations: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    """Return the stations that have a category, checked for the column and the CRS.

    Raises
    ------
    AnalysisError
        No ``kategorie`` column or no station with a category.
    CRSError
        Stations not in ``crs``.
    """
    if "kategorie" not in stations.columns:
        raise AnalysisError(
            "Den Haltestellen fehlt die Spalte 'kategorie'.",
            hinweis="Berechnen Sie die Haltestellenkategorien mit station_departures und "
            "stations_layer.",
        )
    require_crs(stations, crs, name="Haltestellen")
    rated = stations[stations["kategorie"].notna()]
    if len(rated) == 0:
        raise AnalysisError(
            "Keine Haltestelle erreicht eine Haltestellenkategorie (zu seltene Abfahrten im "
            "Zeitfenster oder kein Verkehr an diesem Tag).",
            hinweis="Wählen Sie einen Werktag und ein Zeitfenster mit Verkehr, z. B. 06:00–20:00.",
        )
    return rated


def gueteklassen(
    graph: NetworkGraph,
    origins: gpd.GeoDataFrame | gpd.GeoSeries,
    stations: gpd.GeoDataFrame,
    *,
    distanz: str = "netz",
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
    method: GueteklassenMethod | None = None,
) -> pd.DataFrame:
    """Grade every origin with its ÖV-Güteklasse.

    Parameters
    ----------
    graph, origins
        The network (distances = travel time × speed of its profile); the origins (points or
        polygons by centroid), e.g. population cells.
    stations
        Stations with ``kategorie`` (:func:`stations_layer`), in the graph's CRS.
    distanz
        ``"netz"`` (walking distance on the network, default) or ``"luftlinie"`` (straight
        line, as in the original ARE method).
    max_anbindung_m, method
        Snap limit for origins and stations (network mode); the method tables.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``gueteklasse`` (A–F or ``"keine"``), ``kategorie`` and
        ``station_id``/``haltestelle`` of the stop that gives it, ``distanz_m``, ``angebunden``
        (origin within the snap limit of the network; always true for straight lines),
        ``distanz_art``, ``profil``, ``unbekannt``.
    """
    method = method or load_method()
    check_distance_mode(distanz)
    rated = check_stations(stations, graph.crs)
    snapped, points, index, connected = _prepared_origins(graph, origins, distanz,
                                                          max_anbindung_m)
    best = _BestGrade.empty(len(origins))
    station_names = rated["name"].astype(str).to_numpy()
    categories = rated["kategorie"].astype(int).to_numpy()
    max_band = max(method.bands_m)
    for category in sorted(set(categories)):
        rows = np.flatnonzero(categories == category)
        members = rated.iloc[rows]
        found: tuple[np.ndarray, np.ndarray] | None
        if snapped is None:
            found = _straight_distance(points, members, max_band, len(origins))
        else:
            found = _network_distance(graph, snapped, members, station_names[rows], max_band,
                                      max_anbindung_m)
        if found is None:
            log.info("Kategorie %s: keine Haltestelle am Wegenetz.", ROMAN[category - 1])
            continue
        best.update(int(category), rows, found[0], found[1], method)
    frame = best.frame(method, rated, index, connected, distanz, graph)
    dates = {k: v for k, v in stations.attrs.items() if k in ("datum", "von", "bis")}
    frame.attrs.update({"profil": graph.profil.name, "unbekannt": graph.unbekannt,
                        "distanz_art": distanz, "verfahren": method.name, **dates})
    return frame


def _prepared_origins(
    graph: NetworkGraph, origins: gpd.GeoDataFrame | gpd.GeoSeries, distanz: str,
    max_anbindung_m: float,
) -> tuple[SnappedPoints | None, np.ndarray | None, pd.Index, np.ndarray]:
    """Origins snapped (network) or as points (straight line), their index and connection."""
    if distanz == "netz":
        snapped = snap_origins(graph, origins, max_anbindung_m)
        return snapped, None, snapped.index, snapped.connected.copy()
    require_crs(origins, graph.crs, name="Startpunkte")
    points = point_geometries(origins, name="Startpunkte")
    return None, points, origins.index, np.ones(len(origins), dtype=bool)


def _network_distance(
    graph: NetworkGraph,
    snapped: SnappedPoints,
    members: gpd.GeoDataFrame,
    names: np.ndarray,
    max_band: float,
    max_anbindung_m: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Network distance (time × speed) to the nearest of the stations and which one it is.

    None if no station of the group is on the network.
    """
    try:
        sources, _ = snap_targets(
            graph, members, max_anbindung_m, name="Haltestellen", labels=list(names)
        )
    except AnalysisError:
        return None
    field = source_field(graph, sources, limit_seconds=max_band / graph.speed)
    seconds, nearest_idx, _ = evaluate_origins(graph, field, snapped, sources)
    return seconds * graph.speed, nearest_idx


def _straight_distance(
    points: np.ndarray | None, members: gpd.GeoDataFrame, max_band: float, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line distance to the nearest station within ``max_band`` and which one it is."""
    tree = shapely.STRtree(members.geometry.to_numpy())
    (point_idx, tree_idx), dist = tree.query_nearest(
        points, max_distance=max_band, return_distance=True, all_matches=False
    )
    distance = np.full(n, np.inf)
    nearest_idx = np.full(n, -1, dtype=np.int64)
    distance[point_idx] = dist
    nearest_idx[point_idx] = tree_idx
    return distance, nearest_idx


@dataclass(eq=False)
class _BestGrade:
    """Per origin the best grade found so far, its category, station and distance."""

    rank: np.ndarray
    category: np.ndarray
    station: np.ndarray
    distance: np.ndarray

    @classmethod
    def empty(cls, n: int) -> _BestGrade:
        return cls(
            rank=np.full(n, 99),
            category=np.full(n, -1),
            station=np.full(n, -1, dtype=np.int64),
            distance=np.full(n, np.nan),
        )

    def update(
        self,
        category: int,
        rows: np.ndarray,
        distance: np.ndarray,
        nearest_idx: np.ndarray,
        method: GueteklassenMethod,
    ) -> None:
        """Take the grade of this category's nearest station wherever it is better."""
        grade_rank = {g: i for i, g in enumerate(_LETTERS)}
        for position, bound in enumerate(method.bands_m):
            grade = method.grades.get(category, ())[position]
            if grade is None:
                continue
            lower = method.bands_m[position - 1] if position else -np.inf
            hit = (distance > lower) & (distance <= bound) & (grade_rank[grade] < self.rank)
            self.rank[hit] = grade_rank[grade]
            self.category[hit] = category
            self.station[hit] = rows[nearest_idx[hit]]
            self.distance[hit] = distance[hit]

    def frame(
        self,
        method: GueteklassenMethod,
        rated: gpd.GeoDataFrame,
        index: pd.Index,
        connected: np.ndarray,
        distanz: str,
        graph: NetworkGraph,
    ) -> pd.DataFrame:
        """Return the result table of :func:`gueteklassen` (without ``attrs``)."""
        letters = np.array([*_LETTERS, *([NO_GRADE] * 90)], dtype=object)
        grade_column = letters[np.minimum(self.rank, 99)]
        grade_names = sorted({g for row in method.grades.values() for g in row if g})
        station_names = rated["name"].astype(str).to_numpy()
        station_ids = rated["station_id"].astype(str).to_numpy()
        has = self.station >= 0
        pick = np.maximum(self.station, 0)
        return pd.DataFrame(
            {
                "gueteklasse": pd.Categorical(grade_column, categories=[*grade_names, NO_GRADE]),
                "kategorie": pd.array(
                    [ROMAN[c - 1] if c > 0 else None for c in self.category], dtype="string"
                ),
                "station_id": pd.Series(
                    np.where(has, station_ids[pick], None), dtype="string"
                ).array,
                "haltestelle": pd.Series(
                    np.where(has, station_names[pick], None), dtype="string"
                ).array,
                "distanz_m": np.round(self.distance, 1),
                "angebunden": connected,
                "distanz_art": distanz,
                "profil": graph.profil.name,
                "unbekannt": graph.unbekannt,
            },
            index=index,
        )


def nearest_stop(
    graph: NetworkGraph,
    origins: gpd.GeoDataFrame | gpd.GeoSeries,
    haltestellen: gpd.GeoDataFrame,
    *,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Compute the walking time and network distance from every origin to the nearest stop.

    Returns
    -------
    pandas.DataFrame
        As :func:`analyses.network.search.nearest` with ``haltestelle_id`` (``ziel_id``),
        ``haltestelle`` (name) and ``distanz_m`` (minutes × 60 × profile speed).
    """
    id_column = "haltestelle_id" if "haltestelle_id" in haltestellen.columns else None
    result = nearest(
        graph, origins, haltestellen, ziel_id=id_column, max_anbindung_m=max_anbindung_m,
        name="haltestellen",
    )
    result = result.rename(columns={"ziel_id": "haltestelle_id"})
    if "name" in haltestellen.columns and id_column is not None:
        names = pd.Series(
            haltestellen["name"].astype("string").to_numpy(),
            index=haltestellen[id_column].astype(str).to_numpy(),
        )
        names = names[~names.index.duplicated()]
        result.insert(
            2, "haltestelle", names.reindex(result["haltestelle_id"].astype(object)).to_numpy()
        )
    result.insert(1, "distanz_m", (result["minuten"] * 60.0 * graph.speed).round(1))
    return result
