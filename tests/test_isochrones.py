"""Isochrones: exact cuts at the boundary, nesting, barrier awareness."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.isochrones import isochrones
from analyses.network.graph import build_graph, load_graph
from analyses.network.search import select_services, source_field
from analyses.network.snapping import snap_points
from layers.errors import AnalysisError
from tests.test_graph import tiny_network


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


def test_isochrones_on_aachen_are_nested_and_cover_every_reached_node(aachen_store):
    angebote = aachen_store.read_layer("angebote")
    start = select_services(angebote, "EUTB").iloc[[0]]
    areas = {}
    for profil in ("fuss", "rollstuhl"):
        graph = load_graph(aachen_store, profil)
        iso = isochrones(graph, start, [5, 10, 15])
        assert iso["minuten"].tolist() == [5, 10, 15]
        assert iso["flaeche_km2"].is_monotonic_increasing
        geoms = iso.geometry.to_numpy()
        for inner, outer in zip(geoms[:-1], geoms[1:], strict=True):
            assert outer.buffer(0.01).contains(inner)
        field = source_field(graph, snap_points(graph, start), limit_seconds=900)
        reached = np.flatnonzero(field.seconds <= 600)
        nodes = shapely.points(graph.x[reached], graph.y[reached])
        assert shapely.covers(geoms[1].buffer(0.01), nodes).all()
        areas[profil] = iso["flaeche_km2"].to_numpy()
        rings = isochrones(graph, start, [5, 10, 15], ringe=True)
        assert rings["flaeche_km2"].sum() == pytest.approx(iso["flaeche_km2"].iloc[-1], rel=1e-3)
    assert (areas["rollstuhl"] < areas["fuss"]).all()


def test_isochrone_errors_and_purity(aachen_store):
    graph = load_graph(aachen_store, "fuss")
    angebote = aachen_store.read_layer("angebote")
    before = angebote.copy(deep=True)
    isochrones(graph, angebote.iloc[:3], [5])
    pd.testing.assert_frame_equal(angebote, before)
    with pytest.raises(AnalysisError, match="größer als 0 Minuten"):
        isochrones(graph, angebote.iloc[:1], [0])
    with pytest.raises(AnalysisError, match="Puffer"):
        isochrones(graph, angebote.iloc[:1], [5], puffer_m=0)
    with pytest.raises(AnalysisError, match="kein Startpunkt"):
        isochrones(graph, angebote.iloc[0:0], [5])
    with pytest.raises(AnalysisError, match="Kein Startpunkt liegt näher"):
        isochrones(graph, _point(0, 0), [5])
