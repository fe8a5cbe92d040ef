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

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import branca.element
import folium
import folium.plugins
from jinja2 import Template

from layers.sicher import script_json
from ui import assets, barrierefrei, theme

OSM_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener">'
    "OpenStreetMap</a>-Mitwirkende (ODbL)"
)
__all__ = [
    "MAX_ZOOM",
    "MIN_ZOOM",
    "OSM_ATTRIBUTION",
    "FIT_PADDING_PX",
    "LABEL_GAP_PX",
    "ZOOM_SNAP",
    "Basemap",
    "OfflineAssetError",
    "base_map",
    "fit_view",
    "localize_assets",
]

MIN_ZOOM = 10
#: Margin kept free around fitted bounds, so that markers at the edge are not cut off (a service
#: symbol with its label is about 18 px high and up to 60 px wide, anchored at its centre).
FIT_PADDING_PX = 32
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
.sa-zoom-klein .sa-area-name, .sa-area-label.sa-kurz .sa-area-name {{ display:none; }}
.sa-area-label.sa-verdeckt {{ visibility:hidden; }}
.sa-legende {{ background: rgba(255,255,255,0.95); color:{theme.TEXT}; padding:6px 9px;
  border:1px solid #666; border-radius:4px; max-height: min(340px, 42vh); overflow:auto;
  line-height:1.3; font-size:12px; max-width: min(250px, 34vw); }}
.leaflet-control-scale-line {{ color:{theme.TEXT}; border-color:{theme.TEXT};
  background: rgba(255,255,255,0.9); font-size:12px; }}
.sa-legende summary {{ font-weight:700; font-size:14px; cursor:pointer; }}
.sa-legende:has(.sa-gross-legende) {{ max-height: min(560px, 55vh); max-width: min(400px, 40vw); }}
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
// Scale bar in metres and kilometres only (Leaflet's default adds "3000 ft").
L.control.scale({metric: true, imperial: false, position: 'bottomleft', maxWidth: 140}).addTo(map);
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
%(declutter)s
"""

# Area labels that would overlap an earlier one (with a small gap) lose their name first, then
# the whole label; the labels come in order of area size (ui.maplayers), so the large areas keep
# theirs. Run again after every zoom, move and layer change (the labels are a dynamic layer).
DECLUTTER_SCRIPT = """
var declutterTimer = null;
function declutter() {
  var kept = [], gap = %(gap)d;
  function free(r) {
    return !kept.some(function (k) { return r.left < k.right + gap && r.right > k.left - gap
      && r.top < k.bottom + gap && r.bottom > k.top - gap; });
  }
  container.querySelectorAll('.sa-area-label').forEach(function (el) {
    el.classList.remove('sa-kurz', 'sa-verdeckt');
  });
  container.querySelectorAll('.sa-area-label').forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (!r.width) { return; }
    if (!free(r)) { el.classList.add('sa-kurz'); r = el.getBoundingClientRect(); }
    if (free(r)) { kept.push(r); } else { el.classList.add('sa-verdeckt'); }
  });
  container.setAttribute('data-beschriftung-geprueft', String(kept.length));
}
function later() { clearTimeout(declutterTimer); declutterTimer = setTimeout(declutter, 60); }
map.on('zoomend moveend layeradd resize', later);
later();
"""
#: Minimum distance in pixels between two area labels.
LABEL_GAP_PX = 4


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


def _offline_basemap(fmap: folium.Map, basemap: Basemap) -> None:
    """The pre-rendered areas image and the street lines (as files by URL where published)."""
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
            "url": script_json(basemap.streets_href),
            "colours": script_json(theme.STREET_COLOURS),
            "weights": script_json(theme.STREET_WEIGHTS),
        }))
        return
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
        control_scale=False,  # Leaflet's default also shows feet and miles: a metric one below
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
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", attr=OSM_ATTRIBUTION,
                         max_zoom=MAX_ZOOM, control=False).add_to(fmap)
    else:
        _offline_basemap(fmap, basemap)
    folium.GeoJson(
        basemap.outline,
        name="Regionsgrenze",
        style_function=lambda _feature: {
            "color": theme.REGION_OUTLINE, "weight": 1.5, "dashArray": "6 4", "fill": False,
        },
        interactive=False,
        control=False,
    ).add_to(fmap)
    declutter = DECLUTTER_SCRIPT % {"gap": LABEL_GAP_PX}
    fmap.add_child(_Script(A11Y_SCRIPT % {"label": script_json(label), "declutter": declutter}))
    fmap.add_child(_Script(barrierefrei.map_script()))
    return localize_assets(fmap)


def fit_view(bounds: list[list[float]], width_px: int = 760, height_px: int = 620,
             max_zoom: int = 17, padding_px: int = FIT_PADDING_PX) -> tuple[tuple[float, float], float]:
    """Centre and the largest zoom level (in steps of ZOOM_SNAP) at which ``bounds`` fit into a map of that size.

    ``padding_px`` is kept free on every side (markers at the edge are not clipped).

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
    inner_w = max(64, width_px - 2 * padding_px)
    inner_h = max(64, height_px - 2 * padding_px)
    zoom_x = math.log2(inner_w / 256.0 / lon_fraction)
    zoom_y = math.log2(inner_h / 256.0 / lat_fraction)
    fitting = math.floor(min(zoom_x, zoom_y) / ZOOM_SNAP) * ZOOM_SNAP
    zoom = float(max(MIN_ZOOM, min(max_zoom, fitting)))
    centre = ((south + north) / 2.0, (west + east) / 2.0)
    return centre, zoom
