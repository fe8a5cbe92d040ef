"""Sozialraum-Atlas: the Streamlit entry point (``streamlit run app.py``)."""

from __future__ import annotations

import streamlit as st

from layers.regions import available_regions
from ui import common

st.set_page_config(
    page_title="Sozialraum-Atlas",
    page_icon="🗺️",
    layout="wide",
    menu_items={"About": "Sozialraum-Atlas: Planungsräume, Beratungslandschaft, Barrieren und "
                         "Erreichbarkeit für die inklusive Sozialplanung. Open Source (MIT)."},
)

PAGES = [
    st.Page("ui/pages/karte.py", title="Karte", icon="🗺️", url_path="karte", default=True),
    st.Page("ui/pages/erreichbarkeit.py", title="Erreichbarkeit", icon="🚶", url_path="erreichbarkeit"),
    st.Page("ui/pages/barrieren.py", title="Barrieren (ICF)", icon="🚧", url_path="barrieren"),
    st.Page("ui/pages/planungsraeume.py", title="Planungsräume", icon="🏘️", url_path="planungsraeume"),
    st.Page("ui/pages/konferenz.py", title="Konferenzmodus", icon="📽️", url_path="konferenz"),
    st.Page("ui/pages/daten.py", title="Daten", icon="🗂️", url_path="daten"),
    st.Page("ui/pages/hilfe.py", title="Hilfe", icon="❓", url_path="hilfe"),
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
