"""Page 'Karte': planning areas and services on a map, with the same information as a table."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from ui import common

SOURCE_LABEL = {"osm": "OpenStreetMap", "synthetisch": "synthetisch (fiktiv)",
                "import": "Import", "manuell": "manuell erfasst"}


def _map(areas: gpd.GeoDataFrame, services: gpd.GeoDataFrame, basemap: gpd.GeoDataFrame) -> folium.Map:
    bounds = areas.total_bounds
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    if len(basemap):
        colours = {"wasser": "#a6cee3", "gruen": "#d9ead3", "wald": "#b6d7a8"}
        folium.GeoJson(
            basemap.assign(geometry=basemap.geometry.simplify(0.00003)),
            name="Grundkarte (OSM)",
            style_function=lambda f: {
                "fillColor": colours.get(f["properties"]["art"], "#eeeeee"),
                "color": "none",
                "fillOpacity": 0.8,
            },
            interactive=False,
        ).add_to(fmap)
    folium.GeoJson(
        areas[["pr_id", "name", "geometry"]],
        name="Planungsräume",
        style_function=lambda f: {"color": "#1c4587", "weight": 2, "fillOpacity": 0.03},
        tooltip=folium.GeoJsonTooltip(fields=["pr_id", "name"], aliases=["Nr.", "Planungsraum"]),
    ).add_to(fmap)
    group = folium.FeatureGroup(name="Angebote")
    for row in services.itertuples():
        folium.CircleMarker(
            location=[row.geometry.y, row.geometry.x],
            radius=6,
            color="#7f2704" if row.quelle != "synthetisch" else "#54278f",
            fill=True,
            fill_opacity=0.9,
            tooltip=f"{row.name} ({row.typ})",
        ).add_to(group)
    group.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def render() -> None:
    """Draw the page."""
    st.title("Karte")
    if not common.ensure_region_built():
        return
    areas = common.layer("planungsraeume", to_web=True)
    services = common.layer("angebote", to_web=True)
    basemap = common.layer("grundkarte", to_web=True)
    st.caption(
        "Planungsräume der Demo-Region sind aus OSM-Ortsknoten generiert. Angebote mit "
        "Quelle 'synthetisch' sind fiktiv. Kartendaten © OpenStreetMap-Mitwirkende (ODbL)."
    )
    types = sorted(services["typ"].dropna().unique())
    chosen = st.multiselect("Angebotstypen", types, default=types)
    shown = services[services["typ"].isin(chosen)]
    left, right = st.columns([3, 2])
    with left:
        st_folium(_map(areas, shown, basemap), height=560, use_container_width=True,
                  returned_objects=[])
    with right:
        st.metric("Angebote in der Auswahl", len(shown))
        table = pd.DataFrame(
            {
                "Name": shown["name"],
                "Typ": shown["typ"],
                "Stufenlos": shown["stufenloser_zugang"],
                "Quelle": shown["quelle"].map(SOURCE_LABEL).fillna(shown["quelle"]),
            }
        )
        st.dataframe(table, hide_index=True, use_container_width=True, height=500)


common.guarded(render)
