"""Departures per station on a day and in a time window, and the Haltestellenkategorie.

The service calendar decides which trips run; trips of the previous service day after midnight
count too. Per station: departures, Kursintervall, mode group and category I–VII
(:func:`station_departures`); :func:`stations_layer` turns the table into points.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from analyses.transit.method import ROMAN, GueteklassenMethod, load_method
from layers.errors import AnalysisError
from layers.log import get_logger
from layers.sources.gtfs import GtfsFeed

__all__ = ["parse_clock", "station_departures", "stations_layer", "typical_weekday"]

log = get_logger("transit")

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_DHID_STATION = re.compile(r"^([a-z]{2}:\d+:[^:]+)")
# Platform suffixes in German stop names ("Bismarckplatz Bstg A", "Hbf Gleis 3").
_PLATFORM = re.compile(r"\s+(Bstg|Bussteig|Gleis|Steig)\.?\s*\S+$")
_COLUMNS = ["station_id", "name", "lat", "lon", "gruppe", "abfahrten", "abfahrten_je_stunde",
            "takt_min", "kategorie", "kategorie_roemisch", "linien"]


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
    """Return a Tuesday within the feed's validity with service (the usual reference day)."""
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
    day = _service_day(feed, datum)
    start = parse_clock(von or method.zeitfenster[0], name="Anfangszeit")
    end = parse_clock(bis or method.zeitfenster[1], name="Endzeit")
    if end <= start:
        raise AnalysisError(
            f"Das Zeitfenster {von}–{bis} ist leer oder verkehrt herum.",
            hinweis="Die Endzeit muss nach der Anfangszeit liegen, z. B. 06:00 bis 20:00.",
        )
    counted = _departures_in_window(feed, day, start, end, method)
    result = _station_table(feed, counted, (end - start) / 60.0, method)
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


def _service_day(feed: GtfsFeed, datum: date | str | None) -> date:
    """Return the chosen day (default: a Tuesday with service); it must lie in the feed's validity."""
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
    return day


def _departures_in_window(
    feed: GtfsFeed, day: date, start: int, end: int, method: GueteklassenMethod
) -> pd.DataFrame:
    """Every departure (not at a trip's last stop, boarding allowed) in the window on the day.

    Trips of the previous service day count with their times after midnight. Adds the mode
    group (``gruppe``; unknown route types count as the lowest group) and ``station_id``.
    """
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
    return counted


def _station_places(feed: GtfsFeed, counted: pd.DataFrame) -> pd.DataFrame:
    """Name (most common, without platform) and mean position of every served station."""
    keys = _station_keys(feed.stops)
    stops = feed.stops.assign(station_id=keys.reindex(feed.stops["stop_id"].to_numpy()).to_numpy())
    stops = stops[stops["stop_lat"].notna() & stops["stop_lon"].notna()]
    served = stops[stops["stop_id"].isin(counted["stop_id"])]
    served = served.assign(
        stop_name=served["stop_name"].astype("string").str.replace(_PLATFORM, "", regex=True)
    )
    return served.groupby("station_id").agg(
        name=("stop_name", lambda s: s.mode().iloc[0] if len(s.mode()) else s.iloc[0]),
        lat=("stop_lat", "mean"),
        lon=("stop_lon", "mean"),
    )


def _station_table(
    feed: GtfsFeed, counted: pd.DataFrame, window_min: float, method: GueteklassenMethod
) -> pd.DataFrame:
    """One row per station: departures, Kursintervall, group, category, lines (sorted)."""
    grouped = counted.groupby("station_id")
    result = pd.DataFrame(
        {
            "abfahrten": grouped.size(),
            "gruppe": grouped["gruppe"].agg(lambda g: sorted(set(g))[0]),
            "linien": grouped["route_short_name"].agg(
                lambda names: ", ".join(sorted({str(n) for n in names.dropna()}))
            ),
        }
    ).join(_station_places(feed, counted), how="inner")
    result["abfahrten_je_stunde"] = (result["abfahrten"] / (window_min / 60.0)).round(2)
    result["takt_min"] = (window_min / (result["abfahrten"] / 2.0)).round(2)
    categories = [
        method.category(str(g), float(t))
        for g, t in zip(result["gruppe"], result["takt_min"], strict=True)
    ]
    result["kategorie"] = pd.array(categories, dtype="Int64")
    result["kategorie_roemisch"] = [ROMAN[c - 1] if c else None for c in categories]
    result = result.reset_index().rename(columns={"index": "station_id"})
    result = result[_COLUMNS].sort_values(
        ["kategorie", "abfahrten"], ascending=[True, False], na_position="last"
    )
    return result.reset_index(drop=True)


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
    """Return the stations of :func:`station_departures` as points in the region CRS."""
    points = gpd.GeoSeries.from_xy(stations["lon"], stations["lat"], crs="EPSG:4326")
    layer = gpd.GeoDataFrame(stations.copy(), geometry=points.to_crs(crs).to_numpy(), crs=crs)
    layer.attrs.update(stations.attrs)
    return layer
