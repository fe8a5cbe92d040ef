"""Which search answers a question: the hierarchy, a bounded Dijkstra, or scipy, by measured cost.

A one-to-all question ("every origin to its nearest service") can be answered three ways with
the same travel times:

* **hierarchy** – PHAST on the graph's contraction hierarchy (:mod:`analyses.network.contraction`):
  two linear sweeps and a Dijkstra on the small core; the fastest per search once the hierarchy
  exists (it is built by the policy of :func:`analyses.network.search.hierarchy_for`);
* **dijkstra** – a compiled multi-source Dijkstra on the graph itself
  (:func:`analyses.network.contraction.dijkstra_node_field`) that stops as soon as every node
  the question reads (the origins' edge ends) is settled, or at the question's time limit; no
  augmented copy of the matrix;
* **scipy** – ``scipy.sparse.csgraph.dijkstra(min_only=True)`` on the augmented matrix. Per
  settled node it is about 10 % slower than the compiled Dijkstra with its lazy-deletion heap
  (:data:`COMPILED_PER_SCIPY`, until both are measured on the graph), and it is the reference
  and the only way without numba (or with :data:`analyses.network.graph.USE_HIERARCHY` off).

:func:`choose` decides per question from what was measured on this graph (``graph.search_costs``:
moving averages of the seconds of PHAST, of the seconds per settled node of both Dijkstras, and
of the share of nodes a bounded Dijkstra settled). Searches with a time limit always take the
compiled Dijkstra: they settle few nodes, and scipy would first copy the whole matrix. A graph's
first question without a hierarchy runs scipy (numba is not even imported); the next one that
reads only some nodes runs the bounded Dijkstra once, to measure how early it stops.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from analyses.network.graph import NetworkGraph, contraction_module

if TYPE_CHECKING:
    from analyses.network.contraction import Hierarchy
    from analyses.network.snapping import SnappedPoints

__all__ = ["COMPILED_PER_SCIPY", "SMOOTHING", "choose", "compiled_field", "needed_nodes", "record", "record_scipy"]

# Weight of the newest measurement in the moving averages of ``graph.search_costs``.
SMOOTHING = 0.5
# Kernels run once in this process: the first call of a numba kernel loads its machine code from
# numba's cache (≈ 0.1–1 s), which is not the search's cost and is not recorded.
_WARM: set[str] = set()
# Seconds per settled node of the compiled Dijkstra ÷ scipy's, until both are measured on a
# graph. With its lazy-deletion heap (analyses.network.kernels.dijkstra) 0.6–0.95 on the Aachen
# network, interleaved, median of 150 rounds (load 9); the indexed heap before it took 1.1–1.2;
# the 4-ary heap with dead ends outside it since measured 0.61–0.67 (30 rounds, load 2–3); the
# prior stays conservative (on grids of millions of nodes scipy is the faster one).
COMPILED_PER_SCIPY = 0.9


def needed_nodes(graph: NetworkGraph, origins: SnappedPoints) -> np.ndarray:
    """Boolean mask of the nodes a nearest-point question reads: the origins' edge ends.

    Kept with the snapped origins (:meth:`SnappedPoints.end_mask`): a page asks many questions
    of the same origins. Read-only.
    """
    return origins.end_mask(graph.edge_u, graph.edge_v, graph.n_nodes)


def record(graph: NetworkGraph, name: str, value: float) -> None:
    """Fold one measurement into the graph's moving average ``search_costs[name]``."""
    costs = graph.search_costs
    old = costs.get(name)
    costs[name] = value if old is None else (1 - SMOOTHING) * old + SMOOTHING * value


def choose(graph: NetworkGraph, hierarchy_available: bool, bounded_by_needed: bool,
           limited: bool) -> str:
    """``"hierarchy"``, ``"dijkstra"`` or ``"scipy"``: the search expected to be cheapest.

    Parameters
    ----------
    graph
        The network (its ``search_costs`` are read).
    hierarchy_available
        Whether the graph's hierarchy may be used (unbounded searches only).
    bounded_by_needed
        Whether the caller reads only some nodes (the Dijkstra may stop early).
    limited
        Whether the search has a time limit (then always the compiled Dijkstra).
    """
    costs = graph.search_costs
    if limited:
        return "dijkstra"
    if (bounded_by_needed and "dijkstra_needed_share" not in costs
            and "scipy_s_per_node" in costs and not hierarchy_available):
        return "dijkstra"  # once, after scipy: measures how early a bounded search stops
    numba_rate = costs.get("dijkstra_s_per_node")
    scipy_rate = costs.get("scipy_s_per_node")
    if numba_rate is None and scipy_rate is not None:
        numba_rate = scipy_rate * COMPILED_PER_SCIPY
    if scipy_rate is None and numba_rate is not None:
        scipy_rate = numba_rate / COMPILED_PER_SCIPY
    share = costs.get("dijkstra_needed_share", 1.0) if bounded_by_needed else 1.0
    if numba_rate is None or scipy_rate is None:  # nothing measured yet
        # a graph's first question: scipy (numba, ≈ 1 s to import, only once it pays)
        return "hierarchy" if hierarchy_available else "scipy"
    dijkstra_s, scipy_s = (numba_rate * graph.n_nodes * share, scipy_rate * graph.n_nodes)
    if hierarchy_available:
        phast = costs.get("hierarchy_s")
        if phast is None or numba_rate is None or phast <= min(dijkstra_s, scipy_s):
            return "hierarchy"
    return "dijkstra" if bounded_by_needed and dijkstra_s < scipy_s else "scipy"


def compiled_field(
    graph: NetworkGraph,
    hierarchy: Hierarchy | None,
    nodes: np.ndarray,
    start: np.ndarray,
    label: np.ndarray,
    *,
    limit_seconds: float = np.inf,
    needed: np.ndarray | SnappedPoints | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Per node the time to the nearest entry and its label, by the cheapest compiled search.

    Parameters
    ----------
    graph
        The network (its ``search_costs`` are read and updated).
    hierarchy
        The graph's hierarchy if the caller may use it (unbounded searches only), else None.
    nodes, start, label
        The source entries (:func:`analyses.network.search.source_entries`).
    limit_seconds
        Time limit of the question (the hierarchy is not used with a limit).
    needed
        The nodes whose times the caller reads (a mask, or the origins: :func:`needed_nodes`,
        made only if the Dijkstra runs); it stops once they are settled, and the other nodes
        may then be reported as unreached.

    Returns
    -------
    (seconds, label) or None
        None if scipy is the cheaper search, or without numba (or with
        :data:`analyses.network.graph.USE_HIERARCHY` off): the caller then runs scipy
        (:func:`analyses.network.search.scipy_field`) and records its time with
        :func:`record_scipy`.
    """
    method = choose(graph, hierarchy is not None, needed is not None,
                    bool(np.isfinite(limit_seconds)))
    contraction = contraction_module() if method != "scipy" else None  # numba only if needed
    if contraction is None:
        return None
    started = time.perf_counter()
    if method == "hierarchy":
        seconds, source = contraction.node_field(hierarchy, nodes, start, label)
        if "hierarchy" in _WARM:
            record(graph, "hierarchy_s", time.perf_counter() - started)
        _WARM.add("hierarchy")
        return seconds, source
    mask = needed_nodes(graph, needed) if needed is not None and not isinstance(
        needed, np.ndarray) else needed
    seconds, source, settled = contraction.dijkstra_node_field(
        graph.matrix, nodes, start, label, needed=mask, limit_seconds=limit_seconds
    )
    elapsed = time.perf_counter() - started
    warm = "dijkstra" in _WARM
    _WARM.add("dijkstra")
    if settled and not np.isfinite(limit_seconds):
        if warm:
            record(graph, "dijkstra_s_per_node", elapsed / settled)
        if needed is not None:
            record(graph, "dijkstra_needed_share", settled / max(graph.n_nodes, 1))
    return seconds, source


def record_scipy(graph: NetworkGraph, seconds: float, settled: int) -> None:
    """Record a scipy search of ``seconds`` that settled ``settled`` nodes."""
    if settled:
        record(graph, "scipy_s_per_node", seconds / settled)
