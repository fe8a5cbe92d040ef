"""The stored barrier reports: their schema, reading them for analyses, named street segments.

The raw layer never leaves the store: every published figure passes the disclosure control of
:mod:`analyses.privacy`. The free-text column of an import is stored (``freitext``) for the case
managers' own records, but :func:`read_reports` never returns it and no output contains it.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from layers.geocode import normalize_street

__all__ = ["ANALYSIS_COLUMNS", "SCHEMA", "read_reports", "street_segments"]


#: Columns of the ``barrieren`` layer (plus ``geometry``). The first eleven are those of the
#: synthetic layer; ``strasse`` (street of a street-segment report), ``freitext`` (stored, never
#: output) and ``importiert_am`` are added by imports.
SCHEMA: tuple[str, ...] = (
    "meldung_id", "person_schluessel", "icf_code", "icf_kapitel", "icf_titel", "qualifikator",
    "schweregrad", "beeintraechtigung", "datum", "ortsbezug", "quelle", "strasse", "freitext",
    "importiert_am",
)
#: Columns that analyses may read. ``freitext`` is deliberately absent.
ANALYSIS_COLUMNS: tuple[str, ...] = tuple(c for c in SCHEMA if c != "freitext")


def street_segments(edges: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Named streets of the pedestrian network: one row per street name (``strasse``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``strasse`` (name as in OSM), ``schluessel`` (folded name), ``laenge_m``, ``kanten``
        (number of network edges) and the merged line geometry.
    """
    named = edges[edges["name"].notna()][["name", "geometry"]].copy()
    named["schluessel"] = named["name"].map(normalize_street)
    named["laenge_m"] = named.geometry.length
    grouped = named.groupby("schluessel", sort=True)
    frame = pd.DataFrame({
        "strasse": grouped["name"].agg(lambda s: s.mode().iloc[0]),
        "laenge_m": grouped["laenge_m"].sum().round(1),
        "kanten": grouped.size(),
    })
    geometry = grouped["geometry"].agg(lambda g: shapely.line_merge(shapely.union_all(g.to_numpy())))
    result = gpd.GeoDataFrame(frame, geometry=geometry.reindex(frame.index).to_numpy(),
                              crs=edges.crs)
    return result.reset_index(names="schluessel")


def read_reports(store: Any) -> gpd.GeoDataFrame:
    """Read the raw barrier reports for analyses, without the free-text column.

    The result is raw case data: it must only be passed to :mod:`analyses.privacy`, never shown
    or exported.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`ANALYSIS_COLUMNS` that exist in the layer, plus ``geometry``.
    """
    names = store.read_layer("barrieren", where="1=0").columns
    wanted = [c for c in ANALYSIS_COLUMNS if c in names]
    reports = store.read_layer("barrieren", columns=wanted)
    return reports[[*wanted, "geometry"]]
