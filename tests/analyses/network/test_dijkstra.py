"""The compiled Dijkstra (numba) and the per-question choice of the search, against scipy on
random graphs (zero lengths, parallel edges, several components)."""

from __future__ import annotations

import numpy as np
import pytest

from analyses.network import choice, contraction
from analyses.network.graph import _symmetric_csr
from tests.tools.reference import reference


def random_graph(rng: np.random.Generator):
    n = int(rng.integers(2, 150))
    m = int(rng.integers(0, 3 * n))
    u = rng.integers(0, n, m).astype(np.int32)
    v = rng.integers(0, n, m).astype(np.int32)
    w = rng.choice([0.0, 1.0, 2.0, 3.0, 7.5, 0.25], m)
    matrix, _ = _symmetric_csr(u, v, w, n)
    return n, matrix


def test_compiled_dijkstra_equals_scipy():
    rng = np.random.default_rng(11)
    for _ in range(60):
        n, matrix = random_graph(rng)
        k = int(rng.integers(1, 6))
        nodes = rng.integers(0, n, k)
        start = rng.choice([0.0, 0.5, 4.0], k)
        labels = rng.integers(0, 3, k)
        per_entry = reference(matrix, nodes, start)
        expected = per_entry.min(axis=0)
        seconds, label, settled = contraction.dijkstra_node_field(matrix, nodes, start, labels)
        reached = np.isfinite(expected)
        assert settled == int(reached.sum())
        assert (np.isfinite(seconds) == reached).all()
        np.testing.assert_allclose(seconds[reached], expected[reached], rtol=0, atol=1e-9)
        assert (label[~reached] == -1).all()
        for node in np.flatnonzero(reached):  # the label names an entry at that time
            assert per_entry[labels == label[node], node].min() == pytest.approx(expected[node])
        # a time limit: exactly the nodes within it
        limit = float(rng.choice([0.0, 1.0, 3.5]))
        bounded, _, _ = contraction.dijkstra_node_field(
            matrix, nodes, start, labels, limit_seconds=limit
        )
        within = expected <= limit
        assert (np.isfinite(bounded) == within).all()
        np.testing.assert_allclose(bounded[within], expected[within], rtol=0, atol=1e-9)
        # needed nodes: exact there, the search may stop early (never a wrong finite time)
        needed = rng.random(n) < 0.2
        early, _, stopped = contraction.dijkstra_node_field(
            matrix, nodes, start, labels, needed=needed
        )
        assert stopped <= settled
        np.testing.assert_allclose(early[needed], expected[needed], rtol=0, atol=1e-9)
        finite = np.isfinite(early)
        np.testing.assert_allclose(early[finite], expected[finite], rtol=0, atol=1e-9)


def test_dead_ends_are_final_when_reached_and_an_early_stop_keeps_them():
    """A path 0–1–2–3–6 with dead ends 4 (on 1), 5 (on 2) and 6 (on 3), hand-computed times.

    Dead ends never enter the heap; when the last needed node is a dead end, the search stops
    after the ties of its neighbour's time, and every dead end reached by then keeps its final
    time, while a node still in the heap is reported as unreached.
    """
    u = np.array([0, 1, 2, 1, 2, 3], dtype=np.int32)
    v = np.array([1, 2, 3, 4, 5, 6], dtype=np.int32)
    w = np.array([1.0, 2.0, 4.0, 10.0, 0.5, 1.0])
    matrix, _ = _symmetric_csr(u, v, w, 7)
    start, labels = np.array([0.0]), np.array([7])
    seconds, label, settled = contraction.dijkstra_node_field(matrix, np.array([0]), start, labels)
    np.testing.assert_array_equal(seconds, [0.0, 1.0, 3.0, 7.0, 11.0, 3.5, 8.0])
    assert settled == 7 and (label == 7).all()
    # Only dead end 5 is needed: reached from node 2 (3 s), the search stops there; dead end 4
    # (11 s, reached from node 1) is final, node 3 (7 s, still in the heap) and 6 are not.
    needed = np.zeros(7, dtype=bool)
    needed[5] = True
    early, early_label, stopped = contraction.dijkstra_node_field(
        matrix, np.array([0]), start, labels, needed=needed)
    np.testing.assert_array_equal(early, [0.0, 1.0, 3.0, np.inf, 11.0, 3.5, np.inf])
    np.testing.assert_array_equal(early_label, [7, 7, 7, -1, 7, 7, -1])
    assert stopped == 5
    # A limit of 5 s: dead end 4 (11 s) is beyond it although it was reached from node 1.
    bounded, _, _ = contraction.dijkstra_node_field(matrix, np.array([0]), start, labels,
                                                     limit_seconds=5.0)
    np.testing.assert_array_equal(bounded, [0.0, 1.0, 3.0, np.inf, np.inf, 3.5, np.inf])
    # A dead end that is also a source keeps the better of its start and the way in.
    both, both_label, _ = contraction.dijkstra_node_field(
        matrix, np.array([0, 4]), np.array([0.0, 2.0]), np.array([7, 8]))
    assert both[4] == 2.0 and both_label[4] == 8 and both[1] == 1.0 and both_label[1] == 7


class _Graph:
    """What :func:`choice.choose` reads of a graph."""

    def __init__(self, n_nodes: int) -> None:
        self.n_nodes = n_nodes
        self.search_costs: dict[str, float] = {}


def test_choice_follows_the_measured_costs():
    graph = _Graph(1000)
    # a time limit: always the compiled Dijkstra (few nodes settled, no copy of the matrix)
    assert choice.choose(graph, True, True, limited=True) == "dijkstra"
    # nothing measured: the hierarchy if there is one, else scipy (numba is not even imported)
    assert choice.choose(graph, True, True, limited=False) == "hierarchy"
    assert choice.choose(graph, False, False, limited=False) == "scipy"
    assert choice.choose(graph, False, True, limited=False) == "scipy"
    choice.record_scipy(graph, 0.016, 1000)  # scipy: 0.016 s
    # then the bounded Dijkstra once, to measure how early it stops
    assert choice.choose(graph, False, True, limited=False) == "dijkstra"
    assert choice.choose(graph, False, False, limited=False) == "scipy"
    choice.record(graph, "dijkstra_s_per_node", 2e-5)  # a full compiled Dijkstra: 0.02 s
    choice.record(graph, "dijkstra_needed_share", 0.95)  # stops late: 0.019 s
    assert choice.choose(graph, False, True, limited=False) == "scipy"
    choice.record(graph, "dijkstra_needed_share", 0.25)  # moving average 0.6: 0.012 s
    assert graph.search_costs["dijkstra_needed_share"] == pytest.approx(0.6)
    assert choice.choose(graph, False, True, limited=False) == "dijkstra"
    assert choice.choose(graph, False, False, limited=False) == "scipy"
    choice.record(graph, "hierarchy_s", 0.014)  # PHAST slower than the bounded Dijkstra here
    assert choice.choose(graph, True, True, limited=False) == "dijkstra"
    assert choice.choose(graph, True, False, limited=False) == "hierarchy"
    choice.record(graph, "hierarchy_s", 0.002)  # 0.008 s
    assert choice.choose(graph, True, True, limited=False) == "hierarchy"
