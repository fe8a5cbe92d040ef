"""Reachability analyses of a region store, cached: what the app and the CLI call.

Each function reads the layers it needs from a :class:`layers.store.RegionStore`, runs the pure
functions of :mod:`analyses.network.search`, :mod:`analyses.coverage`, :mod:`analyses.isochrones`
and :mod:`analyses.transit` on the cached graph, and keeps the result in
:data:`planungsraeume.cache.results`, keyed by the store's version token and every option. Asking the
same question twice costs a dictionary lookup; after any edit of the store the token changes and
results are computed afresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.coverage import DEFAULT_THRESHOLDS, coverage_by_area, gap_layer, share_by_area
from analyses.isochrones import DEFAULT_BUFFER_M, isochrones
from analyses.network.graph import load_graph
from analyses.network.profiles import check_unknown_mode, default_unknown_mode, get_profile
from analyses.network.search import (
    canonical_filter,
    check_minutes,
    count_within,
    nearest_by_type,
    nearest_service,
    select_services,
)
from analyses.network.snapping import DEFAULT_MAX_SNAP_M, snap_points
from analyses.transit import (
    gueteklassen,
    gueteklassen_flaechen,
    nearest_stop,
    station_departures,
    stations_layer,
)
from layers.errors import AnalysisError
from layers.progress import ProgressCallback
from layers.sources.gtfs import read_gtfs
from layers.store import RegionStore
from planungsraeume import cache as result_cache

ORIGIN_LAYERS = {
    "bevoelkerung": "Bevölkerungsraster (Zellmittelpunkte)",
    "gebaeude": "Gebäude (Mittelpunkte)",
    "adressen": "Adressen",
}


def _store_inputs(store: RegionStore) -> dict[str, str]:
    # The day is part of the key: offers become active or retired by date, not only by edits.
    return {"speicher": str(getattr(store, "path", type(store).__name__)),
            "version": store.version_token(), "stichtag": date.today().isoformat()}


def _services(store: RegionStore) -> gpd.GeoDataFrame:
    """The offers valid today (retired offers stay in the directory but are not reachable)."""
    from layers.angebote.edit import active_services

    angebote = store.read_layer("angebote")
    assert isinstance(angebote, gpd.GeoDataFrame)
    if {"gueltig_von", "gueltig_bis"} <= set(angebote.columns):
        return active_services(angebote)
    return angebote


def _profile_inputs(profil: str, unbekannt: str | None) -> dict[str, str]:
    profile = get_profile(profil)
    mode = check_unknown_mode(unbekannt or default_unknown_mode())
    return {"profil": profile.name, "regeln": profile.fingerprint(), "unbekannt": mode}


def origins_layer(store: RegionStore, quelle: str = "bevoelkerung") -> gpd.GeoDataFrame:
    """The origins of a region: population cells (default), buildings or addresses.

    Raises
    ------
    AnalysisError
        Unknown source, or an empty layer (e.g. no population model for the region).
    """
    if quelle not in ORIGIN_LAYERS:
        raise AnalysisError(
            f"Unbekannte Art von Startpunkten '{quelle}'.",
            hinweis=f"Erlaubt sind: {', '.join(ORIGIN_LAYERS)}.",
        )
    layer = store.read_layer(quelle)
    if len(layer) == 0:
        raise AnalysisError(
            f"Die Ebene '{quelle}' ({ORIGIN_LAYERS[quelle]}) ist in dieser Region leer.",
            hinweis="Für die Bevölkerung hinterlegen Sie eine Zensus-Gitterdatei in der "
            "Regionskonfiguration ([quellen] zensus_csv) oder wählen Adressen als Startpunkte.",
        )
    if quelle == "bevoelkerung":
        layer = layer[layer["einwohner"] > 0]
    assert isinstance(layer, gpd.GeoDataFrame)
    return layer


def travel_times(
    store: RegionStore,
    profil: str,
    typ: str | None = None,
    filter: Mapping[str, Any] | None = None,
    *,
    unbekannt: str | None = None,
    quelle: str = "bevoelkerung",
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Travel time from every origin of the region to the nearest selected service (cached).

    Returns
    -------
    pandas.DataFrame
        As :func:`analyses.network.search.nearest_service`, indexed like the origin layer (the
        ``fid`` order of the store).
    """
    inputs = {
        **_store_inputs(store),
        **_profile_inputs(profil, unbekannt),
        "typ": typ,
        "filter": canonical_filter(filter),
        "quelle": quelle,
        "max_anbindung_m": float(max_anbindung_m),
    }

    def compute() -> pd.DataFrame:
        graph = load_graph(store, profil, unbekannt)
        origins = origins_layer(store, quelle)
        angebote = _services(store)
        snapped = snap_points(graph, origins, max_anbindung_m)
        return nearest_service(
            graph, snapped, angebote, typ, filter, max_anbindung_m=max_anbindung_m
        )

    return result_cache.results.get_or_compute("reisezeiten", inputs, compute)


def travel_times_by_type(
    store: RegionStore,
    profil: str,
    filter: Mapping[str, Any] | None = None,
    *,
    unbekannt: str | None = None,
    quelle: str = "bevoelkerung",
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Travel times to the nearest service of every type, as one long table (cached).

    Returns
    -------
    pandas.DataFrame
        The per-type results of :func:`analyses.network.search.nearest_by_type` stacked, with a
        column ``typ``; the origin's index is kept in the column ``origin``.
    """
    inputs = {
        **_store_inputs(store),
        **_profile_inputs(profil, unbekannt),
        "filter": canonical_filter(filter),
        "quelle": quelle,
        "max_anbindung_m": float(max_anbindung_m),
    }

    def compute() -> pd.DataFrame:
        graph = load_graph(store, profil, unbekannt)
        origins = origins_layer(store, quelle)
        angebote = _services(store)
        per_type = nearest_by_type(
            graph, origins, angebote, filter=filter, max_anbindung_m=max_anbindung_m
        )
        frames = []
        for typ, frame in per_type.items():
            frames.append(frame.rename_axis("origin").reset_index().assign(typ=typ))
        if not frames:
            raise AnalysisError(
                "Für keinen Angebotstyp ließ sich eine Reisezeit berechnen.",
                hinweis="Prüfen Sie den Filter und ob Angebote am Wegenetz liegen.",
            )
        result = pd.concat(frames, ignore_index=True)
        result.attrs.update({"profil": graph.profil.name, "unbekannt": graph.unbekannt})
        return result

    return result_cache.results.get_or_compute("reisezeiten_typen", inputs, compute)


def service_counts(
    store: RegionStore,
    profil: str,
    typ: str | None,
    minuten: float,
    filter: Mapping[str, Any] | None = None,
    *,
    unbekannt: str | None = None,
    quelle: str = "bevoelkerung",
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """How many selected services every origin reaches within ``minuten`` (cached).

    Returns
    -------
    pandas.DataFrame
        As :func:`analyses.network.search.count_within` (``anzahl``, ``status``, …).
    """
    threshold = check_minutes(minuten)[0]
    inputs = {
        **_store_inputs(store),
        **_profile_inputs(profil, unbekannt),
        "typ": typ,
        "filter": canonical_filter(filter),
        "minuten": threshold,
        "quelle": quelle,
        "max_anbindung_m": float(max_anbindung_m),
    }

    def compute() -> pd.DataFrame:
        graph = load_graph(store, profil, unbekannt)
        angebote = _services(store)
        services = select_services(angebote, typ, filter)
        return count_within(
            graph, origins_layer(store, quelle), services, threshold,
            max_anbindung_m=max_anbindung_m, name="angebote",
        )

    return result_cache.results.get_or_compute("anzahl_angebote", inputs, compute)


def _cells_and_areas(store: RegionStore) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The populated grid and the planning areas, for the per-area summaries."""
    areas = store.read_layer("planungsraeume")
    assert isinstance(areas, gpd.GeoDataFrame)
    return origins_layer(store, "bevoelkerung"), areas


def coverage(
    store: RegionStore,
    profil: str,
    typ: str | None = None,
    filter: Mapping[str, Any] | None = None,
    schwellen: Iterable[float] = DEFAULT_THRESHOLDS,
    *,
    unbekannt: str | None = None,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Coverage of the population per Planungsraum (see :func:`analyses.coverage.coverage_by_area`)."""
    thresholds = sorted(set(check_minutes(schwellen)))
    inputs = {
        **_store_inputs(store),
        **_profile_inputs(profil, unbekannt),
        "typ": typ,
        "filter": canonical_filter(filter),
        "schwellen": thresholds,
        "max_anbindung_m": float(max_anbindung_m),
    }

    def compute() -> pd.DataFrame:
        travel = travel_times(
            store, profil, typ, filter, unbekannt=unbekannt, max_anbindung_m=max_anbindung_m
        )
        return coverage_by_area(travel, *_cells_and_areas(store), thresholds)

    return result_cache.results.get_or_compute("versorgung", inputs, compute)


def gaps(
    store: RegionStore,
    profil: str,
    typ: str | None,
    minuten: float,
    filter: Mapping[str, Any] | None = None,
    *,
    unbekannt: str | None = None,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> gpd.GeoDataFrame:
    """Populated cells beyond ``minuten`` (see :func:`analyses.coverage.gap_layer`), cached."""
    threshold = check_minutes(minuten)[0]
    inputs = {
        **_store_inputs(store),
        **_profile_inputs(profil, unbekannt),
        "typ": typ,
        "filter": canonical_filter(filter),
        "minuten": threshold,
        "max_anbindung_m": float(max_anbindung_m),
    }

    def compute() -> gpd.GeoDataFrame:
        travel = travel_times(
            store, profil, typ, filter, unbekannt=unbekannt, max_anbindung_m=max_anbindung_m
        )
        return gap_layer(travel, *_cells_and_areas(store), threshold)

    return result_cache.results.get_or_compute("luecken", inputs, compute)


def service_isochrones(
    store: RegionStore,
    profil: str,
    angebot_ids: Sequence[str],
    minuten: Iterable[float],
    *,
    unbekannt: str | None = None,
    puffer_m: float = DEFAULT_BUFFER_M,
    ringe: bool = False,
) -> gpd.GeoDataFrame:
    """Isochrones around one or more services given by ``angebot_id`` (cached)."""
    budgets = sorted(set(check_minutes(minuten)))
    wanted = sorted(str(i) for i in angebot_ids)
    inputs = {
        **_store_inputs(store),
        **_profile_inputs(profil, unbekannt),
        "angebote": wanted,
        "minuten": budgets,
        "puffer_m": float(puffer_m),
        "ringe": ringe,
    }

    def compute() -> gpd.GeoDataFrame:
        angebote = store.read_layer("angebote")
        assert isinstance(angebote, gpd.GeoDataFrame)
        chosen = angebote[angebote["angebot_id"].astype(str).isin(wanted)]
        missing = sorted(set(wanted) - set(chosen["angebot_id"].astype(str)))
        if missing:
            raise AnalysisError(
                f"Diese Angebote gibt es nicht: {', '.join(missing)}.",
                hinweis="Wählen Sie Angebote aus der Angebotsliste der Region.",
            )
        graph = load_graph(store, profil, unbekannt)
        return isochrones(graph, chosen, budgets, puffer_m=puffer_m, ringe=ringe)

    return result_cache.results.get_or_compute("isochronen", inputs, compute)


def point_isochrones(
    store: RegionStore,
    profil: str,
    x: float,
    y: float,
    minuten: Iterable[float],
    *,
    unbekannt: str | None = None,
    puffer_m: float = DEFAULT_BUFFER_M,
) -> gpd.GeoDataFrame:
    """Isochrones around one point (region CRS, e.g. a click on the map), cached.

    Besides the columns of :func:`analyses.isochrones.isochrones` every budget gets
    ``einwohner`` and ``alter_65_plus``: the population of the cells whose centre lies inside
    the area (empty if the region has no population), so a planner sees how many people live
    within reach of the place.

    Raises
    ------
    AnalysisError
        If the point is outside the region or farther than the snap limit from the network.
    """
    budgets = sorted(set(check_minutes(minuten)))
    px, py = round(float(x), 1), round(float(y), 1)
    inputs = {
        **_store_inputs(store),
        **_profile_inputs(profil, unbekannt),
        "x": px,
        "y": py,
        "minuten": budgets,
        "puffer_m": float(puffer_m),
    }

    def compute() -> gpd.GeoDataFrame:
        import shapely

        region = store.read_layer("region")
        point = shapely.Point(px, py)
        if not bool(region.geometry.intersects(point).any()):
            raise AnalysisError(
                "Der gewählte Punkt liegt außerhalb der Region.",
                hinweis="Klicken Sie in der Karte auf einen Ort innerhalb der Regionsgrenze.",
            )
        graph = load_graph(store, profil, unbekannt)
        start = gpd.GeoDataFrame({"name": ["gewählter Punkt"]}, geometry=[point], crs=store.crs)
        result = isochrones(graph, start, budgets, puffer_m=puffer_m)
        cells = store.read_layer("bevoelkerung")
        populated = cells[cells["einwohner"] > 0] if len(cells) else cells
        if len(populated):
            centres = populated.geometry.centroid
            for column in ("einwohner", "alter_65_plus"):
                values = pd.to_numeric(populated[column], errors="coerce").fillna(0).to_numpy(float)
                result[column] = [
                    int(round(values[centres.within(polygon).to_numpy()].sum()))
                    for polygon in result.geometry
                ]
        else:
            result["einwohner"] = pd.NA
            result["alter_65_plus"] = pd.NA
        result["x"], result["y"] = px, py
        return result

    return result_cache.results.get_or_compute("isochronen_punkt", inputs, compute)


def default_origin_source(store: RegionStore) -> str:
    """``"bevoelkerung"`` where the region has a population grid, else ``"adressen"``."""
    if store.has_layer("bevoelkerung"):
        cells = store.read_layer("bevoelkerung", columns=["einwohner"])
        if len(cells) and float(pd.to_numeric(cells["einwohner"], errors="coerce").sum()) > 0:
            return "bevoelkerung"
    return "adressen"


STOP_DISTANCE_BANDS_M = (300.0, 500.0, 1000.0)


def stop_distance_bands(distances: pd.DataFrame, bands_m: Sequence[float] = STOP_DISTANCE_BANDS_M) -> pd.Series:
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
    codes = np.searchsorted(np.asarray(limits) + 1e-9, np.nan_to_num(distance, nan=np.inf), side="left")
    codes = np.where(status == "erreichbar", codes, len(limits) + 1)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(labels), ordered=True),
                     index=distances.index, name="klasse")


def stop_distance_by_area(
    store: RegionStore,
    *,
    bands_m: Sequence[float] = STOP_DISTANCE_BANDS_M,
    quelle: str | None = None,
) -> pd.DataFrame:
    """Population (or addresses) per Planungsraum by walking distance to the nearest stop.

    Returns
    -------
    pandas.DataFrame
        As :func:`analyses.coverage.share_by_area`; ``attrs["quelle"]`` names the origins.
    """
    source = quelle or default_origin_source(store)
    inputs = {**_store_inputs(store), "baender": [float(b) for b in bands_m], "quelle": source}

    def compute() -> pd.DataFrame:
        distances = stop_distances(store, "fuss", quelle=source)
        origins = origins_layer(store, source)
        areas = store.read_layer("planungsraeume")
        assert isinstance(areas, gpd.GeoDataFrame)
        result = share_by_area(origins, areas, stop_distance_bands(distances, bands_m),
                               weight="einwohner" if source == "bevoelkerung" else None)
        result.attrs["quelle"] = source
        return result

    return result_cache.results.get_or_compute("haltestellen_baender", inputs, compute)


def quality_class_by_area(
    store: RegionStore,
    gtfs: str | Path,
    datum: date | str | None = None,
    von: str | None = None,
    bis: str | None = None,
    *,
    distanz: str = "netz",
    quelle: str | None = None,
) -> pd.DataFrame:
    """Population (or addresses) per Planungsraum by ÖV-Güteklasse (A–F, ``keine``).

    Returns
    -------
    pandas.DataFrame
        As :func:`analyses.coverage.share_by_area`; ``attrs`` carry ``quelle`` and the
        timetable day and window of the stations.
    """
    from analyses.transit import NO_GRADE

    source = quelle or default_origin_source(store)
    path = Path(gtfs)
    inputs = {
        **_store_inputs(store),
        **(_gtfs_inputs(path) if path.exists() else {"gtfs": str(path)}),
        "datum": str(datum), "von": von, "bis": bis, "distanz": distanz, "quelle": source,
    }

    def compute() -> pd.DataFrame:
        grades = quality_classes(store, path, datum, von, bis, distanz=distanz, quelle=source)
        origins = origins_layer(store, source)
        areas = store.read_layer("planungsraeume")
        assert isinstance(areas, gpd.GeoDataFrame)
        labels = [*"ABCDEF", NO_GRADE]
        categories = pd.Series(
            pd.Categorical(grades["gueteklasse"].astype(str), categories=labels, ordered=True),
            index=grades.index,
        )
        result = share_by_area(origins, areas, categories,
                               weight="einwohner" if source == "bevoelkerung" else None)
        stations = transit_stations(path, store.crs, datum, von, bis)
        result.attrs.update({"quelle": source, "datum": stations.attrs.get("datum"),
                             "von": stations.attrs.get("von"), "bis": stations.attrs.get("bis")})
        return result

    return result_cache.results.get_or_compute("oev_gueteklassen_raeume", inputs, compute)


def stop_distances(
    store: RegionStore,
    profil: str = "fuss",
    *,
    unbekannt: str | None = None,
    quelle: str = "bevoelkerung",
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Walking distance from every origin to the nearest OSM stop (``haltestellen``), cached."""
    inputs = {
        **_store_inputs(store),
        **_profile_inputs(profil, unbekannt),
        "quelle": quelle,
        "max_anbindung_m": float(max_anbindung_m),
    }

    def compute() -> pd.DataFrame:
        graph = load_graph(store, profil, unbekannt)
        stops = store.read_layer("haltestellen")
        assert isinstance(stops, gpd.GeoDataFrame)
        return nearest_stop(
            graph, origins_layer(store, quelle), stops, max_anbindung_m=max_anbindung_m
        )

    return result_cache.results.get_or_compute("haltestellen_distanz", inputs, compute)


def _gtfs_inputs(gtfs: Path) -> dict[str, Any]:
    stat = gtfs.stat()
    return {"gtfs": str(gtfs), "gtfs_stand": f"{stat.st_mtime_ns}-{stat.st_size}"}


def transit_stations(
    gtfs: str | Path,
    crs: Any,
    datum: date | str | None = None,
    von: str | None = None,
    bis: str | None = None,
) -> gpd.GeoDataFrame:
    """Stations with departures and Haltestellenkategorie from a GTFS feed (cached)."""
    path = Path(gtfs)
    inputs = {
        **(_gtfs_inputs(path) if path.exists() else {"gtfs": str(path)}),
        "crs": str(crs),
        "datum": str(datum),
        "von": von,
        "bis": bis,
    }

    def compute() -> gpd.GeoDataFrame:
        feed = read_gtfs(path)
        return stations_layer(station_departures(feed, datum, von, bis), crs)

    return result_cache.results.get_or_compute("oev_haltestellen", inputs, compute)


def quality_classes(
    store: RegionStore,
    gtfs: str | Path,
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
    """ÖV-Güteklasse of every origin of the region (cached)."""
    path = Path(gtfs)
    inputs = {
        **_store_inputs(store),
        **_profile_inputs(profil, unbekannt),
        **(_gtfs_inputs(path) if path.exists() else {"gtfs": str(path)}),
        "datum": str(datum),
        "von": von,
        "bis": bis,
        "distanz": distanz,
        "quelle": quelle,
        "max_anbindung_m": float(max_anbindung_m),
    }

    def compute() -> pd.DataFrame:
        stations = transit_stations(path, store.crs, datum, von, bis)
        graph = load_graph(store, profil, unbekannt)
        return gueteklassen(
            graph, origins_layer(store, quelle), stations, distanz=distanz,
            max_anbindung_m=max_anbindung_m,
        )

    return result_cache.results.get_or_compute("oev_gueteklassen", inputs, compute)


def quality_class_areas(
    store: RegionStore,
    gtfs: str | Path,
    datum: date | str | None = None,
    von: str | None = None,
    bis: str | None = None,
    *,
    distanz: str = "luftlinie",
    profil: str = "fuss",
    unbekannt: str | None = None,
    progress: ProgressCallback | None = None,
) -> gpd.GeoDataFrame:
    """ÖV-Güteklassen as polygons (cached; ``progress`` as in
    :func:`analyses.transit.gueteklassen_flaechen`)."""
    path = Path(gtfs)
    inputs = {
        **_store_inputs(store),
        **(_profile_inputs(profil, unbekannt) if distanz == "netz" else {}),
        **(_gtfs_inputs(path) if path.exists() else {"gtfs": str(path)}),
        "datum": str(datum),
        "von": von,
        "bis": bis,
        "distanz": distanz,
    }

    def compute() -> gpd.GeoDataFrame:
        stations = transit_stations(path, store.crs, datum, von, bis)
        graph = load_graph(store, profil, unbekannt) if distanz == "netz" else None
        return gueteklassen_flaechen(stations, distanz=distanz, graph=graph, progress=progress)

    return result_cache.results.get_or_compute("oev_gueteklassen_flaechen", inputs, compute)


__all__ = [
    "ORIGIN_LAYERS",
    "coverage",
    "default_origin_source",
    "gaps",
    "origins_layer",
    "point_isochrones",
    "quality_class_by_area",
    "quality_class_areas",
    "quality_classes",
    "select_services",
    "service_counts",
    "service_isochrones",
    "stop_distance_bands",
    "stop_distance_by_area",
    "stop_distances",
    "transit_stations",
    "travel_times",
    "travel_times_by_type",
]
