"""Location suggestions: where should k additional offers go.

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

Modules: :mod:`~analyses.location.inputs` (checked inputs), :mod:`~analyses.location.mclp`,
:mod:`~analyses.location.pmedian`, :mod:`~analyses.location.greedy` (baseline),
:mod:`~analyses.location.heuristic` (MCLP by greedy and exchanges, proven by the LP bound),
:mod:`~analyses.location.result` (:class:`SiteSuggestion`, greedy order and gains),
:mod:`~analyses.location.solver` (CBC). Every public name is importable from the package.
"""

from analyses.location.greedy import greedy_covering
from analyses.location.heuristic import covering_by_bound, greedy_swap, lp_bound
from analyses.location.inputs import dense_minutes
from analyses.location.mclp import DEFAULT_TIME_LIMIT_S, maximal_covering, sparse_mclp_model
from analyses.location.pmedian import (
    PMEDIAN_EXACT_MAX_PAIRS,
    p_median,
    total_weighted_minutes,
    vertex_substitution,
)
from analyses.location.result import SiteSuggestion, coverage_gains

__all__ = [
    "DEFAULT_TIME_LIMIT_S",
    "PMEDIAN_EXACT_MAX_PAIRS",
    "SiteSuggestion",
    "coverage_gains",
    "covering_by_bound",
    "dense_minutes",
    "greedy_covering",
    "greedy_swap",
    "lp_bound",
    "maximal_covering",
    "p_median",
    "sparse_mclp_model",
    "total_weighted_minutes",
    "vertex_substitution",
]
