"""Reading service files: tables (CSV, XLSX) and spatial files (GeoJSON, GeoPackage, Shapefile)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS

from layers.angebote.importer.columns import map_columns
from layers.errors import CRSError, Problem, SourceDataError, SozialraumError
from layers.validation import (
    check_file_size,
    clean_table,
    crs_label,
    excel_sheets,
    is_blank,
    parse_crs,
    read_table,
    row_numbers,
    table_notes,
)

__all__ = ["SPATIAL_SUFFIXES", "TABLE_SUFFIXES", "Source", "read_services_source"]


TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
SPATIAL_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")


@dataclass
class Source:
    """A file read into text columns plus (for spatial formats) a geometry per row."""

    path: Path
    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None
    row_numbers: np.ndarray  # the row a user sees (spreadsheet row or object number) per row
    findings: list[Problem] = field(default_factory=list)  # from reading and cleaning the text


def _cleaned(source: Source) -> Source:
    """The source with invisible and control characters handled (:mod:`layers.validation.text`).

    The ``quelle`` column is strict: a zero-width space must not let a row claim a label.
    """
    mapping, _, _ = map_columns(source.frame.columns)
    strict = [mapping["quelle"]] if "quelle" in mapping else []
    frame, found = clean_table(source.frame, source.row_numbers, datei=source.path, strict=strict)
    return Source(source.path, frame, source.geometry, source.row_numbers,
                  source.findings + found)


def read_services_source(
    path: str | Path,
    *,
    crs: object = None,
    blatt: str | int | None = None,
    ebene: str | None = None,
) -> Source:
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
        notes = table_notes(frame)
        # read_table drops empty rows but keeps the positions as index labels.
        rows = row_numbers(frame)
        frame, rows = _header_below_title(frame, rows)
        frame = frame.reset_index(drop=True)
        if suffix in (".xlsx", ".xlsm"):
            _check_sheet_choice(path, frame, blatt)
        return _cleaned(Source(path, frame, None, rows, notes))
    if suffix in SPATIAL_SUFFIXES:
        check_file_size(path)
        return _cleaned(_read_spatial(path, crs=crs, ebene=ebene))
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


def _read_spatial(path: Path, *, crs: object, ebene: str | None) -> Source:
    """Read a spatial file's chosen layer into text columns and a geometry with a CRS."""
    suffix = path.suffix.lower()
    _check_spatial_file(path, suffix)
    _check_layer_choice(path, ebene)
    encoding, findings = _dbf_encoding(path, ebene) if suffix == ".shp" else (None, [])
    try:
        gdf = pyogrio.read_dataframe(path, layer=ebene, encoding=encoding)
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
    geometry = _geometry_with_crs(gdf, crs, path, suffix)
    _check_declared_degrees(geometry, path)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype("string")
    frame.columns = [str(c).strip() for c in frame.columns]
    return Source(path, frame.reset_index(drop=True), geometry.reset_index(drop=True),
                  np.arange(1, len(frame) + 1), findings)


def _check_spatial_file(path: Path, suffix: str) -> None:
    """Refuse an empty file and a Shapefile without its companion files."""
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


def _check_layer_choice(path: Path, ebene: str | None) -> None:
    """A file with several layers needs ``ebene``; a named layer must exist."""
    try:
        listed = pyogrio.list_layers(path)
        layers = [str(row[0]) for row in listed]
        geometry_types = {str(row[0]): row[1] for row in listed}
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
    chosen = ebene if ebene is not None else (layers[0] if layers else None)
    if chosen is not None and geometry_types.get(chosen) is None and path.suffix.lower() == ".gpkg":
        spatial = [name for name in layers if geometry_types.get(name) is not None]
        raise SourceDataError(
            f"Die Ebene '{chosen}' der GeoPackage-Datei ist eine Tabelle ohne Geometrie (keine "
            "Punkte, keine Flächen).",
            hinweis=("Wählen Sie eine Ebene mit Geometrie: " + ", ".join(spatial) + "."
                     if spatial else "Exportieren Sie die Angebote als Punktebene, oder als CSV "
                     "mit Adress- oder Koordinatenspalten."),
            datei=path,
        )


def _geometry_with_crs(
    gdf: gpd.GeoDataFrame, crs: object, path: Path, suffix: str
) -> gpd.GeoSeries:
    """The geometry with the file's CRS, or the stated one if the file has none (never both)."""
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
        return geometry.set_crs(parse_crs(crs, datei=path), allow_override=True)
    if crs is not None and not CRS.from_user_input(gdf.crs).equals(parse_crs(crs, datei=path)):
        raise CRSError(
            f"Die Datei gibt ihr Koordinatenbezugssystem selbst an ({crs_label(gdf.crs)}), "
            f"beim Import wurde aber {crs_label(parse_crs(crs))} genannt.",
            hinweis="Lassen Sie die CRS-Angabe beim Import weg; die Angabe der Datei gilt.",
            datei=path,
        )
    return geometry


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


# Characters that DOS code page 850 and Windows-1252 turn German letters into when a .dbf is read
# as ISO-8859-1 (GDAL's default without .cpg and without a code page byte in the header).
_GERMAN = set("äöüÄÖÜßéè")


def _dbf_encoding(path: Path, ebene: str | None) -> tuple[str | None, list[Problem]]:
    """The encoding of a Shapefile's .dbf without .cpg: detected from its text, or asked for.

    GDAL reads such a file as ISO-8859-1. Its text is re-encoded to bytes and decoded as UTF-8,
    DOS code page 850 and Windows-1252; the reading that yields German letters and no control
    characters wins (UTF-8 first, because its byte pairs are never accidental).

    Returns
    -------
    tuple
        The encoding to read with (``None``: GDAL's own choice is right) and a warning.
    """
    if any(path.with_suffix(ext).exists() for ext in (".cpg", ".CPG")):
        return None, []
    try:
        if pyogrio.read_info(path, layer=ebene).get("encoding") != "ISO-8859-1":
            return None, []
        frame = pyogrio.read_dataframe(path, layer=ebene, read_geometry=False)
    except Exception:
        return None, []  # the reader reports an unreadable file in its own words
    texts = [v for c in frame.columns for v in frame[c].dropna()
             if isinstance(v, str) and any(ord(ch) > 127 for ch in v)]
    if not texts:
        return None, []
    raw = [t.encode("latin-1", errors="replace") for t in texts]
    chosen = _best_encoding(raw)
    if chosen is None:
        raise SourceDataError(
            "Die Zeichenkodierung der .dbf-Datei ist nicht angegeben (die .cpg-Datei fehlt) und "
            f"lässt sich nicht sicher erkennen (z. B. '{texts[0][:40]}').",
            hinweis="Legen Sie neben die .shp eine Textdatei gleichen Namens mit der Endung .cpg "
            "und dem Inhalt UTF-8, CP850 (DOS) oder 1252 (Windows), oder speichern Sie die Ebene "
            "in QGIS als GeoPackage.",
            datei=path,
        )
    if chosen == "latin-1":
        return None, []
    sample = next(b.decode(chosen) for b in raw)
    label = {"utf-8": "UTF-8", "cp850": "DOS-Codepage 850", "cp1252": "Windows-1252"}[chosen]
    return chosen, [Problem(
        f"Die .dbf-Datei nennt keine Zeichenkodierung (die .cpg-Datei fehlt); die Texte wurden "
        f"als {label} erkannt und so gelesen (z. B. '{sample[:40]}').",
        "Prüfen Sie Umlaute in der Vorschau; legen Sie zur Sicherheit eine .cpg-Datei mit der "
        "Kodierung neben die .shp.", datei=str(path), schwere="warnung")]


def _best_encoding(raw: list[bytes]) -> str | None:
    """``utf-8``, ``cp850``, ``cp1252`` or ``latin-1`` for the bytes, or ``None`` if unclear."""
    try:
        [b.decode("utf-8") for b in raw]
        return "utf-8"
    except UnicodeDecodeError:
        pass
    scores = {}
    for encoding in ("cp850", "cp1252", "latin-1"):
        decoded = "".join(b.decode(encoding, errors="replace") for b in raw)
        if any(0x80 <= ord(ch) < 0xA0 or ch == "\ufffd" for ch in decoded):
            continue
        scores[encoding] = sum(ch in _GERMAN for ch in decoded)
    if not scores or max(scores.values()) == 0:
        return None
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    if len(ranked) > 1 and scores[ranked[0]] == scores[ranked[1]]:
        return "latin-1" if "latin-1" in ranked[:2] else None
    return ranked[0]
