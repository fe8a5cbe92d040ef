"""Reachability of a region for a question: travel times, coverage, gaps, isochrones, stops.

Every function takes a :class:`~planungsraeume.region.Region` and a
:class:`~planungsraeume.frage.Question` (or the parts of one it needs), runs the pure functions of
:mod:`analyses.network.search`, :mod:`analyses.coverage`, :mod:`analyses.isochrones` and
:mod:`analyses.transit` on the region's graph, snapped cells, active offers and the one cell→area
rule, and keeps the answer in the one cache (:mod:`planungsraeume.cache`). Asking the same
question twice costs a dictionary lookup; after any edit of the store (or on a new day) the answer
is computed afresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analyses.coverage import coverage_by_area, gap_layer, share_by_area, time_bands
from analyses.isochrones import DEFAULT_BUFFER_M, isochrones
from analyses.network.search import (
    check_minutes,
    count_within,
    nearest_by_type,
    nearest_service,
    select_services,
    travel_time_matrix,
)
from analyses.network.snapping import DEFAULT_MAX_SNAP_M
from analyses.transit import (
    NO_GRADE,
    gueteklassen,
    gueteklassen_flaechen,
    nearest_stop,
    station_departures,
    stations_layer,
)
from layers.errors import AnalysisError
from layers.progress import ProgressCallback
from layers.sources.gtfs import read_gtfs
from planungsraeume.cache import cached
from planungsraeume.frage import Question
from planungsraeume.region import Region

__all__ = [
    "STOP_DISTANCE_BANDS_M",
    "coverage",
    "gaps",
    "offer_travel_times",
    "point_isochrones",
    "quality_class_areas",
    "quality_class_by_area",
    "quality_classes",
    "service_counts",
    "service_isochrones",
    "stop_distance_bands",
    "stop_distance_by_area",
    "stop_distances",
    "time_bands_by_area",
    "transit_stations",
    "travel_times",
    "travel_times_by_type",
]

STOP_DISTANCE_BANDS_M = (300.0, 500.0, 1000.0)


def _origins(region: Region, frage: Question, quelle: str, max_anbindung_m: float) -> Any:
    """Snapped cells for the population (snapped once per profile), else the origin layer."""
    if quelle == "bevoelkerung":
        return region.snapped_cells(frage.profil, frage.unbekannt, max_anbindung_m)
    return region.origins(quelle)


@cached("reisezeiten")
def travel_times(
    region: Region,
    frage: Question,
    *,
    quelle: str = "bevoelkerung",
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Travel time from every origin to the nearest offer the question selects.

    Returns
    -------
    pandas.DataFrame
        As :func:`analyses.network.search.nearest_service`, indexed like the origins;
        ``attrs["angebote"]`` lists the ids of the offers considered.
    """
    graph = region.graph(frage.profil, frage.unbekannt)
    offers = region.offers(frage.tag)
    result = nearest_service(graph, _origins(region, frage, quelle, max_anbindung_m), offers,
                             frage.typen, frage.filter, max_anbindung_m=max_anbindung_m)
    # The offers the search saw (the same selection nearest_service made from ``offers``).
    used = select_services(offers, frage.typen, frage.filter)
    result.attrs["angebote"] = sorted(used["angebot_id"].astype(str))
    return result


@cached("reisezeiten_typen")
def travel_times_by_type(
    region: Region,
    frage: Question,
    *,
    quelle: str = "bevoelkerung",
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Travel times to the nearest offer of every type (the question's type choice is ignored).

    Returns
    -------
    pandas.DataFrame
        The per-type results of :func:`analyses.network.search.nearest_by_type` stacked, with a
        column ``typ``; the origin's index is kept in the column ``origin``.
    """
    graph = region.graph(frage.profil, frage.unbekannt)
    per_type = nearest_by_type(graph, _origins(region, frage, quelle, max_anbindung_m),
                               region.offers(frage.tag), filter=frage.filter,
                               max_anbindung_m=max_anbindung_m)
    frames = [frame.rename_axis("origin").reset_index().assign(typ=typ)
              for typ, frame in per_type.items()]
    if not frames:
        raise AnalysisError(
            "Für keinen Angebotstyp ließ sich eine Reisezeit berechnen.",
            hinweis="Prüfen Sie den Filter und ob Angebote am Wegenetz liegen.",
        )
    result = pd.concat(frames, ignore_index=True)
    result.attrs.update({"profil": graph.profil.name, "unbekannt": graph.unbekannt})
    return result


@cached("reisezeiten_zwischen_angeboten")
def offer_travel_times(
    region: Region, frage: Question, *, max_anbindung_m: float = DEFAULT_MAX_SNAP_M
) -> pd.DataFrame:
    """Travel minutes between the offers the question selects, up to the question's minutes.

    The same network, profile, selection and day as :func:`travel_times`; used where offers
    must be "within reach of each other" (the missing links of the cooperation network).

    Returns
    -------
    pandas.DataFrame
        ``von``, ``nach`` (``angebot_id``), ``minuten`` for every ordered pair of different
        offers within ``frage.minuten`` (pairs beyond it are absent).
    """
    offers = region.selected_offers(frage).reset_index(drop=True)
    graph = region.graph(frage.profil, frage.unbekannt)
    matrix = travel_time_matrix(graph, offers, offers, float(frage.minuten), ziel_id="angebot_id",
                                max_anbindung_m=max_anbindung_m, name="Angebote")
    coo = matrix.minuten.tocoo()
    ids = offers["angebot_id"].astype(str).to_numpy()
    origin = ids[matrix.origin_index.to_numpy()[coo.row]]
    target = matrix.site_ids[coo.col].astype(str)
    keep = origin != target
    return pd.DataFrame({"von": origin[keep], "nach": target[keep],
                         "minuten": coo.data[keep].astype(float)})


@cached("anzahl_angebote")
def service_counts(
    region: Region,
    frage: Question,
    *,
    quelle: str = "bevoelkerung",
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """How many selected offers every origin reaches within the question's minutes.

    Returns
    -------
    pandas.DataFrame
        As :func:`analyses.network.search.count_within` (``anzahl``, ``status``, …).
    """
    graph = region.graph(frage.profil, frage.unbekannt)
    return count_within(graph, _origins(region, frage, quelle, max_anbindung_m),
                        region.selected_offers(frage), float(frage.minuten),
                        max_anbindung_m=max_anbindung_m, name="angebote")


@cached("versorgung")
def coverage(
    region: Region,
    frage: Question,
    schwellen: Iterable[float] | None = None,
    *,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Coverage of the population per planning area (:func:`analyses.coverage.coverage_by_area`).

    Parameters
    ----------
    schwellen
        Thresholds in minutes (default: the question's minutes only).

    Returns
    -------
    pandas.DataFrame
        One row per area and threshold plus ``"gesamt"`` (and ``"ohne"``); the inhabitants of
        every area equal :meth:`Region.population_by_area` (covered + not covered + not
        connected).
    """
    thresholds = sorted(set(check_minutes(schwellen if schwellen is not None else [frage.minuten])))
    travel = travel_times(region, frage, max_anbindung_m=max_anbindung_m)
    return coverage_by_area(travel, region.cells(), region.areas(), thresholds,
                            zuordnung=region.cell_areas())


@cached("reisezeit_klassen_je_planungsraum")
def time_bands_by_area(region: Region, frage: Question) -> pd.DataFrame:
    """Inhabitants per planning area and travel-time class (:func:`analyses.coverage.time_bands`).

    Returns
    -------
    pandas.DataFrame
        As :func:`analyses.coverage.share_by_area` (``gesamt`` rows = the region); the areas by
        :meth:`Region.cell_areas`, so the classes of an area add up to its inhabitants.
    """
    travel = travel_times(region, frage)
    return share_by_area(region.cells(), region.areas(), time_bands(travel),
                         zuordnung=region.cell_areas())


@cached("luecken")
def gaps(
    region: Region, frage: Question, *, max_anbindung_m: float = DEFAULT_MAX_SNAP_M
) -> gpd.GeoDataFrame:
    """Populated cells beyond the question's minutes (:func:`analyses.coverage.gap_layer`)."""
    travel = travel_times(region, frage, max_anbindung_m=max_anbindung_m)
    return gap_layer(travel, region.cells(), region.areas(), float(frage.minuten),
                     zuordnung=region.cell_areas())


@cached("isochronen")
def service_isochrones(
    region: Region,
    frage: Question,
    angebot_ids: Sequence[str],
    minuten: Iterable[float],
    *,
    puffer_m: float = DEFAULT_BUFFER_M,
    ringe: bool = False,
) -> gpd.GeoDataFrame:
    """Isochrones around one or more active offers given by ``angebot_id``.

    Raises
    ------
    AnalysisError
        If an id is not an active offer on the question's day.
    """
    budgets = sorted(set(check_minutes(minuten)))
    wanted = sorted(str(i) for i in angebot_ids)
    offers = region.offers(frage.tag)
    chosen = offers[offers["angebot_id"].astype(str).isin(wanted)]
    missing = sorted(set(wanted) - set(chosen["angebot_id"].astype(str)))
    if missing:
        raise AnalysisError(
            f"Diese Angebote gibt es nicht (oder nicht mehr): {', '.join(missing)}.",
            hinweis="Wählen Sie Angebote aus der Angebotsliste der Region.",
        )
    graph = region.graph(frage.profil, frage.unbekannt)
    return isochrones(graph, chosen, budgets, puffer_m=puffer_m, ringe=ringe)


@cached("isochronen_punkt")
def point_isochrones(
    region: Region,
    frage: Question,
    x: float,
    y: float,
    minuten: Iterable[float],
    *,
    puffer_m: float = DEFAULT_BUFFER_M,
) -> gpd.GeoDataFrame:
    """Isochrones around one point (region CRS, e.g. a click on the map).

    Besides the columns of :func:`analyses.isochrones.isochrones` every budget gets
    ``einwohner`` and ``alter_65_plus``: the population of the cells whose centre lies inside
    the area (empty if the region has no population).

    Raises
    ------
    AnalysisError
        If the point is outside the region or farther than the snap limit from the network.
    """
    budgets = sorted(set(check_minutes(minuten)))
    point = shapely.Point(round(float(x), 1), round(float(y), 1))
    if not shapely.intersects(region.boundary(), point):
        raise AnalysisError(
            "Der gewählte Punkt liegt außerhalb der Region.",
            hinweis="Klicken Sie in der Karte auf einen Ort innerhalb der Regionsgrenze.",
        )
    graph = region.graph(frage.profil, frage.unbekannt)
    start = gpd.GeoDataFrame({"name": ["gewählter Punkt"]}, geometry=[point], crs=region.crs)
    result = isochrones(graph, start, budgets, puffer_m=puffer_m)
    if region.has_population():
        cells = region.cells()
        centres = cells.geometry.centroid
        for column in ("einwohner", "alter_65_plus"):
            values = pd.to_numeric(cells[column], errors="coerce").fillna(0).to_numpy(float)
            result[column] = [int(round(values[centres.within(polygon).to_numpy()].sum()))
                              for polygon in result.geometry]
    else:
        result["einwohner"] = pd.NA
        result["alter_65_plus"] = pd.NA
    result["x"], result["y"] = point.x, point.y
    return result


# --------------------------------------------------------------------------------------------
# Stops and public transport
# --------------------------------------------------------------------------------------------


@cached("haltestellen_distanz", daily=False)
def stop_distances(
    region: Region,
    profil: str = "fuss",
    *,
    unbekannt: str | None = None,
    quelle: str = "bevoelkerung",
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Walking distance from every origin to the nearest OSM stop (``haltestellen``)."""
    frage = Question(angebote="alle", profil=profil, unbekannt=unbekannt or "optimistisch")
    stops = region.layer("haltestellen")
    return nearest_stop(region.graph(profil, unbekannt),
                        _origins(region, frage, quelle, max_anbindung_m), stops,
                        max_anbindung_m=max_anbindung_m)


def stop_distance_bands(
    distances: pd.DataFrame, bands_m: Sequence[float] = STOP_DISTANCE_BANDS_M
) -> pd.Series:
    """Class of the walking distance to the nearest stop (``"bis 300 m"`` … ``"über 1.000 m"``,
    ``"nicht angebunden"``), indexed like ``distances`` (from :func:`stop_distances`)."""
    limits = sorted(float(b) for b in bands_m)

    def metres(value: float) -> str:
        return f"{value:,.0f}".replace(",", ".")

    labels = [f"bis {metres(limits[0])} m"]
    labels += [f"{metres(a)}–{metres(b)} m" for a, b in zip(limits, limits[1:], strict=False)]
    labels += [f"über {metres(limits[-1])} m", "nicht angebunden"]
    distance = pd.to_numeric(distances["distanz_m"], errors="coerce").to_numpy(float)
    status = distances["status"].astype(str).to_numpy()
    codes = np.searchsorted(np.asarray(limits) + 1e-9, np.nan_to_num(distance, nan=np.inf),
                            side="left")
    codes = np.where(status == "erreichbar", codes, len(limits) + 1)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(labels), ordered=True),
                     index=distances.index, name="klasse")


def _share(region: Region, source: str, categories: pd.Series) -> pd.DataFrame:
    """Weighted shares per area with the one cell→area rule for population cells."""
    origins = region.origins(source)
    population = source == "bevoelkerung"
    result = share_by_area(origins, region.areas(), categories,
                           weight="einwohner" if population else None,
                           zuordnung=region.cell_areas() if population else None)
    result.attrs["quelle"] = source
    return result


@cached("haltestellen_baender", daily=False)
def stop_distance_by_area(
    region: Region,
    *,
    bands_m: Sequence[float] = STOP_DISTANCE_BANDS_M,
    quelle: str | None = None,
) -> pd.DataFrame:
    """Population (or addresses) per planning area by walking distance to the nearest stop.

    Returns
    -------
    pandas.DataFrame
        As :func:`analyses.coverage.share_by_area`; ``attrs["quelle"]`` names the origins.
    """
    source = quelle or region.default_origin_source()
    distances = stop_distances(region, "fuss", quelle=source)
    return _share(region, source, stop_distance_bands(distances, bands_m))


def _gtfs(region: Region, gtfs: str | Path | None) -> Path:
    path = Path(gtfs) if gtfs is not None else region.config.gtfs
    if path is None:
        raise AnalysisError(
            f"Für die Region „{region.titel}“ ist kein GTFS-Fahrplan hinterlegt.",
            hinweis="ÖV-Güteklassen gibt es für Regionen mit Fahrplan, z. B. Heidelberg.",
        )
    return path


def _gtfs_stamp(path: Path) -> str:
    stat = path.stat() if path.exists() else None
    return f"{path}|{stat.st_mtime_ns}-{stat.st_size}" if stat else str(path)


def transit_stations(
    region: Region,
    gtfs: str | Path | None = None,
    datum: date | str | None = None,
    von: str | None = None,
    bis: str | None = None,
) -> gpd.GeoDataFrame:
    """Stations with departures and Haltestellenkategorie from the region's GTFS feed."""
    path = _gtfs(region, gtfs)
    return _stations(region, _gtfs_stamp(path), str(path), _day(datum), von, bis)


def _day(datum: date | str | None) -> str | None:
    return None if datum is None else str(datum)


@cached("oev_haltestellen", daily=False)
def _stations(region: Region, stamp: str, path: str, datum: str | None, von: str | None,
              bis: str | None) -> gpd.GeoDataFrame:
    return stations_layer(station_departures(read_gtfs(Path(path)), datum, von, bis), region.crs)


def quality_classes(
    region: Region,
    gtfs: str | Path | None = None,
    datum: date | str | None = None,
    von: str | None = None,
    bis: str | None = None,
    *,
    profil: str = "fuss",
    unbekannt: str | None = None,
    distanz: str = "netz",
    quelle: str = "bevoelkerung",
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """ÖV-Güteklasse of every origin of the region."""
    path = _gtfs(region, gtfs)
    return _quality_classes(region, _gtfs_stamp(path), str(path), _day(datum), von, bis, profil,
                            unbekannt, distanz, quelle, max_anbindung_m)


@cached("oev_gueteklassen", daily=False)
def _quality_classes(region: Region, stamp: str, path: str, datum: str | None, von: str | None,
                     bis: str | None, profil: str, unbekannt: str | None, distanz: str,
                     quelle: str, max_anbindung_m: float) -> pd.DataFrame:
    stations = transit_stations(region, path, datum, von, bis)
    frage = Question(angebote="alle", profil=profil, unbekannt=unbekannt or "optimistisch")
    return gueteklassen(region.graph(profil, unbekannt),
                        _origins(region, frage, quelle, max_anbindung_m), stations,
                        distanz=distanz, max_anbindung_m=max_anbindung_m)


def quality_class_by_area(
    region: Region,
    gtfs: str | Path | None = None,
    datum: date | str | None = None,
    von: str | None = None,
    bis: str | None = None,
    *,
    distanz: str = "netz",
    quelle: str | None = None,
    profil: str = "fuss",
    unbekannt: str | None = None,
) -> pd.DataFrame:
    """Population (or addresses) per planning area by ÖV-Güteklasse (A–F, ``keine``).

    ``profil`` and ``unbekannt`` are those of the walk to the stop (as in
    :func:`quality_classes`).

    Returns
    -------
    pandas.DataFrame
        As :func:`analyses.coverage.share_by_area`; ``attrs`` carry ``quelle`` and the
        timetable day and window of the stations.
    """
    source = quelle or region.default_origin_source()
    grades = quality_classes(region, gtfs, datum, von, bis, distanz=distanz, quelle=source,
                             profil=profil, unbekannt=unbekannt)
    labels = [*"ABCDEF", NO_GRADE]
    categories = pd.Series(
        pd.Categorical(grades["gueteklasse"].astype(str), categories=labels, ordered=True),
        index=grades.index,
    )
    result = _share(region, source, categories)
    stations = transit_stations(region, gtfs, datum, von, bis)
    result.attrs.update({"datum": stations.attrs.get("datum"), "von": stations.attrs.get("von"),
                         "bis": stations.attrs.get("bis")})
    return result


def quality_class_areas(
    region: Region,
    gtfs: str | Path | None = None,
    datum: date | str | None = None,
    von: str | None = None,
    bis: str | None = None,
    *,
    distanz: str = "luftlinie",
    profil: str = "fuss",
    unbekannt: str | None = None,
    progress: ProgressCallback | None = None,
) -> gpd.GeoDataFrame:
    """ÖV-Güteklassen as polygons (``progress`` as in
    :func:`analyses.transit.gueteklassen_flaechen`)."""
    path = _gtfs(region, gtfs)
    return _quality_areas(region, _gtfs_stamp(path), str(path), _day(datum), von, bis, distanz,
                          profil, unbekannt, progress=progress)


@cached("oev_gueteklassen_flaechen", daily=False)
def _quality_areas(region: Region, stamp: str, path: str, datum: str | None, von: str | None,
                   bis: str | None, distanz: str, profil: str, unbekannt: str | None,
                   progress: ProgressCallback | None = None) -> gpd.GeoDataFrame:
    stations = transit_stations(region, path, datum, von, bis)
    graph = region.graph(profil, unbekannt) if distanz == "netz" else None
    return gueteklassen_flaechen(stations, distanz=distanz, graph=graph, progress=progress)

