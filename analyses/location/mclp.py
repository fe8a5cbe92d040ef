"""Maximal covering (MCLP): k additional sites that bring the most people within the time limit.

Solved heuristically first (:mod:`analyses.location.heuristic`: greedy and exchanges, proven
optimal when it reaches the LP bound, the usual case); otherwise, or when asked
(``exact=True``), PySAL ``spopt``'s MCLP, solved with CBC. The demand already covered by an existing offer is
removed before the model is built (covering it again gains nothing, so this is exact), as are
origins without demand or without any covering candidate and candidates that cover none of the
rest; origins with the same set of covering candidates are merged (their demand is summed).
This makes the Aachen-sized MCLP (≈2,500 cells × ≈300 candidates) solve in a few seconds.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analyses.location.heuristic import covering_by_bound
from analyses.location.inputs import instance
from analyses.location.result import ALL_USEFUL, SiteSuggestion, suggestion
from analyses.location.solver import cbc_solver, solution_state

__all__ = ["DEFAULT_TIME_LIMIT_S", "maximal_covering", "sparse_mclp_model"]

DEFAULT_TIME_LIMIT_S = 60.0


def sparse_mclp_model(covers: np.ndarray, weights: np.ndarray, k: int) -> Any:
    """Build spopt's MCLP with the coverage constraints written sparsely.

    ``spopt.locate.MCLP.from_cost_matrix`` writes every coverage constraint over all candidates,
    zero coefficients included; for 2,500 origins × 300 candidates PuLP then spends 5–16 s
    assembling 750,000 terms of which about 2 % are non-zero. This builds the same model
    (same spopt class, variables ``x[j]``/``y[i]`` from spopt's ``FacilityModelBuilder``, same
    objective ``max Σ w_i y_i``, constraints ``Σ_{j covers i} x_j ≥ y_i`` and ``Σ x_j = k``) with
    the non-zero terms only.

    Parameters
    ----------
    covers
        Boolean, origins × candidates: candidate j reaches origin i within the time limit.
    weights
        Demand per origin.
    k
        Number of sites.

    Returns
    -------
    spopt.locate.MCLP
        Unsolved; ``model.problem`` is the PuLP problem, ``model.fac_vars`` the site variables.
    """
    import pulp
    from spopt.locate import MCLP
    from spopt.locate.base import FacilityModelBuilder

    n, m = covers.shape
    model = MCLP("mclp", pulp.LpProblem("mclp", pulp.LpMaximize))
    FacilityModelBuilder.add_facility_integer_variable(model, range(m), "x[{i}]")
    FacilityModelBuilder.add_client_integer_variable(model, range(n), "y[{i}]")
    model.aij = covers.astype(float)
    fac_vars = model.fac_vars
    cli_vars = model.cli_vars
    model.problem += (
        pulp.LpAffineExpression([(cli_vars[i], float(weights[i])) for i in range(n)]),
        "objective function",
    )
    rows, cols = np.nonzero(covers)
    starts = np.searchsorted(rows, np.arange(n + 1))
    for i in range(n):
        terms = [(fac_vars[int(j)], 1.0) for j in cols[starts[i] : starts[i + 1]]]
        terms.append((cli_vars[i], -1.0))
        model.problem += pulp.LpAffineExpression(terms) >= 0
    FacilityModelBuilder.add_facility_constraint(model, k)
    return model


def maximal_covering(
    cost: Any,
    weights: np.ndarray | pd.Series,
    *,
    max_minutes: float,
    k: int,
    existing_cost: np.ndarray | pd.Series | None = None,
    candidate_ids: Sequence[object] | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    exact: bool = False,
) -> SiteSuggestion:
    """Choose k additional sites that bring the most demand within the time limit (spopt MCLP).

    Parameters
    ----------
    cost
        Travel minutes, origins (rows) × candidate sites (columns); ``inf`` where unreachable.
        A DataFrame's columns are the candidate ids. A ``scipy.sparse`` matrix counts its stored
        entries as travel times and everything else as unreachable
        (:func:`~analyses.location.inputs.dense_minutes`).
    weights
        Demand per origin (inhabitants, or inhabitants 65+).
    max_minutes
        Time limit of coverage (e.g. 15).
    k
        Number of additional sites.
    existing_cost
        Minutes from every origin to the nearest existing offer (1-D, e.g. the nearest-service
        time of the reachability analysis) or to each existing offer (2-D); None if there is none.
    candidate_ids
        Ids of the candidates (default: the DataFrame's columns or 0..m-1).
    time_limit_s
        Time limit of the solver; the result says whether optimality was proven.
    exact
        Always solve the integer program (spopt, CBC), even when the heuristic is proven
        optimal by the LP bound (then both give a solution of the same value).

    Returns
    -------
    SiteSuggestion

    Raises
    ------
    AnalysisError
        On inconsistent inputs (shapes, NaN, negative values, k < 1, no candidates).
    """
    problem = instance(cost, weights, k=k, max_minutes=max_minutes, existing_cost=existing_cost,
                       candidate_ids=candidate_ids)
    covers = problem.matrix <= max_minutes
    open_rows = (problem.demand > 0) & (problem.existing_best > max_minutes) & covers.any(axis=1)
    useful_cols = np.flatnonzero(covers[open_rows].any(axis=0))
    if len(useful_cols) <= k:
        if len(useful_cols) < k:
            problem.notes.append(
                f"Nur {len(useful_cols)} Kandidaten erreichen noch unversorgte Menschen innerhalb "
                f"von {max_minutes:g} Minuten; mehr Standorte würden niemanden zusätzlich versorgen."
            )
        return suggestion(problem, "MCLP", ALL_USEFUL, True, [int(j) for j in useful_cols])
    chosen, optimal, verfahren = _solve(
        covers[np.ix_(open_rows, useful_cols)], problem.demand[open_rows], useful_cols, int(k),
        time_limit_s, exact,
    )
    return suggestion(problem, "MCLP", verfahren, optimal, chosen)


def _solve(
    reduced: np.ndarray, demand: np.ndarray, useful_cols: np.ndarray, k: int,
    time_limit_s: float, exact: bool = False,
) -> tuple[list[int], bool, str]:
    """Solve the reduced MCLP; return the chosen columns, optimality and the method in German."""
    # Origins with the same covering candidates are one demand point for the model.
    packed = np.packbits(reduced, axis=1)
    _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    merged_weights = np.bincount(inverse.ravel(), weights=demand)
    merged_cover = reduced[first]
    size = f"{len(merged_weights)} Nachfragegruppen × {len(useful_cols)} Kandidaten"
    if not exact:
        heuristic, _, _, proven = covering_by_bound(merged_cover, merged_weights, k)
        if proven:
            return ([int(useful_cols[j]) for j in heuristic], True,
                    f"Greedy mit Austausch, optimal (erreicht die Schranke der LP-Relaxation, "
                    f"HiGHS; {size} nach exakter Reduktion)")
    with warnings.catch_warnings():
        # PuLP 3.x announces API changes for PuLP 4 that spopt 0.7 still uses (pulp is pinned <4).
        warnings.simplefilter("ignore", category=DeprecationWarning)
        model = sparse_mclp_model(merged_cover, merged_weights, k)
        model.problem.solve(cbc_solver(time_limit_s))
    optimal, state = solution_state(model.problem)
    chosen = [
        int(useful_cols[j]) for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5
    ]
    verfahren = f"spopt MCLP mit CBC, {state} ({size} nach exakter Reduktion)"
    return chosen, optimal, verfahren
