"""The network as arrays: CSR graph, node index, snapping targets, caches."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd

from layers.store import GeoPackageStore
from planungsraeume import netz as netz_module
from planungsraeume.cache import results
from planungsraeume.netz import load_graph


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
    monkeypatch.setattr(netz_module, "graph_cache_dir", lambda: tmp_path / "graphen")
    results.clear_memory()
    first = load_graph(aachen_store, "rollstuhl", "pessimistisch")
    assert load_graph(aachen_store, "rollstuhl", "pessimistisch") is first
    files = list((tmp_path / "graphen").glob("*.npz"))
    assert [f.stem for f in files] == [first.key]
    results.clear_memory()
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
