"""The answer of a location model: :class:`SiteSuggestion`, with the chosen sites in greedy order.

Every model reports, for the chosen sites in greedy order, the demand newly covered by each
(its marginal gain given the existing offers and the sites ranked before it) and the totals
(:func:`coverage_gains`, :func:`suggestion`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analyses.location.inputs import Instance

__all__ = ["ALL_USEFUL", "SiteSuggestion", "coverage_gains", "suggestion", "weighted_mean_minutes"]

# ``verfahren`` when there are at most k useful candidates: all are chosen, nothing to optimise.
ALL_USEFUL = "alle nützlichen Kandidaten gewählt (kein Optimierungsbedarf)"

_COLUMNS = ["rang", "kandidat_id", "neu_versorgt", "versorgt_kumuliert", "mittlere_minuten"]


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


def weighted_mean_minutes(best: np.ndarray, weights: np.ndarray, unreachable: float) -> float:
    """Demand-weighted mean of the minutes (``unreachable`` where infinite; NaN without demand)."""
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
    covered = existing_best <= max_minutes
    best = existing_best.copy()
    remaining = list(chosen)
    rows: list[dict[str, object]] = []
    cumulative = float(weights[covered].sum())
    while remaining:
        j = remaining.pop(
            _next_site(cost, weights, remaining, covered, best, max_minutes, unreachable_minutes)
        )
        gain = float(weights[~covered & (cost[:, j] <= max_minutes)].sum())
        covered |= cost[:, j] <= max_minutes
        best = np.minimum(best, cost[:, j])
        cumulative += gain
        rows.append(
            {
                "rang": len(rows) + 1,
                "kandidat_id": candidate_ids[j],
                "neu_versorgt": gain,
                "versorgt_kumuliert": cumulative,
                "mittlere_minuten": weighted_mean_minutes(best, weights, unreachable_minutes),
            }
        )
    return pd.DataFrame(rows, columns=_COLUMNS)


def _next_site(
    cost: np.ndarray,
    weights: np.ndarray,
    remaining: list[int],
    covered: np.ndarray,
    best: np.ndarray,
    max_minutes: float,
    unreachable_minutes: float,
) -> int:
    """Position in ``remaining`` of the site with the largest coverage gain (first on ties).

    Without any further coverage gain: the site that lowers the demand-weighted travel time
    most.
    """

    def capped(values: np.ndarray) -> np.ndarray:
        return np.where(np.isfinite(values), values, unreachable_minutes)

    gains = [float(weights[~covered & (cost[:, j] <= max_minutes)].sum()) for j in remaining]
    if max(gains) > 0:
        return int(np.argmax(gains))  # first maximum: stable for ties
    totals = [
        float((weights * np.minimum(capped(best), capped(cost[:, j]))).sum()) for j in remaining
    ]
    return int(np.argmin(totals))


def suggestion(
    problem: Instance, modell: str, verfahren: str, optimal: bool, chosen: Sequence[int]
) -> SiteSuggestion:
    """Return the :class:`SiteSuggestion` of the chosen candidates (column positions) for a question."""
    cost, weights, existing_best = problem.matrix, problem.demand, problem.existing_best
    max_minutes, unreachable = problem.max_minutes, problem.unreachable
    table = coverage_gains(
        cost,
        weights,
        chosen,
        max_minutes=max_minutes,
        existing_best=existing_best,
        candidate_ids=problem.ids,
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
        mittlere_minuten_vorher=weighted_mean_minutes(existing_best, weights, unreachable),
        mittlere_minuten_nachher=weighted_mean_minutes(best_after, weights, unreachable),
        max_minuten=float(max_minutes),
        minuten_unerreichbar=unreachable,
        sekunden=time.perf_counter() - problem.started,
        hinweise=problem.notes,
    )
