"""Build the pedestrian network (``netz_knoten``, ``netz_kanten``) from OSM highway ways.

Ways are split at every node that more than one walkable way uses, so that edges run from
junction to junction. Each edge keeps the OSM tags later analyses need (surface, smoothness,
incline, width, wheelchair, lit, foot) plus derived values: length, steps, the highest kerb and
any barrier on it. Which ways are walkable is decided here, once:

* walkable highway classes: footway, path, pedestrian, steps, living_street, residential, service,
  unclassified, track, road, corridor, elevator, crossing, platform, tertiary, secondary, primary
  and their links;
* cycleways and bridleways only with ``foot=yes|designated|permissive``; trunk roads only with a
  sidewalk or explicit foot access; motorways never;
* ``foot=no|use_sidepath|private`` or ``access=no|private`` without explicit foot access exclude
  a way.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from layers.sources.osm import OsmExtract
from layers.sources.osm_tags import parse_incline_percent, parse_kerb_height_cm, parse_width_m

__all__ = [
    "ACCESS_FORBIDDEN",
    "BLOCKING_BARRIERS",
    "FOOT_ALLOWED",
    "FOOT_FORBIDDEN",
    "WALKABLE",
    "build_network",
    "is_walkable",
]

WALKABLE = {
    "footway",
    "path",
    "pedestrian",
    "steps",
    "living_street",
    "residential",
    "service",
    "unclassified",
    "track",
    "road",
    "corridor",
    "elevator",
    "crossing",
    "platform",
    "tertiary",
    "tertiary_link",
    "secondary",
    "secondary_link",
    "primary",
    "primary_link",
}
FOOT_ALLOWED = {"yes", "designated", "permissive", "destination"}
FOOT_FORBIDDEN = {"no", "use_sidepath", "private"}
ACCESS_FORBIDDEN = {"no", "private"}
# Barrier types on a way that a wheelchair or walker cannot pass (kept as text on the edge).
BLOCKING_BARRIERS = {"turnstile", "stile", "kissing_gate", "full-height_turnstile", "cycle_barrier"}


def is_walkable(tags: dict[str, Any]) -> bool:
    """Decide from a way's tags whether pedestrians may use it (rules in the module docstring)."""
    highway = tags.get("highway")
    foot = tags.get("foot")
    access = tags.get("access")
    if foot in FOOT_FORBIDDEN:
        return False
    if access in ACCESS_FORBIDDEN and foot not in FOOT_ALLOWED:
        return False
    if highway in WALKABLE:
        return True
    if highway in ("cycleway", "bridleway"):
        return foot in FOOT_ALLOWED
    if highway in ("trunk", "trunk_link"):
        sidewalk = tags.get("sidewalk")
        return foot in FOOT_ALLOWED or sidewalk in ("both", "left", "right", "yes")
    return False


def build_network(
    extract: OsmExtract, crs: CRS
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Build the node and edge layers of the pedestrian network.

    The steps: cut the walkable ways at shared nodes into edges (:func:`_split_ways`), project
    their coordinates into lines, build the node table of the edge endpoints
    (:func:`_end_nodes`) and flag the main connected component (:func:`_mark_main_network`).

    Parameters
    ----------
    extract
        The OSM tables read by :func:`layers.sources.osm.read_extract`.
    crs
        The region's working CRS (metric).

    Returns
    -------
    tuple of GeoDataFrame
        ``netz_knoten`` (Points) and ``netz_kanten`` (LineStrings), both in ``crs``.
    """
    ways = [w for w in extract.ways if is_walkable(w)]
    if not ways:
        empty = gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=crs)
        return empty, empty.copy()
    records, coord_chunks = _split_ways(ways, extract)

    transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lengths = np.array([len(c) for c in coord_chunks])
    flat = np.concatenate(coord_chunks)
    x, y = transformer.transform(flat[:, 0], flat[:, 1])
    offsets = np.repeat(np.arange(len(coord_chunks)), lengths)
    lines = shapely.linestrings(np.column_stack([x, y]), indices=offsets)

    edges = pd.DataFrame.from_records(records)
    edges_gdf = gpd.GeoDataFrame(edges, geometry=lines, crs=crs)
    edges_gdf["laenge_m"] = np.round(shapely.length(lines), 3)
    edges_gdf = edges_gdf[edges_gdf["laenge_m"] > 0].reset_index(drop=True)

    nodes = _end_nodes(edges, np.asarray(x), np.asarray(y), lengths, extract)
    _mark_main_network(nodes, edges_gdf)
    nodes_gdf = gpd.GeoDataFrame(
        nodes, geometry=shapely.points(nodes["x"], nodes["y"]), crs=crs
    )
    edges_gdf.insert(0, "kante_id", np.arange(len(edges_gdf), dtype=np.int64))
    return nodes_gdf, edges_gdf


def _split_ways(
    ways: list[dict[str, Any]], extract: OsmExtract
) -> tuple[list[dict[str, Any]], list[np.ndarray]]:
    """Cut each way at the nodes it shares with other ways.

    Returns
    -------
    tuple
        One edge record (:func:`_edge_record`) and one lon/lat coordinate array per edge.
    """
    all_nodes = np.concatenate([w["node_ids"] for w in ways])
    unique, counts = np.unique(all_nodes, return_counts=True)
    shared = set(unique[counts > 1].tolist())

    records: list[dict[str, Any]] = []
    coord_chunks: list[np.ndarray] = []
    for way in ways:
        ids = way["node_ids"]
        coords = way["coords"]
        cut = [0] + [i for i in range(1, len(ids) - 1) if int(ids[i]) in shared] + [len(ids) - 1]
        for start, end in zip(cut[:-1], cut[1:], strict=True):
            u, v = int(ids[start]), int(ids[end])
            if u == v and end - start < 3:
                continue
            interior = ids[start + 1 : end]
            records.append(_edge_record(way, u, v, interior, extract))
            coord_chunks.append(coords[start : end + 1])
    return records, coord_chunks


def _end_nodes(
    edges: pd.DataFrame, x: np.ndarray, y: np.ndarray, lengths: np.ndarray, extract: OsmExtract
) -> pd.DataFrame:
    """Node table: every edge endpoint, with its projected coordinates, degree and routing tags."""
    first = np.cumsum(lengths) - lengths
    last = np.cumsum(lengths) - 1
    end_ids = np.concatenate([edges["u"].to_numpy(), edges["v"].to_numpy()])
    end_x = np.concatenate([x[first], x[last]])
    end_y = np.concatenate([y[first], y[last]])
    node_ids, pos = np.unique(end_ids, return_index=True)
    nodes = pd.DataFrame({"knoten_id": node_ids, "x": end_x[pos], "y": end_y[pos]})
    degree = pd.Series(end_ids).value_counts()
    nodes["grad"] = degree.reindex(node_ids).to_numpy()
    for key, column in (("kerb", "kerb"), ("barrier", "barrier"), ("crossing", "crossing"),
                        ("highway", "highway"), ("wheelchair", "wheelchair")):
        nodes[column] = [extract.network_nodes.get(int(n), {}).get(key) for n in node_ids]
    nodes["bordstein_cm"] = [
        parse_kerb_height_cm(
            extract.network_nodes.get(int(n), {}).get("kerb"),
            extract.network_nodes.get(int(n), {}).get("kerb:height"),
        )
        for n in node_ids
    ]
    return nodes


def _mark_main_network(nodes: pd.DataFrame, edges: gpd.GeoDataFrame) -> None:
    """Add ``komponente``/``hauptnetz`` to the nodes and ``hauptnetz`` to the edges, in place.

    Analyses snap to the main (largest) connected component; smaller islands are flagged.
    """
    node_ids = nodes["knoten_id"].to_numpy()
    index = pd.Series(np.arange(len(node_ids)), index=node_ids)
    ui = index.reindex(edges["u"]).to_numpy()
    vi = index.reindex(edges["v"]).to_numpy()
    graph = coo_matrix((np.ones(len(ui)), (ui, vi)), shape=(len(node_ids), len(node_ids)))
    _, labels = connected_components(graph, directed=False)
    main = int(np.argmax(np.bincount(labels)))
    nodes["komponente"] = labels
    nodes["hauptnetz"] = labels == main
    edges["hauptnetz"] = labels[ui] == main


def _edge_record(
    way: dict[str, Any], u: int, v: int, interior: np.ndarray, extract: OsmExtract
) -> dict[str, Any]:
    is_crossing = way.get("footway") == "crossing" or way.get("highway") == "crossing"
    kerb_heights: list[float] = []
    kerb_raw: list[str] = []
    barriers: list[str] = []
    candidates = [int(n) for n in interior]
    endpoint_kerbs = [u, v] if is_crossing else []
    for node_id in candidates + endpoint_kerbs:
        tags = extract.network_nodes.get(node_id)
        if not tags:
            continue
        if "kerb" in tags or "kerb:height" in tags:
            kerb_heights.append(parse_kerb_height_cm(tags.get("kerb"), tags.get("kerb:height")))
            kerb_raw.append(tags.get("kerb:height") or tags.get("kerb") or "")
        barrier = tags.get("barrier")
        if barrier and barrier != "kerb" and node_id in candidates:
            barriers.append(barrier)
    known = [h for h in kerb_heights if not math.isnan(h)]
    if way.get("kerb") is not None:
        known.append(parse_kerb_height_cm(way.get("kerb"), None))
        kerb_raw.append(str(way.get("kerb")))
    return {
        "u": u,
        "v": v,
        "osm_way_id": int(way["osm_id"]),
        "highway": way.get("highway"),
        "name": way.get("name"),
        "footway": way.get("footway"),
        "surface": way.get("surface"),
        "smoothness": way.get("smoothness"),
        "incline": way.get("incline"),
        "steigung_prozent": parse_incline_percent(way.get("incline")),
        "width": way.get("width") or way.get("est_width"),
        "breite_m": parse_width_m(way.get("width") or way.get("est_width")),
        "wheelchair": way.get("wheelchair"),
        "foot": way.get("foot"),
        "lit": way.get("lit"),
        "treppe": way.get("highway") == "steps",
        "bordstein_cm": max((h for h in known if not math.isnan(h)), default=math.nan),
        "bordstein_roh": ";".join(r for r in kerb_raw if r) or None,
        "bordstein_unbekannt": len(kerb_heights) > len([h for h in kerb_heights if not math.isnan(h)]),
        "barriere": ";".join(sorted(set(barriers))) or None,
        "barriere_blockiert": any(b in BLOCKING_BARRIERS for b in barriers),
    }
