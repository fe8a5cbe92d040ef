"""Buildings (``gebaeude``) with a residential class, storeys and modelled living space.

Classification of OSM buildings, in this order:

1. explicit residential values (``apartments``, ``house``, ``residential``, ``detached``, …) are
   ``wohnen``; explicit non-residential values (``garage``, ``school``, ``industrial``, …) are
   ``nichtwohnen``;
2. other values (mostly ``building=yes``): with a shop, amenity, office or craft tag the building is
   ``gemischt`` (commercial ground floor, flats above); inside commercial, industrial, retail or
   railway land use, or smaller than 40 m², it is ``nichtwohnen``; otherwise ``wohnen``.

Outbuildings never get inhabitants (:func:`outbuildings`): the OSM ``building`` values of
``[bevoelkerung] nebengebaeude`` (garages, sheds, huts, …) and buildings without an address whose
footprint is below ``nebengebaeude_max_m2``; column ``nebengebaeude`` says why (``Merkmal`` or
``klein ohne Adresse``). Care homes and dormitories are residential even with other uses.
Every residential building gets a housing type (``wohnform``, :mod:`layers.build.wohnformen`).

Storeys come from ``building:levels`` (+ half the ``roof:levels``) or, where missing, from the
defaults of the region configuration (documented there).
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.build.wohnformen import (
    DORMITORY_AMENITIES,
    DORMITORY_BUILDINGS,
    HousingShares,
    classify_housing,
    senior_home_buildings,
)
from layers.regions import PopulationModel
from layers.sources.osm import OsmExtract

__all__ = [
    "MIN_RESIDENTIAL_FOOTPRINT_M2",
    "MIXED_RESIDENTIAL_SHARE",
    "NON_RESIDENTIAL",
    "NON_RESIDENTIAL_LANDUSE",
    "RESIDENTIAL",
    "build_buildings",
    "outbuildings",
]

RESIDENTIAL = {
    "apartments", "house", "residential", "detached", "semidetached_house", "terrace",
    "dormitory", "bungalow", "farm", "cabin", "static_caravan", "houseboat",
}
NON_RESIDENTIAL = {
    "garage", "garages", "carport", "shed", "hut", "roof", "industrial", "commercial",
    "retail", "office", "warehouse", "school", "university", "college", "kindergarten",
    "church", "chapel", "cathedral", "mosque", "synagogue", "temple", "hospital", "public",
    "government", "civic", "train_station", "transportation", "parking", "service",
    "greenhouse", "construction", "sports_centre", "sports_hall", "stadium", "hotel",
    "supermarket", "farm_auxiliary", "stable", "barn", "bridge", "ruins", "bunker",
    "toilets", "kiosk", "transformer_tower", "water_tower", "power", "storage_tank",
    "silo", "grandstand", "pavilion", "museum", "fire_station", "manufacture",
}
NON_RESIDENTIAL_LANDUSE = {
    "commercial", "industrial", "retail", "railway", "military", "construction",
    "cemetery", "education", "religious", "institutional", "civic_admin",
}
MIN_RESIDENTIAL_FOOTPRINT_M2 = 40.0
# Share of a mixed building's floor area assumed to be living space (ground floor is commercial).
MIXED_RESIDENTIAL_SHARE = 0.6

_LEVEL_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)")


def _levels(value: object) -> float:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    match = _LEVEL_NUMBER.match(str(value))
    if not match:
        return np.nan
    number = float(match.group(1).replace(",", "."))
    return number if 0 < number < 100 else np.nan


def build_buildings(
    extract: OsmExtract, crs: object, boundary: shapely.Geometry, model: PopulationModel,
    housing: HousingShares | None = None,
) -> gpd.GeoDataFrame:
    """Build the ``gebaeude`` layer.

    The steps: keep the buildings whose representative point lies in the region, classify their
    use (:func:`_classify_use`), estimate storeys (:func:`_storeys`), then gross floor area and
    living space.

    Parameters
    ----------
    extract
        OSM tables.
    crs
        Working CRS.
    boundary
        Region boundary in the working CRS; buildings whose representative point lies outside are
        dropped.
    model
        Population model (default storeys, living-space share, outbuilding rules).
    housing
        Housing types and their rules (``None``: every residential building is ``sonstige``).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per building with ``nutzung``, ``wohnform``, ``nebengebaeude``, ``geschosse``,
        ``bgf_m2`` and ``wohnflaeche_m2``.
    """
    raw = extract.frame("buildings")
    if raw.empty:
        return _empty_buildings(crs)
    for column in ("building:levels", "roof:levels", "name", *_USE_TAGS):
        if column not in raw.columns:
            raw[column] = None
    buildings = raw.to_crs(crs)
    points = buildings.geometry.representative_point()
    inside = points.within(boundary)
    buildings = buildings[inside.to_numpy()].reset_index(drop=True)
    points = points[inside.to_numpy()].reset_index(drop=True)

    footprint = buildings.geometry.area.to_numpy()
    building_value = buildings["building"].fillna("yes").astype(str).to_numpy()
    use, outbuilding, wohnform = _use_and_housing(
        buildings, building_value, points, extract, crs, model, housing)
    storeys, level_source = _storeys(buildings, building_value, model)

    gross = footprint * storeys
    residential_share = np.select(
        [use == "wohnen", use == "gemischt"], [1.0, MIXED_RESIDENTIAL_SHARE], default=0.0
    )
    living = gross * model.wohnflaechenanteil * residential_share

    return gpd.GeoDataFrame(
        {
            "osm_id": buildings["osm_id"].astype(str),
            "building": building_value,
            "name": buildings["name"],
            "nutzung": use,
            "wohnform": wohnform,
            "nebengebaeude": outbuilding,
            "geschosse": np.round(storeys, 1),
            "geschosse_quelle": level_source,
            "grundflaeche_m2": np.round(footprint, 1),
            "bgf_m2": np.round(gross, 1),
            "wohnflaeche_m2": np.round(living, 1),
        },
        geometry=buildings.geometry.to_numpy(),
        crs=crs,
    )


def _use_and_housing(
    buildings: gpd.GeoDataFrame,
    building_value: np.ndarray,
    points: gpd.GeoSeries,
    extract: OsmExtract,
    crs: object,
    model: PopulationModel,
    housing: HousingShares | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Use, outbuilding reason and housing type of every building.

    Care homes and dormitories are residential whatever else they host; outbuildings are not.
    """
    footprint = buildings.geometry.area.to_numpy()
    has_use = buildings[list(_USE_TAGS)].notna().any(axis=1).to_numpy()
    min_footprint = 0.0 if model.nebengebaeude_max_m2 > 0 else MIN_RESIDENTIAL_FOOTPRINT_M2
    use = _classify_use(
        building_value, has_use, _in_non_residential_landuse(extract, points, crs), footprint,
        min_footprint,
    )
    amenity = buildings["amenity"].fillna("").astype(str).to_numpy()
    senior = senior_home_buildings(buildings, extract.frame("services"))
    home = senior | np.isin(building_value, list(DORMITORY_BUILDINGS)) | np.isin(
        amenity, list(DORMITORY_AMENITIES))
    use = np.where(home & ~np.isin(building_value, list(model.nebengebaeude)), "wohnen", use)
    outbuilding = outbuildings(buildings, building_value, use, home, extract, model)
    use = np.where(outbuilding != "", "nichtwohnen", use)
    mapped = np.array([_levels(v) for v in buildings["building:levels"]])
    wohnform = classify_housing(
        building_value, amenity, mapped, senior, use != "nichtwohnen",
        housing.mehrfamilienhaus_ab_geschosse if housing else 3.0,
    )
    return use, outbuilding, wohnform


# OSM keys that mark a commercial or public use in a building (a residential one becomes mixed).
_USE_TAGS = ("shop", "amenity", "office", "craft", "tourism", "healthcare")


def _empty_buildings(crs: object) -> gpd.GeoDataFrame:
    """The ``gebaeude`` layer of an extract without buildings: the columns, no rows."""
    return gpd.GeoDataFrame(
        {
            "osm_id": pd.Series(dtype=str),
            "building": pd.Series(dtype=str),
            "nutzung": pd.Series(dtype=str),
            "wohnform": pd.Series(dtype=str),
            "nebengebaeude": pd.Series(dtype=str),
            "geschosse": pd.Series(dtype=float),
            "grundflaeche_m2": pd.Series(dtype=float),
            "bgf_m2": pd.Series(dtype=float),
            "wohnflaeche_m2": pd.Series(dtype=float),
        },
        geometry=gpd.GeoSeries([], crs=crs),
        crs=crs,
    )


def _in_non_residential_landuse(
    extract: OsmExtract, points: gpd.GeoSeries, crs: object
) -> np.ndarray:
    """Whether each building point lies in commercial, industrial, … land use (boolean array)."""
    in_non_residential = np.zeros(len(points), dtype=bool)
    landuse = extract.frame("landuse")
    if landuse.empty:
        return in_non_residential
    landuse = landuse.to_crs(crs)
    non_res = landuse[landuse["landuse"].isin(NON_RESIDENTIAL_LANDUSE)]
    if not non_res.empty:
        hits = gpd.sjoin(
            gpd.GeoDataFrame(geometry=points, crs=crs), non_res[["geometry"]],
            predicate="within", how="inner",
        )
        in_non_residential[np.unique(hits.index.to_numpy())] = True
    return in_non_residential


def _classify_use(
    building_value: np.ndarray,
    has_use: np.ndarray,
    in_non_residential: np.ndarray,
    footprint: np.ndarray,
    min_footprint: float = MIN_RESIDENTIAL_FOOTPRINT_M2,
) -> np.ndarray:
    """``wohnen``, ``nichtwohnen`` or ``gemischt`` per building, by the rules of the module.

    ``min_footprint``: unspecific buildings below it are not residential (the rule of regions
    without ``nebengebaeude_max_m2``; with it, :func:`outbuildings` decides by size).
    """
    use = np.where(
        np.isin(building_value, list(RESIDENTIAL)),
        "wohnen",
        np.where(
            np.isin(building_value, list(NON_RESIDENTIAL)),
            "nichtwohnen",
            np.where(
                has_use,
                "gemischt",
                np.where(
                    in_non_residential | (footprint < min_footprint),
                    "nichtwohnen",
                    "wohnen",
                ),
            ),
        ),
    )
    # A residential-tagged building with a shop is still mixed.
    return np.where((use == "wohnen") & has_use, "gemischt", use)


def outbuildings(
    buildings: gpd.GeoDataFrame,
    building_value: np.ndarray,
    use: np.ndarray,
    home: np.ndarray,
    extract: OsmExtract,
    model: PopulationModel,
) -> np.ndarray:
    """Why each building is an outbuilding without inhabitants (``""``: it is none).

    ``Merkmal``: its ``building`` value is one of ``[bevoelkerung] nebengebaeude``. ``klein ohne
    Adresse``: it would be residential, is no care home or dormitory, has no address point
    inside, and its footprint is below ``nebengebaeude_max_m2``.
    """
    reason = np.where(np.isin(building_value, list(model.nebengebaeude)), "Merkmal", "")
    if model.nebengebaeude_max_m2 <= 0 or not len(buildings):
        return reason
    addressed = np.zeros(len(buildings), dtype=bool)
    addresses = extract.frame("addresses")
    if not addresses.empty:
        hits = gpd.sjoin(addresses[["geometry"]].to_crs(buildings.crs), buildings[["geometry"]],
                         predicate="within", how="inner")
        addressed[np.unique(hits["index_right"].to_numpy())] = True
    small = (buildings.geometry.area.to_numpy() < model.nebengebaeude_max_m2) & ~addressed
    candidate = (reason == "") & (use != "nichtwohnen") & ~home & small
    return np.where(candidate, "klein ohne Adresse", reason)


def _storeys(
    buildings: gpd.GeoDataFrame, building_value: np.ndarray, model: PopulationModel
) -> tuple[np.ndarray, np.ndarray]:
    """Storeys per building (OSM levels + half the roof levels, else the model's default).

    Returns
    -------
    tuple of numpy.ndarray
        The storeys and their source (``osm`` or ``standard``).
    """
    levels = np.array([_levels(v) for v in buildings["building:levels"]])
    roof = np.array([_levels(v) for v in buildings["roof:levels"]])
    level_source = np.where(np.isnan(levels), "standard", "osm")
    default = model.geschosse_standard.get("default", 2.0)
    defaults = np.array([model.geschosse_standard.get(b, default) for b in building_value])
    storeys = np.where(np.isnan(levels), defaults, levels + 0.5 * np.nan_to_num(roof))
    return storeys, level_source
