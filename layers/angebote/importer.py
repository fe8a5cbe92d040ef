"""Import of the planners' own service directories (CSV, XLSX, GeoJSON, GeoPackage, Shapefile).

The import runs in two steps that the app shows separately:

1. :func:`check_services_file` reads the file, maps its columns onto the ``angebote`` schema
   (German headers such as "Bezeichnung", "Straße", "Hnr", "Rechtswert", "Barrierefrei"),
   validates every row and geocodes rows that only have an address against the region's
   ``adressen`` layer (offline). It writes nothing and returns an :class:`ImportReport`: the
   valid rows, one German finding per problem (file, row, column, what is wrong, how to fix it)
   and the geocoding result of every address row.
2. :func:`import_services` writes the checked rows into the store in ONE transaction, with one
   audit entry per row. The user chooses the mode: ``"alles"`` (all or nothing: any error and
   nothing is written) or ``"gueltige"`` (only the valid rows; the others are listed). Nothing is
   ever half-written: the transaction either commits every row or none.

Imported rows get ``quelle = "import"`` (rows of a re-imported export that say ``synthetisch``
keep that label) and ``version = 1``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

from layers.angebote import (
    ACCESS_COLUMNS,
    SCHEMA,
    conform,
    resolve_service_type,
    service_type,
    service_type_keys,
    suggest_service_type,
)
from layers.errors import (
    CRSError,
    InputValidationError,
    Problem,
    SourceDataError,
    SozialraumError,
)
from layers.geocode import EXAKT, MEHRDEUTIG, PLACED, AddressIndex
from layers.log import get_logger
from layers.store import RegionStore
from layers.validation import (
    FIRST_DATA_ROW,
    check_personal_columns,
    crs_label,
    excel_sheets,
    is_blank,
    parse_crs,
    parse_date,
    parse_decimal,
    parse_plz,
    parse_yes_no,
    read_table,
)

log = get_logger("angebote_import")

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
SPATIAL_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")
MODES = ("alles", "gueltige")
EXISTING = ("fehler", "aktualisieren")
WGS84 = CRS.from_epsg(4326)

# Header spellings (normalised: lower case, umlauts/ß spelled out, no spaces, dots, hyphens or
# underscores) → schema field. "adresse" is street and number in one cell; "lat"/"lon" are
# WGS 84 degrees, "x"/"y" metric coordinates in the CRS the user states.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "angebot_id": ("angebotid", "angebotsid", "id", "kennung", "lfdnr", "laufendenr",
                   "laufendenummer", "objektid", "schluessel"),
    "name": ("name", "bezeichnung", "einrichtung", "angebot", "angebotsname", "titel",
             "beratungsstelle", "stelle", "namedereinrichtung", "namedesangebots"),
    "typ": ("typ", "angebotstyp", "angebotsart", "art", "kategorie", "beratungsart", "type",
            "typdesangebots", "angebotskategorie"),
    "zielgruppen": ("zielgruppen", "zielgruppe", "fuerwen"),
    "adresse": ("adresse", "anschrift", "strasseundhausnummer", "strassehausnummer",
                "strassehnr", "strhnr"),
    "strasse": ("strasse", "str", "strassenname"),
    "hausnummer": ("hausnummer", "hnr", "hausnr"),
    "plz": ("plz", "postleitzahl", "zip"),
    "ort": ("ort", "stadt", "gemeinde", "kommune"),
    "lat": ("lat", "latitude", "breite", "breitengrad", "geobreite", "ywgs84", "latwgs84"),
    "lon": ("lon", "lng", "long", "longitude", "laenge", "laengengrad", "geolaenge", "xwgs84",
            "lonwgs84"),
    "x": ("rechtswert", "x", "ostwert", "easting", "xkoordinate", "koordinatex", "xutm", "e"),
    "y": ("hochwert", "y", "nordwert", "northing", "ykoordinate", "koordinatey", "yutm", "n"),
    "stufenloser_zugang": ("stufenloserzugang", "barrierefrei", "rollstuhlgerecht",
                           "barrierefreierzugang", "zugangbarrierefrei", "rollstuhlzugang",
                           "stufenlos", "ebenerdig", "wheelchair", "zugangstufenlos"),
    "rollstuhlgerechtes_wc": ("rollstuhlgerechteswc", "rollstuhlwc", "behindertenwc",
                              "barrierefreieswc", "wcbarrierefrei", "wcrollstuhlgerecht",
                              "toiletterollstuhlgerecht", "rollstuhltoilette"),
    "induktionsschleife": ("induktionsschleife", "hoerschleife", "induktiveshoeranlage",
                           "hoeranlage", "ringschleife", "induktionsanlage"),
    "gebaerdensprache": ("gebaerdensprache", "dgs", "gebaerdensprachdolmetschung",
                         "deutschegebaerdensprache"),
    "leichte_sprache": ("leichtesprache", "infosinleichtersprache"),
    "aufsuchend": ("aufsuchend", "hausbesuche", "aufsuchendeberatung", "aufsuchendtaetig"),
    "oeffnungszeiten": ("oeffnungszeiten", "sprechzeiten", "beratungszeiten", "openinghours"),
    "traeger": ("traeger", "betreiber", "traegerschaft", "operator", "anbieter"),
    "kapazitaet_std_woche": ("kapazitaetstdwoche", "kapazitaet", "wochenstunden",
                             "stundenprowoche", "personalstunden", "beratungsstunden",
                             "stdwoche", "kapazitaetstundenprowoche",
                             "kapazitaetstdprowoche"),
    "kontakt": ("kontakt", "ansprechpartner", "ansprechperson", "ansprechpartnerin"),
    "telefon": ("telefon", "tel", "telefonnummer", "fon", "phone"),
    "email": ("email", "mail", "emailadresse"),
    "webseite": ("webseite", "website", "internet", "homepage", "url", "www", "internetseite"),
    "bemerkung": ("bemerkung", "bemerkungen", "anmerkung", "anmerkungen", "hinweis", "notiz",
                  "kommentar"),
    "gueltig_von": ("gueltigvon", "gueltigab", "seit", "beginn", "start", "von"),
    "gueltig_bis": ("gueltigbis", "bis", "ende", "befristetbis", "geschlossenam"),
    "quelle": ("quelle", "datenquelle"),
    "osm_id": ("osmid",),
    # Columns of our own export that are derived again on import.
    "_ignoriert": ("gruppe", "version", "fid", "geometry", "geometrie"),
}
_ALIAS_TO_FIELD = {alias: fld for fld, aliases in HEADER_ALIASES.items() for alias in aliases}

# "Nr"/"Nummer" is a house number next to a street, otherwise the number of the offer.
AMBIGUOUS_NUMBER = ("nr", "nummer")

# Columns that look personal but are the office's own data in a service directory.
SERVICE_PERSONAL_ALLOWED = ("Name", "Telefon", "Tel", "E-Mail", "Email", "Mail", "Adresse",
                            "Anschrift")

# A service directory's name column is the one field every row needs.
REQUIRED_FIELDS = ("name", "typ")


def header_key(column: object) -> str:
    """Normalise a column header for matching (``"Straße "`` → ``"strasse"``)."""
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
    text = str(column).strip().lower().translate(table)
    text = re.sub(r"\(.*?\)", "", text) if re.sub(r"\(.*?\)", "", text).strip() else text
    return re.sub(r"[^a-z0-9]", "", text)


def map_columns(columns: Iterable[str]) -> tuple[dict[str, str], list[str], list[str]]:
    """Map a file's headers onto schema fields.

    Returns
    -------
    tuple
        ``(mapping field → original header, unmapped headers, duplicate headers)``; when two
        headers map to the same field the first wins and the second is reported.
    """
    mapping: dict[str, str] = {}
    unmapped: list[str] = []
    duplicates: list[str] = []
    ambiguous: list[str] = []
    for column in columns:
        key = header_key(column)
        if key in AMBIGUOUS_NUMBER:
            ambiguous.append(str(column))
            continue
        target = _ALIAS_TO_FIELD.get(key)
        if target is None and key in SCHEMA:
            target = key
        if target is None:
            unmapped.append(str(column))
        elif target == "_ignoriert":
            continue
        elif target in mapping:
            duplicates.append(str(column))
        else:
            mapping[target] = str(column)
    for column in ambiguous:
        # "Nr." next to a street without house-number column is the house number; otherwise
        # it numbers the offers.
        if "strasse" in mapping and "hausnummer" not in mapping:
            mapping["hausnummer"] = column
        elif "angebot_id" not in mapping:
            mapping["angebot_id"] = column
        else:
            duplicates.append(column)
    return mapping, unmapped, duplicates


@dataclass
class ImportReport:
    """What checking (and possibly importing) a service file found.

    Attributes
    ----------
    datei
        The file.
    zeilen
        Number of data rows read.
    gueltig
        Valid rows in the ``angebote`` schema (region CRS), ready to be written; column
        ``zeile`` says which row of the file each came from.
    probleme
        Every finding (errors block their row; warnings do not).
    geokodierung
        One row per geocoded address: ``zeile``, ``adresse``, ``status``, ``punktzahl``,
        ``treffer``, ``hinweis``, ``x``, ``y``.
    spalten
        Which header of the file was read as which schema field.
    modus
        ``"alles"`` or ``"gueltige"`` once written; ``None`` after a check only.
    geschrieben, aktualisiert
        Rows inserted and rows updated by :func:`import_services`.
    """

    datei: str
    zeilen: int = 0
    gueltig: gpd.GeoDataFrame | None = None
    probleme: list[Problem] = field(default_factory=list)
    geokodierung: pd.DataFrame = field(default_factory=pd.DataFrame)
    spalten: dict[str, str] = field(default_factory=dict)
    modus: str | None = None
    geschrieben: int = 0
    aktualisiert: int = 0

    @property
    def fehler(self) -> list[Problem]:
        """Findings that block a row (or the file)."""
        return [p for p in self.probleme if p.schwere == "fehler"]

    @property
    def warnungen(self) -> list[Problem]:
        """Findings that do not block."""
        return [p for p in self.probleme if p.schwere != "fehler"]

    @property
    def fehlerhafte_zeilen(self) -> list[int]:
        """Rows of the file with at least one error (sorted)."""
        return sorted({p.zeile for p in self.fehler if p.zeile is not None})

    @property
    def gueltige_zeilen(self) -> int:
        """Number of rows that passed."""
        return 0 if self.gueltig is None else len(self.gueltig)

    def tabelle(self) -> pd.DataFrame:
        """The findings as a table for the app and for download (German column names)."""
        return pd.DataFrame(
            [
                {
                    "Datei": Path(p.datei).name if p.datei else Path(self.datei).name,
                    "Zeile": p.zeile,
                    "Spalte": p.spalte,
                    "Schwere": "Fehler" if p.schwere == "fehler" else "Warnung",
                    "Meldung": p.meldung,
                    "So beheben": p.hinweis,
                }
                for p in self.probleme
            ],
            columns=["Datei", "Zeile", "Spalte", "Schwere", "Meldung", "So beheben"],
        )

    def zusammenfassung(self) -> str:
        """A German one-paragraph summary."""
        name = Path(self.datei).name
        text = (
            f"{name}: {self.zeilen} Zeilen gelesen, {self.gueltige_zeilen} gültig, "
            f"{len(self.fehlerhafte_zeilen)} mit Fehlern, {len(self.warnungen)} Warnungen."
        )
        if len(self.geokodierung):
            placed = int(self.geokodierung["status"].isin(PLACED).sum())
            text += f" {placed} von {len(self.geokodierung)} Adressen offline verortet."
        if self.modus is not None:
            text += f" Gespeichert: {self.geschrieben} neu"
            text += f", {self.aktualisiert} aktualisiert." if self.aktualisiert else "."
        return text


@dataclass
class _Source:
    """A file read into text columns plus (for spatial formats) a geometry per row."""

    path: Path
    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None
    row_numbers: np.ndarray  # the row a user sees (spreadsheet row or object number) per row


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_services_source(
    path: str | Path,
    *,
    crs: object = None,
    blatt: str | int | None = None,
    ebene: str | None = None,
) -> _Source:
    """Read a service file into text columns (and geometries for spatial formats).

    Raises
    ------
    SozialraumError
        For files that cannot be read at all (missing, empty, wrong format, no CRS, …).
    """
    path = Path(path)
    if not path.exists():
        raise SourceDataError(
            "Die Datei wurde nicht gefunden.",
            hinweis="Prüfen Sie den Pfad und den Dateinamen.",
            datei=path,
        )
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        frame = read_table(path, sheet=blatt)
        # read_table drops empty rows but keeps the positions as index labels.
        rows = frame.index.to_numpy(dtype=np.int64) + FIRST_DATA_ROW
        frame, rows = _header_below_title(frame, rows)
        frame = frame.reset_index(drop=True)
        if suffix in (".xlsx", ".xlsm"):
            _check_sheet_choice(path, frame, blatt)
        return _Source(path, frame, None, rows)
    if suffix in SPATIAL_SUFFIXES:
        return _read_spatial(path, crs=crs, ebene=ebene)
    raise SourceDataError(
        f"Das Dateiformat '{suffix or '(ohne Endung)'}' wird für Angebotsverzeichnisse nicht "
        "unterstützt.",
        hinweis="Erlaubt sind CSV, XLSX, GeoJSON, GeoPackage und Shapefile. Speichern Sie die "
        "Tabelle z. B. in Excel als 'CSV (Trennzeichen-getrennt)'.",
        datei=path,
    )


def _header_below_title(frame: pd.DataFrame, rows: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Find the header row below title lines ("Angebotsverzeichnis, Stand 2025" above it)."""
    mapping, _, _ = map_columns(frame.columns)
    if "name" in mapping:
        return frame, rows
    for pos in range(min(10, len(frame))):
        cells = ["" if is_blank(v) else str(v).strip() for v in frame.iloc[pos]]
        candidate, _, _ = map_columns(cells)
        if "name" in candidate and "typ" in candidate:
            header = [c if c else f"Spalte {i + 1}" for i, c in enumerate(cells)]
            body = frame.iloc[pos + 1 :].copy()
            body.columns = header
            body = body.drop(columns=[h for h, c in zip(header, cells, strict=True)
                                      if not c and body[h].isna().all()])
            return body, rows[pos + 1 :]
    return frame, rows


def _check_sheet_choice(path: Path, frame: pd.DataFrame, blatt: str | int | None) -> None:
    """A first sheet without service columns is often a cover sheet: name the right one."""
    mapping, _, _ = map_columns(frame.columns)
    if "name" in mapping or blatt not in (None, 0):
        return
    for number, sheet in enumerate(excel_sheets(path)):
        if number == 0:
            continue
        try:
            other = read_table(path, sheet=sheet)
        except SozialraumError:
            continue
        other_mapping, _, _ = map_columns(other.columns)
        if "name" in other_mapping:
            raise SourceDataError(
                f"Das erste Tabellenblatt enthält kein Angebotsverzeichnis; die Angebote stehen "
                f"offenbar im Blatt '{sheet}'.",
                hinweis=f"Wählen Sie beim Import das Tabellenblatt '{sheet}' (Kommandozeile: "
                f"--blatt \"{sheet}\") oder verschieben Sie es in Excel an die erste Stelle.",
                datei=path,
            )


def _read_spatial(path: Path, *, crs: object, ebene: str | None) -> _Source:
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise SourceDataError(
            "Die Datei ist leer (0 Byte).",
            hinweis="Exportieren Sie die Ebene erneut.",
            datei=path,
        )
    if suffix == ".shp":
        missing = [ext for ext in (".shx", ".dbf") if not path.with_suffix(ext).exists()]
        if missing:
            raise SourceDataError(
                f"Zum Shapefile fehlen die Begleitdateien {', '.join(missing)}.",
                hinweis="Ein Shapefile besteht aus mehreren Dateien gleichen Namens (.shp, .shx, "
                ".dbf, .prj); kopieren Sie alle zusammen, oder speichern Sie die Ebene als "
                "GeoPackage.",
                datei=path,
            )
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception as exc:
        raise SourceDataError(
            f"Die Geodatei kann nicht gelesen werden ({exc}).",
            hinweis="Öffnen Sie die Datei in QGIS und speichern Sie sie erneut (z. B. als "
            "GeoPackage).",
            datei=path,
        ) from exc
    if ebene is None and len(layers) > 1:
        raise SourceDataError(
            f"Die Datei enthält mehrere Ebenen ({', '.join(layers)}).",
            hinweis="Geben Sie an, welche Ebene die Angebote enthält (Kommandozeile: --ebene NAME).",
            datei=path,
        )
    if ebene is not None and ebene not in layers:
        raise SourceDataError(
            f"Die Datei hat keine Ebene '{ebene}'.",
            hinweis=f"Vorhandene Ebenen: {', '.join(layers)}.",
            datei=path,
        )
    try:
        gdf = pyogrio.read_dataframe(path, layer=ebene)
    except Exception as exc:
        raise SourceDataError(
            f"Die Geodatei kann nicht gelesen werden ({exc}).",
            hinweis="Öffnen Sie die Datei in QGIS und speichern Sie sie erneut (z. B. als "
            "GeoPackage).",
            datei=path,
        ) from exc
    if len(gdf) == 0:
        raise SourceDataError(
            "Die Geodatei enthält keine Objekte.",
            hinweis="Exportieren Sie die Ebene erneut mit den Angeboten.",
            datei=path,
        )
    if not isinstance(gdf, gpd.GeoDataFrame):
        gdf = gpd.GeoDataFrame(gdf, geometry=gpd.GeoSeries([None] * len(gdf)))
    geometry = gdf.geometry
    if gdf.crs is None:
        if crs is None:
            hinweis = (
                "Die .prj-Datei des Shapefiles fehlt. Legen Sie sie wieder dazu, oder geben Sie "
                "beim Import das Koordinatenbezugssystem an (z. B. --crs EPSG:25832)."
                if suffix == ".shp"
                else "Speichern Sie die Datei mit Koordinatenbezugssystem oder geben Sie es beim "
                "Import an (z. B. --crs EPSG:25832)."
            )
            raise CRSError(
                "Die Geodatei hat kein Koordinatenbezugssystem (CRS).",
                hinweis=hinweis,
                datei=path,
            )
        geometry = geometry.set_crs(parse_crs(crs, datei=path), allow_override=True)
    elif crs is not None and not CRS.from_user_input(gdf.crs).equals(parse_crs(crs, datei=path)):
        raise CRSError(
            f"Die Datei gibt ihr Koordinatenbezugssystem selbst an ({crs_label(gdf.crs)}), "
            f"beim Import wurde aber {crs_label(parse_crs(crs))} genannt.",
            hinweis="Lassen Sie die CRS-Angabe beim Import weg; die Angabe der Datei gilt.",
            datei=path,
        )
    _check_declared_degrees(geometry, path)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype("string")
    frame.columns = [str(c).strip() for c in frame.columns]
    return _Source(path, frame.reset_index(drop=True), geometry.reset_index(drop=True),
                   np.arange(1, len(frame) + 1))


def _check_declared_degrees(geometry: gpd.GeoSeries, path: Path) -> None:
    """A file that says WGS 84 but holds metres (a common GeoJSON mistake)."""
    if geometry.crs is None or not CRS.from_user_input(geometry.crs).is_geographic:
        return
    valid = geometry[~(geometry.is_empty | geometry.isna())]
    if len(valid) == 0:
        return
    minx, miny, maxx, maxy = valid.total_bounds
    if min(minx, miny) < -180 or max(maxx, maxy) > 180:
        raise CRSError(
            "Die Koordinaten der Datei sind metrisch, die Datei behauptet aber Grad "
            f"({crs_label(geometry.crs)}).",
            hinweis="Speichern Sie die Datei mit dem richtigen Koordinatenbezugssystem (z. B. "
            "EPSG:25832) oder, bei GeoJSON, in WGS 84 (Grad).",
            datei=path,
        )


# --------------------------------------------------------------------------------------------
# Checking rows
# --------------------------------------------------------------------------------------------


@dataclass
class _RegionContext:
    crs: CRS
    boundary: shapely.Geometry
    bounds_wgs84: tuple[float, float, float, float]
    existing_ids: set[str]
    addresses: AddressIndex | None

    @classmethod
    def from_store(cls, store: RegionStore, *, need_addresses: bool) -> _RegionContext:
        region = store.read_layer("region")
        boundary = shapely.union_all(region.geometry.to_numpy())
        wgs = gpd.GeoSeries([boundary], crs=store.crs).to_crs(WGS84).total_bounds
        existing: set[str] = set()
        if store.has_layer("angebote"):
            existing = set(store.read_layer("angebote", columns=["angebot_id"])["angebot_id"]
                           .dropna().astype(str))
        index = AddressIndex.from_store(store) if need_addresses else None
        return cls(store.crs, boundary, tuple(float(v) for v in wgs), existing, index)  # type: ignore[arg-type]


def check_services_file(
    store: RegionStore,
    path: str | Path,
    *,
    crs: object = None,
    blatt: str | int | None = None,
    ebene: str | None = None,
    bestehende: str = "fehler",
) -> ImportReport:
    """Read, map, validate and geocode a service file without writing anything.

    Parameters
    ----------
    store
        The region store (region boundary, address points, existing ids).
    path
        CSV/XLSX table or GeoJSON/GeoPackage/Shapefile.
    crs
        CRS of metric coordinate columns (Rechtswert/Hochwert, x/y) or of a spatial file that
        does not declare one (a Shapefile without .prj), e.g. ``"EPSG:25832"``. Latitude and
        longitude columns are always WGS 84.
    blatt
        Worksheet of an XLSX file (name or 0-based number; default the first).
    ebene
        Layer of a GeoPackage with several layers.
    bestehende
        ``"fehler"``: a row whose id is already in the directory is an error (protects against
        importing the same list twice); ``"aktualisieren"``: such rows update the offer.

    Returns
    -------
    ImportReport

    Raises
    ------
    SozialraumError
        For problems of the whole file: unreadable, empty, personal-data columns, no name
        column, no CRS, etc. Row problems are collected in the report instead.
    """
    if bestehende not in EXISTING:
        raise InputValidationError(
            f"Unbekannte Einstellung für vorhandene Angebote: '{bestehende}'.",
            hinweis=f"Erlaubt sind: {', '.join(EXISTING)}.",
        )
    source = read_services_source(path, crs=crs, blatt=blatt, ebene=ebene)
    check_personal_columns(source.frame.columns, datei=source.path, erlaubt=SERVICE_PERSONAL_ALLOWED)
    mapping, unmapped, duplicates = map_columns(source.frame.columns)
    report = ImportReport(datei=str(source.path), zeilen=len(source.frame), spalten=mapping)
    _check_header(source, mapping, unmapped, duplicates, report)
    need_addresses = source.geometry is None or bool(
        (source.geometry.isna() | source.geometry.is_empty).any()
    )
    context = _RegionContext.from_store(store, need_addresses=need_addresses)
    metric_crs = parse_crs(crs, datei=source.path) if crs is not None and source.geometry is None else None
    checker = _RowChecker(source, mapping, context, metric_crs, bestehende, report)
    checker.run()
    return report


def _check_header(
    source: _Source,
    mapping: dict[str, str],
    unmapped: list[str],
    duplicates: list[str],
    report: ImportReport,
) -> None:
    datei = str(source.path)
    if "name" not in mapping:
        found = ", ".join(f"'{c}'" for c in source.frame.columns[:12])
        raise InputValidationError(
            "Die Datei hat keine Spalte für den Namen des Angebots.",
            hinweis=f"Nennen Sie die Spalte 'Name' oder 'Bezeichnung'. Gefundene Spalten: {found}.",
            datei=datei,
            spalte="Name",
        )
    if "typ" not in mapping:
        raise InputValidationError(
            "Die Datei hat keine Spalte für den Angebotstyp.",
            hinweis="Ergänzen Sie eine Spalte 'Typ' mit Werten wie EUTB, KoKoBe, SPZ, "
            "Pflegestützpunkt (die vollständige Liste steht in data/angebotstypen.toml).",
            datei=datei,
            spalte="Typ",
        )
    for column in unmapped:
        report.probleme.append(
            Problem(
                "Die Spalte wird nicht übernommen (unbekannte Überschrift).",
                "Benennen Sie die Spalte um, wenn sie übernommen werden soll (z. B. 'Träger', "
                "'Öffnungszeiten', 'Barrierefrei').",
                datei=datei,
                spalte=column,
                schwere="warnung",
            )
        )
    for column in duplicates:
        report.probleme.append(
            Problem(
                "Die Spalte meint dasselbe wie eine frühere Spalte und wird nicht übernommen.",
                "Löschen Sie eine der beiden Spalten.",
                datei=datei,
                spalte=column,
                schwere="warnung",
            )
        )


class _RowChecker:
    """Turns the rows of a source into schema rows and findings."""

    def __init__(
        self,
        source: _Source,
        mapping: dict[str, str],
        context: _RegionContext,
        metric_crs: CRS | None,
        bestehende: str,
        report: ImportReport,
    ) -> None:
        self.source = source
        self.mapping = mapping
        self.context = context
        self.metric_crs = metric_crs
        self.bestehende = bestehende
        self.report = report
        self.datei = str(source.path)
        self.n = len(source.frame)
        self.bad = np.zeros(self.n, dtype=bool)
        self._column_cache: dict[str, pd.Series] = {}
        self._cell_cache: dict[str, np.ndarray] = {}

    # -- helpers -------------------------------------------------------------------------------

    def row(self, pos: int) -> int:
        return int(self.source.row_numbers[pos])

    def column(self, fld: str) -> pd.Series:
        cached = self._column_cache.get(fld)
        if cached is None:
            header = self.mapping.get(fld)
            cached = (pd.Series([pd.NA] * self.n, dtype="string") if header is None
                      else self.source.frame[header].reset_index(drop=True))
            self._column_cache[fld] = cached
        return cached

    def cells(self, fld: str) -> np.ndarray:
        """The column's values as plain Python objects (fast per-row access)."""
        cached = self._cell_cache.get(fld)
        if cached is None:
            cached = self.column(fld).to_numpy(dtype=object)
            self._cell_cache[fld] = cached
        return cached

    def problem(
        self, pos: int, fld: str | None, meldung: str, hinweis: str, *, warn: bool = False
    ) -> None:
        spalte = self.mapping.get(fld, fld) if fld else None
        self.report.probleme.append(
            Problem(
                meldung,
                hinweis,
                datei=self.datei,
                zeile=self.row(pos),
                spalte=spalte,
                schwere="warnung" if warn else "fehler",
            )
        )
        if not warn:
            self.bad[pos] = True

    # -- the checks ---------------------------------------------------------------------------

    def run(self) -> None:
        values: dict[str, list[Any]] = {}
        values["name"] = self._text("name", required=True)
        values["typ"] = self._types()
        values["angebot_id"] = self._ids(values)
        for fld in ("zielgruppen", "oeffnungszeiten", "traeger", "kontakt", "telefon", "email",
                    "webseite", "bemerkung", "osm_id"):
            values[fld] = self._text(fld)
        for fld in ACCESS_COLUMNS:
            values[fld] = self._yes_no(fld, partly=True)
        values["aufsuchend"] = self._yes_no("aufsuchend", partly=False)
        values["kapazitaet_std_woche"] = self._capacity()
        values["gueltig_von"], values["gueltig_bis"] = self._dates()
        values["quelle"] = self._sources()
        street, number, plz, ort = self._address()
        values["strasse"], values["hausnummer"], values["plz"], values["ort"] = (
            street, number, plz, ort
        )
        points = self._points(street, number, plz, ort)
        self._inside_region(points)
        ok = ~self.bad
        rows = pd.DataFrame({k: v for k, v in values.items()})
        rows["gruppe"] = [service_type(t).gruppe if t else None for t in values["typ"]]
        rows["version"] = 1
        rows["zeile"] = [self.row(i) for i in range(self.n)]
        gdf = gpd.GeoDataFrame(rows, geometry=list(points), crs=self.context.crs)
        valid = conform(gdf[ok].reset_index(drop=True))
        valid.insert(0, "zeile", gdf.loc[ok, "zeile"].to_numpy())
        self.report.gueltig = valid
        self.report.probleme.sort(key=lambda p: (p.zeile is not None, p.zeile or 0))

    def _text(self, fld: str, *, required: bool = False) -> list[str | None]:
        out: list[str | None] = []
        for pos, value in enumerate(self.cells(fld)):
            if is_blank(value):
                if required:
                    self.problem(pos, fld, "Der Name des Angebots fehlt.",
                                 "Tragen Sie den Namen der Beratungsstelle ein.")
                out.append(None)
            else:
                out.append(re.sub(r"\s+", " ", str(value)).strip())
        return out

    def _types(self) -> list[str | None]:
        out: list[str | None] = []
        for pos, value in enumerate(self.cells("typ")):
            if is_blank(value):
                self.problem(pos, "typ", "Der Angebotstyp fehlt.",
                             "Tragen Sie einen Typ ein, z. B. EUTB, KoKoBe, SPZ, Pflegestützpunkt "
                             "oder 'sonstige'.")
                out.append(None)
                continue
            key = resolve_service_type(value)
            if key is None:
                suggestion = suggest_service_type(str(value))
                hint = f"Meinten Sie '{suggestion}'? " if suggestion else ""
                self.problem(
                    pos, "typ", f"Unbekannter Angebotstyp '{value}'.",
                    hint + "Erlaubt sind: " + ", ".join(service_type_keys()) + ".",
                )
            out.append(key)
        return out

    def _ids(self, values: Mapping[str, list[Any]]) -> list[str | None]:
        given = self.cells("angebot_id")
        ids: list[str | None] = []
        for pos, value in enumerate(given):
            if is_blank(value):
                ids.append(self._generated_id(pos, values))
            else:
                text = str(value).strip()
                ids.append(text[:-2] if re.fullmatch(r"\d+\.0", text) else text)
        seen: dict[str, int] = {}
        for pos, ident in enumerate(ids):
            if ident is None:
                continue
            if ident in seen:
                first = self.row(seen[ident])
                self.problem(
                    pos, "angebot_id",
                    f"Die ID '{ident}' kommt doppelt vor (schon in Zeile {first}).",
                    "Jedes Angebot braucht eine eigene ID; vergeben Sie eine neue oder löschen "
                    "Sie die doppelte Zeile.",
                )
            else:
                seen[ident] = pos
            if ident in self.context.existing_ids and self.bestehende == "fehler":
                explicit = not is_blank(given[pos])
                self.problem(
                    pos, "angebot_id" if explicit else "name",
                    f"Das Angebot ist schon im Verzeichnis (ID '{ident}')"
                    + ("" if explicit else ", offenbar aus einem früheren Import derselben Liste")
                    + ".",
                    "Ändern Sie bestehende Angebote über 'Bearbeiten' oder importieren Sie mit "
                    "der Einstellung 'vorhandene aktualisieren'.",
                )
        return ids

    def _generated_id(self, pos: int, values: Mapping[str, list[Any]]) -> str | None:
        name = values["name"][pos]
        if not name:
            return None
        parts = [str(name), str(values["typ"][pos] or "")]
        for fld in ("adresse", "strasse", "hausnummer", "plz", "lat", "lon", "x", "y"):
            value = self.cells(fld)[pos]
            parts.append("" if is_blank(value) else str(value).strip().lower())
        digest = hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:10]
        return f"imp-{digest}"

    def _yes_no(self, fld: str, *, partly: bool) -> list[str]:
        out: list[str] = []
        for pos, value in enumerate(self.cells(fld)):
            try:
                out.append(parse_yes_no(value, partly=partly))
            except ValueError as exc:
                self.problem(pos, fld, str(exc), "Schreiben Sie ja, nein, teilweise oder "
                             "unbekannt (auch x/leer sind möglich).")
                out.append("unbekannt")
        return out

    def _capacity(self) -> list[float]:
        values, problems = parse_decimal(
            self.column("kapazitaet_std_woche").reset_index(drop=True),
            spalte=self.mapping.get("kapazitaet_std_woche", "Kapazität"),
            datei=self.datei,
        )
        for problem in problems:
            pos = (problem.zeile or FIRST_DATA_ROW) - FIRST_DATA_ROW
            self.problem(pos, "kapazitaet_std_woche", problem.meldung, problem.hinweis)
        for pos, value in enumerate(values.to_numpy()):
            if np.isfinite(value) and (value < 0 or value > 24 * 7 * 50):
                self.problem(
                    pos, "kapazitaet_std_woche",
                    f"Die Kapazität {value:g} Stunden pro Woche ist nicht möglich.",
                    "Tragen Sie die Personalstunden pro Woche ein (z. B. 39 für eine Vollzeitstelle).",
                )
        return list(values.to_numpy())

    def _dates(self) -> tuple[list[str | None], list[str | None]]:
        parsed: dict[str, list[str | None]] = {}
        for fld in ("gueltig_von", "gueltig_bis"):
            out: list[str | None] = []
            for pos, value in enumerate(self.cells(fld)):
                try:
                    out.append(parse_date(value))
                except ValueError as exc:
                    self.problem(pos, fld, str(exc),
                                 "Schreiben Sie das Datum als TT.MM.JJJJ, z. B. 01.01.2025.")
                    out.append(None)
            parsed[fld] = out
        for pos, (start, end) in enumerate(zip(parsed["gueltig_von"], parsed["gueltig_bis"],
                                               strict=True)):
            if start and end and end < start:
                self.problem(pos, "gueltig_bis",
                             f"Das Ende ({end}) liegt vor dem Beginn ({start}).",
                             "Prüfen Sie die beiden Datumsangaben.")
        return parsed["gueltig_von"], parsed["gueltig_bis"]

    def _sources(self) -> list[str]:
        out = []
        for value in self.cells("quelle"):
            # A re-imported export keeps the label of fictitious rows; everything else is ours.
            out.append("synthetisch" if str(value).strip().lower() == "synthetisch" else "import")
        return out

    def _address(
        self,
    ) -> tuple[list[str | None], list[str | None], list[str | None], list[str | None]]:
        from layers.geocode import split_address

        streets = self._text("strasse")
        numbers = self._text("hausnummer")
        orte = self._text("ort")
        combined = self.cells("adresse")
        plzs: list[str | None] = []
        for pos, value in enumerate(self.cells("plz")):
            try:
                plzs.append(parse_plz(value))
            except ValueError as exc:
                self.problem(pos, "plz", str(exc), "Tragen Sie die fünfstellige Postleitzahl ein.")
                plzs.append(None)
        for pos in range(self.n):
            if streets[pos] and not numbers[pos]:
                street, number, plz, ort = split_address(streets[pos])
                if number:
                    streets[pos], numbers[pos] = street, number
                    plzs[pos] = plzs[pos] or plz
                    orte[pos] = orte[pos] or ort
            if not streets[pos] and not is_blank(combined[pos]):
                street, number, plz, ort = split_address(combined[pos])
                streets[pos], numbers[pos] = street, number
                plzs[pos] = plzs[pos] or plz
                orte[pos] = orte[pos] or ort
        return streets, numbers, plzs, orte

    # -- coordinates ----------------------------------------------------------------------------

    def _points(
        self,
        streets: list[str | None],
        numbers: Sequence[str | None],
        plzs: Sequence[str | None],
        orte: Sequence[str | None],
    ) -> np.ndarray:
        points = np.full(self.n, None, dtype=object)
        have = np.zeros(self.n, dtype=bool)
        if self.source.geometry is not None:
            self._points_from_geometry(points, have)
        else:
            self._points_from_degrees(points, have)
            self._points_from_metric(points, have)
        todo = [pos for pos in range(self.n) if not have[pos] and not self.bad[pos]]
        geocode_rows = []
        for pos in todo:
            if not streets[pos]:
                self.problem(
                    pos, None,
                    "Die Zeile hat weder Koordinaten noch eine Adresse.",
                    "Tragen Sie Straße und Hausnummer ein (die Adresse wird offline verortet) "
                    "oder Koordinaten (lat/lon oder Rechtswert/Hochwert).",
                )
                continue
            assert self.context.addresses is not None
            result = self.context.addresses.lookup(streets[pos], numbers[pos], plzs[pos], orte[pos])
            address = " ".join(p for p in (streets[pos], numbers[pos]) if p)
            tail = " ".join(p for p in (plzs[pos], orte[pos]) if p)
            geocode_rows.append(
                {
                    "zeile": self.row(pos),
                    "adresse": f"{address}, {tail}" if tail else address,
                    "status": result.status,
                    "punktzahl": round(result.punktzahl, 1),
                    "treffer": result.treffer,
                    "hinweis": result.hinweis,
                    "x": result.x,
                    "y": result.y,
                }
            )
            if result.placed:
                points[pos] = shapely.Point(result.x, result.y)
                have[pos] = True
                if result.status != EXAKT:
                    note = result.hinweis
                    if result.strasse:
                        if streets[pos] != result.strasse:
                            note += f" Gespeichert als '{result.strasse}'."
                        streets[pos] = result.strasse
                    self.problem(pos, "strasse", f"Adresse '{address}' verortet "
                                 f"({result.status}, Punktzahl {result.punktzahl:.0f}): {note}",
                                 "Prüfen Sie den Punkt auf der Karte.", warn=True)
            else:
                what = "ist nicht eindeutig" if result.status == MEHRDEUTIG else "wurde nicht gefunden"
                self.problem(
                    pos, "strasse",
                    f"Die Adresse '{address}' {what}. {result.hinweis}".strip(),
                    "Korrigieren Sie Straße und Hausnummer oder tragen Sie Koordinaten ein; "
                    "die Zeile wird nicht geraten.",
                )
        self.report.geokodierung = pd.DataFrame(
            geocode_rows,
            columns=["zeile", "adresse", "status", "punktzahl", "treffer", "hinweis", "x", "y"],
        )
        return points

    def _points_from_geometry(self, points: np.ndarray, have: np.ndarray) -> None:
        assert self.source.geometry is not None
        geometry = self.source.geometry.to_crs(self.context.crs)
        for pos, geom in enumerate(geometry.to_numpy()):
            if geom is None or geom.is_empty:
                continue
            kind = geom.geom_type
            if kind == "MultiPoint" and len(geom.geoms) == 1:
                geom, kind = geom.geoms[0], "Point"
            if kind == "Point":
                points[pos], have[pos] = geom, True
            elif kind in ("Polygon", "MultiPolygon"):
                if not geom.is_valid:
                    self.problem(
                        pos, "geometry",
                        f"Ungültige Geometrie ({shapely.is_valid_reason(geom)}).",
                        "Reparieren Sie die Fläche in QGIS ('Geometrien reparieren') oder "
                        "speichern Sie das Angebot als Punkt.",
                    )
                    continue
                points[pos], have[pos] = geom.representative_point(), True
                self.problem(pos, "geometry", "Das Angebot ist als Fläche gespeichert; ein Punkt "
                             "im Inneren wird verwendet.", "Speichern Sie Angebote als Punkte.",
                             warn=True)
            else:
                self.problem(
                    pos, "geometry",
                    f"Geometrietyp '{kind}' passt nicht zu einem Angebot (erwartet: Punkt).",
                    "Speichern Sie Angebote als Punkte (z. B. den Eingang).",
                )

    def _points_from_degrees(self, points: np.ndarray, have: np.ndarray) -> None:
        if "lat" not in self.mapping and "lon" not in self.mapping:
            return
        if ("lat" in self.mapping) != ("lon" in self.mapping):
            missing = "Länge (lon)" if "lat" in self.mapping else "Breite (lat)"
            for pos in range(self.n):
                self.problem(pos, None, f"Die Spalte für die {missing} fehlt.",
                             "Geben Sie beide Koordinaten an, Breite und Länge.")
            return
        lat = self._numbers("lat")
        lon = self._numbers("lon")
        minx, miny, maxx, maxy = self.context.bounds_wgs84
        margin = 0.05  # degrees; the exact region test follows with the polygon
        bounds = (minx - margin, miny - margin, maxx + margin, maxy + margin)
        transformer = Transformer.from_crs(WGS84, self.context.crs, always_xy=True)
        for pos in range(self.n):
            x, y = lon[pos], lat[pos]
            if np.isnan(x) and np.isnan(y):
                continue
            if np.isnan(x) or np.isnan(y):
                self.problem(pos, "lat" if np.isnan(y) else "lon", "Eine der beiden Koordinaten "
                             "fehlt.", "Geben Sie Breite und Länge an oder keine von beiden.")
                continue
            found = _lonlat_problem(x, y, bounds, self.mapping["lon"], self.mapping["lat"])
            if found:
                self.problem(pos, "lat", *found)
                continue
            ex, ey = transformer.transform(x, y)
            points[pos], have[pos] = shapely.Point(ex, ey), True

    def _points_from_metric(self, points: np.ndarray, have: np.ndarray) -> None:
        if "x" not in self.mapping and "y" not in self.mapping:
            return
        if ("x" in self.mapping) != ("y" in self.mapping):
            missing = "Hochwert (y)" if "x" in self.mapping else "Rechtswert (x)"
            for pos in range(self.n):
                if not have[pos]:
                    self.problem(pos, None, f"Die Spalte für den {missing} fehlt.",
                                 "Geben Sie beide Koordinaten an.")
            return
        xs = self._numbers("x")
        ys = self._numbers("y")
        region_crs = self.context.crs
        source_crs = self.metric_crs
        assumed = False
        if source_crs is None:
            source_crs, assumed = region_crs, True
        transformer = Transformer.from_crs(source_crs, region_crs, always_xy=True)
        boundary = self.context.boundary
        minx, miny, maxx, maxy = boundary.bounds
        pad = 5000.0
        warned = False
        for pos in range(self.n):
            if have[pos]:
                continue
            x, y = xs[pos], ys[pos]
            if np.isnan(x) and np.isnan(y):
                continue
            if np.isnan(x) or np.isnan(y):
                self.problem(pos, "x" if np.isnan(x) else "y", "Eine der beiden Koordinaten fehlt.",
                             "Geben Sie Rechtswert und Hochwert an oder keinen von beiden.")
                continue
            ex, ey = transformer.transform(x, y)
            if minx - pad <= ex <= maxx + pad and miny - pad <= ey <= maxy + pad:
                points[pos], have[pos] = shapely.Point(ex, ey), True
                if assumed and not warned:
                    warned = True
                    self.report.probleme.append(Problem(
                        f"Für die metrischen Koordinaten ist kein CRS angegeben; sie passen zum "
                        f"CRS der Region ({crs_label(region_crs)}) und wurden so gelesen.",
                        "Geben Sie das CRS beim Import an, wenn die Koordinaten aus einem "
                        "anderen System stammen.", datei=self.datei, spalte=self.mapping["x"],
                        schwere="warnung"))
                continue
            self.problem(pos, "x", *_metric_problem(
                x, y, source_crs, region_crs, boundary, assumed,
                self.mapping["x"], self.mapping["y"],
            ))

    def _numbers(self, fld: str) -> np.ndarray:
        values, problems = parse_decimal(
            self.column(fld).reset_index(drop=True),
            spalte=self.mapping.get(fld, fld),
            datei=self.datei,
        )
        for problem in problems:
            pos = (problem.zeile or FIRST_DATA_ROW) - FIRST_DATA_ROW
            raw = str(self.column(fld).iloc[pos])
            hinweis = problem.hinweis
            if re.search(r"[°'′\"″]", raw):
                hinweis = ("Die Koordinate ist in Grad, Minuten und Sekunden geschrieben. Rechnen "
                           "Sie sie in Dezimalgrad um (Grad + Minuten/60 + Sekunden/3600, z. B. "
                           "50°46'31\" = 50,7753).")
            self.problem(pos, fld, problem.meldung, hinweis)
        return values.to_numpy(dtype=float)

    def _inside_region(self, points: np.ndarray) -> None:
        boundary = self.context.boundary
        shapely.prepare(boundary)
        for pos, point in enumerate(points):
            if point is None or self.bad[pos]:
                continue
            if not boundary.covers(point):
                distance = boundary.distance(point)
                self.problem(
                    pos, "geometry" if self.source.geometry is not None else None,
                    f"Das Angebot liegt außerhalb der Region ({distance / 1000:.1f} km von der "
                    "Grenze entfernt).",
                    "Prüfen Sie Koordinaten bzw. Adresse; Angebote außerhalb der Region können "
                    "hier nicht aufgenommen werden.",
                )


def _lonlat_problem(
    x: float, y: float, bounds: tuple[float, float, float, float], col_lon: str, col_lat: str
) -> tuple[str, str] | None:
    minx, miny, maxx, maxy = bounds
    if minx <= x <= maxx and miny <= y <= maxy:
        return None
    if minx <= y <= maxx and miny <= x <= maxy:
        return (
            f"Länge und Breite sind vertauscht ({col_lon}={x:g}, {col_lat}={y:g}).",
            f"Tauschen Sie die Werte der Spalten '{col_lon}' und '{col_lat}'.",
        )
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        return (
            f"Die Koordinaten ({x:g}, {y:g}) sind keine Grad-Angaben, stehen aber in den Spalten "
            f"für Breite/Länge.",
            "Für metrische Koordinaten benennen Sie die Spalten 'Rechtswert'/'Hochwert' und "
            "geben das CRS an (z. B. --crs EPSG:25832).",
        )
    for factor in (10.0, 100.0, 1000.0, 1e4, 1e5, 1e6):
        if minx <= x * factor <= maxx and miny <= y * factor <= maxy:
            return (
                f"Die Koordinaten ({x:g}, {y:g}) sind um den Faktor {factor:g} zu klein: "
                "vermutlich wurden Tausenderpunkte oder Dezimalkommas falsch gelesen.",
                "Schreiben Sie Grad mit Dezimalkomma oder -punkt und ohne Tausendertrennzeichen, "
                "z. B. 50,7753.",
            )
    return (
        f"Der Punkt ({col_lat} {y:g}, {col_lon} {x:g}) liegt außerhalb der Region.",
        "Prüfen Sie die Koordinaten; ist die Adresse richtig?",
    )


def _metric_problem(
    x: float,
    y: float,
    source_crs: CRS,
    region_crs: CRS,
    boundary: shapely.Geometry,
    assumed: bool,
    col_x: str,
    col_y: str,
) -> tuple[str, str]:
    minx, miny, maxx, maxy = boundary.bounds
    to_region = Transformer.from_crs(source_crs, region_crs, always_xy=True)
    label = crs_label(source_crs)

    def inside(a: float, b: float) -> bool:
        ex, ey = to_region.transform(a, b)
        return bool(minx - 5000 <= ex <= maxx + 5000 and miny - 5000 <= ey <= maxy + 5000)

    if inside(y, x):
        return (
            f"Rechtswert und Hochwert sind vertauscht ({col_x}={x:.0f}, {col_y}={y:.0f}).",
            f"Tauschen Sie die Werte der Spalten '{col_x}' und '{col_y}'.",
        )
    if x >= 1e7 and inside(x % 1e6, y):
        return (
            f"Der Rechtswert {x:.0f} enthält vorne die UTM-Zonennummer ({int(x // 1e6)}).",
            "Geben Sie beim Import das CRS mit Zonenkennung an (EPSG:4647 für ETRS89 / UTM 32N "
            "mit Zone) oder entfernen Sie die führende Zonennummer.",
        )
    if -180 <= x <= 180 and -90 <= y <= 90:
        return (
            f"Die Koordinaten ({x:g}, {y:g}) sehen aus wie Grad, stehen aber in metrischen "
            "Spalten.",
            "Benennen Sie die Spalten 'lat' (Breite) und 'lon' (Länge).",
        )
    factors = (1.0, 10.0, 100.0, 1000.0)
    for fx in factors:
        for fy in factors:
            if (fx, fy) != (1.0, 1.0) and inside(x * fx, y * fy):
                wrong = " und ".join(
                    f"{name} {value:g}" for name, value, factor in
                    ((col_x, x, fx), (col_y, y, fy)) if factor != 1.0
                )
                return (
                    f"Koordinate zu klein ({wrong}): vermutlich wurde ein Tausenderpunkt als "
                    "Dezimalpunkt gelesen.",
                    "Schreiben Sie Rechts- und Hochwert ohne Tausenderpunkt, z. B. 294512,75 "
                    "statt 294.512.",
                )
    if 2.2e6 <= x <= 5.8e6 and 5.0e6 <= y <= 6.2e6:
        zone = int(x // 1e6)
        return (
            f"Die Koordinaten ({x:.0f}, {y:.0f}) passen nicht zu {label}; sie sehen aus wie "
            f"Gauß-Krüger (Streifen {zone}).",
            f"Geben Sie beim Import das CRS an: EPSG:{31464 + zone} (DHDN / Gauß-Krüger Zone "
            f"{zone}).",
        )
    if assumed:
        return (
            f"Die Koordinaten ({x:g}, {y:g}) liegen nicht in der Region; ohne CRS-Angabe wurde "
            f"{label} angenommen.",
            "Geben Sie beim Import das Koordinatenbezugssystem an (z. B. --crs EPSG:25832).",
        )
    return (
        f"Der Punkt ({x:g}, {y:g}) in {label} liegt außerhalb der Region.",
        "Prüfen Sie die Koordinaten und das angegebene CRS.",
    )


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def import_services(
    store: RegionStore,
    path: str | Path,
    *,
    modus: str = "alles",
    crs: object = None,
    blatt: str | int | None = None,
    ebene: str | None = None,
    bestehende: str = "fehler",
) -> ImportReport:
    """Check a service file and write its rows into the directory in one transaction.

    Parameters
    ----------
    store
        The region store.
    path
        The file (see :func:`check_services_file`).
    modus
        ``"alles"``: all or nothing, any error and nothing is written (an
        :class:`InputValidationError` lists every finding); ``"gueltige"``: only the valid rows
        are written, the report lists the others. If no row is valid, nothing is written and an
        error is raised in both modes.
    crs, blatt, ebene, bestehende
        See :func:`check_services_file`.

    Returns
    -------
    ImportReport
        With ``geschrieben``/``aktualisiert`` set.

    Raises
    ------
    SozialraumError
        Problems of the file, or (in mode ``"alles"``) of any row; the store is unchanged.
    """
    if modus not in MODES:
        raise InputValidationError(
            f"Unbekannter Importmodus '{modus}'.",
            hinweis="Erlaubt sind 'alles' (alles oder nichts) und 'gueltige' (nur gültige Zeilen).",
        )
    report = check_services_file(
        store, path, crs=crs, blatt=blatt, ebene=ebene, bestehende=bestehende
    )
    if report.fehler and (modus == "alles" or report.gueltige_zeilen == 0):
        meldung = (
            f"Der Import wurde abgebrochen: {len(report.fehlerhafte_zeilen) or 'alle'} von "
            f"{report.zeilen} Zeilen haben Fehler. Es wurde nichts gespeichert."
            if modus == "alles"
            else "Keine Zeile der Datei ist gültig; es wurde nichts gespeichert."
        )
        raise InputValidationError(
            meldung,
            hinweis="Beheben Sie die aufgeführten Fehler in der Datei"
            + (" oder importieren Sie nur die gültigen Zeilen." if modus == "alles" and
               report.gueltige_zeilen else "."),
            datei=report.datei,
            probleme=report.fehler,
        )
    rows = report.gueltig
    assert rows is not None
    inserted, updated = write_service_rows(store, rows, action="importieren",
                                           update_existing=bestehende == "aktualisieren")
    report.modus = modus
    report.geschrieben = inserted
    report.aktualisiert = updated
    log.info(report.zusammenfassung())
    return report


def write_service_rows(
    store: RegionStore,
    rows: gpd.GeoDataFrame,
    *,
    action: str,
    update_existing: bool = False,
) -> tuple[int, int]:
    """Insert (or update) checked rows of the ``angebote`` schema in one transaction.

    Every row gets an audit entry (``action`` for new rows, ``"aktualisieren"`` for updates).
    Either all rows are written or none.

    Returns
    -------
    tuple
        ``(inserted, updated)``.

    Raises
    ------
    InputValidationError
        If an id appeared in the directory since the check and updates are not allowed.
    """
    from layers.angebote.edit import differs, row_values

    inserted = updated = 0
    columns = list(SCHEMA)
    with store.transaction() as tx:
        for record in rows.to_dict("records"):
            values = {c: record.get(c) for c in columns}
            geometry = record.get(rows.geometry.name)
            ident = str(values["angebot_id"])
            existing = tx.rows("angebote", '"angebot_id" = ?', (ident,))
            if existing:
                if not update_existing:
                    raise InputValidationError(
                        f"Das Angebot '{ident}' wurde inzwischen von jemand anderem angelegt. Es "
                        "wurde nichts gespeichert.",
                        hinweis="Prüfen Sie die Datei erneut und importieren Sie dann.",
                    )
                old = row_values(existing[0])
                version = int(old.get("version") or 1)
                changes = {k: v for k, v in values.items()
                           if k not in ("angebot_id", "version", "quelle")
                           and differs(v, old.get(k))}
                move = geometry is not None and differs(geometry, old.get("geometry"))
                if not changes and not move:
                    continue
                new_version = tx.update("angebote", ("angebot_id", ident), changes,
                                        geometry=geometry if move else None,
                                        expected_version=version)
                before = {k: old.get(k) for k in changes}
                after = dict(changes)
                if move:
                    before["geometry"], after["geometry"] = old.get("geometry"), geometry
                before["version"], after["version"] = version, new_version
                tx.audit("angebote", ident, "aktualisieren", before, after)
                updated += 1
            else:
                tx.insert("angebote", values, geometry=geometry)
                tx.audit("angebote", ident, action, None, {**values, "geometry": geometry})
                inserted += 1
    return inserted, updated
