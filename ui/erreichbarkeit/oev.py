"""The public-transport view of the Erreichbarkeit page.

Walking distance to the nearest stop and ÖV-Güteklassen, both from
:mod:`planungsraeume.erreichbarkeit`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from layers.errors import SozialraumError
from layers.regions import available_regions, load_region
from planungsraeume import darstellung, erreichbarkeit
from planungsraeume.region import Region
from ui import state, widgets
from ui.erreichbarkeit import karten

__all__ = ["NO_TIMETABLE", "timetable_regions", "transit_view"]

#: Why a region has no ÖV-Güteklassen (one sentence; ``{titel}`` is the region's name).
NO_TIMETABLE = (
    "Für {titel} ist kein GTFS-Fahrplan hinterlegt, weil die gemeinsamen Referenzdaten für diese "
    "Region keinen Fahrplan-Feed enthalten; ÖV-Güteklassen (Bedienungsqualität nach Takt und "
    "Entfernung zur Haltestelle) lassen sich deshalb hier nicht berechnen."
)


def timetable_regions(current: str) -> list[str]:
    """Regions other than ``current`` whose timetable (GTFS file) is at hand."""
    found = []
    for name in available_regions():
        if name == current:
            continue
        try:
            gtfs = load_region(name).gtfs
        except SozialraumError:
            continue
        if gtfs is not None and Path(gtfs).is_file():
            found.append(name)
    return found


def _switch_region(name: str) -> None:
    """Button callback: show region ``name`` (runs before the sidebar's select box is drawn)."""
    st.session_state[state.REGION_KEY] = name


def _offer_timetable_region(region: Region) -> None:
    """The one-sentence reason and a one-click switch to a region with a timetable."""
    st.info(NO_TIMETABLE.format(titel=region.titel), icon=":material/directions_bus:")
    for name in timetable_regions(region.name)[:2]:
        titel = state.region_short_title(name)
        st.button(f"{titel} öffnen (hat einen Fahrplan)", key=f"oev_region_{name}",
                  on_click=_switch_region, args=(name,), icon=":material/directions_bus:",
                  help=f"Zeigt die Region „{state.region_title(name)}“ mit ÖV-Güteklassen.")


def _unit(region: Region) -> str:
    return "Einwohner" if region.default_origin_source() == "bevoelkerung" else "Adressen"


def _stop_section(region: Region) -> None:
    unit = _unit(region)
    st.header("Weg zur nächsten Haltestelle (zu Fuß)", anchor=False)
    with st.spinner("Wege zu den Haltestellen werden berechnet …"):
        try:
            distances = erreichbarkeit.stop_distance_by_area(region)
        except SozialraumError as exc:
            widgets.show_analysis_error(exc)
            return
    totals = darstellung.class_table(distances, "Fußweg zur Haltestelle", unit)
    cols = st.columns(len(totals))
    for col, row in zip(cols, totals.itertuples(index=False), strict=True):
        col.metric(str(row[0]), widgets.format_percent(row[2]),
                   help=f"{widgets.format_number(row[1])} {unit}")
    st.caption(f"Anteil der {unit} nach Fußweg über das Wegenetz zur nächsten Haltestelle "
               "(OpenStreetMap). Planerische Faustregel: eine Haltestelle innerhalb von 300 m.")
    if region.default_origin_source() == "bevoelkerung":
        karten.stop_map(region)
    with st.expander(f"Je Planungsraum ({unit})"):
        widgets.table(darstellung.share_table(distances))
        widgets.csv_download("Tabelle als CSV herunterladen", lambda: distances,
                             f"haltestellen_weg_{region.name}.csv", "oev_dl_weg")


def _german_day(day: str) -> str:
    return f"{day[8:10]}.{day[5:7]}.{day[0:4]}" if len(day) == 10 and day[4] == "-" else day


def _quality_section(region: Region) -> None:
    gtfs = region.config.gtfs
    st.header("ÖV-Güteklassen", anchor=False)
    if gtfs is None:
        _offer_timetable_region(region)
        return
    with st.status("ÖV-Güteklassen werden berechnet …", expanded=False) as status:
        bar = st.progress(0.0, text="Fahrplan lesen, Abfahrten zählen")
        try:
            grades = erreichbarkeit.quality_class_by_area(region)
            bar.progress(0.3, text="Güteklassen-Flächen")

            def progress(fraction: float, label: str) -> None:
                bar.progress(0.3 + 0.7 * min(1.0, fraction), text=label or None)

            areas = erreichbarkeit.quality_class_areas(region, distanz="netz", progress=progress)
        except SozialraumError as exc:
            status.update(label="ÖV-Güteklassen nicht berechenbar", state="error", expanded=True)
            widgets.show_analysis_error(exc)
            return
        status.update(label="ÖV-Güteklassen berechnet", state="complete")
    st.markdown(
        f"Fahrplan: `{gtfs.name}`, Tag {_german_day(str(grades.attrs.get('datum') or ''))}, "
        f"{grades.attrs.get('von')}–{grades.attrs.get('bis')} Uhr. Güteklasse A = sehr gute, "
        "F = geringe Erschließung; „keine“ = außerhalb jeder Güteklasse. Entfernung als Fußweg "
        "im Wegenetz."
    )
    widgets.table(darstellung.class_table(grades, "Güteklasse", _unit(region)))
    karten.quality_map(region, areas)
    with st.expander(f"Güteklassen je Planungsraum ({_unit(region)})"):
        widgets.table(darstellung.share_table(grades))

    def gpkg() -> bytes:
        return widgets.geopackage_bytes({"oev_gueteklassen": areas,
                                         "gueteklassen_planungsraeume": pd.DataFrame(grades)})

    st.download_button("ÖV-Güteklassen als GeoPackage", gpkg, on_click="ignore",
                       file_name=f"oev_gueteklassen_{region.name}.gpkg",
                       mime="application/geopackage+sqlite3", key="oev_dl_gpkg")


def transit_view(region: Region) -> None:
    """Both sections of the view "Bus und Bahn (ÖV)"."""
    _stop_section(region)
    _quality_section(region)
