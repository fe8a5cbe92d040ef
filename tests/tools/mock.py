"""Tiny in-code pedestrian networks with named edge cases (as cityseer's ``tools/mock.py``).

The frames have the schema of the layers ``netz_knoten`` and ``netz_kanten`` that
:func:`layers.build.netz.build_network` writes (same columns, same meaning, an explicit metric
CRS), so :func:`analyses.network.graph.build_graph` takes them as they are and every answer on
them can be computed by hand. All lengths are in metres in EPSG:25832::

              14 ──────── 13 ══kerb══ 16              19 (isolated, at 500/400)
              │            │           ┊ path without a surface tag
              │            │           ┊
        17 ── 11 ──────── 12 ▒steps▒▒ 15
                ╲________╱ parallel edge, 116.6 m (a loop hangs at 13)

* :func:`tiny_network` – the square 11-12-13-14 (100 m sides), a longer parallel edge 11-12, a
  loop at 13 and steps 12-15 (node 15 a dead end behind the steps);
* :func:`mock_network` – the square plus the named cases below: a kerb of 6 cm on 13-16, a
  path without a surface tag 16-15 (so 15 is reached around the steps too), a dead end 11-17
  and a node 19 that no edge touches.

The module constants name the nodes and edges, so tests read ``mock.STEPS`` instead of ``6``.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = [
    "BEHIND_STEPS",
    "CRS",
    "DEAD_END",
    "DEAD_END_EDGE",
    "EAST",
    "ISOLATED",
    "KERB",
    "KERB_CM",
    "LOOP",
    "NE",
    "NW",
    "PARALLEL",
    "PARALLEL_M",
    "SE",
    "SOUTH",
    "STEPS",
    "SW",
    "UNKNOWN_SURFACE",
    "mock_network",
    "points",
    "services",
    "tiny_network",
]

CRS = "EPSG:25832"

# Nodes (knoten_id)
SW, SE, NE, NW = 11, 12, 13, 14
BEHIND_STEPS = 15  # reached from SE by steps only (tiny_network) or also around them (mock)
EAST = 16  # between the kerb and the path without surface
DEAD_END = 17  # a cul-de-sac west of SW
ISOLATED = 19  # a node that no edge touches

# Edges (kante_id)
SOUTH = 0  # SW-SE, 100 m
EAST_SIDE = 1  # SE-NE, 100 m
NORTH = 2  # NE-NW, 100 m, geometry stored from NW to NE (against u → v)
WEST = 3  # NW-SW, 100 m
PARALLEL = 4  # SW-SE again, bulging south: 116.6 m
LOOP = 5  # NE-NE
STEPS = 6  # SE-BEHIND_STEPS, 100 m, highway=steps
KERB = 7  # NE-EAST, 100 m, a kerb of KERB_CM
UNKNOWN_SURFACE = 8  # EAST-BEHIND_STEPS, 100 m, highway=path without surface
DEAD_END_EDGE = 9  # SW-DEAD_END, 100 m

KERB_CM = 6.0
PARALLEL_M = 2 * float(np.hypot(50.0, 30.0))  # 116.619 m

_NODES = {
    SW: (0.0, 0.0),
    SE: (100.0, 0.0),
    NE: (100.0, 100.0),
    NW: (0.0, 100.0),
    BEHIND_STEPS: (200.0, 0.0),
    EAST: (200.0, 100.0),
    DEAD_END: (-100.0, 0.0),
    ISOLATED: (500.0, 400.0),
}

# kante_id: (u, v, coordinates, tags); unlisted tags are missing, as OSM leaves them.
_FOOTWAY = {"highway": "footway", "surface": "asphalt"}
_EDGES: dict[int, tuple[int, int, list[tuple[float, float]], dict[str, object]]] = {
    SOUTH: (SW, SE, [(0, 0), (100, 0)], _FOOTWAY),
    EAST_SIDE: (SE, NE, [(100, 0), (100, 100)], _FOOTWAY),
    NORTH: (NE, NW, [(0, 100), (100, 100)], _FOOTWAY),
    WEST: (NW, SW, [(0, 100), (0, 0)], _FOOTWAY),
    PARALLEL: (SW, SE, [(0, 0), (50, -30), (100, 0)], _FOOTWAY),
    LOOP: (NE, NE, [(100, 100), (110, 110), (100, 120), (100, 100)], _FOOTWAY),
    STEPS: (SE, BEHIND_STEPS, [(100, 0), (200, 0)], {"highway": "steps", "surface": "paved"}),
    KERB: (NE, EAST, [(100, 100), (200, 100)],
           {**_FOOTWAY, "bordstein_cm": KERB_CM, "bordstein_roh": "raised"}),
    UNKNOWN_SURFACE: (EAST, BEHIND_STEPS, [(200, 100), (200, 0)], {"highway": "path"}),
    DEAD_END_EDGE: (SW, DEAD_END, [(0, 0), (-100, 0)], _FOOTWAY),
}
_TINY_EDGES = (SOUTH, EAST_SIDE, NORTH, WEST, PARALLEL, LOOP, STEPS)
_TINY_NODES = (SW, SE, NE, NW, BEHIND_STEPS)

# Columns of netz_kanten and netz_knoten as layers.build.netz writes them (geometry last).
EDGE_TEXT = ("highway", "name", "footway", "surface", "smoothness", "incline", "width",
             "wheelchair", "foot", "lit", "bordstein_roh", "barriere")
NODE_TEXT = ("kerb", "barrier", "crossing", "highway", "wheelchair")


def _network(edge_ids: Iterable[int], node_ids: Iterable[int]) -> tuple[gpd.GeoDataFrame,
                                                                         gpd.GeoDataFrame]:
    """``netz_kanten`` and ``netz_knoten`` of the chosen edges and nodes."""
    edge_ids, node_ids = list(edge_ids), list(node_ids)
    records = []
    for kante_id in edge_ids:
        u, v, _, tags = _EDGES[kante_id]
        record: dict[str, object] = {"kante_id": kante_id, "u": u, "v": v,
                                     "osm_way_id": 1000 + kante_id}
        for column in EDGE_TEXT:
            record[column] = tags.get(column)
        treppe = tags.get("highway") == "steps"
        kerb = float(tags.get("bordstein_cm", np.nan))  # type: ignore[arg-type]
        record.update(steigung_prozent=np.nan, breite_m=np.nan, treppe=treppe,
                      bordstein_cm=kerb, bordstein_unbekannt=False, barriere_blockiert=False)
        records.append(record)
    lines = [shapely.LineString(_EDGES[k][2]) for k in edge_ids]
    edges = gpd.GeoDataFrame(pd.DataFrame.from_records(records), geometry=lines, crs=CRS)
    order = ["kante_id", "u", "v", "osm_way_id", "highway", "name", "footway", "surface",
             "smoothness", "incline", "steigung_prozent", "width", "breite_m", "wheelchair",
             "foot", "lit", "treppe", "bordstein_cm", "bordstein_roh", "bordstein_unbekannt",
             "barriere", "barriere_blockiert", "geometry"]
    edges = edges[order]
    edges.insert(len(order) - 1, "laenge_m", np.round(shapely.length(edges.geometry.to_numpy()), 3))

    # Components as the build computes them: over all edges; the largest is the main network.
    index = {k: i for i, k in enumerate(node_ids)}
    ui = np.array([index[u] for u in edges["u"]])
    vi = np.array([index[v] for v in edges["v"]])
    graph = coo_matrix((np.ones(len(ui)), (ui, vi)), shape=(len(node_ids), len(node_ids)))
    _, labels = connected_components(graph, directed=False)
    main = int(np.argmax(np.bincount(labels)))
    edges.insert(len(order), "hauptnetz", labels[ui] == main)
    degree = pd.Series(np.concatenate([edges["u"], edges["v"]])).value_counts()
    xy = np.array([_NODES[k] for k in node_ids])
    nodes = pd.DataFrame({"knoten_id": np.array(node_ids, dtype=np.int64),
                          "x": xy[:, 0], "y": xy[:, 1]})
    nodes["grad"] = degree.reindex(node_ids, fill_value=0).to_numpy()
    for column in NODE_TEXT:
        nodes[column] = None
    nodes["bordstein_cm"] = np.nan
    nodes["komponente"] = labels
    nodes["hauptnetz"] = labels == main
    nodes = gpd.GeoDataFrame(nodes, geometry=shapely.points(xy), crs=CRS)
    return edges, nodes


def tiny_network() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Square 11-12-13-14 (100 m sides), a parallel longer edge 11-12, a loop at 13, steps 12-15.

    Returns
    -------
    tuple of GeoDataFrame
        ``(netz_kanten, netz_knoten)``: edges :data:`SOUTH` … :data:`STEPS`, nodes 11–15.
    """
    return _network(_TINY_EDGES, _TINY_NODES)


def mock_network() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The tiny network plus a kerb, a path without surface, a dead end and an isolated node.

    Hand-computed travel times from :data:`SW` (metres of way × profile factor / speed):

    ============  =======  ==========  ==================  ==================
    to            fuss     senior      rollator            rollstuhl
    ============  =======  ==========  ==================  ==================
    SE            100/1.2  100/1.0     100/0.8             100/0.8
    BEHIND_STEPS  200/1.2  250/1.0 ¹   400/0.8, 430/0.8 ²  unreachable ³
    EAST          300/1.2  300/1.0     300/0.8             unreachable ³
    ISOLATED      —        —           —                   —
    ============  =======  ==========  ==================  ==================

    ¹ steps count 1.5 times for seniors (100 + 150 beats 400 around them);
    ² steps blocked; optimistic / pessimistic (the path without surface counts 1.3 times);
    ³ steps blocked and the kerb of 6 cm is above the wheelchair limit of 3 cm.

    Returns
    -------
    tuple of GeoDataFrame
        ``(netz_kanten, netz_knoten)``.
    """
    return _network(list(_EDGES), list(_NODES))


def points(xy: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    """Named points (the name is the index) in the mock's CRS, e.g. origins or start points."""
    names = list(xy)
    geometry = shapely.points(np.array([xy[n] for n in names], dtype=float).reshape(-1, 2))
    return gpd.GeoDataFrame(index=pd.Index(names, name="name"), geometry=geometry, crs=CRS)


def services(rows: dict[str, tuple[str, float, float]]) -> gpd.GeoDataFrame:
    """A service layer in the schema of ``angebote``: ``angebot_id → (typ, x, y)``."""
    from layers.angebote import SCHEMA

    ids = list(rows)
    n = len(ids)
    frame = pd.DataFrame(
        {
            column: np.full(n, np.nan) if dtype == "float64" else pd.array([None] * n, dtype="string")
            for column, dtype in SCHEMA.items()
            if dtype != "int64"
        }
    )
    frame["angebot_id"] = pd.array(ids, dtype="string")
    frame["name"] = pd.array([f"Angebot {i}" for i in ids], dtype="string")
    frame["typ"] = pd.array([rows[i][0] for i in ids], dtype="string")
    frame["quelle"] = pd.array(["synthetisch"] * len(ids), dtype="string")
    frame["version"] = np.ones(len(ids), dtype=np.int64)
    geometry = shapely.points(np.array([rows[i][1:] for i in ids], dtype=float).reshape(-1, 2))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)
