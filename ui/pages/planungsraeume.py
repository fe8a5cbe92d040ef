"""Page 'Planungsräume': a profile per planning area.

Part A shows what the stored layers give directly (map, simple figures against the region,
services). The indicators of issue #4, the gaps from the reachability analysis (#3) and the
privacy-controlled barrier summary (#5) are added in part B.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from ui import common, kennzahlen, maps

AREA_KEY = "profil_pr"


def render() -> None:
    """Draw the page."""
    st.title("Planungsräume")
    if not common.ensure_region_built():
        return
    common.data_notice()
    figures = common.area_figures()
    region = kennzahlen.region_figures(figures)
    options = [str(v) for v in figures["pr_id"]]
    names = dict(zip(options, figures["name"].astype(str), strict=True))
    if st.session_state.get(AREA_KEY) not in options:
        st.session_state[AREA_KEY] = options[0]
    st.selectbox("Planungsraum", options, key=AREA_KEY, format_func=lambda v: f"{v} {names[v]}")
    pr_id = st.session_state[AREA_KEY]
    row = figures[figures["pr_id"].astype(str) == pr_id].iloc[0]
    st.header(f"Profil: {pr_id} {row['name']}", anchor=False)

    layers = common.map_layers()
    services = common.services_web()
    inside = services[services["pr_id"] == pr_id]
    map_col, table_col = st.columns([3, 2], gap="medium")
    with map_col:
        selected = [f for f in layers.areas["features"] if f["properties"]["pr_id"] == pr_id]
        others = [f for f in layers.areas["features"] if f["properties"]["pr_id"] != pr_id]
        groups = [
            maps.selection_layer({"type": "FeatureCollection", "features": selected},
                                 fade_others={"type": "FeatureCollection", "features": others}),
            maps.area_layer({"type": "FeatureCollection", "features": selected},
                            [lab for lab in layers.area_labels if lab[2].startswith(f"{pr_id} ")]),
            maps.legend_layer(maps.legend_html(services=inside if len(inside) else None,
                                               selection=True, streets=False)),
        ]
        if len(inside):
            groups.append(maps.service_layer(inside, cluster=False))
        centre, zoom = maps.fit_view(layers.area_bounds[pr_id], width_px=700, height_px=480)
        fmap = maps.base_map(layers.basemap, online_tiles=common.online_tiles(),
                             label=f"Karte des Planungsraums {pr_id}", scroll_zoom=False,
                             view=maps.fit_view(layers.basemap.bounds, width_px=700, height_px=480))
        st_folium(fmap, key="profil_map", height=500, use_container_width=True,
                  returned_objects=[], center=centre, zoom=zoom,
                  feature_group_to_add=[maps.localize_assets(g) for g in groups])
    with table_col:
        st.subheader("Kennzahlen im Vergleich zur Region", anchor=False)
        comparison = pd.DataFrame({
            "Kennzahl": ["Fläche (km²)", "Einwohner (modelliert)", "Anteil 65+ (%)", "Angebote",
                         "Angebote stufenlos zugänglich (%)", "Angebote mit unbekanntem Zugang"],
            "Planungsraum": [
                common.format_number(row["flaeche_km2"], 2), common.format_number(row["einwohner"]),
                common.format_number(row["anteil_65_plus"], 1), common.format_number(row["angebote"]),
                common.format_number(row["anteil_stufenlos"], 1),
                common.format_number(row["angebote_zugang_unbekannt"]),
            ],
            "Region gesamt": [
                common.format_number(region["flaeche_km2"], 2), common.format_number(region["einwohner"]),
                common.format_number(region["anteil_65_plus"], 1), common.format_number(region["angebote"]),
                common.format_number(region["anteil_stufenlos"], 1),
                common.format_number(region["angebote_zugang_unbekannt"]),
            ],
        })
        st.table(comparison.set_index("Kennzahl"))
        st.caption(
            "Einfache Auszählung der Ebenen (Zelle nach Mittelpunkt, Angebot nach Lage). "
            "Noch nicht enthalten: ausführliche Indikatoren, Versorgungslücken aus der "
            "Erreichbarkeitsanalyse und die Barrieren-Übersicht (mit Datenschutz-Regel)."
        )
    st.subheader(f"Angebote im Planungsraum ({len(inside)})", anchor=False)
    table = pd.DataFrame({
        "Name": inside["name"], "Typ": inside["typ"], "Straße": inside["strasse"],
        "Hausnr.": inside["hausnummer"], "Stufenlos": inside["stufenloser_zugang"],
        "Quelle": inside["quelle"],
    })
    st.dataframe(table, hide_index=True, width="stretch")
    st.download_button(
        "Angebote des Planungsraums als CSV herunterladen", common.csv_bytes(table),
        file_name=f"angebote_{pr_id}.csv", mime="text/csv", key="dl_profil",
    )


common.page_frame()
common.guarded(render)
