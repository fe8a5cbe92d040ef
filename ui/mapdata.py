"""Preparing region layers for the web map: small, simplified, rounded (no streamlit here).

The browser gets as little as possible:

* streets merged per highway class, simplified by a few metres and rounded to 5 decimal degrees
  (about 1 m), so the whole street network of a city district is a few hundred kilobytes;
* water, green, forest and buildings as ONE flat-coloured PNG image (a pre-rendered layer):
  35,000 building outlines would be megabytes as GeoJSON but are about 200 kB as an image at the
  resolution of zoom level 15, and they are background only;
* population as one polygon per density class (cells of the same class dissolved), not one
  polygon per 100 m cell.

All functions are pure: they take GeoDataFrames in the region's projected CRS and return new
objects without changing their inputs.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from PIL import Image

from ui import theme

__all__ = [
    "COORD_DECIMALS",
    "MERCATOR",
    "RASTER_CLASSES",
    "STREET_CLASSES",
    "STREET_CLASS_LABELS",
    "WEB_CRS",
    "RasterBasemap",
    "class_breaks",
    "classed_polygons",
    "classify",
    "compact_geojson",
    "dissolved_outline",
    "geojson_size",
    "object_at",
    "population_class",
    "population_classes",
    "published_grid_classes",
    "raster_basemap",
    "round_coords",
    "street_lines",
]

WEB_CRS = "EPSG:4326"
MERCATOR = "EPSG:3857"
COORD_DECIMALS = 5

# OSM highway values → basemap street class; everything else (service roads, tracks, platforms,
# elevators) is left out of the basemap to keep it light.
STREET_CLASSES = {
    "motorway": "haupt",
    "trunk": "haupt",
    "primary": "haupt",
    "primary_link": "haupt",
    "secondary": "haupt",
    "secondary_link": "haupt",
    "tertiary": "strasse",
    "tertiary_link": "strasse",
    "unclassified": "strasse",
    "residential": "strasse",
    "living_street": "strasse",
    "pedestrian": "strasse",
    "footway": "weg",
    "path": "weg",
    "steps": "weg",
    "cycleway": "weg",
    "bridleway": "weg",
}
STREET_CLASS_LABELS = {"haupt": "Hauptstraße", "strasse": "Straße / Fußgängerzone", "weg": "Fuß- und Radweg"}
# Palette indices of the basemap image, drawn in this order (later ones on top).
RASTER_CLASSES = ("gruen", "wald", "wasser", "gebaeude")
# Mercator metres per pixel at zoom 15 (the zoom at which a district fills the screen).
ZOOM15_RESOLUTION = 156543.03392804097 / 2**15


def round_coords(geometry: Any, decimals: int = COORD_DECIMALS) -> Any:
    """Round all coordinates of a shapely geometry (array) to ``decimals`` places."""
    return shapely.transform(geometry, lambda coords: np.round(coords, decimals))


def compact_geojson(
    frame: gpd.GeoDataFrame, properties: list[str] | None = None, decimals: int = COORD_DECIMALS
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection in WGS 84 with rounded coordinates and chosen properties.

    Parameters
    ----------
    frame
        Features in any CRS (reprojected to WGS 84).
    properties
        Columns to keep as properties (default: none).
    decimals
        Decimal places of the coordinates (5 ≈ 1 m).

    Returns
    -------
    dict
        A FeatureCollection ready for ``json.dumps`` or ``folium.GeoJson``.
    """
    web = frame.to_crs(WEB_CRS) if frame.crs is not None and str(frame.crs) != WEB_CRS else frame
    geoms = round_coords(web.geometry.values, decimals)
    props = list(properties or [])
    records = web[props].to_dict("records") if props else [{} for _ in range(len(web))]
    features = []
    for geom, record in zip(geoms, records, strict=True):
        if geom is None or geom.is_empty:
            continue
        clean = {k: _json_value(v) for k, v in record.items()}
        features.append(
            {"type": "Feature", "properties": clean, "geometry": shapely.geometry.mapping(geom)}
        )
    return {"type": "FeatureCollection", "features": features}


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def geojson_size(data: dict[str, Any]) -> int:
    """Size in bytes of the compact JSON encoding of ``data``."""
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def street_lines(
    edges: gpd.GeoDataFrame, tolerance_m: float = 5.0, classes: tuple[str, ...] = ("haupt", "strasse")
) -> gpd.GeoDataFrame:
    """Streets of the pedestrian network merged into one line set per class and simplified.

    Parameters
    ----------
    edges
        ``netz_kanten`` (needs ``highway``) in a metric CRS.
    tolerance_m
        Douglas-Peucker tolerance in metres.
    classes
        Which of ``haupt``, ``strasse``, ``weg`` to keep.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per class (``klasse``), in the CRS of ``edges``.
    """
    klasse = edges["highway"].map(STREET_CLASSES)
    rows, geoms = [], []
    for name in classes:
        part = edges.geometry.values[(klasse == name).to_numpy()]
        if len(part) == 0:
            continue
        merged = shapely.line_merge(shapely.union_all(part))
        rows.append(name)
        geoms.append(shapely.simplify(merged, tolerance_m))
    return gpd.GeoDataFrame({"klasse": rows}, geometry=geoms, crs=edges.crs)


@dataclass(frozen=True)
class RasterBasemap:
    """A pre-rendered image of the areal basemap features.

    Attributes
    ----------
    png
        The image (paletted PNG with a transparent background).
    bounds
        ``[[south, west], [north, east]]`` in WGS 84, as Leaflet's ImageOverlay wants them.
    width, height
        Image size in pixels.
    """

    png: bytes
    bounds: list[list[float]]
    width: int
    height: int

    def data_url(self) -> str:
        """The image as a ``data:`` URL (no file server needed, works offline)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _palette_png(pixels: np.ndarray) -> bytes:
    """The class raster as a palette PNG in the basemap colours (0 = transparent)."""
    image = Image.fromarray(pixels, mode="P")
    palette = [255, 255, 255]
    for name in RASTER_CLASSES:
        colour = theme.BASEMAP_COLOURS[name].lstrip("#")
        palette.extend(int(colour[i : i + 2], 16) for i in (0, 2, 4))
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True, transparency=0)
    return buffer.getvalue()


def raster_basemap(
    areas: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    extent: gpd.GeoDataFrame,
    resolution_m: float = ZOOM15_RESOLUTION,
) -> RasterBasemap:
    """Render water, green, forest (``grundkarte``) and buildings into one flat-coloured image.

    The image is rendered in Web Mercator so that Leaflet's ImageOverlay (which stretches an image
    linearly between two corners in Web Mercator) places every pixel exactly.

    Parameters
    ----------
    areas
        ``grundkarte`` with column ``art`` (``wasser``, ``gruen``, ``wald``).
    buildings
        ``gebaeude`` (only the geometry is used).
    extent
        The layer whose bounds the image covers (the region polygon).
    resolution_m
        Web Mercator metres per pixel (default: that of zoom level 15).

    Returns
    -------
    RasterBasemap
    """
    region = extent.to_crs(MERCATOR)
    minx, miny, maxx, maxy = region.total_bounds
    width = max(1, int(np.ceil((maxx - minx) / resolution_m)))
    height = max(1, int(np.ceil((maxy - miny) / resolution_m)))
    transform = Affine(resolution_m, 0.0, minx, 0.0, -resolution_m, maxy)
    shapes: list[tuple[Any, int]] = []
    web_areas = areas.to_crs(MERCATOR) if len(areas) else areas
    for index, name in enumerate(RASTER_CLASSES, start=1):
        if name == "gebaeude":
            geoms = buildings.to_crs(MERCATOR).geometry.values if len(buildings) else []
        else:
            geoms = web_areas.geometry.values[(web_areas["art"] == name).to_numpy()] if len(web_areas) else []
        shapes.extend((g, index) for g in geoms if g is not None and not g.is_empty)
    if shapes:
        from rasterio import features as rio_features  # heavy; only for the density raster

        pixels = rio_features.rasterize(
            shapes, out_shape=(height, width), transform=transform, fill=0, dtype="uint8"
        )
    else:
        pixels = np.zeros((height, width), dtype="uint8")
    png = _palette_png(pixels)
    corners = gpd.GeoSeries(
        [shapely.Point(minx, miny), shapely.Point(maxx, maxy)], crs=MERCATOR
    ).to_crs(WEB_CRS)
    south_west, north_east = corners.iloc[0], corners.iloc[1]
    bounds = [
        [round(south_west.y, 6), round(south_west.x, 6)],
        [round(north_east.y, 6), round(north_east.x, 6)],
    ]
    return RasterBasemap(png=png, bounds=bounds, width=width, height=height)


def population_class(values: pd.Series) -> pd.Series:
    """Index (0 … 5) of the population density class of each value (inhabitants per cell)."""
    breaks = np.asarray(theme.POPULATION_BREAKS[1:], dtype=float)
    return pd.Series(np.searchsorted(breaks, values.to_numpy(dtype=float), side="right"), index=values.index)


def population_classes(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Grid cells dissolved into one (multi)polygon per density class.

    Parameters
    ----------
    cells
        ``bevoelkerung`` with ``einwohner`` (100 m cells).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``klasse`` (0 …), ``label`` (legend text), ``farbe``, ``zellen`` (number of
        cells), ``einwohner`` (sum), ``geometry``; in the CRS of ``cells``.
    """
    populated = cells[cells["einwohner"] > 0]
    labels = theme.population_class_labels()
    classes = population_class(populated["einwohner"])
    rows = []
    for index in sorted(classes.unique()):
        part = populated[(classes == index).to_numpy()]
        rows.append(
            {
                "klasse": int(index),
                "label": labels[index],
                "farbe": theme.POPULATION_COLOURS[index],
                "zellen": len(part),
                "einwohner": float(part["einwohner"].sum()),
                "geometry": shapely.union_all(part.geometry.values),
            }
        )
    if not rows:
        return gpd.GeoDataFrame(
            {"klasse": [], "label": [], "farbe": [], "zellen": [], "einwohner": []},
            geometry=gpd.GeoSeries([], crs=cells.crs), crs=cells.crs,
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=cells.crs)


def object_at(
    lat: float, lng: float, services: gpd.GeoDataFrame, areas: gpd.GeoDataFrame,
    tolerance_deg: float = 1e-6,
) -> tuple[str | None, str | None]:
    """What a click on the map hit: a service (by its exact marker position) or a planning area.

    Leaflet reports a marker click at the marker's own position and a polygon click at the
    mouse position, so a service is recognised by coordinates equal within ``tolerance_deg``.

    Parameters
    ----------
    lat, lng
        The clicked position (WGS 84).
    services
        Services in WGS 84 with ``angebot_id`` and (optionally) ``pr_id``.
    areas
        Planning areas in WGS 84 with ``pr_id``.

    Returns
    -------
    tuple
        ``(angebot_id, pr_id)``; either may be None.
    """
    if len(services):
        hit = services[
            ((services.geometry.y - lat).abs() < tolerance_deg)
            & ((services.geometry.x - lng).abs() < tolerance_deg)
        ]
        if len(hit):
            area = hit["pr_id"].iloc[0] if "pr_id" in hit else None
            return str(hit["angebot_id"].iloc[0]), (str(area) if isinstance(area, str) else None)
    inside = areas[areas.geometry.contains(shapely.Point(lng, lat))]
    if len(inside):
        return None, str(inside["pr_id"].iloc[0])
    return None, None


def classed_polygons(
    cells: gpd.GeoDataFrame,
    classes: pd.Series,
    colours: dict[str, str],
    *,
    weight: str | None = "einwohner",
    simplify_m: float = 2.0,
) -> gpd.GeoDataFrame:
    """Cells dissolved into one (multi)polygon per class, for a light classed map layer.

    Parameters
    ----------
    cells
        Polygons (e.g. 100 m population cells) in a metric CRS.
    classes
        The class label of every cell, indexed like ``cells`` (a categorical keeps its order).
    colours
        Colour per class label.
    weight
        Column summed per class (``einwohner``), or ``None``.
    simplify_m
        Simplification tolerance of the merged outlines in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        ``klasse`` (position in the class order), ``label``, ``farbe``, ``zellen``, ``summe``;
        one row per non-empty class, in the CRS of ``cells``.
    """
    if not classes.index.equals(cells.index):
        raise ValueError("classes must be indexed like cells")
    if isinstance(classes.dtype, pd.CategoricalDtype):
        order = [str(c) for c in classes.cat.categories]
    else:
        order = sorted(classes.dropna().astype(str).unique())
    labels = classes.astype(str).to_numpy()
    values = (
        pd.to_numeric(cells[weight], errors="coerce").fillna(0.0).to_numpy(float)
        if weight is not None else np.ones(len(cells))
    )
    rows = []
    for position, label in enumerate(order):
        mask = labels == label
        if not mask.any():
            continue
        merged = shapely.union_all(cells.geometry.values[mask])
        rows.append({
            "klasse": position, "label": label, "farbe": colours.get(label, "#999999"),
            "zellen": int(mask.sum()), "summe": float(values[mask].sum()),
            "geometry": shapely.simplify(merged, simplify_m),
        })
    if not rows:
        return gpd.GeoDataFrame(
            {"klasse": [], "label": [], "farbe": [], "zellen": [], "summe": []},
            geometry=gpd.GeoSeries([], crs=cells.crs), crs=cells.crs,
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=cells.crs)


def dissolved_outline(cells: gpd.GeoDataFrame, simplify_m: float = 2.0) -> gpd.GeoDataFrame:
    """All cells merged into one polygon (e.g. the Versorgungslücken or Gi* hotspot cells)."""
    if len(cells) == 0:
        return gpd.GeoDataFrame({"zellen": []}, geometry=gpd.GeoSeries([], crs=cells.crs),
                                crs=cells.crs)
    merged = shapely.simplify(shapely.union_all(cells.geometry.values), simplify_m)
    return gpd.GeoDataFrame({"zellen": [len(cells)]}, geometry=[merged], crs=cells.crs)


def class_breaks(values: pd.Series, n_classes: int = 5) -> list[float]:
    """Rounded quantile breaks (``n_classes - 1`` inner limits) of positive values.

    Fewer breaks when the values have fewer distinct levels.
    """
    clean = pd.to_numeric(values, errors="coerce").dropna()
    clean = clean[clean > 0]
    if clean.empty:
        return []
    quantiles = np.quantile(clean.to_numpy(float), np.linspace(0, 1, n_classes + 1)[1:-1])
    breaks = sorted({float(np.round(q, 1)) for q in quantiles if q > clean.min()})
    return breaks


def classify(values: pd.Series, breaks: list[float], decimals: int = 1) -> tuple[pd.Series, list[str]]:
    """Class labels of values by breaks (``"bis 1,2"``, ``"1,2 – 2,5"``, ``"über 2,5"``).

    Returns
    -------
    tuple
        A categorical Series indexed like ``values`` and the labels in order.
    """
    from layers.formatting import de_number

    numbers = pd.to_numeric(values, errors="coerce").to_numpy(float)
    if not breaks:
        labels = ["alle Werte"]
        codes = np.zeros(len(numbers), dtype=int)
    else:
        text = [de_number(b, decimals) for b in breaks]
        labels = [f"bis {text[0]}"]
        labels += [f"über {a} bis {b}" for a, b in zip(text, text[1:], strict=False)]
        labels.append(f"über {text[-1]}")
        codes = np.searchsorted(np.asarray(breaks) + 1e-12, np.nan_to_num(numbers, nan=0.0), side="left")
    series = pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(labels), ordered=True),
                       index=values.index)
    return series, labels


def published_grid_classes(
    grid: gpd.GeoDataFrame, colours: tuple[str, ...], *, column: str = "rate_eb_je_1000"
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Published barrier cells as a classed map layer (only values that passed disclosure control).

    Parameters
    ----------
    grid
        A published grid (:meth:`analyses.privacy.Publication.gitter`, possibly with smoothed
        rates and Gi* classes); a frame that did not come out of the disclosure gate is refused.
    colours
        One colour per class (quantile classes of ``column``).
    column
        The value that decides the class.

    Returns
    -------
    tuple
        GeoJSON (WGS 84) of the cells — polygons only, with the published ``personen``,
        ``meldungen`` (German text), the rate, the Gi* class and the class label — and the legend
        entries ``(colour, label)``.
    """
    from analyses.privacy import require_published
    from layers.formatting import de_number

    require_published(grid)
    if not grid.geom_type.isin(["Polygon", "MultiPolygon"]).all():
        raise ValueError("published cells must be polygons")
    breaks = class_breaks(grid[column], len(colours))
    classes, labels = classify(grid[column], breaks)
    colour_of = dict(zip(labels, colours[: len(labels)], strict=False))
    frame = gpd.GeoDataFrame({
        "label": classes.astype(str).to_numpy(),
        "farbe": [colour_of[str(c)] for c in classes],
        "personen": [de_number(v) for v in grid["personen"]],
        "meldungen": [de_number(v) for v in grid["meldungen"]],
        "rate": [de_number(v, 1) for v in grid[column]],
        "hotspot": (grid["klasse"].astype(str) if "klasse" in grid else pd.Series("", index=grid.index)).to_numpy(),
    }, geometry=grid.geometry.to_numpy(), crs=grid.crs)
    return compact_geojson(frame, ["label", "farbe", "personen", "meldungen", "rate", "hotspot"]), \
        [(colour_of[label], label) for label in labels]
