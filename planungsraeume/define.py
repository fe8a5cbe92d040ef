"""Define planning areas.

For the demo region they are generated: Voronoi cells around OSM ``place`` nodes
(suburb/quarter/neighbourhood), clipped to the region, and labelled as generated in ``quelle``.
Where a region has too few place nodes the fallback is a grid of square cells.
"""

from __future__ import annotations

import string

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.log import get_logger

log = get_logger("planungsraeume")

MIN_PLACES = 3


def from_osm_places(
    places: gpd.GeoDataFrame,
    boundary: shapely.Geometry,
    *,
    kinds: list[str],
    crs: object,
    fallback_cell_m: float = 2000.0,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Generate planning areas as Voronoi cells around OSM place nodes.

    Parameters
    ----------
    places
        OSM place nodes (any CRS) with ``place`` and ``name``.
    boundary
        Region polygon in the working CRS.
    kinds
        Place values to use (e.g. ``["suburb", "quarter", "neighbourhood"]``).
    crs
        Working CRS.
    fallback_cell_m
        Edge length of the square cells used when fewer than three named places exist.

    Returns
    -------
    tuple
        The ``planungsraeume`` layer and a list of German notes for the build summary.
    """
    notes: list[str] = []
    if not places.empty:
        selected = places[places["place"].isin(kinds) & places["name"].notna()].to_crs(crs)
        selected = selected[selected.geometry.within(boundary).to_numpy()]
        selected = selected.drop_duplicates(subset="name").reset_index(drop=True)
    else:
        selected = places
    if len(selected) < MIN_PLACES:
        notes.append(
            f"Nur {len(selected)} benannte Ortsknoten ({', '.join(kinds)}) im Ausschnitt: "
            f"Planungsräume ersatzweise als Raster mit {fallback_cell_m / 1000:g} km Kantenlänge."
        )
        return grid_areas(boundary, fallback_cell_m, crs), notes
    points = shapely.multipoints(
        np.column_stack([selected.geometry.x.to_numpy(), selected.geometry.y.to_numpy()])
    )
    cells = shapely.voronoi_polygons(points, extend_to=boundary, ordered=True)
    polygons = shapely.intersection(np.asarray(shapely.get_parts(cells)), boundary)
    order = np.argsort(selected["name"].str.lower().to_numpy(), kind="stable")
    areas = gpd.GeoDataFrame(
        {
            "name": selected["name"].to_numpy()[order],
            "art": selected["place"].to_numpy()[order],
            "quelle": "generiert: Voronoi-Zellen um OSM-Ortsknoten ("
            + ", ".join(f"place={k}" for k in kinds)
            + "), auf die Region zugeschnitten",
        },
        geometry=polygons[order],
        crs=crs,
    )
    areas = areas[~areas.geometry.is_empty].reset_index(drop=True)
    areas.insert(0, "pr_id", [f"PR{i + 1:02d}" for i in range(len(areas))])
    areas["flaeche_km2"] = np.round(areas.geometry.area / 1e6, 3)
    notes.append(
        f"{len(areas)} Planungsräume aus OSM-Ortsknoten generiert (Voronoi); "
        "für echte Planungen eigene Planungsraumgrenzen importieren."
    )
    return areas, notes


def grid_areas(boundary: shapely.Geometry, cell_m: float, crs: object) -> gpd.GeoDataFrame:
    """Square cells of ``cell_m`` covering the region, clipped to it, named like a map grid."""
    minx, miny, maxx, maxy = boundary.bounds
    xs = np.arange(np.floor(minx / cell_m) * cell_m, maxx, cell_m)
    ys = np.arange(np.floor(miny / cell_m) * cell_m, maxy, cell_m)
    rows = []
    for j, y in enumerate(ys[::-1]):
        for i, x in enumerate(xs):
            cell = shapely.intersection(shapely.box(x, y, x + cell_m, y + cell_m), boundary)
            if cell.is_empty or cell.area < 0.05 * cell_m * cell_m:
                continue
            column = _column_label(i)
            rows.append({"name": f"Raster {column}{j + 1}", "geometry": cell})
    frame = pd.DataFrame(rows)
    areas = gpd.GeoDataFrame(
        {
            "name": frame["name"],
            "art": "raster",
            "quelle": f"generiert: Raster {cell_m / 1000:g} km, auf die Region zugeschnitten",
        },
        geometry=list(frame["geometry"]),
        crs=crs,
    )
    areas.insert(0, "pr_id", [f"PR{i + 1:02d}" for i in range(len(areas))])
    areas["flaeche_km2"] = np.round(areas.geometry.area / 1e6, 3)
    return areas


def _column_label(index: int) -> str:
    letters = string.ascii_uppercase
    label = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        label = letters[rem] + label
    return label
