"""Sections of the planning-area profile: reachability and gaps, protected barrier summary."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from layers import settings
from layers.errors import SozialraumError
from layers.sicher import escape_markdown
from planungsraeume import barrieren, erreichbarkeit
from planungsraeume.darstellung import count_text, rate_text
from planungsraeume.frage import Question
from planungsraeume.region import Region
from ui import cached, widgets

__all__ = ["barriers", "reachability"]


def _reach_metrics(row: pd.Series, region_row: pd.Series, frage: Question) -> None:
    percent, number = widgets.format_percent, widgets.format_number
    cols = st.columns(4)
    cols[0].metric("Einwohner erreichen die Auswahl", percent(row["anteil_erreicht_prozent"]),
                   help=f"Region: {percent(region_row['anteil_erreicht_prozent'])}")
    cols[1].metric("Davon 65 Jahre und älter", percent(row["anteil_ab65_erreicht_prozent"]),
                   help=f"Region: {percent(region_row['anteil_ab65_erreicht_prozent'])}")
    cols[2].metric("Einwohner in Versorgungslücken", number(row["einwohner_nicht_erreicht"]))
    cols[3].metric("Nicht angebunden", number(row["einwohner_nicht_angebunden"]),
                   help="Einwohner weiter als 250 m vom für das Profil passierbaren Wegenetz")
    st.caption(f"Region gesamt: {percent(region_row['anteil_erreicht_prozent'])} der Einwohner "
               f"erreichen {frage.label()}.")


def _gap_cells(inside: pd.DataFrame) -> None:
    top = inside.head(10)
    st.markdown(f"**Größte Versorgungslücken im Planungsraum** ({len(inside)} Zellen)")
    widgets.table(pd.DataFrame({
        "Gitterzelle": top["gitter_id"].astype(str),
        "Einwohner": top["einwohner"].astype(int),
        "65 Jahre und älter": top["alter_65_plus"].astype(int),
        "Minuten bis zum nächsten Angebot": [
            "nicht erreichbar" if pd.isna(m) else widgets.format_number(m, 1)
            for m in top["minuten"]],
    }))


def reachability(region: Region, pr_id: str, frage: Question) -> dict[str, Any] | None:
    """Coverage and gaps of the area; returns the gap outline for the map.

    From :func:`planungsraeume.erreichbarkeit.coverage` and ``gaps``; ``None`` if nothing could
    be computed.
    """
    try:
        with st.spinner("Erreichbarkeit wird berechnet …"):
            table = erreichbarkeit.coverage(region, frage)
            gaps = erreichbarkeit.gaps(region, frage)
            outline = cached.gap_outline(region, frage)[0]
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        return None
    area = table[table["pr_id"] == pr_id]
    if area.empty:
        st.info("In diesem Planungsraum wohnt nach dem Bevölkerungsmodell niemand.")
        return None
    _reach_metrics(area.iloc[0], table[table["pr_id"] == "gesamt"].iloc[0], frage)
    inside = gaps[gaps["pr_id"] == pr_id]
    if len(inside):
        _gap_cells(inside)
    return outline


def _summary_tables(summary: barrieren.AreaBarrierSummary) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown("**Häufigste ICF-Umweltfaktoren**")
        codes = summary.top_codes
        if len(codes):
            widgets.table(pd.DataFrame({
                "Rang": codes["rang"].astype(int),
                "ICF-Code": codes["icf_code"].astype(str),
                "Bezeichnung": codes["icf_titel"].astype(str),
                "Personen": [count_text(v) for v in codes["personen"]],
            }))
        else:
            st.markdown("keine Angabe (zu wenige Personen je Code)")
    with right:
        st.markdown("**Entwicklung nach Jahren**")
        trend = summary.trend
        if len(trend):
            widgets.table(pd.DataFrame({
                "Jahr": ["keine Angabe" if pd.isna(j) else str(int(j)) for j in trend["jahr"]],
                "Personen": [count_text(v) for v in trend["personen"]],
                "Meldungen": [count_text(v) for v in trend["meldungen"]],
            }))
        else:
            st.markdown("keine Angabe")


def barriers(region: Region, pr_id: str) -> None:
    """The protected barrier summary of the area (:func:`barrieren.area_summary`)."""
    if not cached.has_barrier_reports(region):
        st.info("Für diese Region liegen keine Barrieremeldungen vor.")
        return
    with st.spinner("Geschützte Barrieren-Übersicht wird erstellt …"):
        summary = barrieren.area_summary(region, cached.barrier_publication(region), pr_id, top=5)
    st.markdown(escape_markdown(summary.text()))
    cols = st.columns(4)
    cols[0].metric("Personen mit Meldungen", count_text(summary.personen))
    cols[1].metric("Meldungen", count_text(summary.meldungen))
    cols[2].metric("Personen je 1.000 Einwohner", rate_text(summary.rate_je_1000))
    cols[3].metric("geglättet (Empirical Bayes)", rate_text(summary.rate_eb_je_1000))
    _summary_tables(summary)
    st.caption(
        f"Geheimhaltung: {summary.geheimhaltung}. Gezählt werden verschiedene Personen, nicht "
        f"Nennungen; Werte unter {settings.privacy_min_persons} Personen erscheinen als „keine "
        "Angabe“. Die vollständige Regel steht auf der Seite „Barrieren (ICF)“."
    )
