"""The network as arrays: CSR graph, node index, snapping targets, caches."""

from __future__ import annotations

import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.network import graph as graph_module
from analyses.network.graph import build_graph, clear_memory_cache, load_graph
from layers.errors import AnalysisError, CRSError
from layers.store import GeoPackageStore


def tiny_network() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Square 1-2-3-4 (100 m sides), a parallel longer edge 1-2, a loop at 3, steps 2-5."""
    nodes = pd.DataFrame(
        {"knoten_id": [11, 12, 13, 14, 15], "x": [0.0, 100.0, 100.0, 0.0, 200.0],
         "y": [0.0, 0.0, 100.0, 100.0, 0.0]}
    )
    lines = [
        shapely.LineString([(0, 0), (100, 0)]),
        shapely.LineString([(100, 0), (100, 100)]),
        shapely.LineString([(0, 100), (100, 100)]),  # stored reversed: from v to u
        shapely.LineString([(0, 100), (0, 0)]),
        shapely.LineString([(0, 0), (50, -30), (100, 0)]),  # parallel, longer
        shapely.LineString([(100, 100), (110, 110), (100, 120), (100, 100)]),  # loop
        shapely.LineString([(100, 0), (200, 0)]),  # steps
    ]
    edges = gpd.GeoDataFrame(
        {
            "kante_id": [0, 1, 2, 3, 4, 5, 6],
            "u": [11, 12, 13, 14, 11, 13, 12],
            "v": [12, 13, 14, 11, 12, 13, 15],
            "highway": ["footway"] * 6 + ["steps"],
            "treppe": [False] * 6 + [True],
            "hauptnetz": [True] * 7,
        },
        geometry=lines,
        crs=25832,
    )
    edges["laenge_m"] = np.round(shapely.length(edges.geometry.to_numpy()), 3)
    return edges, nodes


def test_csr_graph_is_symmetric_fastest_parallel_without_loops():
    edges, nodes = tiny_network()
    graph = build_graph(edges, nodes, "fuss", "optimistisch")
    m = graph.matrix.toarray()
    assert (m == m.T).all()
    index = {k: i for i, k in enumerate(graph.knoten_id)}
    # the shorter of the two parallel edges (100 m, not 116.6 m) at 1.2 m/s
    assert m[index[11], index[12]] == pytest.approx(100 / 1.2)
    assert m[index[13], index[13]] == 0  # loop left out
    assert graph.matrix.nnz == 2 * 5
    assert graph.n_edges_blocked == 0
    # entry_edge points at the edge a matrix entry stands for
    assert graph.entry_for(np.array([index[11]]), np.array([index[12]])).tolist() == [0]
    assert graph.entry_for(np.array([index[11]]), np.array([index[13]])).tolist() == [-1]


def test_wheelchair_graph_leaves_out_steps():
    edges, nodes = tiny_network()
    graph = build_graph(edges, nodes, "rollstuhl", "optimistisch")
    assert graph.n_edges_blocked == 1
    assert 6 not in graph.kante_id.tolist()
    index = {k: i for i, k in enumerate(graph.knoten_id)}
    assert graph.matrix[index[12], index[15]] == 0  # no entry
    assert graph.matrix[index[11], index[12]] == pytest.approx(100 / 0.8)


def test_geometries_are_oriented_from_u_to_v():
    edges, nodes = tiny_network()
    graph = build_graph(edges, nodes, "fuss")
    row = graph.kante_id.tolist().index(2)  # stored from (0,100) to (100,100) but u = 13
    start = graph.edge_coords[graph.edge_offsets[row]]
    assert tuple(start) == (100.0, 100.0)
    assert tuple(graph.edge_coords[graph.edge_offsets[row + 1] - 1]) == (0.0, 100.0)


def test_inputs_are_not_changed_by_build_graph():
    edges, nodes = tiny_network()
    edges_before, nodes_before = edges.copy(deep=True), nodes.copy(deep=True)
    build_graph(edges, nodes, "rollstuhl", "pessimistisch")
    pd.testing.assert_frame_equal(edges, edges_before)
    pd.testing.assert_frame_equal(nodes, nodes_before)


def test_bad_networks_are_refused_in_german():
    edges, nodes = tiny_network()
    with pytest.raises(AnalysisError, match="verweisen auf Knoten, die in netz_knoten fehlen"):
        build_graph(edges, nodes[nodes["knoten_id"] != 15], "fuss")
    with pytest.raises(AnalysisError, match="fehlen die Spalten laenge_m"):
        build_graph(edges.drop(columns="laenge_m"), nodes, "fuss")
    with pytest.raises(CRSError):
        build_graph(edges.set_crs(None, allow_override=True), nodes, "fuss")
    with pytest.raises(AnalysisError, match="Fußwegenetz ist leer"):
        build_graph(edges.iloc[0:0], nodes, "fuss")


def test_aachen_graph_matches_the_edge_layer(aachen_store):
    graph = load_graph(aachen_store, "fuss", "optimistisch")
    edges = aachen_store.read_layer("netz_kanten")
    nodes = aachen_store.read_layer("netz_knoten")
    assert graph.n_nodes == len(nodes)
    assert len(graph.kante_id) == len(edges)  # nothing blocked on foot
    # every matrix entry is the fastest edge between its nodes
    frame = pd.DataFrame({"u": edges["u"], "v": edges["v"], "s": edges["laenge_m"] / 1.2})
    frame = frame[frame["u"] != frame["v"]]
    pairs = pd.concat([frame, frame.rename(columns={"u": "v", "v": "u"})])
    fastest = pairs.groupby(["u", "v"])["s"].min()
    coo = graph.matrix.tocoo()
    ours = pd.Series(coo.data, index=pd.MultiIndex.from_arrays(
        [graph.knoten_id[coo.row], graph.knoten_id[coo.col]], names=["u", "v"]))
    pd.testing.assert_series_equal(ours.sort_index(), fastest.sort_index(), check_names=False)
    # snapping targets: the main network only
    main = edges["hauptnetz"].to_numpy(dtype=bool)
    assert graph.edge_snappable.sum() <= main.sum()
    assert graph.edge_snappable.sum() > 0.95 * main.sum()


def test_graph_cache_in_memory_and_on_disk(aachen_store, tmp_path, monkeypatch):
    monkeypatch.setattr(graph_module, "graph_cache_dir", lambda: tmp_path / "graphen")
    clear_memory_cache()
    first = load_graph(aachen_store, "rollstuhl", "pessimistisch")
    assert load_graph(aachen_store, "rollstuhl", "pessimistisch") is first
    files = list((tmp_path / "graphen").glob("*.npz"))
    assert [f.stem for f in files] == [first.key]
    clear_memory_cache()
    from_disk = load_graph(aachen_store, "rollstuhl", "pessimistisch")
    assert from_disk is not first
    assert (from_disk.matrix != first.matrix).nnz == 0
    assert np.array_equal(from_disk.edge_coords, first.edge_coords)
    other = load_graph(aachen_store, "rollstuhl", "optimistisch")
    assert other.key != first.key and other.matrix.nnz > first.matrix.nnz


def test_graph_key_follows_the_store_version(aachen_store, tmp_path):
    copy = tmp_path / "kopie.gpkg"
    shutil.copyfile(aachen_store.path, copy)
    store = GeoPackageStore(copy, aachen_store.crs, user="test")
    before = load_graph(store, "fuss", disk_cache=False)
    with store.transaction() as tx:
        row = tx.rows("angebote", "1=1 LIMIT 1")[0]
        tx.update("angebote", ("angebot_id", row["angebot_id"]), {"name": "geändert"},
                  expected_version=row["version"])
    after = load_graph(store, "fuss", disk_cache=False)
    assert after.key != before.key


def test_reduction_to_terminals_keeps_distances_exact(aachen_store):
    from scipy.sparse.csgraph import dijkstra

    from analyses.network.graph import reduce_to_terminals

    for profile in ("fuss", "rollstuhl"):
        graph = load_graph(aachen_store, profile)
        rng = np.random.default_rng(11)
        terminals = np.zeros(graph.n_nodes, dtype=bool)
        terminals[rng.choice(graph.n_nodes, 1500, replace=False)] = True
        reduced = reduce_to_terminals(graph, terminals)
        assert reduced.n_nodes < 0.7 * graph.n_nodes
        assert (reduced.node_map[terminals] >= 0).all()
        starts = np.flatnonzero(terminals)[:5]
        full = dijkstra(graph.matrix, indices=starts)
        small = dijkstra(reduced.matrix, indices=reduced.node_map[starts])
        rows = np.flatnonzero(terminals)
        np.testing.assert_allclose(small[:, reduced.node_map[rows]], full[:, rows], rtol=1e-12)


def test_reduction_of_the_tiny_network():
    from analyses.network.graph import reduce_to_terminals

    edges, nodes = tiny_network()
    graph = build_graph(edges, nodes, "fuss")
    index = {k: i for i, k in enumerate(graph.knoten_id)}
    terminals = np.zeros(graph.n_nodes, dtype=bool)
    terminals[[index[11], index[13]]] = True
    reduced = reduce_to_terminals(graph, terminals)
    # node 15 hangs off by steps (a dead end), 12 and 14 are chain nodes: only 11 and 13 remain
    assert reduced.n_nodes == 2
    a, b = reduced.node_map[index[11]], reduced.node_map[index[13]]
    assert reduced.matrix[a, b] == pytest.approx(200 / 1.2)
