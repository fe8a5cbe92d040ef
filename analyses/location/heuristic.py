"""MCLP without an integer program where it is not needed: greedy, swaps, and a proof by LP bound.

A location suggestion in a new process spent most of its time importing spopt and PuLP (5–9 s)
for an instance CBC then solves in well under a second. :func:`covering_by_bound` first solves
the reduced MCLP heuristically – the greedy choice, improved by the best exchange of one chosen
site against one other until no exchange gains (a local optimum) – and then computes an upper
bound of the optimum, the LP relaxation of the same model (``max Σ wᵢ yᵢ`` subject to
``yᵢ ≤ Σ_{j covers i} xⱼ``, ``Σ xⱼ = k``, ``0 ≤ x, y ≤ 1``) with scipy's HiGHS. If the heuristic
reaches the bound, it is optimal and proven so; otherwise the caller solves the integer
program. On the Aachen instances the bound is reached (the LP relaxation of a covering model
with merged demand groups is mostly integral), so no MILP solver is imported at all.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BOUND_TOLERANCE", "covering_by_bound", "greedy_swap", "lp_bound"]

# Relative tolerance for "the heuristic reaches the LP bound" (HiGHS' own feasibility tolerance
# is 1e-7; demand values are inhabitants).
BOUND_TOLERANCE = 1e-7


def _value(covers: np.ndarray, weights: np.ndarray, chosen: list[int]) -> float:
    return float(weights[covers[:, chosen].any(axis=1)].sum()) if chosen else 0.0


def greedy_swap(covers: np.ndarray, weights: np.ndarray, k: int) -> tuple[list[int], float]:
    """Greedy choice of k columns, then best single exchanges until none gains.

    Parameters
    ----------
    covers
        Boolean, demand groups × candidates.
    weights
        Demand per group.
    k
        Number of sites (≤ number of candidates).

    Returns
    -------
    chosen, value
        Column positions and the covered demand.
    """
    cover_f = covers.astype(np.float64)
    covered = np.zeros(covers.shape[0], dtype=bool)
    chosen: list[int] = []
    for _ in range(k):
        gains = (weights * ~covered) @ cover_f
        gains[chosen] = -1.0
        j = int(np.argmax(gains))
        chosen.append(j)
        covered |= covers[:, j]
    best = _value(covers, weights, chosen)
    improved = True
    while improved:
        improved = False
        for position in range(k):
            rest = chosen[:position] + chosen[position + 1:]
            others = covers[:, rest].any(axis=1) if rest else np.zeros(covers.shape[0], bool)
            gains = (weights * ~others) @ cover_f  # value of rest + j, minus the value of rest
            gains[rest] = -1.0
            j = int(np.argmax(gains))
            value = float(weights[others].sum() + gains[j])
            if value > best * (1 + 1e-12) + 1e-12 and j != chosen[position]:
                chosen[position] = j
                best = value
                improved = True
    return chosen, best


def lp_bound(covers: np.ndarray, weights: np.ndarray, k: int) -> float | None:
    """The optimum of the LP relaxation (an upper bound of the MCLP), or None if HiGHS fails."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_array, hstack, vstack

    n, m = covers.shape
    rows, cols = np.nonzero(covers)
    # variables [x (m), y (n)]; yᵢ − Σ_{j covers i} xⱼ ≤ 0
    a_cover = hstack([
        coo_array((-np.ones(len(rows)), (rows, cols)), shape=(n, m)),
        coo_array((np.ones(n), (np.arange(n), np.arange(n))), shape=(n, n)),
    ])
    a_k = hstack([coo_array(np.ones((1, m))), coo_array((1, n))])
    result = linprog(
        np.concatenate([np.zeros(m), -np.asarray(weights, dtype=float)]),
        A_ub=a_cover.tocsr(), b_ub=np.zeros(n), A_eq=vstack([a_k]).tocsr(), b_eq=[float(k)],
        bounds=(0.0, 1.0), method="highs",
    )
    return float(-result.fun) if result.status == 0 else None


def covering_by_bound(
    covers: np.ndarray, weights: np.ndarray, k: int
) -> tuple[list[int], float, float | None, bool]:
    """Heuristic MCLP and whether the LP bound proves it optimal.

    Returns
    -------
    chosen, value, bound, proven
        The columns, their covered demand, the LP bound (None if not computed) and whether
        ``value`` reaches it.
    """
    chosen, value = greedy_swap(covers, weights, k)
    bound = lp_bound(covers, weights, k)
    proven = bound is not None and value >= bound - BOUND_TOLERANCE * max(1.0, abs(bound))
    return chosen, value, bound, proven
