"""The compiled kernels of :mod:`analyses.network.contraction` (numba, no Python objects).

Contraction (:func:`contract_batched`, :func:`contract_in_order`) and the PHAST queries
(:func:`phast`, :func:`phast_groups`, the origins' better edge end :func:`better_end`) run in numba's nopython mode on plain arrays: a 4-ary
heap in two arrays (:mod:`.heap`), witness searches and priorities (:mod:`.contracting`), the
remaining graph as runs in a growing pool (:mod:`.ordered`), the query state by rank
(:mod:`.queries`). :mod:`analyses.network.contraction` prepares the arrays and wraps the results;
nothing here is meant to be called from elsewhere.

The kernels are compiled on first use and kept in numba's on-disk cache (``__pycache__``).
Their parameters are annotated for mypy only (numba compiles for the types it is called with).
"""

from analyses.network.kernels.ordered import contract_batched, contract_in_order
from analyses.network.kernels.queries import better_end, phast, phast_groups

__all__ = ["better_end", "contract_batched", "contract_in_order", "phast", "phast_groups"]
