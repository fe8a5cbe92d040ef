"""The scenario part of the Szenarien page: edit the offers, compare before and after.

Coverage and 2SFCA before and after come from
:func:`planungsraeume.versorgung.compare_on_network` for the page's question; the tables from
:mod:`planungsraeume.darstellung`.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from analyses.scenarios import ScenarioComparison
from layers.angebote import ACCESS_VALUES
from layers.szenarien import ScenarioEdit, edit_table, list_scenarios
from planungsraeume import darstellung
from planungsraeume.frage import Question
from planungsraeume.region import Region
from planungsraeume.versorgung import compare_on_network
from ui import cached, eingabe, legend, mapdata, overlays, theme, widgets
from ui.szenarien import karte, zustand
from ui.szenarien.karte import CHANGE_COLOURS

__all__ = ["ACTION_WORDS", "DECAYS", "edit_rows", "scenario_section", "signed"]

DECAYS = {"keine": "ohne Distanzabnahme (2SFCA)", "stufen": "stufenweise (E2SFCA, Luo & Qi)",
          "gauss": "Gauß-Kurve (E2SFCA, Dai)"}
ACTION_WORDS = {"neu": "neues Angebot", "verschieben": "verlegen", "schliessen": "schließen"}


def signed(value: Any, decimals: int = 0) -> str:
    """A difference in German format with "+" for gains."""
    return darstellung.format_value(value, decimals, signed=True)


def edit_rows(edits: list[ScenarioEdit], offers: gpd.GeoDataFrame) -> pd.DataFrame:
    """The scenario's edits as a numbered table (positions in WGS 84)."""
    names = dict(zip(offers["angebot_id"].astype(str), offers["name"].astype(str), strict=True))
    n = widgets.format_number
    rows = []
    for number, edit in enumerate(edits, start=1):
        where = ""
        if edit.x is not None and edit.y is not None:
            lat, lon = zustand.to_web(edit.x, edit.y)
            where = f"{n(lat, 5)}, {n(lon, 5)}"
        rows.append({
            "Nr.": number, "Aktion": ACTION_WORDS.get(edit.aktion, edit.aktion),
            "Angebot": edit.name or names.get(str(edit.angebot_id), str(edit.angebot_id or "")),
            "Typ": edit.typ or "", "Neuer Standort (Breite, Länge)": where,
            "Kapazität (Std./Woche)": n(edit.kapazitaet_std_woche, 1)
            if edit.kapazitaet_std_woche else "",
            "Stufenlos": edit.stufenloser_zugang or "",
        })
    return pd.DataFrame(rows)


def _saved_and_file(region: Region, edits: list[ScenarioEdit]) -> None:
    with st.expander("Gespeicherte Szenarien und Szenariodatei", expanded=not edits):
        saved = list_scenarios(region.store)
        left, right = st.columns(2)
        with left:
            if len(saved):
                st.selectbox("Gespeichertes Szenario", list(saved["name"]), key="sz_gespeichert")
                cols = list(st.columns(2))
                cols[0].button("Laden", key="sz_laden", on_click=zustand.safely(zustand.load_saved))
                cols[1].button("Löschen", key="sz_loeschen",
                               on_click=zustand.safely(zustand.delete_saved))
            else:
                st.markdown("Noch kein Szenario gespeichert.")
        with right:
            st.file_uploader(
                "Szenariodatei (CSV oder Excel)", type=["csv", "xlsx"], key="sz_datei",
                help="Spalten: aktion (neu, verschieben, schließen), angebot_id, typ, name, "
                     "lon/lat oder Rechtswert/Hochwert, kapazitaet_std_woche, stufenloser_zugang.",
            )
            st.button("Änderungen aus der Datei übernehmen", key="sz_datei_laden",
                      on_click=zustand.safely(zustand.load_file))


def _place_widgets() -> None:
    st.radio("Standort angeben durch", zustand.PLACE_MODES, key="sz_ort_art", horizontal=True)
    mode = st.session_state.get("sz_ort_art", zustand.PLACE_MODES[0])
    if mode == zustand.PLACE_MODES[0]:
        click = st.session_state.get(zustand.CLICK)
        n = widgets.format_number
        st.markdown(f"Gewählter Punkt: **{n(click[0], 5)}, {n(click[1], 5)}**" if click else
                    "Klicken Sie in die Karte unten, um einen Standort zu wählen.")
    elif mode == zustand.PLACE_MODES[1]:
        cols = list(st.columns(2))
        eingabe.decimal_input("Breite (Grad)", "sz_breite", default=50.7753, minimum=-90,
                              maximum=90, example="50,7753", target=cols[0], required=True,
                              help="Geographische Breite in Grad (WGS 84), Komma oder Punkt.")
        eingabe.decimal_input("Länge (Grad)", "sz_laenge", default=6.0839, minimum=-180,
                              maximum=180, example="6,0839", target=cols[1], required=True,
                              help="Geographische Länge in Grad (WGS 84), Komma oder Punkt.")
    else:
        cols = list(st.columns([3, 1]))
        cols[0].text_input("Straße", key="sz_strasse")
        cols[1].text_input("Hausnummer", key="sz_hausnummer")


def _action_widgets(typ: str, offers: gpd.GeoDataFrame) -> None:
    new_tab, existing_tab = st.tabs(["Neues Angebot", "Bestehendes Angebot"])
    with new_tab:
        st.text_input("Name", key="sz_neu_name", placeholder=f"{typ} (Szenario)")
        cols = list(st.columns(2))
        eingabe.decimal_input("Kapazität (Stunden je Woche; leer = unbekannt)",
                              "sz_neu_kapazitaet", minimum=0, maximum=168, decimals=1,
                              example="19,5", target=cols[0])
        cols[1].selectbox("Stufenloser Zugang", ACCESS_VALUES, key="sz_neu_zugang")
        st.button(f"Neues Angebot ({typ}) am Standort hinzufügen", key="sz_hinzufuegen",
                  on_click=zustand.safely(zustand.add_offer), type="primary")
    with existing_tab:
        options = offers.sort_values(["typ", "name"])
        labels = dict(zip(options["angebot_id"].astype(str),
                          options["name"].astype(str) + " (" + options["typ"].astype(str) + ")",
                          strict=True))
        ids = list(labels)
        if st.session_state.get("sz_angebot") not in ids:
            own = options[options["typ"] == typ]["angebot_id"].astype(str)
            st.session_state["sz_angebot"] = own.iloc[0] if len(own) else ids[0]
        st.selectbox("Angebot", ids, key="sz_angebot", format_func=lambda v: labels.get(v, v))
        cols = list(st.columns(2))
        cols[0].button("An den Standort verlegen", key="sz_verlegen",
                       on_click=zustand.safely(zustand.move_offer))
        cols[1].button("Schließen", key="sz_schliessen",
                       on_click=zustand.safely(zustand.close_offer))


def _edit_list(edits: list[ScenarioEdit], offers: gpd.GeoDataFrame) -> None:
    st.dataframe(edit_rows(edits, offers), hide_index=True, width="stretch")
    cols = list(st.columns([1, 1, 2], vertical_alignment="bottom"))
    cols[0].selectbox("Änderung Nr.", list(range(1, len(edits) + 1)), key="sz_entfernen_nr")
    cols[1].button("Änderung entfernen", key="sz_entfernen",
                   on_click=zustand.safely(zustand.remove_edit))
    cols[2].button("Alle Änderungen verwerfen", key="sz_leeren",
                   on_click=zustand.safely(zustand.clear_edits))
    with st.form("sz_speichern_form", border=True):
        st.markdown("**Szenario speichern**")
        cols = list(st.columns([2, 3]))
        cols[0].text_input("Name des Szenarios", key="sz_name", max_chars=80)
        cols[1].text_input("Beschreibung", key="sz_beschreibung")
        st.checkbox("Gleichnamiges Szenario überschreiben", key="sz_ueberschreiben")
        st.form_submit_button("Speichern", on_click=zustand.safely(zustand.save))


def _metrics(result: ScenarioComparison, frage: Question) -> None:
    n = widgets.format_number
    metrics = list(st.columns(4))
    metrics[0].metric(f"Einwohner versorgt vorher ({frage.minutes_label()})",
                      n(result.versorgt_vorher))
    metrics[1].metric("Einwohner versorgt nachher", n(result.versorgt_nachher),
                      delta=signed(result.differenz))
    metrics[2].metric("Differenz Einwohner", signed(result.differenz))
    metrics[3].metric("Differenz ab 65 Jahren", signed(result.differenz_65))


def _changed_cells(region: Region, result: ScenarioComparison | None) -> gpd.GeoDataFrame:
    if result is None:
        return gpd.GeoDataFrame()
    cells = region.cells()[["gitter_id", "geometry"]]
    zellen = result.zellen[result.zellen["aenderung"] != "unverändert"]
    return cells.loc[zellen.index].assign(aenderung=zellen["aenderung"], pr_id=zellen["pr_id"])


def _result_map(region: Region, frage: Question, changed: gpd.GeoDataFrame,
                edits: list[ScenarioEdit], offers: gpd.GeoDataFrame, has_result: bool) -> None:
    parts = []
    if has_result:
        counts = changed["aenderung"].value_counts()
        parts = [("flaeche", colour, f"{change} ({int(counts.get(change, 0))} Zellen à 100 m)")
                 for change, colour in CHANGE_COLOURS.items()]
    parts += [("punkt", theme.AREA_SELECTED, "Änderung des Szenarios (Nr. wie in der Liste)"),
              ("ring", "#000000", "gewählter Punkt")]
    shown = cached.selected_offers_web(region, frage)
    groups = [karte.changes_layer(changed), overlays.service_layer(shown, cluster=False),
              karte.scenario_markers(edits, offers),
              legend.legend_layer(karte.legend_text(parts, shown if len(shown) else None))]
    karte.draw(region, groups, zustand.MAP_KEY,
               f"Karte des Szenarios: {frage.selection_label()}, {frage.profile_label()}",
               clickable=True)
    st.caption("Ein Klick in die Karte wählt den Standort für ein neues oder verlegtes Angebot. "
               "Blau: Zellen, die nachher versorgt sind; orange: Zellen, die nicht mehr versorgt "
               "sind. Dieselben Zahlen stehen in der Tabelle daneben.")


def _accessibility(region: Region, result: ScenarioComparison, names: dict[str, str]) -> None:
    st.markdown("**Angebot je Nachfrage (2SFCA): Beratungsstunden je Woche je 1.000 Einwohner**")
    st.selectbox("Distanzabnahme", list(DECAYS), format_func=lambda v: DECAYS[v], key="sz_abnahme")
    st.dataframe(darstellung.text_table(darstellung.scenario_accessibility_table(result, names)),
                 hide_index=True, width="stretch", key="sz_2sfca")
    st.caption("Mittel je Planungsraum, gewichtet nach Einwohnern. Kapazität aus dem "
               "Verzeichnis; wo sie fehlt, der Median des Typs (sonst 39 Stunden).")


def _downloads(region: Region, result: ScenarioComparison, edits: list[ScenarioEdit],
               changed: gpd.GeoDataFrame, names: dict[str, str]) -> None:
    cols = list(st.columns(3))
    widgets.csv_download("Vergleich als CSV", darstellung.scenario_export_table(result, names),
                         f"szenario_vergleich_{region.name}.csv", "sz_dl_tabelle", target=cols[0])
    widgets.csv_download("Änderungen als CSV (wieder ladbar)", edit_table(edits, region.crs),
                         f"szenario_{region.name}.csv", "sz_dl_aenderungen", target=cols[1])
    cells = (mapdata.compact_geojson(changed, ["gitter_id", "pr_id", "aenderung"], decimals=6)
             if len(changed) else {"type": "FeatureCollection", "features": []})
    cols[2].download_button("Veränderte Zellen als GeoJSON",
                            json.dumps(cells, ensure_ascii=False).encode("utf-8"),
                            file_name=f"szenario_zellen_{region.name}.geojson",
                            mime="application/geo+json", key="sz_dl_zellen")


def scenario_section(region: Region, frage: Question, typ: str) -> None:
    """Edits, saved scenarios, and the comparison before/after of the scenario."""
    offers = region.offers()
    edits = zustand.edits()
    _saved_and_file(region, edits)
    st.subheader("Änderungen", anchor=False)
    place_col, action_col = st.columns(2)
    with place_col:
        _place_widgets()
    with action_col:
        _action_widgets(typ, offers)
    if edits:
        _edit_list(edits, offers)
    result = None
    if edits:
        with st.status("Vorher/Nachher wird auf dem Wegenetz berechnet …", expanded=False) as status:
            result = compare_on_network(region, frage, edits,
                                        decay=st.session_state.get("sz_abnahme", "keine"))
            status.update(label="Vorher/Nachher berechnet", state="complete")
    st.subheader("Vorher und nachher", anchor=False)
    if result is None:
        st.markdown("Fügen Sie Änderungen hinzu (oder laden Sie ein Szenario), dann erscheinen "
                    "hier die versorgten Einwohner vorher und nachher.")
    else:
        _metrics(result, frage)
    names = region.area_names()
    changed = _changed_cells(region, result)
    map_col, table_col = st.columns([3, 2], gap="medium")
    with map_col:
        _result_map(region, frage, changed, edits, offers, result is not None)
    with table_col:
        if result is None:
            st.markdown("Noch kein Ergebnis.")
        else:
            st.markdown(f"**Versorgte Einwohner je Planungsraum** ({frage.label()})")
            table = darstellung.scenario_table(result, names, with_accessibility=False)
            st.dataframe(darstellung.text_table(table), hide_index=True, width="stretch",
                         key="sz_tabelle")
    if result is not None:
        _accessibility(region, result, names)
        _downloads(region, result, edits, changed, names)
