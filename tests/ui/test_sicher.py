"""ui.sicher and the map layers: folium's tooltip JavaScript run in Node with hostile values.

folium's ``Tooltip`` writes its text into a JavaScript template literal and the GeoJSON tooltip
writes feature properties into ``innerHTML``. The generated JavaScript is run here in Node (the
one Playwright ships, else the system's) with a minimal stand-in for Leaflet; the resulting HTML
is parsed and must contain no injected element, and no injected code may have run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import folium
import pytest

from ui import legend, overlays, sicher

HOSTILE = [
    "<img src=x onerror=\"globalThis.__pwned=1\">",
    "<script>globalThis.__pwned=1</script>",
    "${globalThis.__pwned=1}",
    "`+(globalThis.__pwned=1)+`",
    "\\${globalThis.__pwned=1}",
    "</script><b onclick=\"x\">",
    "\"' onmouseover=\"globalThis.__pwned=1",
]


def _node() -> str | None:
    try:
        import playwright

        bundled = Path(playwright.__file__).parent / "driver" / "node"
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    return shutil.which("node")


NODE = _node()
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js fehlt (kommt mit playwright: python dev.py setup)")

LEAFLET_STUB = """
globalThis.__pwned = undefined;
const __out = [];
const L = {DomUtil: {create: () => ({innerHTML: ''})}};
function __layer(name) {
  return {bindTooltip: (content, options) => { __out.push(typeof content === 'function'
    ? content({feature: globalThis.__feature}).innerHTML : content); }};
}
"""


def _run(script: str, names: list[str], feature: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run folium's script in Node; return the tooltip HTML produced and the marker."""
    assert NODE is not None
    declarations = "".join(f"var {n} = __layer('{n}');\n" for n in names)
    program = (LEAFLET_STUB + f"globalThis.__feature = {json.dumps(feature)};\n" + declarations
               + script + "\nconsole.log(JSON.stringify({html: __out, pwned: globalThis.__pwned ?? null}));")
    result = subprocess.run([NODE, "-e", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(a for a, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _tags(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


def _tooltip_script(tooltip: folium.Tooltip) -> tuple[str, str]:
    marker = folium.Marker([50.77, 6.08])
    marker.add_child(tooltip)
    return tooltip._template.module.script(tooltip), marker.get_name()


@needs_node
@pytest.mark.parametrize("value", HOSTILE)
def test_tooltip_runs_nothing_and_shows_the_text(value):
    script, name = _tooltip_script(sicher.tooltip(f"Kandidat: {value}"))
    result = _run(script, [name])
    assert result["pwned"] is None
    parsed = _tags(result["html"][0])
    assert parsed.tags == ["div"] and not parsed.attrs
    assert "".join(parsed.text).strip() == f"Kandidat: {value}"


@needs_node
def test_raw_folium_tooltip_would_run_the_substitution():
    # Without the helper the same value runs in Node: the test above can fail.
    script, name = _tooltip_script(folium.Tooltip("${globalThis.__pwned=1}"))
    assert _run(script, [name])["pwned"] == 1
    script, name = _tooltip_script(folium.Tooltip("<img src=x onerror=1>"))
    assert "img" in _tags(_run(script, [name])["html"][0]).tags


def _geojson_tooltip_html(data: dict[str, Any], fields: list[str], aliases: list[str],
                          *, safe: bool = True) -> str:
    shown = sicher.tooltip_data(data, fields) if safe else data
    tip = sicher.geojson_tooltip(fields, aliases) if safe else folium.GeoJsonTooltip(fields, aliases)
    layer = folium.GeoJson(shown, tooltip=tip)
    script = tip._template.module.script(tip)
    return str(_run(script, [layer.get_name()], feature=shown["features"][0])["html"][0])


def _area(pr_id: str, name: str) -> dict[str, Any]:
    geometry = {"type": "Polygon", "coordinates": [[[6.0, 50.7], [6.1, 50.7], [6.1, 50.8], [6.0, 50.7]]]}
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": geometry,
                          "properties": {"pr_id": pr_id, "name": name, "farbe": "#fff"}}]}


@needs_node
@pytest.mark.parametrize("value", HOSTILE)
def test_geojson_tooltip_shows_property_values_as_text(value):
    markup = _geojson_tooltip_html(_area(value, value), ["pr_id", "name"], ["Nr.", "Planungsraum"])
    parsed = _tags(markup)
    assert set(parsed.tags) <= {"table", "tr", "th", "td"}, parsed.tags
    assert not parsed.attrs
    assert value in "".join(parsed.text)


@needs_node
def test_raw_geojson_tooltip_would_insert_html():
    markup = _geojson_tooltip_html(_area("PR01", HOSTILE[0]), ["pr_id", "name"], ["Nr.", "Name"],
                                   safe=False)
    assert "img" in _tags(markup).tags


def test_tooltip_data_escapes_only_the_tooltip_fields_and_copies():
    data = _area("<b>", "${x}")
    data["features"][0]["properties"]["andere"] = "<i>"
    shown = sicher.tooltip_data(data, ["pr_id", "name", "fehlt"])
    props = shown["features"][0]["properties"]
    assert props["pr_id"] == "&lt;b&gt;" and props["name"] == "&#x24;{x}" and props["andere"] == "<i>"
    assert "fehlt" not in props
    assert data["features"][0]["properties"]["pr_id"] == "<b>"  # the input is not changed
    assert shown["features"][0]["geometry"] is data["features"][0]["geometry"]


def _rendered(group: folium.FeatureGroup) -> str:
    fmap = folium.Map(tiles=None)
    group.add_to(fmap)
    return str(fmap.get_root().render())


def test_area_layer_escapes_names_in_labels_and_tooltips():
    value = HOSTILE[0]
    page = _rendered(overlays.area_layer(_area(value, value), [(50.75, 6.05, f"{value} {value}")]))
    assert "onerror" in page  # the text is there …
    assert "<img" not in page and "\\u003cimg" not in page  # … but never as a tag
    assert "&lt;img" in page or "\\u0026lt;img" in page  # escaped (folium writes & as \u0026)


def test_service_and_legend_scripts_contain_no_raw_markup():
    import geopandas as gpd
    from shapely.geometry import Point

    services = gpd.GeoDataFrame(
        {"name": ["</script><img src=x onerror=1>"], "typ": ["<b>${x}</b>"], "quelle": ["import"],
         "gruppe": [None]}, geometry=[Point(6.08, 50.77)], crs=4326)
    page = _rendered(overlays.service_layer(services))
    assert "</script><img" not in page and "<b>${x}" not in page
    shown = legend.legend_html(services=services)
    assert "&lt;b&gt;&#x24;{x}&lt;/b&gt;" in shown and "<b>" not in shown
    code = legend.legend_code(shown)
    assert sicher.script_json(shown) in code and "</script" not in code.lower()


def test_label_text_in_div_icons_is_escaped():
    from ui.szenarien import karte

    marker = karte.label_marker(50.77, 6.08, "<img src=x onerror=1>", "${globalThis.__pwned=1}", "#000")
    fmap = folium.Map(tiles=None)
    marker.add_to(fmap)
    page = str(fmap.get_root().render())
    assert "<img src=x" not in page and "\\u003cimg src=x" not in page
    assert "`${globalThis" not in page
