"""Read an OSM PBF extract in one pass with pyosmium.

:func:`read_extract` returns everything the build needs as plain tables in WGS 84: highway ways
with their node ids and coordinates, tagged network nodes (kerbs, barriers, crossings), buildings,
land use, places, public-transport stops, service candidates, addresses and basemap areas. The
layer builders turn these into the region's layers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely

from layers.errors import SourceDataError
from layers.log import get_logger

__all__ = [
    "BASEMAP_AREAS",
    "BUILDING_KEYS",
    "LANDUSE_KEYS",
    "NETWORK_NODE_KEYS",
    "NETWORK_WAY_KEYS",
    "OsmExtract",
    "SERVICE_TRIGGER",
    "WGS84",
    "check_pbf_file",
    "header_bounds",
    "read_extract",
]

log = get_logger("osm")

WGS84 = "EPSG:4326"

# Node tags that matter for walking and wheelchair routing.
NETWORK_NODE_KEYS = (
    "kerb",
    "kerb:height",
    "barrier",
    "crossing",
    "highway",
    "wheelchair",
    "tactile_paving",
    "traffic_signals:sound",
)
# Way tags kept for the pedestrian network.
NETWORK_WAY_KEYS = (
    "highway",
    "name",
    "surface",
    "smoothness",
    "incline",
    "width",
    "est_width",
    "wheelchair",
    "lit",
    "foot",
    "access",
    "footway",
    "sidewalk",
    "crossing",
    "kerb",
    "step_count",
    "ramp",
    "ramp:wheelchair",
    "handrail",
    "tactile_paving",
    "area",
    "service",
)
BUILDING_KEYS = (
    "building",
    "building:levels",
    "roof:levels",
    "name",
    "shop",
    "amenity",
    "office",
    "craft",
    "tourism",
    "healthcare",
    # Evidence of care homes and senior housing for the age structure (layers.build.wohnformen).
    "social_facility",
    "social_facility:for",
)
SERVICE_TRIGGER = re.compile(
    r"EUTB|Teilhabe|KoKoBe|Sozialpsychiatr|KSL|Selbstbestimmt|Integrationsfach|"
    r"Pflegest[üu]tzpunkt|Sozialamt|Jugendamt|Gesundheitsamt|\bLVR\b|Selbsthilfe|"
    r"Peer|Beratung|Sozialdienst|Lebenshilfe|Migration|Behindert",
    re.IGNORECASE,
)
BASEMAP_AREAS = {
    ("natural", "water"): "wasser",
    ("waterway", "riverbank"): "wasser",
    ("landuse", "reservoir"): "wasser",
    ("landuse", "basin"): "wasser",
    ("leisure", "park"): "gruen",
    ("landuse", "grass"): "gruen",
    ("landuse", "meadow"): "gruen",
    ("landuse", "recreation_ground"): "gruen",
    ("landuse", "cemetery"): "gruen",
    ("landuse", "allotments"): "gruen",
    ("landuse", "village_green"): "gruen",
    ("landuse", "forest"): "wald",
    ("natural", "wood"): "wald",
}
LANDUSE_KEYS = ("landuse",)


@dataclass
class OsmExtract:
    """Raw tables read from one PBF file (coordinates in WGS 84).

    Attributes
    ----------
    path
        The PBF file.
    bounds
        Header bounding box ``(minlon, minlat, maxlon, maxlat)`` or ``None``.
    ways
        One row per highway way: ``osm_id``, tags, ``node_ids`` (int64 array) and ``coords``
        (float array of shape (n, 2)).
    network_nodes
        Tagged nodes relevant for routing, indexed by node id.
    """

    path: Path
    bounds: tuple[float, float, float, float] | None
    ways: list[dict[str, Any]] = field(default_factory=list)
    network_nodes: dict[int, dict[str, str]] = field(default_factory=dict)
    buildings: list[dict[str, Any]] = field(default_factory=list)
    landuse: list[dict[str, Any]] = field(default_factory=list)
    basemap: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    stops: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)

    def frame(self, name: str) -> gpd.GeoDataFrame:
        """Return one of the list attributes as a GeoDataFrame in WGS 84."""
        rows = getattr(self, name)
        if not rows:
            return gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=WGS84)
        frame = pd.DataFrame(rows)
        geometry = frame.pop("geometry")
        return gpd.GeoDataFrame(frame, geometry=list(geometry), crs=WGS84)


def _keep(tags: Any, keys: tuple[str, ...]) -> dict[str, str]:
    return {k: tags[k] for k in keys if k in tags}


def _is_walk_candidate(tags: Any) -> bool:
    highway = tags.get("highway")
    return highway is not None and highway not in ("proposed", "construction", "abandoned", "razed")


def read_extract(path: str | Path) -> OsmExtract:
    """Read a PBF extract in one pass.

    Parameters
    ----------
    path
        The ``.osm.pbf`` file.

    Returns
    -------
    OsmExtract

    Raises
    ------
    SourceDataError
        If the file is missing, not a PBF or corrupt.
    """
    path = Path(path)
    bounds = header_bounds(path)
    extract = OsmExtract(path=path, bounds=bounds)
    wkb = osmium.geom.WKBFactory()
    try:
        processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
        obj: Any
        for obj in processor:
            if obj.is_node():
                _read_node(obj, extract)
            elif obj.is_way():
                if _is_walk_candidate(obj.tags):
                    _read_highway(obj, extract)
            elif obj.is_area():
                _read_area(obj, extract, wkb)
    except (RuntimeError, osmium.InvalidLocationError) as exc:
        raise SourceDataError(
            f"Der OSM-Ausschnitt ist beschädigt oder kein PBF ({exc}).",
            hinweis="Laden Sie die .osm.pbf-Datei erneut herunter; prüfen Sie, dass es eine "
            "PBF-Datei ist (nicht .osm.bz2 oder eine HTML-Fehlerseite).",
            datei=path,
        ) from exc
    if not extract.ways:
        raise SourceDataError(
            "Der OSM-Ausschnitt enthält keine Wege (highway=*).",
            hinweis="Verwenden Sie einen vollständigen OSM-Ausschnitt der Region.",
            datei=path,
        )
    log.info(
        "OSM gelesen: %d Wege, %d Gebäude, %d Adressen, %d Haltestellen",
        len(extract.ways),
        len(extract.buildings),
        len(extract.addresses),
        len(extract.stops),
    )
    return extract


def check_pbf_file(path: Path) -> None:
    """Raise :class:`SourceDataError` if ``path`` is missing or obviously not a PBF file."""
    if not path.exists():
        raise SourceDataError(
            "Der OSM-Ausschnitt wurde nicht gefunden.",
            hinweis="Prüfen Sie [quellen] osm in der Regionskonfiguration oder laden Sie den "
            "Ausschnitt herunter (z. B. bei download.geofabrik.de oder extract.bbbike.org).",
            datei=path,
        )
    if path.stat().st_size < 64:
        raise SourceDataError(
            "Der OSM-Ausschnitt ist leer oder abgeschnitten.",
            hinweis="Laden Sie die .osm.pbf-Datei erneut herunter.",
            datei=path,
        )


def header_bounds(path: Path) -> tuple[float, float, float, float] | None:
    """Bounding box ``(minlon, minlat, maxlon, maxlat)`` from the PBF header, if meaningful.

    Raises
    ------
    SourceDataError
        If the file is missing, empty or not readable as PBF.
    """
    path = Path(path)
    check_pbf_file(path)
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        try:
            box = reader.header().box()
        finally:
            reader.close()
    except RuntimeError as exc:
        raise SourceDataError(
            f"Der OSM-Ausschnitt ist beschädigt oder kein PBF ({exc}).",
            hinweis="Laden Sie die .osm.pbf-Datei erneut herunter; prüfen Sie, dass es eine "
            "PBF-Datei ist (nicht .osm.bz2 oder eine HTML-Fehlerseite).",
            datei=path,
        ) from exc
    if not box.valid():
        return None
    bl, tr = box.bottom_left, box.top_right
    # Some extracts carry the whole world (0/0 … 180/90) as a placeholder box.
    if tr.lon - bl.lon > 5 or tr.lat - bl.lat > 5:
        return None
    return (bl.lon, bl.lat, tr.lon, tr.lat)


def _read_node(node: Any, extract: OsmExtract) -> None:
    tags = node.tags
    if len(tags) == 0 or not node.location.valid():
        return
    lon, lat = node.location.lon, node.location.lat
    point = shapely.Point(lon, lat)
    if any(k in tags for k in ("kerb", "kerb:height", "barrier", "crossing")) or tags.get(
        "highway"
    ) in ("crossing", "elevator", "traffic_signals"):
        extract.network_nodes[node.id] = _keep(tags, NETWORK_NODE_KEYS)
    place = tags.get("place")
    if place:
        extract.places.append(
            {"osm_id": f"n{node.id}", "place": place, "name": tags.get("name"), "geometry": point}
        )
    _maybe_stop(tags, f"n{node.id}", point, extract)
    _maybe_service(tags, f"n{node.id}", point, extract)
    _maybe_address(tags, point, extract)


def _maybe_stop(tags: Any, osm_id: str, point: shapely.Point, extract: OsmExtract) -> None:
    highway = tags.get("highway")
    pt = tags.get("public_transport")
    railway = tags.get("railway")
    kind = None
    if highway == "bus_stop" or (pt == "platform" and tags.get("bus") == "yes"):
        kind = "bus"
    elif railway == "tram_stop" or (pt == "platform" and tags.get("tram") == "yes"):
        kind = "tram"
    elif railway in ("station", "halt") or (pt == "station" and tags.get("train") == "yes"):
        kind = "bahn"
    elif pt == "platform":
        kind = "bus"
    if kind is None:
        return
    extract.stops.append(
        {
            "osm_id": osm_id,
            "name": tags.get("name"),
            "art": kind,
            "wheelchair": tags.get("wheelchair"),
            "shelter": tags.get("shelter"),
            "bench": tags.get("bench"),
            "tactile_paving": tags.get("tactile_paving"),
            "geometry": point,
        }
    )


def _maybe_service(tags: Any, osm_id: str, point: shapely.Point, extract: OsmExtract) -> None:
    amenity = tags.get("amenity")
    relevant = (
        "social_facility" in tags
        or amenity in ("social_facility", "community_centre", "townhall")
        or tags.get("healthcare") == "counselling"
        or tags.get("office") in ("government", "association", "ngo", "charity")
        or bool(SERVICE_TRIGGER.search(tags.get("name", "")))
    )
    if not relevant:
        return
    record = {k: v for k, v in tags}
    record["osm_id"] = osm_id
    record["geometry"] = point
    extract.services.append(record)


def _maybe_address(tags: Any, point: shapely.Point, extract: OsmExtract) -> None:
    number = tags.get("addr:housenumber")
    street = tags.get("addr:street") or tags.get("addr:place")
    if not number or not street:
        return
    extract.addresses.append(
        {
            "strasse": street,
            "hausnummer": number,
            "plz": tags.get("addr:postcode"),
            "ort": tags.get("addr:city"),
            "geometry": point,
        }
    )


def _read_highway(way: Any, extract: OsmExtract) -> None:
    node_ids = []
    coords = []
    for node in way.nodes:
        if not node.location.valid():
            continue
        node_ids.append(node.ref)
        coords.append((node.lon, node.lat))
    if len(node_ids) < 2:
        return
    record: dict[str, Any] = _keep(way.tags, NETWORK_WAY_KEYS)
    record["osm_id"] = way.id
    record["node_ids"] = np.asarray(node_ids, dtype=np.int64)
    record["coords"] = np.asarray(coords, dtype=np.float64)
    extract.ways.append(record)


def _read_area(area: Any, extract: OsmExtract, wkb: Any) -> None:
    tags = area.tags
    if len(tags) == 0:
        return
    osm_id = f"{'w' if area.from_way() else 'r'}{area.orig_id()}"
    wants_building = tags.get("building", "no") != "no"
    wants_landuse = "landuse" in tags
    basemap_kind = next(
        (kind for (key, value), kind in BASEMAP_AREAS.items() if tags.get(key) == value), None
    )
    wants_service = False
    amenity = tags.get("amenity")
    if (
        "social_facility" in tags
        or amenity in ("social_facility", "community_centre", "townhall")
        or tags.get("healthcare") == "counselling"
        or tags.get("office") in ("government", "association", "ngo", "charity")
        or SERVICE_TRIGGER.search(tags.get("name", ""))
    ):
        wants_service = True
    wants_address = "addr:housenumber" in tags
    if not (wants_building or wants_landuse or basemap_kind or wants_service or wants_address):
        return
    try:
        geometry = shapely.from_wkb(wkb.create_multipolygon(area))
    except RuntimeError:
        return  # broken multipolygon in the source; nothing sensible to keep
    if geometry is None or geometry.is_empty:
        return
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    if wants_building:
        record: dict[str, Any] = _keep(tags, BUILDING_KEYS)
        record["osm_id"] = osm_id
        record["geometry"] = geometry
        extract.buildings.append(record)
    if wants_landuse:
        extract.landuse.append(
            {"osm_id": osm_id, "landuse": tags["landuse"], "geometry": geometry}
        )
    if basemap_kind:
        extract.basemap.append({"osm_id": osm_id, "art": basemap_kind, "geometry": geometry})
    point = geometry.representative_point()
    if wants_service:
        record = {k: v for k, v in tags}
        record["osm_id"] = osm_id
        record["geometry"] = point
        extract.services.append(record)
    if wants_address:
        _maybe_address(tags, point, extract)
