"""Reduction of a graph to its terminals: fewer nodes, the same distances between them.

A query whose origins and targets sit on few edges of a large network can skip everything no
shortest path between them uses. :func:`reduce_to_terminals` removes dead ends without a
terminal and bridges chains of degree-2 nodes (both exact, as in Steiner-tree preprocessing);
:func:`reduced_for` memoises the result on the graph, keyed by the terminal set.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix

from analyses.network.build import symmetric_csr

if TYPE_CHECKING:
    from analyses.network.graph import NetworkGraph
    from analyses.network.snapping import SnappedPoints

__all__ = ["ReducedGraph", "reduce_to_terminals", "reduced_for", "terminal_nodes"]

# Reductions kept per graph (in ``NetworkGraph.memo``, shared with the snapping memo).
_MEMO_SIZE = 16


@dataclass(eq=False)
class ReducedGraph:
    """The graph reduced to what matters for a set of terminal nodes, with exact distances.

    Attributes
    ----------
    matrix
        Symmetric CSR matrix (*m* × *m*) of travel times between the kept nodes.
    node_map
        For every node of the full graph its row in ``matrix``, −1 if removed.
    """

    matrix: csr_matrix
    node_map: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of kept nodes."""
        return int(self.matrix.shape[0])


@dataclass(eq=False)
class _Adjacency:
    """The CSR arrays of a symmetric graph as int64, with a vectorised neighbour lookup."""

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray

    def neighbours(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (row, neighbour, weight) of every matrix entry of the given rows."""
        counts = self.indptr[rows + 1] - self.indptr[rows]
        total = int(counts.sum())
        starts = np.repeat(self.indptr[rows], counts)
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        position = starts + within
        return np.repeat(rows, counts), self.indices[position], self.weights[position]


def reduce_to_terminals(graph: NetworkGraph, terminals: np.ndarray) -> ReducedGraph:
    """Remove what no shortest path between terminals can use, keeping distances exact.

    Two exact reductions, as in Steiner-tree preprocessing:

    1. dead ends: a node of degree ≤ 1 that is not a terminal is removed, repeatedly (whole
       cul-de-sacs, driveways and park paths without any origin or service on them); a way into
       a dead end and back is never part of a shortest path;
    2. chains: a non-terminal node of degree 2 is bridged by one edge between its neighbours
       with the summed time (the fastest if several chains join the same pair).

    Terminals are the end nodes of every edge an origin or a target is attached to, so all
    points stay on unchanged edges between kept nodes. On the Aachen cells this keeps about
    half of the nodes and makes each Dijkstra run correspondingly faster.

    Parameters
    ----------
    graph
        The full graph.
    terminals
        Boolean mask (length *n*) of nodes that must be kept.

    Returns
    -------
    ReducedGraph
    """
    matrix = graph.matrix
    n = graph.n_nodes
    adjacency = _Adjacency(
        matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64), matrix.data
    )
    terminal = np.asarray(terminals, dtype=bool)
    degree = np.diff(adjacency.indptr)
    alive = _peel_dead_ends(adjacency, terminal, degree, n)
    chain = alive & (degree == 2) & ~terminal
    kept_rows = np.flatnonzero(alive & ~chain)
    start, end, seconds = _bridge_chains(adjacency, alive, chain, kept_rows, n)
    node_map = np.full(n, -1, dtype=np.int64)
    node_map[kept_rows] = np.arange(len(kept_rows))
    reduced, _ = symmetric_csr(node_map[start], node_map[end], seconds, len(kept_rows))
    return ReducedGraph(matrix=reduced, node_map=node_map)


def _peel_dead_ends(
    adjacency: _Adjacency, terminal: np.ndarray, degree: np.ndarray, n: int
) -> np.ndarray:
    """Remove non-terminal leaves, one layer per round; return the mask of nodes left.

    ``degree`` is updated in place to the degrees among the nodes left.
    """
    alive: np.ndarray = (degree > 0) | terminal
    while True:
        leaves = np.flatnonzero(alive & (degree <= 1) & ~terminal)
        if len(leaves) == 0:
            return alive
        alive[leaves] = False
        _, nb, _ = adjacency.neighbours(leaves)
        nb = nb[alive[nb]]
        degree -= np.bincount(nb, minlength=n)


def _chain_ends(
    adjacency: _Adjacency, alive: np.ndarray, chain_rows: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per chain node its two live neighbours and the times to them (−1 / 0 elsewhere)."""
    first_nb = np.full(n, -1, dtype=np.int64)
    second_nb = np.full(n, -1, dtype=np.int64)
    first_w = np.zeros(n)
    second_w = np.zeros(n)
    if len(chain_rows):
        row, nb, w = adjacency.neighbours(chain_rows)
        live = alive[nb]
        row, nb, w = row[live], nb[live], w[live]
        # every chain node has exactly two live neighbours: the first and the last entry
        first = np.ones(len(row), dtype=bool)
        first[1:] = row[1:] != row[:-1]
        first_nb[row[first]] = nb[first]
        first_w[row[first]] = w[first]
        last = np.ones(len(row), dtype=bool)
        last[:-1] = row[1:] != row[:-1]
        second_nb[row[last]] = nb[last]
        second_w[row[last]] = w[last]
    return first_nb, second_nb, first_w, second_w


def _bridge_chains(
    adjacency: _Adjacency,
    alive: np.ndarray,
    chain: np.ndarray,
    kept_rows: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges between kept nodes: every arc of a kept node followed through its chain.

    Returns the start node, end node and summed seconds of every such walk (all walks advance
    together, one chain node per round).
    """
    chain_rows = np.flatnonzero(chain)
    first_nb, second_nb, first_w, second_w = _chain_ends(adjacency, alive, chain_rows, n)
    start, cur, acc = adjacency.neighbours(kept_rows)
    live = alive[cur]
    start, cur, acc = start[live], cur[live], acc[live].copy()
    prev = start.copy()
    walking = chain[cur]
    for _ in range(len(chain_rows) + 1):
        if not walking.any():
            break
        at = cur[walking]
        came = prev[walking]
        forward = first_nb[at] == came
        step_to = np.where(forward, second_nb[at], first_nb[at])
        step_w = np.where(forward, second_w[at], first_w[at])
        acc[walking] += step_w
        prev[walking] = at
        cur[walking] = step_to
        walking[walking] = chain[step_to]
    return start, cur, acc


def reduced_for(graph: NetworkGraph, terminal_nodes: np.ndarray) -> ReducedGraph:
    """:func:`reduce_to_terminals` for the given terminal node rows, memoised on the graph.

    Parameters
    ----------
    graph
        The full graph (its ``memo`` keeps the last reductions).
    terminal_nodes
        Rows of the nodes that must be kept (duplicates allowed).

    Returns
    -------
    ReducedGraph
    """
    nodes = np.unique(np.asarray(terminal_nodes, dtype=np.int64))
    key = ("reduziert", hashlib.sha1(nodes.tobytes()).hexdigest())
    cached = graph.memo.get(key)
    if cached is None:
        mask = np.zeros(graph.n_nodes, dtype=bool)
        mask[nodes] = True
        cached = reduce_to_terminals(graph, mask)
        if len(graph.memo) >= _MEMO_SIZE:
            graph.memo.pop(next(iter(graph.memo)))
        graph.memo[key] = cached
    result: ReducedGraph = cached
    return result


def terminal_nodes(graph: NetworkGraph, *groups: SnappedPoints) -> np.ndarray:
    """End nodes of every edge a connected point of the groups is attached to.

    These are the terminals of a query (:func:`reduced_for`): every point stays on an unchanged
    edge between kept nodes.
    """
    parts = []
    for points in groups:
        edges = points.edge[points.connected]
        parts += [graph.edge_u[edges], graph.edge_v[edges]]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
