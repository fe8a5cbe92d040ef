"""The map and the diagram of the cooperation network (Netzwerk page).

Map: one line per cooperating pair (dashed where the cooperation is fictitious demo data), every
offer as a circle - offers without any cooperation as a large orange ring, brokers in purple -,
the planning areas. Every name reaches the browser escaped (:mod:`ui.sicher`). Diagram: the same
network drawn by networkx/matplotlib (a picture, no HTML), offers numbered as in the table.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from planungsraeume.region import Region
from ui import cached, legend, mapdata, maps, overlays, sicher, state
from ui.maplayers import WEB_CRS

__all__ = ["BROKER", "ISOLATED", "LINK", "MAP_KEY", "NODE", "diagram", "line_layer", "network_map",
           "offer_layer"]

MAP_KEY = "netzwerk_karte"
LINK = "#d81b60"
NODE = "#2a788e"
BROKER = "#6a3d9a"
ISOLATED = "#c25400"


def _status(row: Any) -> tuple[str, str]:
    if bool(row.isoliert):
        return ISOLATED, "ohne Kooperation"
    if bool(row.vermittler):
        return BROKER, "Vermittler"
    return NODE, "mit Kooperation"


def offer_layer(network: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Angebote im Netzwerk")
    web = network.to_crs(WEB_CRS)
    for number, row in enumerate(web.itertuples(), start=1):
        colour, status = _status(row)
        fictitious = ", fiktiv" if str(row.quelle) == "synthetisch" else ""
        text = (f"{number}. {row.name} ({row.typ}{fictitious}) – {status}, "
                f"{int(row.grad)} Partner")
        folium.CircleMarker(
            [float(row.geometry.y), float(row.geometry.x)],
            radius=11 if bool(row.isoliert) else 7, color=colour, weight=4 if bool(row.isoliert)
            else 2, fill=True, fill_color="#ffffff" if bool(row.isoliert) else colour,
            fill_opacity=0.9, tooltip=sicher.tooltip(text),
        ).add_to(group)
    return group


def line_layer(lines: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Kooperationen")
    if not len(lines):
        return group
    web = lines.to_crs(WEB_CRS)
    fields = ["name_a", "name_b", "arten"]
    data = mapdata.compact_geojson(web, [*fields, "synthetisch"])
    folium.GeoJson(
        sicher.tooltip_data(data, fields),
        style_function=lambda feature: {
            "color": LINK, "weight": 2.5, "opacity": 0.75,
            "dashArray": "6 4" if feature["properties"].get("synthetisch") else None,
        },
        highlight_function=lambda _feature: {"weight": 5, "opacity": 1.0},
        tooltip=sicher.geojson_tooltip(fields, ["Angebot A", "Angebot B", "Art"]),
    ).add_to(group)
    return group


def network_map(region: Region, network: gpd.GeoDataFrame, lines: gpd.GeoDataFrame) -> None:
    """Lines between cooperating offers, isolated offers marked, brokers, planning areas."""
    layers = cached.map_layers(region)
    groups: list[Any] = [overlays.area_layer(layers.areas, layers.area_labels),
                         line_layer(lines), offer_layer(network)]
    fictitious = bool(len(lines)) and bool(lines["synthetisch"].all())
    sections = [
        ("Kooperationsnetz", [
            legend.LegendEntry("linie", LINK, "Kooperation (gestrichelt: fiktiv, Demodaten)"
                               if fictitious else "Kooperation"),
            legend.LegendEntry("punkt", NODE, "Angebot mit Kooperation"),
            legend.LegendEntry("punkt", BROKER, "Vermittler (verbindet sonst getrennte Teile)"),
            legend.LegendEntry("umriss", ISOLATED, "ohne Kooperation (großer Ring)"),
        ]),
    ]
    groups.append(legend.legend_layer(legend.legend_html(extra=sections, streets=False)))
    view = maps.fit_view(layers.basemap.bounds, width_px=760, height_px=560)
    fmap = maps.base_map(layers.basemap, online_tiles=state.online_tiles(), view=view,
                         label="Karte des Kooperationsnetzes: Linien zwischen kooperierenden "
                               "Angeboten")
    legend.show_map(fmap, key=MAP_KEY, height=560, use_container_width=True, center=view[0],
              zoom=view[1], returned_objects=[],
              feature_group_to_add=[maps.localize_assets(g) for g in groups])


def diagram(network: pd.DataFrame, links: pd.DataFrame) -> Any:
    """The network as a node-link diagram (matplotlib figure); numbers as in the offer table."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    from analyses.kooperation import cooperation_graph

    graph = cooperation_graph(pd.DataFrame(network), links)
    numbers = {str(i): n for n, i in enumerate(network["angebot_id"].astype(str), start=1)}
    connected = graph.subgraph([n for n in graph if graph.degree(n) > 0])
    positions = nx.kamada_kawai_layout(connected) if len(connected) > 1 else \
        {n: (0.0, 0.0) for n in connected}
    alone = [n for n in graph if graph.degree(n) == 0]
    for k, node in enumerate(alone):  # isolated offers in a row below the network
        positions[node] = (-1.0 + 2.0 * (k + 0.5) / max(len(alone), 1), -1.35)
    figure, axis = plt.subplots(figsize=(7.5, 6.2), dpi=110)
    nx.draw_networkx_edges(graph, positions, ax=axis, edge_color=LINK, alpha=0.55, width=1.4)
    rows = network.set_index(network["angebot_id"].astype(str))
    colours = [ISOLATED if rows.loc[n, "isoliert"] else BROKER if rows.loc[n, "vermittler"]
               else NODE for n in graph]
    sizes = [180 + 60 * float(rows.loc[n, "grad"]) for n in graph]
    nx.draw_networkx_nodes(graph, positions, ax=axis, node_color=colours, node_size=sizes,
                           edgecolors="#ffffff", linewidths=1.0)
    nx.draw_networkx_labels(graph, positions, ax=axis, labels={n: str(numbers[n]) for n in graph},
                            font_size=7, font_color="#ffffff")
    if alone:
        axis.text(0, -1.18, "ohne Kooperation", ha="center", fontsize=9, color=ISOLATED)
    axis.set_axis_off()
    axis.margins(0.06)
    figure.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    return figure
