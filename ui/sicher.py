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

Also here: the upload limit the app checks (:data:`MAX_UPLOAD_MB`, the same number as
``server.maxUploadSize`` in ``.streamlit/config.toml``, which Streamlit enforces itself) and the
warning shown when the server listens on the network (:func:`network_warning`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium

from layers.sicher import escape_html, script_json

__all__ = ["LOCAL_ADDRESSES", "MAX_UPLOAD_MB", "NETWORK_WARNING", "check_upload_size",
           "geojson_tooltip", "html_text", "network_warning", "script_json", "tooltip",
           "tooltip_data", "upload_limit_mb"]

html_text = escape_html

# Uploads larger than this are refused; equal to server.maxUploadSize in .streamlit/config.toml
# (a test checks both). 50 MB hold a service list of several hundred thousand rows or a
# GeoPackage of a city's planning areas.
MAX_UPLOAD_MB = 50

LOCAL_ADDRESSES = frozenset({"localhost", "127.0.0.1", "::1"})
NETWORK_WARNING = (
    "Die App ist im Netz erreichbar und hat keine Anmeldung: Jede Person, die diesen Rechner "
    "erreicht, kann alle Daten sehen und ändern. Für den Betrieb im Netz ist der Teammodus mit "
    "Anmeldung (PostGIS) nötig; bis dahin nur auf diesem Rechner verwenden "
    "(python dev.py app ohne --im-netz)."
)


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


def upload_limit_mb() -> float:
    """The largest upload the app accepts: :data:`MAX_UPLOAD_MB`, or the data layer's import limit
    ``layers.settings.max_file_mb`` (``SOZIALRAUM_MAX_FILE_MB``) if that is lower."""
    from layers import settings

    return float(min(MAX_UPLOAD_MB, settings.max_file_mb))


def check_upload_size(upload: Any, limit_mb: float | None = None) -> str | None:
    """A German message if an upload is larger than the limit, else ``None``.

    Parameters
    ----------
    upload
        A Streamlit ``UploadedFile`` (anything with ``name`` and ``size`` in bytes).
    limit_mb
        The limit in MB (default :func:`upload_limit_mb`).
    """
    if limit_mb is None:
        limit_mb = upload_limit_mb()
    size = int(getattr(upload, "size", 0) or 0)
    if size <= limit_mb * 1024 * 1024:
        return None
    return (f"Die Datei '{getattr(upload, 'name', '')}' ist {size / 1024 / 1024:.1f} MB groß; "
            f"erlaubt sind höchstens {limit_mb:g} MB. Teilen Sie die Datei auf und laden Sie die "
            "Teile nacheinander hoch.")


def network_warning(address: object) -> str | None:
    """:data:`NETWORK_WARNING` if the server's address is not the local machine, else ``None``.

    Parameters
    ----------
    address
        Streamlit's ``server.address`` (empty or ``None`` means every interface).
    """
    text = str(address or "").strip().strip("[]")
    return None if text in LOCAL_ADDRESSES else NETWORK_WARNING
