"""folium pieces that show user text safely; the escaping itself is :mod:`layers.sicher`.

folium hands text to the browser in three ways, each unsafe for raw user text:

* ``folium.Tooltip`` (also what ``tooltip="…"`` of a marker or a GeoJSON layer becomes) puts its
  text into a JavaScript template literal that becomes HTML: ``${…}`` would run on page load and
  ``<img onerror>`` on hover. :func:`tooltip` escapes it (:func:`layers.sicher.escape_html`).
* ``folium.GeoJsonTooltip`` puts the feature properties into ``innerHTML``. :func:`tooltip_data`
  returns a copy of the GeoJSON whose tooltip fields are escaped, :func:`geojson_tooltip` the
  tooltip with escaped labels.
* ``DivIcon(html=…)`` and legends take HTML: build it with :func:`layers.sicher.escape_html`
  around every value (:func:`html_text` here is the same function).

Options such as a marker's ``title`` or ``alt`` are set by Leaflet as DOM properties (plain text);
folium writes them as escaped JSON, so they take the raw text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium

from layers.sicher import escape_html, script_json

__all__ = ["geojson_tooltip", "html_text", "script_json", "tooltip", "tooltip_data"]

html_text = escape_html


def tooltip(text: object, **options: Any) -> folium.Tooltip:
    """A tooltip showing ``text`` literally (no HTML, no ``${…}`` substitution).

    Parameters
    ----------
    text
        Plain text, e.g. a name typed by a planner.
    **options
        Leaflet tooltip options (``sticky``, ``direction`` …).
    """
    return folium.Tooltip(escape_html(text), **options)


def tooltip_data(data: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """A copy of a GeoJSON FeatureCollection with the tooltip ``fields`` HTML-escaped.

    The geometries are shared with ``data`` (not copied); other properties are kept as they are
    (style functions may read them). Missing values become ``""``.
    """
    features = []
    for feature in data.get("features", []):
        properties = dict(feature.get("properties") or {})
        for field in fields:
            if field in properties:
                properties[field] = escape_html(properties[field])
        features.append({**feature, "properties": properties})
    return {**data, "features": features}


def geojson_tooltip(fields: Sequence[str], aliases: Sequence[str], **options: Any) -> folium.GeoJsonTooltip:
    """A GeoJSON tooltip with escaped labels; use it on :func:`tooltip_data` of the same fields."""
    return folium.GeoJsonTooltip(fields=list(fields), aliases=[escape_html(a) for a in aliases],
                                 **options)
