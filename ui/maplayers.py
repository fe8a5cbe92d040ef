"""The map layers every map of a region shares, prepared once per store version for the browser.

:func:`prepare_map_layers` draws the offline basemap (areas image and street lines), the planning
areas with labels and bounds, and the population classes from the layers of a
:class:`~planungsraeume.region.Region`. The result is cached (in memory and, as the one pickled
kind, on disk) by :func:`ui.cached.map_layers`. :func:`publish_map_files` writes the basemap
image and the street lines as files the browser loads once by URL instead of inside every map
script. No streamlit here.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from layers.errors import StoreError
from layers.log import get_logger
from planungsraeume.cache import cache_key
from planungsraeume.region import Region
from ui import mapdata
from ui.maps import Basemap

__all__ = [
    "MAP_DATA_VERSION",
    "WEB_CRS",
    "MapLayers",
    "map_files_key",
    "prepare_map_layers",
    "publish_map_files",
    "to_region_crs",
]

WEB_CRS = "EPSG:4326"
#: Bump when the preparation of map data changes (part of the cache key).
MAP_DATA_VERSION = "7"
log = get_logger("app")


@dataclass
class MapLayers:
    """Everything the maps of a region need, prepared for the browser.

    Attributes
    ----------
    basemap
        Offline basemap (image, streets, outline) and the region's bounds.
    areas
        GeoJSON of the planning areas (``pr_id``, ``name``).
    area_labels
        ``(lat, lon, "PR01 Name")`` label positions (representative points), largest area first.
    area_bounds
        ``[[south, west], [north, east]]`` per ``pr_id``.
    population
        GeoJSON of the population density classes.
    """

    basemap: Basemap
    areas: dict[str, Any]
    area_labels: list[tuple[float, float, str]]
    area_bounds: dict[str, list[list[float]]]
    population: dict[str, Any]


def _geo(region: Region, name: str, columns: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    frame = region.layer(name, columns)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise StoreError(
            f"Die Ebene '{name}' hat keine Geometrie.",
            hinweis=f"Bauen Sie die Region neu (sozialraum build --region {region.name} --force).",
        )
    return frame


def _area_parts(areas: gpd.GeoDataFrame) -> tuple[dict[str, Any], list[tuple[float, float, str]],
                                                   dict[str, list[list[float]]]]:
    simplified = areas.assign(geometry=areas.geometry.simplify(3.0))
    area_json = mapdata.compact_geojson(simplified, ["pr_id", "name"])
    points = areas.geometry.representative_point().to_crs(WEB_CRS)
    # Largest area first: where labels collide in the map, the earlier one keeps its label
    # (ui.maps.DECLUTTER_SCRIPT), and a large area has room for it.
    order = areas.geometry.area.to_numpy().argsort(kind="stable")[::-1]
    labels = [(round(points.iloc[i].y, 5), round(points.iloc[i].x, 5),
               f"{areas['pr_id'].iloc[i]} {areas['name'].iloc[i]}") for i in order]
    bounds = {}
    for pr_id, geom in zip(areas["pr_id"], areas.to_crs(WEB_CRS).geometry, strict=True):
        x0, y0, x1, y1 = geom.bounds
        bounds[str(pr_id)] = [[y0, x0], [y1, x1]]
    return area_json, labels, bounds


def prepare_map_layers(region: Region) -> MapLayers:
    """Draw the basemap and prepare areas and population of a region (takes seconds)."""
    outline_frame = _geo(region, "region")
    image = mapdata.raster_basemap(_geo(region, "grundkarte"), _geo(region, "gebaeude", ("nutzung",)),
                                   outline_frame)
    streets = mapdata.compact_geojson(
        mapdata.street_lines(_geo(region, "netz_kanten", ("highway",))), ["klasse"])
    outline = mapdata.compact_geojson(
        outline_frame.assign(geometry=outline_frame.boundary.simplify(5.0)))
    minx, miny, maxx, maxy = outline_frame.to_crs(WEB_CRS).total_bounds
    area_json, labels, bounds = _area_parts(region.areas()[["pr_id", "name", "geometry"]])
    classes = mapdata.population_classes(_geo(region, "bevoelkerung", ("einwohner",)))
    classes = classes.assign(geometry=classes.geometry.simplify(2.0))
    population = mapdata.compact_geojson(classes, ["klasse", "label", "farbe", "zellen"])
    basemap = Basemap(
        bounds=[[miny, minx], [maxy, maxx]],
        image_url=image.data_url(),
        image_bounds=image.bounds,
        streets=streets,
        outline=outline,
        sizes={
            "grundkarte_bild": len(image.png),
            "strassen": mapdata.geojson_size(streets),
            "planungsraeume": mapdata.geojson_size(area_json),
            "bevoelkerung": mapdata.geojson_size(population),
        },
    )
    return MapLayers(basemap, area_json, labels, bounds, population)


def map_files_key(region: Region) -> str:
    """The part of the map file names that changes with the store's content."""
    inputs = {"region": region.name, "version": region.identity()["version"],
              "format": MAP_DATA_VERSION}
    return cache_key("kartendateien", inputs)[:16]


def publish_map_files(region: Region, prepared: MapLayers) -> None:
    """Write the basemap image and street lines as files the browser loads (once) by URL.

    Sets ``basemap.image_href``/``streets_href``; cheap when the files are already there.
    Without writable files the map carries the data inline.
    """
    from ui import assets

    key = map_files_key(region)
    image_name = f"{region.name}-{key}-grundkarte.png"
    streets_name = f"{region.name}-{key}-strassen.json"
    folder = assets.MAP_DATA_DIR
    basemap = prepared.basemap
    if (basemap.image_href == assets.map_data_url(image_name)
            and (folder / image_name).exists() and (folder / streets_name).exists()):
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{region.name}-*"):
            if old.name not in (image_name, streets_name):
                old.unlink(missing_ok=True)
        for filename, content in (
            (image_name, base64.b64decode(basemap.image_url.split(",", 1)[1])),
            (streets_name, json.dumps(basemap.streets, separators=(",", ":")).encode("utf-8")),
        ):
            target = folder / filename
            if not target.exists():
                tmp = target.with_suffix(".tmp")
                tmp.write_bytes(content)
                tmp.replace(target)
    except OSError as exc:
        log.warning("Kartendateien nicht schreibbar (%s); Karte enthält die Daten selbst.", exc)
        basemap.image_href = basemap.streets_href = None
        return
    basemap.image_href = assets.map_data_url(image_name)
    basemap.streets_href = assets.map_data_url(streets_name)


def to_region_crs(lat: float, lon: float, crs: Any) -> tuple[float, float]:
    """A map position (WGS 84) in the region's metric CRS."""
    from pyproj import Transformer

    x, y = Transformer.from_crs(WEB_CRS, crs, always_xy=True).transform(lon, lat)
    return float(x), float(y)
