"""Reading service files: tables (CSV, XLSX) and spatial files (GeoJSON, GeoPackage, Shapefile)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS

from layers.angebote.importer.columns import map_columns
from layers.errors import CRSError, SourceDataError, SozialraumError
from layers.validation import (
    FIRST_DATA_ROW,
    crs_label,
    excel_sheets,
    is_blank,
    parse_crs,
    read_table,
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
        # read_table drops empty rows but keeps the positions as index labels.
        rows = frame.index.to_numpy(dtype=np.int64) + FIRST_DATA_ROW
        frame, rows = _header_below_title(frame, rows)
        frame = frame.reset_index(drop=True)
        if suffix in (".xlsx", ".xlsm"):
            _check_sheet_choice(path, frame, blatt)
        return Source(path, frame, None, rows)
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


def _read_spatial(path: Path, *, crs: object, ebene: str | None) -> Source:
    """Read a spatial file's chosen layer into text columns and a geometry with a CRS."""
    suffix = path.suffix.lower()
    _check_spatial_file(path, suffix)
    _check_layer_choice(path, ebene)
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
    geometry = _geometry_with_crs(gdf, crs, path, suffix)
    _check_declared_degrees(geometry, path)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype("string")
    frame.columns = [str(c).strip() for c in frame.columns]
    return Source(path, frame.reset_index(drop=True), geometry.reset_index(drop=True),
                  np.arange(1, len(frame) + 1))


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
