"""Simple key figures per planning area, computed from the stored layers (no streamlit here).

TEMPORARY (issue #6, part A): these few counts let the map table, the Konferenzmodus and the
planning-area page show figures before the indicator functions of ``planungsraeume`` (issue #4)
exist. When they land, the pages call those instead and this module is deleted. Nothing here is
an official indicator: population is assigned to an area by the centre of its 100 m cell, services
by their point location.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

COLUMNS = {
    "pr_id": "Nr.",
    "name": "Planungsraum",
    "flaeche_km2": "Fläche (km²)",
    "einwohner": "Einwohner (modelliert)",
    "einwohner_65_plus": "Einwohner 65+",
    "anteil_65_plus": "Anteil 65+ (%)",
    "angebote": "Angebote",
    "angebote_stufenlos": "davon stufenlos",
    "angebote_zugang_unbekannt": "davon Zugang unbekannt",
    "anteil_stufenlos": "Anteil stufenlos (%)",
}


def _area_of_points(points: gpd.GeoSeries, areas: gpd.GeoDataFrame) -> pd.Series:
    """The ``pr_id`` of the area containing each point (NaN outside all areas)."""
    frame = gpd.GeoDataFrame(geometry=points.values, index=points.index, crs=areas.crs)
    joined = gpd.sjoin(frame, areas[["pr_id", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["pr_id"].reindex(points.index)


def area_figures(
    areas: gpd.GeoDataFrame, population: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Population, 65+ share, number of services and barrier-free share per planning area.

    Parameters
    ----------
    areas
        ``planungsraeume`` (pr_id, name, flaeche_km2).
    population
        ``bevoelkerung`` cells (einwohner, alter_65_plus), same CRS as ``areas``.
    services
        ``angebote`` (stufenloser_zugang), same CRS as ``areas``.

    Returns
    -------
    pandas.DataFrame
        One row per area in the order of ``areas`` with the columns of :data:`COLUMNS`;
        shares in percent (NaN where the base is zero).
    """
    result = areas[["pr_id", "name", "flaeche_km2"]].copy().reset_index(drop=True)
    cell_area = _area_of_points(population.geometry.centroid, areas)
    by_area = population.assign(pr_id=cell_area).groupby("pr_id")[["einwohner", "alter_65_plus"]].sum()
    result["einwohner"] = result["pr_id"].map(by_area["einwohner"]).fillna(0.0).round()
    result["einwohner_65_plus"] = result["pr_id"].map(by_area["alter_65_plus"]).fillna(0.0).round()
    service_area = _area_of_points(services.geometry, areas)
    access = services["stufenloser_zugang"].fillna("unbekannt")
    counts = pd.DataFrame(
        {
            "pr_id": service_area,
            "angebote": 1,
            "angebote_stufenlos": (access == "ja").astype(int),
            "angebote_zugang_unbekannt": (access == "unbekannt").astype(int),
        }
    ).groupby("pr_id").sum()
    for column in ("angebote", "angebote_stufenlos", "angebote_zugang_unbekannt"):
        result[column] = result["pr_id"].map(counts[column]).fillna(0).astype(int)
    return _with_shares(result)


def _with_shares(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["anteil_65_plus"] = np.where(
            frame["einwohner"] > 0, 100.0 * frame["einwohner_65_plus"] / frame["einwohner"], np.nan
        )
        frame["anteil_stufenlos"] = np.where(
            frame["angebote"] > 0, 100.0 * frame["angebote_stufenlos"] / frame["angebote"], np.nan
        )
    return frame


def region_figures(figures: pd.DataFrame) -> pd.Series:
    """The same figures for the whole region (sums; shares recomputed from the sums)."""
    total = figures[
        ["flaeche_km2", "einwohner", "einwohner_65_plus", "angebote", "angebote_stufenlos",
         "angebote_zugang_unbekannt"]
    ].sum()
    frame = _with_shares(pd.DataFrame([total]))
    values = {"pr_id": "", "name": "Region gesamt", **frame.iloc[0].to_dict()}
    return pd.Series(values, dtype=object)


def display_table(figures: pd.DataFrame) -> pd.DataFrame:
    """The figures with German column names and rounded values, for tables and CSV export."""
    table = figures[list(COLUMNS)].copy()
    table["flaeche_km2"] = table["flaeche_km2"].round(2)
    table["einwohner"] = table["einwohner"].round().astype(int)
    table["einwohner_65_plus"] = table["einwohner_65_plus"].round().astype(int)
    table["anteil_65_plus"] = table["anteil_65_plus"].round(1)
    table["anteil_stufenlos"] = table["anteil_stufenlos"].round(1)
    return table.rename(columns=COLUMNS)
