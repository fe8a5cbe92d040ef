"""Row checks of a service file: names, types, ids, yes/no features, capacity, dates, sources.

:class:`RowCheckerBase` holds the row state (which rows are bad, where findings go);
:class:`FieldChecks` checks the attribute columns; the place checks are in
:mod:`layers.angebote.importer.places`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from layers.angebote.importer.reading import Source
from layers.angebote.importer.report import ImportReport
from layers.angebote.vocabulary import (
    parse_access_ways,
    resolve_service_type,
    service_type_keys,
    suggest_service_type,
)
from layers.errors import Problem
from layers.geocode import AddressIndex
from layers.store import RegionStore
from layers.validation import (
    FIRST_DATA_ROW,
    FORMULA_PREFIXES,
    AmbiguousDateError,
    is_blank,
    parse_date,
    parse_decimal,
    parse_plz,
    parse_yes_no,
    plausible_date_problem,
)

__all__ = ["WGS84", "FieldChecks", "RegionContext", "RowCheckerBase"]

WGS84 = CRS.from_epsg(4326)
# Text fields whose first character is checked for spreadsheet formulas (CSV injection). Phone
# numbers are not: "+49 241 …" is how they are written.
FORMULA_CHECKED = frozenset({"name", "traeger", "kontakt", "bemerkung", "zielgruppen",
                             "oeffnungszeiten", "strasse", "ort"})


@dataclass
class RegionContext:
    """What row checks need to know about the region (boundary, existing ids, addresses)."""

    crs: CRS
    boundary: shapely.Geometry
    bounds_wgs84: tuple[float, float, float, float]
    existing_ids: set[str]
    store: RegionStore | None = None
    _addresses: AddressIndex | None = None

    @property
    def addresses(self) -> AddressIndex | None:
        """The offline geocoder, built on first use (only rows without coordinates need it)."""
        if self._addresses is None and self.store is not None:
            self._addresses = AddressIndex.from_store(self.store)
        return self._addresses

    @classmethod
    def from_store(cls, store: RegionStore, *, need_addresses: bool) -> RegionContext:
        """Read the region's boundary and offer ids; addresses are read when first needed."""
        region = store.read_layer("region")
        boundary = shapely.union_all(region.geometry.to_numpy())
        wgs = gpd.GeoSeries([boundary], crs=store.crs).to_crs(WGS84).total_bounds
        existing: set[str] = set()
        if store.has_layer("angebote"):
            existing = set(store.read_layer("angebote", columns=["angebot_id"])["angebot_id"]
                           .dropna().astype(str))
        bounds = (float(wgs[0]), float(wgs[1]), float(wgs[2]), float(wgs[3]))
        return cls(store.crs, boundary, bounds, existing, store if need_addresses else None)


class RowCheckerBase:
    """The state of checking the rows of a source: findings, bad rows, column access."""

    def __init__(
        self,
        source: Source,
        mapping: dict[str, str],
        context: RegionContext,
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
        self.today = date.today()
        self._column_cache: dict[str, pd.Series] = {}
        self._cell_cache: dict[str, np.ndarray] = {}

    def row(self, pos: int) -> int:
        """The row of the file a user sees for position ``pos``."""
        return int(self.source.row_numbers[pos])

    def column(self, fld: str) -> pd.Series:
        """A schema field's column (positions = rows), empty if the file lacks it."""
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
        """Record a finding for row ``pos``; an error marks the row as bad."""
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


class FieldChecks(RowCheckerBase):
    """Checks of the attribute columns; each returns the column's cleaned values."""

    def _text(self, fld: str, *, required: bool = False) -> list[str | None]:
        """A text column with whitespace collapsed; formula-like names are warned about."""
        raw = self.column(fld).astype("string")
        if fld in FORMULA_CHECKED:
            starts = raw.str.startswith(FORMULA_PREFIXES, na=False).to_numpy(dtype=bool)
            for pos in np.flatnonzero(starts):
                self._formula_warning(int(pos), fld, str(raw.iloc[pos])[0])
        cleaned = raw.str.replace(r"\s+", " ", regex=True).str.strip()
        blank = (cleaned.isna() | cleaned.eq("")).to_numpy(dtype=bool)
        if required:
            for pos in np.flatnonzero(blank):
                self.problem(int(pos), fld, "Der Name des Angebots fehlt.",
                             "Tragen Sie den Namen der Beratungsstelle ein.")
        values = cleaned.to_numpy(dtype=object)
        return [None if empty else str(value) for value, empty in zip(values, blank, strict=True)]

    def _formula_warning(self, pos: int, fld: str, first: str) -> None:
        """Warn that a cell starts like a spreadsheet formula (CSV injection)."""
        shown = {"\t": "einem Tabulator", "\r": "einem Wagenrücklauf"}.get(first, f"'{first}'")
        self.problem(pos, fld, f"Der Text beginnt mit {shown}; Tabellenprogramme könnten ihn "
                     "als Formel ausführen. Er wird übernommen, in Exporten aber mit "
                     "vorangestelltem Apostroph geschrieben.",
                     "Entfernen Sie das Zeichen am Anfang, wenn es nicht zum Namen gehört.",
                     warn=True)

    def _types(self) -> list[str | None]:
        """The service type of every row, mapped onto the vocabulary."""
        def parse(value: object) -> tuple[Any, tuple[str, str] | None]:
            if value is None:
                return None, ("Der Angebotstyp fehlt.", "Tragen Sie einen Typ ein, z. B. EUTB, "
                              "KoKoBe, SPZ, Pflegestützpunkt oder 'sonstige'.")
            key = resolve_service_type(value)
            if key is not None:
                return key, None
            suggestion = suggest_service_type(str(value))
            hint = f"Meinten Sie '{suggestion}'? " if suggestion else ""
            return None, (f"Unbekannter Angebotstyp '{value}'.",
                          hint + "Erlaubt sind: " + ", ".join(service_type_keys()) + ".")

        return self._per_value("typ", parse)

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
        """A yes/no feature column (``ja``/``teilweise``/``nein``/``unbekannt``)."""
        def parse(value: object) -> tuple[Any, tuple[str, str] | None]:
            try:
                return parse_yes_no(value, partly=partly), None
            except ValueError as exc:
                return "unbekannt", (str(exc), "Schreiben Sie ja, nein, teilweise oder "
                                     "unbekannt (auch x/leer sind möglich).")

        return self._per_value(fld, parse)

    def _access_ways(self) -> list[str | None]:
        """The ways of access (vor Ort, Telefon, Video, online), normalised."""
        def parse(value: object) -> tuple[Any, tuple[str, str] | None]:
            try:
                return parse_access_ways(value), None
            except ValueError as exc:
                return None, (str(exc), "Trennen Sie mehrere Wege mit Semikolon, z. B. "
                              "„vor Ort; Telefon“.")

        return self._per_value("zugangswege", parse)

    def _per_value(
        self, fld: str, parse: Callable[[object], tuple[Any, tuple[str, str] | None]]
    ) -> list[Any]:
        """``parse`` every cell of a column, once per distinct value; findings per row.

        Columns such as yes/no features, types and dates hold few distinct values, so a 100,000
        row file needs a few dozen parses instead of 100,000.
        """
        cache: dict[object, tuple[Any, tuple[str, str] | None]] = {}
        out: list[Any] = []
        for pos, value in enumerate(self.cells(fld)):
            key = None if is_blank(value) else value
            hit = cache.get(key)
            if hit is None:
                hit = cache[key] = parse(key)
            if hit[1] is not None:
                self.problem(pos, fld, *hit[1])
            out.append(hit[0])
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
        """The validity dates; the end must not lie before the start."""
        parsed = {
            "gueltig_von": self._per_value("gueltig_von", self._start_date),
            "gueltig_bis": self._per_value("gueltig_bis", self._end_date),
        }
        for pos, (start, end) in enumerate(zip(parsed["gueltig_von"], parsed["gueltig_bis"],
                                               strict=True)):
            if start and end and end < start:
                self.problem(pos, "gueltig_bis",
                             f"Das Ende ({end}) liegt vor dem Beginn ({start}).",
                             "Prüfen Sie die beiden Datumsangaben.")
        return parsed["gueltig_von"], parsed["gueltig_bis"]

    def _start_date(self, value: object) -> tuple[str | None, tuple[str, str] | None]:
        """A ``gueltig_von`` cell."""
        return self._date("gueltig_von", value)

    def _end_date(self, value: object) -> tuple[str | None, tuple[str, str] | None]:
        """A ``gueltig_bis`` cell."""
        return self._date("gueltig_bis", value)

    def _date(self, fld: str, value: object) -> tuple[str | None, tuple[str, str] | None]:
        """One validity date; a start more than a few years ahead is a typing error."""
        try:
            iso = parse_date(value)
        except AmbiguousDateError as exc:
            return None, (str(exc), "Schreiben Sie das Datum als TT.MM.JJJJ (z. B. 03.05.2024) "
                          "oder JJJJ-MM-TT; bei Schrägstrichen ist die Reihenfolge unklar.")
        except ValueError as exc:
            return None, (str(exc), "Schreiben Sie das Datum als TT.MM.JJJJ, z. B. 01.01.2025.")
        if iso is None:
            return None, None
        implausible = plausible_date_problem(iso, today=self.today, future=fld == "gueltig_von")
        if implausible:
            return None, (implausible, "Prüfen Sie die Jahreszahl." + (
                " Ein Angebot, das erst in Jahren beginnt, tragen Sie ein, wenn es feststeht."
                if "Zukunft" in implausible else ""))
        return iso, None

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
