"""Sozialraum-Atlas: the Streamlit entry point (``streamlit run app.py``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from layers.regions import available_regions
from ui import common

st.set_page_config(
    page_title="Sozialraum-Atlas",
    page_icon=str(Path(__file__).resolve().parent / "ui" / "frontend" / "favicon.png"),
    layout="wide",
    menu_items={"About": "Sozialraum-Atlas: Planungsräume, Beratungslandschaft, Barrieren und "
                         "Erreichbarkeit für die inklusive Sozialplanung. Open Source (MIT)."},
)

PAGES = [
    st.Page("ui/pages/karte.py", title="Karte", icon=":material/map:", url_path="karte", default=True),
    st.Page("ui/pages/erreichbarkeit.py", title="Erreichbarkeit", icon=":material/accessible:", url_path="erreichbarkeit"),
    st.Page("ui/pages/barrieren.py", title="Barrieren (ICF)", icon=":material/report:", url_path="barrieren"),
    st.Page("ui/pages/planungsraeume.py", title="Planungsräume", icon=":material/holiday_village:", url_path="planungsraeume"),
    st.Page("ui/pages/szenarien.py", title="Szenarien & Standorte", icon=":material/add_location_alt:", url_path="szenarien"),
    st.Page("ui/pages/konferenz.py", title="Konferenzmodus", icon=":material/co_present:", url_path="konferenz"),
    st.Page("ui/pages/daten.py", title="Daten", icon=":material/database:", url_path="daten"),
    st.Page("ui/pages/hilfe.py", title="Hilfe", icon=":material/help:", url_path="hilfe"),
]

with st.sidebar:
    st.markdown("### Sozialraum-Atlas")
    regions = available_regions()
    current = common.region_name()
    if "region" not in st.session_state:
        st.session_state["region"] = current if current in regions else regions[0]
    st.selectbox(
        "Region",
        regions,
        key="region",
        format_func=common.region_title,
        help="Jede Region ist eine Konfigurationsdatei in data/regions/.",
    )
    st.toggle(
        "Online-Kartenkacheln (OpenStreetMap)",
        key="online_tiles",
        value=False,
        help="Aus: Die Grundkarte wird aus den Daten der Region gezeichnet und funktioniert "
             "ohne Internet. An: Kartenkacheln werden aus dem Internet geladen "
             "(dabei erfährt der Kachel-Server, welchen Kartenausschnitt Sie ansehen).",
    )

st.navigation(PAGES).run()
