"""Location suggestions: where should k additional offers go?

Two models of PySAL ``spopt``, solved with PuLP's bundled CBC (no network, no licence):

* **Maximal covering (MCLP)**: choose k sites that bring the most additional people within the
  time limit. This is the question planners ask ("if we open an office here, this many more
  people reach advice within 15 minutes") and the default.
* **p-median**: choose k sites that minimise the population-weighted travel time to the nearest
  offer (existing or new), i.e. shorten the way for everybody, not only for the uncovered.

Existing offers stay open: the question is always "k **additional** offers on top of the
existing ones". For MCLP the demand already covered by an existing offer is removed before the
model is built (covering it again gains nothing, so this is exact). For p-median the existing
offers are merged into one pre-selected virtual site whose travel time per origin is the time to
the nearest existing offer (exact as well: an origin always uses its nearest open site).

Before solving, the instance is reduced without changing the optimum: origins without demand,
origins no candidate can improve and candidates that improve no origin are removed; for MCLP,
origins with the same set of covering candidates are merged (their demand is summed). This
makes the Aachen-sized MCLP (≈2,500 cells × ≈300 candidates) solve in a few seconds.

The p-median integer program grows with origins × candidates and CBC needs minutes beyond some
ten thousand pairs; above :data:`PMEDIAN_EXACT_MAX_PAIRS` (after reduction) the p-median is
solved by the classic vertex-substitution heuristic of Teitz & Bart (1968) on numpy arrays
(greedy start and ten random starts, each improved by best swaps until no swap improves; the best
local optimum wins), and the result says so (``verfahren``).

Every result reports, for the chosen sites in greedy order, the population newly covered by each
(its marginal gain given the existing offers and the sites ranked before it) and the totals.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from layers.errors import AnalysisError

PMEDIAN_EXACT_MAX_PAIRS = 20_000
DEFAULT_TIME_LIMIT_S = 60.0


@dataclass(frozen=True)
class SiteSuggestion:
    """The answer of a location model.

    Attributes
    ----------
    modell
        ``"MCLP"`` or ``"p-Median"``.
    verfahren
        How it was solved, in German (e.g. ``"spopt MCLP mit CBC, optimal"``).
    optimal
        Whether the solution is proven optimal.
    standorte
        One row per chosen site in greedy order: ``rang``, ``kandidat_id``, ``neu_versorgt``
        (demand newly within the time limit thanks to this site, given the existing offers and
        the sites ranked before it), ``versorgt_kumuliert``, ``mittlere_minuten`` (demand-weighted
        mean time to the nearest open site after adding this one; unreachable origins count with
        ``minuten_unerreichbar``).
    nachfrage_gesamt
        Total demand (e.g. inhabitants) of all origins.
    versorgt_vorher, versorgt_nachher
        Demand within the time limit of an existing offer, and of an existing or new one.
    mittlere_minuten_vorher, mittlere_minuten_nachher
        Demand-weighted mean travel time to the nearest open site, before and after.
    max_minuten
        The time limit.
    minuten_unerreichbar
        Travel time counted for origins that reach no open site (p-median objective and means).
    sekunden
        Wall time of the whole suggestion.
    hinweise
        German remarks (e.g. fewer useful candidates than k).
    """

    modell: str
    verfahren: str
    optimal: bool
    standorte: pd.DataFrame
    nachfrage_gesamt: float
    versorgt_vorher: float
    versorgt_nachher: float
    mittlere_minuten_vorher: float
    mittlere_minuten_nachher: float
    max_minuten: float
    minuten_unerreichbar: float
    sekunden: float
    hinweise: list[str] = field(default_factory=list)

    @property
    def neu_versorgt(self) -> float:
        """Demand newly covered by all suggested sites together."""
        return self.versorgt_nachher - self.versorgt_vorher

    @property
    def kandidat_ids(self) -> list[object]:
        """The chosen candidates in greedy order."""
        return list(self.standorte["kandidat_id"])


# --------------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------------


def dense_minutes(matrix: Any) -> np.ndarray:
    """Dense minutes from a sparse "reachable within a cutoff" matrix (``inf`` where not stored).

    A stored entry is a travel time, which may be an explicit 0 (origin at the site), so the
    conversion goes through the stored coordinates, never through ``toarray()``.

    Parameters
    ----------
    matrix
        A ``scipy.sparse`` matrix or array (origins × sites).

    Returns
    -------
    numpy.ndarray
    """
    coo = matrix.tocoo()
    dense = np.full(coo.shape, np.inf)
    # Duplicates (summed by scipy elsewhere) must not occur in a travel-time matrix; keep the min.
    np.minimum.at(dense, (coo.row, coo.col), coo.data.astype(float))
    return dense


def _matrix(
    cost: Any, candidate_ids: Sequence[object] | None
) -> tuple[np.ndarray, list[object]]:
    ids: list[object]
    if hasattr(cost, "tocoo") and not isinstance(cost, (np.ndarray, pd.DataFrame)):
        values = dense_minutes(cost)
        ids = list(range(values.shape[1])) if candidate_ids is None else list(candidate_ids)
    elif isinstance(cost, pd.DataFrame):
        ids = list(cost.columns) if candidate_ids is None else list(candidate_ids)
        values = cost.to_numpy(dtype=float)
    else:
        values = np.asarray(cost, dtype=float)
        ids = list(range(values.shape[1])) if candidate_ids is None else list(candidate_ids)
    if values.ndim != 2:
        raise AnalysisError(
            "Die Reisezeitmatrix muss zweidimensional sein (Nachfrageorte × Kandidaten).",
            hinweis="Übergeben Sie eine Matrix mit einer Zeile je Rasterzelle und einer Spalte je "
            "Kandidat.",
        )
    if len(ids) != values.shape[1]:
        raise AnalysisError(
            f"Es gibt {values.shape[1]} Kandidatenspalten, aber {len(ids)} Kandidatennamen.",
            hinweis="Geben Sie für jede Spalte der Matrix genau eine Kandidaten-ID an.",
        )
    if np.isnan(values).any():
        raise AnalysisError(
            "Die Reisezeitmatrix enthält leere Werte (NaN).",
            hinweis="Tragen Sie für nicht erreichbare Paare 'inf' (unendlich) ein, nicht NaN.",
        )
    if (values < 0).any():
        raise AnalysisError(
            "Die Reisezeitmatrix enthält negative Minuten.",
            hinweis="Reisezeiten müssen ≥ 0 sein.",
        )
    return values, ids


def _weights(weights: np.ndarray | pd.Series, n: int) -> np.ndarray:
    values = np.asarray(pd.to_numeric(pd.Series(np.asarray(weights)), errors="coerce"), dtype=float)
    if values.shape != (n,):
        raise AnalysisError(
            f"Es gibt {n} Nachfrageorte, aber {values.size} Gewichte.",
            hinweis="Geben Sie je Zeile der Reisezeitmatrix genau eine Einwohnerzahl an.",
        )
    if np.isnan(values).any() or (values < 0).any():
        raise AnalysisError(
            "Die Gewichte (Einwohnerzahlen) müssen Zahlen ≥ 0 sein.",
            hinweis="Prüfen Sie die Bevölkerungsdaten auf leere oder negative Werte.",
        )
    return values


def _existing(existing_cost: np.ndarray | pd.Series | None, n: int) -> np.ndarray:
    """Time from every origin to its nearest existing offer (inf if none)."""
    if existing_cost is None:
        return np.full(n, np.inf)
    values = np.asarray(existing_cost, dtype=float)
    if values.ndim == 2:
        if values.shape[0] != n:
            raise AnalysisError(
                f"Die Matrix der bestehenden Angebote hat {values.shape[0]} Zeilen statt {n}.",
                hinweis="Verwenden Sie dieselben Nachfrageorte in derselben Reihenfolge.",
            )
        values = values.min(axis=1) if values.shape[1] else np.full(n, np.inf)
    if values.shape != (n,):
        raise AnalysisError(
            f"Es gibt {n} Nachfrageorte, aber {values.size} Reisezeiten zum bestehenden Angebot.",
            hinweis="Verwenden Sie dieselben Nachfrageorte in derselben Reihenfolge.",
        )
    values = np.where(np.isnan(values), np.inf, values)
    if (values < 0).any():
        raise AnalysisError(
            "Die Reisezeiten zum bestehenden Angebot enthalten negative Minuten.",
            hinweis="Reisezeiten müssen ≥ 0 sein.",
        )
    return values


def _check_k(k: int, n_candidates: int) -> None:
    if int(k) != k or k < 1:
        raise AnalysisError(
            f"Die Zahl der neuen Standorte muss eine ganze Zahl ≥ 1 sein (angegeben: {k}).",
            hinweis="Geben Sie z. B. 3 an.",
        )
    if n_candidates == 0:
        raise AnalysisError(
            "Es gibt keine Kandidatenstandorte.",
            hinweis="Wählen Sie Kandidaten aus öffentlichen Gebäuden oder laden Sie eine Liste.",
        )


def _check_minutes(max_minutes: float) -> None:
    if not (np.isfinite(max_minutes) and max_minutes > 0):
        raise AnalysisError(
            f"Die Zeitgrenze muss größer als 0 Minuten sein (angegeben: {max_minutes}).",
            hinweis="Geben Sie eine Zeitgrenze wie 15 (Minuten) an.",
        )


def _solver(time_limit_s: float) -> object:
    import pulp

    return pulp.PULP_CBC_CMD(msg=False, timeLimit=max(1, int(np.ceil(time_limit_s))))


def _solution_state(problem: object) -> tuple[bool, str]:
    import pulp

    status = int(getattr(problem, "status", 0))
    sol_status = int(getattr(problem, "sol_status", status))
    if status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal:
        return True, "optimal"
    if sol_status == pulp.LpSolutionIntegerFeasible or status == pulp.LpStatusOptimal:
        return False, "Zeitlimit erreicht, beste gefundene Lösung (nicht bewiesen optimal)"
    raise AnalysisError(
        f"Der Optimierer hat keine Lösung gefunden (Status {pulp.LpStatus.get(status, status)}).",
        hinweis="Erhöhen Sie das Zeitlimit oder verringern Sie die Zahl der Kandidaten.",
    )


# --------------------------------------------------------------------------------------------
# Reporting: greedy order and marginal gains
# --------------------------------------------------------------------------------------------


def _weighted_mean_minutes(best: np.ndarray, weights: np.ndarray, unreachable: float) -> float:
    total = weights.sum()
    if total <= 0:
        return float("nan")
    return float((weights * np.where(np.isfinite(best), best, unreachable)).sum() / total)


def coverage_gains(
    cost: np.ndarray,
    weights: np.ndarray,
    chosen: Sequence[int],
    *,
    max_minutes: float,
    existing_best: np.ndarray,
    candidate_ids: Sequence[object],
    unreachable_minutes: float,
) -> pd.DataFrame:
    """Order chosen sites greedily by the demand each newly brings within the time limit.

    Parameters
    ----------
    cost
        Minutes, origins × candidates.
    weights
        Demand per origin.
    chosen
        Column positions of the chosen candidates.
    max_minutes
        Time limit.
    existing_best
        Minutes from every origin to its nearest existing offer (inf if none).
    candidate_ids
        Ids of all candidates (columns).
    unreachable_minutes
        Minutes counted for an origin that reaches no open site in the mean.

    Returns
    -------
    pandas.DataFrame
        ``rang``, ``kandidat_id``, ``neu_versorgt``, ``versorgt_kumuliert``, ``mittlere_minuten``.
        Ties (equal gains) keep the order of ``chosen``.
    """
    def capped(values: np.ndarray) -> np.ndarray:
        return np.where(np.isfinite(values), values, unreachable_minutes)

    covered = existing_best <= max_minutes
    best = existing_best.copy()
    remaining = list(chosen)
    rows = []
    cumulative = float(weights[covered].sum())
    rank = 0
    while remaining:
        gains = [float(weights[~covered & (cost[:, j] <= max_minutes)].sum()) for j in remaining]
        if max(gains) > 0:
            pick = int(np.argmax(gains))  # first maximum: stable for ties
        else:
            # No further coverage gain: rank the rest by their reduction of travel time.
            totals = [
                float(
                    (weights * np.minimum(capped(best), capped(cost[:, j]))).sum()
                )
                for j in remaining
            ]
            pick = int(np.argmin(totals))
        j = remaining.pop(pick)
        gain = float(weights[~covered & (cost[:, j] <= max_minutes)].sum())
        covered |= cost[:, j] <= max_minutes
        best = np.minimum(best, cost[:, j])
        cumulative += gain
        rank += 1
        rows.append(
            {
                "rang": rank,
                "kandidat_id": candidate_ids[j],
                "neu_versorgt": gain,
                "versorgt_kumuliert": cumulative,
                "mittlere_minuten": _weighted_mean_minutes(best, weights, unreachable_minutes),
            }
        )
    return pd.DataFrame(
        rows, columns=["rang", "kandidat_id", "neu_versorgt", "versorgt_kumuliert", "mittlere_minuten"]
    )


def _unreachable_minutes(cost: np.ndarray, existing_best: np.ndarray, given: float | None) -> float:
    if given is not None:
        if not (np.isfinite(given) and given > 0):
            raise AnalysisError(
                f"Die Ersatzzeit für unerreichbare Orte muss > 0 sein (angegeben: {given}).",
                hinweis="Lassen Sie den Wert leer, dann gilt das Doppelte der längsten Reisezeit.",
            )
        return float(given)
    finite = np.concatenate([cost[np.isfinite(cost)], existing_best[np.isfinite(existing_best)]])
    return float(2.0 * finite.max()) if finite.size else 1.0


def _result(
    modell: str,
    verfahren: str,
    optimal: bool,
    cost: np.ndarray,
    weights: np.ndarray,
    chosen: Sequence[int],
    existing_best: np.ndarray,
    candidate_ids: Sequence[object],
    max_minutes: float,
    unreachable: float,
    started: float,
    notes: list[str],
) -> SiteSuggestion:
    table = coverage_gains(
        cost,
        weights,
        chosen,
        max_minutes=max_minutes,
        existing_best=existing_best,
        candidate_ids=candidate_ids,
        unreachable_minutes=unreachable,
    )
    best_after = existing_best.copy()
    for j in chosen:
        best_after = np.minimum(best_after, cost[:, j])
    return SiteSuggestion(
        modell=modell,
        verfahren=verfahren,
        optimal=optimal,
        standorte=table,
        nachfrage_gesamt=float(weights.sum()),
        versorgt_vorher=float(weights[existing_best <= max_minutes].sum()),
        versorgt_nachher=float(weights[best_after <= max_minutes].sum()),
        mittlere_minuten_vorher=_weighted_mean_minutes(existing_best, weights, unreachable),
        mittlere_minuten_nachher=_weighted_mean_minutes(best_after, weights, unreachable),
        max_minuten=float(max_minutes),
        minuten_unerreichbar=unreachable,
        sekunden=time.perf_counter() - started,
        hinweise=notes,
    )


# --------------------------------------------------------------------------------------------
# Maximal covering
# --------------------------------------------------------------------------------------------


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
) -> SiteSuggestion:
    """k additional sites that bring the most demand within the time limit (spopt MCLP).

    Parameters
    ----------
    cost
        Travel minutes, origins (rows) × candidate sites (columns); ``inf`` where unreachable.
        A DataFrame's columns are the candidate ids. A ``scipy.sparse`` matrix counts its stored
        entries as travel times and everything else as unreachable (:func:`dense_minutes`).
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

    Returns
    -------
    SiteSuggestion

    Raises
    ------
    AnalysisError
        On inconsistent inputs (shapes, NaN, negative values, k < 1, no candidates).
    """
    started = time.perf_counter()
    matrix, ids = _matrix(cost, candidate_ids)
    n, m = matrix.shape
    demand = _weights(weights, n)
    existing_best = _existing(existing_cost, n)
    _check_k(k, m)
    _check_minutes(max_minutes)
    unreachable = _unreachable_minutes(matrix, existing_best, None)
    notes: list[str] = []

    covers = matrix <= max_minutes
    open_rows = (demand > 0) & (existing_best > max_minutes) & covers.any(axis=1)
    useful_cols = np.flatnonzero(covers[open_rows].any(axis=0))
    if len(useful_cols) <= k:
        chosen = [int(j) for j in useful_cols]
        if len(chosen) < k:
            notes.append(
                f"Nur {len(chosen)} Kandidaten erreichen noch unversorgte Menschen innerhalb von "
                f"{max_minutes:g} Minuten; mehr Standorte würden niemanden zusätzlich versorgen."
            )
        return _result(
            "MCLP", "alle nützlichen Kandidaten gewählt (kein Optimierungsbedarf)", True, matrix,
            demand, chosen, existing_best, ids, max_minutes, unreachable, started, notes,
        )

    reduced = covers[np.ix_(open_rows, useful_cols)]
    # Origins with the same covering candidates are one demand point for the model.
    packed = np.packbits(reduced, axis=1)
    _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    merged_weights = np.bincount(inverse.ravel(), weights=demand[open_rows])
    merged_cover = reduced[first]

    with warnings.catch_warnings():
        # PuLP 3.x announces API changes for PuLP 4 that spopt 0.7 still uses (pulp is pinned <4).
        warnings.simplefilter("ignore", category=DeprecationWarning)
        model = sparse_mclp_model(merged_cover, merged_weights, int(k))
        model.problem.solve(_solver(time_limit_s))
    optimal, state = _solution_state(model.problem)
    chosen = [
        int(useful_cols[j]) for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5
    ]
    verfahren = (
        f"spopt MCLP mit CBC, {state} ({len(merged_weights)} Nachfragegruppen × "
        f"{len(useful_cols)} Kandidaten nach exakter Reduktion)"
    )
    return _result(
        "MCLP", verfahren, optimal, matrix, demand, chosen, existing_best, ids, max_minutes,
        unreachable, started, notes,
    )


def greedy_covering(
    cost: np.ndarray,
    weights: np.ndarray,
    *,
    max_minutes: float,
    k: int,
    existing_cost: np.ndarray | None = None,
) -> list[int]:
    """Greedy baseline for the MCLP: add the site with the largest gain, k times.

    The greedy solution covers at least ``1 − 1/e`` (63 %) of the optimum; it is the baseline
    of ``benchmarks/location.py``, not a substitute for :func:`maximal_covering`.
    """
    matrix = np.asarray(cost, dtype=float)
    demand = np.asarray(weights, dtype=float)
    covered = _existing(existing_cost, matrix.shape[0]) <= max_minutes
    covers = matrix <= max_minutes
    chosen: list[int] = []
    for _ in range(int(k)):
        gains = (demand * ~covered) @ covers
        if chosen:
            gains[chosen] = -1.0
        j = int(np.argmax(gains))
        chosen.append(j)
        covered |= covers[:, j]
    return chosen


# --------------------------------------------------------------------------------------------
# p-median
# --------------------------------------------------------------------------------------------


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
    greedy: list[int] = []
    best = base.copy()
    for _ in range(k):
        totals = weights @ np.minimum(cost, best[:, None])
        if greedy:
            totals[greedy] = np.inf
        j = int(np.argmin(totals))
        greedy.append(j)
        best = np.minimum(best, cost[:, j])
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
    """k additional sites minimising the demand-weighted travel time (spopt PMedian).

    Parameters
    ----------
    cost, weights, existing_cost, candidate_ids, time_limit_s
        As in :func:`maximal_covering`.
    k
        Number of additional sites.
    max_minutes
        Time limit, used only to report the newly covered demand per site.
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
    if method not in ("auto", "spopt", "heuristik"):
        raise AnalysisError(
            f"Das Lösungsverfahren '{method}' ist unbekannt.",
            hinweis="Erlaubt sind 'auto', 'spopt' und 'heuristik'.",
        )
    matrix, ids = _matrix(cost, candidate_ids)
    n, m = matrix.shape
    demand = _weights(weights, n)
    existing_best = _existing(existing_cost, n)
    _check_k(k, m)
    _check_minutes(max_minutes)
    unreachable = _unreachable_minutes(matrix, existing_best, unreachable_minutes)
    notes: list[str] = []

    finite_cost = np.where(np.isfinite(matrix), matrix, unreachable)
    base = np.where(np.isfinite(existing_best), existing_best, unreachable)
    improvable = (finite_cost < base[:, None]).any(axis=1)
    rows = (demand > 0) & improvable
    useful_cols = np.flatnonzero((finite_cost[rows] < base[rows, None]).any(axis=0))
    if len(useful_cols) <= k:
        chosen = [int(j) for j in useful_cols]
        if len(chosen) < k:
            notes.append(
                f"Nur {len(chosen)} Kandidaten verkürzen überhaupt einen Weg; mehr Standorte "
                "würden nichts verbessern."
            )
        return _result(
            "p-Median", "alle nützlichen Kandidaten gewählt (kein Optimierungsbedarf)", True,
            matrix, demand, chosen, existing_best, ids, max_minutes, unreachable, started, notes,
        )
    sub_cost = finite_cost[np.ix_(rows, useful_cols)]
    sub_weights = demand[rows]
    sub_base = base[rows]
    has_existing = bool(np.isfinite(existing_best).any())
    pairs = sub_cost.shape[0] * (sub_cost.shape[1] + int(has_existing))
    exact = method == "spopt" or (method == "auto" and pairs <= PMEDIAN_EXACT_MAX_PAIRS)

    if exact:
        from spopt.locate import PMedian

        model_cost = sub_cost
        predefined = None
        p_total = int(k)
        if has_existing:
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
            model.problem.solve(_solver(time_limit_s))
        optimal, state = _solution_state(model.problem)
        picked = [
            j for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5 and j < len(useful_cols)
        ]
        verfahren = (
            f"spopt PMedian mit CBC, {state} ({sub_cost.shape[0]} Nachfrageorte × "
            f"{len(useful_cols)} Kandidaten nach exakter Reduktion)"
        )
    else:
        picked = vertex_substitution(sub_cost, sub_weights, sub_base, int(k))
        optimal = False
        verfahren = (
            f"Austauschheuristik nach Teitz & Bart ({sub_cost.shape[0]} Nachfrageorte × "
            f"{len(useful_cols)} Kandidaten; für das exakte spopt-Modell zu groß, "
            f"Grenze {PMEDIAN_EXACT_MAX_PAIRS:,} Paare)".replace(",", ".")
        )
        notes.append(
            "Die p-Median-Lösung ist heuristisch (bestes lokales Optimum aus 11 Starts: kein "
            "einzelner Tausch verbessert sie); die Abdeckungsfrage beantwortet das exakte MCLP."
        )
    chosen = [int(useful_cols[j]) for j in picked]
    return _result(
        "p-Median", verfahren, optimal, matrix, demand, chosen, existing_best, ids, max_minutes,
        unreachable, started, notes,
    )


def total_weighted_minutes(
    cost: np.ndarray,
    weights: np.ndarray,
    chosen: Sequence[int],
    *,
    existing_cost: np.ndarray | None = None,
    unreachable_minutes: float,
) -> float:
    """p-median objective of a set of chosen sites (for tests and benchmarks)."""
    matrix = np.where(np.isfinite(cost), cost, unreachable_minutes)
    base = _existing(existing_cost, matrix.shape[0])
    base = np.where(np.isfinite(base), base, unreachable_minutes)
    return _objective(matrix, np.asarray(weights, dtype=float), base, chosen)
