"""Sozialraum-Atlas: the Streamlit entry point (``streamlit run app.py``)."""

from __future__ import annotations

import streamlit as st

from layers.regions import available_regions
from ui import common

st.set_page_config(page_title="Sozialraum-Atlas", page_icon="🗺️", layout="wide")

with st.sidebar:
    regions = available_regions()
    current = common.region_name()
    st.selectbox(
        "Region",
        regions,
        index=regions.index(current) if current in regions else 0,
        key="region",
    )

pages = [
    st.Page("ui/pages/karte.py", title="Karte", icon="🗺️", default=True),
]
st.navigation(pages).run()
