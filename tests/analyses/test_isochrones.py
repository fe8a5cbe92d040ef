"""Isochrones: exact cuts at the boundary, barrier awareness, unknown tags (by hand on the
mock network)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from analyses.isochrones import isochrones
from analyses.network.graph import build_graph
from tests.tools import mock
from tests.tools.asserts import assert_result
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


# Length of every way of the mock network (tests/tools/mock.py), from its laenge_m.
SQUARE_M = 4 * 100 + mock.PARALLEL_M + 48.284 + 100  # square, parallel edge, loop, dead end


@pytest.mark.parametrize(
    ("profil", "unbekannt", "minuten", "kanten_m"),
    [
        # 6 min on foot = 432 m: everything, steps, kerb and path included
        ("fuss", "optimistisch", 6.0, SQUARE_M + 300),
        # 6 min with a walker = 288 m: NE at 200 m, then 88 m of the 100 m over the kerb; no steps
        ("rollator", "pessimistisch", 6.0, SQUARE_M + 88),
        # 8.5 min = 408 m: EAST at 300 m, then the path without surface: all of it when
        # optimistic (BEHIND_STEPS at 400 m), 108 m / 1.3 of it when pessimistic
        ("rollator", "optimistisch", 8.5, SQUARE_M + 200),
        ("rollator", "pessimistisch", 8.5, SQUARE_M + 100 + 108 / 1.3),
        # in a wheelchair the kerb (6 cm) and the steps stop everything east of the square
        ("rollstuhl", "optimistisch", 10.0, SQUARE_M),
    ],
    ids=["fuss-6", "rollator-pessimistisch-6", "rollator-optimistisch-8.5",
         "rollator-pessimistisch-8.5", "rollstuhl-10"],
)
def test_mock_isochrone_lengths_by_hand(profil, unbekannt, minuten, kanten_m):
    graph = build_graph(*mock.mock_network(), profil, unbekannt)
    start = mock.points({"sw": (0, 0)})
    iso = isochrones(graph, start, [minuten])
    assert_result(iso, pd.RangeIndex(1), {"minuten": [minuten], "profil": [profil],
                                          "unbekannt": [unbekannt]})
    assert iso["kanten_m"].iloc[0] == pytest.approx(kanten_m, abs=0.05)  # rounded to 0.1 m
    polygon = iso.geometry.iloc[0]
    behind_the_kerb = shapely.Point(200, 60)  # on the path, 40 m from (200, 100)
    assert polygon.contains(behind_the_kerb) == (profil == "fuss" or minuten == 8.5)
    assert not polygon.contains(shapely.Point(500, 400))  # the isolated node
