"""The network as arrays: CSR graph, node index, snapping targets, caches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analyses.network.graph import build_graph
from layers.errors import AnalysisError, CRSError
from tests.tools import mock
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


# --------------------------------------------------------------------------------------------
# The mock network (tests/tools/mock.py): travel times per profile, computed by hand
# --------------------------------------------------------------------------------------------


def _seconds_from(graph, start: int) -> dict[int, float]:
    """Network seconds from node ``start`` to every node (scipy's Dijkstra on the CSR graph)."""
    from scipy.sparse.csgraph import dijkstra

    row = graph.knoten_id.tolist().index(start)
    seconds = dijkstra(graph.matrix, directed=False, indices=row)
    return dict(zip(graph.knoten_id.tolist(), seconds.tolist(), strict=True))


@pytest.mark.parametrize(
    ("profil", "unbekannt", "expected"),
    [
        # metres of way × profile factor / speed (see the table in mock.mock_network)
        ("fuss", "optimistisch",
         {mock.SE: 100 / 1.2, mock.BEHIND_STEPS: 200 / 1.2, mock.EAST: 300 / 1.2,
          mock.DEAD_END: 100 / 1.2}),
        ("senior", "optimistisch",
         {mock.SE: 100 / 1.0, mock.BEHIND_STEPS: (100 + 1.5 * 100) / 1.0, mock.EAST: 300 / 1.0}),
        ("rollator", "optimistisch",
         {mock.SE: 100 / 0.8, mock.BEHIND_STEPS: 400 / 0.8, mock.EAST: 300 / 0.8}),
        ("rollator", "pessimistisch",
         {mock.SE: 100 / 0.8, mock.BEHIND_STEPS: (300 + 1.3 * 100) / 0.8, mock.EAST: 300 / 0.8}),
        ("rollstuhl", "optimistisch",
         {mock.SE: 100 / 0.8, mock.BEHIND_STEPS: np.inf, mock.EAST: np.inf, mock.NE: 200 / 0.8}),
        ("rollstuhl", "pessimistisch",
         {mock.SE: 100 / 0.8, mock.BEHIND_STEPS: np.inf, mock.EAST: np.inf, mock.NE: 200 / 0.8}),
    ],
    ids=["fuss", "senior", "rollator-optimistisch", "rollator-pessimistisch",
         "rollstuhl-optimistisch", "rollstuhl-pessimistisch"],
)
def test_mock_travel_times_per_profile_by_hand(profil, unbekannt, expected):
    edges, nodes = mock.mock_network()
    graph = build_graph(edges, nodes, profil, unbekannt)
    seconds = _seconds_from(graph, mock.SW)
    for node, value in expected.items():
        assert seconds[node] == pytest.approx(value, rel=1e-9), node
    # the isolated node is a row without entries: unreachable from everywhere, in every profile
    assert seconds[mock.ISOLATED] == np.inf
    row = graph.knoten_id.tolist().index(mock.ISOLATED)
    assert graph.matrix[row].nnz == 0 and graph.n_nodes == len(nodes)


def test_mock_steps_and_kerb_are_left_out_for_wheelchair_and_rollator():
    edges, nodes = mock.mock_network()
    kept = {p: set(build_graph(edges, nodes, p).kante_id.tolist())
            for p in ("fuss", "senior", "rollator", "rollstuhl")}
    assert kept["fuss"] == kept["senior"] == set(range(10))
    assert kept["rollator"] == set(range(10)) - {mock.STEPS}  # no kerb limit for a walker
    assert kept["rollstuhl"] == set(range(10)) - {mock.STEPS, mock.KERB}  # 6 cm > 3 cm
    wheel = build_graph(edges, nodes, "rollstuhl")
    assert wheel.n_edges_blocked == 2 and wheel.n_edges_input == 10


def test_mock_kerb_rule_is_a_limit_not_a_ban():
    edges, nodes = mock.mock_network()
    lowered = edges.copy()
    lowered.loc[lowered["kante_id"] == mock.KERB, "bordstein_cm"] = 3.0  # at the limit: passable
    graph = build_graph(lowered, nodes, "rollstuhl")
    assert mock.KERB in graph.kante_id.tolist()
    # now EAST is reached over the lowered kerb: 300 m at 0.8 m/s; BEHIND_STEPS over the path
    seconds = _seconds_from(graph, mock.SW)
    assert seconds[mock.EAST] == pytest.approx(300 / 0.8)
    assert seconds[mock.BEHIND_STEPS] == pytest.approx(400 / 0.8)
    unknown = edges.copy()
    unknown.loc[unknown["kante_id"] == mock.KERB, ["bordstein_cm", "bordstein_unbekannt"]] = (
        np.nan, True)
    # a kerb of unknown height: passable when optimistic, blocked when pessimistic
    assert mock.KERB in build_graph(unknown, nodes, "rollstuhl", "optimistisch").kante_id
    assert mock.KERB not in build_graph(unknown, nodes, "rollstuhl", "pessimistisch").kante_id


def test_mock_unknown_surface_optimistic_and_pessimistic():
    edges, nodes = mock.mock_network()
    expected = {  # seconds on the 100 m path without a surface tag
        ("fuss", "optimistisch"): 100 / 1.2, ("fuss", "pessimistisch"): 100 / 1.2,
        ("rollator", "optimistisch"): 100 / 0.8, ("rollator", "pessimistisch"): 130 / 0.8,
        ("rollstuhl", "optimistisch"): 100 / 0.8, ("rollstuhl", "pessimistisch"): 150 / 0.8,
    }
    for (profil, unbekannt), value in expected.items():
        graph = build_graph(edges, nodes, profil, unbekannt)
        row = graph.kante_id.tolist().index(mock.UNKNOWN_SURFACE)
        assert graph.edge_seconds[row] == pytest.approx(value), (profil, unbekannt)
        assert graph.unbekannt == unbekannt


def test_mock_parallel_edge_takes_the_faster():
    edges, nodes = mock.mock_network()
    graph = build_graph(edges, nodes, "fuss")
    index = {k: i for i, k in enumerate(graph.knoten_id)}
    assert graph.matrix[index[mock.SW], index[mock.SE]] == pytest.approx(100 / 1.2)
    assert graph.entry_for(np.array([index[mock.SW]]), np.array([index[mock.SE]])).tolist() == [
        graph.kante_id.tolist().index(mock.SOUTH)]
    # made slower than the detour (cobblestones for a wheelchair: × 2.0), the parallel edge wins
    rough = edges.copy()
    rough.loc[rough["kante_id"] == mock.SOUTH, "surface"] = "cobblestone"
    wheel = build_graph(rough, nodes, "rollstuhl")
    index = {k: i for i, k in enumerate(wheel.knoten_id)}
    assert wheel.matrix[index[mock.SW], index[mock.SE]] == pytest.approx(mock.PARALLEL_M / 0.8,
                                                                          rel=1e-5)
    assert wheel.entry_for(np.array([index[mock.SW]]), np.array([index[mock.SE]])).tolist() == [
        wheel.kante_id.tolist().index(mock.PARALLEL)]


def test_mock_main_network_for_snapping_follows_the_profile():
    edges, nodes = mock.mock_network()
    foot = build_graph(edges, nodes, "fuss")
    assert foot.edge_snappable.all()  # everything hangs together on foot
    wheel = build_graph(edges, nodes, "rollstuhl")
    off = set(wheel.kante_id[~wheel.edge_snappable].tolist())
    # the path between EAST and BEHIND_STEPS is an island without steps and kerb
    assert off == {mock.UNKNOWN_SURFACE}
    assert wheel.crs.to_epsg() == 25832
