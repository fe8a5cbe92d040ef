"""The tab "Angebote bearbeiten" of the Daten page.

Change, move or retire an offer (with a version check against concurrent edits), add a new one,
and the change history with undo (:mod:`layers.angebote.edit`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from layers.angebote import ACCESS_COLUMNS, ACCESS_VALUES, COLUMN_LABELS, service_type_keys
from layers.sicher import escape_markdown
from planungsraeume.region import Region
from ui import state, widgets
from ui.daten import formulare
from ui.daten.meldungen import save_edit, show_flash, text

__all__ = ["TEXT_FIELDS", "edit_tab", "service_fields"]

TEXT_FIELDS = ("zielgruppen", "strasse", "hausnummer", "plz", "ort", "oeffnungszeiten", "traeger",
               "kontakt", "telefon", "email", "webseite", "bemerkung")
YES_NO = ("ja", "nein", "unbekannt")
ACTIONS = {"aendern": "Angebot ändern, verschieben oder stilllegen",
           "neu": "Neues Angebot erfassen", "verlauf": "Änderungsverlauf und Rückgängig"}


def _labels(region: Region, directory: pd.DataFrame) -> dict[str, str]:
    """"Name (Typ)" per offer of the directory; offers not active today are marked."""
    active = set(region.offers()["angebot_id"].astype(str))
    return {str(r.angebot_id): f"{r.name} ({r.typ})"
            + ("" if str(r.angebot_id) in active else " – nicht aktiv")
            for r in directory.itertuples()}


def _version(chosen: str, row: pd.Series) -> int:
    """The version the form was loaded with; warns when someone else changed the offer since."""
    version_key = f"edit_version_{chosen}"
    if version_key not in st.session_state:
        st.session_state[version_key] = int(row["version"])
    loaded, current = int(st.session_state[version_key]), int(row["version"])
    st.caption(f"ID {escape_markdown(chosen)} · Version {loaded} geladen · Quelle: "
               f"{escape_markdown(text(row['quelle']))}")
    if current != loaded:
        st.warning(
            f"Dieses Angebot wurde inzwischen von jemand anderem geändert (jetzt Version "
            f"{current}, Ihr Formular zeigt Version {loaded}). Laden Sie es neu, bevor Sie "
            "speichern.", icon=":material/sync_problem:",
        )
        if st.button("Neu laden", key="edit_neu_laden", icon=":material/refresh:"):
            st.session_state[version_key] = current
            st.rerun()
    return loaded


def edit_tab() -> None:
    """Choose what to do; change, move and retire forms for the chosen offer."""
    show_flash()
    region = state.region()
    directory = region.directory()
    labels = _labels(region, directory)
    action = st.radio("Was möchten Sie tun?", list(ACTIONS), key="edit_aktion", horizontal=True,
                      format_func=ACTIONS.get)
    if action == "neu":
        formulare.add_form(service_fields)
        return
    if action == "verlauf":
        formulare.history(labels)
        return
    chosen = st.selectbox("Angebot", [None, *labels], key="edit_angebot",
                          format_func=lambda v: "– bitte wählen –" if v is None
                          else labels.get(v, v))
    if chosen is None:
        return
    row = directory[directory["angebot_id"].astype(str) == chosen].iloc[0]
    loaded = _version(chosen, row)
    _change_form(chosen, row, loaded)
    formulare.move_form(chosen, loaded)
    formulare.retire_form(chosen, loaded)


def _initial(row: Any | None, field: str) -> str:
    """The value a form field starts with (what the offer says now)."""
    if row is None:
        return "unbekannt" if field in (*ACCESS_COLUMNS, "aufsuchend") else ""
    value = row[field] if field in row else None
    if field == "kapazitaet_std_woche":
        return "" if value is None or pd.isna(value) else widgets.format_number(float(value), 1)
    shown = text(value)
    if field in (*ACCESS_COLUMNS, "aufsuchend") and not shown:
        return "unbekannt"
    return shown


def _choice_fields(prefix: str, initial: dict[str, str], values: dict[str, Any]) -> None:
    cols = st.columns(len(ACCESS_COLUMNS) + 1)
    for col, field in zip(cols, (*ACCESS_COLUMNS, "aufsuchend"), strict=True):
        options = list(ACCESS_VALUES) if field != "aufsuchend" else list(YES_NO)
        if initial[field] not in options:
            options.append(initial[field])
        values[field] = col.selectbox(COLUMN_LABELS[field], options,
                                      index=options.index(initial[field]), key=f"{prefix}_{field}")


def service_fields(prefix: str, row: Any | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The form fields of an offer; returns what was entered and what the fields started with."""
    types = service_type_keys()
    initial = {field: _initial(row, field) for field in (
        "name", "typ", *TEXT_FIELDS, *ACCESS_COLUMNS, "aufsuchend", "kapazitaet_std_woche")}
    values: dict[str, Any] = {}
    cols: Any = st.columns(2)
    values["name"] = cols[0].text_input("Name", value=initial["name"], key=f"{prefix}_name")
    initial["typ"] = initial["typ"] or types[0]
    values["typ"] = cols[1].selectbox("Angebotstyp", types, key=f"{prefix}_typ",
                                      index=types.index(initial["typ"])
                                      if initial["typ"] in types else 0)
    cols = st.columns(4)
    for col, field in zip(cols, ("strasse", "hausnummer", "plz", "ort"), strict=True):
        values[field] = col.text_input(COLUMN_LABELS[field], value=initial[field],
                                       key=f"{prefix}_{field}")
    _choice_fields(prefix, initial, values)
    with st.expander("Weitere Angaben (Zielgruppen, Öffnungszeiten, Träger, Kontakt …)"):
        cols = st.columns(2)
        others = [f for f in TEXT_FIELDS if f not in ("strasse", "hausnummer", "plz", "ort")]
        for i, field in enumerate(others):
            values[field] = cols[i % 2].text_input(COLUMN_LABELS[field], value=initial[field],
                                                   key=f"{prefix}_{field}")
        values["kapazitaet_std_woche"] = cols[len(others) % 2].text_input(
            COLUMN_LABELS["kapazitaet_std_woche"], value=initial["kapazitaet_std_woche"],
            key=f"{prefix}_kapazitaet")
    return values, initial


def _change_form(angebot_id: str, row: Any, loaded: int) -> None:
    from layers.angebote.edit import update_service

    prefix = f"edit_{angebot_id}_{loaded}"
    with st.form(key=f"{prefix}_form"):
        st.markdown("**Angaben ändern**")
        values, initial = service_fields(prefix, row)
        submitted = st.form_submit_button("Änderungen speichern", icon=":material/save:")
    if not submitted:
        return
    changes = {field: str(value).strip() or None for field, value in values.items()
               if str(value).strip() != initial[field].strip()}
    if not changes:
        st.info("Keine Änderung eingegeben.")
        return
    save_edit(
        angebot_id,
        lambda: update_service(state.region().store, angebot_id, changes, expected_version=loaded),
        lambda result: f"Gespeichert ({', '.join(COLUMN_LABELS.get(f, f) for f in changes)}); "
        f"jetzt Version {result.version}. Rückgängig im Änderungsverlauf (Eintrag "
        f"{result.audit_id}).",
    )
