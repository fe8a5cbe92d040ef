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
or the graph has served :data:`HIERARCHY_AFTER_SEARCHES`, and needs numba; without numba every
search runs on scipy as described above. Bounded searches (isochrones, matrices with a cutoff)
and searches with predecessors (routes) always use scipy.

Public functions
----------------
:func:`nearest` – per origin, the travel time to the nearest point of an arbitrary point set.
:func:`select_services` – services of a type and/or a filter (e.g. step-free EUTB).
:func:`nearest_service`, :func:`nearest_by_type` – the same for the service layer.
:func:`count_within` – per origin, how many points are reachable within *T* minutes.
:func:`travel_time_matrix` – sparse origins × sites matrix of travel times up to a cutoff.
:func:`routes_to_nearest` – the edges of each origin's route to its nearest point.

Results are indexed like the origins (momepy style) and record the profile and the unknown-tag
mode in columns and in ``DataFrame.attrs``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import coo_array, csr_array, csr_matrix
from scipy.sparse.csgraph import dijkstra

from analyses.network.graph import NetworkGraph, ReducedGraph, contraction_module, reduced_for
from analyses.network.snapping import DEFAULT_MAX_SNAP_M, SnappedPoints, snap_points
from layers.errors import AnalysisError
from layers.log import get_logger

if TYPE_CHECKING:
    from analyses.network.contraction import Hierarchy

log = get_logger("reachability")

STATUS_REACHABLE = "erreichbar"
STATUS_NOT_CONNECTED = "nicht angebunden"
STATUS_UNREACHABLE = "nicht erreichbar"
STATUSES = (STATUS_REACHABLE, STATUS_NOT_CONNECTED, STATUS_UNREACHABLE)
STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))
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
# Graphs larger than this get a hierarchy only on explicit request (``graph.hierarchy()``):
# contraction takes ≈ 6 µs per node on Aachen, ≈ 10 on Heidelberg and ≈ 20 on grid-like networks
# (3.7 s for a 200,000-node grid), more than one call would wait for.
HIERARCHY_MAX_NODES_ON_DEMAND = 250_000

Origins: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | SnappedPoints


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def check_minutes(values: float | Iterable[float], *, name: str = "Zeitschwelle") -> list[float]:
    """Return the thresholds as floats; each must be a finite number > 0.

    Raises
    ------
    AnalysisError
        For a threshold ≤ 0, not a number, or an empty list.
    """
    items = [values] if isinstance(values, (int, float, np.number)) else list(values)
    if not items:
        raise AnalysisError(
            f"Es ist keine {name} angegeben.",
            hinweis="Geben Sie mindestens eine Minutenzahl an, z. B. 15.",
        )
    result = []
    for value in items:
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise AnalysisError(
                f"Die {name} '{value}' ist keine Zahl.",
                hinweis="Geben Sie die Minuten als Zahl an, z. B. 15.",
            ) from exc
        if not math.isfinite(number) or number <= 0:
            raise AnalysisError(
                f"Die {name} muss größer als 0 Minuten sein (angegeben: {value}).",
                hinweis="Übliche Schwellen sind 5, 10, 15, 20 oder 30 Minuten.",
            )
        result.append(number)
    return result


def snap_origins(graph: NetworkGraph, origins: Origins, max_anbindung_m: float) -> SnappedPoints:
    if isinstance(origins, SnappedPoints):
        if origins.graph_key != graph.key:
            raise AnalysisError(
                "Die Startpunkte wurden an ein anderes Netz (anderes Profil oder andere Daten) "
                "angebunden.",
                hinweis="Binden Sie die Startpunkte mit snap_points an genau dieses Netz an.",
            )
        return origins
    return snap_points(graph, origins, max_anbindung_m, name="Startpunkte")


def snap_targets(
    graph: NetworkGraph,
    targets: gpd.GeoDataFrame | gpd.GeoSeries | SnappedPoints,
    max_anbindung_m: float,
    *,
    name: str,
    labels: Sequence[str] | None = None,
    strikt: bool = False,
) -> tuple[SnappedPoints, list[str]]:
    """Snap target points; raise if none (or, with ``strikt``, any) is off the network."""
    if isinstance(targets, SnappedPoints):
        snapped = targets
    else:
        if len(targets) == 0:
            raise AnalysisError(
                f"Die Ebene '{name}' ist leer: es gibt kein Ziel, zu dem Wege berechnet werden "
                "könnten.",
                hinweis="Prüfen Sie den Filter (Typ, Merkmale) oder erfassen bzw. importieren Sie "
                "zuerst Angebote.",
            )
        snapped = snap_points(graph, targets, max_anbindung_m, name=name)
    names = list(labels) if labels is not None else [str(i) for i in snapped.index]
    off = np.flatnonzero(~snapped.connected)
    off_names = [
        f"{names[i]} ({_distance_text(snapped.distance_m[i])})" for i in off
    ]
    if len(off) == len(snapped) or (strikt and len(off)):
        shown = "; ".join(off_names[:10]) + (" …" if len(off_names) > 10 else "")
        raise AnalysisError(
            f"{len(off)} von {len(snapped)} Zielen in '{name}' liegen außerhalb des Wegenetzes "
            f"(weiter als {snapped.max_anbindung_m:.0f} m vom Hauptnetz des Profils "
            f"'{graph.profil.name}'): {shown}.",
            hinweis="Prüfen Sie die Koordinaten dieser Angebote (liegen sie in der Region?) oder "
            "erhöhen Sie die maximale Anbindungsdistanz.",
        )
    if len(off):
        log.warning(
            "%d Ziele in '%s' nicht an das Wegenetz angebunden: %s",
            len(off),
            name,
            "; ".join(off_names[:10]),
        )
    return snapped, off_names


def _distance_text(distance: float) -> str:
    if not np.isfinite(distance):
        return "ohne Netz in der Nähe"
    if distance >= 1000:
        return f"{distance / 1000:.1f} km".replace(".", ",") + " vom Netz"
    return f"{distance:.0f} m vom Netz"


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
    """The graph matrix plus one virtual row per source, joined to its edge's two ends.

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
    """The graph's contraction hierarchy if it is worth using for ``searches`` more searches.

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
) -> SourceField:
    """Travel time from every node to the nearest source (one Dijkstra for all sources).

    Unbounded searches without predecessors run on the graph's contraction hierarchy when
    :func:`hierarchy_for` provides one (same distances; ``matrix`` and ``reduced`` are then not
    needed).

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

    Returns
    -------
    SourceField
        ``source`` refers to positions in ``sources``.
    """
    candidates = np.arange(len(sources)) if rows is None else np.asarray(rows, dtype=np.int64)
    connected_rows = candidates[sources.connected[candidates]]
    if not predecessors and not np.isfinite(limit_seconds) and len(connected_rows):
        hierarchy = hierarchy_for(graph, 1)
        if hierarchy is not None:
            contraction = contraction_module()
            assert contraction is not None
            nodes, start, label = source_entries(graph, sources, connected_rows)
            seconds, source = contraction.node_field(hierarchy, nodes, start, label)
            return SourceField(seconds=seconds, source=source, predecessors=None)
    return _scipy_field(
        graph, sources, limit_seconds=limit_seconds, predecessors=predecessors, rows=rows,
        matrix=matrix, reduced=reduced,
    )


def _scipy_field(
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
    dist, pred, src = dijkstra(
        matrix,
        directed=True,
        indices=n + connected_rows,
        min_only=True,
        return_predecessors=True,
        limit=limit_seconds,
    )
    source = np.where(src[:n] >= 0, src[:n] - n, -1).astype(np.int64)
    return SourceField(
        seconds=dist[:n],
        source=source,
        predecessors=pred if predecessors else None,
        node_map=node_map,
    )


def _same_edge_pairs(
    origins: SnappedPoints, sources: SnappedPoints, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """All (origin, source) pairs attached to the same edge (both connected)."""
    order, sorted_edges = origins.edge_order()
    s_rows = np.flatnonzero(sources.connected) if rows is None else np.asarray(rows)[
        sources.connected[np.asarray(rows)]
    ]
    if len(order) == 0 or len(s_rows) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    s_edges = sources.edge[s_rows]
    lo = np.searchsorted(sorted_edges, s_edges, side="left")
    hi = np.searchsorted(sorted_edges, s_edges, side="right")
    count = hi - lo
    total = int(count.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    source_rep = np.repeat(s_rows, count)
    offsets = np.repeat(lo - (np.cumsum(count) - count), count)
    origin_rep = order[np.arange(total) + offsets]
    return origin_rep, source_rep


def _direct_seconds(
    graph: NetworkGraph, origins: SnappedPoints, sources: SnappedPoints,
    o_idx: np.ndarray, s_idx: np.ndarray,
) -> np.ndarray:
    """Time along a shared edge, without passing one of its ends."""
    edge = origins.edge[o_idx]
    return (
        origins.snap_seconds[o_idx]
        + sources.snap_seconds[s_idx]
        + np.abs(origins.frac[o_idx] - sources.frac[s_idx]) * graph.edge_seconds[edge]
    )


def evaluate_origins(
    graph: NetworkGraph,
    field: SourceField,
    origins: SnappedPoints,
    sources: SnappedPoints,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per origin: seconds to the nearest source, its index, and whether the way is direct."""
    m = len(origins)
    seconds = np.full(m, np.inf)
    nearest = np.full(m, -1, dtype=np.int64)
    ok = origins.connected
    if ok.any():
        edge = origins.edge[ok]
        seconds_a, source_a = field.at(graph.edge_u[edge])
        seconds_b, source_b = field.at(graph.edge_v[edge])
        via_a = origins.cost_u[ok] + seconds_a
        via_b = origins.cost_v[ok] + seconds_b
        use_a = via_a <= via_b
        seconds[ok] = np.where(use_a, via_a, via_b)
        nearest[ok] = np.where(use_a, source_a, source_b)
    return apply_direct_ways(graph, origins, sources, seconds, nearest, rows)


def apply_direct_ways(
    graph: NetworkGraph,
    origins: SnappedPoints,
    sources: SnappedPoints,
    seconds: np.ndarray,
    nearest: np.ndarray,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Improve the network times by the direct way along an edge shared with a source.

    ``seconds`` and ``nearest`` (per origin, via the edge ends) are updated in place and
    returned with the mask of origins whose best way is direct.
    """
    direct = np.zeros(len(origins), dtype=bool)
    o_idx, s_idx = _same_edge_pairs(origins, sources, rows)
    if len(o_idx):
        along = _direct_seconds(graph, origins, sources, o_idx, s_idx)
        order = np.lexsort((along, o_idx))
        o_sorted, s_sorted, t_sorted = o_idx[order], s_idx[order], along[order]
        first = np.ones(len(o_sorted), dtype=bool)
        first[1:] = o_sorted[1:] != o_sorted[:-1]
        o_best, s_best, t_best = o_sorted[first], s_sorted[first], t_sorted[first]
        better = t_best < seconds[o_best]
        seconds[o_best[better]] = t_best[better]
        nearest[o_best[better]] = s_best[better]
        direct[o_best[better]] = True
    nearest[~np.isfinite(seconds)] = -1
    return seconds, nearest, direct


def terminal_nodes(graph: NetworkGraph, *groups: SnappedPoints) -> np.ndarray:
    """End nodes of every edge a connected point of the groups is attached to."""
    parts = []
    for points in groups:
        edges = points.edge[points.connected]
        parts += [graph.edge_u[edges], graph.edge_v[edges]]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _status(origins: SnappedPoints, seconds: np.ndarray) -> np.ndarray:
    status = np.full(len(origins), STATUS_REACHABLE, dtype=object)
    status[~np.isfinite(seconds)] = STATUS_UNREACHABLE
    status[~origins.connected] = STATUS_NOT_CONNECTED
    return status


def _stamp(frame: pd.DataFrame, graph: NetworkGraph, **extra: Any) -> pd.DataFrame:
    frame["profil"] = graph.profil.name
    frame["unbekannt"] = graph.unbekannt
    frame.attrs.update({"profil": graph.profil.name, "unbekannt": graph.unbekannt, **extra})
    return frame


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

    This is the function scenario and location planning call with arbitrary point sets
    (candidate sites, a service directory with one office closed, stops, …).

    Parameters
    ----------
    graph
        The network of one profile (:func:`analyses.network.graph.load_graph`).
    origins
        Origins (points; polygons by centroid) in the graph's CRS, or points already snapped with
        :func:`analyses.network.snapping.snap_points` (faster when the same origins are used again).
    targets
        The point set.
    ziel_id
        Column of ``targets`` that identifies a point (default: the index).
    max_anbindung_m
        Largest straight distance from an origin or target to the network.
    name
        Name of the target layer for messages.
    strikt
        Raise if any target is off the network (default: only if all are; the others are
        listed in ``attrs["nicht_angebundene_ziele"]``).

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
    ids = _target_ids(targets, ziel_id)
    sources, off = snap_targets(
        graph, targets, max_anbindung_m, name=name, labels=[str(i) for i in ids], strikt=strikt
    )
    field = source_field(graph, sources)
    seconds, nearest_idx, _ = evaluate_origins(graph, field, snapped_origins, sources)
    reachable = np.isfinite(seconds)
    frame = _result_frame(
        graph,
        snapped_origins,
        seconds,
        {"ziel_id": _pick(pd.array([str(i) for i in ids], dtype="string"), nearest_idx, reachable)},
    )
    frame.attrs.update(
        {
            "profil": graph.profil.name,
            "unbekannt": graph.unbekannt,
            "max_anbindung_m": snapped_origins.max_anbindung_m,
            "nicht_angebundene_ziele": off,
        }
    )
    return frame


def _target_ids(targets: Any, ziel_id: str | None) -> np.ndarray:
    if isinstance(targets, SnappedPoints):
        return np.asarray(targets.index, dtype=object)
    if ziel_id is None:
        return np.asarray(targets.index, dtype=object)
    if ziel_id not in targets.columns:
        raise AnalysisError(
            f"Die Spalte '{ziel_id}' fehlt in den Zielen.",
            hinweis=f"Vorhandene Spalten: {', '.join(map(str, targets.columns))}.",
        )
    return targets[ziel_id].astype(object).to_numpy()


# --------------------------------------------------------------------------------------------
# Services (angebote)
# --------------------------------------------------------------------------------------------


def canonical_filter(filter: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """A service filter in one canonical form (sorted columns and values, as text): the same
    selection always gives the same cache key."""
    if not filter:
        return {}
    result: dict[str, list[str]] = {}
    for column, wanted in filter.items():
        values = [wanted] if isinstance(wanted, (str, int, float, bool)) else list(wanted)
        result[str(column)] = sorted(str(v).strip() for v in values)
    return dict(sorted(result.items()))


def describe_selection(typ: str | None, filter: Mapping[str, Any] | None) -> str:
    """A German description of a service selection, e.g. ``EUTB, stufenloser_zugang = ja``."""
    parts = [typ] if typ else ["alle Angebote"]
    for column, values in canonical_filter(filter).items():
        parts.append(f"{column} = {' oder '.join(values)}")
    return ", ".join(parts)


def select_services(
    angebote: gpd.GeoDataFrame,
    typ: str | Sequence[str] | None = None,
    filter: Mapping[str, Any] | None = None,
) -> gpd.GeoDataFrame:
    """The services of one or more types and/or matching a filter.

    Parameters
    ----------
    angebote
        The service layer (``angebote``).
    typ
        A service type key (``"EUTB"``) or several; ``None`` = all types.
    filter
        Column → wanted value or values, e.g. ``{"stufenloser_zugang": "ja"}``; values compare
        as text, surrounding spaces ignored.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame with the selected rows (index kept).

    Raises
    ------
    AnalysisError
        Empty layer, unknown column or type, or nothing left after filtering.
    """
    return _selected_services(angebote, typ, filter).copy()


def _selected_services(
    angebote: gpd.GeoDataFrame,
    typ: str | Sequence[str] | None = None,
    filter: Mapping[str, Any] | None = None,
) -> gpd.GeoDataFrame:
    """:func:`select_services` without the copy, for read-only use inside this module.

    Returns ``angebote`` itself if every row is selected (no copy of a layer that is only
    read); the callers never modify it.
    """
    if len(angebote) == 0:
        raise AnalysisError(
            "Die Angebotsebene ist leer: es gibt keine Angebote, deren Erreichbarkeit berechnet "
            "werden könnte.",
            hinweis="Importieren oder erfassen Sie zuerst Angebote (oder bauen Sie die Region neu).",
        )
    mask = np.ones(len(angebote), dtype=bool)
    if typ is not None:
        if "typ" not in angebote.columns:
            raise AnalysisError(
                "Der Angebotsebene fehlt die Spalte 'typ'.",
                hinweis="Die Angebote müssen dem Schema von layers/angebote.py folgen.",
            )
        wanted = [typ] if isinstance(typ, str) else list(typ)
        present = set(angebote["typ"].dropna().astype(str))
        unknown = [t for t in wanted if t not in present]
        if unknown and len(unknown) == len(wanted):
            raise AnalysisError(
                f"Es gibt kein Angebot vom Typ {', '.join(repr(t) for t in unknown)}.",
                hinweis=f"Vorhandene Typen: {', '.join(sorted(present))}.",
            )
        mask &= angebote["typ"].astype("string").isin(wanted).fillna(False).to_numpy(dtype=bool)
    for column, values in canonical_filter(filter).items():
        if column not in angebote.columns:
            raise AnalysisError(
                f"Den Angeboten fehlt die Spalte '{column}', nach der gefiltert werden soll.",
                hinweis=f"Vorhandene Spalten: {', '.join(map(str, angebote.columns))}.",
            )
        text = angebote[column].astype("string").str.strip()
        mask &= text.isin(values).fillna(False).to_numpy(dtype=bool)
    selected = angebote if mask.all() else angebote[mask]
    if len(selected) == 0:
        raise AnalysisError(
            f"Kein Angebot erfüllt die Auswahl ({describe_selection(_first(typ), filter)}).",
            hinweis="Lockern Sie den Filter oder prüfen Sie die Schreibweise der Werte "
            "(z. B. 'ja', 'teilweise', 'nein', 'unbekannt').",
        )
    return selected


def _first(typ: str | Sequence[str] | None) -> str | None:
    if typ is None or isinstance(typ, str):
        return typ
    return ", ".join(typ)


def _service_labels(services: gpd.GeoDataFrame, rows: np.ndarray | None = None) -> list[str]:
    """``angebot_id 'name'`` of the services (or of the given row positions), for messages."""
    if rows is not None:
        services = services.iloc[rows]
    ids = (
        services["angebot_id"].astype(str).tolist()
        if "angebot_id" in services.columns
        else [str(i) for i in services.index]
    )
    if "name" not in services.columns:
        return ids
    names = services["name"].astype(str).tolist()
    return [f"{i} '{n}'" for i, n in zip(ids, names, strict=True)]


def _result_frame(
    graph: NetworkGraph,
    snapped_origins: SnappedPoints,
    seconds: np.ndarray,
    columns: dict[str, Any],
) -> pd.DataFrame:
    """Assemble a result frame from arrays (kept cheap: it runs once per type and profile)."""
    reachable = np.isfinite(seconds)
    codes = np.zeros(len(seconds), dtype=np.int8)
    codes[~reachable] = 2
    codes[~snapped_origins.connected] = 1
    data: dict[str, Any] = {"minuten": np.where(reachable, seconds / 60.0, np.nan)}
    data.update(columns)
    data["status"] = pd.Categorical.from_codes(codes, dtype=STATUS_DTYPE, validate=False)
    data["anbindung_m"] = snapped_origins.distance_m
    data["profil"] = _constant(graph.profil.name, len(seconds))
    data["unbekannt"] = _constant(graph.unbekannt, len(seconds))
    return pd.DataFrame(data, index=snapped_origins.index, copy=False)


_CONSTANT_DTYPES: dict[str, pd.CategoricalDtype] = {}


def _constant(value: str, n: int) -> pd.Categorical:
    """A column holding one text n times, cheaply (categorical with one category)."""
    dtype = _CONSTANT_DTYPES.get(value)
    if dtype is None:
        dtype = _CONSTANT_DTYPES.setdefault(value, pd.CategoricalDtype([value]))
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=dtype, validate=False)


def _pick(values: Any, nearest_idx: np.ndarray, reachable: np.ndarray) -> Any:
    """Values of the nearest target per origin (missing where unreachable); ``values`` is a
    pandas extension array, whose ``take`` is fast and keeps the dtype."""
    return values.take(np.where(reachable, nearest_idx, -1), allow_fill=True)


@dataclass(eq=False)
class _ServicePool:
    """Selected services snapped once, with ids, names and types as arrays.

    ``hierarchy`` is set when the searches run on the graph's contraction hierarchy; otherwise
    they run on scipy over ``augmented()`` (built on first use, on the ``reduced`` graph if
    one was made).
    """

    sources: SnappedPoints
    hierarchy: Hierarchy | None
    reduced: ReducedGraph | None
    id_codes: np.ndarray
    id_dtype: pd.CategoricalDtype
    name_codes: np.ndarray
    name_dtype: pd.CategoricalDtype
    types: np.ndarray
    services: gpd.GeoDataFrame
    matrix: csr_matrix | None = None

    def augmented(self, graph: NetworkGraph) -> csr_matrix:
        """The augmented matrix of all pool sources (for the scipy searches)."""
        if self.matrix is None:
            self.matrix = augmented_matrix(graph, self.sources, self.reduced)
        return self.matrix


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.CategoricalDtype]:
    """Category codes (−1 = missing) and dtype of a text column, for cheap per-origin picks."""
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    return codes.astype(np.int64), pd.CategoricalDtype([str(u) for u in uniques])


def _service_pool(
    graph: NetworkGraph,
    services: gpd.GeoDataFrame,
    max_anbindung_m: float,
    origins: SnappedPoints,
    *,
    searches: int,
) -> _ServicePool:
    if len(services) == 0:
        _selected_services(services)  # raises the German "empty layer" error
    sources = snap_points(graph, services, max_anbindung_m, name="angebote")
    id_codes, id_dtype = _codes(
        services["angebot_id"]
        if "angebot_id" in services.columns
        else pd.Series(services.index.astype(str), index=services.index)
    )
    name_codes, name_dtype = _codes(
        services["name"] if "name" in services.columns else pd.Series(pd.NA, index=services.index)
    )
    types = (
        services["typ"].astype(object).to_numpy()
        if "typ" in services.columns
        else np.full(len(services), None, dtype=object)
    )
    hierarchy = hierarchy_for(graph, searches)
    reduced = (
        reduced_for(graph, terminal_nodes(graph, origins, sources))
        if hierarchy is None and searches >= MIN_SEARCHES_FOR_REDUCTION
        else None
    )
    return _ServicePool(
        sources=sources,
        hierarchy=hierarchy,
        reduced=reduced,
        id_codes=id_codes,
        id_dtype=id_dtype,
        name_codes=name_codes,
        name_dtype=name_dtype,
        types=types,
        services=services,
    )


def _off_network(
    graph: NetworkGraph, pool: _ServicePool, rows: np.ndarray, *, strikt: bool
) -> list[str]:
    """Services of the selection that are off the network (raises if all are, or strikt)."""
    if pool.sources.connected[rows].all():
        return []
    _, off = snap_targets(
        graph,
        pool.sources.subset(rows),
        0.0,
        name="angebote",
        labels=_service_labels(pool.services, rows),
        strikt=strikt,
    )
    return off


def _nearest_in_pool(
    graph: NetworkGraph,
    snapped_origins: SnappedPoints,
    pool: _ServicePool,
    rows: np.ndarray,
    *,
    strikt: bool,
    selection: str,
) -> pd.DataFrame:
    off = _off_network(graph, pool, rows, strikt=strikt)
    if pool.hierarchy is not None:
        contraction = contraction_module()
        assert contraction is not None
        connected_rows = rows[pool.sources.connected[rows]]
        nodes, start, label = source_entries(graph, pool.sources, connected_rows)
        node_seconds, node_source = contraction.node_field(pool.hierarchy, nodes, start, label)
        field = SourceField(seconds=node_seconds, source=node_source, predecessors=None)
    else:
        field = _scipy_field(
            graph, pool.sources, rows=rows, matrix=pool.augmented(graph), reduced=pool.reduced
        )
    seconds, nearest_idx, _ = evaluate_origins(
        graph, field, snapped_origins, pool.sources, rows=rows
    )
    return _pool_frame(graph, snapped_origins, pool, rows, seconds, nearest_idx, off, selection)


def _pool_frame(
    graph: NetworkGraph,
    snapped_origins: SnappedPoints,
    pool: _ServicePool,
    rows: np.ndarray,
    seconds: np.ndarray,
    nearest_idx: np.ndarray,
    off: list[str],
    selection: str,
) -> pd.DataFrame:
    """The result frame of one selection of the pool."""
    in_pool = np.where(np.isfinite(seconds), nearest_idx, -1)
    id_codes = np.where(in_pool >= 0, pool.id_codes[np.maximum(in_pool, 0)], -1)
    name_codes = np.where(in_pool >= 0, pool.name_codes[np.maximum(in_pool, 0)], -1)
    frame = _result_frame(
        graph,
        snapped_origins,
        seconds,
        {
            "angebot_id": pd.Categorical.from_codes(id_codes, dtype=pool.id_dtype, validate=False),
            "angebot_name": pd.Categorical.from_codes(
                name_codes, dtype=pool.name_dtype, validate=False
            ),
            "auswahl": _constant(selection, len(seconds)),
        },
    )
    frame.attrs.update(
        {
            "profil": graph.profil.name,
            "unbekannt": graph.unbekannt,
            "max_anbindung_m": snapped_origins.max_anbindung_m,
            "nicht_angebundene_ziele": off,
            "auswahl": selection,
            "anzahl_angebote": len(rows),
        }
    )
    return frame


def nearest_service(
    graph: NetworkGraph,
    origins: Origins,
    angebote: gpd.GeoDataFrame,
    typ: str | Sequence[str] | None = None,
    filter: Mapping[str, Any] | None = None,
    *,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
    strikt: bool = False,
) -> pd.DataFrame:
    """Travel time from every origin to the nearest service of a type / filter.

    Parameters
    ----------
    graph, origins, max_anbindung_m, strikt
        As in :func:`nearest`.
    angebote
        The service layer.
    typ, filter
        Selection as in :func:`select_services`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``minuten``, ``angebot_id`` and ``angebot_name`` of the nearest
        service, ``status``, ``anbindung_m``, ``profil``, ``unbekannt`` and ``auswahl`` (the
        selection in words).
    """
    services = _selected_services(angebote, typ, filter)
    snapped_origins = snap_origins(graph, origins, max_anbindung_m)
    pool = _service_pool(graph, services, max_anbindung_m, snapped_origins, searches=1)
    return _nearest_in_pool(
        graph,
        snapped_origins,
        pool,
        np.arange(len(services)),
        strikt=strikt,
        selection=describe_selection(_first(typ), filter),
    )


def nearest_by_type(
    graph: NetworkGraph,
    origins: Origins,
    angebote: gpd.GeoDataFrame,
    typen: Sequence[str] | None = None,
    filter: Mapping[str, Any] | None = None,
    *,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> dict[str, pd.DataFrame]:
    """:func:`nearest_service` for every service type: one search per type.

    The services are selected and snapped once; each type then costs one multi-source search
    (on the contraction hierarchy, all types in one compiled call, when available; else one
    scipy Dijkstra per type on the graph reduced to the query's terminals).

    Parameters
    ----------
    typen
        The types; default: every type present in ``angebote`` (after ``filter``).

    Returns
    -------
    dict
        Type → result frame (indexed like the origins). Types with no service left after the
        filter, or with every service off the network, are missing from the dict (logged).
    """
    services = _selected_services(angebote, None, filter)
    snapped_origins = snap_origins(graph, origins, max_anbindung_m)
    wanted = (
        sorted({str(t) for t in services["typ"].dropna().astype(str)})
        if typen is None
        else list(typen)
    )
    pool = _service_pool(graph, services, max_anbindung_m, snapped_origins, searches=len(wanted))
    selected: dict[str, tuple[np.ndarray, list[str]]] = {}
    for typ in wanted:
        rows = np.flatnonzero(pool.types == typ)
        if len(rows) == 0:
            log.info("Typ '%s' übersprungen: kein Angebot nach dem Filter.", typ)
            continue
        try:
            selected[typ] = (rows, _off_network(graph, pool, rows, strikt=False))
        except AnalysisError as exc:
            log.info("Typ '%s' übersprungen: %s", typ, exc.meldung)
    if pool.hierarchy is None or not selected:
        return {
            typ: _nearest_in_pool(
                graph, snapped_origins, pool, rows, strikt=False,
                selection=describe_selection(typ, filter),
            )
            for typ, (rows, _) in selected.items()
        }
    # All types in one compiled call: one PHAST query per type, origins evaluated inside.
    contraction = contraction_module()
    assert contraction is not None
    entries = [
        source_entries(graph, pool.sources, rows[pool.sources.connected[rows]])
        for rows, _ in selected.values()
    ]
    group_ptr = np.zeros(len(entries) + 1, dtype=np.int64)
    np.cumsum([len(nodes) for nodes, _, _ in entries], out=group_ptr[1:])
    ok = snapped_origins.connected
    edge = np.maximum(snapped_origins.edge, 0)
    all_seconds, all_nearest = contraction.nearest_for_groups(
        pool.hierarchy,
        np.concatenate([nodes for nodes, _, _ in entries]),
        np.concatenate([start for _, start, _ in entries]),
        np.concatenate([label for _, _, label in entries]),
        group_ptr,
        np.where(ok, graph.edge_u[edge], -1),
        np.where(ok, graph.edge_v[edge], -1),
        snapped_origins.cost_u,
        snapped_origins.cost_v,
    )
    results: dict[str, pd.DataFrame] = {}
    for g, (typ, (rows, off)) in enumerate(selected.items()):
        seconds, nearest_idx, _ = apply_direct_ways(
            graph, snapped_origins, pool.sources, all_seconds[g], all_nearest[g], rows
        )
        results[typ] = _pool_frame(
            graph, snapped_origins, pool, rows, seconds, nearest_idx, off,
            describe_selection(typ, filter),
        )
    return results


# --------------------------------------------------------------------------------------------
# Counts and sparse matrices with a cutoff
# --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class TravelTimeMatrix:
    """Sparse origins × sites matrix of travel times up to a cutoff.

    Attributes
    ----------
    minuten
        ``scipy.sparse.csr_array`` (origins × sites). A stored entry means "reachable within
        ``max_minuten``" and holds the minutes, which may be an explicit 0 (origin on the site's
        foot point): test presence with the sparsity structure, never with ``== 0``.
    origin_index
        Index of the origins (row labels).
    site_ids
        Ids of the sites (column labels).
    max_minuten
        The cutoff.
    profil, unbekannt
        Profile and unknown-tag mode of the graph.
    origin_status
        Per origin ``"erreichbar"`` or ``"nicht angebunden"``.
    nicht_angebundene_ziele
        Sites off the network (their column is empty).
    """

    minuten: csr_array
    origin_index: pd.Index
    site_ids: np.ndarray
    max_minuten: float
    profil: str
    unbekannt: str
    origin_status: np.ndarray
    nicht_angebundene_ziele: list[str]

    def coverage(self, minuten: float | None = None) -> csr_array:
        """Boolean matrix: site reachable from origin within ``minuten`` (≤ the cutoff)."""
        limit = self.max_minuten if minuten is None else check_minutes(minuten)[0]
        if limit > self.max_minuten:
            raise AnalysisError(
                f"Die Matrix reicht nur bis {self.max_minuten:g} Minuten, gefragt sind {limit:g}.",
                hinweis="Berechnen Sie die Matrix mit einer höheren Obergrenze neu.",
            )
        m = self.minuten.tocoo()
        keep = m.data <= limit + 1e-9
        return csr_array(
            (np.ones(int(keep.sum()), dtype=bool), (m.row[keep], m.col[keep])), shape=m.shape
        )

    def counts(self, minuten: float | None = None) -> pd.Series:
        """Number of sites reachable within ``minuten`` per origin (indexed like the origins)."""
        covered = self.coverage(minuten)
        return pd.Series(
            np.diff(covered.indptr).astype(np.int64), index=self.origin_index, name="anzahl"
        )

    def to_frame(self) -> pd.DataFrame:
        """Long table: ``origin`` (label), ``ziel_id``, ``minuten``."""
        m = self.minuten.tocoo()
        return pd.DataFrame(
            {
                "origin": self.origin_index[m.row],
                "ziel_id": self.site_ids[m.col],
                "minuten": m.data,
            }
        )


def travel_time_matrix(
    graph: NetworkGraph,
    origins: Origins,
    sites: gpd.GeoDataFrame | gpd.GeoSeries,
    max_minuten: float,
    *,
    ziel_id: str | None = None,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
    name: str = "Standorte",
) -> TravelTimeMatrix:
    """Travel times between every origin and every site up to ``max_minuten`` (sparse).

    One bounded Dijkstra per site (``limit=``) on the graph reduced to the query's terminals,
    processed in blocks that fit a fixed memory budget; pairs beyond the cutoff are not stored. This is the input of 2SFCA and of coverage
    models (MCLP) over candidate sites.

    Parameters
    ----------
    graph, origins, ziel_id, max_anbindung_m, name
        As in :func:`nearest`.
    sites
        The sites (columns).
    max_minuten
        Cutoff (> 0).

    Returns
    -------
    TravelTimeMatrix
    """
    limit_min = check_minutes(max_minuten, name="Obergrenze")[0]
    limit_s = limit_min * 60.0
    snapped_origins = snap_origins(graph, origins, max_anbindung_m)
    ids = _target_ids(sites, ziel_id)
    sources, off = snap_targets(
        graph, sites, max_anbindung_m, name=name, labels=[str(i) for i in ids]
    )
    k = len(sources)
    reduced = (
        reduced_for(graph, terminal_nodes(graph, snapped_origins, sources))
        if int(sources.connected.sum()) >= MIN_SEARCHES_FOR_REDUCTION
        else None
    )
    n = graph.n_nodes if reduced is None else reduced.n_nodes
    node_map = np.arange(graph.n_nodes) if reduced is None else reduced.node_map
    matrix = augmented_matrix(graph, sources, reduced)
    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    vals_out: list[np.ndarray] = []
    ok = snapped_origins.connected
    o_rows = np.flatnonzero(ok)
    a = node_map[graph.edge_u[snapped_origins.edge[o_rows]]]
    b = node_map[graph.edge_v[snapped_origins.edge[o_rows]]]
    cu = snapped_origins.cost_u[o_rows]
    cv = snapped_origins.cost_v[o_rows]
    connected_sites = np.flatnonzero(sources.connected)
    block = max(1, int(BLOCK_BUDGET_BYTES // (8 * (n + k) * 2)))
    for start in range(0, len(connected_sites), block):
        chunk = connected_sites[start : start + block]
        dist = dijkstra(matrix, directed=True, indices=n + chunk, limit=limit_s)
        times = np.minimum(cu[None, :] + dist[:, a], cv[None, :] + dist[:, b])
        site_pos, origin_pos = np.nonzero(times <= limit_s)
        rows_out.append(o_rows[origin_pos])
        cols_out.append(chunk[site_pos])
        vals_out.append(times[site_pos, origin_pos])
    # Origins sharing an edge with a site: the direct way along the edge may be shorter.
    o_idx, s_idx = _same_edge_pairs(snapped_origins, sources)
    if len(o_idx):
        along = _direct_seconds(graph, snapped_origins, sources, o_idx, s_idx)
        keep = along <= limit_s
        rows_out.append(o_idx[keep])
        cols_out.append(s_idx[keep])
        vals_out.append(along[keep])
    rows = np.concatenate(rows_out) if rows_out else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols_out) if cols_out else np.zeros(0, dtype=np.int64)
    vals = np.concatenate(vals_out) if vals_out else np.zeros(0)
    # Keep the minimum per pair (network way vs. direct way along a shared edge).
    order = np.lexsort((vals, cols, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    shape = (len(snapped_origins), k)
    coo = coo_array((vals[first] / 60.0, (rows[first], cols[first])), shape=shape)
    status = np.where(ok, STATUS_REACHABLE, STATUS_NOT_CONNECTED)
    return TravelTimeMatrix(
        minuten=coo.tocsr(),
        origin_index=snapped_origins.index,
        site_ids=np.asarray(ids, dtype=object),
        max_minuten=limit_min,
        profil=graph.profil.name,
        unbekannt=graph.unbekannt,
        origin_status=status,
        nicht_angebundene_ziele=off,
    )


def count_within(
    graph: NetworkGraph,
    origins: Origins,
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    minuten: float,
    *,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
    name: str = "Ziele",
) -> pd.DataFrame:
    """How many targets each origin reaches within ``minuten``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``anzahl`` (0 for origins off the network), ``status``,
        ``profil``, ``unbekannt``.
    """
    matrix = travel_time_matrix(
        graph, origins, targets, minuten, max_anbindung_m=max_anbindung_m, name=name
    )
    counts = matrix.counts()
    frame = pd.DataFrame(
        {
            "anzahl": counts.to_numpy(),
            "status": pd.Categorical(matrix.origin_status, categories=STATUSES),
        },
        index=matrix.origin_index,
    )
    return _stamp(frame, graph, minuten=float(minuten))


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------


def routes_to_nearest(
    graph: NetworkGraph,
    origins: Origins,
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
    name: str = "Ziele",
) -> pd.DataFrame:
    """The edges of each origin's fastest route to its nearest target.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``origins``: ``minuten``, ``ziel`` (position of the target in ``targets``),
        ``kanten`` (list of ``kante_id`` from the origin's edge to the target's edge; empty if
        unreachable).
    """
    snapped_origins = snap_origins(graph, origins, max_anbindung_m)
    sources, _ = snap_targets(graph, targets, max_anbindung_m, name=name)
    field = source_field(graph, sources, predecessors=True)
    seconds, nearest_idx, direct = evaluate_origins(graph, field, snapped_origins, sources)
    assert field.predecessors is not None
    pred = field.predecessors
    n = graph.n_nodes
    routes: list[list[int]] = []
    for i in range(len(snapped_origins)):
        if not np.isfinite(seconds[i]):
            routes.append([])
            continue
        edge = int(snapped_origins.edge[i])
        if direct[i]:
            routes.append([int(graph.kante_id[edge])])
            continue
        a, b = int(graph.edge_u[edge]), int(graph.edge_v[edge])
        via_a = snapped_origins.cost_u[i] + field.seconds[a]
        node = a if via_a <= snapped_origins.cost_v[i] + field.seconds[b] else b
        chain = [node]
        while pred[chain[-1]] >= 0 and pred[chain[-1]] < n:
            chain.append(int(pred[chain[-1]]))
        source = int(pred[chain[-1]]) - n
        path_edges = graph.entry_for(np.array(chain[:-1]), np.array(chain[1:]))
        edges = [edge, *path_edges.tolist(), int(sources.edge[source])]
        routes.append([int(graph.kante_id[e]) for e in edges])
    frame = pd.DataFrame(
        {
            "minuten": np.where(np.isfinite(seconds), seconds / 60.0, np.nan),
            "ziel": nearest_idx,
            "kanten": routes,
        },
        index=snapped_origins.index,
    )
    return _stamp(frame, graph)
