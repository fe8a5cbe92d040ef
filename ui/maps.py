"""Building the folium maps of the app: offline basemap, thematic layers, legend, labels.

Two parts are kept apart so that a filter change does not rebuild the whole map in the browser:

* :func:`base_map` — the basemap (pre-rendered areas image and street lines, or online tiles) and
  the view; it changes only with the region, the basemap choice and the map's purpose;
* thematic :class:`folium.FeatureGroup` objects (planning areas, services, population, the
  selection) — handed to ``st_folium(feature_group_to_add=...)``, which swaps them in the live
  map, keeping zoom and position.

Every map loads Leaflet from the vendored copy in ``ui/frontend`` (see :mod:`ui.assets`), never
from the internet; :func:`localize_assets` enforces that.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import branca.element
import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
from jinja2 import Template

from ui import assets, theme
from ui.mapdata import STREET_CLASS_LABELS

OSM_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener">'
    "OpenStreetMap</a>-Mitwirkende (ODbL)"
)
MIN_ZOOM = 10
MAX_ZOOM = 18
ZOOM_SNAP = 0.25


class OfflineAssetError(RuntimeError):
    """A map element wants a script or stylesheet that is not vendored (would need the internet)."""


def localize_assets(fmap: Any) -> Any:
    """Point every script and stylesheet of a map (or feature group) at the vendored copies.

    jQuery, Bootstrap and the awesome-markers plugin that folium adds by default are dropped: the
    app's maps do not use them.

    Raises
    ------
    OfflineAssetError
        If an element needs a resource that has no local copy.
    """
    dropped = {"jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
               "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css"}

    def walk(element: Any) -> Iterable[Any]:
        yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    for element in walk(fmap):
        for attribute, local in (("default_js", assets.LOCAL_JS), ("default_css", assets.LOCAL_CSS)):
            resources = getattr(element, attribute, None)
            if not resources:
                continue
            kept = []
            for name, url in resources:
                if name in dropped:
                    continue
                if name in local:
                    kept.append((name, assets.asset_url(local[name])))
                elif url.startswith("http"):
                    raise OfflineAssetError(f"{type(element).__name__} braucht {name} aus dem Internet ({url}).")
                else:
                    kept.append((name, url))
            setattr(element, attribute, kept)
    return fmap


class _Script(branca.element.MacroElement):
    """A piece of JavaScript run after the map (``map`` is the Leaflet map)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map) { {{ this.code }} })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "Script"
        self.code = code


class _Header(branca.element.MacroElement):
    """CSS for the map's document (its iframe)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        """
    )

    def __init__(self, css: str) -> None:
        super().__init__()
        self._name = "Header"
        self.css = css


MAP_CSS = f"""
.leaflet-container {{ background: {theme.BASEMAP_COLOURS['hintergrund']};
  font-family: "Source Sans Pro", "Segoe UI", Arial, sans-serif; font-size: 14px; }}
.leaflet-container a {{ color: {theme.PRIMARY}; }}
.leaflet-container :focus-visible, .leaflet-marker-icon:focus {{ outline: 3px solid #000;
  outline-offset: 2px; box-shadow: 0 0 0 5px #fff; }}
.leaflet-control-attribution {{ font-size: 12px; color: {theme.TEXT};
  background: rgba(255,255,255,0.9) !important; }}
.sa-symbol {{ display:flex; align-items:center; gap:3px; white-space:nowrap; }}
.sa-form {{ width:14px; height:14px; border:2px solid #fff; box-shadow:0 0 0 1px #333;
  flex:none; }}
.sa-kreis {{ border-radius:50%; }}
.sa-fiktiv {{ border-style:dashed; border-color:#fff; box-shadow:0 0 0 1px #333;
  background-image: repeating-linear-gradient(45deg, rgba(255,255,255,.55) 0 2px, transparent 2px 5px); }}
.sa-label {{ background: rgba(255,255,255,0.92); color:{theme.TEXT}; font-size:12px;
  font-weight:600; padding:0 3px; border-radius:3px; border:1px solid #777; line-height:16px; }}
.sa-cluster {{ background:{theme.PRIMARY}; color:#fff; border:2px solid #fff;
  box-shadow:0 0 0 1px #333; border-radius:50%; width:34px; height:34px; display:flex;
  align-items:center; justify-content:center; font-weight:700; font-size:14px; }}
.sa-area-label {{ color:{theme.AREA_OUTLINE}; font-weight:700; font-size:12px;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; white-space:nowrap;
  transform: translate(-50%, -50%); display:inline-block; pointer-events:none; }}
.sa-area-label.sa-gross {{ font-size:20px; }}
.sa-zoom-klein .sa-area-name {{ display:none; }}
.sa-legende {{ background: rgba(255,255,255,0.95); color:{theme.TEXT}; padding:6px 9px;
  border:1px solid #666; border-radius:4px; max-height: 340px; overflow:auto; line-height:1.3;
  font-size:12px; max-width: 250px; }}
.sa-legende summary {{ font-weight:700; font-size:14px; cursor:pointer; }}
.sa-legende:has(.sa-gross-legende) {{ max-height: 560px; max-width: 400px; }}
.sa-legende h2 {{ font-size:13px; margin:5px 0 2px 0; }}
.sa-legende ul {{ list-style:none; margin:0; padding:0; }}
.sa-legende li {{ display:flex; align-items:center; gap:6px; margin:2px 0; }}
.sa-swatch {{ width:18px; height:12px; border:1px solid #333; flex:none; }}
.sa-line {{ width:18px; height:0; border-top:3px solid; flex:none; }}
.sa-gross-legende {{ font-size:18px; }}
.sa-gross-legende h2 {{ font-size:19px; }}
"""

# German titles and labels for Leaflet's own controls (screen readers, tooltips), and the
# language of the map's document.
A11Y_SCRIPT = """
document.documentElement.lang = 'de';
var container = map.getContainer();
container.setAttribute('role', 'region');
container.setAttribute('aria-label', %(label)s);
function label() {
  var zin = container.querySelector('.leaflet-control-zoom-in');
  var zout = container.querySelector('.leaflet-control-zoom-out');
  if (zin) { zin.title = 'Vergrößern'; zin.setAttribute('aria-label', 'Karte vergrößern'); }
  if (zout) { zout.title = 'Verkleinern'; zout.setAttribute('aria-label', 'Karte verkleinern'); }
  var toggle = container.querySelector('.leaflet-control-layers-toggle');
  if (toggle) { toggle.title = 'Ebenen'; toggle.setAttribute('aria-label', 'Kartenebenen wählen'); }
  container.querySelectorAll('img.leaflet-image-layer').forEach(function (img) {
    img.alt = 'Grundkarte: Gewässer, Grünflächen, Wald und Gebäude'; });
}
label();
map.on('layeradd', label);
// Leaflet focuses the map on mousedown; the browser then scrolls the Streamlit page to show the
// whole map iframe, the map jumps away under the pointer and the click is lost. Focus without
// scrolling instead.
if (map.keyboard && map.keyboard.enabled()) {
  map.keyboard.disable();  // the listener is bound on enable(): re-enable after the patch
  map.keyboard._onMouseDown = function () {
    if (this._focused) { return; }
    this._map._container.focus({preventScroll: true});
  };
  map.keyboard.enable();
}
// Names of planning areas only from zoom 14 on (below, the numbers; they would overlap).
function zoomClass() { container.classList.toggle('sa-zoom-klein', map.getZoom() < 14); }
zoomClass();
map.on('zoomend', zoomClass);
"""


STREETS_FETCH = """
var colours = %(colours)s, weights = %(weights)s;
fetch(%(url)s).then(function (response) { return response.json(); }).then(function (data) {
  var streets = L.geoJSON(data, {interactive: false, style: function (feature) {
    var k = feature.properties.klasse;
    return {color: colours[k] || '#cccccc', weight: weights[k] || 1, opacity: 1};
  }});
  streets.addTo(map);
  streets.bringToBack();
  map.getContainer().setAttribute('data-strassen-geladen', '1');
});
"""


@dataclass
class Basemap:
    """Prepared basemap content (see :mod:`ui.mapdata`).

    Attributes
    ----------
    bounds
        ``[[south, west], [north, east]]`` of the region in WGS 84.
    image_url, image_bounds
        The pre-rendered areas image (``data:`` URL) and its corners.
    streets
        GeoJSON of the street lines (property ``klasse``).
    image_href, streets_href
        URLs of the same image and street lines as files served by the app; when set, the
        browser loads them from there (once) instead of inside the map script.
    outline
        GeoJSON of the region boundary.
    """

    bounds: list[list[float]]
    image_url: str
    image_bounds: list[list[float]]
    streets: dict[str, Any]
    outline: dict[str, Any]
    sizes: dict[str, int] = field(default_factory=dict)
    image_href: str | None = None
    streets_href: str | None = None


def base_map(
    basemap: Basemap,
    *,
    online_tiles: bool = False,
    label: str = "Karte",
    view: tuple[tuple[float, float], float] | None = None,
    scroll_zoom: bool = True,
) -> folium.Map:
    """A Leaflet map with the offline basemap (default) or OpenStreetMap tiles.

    Parameters
    ----------
    basemap
        Prepared basemap content.
    online_tiles
        Draw OpenStreetMap tiles (needs the internet) instead of the offline basemap.
    label
        Accessible name of the map region (read by screen readers).
    view
        Initial centre and zoom (default: the region fitted into a 760 × 620 px map). Pass the
        same to ``st_folium(center=..., zoom=...)``: fitting bounds inside the map's script
        happens before the iframe has its final size and changes the script (a reload).
    scroll_zoom
        Zoom with the mouse wheel (off on pages where the map sits between text).
    """
    centre, zoom = view or fit_view(basemap.bounds)
    fmap = folium.Map(
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        location=list(centre),
        zoom_start=zoom,  # type: ignore[arg-type]  # Leaflet takes fractional zoom
        # As map options (folium's min_zoom/max_zoom only reach a tile layer, and there is none
        # offline); the cluster plugin needs the map's maxZoom.
        minZoom=MIN_ZOOM,
        # Quarter zoom levels, so that a region or an area fills the map instead of a half-empty
        # frame at the next whole level; the +/- buttons still step by one level.
        zoomSnap=ZOOM_SNAP,
        zoomDelta=1,
        maxZoom=MAX_ZOOM,
        scrollWheelZoom=scroll_zoom,
    )
    # The marker-cluster plugin is loaded with the map itself: streamlit-folium loads scripts
    # only once, and cluster layers may arrive later as dynamic feature groups.
    fmap.default_js = [*fmap.default_js, ("markerclusterjs", "")]
    fmap.default_css = [*fmap.default_css, ("markerclustercss", ""), ("markerclusterdefaultcss", "")]
    root: Any = fmap.get_root()
    root.header.add_child(_Header(MAP_CSS))
    if online_tiles:
        folium.TileLayer(
            "OpenStreetMap",
            name="OpenStreetMap (online)",
            attr=OSM_ATTRIBUTION,
            max_zoom=MAX_ZOOM,
            control=False,
        ).add_to(fmap)
    else:
        overlay = folium.raster_layers.ImageOverlay(
            basemap.image_url,
            bounds=basemap.image_bounds,
            name="Grundkarte",
            pixelated=False,
            interactive=False,
            control=False,
            alt="Grundkarte: Gewässer, Grünflächen, Wald und Gebäude",
            attribution="Grundkarte aus " + OSM_ATTRIBUTION,
        )
        if basemap.image_href:
            # folium reads anything that is not an absolute URL as a file path: set it afterwards.
            overlay.url = basemap.image_href
        overlay.add_to(fmap)
        if basemap.streets_href:
            fmap.add_child(_Script(STREETS_FETCH % {
                "url": json.dumps(basemap.streets_href),
                "colours": json.dumps(theme.STREET_COLOURS),
                "weights": json.dumps(theme.STREET_WEIGHTS),
            }))
        else:
            folium.GeoJson(
                basemap.streets,
                name="Straßen",
                style_function=lambda feature: {
                    "color": theme.STREET_COLOURS.get(feature["properties"]["klasse"], "#cccccc"),
                    "weight": theme.STREET_WEIGHTS.get(feature["properties"]["klasse"], 1.0),
                    "opacity": 1.0,
                },
                interactive=False,
                control=False,
                smooth_factor=1.0,
            ).add_to(fmap)
    folium.GeoJson(
        basemap.outline,
        name="Regionsgrenze",
        style_function=lambda _feature: {
            "color": "#555555", "weight": 1.5, "dashArray": "6 4", "fill": False,
        },
        interactive=False,
        control=False,
    ).add_to(fmap)
    fmap.add_child(_Script(A11Y_SCRIPT % {"label": json.dumps(label, ensure_ascii=False)}))
    return localize_assets(fmap)


LEGEND_CODE = """
if (window.saLegende) { window.saLegende.remove(); }
var legend = L.control({position: %s});
legend.onAdd = function () {
  var div = L.DomUtil.create('div', 'sa-legende');
  div.setAttribute('role', 'group'); div.setAttribute('aria-label', 'Legende');
  // Keep the user's choice (open or closed) when the legend is replaced after a filter change.
  var open = window.saLegendeOffen === undefined ? %s : (window.saLegendeOffen ? ' open' : '');
  div.innerHTML = '<details' + open + '><summary>Legende</summary>' + %s + '</details>';
  var details = div.querySelector('details');
  details.addEventListener('toggle', function () { window.saLegendeOffen = details.open; });
  L.DomEvent.disableScrollPropagation(div); L.DomEvent.disableClickPropagation(div);
  return div;
};
legend.addTo(map);
window.saLegende = legend;
"""


class _MapScript(branca.element.MacroElement):
    """JavaScript run with the map as ``map``, even when placed inside a feature group."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map) { {{ this.code }} })({{ this._parent._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "MapScript"
        self.code = code


def legend_code(legend_html: str, position: str = "bottomright", *, expanded: bool = True) -> str:
    """JavaScript adding the legend control (replacing an earlier one); ``expanded=False`` shows
    only its "Legende" button (a keyboard-operable disclosure) on small maps."""
    return LEGEND_CODE % (json.dumps(position), json.dumps(" open" if expanded else ""),
                          json.dumps(legend_html, ensure_ascii=False))


def add_legend(fmap: folium.Map, legend_html: str, position: str = "bottomright") -> None:
    """Add a legend as a Leaflet control (HTML with text; colours are never the only cue)."""
    fmap.add_child(_Script(legend_code(legend_html, position)))


def legend_layer(legend_html: str, position: str = "bottomright", *,
                 expanded: bool = True) -> folium.FeatureGroup:
    """The legend as a dynamic feature group: it changes with the filters without a map reload."""
    group = folium.FeatureGroup(name="Legende", control=False)
    group.add_child(_MapScript(legend_code(legend_html, position, expanded=expanded)))
    return group


# --------------------------------------------------------------------------------------------
# Thematic layers
# --------------------------------------------------------------------------------------------


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
    folium.GeoJson(
        areas,
        name="Planungsräume",
        style_function=lambda _feature: {
            "color": theme.AREA_OUTLINE, "weight": 2, "fillColor": theme.AREA_OUTLINE,
            "fillOpacity": 0.04,
        },
        highlight_function=lambda _feature: {"weight": 4, "fillOpacity": 0.12},
        tooltip=folium.GeoJsonTooltip(fields=["pr_id", "name"], aliases=["Nr.", "Planungsraum"]),
    ).add_to(group)
    css = "sa-area-label sa-gross" if large_labels else "sa-area-label"
    for lat, lon, text in labels:
        number, _, name = text.partition(" ")
        label_html = (f'<span class="{css}"><span class="sa-area-nr">{html.escape(number)}</span>'
                      f'<span class="sa-area-name"> {html.escape(name)}</span></span>')
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
    """The selected planning area, outlined strongly; optionally the rest of the region faded and
    a ring around a selected service at ``point`` (lat, lon)."""
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
                                       "fillOpacity": 0.55},
            interactive=False,
        ).add_to(group)
    if area is not None:
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
            html.escape(symbol.kuerzel), symbol.form, symbol.farbe, int(synthetic), title,
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
        classes,
        style_function=lambda feature: {
            "color": feature["properties"]["farbe"], "weight": 0.5,
            "fillColor": feature["properties"]["farbe"], "fillOpacity": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], aliases=["Einwohner je ha (modelliert)"]),
    ).add_to(group)
    return group


def classed_layer(
    classes: dict[str, Any],
    *,
    name: str,
    tooltip_fields: list[str],
    tooltip_aliases: list[str],
    fill_opacity: float = 0.62,
) -> folium.FeatureGroup:
    """Dissolved classes (property ``farbe``) as filled polygons with a tooltip in words."""
    group = folium.FeatureGroup(name=name)
    if not classes.get("features"):
        return group  # nothing to draw (folium refuses a tooltip without features)
    folium.GeoJson(
        classes,
        style_function=lambda feature: {
            "color": feature["properties"]["farbe"], "weight": 0.6,
            "fillColor": feature["properties"]["farbe"], "fillOpacity": fill_opacity,
        },
        tooltip=folium.GeoJsonTooltip(fields=tooltip_fields, aliases=tooltip_aliases),
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
    folium.GeoJson(
        shapes,
        style_function=lambda _feature: style,
        tooltip=tooltip,
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
        folium.GeoJson(
            {"type": "FeatureCollection", "features": [feature]},
            style_function=lambda _f, c=colour: {"color": c, "weight": 3, "fillColor": c,
                                                  "fillOpacity": 0.12},
            tooltip=f"Erreichbar in {minutes:g} Minuten",
        ).add_to(group)
    return group


def start_point_layer(lat: float, lon: float, label: str) -> folium.FeatureGroup:
    """The chosen start point of an isochrone: a ring with a cross-hair, with a title."""
    group = folium.FeatureGroup(name="Startpunkt")
    folium.CircleMarker([lat, lon], radius=9, color="#000000", weight=3, fill=True,
                        fill_color="#ffffff", fill_opacity=1.0, tooltip=label).add_to(group)
    folium.CircleMarker([lat, lon], radius=3, color="#000000", weight=1, fill=True,
                        fill_color="#000000", fill_opacity=1.0, interactive=False).add_to(group)
    return group


# --------------------------------------------------------------------------------------------
# Legend
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a swatch and its meaning in words.

    ``kind``: ``"flaeche"`` (filled box), ``"umriss"`` (outlined box), ``"gestrichelt"`` (dashed
    outline), ``"linie"`` (a line) or ``"punkt"`` (a ring).
    """

    kind: str
    colour: str
    text: str

    def html(self) -> str:
        """The entry as a list item."""
        text = html.escape(self.text)
        if self.kind == "flaeche":
            swatch = f'<span class="sa-swatch" style="background:{self.colour}"></span>'
        elif self.kind == "umriss":
            swatch = f'<span class="sa-swatch" style="background:none;border:3px solid {self.colour}"></span>'
        elif self.kind == "gestrichelt":
            swatch = f'<span class="sa-swatch" style="background:none;border:3px dashed {self.colour}"></span>'
        elif self.kind == "punkt":
            swatch = (f'<span class="sa-form sa-kreis" style="background:#fff;border:3px solid '
                      f'{self.colour};box-shadow:none"></span>')
        else:
            swatch = f'<span class="sa-line" style="border-color:{self.colour}"></span>'
        return f"<li>{swatch}{text}</li>"


def legend_html(
    *,
    services: pd.DataFrame | None = None,
    population: bool = False,
    areas: bool = True,
    streets: bool = True,
    selection: bool = False,
    large: bool = False,
    extra: Sequence[tuple[str, Sequence[LegendEntry]]] = (),
) -> str:
    """The legend of a map as HTML: symbols and colours always with their meaning in words.

    ``extra`` adds sections (title, entries) before the basemap section, e.g. the classes of a
    thematic layer.
    """
    parts = [f'<div class="{"sa-gross-legende" if large else ""}">']
    for title, entries in extra:
        parts.append(f"<h2>{html.escape(title)}</h2><ul>")
        parts.extend(entry.html() for entry in entries)
        parts.append("</ul>")
    if areas:
        parts.append("<h2>Planungsräume</h2><ul>")
        parts.append(f'<li><span class="sa-line" style="border-color:{theme.AREA_OUTLINE}"></span>Grenze mit Nr. und Name</li>')
        if selection:
            parts.append(f'<li><span class="sa-line" style="border-top-style:dashed;border-color:{theme.AREA_SELECTED}"></span>ausgewählter Planungsraum</li>')
            if services is not None:
                parts.append(f'<li><span class="sa-form sa-kreis" style="background:none;border:3px solid {theme.AREA_SELECTED};box-shadow:none"></span>ausgewähltes Angebot</li>')
        parts.append("</ul>")
    if services is not None and len(services):
        parts.append("<h2>Angebote</h2><ul>")
        for group, colour in theme.GROUP_COLOURS.items():
            shape = theme.GROUP_SHAPES[group]
            parts.append(
                f'<li><span class="sa-form sa-{shape}" style="background-color:{colour}"></span>'
                f"{theme.GROUP_SHAPE_LABELS[shape]}: {group}</li>"
            )
        if (services["quelle"] == "synthetisch").any():
            parts.append(
                '<li><span class="sa-form sa-kreis sa-fiktiv" style="background-color:#666"></span>'
                "gestreift: fiktiv (synthetisch)</li>"
            )
        parts.append('<li><span class="sa-cluster" style="width:22px;height:22px;font-size:11px">3</span>Anzahl zusammengefasster Angebote</li>')
        parts.append("</ul><h2>Kürzel</h2><ul>")
        seen = []
        for typ in services["typ"].dropna().unique():
            kuerzel = theme.service_symbol(str(typ), None).kuerzel
            seen.append((kuerzel, str(typ)))
        for kuerzel, typ in sorted(seen):
            parts.append(f'<li><span class="sa-label">{html.escape(kuerzel)}</span>{html.escape(typ)}</li>')
        parts.append("</ul>")
    if population:
        parts.append("<h2>Einwohner je ha (modelliert)</h2><ul>")
        for colour, text in zip(theme.POPULATION_COLOURS, theme.population_class_labels(), strict=True):
            parts.append(f'<li><span class="sa-swatch" style="background:{colour}"></span>{text}</li>')
        parts.append("</ul>")
    if streets:
        parts.append("<h2>Grundkarte</h2><ul>")
        for klasse in ("haupt", "strasse"):
            parts.append(
                f'<li><span class="sa-line" style="border-top-width:{max(2, theme.STREET_WEIGHTS[klasse]):.0f}px;'
                f'border-color:{theme.STREET_COLOURS[klasse]}"></span>{STREET_CLASS_LABELS[klasse]}</li>'
            )
        for name, text in (("gebaeude", "Gebäude"), ("wasser", "Gewässer"), ("gruen", "Grünfläche"), ("wald", "Wald")):
            parts.append(f'<li><span class="sa-swatch" style="background:{theme.BASEMAP_COLOURS[name]}"></span>{text}</li>')
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def fit_view(bounds: list[list[float]], width_px: int = 760, height_px: int = 620,
             max_zoom: int = 17) -> tuple[tuple[float, float], float]:
    """Centre and the largest zoom level (in steps of ZOOM_SNAP) at which ``bounds`` fit into a map of that size.

    Used with ``st_folium(center=..., zoom=...)``, which moves the live map instead of reloading
    it (fitting the bounds in the map itself would change the map's script and reload it).
    """
    import math

    (south, west), (north, east) = bounds

    def mercator_y(lat: float) -> float:
        rad = math.radians(lat)
        return math.log(math.tan(math.pi / 4 + rad / 2))

    lon_fraction = max(1e-9, (east - west) / 360.0)
    lat_fraction = max(1e-9, (mercator_y(north) - mercator_y(south)) / (2 * math.pi))
    zoom_x = math.log2(width_px / 256.0 / lon_fraction)
    zoom_y = math.log2(height_px / 256.0 / lat_fraction)
    fitting = math.floor(min(zoom_x, zoom_y) / ZOOM_SNAP) * ZOOM_SNAP
    zoom = float(max(MIN_ZOOM, min(max_zoom, fitting)))
    centre = ((south + north) / 2.0, (west + east) / 2.0)
    return centre, zoom
