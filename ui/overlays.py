"""Thematic layers of the app's maps, each a :class:`folium.FeatureGroup`.

Handed to ``st_folium(feature_group_to_add=...)``, which swaps them in the live map without a
reload (see :mod:`ui.maps` for the basemap): planning areas with labels, the selection,
services as symbols, population and other classed polygons, outlines (gaps, hotspots),
isochrones and a start point.
"""

from __future__ import annotations

from typing import Any

import folium
import folium.plugins
import geopandas as gpd

from layers.sicher import escape_html
from ui import sicher, theme

__all__ = [
    "area_layer",
    "classed_layer",
    "isochrone_layer",
    "outline_layer",
    "population_layer",
    "selection_layer",
    "service_layer",
    "service_rows",
    "start_point_layer",
]


def _casing(shapes: dict[str, Any], colour: str, weight: float) -> folium.GeoJson:
    """The casing under an outline (:func:`ui.theme.outline_casing`): 2 px wider, not interactive,
    so that the outline has 3:1 contrast on every fill it can lie on (WCAG 1.4.11)."""
    casing = theme.outline_casing(colour)
    geometry_only = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": f["geometry"], "properties": {}}
        for f in shapes.get("features", [])]}
    return folium.GeoJson(
        geometry_only,
        style_function=lambda _feature: {"color": casing, "weight": weight + 2.0, "opacity": 1.0,
                                         "fill": False},
        interactive=False,
    )


def area_layer(
    areas: dict[str, Any], labels: list[tuple[float, float, str]], *, large_labels: bool = False
) -> folium.FeatureGroup:
    """Planning-area outlines with tooltips and name labels.

    Parameters
    ----------
    areas
        GeoJSON with properties ``pr_id`` and ``name``.
    labels
        ``(lat, lon, text)`` label positions (inside each area).
    large_labels
        Bigger labels (projector).
    """
    group = folium.FeatureGroup(name="Planungsräume")
    _casing(areas, theme.AREA_OUTLINE, 2.0).add_to(group)
    folium.GeoJson(
        sicher.tooltip_data(areas, ["pr_id", "name"]),
        name="Planungsräume",
        style_function=lambda _feature: {
            "color": theme.AREA_OUTLINE, "weight": 2, "fillColor": theme.AREA_OUTLINE,
            "fillOpacity": 0.04,
        },
        highlight_function=lambda _feature: {"weight": 4, "fillOpacity": 0.12},
        tooltip=sicher.geojson_tooltip(["pr_id", "name"], ["Nr.", "Planungsraum"]),
    ).add_to(group)
    css = "sa-area-label sa-gross" if large_labels else "sa-area-label"
    for lat, lon, text in labels:
        number, _, name = text.partition(" ")
        label_html = (f'<span class="{css}"><span class="sa-area-nr">{escape_html(number)}</span>'
                      f'<span class="sa-area-name"> {escape_html(name)}</span></span>')
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(html=label_html,
                                icon_size=(0, 0), class_name="sa-area-label-icon"),
            interactive=False,
            keyboard=False,
        ).add_to(group)
    return group


def selection_layer(
    area: dict[str, Any] | None,
    fade_others: dict[str, Any] | None = None,
    point: tuple[float, float] | None = None,
) -> folium.FeatureGroup:
    """The selected planning area, outlined strongly.

    Optionally the rest of the region faded and a ring around a selected service at ``point``
    (lat, lon).
    """
    group = folium.FeatureGroup(name="Auswahl")
    if point is not None:
        folium.CircleMarker(
            list(point), radius=16, color=theme.AREA_SELECTED, weight=4, fill=False,
            interactive=False,
        ).add_to(group)
    if fade_others is not None:
        folium.GeoJson(
            fade_others,
            style_function=lambda _f: {"color": "#777777", "weight": 1, "fillColor": "#ffffff",
                                       "fillOpacity": theme.FILL_OPACITY["ausgeblendet"]},
            interactive=False,
        ).add_to(group)
    if area is not None:
        _casing(area, theme.AREA_SELECTED, 5.0).add_to(group)
        folium.GeoJson(
            area,
            style_function=lambda _f: {"color": theme.AREA_SELECTED, "weight": 5, "dashArray": "10 5",
                                       "fill": False},
            interactive=False,
        ).add_to(group)
    return group


CLUSTER_ICON = """
function (cluster) {
  var n = cluster.getChildCount();
  return L.divIcon({
    html: '<div class="sa-cluster" role="img" aria-label="' + n + ' Angebote">' + n + '</div>',
    className: 'sa-cluster-icon', iconSize: L.point(38, 38)
  });
}
"""

SERVICE_CALLBACK = """
function callback(row) {
  var fiktiv = row[5] ? ' sa-fiktiv' : '';
  var html = '<div class="sa-symbol"><span class="sa-form sa-' + row[3] + fiktiv
    + '" style="background-color:' + row[4] + '"></span><span class="sa-label">'
    + row[2] + '</span></div>';
  var icon = L.divIcon({html: html, className: 'sa-service-icon', iconSize: null,
                        iconAnchor: [9, 9]});
  // autoPanOnFocus would pan the map on mousedown (focus) and the click would miss the marker.
  var marker = L.marker(new L.LatLng(row[0], row[1]), {icon: icon, title: row[6], alt: row[6],
                                                       keyboard: true, autoPanOnFocus: false});
  // Leaflet makes markers focusable (role=button) but does not activate them with the keyboard:
  // Enter or Space selects the service like a click.
  marker.on('keydown', function (e) {
    var key = e.originalEvent.key;
    if (key === 'Enter' || key === ' ') {
      L.DomEvent.preventDefault(e.originalEvent);
      marker.fire('click', {latlng: marker.getLatLng(), originalEvent: e.originalEvent}, true);
    }
  });
  return marker;
}
"""


def service_rows(services: gpd.GeoDataFrame) -> list[list[Any]]:
    """Compact marker data ``[lat, lon, label, shape, colour, synthetic, title]`` per service.

    ``services`` must be in WGS 84.
    """
    rows = []
    for row in services.itertuples():
        symbol = theme.service_symbol(str(row.typ), getattr(row, "gruppe", None))
        synthetic = str(row.quelle) == "synthetisch"
        title = f"{row.name} ({row.typ}{', fiktiv' if synthetic else ''})"
        rows.append([
            round(float(row.geometry.y), 6), round(float(row.geometry.x), 6),
            escape_html(symbol.kuerzel), symbol.form, symbol.farbe, int(synthetic), title,
        ])
    return rows


def service_layer(services: gpd.GeoDataFrame, *, cluster: bool = True) -> folium.FeatureGroup:
    """Services as symbols (shape and colour by group, text label by type), clustered.

    Markers are keyboard-focusable (Tab, then Enter selects like a click) and carry the service
    name as title.
    """
    group = folium.FeatureGroup(name="Angebote")
    rows = service_rows(services)
    options = {"maxClusterRadius": 45 if cluster else 0, "disableClusteringAtZoom": 16 if cluster else 1,
               "showCoverageOnHover": False, "spiderfyOnMaxZoom": True}
    folium.plugins.FastMarkerCluster(
        rows, callback=SERVICE_CALLBACK, options=options, icon_create_function=CLUSTER_ICON,
        name="Angebote",
    ).add_to(group)
    return group


def population_layer(classes: dict[str, Any]) -> folium.FeatureGroup:
    """Population density classes (dissolved 100 m cells), colour-blind-safe sequential palette."""
    group = folium.FeatureGroup(name="Bevölkerung")
    folium.GeoJson(
        sicher.tooltip_data(classes, ["label"]),
        style_function=lambda feature: {
            "color": feature["properties"]["farbe"], "weight": 0.5,
            "fillColor": feature["properties"]["farbe"],
            "fillOpacity": theme.FILL_OPACITY["bevoelkerung"],
        },
        tooltip=sicher.geojson_tooltip(["label"], ["Einwohner je ha (modelliert)"]),
    ).add_to(group)
    return group


def classed_layer(
    classes: dict[str, Any],
    *,
    name: str,
    tooltip_fields: list[str],
    tooltip_aliases: list[str],
    fill_opacity: float = theme.FILL_OPACITY["klassen"],
) -> folium.FeatureGroup:
    """Dissolved classes (property ``farbe``) as filled polygons with a tooltip in words."""
    group = folium.FeatureGroup(name=name)
    if not classes.get("features"):
        return group  # nothing to draw (folium refuses a tooltip without features)
    folium.GeoJson(
        sicher.tooltip_data(classes, tooltip_fields),
        style_function=lambda feature: {
            "color": feature["properties"]["farbe"], "weight": 0.6,
            "fillColor": feature["properties"]["farbe"], "fillOpacity": fill_opacity,
        },
        tooltip=sicher.geojson_tooltip(tooltip_fields, tooltip_aliases),
    ).add_to(group)
    return group


def outline_layer(
    shapes: dict[str, Any],
    *,
    name: str,
    colour: str,
    dash: str | None = "7 4",
    weight: float = 2.5,
    fill_opacity: float = 0.0,
    tooltip: str | None = None,
) -> folium.FeatureGroup:
    """Polygons drawn as (dashed) outlines, e.g. the Versorgungslücken or Gi* hotspots."""
    group = folium.FeatureGroup(name=name)
    if not shapes.get("features"):
        return group
    style = {"color": colour, "weight": weight, "fillColor": colour, "fillOpacity": fill_opacity}
    if dash:
        style["dashArray"] = dash
    _casing(shapes, colour, weight).add_to(group)
    folium.GeoJson(
        shapes,
        style_function=lambda _feature: style,
        tooltip=sicher.tooltip(tooltip) if tooltip is not None else None,
        interactive=tooltip is not None,
    ).add_to(group)
    return group


def isochrone_layer(areas: dict[str, Any]) -> folium.FeatureGroup:
    """Isochrones (property ``minuten``), the largest first so that smaller ones stay on top."""
    group = folium.FeatureGroup(name="Isochronen")
    features = sorted(areas.get("features", []), key=lambda f: -float(f["properties"]["minuten"]))
    budgets = sorted({float(f["properties"]["minuten"]) for f in features})
    colours = {b: theme.ISOCHRONE_COLOURS[min(i, len(theme.ISOCHRONE_COLOURS) - 1)]
               for i, b in enumerate(budgets)}
    for feature in features:
        minutes = float(feature["properties"]["minuten"])
        colour = colours[minutes]
        one = {"type": "FeatureCollection", "features": [feature]}
        _casing(one, colour, 3.0).add_to(group)
        folium.GeoJson(
            one,
            style_function=lambda _f, c=colour: {"color": c, "weight": 3, "fillColor": c,
                                                  "fillOpacity": 0.12},
            tooltip=sicher.tooltip(f"Erreichbar in {minutes:g} Minuten"),
        ).add_to(group)
    return group


def start_point_layer(lat: float, lon: float, label: str) -> folium.FeatureGroup:
    """The chosen start point of an isochrone: a ring with a cross-hair, with a title."""
    group = folium.FeatureGroup(name="Startpunkt")
    folium.CircleMarker([lat, lon], radius=9, color="#000000", weight=3, fill=True,
                        fill_color="#ffffff", fill_opacity=1.0, tooltip=sicher.tooltip(label)).add_to(group)
    folium.CircleMarker([lat, lon], radius=3, color="#000000", weight=1, fill=True,
                        fill_color="#000000", fill_opacity=1.0, interactive=False).add_to(group)
    return group
