"""Checking a service file without writing anything: :func:`check_services_file`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from layers.angebote.importer.columns import SERVICE_PERSONAL_ALLOWED, check_header, map_columns
from layers.angebote.importer.places import PlaceChecks
from layers.angebote.importer.reading import read_services_source
from layers.angebote.importer.report import ImportReport
from layers.angebote.importer.rows import FieldChecks, RegionContext
from layers.angebote.vocabulary import ACCESS_COLUMNS, conform, service_type
from layers.errors import InputValidationError
from layers.store import RegionStore
from layers.validation import check_personal_columns, parse_crs

__all__ = ["EXISTING", "check_services_file"]

EXISTING = ("fehler", "aktualisieren")


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
    check_header(source, mapping, unmapped, duplicates, report)
    need_addresses = source.geometry is None or bool(
        (source.geometry.isna() | source.geometry.is_empty).any()
    )
    context = RegionContext.from_store(store, need_addresses=need_addresses)
    metric_crs = parse_crs(crs, datei=source.path) if crs is not None and source.geometry is None else None
    checker = _RowChecker(source, mapping, context, metric_crs, bestehende, report)
    checker.run()
    return report


class _RowChecker(FieldChecks, PlaceChecks):
    """Turns the rows of a source into schema rows and findings."""

    def run(self) -> None:
        """Check every row; the report gets the valid rows (schema, region CRS) and findings."""
        self._reading_findings()
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
        values["zugangswege"] = self._access_ways()
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

    def _reading_findings(self) -> None:
        """Findings of reading and cleaning the file; an error blocks its row."""
        position = {int(row): pos for pos, row in enumerate(self.source.row_numbers)}
        for problem in self.source.findings:
            self.report.probleme.append(problem)
            pos = position.get(problem.zeile) if problem.zeile is not None else None
            if problem.schwere == "fehler" and pos is not None:
                self.bad[pos] = True
