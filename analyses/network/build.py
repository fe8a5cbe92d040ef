"""Building the graph of one profile from the network layers: :func:`build_graph` and its steps.

The steps work on plain arrays: checking the network layers, choosing the edges a profile can
pass (with their end nodes as matrix rows and their travel times), the symmetric CSR matrix,
the main network (snapping targets) and the edge geometries oriented from ``u`` to ``v``.
:mod:`analyses.network.reduction` uses :func:`symmetric_csr` as well. The graph object itself,
:class:`~analyses.network.graph.NetworkGraph`, and its cache live in :mod:`analyses.network.graph`
(which re-exports :func:`build_graph`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from analyses.network.profiles import (
    Profile,
    check_unknown_mode,
    default_unknown_mode,
    get_profile,
)
from layers.errors import AnalysisError, GeometryError
from layers.validation import require_crs

if TYPE_CHECKING:
    from analyses.network.graph import NetworkGraph

# From this many edges on, the CSR, the oriented geometries (:mod:`analyses.network.kernels.arrays`)
# and the snapping (:mod:`analyses.network.kernels.snap`) run compiled, and the graph keeps no
# shapely LineStrings (they are made from the coordinates when asked for): below it numpy and
# shapely are fast enough and numba (≈ 1 s to import) is not imported.
KERNEL_MIN_EDGES = 200_000

__all__ = [
    "KERNEL_MIN_EDGES",
    "NodeIndex",
    "build_graph",
    "PassableEdges",
    "check_network_layers",
    "main_network",
    "oriented_coords",
    "oriented_lines",
    "passable_edges",
    "symmetric_csr",
]


def build_graph(
    edges: gpd.GeoDataFrame,
    nodes: pd.DataFrame,
    profil: str | Profile,
    unbekannt: str | None = None,
    *,
    key: str = "",
) -> NetworkGraph:
    """Build the CSR graph of a pedestrian network for one profile.

    Parameters
    ----------
    edges
        ``netz_kanten``: LineStrings from node ``u`` to node ``v`` with ``kante_id``,
        ``laenge_m`` and the attributes the profile rules read (missing ones count as unknown);
        ``hauptnetz`` if present limits the snapping targets.
    nodes
        ``netz_knoten`` with ``knoten_id``, ``x`` and ``y`` (region CRS).
    profil
        Profile name or object.
    unbekannt
        ``"optimistisch"`` or ``"pessimistisch"``; default from ``data/profile.toml``.
    key
        Cache key to record (set by :func:`planungsraeume.netz.load_graph`).

    Returns
    -------
    NetworkGraph
        A new object; the inputs are not changed.

    Raises
    ------
    ProfileError
        Unknown profile or mode.
    AnalysisError
        Missing columns, edges whose end nodes are not in ``nodes``, no passable edge.
    CRSError
        If ``edges`` has no CRS.
    """
    from analyses.network.graph import NetworkGraph  # here: graph.py imports this module

    profile = get_profile(profil)
    mode = check_unknown_mode(unbekannt or default_unknown_mode())
    crs = check_network_layers(edges, nodes)
    node_ids = nodes["knoten_id"].to_numpy(dtype=np.int64)
    passable = passable_edges(edges, NodeIndex.of(node_ids), profile, mode)
    x, y = nodes["x"].to_numpy(dtype=float), nodes["y"].to_numpy(dtype=float)
    u, v = passable.u, passable.v
    matrix, entry_edge = symmetric_csr(u, v, passable.seconds, len(node_ids))
    large = len(u) >= KERNEL_MIN_EDGES
    if large:
        coords, offsets = _oriented_coords_compiled(passable.lines, x, y, u, passable.n_coords)
        passable.lines = passable.n_coords = np.empty(0)  # the graph keeps no LineStrings
    else:
        coords, offsets, lines = oriented_lines(passable.lines, x, y, u, v)
    graph = NetworkGraph(
        profil=profile, unbekannt=mode, crs=crs, key=key, knoten_id=node_ids, x=x, y=y,
        matrix=matrix, entry_edge=entry_edge, kante_id=passable.kante_id, edge_u=u, edge_v=v,
        edge_length_m=passable.length_m, edge_seconds=passable.seconds,
        edge_snappable=main_network(matrix, u, v, passable.hauptnetz),
        edge_coords=coords, edge_offsets=offsets,
        n_edges_input=len(edges), n_edges_blocked=passable.n_blocked,
    )
    if not large:
        graph._lines = lines  # the input geometries (oriented), no need to rebuild them
    return graph


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(
            f"Der Ebene '{name}' fehlen die Spalten {', '.join(missing)}.",
            hinweis="Bauen Sie die Region neu (sozialraum build --region <name> --force); das "
            "Netz muss aus layers.build.netz stammen oder dieselben Spalten haben.",
        )


def check_network_layers(edges: gpd.GeoDataFrame, nodes: pd.DataFrame) -> CRS:
    """Check ``netz_kanten`` and ``netz_knoten`` for a graph build; return the edges' CRS.

    Parameters
    ----------
    edges, nodes
        The network layers (see :func:`analyses.network.graph.build_graph`).

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CRSError
        If ``edges`` has no CRS.
    AnalysisError
        Missing columns or no edge at all.
    """
    if edges.crs is None:
        require_crs(edges, "EPSG:25832", name="netz_kanten")
    crs = CRS.from_user_input(edges.crs)
    _require_columns(edges, ("u", "v", "laenge_m"), "netz_kanten")
    _require_columns(nodes, ("knoten_id", "x", "y"), "netz_knoten")
    if len(edges) == 0:
        raise AnalysisError(
            "Das Fußwegenetz ist leer.",
            hinweis="Prüfen Sie den OSM-Ausschnitt der Region und bauen Sie sie neu.",
        )
    return crs


@dataclass(eq=False)
class NodeIndex:
    """Lookup from ``knoten_id`` to matrix rows (the position in ``netz_knoten``).

    Attributes
    ----------
    node_ids
        ``knoten_id`` of every row.
    order
        Rows sorted by ``knoten_id``.
    sorted_ids
        ``node_ids[order]``.
    identity
        Whether ``node_ids`` are already sorted (``order`` is then ``0 … n − 1``).
    """

    node_ids: np.ndarray
    order: np.ndarray
    sorted_ids: np.ndarray
    identity: bool = False

    @classmethod
    def of(cls, node_ids: np.ndarray) -> NodeIndex:
        """Index the node ids; they must be unique.

        Raises
        ------
        AnalysisError
            If a ``knoten_id`` occurs twice.
        """
        if len(node_ids) > 1 and bool(np.all(node_ids[1:] > node_ids[:-1])):
            return cls(node_ids=node_ids, order=np.arange(len(node_ids)), sorted_ids=node_ids,
                       identity=True)
        order = np.argsort(node_ids, kind="stable")
        sorted_ids = node_ids[order]
        if len(sorted_ids) > 1 and np.any(sorted_ids[1:] == sorted_ids[:-1]):
            raise AnalysisError(
                "In netz_knoten kommen knoten_id mehrfach vor.",
                hinweis="Bauen Sie die Region neu; jede knoten_id muss eindeutig sein.",
            )
        return cls(node_ids=node_ids, order=order, sorted_ids=sorted_ids)

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """Matrix rows of the given node ids.

        Raises
        ------
        AnalysisError
            If an id is not in ``netz_knoten``.
        """
        sorted_ids = self.sorted_ids
        n = len(sorted_ids)
        if n and int(sorted_ids[-1]) - int(sorted_ids[0]) == n - 1:  # consecutive ids
            rows: np.ndarray = ids - sorted_ids[0]
            inside = (rows >= 0) & (rows < n)
            if inside.all():
                return rows if self.identity else np.asarray(self.order[rows])
        pos = np.searchsorted(sorted_ids, ids)
        pos = np.clip(pos, 0, len(sorted_ids) - 1)
        found = sorted_ids[pos] == ids
        if not found.all():
            missing = np.unique(ids[~found])[:5]
            raise AnalysisError(
                f"{int((~found).sum())} Kanten verweisen auf Knoten, die in netz_knoten fehlen "
                f"(z. B. {', '.join(str(m) for m in missing)}).",
                hinweis="Bauen Sie die Region neu, damit Knoten und Kanten zusammenpassen.",
            )
        result: np.ndarray = self.order[pos]
        return result


@dataclass(eq=False)
class PassableEdges:
    """The edges a profile can pass, as arrays (one entry per passable input row).

    Attributes
    ----------
    rows
        Their rows in the input edge layer.
    u, v
        End nodes as matrix rows (int32).
    length_m, seconds
        Length and travel time.
    kante_id
        Edge ids (the input row if there is no ``kante_id`` column).
    lines
        The input geometries.
    hauptnetz
        The ``hauptnetz`` flag, or None if the layer has no such column.
    n_blocked
        Input edges the profile blocks.
    n_coords
        Number of coordinates of every line.
    """

    rows: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    seconds: np.ndarray
    kante_id: np.ndarray
    lines: np.ndarray
    hauptnetz: np.ndarray | None
    n_blocked: int
    n_coords: np.ndarray | None = None


def _edge_lengths(edges: gpd.GeoDataFrame) -> np.ndarray:
    length: np.ndarray = pd.to_numeric(edges["laenge_m"], errors="coerce").to_numpy(dtype=float)
    bad_length = ~np.isfinite(length) | (length < 0)
    if bad_length.any():
        first = int(np.flatnonzero(bad_length)[0])
        raise AnalysisError(
            f"{int(bad_length.sum())} Kanten haben keine gültige Länge (laenge_m), z. B. "
            f"Zeile {first + 2}.",
            hinweis="Bauen Sie die Region neu; laenge_m muss eine Zahl ≥ 0 sein.",
        )
    return length


def _edge_geometries(edges: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The geometries and their numbers of coordinates (0: missing or empty, refused)."""
    geoms: np.ndarray = edges.geometry.to_numpy()
    counts: np.ndarray = shapely.get_num_coordinates(geoms)
    missing_geom = counts == 0
    if missing_geom.any():
        raise GeometryError(
            f"{int(missing_geom.sum())} Kanten des Fußwegenetzes haben keine Geometrie.",
            hinweis="Bauen Sie die Region neu.",
        )
    return geoms, counts


def passable_edges(
    edges: gpd.GeoDataFrame, nodes: NodeIndex, profile: Profile, mode: str
) -> PassableEdges:
    """Return the edges the profile can pass in the unknown-tag mode, with their travel times.

    Raises
    ------
    AnalysisError
        Invalid lengths, no passable edge, end nodes missing from ``netz_knoten``.
    GeometryError
        Edges without geometry.
    """
    factors = profile.edge_factors(edges, mode)
    length = _edge_lengths(edges)
    passable = np.isfinite(factors)
    geoms, n_coords = _edge_geometries(edges)
    rows = np.flatnonzero(passable)
    if len(rows) == 0:
        raise AnalysisError(
            f"Im Profil '{profile.name}' ({mode}) ist keine einzige Kante passierbar.",
            hinweis="Prüfen Sie die Regeln in data/profile.toml.",
        )
    u = nodes.rows(edges["u"].to_numpy(dtype=np.int64)[rows]).astype(np.int32)
    v = nodes.rows(edges["v"].to_numpy(dtype=np.int64)[rows]).astype(np.int32)
    kante_id = (
        edges["kante_id"].to_numpy(dtype=np.int64)[rows]
        if "kante_id" in edges.columns
        else rows.astype(np.int64)
    )
    hauptnetz = (
        edges["hauptnetz"].astype("boolean").fillna(False).to_numpy(dtype=bool)[rows]
        if "hauptnetz" in edges.columns
        else None
    )
    return PassableEdges(
        rows=rows, u=u, v=v, length_m=length[rows],
        seconds=length[rows] * factors[rows] / profile.geschwindigkeit_m_s,
        kante_id=kante_id, lines=geoms[rows], hauptnetz=hauptnetz,
        n_blocked=int((~passable).sum()), n_coords=n_coords[rows],
    )


def main_network(
    matrix: csr_matrix, u: np.ndarray, v: np.ndarray, hauptnetz: np.ndarray | None
) -> np.ndarray:
    """Snapping targets: edges of the largest connected part (and of ``hauptnetz`` if given).

    Parameters
    ----------
    matrix
        The graph matrix (*n* × *n*).
    u, v
        End nodes of the edges (matrix rows).
    hauptnetz
        Per edge the ``hauptnetz`` flag, or None.

    Returns
    -------
    numpy.ndarray
        Boolean per edge.
    """
    n = matrix.shape[0]
    if len(u) >= KERNEL_MIN_EDGES:
        from analyses.network.kernels.arrays import components

        labels = components(matrix.indptr, matrix.indices)
    else:
        _, labels = connected_components(matrix, directed=False)
    used = np.zeros(n, dtype=bool)
    used[u] = True
    used[v] = True
    sizes = np.bincount(labels[used])
    main = int(np.argmax(sizes))
    snappable: np.ndarray = labels[u] == main
    if hauptnetz is not None:
        snappable &= hauptnetz
    return snappable


def symmetric_csr(
    u: np.ndarray, v: np.ndarray, weight: np.ndarray, n: int
) -> tuple[csr_matrix, np.ndarray]:
    """CSR matrix with both directions of every edge; parallel edges → the fastest one.

    scipy would *sum* duplicate entries when converting COO to CSR, so parallel edges are
    reduced to the fastest one first; self-loops never shorten a path and are left out. The
    conversion itself is scipy's linear-time COO → CSR; a second matrix with the same structure
    carries the edge row of every entry.

    Returns
    -------
    matrix, entry_edge
        The matrix and, per stored entry, the position of its edge in ``u``/``v``.
    """
    if len(u) >= KERNEL_MIN_EDGES:
        return _symmetric_csr_compiled(u, v, weight, n)
    keep = np.flatnonzero(u != v)
    lo = np.minimum(u[keep], v[keep]).astype(np.int64)
    hi = np.maximum(u[keep], v[keep]).astype(np.int64)
    pair = lo * n + hi
    order = np.argsort(pair, kind="stable")
    sorted_pair = pair[order]
    duplicate = np.zeros(len(order), dtype=bool)
    duplicate[1:] = sorted_pair[1:] == sorted_pair[:-1]
    if duplicate.any():
        # Among parallel edges keep the fastest: sort each group by weight, keep its first.
        order = order[np.lexsort((weight[keep][order], sorted_pair))]
        sorted_pair = pair[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = sorted_pair[1:] != sorted_pair[:-1]
        order = order[first]
    chosen = keep[order]
    del lo, hi, pair, order, sorted_pair, duplicate
    index_dtype = np.int32 if 2 * len(chosen) < np.iinfo(np.int32).max else np.int64
    entry_dtype = np.int32 if len(u) < np.iinfo(np.int32).max else np.int64
    # One COO → CSR conversion carries the edge row of every entry; the travel times are then
    # looked up through it (no second matrix, no float copy of the rows).
    entries = coo_matrix(
        (
            np.concatenate([chosen, chosen]).astype(entry_dtype),
            (np.concatenate([u[chosen], v[chosen]]), np.concatenate([v[chosen], u[chosen]])),
        ),
        shape=(n, n),
    ).tocsr()
    entries.sort_indices()
    entry: np.ndarray = entries.data
    matrix = csr_matrix(
        (
            np.asarray(weight, dtype=np.float64)[entry],
            entries.indices.astype(index_dtype, copy=False),
            entries.indptr.astype(index_dtype, copy=False),
        ),
        shape=(n, n),
        copy=False,
    )
    return matrix, entry


def _symmetric_csr_compiled(
    u: np.ndarray, v: np.ndarray, weight: np.ndarray, n: int
) -> tuple[csr_matrix, np.ndarray]:
    """:func:`symmetric_csr` by one counting pass and a sort per row (linear; the same arrays)."""
    from analyses.network.kernels.arrays import csr_entries

    weight = np.asarray(weight, dtype=np.float64)
    total = 2 * int(np.count_nonzero(u != v))
    index_dtype = np.int32 if total < np.iinfo(np.int32).max else np.int64
    entry_dtype = np.int32 if len(u) < np.iinfo(np.int32).max else np.int64
    indptr, indices, entry = csr_entries(u, v, weight, n, np.empty(total, index_dtype),
                                         np.empty(total, entry_dtype))
    matrix = csr_matrix(
        (weight[entry], indices.astype(index_dtype, copy=False),
         indptr.astype(index_dtype, copy=False)),
        shape=(n, n), copy=False,
    )
    return matrix, entry


def _oriented_coords_compiled(
    lines: np.ndarray, x: np.ndarray, y: np.ndarray, u: np.ndarray, counts: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`oriented_coords` reversing the runs in place (no index arrays per coordinate)."""
    from analyses.network.kernels.arrays import orient_runs

    coords = np.ascontiguousarray(shapely.get_coordinates(lines))
    if counts is None:
        counts = shapely.get_num_coordinates(lines)
    offsets = np.zeros(len(lines) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    orient_runs(coords, offsets, x, y, u)
    return coords, offsets


def oriented_coords(
    lines: np.ndarray, ux: np.ndarray, uy: np.ndarray, vx: np.ndarray, vy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat coordinates of the lines, each oriented to start at its ``u`` node.

    Returns
    -------
    coords, offsets, reverse
        The coordinates, the start offset of every line and which lines were reversed.
    """
    coords = shapely.get_coordinates(lines)
    counts = shapely.get_num_coordinates(lines)  # no index array of every coordinate
    offsets = np.zeros(len(lines) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    first = coords[offsets[:-1]]
    last = coords[offsets[1:] - 1]
    # A line runs from u if its first point is nearer to u than its last point is.
    d_first = (first[:, 0] - ux) ** 2 + (first[:, 1] - uy) ** 2
    d_last = (last[:, 0] - ux) ** 2 + (last[:, 1] - uy) ** 2
    reverse = d_last < d_first
    if reverse.any():
        # Reverse the coordinate runs of the reversed lines (vectorised).
        position = np.arange(len(coords)) - np.repeat(offsets[:-1], counts)
        flip = np.repeat(reverse, counts)
        source = np.where(
            flip, np.repeat(offsets[1:] - 1, counts) - position, np.arange(len(coords))
        )
        coords = coords[source]
    return np.ascontiguousarray(coords), offsets, reverse


def oriented_lines(
    lines: np.ndarray, x: np.ndarray, y: np.ndarray, u: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the edge geometries oriented from ``u`` to ``v``, flat and as LineStrings.

    Returns
    -------
    coords, offsets, lines
        As :func:`oriented_coords`, and the lines with the reversed ones reversed (a copy if any
        is reversed; else the input array).
    """
    coords, offsets, reverse = oriented_coords(lines, x[u], y[u], x[v], y[v])
    if reverse.any():
        lines = lines.copy()
        lines[reverse] = shapely.reverse(lines[reverse])
    return coords, offsets, lines
