"""The cooperation section of the Netzwerk page: figures, map and diagram with tables, downloads.

Every number comes from :mod:`planungsraeume.kooperation` for the question chosen on the page
(the same offers as every reachability answer); this module only draws and formats.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from layers.errors import SozialraumError
from layers.sicher import escape_html
from planungsraeume import kooperation
from planungsraeume.darstellung.kooperation import (
    cooperation_area_table,
    cooperation_offer_table,
    missing_link_table,
)
from planungsraeume.frage import Question
from planungsraeume.region import Region
from ui import widgets
from ui.kooperation import bearbeiten, karte

__all__ = ["cooperation_section"]


def _metrics(table: pd.DataFrame, share: float, missing: int) -> None:
    cols = st.columns(4)
    cols[0].metric("Angebote im Netz", widgets.format_number(len(table)))
    cols[1].metric("ohne Kooperation", widgets.format_number(int(table["isoliert"].sum())),
                   help="Angebote, die mit keinem anderen Angebot der Auswahl kooperieren")
    cols[2].metric("Vermittler", widgets.format_number(int(table["vermittler"].sum())),
                   help="Angebote, ohne die ihr Teilnetz in getrennte Teile zerfiele")
    cols[3].metric("fehlende Verbindungen", widgets.format_number(missing),
                   help="Sich ergänzende Angebote in Reichweite, die nicht kooperieren")
    if share > 0:
        st.caption(f"{widgets.format_percent(100 * share)} der Kooperationen sind fiktiv "
                   "(quelle = synthetisch, Demodaten) – echte Listen importieren Sie unten.")


def _diagram(network: pd.DataFrame, links: pd.DataFrame) -> None:
    """The diagram as a PNG with a text alternative (screen readers; the tables say the same)."""
    import base64
    import io

    import matplotlib.pyplot as plt

    figure = karte.diagram(network, links)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    alt = (f"Netzwerkdiagramm: {len(network)} Angebote, {len(links)} Kooperationen, "
           f"{int(network['isoliert'].sum())} ohne Kooperation, "
           f"{int(network['vermittler'].sum())} Vermittler; Einzelheiten in den Tabellen.")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    st.markdown(f'<img src="data:image/png;base64,{data}" alt="{escape_html(alt)}" '
                'style="max-width:100%">', unsafe_allow_html=True)


def cooperation_section(region: Region, frage: Question) -> None:
    """Figures, the map with the offer table, the diagram with the area table, missing links."""
    try:
        network = kooperation.network(region, frage)
        links = kooperation.cooperations(region, frage)
        lines = kooperation.cooperation_lines(region, frage)
        by_area = kooperation.network_by_area(region, frage)
        missing = kooperation.missing(region, frage)
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        bearbeiten.edit_section(region)
        return
    _metrics(network, kooperation.synthetic_share(region, frage), len(missing))
    offers = cooperation_offer_table(network)
    offers.insert(0, "Nr. im Diagramm", range(1, len(offers) + 1))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown("**Karte des Netzwerks**")
        karte.network_map(region, network, lines)
    with right:
        st.markdown("**Angebote und ihre Partner**")
        widgets.table(offers[["Nr. im Diagramm", "Angebot", "Partner", "ohne Kooperation",
                              "Vermittler"]], full=False, height=560)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown("**Netzwerkdiagramm**")
        _diagram(network, links)
        st.caption("Punkte = Angebote (Nummer wie in der Tabelle), Linien = Kooperationen; "
                   "lila = Vermittler, orange = ohne Kooperation (unten in einer Reihe), Größe "
                   "nach Zahl der Partner. Dieselben Zahlen stehen in den Tabellen.")
    with right:
        st.markdown("**Je Planungsraum**")
        areas = cooperation_area_table(by_area)
        widgets.table(areas, full=False, height=560)
    st.subheader(f"Fehlende Verbindungen ({frage.minutes_label()} {frage.profile_label()})",
                 anchor=False)
    shown_missing = missing_link_table(missing)
    if len(shown_missing):
        widgets.table(shown_missing)
    else:
        st.markdown("Keine: Alle sich ergänzenden Angebote in Reichweite kooperieren schon.")
    st.caption("Warum sich zwei Angebotstypen ergänzen, steht als Begründung bei jeder "
               "fehlenden Verbindung; „in Reichweite“ heißt: über das Wegenetz in "
               "der gewählten Zeit mit dem gewählten Profil (wie auf der Seite Erreichbarkeit).")
    with st.expander("Alle Angaben je Angebot"):
        widgets.table(offers)
    stem = f"kooperation_{region.name}"
    cols = st.columns(3)
    widgets.csv_download("Angebote (CSV)", offers, f"{stem}_angebote.csv", "koop_dl_angebote",
                         target=cols[0])
    widgets.csv_download("Planungsräume (CSV)", areas, f"{stem}_planungsraeume.csv",
                         "koop_dl_pr", target=cols[1])
    widgets.csv_download("Fehlende Verbindungen (CSV)", shown_missing, f"{stem}_fehlend.csv",
                         "koop_dl_fehlend", target=cols[2])
    bearbeiten.edit_section(region)
