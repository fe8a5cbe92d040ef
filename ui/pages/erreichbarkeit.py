"""Page 'Erreichbarkeit': how fast people reach a suitable offer.

On foot, with a walker, in a wheelchair; where the gaps are; isochrones; distance to public
transport and ÖV-Güteklassen.

Everything is computed by :mod:`planungsraeume.erreichbarkeit` for the region and the question
set here (cached there by the store's version); this page only chooses, draws and formats.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import streamlit as st

from layers.errors import SozialraumError
from layers.sicher import escape_markdown
from planungsraeume import darstellung, erreichbarkeit
from planungsraeume.frage import MINUTES, Question
from planungsraeume.region import Region
from ui import cached, links, sidebar, state, widgets
from ui.erreichbarkeit import export, isochrone, karten, oev

__all__ = ["render"]

VIEW_KEY = "erreich_ansicht"
NO_POPULATION = (
    "Diese Region hat keine Bevölkerungsdaten (kein Zensus-Gitter, keine Gebäude für ein "
    "Modell). Versorgungsgrad und Versorgungslücken je Einwohner lassen sich deshalb nicht "
    "berechnen. Die Ansicht „Bus und Bahn (ÖV)“ wertet stattdessen Adressen aus."
)


def _compute(region: Region, frage: Question) -> dict[str, Any] | None:
    """Travel times, coverage, gaps and the travel-time map, with a progress display."""
    started = time.perf_counter()
    with st.status("Erreichbarkeit wird berechnet …", expanded=False) as status:
        bar = st.progress(0.0, text="Wegenetz des Profils und Reisezeiten")
        try:
            travel = erreichbarkeit.travel_times(region, frage)
            bar.progress(0.45, text="Versorgung je Planungsraum")
            coverage = erreichbarkeit.coverage(region, frage, MINUTES)
            bar.progress(0.65, text="Versorgungslücken")
            gaps = cached.gap_outline(region, frage)
            bar.progress(0.8, text="Karte der Reisezeiten")
            cached.travel_time_classes(region, frage)
            bands = cached.travel_time_bands(region, frage)
            bar.progress(1.0, text="fertig")
        except SozialraumError as exc:
            status.update(label="Für diese Auswahl ist keine Berechnung möglich", state="error",
                          expanded=True)
            widgets.show_analysis_error(exc)
            return None
        seconds = time.perf_counter() - started
        status.update(label=(f"Berechnet: {widgets.format_number(len(travel))} bewohnte Zellen, "
                             f"{len(travel.attrs.get('angebote', []))} Angebote "
                             f"({widgets.format_number(seconds, 1)} s)"), state="complete")
    return {"travel": travel, "coverage": coverage, "gaps": gaps, "bands": bands}


def _metrics(frage: Question, result: dict[str, Any]) -> None:
    coverage = result["coverage"]
    region = coverage[(coverage["pr_id"] == "gesamt")
                      & (coverage["schwelle_min"] == float(frage.minuten))].iloc[0]
    _outline, gap_cells, gap_people = result["gaps"]
    number, percent = widgets.format_number, widgets.format_percent
    st.markdown(f"**{frage.label()}**")
    cols = st.columns(4)
    cols[0].metric("Einwohner erreichen die Auswahl", percent(region["anteil_erreicht_prozent"]),
                   help=f"{number(region['einwohner_erreicht'])} von "
                        f"{number(region['einwohner'])} Einwohnern")
    cols[1].metric("65 Jahre und älter", percent(region["anteil_ab65_erreicht_prozent"]),
                   help=f"{number(region['ab65_erreicht'])} von {number(region['ab65'])} "
                        "Menschen ab 65")
    cols[2].metric("Einwohner in Versorgungslücken", number(gap_people),
                   help=f"{number(gap_cells)} bewohnte 100-m-Zellen über {frage.minutes_label()}")
    cols[3].metric("Nicht angebunden", number(region["einwohner_nicht_angebunden"]),
                   help="Einwohner in Zellen, die weiter als 250 m vom für das Profil "
                        "passierbaren Wegenetz entfernt sind")
    missing = result["travel"].attrs.get("nicht_angebundene_ziele") or []
    if missing:
        st.caption("Nicht berücksichtigt, weil zu weit vom Wegenetz: " + ", ".join(map(str, missing)))


def _map_section(region: Region, frage: Question, result: dict[str, Any]) -> Any:
    """The travel-time map with isochrone controls; returns the isochrone (or None)."""
    selected = cached.offers_web(region, frage)
    st.header("Karte der Reisezeiten", anchor=False)
    controls = st.columns([3, 2], vertical_alignment="bottom")
    with controls[0]:
        isochrone.controls(selected)
    with controls[1]:
        show_gaps = st.checkbox("Versorgungslücken hervorheben", value=True, key="erreich_luecken")
    iso, point, iso_label = isochrone.compute(region, frage, selected)
    karten.reach_map(region, frage, result["gaps"][0] if show_gaps else None, selected, iso,
                     point, clicking=isochrone.clicking(), on_click=isochrone.on_map_click)
    left, right = st.columns(2, gap="medium")
    with left:
        st.markdown("**Einwohner nach Reisezeit** (Region)")
        widgets.table(darstellung.band_table(result["bands"]))
    with right:
        if iso is not None:
            st.markdown("**Isochrone**")
            widgets.table(isochrone.table(iso))
            st.caption(f"Isochrone {escape_markdown(iso_label)}, {frage.label()}: nur Flächen entlang der für "
                       "das Profil passierbaren Wege (25 m beiderseits).")
        else:
            st.markdown("**Isochrone:** Wählen Sie oben „ab einem Angebot“ oder „ab einem Punkt "
                        "in der Karte“, um zu sehen, welche Fläche und wie viele Menschen man in "
                        f"{frage.minutes_label()} erreicht.")
    return iso


def _coverage_section(frage: Question, coverage: pd.DataFrame) -> None:
    st.header(f"Versorgung je Planungsraum in {frage.minutes_label()}", anchor=False)
    widgets.table(darstellung.coverage_table(coverage, float(frage.minuten)))
    st.caption(
        "erreicht + nicht erreicht + nicht angebunden = Einwohner. „Nicht angebunden“: die Zelle "
        "liegt mehr als 250 m vom Wegenetz entfernt, das für das Profil passierbar ist. Einwohner "
        "sind je 100-m-Zelle modelliert und dem Planungsraum ihres Zellmittelpunkts zugeordnet "
        "(Randzellen dem Planungsraum mit der größten Überlappung)."
    )
    with st.expander("Alle Zeitschwellen (5 bis 30 Minuten)"):
        widgets.table(darstellung.thresholds_table(coverage))


def _reach_view(region: Region) -> None:
    if not region.has_population():
        st.info(NO_POPULATION, icon=":material/info:")
        return
    frage = widgets.question_controls(region, "erreich", layout="wide")
    result = _compute(region, frage)
    if result is None:
        return
    _metrics(frage, result)
    iso = _map_section(region, frage, result)
    _coverage_section(frage, result["coverage"])
    export.downloads(region, frage, result["coverage"], iso)


def render() -> None:
    """Draw the page."""
    st.title("Erreichbarkeit")
    region = state.region()
    if not widgets.ensure_region_built(region):
        return
    widgets.data_notice(region)
    if not widgets.require_network(region):
        return
    st.markdown(
        "Wie schnell erreichen die Menschen im Planungsraum ein passendes Angebot – zu Fuß, mit "
        "Rollator, im Rollstuhl? Die Wege folgen dem Fußwegenetz aus OpenStreetMap mit Treppen, "
        "Steigungen, Bordsteinen und Belägen."
    )
    views = {"angebote": "Angebote erreichen", "oev": "Bus und Bahn (ÖV)"}
    links.restore("ansicht", VIEW_KEY, list(views))
    view = st.radio("Ansicht", list(views), key=VIEW_KEY, format_func=views.get, horizontal=True)
    links.keep("ansicht", view if view != "angebote" else None)
    if view == "oev":
        oev.transit_view(region)
    else:
        _reach_view(region)


sidebar.page_frame()
widgets.guarded(render)
