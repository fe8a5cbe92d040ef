"""Presence of providers and outreach areas: ``praesenz`` and ``aufsuchend_gebiete``.

**Presence** (``praesenz``): where a provider (Träger, e.g. the LVR) is present besides its own
offices (which are simply its offers in the directory, ``traeger``):

* ``sprechstunde`` – regular office hours held in the rooms of another organisation: provider,
  host offer (``gastgeber_id``), weekly schedule (``zeiten``, OSM or German, see
  :mod:`layers.sprechzeiten`); the point is the host's;
* ``veranstaltung`` – a dated event: provider, name, ``datum``, ``beginn``/``ende`` and a host
  offer or coordinates.

**Outreach areas** (``aufsuchend_gebiete``): the responsibility area of an outreach offer, one
row per offer, as ``flaeche`` (a polygon), ``planungsraeume`` (area ids, comma-separated) or
``radius`` (``minuten`` by car from the offer); see :mod:`analyses.aufsuchend`.

Both layers are kept like the offers (:mod:`layers.schema`): the demo's synthetic rows in the
derived store, imports in the user store with audit entries, one merged view. Imports follow
the German error rules of every import and store all rows or none.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from layers.beziehungen import (
    RESERVED_SOURCE,
    OfferLookup,
    RelationTable,
    read_relation_table,
    refuse_errors,
    write_relation_rows,
)
from layers.errors import InputValidationError, LayerNotFoundError, Problem, SourceDataError
from layers.sprechzeiten import parse_hours
from layers.store import RegionStore
from layers.validation import table_points
from layers.validation.problems import renumber

__all__ = [
    "EVENT",
    "OFFICE_HOURS",
    "PRESENCE_ALIASES",
    "PRESENCE_COLUMNS",
    "PRESENCE_KEY",
    "PRESENCE_TABLE",
    "ZONE_COLUMNS",
    "ZONE_KEY",
    "ZONE_TABLE",
    "empty_presence",
    "empty_zones",
    "import_presence",
    "import_zones",
    "presence_id",
    "read_presence",
    "read_zones",
]

PRESENCE_TABLE = "praesenz"
PRESENCE_KEY = "praesenz_id"
OFFICE_HOURS = "sprechstunde"
EVENT = "veranstaltung"
PRESENCE_COLUMNS: dict[str, str] = {
    "praesenz_id": "string", "traeger": "string", "art": "string", "gastgeber_id": "string",
    "name": "string", "zeiten": "string", "datum": "string", "beginn": "string", "ende": "string",
    "bemerkung": "string", "quelle": "string", "version": "int64",
}
PRESENCE_ALIASES: dict[str, tuple[str, ...]] = {
    "traeger": ("Träger", "Traeger", "Anbieter", "Organisation"),
    "art": ("Art", "Form"),
    "gastgeber": ("Gastgeber", "in Räumen von", "Räume von", "Ort (Angebot)", "Gastgeber-ID"),
    "name": ("Name", "Bezeichnung", "Titel"),
    "zeiten": ("Zeiten", "Sprechzeiten", "Wochenplan", "Sprechstunde"),
    "datum": ("Datum", "Tag"),
    "beginn": ("Beginn", "von", "Uhrzeit von"),
    "ende": ("Ende", "bis", "Uhrzeit bis"),
    "bemerkung": ("Bemerkung", "Hinweis"),
    "quelle": ("Quelle",),
}
_KIND_WORDS = {"sprechstunde": OFFICE_HOURS, "sprechzeit": OFFICE_HOURS,
               "sprechzeiten": OFFICE_HOURS, "aussensprechstunde": OFFICE_HOURS,
               "außensprechstunde": OFFICE_HOURS, "veranstaltung": EVENT, "termin": EVENT,
               "aktion": EVENT, "infostand": EVENT, "workshop": EVENT}
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(?:uhr)?$", re.IGNORECASE)

ZONE_TABLE = "aufsuchend_gebiete"
ZONE_KEY = "angebot_id"
ZONE_COLUMNS: dict[str, str] = {
    "angebot_id": "string", "art": "string", "planungsraeume": "string", "minuten": "float64",
    "bemerkung": "string", "quelle": "string", "version": "int64",
}
_ZONE_ALIASES: dict[str, tuple[str, ...]] = {
    "angebot": ("Angebot", "Angebot-ID", "angebot_id", "ID"),
    "art": ("Art", "Gebiet", "Zuständigkeit"),
    "planungsraeume": ("Planungsräume", "Planungsraeume", "Räume", "PR"),
    "minuten": ("Minuten", "Fahrzeit", "Fahrminuten", "Radius (Minuten)"),
    "bemerkung": ("Bemerkung",),
    "quelle": ("Quelle",),
}
_ZONE_WORDS = {"flaeche": "flaeche", "fläche": "flaeche", "polygon": "flaeche",
               "planungsraeume": "planungsraeume", "planungsräume": "planungsraeume",
               "liste": "planungsraeume", "radius": "radius", "fahrzeit": "radius",
               "auto": "radius"}


def presence_id(*parts: object) -> str:
    """A stable key of a presence row from its defining fields."""
    text = "|".join("" if p is None else str(p).strip().casefold() for p in parts)
    return "p-" + hashlib.sha1(text.encode()).hexdigest()[:10]


def empty_presence(crs: object) -> gpd.GeoDataFrame:
    """An empty ``praesenz`` layer with the full schema."""
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in PRESENCE_COLUMNS.items()})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def empty_zones(crs: object) -> gpd.GeoDataFrame:
    """An empty ``aufsuchend_gebiete`` layer with the full schema."""
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in ZONE_COLUMNS.items()})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _offers(store: RegionStore) -> gpd.GeoDataFrame:
    if not store.has_layer("angebote"):
        raise LayerNotFoundError("Die Region hat kein Angebotsverzeichnis.",
                                 hinweis="Bauen Sie die Region oder importieren Sie Angebote.")
    offers = store.read_layer("angebote", columns=["angebot_id", "name", "traeger", "aufsuchend"])
    assert isinstance(offers, gpd.GeoDataFrame)
    return offers


def _clock(table: RelationTable, position: int, column: str) -> str | None:
    text = table.cell(column, position)
    if text is None:
        return None
    match = _CLOCK.match(text)
    if match is None or int(match.group(1)) > 24 or int(match.group(2) or 0) > 59:
        table.problem(position, column, f"'{text}' ist keine Uhrzeit.",
                      "Schreiben Sie die Uhrzeit als HH:MM, z. B. 14:00.")
        return None
    return f"{int(match.group(1)):02d}:{int(match.group(2) or 0):02d}"


def _source_ok(table: RelationTable, position: int) -> None:
    source = table.cell("quelle", position)
    if source is not None and source.casefold() == RESERVED_SOURCE:
        table.problem(position, "quelle", "Die Quelle 'synthetisch' ist für die erzeugten "
                      "Demodaten reserviert.", "Lassen Sie die Spalte leer oder nennen Sie die "
                      "echte Herkunft.")


def _host(table: RelationTable, position: int, lookup: OfferLookup, required: bool) -> str | None:
    reference = table.cell("gastgeber", position)
    if reference is None:
        if required:
            table.problem(position, "gastgeber", "Für eine Sprechstunde in fremden Räumen fehlt "
                          "der Gastgeber.", "Tragen Sie ID oder Namen des gastgebenden Angebots ein.")
        return None
    found, fix = lookup.resolve(reference)
    if found is None:
        table.problem(position, "gastgeber", f"Das Angebot '{reference}' gibt es im Verzeichnis "
                      "nicht.", fix or "")
    return found


def _presence_row(table: RelationTable, position: int, lookup: OfferLookup,
                  providers: dict[str, str]) -> dict[str, Any] | None:
    provider = table.cell("traeger", position)
    if provider is None:
        table.problem(position, "traeger", "Der Träger fehlt.", "Tragen Sie den Träger ein, z. B. "
                      "'LVR'.")
    kind_text = (table.cell("art", position) or "").casefold().replace(" ", "")
    kind = _KIND_WORDS.get(kind_text)
    if kind is None:
        table.problem(position, "art", f"Die Art '{table.cell('art', position) or ''}' wurde nicht "
                      "erkannt.", "Erlaubt sind 'Sprechstunde' (regelmäßig in fremden Räumen) und "
                      "'Veranstaltung' (mit Datum).")
    host = _host(table, position, lookup, kind == OFFICE_HOURS)
    hours, day = table.cell("zeiten", position), table.date("datum", position)
    start, end = _clock(table, position, "beginn"), _clock(table, position, "ende")
    _source_ok(table, position)
    if kind == OFFICE_HOURS:
        parsed = parse_hours(hours)
        if not parsed.bekannt:
            table.problem(position, "zeiten", parsed.fehler or "Die Sprechzeiten fehlen.",
                          "Schreiben Sie sie z. B. als „Di 14–16 Uhr“ oder „Tu 14:00-16:00“.")
    elif kind == EVENT:
        if day is None and table.cell("datum", position) is None:
            table.problem(position, "datum", "Eine Veranstaltung braucht ein Datum.",
                          "Tragen Sie das Datum als TT.MM.JJJJ ein.")
        if start and end and end <= start:
            table.problem(position, "ende", f"Das Ende ({end}) liegt nicht nach dem Beginn "
                          f"({start}).", "Prüfen Sie beide Uhrzeiten.")
    if provider is None or kind is None:
        return None
    if host is not None and providers.get(host, "").casefold() == provider.casefold():
        table.problem(position, "gastgeber", f"Das gastgebende Angebot gehört selbst zum Träger "
                      f"'{provider}'.", "Eigene Stellen stehen im Angebotsverzeichnis; hier gehören "
                      "nur Räume anderer Organisationen hin.")
    name = table.cell("name", position) or (f"Sprechstunde {provider}" if kind == OFFICE_HOURS
                                           else None)
    if name is None:
        table.problem(position, "name", "Der Name der Veranstaltung fehlt.",
                      "Tragen Sie einen Titel ein, z. B. 'Infotag Teilhabe'.")
    return {"praesenz_id": presence_id(provider, kind, host, hours, day, start, name),
            "traeger": provider, "art": kind, "gastgeber_id": host, "name": name,
            "zeiten": hours if kind == OFFICE_HOURS else None, "datum": day, "beginn": start,
            "ende": end, "bemerkung": table.cell("bemerkung", position), "quelle": "import",
            "version": 1}


def _points(store: RegionStore, table: RelationTable, rows: list[dict[str, Any] | None],
            offers: gpd.GeoDataFrame) -> list[shapely.Point | None]:
    """The host's point, else the row's coordinates (required for events without host)."""
    needs = np.array([r is not None and r["gastgeber_id"] is None for r in rows], dtype=bool)
    boundary = store.read_layer("region").geometry.union_all()
    plain = table.frame.copy()
    xs, ys, found = table_points(plain, crs=store.crs, boundary=boundary, datei=table.path,
                                 required=needs)
    if needs.any():
        table.problems.extend(renumber(found, table.rows))
    hosts = dict(zip(offers["angebot_id"].astype(str), offers.geometry, strict=True))
    points: list[shapely.Point | None] = []
    for position, row in enumerate(rows):
        if row is not None and row["gastgeber_id"] is not None:
            points.append(hosts.get(row["gastgeber_id"]))
        elif np.isfinite(xs[position]) and np.isfinite(ys[position]):
            points.append(shapely.Point(float(xs[position]), float(ys[position])))
        else:
            points.append(None)
    return points


def read_presence(store: RegionStore, path: str | Path, *, blatt: str | int | None = 0
                  ) -> list[tuple[dict[str, Any], shapely.Point | None]]:
    """Read and check a presence file (office hours in others' rooms, events).

    Raises
    ------
    SozialraumError
        For an unreadable file, personal data, missing columns or any bad row (all listed).
    """
    table = read_relation_table(path, PRESENCE_ALIASES, required=("traeger", "art"),
                                what="Die Präsenzliste", blatt=blatt)
    offers = _offers(store)
    lookup = OfferLookup(offers)
    providers = dict(zip(offers["angebot_id"].astype(str),
                         offers["traeger"].astype("string").fillna(""), strict=True))
    rows = [_presence_row(table, p, lookup, providers) for p in range(len(table.frame))]
    points = _points(store, table, rows, offers)
    seen: dict[str, int] = {}
    for position, row in enumerate(rows):
        if row is None:
            continue
        if row[PRESENCE_KEY] in seen:
            table.problem(position, "traeger", f"Dieser Eintrag steht schon in Zeile "
                          f"{seen[row[PRESENCE_KEY]]}.", "Löschen Sie die doppelte Zeile.")
        seen[row[PRESENCE_KEY]] = int(table.rows[position])
    refuse_errors(table.problems, "Die Präsenzliste", table.path)
    return [(r, p) for r, p in zip(rows, points, strict=True) if r is not None]


def import_presence(store: RegionStore, path: str | Path, *, blatt: str | int | None = 0,
                    pruefen: bool = False) -> int:
    """Check a presence file and (unless ``pruefen``) store all rows or none; returns the count."""
    rows = read_presence(store, path, blatt=blatt)
    if not rows:
        raise InputValidationError("Die Präsenzliste enthält keine Zeile.",
                                   hinweis="Tragen Sie je Zeile Träger und Art ein.", datei=path)
    if pruefen:
        return len(rows)
    return write_relation_rows(store, PRESENCE_TABLE, PRESENCE_KEY, rows)


def _zone_row(table: RelationTable, position: int, lookup: OfferLookup, outreach: dict[str, str],
              area_ids: set[str], shape: shapely.Geometry | None) -> dict[str, Any] | None:
    reference = table.cell("angebot", position)
    offer, fix = lookup.resolve(reference) if reference else (None, None)
    if reference is None:
        table.problem(position, "angebot", "Das Angebot fehlt.", "Tragen Sie ID oder Namen ein.")
    elif offer is None:
        table.problem(position, "angebot", f"Das Angebot '{reference}' gibt es im Verzeichnis "
                      "nicht.", fix or "")
    elif outreach.get(offer) != "ja":
        table.problem(position, "angebot", f"Das Angebot '{reference}' ist nicht als aufsuchend "
                      "verzeichnet.", "Setzen Sie im Verzeichnis 'Aufsuchend' auf 'ja' oder "
                      "entfernen Sie die Zeile.")
    word = (table.cell("art", position) or ("flaeche" if shape is not None else "")).casefold()
    kind = _ZONE_WORDS.get(word)
    areas, minutes = table.cell("planungsraeume", position), table.cell("minuten", position)
    value = np.nan
    if kind is None:
        table.problem(position, "art", f"Die Art '{word}' wurde nicht erkannt.",
                      "Erlaubt sind 'Planungsräume', 'Radius' (Fahrzeit mit dem Auto) und "
                      "'Fläche' (in einer Geodatei).")
    elif kind == "planungsraeume":
        listed = [a.strip() for a in (areas or "").replace(";", ",").split(",") if a.strip()]
        unknown = [a for a in listed if a not in area_ids]
        if not listed or unknown:
            table.problem(position, "planungsraeume",
                          f"Unbekannte Planungsräume: {', '.join(unknown)}." if unknown else
                          "Die Planungsräume fehlen.",
                          f"Nennen Sie Nummern wie {', '.join(sorted(area_ids)[:3])}, durch Komma "
                          "getrennt.")
        areas = ",".join(listed)
    elif kind == "radius":
        try:
            value = float((minutes or "").replace(",", "."))
        except ValueError:
            value = np.nan
        if not np.isfinite(value) or not 0 < value <= 180:
            table.problem(position, "minuten", f"'{minutes or ''}' ist keine Fahrzeit zwischen 1 "
                          "und 180 Minuten.", "Tragen Sie die Fahrzeit mit dem Auto in Minuten ein.")
    elif shape is None:
        table.problem(position, "art", "Für die Art 'Fläche' fehlt die Fläche.",
                      "Importieren Sie Flächen aus einer GeoPackage- oder GeoJSON-Datei.")
    _source_ok(table, position)
    if offer is None or kind is None:
        return None
    return {"angebot_id": offer, "art": kind, "planungsraeume": areas if kind ==
            "planungsraeume" else None, "minuten": value if kind == "radius" else None,
            "bemerkung": table.cell("bemerkung", position), "quelle": "import", "version": 1}


def _zone_source(path: Path, crs: CRS, blatt: str | int | None
                 ) -> tuple[RelationTable, list[shapely.Geometry | None]]:
    if path.suffix.lower() not in (".gpkg", ".geojson", ".json"):
        table = read_relation_table(path, _ZONE_ALIASES, required=("angebot",),
                                    what="Die Liste der Zuständigkeitsgebiete", blatt=blatt)
        return table, [None] * len(table.frame)
    from layers.validation import check_geometries, match_columns, to_region_crs

    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several kinds for unreadable files
        raise SourceDataError(f"Die Geodatei kann nicht gelesen werden ({exc}).",
                              hinweis="Speichern Sie die Flächen als GeoPackage oder GeoJSON.",
                              datei=path) from exc
    frame = to_region_crs(frame, crs, name=ZONE_TABLE, datei=path)
    frame, found = check_geometries(frame, name=ZONE_TABLE, datei=path,
                                    allowed_types=("Polygon", "MultiPolygon"))
    refuse_errors(found, "Die Geodatei der Zuständigkeitsgebiete", path)
    text = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype("string")
    columns = match_columns(text.columns, _ZONE_ALIASES)
    if "angebot" not in columns:
        raise InputValidationError("Die Geodatei hat keine Spalte für das Angebot.",
                                   hinweis="Nennen Sie die Spalte 'angebot_id'.", datei=path)
    rows = np.arange(len(text)) + 1
    table = RelationTable(path, text.reset_index(drop=True), rows, columns, [])
    return table, list(frame.geometry)


def read_zones(store: RegionStore, path: str | Path, *, blatt: str | int | None = 0
               ) -> list[tuple[dict[str, Any], shapely.Geometry | None]]:
    """Read and check outreach areas (table with areas/minutes, or a geodata file of polygons).

    Raises
    ------
    SozialraumError
        For an unreadable file or any bad row (all listed).
    """
    path = Path(path)
    table, shapes = _zone_source(path, store.crs, blatt)
    offers = _offers(store)
    lookup = OfferLookup(offers)
    outreach = dict(zip(offers["angebot_id"].astype(str),
                        offers["aufsuchend"].astype("string").fillna(""), strict=True))
    area_ids = set(store.read_layer("planungsraeume", columns=["pr_id"])["pr_id"].astype(str))
    rows = [_zone_row(table, p, lookup, outreach, area_ids, shapes[p])
            for p in range(len(table.frame))]
    seen: dict[str, int] = {}
    for position, row in enumerate(rows):
        if row is not None and row["angebot_id"] in seen:
            table.problems.append(Problem(
                f"Für dieses Angebot steht schon in Zeile {seen[row['angebot_id']]} ein Gebiet.",
                "Jedes Angebot hat genau ein Zuständigkeitsgebiet; fassen Sie die Zeilen zusammen.",
                datei=str(path), zeile=int(table.rows[position]),
                spalte=table.columns.get("angebot")))
        elif row is not None:
            seen[row["angebot_id"]] = int(table.rows[position])
    refuse_errors(table.problems, "Die Liste der Zuständigkeitsgebiete", path)
    return [(r, shapes[p]) for p, r in enumerate(rows) if r is not None]


def import_zones(store: RegionStore, path: str | Path, *, blatt: str | int | None = 0,
                 pruefen: bool = False) -> int:
    """Check outreach areas and (unless ``pruefen``) store all rows or none; returns the count."""
    rows = read_zones(store, path, blatt=blatt)
    if not rows:
        raise InputValidationError("Die Liste der Zuständigkeitsgebiete enthält keine Zeile.",
                                   hinweis="Tragen Sie je Zeile ein Angebot und sein Gebiet ein.",
                                   datei=path)
    if pruefen:
        return len(rows)
    return write_relation_rows(store, ZONE_TABLE, ZONE_KEY, rows)
