"""Location suggestions: MCLP and p-median against brute force on small random instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analyses.location import (
    greedy_covering,
    maximal_covering,
    p_median,
    total_weighted_minutes,
    vertex_substitution,
)
from layers.errors import AnalysisError


def _instance(seed: int, n: int = 45, m: int = 9, with_existing: bool = True):
    rng = np.random.default_rng(seed)
    demand_xy = rng.uniform(0, 3000, (n, 2))
    sites_xy = rng.uniform(0, 3000, (m, 2))
    cost = np.linalg.norm(demand_xy[:, None] - sites_xy[None], axis=2) / 80.0  # minutes
    cost[rng.random(cost.shape) < 0.1] = np.inf  # some pairs without a route
    weights = rng.integers(0, 60, n).astype(float)
    existing = None
    if with_existing:
        existing = np.linalg.norm(demand_xy - rng.uniform(0, 3000, 2), axis=1) / 80.0
    return cost, weights, existing


def _covered(cost, weights, existing, chosen, limit):
    hit = np.zeros(len(weights), dtype=bool) if existing is None else existing <= limit
    if chosen:
        hit |= (cost[:, list(chosen)] <= limit).any(axis=1)
    return float(weights[hit].sum())


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_mclp_equals_brute_force(seed, k):
    cost, weights, existing = _instance(seed, with_existing=seed % 2 == 0)
    limit = 12.0
    result = maximal_covering(cost, weights, max_minutes=limit, k=k, existing_cost=existing)
    best = max(
        _covered(cost, weights, existing, c, limit)
        for c in itertools.combinations(range(cost.shape[1]), k)
    )
    assert result.optimal
    assert result.versorgt_nachher == pytest.approx(best)
    assert _covered(cost, weights, existing, result.kandidat_ids, limit) == pytest.approx(best)
    # marginal gains add up and are in greedy (non-increasing) order
    gains = result.standorte["neu_versorgt"].to_numpy()
    assert gains.sum() == pytest.approx(result.versorgt_nachher - result.versorgt_vorher)
    assert np.all(np.diff(gains) <= 1e-9)
    assert result.versorgt_vorher == pytest.approx(_covered(cost, weights, existing, [], limit))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_p_median_equals_brute_force(seed, k):
    cost, weights, existing = _instance(seed + 100, with_existing=seed % 2 == 1)
    result = p_median(cost, weights, k=k, max_minutes=12.0, existing_cost=existing, method="spopt")
    penalty = result.minuten_unerreichbar
    best = min(
        total_weighted_minutes(cost, weights, c, existing_cost=existing, unreachable_minutes=penalty)
        for c in itertools.combinations(range(cost.shape[1]), k)
    )
    ours = total_weighted_minutes(
        cost, weights, result.kandidat_ids, existing_cost=existing, unreachable_minutes=penalty
    )
    assert result.optimal
    assert ours == pytest.approx(best, rel=1e-9)
    assert result.mittlere_minuten_nachher * weights.sum() == pytest.approx(best, rel=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_vertex_substitution_finds_brute_force_optimum_on_small_instances(seed):
    cost, weights, existing = _instance(seed + 200, n=60, m=10)
    penalty = 1000.0
    finite = np.where(np.isfinite(cost), cost, penalty)
    base = existing if existing is not None else np.full(len(weights), penalty)
    chosen = vertex_substitution(finite, weights, base, 3)
    best = min(
        total_weighted_minutes(cost, weights, c, existing_cost=existing, unreachable_minutes=penalty)
        for c in itertools.combinations(range(cost.shape[1]), 3)
    )
    ours = total_weighted_minutes(cost, weights, chosen, existing_cost=existing, unreachable_minutes=penalty)
    # a local optimum; on these instances it is the global one
    assert ours == pytest.approx(best, rel=1e-9)


def test_mclp_never_worse_than_greedy_on_larger_instance():
    cost, weights, existing = _instance(7, n=400, m=60)
    exact = maximal_covering(cost, weights, max_minutes=10, k=4, existing_cost=existing)
    greedy = greedy_covering(cost, weights, max_minutes=10, k=4, existing_cost=existing)
    assert exact.versorgt_nachher >= _covered(cost, weights, existing, greedy, 10) - 1e-9


def test_fewer_useful_candidates_than_k_is_explained():
    cost = np.array([[5.0, 50.0], [6.0, 60.0], [40.0, 70.0]])
    weights = np.array([10.0, 20.0, 30.0])
    result = maximal_covering(cost, weights, max_minutes=15, k=2, candidate_ids=["A", "B"])
    assert result.kandidat_ids == ["A"]
    assert result.neu_versorgt == pytest.approx(30.0)
    assert "Nur 1 Kandidaten" in result.hinweise[0]


def test_existing_offers_count_as_already_covered():
    cost = np.array([[5.0, 30.0], [30.0, 5.0], [30.0, 6.0]])
    weights = np.array([100.0, 10.0, 10.0])
    # Demand 0 is already covered by an existing offer: the new site must go to B.
    result = maximal_covering(
        cost, weights, max_minutes=15, k=1, candidate_ids=["A", "B"], existing_cost=np.array([1.0, 99.0, 99.0])
    )
    assert result.kandidat_ids == ["B"]
    assert result.versorgt_vorher == 100.0 and result.versorgt_nachher == 120.0


def test_bad_inputs_raise_german_errors():
    cost = np.ones((3, 2))
    with pytest.raises(AnalysisError, match="ganze Zahl"):
        maximal_covering(cost, np.ones(3), max_minutes=15, k=0)
    with pytest.raises(AnalysisError, match="Gewichte"):
        maximal_covering(cost, np.ones(4), max_minutes=15, k=1)
    with pytest.raises(AnalysisError, match="NaN"):
        maximal_covering(np.full((3, 2), np.nan), np.ones(3), max_minutes=15, k=1)
    with pytest.raises(AnalysisError, match="negative"):
        p_median(-cost, np.ones(3), k=1, max_minutes=15)
    with pytest.raises(AnalysisError, match="größer als 0"):
        maximal_covering(cost, np.ones(3), max_minutes=-1, k=1)


def test_sparse_cutoff_matrix_is_accepted():
    from scipy.sparse import csr_array

    cost, weights, existing = _instance(11, n=50, m=8, with_existing=False)
    limited = np.where(cost <= 12, cost, np.inf)
    rows, cols = np.nonzero(np.isfinite(limited))
    limited[rows[0], cols[0]] = 0.0  # an explicit zero: origin at the site, still reachable
    sparse = csr_array((limited[rows, cols], (rows, cols)), shape=cost.shape)
    dense = maximal_covering(limited, weights, max_minutes=12, k=2)
    from_sparse = maximal_covering(sparse, weights, max_minutes=12, k=2)
    assert from_sparse.versorgt_nachher == dense.versorgt_nachher
    assert sorted(from_sparse.kandidat_ids) == sorted(dense.kandidat_ids)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_mclp_heuristic_and_integer_program_agree(seed, k):
    """Greedy with exchanges, proven by the LP bound, and the integer program (exact=True)
    give the same covered demand; the heuristic is what runs by default."""
    cost, weights, existing = _instance(seed + 300, with_existing=seed % 2 == 0)
    default = maximal_covering(cost, weights, max_minutes=12.0, k=k, existing_cost=existing)
    exact = maximal_covering(cost, weights, max_minutes=12.0, k=k, existing_cost=existing,
                             exact=True)
    assert default.optimal and exact.optimal
    assert default.versorgt_nachher == pytest.approx(exact.versorgt_nachher)
    if "kein Optimierungsbedarf" not in exact.verfahren:
        assert "spopt MCLP mit CBC" in exact.verfahren


def test_mclp_falls_back_to_the_integer_program_when_the_bound_is_not_reached():
    from analyses.location import covering_by_bound

    # a tiny instance whose LP relaxation (32) lies above the integer optimum (31)
    rng = np.random.default_rng(58)
    covers = rng.random((6, 5)) < 0.35
    weights = rng.integers(1, 10, 6).astype(float)
    _, value, bound, proven = covering_by_bound(covers, weights, 2)
    assert (value, bound, proven) == (31.0, pytest.approx(32.0), False)
    cost = np.where(covers, 5.0, np.inf)
    result = maximal_covering(cost, weights, max_minutes=10.0, k=2)
    best = max(weights[covers[:, list(c)].any(axis=1)].sum()
               for c in itertools.combinations(range(5), 2))
    assert result.optimal and result.versorgt_nachher == pytest.approx(best) == 31.0
    assert "spopt MCLP mit CBC" in result.verfahren
