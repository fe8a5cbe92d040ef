"""Storage of scenarios in the region's user store (all or nothing, audited).

Two attribute tables, whose names start with ``szenario`` so that a rebuild of the region
carries them over:

* ``szenario_liste``: one row per scenario (``name`` unique, ``beschreibung``, who and when);
* ``szenario_aenderungen``: its edits in order (``szenario``, ``nr``, ``aktion``, ``angebot_id``,
  ``typ``, ``name``, ``x``/``y`` in the region CRS, ``kapazitaet_std_woche``,
  ``stufenloser_zugang``).

Saving replaces a scenario's rows in one transaction (all or nothing) and writes an entry to the
audit table.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import pandas as pd

from layers.errors import InputValidationError, LayerNotFoundError
from layers.store import RegionStore
from layers.szenarien.aenderungen import Scenario, ScenarioEdit, check_edits, clean_text

__all__ = [
    "EDIT_COLUMNS",
    "EDIT_TABLE",
    "MAX_NAME_LENGTH",
    "SCENARIO_COLUMNS",
    "SCENARIO_TABLE",
    "delete_scenario",
    "list_scenarios",
    "load_scenario",
    "save_scenario",
]


SCENARIO_TABLE = "szenario_liste"
EDIT_TABLE = "szenario_aenderungen"
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


def _active_offer_ids(store: RegionStore) -> list[str]:
    """Ids of the offers active today (the one rule of :func:`layers.angebote.gueltigkeit.active_services`)."""
    from layers.angebote.gueltigkeit import active_services

    if not store.has_layer("angebote"):
        return []
    offers = store.read_layer("angebote", columns=["angebot_id", "gueltig_von", "gueltig_bis"])
    return list(active_services(offers)["angebot_id"].astype(str))


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
        tx.delete(SCENARIO_TABLE, ("name", name))
        tx.delete(EDIT_TABLE, ("szenario", name))
        values = {
            "name": name,
            "beschreibung": scenario.beschreibung,
            "erstellt_am": old[0]["erstellt_am"] if old else now,
            "erstellt_von": old[0]["erstellt_von"] if old else tx.user,
            "geaendert_am": now,
            "geaendert_von": tx.user,
            "crs": f"EPSG:{epsg}" if epsg else store.crs.to_wkt(),
        }
        tx.insert(SCENARIO_TABLE, values)
        for number, edit in enumerate(scenario.aenderungen, start=1):
            # The edit's fields are the edit table's columns after ``szenario`` and ``nr``.
            tx.insert(EDIT_TABLE, {"szenario": name, "nr": number, **asdict(edit)})
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
                angebot_id=clean_text(value(row, "angebot_id")),
                typ=clean_text(value(row, "typ")),
                name=clean_text(value(row, "name")),
                x=None if value(row, "x") is None else float(row["x"]),
                y=None if value(row, "y") is None else float(row["y"]),
                kapazitaet_std_woche=None
                if value(row, "kapazitaet_std_woche") is None
                else float(row["kapazitaet_std_woche"]),
                stufenloser_zugang=clean_text(value(row, "stufenloser_zugang")),
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

