"""The Zensus-compatible EPSG:3035 grid at 100 m, 250 m, 500 m and 1 km.

Cells are addressed like the Zensus 2022 grid: ``CRS3035RES{r}mN{north}E{east}`` with the
lower-left corner in EPSG:3035. 100 m cells nest in 500 m and 1 km cells, 250 m cells nest in
500 m and 1 km cells; 100 m and 250 m cells do not nest in each other.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from layers.build.bevoelkerung import GRID_CRS, cell_id, parse_cell_id
from layers.errors import AnalysisError

__all__ = [
    "RESOLUTIONS",
    "cell_corners",
    "cell_ids",
    "cells_frame",
    "check_resolution",
    "grid_xy",
    "lattice",
    "population_on_grid",
]

RESOLUTIONS: tuple[int, ...] = (100, 250, 500, 1000)


def check_resolution(resolution: int) -> int:
    """Return ``resolution`` if it is one of :data:`RESOLUTIONS`, else raise AnalysisError."""
    if int(resolution) not in RESOLUTIONS:
        raise AnalysisError(
            f"Die Zellgröße {resolution} m gibt es im Zensus-Gitter dieser Auswertung nicht.",
            hinweis="Wählen Sie 100, 250, 500 oder 1000 m.",
        )
    return int(resolution)


def grid_xy(points: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of points in EPSG:3035 (the grid's CRS)."""
    if len(points) == 0:
        return np.empty(0), np.empty(0)
    transformer = Transformer.from_crs(points.crs, GRID_CRS, always_xy=True)
    x, y = transformer.transform(points.x.to_numpy(), points.y.to_numpy())
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def cell_corners(x: np.ndarray, y: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Lower-left corners (east, north) of the cells containing EPSG:3035 coordinates."""
    east = (np.floor(x / resolution) * resolution).astype(np.int64)
    north = (np.floor(y / resolution) * resolution).astype(np.int64)
    return east, north


def cell_ids(east: np.ndarray, north: np.ndarray, resolution: int) -> list[str]:
    """Zensus-style ids of cells given by their lower-left corners."""
    return [cell_id(n, e, resolution) for e, n in zip(east.tolist(), north.tolist(), strict=True)]


def cells_frame(
    east: np.ndarray, north: np.ndarray, resolution: int, crs: object
) -> gpd.GeoDataFrame:
    """Cell polygons (``gitter_id``, ``geometry`` in ``crs``) for lower-left corners."""
    east = np.asarray(east, dtype=np.int64)
    north = np.asarray(north, dtype=np.int64)
    polygons = gpd.GeoSeries(
        shapely.box(east, north, east + resolution, north + resolution), crs=GRID_CRS
    ).to_crs(crs)
    return gpd.GeoDataFrame(
        {"gitter_id": cell_ids(east, north, resolution)},
        geometry=polygons.to_numpy(),
        crs=crs,
    )


def lattice(boundary: shapely.Geometry, crs: object, resolution: int) -> gpd.GeoDataFrame:
    """Every cell of the grid that intersects the region (the frame for hotspot statistics).

    Parameters
    ----------
    boundary
        Region polygon in ``crs``.
    crs
        Region CRS.
    resolution
        Cell size in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        ``gitter_id``, ``ost``, ``nord`` (lower-left corner in EPSG:3035), ``zeile``/``spalte``
        (integer lattice position) and the cell polygon in ``crs``, sorted north to south, west
        to east.
    """
    check_resolution(resolution)
    region = gpd.GeoSeries([boundary], crs=crs).to_crs(GRID_CRS).iloc[0]
    minx, miny, maxx, maxy = region.bounds
    east = np.arange(np.floor(minx / resolution) * resolution, maxx, resolution)
    north = np.arange(np.floor(miny / resolution) * resolution, maxy, resolution)
    mesh_e, mesh_n = np.meshgrid(east, north[::-1])
    ee, nn = mesh_e.ravel().astype(np.int64), mesh_n.ravel().astype(np.int64)
    boxes = shapely.box(ee, nn, ee + resolution, nn + resolution)
    shapely.prepare(region)
    keep = shapely.intersects(region, boxes)
    frame = cells_frame(ee[keep], nn[keep], resolution, crs)
    frame.insert(1, "ost", ee[keep])
    frame.insert(2, "nord", nn[keep])
    frame.insert(3, "spalte", ((ee[keep] - ee.min()) // resolution).astype(np.int64))
    frame.insert(4, "zeile", ((nn.max() - nn[keep]) // resolution).astype(np.int64))
    return frame.reset_index(drop=True)


def population_on_grid(population: pd.DataFrame, resolution: int) -> pd.Series:
    """Inhabitants of the ``bevoelkerung`` layer (100 m cells) summed to another resolution.

    100 m cells lie wholly inside 500 m and 1 km cells. A 250 m cell boundary can cut a 100 m
    cell; its inhabitants are then shared in proportion to the area on each side (the model has
    no finer information).

    Parameters
    ----------
    population
        Rows with ``gitter_id`` (100 m Zensus ids) and ``einwohner``.
    resolution
        Target resolution.

    Returns
    -------
    pandas.Series
        Inhabitants (float) indexed by the target ``gitter_id``.
    """
    check_resolution(resolution)
    if len(population) == 0:
        return pd.Series(dtype=float, name="einwohner")
    parsed = [parse_cell_id(v) for v in population["gitter_id"].astype(str)]
    size = np.array([p[0] for p in parsed], dtype=np.int64)
    north = np.array([p[1] for p in parsed], dtype=np.int64)
    east = np.array([p[2] for p in parsed], dtype=np.int64)
    people = population["einwohner"].to_numpy(dtype=float)
    if (size != size[0]).any():
        raise AnalysisError("Die Bevölkerungsebene mischt Zellgrößen.",
                            hinweis="Bauen Sie die Region neu.")
    src = int(size[0])
    parts_e: list[np.ndarray] = []
    parts_n: list[np.ndarray] = []
    parts_w: list[np.ndarray] = []
    # Split each source cell along x and y at target cell boundaries (at most two pieces each).
    e0 = np.floor(east / resolution) * resolution
    n0 = np.floor(north / resolution) * resolution
    fx0 = np.clip((e0 + resolution - east) / src, 0, 1)
    fy0 = np.clip((n0 + resolution - north) / src, 0, 1)
    for dx, fx in ((0, fx0), (resolution, 1 - fx0)):
        for dy, fy in ((0, fy0), (resolution, 1 - fy0)):
            weight = fx * fy
            use = weight > 1e-9
            parts_e.append((e0 + dx)[use])
            parts_n.append((n0 + dy)[use])
            parts_w.append((people * weight)[use])
    frame = pd.DataFrame({
        "e": np.concatenate(parts_e).astype(np.int64),
        "n": np.concatenate(parts_n).astype(np.int64),
        "w": np.concatenate(parts_w),
    })
    summed = frame.groupby(["e", "n"], sort=True)["w"].sum()
    ids = cell_ids(summed.index.get_level_values("e").to_numpy(),
                   summed.index.get_level_values("n").to_numpy(), resolution)
    return pd.Series(summed.to_numpy(), index=pd.Index(ids, name="gitter_id"), name="einwohner")
