"""Inputs of the location models: travel-time matrix, demand, existing offers, k, time limit.

Everything is checked once here and turned into dense float arrays; :class:`Instance` carries
the checked inputs of one question to the models in :mod:`analyses.location.mclp` and
:mod:`analyses.location.pmedian`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from layers.errors import AnalysisError

__all__ = [
    "Instance",
    "cost_matrix",
    "demand_weights",
    "dense_minutes",
    "existing_minutes",
    "instance",
    "unreachable_minutes",
]


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


def cost_matrix(
    cost: Any, candidate_ids: Sequence[object] | None
) -> tuple[np.ndarray, list[object]]:
    """Return the travel minutes as a dense float matrix and the candidate ids of its columns.

    Parameters
    ----------
    cost
        Dense array, DataFrame (columns = candidate ids) or ``scipy.sparse`` matrix (stored
        entries = travel times, the rest unreachable).
    candidate_ids
        Ids of the columns (default: the DataFrame's columns or 0..m-1).

    Raises
    ------
    AnalysisError
        Not two-dimensional, ids not matching the columns, NaN or negative minutes.
    """
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


def demand_weights(weights: np.ndarray | pd.Series, n: int) -> np.ndarray:
    """Return the demand per origin as floats ≥ 0 (one per matrix row).

    Raises
    ------
    AnalysisError
        Wrong number of weights, empty or negative values.
    """
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


def existing_minutes(existing_cost: np.ndarray | pd.Series | None, n: int) -> np.ndarray:
    """Time from every origin to its nearest existing offer (inf if none).

    Parameters
    ----------
    existing_cost
        Minutes to the nearest existing offer (1-D) or to each one (2-D); None if none.
    n
        Number of origins.

    Raises
    ------
    AnalysisError
        Wrong shape or negative minutes.
    """
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


def unreachable_minutes(cost: np.ndarray, existing_best: np.ndarray, given: float | None) -> float:
    """Minutes counted for an origin without a route: ``given``, else twice the longest time.

    Raises
    ------
    AnalysisError
        If ``given`` is not a number > 0.
    """
    if given is not None:
        if not (np.isfinite(given) and given > 0):
            raise AnalysisError(
                f"Die Ersatzzeit für unerreichbare Orte muss > 0 sein (angegeben: {given}).",
                hinweis="Lassen Sie den Wert leer, dann gilt das Doppelte der längsten Reisezeit.",
            )
        return float(given)
    finite = np.concatenate([cost[np.isfinite(cost)], existing_best[np.isfinite(existing_best)]])
    return float(2.0 * finite.max()) if finite.size else 1.0


@dataclass
class Instance:
    """The checked inputs of one location question.

    Attributes
    ----------
    matrix
        Minutes, origins × candidates (``inf`` where unreachable).
    ids
        Candidate id per column.
    demand
        Demand per origin.
    existing_best
        Minutes to the nearest existing offer per origin (``inf`` if none).
    max_minutes
        The time limit of coverage.
    unreachable
        Minutes counted for an origin that reaches no open site.
    started
        ``time.perf_counter()`` when the question was asked (for the reported wall time).
    notes
        German remarks collected on the way.
    """

    matrix: np.ndarray
    ids: list[object]
    demand: np.ndarray
    existing_best: np.ndarray
    max_minutes: float
    unreachable: float
    started: float
    notes: list[str] = field(default_factory=list)


def instance(
    cost: Any,
    weights: np.ndarray | pd.Series,
    *,
    k: int,
    max_minutes: float,
    existing_cost: np.ndarray | pd.Series | None,
    candidate_ids: Sequence[object] | None,
    unreachable: float | None = None,
    started: float | None = None,
) -> Instance:
    """Check and convert the inputs of the location models.

    The parameters are those of :func:`~analyses.location.maximal_covering` and
    :func:`~analyses.location.p_median` (``unreachable`` = their ``unreachable_minutes``).

    Raises
    ------
    AnalysisError
        On inconsistent inputs (shapes, NaN, negative values, k < 1, no candidates).
    """
    started = time.perf_counter() if started is None else started
    matrix, ids = cost_matrix(cost, candidate_ids)
    n, m = matrix.shape
    demand = demand_weights(weights, n)
    existing_best = existing_minutes(existing_cost, n)
    _check_k(k, m)
    _check_minutes(max_minutes)
    return Instance(
        matrix=matrix,
        ids=ids,
        demand=demand,
        existing_best=existing_best,
        max_minutes=max_minutes,
        unreachable=unreachable_minutes(matrix, existing_best, unreachable),
        started=started,
    )
