"""Routes: the edges of each origin's fastest way to its nearest target."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.network.graph import NetworkGraph
from analyses.network.inputs import Origins, snap_origins, snap_targets
from analyses.network.results import stamp
from analyses.network.search import evaluate_origins, source_field
from analyses.network.snapping import DEFAULT_MAX_SNAP_M

__all__ = ["routes_to_nearest"]


def routes_to_nearest(
    graph: NetworkGraph,
    origins: Origins,
    targets: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
    name: str = "Ziele",
) -> pd.DataFrame:
    """Return the edges of each origin's fastest route to its nearest target.

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
    return stamp(frame, graph)
