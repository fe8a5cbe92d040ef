"""Map legends: entries in words beside every colour and symbol, beside or below the map.

:func:`legend_html` builds the legend of a map (thematic sections, planning areas, services,
population, basemap); :func:`legend_layer` wraps it as a :class:`PageLegend` placed among a map's
feature groups, and :func:`show_map` (the one way the app draws a map) draws the map with the
other groups and the legend on the page below it: collapsible, never over the map, so it hides
nothing and swallows no click meant for the map. :func:`legend_code` is the in-map control for
maps outside the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import branca.element
import folium
import pandas as pd
from jinja2 import Template

from layers.sicher import escape_html, script_json
from ui import theme
from ui.mapdata import STREET_CLASS_LABELS

__all__ = ["LEGEND_PAGE_CSS", "LegendEntry", "PageLegend", "legend_beside", "legend_code",
           "legend_html", "legend_layer", "show_map"]


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
    """JavaScript adding the legend control (replacing an earlier one).

    ``expanded=False`` shows only its "Legende" button (a keyboard-operable disclosure) on small
    maps.
    """
    return LEGEND_CODE % (script_json(position), script_json(" open" if expanded else ""),
                          script_json(legend_html))


class PageLegend(folium.FeatureGroup):
    """A map's legend among its feature groups: drawn on the page by :func:`show_map`, not in the map."""

    def __init__(self, legend_html: str, *, expanded: bool = True) -> None:
        super().__init__(name="Legende", control=False)
        self.legend_html = legend_html
        self.expanded = expanded


def legend_layer(legend_html: str, position: str = "bottomright", *,
                 expanded: bool = True) -> PageLegend:
    """The legend of a map, to put among the groups handed to :func:`show_map`.

    :func:`show_map` shows it below the map (open, collapsible); an open legend inside the map
    covered up to 45 % of it and swallowed clicks. ``position`` is kept for callers; the legend
    is never placed over the map.
    """
    del position
    return PageLegend(legend_html, expanded=expanded)


def show_map(fmap: Any, *, feature_group_to_add: Sequence[Any] = (), **kwargs: Any) -> Any:
    """``st_folium`` with the map's :class:`PageLegend` groups shown below the map.

    Every map of the app is drawn through here (``tests/ui/test_kontrast.py`` has a check that
    no other module calls ``st_folium``). The other keyword arguments go to ``st_folium``.
    """
    from streamlit_folium import st_folium

    legends = [g for g in feature_group_to_add if isinstance(g, PageLegend)]
    groups = [g for g in feature_group_to_add if not isinstance(g, PageLegend)]
    result = st_folium(fmap, feature_group_to_add=groups, **kwargs)
    for group in legends:
        legend_beside(group.legend_html, expanded=group.expanded, below=True)
    return result


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
        text = escape_html(self.text)
        # Outlines are drawn on their casing (ui.overlays): the swatch shows both.
        casing = (f"box-shadow:0 0 0 1px {theme.outline_casing(self.colour)},"
                  f"inset 0 0 0 1px {theme.outline_casing(self.colour)}")
        if self.kind == "flaeche":
            swatch = f'<span class="sa-swatch" style="background:{self.colour}"></span>'
        elif self.kind == "umriss":
            swatch = (f'<span class="sa-swatch" style="background:none;border:3px solid {self.colour};'
                      f'{casing}"></span>')
        elif self.kind == "gestrichelt":
            swatch = (f'<span class="sa-swatch" style="background:none;border:3px dashed {self.colour};'
                      f'{casing}"></span>')
        elif self.kind == "punkt":
            swatch = (f'<span class="sa-form sa-kreis" style="background:#fff;border:3px solid '
                      f'{self.colour};box-shadow:none"></span>')
        else:
            swatch = f'<span class="sa-line" style="border-color:{self.colour}"></span>'
        return f"<li>{swatch}{text}</li>"


def _service_section(services: pd.DataFrame) -> list[str]:
    """Group shapes and colours, the synthetic stripes, clusters and the type abbreviations."""
    parts = ["<h2>Angebote</h2><ul>"]
    for group, colour in theme.GROUP_COLOURS.items():
        shape = theme.GROUP_SHAPES[group]
        parts.append(
            f'<li><span class="sa-form sa-{shape}" style="background-color:{colour}"></span>'
            f"{escape_html(theme.GROUP_SHAPE_LABELS[shape])}: {escape_html(group)}</li>"
        )
    if (services["quelle"] == "synthetisch").any():
        parts.append(
            '<li><span class="sa-form sa-kreis sa-fiktiv" style="background-color:#666"></span>'
            "gestreift: fiktiv (synthetisch)</li>"
        )
    parts.append('<li><span class="sa-cluster" style="width:22px;height:22px;font-size:11px">3</span>Anzahl zusammengefasster Angebote</li>')
    parts.append("</ul><h2>Kürzel</h2><ul>")
    seen = [(theme.service_symbol(str(typ), None).kuerzel, str(typ))
            for typ in services["typ"].dropna().unique()]
    for kuerzel, typ in sorted(seen):
        parts.append(f'<li><span class="sa-label">{escape_html(kuerzel)}</span>{escape_html(typ)}</li>')
    parts.append("</ul>")
    return parts


def _basemap_section() -> list[str]:
    """Street classes and the flat colours of the offline basemap."""
    parts = ["<h2>Grundkarte</h2><ul>"]
    for klasse in ("haupt", "strasse"):
        parts.append(
            f'<li><span class="sa-line" style="border-top-width:{max(2, theme.STREET_WEIGHTS[klasse]):.0f}px;'
            f'border-color:{theme.STREET_COLOURS[klasse]}"></span>{STREET_CLASS_LABELS[klasse]}</li>'
        )
    for name, text in (("gebaeude", "Gebäude"), ("wasser", "Gewässer"), ("gruen", "Grünfläche"), ("wald", "Wald")):
        parts.append(f'<li><span class="sa-swatch" style="background:{theme.BASEMAP_COLOURS[name]}"></span>{text}</li>')
    parts.append("</ul>")
    return parts


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
        parts.append(f"<h2>{escape_html(title)}</h2><ul>")
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
        parts.extend(_service_section(services))
    if population:
        parts.append("<h2>Einwohner je ha (modelliert)</h2><ul>")
        for colour, text in zip(theme.POPULATION_COLOURS, theme.population_class_labels(), strict=True):
            parts.append(f'<li><span class="sa-swatch" style="background:{colour}"></span>{text}</li>')
        parts.append("</ul>")
    if streets:
        parts.extend(_basemap_section())
    parts.append("</div>")
    return "".join(parts)


#: The legend's look on the page itself (outside a map), the same symbols as inside the map.
LEGEND_PAGE_CSS = f"""
<style>
.sa-legende-aussen {{ color:{theme.TEXT}; font-size:15px; line-height:1.3; }}
.sa-legende-aussen summary {{ font-weight:700; cursor:pointer; }}
.sa-legende-aussen h2 {{ font-size:16px !important; margin:6px 0 2px 0 !important;
  padding:0 !important; font-weight:700; }}
.sa-legende-aussen ul {{ list-style:none; margin:0 !important; padding:0 !important; }}
.sa-legende-aussen li {{ display:flex; align-items:center; gap:6px; margin:2px 0 !important;
  font-size:15px !important; }}
.sa-legende-aussen .sa-swatch {{ width:18px; height:12px; border:1px solid #333; flex:none; }}
.sa-legende-aussen .sa-line {{ width:18px; height:0; border-top:3px solid; flex:none; }}
.sa-legende-aussen .sa-form {{ width:14px; height:14px; border:2px solid #fff;
  box-shadow:0 0 0 1px #333; flex:none; display:inline-block; }}
.sa-legende-aussen .sa-kreis {{ border-radius:50%; }}
.sa-legende-aussen .sa-quadrat {{ border-radius:0; }}
.sa-legende-aussen .sa-raute {{ transform: rotate(45deg) scale(0.85); }}
.sa-legende-aussen .sa-fiktiv {{ border-style:dashed; background-image:
  repeating-linear-gradient(45deg, rgba(255,255,255,.55) 0 2px, transparent 2px 5px); }}
.sa-legende-aussen .sa-label {{ background:#fff; font-size:13px; font-weight:600; padding:0 3px;
  border-radius:3px; border:1px solid #777; line-height:16px; }}
.sa-legende-unten details > div {{ columns: 17em auto; column-gap: 24px; }}
.sa-legende-unten h2 {{ break-after: avoid; }}
.sa-legende-unten li {{ break-inside: avoid; }}
.sa-legende-aussen .sa-cluster {{ background:{theme.PRIMARY}; color:#fff; border-radius:50%;
  display:inline-flex; align-items:center; justify-content:center; font-weight:700; flex:none; }}
</style>
"""


def legend_beside(legend_html: str, *, expanded: bool = True, target: Any = None,
                  below: bool = False) -> None:
    """The legend on the page, beside or below its map (never over it); collapsible.

    ``legend_html`` is :func:`legend_html`; ``target`` a Streamlit container (default: here);
    ``below``: under a map as wide as the page, the sections side by side in columns.
    """
    import streamlit as st

    place = target if target is not None else st
    css = "sa-legende-aussen sa-legende-unten" if below else "sa-legende-aussen"
    place.markdown(LEGEND_PAGE_CSS + f'<div class="{css}" role="group" aria-label="Legende">'
             f'<details{" open" if expanded else ""}><summary>Legende</summary>{legend_html}'
             "</details></div>", unsafe_allow_html=True)
