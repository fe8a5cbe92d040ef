"""The compiled kernels of :mod:`analyses.network.contraction` (numba, no Python objects).

Contraction (:func:`contract`) and the PHAST queries (:func:`phast`, :func:`phast_groups`) run
in numba's nopython mode on plain arrays: a binary heap in two arrays (:mod:`.heap`), the
remaining graph as runs in a growing pool (:mod:`.contracting`), the query state by rank
(:mod:`.queries`). :mod:`analyses.network.contraction` prepares the arrays and wraps the results;
nothing here is meant to be called from elsewhere.

The kernels are compiled on first use and kept in numba's on-disk cache (``__pycache__``).
Their parameters are annotated for mypy only (numba compiles for the types it is called with).
"""

from analyses.network.kernels.contracting import contract
from analyses.network.kernels.queries import phast, phast_groups

__all__ = ["contract", "phast", "phast_groups"]
