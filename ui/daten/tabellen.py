"""Tabs of the Daten page that replace or add region data.

Own planning areas, an indicator table per area, barrier reports. Each checks first (German
report) and stores on request.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from layers.errors import SozialraumError
from layers.sicher import escape_markdown
from ui import state, widgets
from ui.daten.meldungen import flash_and_rerun, problems, show_error, show_flash

__all__ = ["AREA_UPLOAD_TYPES", "areas_tab", "barrier_tab", "indicator_tab"]

AREA_UPLOAD_TYPES = ["geojson", "json", "gpkg", "shp", "shx", "dbf", "prj", "cpg"]
AREA_KINDS = {"flaechen": "Flächen-Datei", "gemeinden": "Zuordnung der Gemeinden (AGS)"}


def _area_upload(kind: str) -> tuple[Any, dict[str, Any]]:
    if kind != "flaechen":
        return st.file_uploader("Zuordnungstabelle", type=["csv", "txt", "xlsx"],
                                accept_multiple_files=False, key="pr_tabelle"), {}
    uploaded = st.file_uploader("Planungsräume", type=AREA_UPLOAD_TYPES,
                                accept_multiple_files=True, key="pr_datei")
    cols = st.columns(3)
    options = {
        "schluessel": cols[0].text_input("Spalte mit der Nummer (optional)",
                                         key="pr_schluessel").strip() or None,
        "name": cols[1].text_input("Spalte mit dem Namen (optional)", key="pr_name").strip() or None,
        "reparieren": cols[2].checkbox("Ungültige Flächen reparieren", key="pr_reparieren"),
    }
    return uploaded, options


def _check_areas(kind: str, path: Any, options: dict[str, Any]) -> None:
    from layers.planungsraeume.checks import check_planning_areas
    from layers.planungsraeume.define import read_planning_areas
    from layers.planungsraeume.gemeinden import areas_from_municipalities

    region = state.region()
    try:
        if kind == "flaechen":
            areas = read_planning_areas(path, crs=region.crs, **options)
        else:
            areas = areas_from_municipalities(path, region.layer("gemeinden"))
        check = check_planning_areas(areas, region.boundary())
    except SozialraumError as exc:
        st.session_state.pop("pr_pruefung", None)
        show_error(exc)
        return
    st.session_state["pr_pruefung"] = (str(path), areas, check)


def _area_report(areas: Any, check: Any) -> None:
    from layers.planungsraeume.checks import save_planning_areas

    (st.success if check.ok else st.error)(
        escape_markdown(f"{len(areas)} Planungsräume: {check.summary()}"))
    warnings = list(areas.attrs.get("probleme", [])) + list(check.probleme)
    if warnings:
        widgets.table(problems(warnings))
    widgets.table(pd.DataFrame({"Nr.": areas["pr_id"], "Name": areas["name"],
                                "Fläche (km²)": areas["flaeche_km2"].round(2)}))
    for title, frame in (("Überlappungen", check.ueberlappungen), ("Lücken", check.luecken)):
        if frame is not None and len(frame):
            with st.expander(f"{title} ({len(frame)})"):
                widgets.table(pd.DataFrame(frame.drop(columns=frame.geometry.name)))
    if not st.button("Planungsräume speichern (ersetzt die bisherigen)", key="pr_speichern",
                     disabled=not check.ok, icon=":material/save:"):
        return
    try:
        saved = save_planning_areas(state.region().store, areas)
    except SozialraumError as exc:
        show_error(exc)
        return
    st.session_state.pop("pr_pruefung", None)
    flash_and_rerun(f"Gespeichert: {len(areas)} Planungsräume ({saved.summary()}). Kennzahlen, "
                    "Karten und Analysen rechnen ab jetzt mit ihnen.", "planungsraeume")


@st.fragment
def areas_tab() -> None:
    """Own planning areas as polygons or as an assignment of municipalities."""
    show_flash("planungsraeume")
    st.markdown(
        "Ersetzen Sie die generierten Planungsräume durch Ihre eigenen: als **Flächen** (GeoJSON, "
        "GeoPackage, Shapefile) oder als **Zuordnung der Gemeinden** (Tabelle AGS → "
        "Planungsraum). Vor dem Speichern wird geprüft: gültige Flächen, eindeutige Nummern, "
        "Überlappungen und Lücken."
    )
    kind = st.radio("Art", list(AREA_KINDS), key="pr_art", format_func=AREA_KINDS.get,
                    horizontal=True)
    uploaded, options = _area_upload(kind)
    if not uploaded:
        st.session_state.pop("pr_pruefung", None)
        return
    path = widgets.temp_upload(uploaded, "planungsraeume")
    if st.button("Planungsräume prüfen", key="pr_pruefen", type="primary",
                 icon=":material/fact_check:"):
        _check_areas(kind, path, options)
    stored = st.session_state.get("pr_pruefung")
    if stored and stored[0] == str(path):
        _area_report(stored[1], stored[2])


def _indicator_result(result: Any) -> None:
    from layers.planungsraeume.tabellen import save_user_indicators

    st.success(escape_markdown(result.summary()), icon=":material/check_circle:")
    if result.probleme:
        widgets.table(problems(result.probleme))
    widgets.table(result.werte)
    if len(result.ohne_treffer):
        with st.expander(f"Tabellenzeilen ohne passenden Planungsraum ({len(result.ohne_treffer)})"):
            widgets.table(result.ohne_treffer)
    if len(result.ohne_daten):
        with st.expander(f"Planungsräume ohne Zeile in der Tabelle ({len(result.ohne_daten)})"):
            widgets.table(result.ohne_daten)
    source = st.text_input("Quelle der Kennzahlen", key="kz_quelle",
                           placeholder="z. B. Kommunalstatistik 2024")
    if not st.button("Kennzahlen speichern", key="kz_speichern",
                     disabled=not source.strip() or not result.spalten, icon=":material/save:"):
        return
    try:
        save_user_indicators(state.region().store, result, quelle=source.strip())
    except SozialraumError as exc:
        show_error(exc)
        return
    st.session_state.pop("kz_ergebnis", None)
    flash_and_rerun(f"{len(result.spalten)} Kennzahlen gespeichert: "
                    f"{', '.join(result.spalten)}.", "kennzahlen")


@st.fragment
def indicator_tab() -> None:
    """An indicator table per planning area, joined by the area key and stored."""
    from layers.planungsraeume.tabellen import join_table

    show_flash("kennzahlen")
    st.markdown(
        "Verknüpfen Sie eine Tabelle mit Kennzahlen je Planungsraum (z. B. Arbeitslosenquote, "
        "Leistungsbeziehende aus der Kommunalstatistik). Die Schlüsselspalte wird erkannt; "
        "Zahlen mit Dezimalkomma sind in Ordnung. Gespeicherte Kennzahlen erscheinen im Profil "
        "jedes Planungsraums."
    )
    uploaded = st.file_uploader("Kennzahlen-Tabelle", type=["csv", "txt", "xlsx"], key="kz_datei")
    if not uploaded:
        st.session_state.pop("kz_ergebnis", None)
        return
    path = widgets.temp_upload(uploaded, "kennzahlen")
    if st.button("Tabelle prüfen und verknüpfen", key="kz_pruefen", type="primary",
                 icon=":material/join:"):
        try:
            result = join_table(state.region().layer("planungsraeume"), path)
        except SozialraumError as exc:
            st.session_state.pop("kz_ergebnis", None)
            show_error(exc)
            return
        st.session_state["kz_ergebnis"] = (str(path), result)
    stored = st.session_state.get("kz_ergebnis")
    if stored and stored[0] == str(path):
        _indicator_result(stored[1])


@st.fragment
def barrier_tab() -> None:
    """Barrier reports: checked in full first, stored only if every row is right."""
    from layers.barrieren import import_barriers

    show_flash("barrieren")
    st.markdown(
        "Barrieremeldungen aus der Fallarbeit (CSV oder Excel): ICF-Code der Umweltfaktoren mit "
        "Beurteilungsmerkmal, Beeinträchtigungsgruppe, Datum, **pseudonymer** Personenschlüssel "
        "und der Ort (Koordinaten, Adresse oder Straße). Spalten mit Namen, Geburtsdaten oder "
        "Kontaktdaten werden abgelehnt. Die Meldungen werden nur gespeichert, wenn jede Zeile "
        "stimmt, und danach nie als Einzeldaten gezeigt oder exportiert."
    )
    uploaded = st.file_uploader("Barrieremeldungen", type=["csv", "txt", "xlsx"], key="bm_datei")
    if not uploaded:
        st.session_state.pop("bm_pruefung", None)
        return
    path = widgets.temp_upload(uploaded, "barrieren")
    region = state.region()
    if st.button("Meldungen prüfen", key="bm_pruefen", type="primary", icon=":material/fact_check:"):
        try:
            result = import_barriers(path, region.config, store=region.store, dry_run=True)
        except SozialraumError as exc:
            st.session_state.pop("bm_pruefung", None)
            show_error(exc)
            return
        st.session_state["bm_pruefung"] = str(path)
        st.success(escape_markdown(result.summary()), icon=":material/check_circle:")
    if st.session_state.get("bm_pruefung") != str(path):
        return
    if st.button("Meldungen speichern", key="bm_speichern", icon=":material/save:"):
        try:
            result = import_barriers(path, region.config, store=region.store)
        except SozialraumError as exc:
            show_error(exc)
            return
        st.session_state.pop("bm_pruefung", None)
        flash_and_rerun(result.summary() + " Die geschützten Auswertungen sind aktualisiert.",
                        "barrieren")
