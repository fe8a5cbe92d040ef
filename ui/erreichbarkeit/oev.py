"""The public-transport view of the Erreichbarkeit page.

Walking distance to the nearest stop and ÖV-Güteklassen, both from
:mod:`planungsraeume.erreichbarkeit`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from layers.errors import SozialraumError
from planungsraeume import darstellung, erreichbarkeit
from planungsraeume.region import Region
from ui import widgets
from ui.erreichbarkeit import karten

__all__ = ["NO_TIMETABLE", "transit_view"]

NO_TIMETABLE = (
    "Für diese Region ist kein GTFS-Fahrplan hinterlegt. ÖV-Güteklassen (Bedienungsqualität "
    "nach Takt und Entfernung zur Haltestelle) lassen sich deshalb hier nicht berechnen. "
    "Tragen Sie einen Fahrplan in der Regionskonfiguration ein ([quellen] gtfs = \"…zip\"), "
    "z. B. aus dem DELFI-Datensatz oder vom Verkehrsverbund."
)


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
        st.info(NO_TIMETABLE, icon=":material/directions_bus:")
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
