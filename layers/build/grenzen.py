"""Region boundary (``region``) and municipalities (``gemeinden``).

The region is either the municipalities selected by an AGS prefix, clipped to the area the OSM
extract covers, or (without a municipality file) the area the extract covers.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from scipy import ndimage

from layers.errors import GeometryError
from layers.regions import RegionConfig
from layers.sources.osm import WGS84, OsmExtract, header_bounds
from layers.sources.vg250 import read_vg250

__all__ = [
    "HULL_CELL_DEG",
    "HULL_MIN_NODES",
    "check_overlap",
    "extract_area",
    "header_extract_area",
    "read_gemeinden",
    "region_boundary",
    "region_frame",
    "share_in_region",
]

HULL_CELL_DEG = 0.01
HULL_MIN_NODES = 10


def extract_area(extract: OsmExtract) -> shapely.Geometry:
    """The area an extract covers, in WGS 84.

    The header bounding box where it is meaningful. Otherwise the convex hull of the main block of
    0.01° cells (about 1 km) with at least ten highway nodes: a morphological opening removes
    strips one cell wide, which drops the long roads that routing extracts keep far outside their
    area, and the largest connected block remains.
    """
    if extract.bounds is not None:
        return shapely.box(*extract.bounds)
    coords = np.concatenate([w["coords"] for w in extract.ways])
    cells = np.floor(coords / HULL_CELL_DEG).astype(np.int64)
    unique, counts = np.unique(cells, axis=0, return_counts=True)
    dense = unique[counts >= HULL_MIN_NODES]
    if len(dense) == 0:
        return shapely.convex_hull(shapely.multipoints(coords))
    origin = dense.min(axis=0)
    grid = np.zeros(tuple(dense.max(axis=0) - origin + 1), dtype=bool)
    grid[tuple((dense - origin).T)] = True
    opened = ndimage.binary_opening(grid, structure=np.ones((3, 3), dtype=bool))
    labels, count = ndimage.label(opened if opened.any() else grid, structure=np.ones((3, 3)))
    sizes = np.bincount(labels.ravel())[1:]
    main = np.argwhere(labels == int(np.argmax(sizes)) + 1) + origin
    corners = np.concatenate([main, main + [1, 0], main + [0, 1], main + [1, 1]]).astype(float)
    return shapely.convex_hull(shapely.multipoints(corners * HULL_CELL_DEG))


def read_gemeinden(config: RegionConfig) -> gpd.GeoDataFrame:
    """Read the region's municipalities (real population, VG250-EW) in the working CRS.

    The file named by ``[quellen] gemeinden``, selected by ``[grenze] ags_praefix``; read by
    :func:`layers.sources.vg250.read_vg250`.

    Raises
    ------
    SourceDataError
        If the file is missing or unreadable, lacks columns, or no AGS matches the prefix.
    CRSError
        If the file has no CRS.
    """
    path = config.gemeinden
    assert path is not None
    return read_vg250(
        path,
        crs=config.crs,
        ags_praefix=config.gemeinden_praefix,
        pfad_hinweis="Prüfen Sie [quellen] gemeinden in der Regionskonfiguration "
        f"({config.path.name}).",
        praefix_hinweis="Prüfen Sie [grenze] ags_praefix in der Regionskonfiguration.",
    )


def header_extract_area(path: object) -> shapely.Geometry | None:
    """The extract's area from the PBF header alone (None if the header has no usable box)."""
    bounds = header_bounds(Path(str(path)))
    return shapely.box(*bounds) if bounds is not None else None


def check_overlap(
    config: RegionConfig, area_wgs84: shapely.Geometry, gemeinden: gpd.GeoDataFrame
) -> shapely.Geometry:
    """Intersect the municipalities with the extract's area; raise if they do not overlap.

    Returns
    -------
    shapely.Geometry
        The region polygon in the working CRS.

    Raises
    ------
    GeometryError
        If the extract does not overlap the municipalities.
    """
    area = gpd.GeoSeries([area_wgs84], crs=WGS84).to_crs(config.crs).iloc[0]
    union = shapely.union_all(gemeinden.geometry.to_numpy())
    region = shapely.intersection(union, area)
    if region.is_empty or region.area < 1e4:
        raise GeometryError(
            "Der OSM-Ausschnitt überlappt die ausgewählten Gemeinden nicht.",
            hinweis=f"Prüfen Sie, ob [grenze] ags_praefix = \"{config.gemeinden_praefix}\" zum "
            "OSM-Ausschnitt passt, oder wählen Sie einen Ausschnitt, der die Gemeinden abdeckt.",
            datei=config.osm,
        )
    return shapely.make_valid(region)


def region_boundary(
    config: RegionConfig, extract: OsmExtract, gemeinden: gpd.GeoDataFrame | None
) -> shapely.Geometry:
    """The region polygon in the working CRS.

    Raises
    ------
    GeometryError
        If the extract does not overlap the municipalities.
    """
    if config.boundary_kind == "extrakt" or gemeinden is None:
        return gpd.GeoSeries([extract_area(extract)], crs=WGS84).to_crs(config.crs).iloc[0]
    return check_overlap(config, extract_area(extract), gemeinden)


def region_frame(config: RegionConfig, boundary: shapely.Geometry) -> gpd.GeoDataFrame:
    """The one-row ``region`` layer."""
    return gpd.GeoDataFrame(
        {
            "name": [config.name],
            "titel": [config.titel],
            "flaeche_km2": [round(boundary.area / 1e6, 3)],
        },
        geometry=[boundary],
        crs=config.crs,
    )


def share_in_region(gemeinden: gpd.GeoDataFrame, boundary: shapely.Geometry) -> np.ndarray:
    """Share of each municipality's area inside the region (0..1)."""
    inter = shapely.intersection(gemeinden.geometry.to_numpy(), boundary)
    return np.round(shapely.area(inter) / shapely.area(gemeinden.geometry.to_numpy()), 4)
