"""Greedy baseline for the maximal covering problem (the baseline of ``benchmarks/location.py``)."""

from __future__ import annotations

import numpy as np

from analyses.location.inputs import existing_minutes

__all__ = ["greedy_covering"]


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
    of ``benchmarks/location.py``, not a substitute for
    :func:`~analyses.location.mclp.maximal_covering`.

    Parameters
    ----------
    cost
        Minutes, origins × candidates.
    weights
        Demand per origin.
    max_minutes
        Time limit of coverage.
    k
        Number of sites.
    existing_cost
        Minutes to the existing offers (as in :func:`~analyses.location.mclp.maximal_covering`).

    Returns
    -------
    list of int
        Column positions of the chosen candidates, in the order they were added.
    """
    matrix = np.asarray(cost, dtype=float)
    demand = np.asarray(weights, dtype=float)
    covered = existing_minutes(existing_cost, matrix.shape[0]) <= max_minutes
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
