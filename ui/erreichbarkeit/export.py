"""Downloads of the Erreichbarkeit page: tables as CSV, cells and gaps as GeoPackage."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from analyses.coverage import time_bands
from planungsraeume import darstellung, erreichbarkeit
from planungsraeume.frage import Question
from planungsraeume.region import Region
from ui import widgets

__all__ = ["cells_export", "downloads"]


def cells_export(region: Region, frage: Question) -> gpd.GeoDataFrame:
    """Every populated cell with its planning area, travel time, class and nearest offer.

    Areas by :meth:`Region.cell_areas`, times by :func:`planungsraeume.erreichbarkeit
    .travel_times`.
    """
    cells = region.cells()
    travel = erreichbarkeit.travel_times(region, frage)
    keys = region.cell_areas().astype(str)
    names = region.area_names()
    return gpd.GeoDataFrame({
        "gitter_id": cells["gitter_id"].astype(str),
        "pr_id": keys,
        "planungsraum": keys.map(names),
        "einwohner": cells["einwohner"],
        "alter_65_plus": cells["alter_65_plus"],
        "minuten": travel["minuten"].round(2),
        "reisezeit_klasse": time_bands(travel).astype(str),
        "status": travel["status"].astype(str),
        "naechstes_angebot": travel["angebot_name"].astype(str),
        "angebot_id": travel["angebot_id"].astype(str),
        "auswahl": frage.selection_label(),
        "profil": frage.profil,
        "unbekannt": frage.unbekannt,
    }, geometry=cells.geometry, crs=cells.crs)


def downloads(region: Region, frage: Question, coverage: pd.DataFrame,
              iso: gpd.GeoDataFrame | None) -> None:
    """The four download buttons (built only when clicked)."""
    st.header("Herunterladen", anchor=False)
    stem = f"erreichbarkeit_{region.name}_{frage.profil}_{frage.minuten:g}min"

    def gpkg() -> bytes:
        layers: dict[str, pd.DataFrame] = {
            "reisezeiten_zellen": cells_export(region, frage),
            "versorgung_planungsraeume": coverage,
            "versorgungsluecken": erreichbarkeit.gaps(region, frage),
        }
        if iso is not None:
            layers["isochrone"] = iso
        return widgets.geopackage_bytes(layers)

    cols = st.columns(4)
    widgets.csv_download("Versorgung je Planungsraum (CSV)",
                         lambda: darstellung.coverage_table(coverage, float(frage.minuten)),
                         f"{stem}_planungsraeume.csv", "erreich_dl_csv", target=cols[0])
    widgets.csv_download("Alle Zeitschwellen (CSV)", lambda: coverage.drop(
        columns=[c for c in ("profil", "unbekannt") if c in coverage]),
        f"{stem}_schwellen.csv", "erreich_dl_schwellen", target=cols[1])
    widgets.csv_download("Reisezeit je Zelle (CSV)", lambda: cells_export(region, frage),
                         f"{stem}_zellen.csv", "erreich_dl_zellen", target=cols[2])
    cols[3].download_button("Alles als GeoPackage (QGIS)", gpkg, file_name=f"{stem}.gpkg",
                            mime="application/geopackage+sqlite3", key="erreich_dl_gpkg",
                            on_click="ignore")
    st.caption("CSV für Excel (Semikolon, Dezimalkomma). Das GeoPackage enthält Zellen mit "
               "Reisezeit, die Tabelle je Planungsraum, die Versorgungslücken und – falls "
               f"gezeigt – die Isochrone ({region.crs}).")
