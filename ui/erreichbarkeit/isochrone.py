"""The isochrone of the Erreichbarkeit page: from a chosen offer or a point clicked in the map."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers.errors import SozialraumError
from planungsraeume import erreichbarkeit
from planungsraeume.frage import MINUTES, Question
from planungsraeume.region import Region
from ui import widgets
from ui.erreichbarkeit.karten import CLICK_MAP_KEY
from ui.maplayers import to_region_crs

__all__ = ["ISO_MODES", "ISO_MODE_KEY", "ISO_SERVICE_KEY", "POINT_KEY", "Isochrone", "clicking",
           "compute", "controls", "on_map_click", "table"]

POINT_KEY = "erreich_punkt"
ISO_MODE_KEY = "erreich_iso_art"
ISO_SERVICE_KEY = "erreich_iso_angebot"
ISO_MODES = {"keine": "keine", "angebot": "ab einem Angebot",
             "punkt": "ab einem Punkt in der Karte"}

Isochrone = tuple[gpd.GeoDataFrame | None, tuple[float, float] | None, str]


def clicking() -> bool:
    """Whether the map reports clicks (the isochrone starts at a clicked point)."""
    return st.session_state.get(ISO_MODE_KEY) == "punkt"


def on_map_click() -> None:
    """Remember a click on the map as the start point of an isochrone (before the rerun)."""
    value = st.session_state.get(CLICK_MAP_KEY) or {}
    clicked = value.get("last_clicked") if isinstance(value, dict) else None
    if clicked and clicking():
        st.session_state[POINT_KEY] = (round(float(clicked["lat"]), 6),
                                       round(float(clicked["lng"]), 6))


def controls(selected: gpd.GeoDataFrame) -> None:
    """Where the isochrone starts: none, an offer of the selection, or a point in the map."""
    st.radio("Isochrone – die Fläche, die man in der gewählten Zeit erreicht", list(ISO_MODES),
             key=ISO_MODE_KEY, format_func=ISO_MODES.get, horizontal=True)
    if st.session_state.get(ISO_MODE_KEY) == "angebot":
        ids = [str(v) for v in selected["angebot_id"]]
        names = dict(zip(ids, selected["name"].astype(str) + " ("
                         + selected["typ"].astype(str) + ")", strict=True))
        if st.session_state.get(ISO_SERVICE_KEY) not in ids:
            st.session_state[ISO_SERVICE_KEY] = ids[0]
        st.selectbox("Angebot", ids, key=ISO_SERVICE_KEY, format_func=lambda v: names.get(v, v))
    elif clicking() and not st.session_state.get(POINT_KEY):
        st.info("Klicken Sie in die Karte: Dort beginnt die Isochrone.", icon=":material/touch_app:")


def _start(selected: gpd.GeoDataFrame) -> tuple[tuple[float, float] | None, str]:
    mode = st.session_state.get(ISO_MODE_KEY, "keine")
    if mode == "angebot":
        hit = selected[selected["angebot_id"].astype(str) == str(st.session_state.get(ISO_SERVICE_KEY))]
        if len(hit):
            return (float(hit.geometry.y.iloc[0]), float(hit.geometry.x.iloc[0])), \
                f"ab {hit['name'].iloc[0]}"
    elif mode == "punkt" and st.session_state.get(POINT_KEY):
        lat, lon = (float(v) for v in st.session_state[POINT_KEY])
        return (lat, lon), (f"ab dem Punkt {widgets.format_number(lat, 5)} N, "
                            f"{widgets.format_number(lon, 5)} O")
    return None, ""


def compute(region: Region, frage: Question, selected: gpd.GeoDataFrame) -> Isochrone:
    """The isochrone the user asked for (:func:`erreichbarkeit.point_isochrones`), if any."""
    point, label = _start(selected)
    if point is None:
        return None, None, ""
    x, y = to_region_crs(point[0], point[1], region.crs)
    budgets = [m for m in MINUTES if m <= frage.minuten]
    try:
        return erreichbarkeit.point_isochrones(region, frage, x, y, budgets), point, label
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        return None, point, label


def table(iso: gpd.GeoDataFrame) -> pd.DataFrame:
    """Area and inhabitants within each budget of the isochrone."""
    return pd.DataFrame({
        "Minuten": iso["minuten"].astype(int),
        "Fläche (km²)": iso["flaeche_km2"].astype(float).round(2),
        "Einwohner darin": iso["einwohner"],
        "65 Jahre und älter": iso["alter_65_plus"],
    })
