"""Local web assets of the app: vendored Leaflet, and the page-language fix.

The map must work offline, but folium and streamlit-folium load Leaflet and its plugins from
public CDNs. This module declares a tiny Streamlit component whose directory (``ui/frontend``)
holds copies of Leaflet 1.9.4 and Leaflet.markercluster 1.5.3 (BSD-2 / MIT, licences beside the
files); Streamlit serves a component's directory under ``component/<name>/``, so the map iframe
(also a component) can load them with a relative URL. Rendering the component once per page also
sets ``<html lang="de">`` in the parent document (Streamlit hard-codes ``lang="en"``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

from layers import settings

__all__ = [
    "COMPONENT_NAME",
    "FRONTEND_DIR",
    "LOCAL_CSS",
    "LOCAL_JS",
    "MAP_DATA_DIR",
    "MAP_DATA_NAME",
    "SERVED_NAME",
    "asset_path",
    "asset_url",
    "map_data_url",
    "register_components",
    "set_page_language",
]

FRONTEND_DIR = Path(__file__).resolve().parent / "frontend"
COMPONENT_NAME = "sozialraum_assets"

_component = components.declare_component(COMPONENT_NAME, path=str(FRONTEND_DIR))
#: The directories Streamlit serves as components (name → path). A component is only registered
#: with the server when it is declared inside a script run; :func:`register_components` makes
#: sure of that when this module was imported before the server ran (``ui.start``).
_SERVED: dict[str, Path] = {COMPONENT_NAME: FRONTEND_DIR}
# The name under which Streamlit serves the directory: "<module>.<name>".
SERVED_NAME: str = getattr(_component, "name", f"{__name__}.{COMPONENT_NAME}")

# Prepared map data (basemap image, street lines) as files in the git-ignored cache, served the
# same way: the browser fetches them once (Streamlit sends them with "Cache-Control: public"; the
# names contain the store version) instead of receiving them inside every rerun's map script.
MAP_DATA_DIR = settings.cache_dir / "kartendaten" / "web"
try:
    MAP_DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError:  # read-only cache: the maps then carry their data inline (see ui.maplayers)
    pass
_map_data = components.declare_component("sozialraum_kartendaten", path=str(MAP_DATA_DIR))
MAP_DATA_NAME: str = getattr(_map_data, "name", f"{__name__}.sozialraum_kartendaten")
_SERVED["sozialraum_kartendaten"] = MAP_DATA_DIR

# Vendored files by the names folium gives its resources (see folium's default_js/default_css).
LOCAL_JS = {
    "leaflet": "vendor/leaflet-1.9.4/leaflet.js",
    "markerclusterjs": "vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js",
}
LOCAL_CSS = {
    "leaflet_css": "vendor/leaflet-1.9.4/leaflet.css",
    "markerclustercss": "vendor/leaflet.markercluster-1.5.3/MarkerCluster.css",
    "markerclusterdefaultcss": "vendor/leaflet.markercluster-1.5.3/MarkerCluster.Default.css",
}


def asset_url(relative: str) -> str:
    """URL of a vendored file as seen from another component's iframe.

    Component iframes live at ``<base>/component/<component name>/index.html``; a relative URL
    into the sibling directory therefore also works behind a ``server.baseUrlPath``.
    """
    return f"../{SERVED_NAME}/{relative}"


def map_data_url(filename: str) -> str:
    """URL of a prepared map data file (in :data:`MAP_DATA_DIR`) as seen from the map iframe."""
    return f"../{MAP_DATA_NAME}/{filename}"


def asset_path(relative: str) -> Path:
    """Path of a vendored file on disk."""
    return FRONTEND_DIR / relative


def register_components() -> None:
    """Register the served directories with the running server if they are not yet.

    ``declare_component`` registers a component only when it runs inside a script run; the
    launcher :mod:`ui.start` imports this module before the server starts, so the first script
    run declares them again (the same names: the module is the same). Outside a server (bare
    imports, AppTest before its first run) this does nothing.
    """
    from streamlit import runtime

    if not runtime.exists():
        return
    registry = runtime.get_instance().component_registry
    for name, path in _SERVED.items():
        if registry.get_component_path(f"{__name__}.{name}") is None:
            components.declare_component(name, path=str(path))


def set_page_language() -> None:
    """Render the invisible component that sets ``<html lang="de">`` on the page.

    Called at the start of every page (:func:`ui.sidebar.render_sidebar`); it also makes sure the
    served directories are registered (:func:`register_components`).
    """
    register_components()
    _component(key="sozialraum_sprache", default=None)
