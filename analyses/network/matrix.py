"""Counts and sparse matrices of travel times up to a cutoff.

:func:`travel_time_matrix` gives the sparse origins × sites matrix of travel times up to a
cutoff (the input of 2SFCA and of coverage models), as a :class:`TravelTimeMatrix`;
:func:`count_within` counts per origin the targets reachable within *T* minutes. Both run
bounded Dijkstra searches with scipy (a bound makes the contraction hierarchy pointless).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import coo_array, csr_array
from scipy.sparse.csgraph import dijkstra

from analyses.network import search
from analyses.network.graph import NetworkGraph
from analyses.network.inputs import (
    Origins,
    check_minutes,
    snap_origins,
    snap_targets,
    target_ids,
)
from analyses.network.reduction import reduced_for, terminal_nodes
from analyses.network.results import STATUS_NOT_CONNECTED, STATUS_REACHABLE, STATUSES, stamp
from analyses.network.search import augmented_matrix
from analyses.network.shared_edges import direct_seconds, same_edge_pairs
from analyses.network.snapping import DEFAULT_MAX_SNAP_M, SnappedPoints
from layers.errors import AnalysisError

__all__ = ["TravelTimeMatrix", "count_within", "travel_time_matrix"]


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
        """Count the sites reachable within ``minuten`` per origin (indexed like the origins)."""
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
    processed in blocks that fit a fixed memory budget; pairs beyond the cutoff are not stored.
    This is the input of 2SFCA and of coverage models (MCLP) over candidate sites.

    Parameters
    ----------
    graph, origins, ziel_id, max_anbindung_m, name
        As in :func:`analyses.network.search.nearest`.
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
    ids = target_ids(sites, ziel_id)
    sources, off = snap_targets(
        graph, sites, max_anbindung_m, name=name, labels=[str(i) for i in ids]
    )
    pairs = _network_pairs(graph, snapped_origins, sources, limit_s)
    # Origins sharing an edge with a site: the direct way along the edge may be shorter.
    o_idx, s_idx = same_edge_pairs(snapped_origins, sources)
    if len(o_idx):
        along = direct_seconds(graph, snapped_origins, sources, o_idx, s_idx)
        keep = along <= limit_s
        pairs.append((o_idx[keep], s_idx[keep], along[keep]))
    shape = (len(snapped_origins), len(sources))
    ok = snapped_origins.connected
    return TravelTimeMatrix(
        minuten=_fastest_per_pair(pairs, shape),
        origin_index=snapped_origins.index,
        site_ids=np.asarray(ids, dtype=object),
        max_minuten=limit_min,
        profil=graph.profil.name,
        unbekannt=graph.unbekannt,
        origin_status=np.where(ok, STATUS_REACHABLE, STATUS_NOT_CONNECTED),
        nicht_angebundene_ziele=off,
    )


_Pairs = list[tuple[np.ndarray, np.ndarray, np.ndarray]]


def _network_pairs(
    graph: NetworkGraph, origins: SnappedPoints, sources: SnappedPoints, limit_s: float
) -> _Pairs:
    """(origin, site, seconds) of every pair within the limit via the network, in blocks.

    One bounded Dijkstra per connected site from its virtual node, as many sites per block as
    fit :data:`analyses.network.search.BLOCK_BUDGET_BYTES`.
    """
    k = len(sources)
    reduced = (
        reduced_for(graph, terminal_nodes(graph, origins, sources))
        if int(sources.connected.sum()) >= search.MIN_SEARCHES_FOR_REDUCTION
        else None
    )
    n = graph.n_nodes if reduced is None else reduced.n_nodes
    node_map = np.arange(graph.n_nodes) if reduced is None else reduced.node_map
    matrix = augmented_matrix(graph, sources, reduced)
    o_rows = np.flatnonzero(origins.connected)
    a = node_map[graph.edge_u[origins.edge[o_rows]]]
    b = node_map[graph.edge_v[origins.edge[o_rows]]]
    cu = origins.cost_u[o_rows]
    cv = origins.cost_v[o_rows]
    connected_sites = np.flatnonzero(sources.connected)
    block = max(1, int(search.BLOCK_BUDGET_BYTES // (8 * (n + k) * 2)))
    pairs: _Pairs = []
    for start in range(0, len(connected_sites), block):
        chunk = connected_sites[start : start + block]
        dist = dijkstra(matrix, directed=True, indices=n + chunk, limit=limit_s)
        times = np.minimum(cu[None, :] + dist[:, a], cv[None, :] + dist[:, b])
        site_pos, origin_pos = np.nonzero(times <= limit_s)
        pairs.append((o_rows[origin_pos], chunk[site_pos], times[site_pos, origin_pos]))
    return pairs


def _fastest_per_pair(pairs: _Pairs, shape: tuple[int, int]) -> csr_array:
    """Return the minutes matrix, keeping the minimum per pair (network way vs. direct way)."""
    rows = np.concatenate([p[0] for p in pairs]) if pairs else np.zeros(0, dtype=np.int64)
    cols = np.concatenate([p[1] for p in pairs]) if pairs else np.zeros(0, dtype=np.int64)
    vals = np.concatenate([p[2] for p in pairs]) if pairs else np.zeros(0)
    order = np.lexsort((vals, cols, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    coo = coo_array((vals[first] / 60.0, (rows[first], cols[first])), shape=shape)
    return coo.tocsr()


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
    return stamp(frame, graph, minuten=float(minuten))

