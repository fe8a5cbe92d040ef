"""The service layer in network searches: the nearest service per origin.

:func:`~analyses.network.selection.select_services` picks services by type and/or a filter
(e.g. step-free EUTB); :func:`nearest_service` and :func:`nearest_by_type` answer "how far is the nearest one" for every
origin. The selected services are snapped once into a :class:`ServicePool` (ids, names and
types as category codes, for cheap result columns); every type then costs one multi-source
search of :mod:`analyses.network.search` (on the contraction hierarchy when there is one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from analyses.network import choice, search
from analyses.network.graph import NetworkGraph, contraction_module
from analyses.network.inputs import Origins, snap_origins, snap_targets
from analyses.network.memo import frame_fingerprint, memoised
from analyses.network.reduction import ReducedGraph, reduced_for, terminal_nodes
from analyses.network.results import constant_column, result_frame
from analyses.network.search import (
    SourceField,
    augmented_matrix,
    evaluate_origins,
    hierarchy_for,
    scipy_field,
    source_entries,
)
from analyses.network.selection import (
    canonical_filter,
    describe_selection,
    selected_services,
    type_label,
)
from analyses.network.shared_edges import apply_direct_ways
from analyses.network.snapping import DEFAULT_MAX_SNAP_M, SnappedPoints, snap_points
from layers.errors import AnalysisError
from layers.log import get_logger

if TYPE_CHECKING:
    from analyses.network.contraction import Hierarchy

__all__ = [
    "ServicePool",
    "nearest_by_type",
    "nearest_service",
    "service_pool",
]

log = get_logger("reachability")


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


@dataclass(eq=False)
class ServicePool:
    """Selected services snapped once, with ids, names and types as arrays.

    ``hierarchy`` is set when the searches may run on the graph's contraction hierarchy;
    otherwise they run on a compiled Dijkstra (:mod:`analyses.network.choice`), or without
    numba on scipy over ``augmented()`` (built on first use, on the ``reduced`` graph if one
    was made).
    """

    sources: SnappedPoints
    hierarchy: Hierarchy | None
    reduced: ReducedGraph | None
    id_codes: np.ndarray  # per service, then a −1 (see _codes)
    id_dtype: pd.CategoricalDtype
    name_codes: np.ndarray  # likewise
    name_dtype: pd.CategoricalDtype
    types: np.ndarray
    services: gpd.GeoDataFrame
    matrix: csr_matrix | None = None

    def augmented(self, graph: NetworkGraph) -> csr_matrix:
        """Return the augmented matrix of all pool sources (for the scipy searches)."""
        if self.matrix is None:
            self.matrix = augmented_matrix(graph, self.sources, self.reduced)
        return self.matrix


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.CategoricalDtype]:
    """Category codes (−1 = missing) and dtype of a text column, for cheap per-origin picks.

    The codes end with one −1 more, after the services' own: position −1 picks it, so that
    origins without a service (−1) get a missing value in one indexing step.
    """
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    return np.append(codes.astype(np.int64), -1), pd.CategoricalDtype([str(u) for u in uniques])


def _pool_parts(
    graph: NetworkGraph, services: gpd.GeoDataFrame, max_anbindung_m: float, selection: str
) -> tuple[SnappedPoints, np.ndarray, pd.CategoricalDtype, np.ndarray, pd.CategoricalDtype,
           np.ndarray]:
    """The snapped services and their id, name and type columns as codes (memoised)."""
    def make() -> tuple[Any, ...]:
        sources = snap_points(graph, services, max_anbindung_m, name="angebote")
        id_codes, id_dtype = _codes(
            services["angebot_id"]
            if "angebot_id" in services.columns
            else pd.Series(services.index.astype(str), index=services.index)
        )
        name_codes, name_dtype = _codes(
            services["name"] if "name" in services.columns
            else pd.Series(pd.NA, index=services.index)
        )
        types = (
            services["typ"].astype(object).to_numpy()
            if "typ" in services.columns
            else np.full(len(services), None, dtype=object)
        )
        return sources, id_codes, id_dtype, name_codes, name_dtype, types

    key = ("angebote", selection or frame_fingerprint(services), float(max_anbindung_m))
    parts: tuple[SnappedPoints, np.ndarray, pd.CategoricalDtype, np.ndarray,
                 pd.CategoricalDtype, np.ndarray] = memoised(graph.memo, key, make)
    return parts


def service_pool(
    graph: NetworkGraph,
    services: gpd.GeoDataFrame,
    max_anbindung_m: float,
    origins: SnappedPoints,
    *,
    searches: int,
    selection: str = "",
) -> ServicePool:
    """Snap the selected services once (memoised per content) and prepare their ids, names
    and types as codes.

    Decides the engine for ``searches`` searches: the graph's contraction hierarchy if
    :func:`~analyses.network.search.hierarchy_for` gives one, else per search the bounded
    Dijkstra or scipy (:mod:`analyses.network.choice`; scipy on the graph reduced to the
    query's terminals for several searches). ``selection`` is a fingerprint of the layer and
    selection the services came from (saves hashing them again); by default the services' own
    content is hashed.
    """
    if len(services) == 0:
        selected_services(services)  # raises the German "empty layer" error
    sources, id_codes, id_dtype, name_codes, name_dtype, types = _pool_parts(
        graph, services, max_anbindung_m, selection
    )
    hierarchy = hierarchy_for(graph, searches)
    reduced = (
        reduced_for(graph, terminal_nodes(graph, origins, sources))
        if hierarchy is None and searches >= search.MIN_SEARCHES_FOR_REDUCTION
        else None
    )
    return ServicePool(
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
    graph: NetworkGraph, pool: ServicePool, rows: np.ndarray, *, strikt: bool
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
    pool: ServicePool,
    rows: np.ndarray,
    *,
    strikt: bool,
    selection: str,
) -> pd.DataFrame:
    off = _off_network(graph, pool, rows, strikt=strikt)
    connected_rows = rows[pool.sources.connected[rows]]
    nodes, start, label = source_entries(graph, pool.sources, connected_rows)
    computed = choice.compiled_field(
        graph, pool.hierarchy, nodes, start, label,
        needed=snapped_origins,
    )
    if computed is not None:
        field = SourceField(seconds=computed[0], source=computed[1], predecessors=None)
    else:
        field = scipy_field(
            graph, pool.sources, rows=rows, matrix=pool.augmented(graph), reduced=pool.reduced
        )
    every_row = len(rows) == len(pool.sources)  # rows are distinct positions: all of them
    seconds, nearest_idx, _ = evaluate_origins(
        graph, field, snapped_origins, pool.sources, rows=None if every_row else rows
    )
    return _pool_frame(graph, snapped_origins, pool, rows, seconds, nearest_idx, off, selection)


def _pool_frame(
    graph: NetworkGraph,
    snapped_origins: SnappedPoints,
    pool: ServicePool,
    rows: np.ndarray,
    seconds: np.ndarray,
    nearest_idx: np.ndarray,
    off: list[str],
    selection: str,
) -> pd.DataFrame:
    """Return the result frame of one selection of the pool."""
    in_pool = np.where(np.isfinite(seconds), nearest_idx, -1)  # −1 picks the codes' last −1
    id_codes = pool.id_codes[in_pool]
    name_codes = pool.name_codes[in_pool]
    frame = result_frame(
        graph,
        snapped_origins,
        seconds,
        {
            "angebot_id": pd.Categorical.from_codes(id_codes, dtype=pool.id_dtype, validate=False),
            "angebot_name": pd.Categorical.from_codes(
                name_codes, dtype=pool.name_dtype, validate=False
            ),
            "auswahl": constant_column(selection, len(seconds)),
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
    selection = "|".join([frame_fingerprint(angebote), repr(typ), repr(canonical_filter(filter))])
    services = memoised(graph.memo, ("auswahl", selection),
                        lambda: selected_services(angebote, typ, filter))
    snapped_origins = snap_origins(graph, origins, max_anbindung_m)
    pool = service_pool(graph, services, max_anbindung_m, snapped_origins, searches=1,
                        selection=selection)
    return _nearest_in_pool(
        graph,
        snapped_origins,
        pool,
        np.arange(len(services)),
        strikt=strikt,
        selection=describe_selection(type_label(typ), filter),
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
    services = selected_services(angebote, None, filter)
    snapped_origins = snap_origins(graph, origins, max_anbindung_m)
    wanted = (
        sorted({str(t) for t in services["typ"].dropna().astype(str)})
        if typen is None
        else list(typen)
    )
    pool = service_pool(graph, services, max_anbindung_m, snapped_origins, searches=len(wanted))
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
    return _nearest_by_type_on_hierarchy(graph, snapped_origins, pool, selected, filter)


def _nearest_by_type_on_hierarchy(
    graph: NetworkGraph,
    snapped_origins: SnappedPoints,
    pool: ServicePool,
    selected: dict[str, tuple[np.ndarray, list[str]]],
    filter: Mapping[str, Any] | None,
) -> dict[str, pd.DataFrame]:
    """All types in one compiled call: one PHAST query per type, origins evaluated inside."""
    assert pool.hierarchy is not None
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
