"""Shared pieces of the app: region selection, cached loading, error display."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers import settings
from layers.errors import SozialraumError
from layers.regions import RegionConfig, load_region
from layers.store import GeoPackageStore, open_store

T = TypeVar("T")
WEB_CRS = "EPSG:4326"


def region_name() -> str:
    """The region the app shows (chosen in the sidebar, default from settings)."""
    return str(st.session_state.get("region", settings.default_region))


@st.cache_resource(show_spinner=False)
def region_config(name: str) -> RegionConfig:
    """Parsed region configuration (cached for the server's lifetime)."""
    return load_region(name)


def store(name: str | None = None) -> GeoPackageStore:
    """The store of the current region."""
    return open_store(region_config(name or region_name()))


@st.cache_data(show_spinner=False, max_entries=64)
def _read_layer(name: str, layer: str, token: str, to_web: bool) -> pd.DataFrame:
    frame = open_store(region_config(name)).read_layer(layer)
    if to_web and isinstance(frame, gpd.GeoDataFrame):
        return frame.to_crs(WEB_CRS)
    return frame


def layer(layer_name: str, *, to_web: bool = False) -> Any:
    """Read a layer of the current region; cached until the store changes.

    Parameters
    ----------
    layer_name
        Layer to read.
    to_web
        Return it in WGS 84 for the map.
    """
    name = region_name()
    return _read_layer(name, layer_name, store(name).version_token(), to_web)


def guarded(render: Callable[[], T]) -> T | None:
    """Run a page; show any :class:`SozialraumError` as a German error message."""
    try:
        return render()
    except SozialraumError as exc:
        st.error(str(exc))
        return None


def ensure_region_built() -> bool:
    """Build the current region if its store is missing, with a progress display.

    Returns
    -------
    bool
        Whether the store is ready.
    """
    name = region_name()
    if store(name).exists():
        return True
    from planungsraeume.build import build_region

    with st.status(f"Region '{name}' wird aufgebaut …", expanded=True) as status:
        bar = st.progress(0.0)

        def report(fraction: float, label: str) -> None:
            bar.progress(min(1.0, fraction), text=label or None)

        try:
            result = build_region(name, progress=report)
        except SozialraumError as exc:
            status.update(label="Aufbau fehlgeschlagen", state="error")
            st.error(str(exc))
            return False
        status.update(label=f"Region '{name}' aufgebaut", state="complete")
        st.text(result.summary())
    return True
