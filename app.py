"""Sozialraum-Atlas: the Streamlit entry point (``streamlit run app.py``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import anmeldung, links
from ui.sidebar import render_sidebar

__all__ = ["PAGES"]

st.set_page_config(
    page_title="Sozialraum-Atlas",
    page_icon=str(Path(__file__).resolve().parent / "ui" / "frontend" / "favicon.png"),
    layout="wide",
    menu_items={"About": "Sozialraum-Atlas: Planungsräume, Beratungslandschaft, Barrieren und "
                         "Erreichbarkeit für die inklusive Sozialplanung. Open Source (MIT)."},
)

#: The pages by their URL path (the role filter of team mode uses these keys).
PAGES = {
    "karte": st.Page("ui/pages/karte.py", title="Karte", icon=":material/map:", url_path="karte"),
    "erreichbarkeit": st.Page("ui/pages/erreichbarkeit.py", title="Erreichbarkeit", icon=":material/accessible:", url_path="erreichbarkeit"),
    "barrieren": st.Page("ui/pages/barrieren.py", title="Barrieren (ICF)", icon=":material/report:", url_path="barrieren"),
    "barrieren-veroeffentlicht": st.Page("ui/pages/barrieren_veroeffentlicht.py", title="Barrieren (veröffentlicht)", icon=":material/report:", url_path="barrieren-veroeffentlicht"),
    "planungsraeume": st.Page("ui/pages/planungsraeume.py", title="Planungsräume", icon=":material/holiday_village:", url_path="planungsraeume"),
    "netzwerk": st.Page("ui/pages/netzwerk.py", title="Netzwerk & Präsenz", icon=":material/hub:", url_path="netzwerk"),
    "szenarien": st.Page("ui/pages/szenarien.py", title="Szenarien & Standorte", icon=":material/add_location_alt:", url_path="szenarien"),
    "konferenz": st.Page("ui/pages/konferenz.py", title="Konferenzmodus", icon=":material/co_present:", url_path="konferenz"),
    "daten": st.Page("ui/pages/daten.py", title="Daten", icon=":material/database:", url_path="daten"),
    "hilfe": st.Page("ui/pages/hilfe.py", title="Hilfe", icon=":material/help:", url_path="hilfe"),
}


links.begin()
render_sidebar()
# Team mode: the login first; each role sees its pages (the database refuses the rest anyway).
me = anmeldung.login_gate()
if me is not None:
    with st.sidebar:
        anmeldung.show_identity(me)
shown = [PAGES[key] for key in anmeldung.allowed_pages(me, list(PAGES))]


def _start() -> None:
    """The address without a page ("/") opens the first page (Karte) under its own address."""
    st.switch_page(shown[0], query_params=st.query_params.to_dict())


# Every page has its own address (/karte too: the default page would live at "/" only and
# /karte would end in Streamlit's English "Page not found"); "/" forwards to /karte.
START = st.Page(_start, title="Start", url_path="start", default=True, visibility="hidden")
page = st.navigation([START, *shown] if shown else list(PAGES.values())[:1])
page.run()
links.finish(page.url_path)
