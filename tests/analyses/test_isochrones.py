"""Isochrones: exact cuts at the boundary, nesting, barrier awareness."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from analyses.isochrones import isochrones
from analyses.network.graph import build_graph
from tests.tools.mock import tiny_network


def _point(x: float, y: float) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[shapely.Point(x, y)], crs=25832)


def test_edges_are_cut_at_the_exact_reachable_length():
    edges, nodes = tiny_network()
    graph = build_graph(edges, nodes, "fuss")
    # Start on the first edge, 30 m from node 11, 10 m off the way; 1 minute at 1.2 m/s = 72 m,
    # of which 10 m are the snap walk: 62 m in both directions along the way.
    iso = isochrones(graph, _point(30, 10), [1.0])
    # towards node 11: 30 m, then 32 m up the edge to node 14 and 32 m along the longer
    # parallel edge; towards node 12: 62 m (the 10 m connector is not a way of the network).
    assert iso["kanten_m"].iloc[0] == pytest.approx(30 + 32 + 32 + 62, abs=1e-6)
    polygon = iso.geometry.iloc[0]
    assert polygon.contains(shapely.Point(0, 31))  # 1 m before the cut, within the buffer
    assert not polygon.buffer(-1).contains(shapely.Point(0, 32 + 25 + 2))
    # the steps towards node 15 are reachable on foot, not in a wheelchair
    far = isochrones(graph, _point(0, 0), [2.5])
    wheel = isochrones(build_graph(edges, nodes, "rollstuhl"), _point(0, 0), [2.5])
    assert far.geometry.iloc[0].contains(shapely.Point(170, 0))
    assert not wheel.geometry.iloc[0].contains(shapely.Point(170, 0))
