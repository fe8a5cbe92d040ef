"""Point coordinates of imported rows: lon/lat checks, points in an area, table points."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from layers.errors import Problem
from layers.validation.columns import find_column
from layers.validation.crs import crs_label
from layers.validation.problems import FIRST_DATA_ROW
from layers.validation.values import parse_decimal

__all__ = [
    "COORDINATE_ALIASES",
    "check_lonlat",
    "check_points_in_area",
    "lonlat_problem",
    "table_points",
]


def check_lonlat(
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    bounds: tuple[float, float, float, float],
    datei: str | Path | None = None,
    spalte_lon: str = "lon",
    spalte_lat: str = "lat",
) -> list[Problem]:
    """Find coordinates outside the region, with the reason of :func:`lonlat_problem`.

    Parameters
    ----------
    lon, lat
        Coordinates in degrees (WGS 84), one per data row.
    bounds
        Region bounds in degrees ``(minx, miny, maxx, maxy)``.
    datei, spalte_lon, spalte_lat
        For messages.

    Returns
    -------
    list of Problem
    """
    problems: list[Problem] = []
    for pos, (x, y) in enumerate(zip(lon, lat, strict=True)):
        if np.isnan(x) or np.isnan(y):
            continue
        found = lonlat_problem(float(x), float(y), bounds=bounds, spalte_lon=spalte_lon,
                               spalte_lat=spalte_lat)
        if found is None:
            continue
        problems.append(
            Problem(
                found[0],
                found[1],
                datei=str(datei) if datei else None,
                zeile=pos + FIRST_DATA_ROW,
                spalte=f"{spalte_lon}/{spalte_lat}",
            )
        )
    return problems


def lonlat_problem(
    x: float,
    y: float,
    *,
    bounds: tuple[float, float, float, float],
    spalte_lon: str = "lon",
    spalte_lat: str = "lat",
) -> tuple[str, str] | None:
    """Why a point in degrees lies outside the region, or None if it lies inside.

    The one rule for coordinates typed or read as longitude/latitude: swapped values, metric
    coordinates in degree columns, values too small by a power of ten (misread thousands
    separators or decimal commas), or simply outside.

    Parameters
    ----------
    x, y
        Longitude and latitude as given.
    bounds
        Region bounds in degrees ``(minx, miny, maxx, maxy)``.
    spalte_lon, spalte_lat
        Column (or field) names for the messages.

    Returns
    -------
    tuple of str or None
        German message and hint.
    """
    minx, miny, maxx, maxy = bounds
    if minx <= x <= maxx and miny <= y <= maxy:
        return None
    if minx <= y <= maxx and miny <= x <= maxy:
        return (
            f"Länge und Breite sind vertauscht ({spalte_lon}={x}, {spalte_lat}={y}).",
            f"Tauschen Sie die Werte der Spalten '{spalte_lon}' und '{spalte_lat}'.",
        )
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        return (
            f"Die Koordinaten ({x}, {y}) sind keine Grad-Angaben, stehen aber in den Spalten "
            "für Breite/Länge.",
            "Für metrische Koordinaten benennen Sie die Spalten 'Rechtswert'/'Hochwert' und "
            "geben das CRS an (z. B. EPSG:25832).",
        )
    for factor in (10.0, 100.0, 1000.0, 1e4, 1e5, 1e6):
        if minx <= x * factor <= maxx and miny <= y * factor <= maxy:
            return (
                f"Die Koordinaten ({x}, {y}) sind um den Faktor {factor:g} zu klein: "
                "vermutlich wurden Tausenderpunkte oder Dezimalkommas falsch gelesen.",
                "Schreiben Sie Grad mit Dezimalkomma oder -punkt und ohne Tausendertrennzeichen, "
                "z. B. 50,7753.",
            )
    return (
        f"Der Punkt ({spalte_lat} {y}, {spalte_lon} {x}) liegt außerhalb der Region.",
        "Prüfen Sie die Koordinaten; ist die Adresse richtig?",
    )


def check_points_in_area(
    points: np.ndarray,
    area: shapely.Geometry,
    *,
    rows: Sequence[int],
    spalte: str,
    datei: str | Path | None = None,
    area_name: str = "der Region",
) -> list[Problem]:
    """Find points (region CRS) outside an area, e.g. reports outside the region.

    Parameters
    ----------
    points
        Shapely points (``None`` entries are skipped).
    area
        The polygon they must lie in.
    rows
        The spreadsheet row of each point (for messages).
    spalte, datei, area_name
        For messages.

    Returns
    -------
    list of Problem
    """
    geoms = np.asarray(points, dtype=object)
    present = np.array([g is not None for g in geoms], dtype=bool)
    problems: list[Problem] = []
    if not present.any():
        return problems
    inside = np.zeros(len(geoms), dtype=bool)
    inside[present] = shapely.covers(area, geoms[present].astype(object))
    for pos in np.flatnonzero(present & ~inside):
        distance = shapely.distance(area, geoms[pos])
        problems.append(
            Problem(
                f"Der Ort liegt außerhalb {area_name} (etwa {distance / 1000:.1f} km von der "
                "Grenze entfernt).",
                "Prüfen Sie Koordinaten, Koordinatenbezugssystem oder Adresse; Meldungen von "
                "außerhalb gehören in den Datenbestand der zuständigen Region.",
                datei=str(datei) if datei else None,
                zeile=int(rows[int(pos)]),
                spalte=spalte,
            )
        )
    return problems


COORDINATE_ALIASES: dict[str, tuple[str, ...]] = {
    "lon": ("lon", "lng", "long", "longitude", "laenge", "länge", "laengengrad", "längengrad"),
    "lat": ("lat", "latitude", "breite", "breitengrad"),
    "x": ("rechtswert", "x", "ostwert", "easting"),
    "y": ("hochwert", "y", "nordwert", "northing"),
}


def table_points(
    table: pd.DataFrame,
    *,
    crs: CRS | str | int,
    boundary: shapely.Geometry,
    datei: str | Path | None = None,
    required: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """Read point coordinates from a planner's table into the region CRS.

    Coordinates are either WGS 84 degrees (``lon``/``lat``, ``Längengrad``/``Breitengrad``) or
    metric coordinates in the region CRS (``Rechtswert``/``Hochwert``); decimal commas are fine.
    Swapped longitude/latitude and points outside the region are reported per row.

    Parameters
    ----------
    table
        The table as read by :func:`read_table` (text cells); row ``i`` is spreadsheet row
        ``i + 2``.
    crs
        The region's working CRS.
    boundary
        The region boundary in ``crs``.
    datei
        For messages.
    required
        Boolean mask of rows that must have coordinates (default: all rows); other rows may
        leave them empty.

    Returns
    -------
    tuple
        x and y in the region CRS (NaN where empty) and the problems found.
    """
    region_crs = CRS.from_user_input(crs)
    n = len(table)
    must = np.ones(n, dtype=bool) if required is None else np.asarray(required, dtype=bool)
    metric, first_col, second_col = _coordinate_columns(table.columns)
    if first_col is None or second_col is None:
        if not must.any():
            return np.full(n, np.nan), np.full(n, np.nan), []
        return np.full(n, np.nan), np.full(n, np.nan), [
            Problem(
                "Die Koordinatenspalten fehlen.",
                "Geben Sie 'lon' und 'lat' (Grad, WGS 84) oder 'Rechtswert' und 'Hochwert' "
                "(Meter, Koordinatensystem der Region) an.",
                datei=str(datei) if datei else None,
            )
        ]
    assert first_col is not None and second_col is not None
    first, problems = parse_decimal(table[first_col].reset_index(drop=True), spalte=first_col, datei=datei)
    second, more = parse_decimal(table[second_col].reset_index(drop=True), spalte=second_col, datei=datei)
    problems.extend(more)
    a, b = first.to_numpy(), second.to_numpy()
    problems += _missing_coordinates(a, b, must, (first_col, second_col), problems, datei)
    valid = ~(np.isnan(a) | np.isnan(b))
    xs = np.full(n, np.nan)
    ys = np.full(n, np.nan)
    explained: set[int] = set()
    if metric:
        xs[valid], ys[valid] = a[valid], b[valid]
    else:
        found = _degrees_into(xs, ys, a, b, valid, boundary, region_crs,
                              (first_col, second_col), datei)
        problems.extend(found)
        explained = {int(p.zeile or 0) - FIRST_DATA_ROW for p in found}
    problems += _outside_boundary(xs, ys, valid & ~_explained_mask(n, explained), boundary,
                                  region_crs, f"{first_col}/{second_col}", datei)
    return xs, ys, problems


def _missing_coordinates(
    a: np.ndarray,
    b: np.ndarray,
    must: np.ndarray,
    columns: tuple[str, str],
    found: list[Problem],
    datei: str | Path | None,
) -> list[Problem]:
    """Empty coordinates in rows that need them (cells already reported as unparsable skipped)."""
    unparsable = {(p.zeile, p.spalte) for p in found}
    problems: list[Problem] = []
    for pos in np.flatnonzero(must):
        for values, column in ((a, columns[0]), (b, columns[1])):
            if np.isnan(values[pos]) and (pos + FIRST_DATA_ROW, column) not in unparsable:
                problems.append(
                    Problem(
                        "Die Koordinate fehlt.",
                        "Tragen Sie die Koordinate ein oder entfernen Sie die Zeile.",
                        datei=str(datei) if datei else None,
                        zeile=int(pos) + FIRST_DATA_ROW,
                        spalte=column,
                    )
                )
    return problems


def _degrees_into(
    xs: np.ndarray,
    ys: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    valid: np.ndarray,
    boundary: shapely.Geometry,
    region_crs: CRS,
    columns: tuple[str, str],
    datei: str | Path | None,
) -> list[Problem]:
    """Check WGS 84 degrees (swapped lon/lat …) and write them into ``xs``/``ys`` (region CRS)."""
    lonlat = gpd.GeoSeries([boundary], crs=region_crs).to_crs("EPSG:4326").total_bounds
    found = check_lonlat(
        np.where(valid, lon, np.nan), np.where(valid, lat, np.nan),
        bounds=(float(lonlat[0]), float(lonlat[1]), float(lonlat[2]), float(lonlat[3])),
        datei=datei, spalte_lon=columns[0], spalte_lat=columns[1],
    )
    transformed = gpd.GeoSeries(
        gpd.points_from_xy(lon[valid], lat[valid]), crs="EPSG:4326"
    ).to_crs(region_crs)
    xs[valid], ys[valid] = transformed.x.to_numpy(), transformed.y.to_numpy()
    return found


def _explained_mask(n: int, explained: set[int]) -> np.ndarray:
    """Rows that :func:`check_lonlat` explained already (e.g. swapped lon/lat)."""
    mask = np.zeros(n, dtype=bool)
    mask[sorted(explained)] = True
    return mask


def _outside_boundary(
    xs: np.ndarray,
    ys: np.ndarray,
    check: np.ndarray,
    boundary: shapely.Geometry,
    region_crs: CRS,
    pair: str,
    datei: str | Path | None,
) -> list[Problem]:
    """Points of the rows in ``check`` that lie outside the region (1 m tolerance)."""
    points = gpd.GeoSeries(gpd.points_from_xy(xs, ys), crs=region_crs)
    inside = points.within(shapely.buffer(boundary, 1.0)).to_numpy()
    return [
        Problem(
            f"Der Punkt ({xs[pos]:.1f}, {ys[pos]:.1f}) liegt außerhalb der Region.",
            "Prüfen Sie die Koordinaten; metrische Koordinaten müssen im Koordinatensystem "
            f"der Region ({crs_label(region_crs)}) stehen.",
            datei=str(datei) if datei else None,
            zeile=int(pos) + FIRST_DATA_ROW,
            spalte=pair,
        )
        for pos in np.flatnonzero(check & ~inside)
    ]


def _coordinate_columns(columns: Sequence[str] | pd.Index) -> tuple[bool, str | None, str | None]:
    """Whether the table has metric columns, and its two coordinate columns (``None`` if absent).

    Degree columns (lon/lat) win when both pairs exist.
    """
    lon_col = find_column(columns, COORDINATE_ALIASES["lon"])
    lat_col = find_column(columns, COORDINATE_ALIASES["lat"])
    if lon_col is not None and lat_col is not None:
        return False, lon_col, lat_col
    x_col = find_column(columns, COORDINATE_ALIASES["x"])
    y_col = find_column(columns, COORDINATE_ALIASES["y"])
    if x_col is None or y_col is None:
        return True, None, None
    return True, x_col, y_col
