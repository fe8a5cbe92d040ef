"""Page 'Netzwerk & Präsenz': who cooperates with whom, and where providers are present.

The cooperation network of the offers (LVR, Integrierte Beratung §3.1.2: a "Bestandsaufnahme
bestehender sozialräumlicher Vernetzungen und Kooperationen"): figures, a map with lines between
cooperating offers and the isolated ones marked, a diagram, tables per offer and planning area,
the missing links of complementary offers in reach, and the import and editing of the list.
Everything is computed by :mod:`planungsraeume.kooperation` for the question chosen here.
"""

from __future__ import annotations

import streamlit as st

from ui import sidebar, state, widgets
from ui.kooperation import ansicht

__all__ = ["render"]

VIEW_KEY = "netzwerk_ansicht"


def render() -> None:
    """Draw the page."""
    st.title("Netzwerk & Präsenz")
    region = state.region()
    if not widgets.ensure_region_built(region):
        return
    widgets.data_notice(region)
    st.markdown(
        "Wer arbeitet mit wem zusammen? Welche Angebote stehen allein, welche verbinden das "
        "Netz, und welche sich ergänzenden Angebote in Reichweite kooperieren noch nicht?"
    )
    if not widgets.require_network(region):
        return
    frage = widgets.question_controls(region, "netzwerk", layout="wide")
    ansicht.cooperation_section(region, frage)


sidebar.page_frame()
widgets.guarded(render)
