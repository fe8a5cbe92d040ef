"""Read and check a GTFS timetable feed (ZIP) with pandas, without network access.

Only what the public-transport analyses need is read: ``stops``, ``routes``, ``trips``,
``stop_times`` and the service calendar (``calendar`` and/or ``calendar_dates``). Every problem
is reported in German with the file inside the ZIP, the row (as a text editor counts it, header
= row 1) and the column, e.g. a malformed departure time or a missing column.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from layers.errors import InputValidationError, Problem, SourceDataError
from layers.validation import FIRST_DATA_ROW

__all__ = [
    "CALENDAR_COLUMNS",
    "CALENDAR_DATES_COLUMNS",
    "GtfsFeed",
    "MAX_PROBLEMS",
    "REQUIRED_FILES",
    "WEEKDAYS",
    "parse_gtfs_time",
    "read_gtfs",
]

REQUIRED_FILES: dict[str, tuple[str, ...]] = {
    "stops.txt": ("stop_id", "stop_name", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"),
}
CALENDAR_COLUMNS = (
    "service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "start_date", "end_date",
)
CALENDAR_DATES_COLUMNS = ("service_id", "date", "exception_type")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class GtfsFeed:
    """The tables of a GTFS feed, checked and typed.

    Attributes
    ----------
    stops
        ``stop_id``, ``stop_name``, ``stop_lat``, ``stop_lon`` (floats), ``parent_station``,
        ``location_type``.
    routes
        ``route_id``, ``route_type`` (int), ``route_short_name``.
    trips
        ``route_id``, ``service_id``, ``trip_id``.
    stop_times
        ``trip_id``, ``stop_id``, ``stop_sequence`` (int), ``abfahrt_s`` (departure in seconds
        after midnight of the service day, may exceed 24 h; NaN where the feed gives no time),
        ``pickup_type`` (int, 0 if missing).
    calendar, calendar_dates
        The service calendar (either may be empty, not both); dates as ``datetime.date``.
    path
        The ZIP file.
    """

    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    path: Path

    def validity(self) -> tuple[date, date]:
        """First and last day on which the calendar defines any service."""
        days: list[date] = []
        if len(self.calendar):
            days += [min(self.calendar["start_date"]), max(self.calendar["end_date"])]
        if len(self.calendar_dates):
            added = self.calendar_dates[self.calendar_dates["exception_type"] == 1]["date"]
            if len(added):
                days += [min(added), max(added)]
        if not days:
            raise SourceDataError(
                "Der Fahrplan enthält keinen einzigen Verkehrstag.",
                hinweis="calendar.txt oder calendar_dates.txt muss Verkehrstage festlegen.",
                datei=self.path,
            )
        return min(days), max(days)

    def active_services(self, day: date) -> set[str]:
        """``service_id`` values running on ``day`` (calendar plus exceptions)."""
        active: set[str] = set()
        if len(self.calendar):
            cal = self.calendar
            column = WEEKDAYS[day.weekday()]
            running = (cal["start_date"] <= day) & (cal["end_date"] >= day) & (cal[column] == 1)
            active |= set(cal.loc[running, "service_id"])
        if len(self.calendar_dates):
            exceptions = self.calendar_dates[self.calendar_dates["date"] == day]
            active |= set(exceptions.loc[exceptions["exception_type"] == 1, "service_id"])
            active -= set(exceptions.loc[exceptions["exception_type"] == 2, "service_id"])
        return active


def _read_member(archive: zipfile.ZipFile, member: str, path: Path) -> pd.DataFrame:
    raw = archive.read(member)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceDataError(
            f"'{member}' im GTFS-Archiv ist nicht UTF-8-kodiert.",
            hinweis="GTFS verlangt UTF-8; speichern Sie die Datei mit dieser Kodierung.",
            datei=f"{path.name}/{member}",
        ) from exc
    if not text.strip():
        return pd.DataFrame()
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
            skipinitialspace=True,
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise SourceDataError(
            f"'{member}' ist keine gleichmäßig aufgebaute CSV-Datei ({exc}).",
            hinweis="Prüfen Sie die genannte Zeile auf überzählige Kommas oder fehlende "
            "Anführungszeichen.",
            datei=f"{path.name}/{member}",
            zeile=int(match.group(1)) if match else None,
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _require(frame: pd.DataFrame, member: str, columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceDataError(
            f"In '{member}' fehlen die Pflichtspalten {', '.join(missing)}.",
            hinweis="Der GTFS-Standard verlangt diese Spalten; exportieren Sie den Fahrplan "
            "vollständig neu.",
            datei=f"{path.name}/{member}",
            spalte=missing[0],
        )


def _problems_for(
    bad: np.ndarray, values: pd.Series, member: str, column: str, path: Path, what: str, fix: str
) -> list[Problem]:
    return [
        Problem(
            f"{what}: '{values.iloc[pos]}'.",
            fix,
            datei=f"{path.name}/{member}",
            zeile=int(pos) + FIRST_DATA_ROW,
            spalte=column,
        )
        for pos in np.flatnonzero(bad)[:MAX_PROBLEMS]
    ]


def parse_gtfs_time(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse GTFS times ``H:MM:SS`` (hours may exceed 23) into seconds after midnight.

    Returns
    -------
    tuple
        Seconds (NaN for empty values) and a mask of malformed non-empty values.
    """
    text = values.astype("string")
    parts = text.str.extract(_TIME)
    seconds = (
        pd.to_numeric(parts[0], errors="coerce") * 3600
        + pd.to_numeric(parts[1], errors="coerce") * 60
        + pd.to_numeric(parts[2], errors="coerce")
    ).to_numpy(dtype=float)
    bad = (text.notna() & parts[0].isna()).to_numpy(dtype=bool)
    return seconds, bad


def _parse_dates(values: pd.Series) -> tuple[list[date | None], np.ndarray]:
    result: list[date | None] = []
    bad = np.zeros(len(values), dtype=bool)
    for pos, value in enumerate(values.astype("string").fillna("")):
        try:
            result.append(datetime.strptime(value.strip(), "%Y%m%d").date())
        except ValueError:
            result.append(None)
            bad[pos] = True
    return result, bad


def read_gtfs(path: str | Path) -> GtfsFeed:
    """Read a GTFS feed from a ZIP file.

    The steps: open the archive and read its tables (:func:`_read_tables`), check each table's
    values (stops, routes, trips, stop times, calendar, calendar dates), then raise one error
    listing every malformed value or return the feed.

    Parameters
    ----------
    path
        The ``.zip`` file.

    Returns
    -------
    GtfsFeed

    Raises
    ------
    SourceDataError
        Missing file, not a ZIP, missing tables or columns, unreadable CSV.
    InputValidationError
        Malformed values (times, dates, coordinates, route types), listed by file, row and
        column.
    """
    path = Path(path)
    tables = _read_tables(path)
    for name, columns in REQUIRED_FILES.items():
        _require(tables[name], name, columns, path)
    problems: list[Problem] = []
    stops = _checked_stops(tables["stops.txt"], path, problems)
    routes = _checked_routes(tables["routes.txt"], path, problems)
    trips = _checked_trips(tables["trips.txt"], routes, path, problems)
    stop_times = _checked_stop_times(tables["stop_times.txt"], stops, path, problems)
    calendar = _checked_calendar(tables.get("calendar.txt"), path, problems)
    calendar_dates = _checked_calendar_dates(tables.get("calendar_dates.txt"), path, problems)
    if problems:
        raise InputValidationError(
            f"Der GTFS-Fahrplan enthält {len(problems)}"
            f"{' oder mehr' if len(problems) >= MAX_PROBLEMS else ''} fehlerhafte Werte.",
            hinweis="Korrigieren Sie die aufgeführten Stellen oder laden Sie einen gültigen "
            "Fahrplan vom Verkehrsverbund.",
            datei=path,
            probleme=problems,
        )
    return GtfsFeed(
        stops=stops,
        routes=routes[["route_id", "route_type", "route_short_name"]].copy(),
        trips=trips,
        stop_times=stop_times,
        calendar=calendar,
        calendar_dates=calendar_dates,
        path=path,
    )


def _read_tables(path: Path) -> dict[str, pd.DataFrame]:
    """Open the ZIP archive and read its GTFS tables as text frames.

    Raises
    ------
    SourceDataError
        Missing file, not a ZIP, a damaged archive, or required tables missing.
    """
    if not path.exists():
        raise SourceDataError(
            "Die GTFS-Datei wurde nicht gefunden.",
            hinweis="Prüfen Sie den Pfad; GTFS-Fahrpläne sind ZIP-Dateien, z. B. vom "
            "Verkehrsverbund oder von gtfs.de.",
            datei=path,
        )
    if not zipfile.is_zipfile(path):
        raise SourceDataError(
            "Die GTFS-Datei ist kein ZIP-Archiv.",
            hinweis="Ein GTFS-Fahrplan ist eine ZIP-Datei mit stops.txt, routes.txt, trips.txt, "
            "stop_times.txt und calendar.txt; entpacken Sie sie nicht und benennen Sie keine "
            "andere Datei um.",
            datei=path,
        )
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:  # pragma: no cover - is_zipfile caught most cases
        raise SourceDataError(
            f"Das GTFS-Archiv ist beschädigt ({exc}).",
            hinweis="Laden Sie den Fahrplan erneut herunter.",
            datei=path,
        ) from exc
    with archive:
        # Some feeds put the tables into a folder inside the ZIP.
        members = {Path(name).name: name for name in archive.namelist() if name.endswith(".txt")}
        missing = [name for name in REQUIRED_FILES if name not in members]
        has_calendar = "calendar.txt" in members or "calendar_dates.txt" in members
        if missing or not has_calendar:
            needed = missing + ([] if has_calendar else ["calendar.txt oder calendar_dates.txt"])
            raise SourceDataError(
                f"Im GTFS-Archiv fehlen: {', '.join(needed)}.",
                hinweis="Ein vollständiger GTFS-Fahrplan enthält stops.txt, routes.txt, "
                "trips.txt, stop_times.txt und einen Verkehrskalender.",
                datei=path,
            )
        return {
            name: _read_member(archive, members[name], path)
            for name in (*REQUIRED_FILES, "calendar.txt", "calendar_dates.txt")
            if name in members
        }


def _checked_stops(raw: pd.DataFrame, path: Path, problems: list[Problem]) -> pd.DataFrame:
    """Stops with numeric coordinates; invalid coordinates are added to ``problems``."""
    stops = raw.copy()
    for column, low, high in (("stop_lat", -90, 90), ("stop_lon", -180, 180)):
        numbers = pd.to_numeric(stops[column], errors="coerce")
        is_station = stops.get("location_type", pd.Series("", index=stops.index)).fillna("")
        # Generic nodes and boarding areas (location_type 3, 4) may lack coordinates.
        optional = is_station.isin(["3", "4"]).to_numpy(dtype=bool)
        bad = ((numbers.isna() | (numbers < low) | (numbers > high)).to_numpy(dtype=bool)) & ~optional
        problems += _problems_for(
            bad, stops[column], "stops.txt", column, path,
            "Keine gültige Koordinate in Grad",
            "Tragen Sie die Koordinate als Dezimalzahl mit Punkt ein (z. B. 49.4093).",
        )
        stops[column] = numbers
    for optional_column in ("parent_station", "location_type"):
        if optional_column not in stops.columns:
            stops[optional_column] = pd.NA
    return stops


def _checked_routes(raw: pd.DataFrame, path: Path, problems: list[Problem]) -> pd.DataFrame:
    """Routes with an integer ``route_type`` (-1 where invalid, which is added to ``problems``)."""
    routes = raw.copy()
    route_type = pd.to_numeric(routes["route_type"], errors="coerce")
    bad = (route_type.isna() | (route_type % 1 != 0)).to_numpy(dtype=bool)
    problems += _problems_for(
        bad, routes["route_type"], "routes.txt", "route_type", path,
        "Kein gültiger Verkehrsmitteltyp (route_type)",
        "route_type ist eine ganze Zahl, z. B. 0 Straßenbahn, 2 Bahn, 3 Bus (oder 100–1700).",
    )
    routes["route_type"] = route_type.fillna(-1).astype(np.int64)
    if "route_short_name" not in routes.columns:
        routes["route_short_name"] = pd.NA
    return routes


def _checked_trips(
    raw: pd.DataFrame, routes: pd.DataFrame, path: Path, problems: list[Problem]
) -> pd.DataFrame:
    """Trips (route, service, trip); a trip of a route missing in ``routes`` is a problem."""
    trips = raw[["route_id", "service_id", "trip_id"]].copy()
    unknown_route = ~trips["route_id"].isin(routes["route_id"]).to_numpy(dtype=bool)
    problems += _problems_for(
        unknown_route, trips["route_id"], "trips.txt", "route_id", path,
        "Fahrt verweist auf eine Linie, die in routes.txt fehlt",
        "Ergänzen Sie die Linie in routes.txt oder korrigieren Sie route_id.",
    )
    return trips


def _checked_stop_times(
    times: pd.DataFrame, stops: pd.DataFrame, path: Path, problems: list[Problem]
) -> pd.DataFrame:
    """Stop times with departure seconds (arrival where no departure), sequence and pickup type.

    Raises
    ------
    SourceDataError
        Neither ``departure_time`` nor ``arrival_time`` is present.
    """
    if "departure_time" not in times.columns and "arrival_time" not in times.columns:
        raise SourceDataError(
            "In 'stop_times.txt' fehlen die Spalten departure_time und arrival_time.",
            hinweis="Ohne Abfahrtszeiten lassen sich keine Takte berechnen; exportieren Sie den "
            "Fahrplan vollständig.",
            datei=f"{path.name}/stop_times.txt",
            spalte="departure_time",
        )
    seconds = np.full(len(times), np.nan)
    for column in ("departure_time", "arrival_time"):
        if column not in times.columns:
            continue
        parsed, bad = parse_gtfs_time(times[column])
        problems += _problems_for(
            bad, times[column], "stop_times.txt", column, path,
            "Keine gültige Uhrzeit (erwartet HH:MM:SS)",
            "Schreiben Sie die Zeit als Stunden:Minuten:Sekunden, z. B. 08:05:00 oder 25:10:00 "
            "für eine Fahrt nach Mitternacht.",
        )
        seconds = np.where(np.isnan(seconds), parsed, seconds)
    sequence = pd.to_numeric(times["stop_sequence"], errors="coerce")
    bad = sequence.isna().to_numpy(dtype=bool)
    problems += _problems_for(
        bad, times["stop_sequence"], "stop_times.txt", "stop_sequence", path,
        "Keine gültige Haltfolge (stop_sequence)",
        "stop_sequence ist eine ganze Zahl ≥ 0.",
    )
    pickup = (
        pd.to_numeric(times["pickup_type"], errors="coerce").fillna(0).astype(np.int64)
        if "pickup_type" in times.columns
        else pd.Series(0, index=times.index, dtype=np.int64)
    )
    unknown_stop = ~times["stop_id"].isin(stops["stop_id"]).to_numpy(dtype=bool)
    problems += _problems_for(
        unknown_stop, times["stop_id"], "stop_times.txt", "stop_id", path,
        "Halt verweist auf eine Haltestelle, die in stops.txt fehlt",
        "Ergänzen Sie die Haltestelle in stops.txt oder korrigieren Sie stop_id.",
    )
    return pd.DataFrame(
        {
            "trip_id": times["trip_id"],
            "stop_id": times["stop_id"],
            "stop_sequence": sequence.fillna(-1).astype(np.int64),
            "abfahrt_s": seconds,
            "pickup_type": pickup.to_numpy(),
        }
    )


def _checked_calendar(
    raw: pd.DataFrame | None, path: Path, problems: list[Problem]
) -> pd.DataFrame:
    """The weekly calendar with 0/1 weekdays and parsed dates (empty without ``calendar.txt``)."""
    if raw is None or not len(raw):
        return pd.DataFrame(columns=list(CALENDAR_COLUMNS))
    _require(raw, "calendar.txt", CALENDAR_COLUMNS, path)
    calendar = raw[list(CALENDAR_COLUMNS)].copy()
    for column in WEEKDAYS:
        _code_column(calendar, "calendar.txt", column, (0, 1), path, problems,
                     "Wochentag muss 0 oder 1 sein",
                     "Schreiben Sie 1 (verkehrt) oder 0 (verkehrt nicht).")
    for column in ("start_date", "end_date"):
        _date_column(calendar, "calendar.txt", column, path, problems)
    return calendar.dropna(subset=["start_date", "end_date"])


def _checked_calendar_dates(
    raw: pd.DataFrame | None, path: Path, problems: list[Problem]
) -> pd.DataFrame:
    """Calendar exceptions with parsed dates and type 1/2 (empty without ``calendar_dates.txt``)."""
    if raw is None or not len(raw):
        return pd.DataFrame(columns=list(CALENDAR_DATES_COLUMNS))
    _require(raw, "calendar_dates.txt", CALENDAR_DATES_COLUMNS, path)
    calendar_dates = raw[list(CALENDAR_DATES_COLUMNS)].copy()
    _date_column(calendar_dates, "calendar_dates.txt", "date", path, problems)
    _code_column(calendar_dates, "calendar_dates.txt", "exception_type", (1, 2), path, problems,
                 "exception_type muss 1 (zusätzlicher Verkehrstag) oder 2 (entfällt) sein",
                 "Korrigieren Sie den Wert.")
    return calendar_dates.dropna(subset=["date"])


def _date_column(
    frame: pd.DataFrame, member: str, column: str, path: Path, problems: list[Problem]
) -> None:
    """Parse a ``YYYYMMDD`` column in place (None where malformed, added to ``problems``)."""
    parsed_dates, bad = _parse_dates(frame[column])
    problems += _problems_for(
        bad, frame[column], member, column, path,
        "Kein gültiges Datum (erwartet JJJJMMTT)", "Schreiben Sie das Datum wie 20220913.",
    )
    frame[column] = parsed_dates


def _code_column(
    frame: pd.DataFrame, member: str, column: str, allowed: tuple[int, ...], path: Path,
    problems: list[Problem], what: str, fix: str,
) -> None:
    """Make an integer code column in place (0 where not one of ``allowed``, added to ``problems``)."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = ~values.isin(list(allowed)).to_numpy(dtype=bool)
    problems += _problems_for(bad, frame[column], member, column, path, what, fix)
    frame[column] = values.fillna(0).astype(np.int64)
