"""Page 'Netzwerk & Präsenz': who cooperates with whom, and where providers are present.

The cooperation network of the offers (LVR, Integrierte Beratung §3.1.2: a "Bestandsaufnahme
bestehender sozialräumlicher Vernetzungen und Kooperationen"): figures, a map with lines between
cooperating offers and the isolated ones marked, a diagram, tables per offer and planning area,
the missing links of complementary offers in reach, and the import and editing of the list.
Further views: the presence of a provider (own offices, office hours in others' rooms, events,
and who reaches them), suggestions where a provider should hold office hours in others' rooms,
and a mobile office ("rollendes Büro") with a weekly timetable. Everything is computed by
:mod:`planungsraeume.kooperation`, :mod:`planungsraeume.praesenz` and
:mod:`planungsraeume.mobiles_buero` for the question chosen here.
"""

from __future__ import annotations

import streamlit as st

from ui import sidebar, state, widgets
from ui.kooperation import ansicht, praesenz, zugang

__all__ = ["render"]

VIEW_KEY = "netzwerk_ansicht"
VIEWS = {"kooperation": "Kooperationen", "praesenz": "Präsenz eines Trägers",
         "vorschlag": "Sprechstunden-Vorschlag", "mobil": "Mobiles Büro",
         "zugang": "Aufsuchend & Öffnungszeiten"}


def render() -> None:
    """Draw the page."""
    st.title("Netzwerk & Präsenz")
    region = state.region()
    if not widgets.ensure_region_built(region):
        return
    widgets.data_notice(region)
    st.markdown(
        "Wer arbeitet mit wem zusammen? Wo ist ein Träger präsent, wo sollte er Sprechstunden "
        "in den Räumen anderer anbieten, und wo hält ein mobiles Büro?"
    )
    if not widgets.require_network(region):
        return
    view = st.radio("Ansicht", list(VIEWS), key=VIEW_KEY, format_func=VIEWS.get,
                    horizontal=True)
    frage = widgets.question_controls(region, "netzwerk", layout="wide")
    if view == "praesenz":
        praesenz.presence_section(region, frage)
    elif view == "vorschlag":
        praesenz.suggestion_section(region, frage)
    elif view == "mobil":
        praesenz.mobile_section(region, frage)
    elif view == "zugang":
        zugang.access_section(region, frage)
    else:
        ansicht.cooperation_section(region, frage)


sidebar.page_frame()
widgets.guarded(render)
