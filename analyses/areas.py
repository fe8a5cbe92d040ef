"""Assign origins (population cells, buildings, addresses) to planning areas.

Every per-area figure in this package rests on one assignment rule, so that the parts of a region
always add up to the whole: an origin belongs to the planning area that contains its
representative point; an origin whose point lies in no area (a cell at the edge whose centre falls
just outside the region boundary) belongs to the nearest area. No origin is dropped.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.errors import AnalysisError
from layers.validation import require_crs


def cells_to_areas(
    cells: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    area_id: str = "pr_id",
) -> pd.Series:
    """Planning area of every origin.

    Parameters
    ----------
    cells
        Origins (polygons or points) in the region CRS.
    areas
        Planning areas (``planungsraeume`` layer) in the same CRS.
    area_id
        Key column of ``areas``.

    Returns
    -------
    pandas.Series
        Area key per origin, indexed like ``cells`` (never missing if ``areas`` is not empty).

    Raises
    ------
    AnalysisError
        If there are no planning areas or the key column is missing.
    CRSError
        If the two layers are not in the same CRS.
    """
    if area_id not in areas.columns:
        raise AnalysisError(
            f"Den Planungsräumen fehlt die Schlüsselspalte '{area_id}'.",
            hinweis="Bauen Sie die Region neu oder importieren Sie Planungsräume mit Schlüssel.",
        )
    if len(areas) == 0:
        raise AnalysisError(
            "Es gibt keine Planungsräume, denen Rasterzellen zugeordnet werden könnten.",
            hinweis="Legen Sie Planungsräume an (Import oder Neubau der Region).",
        )
    if areas.crs is not None:
        require_crs(cells, areas.crs, name="Ursprünge")
    result = pd.Series(pd.NA, index=cells.index, dtype="string", name=area_id)
    if len(cells) == 0:
        return result
    points = gpd.GeoDataFrame(
        {"_pos": np.arange(len(cells))},
        geometry=cells.geometry.representative_point().to_numpy(),
        crs=cells.crs,
    )
    shapes = areas[[area_id, "geometry"]].reset_index(drop=True)
    hits = gpd.sjoin(points, shapes, predicate="within", how="left")
    # A point on a shared border matches two areas: take the first (stable) match.
    hits = hits[~hits["_pos"].duplicated(keep="first")]
    keys = hits.set_index("_pos")[area_id].reindex(np.arange(len(cells)))
    missing = keys.isna().to_numpy()
    if missing.any():
        nearest = gpd.sjoin_nearest(points[missing], shapes, how="left")
        nearest = nearest[~nearest["_pos"].duplicated(keep="first")]
        keys.loc[nearest["_pos"].to_numpy()] = nearest[area_id].to_numpy()
    result[:] = keys.astype("string").to_numpy()
    return result
