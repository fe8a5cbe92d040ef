"""Snapping to the profile's main network on the mock network: foot points, partial costs and
"nicht angebunden", by hand; results are indexed like the input points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.network.graph import build_graph
from analyses.network.snapping import snap_points, snapped_points_frame
from layers.errors import AnalysisError, CRSError, GeometryError
from tests.tools import mock
from tests.tools.asserts import assert_result


@pytest.fixture()
def points():
    return mock.points({"platz": (50, 10), "hinter_treppe": (200, 50), "insel": (500, 400)})


def _edge_row(graph, kante_id: int) -> int:
    return graph.kante_id.tolist().index(kante_id)


def test_points_on_foot_enter_at_the_foot_point(points):
    graph = build_graph(*mock.mock_network(), "fuss")
    snapped = snap_points(graph, points)
    assert snapped.index.equals(points.index)
    assert snapped.edge.tolist() == [_edge_row(graph, mock.SOUTH),
                                     _edge_row(graph, mock.UNKNOWN_SURFACE), -1]
    np.testing.assert_allclose(snapped.frac[:2], [0.5, 0.5])
    np.testing.assert_allclose(snapped.distance_m, [10.0, 0.0, np.hypot(300, 300)])
    assert snapped.connected.tolist() == [True, True, False]  # 424 m > 250 m
    # snap walk + the partial edge, to either end, at 1.2 m/s
    np.testing.assert_allclose(snapped.cost_u[:2], [60 / 1.2, 50 / 1.2])
    np.testing.assert_allclose(snapped.cost_v[:2], [60 / 1.2, 50 / 1.2])
    assert np.isinf(snapped.cost_u[2]) and np.isinf(snapped.snap_seconds[2])
    frame = snapped_points_frame(graph, snapped)
    assert_result(frame, points, {
        "angebunden": [True, True, False],
        "kante_id": [mock.SOUTH, mock.UNKNOWN_SURFACE, -1],
        "anbindung_m": [10.0, 0.0, np.hypot(300, 300)],
    })
    assert frame.geometry.iloc[0].equals(shapely.Point(50, 0))
    assert frame.geometry.iloc[1].equals(shapely.Point(200, 50))
    assert frame.geometry.iloc[2] is None and frame.crs == graph.crs


def test_wheelchair_is_attached_to_the_street_not_to_the_island(points):
    graph = build_graph(*mock.mock_network(), "rollstuhl", "pessimistisch")
    snapped = snap_points(graph, points)
    # the path behind the steps is no target: the wheelchair user enters at SE-NE, 100 m away
    assert snapped.edge[1] == _edge_row(graph, mock.EAST_SIDE)
    assert snapped.distance_m[1] == pytest.approx(100.0) and snapped.frac[1] == pytest.approx(0.5)
    assert snapped.cost_u[1] == pytest.approx((100 + 50) / 0.8)
    # a limit below 100 m leaves that point "nicht angebunden", kept and not dropped
    near = snap_points(graph, points, max_anbindung_m=99.0)
    assert near.connected.tolist() == [True, False, False]
    assert near.distance_m[1] == pytest.approx(100.0)
    assert_result(snapped_points_frame(graph, near), points, {"angebunden": [True, False, False]})


def test_partial_cost_follows_the_profile_factor(points):
    graph = build_graph(*mock.mock_network(), "rollator", "pessimistisch")
    snapped = snap_points(graph, points)
    # half of the 100 m path without surface, × 1.3, at 0.8 m/s
    assert snapped.cost_u[1] == pytest.approx(0.5 * 130 / 0.8)
    assert snapped.cost_v[1] == pytest.approx(0.5 * 130 / 0.8)


def test_polygons_snap_by_centroid_and_bad_input_is_refused(points):
    graph = build_graph(*mock.mock_network(), "fuss")
    cells = points.copy()
    cells.geometry = cells.geometry.buffer(5)
    snapped = snap_points(graph, cells)
    np.testing.assert_allclose(snapped.distance_m[:2], [10.0, 0.0], atol=1e-6)
    before = points.copy()
    snap_points(graph, points)
    pd.testing.assert_frame_equal(points, before)
    with pytest.raises(CRSError):
        snap_points(graph, points.to_crs(4326))
    with pytest.raises(AnalysisError, match="größer als 0 m"):
        snap_points(graph, points, max_anbindung_m=0)
    empty = points.copy()
    empty.loc["platz", "geometry"] = None
    with pytest.raises(GeometryError, match="keine Geometrie"):
        snap_points(graph, empty)
