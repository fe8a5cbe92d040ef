"""p-median: k additional sites that minimise the demand-weighted travel time.

PySAL ``spopt``'s PMedian, solved with CBC: shorten the way for everybody, not only for the
uncovered. The existing offers are merged into one pre-selected virtual site whose travel time
per origin is the time to the nearest existing offer (exact: an origin always uses its nearest
open site). Origins without demand, origins no candidate can improve and candidates that improve
no origin are removed first (exact as well).

The integer program grows with origins × candidates and CBC needs minutes beyond some ten
thousand pairs; above :data:`PMEDIAN_EXACT_MAX_PAIRS` (after reduction) the p-median is solved
by the classic vertex-substitution heuristic of Teitz & Bart (1968) on numpy arrays
(:func:`vertex_substitution`: greedy start and ten random starts, each improved by best swaps
until no swap improves; the best local optimum wins), and the result says so (``verfahren``).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analyses.location.inputs import Instance, existing_minutes, instance
from analyses.location.mclp import DEFAULT_TIME_LIMIT_S
from analyses.location.result import ALL_USEFUL, SiteSuggestion, suggestion
from analyses.location.solver import cbc_solver, solution_state
from layers.errors import AnalysisError

__all__ = [
    "HEURISTIC_NOTE",
    "PMEDIAN_EXACT_MAX_PAIRS",
    "p_median",
    "total_weighted_minutes",
    "vertex_substitution",
]

PMEDIAN_EXACT_MAX_PAIRS = 20_000
HEURISTIC_NOTE = (
    "Die p-Median-Lösung ist heuristisch (bestes lokales Optimum aus 11 Starts: kein "
    "einzelner Tausch verbessert sie); die Abdeckungsfrage beantwortet das exakte MCLP."
)


def _objective(cost: np.ndarray, weights: np.ndarray, base: np.ndarray, chosen: Sequence[int]) -> float:
    best = base.copy()
    for j in chosen:
        best = np.minimum(best, cost[:, j])
    return float((weights * best).sum())


def _swap_to_local_optimum(
    cost: np.ndarray, weights: np.ndarray, base: np.ndarray, chosen: list[int]
) -> tuple[list[int], float]:
    """Best-improvement swaps (Teitz & Bart) until no single swap lowers the objective."""
    chosen = list(chosen)
    best = base.copy()
    for j in chosen:
        best = np.minimum(best, cost[:, j])
    current = float((weights * best).sum())
    while True:
        best_swap: tuple[float, int, int] | None = None
        for pos in range(len(chosen)):
            without = base.copy()
            for i, j in enumerate(chosen):
                if i != pos:
                    without = np.minimum(without, cost[:, j])
            totals = weights @ np.minimum(cost, without[:, None])
            totals[chosen] = np.inf
            j_new = int(np.argmin(totals))
            if totals[j_new] < current - 1e-9 * max(1.0, abs(current)) and (
                best_swap is None or totals[j_new] < best_swap[0]
            ):
                best_swap = (float(totals[j_new]), pos, j_new)
        if best_swap is None:
            return chosen, current
        current, pos, j_new = best_swap
        chosen[pos] = j_new


def _greedy_median(cost: np.ndarray, weights: np.ndarray, base: np.ndarray, k: int) -> list[int]:
    """Greedy start: k times the site that lowers the objective most."""
    greedy: list[int] = []
    best = base.copy()
    for _ in range(k):
        totals = weights @ np.minimum(cost, best[:, None])
        if greedy:
            totals[greedy] = np.inf
        j = int(np.argmin(totals))
        greedy.append(j)
        best = np.minimum(best, cost[:, j])
    return greedy


def vertex_substitution(
    cost: np.ndarray, weights: np.ndarray, base: np.ndarray, k: int, *, restarts: int = 10, seed: int = 0
) -> list[int]:
    """Teitz–Bart vertex substitution for the p-median with pre-opened sites.

    Starts from the greedy solution and from ``restarts`` random ones (fixed seed: the result is
    reproducible), improves each by best swaps until no single swap helps, and keeps the best.

    Parameters
    ----------
    cost
        Finite minutes, origins × candidates (unreachable already replaced).
    weights
        Demand per origin.
    base
        Finite minutes to the nearest pre-opened site per origin (a large value if none).
    k
        Sites to open.
    restarts
        Additional random starts.
    seed
        Seed of the random starts.

    Returns
    -------
    list of int
        Column positions of the chosen candidates (a local optimum: no single swap improves).
    """
    n, m = cost.shape
    k = min(int(k), m)
    greedy = _greedy_median(cost, weights, base, k)
    rng = np.random.default_rng(seed)
    starts = [greedy] + [list(rng.choice(m, size=k, replace=False)) for _ in range(restarts)]
    winner: list[int] = greedy
    winner_value = np.inf
    for start in starts:
        chosen, value = _swap_to_local_optimum(cost, weights, base, [int(j) for j in start])
        if value < winner_value - 1e-9 * max(1.0, abs(value)):
            winner, winner_value = chosen, value
    return winner


def p_median(
    cost: Any,
    weights: np.ndarray | pd.Series,
    *,
    k: int,
    max_minutes: float,
    existing_cost: np.ndarray | pd.Series | None = None,
    candidate_ids: Sequence[object] | None = None,
    unreachable_minutes: float | None = None,
    method: str = "auto",
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> SiteSuggestion:
    """Choose k additional sites minimising the demand-weighted travel time (spopt PMedian).

    Parameters
    ----------
    cost, weights, existing_cost, candidate_ids
        As in :func:`~analyses.location.mclp.maximal_covering`.
    k, max_minutes
        Number of additional sites; time limit, only to report the newly covered demand.
    unreachable_minutes
        Minutes counted for an origin–site pair without a route (default: twice the longest
        finite travel time in the inputs), so that unreachable demand weighs heavily but finitely.
    method
        ``"auto"`` (exact spopt model up to :data:`PMEDIAN_EXACT_MAX_PAIRS` origin–candidate
        pairs after reduction, heuristic above), ``"spopt"`` (always exact) or ``"heuristik"``.
    time_limit_s
        Solver time limit for the exact model.

    Returns
    -------
    SiteSuggestion
    """
    started = time.perf_counter()
    _check_method(method)
    problem = instance(cost, weights, k=k, max_minutes=max_minutes, existing_cost=existing_cost,
                       candidate_ids=candidate_ids, unreachable=unreachable_minutes,
                       started=started)
    finite_cost, base, rows, useful_cols = _reduced(problem)
    if len(useful_cols) <= k:
        if len(useful_cols) < k:
            problem.notes.append(
                f"Nur {len(useful_cols)} Kandidaten verkürzen überhaupt einen Weg; mehr Standorte "
                "würden nichts verbessern."
            )
        return suggestion(problem, "p-Median", ALL_USEFUL, True, [int(j) for j in useful_cols])
    sub_cost = finite_cost[np.ix_(rows, useful_cols)]
    has_existing = bool(np.isfinite(problem.existing_best).any())
    pairs = sub_cost.shape[0] * (sub_cost.shape[1] + int(has_existing))
    if method == "spopt" or (method == "auto" and pairs <= PMEDIAN_EXACT_MAX_PAIRS):
        picked, optimal, verfahren = _solve_exact(
            sub_cost, problem.demand[rows], base[rows] if has_existing else None, int(k),
            time_limit_s,
        )
    else:
        picked, optimal = vertex_substitution(sub_cost, problem.demand[rows], base[rows], int(k)), False
        verfahren = _heuristic_method(sub_cost.shape[0], len(useful_cols))
        problem.notes.append(HEURISTIC_NOTE)
    chosen = [int(useful_cols[j]) for j in picked]
    return suggestion(problem, "p-Median", verfahren, optimal, chosen)


def _reduced(problem: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Reduce the instance exactly (the optimum does not change).

    Returns the finite minutes, the base minutes (nearest existing offer), the mask of origins
    with demand that some candidate improves and the candidates that improve one of them.
    """
    finite_cost = np.where(np.isfinite(problem.matrix), problem.matrix, problem.unreachable)
    base = np.where(np.isfinite(problem.existing_best), problem.existing_best, problem.unreachable)
    improvable = (finite_cost < base[:, None]).any(axis=1)
    rows = (problem.demand > 0) & improvable
    useful_cols = np.flatnonzero((finite_cost[rows] < base[rows, None]).any(axis=0))
    return finite_cost, base, rows, useful_cols


def _check_method(method: str) -> None:
    if method not in ("auto", "spopt", "heuristik"):
        raise AnalysisError(
            f"Das Lösungsverfahren '{method}' ist unbekannt.",
            hinweis="Erlaubt sind 'auto', 'spopt' und 'heuristik'.",
        )


def _heuristic_method(n_origins: int, n_candidates: int) -> str:
    return (
        f"Austauschheuristik nach Teitz & Bart ({n_origins} Nachfrageorte × "
        f"{n_candidates} Kandidaten; für das exakte spopt-Modell zu groß, "
        f"Grenze {PMEDIAN_EXACT_MAX_PAIRS:,} Paare)".replace(",", ".")
    )


def _solve_exact(
    sub_cost: np.ndarray, sub_weights: np.ndarray, sub_base: np.ndarray | None, k: int,
    time_limit_s: float,
) -> tuple[list[int], bool, str]:
    """Solve the exact spopt PMedian of the reduced instance.

    ``sub_base`` (minutes to the nearest existing offer, if there is one) becomes one
    pre-opened virtual site. Returns the chosen columns of ``sub_cost``, optimality and the
    method in German.
    """
    from spopt.locate import PMedian

    model_cost = sub_cost
    predefined = None
    p_total = k
    if sub_base is not None:
        # All existing offers as one pre-opened virtual site: nearest existing time per origin.
        model_cost = np.column_stack([sub_cost, sub_base])
        predefined = np.zeros(model_cost.shape[1], dtype=int)
        predefined[-1] = 1
        p_total += 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=DeprecationWarning)
        model = PMedian.from_cost_matrix(
            model_cost, sub_weights, p_facilities=p_total, predefined_facilities_arr=predefined
        )
        model.problem.solve(cbc_solver(time_limit_s))
    optimal, state = solution_state(model.problem)
    n_candidates = sub_cost.shape[1]
    picked = [
        j for j, var in enumerate(model.fac_vars)
        if (var.value() or 0) > 0.5 and j < n_candidates
    ]
    verfahren = (
        f"spopt PMedian mit CBC, {state} ({sub_cost.shape[0]} Nachfrageorte × "
        f"{n_candidates} Kandidaten nach exakter Reduktion)"
    )
    return picked, optimal, verfahren


def total_weighted_minutes(
    cost: np.ndarray,
    weights: np.ndarray,
    chosen: Sequence[int],
    *,
    existing_cost: np.ndarray | None = None,
    unreachable_minutes: float,
) -> float:
    """p-median objective of a set of chosen sites (for tests and benchmarks).

    Unreachable pairs (and origins without an existing offer) count ``unreachable_minutes``.
    """
    matrix = np.where(np.isfinite(cost), cost, unreachable_minutes)
    base = existing_minutes(existing_cost, matrix.shape[0])
    base = np.where(np.isfinite(base), base, unreachable_minutes)
    return _objective(matrix, np.asarray(weights, dtype=float), base, chosen)
