"""Contraction hierarchy + PHAST (numba) against scipy's Dijkstra on random graphs (zero lengths,
parallel edges, several components, a large or no core)."""

from __future__ import annotations

import numpy as np
import pytest

from analyses.network import contraction
from analyses.network.graph import _symmetric_csr
from tests.tools.reference import reference


def check_field(hierarchy, matrix, nodes, start, labels) -> float:
    """Compare one hierarchy query with scipy; returns the largest deviation."""
    seconds, label = contraction.node_field(hierarchy, nodes, start, labels)
    per_entry = reference(matrix, nodes, start)
    expected = per_entry.min(axis=0)
    reached = np.isfinite(expected)
    assert (np.isfinite(seconds) == reached).all()
    assert (label[~reached] == -1).all()
    # the label names an entry that really is at that time
    entry_of_label = {int(lab): np.flatnonzero(labels == lab) for lab in np.unique(labels)}
    for node in np.flatnonzero(reached):
        via_label = per_entry[entry_of_label[int(label[node])], node].min()
        assert via_label == pytest.approx(expected[node], abs=1e-9)
    return float(np.abs(seconds[reached] - expected[reached]).max(initial=0.0))


@pytest.mark.parametrize("core_degree", [1000, 3, 0])
def test_hierarchy_equals_scipy_on_random_graphs(monkeypatch, core_degree):
    monkeypatch.setattr(contraction, "CORE_DEGREE", core_degree)
    rng = np.random.default_rng(core_degree + 1)
    cores = []
    for _ in range(40):
        n = int(rng.integers(2, 120))
        m = int(rng.integers(0, 3 * n))
        u = rng.integers(0, n, m).astype(np.int32)
        v = rng.integers(0, n, m).astype(np.int32)
        # integer lengths make many ties, zeros and parallel edges are allowed
        w = rng.choice([0.0, 1.0, 2.0, 3.0, 7.5], m)
        matrix, _ = _symmetric_csr(u, v, w, n)
        hierarchy = contraction.build_hierarchy(matrix)
        cores.append(hierarchy.n_core)
        assert sorted(hierarchy.rank.tolist()) == list(range(n))
        for _ in range(3):
            k = int(rng.integers(1, 5))
            nodes = rng.integers(0, n, k)
            start = rng.choice([0.0, 0.5, 4.0], k)
            labels = rng.integers(0, 3, k)  # several entries may share a label (one service)
            assert check_field(hierarchy, matrix, nodes, start, labels) <= 1e-9
    if core_degree == 0:
        assert all(c > 0 for c in cores)  # everything is core: the core Dijkstra is tested
    if core_degree == 1000:
        assert all(c == 0 for c in cores)  # nothing is core: the sweeps alone are tested


def test_reused_order_gives_exact_distances_for_other_travel_times():
    """A scenario changes some travel times: contracting in the old order stays exact."""
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = int(rng.integers(2, 150))
        m = int(rng.integers(0, 3 * n))
        u = rng.integers(0, n, m).astype(np.int32)
        v = rng.integers(0, n, m).astype(np.int32)
        w = rng.choice([0.0, 1.0, 2.0, 3.0, 7.5], m)
        matrix, _ = _symmetric_csr(u, v, w, n)
        before = contraction.build_hierarchy(matrix)
        changed = matrix.copy()
        changed.data = changed.data * rng.choice([0.5, 1.0, 4.0], len(changed.data))
        changed.data = np.minimum(changed.data, changed.T.tocsr().data)  # stays symmetric
        after = contraction.build_hierarchy(changed, reuse=before)
        assert sorted(after.rank.tolist()) == list(range(n))
        # the contracted nodes keep the old sequence (none is re-prioritised)
        sequence = after.order()[: after.n_contracted]
        assert (np.diff(before.rank[sequence]) > 0).all()
        for _ in range(3):
            k = int(rng.integers(1, 5))
            nodes = rng.integers(0, n, k)
            start = rng.choice([0.0, 0.5, 4.0], k)
            labels = rng.integers(0, 3, k)
            assert check_field(after, changed, nodes, start, labels) <= 1e-9
    with pytest.raises(ValueError):
        contraction.build_hierarchy(matrix[:1, :1], reuse=before)
