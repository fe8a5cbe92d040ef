"""Page 'Barrieren (veröffentlicht)' in team mode: the published barrier figures per area.

Planners, coordinators and readers have no access to the raw barrier reports in the
database at all; what they see is the table the administrator's run of the privacy gate
wrote (``barrieren_veroeffentlicht``, see :mod:`layers.store.postgis.veroeffentlichen`):
persons, reports, inhabitants and rates per planning area, empty where protected.
"""

from __future__ import annotations

import streamlit as st

from layers.sicher import escape_markdown
from layers.store.postgis.richtlinien import PUBLISHED_TABLE
from ui import sidebar, state, widgets

__all__ = ["COLUMNS", "render"]

#: Shown columns and their German headings.
COLUMNS = {"pr_id": "Nr.", "name": "Planungsraum", "personen": "Personen mit Meldungen",
           "meldungen": "Meldungen", "einwohner": "Einwohner",
           "rate_je_1000": "Personen je 1.000 Einw.",
           "rate_eb_je_1000": "je 1.000 Einw. (geglättet)", "hinweis": "Hinweis"}


def render() -> None:
    """Draw the page."""
    st.title("Barrieren (veröffentlicht)")
    region = state.region()
    if not region.has_layer(PUBLISHED_TABLE):
        st.warning("Für diese Region sind noch keine Barrieren-Zahlen veröffentlicht. Die "
                   "Verwaltung veröffentlicht sie mit „sozialraum server veroeffentlichen“.",
                   icon=":material/info:")
        return
    table = region.layer(PUBLISHED_TABLE)
    st.info("Gezeigt werden nur die veröffentlichten, geschützten Zahlen je Planungsraum "
            "(Geheimhaltung: " + escape_markdown(", ".join(sorted(
                {str(v) for v in table["geheimhaltung"].dropna()}))) + "). Einzelmeldungen "
            "sind in der Datenbank für Ihre Rolle nicht lesbar.", icon=":material/lock:")
    if "filter" in table.columns and len(table):
        st.caption(escape_markdown(f"Auswahl: {table['filter'].iloc[0]}"))
    shown = table[[c for c in COLUMNS if c in table.columns]].rename(columns=COLUMNS)
    widgets.table(shown.sort_values("Nr.") if "Nr." in shown.columns else shown)


sidebar.page_frame()
widgets.guarded(render)
