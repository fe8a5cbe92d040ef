"""The compiled paths of large networks (CSR, oriented geometries, grid snapping) give the same
arrays as the numpy/shapely paths of small networks, on random networks with parallel edges,
loops, reversed and bent lines, and on points inside, between and far outside the network."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.network import build
from analyses.network.graph import build_graph
from analyses.network.snapping import snap_kernel, snap_points
from tests.tools import mock

pytest.importorskip("numba")


def _random_network(seed: int, n: int = 400, m: int = 1500) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Random nodes, random edges (parallel ones, loops, some reversed, some with a bend)."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 2000, n), rng.uniform(0, 1500, n)
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    u[:50], v[:50] = u[50:100], v[50:100]  # parallel edges
    v[100:110] = u[100:110]  # loops
    lines = []
    for i, (a, b) in enumerate(zip(u, v, strict=True)):
        points = [(x[a], y[a])]
        if i % 3 == 0:  # a bend
            points.append(((x[a] + x[b]) / 2 + rng.uniform(-40, 40), (y[a] + y[b]) / 2))
        points.append((x[b], y[b]))
        if i % 4 == 1:  # stored from v to u
            points.reverse()
        lines.append(shapely.LineString(points))
    length = np.array([line.length for line in lines])
    length[50:100] = length[:50] * rng.choice([0.5, 1.0, 2.0], 50)  # ties and faster twins
    edges = gpd.GeoDataFrame(
        {"kante_id": np.arange(m) + 1000, "u": u + 7, "v": v + 7, "laenge_m": length,
         "highway": "footway"},
        geometry=lines, crs=mock.CRS,
    )
    nodes = pd.DataFrame({"knoten_id": np.arange(n) + 7, "x": x, "y": y})
    return edges, nodes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compiled_graph_build_equals_numpy(monkeypatch, seed):
    edges, nodes = _random_network(seed)
    small = build_graph(edges, nodes, "fuss")
    monkeypatch.setattr(build, "KERNEL_MIN_EDGES", 0)
    large = build_graph(edges, nodes, "fuss")
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(large.matrix, name), getattr(small.matrix, name))
    np.testing.assert_array_equal(large.entry_edge, small.entry_edge)
    np.testing.assert_array_equal(large.edge_coords, small.edge_coords)
    np.testing.assert_array_equal(large.edge_offsets, small.edge_offsets)
    np.testing.assert_array_equal(large.edge_snappable, small.edge_snappable)
    assert large._lines is None  # made from the coordinates only when asked for
    for a, b in zip(large.edge_lines(), small.edge_lines(), strict=True):
        assert a.equals_exact(b, 0.0)


def test_node_ids_shuffled_or_with_gaps_give_the_same_rows(monkeypatch):
    edges, nodes = _random_network(4)
    reference = build_graph(edges, nodes, "fuss")
    shuffled = nodes.sample(frac=1.0, random_state=1)
    graph = build_graph(edges, shuffled, "fuss")
    np.testing.assert_array_equal(graph.knoten_id[graph.edge_u], reference.knoten_id[reference.edge_u])
    gaps = nodes.assign(knoten_id=nodes["knoten_id"] * 3)
    gap_edges = edges.assign(u=edges["u"] * 3, v=edges["v"] * 3)
    graph = build_graph(gap_edges, gaps, "fuss")
    np.testing.assert_array_equal(graph.edge_u, reference.edge_u)


@pytest.mark.parametrize("seed", [5, 6])
def test_grid_snapping_equals_the_strtree(monkeypatch, seed):
    edges, nodes = _random_network(seed)
    rng = np.random.default_rng(seed)
    xy = np.vstack([rng.uniform(-300, 2300, (600, 2)),  # inside and around
                    [[-5000.0, 700.0], [9000.0, 9000.0], [1000.0, -2500.0]],  # far outside
                    nodes[["x", "y"]].to_numpy()[:40]])  # exactly on nodes (ties)
    points = gpd.GeoDataFrame(geometry=shapely.points(xy), crs=mock.CRS)
    tree_graph = build_graph(edges, nodes, "fuss")
    assert snap_kernel(tree_graph) is None
    by_tree = snap_points(tree_graph, points)
    monkeypatch.setattr(build, "KERNEL_MIN_EDGES", 0)
    grid_graph = build_graph(edges, nodes, "fuss")
    assert snap_kernel(grid_graph) is not None
    by_grid = snap_points(grid_graph, points)
    np.testing.assert_allclose(by_grid.distance_m, by_tree.distance_m, rtol=1e-12, atol=1e-9)
    assert by_grid.connected.tolist() == by_tree.connected.tolist()
    assert (~by_grid.connected[600:603]).all()  # 250 m limit; the distance is still reported
    same = (by_grid.edge == by_tree.edge) & by_grid.connected
    np.testing.assert_allclose(by_grid.frac[same], by_tree.frac[same], atol=1e-9)
    np.testing.assert_allclose(by_grid.cost_u[same], by_tree.cost_u[same], rtol=1e-9)
    np.testing.assert_allclose(by_grid.cost_v[same], by_tree.cost_v[same], rtol=1e-9)
    # where the edges differ (points on nodes, equidistant edges) the grid's edge is as near
    other = np.flatnonzero(~same & by_grid.connected)
    lines = grid_graph.edge_lines()[by_grid.edge[other]]
    np.testing.assert_allclose(shapely.distance(lines, points.geometry.to_numpy()[other]),
                               by_tree.distance_m[other], atol=1e-9)


def test_compiled_components_equal_scipy():
    from scipy.sparse.csgraph import connected_components

    from analyses.network.kernels.arrays import components

    edges, nodes = _random_network(7, n=600, m=400)  # sparse: many components
    graph = build_graph(edges, nodes, "fuss")
    count, expected = connected_components(graph.matrix, directed=False)
    labels = components(graph.matrix.indptr, graph.matrix.indices)
    assert count > 50
    np.testing.assert_array_equal(labels, expected)
