"""The optional analysis layers of the Karte map and the tables below it."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers import settings
from layers.angebote import ACCESS_COLUMNS
from planungsraeume.region import Region
from ui import cached, legend, overlays, state, theme, widgets
from ui.karte.details import ACCESS_LABELS, SOURCE_LABEL

__all__ = ["analysis_layers", "area_table", "service_table", "tables"]


def _gap_layer(region: Region) -> tuple[Any, Any, str]:
    frage = state.question()
    shapes, cells, people = cached.gap_outline(region, frage)
    layer = overlays.outline_layer(shapes, name="Versorgungslücken", colour=theme.GAP_OUTLINE,
                               fill_opacity=theme.FILL_OPACITY["luecke"], tooltip="Versorgungslücke")
    section = ("Versorgungslücken", [legend.LegendEntry(
        "gestrichelt", theme.GAP_OUTLINE, f"über {frage.minutes_label()} bis zum nächsten Angebot")])
    note = (f"Versorgungslücken: {widgets.format_number(cells)} bewohnte 100-m-Zellen mit "
            f"{widgets.format_number(people)} Einwohnern erreichen {frage.label()} nicht "
            "(einstellbar auf der Seite „Erreichbarkeit“).")
    return layer, section, note


def _hotspot_layer(region: Region) -> tuple[Any, Any, str]:
    grid = cached.barrier_grid(region)
    layer = overlays.outline_layer(grid.umriss, name="Barriere-Schwerpunkte",
                               colour=theme.HOTSPOT_OUTLINE, dash=None, weight=3,
                               fill_opacity=theme.FILL_OPACITY["schwerpunkt"], tooltip="Barriere-Schwerpunkt (Gi*)")
    section = ("Barrieren (geschützt)", [legend.LegendEntry(
        "umriss", theme.HOTSPOT_OUTLINE, "Schwerpunkt gemeldeter Barrieren (Gi*, 250-m-Gitter)")])
    note = (f"Barriere-Schwerpunkte: {grid.hotspot_zellen} Zellen des 250-m-Gitters in "
            "signifikanten Hotspots (Getis-Ord Gi*), berechnet nur aus veröffentlichten "
            f"Zellwerten (mindestens {settings.privacy_min_persons} Personen je Wert). Keine "
            "Meldeorte. Einzelheiten auf der Seite „Barrieren (ICF)“.")
    return layer, section, note


def analysis_layers(region: Region, show_gaps: bool,
                    show_hotspots: bool) -> tuple[list[Any], list[Any], list[str]]:
    """The optional analysis layers, their legend sections and captions saying what they show."""
    parts = ([_gap_layer(region)] if show_gaps else []) + \
        ([_hotspot_layer(region)] if show_hotspots else [])
    return [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts]


def area_table(overview: pd.DataFrame, shown: gpd.GeoDataFrame,
               step_free: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per planning area: area, inhabitants, 65+ share and the shown offers.

    Area (inside the region), inhabitants and share from :func:`ui.cached.area_overview`; the
    offers (``shown``, and of them the step-free ones, ``step_free``: both selected by a
    :class:`~planungsraeume.frage.Question`) by their ``pr_id`` from :meth:`Region.offers`.
    """
    counts = shown.groupby("pr_id").size()
    free = step_free.groupby("pr_id").size()
    return pd.DataFrame({
        "Nr.": overview["pr_id"],
        "Planungsraum": overview["name"],
        "Fläche (km²)": overview["flaeche_km2"].astype(float).round(2),
        "Einwohner (modelliert)": overview["einwohner"].astype(float).round(),
        "Anteil 65+ (%)": overview["anteil_65_plus"].astype(float).round(1),
        "Angebote (Auswahl)": overview["pr_id"].map(counts).fillna(0).astype(int),
        "davon stufenlos": overview["pr_id"].map(free).fillna(0).astype(int),
    })


def service_table(shown: gpd.GeoDataFrame) -> pd.DataFrame:
    """The shown offers with address, accessibility, source and position (WGS 84)."""
    return pd.DataFrame({
        "Name": shown["name"],
        "Typ": shown["typ"],
        "Planungsraum": shown["pr_id"],
        "Straße": shown["strasse"],
        "Hausnr.": shown["hausnummer"],
        "PLZ": shown["plz"],
        "Ort": shown["ort"],
        **{ACCESS_LABELS[c]: shown[c] for c in ACCESS_COLUMNS},
        "Quelle": shown["quelle"].map(SOURCE_LABEL).fillna(shown["quelle"]),
        "Breite": shown.geometry.y.round(6),
        "Länge": shown.geometry.x.round(6),
    })


def tables(region: Region, overview: pd.DataFrame, shown: gpd.GeoDataFrame,
           step_free: gpd.GeoDataFrame) -> None:
    """The two tables below the map (planning areas, offers), each with a CSV download."""
    st.header("Tabellen", anchor=False)
    area_tab, service_tab = st.tabs(["Planungsräume", "Angebote"])
    with area_tab:
        areas = area_table(overview, shown, step_free)
        widgets.table(areas)
        widgets.csv_download("Planungsräume als CSV herunterladen", areas,
                             f"planungsraeume_{region.name}.csv", "dl_pr")
    with service_tab:
        offers = service_table(shown)
        widgets.table(offers)
        widgets.csv_download("Angebote als CSV herunterladen", offers,
                             f"angebote_{region.name}.csv", "dl_angebote")
