"""Contraction hierarchy + PHAST (numba) on every Aachen profile: the same travel times as
``scipy.sparse.csgraph.dijkstra`` (to 1e-6 s); the engine gives the same results with and
without it and falls back to scipy when numba cannot be imported."""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from analyses.network import contraction
from analyses.network import graph as graph_module
from analyses.network import search as reachability
from analyses.network.graph import HierarchyPool, build_graph
from analyses.network.profiles import get_profile
from analyses.network.search import nearest_by_type, nearest_service
from analyses.network.snapping import snap_points
from planungsraeume import netz as netz_module
from planungsraeume.cache import results
from planungsraeume.netz import load_graph
from tests.tools.reference import reference


@pytest.mark.parametrize("unbekannt", ["optimistisch", "pessimistisch"])
@pytest.mark.parametrize("profil", ["fuss", "senior", "rollator", "rollstuhl"])
def test_hierarchy_equals_scipy_on_aachen(aachen_store, profil, unbekannt):
    graph = load_graph(aachen_store, profil, unbekannt)
    hierarchy = graph.hierarchy()
    assert hierarchy is not None
    assert 0 < hierarchy.n_core < 0.1 * graph.n_nodes
    rng = np.random.default_rng(len(profil) + len(unbekannt))
    for k in (1, 3, 8):
        nodes = rng.choice(graph.n_nodes, k, replace=False)
        start = rng.uniform(0, 120, k)
        seconds, label = contraction.node_field(hierarchy, nodes, start, np.arange(k))
        dist, _, sources = dijkstra(
            graph.matrix, indices=nodes, min_only=True, return_predecessors=True
        )
        # scipy's min_only has no start times: compare against one search per source
        expected = reference(graph.matrix, nodes, start).min(axis=0)
        reached = np.isfinite(expected)
        assert (np.isfinite(seconds) == reached).all()
        np.testing.assert_allclose(seconds[reached], expected[reached], rtol=0, atol=1e-6)
        if k == 1:
            np.testing.assert_allclose(seconds[reached], dist[reached] + start[0], atol=1e-6)
            assert (label[reached] == 0).all() and (sources[reached] == nodes[0]).all()


def test_engine_gives_the_same_results_with_and_without_hierarchy(aachen_store, monkeypatch):
    cells = aachen_store.read_layer("bevoelkerung")
    angebote = aachen_store.read_layer("angebote")
    calls = []
    original = contraction.nearest_for_groups

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    for profil, unbekannt in [("rollstuhl", "pessimistisch"), ("senior", "optimistisch")]:
        graph = load_graph(aachen_store, profil, unbekannt)
        origins = snap_points(graph, cells)
        with monkeypatch.context() as patch:
            patch.setattr(graph_module, "USE_HIERARCHY", False)
            scipy_result = nearest_by_type(graph, origins, angebote)
        with monkeypatch.context() as patch:
            patch.setattr(contraction, "nearest_for_groups", counting)
            ch_result = nearest_by_type(graph, origins, angebote)
        assert calls, "the hierarchy was not used"
        calls.clear()
        assert set(ch_result) == set(scipy_result) and len(ch_result) >= 15
        same_ids = 0
        for typ, expected in scipy_result.items():
            ours = ch_result[typ]
            np.testing.assert_allclose(ours["minuten"], expected["minuten"], rtol=0, atol=1e-6 / 60)
            assert (ours["status"] == expected["status"]).all()
            assert ours.index.equals(expected.index)
            assert ours.attrs == expected.attrs
            same_ids += int((ours["angebot_id"].astype(str) == expected["angebot_id"].astype(str)).sum())
        # different ids only where two services are equally near (ties)
        assert same_ids >= 0.999 * len(cells) * len(scipy_result)
        assert nearest_by_type(graph, origins, angebote, typen=["Schwimmbad"]) == {}


def test_falls_back_to_scipy_without_numba(aachen_store, monkeypatch):
    cells = aachen_store.read_layer("bevoelkerung").iloc[:300]
    angebote = aachen_store.read_layer("angebote")
    graph = load_graph(aachen_store, "rollator")
    assert graph.hierarchy() is not None
    expected = nearest_service(graph, cells, angebote, "EUTB")
    by_type_expected = nearest_by_type(graph, cells, angebote)
    # numba cannot be imported (e.g. a Python version without numba wheels yet)
    monkeypatch.setitem(sys.modules, "analyses.network.contraction", None)
    monkeypatch.setattr(graph_module, "_CONTRACTION", [])
    assert graph_module.contraction_module() is None
    assert graph.hierarchy() is None
    fresh = build_graph(
        aachen_store.read_layer("netz_kanten"),
        aachen_store.read_layer("netz_knoten", columns=["knoten_id", "x", "y"]),
        "rollator",
        "optimistisch",
    )
    for g in (graph, fresh):
        result = nearest_service(g, cells, angebote, "EUTB")
        np.testing.assert_allclose(result["minuten"], expected["minuten"], rtol=0, atol=1e-8)
        by_type = nearest_by_type(g, cells, angebote)
        for typ, frame in by_type_expected.items():
            np.testing.assert_allclose(by_type[typ]["minuten"], frame["minuten"], atol=1e-8)
    assert fresh._hierarchy is None


def test_hierarchy_is_built_when_it_pays_and_cached_on_disk(aachen_store, tmp_path, monkeypatch):
    monkeypatch.setattr(netz_module, "graph_cache_dir", lambda: tmp_path / "graphen")
    results.clear_memory()
    cells = aachen_store.read_layer("bevoelkerung").iloc[:200]
    angebote = aachen_store.read_layer("angebote")
    graph = load_graph(aachen_store, "fuss", "pessimistisch")
    nearest_service(graph, cells, angebote, "EUTB")  # one search: not worth a hierarchy
    assert graph._hierarchy is None
    nearest_by_type(graph, cells, angebote)  # 19 searches: worth it
    built = graph._hierarchy
    assert built is not None and not built.shared
    files = sorted(f.name for f in (tmp_path / "graphen").glob("*.npz"))
    assert files == sorted([f"{graph.key}.npz", f"{graph.key}.ch1.npz"])
    # a new process (empty memory cache) reads it from disk instead of contracting again
    results.clear_memory()
    monkeypatch.setattr(
        contraction, "build_hierarchy", lambda *a: pytest.fail("rebuilt instead of read")
    )
    again = load_graph(aachen_store, "fuss", "pessimistisch")
    assert again is not graph
    loaded = again.hierarchy(build=False)
    assert loaded is not None
    for name, array in built.to_arrays().items():
        np.testing.assert_array_equal(loaded.to_arrays()[name], array)
    result = nearest_service(again, cells, angebote, "EUTB")
    np.testing.assert_allclose(
        result["minuten"], nearest_service(graph, cells, angebote, "EUTB")["minuten"], atol=1e-9
    )
    results.clear_memory()


def test_profiles_differing_only_in_speed_share_one_contraction(aachen_store, monkeypatch):
    edges = aachen_store.read_layer("netz_kanten")
    nodes = aachen_store.read_layer("netz_knoten", columns=["knoten_id", "x", "y"])
    pool = HierarchyPool()
    base = build_graph(edges, nodes, "rollstuhl", "optimistisch")
    base.hierarchy_pool = pool
    assert base.hierarchy() is not None
    # same rules, other speed (recognised from the weights, not the name)
    slow = replace(get_profile("rollstuhl"), name="rollstuhl_langsam", geschwindigkeit_m_s=0.6)
    slower = build_graph(edges, nodes, slow, "optimistisch")
    slower.hierarchy_pool = pool
    shared = slower.hierarchy()
    assert shared is not None and shared.shared
    rng = np.random.default_rng(3)
    nodes_ = rng.choice(slower.n_nodes, 4, replace=False)
    start = rng.uniform(0, 60, 4)
    seconds, _ = contraction.node_field(shared, nodes_, start, np.arange(4))
    expected = reference(slower.matrix, nodes_, start).min(axis=0)
    reached = np.isfinite(expected)
    np.testing.assert_allclose(seconds[reached], expected[reached], rtol=0, atol=1e-6)
    # other rules (rollator allows what rollstuhl blocks) → not proportional, own contraction
    other = build_graph(edges, nodes, "senior", "optimistisch")
    fuss = build_graph(edges, nodes, "fuss", "optimistisch")
    assert np.array_equal(other.matrix.indices, fuss.matrix.indices)  # same passable edges …
    assert graph_module.proportional_factor(other.matrix.data, fuss.matrix.data) is None  # … steps
    assert graph_module.proportional_factor(slower.matrix.data, base.matrix.data) == pytest.approx(
        0.8 / 0.6
    )


def test_policy_limits(aachen_store, monkeypatch):
    graph = build_graph(
        aachen_store.read_layer("netz_kanten"),
        aachen_store.read_layer("netz_knoten", columns=["knoten_id", "x", "y"]),
        "senior",
        "pessimistisch",
    )
    assert reachability.hierarchy_for(graph, 1) is None
    monkeypatch.setattr(reachability, "HIERARCHY_MAX_NODES_ON_DEMAND", graph.n_nodes - 1)
    assert reachability.hierarchy_for(graph, 50) is None  # too large to build on demand
    monkeypatch.setattr(reachability, "HIERARCHY_MAX_NODES_ON_DEMAND", graph.n_nodes)
    graph.search_count = 0
    for _ in range(reachability.HIERARCHY_AFTER_SEARCHES - 1):
        reachability.hierarchy_for(graph, 1)
    assert graph._hierarchy is None
    assert reachability.hierarchy_for(graph, 1) is not None  # the graph served enough searches
