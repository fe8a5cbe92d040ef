"""Import and edit the cooperation list in the app (user store, with the audit).

The writing is :mod:`layers.kooperation` (all rows of a file or none; German errors with file,
row and column); this module only offers the upload, the forms and the list.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from layers.errors import SozialraumError
from layers.kooperation import KINDS, add_cooperation, delete_cooperation, import_cooperations
from planungsraeume import kooperation
from planungsraeume.darstellung.kooperation import cooperation_list_table
from planungsraeume.region import Region
from ui import anmeldung, widgets
from ui.daten.meldungen import flash_and_rerun, show_error, show_flash

__all__ = ["FLASH_AREA", "edit_section"]

FLASH_AREA = "netzwerk"


def _names(region: Region) -> dict[str, str]:
    directory = region.offers()
    return dict(zip(directory["angebot_id"].astype(str), directory["name"].astype(str),
                    strict=True))


def _upload(region: Region) -> None:
    st.markdown("**Kooperationsliste importieren** (CSV oder XLSX). Spalten: „Angebot A“, "
                "„Angebot B“ (ID oder genauer Name aus dem Angebotsverzeichnis), „Art“, "
                "optional „seit“, „bis“, „Quelle“, „Bemerkung“. Eine fehlerhafte Zeile: "
                "nichts wird übernommen.")
    uploaded = st.file_uploader("Datei wählen", type=["csv", "xlsx"], key="koop_upload")
    if uploaded is None:
        return
    cols = st.columns(2)
    check = cols[0].button("Nur prüfen", key="koop_pruefen", icon=":material/fact_check:")
    store = cols[1].button("Prüfen und speichern", key="koop_speichern", type="primary",
                           icon=":material/upload:")
    if not (check or store):
        return
    try:
        path = widgets.temp_upload(uploaded, "kooperation")
        result = import_cooperations(region.store, path, pruefen=not store)
    except SozialraumError as exc:
        show_error(exc)
        return
    if store:
        flash_and_rerun(f"{result.gespeichert} Kooperationen aus {uploaded.name} gespeichert.",
                        FLASH_AREA)
    st.success(f"{result.zeilen} Kooperationen geprüft, keine Fehler. Noch nichts gespeichert.")


def _add_form(region: Region, names: dict[str, str]) -> None:
    ids = sorted(names, key=lambda i: names[i].casefold())
    with st.form("koop_neu"):
        st.markdown("**Kooperation eintragen**")
        cols = st.columns(2)
        a = cols[0].selectbox("Angebot A", ids, format_func=lambda i: names.get(i, i),
                            key="koop_neu_a")
        b = cols[1].selectbox("Angebot B", ids, format_func=lambda i: names.get(i, i),
                              key="koop_neu_b",
                              index=min(1, len(ids) - 1))
        row = st.columns([2, 1, 1])
        kind = row[0].selectbox("Art", KINDS, key="koop_neu_art")
        since = row[1].date_input("seit", value=None, format="DD.MM.YYYY", key="koop_neu_seit")
        until = row[2].date_input("bis", value=None, format="DD.MM.YYYY", key="koop_neu_bis")
        evidence = st.text_input("Beleg (woher die Angabe stammt)", key="koop_neu_beleg")
        submitted = st.form_submit_button("Eintragen", icon=":material/add_link:")
    if not submitted or a is None or b is None:
        return
    try:
        key = add_cooperation(region.store, str(a), str(b), str(kind),
                              seit=since.isoformat() if isinstance(since, date) else None,
                              bis=until.isoformat() if isinstance(until, date) else None,
                              beleg=evidence.strip() or None)
    except SozialraumError as exc:
        show_error(exc)
        return
    flash_and_rerun(f"Kooperation eingetragen ({key}).", FLASH_AREA)


def _delete_form(region: Region, names: dict[str, str]) -> None:
    links = kooperation.stored_cooperations(region)
    if not len(links):
        return
    labels = {str(r.kooperation_id): f"{names.get(str(r.angebot_a), r.angebot_a)} – "
              f"{names.get(str(r.angebot_b), r.angebot_b)} ({r.art})"
              for r in links.itertuples()}
    with st.form("koop_loeschen"):
        st.markdown("**Kooperation löschen** (wird im Änderungsprotokoll festgehalten)")
        key = st.selectbox("Kooperation", list(labels), format_func=lambda k: labels.get(k, k),
                           key="koop_loeschen_wahl")
        submitted = st.form_submit_button("Löschen", icon=":material/link_off:")
    if not submitted or key is None:
        return
    try:
        delete_cooperation(region.store, str(key))
    except SozialraumError as exc:
        show_error(exc)
        return
    flash_and_rerun(f"Kooperation gelöscht ({labels[str(key)]}).", FLASH_AREA)


def edit_section(region: Region) -> None:
    """Upload, add and delete forms and the stored list, in an expander."""
    show_flash(FLASH_AREA)
    if not anmeldung.may_edit_relations():
        st.caption("Ihre Rolle darf die Kooperationsliste lesen, aber nicht ändern.")
        return
    with st.expander("Kooperationsliste importieren und bearbeiten"):
        names = _names(region)
        _upload(region)
        if len(names) >= 2:
            _add_form(region, names)
        _delete_form(region, names)
        stored = kooperation.stored_cooperations(region)
        st.markdown(f"**Gespeicherte Kooperationen** ({widgets.format_number(len(stored))})")
        widgets.table(cooperation_list_table(stored, names), full=False, height=320)
