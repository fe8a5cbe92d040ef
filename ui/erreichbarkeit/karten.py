"""The maps of the Erreichbarkeit page: travel times, walking distance to stops, ÖV-Güteklassen."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import streamlit as st

from analyses.coverage import time_band_labels
from planungsraeume.frage import Question
from planungsraeume.region import Region
from ui import cached, legend, mapdata, maps, overlays, state, theme
from ui.maplayers import WEB_CRS

__all__ = ["CLICK_MAP_KEY", "MAP_KEY", "quality_map", "reach_map", "stop_map"]

MAP_KEY = "erreich_map"
# streamlit-folium fixes its returned objects when the map is first drawn; the map that reports
# clicks (isochrone from a point) is therefore a separate component with its own key.
CLICK_MAP_KEY = "erreich_map_klick"


def _draw(region: Region, groups: list[Any], *, key: str, label: str, height: int,
          clicking: bool = False, on_change: Any = None) -> None:
    layers = cached.map_layers(region)
    view = maps.fit_view(layers.basemap.bounds, width_px=920, height_px=height)
    fmap = maps.base_map(layers.basemap, online_tiles=state.online_tiles(), label=label, view=view)
    legend.show_map(fmap, key=key, height=height, use_container_width=True, center=view[0],
              zoom=view[1], returned_objects=["last_clicked"] if clicking else [],
              feature_group_to_add=[maps.localize_assets(g) for g in groups],
              on_change=on_change)


def _reach_legend(frage: Question, classes: dict[str, Any], gaps: bool,
                  iso: gpd.GeoDataFrame | None, point: bool) -> list[Any]:
    colours = dict(zip(time_band_labels(), theme.TIME_BAND_COLOURS, strict=True))
    present = {f["properties"]["label"] for f in classes["features"]}
    sections: list[Any] = [("Reisezeit zum nächsten Angebot", [
        legend.LegendEntry("flaeche", colours[label], label) for label in time_band_labels()
        if label in present])]
    if gaps:
        sections.append(("Versorgungslücken", [legend.LegendEntry(
            "gestrichelt", theme.GAP_OUTLINE, f"über {frage.minutes_label()} (bewohnte Zellen)")]))
    if iso is not None:
        sections.append(("Isochrone", [
            legend.LegendEntry("umriss", theme.ISOCHRONE_COLOURS[min(i, 4)],
                               f"erreichbar in {m:g} Min.")
            for i, m in enumerate(sorted(iso["minuten"]))]))
    if point:
        sections.append(("Startpunkt", [legend.LegendEntry("punkt", "#000000",
                                                           "Start der Isochrone")]))
    return sections


def reach_map(region: Region, frage: Question, gaps: dict[str, Any] | None,
              selected: gpd.GeoDataFrame, iso: gpd.GeoDataFrame | None,
              point: tuple[float, float] | None, *, clicking: bool, on_click: Any) -> None:
    """Travel-time classes per cell, gap outline, isochrone, start point, areas and offers."""
    classes = cached.travel_time_classes(region, frage)
    layers = cached.map_layers(region)
    groups: list[Any] = [overlays.classed_layer(
        classes, name="Reisezeit", tooltip_fields=["label", "einwohner_text"],
        tooltip_aliases=["Reisezeit", "Einwohner"])]
    if gaps is not None:
        groups.append(overlays.outline_layer(gaps, name="Versorgungslücken", colour=theme.GAP_OUTLINE,
                                         tooltip="Versorgungslücke"))
    if iso is not None:
        web = iso.to_crs(WEB_CRS)
        groups.append(overlays.isochrone_layer(mapdata.compact_geojson(web, ["minuten"])))
    if point is not None:
        groups.append(overlays.start_point_layer(point[0], point[1], "Startpunkt der Isochrone"))
    groups.append(overlays.area_layer(layers.areas, layers.area_labels))
    if len(selected):
        groups.append(overlays.service_layer(selected))
    sections = _reach_legend(frage, classes, gaps is not None, iso, point is not None)
    groups.append(legend.legend_layer(legend.legend_html(
        services=selected if len(selected) else None, extra=sections, streets=False)))
    _draw(region, groups, key=CLICK_MAP_KEY if clicking else MAP_KEY,
          label="Karte der Reisezeiten je 100-m-Zelle", height=620, clicking=clicking,
          on_change=on_click if clicking else None)
    st.caption(
        "Farbe = Reisezeit von der Zellmitte zum nächsten Angebot der Auswahl über das Wegenetz "
        "(Legende unter der Karte; dieselben Zahlen in den Tabellen). Die Karte ist nie der einzige "
        "Weg zu den Ergebnissen."
    )


def stop_map(region: Region) -> None:
    """Map of the walking distance to the nearest stop per 100 m cell."""
    layers = cached.map_layers(region)
    classes = cached.stop_classes(region)
    ordered = sorted(classes["features"], key=lambda f: f["properties"]["klasse"])
    colours = {f["properties"]["label"]: f["properties"]["farbe"] for f in ordered}
    groups = [
        overlays.classed_layer(classes, name="Weg zur Haltestelle",
                           tooltip_fields=["label", "einwohner_text"],
                           tooltip_aliases=["Fußweg zur nächsten Haltestelle", "Einwohner"]),
        overlays.area_layer(layers.areas, layers.area_labels),
        legend.legend_layer(legend.legend_html(streets=False, extra=[(
            "Fußweg zur nächsten Haltestelle",
            [legend.LegendEntry("flaeche", colour, label) for label, colour in colours.items()])])),
    ]
    _draw(region, groups, key="oev_haltestellen_map",
          label="Karte: Fußweg zur nächsten Haltestelle je 100-m-Zelle", height=560)


def quality_map(region: Region, areas: gpd.GeoDataFrame) -> None:
    """Map of the ÖV-Güteklassen polygons (:func:`erreichbarkeit.quality_class_areas`)."""
    layers = cached.map_layers(region)
    web = areas.to_crs(WEB_CRS)
    web["farbe"] = web["gueteklasse"].map(theme.QUALITY_COLOURS).fillna("#999999")
    web["label"] = "Güteklasse " + web["gueteklasse"].astype(str)
    shapes = mapdata.compact_geojson(web, ["gueteklasse", "label", "farbe"])
    present = set(areas["gueteklasse"].astype(str))
    groups = [
        overlays.classed_layer(shapes, name="ÖV-Güteklassen", tooltip_fields=["label"],
                           tooltip_aliases=["ÖV"], fill_opacity=theme.FILL_OPACITY["guete"]),
        overlays.area_layer(layers.areas, layers.area_labels),
        legend.legend_layer(legend.legend_html(streets=False, extra=[("ÖV-Güteklassen", [
            legend.LegendEntry("flaeche", colour, f"Güteklasse {grade}")
            for grade, colour in theme.QUALITY_COLOURS.items() if grade in present])])),
    ]
    _draw(region, groups, key="oev_map", label="Karte der ÖV-Güteklassen", height=560)
