"""The frame around every page: the sidebar (region, online tiles), shared styles, page language."""

from __future__ import annotations

import streamlit as st

from layers.regions import available_regions
from layers.sicher import escape_markdown
from ui import links, sicher, state, theme

__all__ = ["APP_CSS", "A4_PRINT_WIDTH_MM", "PRINT_CSS", "page_frame", "render_sidebar"]

#: Width of the printed content on A4 portrait with 12 mm margins.
A4_PRINT_WIDTH_MM = 186
#: Every page prints legibly on A4: no sidebar, toolbar or buttons; the whole page (Streamlit
#: scrolls inside its main container on screen); columns one below the other; map, figures and
#: tables within the page width and not cut through.
PRINT_CSS = f"""
@page {{ size: A4 portrait; margin: 12mm; }}
@media print {{
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stBottom"], header, .stDownloadButton, .stButton, [data-testid="stFileUploader"]
  {{ display: none !important; }}
  html, body, .stApp, [data-testid="stApp"], [data-testid="stAppViewContainer"],
  [data-testid="stMain"], section.main {{ position: static !important; overflow: visible !important;
    height: auto !important; min-height: 0 !important; margin: 0 !important; }}
  [data-testid="stMainBlockContainer"] {{ max-width: {A4_PRINT_WIDTH_MM}mm !important;
    width: {A4_PRINT_WIDTH_MM}mm !important; padding: 0 !important; margin: 0 !important; }}
  [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap !important; }}
  [data-testid="stColumn"] {{ width: 100% !important; flex: 1 1 100% !important; min-width: 100% !important; }}
  iframe, img, canvas, [data-testid="stDataFrame"], [data-testid="stTable"] {{ max-width: 100% !important; }}
  iframe, img, [data-testid="stMetric"], .sa-figure, [data-testid="stTable"] tr,
  .sa-legende-aussen li {{ break-inside: avoid; page-break-inside: avoid; }}
  h1, h2, h3 {{ break-after: avoid; page-break-after: avoid; }}
  body {{ font-size: 11pt; color: #000 !important; background: #fff !important;
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
"""

APP_CSS = f"""
<style>
/* Visible keyboard focus everywhere (WCAG 2.4.7). */
:focus-visible {{ outline: 3px solid {theme.TEXT} !important; outline-offset: 2px !important; }}
/* Streamlit draws captions with opacity 0.6 (3:1 on white); make them solid and dark enough. */
[data-testid="stCaptionContainer"] {{ opacity: 1 !important; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{ color: {theme.MUTED_TEXT} !important; }}
.sa-figure {{ border: 2px solid {theme.AREA_OUTLINE}; border-radius: 8px; padding: 0.6rem 0.9rem; background: #fff; }}
.sa-figure .sa-wert {{ font-size: 2.2rem; font-weight: 700; color: {theme.TEXT}; line-height: 1.15; }}
.sa-figure .sa-titel {{ font-size: 1.05rem; color: {theme.TEXT}; }}
.sa-figure .sa-vergleich {{ font-size: 0.95rem; color: {theme.MUTED_TEXT}; }}
{PRINT_CSS}
</style>
"""


def render_sidebar() -> None:
    """The sidebar of every page: the region and the choice of online map tiles."""
    with st.sidebar:
        st.markdown("### Sozialraum-Atlas")
        regions = available_regions()
        links.restore("region", state.REGION_KEY, regions)
        current = state.region_name()
        if state.REGION_KEY not in st.session_state:
            st.session_state[state.REGION_KEY] = current if current in regions else regions[0]
        # The box shows the short name (a select box cannot wrap: the full title would be cut
        # off at 200 % zoom); the full title stands below it.
        chosen = st.selectbox(
            "Region", regions, key=state.REGION_KEY, format_func=state.region_short_title,
            help="Die Region, deren Daten alle Seiten zeigen. ÖV-Güteklassen gibt es für Regionen mit "
                 "Fahrplan (in der Demo: Heidelberg).",
        )
        st.caption(escape_markdown(state.region_title(str(chosen))))
        st.toggle(
            "Online-Kartenkacheln (OpenStreetMap)", key=state.TILES_KEY, value=False,
            help="Aus: Die Grundkarte wird aus den Daten der Region gezeichnet und funktioniert "
                 "ohne Internet. An: Kartenkacheln werden aus dem Internet geladen "
                 "(dabei erfährt der Kachel-Server, welchen Kartenausschnitt Sie ansehen).",
        )
        exposed = sicher.network_warning(st.get_option("server.address"))
        from ui.anmeldung import server_url

        if server_url() is None:  # team mode knows the user from the login
            st.text_input(
                "Ihr Name (für das Änderungsprotokoll)", key=state.USER_KEY, max_chars=80,
                placeholder=f"sonst: {state.region().store.user}",
                help="Steht bei Ihren Änderungen im Änderungsprotokoll. Leer: der Name Ihres "
                     "Benutzerkontos am Rechner.")
        if exposed and server_url() is None:  # team mode has a login: the warning is moot
            st.warning(exposed, icon=":material/public:")


def page_frame() -> None:
    """Styles shared by all pages, and the fix of the page language."""
    from ui import assets, barrierefrei

    st.markdown(APP_CSS + barrierefrei.PAGE_CSS, unsafe_allow_html=True)

    with st.sidebar:
        assets.set_page_language()
