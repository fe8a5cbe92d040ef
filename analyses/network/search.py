"""Network travel times from origins to the nearest of a set of points, counts and matrices.

Everything here runs multi-source shortest paths on the CSR graph of :mod:`analyses.network.graph`:
every target point (a service, a stop, a candidate site) becomes a virtual node joined to the two
ends of the edge it was snapped to, with the partial travel times as weights, and **one**
``scipy.sparse.csgraph.dijkstra(..., min_only=True)`` run from all virtual nodes gives every
network node its travel time to the nearest target and which target that is. Origins then take
the better of their two edge ends (or the direct way along a shared edge). No loop over
facilities, no networkx.

Where a graph answers many such questions (every service type, filters, scenarios), the same
one-to-all search runs on the graph's contraction hierarchy instead (:mod:`analyses.network.contraction`,
PHAST: two linear sweeps and a Dijkstra on a small core; ≈ 10× faster per search on Aachen, same
distances). It is built once per graph when a call needs :data:`HIERARCHY_MIN_SEARCHES` searches
or the graph has served :data:`HIERARCHY_AFTER_SEARCHES`, and needs numba. Every other search
without predecessors (single questions before that, bounded searches of isochrones and
transit) runs a compiled Dijkstra on the graph itself that stops once the nodes a question reads
are settled; :mod:`analyses.network.choice` picks between the two by the costs measured on the
graph. Without numba, and for searches with predecessors (routes), scipy runs as described above.

Public functions (all importable from this module; their home in brackets)
--------------------------------------------------------------------------
:func:`nearest` – per origin, the travel time to the nearest point of an arbitrary point set.
:func:`source_field`, :func:`evaluate_origins` – the multi-source search and its origin step.
:func:`check_minutes`, :func:`snap_origins`, :func:`snap_targets` – the inputs
(:mod:`analyses.network.inputs`).
:func:`select_services` – services of a type and/or a filter (e.g. step-free EUTB);
:func:`nearest_service`, :func:`nearest_by_type` – the nearest service per origin
(:mod:`analyses.network.services`).
:func:`count_within` – per origin, how many points are reachable within *T* minutes;
:func:`travel_time_matrix` – sparse origins × sites matrix of travel times up to a cutoff
(:mod:`analyses.network.matrix`).
:func:`routes_to_nearest` – the edges of each origin's route to its nearest point
(:mod:`analyses.network.routes`).

:mod:`~analyses.network.services`, :mod:`~analyses.network.matrix` and
:mod:`~analyses.network.routes` build on this module; their names are re-exported here on
first access (PEP 562 ``__getattr__``), so ``from analyses.network.search import
nearest_service`` keeps working without an import cycle.

Results are indexed like the origins (momepy style) and record the profile and the unknown-tag
mode in columns and in ``DataFrame.attrs``.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from analyses.network import choice
from analyses.network.graph import NetworkGraph, ReducedGraph, contraction_module_if_loaded
from analyses.network.inputs import (
    Origins,
    check_minutes,
    snap_origins,
    snap_targets,
    target_ids,
)
from analyses.network.reduction import terminal_nodes
from analyses.network.results import (
    STATUS_DTYPE,
    STATUS_NOT_CONNECTED,
    STATUS_REACHABLE,
    STATUS_UNREACHABLE,
    STATUSES,
    pick,
    result_frame,
)
from analyses.network.selection import canonical_filter, describe_selection, select_services
from analyses.network.shared_edges import apply_direct_ways, direct_seconds, same_edge_pairs
from analyses.network.snapping import DEFAULT_MAX_SNAP_M, SnappedPoints

if TYPE_CHECKING:
    from analyses.network.contraction import Hierarchy
    from analyses.network.matrix import TravelTimeMatrix, count_within, travel_time_matrix
    from analyses.network.routes import routes_to_nearest
    from analyses.network.services import nearest_by_type, nearest_service

__all__ = [
    "BLOCK_BUDGET_BYTES",
    "HIERARCHY_AFTER_SEARCHES",
    "HIERARCHY_MAX_NODES_ON_DEMAND",
    "HIERARCHY_MIN_SEARCHES",
    "MIN_SEARCHES_FOR_REDUCTION",
    "STATUSES",
    "STATUS_DTYPE",
    "STATUS_NOT_CONNECTED",
    "STATUS_REACHABLE",
    "STATUS_UNREACHABLE",
    "Origins",
    "SourceField",
    "TravelTimeMatrix",
    "apply_direct_ways",
    "augmented_matrix",
    "canonical_filter",
    "check_minutes",
    "count_within",
    "describe_selection",
    "direct_seconds",
    "evaluate_origins",
    "hierarchy_for",
    "nearest",
    "nearest_by_type",
    "nearest_service",
    "routes_to_nearest",
    "same_edge_pairs",
    "scipy_field",
    "select_services",
    "snap_origins",
    "snap_targets",
    "source_entries",
    "source_field",
    "terminal_nodes",
    "travel_time_matrix",
]

# Memory budget for the dense (sites × nodes) blocks of bounded searches.
BLOCK_BUDGET_BYTES = 128 * 1024 * 1024
# Reduce the graph to a query's terminals only when several searches share the reduction: it
# costs about as much as one search on graphs with few dead ends and chains (e.g. grids).
MIN_SEARCHES_FOR_REDUCTION = 3
# Build the graph's contraction hierarchy when one call runs at least this many one-to-all
# searches, or once the graph has served this many in total. Building costs about as much as
# 60–100 Dijkstra runs on the Aachen network (≈ 0.1 s) and makes every later search ≈ 10× faster.
HIERARCHY_MIN_SEARCHES = 3
HIERARCHY_AFTER_SEARCHES = 8
# Graphs larger than this get a hierarchy only on explicit request (``graph.hierarchy()``).
# Contraction in rounds takes ≈ 5 µs per node on Aachen and ≈ 8 on grid-like networks (the
# worst case; 1,000,000 nodes ≈ 8 s) and ≈ 500 bytes per node at its peak; kept on disk with
# the graph, it is built once per region version. Up to here it is on by default.
HIERARCHY_MAX_NODES_ON_DEMAND = 10_000_000

# Names defined in the modules that build on this one: re-exported on first access.
_LATER = {
    "TravelTimeMatrix": "analyses.network.matrix",
    "count_within": "analyses.network.matrix",
    "travel_time_matrix": "analyses.network.matrix",
    "routes_to_nearest": "analyses.network.routes",
    "nearest_by_type": "analyses.network.services",
    "nearest_service": "analyses.network.services",
}


def __getattr__(name: str) -> Any:
    """Re-export the names of :mod:`~analyses.network.services`, ``matrix`` and ``routes``.

    Those modules import this one, so importing them here at the top would be circular; PEP 562
    resolves their names on first access instead (and keeps them in the module).
    """
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


# --------------------------------------------------------------------------------------------
# The multi-source search
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class SourceField:
    """Result of one multi-source search: per node the time to the nearest source.

    Attributes
    ----------
    seconds
        Travel time per graph node (length *n*, or per kept node of a reduced graph;
        ``inf`` beyond the limit or unreachable). Use :meth:`at` with full-graph nodes.
    source
        Index (into the sources) of the nearest source per node, −1 if none.
    predecessors
        Predecessor per node in the augmented graph (−9999 = none); virtual nodes are
        ``n + j`` for source *j*. Only if requested.
    """

    seconds: np.ndarray
    source: np.ndarray
    predecessors: np.ndarray | None
    node_map: np.ndarray | None = None

    def at(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Seconds and nearest source at nodes of the full graph."""
        rows = nodes if self.node_map is None else self.node_map[nodes]
        return self.seconds[rows], self.source[rows]


def augmented_matrix(
    graph: NetworkGraph, sources: SnappedPoints, reduced: ReducedGraph | None = None
) -> csr_matrix:
    """Return the graph matrix plus one virtual row per source, joined to its edge's two ends.

    Row ``n + j`` holds the edges from source *j* to ``edge_u`` and ``edge_v`` of its edge,
    weighted with :attr:`SnappedPoints.cost_u` / ``cost_v``. No edge leads into a virtual node, so
    paths never pass through another source's virtual node.
    """
    base = graph.matrix if reduced is None else reduced.matrix
    n = base.shape[0]
    k = len(sources)
    ok = sources.connected
    a = np.where(ok, graph.edge_u[np.maximum(sources.edge, 0)], 0).astype(np.int64)
    b = np.where(ok, graph.edge_v[np.maximum(sources.edge, 0)], 0).astype(np.int64)
    if reduced is not None:
        a = np.where(ok, reduced.node_map[a], 0)
        b = np.where(ok, reduced.node_map[b], 0)
        if (a[ok] < 0).any() or (b[ok] < 0).any():
            raise ValueError("reduced graph lacks a source's edge ends (not terminals)")
    ca, cb = sources.cost_u, sources.cost_v
    same = a == b
    first_col = np.minimum(a, b)
    first_w = np.where(same, np.minimum(ca, cb), np.where(a < b, ca, cb))
    second_col = np.maximum(a, b)
    second_w = np.where(a < b, cb, ca)
    counts = np.where(ok, np.where(same, 1, 2), 0)
    cols = np.empty(int(counts.sum()), dtype=np.int64)
    weights = np.empty(len(cols))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    cols[starts[counts > 0]] = first_col[counts > 0]
    weights[starts[counts > 0]] = first_w[counts > 0]
    two = counts == 2
    cols[starts[two] + 1] = second_col[two]
    weights[starts[two] + 1] = second_w[two]
    total = n + k
    index_dtype = np.int32 if base.nnz + len(cols) < np.iinfo(np.int32).max else np.int64
    indptr = np.concatenate([base.indptr, base.indptr[-1] + np.cumsum(counts)]).astype(index_dtype)
    indices = np.concatenate([base.indices, cols]).astype(index_dtype, copy=False)
    data = np.concatenate([base.data, weights])
    return csr_matrix((data, indices, indptr), shape=(total, total), copy=False)


def hierarchy_for(graph: NetworkGraph, searches: int) -> Hierarchy | None:
    """Return the graph's contraction hierarchy if it is worth using for ``searches`` more searches.

    Counts the searches on the graph; builds the hierarchy when this call runs at least
    :data:`HIERARCHY_MIN_SEARCHES` or the graph has served :data:`HIERARCHY_AFTER_SEARCHES`
    (graphs up to :data:`HIERARCHY_MAX_NODES_ON_DEMAND` nodes), and returns an existing one
    (in memory or in the disk cache) in any case. None without numba.
    """
    graph.search_count += searches
    build = graph.n_nodes <= HIERARCHY_MAX_NODES_ON_DEMAND and (
        searches >= HIERARCHY_MIN_SEARCHES or graph.search_count >= HIERARCHY_AFTER_SEARCHES
    )
    return graph.hierarchy(build=build)


def source_entries(
    graph: NetworkGraph, sources: SnappedPoints, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the given (connected) sources enter the network: node, start seconds, source row.

    Every source enters at both ends of its edge after the partial travel times, exactly the
    two arcs of its virtual node in :func:`augmented_matrix`.
    """
    rows = np.asarray(rows, dtype=np.int64)
    edges = sources.edge[rows]
    nodes = np.concatenate([graph.edge_u[edges], graph.edge_v[edges]]).astype(np.int64)
    start = np.concatenate([sources.cost_u[rows], sources.cost_v[rows]])
    return nodes, start, np.concatenate([rows, rows])


def source_field(
    graph: NetworkGraph,
    sources: SnappedPoints,
    *,
    limit_seconds: float = np.inf,
    predecessors: bool = False,
    rows: np.ndarray | None = None,
    matrix: csr_matrix | None = None,
    reduced: ReducedGraph | None = None,
    needed: np.ndarray | SnappedPoints | None = None,
) -> SourceField:
    """Travel time from every node to the nearest source (one Dijkstra for all sources).

    Searches without predecessors run compiled (:func:`analyses.network.choice.compiled_field`:
    on the graph's contraction hierarchy when :func:`hierarchy_for` provides one and the
    measured costs favour it, else a compiled Dijkstra; same distances, ``matrix`` and
    ``reduced`` are then not needed); scipy answers without numba and with predecessors.

    Parameters
    ----------
    graph
        The network.
    sources
        Snapped source points (unconnected ones are ignored).
    limit_seconds
        Stop the search beyond this time (nodes farther away get ``inf``).
    predecessors
        Also return the predecessor array (for routes).
    rows
        Start only from these sources (positions in ``sources``); default all. With a shared
        ``matrix`` this runs several selections over one augmented graph.
    matrix
        ``augmented_matrix(graph, sources, reduced)``, if already built.
    reduced
        Search the graph reduced to the terminals (:func:`analyses.network.graph.reduced_for`); the
        sources' edge ends must be terminals.
    needed
        The only nodes the caller reads: a boolean mask, or the origins whose edge ends they are
        (:func:`analyses.network.choice.needed_nodes`); a compiled Dijkstra may stop once they
        are settled and report other nodes as unreached.

    Returns
    -------
    SourceField
        ``source`` refers to positions in ``sources``.
    """
    candidates = np.arange(len(sources)) if rows is None else np.asarray(rows, dtype=np.int64)
    connected_rows = candidates[sources.connected[candidates]]
    if not predecessors and len(connected_rows):
        hierarchy = hierarchy_for(graph, 1) if not np.isfinite(limit_seconds) else None
        nodes, start, label = source_entries(graph, sources, connected_rows)
        computed = choice.compiled_field(
            graph, hierarchy, nodes, start, label, limit_seconds=limit_seconds, needed=needed
        )
        if computed is not None:
            return SourceField(seconds=computed[0], source=computed[1], predecessors=None)
    return scipy_field(
        graph, sources, limit_seconds=limit_seconds, predecessors=predecessors, rows=rows,
        matrix=matrix, reduced=reduced,
    )


def scipy_field(
    graph: NetworkGraph,
    sources: SnappedPoints,
    *,
    limit_seconds: float = np.inf,
    predecessors: bool = False,
    rows: np.ndarray | None = None,
    matrix: csr_matrix | None = None,
    reduced: ReducedGraph | None = None,
) -> SourceField:
    """:func:`source_field` with scipy's Dijkstra on the augmented matrix (the reference)."""
    candidates = np.arange(len(sources)) if rows is None else np.asarray(rows, dtype=np.int64)
    connected_rows = candidates[sources.connected[candidates]]
    n = graph.n_nodes if reduced is None else reduced.n_nodes
    node_map = None if reduced is None else reduced.node_map
    if len(connected_rows) == 0:
        return SourceField(np.full(n, np.inf), np.full(n, -1, dtype=np.int64), None, node_map)
    if matrix is None:
        matrix = augmented_matrix(graph, sources, reduced)
    started = time.perf_counter()
    dist, pred, src = dijkstra(
        matrix,
        directed=True,
        indices=n + connected_rows,
        min_only=True,
        return_predecessors=True,
        limit=limit_seconds,
    )
    if not np.isfinite(limit_seconds):
        choice.record_scipy(graph, time.perf_counter() - started, int(np.isfinite(dist).sum()))
    source = np.where(src[:n] >= 0, src[:n] - n, -1).astype(np.int64)
    return SourceField(
        seconds=dist[:n],
        source=source,
        predecessors=pred if predecessors else None,
        node_map=node_map,
    )


def evaluate_origins(
    graph: NetworkGraph,
    field: SourceField,
    origins: SnappedPoints,
    sources: SnappedPoints,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per origin: seconds to the nearest source, its index, and whether the way is direct."""
    rows_ok, u, v, cost_u, cost_v = origins.edge_ends(graph.edge_u, graph.edge_v)
    compiled = contraction_module_if_loaded()
    if compiled is not None and field.node_map is None:
        best, best_source = compiled.origin_times(field.seconds, field.source, u, v, cost_u, cost_v)
    else:  # the same rule in array operations (numba not imported, or a reduced graph)
        seconds_a, source_a = field.at(u)
        seconds_b, source_b = field.at(v)
        via_a = cost_u + seconds_a
        via_b = cost_v + seconds_b
        use_a = via_a <= via_b
        best = np.where(use_a, via_a, via_b)
        best_source = np.where(use_a, source_a, source_b)
    if len(rows_ok) == len(origins):  # every origin connected: no scatter
        seconds, nearest = best, best_source
    else:
        seconds = np.full(len(origins), np.inf)
        nearest = np.full(len(origins), -1, dtype=np.int64)
        seconds[rows_ok] = best
        nearest[rows_ok] = best_source
    return apply_direct_ways(graph, origins, sources, seconds, nearest, rows)


# --------------------------------------------------------------------------------------------
# Nearest point of an arbitrary set
# --------------------------------------------------------------------------------------------


def nearest(
    graph: NetworkGraph,
    origins: Origins,
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    ziel_id: str | None = None,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
    name: str = "Ziele",
    strikt: bool = False,
) -> pd.DataFrame:
    """Travel time from every origin to the nearest of a set of points.

    Scenario and location planning call it with arbitrary point sets (candidate sites, a
    service directory with one office closed, stops, …).

    Parameters
    ----------
    graph
        The network of one profile (:meth:`planungsraeume.region.Region.graph`).
    origins
        Origins (points; polygons by centroid) in the graph's CRS, or points already snapped with
        :func:`analyses.network.snapping.snap_points` (faster when the same origins are used again).
    targets
        The point set.
    ziel_id
        Column of ``targets`` that identifies a point (default: the index).
    max_anbindung_m, name
        Largest straight distance from an origin or target to the network; name of the target
        layer for messages.
    strikt
        Raise if any target is off the network (default: only if all are; the others are in
        ``attrs["nicht_angebundene_ziele"]``).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``minuten`` (NaN unless reachable), ``ziel_id`` (of the
        nearest point), ``status`` (``"erreichbar"``, ``"nicht angebunden"`` or
        ``"nicht erreichbar"``), ``anbindung_m`` (snap distance), ``profil`` and ``unbekannt``.

    Raises
    ------
    AnalysisError
        Empty target set, every target off the network, bad snap limit.
    CRSError, GeometryError
        Inputs in another CRS or without geometry.
    """
    snapped_origins = snap_origins(graph, origins, max_anbindung_m)
    ids = target_ids(targets, ziel_id)
    sources, off = snap_targets(
        graph, targets, max_anbindung_m, name=name, labels=[str(i) for i in ids], strikt=strikt
    )
    field = source_field(graph, sources, needed=snapped_origins)
    seconds, nearest_idx, _ = evaluate_origins(graph, field, snapped_origins, sources)
    labels = pick(pd.array([str(i) for i in ids], "string"), nearest_idx, np.isfinite(seconds))
    frame = result_frame(graph, snapped_origins, seconds, {"ziel_id": labels})
    frame.attrs.update({"profil": graph.profil.name, "unbekannt": graph.unbekannt,
                        "max_anbindung_m": snapped_origins.max_anbindung_m,
                        "nicht_angebundene_ziele": off})
    return frame

