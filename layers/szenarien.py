"""What-if scenarios: named lists of edits to the service landscape, stored in the region.

A scenario says "open an EUTB office here, move that Pflegestützpunkt there, close this
consultation hour". It never changes the ``angebote`` layer; it is applied on the fly
(:func:`analyses.scenarios.apply_edits`) to compare coverage before and after.

Storage: two attribute tables in the region store, whose names start with ``szenario`` so that a
rebuild of the region carries them over:

* ``szenario_liste``: one row per scenario (``name`` unique, ``beschreibung``, who and when);
* ``szenario_aenderungen``: its edits in order (``szenario``, ``nr``, ``aktion``, ``angebot_id``,
  ``typ``, ``name``, ``x``/``y`` in the region CRS, ``kapazitaet_std_woche``,
  ``stufenloser_zugang``).

Saving replaces a scenario's rows in one SQLite transaction (all or nothing) and writes an entry
to the audit table.

Edits come from the app or from a table (CSV/XLSX) with the columns ``aktion`` (neu, verschieben,
schließen), ``angebot_id``, ``typ``, ``name``, coordinates (``lon``/``lat`` or
``Rechtswert``/``Hochwert``), ``kapazitaet_std_woche`` and ``stufenloser_zugang``; see
:func:`read_edit_table`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from layers.angebote import ACCESS_VALUES, service_type_keys
from layers.errors import InputValidationError, LayerNotFoundError, Problem
from layers.store import RegionStore
from layers.validation import FIRST_DATA_ROW, find_column, parse_decimal, read_table, table_points

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "EDIT_COLUMNS",
    "EDIT_TABLE",
    "MAX_NAME_LENGTH",
    "SCENARIO_COLUMNS",
    "SCENARIO_TABLE",
    "Scenario",
    "ScenarioEdit",
    "check_edits",
    "delete_scenario",
    "edit_table",
    "list_scenarios",
    "load_scenario",
    "read_edit_table",
    "save_scenario",
]

SCENARIO_TABLE = "szenario_liste"
EDIT_TABLE = "szenario_aenderungen"
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
MAX_NAME_LENGTH = 80

SCENARIO_COLUMNS = {
    "name": "TEXT",
    "beschreibung": "TEXT",
    "erstellt_am": "TEXT",
    "erstellt_von": "TEXT",
    "geaendert_am": "TEXT",
    "geaendert_von": "TEXT",
    "crs": "TEXT",
}
EDIT_COLUMNS = {
    "szenario": "TEXT",
    "nr": "INTEGER",
    "aktion": "TEXT",
    "angebot_id": "TEXT",
    "typ": "TEXT",
    "name": "TEXT",
    "x": "REAL",
    "y": "REAL",
    "kapazitaet_std_woche": "REAL",
    "stufenloser_zugang": "TEXT",
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

        def report(
            meldung: str, hinweis: str, spalte: str, _number: int = number, _prefix: str = prefix
        ) -> None:
            problems.append(
                Problem(
                    _prefix + meldung,
                    hinweis,
                    datei=str(datei) if datei else None,
                    zeile=_number - 1 + FIRST_DATA_ROW if datei else None,
                    spalte=spalte,
                )
            )

        if edit.aktion not in ACTIONS:
            report(
                f"Die Aktion '{edit.aktion}' ist unbekannt.",
                "Erlaubt sind: neu, verschieben, schließen.",
                "aktion",
            )
            continue
        if edit.aktion in ("verschieben", "schliessen") and not (edit.angebot_id or "").strip():
            report(
                f"Für '{edit.aktion}' fehlt die angebot_id des bestehenden Angebots.",
                "Tragen Sie die angebot_id aus dem Angebotsverzeichnis ein.",
                "angebot_id",
            )
        elif (edit.aktion in ("verschieben", "schliessen") and known is not None
              and str(edit.angebot_id).strip() not in known):
            report(
                f"Das Angebot '{edit.angebot_id}' gibt es im Angebotsverzeichnis nicht (oder es "
                "ist geschlossen).",
                "Tragen Sie die angebot_id eines bestehenden Angebots ein (Seite „Daten“ oder "
                "sozialraum export angebote).",
                "angebot_id",
            )
        if edit.aktion == "neu":
            if not (edit.typ or "").strip():
                report(
                    "Für ein neues Angebot fehlt der Angebotstyp.",
                    "Tragen Sie einen Typ ein, z. B. EUTB oder Pflegestützpunkt.",
                    "typ",
                )
            elif edit.typ not in types:
                report(
                    f"Der Angebotstyp '{edit.typ}' ist unbekannt.",
                    f"Erlaubt sind: {', '.join(sorted(types))}.",
                    "typ",
                )
        located = (
            edit.x is not None and edit.y is not None and bool(np.isfinite([edit.x, edit.y]).all())
        )
        if edit.aktion in ("neu", "verschieben") and not datei and not located:
            report(
                f"Für '{edit.aktion}' fehlt der (neue) Standort.",
                "Geben Sie den Standort an (Karte oder Koordinaten).",
                "x/y",
            )
        capacity = edit.kapazitaet_std_woche
        if capacity is not None and not (np.isfinite(capacity) and capacity >= 0):
            report(
                "Die Kapazität muss eine Zahl ≥ 0 (Stunden je Woche) sein.",
                "Tragen Sie z. B. 19,5 ein oder lassen Sie das Feld leer.",
                "kapazitaet_std_woche",
            )
        if edit.stufenloser_zugang is not None and edit.stufenloser_zugang not in ACCESS_VALUES:
            report(
                f"'{edit.stufenloser_zugang}' ist keine erlaubte Angabe zum stufenlosen Zugang.",
                f"Erlaubt sind: {', '.join(ACCESS_VALUES)}.",
                "stufenloser_zugang",
            )
    return problems


def _text(value: object) -> str | None:
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
    comma allowed), ``stufenloser_zugang``.

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
    problems: list[Problem] = []
    action_col = find_column(table.columns, ("aktion", "aenderung", "änderung", "massnahme", "maßnahme"))
    if action_col is None:
        raise InputValidationError(
            "Der Szenariodatei fehlt die Spalte 'aktion'.",
            hinweis="Nennen Sie je Zeile die Aktion: neu, verschieben oder schließen.",
            datei=path,
        )
    id_col = find_column(table.columns, ("angebot_id", "id"))
    type_col = find_column(table.columns, ("typ", "angebotstyp", "art"))
    name_col = find_column(table.columns, ("name", "bezeichnung"))
    # Capacity and access use the spellings of the service importer (one vocabulary of headers:
    # "Wochenstunden", "Kapazität (Std./Woche)", "barrierefrei" …).
    capacity_col = _service_column(table.columns, "kapazitaet_std_woche")
    access_col = _service_column(table.columns, "stufenloser_zugang")

    raw_actions = [_text(v) for v in table[action_col]]
    actions = [
        _ACTION_SYNONYMS.get(re.sub(r"\s+", "", a.lower()), a) if a else "" for a in raw_actions
    ]
    needs_location = np.array([a in ("neu", "verschieben") for a in actions])
    boundary = region.to_crs(CRS.from_user_input(crs)).geometry.union_all()
    xs, ys, found = table_points(table, crs=crs, boundary=boundary, datei=path, required=needs_location)
    problems.extend(found)
    capacities = np.full(len(table), np.nan)
    if capacity_col is not None:
        parsed, more = parse_decimal(table[capacity_col], spalte=capacity_col, datei=path)
        capacities = parsed.to_numpy()
        problems.extend(more)

    def column(col: str | None, pos: int) -> str | None:
        return _text(table[col].iloc[pos]) if col is not None else None

    edits = []
    for pos in range(len(table)):
        access = column(access_col, pos)
        edits.append(
            ScenarioEdit(
                aktion=actions[pos] or "(leer)",
                angebot_id=column(id_col, pos),
                typ=column(type_col, pos),
                name=column(name_col, pos),
                x=None if np.isnan(xs[pos]) else float(xs[pos]),
                y=None if np.isnan(ys[pos]) else float(ys[pos]),
                kapazitaet_std_woche=None if np.isnan(capacities[pos]) else float(capacities[pos]),
                stufenloser_zugang=access.lower() if access else None,
            )
        )
    # Column names in the messages are the file's own headers.
    renames = {
        "aktion": action_col, "angebot_id": id_col, "typ": type_col,
        "kapazitaet_std_woche": capacity_col, "stufenloser_zugang": access_col,
    }
    for problem in check_edits(edits, datei=path):
        problems.append(
            Problem(
                problem.meldung, problem.hinweis, datei=problem.datei, zeile=problem.zeile,
                spalte=renames.get(problem.spalte or "") or problem.spalte,
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


# --------------------------------------------------------------------------------------------
# Storage
# --------------------------------------------------------------------------------------------


def _active_offer_ids(store: RegionStore) -> list[str]:
    """Ids of the offers active today (the one rule of :func:`layers.angebote.edit.active_services`)."""
    from layers.angebote.edit import active_services

    if not store.has_layer("angebote"):
        return []
    offers = store.read_layer("angebote", columns=["angebot_id", "gueltig_von", "gueltig_bis"])
    return list(active_services(offers)["angebot_id"].astype(str))


def _service_column(columns: Iterable[Any], field: str) -> str | None:
    """The column holding a service field, by the service importer's header vocabulary."""
    from layers.angebote.importer import HEADER_ALIASES, header_key

    aliases = {field.replace("_", ""), *HEADER_ALIASES[field]}
    for column in columns:
        if header_key(str(column)) in aliases:
            return str(column)
    return None


def _check_name(name: str) -> str:
    clean = (name or "").strip()
    if not clean or len(clean) > MAX_NAME_LENGTH:
        raise InputValidationError(
            "Ein Szenario braucht einen Namen mit 1 bis 80 Zeichen.",
            hinweis="Zum Beispiel: 'EUTB-Außenstelle Nord 2026'.",
        )
    return clean


def save_scenario(store: RegionStore, scenario: Scenario, *, overwrite: bool = False) -> None:
    """Save a scenario (all of its edits or nothing).

    Parameters
    ----------
    store
        The region store.
    scenario
        Name, description and edits (locations in the region CRS).
    overwrite
        Replace a scenario of the same name; without it an existing name is an error.

    Raises
    ------
    InputValidationError
        If the name is empty or taken, or an edit is invalid.
    """
    name = _check_name(scenario.name)
    problems = check_edits(scenario.aenderungen, angebot_ids=_active_offer_ids(store))
    if problems:
        raise InputValidationError(
            f"Das Szenario '{name}' enthält ungültige Änderungen und wurde nicht gespeichert.",
            hinweis="Korrigieren Sie die genannten Änderungen.",
            probleme=problems,
        )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    epsg = store.crs.to_epsg()
    with store.transaction() as tx:
        tx.ensure_table(SCENARIO_TABLE, SCENARIO_COLUMNS)
        tx.ensure_table(EDIT_TABLE, EDIT_COLUMNS)
        old = tx.rows(SCENARIO_TABLE, '"name" = ?', (name,))
        if old and not overwrite:
            raise InputValidationError(
                f"Ein Szenario mit dem Namen '{name}' gibt es schon.",
                hinweis="Wählen Sie einen anderen Namen oder überschreiben Sie es ausdrücklich.",
            )
        created_at = old[0]["erstellt_am"] if old else now
        created_by = old[0]["erstellt_von"] if old else tx.user
        tx.delete(SCENARIO_TABLE, ("name", name))
        tx.delete(EDIT_TABLE, ("szenario", name))
        values = {
            "name": name,
            "beschreibung": scenario.beschreibung,
            "erstellt_am": created_at,
            "erstellt_von": created_by,
            "geaendert_am": now,
            "geaendert_von": tx.user,
            "crs": f"EPSG:{epsg}" if epsg else store.crs.to_wkt(),
        }
        tx.insert(SCENARIO_TABLE, values)
        for number, edit in enumerate(scenario.aenderungen, start=1):
            tx.insert(
                EDIT_TABLE,
                {
                    "szenario": name,
                    "nr": number,
                    "aktion": edit.aktion,
                    "angebot_id": edit.angebot_id,
                    "typ": edit.typ,
                    "name": edit.name,
                    "x": edit.x,
                    "y": edit.y,
                    "kapazitaet_std_woche": edit.kapazitaet_std_woche,
                    "stufenloser_zugang": edit.stufenloser_zugang,
                },
            )
        tx.audit(
            SCENARIO_TABLE,
            name,
            "szenario_ueberschrieben" if old else "szenario_gespeichert",
            {k: v for k, v in old[0].items() if k != "geometry"} if old else None,
            {**values, "aenderungen": len(scenario.aenderungen)},
        )


def list_scenarios(store: RegionStore) -> pd.DataFrame:
    """All saved scenarios with their number of edits (empty table if there are none)."""
    columns = [*SCENARIO_COLUMNS, "aenderungen"]
    if not store.exists() or not store.has_layer(SCENARIO_TABLE):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    table = store.read_layer(SCENARIO_TABLE)
    counts = (
        store.read_layer(EDIT_TABLE).groupby("szenario").size()
        if store.has_layer(EDIT_TABLE)
        else pd.Series(dtype="int64")
    )
    table = table.drop(columns=[c for c in table.columns if c not in SCENARIO_COLUMNS])
    table["aenderungen"] = table["name"].map(counts).fillna(0).astype("int64").to_numpy()
    return table.sort_values("name").reset_index(drop=True)[columns]


def load_scenario(store: RegionStore, name: str) -> Scenario:
    """Load a saved scenario.

    Raises
    ------
    LayerNotFoundError
        If there is no scenario of that name.
    """
    scenarios = list_scenarios(store)
    match = scenarios[scenarios["name"] == name]
    if match.empty:
        known = ", ".join(scenarios["name"].astype(str)) or "keine"
        raise LayerNotFoundError(
            f"Ein Szenario '{name}' gibt es nicht.",
            hinweis=f"Gespeicherte Szenarien: {known}.",
        )
    edits = store.read_layer(EDIT_TABLE) if store.has_layer(EDIT_TABLE) else pd.DataFrame(
        columns=list(EDIT_COLUMNS)
    )
    edits = edits[edits["szenario"] == name].sort_values("nr")

    def value(row: pd.Series, key: str) -> object:
        item = row[key]
        return None if item is None or pd.isna(item) else item

    return Scenario(
        name=name,
        beschreibung=str(value(match.iloc[0], "beschreibung") or ""),
        aenderungen=tuple(
            ScenarioEdit(
                aktion=str(row["aktion"]),
                angebot_id=_text(value(row, "angebot_id")),
                typ=_text(value(row, "typ")),
                name=_text(value(row, "name")),
                x=None if value(row, "x") is None else float(row["x"]),
                y=None if value(row, "y") is None else float(row["y"]),
                kapazitaet_std_woche=None
                if value(row, "kapazitaet_std_woche") is None
                else float(row["kapazitaet_std_woche"]),
                stufenloser_zugang=_text(value(row, "stufenloser_zugang")),
            )
            for _, row in edits.iterrows()
        ),
    )


def delete_scenario(store: RegionStore, name: str) -> None:
    """Delete a saved scenario and its edits (recorded in the audit table)."""
    load_scenario(store, name)  # raises a clear error if it does not exist
    with store.transaction() as tx:
        old = tx.rows(SCENARIO_TABLE, '"name" = ?', (name,))
        tx.delete(EDIT_TABLE, ("szenario", name))
        tx.delete(SCENARIO_TABLE, ("name", name))
        tx.audit(SCENARIO_TABLE, name, "szenario_geloescht", old[0] if old else None, None)


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
