"""Scenario edits: what an edit is, its checks, and the edit table (CSV/XLSX) in and out.

Edits come from the app or from a table with the columns ``aktion`` (neu, verschieben,
schließen), ``angebot_id``, ``typ``, ``name``, coordinates (``lon``/``lat`` or
``Rechtswert``/``Hochwert``), ``kapazitaet_std_woche`` and ``stufenloser_zugang``; see
:func:`read_edit_table`. Storage is in :mod:`layers.szenarien.speicher`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from layers.angebote import ACCESS_VALUES, service_type_keys
from layers.errors import InputValidationError, Problem
from layers.validation import FIRST_DATA_ROW, find_column, parse_decimal, read_table, table_points

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "Scenario",
    "ScenarioEdit",
    "check_edits",
    "clean_text",
    "edit_table",
    "read_edit_table",
]


ACTIONS = ("neu", "verschieben", "schliessen")
ACTION_LABELS = {"neu": "neues Angebot", "verschieben": "Angebot verlegt", "schliessen": "Angebot geschlossen"}
_ACTION_SYNONYMS = {
    "neu": "neu", "hinzufuegen": "neu", "hinzufügen": "neu", "oeffnen": "neu", "öffnen": "neu",
    "eroeffnen": "neu", "eröffnen": "neu", "add": "neu",
    "verschieben": "verschieben", "verlegen": "verschieben", "umziehen": "verschieben",
    "umzug": "verschieben", "move": "verschieben",
    "schliessen": "schliessen", "schließen": "schliessen", "entfernen": "schliessen",
    "aufgeben": "schliessen", "close": "schliessen",
}


@dataclass(frozen=True)
class ScenarioEdit:
    """One edit of a scenario.

    Attributes
    ----------
    aktion
        ``"neu"`` (open a new offer), ``"verschieben"`` (move an existing one) or
        ``"schliessen"`` (close an existing one).
    angebot_id
        The offer concerned; for ``"neu"`` optional (generated when applied).
    typ
        Service type (vocabulary of ``data/angebotstypen.toml``); required for ``"neu"``.
    name
        Name of a new offer (or new name of a moved one).
    x, y
        New location in the region CRS; required for ``"neu"`` and ``"verschieben"``.
    kapazitaet_std_woche
        Capacity in hours per week (optional).
    stufenloser_zugang
        ``ja``/``teilweise``/``nein``/``unbekannt`` (optional; for wheelchair profiles).
    """

    aktion: str
    angebot_id: str | None = None
    typ: str | None = None
    name: str | None = None
    x: float | None = None
    y: float | None = None
    kapazitaet_std_woche: float | None = None
    stufenloser_zugang: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A named scenario: a description and its edits in order."""

    name: str
    beschreibung: str = ""
    aenderungen: tuple[ScenarioEdit, ...] = field(default_factory=tuple)


def check_edits(
    edits: Sequence[ScenarioEdit],
    *,
    datei: str | Path | None = None,
    angebot_ids: Iterable[str] | None = None,
) -> list[Problem]:
    """Check edits (action, type, location, values and, if given, the offers they touch).

    Without ``datei`` the messages count edits from 1 ("Änderung 1: …"); with it (edits read
    from a file) they name the spreadsheet row, and locations are not checked again (the file
    reader has done that, with the file's column names). ``angebot_ids`` are the offers that
    exist today: moving or closing any other offer is reported.
    """
    known = None if angebot_ids is None else {str(i) for i in angebot_ids}
    problems: list[Problem] = []
    types = set(service_type_keys())
    for number, edit in enumerate(edits, start=1):
        prefix = "" if datei else f"Änderung {number}: "
        if edit.aktion not in ACTIONS:
            findings = [(f"Die Aktion '{edit.aktion}' ist unbekannt.",
                         "Erlaubt sind: neu, verschieben, schließen.", "aktion")]
        else:
            findings = [*_offer_findings(edit, known, types),
                        *_value_findings(edit, check_location=not datei)]
        problems += [
            Problem(
                prefix + meldung,
                hinweis,
                datei=str(datei) if datei else None,
                zeile=number - 1 + FIRST_DATA_ROW if datei else None,
                spalte=spalte,
            )
            for meldung, hinweis, spalte in findings
        ]
    return problems


def _offer_findings(
    edit: ScenarioEdit, known: set[str] | None, types: set[str]
) -> list[tuple[str, str, str]]:
    """(message, hint, column) for the offer an edit touches: its id, or a new offer's type."""
    findings: list[tuple[str, str, str]] = []
    if edit.aktion in ("verschieben", "schliessen") and not (edit.angebot_id or "").strip():
        findings.append((
            f"Für '{edit.aktion}' fehlt die angebot_id des bestehenden Angebots.",
            "Tragen Sie die angebot_id aus dem Angebotsverzeichnis ein.",
            "angebot_id",
        ))
    elif (edit.aktion in ("verschieben", "schliessen") and known is not None
          and str(edit.angebot_id).strip() not in known):
        findings.append((
            f"Das Angebot '{edit.angebot_id}' gibt es im Angebotsverzeichnis nicht (oder es "
            "ist geschlossen).",
            "Tragen Sie die angebot_id eines bestehenden Angebots ein (Seite „Daten“ oder "
            "sozialraum export angebote).",
            "angebot_id",
        ))
    if edit.aktion == "neu":
        if not (edit.typ or "").strip():
            findings.append((
                "Für ein neues Angebot fehlt der Angebotstyp.",
                "Tragen Sie einen Typ ein, z. B. EUTB oder Pflegestützpunkt.",
                "typ",
            ))
        elif edit.typ not in types:
            findings.append((
                f"Der Angebotstyp '{edit.typ}' ist unbekannt.",
                f"Erlaubt sind: {', '.join(sorted(types))}.",
                "typ",
            ))
    return findings


def _value_findings(edit: ScenarioEdit, *, check_location: bool) -> list[tuple[str, str, str]]:
    """(message, hint, column) for an edit's location, capacity and step-free access."""
    findings: list[tuple[str, str, str]] = []
    located = (
        edit.x is not None and edit.y is not None and bool(np.isfinite([edit.x, edit.y]).all())
    )
    if edit.aktion in ("neu", "verschieben") and check_location and not located:
        findings.append((
            f"Für '{edit.aktion}' fehlt der (neue) Standort.",
            "Geben Sie den Standort an (Karte oder Koordinaten).",
            "x/y",
        ))
    capacity = edit.kapazitaet_std_woche
    if capacity is not None and not (np.isfinite(capacity) and capacity >= 0):
        findings.append((
            "Die Kapazität muss eine Zahl ≥ 0 (Stunden je Woche) sein.",
            "Tragen Sie z. B. 19,5 ein oder lassen Sie das Feld leer.",
            "kapazitaet_std_woche",
        ))
    if edit.stufenloser_zugang is not None and edit.stufenloser_zugang not in ACCESS_VALUES:
        findings.append((
            f"'{edit.stufenloser_zugang}' ist keine erlaubte Angabe zum stufenlosen Zugang.",
            f"Erlaubt sind: {', '.join(ACCESS_VALUES)}.",
            "stufenloser_zugang",
        ))
    return findings


def clean_text(value: object) -> str | None:
    """The stripped text of a cell, or None for an empty or missing value."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def read_edit_table(
    path: str | Path, *, crs: CRS | str | int, region: gpd.GeoDataFrame
) -> list[ScenarioEdit]:
    """Read scenario edits from a CSV or XLSX file.

    Columns (German headers as planners write them; case does not matter): ``aktion``
    (neu/hinzufügen, verschieben/verlegen, schließen/entfernen), ``angebot_id``, ``typ``,
    ``name``, ``lon``/``lat`` or ``Rechtswert``/``Hochwert``, ``kapazitaet_std_woche`` (decimal
    comma allowed), ``stufenloser_zugang``. The steps: find the columns
    (:func:`_edit_columns`), read locations and capacities, build the edits, check them with
    :func:`check_edits` (messages in the file's own headers), refuse the file on any error.

    Parameters
    ----------
    path
        The file.
    crs
        The region's working CRS.
    region
        The ``region`` layer (boundary), to catch locations outside the region.

    Returns
    -------
    list of ScenarioEdit
        Locations in the region CRS.

    Raises
    ------
    SourceDataError
        If the file cannot be read.
    InputValidationError
        Naming every bad row and column; nothing is returned then.
    """
    path = Path(path)
    table = read_table(path).reset_index(drop=True)
    cols = _edit_columns(table, path)
    problems: list[Problem] = []
    actions = [
        _ACTION_SYNONYMS.get(re.sub(r"\s+", "", a.lower()), a) if a else ""
        for a in (clean_text(v) for v in table[cols["aktion"]])
    ]
    needs_location = np.array([a in ("neu", "verschieben") for a in actions])
    boundary = region.to_crs(CRS.from_user_input(crs)).geometry.union_all()
    xs, ys, found = table_points(table, crs=crs, boundary=boundary, datei=path, required=needs_location)
    problems.extend(found)
    capacities = np.full(len(table), np.nan)
    if cols["kapazitaet_std_woche"] is not None:
        parsed, more = parse_decimal(table[cols["kapazitaet_std_woche"]],
                                     spalte=cols["kapazitaet_std_woche"], datei=path)
        capacities = parsed.to_numpy()
        problems.extend(more)

    edits = _edits_from_rows(table, cols, actions, xs, ys, capacities)
    # Column names in the messages are the file's own headers.
    for problem in check_edits(edits, datei=path):
        problems.append(
            Problem(
                problem.meldung, problem.hinweis, datei=problem.datei, zeile=problem.zeile,
                spalte=cols.get(problem.spalte or "") or problem.spalte,
            )
        )
    errors = [p for p in problems if p.schwere == "fehler"]
    if errors:
        raise InputValidationError(
            f"Die Szenariodatei enthält {len(errors)} Fehler; es wurde nichts übernommen.",
            hinweis="Korrigieren Sie die genannten Zeilen und laden Sie die Datei erneut.",
            datei=path,
            probleme=sorted(errors, key=lambda p: (p.zeile or 0, p.spalte or "")),
        )
    return edits


def _edits_from_rows(
    table: pd.DataFrame, cols: dict[str, str | None], actions: list[str], xs: np.ndarray,
    ys: np.ndarray, capacities: np.ndarray,
) -> list[ScenarioEdit]:
    """One edit per table row (not yet checked); an empty action becomes ``"(leer)"``."""

    def column(field_name: str, pos: int) -> str | None:
        col = cols[field_name]
        return clean_text(table[col].iloc[pos]) if col is not None else None

    edits = []
    for pos in range(len(table)):
        access = column("stufenloser_zugang", pos)
        edits.append(
            ScenarioEdit(
                aktion=actions[pos] or "(leer)",
                angebot_id=column("angebot_id", pos),
                typ=column("typ", pos),
                name=column("name", pos),
                x=None if np.isnan(xs[pos]) else float(xs[pos]),
                y=None if np.isnan(ys[pos]) else float(ys[pos]),
                kapazitaet_std_woche=None if np.isnan(capacities[pos]) else float(capacities[pos]),
                stufenloser_zugang=access.lower() if access else None,
            )
        )
    return edits


def _edit_columns(table: pd.DataFrame, path: Path) -> dict[str, str | None]:
    """The file's column for each edit field (``aktion`` is required), None where absent.

    Raises
    ------
    InputValidationError
        Without an action column.
    """
    action_col = find_column(table.columns, ("aktion", "aenderung", "änderung", "massnahme", "maßnahme"))
    if action_col is None:
        raise InputValidationError(
            "Der Szenariodatei fehlt die Spalte 'aktion'.",
            hinweis="Nennen Sie je Zeile die Aktion: neu, verschieben oder schließen.",
            datei=path,
        )
    return {
        "aktion": action_col,
        "angebot_id": find_column(table.columns, ("angebot_id", "id")),
        "typ": find_column(table.columns, ("typ", "angebotstyp", "art")),
        "name": find_column(table.columns, ("name", "bezeichnung")),
        # Capacity and access use the spellings of the service importer (one vocabulary of
        # headers: "Wochenstunden", "Kapazität (Std./Woche)", "barrierefrei" …).
        "kapazitaet_std_woche": _service_column(table.columns, "kapazitaet_std_woche"),
        "stufenloser_zugang": _service_column(table.columns, "stufenloser_zugang"),
    }


def _service_column(columns: Iterable[Any], field: str) -> str | None:
    """The column holding a service field, by the service importer's header vocabulary."""
    from layers.angebote.importer import HEADER_ALIASES, header_key

    aliases = {field.replace("_", ""), *HEADER_ALIASES[field]}
    for column in columns:
        if header_key(str(column)) in aliases:
            return str(column)
    return None


def edit_table(edits: Sequence[ScenarioEdit], crs: object) -> pd.DataFrame:
    """The edits as a table in the file format of :func:`read_edit_table` (for downloads).

    Locations are given as ``lon``/``lat`` (WGS 84, six decimals ≈ 0.1 m), so that the table
    reads back unchanged with :func:`read_edit_table` and opens in any spreadsheet.

    Parameters
    ----------
    edits
        The edits.
    crs
        CRS of the edits' ``x``/``y`` (the region CRS).

    Returns
    -------
    pandas.DataFrame
        ``aktion``, ``angebot_id``, ``typ``, ``name``, ``lon``, ``lat``, ``kapazitaet_std_woche``,
        ``stufenloser_zugang``.
    """
    from pyproj import Transformer

    to_web = Transformer.from_crs(CRS.from_user_input(crs), "EPSG:4326", always_xy=True)
    rows = []
    for edit in edits:
        lon = lat = None
        if edit.x is not None and edit.y is not None:
            lon, lat = (round(v, 6) for v in to_web.transform(edit.x, edit.y))
        rows.append({
            "aktion": edit.aktion, "angebot_id": edit.angebot_id, "typ": edit.typ,
            "name": edit.name, "lon": lon, "lat": lat,
            "kapazitaet_std_woche": edit.kapazitaet_std_woche,
            "stufenloser_zugang": edit.stufenloser_zugang,
        })
    return pd.DataFrame(rows, columns=["aktion", "angebot_id", "typ", "name", "lon", "lat",
                                       "kapazitaet_std_woche", "stufenloser_zugang"])
