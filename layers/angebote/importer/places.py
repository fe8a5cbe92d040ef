"""Place checks of a service file: addresses (offline geocoding), degrees, metric coordinates.

Every row gets a point in the region CRS from its geometry (spatial files), its lat/lon or
Rechtswert/Hochwert columns, or its address; each way has its own German diagnoses (swapped
coordinates, a UTM zone number in front, Gauß-Krüger, thousands points read as decimal points).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from layers.angebote.importer.rows import WGS84, RowCheckerBase
from layers.errors import Problem
from layers.geocode import EXAKT, MEHRDEUTIG
from layers.validation import FIRST_DATA_ROW, crs_label, lonlat_problem, parse_decimal

__all__ = ["PlaceChecks"]


class PlaceChecks(RowCheckerBase):
    """Checks that give every row a point in the region CRS."""

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
            geocode_rows.append(self._geocode(pos, streets, numbers, plzs, orte, points, have))
        self.report.geokodierung = pd.DataFrame(
            geocode_rows,
            columns=["zeile", "adresse", "status", "punktzahl", "treffer", "hinweis", "x", "y"],
        )
        return points

    def _geocode(
        self,
        pos: int,
        streets: list[str | None],
        numbers: Sequence[str | None],
        plzs: Sequence[str | None],
        orte: Sequence[str | None],
        points: np.ndarray,
        have: np.ndarray,
    ) -> dict[str, Any]:
        """Place row ``pos`` by its address (offline); returns the row of the geocoding table."""
        assert self.context.addresses is not None
        result = self.context.addresses.lookup(streets[pos], numbers[pos], plzs[pos], orte[pos])
        address = " ".join(p for p in (streets[pos], numbers[pos]) if p)
        tail = " ".join(p for p in (plzs[pos], orte[pos]) if p)
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
        return {
            "zeile": self.row(pos),
            "adresse": f"{address}, {tail}" if tail else address,
            "status": result.status,
            "punktzahl": round(result.punktzahl, 1),
            "treffer": result.treffer,
            "hinweis": result.hinweis,
            "x": result.x,
            "y": result.y,
        }

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
        usable = np.zeros(self.n, dtype=bool)
        for pos in np.flatnonzero(~(np.isnan(lon) & np.isnan(lat))).tolist():
            x, y = lon[pos], lat[pos]
            if np.isnan(x) or np.isnan(y):
                self.problem(pos, "lat" if np.isnan(y) else "lon", "Eine der beiden Koordinaten "
                             "fehlt.", "Geben Sie Breite und Länge an oder keine von beiden.")
                continue
            inside = bounds[0] <= x <= bounds[2] and bounds[1] <= y <= bounds[3]
            found = None if inside else lonlat_problem(
                x, y, bounds=bounds, spalte_lon=self.mapping["lon"], spalte_lat=self.mapping["lat"])
            if found:
                self.problem(pos, "lat", *found)
                continue
            usable[pos] = True
        # One vectorised transformation for all usable rows.
        ex, ey = transformer.transform(lon[usable], lat[usable])
        points[usable] = shapely.points(np.asarray(ex), np.asarray(ey))
        have[usable] = True

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
        """Rows whose point lies outside the region polygon (one vectorised test)."""
        boundary = self.context.boundary
        shapely.prepare(boundary)
        present = np.array([p is not None for p in points], dtype=bool) & ~self.bad
        covered = np.ones(self.n, dtype=bool)
        if present.any():
            covered[present] = shapely.covers(boundary, points[present].astype(object))
        for pos in np.flatnonzero(~covered):
            distance = boundary.distance(points[pos])
            self.problem(
                int(pos), "geometry" if self.source.geometry is not None else None,
                f"Das Angebot liegt außerhalb der Region ({distance / 1000:.1f} km von der "
                "Grenze entfernt).",
                "Prüfen Sie Koordinaten bzw. Adresse; Angebote außerhalb der Region können "
                "hier nicht aufgenommen werden.",
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
    """Why metric coordinates lie outside the region: (message, fix), most specific first."""
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
    scaled = _scaled_problem(x, y, col_x, col_y, inside)
    if scaled is not None:
        return scaled
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


def _scaled_problem(
    x: float, y: float, col_x: str, col_y: str, inside: Callable[[float, float], bool]
) -> tuple[str, str] | None:
    """Coordinates that fit the region when multiplied by 10, 100 or 1000 (thousands points)."""
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
    return None
