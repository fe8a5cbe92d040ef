"""Map pieces of the Szenarien page: changed cells, the scenario's edits, suggestions."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import streamlit as st

from layers.sicher import escape_html
from layers.szenarien import ScenarioEdit
from planungsraeume.region import Region
from ui import cached, legend, mapdata, maps, overlays, sicher, state, theme
from ui.szenarien import zustand

__all__ = ["CHANGE_COLOURS", "SUGGESTION_COLOUR", "changes_layer", "draw", "label_marker",
           "legend_text", "scenario_markers"]

# Okabe-Ito blue and vermillion: distinguishable with the common colour-vision deficiencies;
# the legend and the tooltips name the meaning in words as well.
CHANGE_COLOURS = {"neu versorgt": "#0072b2", "nicht mehr versorgt": "#d55e00"}
SUGGESTION_COLOUR = "#009e73"


def label_marker(lat: float, lon: float, text: str, title: str, colour: str) -> folium.Marker:
    """A round symbol with a text label and a title (keyboard-focusable)."""
    label = (f'<div class="sa-symbol"><span class="sa-form sa-kreis" '
             f'style="background-color:{colour}"></span><span class="sa-label">'
             f'{escape_html(text)}</span></div>')
    return folium.Marker([lat, lon], icon=folium.DivIcon(html=label, icon_size=None,
                                                         icon_anchor=(9, 9)),
                         tooltip=sicher.tooltip(title), title=title, alt=title, keyboard=True)


def changes_layer(cells: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """Cells newly covered / no longer covered (WGS 84 or region CRS)."""
    group = folium.FeatureGroup(name="Veränderung der Versorgung")
    if len(cells):
        folium.GeoJson(
            sicher.tooltip_data(mapdata.compact_geojson(cells, ["aenderung", "pr_id"]),
                                ["aenderung", "pr_id"]),
            style_function=lambda f: {"color": CHANGE_COLOURS[f["properties"]["aenderung"]],
                                      "weight": 0.5,
                                      "fillColor": CHANGE_COLOURS[f["properties"]["aenderung"]],
                                      "fillOpacity": theme.FILL_OPACITY["szenario"]},
            tooltip=sicher.geojson_tooltip(["aenderung", "pr_id"], ["Zelle", "Planungsraum"]),
        ).add_to(group)
    return group


def scenario_markers(edits: list[ScenarioEdit], offers: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """The scenario's new, moved and closed offers by number, and the chosen point."""
    group = folium.FeatureGroup(name="Szenario")
    by_id = offers.set_index(offers["angebot_id"].astype(str))
    for number, edit in enumerate(edits, start=1):
        if edit.aktion in ("neu", "verschieben") and edit.x is not None and edit.y is not None:
            lat, lon = zustand.to_web(edit.x, edit.y)
            what = "neu" if edit.aktion == "neu" else "verlegt"
            title = f"Änderung {number}: {edit.name or edit.angebot_id} ({what})"
            label_marker(lat, lon, f"{number} {what}", title, theme.AREA_SELECTED).add_to(group)
        if edit.aktion == "schliessen" and str(edit.angebot_id) in by_id.index:
            point = by_id.loc[str(edit.angebot_id)].geometry
            title = f"Änderung {number}: {by_id.loc[str(edit.angebot_id), 'name']} (geschlossen)"
            label_marker(point.y, point.x, f"{number} geschlossen", title, "#555555").add_to(group)
    click = st.session_state.get(zustand.CLICK)
    if click:
        folium.CircleMarker(list(click), radius=9, color="#000000", weight=3, fill=False,
                            tooltip=sicher.tooltip("gewählter Punkt")).add_to(group)
    return group


def legend_text(parts: list[tuple[str, str, str]], services: gpd.GeoDataFrame | None) -> str:
    """Legend HTML: (kind, colour, text) entries plus the service symbols."""
    rows = ["<div><h2>Szenario und Ergebnis</h2><ul>"]
    for kind, colour, text in parts:
        if kind == "flaeche":
            shape = f'<span class="sa-swatch" style="background:{colour}"></span>'
        elif kind == "punkt":
            shape = f'<span class="sa-form sa-kreis" style="background-color:{colour}"></span>'
        else:
            shape = (f'<span class="sa-form sa-kreis" style="background:none;border:3px solid '
                     f'{colour};box-shadow:none"></span>')
        rows.append(f"<li>{shape}{escape_html(text)}</li>")
    rows.append("</ul></div>")
    return "".join(rows) + legend.legend_html(services=services, streets=False)


def draw(region: Region, groups: list[Any], key: str, label: str, *, clickable: bool) -> None:
    """The region map with the planning areas and the given layers."""
    layers = cached.map_layers(region)
    view = maps.fit_view(layers.basemap.bounds, width_px=760, height_px=560)
    fmap = maps.base_map(layers.basemap, online_tiles=state.online_tiles(), label=label, view=view)
    legend.show_map(
        fmap, key=key, height=560, use_container_width=True, center=view[0], zoom=view[1],
        returned_objects=["last_clicked"] if clickable else [],
        on_change=zustand.on_map_click if clickable else None,
        feature_group_to_add=[maps.localize_assets(g) for g in
                              [overlays.area_layer(layers.areas, layers.area_labels), *groups]],
    )
