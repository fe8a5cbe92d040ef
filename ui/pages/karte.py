"""Page 'Karte': planning areas, services, population, gaps and hotspots on the offline map.

The same information stands in tables beside and below it (the map is never the only way to
it).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import streamlit as st

from planungsraeume.frage import Question
from planungsraeume.region import Region
from ui import cached, legend, links, maps, overlays, sidebar, state, widgets
from ui.karte import details, ebenen
from ui.maplayers import MapLayers

__all__ = ["render"]

STEP_FREE = ("stufenloser_zugang",)


def _selection(region: Region, chosen: list[str], step_free: bool) -> gpd.GeoDataFrame:
    """The offers of the chosen types (and step-free ones only), by the one selection rule."""
    if not chosen:
        return cached.offers_web(region).iloc[0:0]
    return cached.selected_offers_web(region, Question(
        angebote="typ:" + ",".join(sorted(chosen)), merkmale=STEP_FREE if step_free else ()))


def _filters(region: Region) -> tuple[list[str], bool]:
    types = sorted(cached.offers_web(region)["typ"].dropna().unique())
    filter_col, access_col = st.columns([3, 1], vertical_alignment="bottom")
    with filter_col:
        chosen = st.multiselect("Angebotstypen", types, key="karte_typen",
                                default=links.initial("typen", "karte_typen", types, types),
                                help="Welche Arten von Angeboten Karte und Tabellen zeigen.")
    links.restore("stufenlos", "karte_stufenlos", parse=lambda t: t == "ja")
    with access_col:
        step_free = st.checkbox("Nur stufenlos zugänglich", key="karte_stufenlos",
                                help="Nur Angebote mit stufenlosem Zugang (Angabe „ja“).")
    return list(chosen), bool(step_free)


def _layer_switches(region: Region) -> dict[str, bool]:
    """The checkboxes of the map layers (disabled where the region lacks the data)."""
    st.markdown("**Ebenen der Karte**")
    population = region.has_population()
    reach = population and region.has_network()
    reports = cached.has_barrier_reports(region)
    switches = {
        "areas": st.checkbox("Planungsräume", value=True, key="ebene_pr"),
        "services": st.checkbox("Angebote", value=True, key="ebene_angebote"),
        "population": st.checkbox(
            "Bevölkerung (modelliert)", value=False, key="ebene_bev", disabled=not population,
            help=None if population else "Diese Region hat keine Bevölkerungsdaten."),
        "gaps": st.checkbox(
            "Versorgungslücken", value=False, key="ebene_luecken", disabled=not reach,
            help=("Bewohnte Zellen, die das gewählte Angebot nicht in der gewählten Zeit "
                  "erreichen (Einstellung auf der Seite „Erreichbarkeit“)." if reach
                  else widgets.network_message(region)
                  or "Ohne Bevölkerungsdaten gibt es keine Versorgungslücken.")),
        "hotspots": st.checkbox(
            "Barriere-Schwerpunkte (geschützt)", value=False, key="ebene_hotspots",
            disabled=not reports,
            help=("Schwerpunkte gemeldeter Barrieren im 250-m-Gitter, nur aus geschützten "
                  "Zellwerten." if reports else "Diese Region hat keine Barrieremeldungen.")),
    }
    available = {"population": population, "gaps": reach, "hotspots": reports}
    return {k: bool(v) and available.get(k, True) for k, v in switches.items()}


def _valid_choice(key: str, options: list[Any]) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = None


def _selection_groups(layers: MapLayers, shown: gpd.GeoDataFrame, area: str | None,
                      service: str | None) -> Any:
    selection = None
    if area:
        feature = [f for f in layers.areas["features"] if f["properties"]["pr_id"] == area]
        selection = {"type": "FeatureCollection", "features": feature}
    point = None
    if service:
        hit = shown[shown["angebot_id"].astype(str) == service]
        point = (float(hit.geometry.y.iloc[0]), float(hit.geometry.x.iloc[0]))
    return overlays.selection_layer(selection, point=point)


def _map(region: Region, shown: gpd.GeoDataFrame, switches: dict[str, bool],
         area: str | None, service: str | None) -> list[str]:
    """Draw the map; returns the captions of the analysis layers."""
    layers = cached.map_layers(region)
    groups = []
    if switches["population"]:
        groups.append(overlays.population_layer(layers.population))
    if switches["areas"]:
        groups.append(overlays.area_layer(layers.areas, layers.area_labels))
    with st.spinner("Analyse-Ebenen werden berechnet …"):
        extra, extra_legend, notes = ebenen.analysis_layers(region, switches["gaps"],
                                                            switches["hotspots"])
    groups += [*extra, _selection_groups(layers, shown, area, service)]
    if switches["services"] and len(shown):
        groups.append(overlays.service_layer(shown))
    groups.append(legend.legend_layer(legend.legend_html(
        services=shown if switches["services"] else None, population=switches["population"],
        areas=switches["areas"], selection=bool(area or service), extra=extra_legend,
    )))
    view = maps.fit_view(layers.basemap.bounds, width_px=600, height_px=640)
    fmap = maps.base_map(layers.basemap, online_tiles=state.online_tiles(),
                         label="Karte der Planungsräume und Angebote", view=view)
    legend.show_map(fmap, key=details.MAP_KEY, height=640, use_container_width=True, center=view[0],
              zoom=view[1], returned_objects=["last_object_clicked"],
              feature_group_to_add=[maps.localize_assets(g) for g in groups],
              on_change=details.on_map_click)
    return notes


def _side_details(overview: Any, shown: gpd.GeoDataFrame, area: str | None,
                  service: str | None) -> None:
    area_ids = [str(v) for v in overview["pr_id"]]
    names = dict(zip(area_ids, overview["name"].astype(str), strict=True))
    st.selectbox("Planungsraum", [None, *area_ids], key=details.AREA_KEY,
                 format_func=lambda v: "– keiner gewählt –" if v is None else f"{v} {names[v]}")
    labels = dict(zip(shown["angebot_id"].astype(str),
                      shown["name"].astype(str) + " (" + shown["typ"].astype(str) + ")",
                      strict=True))
    st.selectbox("Angebot", [None, *labels], key=details.SERVICE_KEY,
                 format_func=lambda v: "– keines gewählt –" if v is None else labels.get(v, v))
    if service:
        details.service_details(shown[shown["angebot_id"].astype(str) == service].iloc[0])
    elif area:
        details.area_details(area, overview, shown)
    else:
        st.markdown("Wählen Sie einen Planungsraum oder ein Angebot – in der Karte oder in den "
                    "Auswahllisten oben.")


def render() -> None:
    """Draw the page."""
    st.title("Karte")
    region = state.region()
    if not widgets.ensure_region_built(region):
        return
    widgets.data_notice(region)
    overview = cached.area_overview(region)
    chosen, step_free = _filters(region)
    shown = _selection(region, chosen, step_free)
    map_col, side_col = st.columns([2, 1], gap="medium")
    step_free_shown = _selection(region, chosen, True)
    with side_col:
        st.metric("Angebote in der Auswahl", len(shown))
        st.metric("davon stufenlos zugänglich", len(step_free_shown))
        switches = _layer_switches(region)
    area_ids = [str(v) for v in overview["pr_id"]]
    service_ids = [str(v) for v in shown["angebot_id"]]
    links.restore("planungsraum", details.AREA_KEY, area_ids)
    links.restore("angebot", details.SERVICE_KEY, service_ids)
    _valid_choice(details.AREA_KEY, [None, *area_ids])
    _valid_choice(details.SERVICE_KEY, [None, *service_ids])
    area = st.session_state.get(details.AREA_KEY)
    service = st.session_state.get(details.SERVICE_KEY)
    types = sorted(cached.offers_web(region)["typ"].dropna().unique())
    links.keep("typen", chosen if sorted(chosen) != types else [])
    links.keep("stufenlos", True if step_free else None)
    links.keep("planungsraum", area)
    links.keep("angebot", service)
    with map_col:
        notes = _map(region, shown, switches, area, service)
        st.caption("Ein Klick (oder Tab und Eingabetaste) auf einen Planungsraum oder ein "
                   "Angebot zeigt rechts die Einzelheiten. Dieselben Angaben stehen in den "
                   "Tabellen unter der Karte.")
        for note in notes:
            st.caption(note)
    with side_col:
        _side_details(overview, shown, area, service)
    ebenen.tables(region, overview, shown, step_free_shown)


sidebar.page_frame()
widgets.guarded(render)
