"""Public-transport stops (``haltestellen``), addresses (``adressen``) and basemap areas
(``grundkarte``) from OSM."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from layers.sources.osm import OsmExtract
from layers.sources.osm_tags import parse_yes_limited_no

__all__ = ["build_addresses", "build_basemap", "build_stops"]


def build_stops(extract: OsmExtract, crs: object, boundary: shapely.Geometry) -> gpd.GeoDataFrame:
    """Stops (platforms and stations) inside the region, with accessibility attributes."""
    raw = extract.frame("stops")
    if raw.empty:
        return gpd.GeoDataFrame(
            {"haltestelle_id": [], "name": [], "art": [], "rollstuhl": []},
            geometry=gpd.GeoSeries([], crs=crs), crs=crs,
        )
    stops = raw.to_crs(crs)
    stops = stops[stops.geometry.within(boundary).to_numpy()].reset_index(drop=True)
    return gpd.GeoDataFrame(
        {
            "haltestelle_id": stops["osm_id"].astype(str),
            "name": stops["name"],
            "art": stops["art"],
            "rollstuhl": [parse_yes_limited_no(v) for v in stops["wheelchair"]],
            "unterstand": [parse_yes_limited_no(v) for v in stops["shelter"]],
            "sitzbank": [parse_yes_limited_no(v) for v in stops["bench"]],
            "taktiles_leitsystem": [parse_yes_limited_no(v) for v in stops["tactile_paving"]],
            "quelle": "osm",
        },
        geometry=stops.geometry.to_numpy(),
        crs=crs,
    )


def build_addresses(
    extract: OsmExtract, crs: object, boundary: shapely.Geometry
) -> gpd.GeoDataFrame:
    """Address points (street, house number, postcode, place) inside the region, deduplicated."""
    raw = extract.frame("addresses")
    if raw.empty:
        return gpd.GeoDataFrame(
            {"strasse": [], "hausnummer": [], "plz": [], "ort": []},
            geometry=gpd.GeoSeries([], crs=crs), crs=crs,
        )
    addresses = raw.to_crs(crs)
    addresses = addresses[addresses.geometry.within(boundary).to_numpy()]
    addresses = addresses.drop_duplicates(subset=["strasse", "hausnummer", "plz"]).reset_index(
        drop=True
    )
    addresses.insert(0, "adresse_id", np.arange(1, len(addresses) + 1, dtype=np.int64))
    return addresses


def build_basemap(
    extract: OsmExtract, crs: object, boundary: shapely.Geometry
) -> gpd.GeoDataFrame:
    """Water, green and forest areas for the offline basemap, clipped and simplified (2 m)."""
    raw = extract.frame("basemap")
    if raw.empty:
        return gpd.GeoDataFrame({"art": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    areas = raw.to_crs(crs)
    clipped = shapely.intersection(areas.geometry.to_numpy(), boundary.buffer(200))
    areas = areas.assign(geometry=shapely.simplify(clipped, 2.0))
    areas = areas[~areas.geometry.is_empty & areas.geometry.geom_type.isin(
        ["Polygon", "MultiPolygon"]
    )]
    return areas[["art", "geometry"]].reset_index(drop=True)
