"""The app's maps do not fight the user: legend outside the map, padded fit, label decluttering."""

from __future__ import annotations

import math
import re
from pathlib import Path

import folium

from ui import legend, maps

UI = Path(__file__).resolve().parents[2] / "ui"


def test_every_map_is_drawn_through_show_map():
    # show_map puts the legend below the map; a direct st_folium call could put it back inside.
    direct = [str(p.relative_to(UI)) for p in UI.rglob("*.py")
              if p.name != "legend.py" and re.search(r"^\s*(?!#).*\bst_folium\(", p.read_text("utf-8"), re.M)
              and "import st_folium" in p.read_text("utf-8")]
    assert not direct, direct


def test_legend_layer_draws_nothing_in_the_map():
    group = legend.legend_layer(legend.legend_html(streets=False, extra=[
        ("Test", [legend.LegendEntry("umriss", "#c25400", "Umriss")])]))
    assert isinstance(group, legend.PageLegend)
    fmap = folium.Map(tiles=None)
    group.add_to(fmap)
    page = fmap.get_root().render()
    assert "sa-legende" not in page and "Umriss" not in page
    assert "Umriss" in group.legend_html
    # The outline swatch shows its casing (black under the vermillion outline).
    assert "box-shadow:0 0 0 1px #000000" in group.legend_html


def test_fit_view_keeps_a_margin_free():
    bounds = [[50.70, 6.00], [50.80, 6.20]]
    (lat, lon), zoom = maps.fit_view(bounds, width_px=800, height_px=600)
    (_, _), tight = maps.fit_view(bounds, width_px=800, height_px=600, padding_px=0)
    assert (lat, lon) == (50.75, 6.10)
    assert zoom <= tight
    # At the chosen zoom the bounds plus the padding fit into the map's width.
    width_px = 256 * 2 ** zoom * (0.20 / 360.0)
    assert width_px + 2 * maps.FIT_PADDING_PX <= 800
    assert zoom % maps.ZOOM_SNAP == 0 and math.isfinite(zoom)


def test_area_labels_are_decluttered_in_the_map_script():
    fmap = maps.base_map(maps.Basemap(bounds=[[50.7, 6.0], [50.8, 6.2]], image_url="data:,",
                                      image_bounds=[[50.7, 6.0], [50.8, 6.2]],
                                      streets={"type": "FeatureCollection", "features": []},
                                      outline={"type": "FeatureCollection", "features": []}))
    page = fmap.get_root().render()
    assert "function declutter()" in page and f"gap = {maps.LABEL_GAP_PX}" in page
    assert "classList.add('sa-verdeckt')" in page
    assert ".sa-area-label.sa-verdeckt { visibility:hidden; }" in maps.MAP_CSS
