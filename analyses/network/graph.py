"""The pedestrian network as arrays: one compact CSR graph per region, profile and mode.

:func:`build_graph` (in :mod:`analyses.network.build`, re-exported here) turns ``netz_knoten``
and ``netz_kanten`` into a :class:`NetworkGraph`: a symmetric ``scipy.sparse`` CSR matrix of
travel times in seconds (profile rules applied; blocked edges left out; parallel edges reduced
to the fastest), the index between matrix rows and ``knoten_id``, node coordinates, and the
passable edges with their geometry for snapping and isochrones. The reduction of a graph to a
query's terminals lives in :mod:`analyses.network.reduction` (also re-exported here).
Nothing here caches or reads a store: :func:`planungsraeume.netz.load_graph` builds the graph of
a region once per store version and profile (in the one result cache, with the arrays on disk) and
tells the graph where its contraction hierarchy lives (:attr:`NetworkGraph.hierarchy_file`) and
which :class:`HierarchyPool` may share one between proportional profiles.

Snapping targets: origins and services are attached only to edges of the profile's *main
network*, the largest connected part of the passable edges that also belongs to ``hauptnetz``.
A wheelchair user whose nearest footway lies in a courtyard reachable only by steps is attached
to the street instead, as in reality; whoever is farther than the snap limit from that network is
reported as "nicht angebunden".
"""

from __future__ import annotations

import hashlib
import importlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from scipy.sparse import csr_matrix

from analyses.network.build import build_graph, symmetric_csr
from analyses.network.profiles import Profile
from analyses.network.reduction import ReducedGraph, reduce_to_terminals, reduced_for
from layers.log import get_logger

if TYPE_CHECKING:
    from analyses.network.contraction import Hierarchy

__all__ = [
    "GRAPH_FORMAT_VERSION",
    "HIERARCHY_FORMAT_VERSION",
    "HIERARCHY_SHARE_SIZE",
    "USE_HIERARCHY",
    "HierarchyPool",
    "NetworkGraph",
    "ReducedGraph",
    "build_graph",
    "contraction_module",
    "contraction_module_if_loaded",
    "graph_from_arrays",
    "proportional_factor",
    "reduce_to_terminals",
    "reduced_for",
    "write_arrays",
]

# The former private name of :func:`analyses.network.build.symmetric_csr` (tests use it).
_symmetric_csr = symmetric_csr

log = get_logger("graph")

# Bump when the arrays' meaning or layout changes (invalidates the disk cache).
GRAPH_FORMAT_VERSION = 2
# Bump when the contraction hierarchy's arrays or algorithm change.
HIERARCHY_FORMAT_VERSION = 1
# Use the contraction hierarchy (numba) where it helps; False forces scipy's Dijkstra everywhere
# (the reference implementation; tests switch it off to check that both agree).
USE_HIERARCHY = True

_CONTRACTION: list[ModuleType | None] = []


def contraction_module() -> ModuleType | None:
    """:mod:`analyses.network.contraction` if numba can be imported (imported on first use), else None."""
    if not USE_HIERARCHY:
        return None
    if not _CONTRACTION:
        try:
            contraction = importlib.import_module("analyses.network.contraction")
        except ImportError as exc:  # numba missing or incompatible: scipy serves every query
            log.info("numba nicht verfügbar (%s); Wegezeiten mit scipy-Dijkstra.", exc)
            _CONTRACTION.append(None)
        else:
            _CONTRACTION.append(contraction)
    return _CONTRACTION[0]


def contraction_module_if_loaded() -> ModuleType | None:
    """:mod:`analyses.network.contraction` if it is already imported (never imports numba)."""
    return _CONTRACTION[0] if USE_HIERARCHY and _CONTRACTION else None


@dataclass(eq=False)
class NetworkGraph:
    """The pedestrian network of one region for one profile and unknown-tag mode.

    Attributes
    ----------
    profil
        The travel profile whose rules gave the weights.
    unbekannt
        ``"optimistisch"`` or ``"pessimistisch"``.
    crs
        The region CRS of all coordinates.
    key
        Cache key (hash of the sources, the profile's rules and the mode).
    knoten_id
        ``knoten_id`` of every matrix row (int64, length *n*).
    x, y
        Node coordinates (region CRS).
    matrix
        Symmetric CSR matrix (*n* × *n*) of travel times in seconds.
    entry_edge
        For every stored matrix entry, the row in the edge arrays of the edge it stands for (the
        fastest of parallel edges); used to turn node paths into edges.
    kante_id, edge_u, edge_v, edge_length_m, edge_seconds
        The passable edges: id, end nodes (matrix rows), length and travel time.
    edge_snappable
        Whether an edge belongs to the profile's main network (snapping target).
    edge_coords, edge_offsets
        Edge geometries as one coordinate array and start offsets (geometry *i* is
        ``edge_coords[edge_offsets[i]:edge_offsets[i+1]]``); always oriented from ``edge_u`` to
        ``edge_v``.
    n_edges_input, n_edges_blocked
        Edges in the input and edges the profile blocks.
    hierarchy_file
        Where the contraction hierarchy is kept on disk (set by the graph's owner; ``None``:
        in memory only).
    hierarchy_pool
        Contractions this graph may share with proportional graphs (set by its owner).
    search_costs
        Measured seconds of the searches on this graph (:mod:`analyses.network.choice`).
    """

    profil: Profile
    unbekannt: str
    crs: CRS
    key: str
    knoten_id: np.ndarray
    x: np.ndarray
    y: np.ndarray
    matrix: csr_matrix
    entry_edge: np.ndarray
    kante_id: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_seconds: np.ndarray
    edge_snappable: np.ndarray
    edge_coords: np.ndarray
    edge_offsets: np.ndarray
    n_edges_input: int = 0
    n_edges_blocked: int = 0
    _lines: np.ndarray | None = field(default=None, repr=False)
    _tree: Any = field(default=None, repr=False)
    _tree_edges: np.ndarray | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)
    _hierarchy: Hierarchy | None = field(default=None, repr=False)
    hierarchy_file: Path | None = field(default=None, repr=False)
    hierarchy_pool: HierarchyPool | None = field(default=None, repr=False)
    search_count: int = field(default=0, repr=False)
    search_costs: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes (matrix rows)."""
        return len(self.knoten_id)

    @property
    def speed(self) -> float:
        """Profile speed in m/s."""
        return self.profil.geschwindigkeit_m_s

    def edge_lines(self) -> np.ndarray:
        """Shapely LineStrings of the passable edges (built once)."""
        with self._lock:
            if self._lines is None:
                counts = np.diff(self.edge_offsets)
                index = np.repeat(np.arange(len(counts)), counts)
                self._lines = shapely.linestrings(self.edge_coords, indices=index)
            return self._lines

    def snap_tree(self) -> tuple[shapely.STRtree, np.ndarray]:
        """STRtree over the snappable edges and the edge rows it indexes (built once)."""
        lines = self.edge_lines()
        with self._lock:
            if self._tree is None:
                rows = np.flatnonzero(self.edge_snappable)
                self._tree = shapely.STRtree(lines[rows])
                self._tree_edges = rows
            assert self._tree_edges is not None
            return self._tree, self._tree_edges

    def hierarchy(self, *, build: bool = True) -> Hierarchy | None:
        """The contraction hierarchy of this graph (:mod:`analyses.network.contraction`), made once.

        Kept on the graph and, where its owner set :attr:`hierarchy_file`, in that file. With a
        :attr:`hierarchy_pool`, a graph whose travel times are proportional to those of a graph
        contracted before (same passable edges and factors, only another speed) reuses that
        contraction, scaled.

        Parameters
        ----------
        build
            Build it if it is neither in memory nor on disk (else return None).

        Returns
        -------
        Hierarchy or None
            None if numba is not available (or :data:`USE_HIERARCHY` is off), or if ``build``
            is false and nothing is cached. numba is imported only when needed.
        """
        if not USE_HIERARCHY:
            return None
        if self._hierarchy is not None:
            # only usable with the kernels (numba could have been switched off meanwhile)
            return self._hierarchy if contraction_module() is not None else None
        path = self._hierarchy_path()
        if not build and (path is None or not path.exists()):
            return None
        contraction = contraction_module()
        if contraction is None:
            return None
        with self._lock:
            if self._hierarchy is None:
                if path is not None and path.exists():
                    try:
                        with np.load(path, allow_pickle=False) as data:
                            arrays = {name: data[name] for name in data.files}
                        self._hierarchy = contraction.hierarchy_from_arrays(arrays)
                    except (OSError, ValueError, KeyError) as exc:
                        log.warning("Hierarchie-Cache %s unlesbar (%s); baue neu.", path, exc)
                if self._hierarchy is None and build:
                    pool = self.hierarchy_pool
                    self._hierarchy = (pool.contract(self.matrix, contraction) if pool is not None
                                       else contraction.build_hierarchy(self.matrix))
                    if path is not None:
                        write_arrays(path, self._hierarchy.to_arrays())
            return self._hierarchy

    def _hierarchy_path(self) -> Path | None:
        return self.hierarchy_file

    def edges_frame(self, rows: np.ndarray | None = None) -> gpd.GeoDataFrame:
        """Return the passable edges (or the given rows) as a GeoDataFrame."""
        rows = np.arange(len(self.kante_id)) if rows is None else np.asarray(rows)
        return gpd.GeoDataFrame(
            {
                "kante_id": self.kante_id[rows],
                "u": self.knoten_id[self.edge_u[rows]],
                "v": self.knoten_id[self.edge_v[rows]],
                "laenge_m": self.edge_length_m[rows],
                "sekunden": self.edge_seconds[rows],
            },
            geometry=self.edge_lines()[rows],
            crs=self.crs,
        )

    def entry_for(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Edge rows of the matrix entries ``a → b`` (−1 where there is no edge)."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        result = np.full(len(a), -1, dtype=np.int64)
        indptr, indices = self.matrix.indptr, self.matrix.indices
        for i, (row, col) in enumerate(zip(a, b, strict=True)):
            start, end = indptr[row], indptr[row + 1]
            pos = start + np.searchsorted(indices[start:end], col)
            if pos < end and indices[pos] == col:
                result[i] = self.entry_edge[pos]
        return result

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Return the arrays that :func:`graph_from_arrays` restores (for the disk cache)."""
        return {
            "knoten_id": self.knoten_id,
            "x": self.x,
            "y": self.y,
            "indptr": self.matrix.indptr,
            "indices": self.matrix.indices,
            "data": self.matrix.data,
            "entry_edge": self.entry_edge,
            "kante_id": self.kante_id,
            "edge_u": self.edge_u,
            "edge_v": self.edge_v,
            "edge_length_m": self.edge_length_m,
            "edge_seconds": self.edge_seconds,
            "edge_snappable": self.edge_snappable,
            "edge_coords": self.edge_coords,
            "edge_offsets": self.edge_offsets,
            "counts": np.array([self.n_edges_input, self.n_edges_blocked], dtype=np.int64),
        }


def graph_from_arrays(
    arrays: dict[str, np.ndarray], profil: Profile, unbekannt: str, crs: CRS, key: str
) -> NetworkGraph:
    """Rebuild a :class:`NetworkGraph` from :meth:`NetworkGraph.to_arrays`."""
    n = len(arrays["knoten_id"])
    matrix = csr_matrix(
        (arrays["data"], arrays["indices"], arrays["indptr"]), shape=(n, n), copy=False
    )
    counts = arrays["counts"]
    a = arrays
    return NetworkGraph(
        profil=profil, unbekannt=unbekannt, crs=crs, key=key, knoten_id=a["knoten_id"],
        x=a["x"], y=a["y"], matrix=matrix, entry_edge=a["entry_edge"], kante_id=a["kante_id"],
        edge_u=a["edge_u"], edge_v=a["edge_v"], edge_length_m=a["edge_length_m"],
        edge_seconds=a["edge_seconds"], edge_snappable=a["edge_snappable"].astype(bool),
        edge_coords=a["edge_coords"], edge_offsets=a["edge_offsets"],
        n_edges_input=int(counts[0]), n_edges_blocked=int(counts[1]),
    )


# --------------------------------------------------------------------------------------------
# Contraction hierarchies, shared between graphs with proportional travel times
# --------------------------------------------------------------------------------------------

HIERARCHY_SHARE_SIZE = 8


def proportional_factor(data: np.ndarray, reference: np.ndarray) -> float | None:
    """``c`` with ``data == c × reference`` (relative 1e-9), or None if there is none.

    Zero travel times must coincide. This is how profiles that differ only in speed (the same
    passable edges with the same factors) are recognised from their weights, not their names.
    """
    if data.shape != reference.shape:
        return None
    positive = reference > 0
    if not np.array_equal(positive, data > 0):
        return None
    if not positive.any():
        return 1.0
    ratio = data[positive] / reference[positive]
    factor = float(np.median(ratio))
    if not np.allclose(ratio, factor, rtol=1e-9, atol=0.0):
        return None
    return factor


class HierarchyPool:
    """Contraction hierarchies that proportional graphs may share (one pool per region version).

    Scaling every arc of a contraction hierarchy by ``c`` gives a contraction hierarchy of the
    scaled graph: shortcuts and witnesses compare sums of arc lengths, all scaled alike. A graph
    whose travel times are ``c`` times those of a graph contracted before (the same passable
    edges, another speed) therefore reuses that contraction, scaled. The pool is an object its
    owner keeps (:mod:`planungsraeume.netz`), not module state.

    Parameters
    ----------
    size
        How many contractions to keep (most recent last).
    """

    def __init__(self, size: int = HIERARCHY_SHARE_SIZE) -> None:
        self.size = size
        self._known: OrderedDict[str, tuple[np.ndarray, Hierarchy]] = OrderedDict()
        self._lock = threading.Lock()

    def contract(self, matrix: csr_matrix, contraction: ModuleType) -> Hierarchy:
        """Contract the matrix, or scale the contraction of a proportional matrix seen before."""
        digest = hashlib.sha1(matrix.indptr.tobytes())
        digest.update(matrix.indices.tobytes())
        structure = digest.hexdigest()
        with self._lock:
            known = self._known.get(structure)
        if known is not None:
            factor = proportional_factor(matrix.data, known[0])
            if factor is not None:
                base = known[1]
                log.info("Kontraktionshierarchie geteilt (Fahrzeiten × %.4f).", factor)
                return replace(base, up_seconds=base.up_seconds * factor,
                               core_seconds=base.core_seconds * factor, build_seconds=0.0,
                               shared=True)
        hierarchy: Hierarchy = contraction.build_hierarchy(matrix)
        log.info("Kontraktionshierarchie: %d Knoten, %d Bögen, Kern %d Knoten, %.2f s",
                 hierarchy.n_nodes, hierarchy.n_arcs, hierarchy.n_core, hierarchy.build_seconds)
        with self._lock:
            self._known[structure] = (matrix.data, hierarchy)
            self._known.move_to_end(structure)
            while len(self._known) > self.size:
                self._known.popitem(last=False)
        return hierarchy


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write arrays as ``.npz`` atomically: a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{threading.get_ident()}.tmp.npz")
    try:
        savez: Any = np.savez  # numpy's stub types **arrays too narrowly
        savez(tmp, **arrays)
        tmp.replace(path)
    except OSError as exc:  # the cache is an optimisation; failing to write it is not an error
        log.warning("Graph-Cache %s nicht schreibbar (%s).", path, exc)
        tmp.unlink(missing_ok=True)
