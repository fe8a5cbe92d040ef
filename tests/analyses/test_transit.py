"""Public transport: GTFS reading, departures by service calendar, the method table of the
ÖV-Güteklassen, station categories (Heidelberg timetable; no region is built)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest

from analyses.transit import (
    load_method,
    parse_clock,
    station_departures,
    typical_weekday,
)
from layers.errors import AnalysisError, InputValidationError, SourceDataError
from layers.sources.gtfs import read_gtfs
from tests.tools.paths import GTFS_HEIDELBERG
from tests.tools.samples import GTFS_DAY

GTFS = GTFS_HEIDELBERG
DAY = GTFS_DAY


def _raw(member: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(GTFS) as archive:
        text = archive.read(member).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_feed_calendar(feed):
    assert feed.validity() == (date(2022, 6, 12), date(2022, 12, 10))
    assert typical_weekday(feed).weekday() == 1
    weekday = feed.active_services(DAY)
    sunday = feed.active_services(date(2022, 9, 11))
    assert weekday and sunday and weekday != sunday
    # independently from calendar_dates.txt (this feed has no weekday flags in calendar.txt)
    added = {r["service_id"] for r in _raw("calendar_dates.txt")
             if r["date"] == "20220913" and r["exception_type"] == "1"}
    assert weekday == added


def test_departures_of_one_station_counted_independently(feed, stations):
    active = {r["service_id"] for r in _raw("calendar_dates.txt")
              if r["date"] == "20220913" and r["exception_type"] == "1"}
    service_of = {r["trip_id"]: r["service_id"] for r in _raw("trips.txt")}
    rows = _raw("stop_times.txt")
    last = {}
    for r in rows:
        last[r["trip_id"]] = max(last.get(r["trip_id"], 0), int(r["stop_sequence"]))
    count = 0
    for r in rows:
        if not r["stop_id"].startswith("de:08221:1146:"):
            continue
        if service_of[r["trip_id"]] not in active or int(r["stop_sequence"]) == last[r["trip_id"]]:
            continue
        h, m, s = (int(x) for x in r["departure_time"].split(":"))
        if 6 * 3600 <= h * 3600 + m * 60 + s < 20 * 3600:
            count += 1
    station = stations[stations["station_id"].str.startswith("de:08221:1146")].iloc[0]
    assert station["abfahrten"] == count
    assert station["takt_min"] == pytest.approx(840 / (count / 2), abs=0.01)
    assert station["name"] == "Heidelberg, Bismarckplatz"
    assert station["gruppe"] == "B"  # tram lines stop here


def test_categories_and_grades_follow_the_method_table():
    method = load_method()
    assert method.category("A", 4.0) == 1
    assert method.category("B", 3.34) == 1
    assert method.category("B", 5.05) == 2
    assert method.category("C", 15.0) == 4
    assert method.category("C", 120.0) == 7
    assert method.category("C", 121.0) is None
    assert method.grade(1, 299) == "A" and method.grade(1, 600) == "B"
    assert method.grade(2, 400) == "B" and method.grade(7, 250) == "F"
    assert method.grade(7, 301) is None and method.grade(1, 1001) is None


def test_stations_have_categories(stations):
    assert stations.attrs["datum"] == "2022-09-13"
    hbf = stations[stations["name"].str.contains("Hauptbahnhof")].iloc[0]
    assert hbf["kategorie_roemisch"] == "I"
    assert set(stations["gruppe"]) <= {"A", "B", "C"}
    rated = stations[stations["kategorie"].notna()]
    assert len(rated) > 100
    # categories agree with the group and interval of each station
    method = load_method()
    for record in rated.itertuples():
        assert record.kategorie == method.category(record.gruppe, record.takt_min)
    night = station_departures(read_gtfs(GTFS), DAY, "01:00", "04:00")
    assert night["abfahrten"].sum() < stations["abfahrten"].sum() / 20


def _zip(tmp_path, files: dict[str, str], name: str = "feed.zip"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


def _good_files() -> dict[str, str]:
    with zipfile.ZipFile(GTFS) as archive:
        return {n: archive.read(n).decode("utf-8-sig") for n in archive.namelist()}


def test_bad_gtfs_gives_german_errors(tmp_path, feed):
    text_file = tmp_path / "fahrplan.zip"
    text_file.write_text("kein zip", encoding="utf-8")
    with pytest.raises(SourceDataError, match="kein ZIP-Archiv"):
        read_gtfs(text_file)
    with pytest.raises(SourceDataError, match="nicht gefunden"):
        read_gtfs(tmp_path / "fehlt.zip")
    files = _good_files()
    without_stops = {k: v for k, v in files.items() if k != "stops.txt"}
    with pytest.raises(SourceDataError, match="fehlen: stops.txt"):
        read_gtfs(_zip(tmp_path, without_stops, "a.zip"))
    no_column = dict(files)
    no_column["routes.txt"] = no_column["routes.txt"].replace("route_type", "typ", 1)
    with pytest.raises(SourceDataError, match="Pflichtspalten route_type") as info:
        read_gtfs(_zip(tmp_path, no_column, "b.zip"))
    assert "routes.txt" in str(info.value)
    bad_time = dict(files)
    lines = bad_time["stop_times.txt"].splitlines()
    lines[3] = lines[3].replace("08:54:00", "8 Uhr 54", 1)
    bad_time["stop_times.txt"] = "\n".join(lines)
    with pytest.raises(InputValidationError) as info:
        read_gtfs(_zip(tmp_path, bad_time, "c.zip"))
    problem = info.value.probleme[0]
    assert problem.zeile == 4 and problem.spalte in ("arrival_time", "departure_time")
    assert "Keine gültige Uhrzeit" in str(info.value)
    with pytest.raises(AnalysisError, match="liegt außerhalb"):
        station_departures(feed, date(2023, 3, 1))
    with pytest.raises(AnalysisError, match="verkehrt herum"):
        station_departures(feed, DAY, "20:00", "06:00")
    with pytest.raises(AnalysisError, match="keine gültige Uhrzeit"):
        parse_clock("25:99")
    with pytest.raises(AnalysisError, match="kein gültiges Datum"):
        station_departures(feed, "13.13.2022")
