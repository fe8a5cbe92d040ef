"""Assign origins (population cells, buildings, addresses, services) to planning areas.

Every per-area figure of the project rests on this one rule, so that indicators, coverage,
scenarios, location suggestions and reports agree and the parts of a region always add up to the
whole:

1. an origin belongs to the planning area that contains its centroid (a point: itself); on a
   shared border the first area in the layer's order wins;
2. a cell whose centroid lies in no area (at the edge of the region) belongs to the area it
   overlaps most;
3. an origin that touches no area at all stays unassigned (``<NA>``): where imported planning
   areas cover only part of the region, per-area tables list those origins as "ohne
   Planungsraum" instead of silently adding them to a neighbour.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.errors import AnalysisError
from layers.validation import require_crs

__all__ = ["cells_to_areas"]


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
        Area key per origin, indexed like ``cells``; ``<NA>`` for origins touching no area.

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
    geoms = cells.geometry.to_numpy()
    shapes = areas.geometry.to_numpy()
    keys = areas[area_id].astype("string").to_numpy()
    tree = shapely.STRtree(shapes)
    assigned = _by_centroid(tree, geoms)
    rest = np.flatnonzero(assigned < 0)
    if len(rest):
        _by_overlap(tree, geoms, shapes, rest, assigned)
    inside = assigned >= 0
    result.iloc[np.flatnonzero(inside)] = keys[assigned[inside]]
    return result


def _by_centroid(tree: shapely.STRtree, geoms: np.ndarray) -> np.ndarray:
    """Rule 1: the first area (layer order) containing the centroid; −1 where none does."""
    assigned = np.full(len(geoms), -1, dtype=np.int64)
    point_pos, area_pos = tree.query(shapely.centroid(geoms), predicate="intersects")
    if len(point_pos):
        first = pd.Series(area_pos).groupby(point_pos).min()
        assigned[first.index.to_numpy()] = first.to_numpy()
    return assigned


def _by_overlap(
    tree: shapely.STRtree, geoms: np.ndarray, shapes: np.ndarray, rest: np.ndarray,
    assigned: np.ndarray,
) -> None:
    """Rule 2 for the origins ``rest``: the area overlapping most (first on ties), in place."""
    cell_pos, area_pos = tree.query(geoms[rest], predicate="intersects")
    if len(cell_pos):
        overlap = shapely.area(shapely.intersection(geoms[rest][cell_pos], shapes[area_pos]))
        best = pd.DataFrame({"cell": cell_pos, "area": area_pos, "overlap": overlap})
        best = best[best["overlap"] > 0].sort_values(["overlap", "area"], ascending=[False, True])
        best = best.drop_duplicates("cell")
        assigned[rest[best["cell"].to_numpy()]] = best["area"].to_numpy()
