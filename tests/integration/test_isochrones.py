"""Isochrones: exact cuts at the boundary, nesting, barrier awareness."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.isochrones import isochrones
from analyses.network.search import select_services, source_field
from analyses.network.snapping import snap_points
from layers.errors import AnalysisError
from planungsraeume.netz import load_graph


def _point(x: float, y: float) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[shapely.Point(x, y)], crs=25832)


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
