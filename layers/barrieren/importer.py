"""Importing real barrier reports: reading a CSV/XLSX file, checking every cell, storing all or none.

:func:`read_barrier_file` reads and checks a file without storing anything: personal-data
columns are refused, person keys must be pseudonyms, ICF codes and qualifiers are checked against
the code list, impairment groups against the controlled list, dates must be plausible, and every
report needs a place inside the region (coordinates, an address or a street name, resolved by
:mod:`layers.barrieren.places`). :func:`import_barriers` stores the checked reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.barrieren.checks import (
    codes_and_qualifiers,
    duplicate_ids,
    impairment_groups,
    report_ids,
    reserved_sources,
)
from layers.barrieren.icf import load_icf_codes, qualifier_severity
from layers.barrieren.places import place_column, resolve_places
from layers.barrieren.reports import SCHEMA
from layers.errors import InputValidationError, Problem
from layers.log import get_logger
from layers.validation import (
    ambiguous_columns,
    check_personal_columns,
    check_points_in_area,
    check_pseudonym_values,
    clean_table,
    match_columns,
    normalize_person_key,
    parse_dates,
    read_table,
    renumber,
    row_numbers,
    table_notes,
)

__all__ = ["COLUMN_ALIASES", "ImportResult", "import_barriers", "read_barrier_file"]

log = get_logger("barrieren")

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "meldung_id": ("meldung", "meldungsnummer", "meldungs_id", "meldungsid", "id"),
    "person_schluessel": ("personenschluessel", "personen_schluessel", "person", "pseudonym",
                          "person_id", "personen_id", "pseudonymer_schluessel", "schluessel"),
    "icf_code": ("icf", "code", "icfcode", "umweltfaktor", "icf_umweltfaktor"),
    "qualifikator": ("qualifier", "beurteilungsmerkmal", "schwere", "auspraegung"),
    "beeintraechtigung": ("beeintraechtigungsgruppe", "gruppe", "behinderungsart",
                          "beeintraechtigungsart", "zielgruppe"),
    "datum": ("meldedatum", "date", "erfasst_am", "datum_meldung"),
    "quelle": ("source", "herkunft", "erfasst_von", "dienst"),
    "x": ("rechtswert", "ostwert", "easting", "x_koordinate"),
    "y": ("hochwert", "nordwert", "northing", "y_koordinate"),
    "lon": ("laenge", "longitude", "lng", "geo_laenge"),
    "lat": ("breite", "latitude", "geo_breite"),
    "crs": ("kbs", "epsg", "koordinatensystem", "koordinatenbezugssystem"),
    "strasse": ("strassenname", "str"),
    "hausnummer": ("hnr", "hausnr", "nr"),
    "plz": ("postleitzahl",),
    "freitext": ("beschreibung", "bemerkung", "bemerkungen", "notiz", "kommentar", "text",
                 "anmerkung"),
}



@dataclass
class ImportResult:
    """What an import did (nothing is stored unless :attr:`gespeichert`)."""

    datei: str
    meldungen: int
    personen: int
    warnungen: list[Problem] = field(default_factory=list)
    uebersprungen: int = 0
    gespeichert: bool = False
    geokodiert_adresse: int = 0
    strassenbezug: int = 0

    @classmethod
    def of(
        cls, datei: str, reports: gpd.GeoDataFrame, warnings: list[Problem], *, skipped: int
    ) -> ImportResult:
        """The result of checking ``reports`` (nothing stored yet)."""
        return cls(
            datei=datei,
            meldungen=len(reports),
            personen=int(reports["person_schluessel"].map(normalize_person_key).nunique()),
            warnungen=warnings,
            uebersprungen=skipped,
            geokodiert_adresse=int((reports["ortsbezug"] == "adresse").sum()),
            strassenbezug=int((reports["ortsbezug"] == "strasse").sum()),
        )

    def summary(self) -> str:
        """German summary for the terminal and the app."""
        lines = [
            f"{self.meldungen} Barrieremeldungen von {self.personen} Personen aus "
            f"'{Path(self.datei).name}' {'gespeichert' if self.gespeichert else 'geprüft'}.",
        ]
        if self.geokodiert_adresse:
            lines.append(f"{self.geokodiert_adresse} Orte über die Adresse bestimmt.")
        if self.strassenbezug:
            lines.append(f"{self.strassenbezug} Meldungen beziehen sich auf einen Straßenzug.")
        if self.uebersprungen:
            lines.append(f"{self.uebersprungen} Zeilen ohne Befund übersprungen (.0, +0, .9).")
        for warning in self.warnungen[:10]:
            lines.append(f"Hinweis: {warning}")
        if len(self.warnungen) > 10:
            lines.append(f"… und {len(self.warnungen) - 10} weitere Hinweise.")
        return "\n".join(lines)



def read_barrier_file(
    path: str | Path,
    *,
    icf_codes: pd.DataFrame,
    region_boundary: shapely.Geometry,
    crs: Any,
    addresses: gpd.GeoDataFrame | None = None,
    edges: gpd.GeoDataFrame | None = None,
    coordinate_crs: Any = None,
    quelle: str = "import",
    today: date | None = None,
    existing_ids: set[str] | None = None,
) -> tuple[gpd.GeoDataFrame, ImportResult]:
    """Read and check a file of barrier reports without storing anything.

    Parameters
    ----------
    path
        CSV (``;`` or ``,``, UTF-8 or cp1252) or XLSX with one report per row. Columns (German
        names, spelling variants accepted, see :data:`COLUMN_ALIASES`): ``person_schluessel``,
        ``icf_code``, ``qualifikator`` (or the qualifier inside the code: ``e150.2``),
        ``beeintraechtigung``, ``datum``, optional ``quelle``, ``meldung_id``, ``freitext`` and the
        place as ``x``/``y`` (with ``crs`` column or ``coordinate_crs``; default the region CRS),
        ``lon``/``lat`` (WGS 84), ``strasse`` + ``hausnummer`` (+ ``plz``) or ``strasse`` alone
        for a whole street.
    icf_codes
        The ICF code list (:func:`load_icf_codes`).
    region_boundary
        Reports must lie inside (region CRS).
    crs
        The region CRS.
    addresses, edges
        The ``adressen`` and ``netz_kanten`` layers for address and street places.
    coordinate_crs
        CRS of ``x``/``y`` columns without a ``crs`` column.
    quelle
        Source label where the file has no ``quelle`` column.
    today
        Reference day for "date in the future" (default today).
    existing_ids
        ``meldung_id`` values already stored (a second import of the same rows is refused).

    Returns
    -------
    tuple
        The reports as a GeoDataFrame in :data:`SCHEMA` and an :class:`ImportResult`.

    Raises
    ------
    PersonalDataError
        If the file has columns with names, birth dates, contact data or home addresses.
    InputValidationError
        Listing every bad cell with file, row and column.
    SourceDataError
        If the file cannot be read.
    """
    source = _BarrierFile.read(path)
    cells, problems, warnings, skip = _check_cells(source, icf_codes, quelle=quelle,
                                                   today=today or date.today())
    places, ortsbezug, streets, found = _places(
        source, crs=crs, coordinate_crs=coordinate_crs, region_boundary=region_boundary,
        addresses=addresses, edges=edges)
    problems += found
    ids = report_ids(source.col("meldung_id"), cells["persons"], cells["codes"],
                     cells["qualifiers"], cells["dates"], places)
    problems += duplicate_ids(ids, skip, source.rows, existing_ids or set(),
                              source.cols.get("meldung_id", "meldung_id"), source.datei)
    _refuse_errors(problems, path)
    reports = _report_frame(
        ids, cells["persons"], cells["codes"], cells["qualifiers"], cells["impairments"],
        cells["dates"], ortsbezug, cells["sources"], streets, source.col("freitext"), places,
        ~skip, icf_codes=icf_codes, crs=crs,
    )
    return reports, ImportResult.of(source.datei, reports, warnings, skipped=int(skip.sum()))


@dataclass
class _BarrierFile:
    """A barrier file read into text columns, with its canonical column mapping.

    ``rows`` holds the spreadsheet row of every data row (blank rows are dropped but do not
    shift the numbers); ``findings`` what reading and cleaning the text found.
    """

    path: str | Path
    table: pd.DataFrame
    cols: dict[str, str]
    rows: np.ndarray
    findings: list[Problem]

    @classmethod
    def read(cls, path: str | Path) -> _BarrierFile:
        """Read the file; personal-data, doubled and missing required columns are refused."""
        table = read_table(path)
        check_personal_columns(table.columns, datei=path)
        _refuse_ambiguous_columns(table.columns, path)
        cols = match_columns(table.columns, COLUMN_ALIASES)
        _require_columns(cols, path)
        rows = row_numbers(table)
        strict = [cols["quelle"]] if "quelle" in cols else []
        table, findings = clean_table(table, rows, datei=path, strict=strict)
        return cls(path, table, cols, rows, table_notes(table) + findings)

    @property
    def datei(self) -> str:
        """The file for messages."""
        return str(self.path)

    @property
    def n(self) -> int:
        """Number of data rows."""
        return len(self.table)

    def col(self, name: str) -> pd.Series:
        """A canonical column (positions = data rows), or an empty one if the file lacks it."""
        if name in self.cols:
            return self.table[self.cols[name]].reset_index(drop=True)
        return pd.Series([pd.NA] * self.n, dtype="string")


def _refuse_ambiguous_columns(columns: pd.Index, path: str | Path) -> None:
    """Refuse a file in which two columns mean the same field (``icf_code`` and ``ICF``)."""
    doubled = ambiguous_columns(columns, COLUMN_ALIASES)
    if doubled:
        problems = [
            Problem(f"Die Spalten {' und '.join(repr(c) for c in names)} meinen beide "
                    f"'{field_name}'; es ist unklar, welche gilt.",
                    "Löschen Sie eine der Spalten oder benennen Sie sie um.",
                    datei=str(path), spalte=names[1])
            for field_name, names in doubled.items()
        ]
        raise InputValidationError(
            "Die Datei hat mehrere Spalten für dasselbe Feld und wird nicht importiert.",
            hinweis="Jedes Feld darf nur einmal vorkommen; " + "; ".join(
                f"'{n}': {', '.join(repr(c) for c in cs)}" for n, cs in doubled.items()) + ".",
            datei=path, spalte=next(iter(doubled.values()))[1], probleme=problems,
        )


def _check_cells(
    source: _BarrierFile, icf_codes: pd.DataFrame, *, quelle: str, today: date
) -> tuple[dict[str, Any], list[Problem], list[Problem], np.ndarray]:
    """Person keys, ICF codes and qualifiers, impairment groups, dates and sources of every row.

    Returns
    -------
    tuple
        The parsed columns by name, errors, warnings and the mask of rows without a finding.
    """
    cols, rows, datei = source.cols, source.rows, source.datei
    problems = [p for p in source.findings if p.schwere == "fehler"]
    # Person keys: pseudonyms only.
    persons = source.col("person_schluessel").str.strip()
    problems += renumber(
        check_pseudonym_values(persons, spalte=cols["person_schluessel"], datei=datei), rows)
    codes, qualifiers, skip, found, warnings = codes_and_qualifiers(
        source.col("icf_code"), source.col("qualifikator"), set(icf_codes["code"]), cols, rows,
        datei)
    problems += found
    impairments, found = impairment_groups(source.col("beeintraechtigung"), cols, rows, datei)
    problems += found
    dates, found = parse_dates(source.col("datum"), spalte=cols["datum"], datei=datei,
                               today=today, earliest=date(1990, 1, 1))
    problems += renumber(found, rows)
    warnings = [p for p in source.findings if p.schwere != "fehler"] + warnings
    sources = source.col("quelle").fillna(quelle).str.strip()
    problems += reserved_sources(sources, cols, rows, datei)
    cells = {"persons": persons, "codes": codes, "qualifiers": qualifiers,
             "impairments": impairments, "dates": dates, "sources": sources}
    return cells, problems, warnings, skip


def _places(
    source: _BarrierFile,
    *,
    crs: Any,
    coordinate_crs: Any,
    region_boundary: shapely.Geometry,
    addresses: gpd.GeoDataFrame | None,
    edges: gpd.GeoDataFrame | None,
) -> tuple[list[Any], list[str | None], list[str | None], list[Problem]]:
    """Place every row (:func:`resolve_places`); placed rows must lie inside the region."""
    places, ortsbezug, streets, problems, _counts = resolve_places(
        source.table, source.cols, source.n, rows=source.rows, datei=source.datei, crs=crs,
        coordinate_crs=coordinate_crs, region_boundary=region_boundary, addresses=addresses,
        edges=edges,
    )
    if not problems:
        problems = check_points_in_area(
            np.array(places, dtype=object), region_boundary, rows=source.rows.tolist(),
            spalte=place_column(source.cols), datei=source.datei,
        )
    return places, ortsbezug, streets, problems


def _refuse_errors(problems: list[Problem], path: str | Path) -> None:
    """Raise one error listing every error found; nothing is stored."""
    errors = [p for p in problems if p.schwere == "fehler"]
    if errors:
        raise InputValidationError(
            f"Die Barrieremeldungen wurden nicht importiert: {len(errors)} Fehler in "
            f"'{Path(str(path)).name}'. Es wurde nichts gespeichert.",
            hinweis="Korrigieren Sie die genannten Zellen und importieren Sie die Datei erneut.",
            datei=path, probleme=errors,
        )


def _report_frame(
    ids: list[str],
    persons: pd.Series,
    codes: list[str | None],
    qualifiers: list[str | None],
    impairments: list[str | None],
    dates: pd.Series,
    ortsbezug: list[str | None],
    sources: pd.Series,
    streets: list[str | None],
    free_text: pd.Series,
    places: list[Any],
    keep: np.ndarray,
    *,
    icf_codes: pd.DataFrame,
    crs: Any,
) -> gpd.GeoDataFrame:
    """The checked rows (those in ``keep``) in the layer's schema."""
    titles = dict(zip(icf_codes["code"], icf_codes["titel_de"], strict=True))
    frame = pd.DataFrame({
        "meldung_id": ids,
        "person_schluessel": persons.astype(object),
        "icf_code": codes,
        "icf_kapitel": [c[:2] if c else None for c in codes],
        "icf_titel": [titles.get(c) if c else None for c in codes],
        "qualifikator": qualifiers,
        "schweregrad": pd.array([qualifier_severity(q) if q else None for q in qualifiers],
                                dtype="Int64"),
        "beeintraechtigung": impairments,
        "datum": [d.isoformat() if d else None for d in dates],
        "ortsbezug": ortsbezug,
        "quelle": sources.astype(object),
        "strasse": streets,
        "freitext": _free_text(free_text),
        "importiert_am": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
    })[keep].reset_index(drop=True)
    return gpd.GeoDataFrame(frame, geometry=list(np.array(places, dtype=object)[keep]),
                            crs=crs)


def _free_text(values: pd.Series) -> pd.Series:
    """The free-text column as objects (``None`` where empty); stored, never output."""
    return values.astype(object).where(values.notna(), None)


def _require_columns(cols: dict[str, str], path: str | Path) -> None:
    """Refuse a file without the required columns or without any place column."""
    missing = [c for c in ("person_schluessel", "icf_code", "beeintraechtigung", "datum")
               if c not in cols]
    has_place = ({"x", "y"} <= cols.keys()) or ({"lon", "lat"} <= cols.keys()) or "strasse" in cols
    if missing or not has_place:
        needed = missing + ([] if has_place else ["Ort (x/y, lon/lat oder strasse)"])
        raise InputValidationError(
            f"Der Datei fehlen Pflichtspalten: {', '.join(needed)}.",
            hinweis="Nötig sind person_schluessel, icf_code, qualifikator (oder im Code wie "
            "e150.2), beeintraechtigung, datum und ein Ort: x/y (mit crs), lon/lat, "
            "strasse + hausnummer oder strasse allein. Eine Vorlage steht in der Dokumentation.",
            datei=path,
        )


def import_barriers(
    path: str | Path,
    region: Any,
    *,
    store: Any = None,
    coordinate_crs: Any = None,
    quelle: str = "import",
    today: date | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a file of barrier reports into the region store, all rows or none.

    The steps: read and check the file against the store's layers (:func:`read_barrier_file`),
    then append the reports in one transaction (:func:`_store_reports`).

    Parameters
    ----------
    path
        The CSV or XLSX file (see :func:`read_barrier_file` for columns).
    region
        Region name or :class:`layers.regions.RegionConfig`.
    store
        The region store (default: the region's store in the cache).
    coordinate_crs
        CRS of ``x``/``y`` columns without a ``crs`` column.
    quelle
        Source label for files without a ``quelle`` column.
    today
        Reference day for the future-date check.
    dry_run
        Only check, do not store.

    Returns
    -------
    ImportResult

    Raises
    ------
    SozialraumError
        Any problem with the file (German, with file, row and column); nothing is stored.
    """
    from layers.regions import RegionConfig, load_region
    from layers.store import open_store

    config = region if isinstance(region, RegionConfig) else load_region(region)
    store = store or open_store(config)
    region_layer = store.read_layer("region")
    boundary = shapely.union_all(region_layer.geometry.to_numpy())
    existing = store.read_layer("barrieren") if store.has_layer("barrieren") else None
    reports, result = read_barrier_file(
        path,
        icf_codes=load_icf_codes(config.icf),
        region_boundary=boundary,
        crs=store.crs,
        addresses=store.read_layer("adressen") if store.has_layer("adressen") else None,
        edges=store.read_layer("netz_kanten", columns=["name"])
        if store.has_layer("netz_kanten") else None,
        coordinate_crs=coordinate_crs,
        quelle=quelle,
        today=today,
        existing_ids=set(existing["meldung_id"].astype(str)) if existing is not None else set(),
    )
    if dry_run or reports.empty:
        return result
    _store_reports(store, reports, result, path)
    result.gespeichert = True
    log.info("%s", result.summary().splitlines()[0])
    return result


def _store_reports(
    store: Any, reports: gpd.GeoDataFrame, result: ImportResult, path: str | Path
) -> None:
    """Append checked reports to the user store in one audited transaction.

    Raises
    ------
    InputValidationError
        A report id of the file was stored meanwhile (nothing is stored then).
    """
    reports = reports.copy()
    for column in SCHEMA:
        if column not in reports.columns:
            reports[column] = None
    reports["schweregrad"] = pd.array(
        pd.to_numeric(reports["schweregrad"], errors="coerce"), dtype="Int64")
    reports = gpd.GeoDataFrame(reports[[*SCHEMA, "geometry"]], geometry="geometry", crs=store.crs)
    # One transaction, taken before the read: the new reports are appended to the user store
    # (never a read-then-replace of the whole layer, which lost a concurrent import).
    with store.transaction() as tx:
        taken = tx.existing_keys("barrieren", "meldung_id", reports["meldung_id"].tolist())
        if taken:
            raise InputValidationError(
                f"{len(taken)} Meldung(en) der Datei wurden inzwischen gespeichert (z. B. "
                f"'{sorted(taken)[0]}'). Es wurde nichts gespeichert.",
                hinweis="Prüfen Sie die Datei erneut und importieren Sie nur neue Meldungen.",
                datei=path,
            )
        tx.insert_frame("barrieren", reports)
        tx.audit("barrieren", Path(str(path)).name, "import",
                 None, {"meldungen": result.meldungen, "personen": result.personen})

