"""The network as arrays: CSR graph, node index, snapping targets, caches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analyses.network.graph import build_graph
from layers.errors import AnalysisError, CRSError
from tests.tools.mock import tiny_network


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
