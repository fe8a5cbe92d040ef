"""Public transport: walking distance to the nearest stop, and ÖV-Güteklassen from GTFS.

* :func:`nearest_stop` – per origin the network walking distance and time to the nearest stop
  (OSM ``haltestellen`` or any stop layer).
* :func:`station_departures` – departures per station in a time window on a chosen day (the
  service calendar decides which trips run; trips of the previous service day after midnight
  count too), the Kursintervall, the mode group and the Haltestellenkategorie I–VII.
* :func:`gueteklassen` – per origin the ÖV-Güteklasse A–F from the categories of the stations
  and the walking distance to them (network distance, or straight-line as in the original
  method).
* :func:`gueteklassen_flaechen` – the grades as polygons (straight-line buffers, or network
  areas built like isochrones).

The method's tables live in ``data/oev_gueteklassen.toml`` (documented there). Network distances
are travel times × profile speed: with the profile ``fuss`` these are plain metres; with a
barrier-aware profile (``rollstuhl``) they are "metres as if on asphalt", so steps make a stop
unreachable and cobblestones make it farther – a Güteklasse for wheelchair users.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from analyses.isochrones import edge_substrings, merge_intervals, reachable_edge_parts
from analyses.network.graph import NetworkGraph
from analyses.network.search import (
    evaluate_origins,
    nearest,
    snap_origins,
    snap_targets,
    source_field,
)
from analyses.network.snapping import DEFAULT_MAX_SNAP_M, point_geometries
from layers import settings
from layers.errors import AnalysisError, ConfigError
from layers.log import get_logger
from layers.progress import ProgressCallback, Steps
from layers.sources.gtfs import GtfsFeed
from layers.validation import require_crs

log = get_logger("transit")

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
NO_GRADE = "keine"
DISTANCE_MODES = ("netz", "luftlinie")
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_DHID_STATION = re.compile(r"^([a-z]{2}:\d+:[^:]+)")
# Platform suffixes in German stop names ("Bismarckplatz Bstg A", "Hbf Gleis 3").
_PLATFORM = re.compile(r"\s+(Bstg|Bussteig|Gleis|Steig)\.?\s*\S+$")


@dataclass(frozen=True)
class GueteklassenMethod:
    """The tables of the ÖV-Güteklassen method (from ``data/oev_gueteklassen.toml``)."""

    name: str
    quelle: str
    zeitfenster: tuple[str, str]
    group_of_route_type: dict[int, str]
    group_labels: dict[str, str]
    interval_bounds: tuple[float, ...]
    bands_m: tuple[float, ...]
    categories: dict[str, tuple[int, ...]]
    grades: dict[int, tuple[str | None, ...]]

    @property
    def group_order(self) -> list[str]:
        """Groups from the highest (rail) to the lowest (bus)."""
        return sorted(self.categories)

    def category(self, group: str, interval_min: float) -> int | None:
        """Haltestellenkategorie (1 = I …) for a group and a Kursintervall, or None."""
        if not np.isfinite(interval_min) or group not in self.categories:
            return None
        for position, bound in enumerate(self.interval_bounds):
            last = position == len(self.interval_bounds) - 1
            if interval_min < bound or (last and interval_min <= bound):
                return self.categories[group][position]
        return None

    def grade(self, category: int, distance_m: float) -> str | None:
        """Güteklasse for a category and a walking distance, or None."""
        if not np.isfinite(distance_m):
            return None
        for position, bound in enumerate(self.bands_m):
            if distance_m <= bound:
                return self.grades.get(category, ())[position]
        return None


def method_file() -> Path:
    """The method's table (``data/oev_gueteklassen.toml``)."""
    return settings.vocab_dir / "oev_gueteklassen.toml"


@lru_cache(maxsize=2)
def _load_method(path_text: str, mtime: int) -> GueteklassenMethod:
    path = Path(path_text)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        procedure = raw["verfahren"]
        bands = tuple(float(b) for b in procedure["distanzbaender_m"])
        bounds = tuple(float(b) for b in procedure["intervall_grenzen_min"])
        group_of: dict[int, str] = {}
        labels: dict[str, str] = {}
        for group, entry in raw["gruppen"].items():
            labels[group] = str(entry.get("bezeichnung", group))
            for route_type in entry["route_types"]:
                group_of[int(route_type)] = group
        categories = {g: tuple(int(c) for c in cats) for g, cats in raw["kategorien"].items()}
        grades: dict[int, tuple[str | None, ...]] = {}
        for roman, row in raw["gueteklassen"].items():
            grades[ROMAN.index(roman) + 1] = tuple(None if g == "-" else str(g) for g in row)
        window = procedure.get("zeitfenster", ["06:00", "20:00"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise ConfigError(
            f"Die Tabelle der ÖV-Güteklassen kann nicht gelesen werden ({exc}).",
            hinweis="Stellen Sie data/oev_gueteklassen.toml aus dem Repository wieder her.",
            datei=path,
        ) from exc
    for group, cats in categories.items():
        if len(cats) != len(bounds) or group not in labels:
            raise ConfigError(
                f"[kategorien] {group} braucht {len(bounds)} Werte (einen je Intervallklasse) "
                "und eine Gruppe [gruppen.{group}].",
                hinweis="Korrigieren Sie data/oev_gueteklassen.toml.",
                datei=path,
            )
    for category, row in grades.items():
        if len(row) != len(bands):
            raise ConfigError(
                f"[gueteklassen] {ROMAN[category - 1]} braucht {len(bands)} Werte (einen je "
                "Distanzband).",
                hinweis="Korrigieren Sie data/oev_gueteklassen.toml.",
                datei=path,
            )
    return GueteklassenMethod(
        name=str(procedure.get("name", "ÖV-Güteklassen")),
        quelle=str(procedure.get("quelle", "")),
        zeitfenster=(str(window[0]), str(window[1])),
        group_of_route_type=group_of,
        group_labels=labels,
        interval_bounds=bounds,
        bands_m=bands,
        categories=categories,
        grades=grades,
    )


def load_method() -> GueteklassenMethod:
    """The ÖV-Güteklassen tables (re-read when the file changes)."""
    path = method_file()
    return _load_method(str(path), path.stat().st_mtime_ns if path.exists() else 0)


def parse_clock(text: str, *, name: str = "Uhrzeit") -> int:
    """``"06:00"`` or ``"6:00:00"`` → seconds after midnight (up to 24:00).

    Raises
    ------
    AnalysisError
        For anything else.
    """
    match = _CLOCK.match(str(text))
    if match:
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
        total = hours * 3600 + minutes * 60 + seconds
        if minutes < 60 and seconds < 60 and total <= 24 * 3600:
            return total
    raise AnalysisError(
        f"Die {name} '{text}' ist keine gültige Uhrzeit.",
        hinweis="Schreiben Sie die Uhrzeit als HH:MM, z. B. 06:00 oder 20:00.",
    )


def typical_weekday(feed: GtfsFeed) -> date:
    """A Tuesday within the feed's validity with service (the usual reference day)."""
    first, last = feed.validity()
    day = first + timedelta(days=(1 - first.weekday()) % 7)
    while day <= last:
        if feed.active_services(day):
            return day
        day += timedelta(days=7)
    return first


def _station_keys(stops: pd.DataFrame) -> pd.Series:
    parent = stops["parent_station"].astype("string").str.strip()
    parent = parent.mask(parent == "")
    dhid = stops["stop_id"].astype("string").str.extract(_DHID_STATION)[0]
    key = parent.fillna(dhid).fillna("name:" + stops["stop_name"].astype("string"))
    return pd.Series(key.to_numpy(), index=stops["stop_id"].to_numpy())


def station_departures(
    feed: GtfsFeed,
    datum: date | str | None = None,
    von: str | None = None,
    bis: str | None = None,
    *,
    method: GueteklassenMethod | None = None,
) -> pd.DataFrame:
    """Departures, Kursintervall and Haltestellenkategorie of every station.

    Parameters
    ----------
    feed
        The GTFS feed (:func:`layers.sources.gtfs.read_gtfs`).
    datum
        The day (``date`` or ``"2022-09-13"``); default: a Tuesday with service.
    von, bis
        Time window (``"06:00"``, ``"20:00"``); default from the method table.
    method
        The method tables; default from ``data/oev_gueteklassen.toml``.

    Returns
    -------
    pandas.DataFrame
        One row per station with departures: ``station_id``, ``name``, ``lat``, ``lon``,
        ``gruppe`` (A rail, B tram, C bus), ``abfahrten``, ``abfahrten_je_stunde``,
        ``takt_min`` (Kursintervall), ``kategorie`` (1–7, <NA> if too rare) and
        ``kategorie_roemisch``, ``linien``; ``attrs`` record day and window.

    Raises
    ------
    AnalysisError
        Day outside the feed's validity, malformed times, an empty or reversed window.
    """
    method = method or load_method()
    day = _parse_day(datum) if datum is not None else typical_weekday(feed)
    first, last = feed.validity()
    if not first <= day <= last:
        raise AnalysisError(
            f"Der Fahrplan gilt vom {first:%d.%m.%Y} bis {last:%d.%m.%Y}; der "
            f"{day:%d.%m.%Y} liegt außerhalb.",
            hinweis="Wählen Sie einen Tag innerhalb der Gültigkeit oder laden Sie einen "
            "aktuellen Fahrplan.",
            datei=feed.path,
        )
    start = parse_clock(von or method.zeitfenster[0], name="Anfangszeit")
    end = parse_clock(bis or method.zeitfenster[1], name="Endzeit")
    if end <= start:
        raise AnalysisError(
            f"Das Zeitfenster {von}–{bis} ist leer oder verkehrt herum.",
            hinweis="Die Endzeit muss nach der Anfangszeit liegen, z. B. 06:00 bis 20:00.",
        )
    window_min = (end - start) / 60.0

    times = feed.stop_times
    last_stop = times.groupby("trip_id")["stop_sequence"].transform("max")
    departs = (times["stop_sequence"] < last_stop) & (times["pickup_type"] != 1)
    times = times[departs & times["abfahrt_s"].notna()]
    trips = feed.trips.merge(feed.routes, on="route_id", how="left")
    today = feed.active_services(day)
    yesterday = feed.active_services(day - timedelta(days=1))
    joined = times.merge(trips, on="trip_id", how="inner")
    seconds = joined["abfahrt_s"].to_numpy()
    runs_today = joined["service_id"].isin(today).to_numpy(dtype=bool)
    runs_yesterday = joined["service_id"].isin(yesterday).to_numpy(dtype=bool)
    in_window = (runs_today & (seconds >= start) & (seconds < end)) | (
        runs_yesterday & (seconds - 86400 >= start) & (seconds - 86400 < end)
    )
    counted = joined[in_window].copy()
    unknown_types = sorted(
        set(counted["route_type"].dropna().astype(int)) - set(method.group_of_route_type)
    )
    if unknown_types:
        log.warning(
            "Unbekannte route_type %s werden als Bus (Gruppe C) gezählt.", unknown_types
        )
    lowest = method.group_order[-1]
    counted["gruppe"] = counted["route_type"].map(method.group_of_route_type).fillna(lowest)

    keys = _station_keys(feed.stops)
    counted["station_id"] = keys.reindex(counted["stop_id"].to_numpy()).to_numpy()
    stops = feed.stops.assign(station_id=keys.reindex(feed.stops["stop_id"].to_numpy()).to_numpy())
    stops = stops[stops["stop_lat"].notna() & stops["stop_lon"].notna()]
    served = stops[stops["stop_id"].isin(counted["stop_id"])]
    served = served.assign(
        stop_name=served["stop_name"].astype("string").str.replace(_PLATFORM, "", regex=True)
    )
    places = served.groupby("station_id").agg(
        name=("stop_name", lambda s: s.mode().iloc[0] if len(s.mode()) else s.iloc[0]),
        lat=("stop_lat", "mean"),
        lon=("stop_lon", "mean"),
    )
    grouped = counted.groupby("station_id")
    result = pd.DataFrame(
        {
            "abfahrten": grouped.size(),
            "gruppe": grouped["gruppe"].agg(lambda g: sorted(set(g))[0]),
            "linien": grouped["route_short_name"].agg(
                lambda names: ", ".join(sorted({str(n) for n in names.dropna()}))
            ),
        }
    ).join(places, how="inner")
    result["abfahrten_je_stunde"] = (result["abfahrten"] / (window_min / 60.0)).round(2)
    result["takt_min"] = (window_min / (result["abfahrten"] / 2.0)).round(2)
    categories = [
        method.category(str(g), float(t))
        for g, t in zip(result["gruppe"], result["takt_min"], strict=True)
    ]
    result["kategorie"] = pd.array(categories, dtype="Int64")
    result["kategorie_roemisch"] = [ROMAN[c - 1] if c else None for c in categories]
    result = result.reset_index().rename(columns={"index": "station_id"})
    result = result[
        ["station_id", "name", "lat", "lon", "gruppe", "abfahrten", "abfahrten_je_stunde",
         "takt_min", "kategorie", "kategorie_roemisch", "linien"]
    ].sort_values(["kategorie", "abfahrten"], ascending=[True, False], na_position="last")
    result = result.reset_index(drop=True)
    result.attrs.update(
        {
            "datum": day.isoformat(),
            "von": von or method.zeitfenster[0],
            "bis": bis or method.zeitfenster[1],
            "verfahren": method.name,
            "quelle": method.quelle,
        }
    )
    return result


def _parse_day(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        match = re.match(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$", str(value))
        if match:
            try:
                return date(int(match[3]), int(match[2]), int(match[1]))
            except ValueError:
                pass
    raise AnalysisError(
        f"'{value}' ist kein gültiges Datum.",
        hinweis="Schreiben Sie das Datum als JJJJ-MM-TT (2022-09-13) oder TT.MM.JJJJ.",
    )


def stations_layer(stations: pd.DataFrame, crs: CRS | str | int) -> gpd.GeoDataFrame:
    """The stations of :func:`station_departures` as points in the region CRS."""
    points = gpd.GeoSeries.from_xy(stations["lon"], stations["lat"], crs="EPSG:4326")
    layer = gpd.GeoDataFrame(stations.copy(), geometry=points.to_crs(crs).to_numpy(), crs=crs)
    layer.attrs.update(stations.attrs)
    return layer


def _check_stations(stations: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
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
    """The ÖV-Güteklasse of every origin.

    Parameters
    ----------
    graph
        The network (distances = travel time × speed of its profile).
    origins
        Origins (points or polygons by centroid), e.g. population cells.
    stations
        Stations with ``kategorie`` (:func:`stations_layer`), in the graph's CRS.
    distanz
        ``"netz"`` (walking distance on the network, default) or ``"luftlinie"`` (straight
        line, as in the original ARE method).
    max_anbindung_m
        Snap limit for origins and stations (network mode).
    method
        The method tables.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``gueteklasse`` (A–F or ``"keine"``), ``kategorie`` and
        ``station_id``/``haltestelle`` of the stop that gives it, ``distanz_m``, ``angebunden``
        (origin within the snap limit of the network; always true for straight lines),
        ``distanz_art``, ``profil``, ``unbekannt``.
    """
    method = method or load_method()
    if distanz not in DISTANCE_MODES:
        raise AnalysisError(
            f"Unbekannte Distanzart '{distanz}'.",
            hinweis="Erlaubt sind 'netz' (Fußweg im Wegenetz) und 'luftlinie'.",
        )
    rated = _check_stations(stations, graph.crs)
    max_band = max(method.bands_m)
    grade_rank = {g: i for i, g in enumerate("ABCDEFGHIJ")}
    n = len(origins)
    best_rank = np.full(n, 99)
    best_category = np.full(n, -1)
    best_station = np.full(n, -1, dtype=np.int64)
    best_distance = np.full(n, np.nan)
    connected = np.ones(n, dtype=bool)

    if distanz == "netz":
        snapped = snap_origins(graph, origins, max_anbindung_m)
        connected = snapped.connected.copy()
        index = snapped.index
    else:
        require_crs(origins, graph.crs, name="Startpunkte")
        points = point_geometries(origins, name="Startpunkte")
        index = origins.index
    station_names = rated["name"].astype(str).to_numpy()
    station_ids = rated["station_id"].astype(str).to_numpy()
    categories = rated["kategorie"].astype(int).to_numpy()
    for category in sorted(set(categories)):
        rows = np.flatnonzero(categories == category)
        members = rated.iloc[rows]
        if distanz == "netz":
            try:
                sources, _ = snap_targets(
                    graph, members, max_anbindung_m, name="Haltestellen",
                    labels=list(station_names[rows]),
                )
            except AnalysisError:
                log.info("Kategorie %s: keine Haltestelle am Wegenetz.", ROMAN[category - 1])
                continue
            field = source_field(graph, sources, limit_seconds=max_band / graph.speed)
            seconds, nearest_idx, _ = evaluate_origins(graph, field, snapped, sources)
            distance = seconds * graph.speed
        else:
            tree = shapely.STRtree(members.geometry.to_numpy())
            (point_idx, tree_idx), dist = tree.query_nearest(
                points, max_distance=max_band, return_distance=True, all_matches=False
            )
            distance = np.full(n, np.inf)
            nearest_idx = np.full(n, -1, dtype=np.int64)
            distance[point_idx] = dist
            nearest_idx[point_idx] = tree_idx
        for position, bound in enumerate(method.bands_m):
            grade = method.grades.get(int(category), ())[position]
            if grade is None:
                continue
            lower = method.bands_m[position - 1] if position else -np.inf
            hit = (distance > lower) & (distance <= bound) & (grade_rank[grade] < best_rank)
            best_rank[hit] = grade_rank[grade]
            best_category[hit] = category
            best_station[hit] = rows[nearest_idx[hit]]
            best_distance[hit] = distance[hit]
    letters = np.array(list("ABCDEFGHIJ") + [NO_GRADE] * 90, dtype=object)
    grade_column = letters[np.minimum(best_rank, 99)]
    grade_names = sorted({g for row in method.grades.values() for g in row if g})
    has = best_station >= 0
    pick = np.maximum(best_station, 0)
    frame = pd.DataFrame(
        {
            "gueteklasse": pd.Categorical(grade_column, categories=[*grade_names, NO_GRADE]),
            "kategorie": pd.array(
                [ROMAN[c - 1] if c > 0 else None for c in best_category], dtype="string"
            ),
            "station_id": pd.Series(np.where(has, station_ids[pick], None), dtype="string").array,
            "haltestelle": pd.Series(
                np.where(has, station_names[pick], None), dtype="string"
            ).array,
            "distanz_m": np.round(best_distance, 1),
            "angebunden": connected,
            "distanz_art": distanz,
            "profil": graph.profil.name,
            "unbekannt": graph.unbekannt,
        },
        index=index,
    )
    frame.attrs.update(
        {
            "profil": graph.profil.name,
            "unbekannt": graph.unbekannt,
            "distanz_art": distanz,
            "verfahren": method.name,
            **{k: v for k, v in stations.attrs.items() if k in ("datum", "von", "bis")},
        }
    )
    return frame


def gueteklassen_flaechen(
    stations: gpd.GeoDataFrame,
    *,
    distanz: str = "luftlinie",
    graph: NetworkGraph | None = None,
    puffer_m: float = 25.0,
    method: GueteklassenMethod | None = None,
    progress: ProgressCallback | None = None,
) -> gpd.GeoDataFrame:
    """The Güteklassen as polygons (better grades win where areas overlap).

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
    if distanz not in DISTANCE_MODES:
        raise AnalysisError(
            f"Unbekannte Distanzart '{distanz}'.",
            hinweis="Erlaubt sind 'netz' (Fußweg im Wegenetz) und 'luftlinie'.",
        )
    if distanz == "netz" and graph is None:
        raise AnalysisError(
            "Für Güteklassen-Flächen im Wegenetz fehlt das Netz.",
            hinweis="Übergeben Sie den Graphen des Profils, z. B. region.graph('fuss').",
        )
    crs = graph.crs if graph is not None else CRS.from_user_input(stations.crs)
    rated = _check_stations(stations, crs)
    letters = sorted({g for row in method.grades.values() for g in row if g})
    categories = sorted(set(rated["kategorie"].astype(int)))
    members = {c: rated[rated["kategorie"].astype(int) == c] for c in categories}

    def radius(category: int, letter: str) -> float | None:
        """Largest distance at which a stop of this category still gives ``letter`` or better."""
        best = None
        for position, grade in enumerate(method.grades.get(category, ())):
            if grade is not None and grade <= letter:
                best = method.bands_m[position]
        return best

    records = []
    geometries = []
    covered = shapely.Polygon()
    steps = Steps(len(letters), "ÖV-Güteklassen-Flächen", progress)
    if distanz == "luftlinie":
        centres = {c: shapely.union_all(members[c].geometry.to_numpy()) for c in categories}
    else:
        assert graph is not None
        fields = {}
        for c in categories:
            try:
                sources, _ = snap_targets(
                    graph, members[c], DEFAULT_MAX_SNAP_M, name="Haltestellen",
                    labels=list(members[c]["name"].astype(str)),
                )
            except AnalysisError:
                continue
            limit = max(method.bands_m) / graph.speed
            fields[c] = (sources, source_field(graph, sources, limit_seconds=limit))
        whole_before = np.zeros(len(graph.edge_seconds), dtype=bool)
    for grade_number, letter in enumerate(letters):
        if grade_number:
            steps.advance()  # the previous grade is done (its iteration may have ended early)
        steps.step(f"Güteklasse {letter}")
        if distanz == "luftlinie":
            discs = [
                shapely.buffer(centres[c], r, quad_segs=16)
                for c in categories
                if (r := radius(c, letter)) is not None
            ]
            cumulative = shapely.union_all([covered, *discs])
        else:
            assert graph is not None
            rows_list, start_list, end_list = [], [], []
            for c, (sources, field) in fields.items():
                r = radius(c, letter)
                if r is None:
                    continue
                rows, start, end = reachable_edge_parts(
                    graph, sources, field.seconds, r / graph.speed
                )
                rows_list.append(rows)
                start_list.append(start)
                end_list.append(end)
            if not rows_list:
                continue
            rows, start, end = merge_intervals(
                np.concatenate(rows_list), np.concatenate(start_list), np.concatenate(end_list)
            )
            parts, position = edge_substrings(graph, rows, start, end)
            # Edges wholly inside a better grade add nothing; buffer only the rest.
            fresh = parts[~whole_before[rows[position]]]
            whole_before[rows[(start <= 0.0) & (end >= 1.0)]] = True
            if len(fresh) == 0:
                continue
            grown = shapely.union_all(shapely.buffer(fresh, puffer_m, quad_segs=4))
            cumulative = shapely.union_all([covered, grown])
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
    result = gpd.GeoDataFrame(pd.DataFrame(records), geometry=geometries, crs=crs)
    result.attrs.update({k: v for k, v in stations.attrs.items() if k in ("datum", "von", "bis")})
    return result


def nearest_stop(
    graph: NetworkGraph,
    origins: gpd.GeoDataFrame | gpd.GeoSeries,
    haltestellen: gpd.GeoDataFrame,
    *,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Walking time and network distance from every origin to the nearest stop.

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


__all__ = [
    "NO_GRADE",
    "ROMAN",
    "GueteklassenMethod",
    "gueteklassen",
    "gueteklassen_flaechen",
    "load_method",
    "nearest_stop",
    "parse_clock",
    "station_departures",
    "stations_layer",
    "typical_weekday",
]
