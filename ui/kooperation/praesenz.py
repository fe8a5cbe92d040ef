"""The presence sections of the Netzwerk page: a provider's places, office-hour suggestions, the
mobile office. Numbers come from :mod:`planungsraeume.praesenz` and
:mod:`planungsraeume.mobiles_buero`; names reach the map escaped (:mod:`ui.sicher`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import folium
import geopandas as gpd
import streamlit as st

from layers.errors import SozialraumError
from layers.sicher import escape_markdown
from layers.szenarien import Scenario
from planungsraeume import mobiles_buero, praesenz
from planungsraeume.darstellung import xlsx_bytes
from planungsraeume.darstellung.praesenz import (
    mobile_area_table,
    mobile_stop_table,
    mobile_timetable,
    office_hour_table,
    place_table,
    presence_area_table,
)
from planungsraeume.frage import Question
from planungsraeume.region import Region
from planungsraeume.szenario_vorschlag import mobile_scenario, office_hour_scenario
from ui import cached, legend, maps, overlays, sicher, state, widgets
from ui.maplayers import WEB_CRS

__all__ = ["mobile_section", "point_layer", "presence_section", "suggestion_section"]

COLOURS = {"eigene Stelle": "#0b5394", "Sprechstunde": "#2a788e", "Veranstaltung": "#6a3d9a",
           "Vorschlag": "#c25400", "Halt": "#c25400", "Depot": "#1a1a1a"}


def point_layer(points: gpd.GeoDataFrame, kinds: list[str], texts: list[str],
                name: str) -> folium.FeatureGroup:
    """Points as circles coloured by kind (:data:`COLOURS`), with escaped tooltips."""
    group = folium.FeatureGroup(name=name)
    web = points.to_crs(WEB_CRS)
    for geometry, kind, text in zip(web.geometry, kinds, texts, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        folium.CircleMarker([float(geometry.y), float(geometry.x)], radius=9, weight=3,
                            color=COLOURS.get(kind, "#1a1a1a"), fill=True, fill_color="#ffffff",
                            fill_opacity=0.9, tooltip=sicher.tooltip(text)).add_to(group)
    return group


def _map(region: Region, groups: list[Any], kinds: list[str], key: str, label: str) -> None:
    layers = cached.map_layers(region)
    entries = [legend.LegendEntry("punkt", COLOURS[k], k) for k in dict.fromkeys(kinds)]
    groups = [overlays.area_layer(layers.areas, layers.area_labels), *groups,
              legend.legend_layer(legend.legend_html(extra=[("Orte", entries)], streets=False))]
    view = maps.fit_view(layers.basemap.bounds, width_px=760, height_px=520)
    fmap = maps.base_map(layers.basemap, online_tiles=state.online_tiles(), view=view,
                         label=label)
    legend.show_map(fmap, key=key, height=520, use_container_width=True, center=view[0],
              zoom=view[1], returned_objects=[],
              feature_group_to_add=[maps.localize_assets(g) for g in groups])


def _save_form(region: Region, key: str, make: Callable[[str, str], Scenario]) -> None:
    """Save the shown suggestion as a scenario (compared on the page Szenarien & Standorte)."""
    from layers.angebote import service_type_keys
    from layers.szenarien import save_scenario

    with st.form(key):
        st.markdown("**Als Szenario speichern** – vergleichen Sie es dann auf der Seite "
                    "„Szenarien & Standorte“ mit dem heutigen Stand.")
        cols = st.columns(2)
        name = cols[0].text_input("Name des Szenarios", key=f"{key}_name")
        typ = cols[1].selectbox("Angebotstyp der neuen Angebote", list(service_type_keys()),
                                key=f"{key}_typ")
        submitted = st.form_submit_button("Speichern", icon=":material/save:")
    if not submitted:
        return
    try:
        scenario = make(name.strip(), str(typ))
        save_scenario(region.store, scenario)
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        return
    st.success(escape_markdown(f"Szenario „{scenario.name}“ gespeichert "
                               f"({len(scenario.aenderungen)} neue Angebote)."))


def _provider(region: Region, key: str) -> str | None:
    providers = praesenz.provider_list(region)
    if not len(providers):
        st.info("Im Angebotsverzeichnis ist kein Träger eingetragen.", icon=":material/info:")
        return None
    names = providers["traeger"].astype(str).tolist()
    return str(st.selectbox("Träger", names, key=key,
                            help="Träger aus dem Angebotsverzeichnis und der Präsenzliste"))


def presence_section(region: Region, frage: Question) -> None:
    """All places of a provider on the map with the list beside, and the table per area."""
    provider = _provider(region, "praesenz_traeger")
    if provider is None:
        return
    places = praesenz.places(region, frage, provider)
    reach = praesenz.reach_by_area(region, frage, provider)
    total = reach[reach["pr_id"] == "gesamt"].iloc[0]
    cols = st.columns(4)
    for col, kind in zip(cols, ("eigene Stelle", "Sprechstunde", "Veranstaltung"), strict=False):
        col.metric(kind, widgets.format_number(int((places["art"] == kind).sum())))
    cols[3].metric(f"erreichen in {frage.minutes_label()}",
                   widgets.format_percent(100 * float(total["anteil_erreicht"])),
                   help=f"{widgets.format_number(total['erreicht'])} von "
                        f"{widgets.format_number(total['einwohner'])} Einwohnern erreichen eine "
                        f"Stelle oder Sprechstunde {frage.profile_label()}")
    shown = place_table(places)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        texts = [f"{a}: {n}" + (f" (in Räumen von {g})" if isinstance(g, str) and g else "")
                 for a, n, g in zip(places["art"], places["name"], places["gastgeber"],
                                    strict=True)]
        _map(region, [point_layer(places, list(places["art"]), texts, "Präsenz")],
             list(places["art"]), "praesenz_karte", f"Karte der Präsenz von {provider}")
    with right:
        widgets.table(shown[["Art", "Name", "Zeiten", "Nr."]], full=False, height=520)
    st.markdown("**Je Planungsraum**")
    areas = presence_area_table(praesenz.places_by_area(region, frage, provider), reach)
    widgets.table(areas)
    st.caption("Veranstaltungen der letzten 12 und der nächsten 6 Monate. „Erreichen die "
               "Präsenz“: Einwohner, die eine eigene Stelle oder Sprechstunde des Trägers in der "
               "gewählten Zeit mit dem gewählten Profil erreichen (wie auf der Seite "
               "Erreichbarkeit).")
    downloads = st.columns(3)
    widgets.csv_download("Orte (CSV)", shown, "praesenz_orte.csv", "praesenz_dl_orte",
                         target=downloads[0])
    widgets.csv_download("Planungsräume (CSV)", areas, "praesenz_planungsraeume.csv",
                         "praesenz_dl_pr", target=downloads[1])
    downloads[2].download_button("Präsenz als Ebene (GeoPackage)",
                                 lambda: widgets.geopackage_bytes({"praesenz_orte": places}),
                                 file_name="praesenz.gpkg", key="praesenz_dl_gpkg",
                                 mime="application/geopackage+sqlite3", on_click="ignore")


def suggestion_section(region: Region, frage: Question) -> None:
    """Ranked hosts for a provider's new office hours, on the map and as a table."""
    provider = _provider(region, "vorschlag_traeger")
    if provider is None:
        return
    cols = st.columns(3)
    anzahl = int(cols[0].number_input("Zahl der Sprechstunden", 1, 10, 3, key="vorschlag_k"))
    whom = str(cols[1].radio("Wer soll neu erreicht werden?", ["einwohner", "alter_65_plus"],
                             key="vorschlag_nachfrage", horizontal=True,
                             format_func={"einwohner": "alle", "alter_65_plus": "65+"}.get))
    dauer = int(cols[2].number_input("Dauer (Minuten)", 30, 480, 120, step=30,
                                     key="vorschlag_dauer"))
    try:
        result = praesenz.office_hour_suggestions(region, frage, provider, anzahl,
                                                  nachfrage=whom, dauer_min=dauer)
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        return
    plan = result.plan.vorschlag
    st.markdown(escape_markdown(
        f"{result.kandidaten} mögliche Gastgeber (stufenloser Zugang, lesbare Öffnungszeiten, "
        f"anderer Träger). Erreichen die Präsenz: vorher {widgets.format_number(plan.versorgt_vorher)}, "
        f"mit den Vorschlägen {widgets.format_number(plan.versorgt_nachher)}."))
    table = office_hour_table(result.vorschlaege)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        chosen = result.vorschlaege
        texts = [f"{r}. {n}: {z}" for r, n, z in zip(chosen["rang"], chosen["name"],
                                                     chosen["zeitfenster"], strict=True)]
        _map(region, [point_layer(chosen, ["Vorschlag"] * len(chosen), texts, "Vorschläge")],
             ["Vorschlag"], "vorschlag_karte", "Karte der vorgeschlagenen Sprechstunden")
    with right:
        widgets.table(table[["Rang", "Gastgeber", "Vorschlag Sprechstunde",
                             "neu erreicht (Einwohner)"]], full=False, height=520)
    widgets.table(table)
    st.caption(f"{plan.verfahren}. Das Zeitfenster liegt in den Öffnungszeiten des Gastgebers.")
    widgets.csv_download("Vorschläge (CSV)", table, "sprechstunden_vorschlag.csv",
                         "vorschlag_dl")
    _save_form(region, "vorschlag_szenario", lambda name, typ: office_hour_scenario(
        result, name, typ, dauer_min=dauer))


def mobile_section(region: Region, frage: Question) -> None:
    """Stops and weekly timetable of a mobile office for chosen planning areas."""
    names = region.area_names()
    ids = region.areas()["pr_id"].astype(str).tolist()
    chosen = st.multiselect("Planungsräume", ids, default=ids[:3], key="mobil_pr",
                            format_func=lambda p: f"{p} {names.get(p, '')}")
    cols = st.columns(4)
    anzahl = int(cols[0].number_input("Zahl der Halte", 1, 10, 5, key="mobil_k"))
    standzeit = float(cols[1].number_input("Minuten je Halt", 30, 480, 120, step=30,
                                           key="mobil_standzeit"))
    budget = float(cols[2].number_input("Minuten je Tag", 60, 720, 480, step=30,
                                        key="mobil_budget"))
    beginn = str(cols[3].text_input("Abfahrt", "08:00", key="mobil_beginn"))
    if not chosen:
        st.info("Wählen Sie mindestens einen Planungsraum.", icon=":material/info:")
        return
    try:
        plan = mobiles_buero.mobile_office(region, frage, anzahl, planungsraeume=tuple(chosen),
                                           standzeit_min=standzeit, budget_min=budget,
                                           beginn=beginn)
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        return
    stops, timetable = plan.plan.standorte, mobile_timetable(plan.fahrplan)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        home = region.offers(frage.tag)
        home = home[home["angebot_id"].astype(str) == plan.depot[0]]
        groups = [point_layer(stops, ["Halt"] * len(stops),
                              [f"Halt {r}: {n}" for r, n in zip(stops["rang"], stops["name"],
                                                                strict=True)], "Halte"),
                  point_layer(home, ["Depot"], [f"Depot: {plan.depot[1]}"], "Depot")]
        _map(region, groups, ["Halt", "Depot"], "mobil_karte", "Karte des mobilen Büros")
    with right:
        st.markdown("**Wochenplan**")
        widgets.table(timetable, full=False, height=480)
    widgets.table(mobile_stop_table(stops))
    st.markdown("**Je Planungsraum**")
    widgets.table(mobile_area_table(plan.plan.je_planungsraum))
    for stop, reason in plan.nicht_eingeplant.items():
        st.warning(escape_markdown(f"Nicht eingeplant: {stop} – {reason}"))
    st.caption(escape_markdown(" ".join(plan.hinweise)))
    downloads = st.columns(2)
    widgets.csv_download("Wochenplan (CSV)", timetable, "mobiles_buero_wochenplan.csv",
                         "mobil_dl", target=downloads[0], xlsx=False)
    downloads[1].download_button("Wochenplan (Excel, XLSX)",
                            xlsx_bytes(timetable, blatt="Wochenplan", hinweise=plan.hinweise),
                            file_name="mobiles_buero_wochenplan.xlsx", key="mobil_dl_xlsx",
                            mime=widgets.XLSX_MIME, on_click="ignore")
    _save_form(region, "mobil_szenario", lambda name, typ: mobile_scenario(
        plan, name, typ, standzeit_min=standzeit))
