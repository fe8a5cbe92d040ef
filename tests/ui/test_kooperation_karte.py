"""The cooperation map and diagram with hostile offer names: escaped in every tooltip."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import shapely

from ui.kooperation import karte

HOSTILE = "<img src=x onerror=\"globalThis.__pwned=1\">${globalThis.__pwned=1}"


def _network() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "angebot_id": ["A", "B", "C"], "name": [HOSTILE, "Stelle B", "Stelle C"],
        "typ": ["EUTB", "<b>KoKoBe</b>", "SPZ"], "quelle": ["import", "synthetisch", "osm"],
        "grad": [1, 1, 0], "isoliert": [False, False, True], "vermittler": [False, False, False],
    }, geometry=[shapely.Point(294000, 5628000), shapely.Point(295000, 5628500),
                 shapely.Point(296000, 5629000)], crs=25832)


def _rendered(group: folium.FeatureGroup) -> str:
    fmap = folium.Map(tiles=None)
    group.add_to(fmap)
    return str(fmap.get_root().render())


def test_offer_and_line_tooltips_escape_names():
    network = _network()
    lines = gpd.GeoDataFrame({"angebot_a": ["A"], "name_a": [HOSTILE], "angebot_b": ["B"],
                              "name_b": ["Stelle B"], "arten": ["<script>x</script>"],
                              "synthetisch": [False]},
                             geometry=[shapely.LineString([network.geometry[0],
                                                           network.geometry[1]])], crs=25832)
    for page in (_rendered(karte.offer_layer(network)), _rendered(karte.line_layer(lines))):
        assert "onerror" in page  # the text is there …
        assert "<img" not in page and "\\u003cimg" not in page  # … but never as a tag
        assert "`${globalThis" not in page and "<script>x" not in page
    offers = _rendered(karte.offer_layer(network))
    assert "ohne Kooperation" in offers and "<b>KoKoBe" not in offers


def test_the_diagram_draws_every_offer_once():
    network = _network()
    links = pd.DataFrame({"angebot_a": ["A"], "angebot_b": ["B"], "art": ["Verweis"]})
    figure = karte.diagram(network, links)
    texts = sorted(t.get_text() for t in figure.axes[0].texts)
    assert texts == ["1", "2", "3", "ohne Kooperation"]  # numbers as in the table
