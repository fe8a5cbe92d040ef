"""The network graph of a region store, built once per store version, profile and mode.

:func:`load_graph` reads ``netz_knoten`` and ``netz_kanten`` and builds the graph with
:func:`analyses.network.build.build_graph` (pure). The graph is kept in the one result cache
(:mod:`planungsraeume.cache`, memory) and its arrays on disk (``<cache>/graphen/<key>.npz``), so a
restarted app does not build it again; its contraction hierarchy is written next to it. Graphs of
profiles that differ only in speed share one contraction through the store's
:class:`~analyses.network.graph.HierarchyPool`. :meth:`planungsraeume.region.Region.graph` is the
way pages and commands get a graph; this module is what it calls.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from analyses.network.graph import (
    GRAPH_FORMAT_VERSION,
    HIERARCHY_FORMAT_VERSION,
    HierarchyPool,
    NetworkGraph,
    build_graph,
    graph_from_arrays,
    write_arrays,
)
from analyses.network.profiles import (
    EDGE_COLUMNS,
    Profile,
    check_unknown_mode,
    default_unknown_mode,
    get_profile,
)
from layers import settings
from layers.log import get_logger
from layers.store import RegionStore
from planungsraeume.cache import results

__all__ = ["graph_cache_dir", "graph_key", "load_graph"]

log = get_logger("graph")


def graph_cache_dir() -> Path:
    """Directory of the graphs kept on disk (``<cache>/graphen``)."""
    return settings.cache_dir / "graphen"


def _store_identity(store: RegionStore) -> list[str]:
    return [str(getattr(store, "path", type(store).__name__)), store.version_token()]


def graph_key(store: RegionStore, profil: Profile, unbekannt: str) -> str:
    """Key of a store's graph: store identity and version, profile rules, mode, format."""
    parts = [*_store_identity(store), profil.name, profil.fingerprint(), unbekannt,
             f"format={GRAPH_FORMAT_VERSION}"]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _pool(store: RegionStore) -> HierarchyPool:
    """The contractions the graphs of one store version share."""
    return results.get_or_compute("kontraktionen", {"speicher": _store_identity(store)},
                                  HierarchyPool, disk=False)


def load_graph(
    store: RegionStore,
    profil: str | Profile,
    unbekannt: str | None = None,
    *,
    disk_cache: bool = True,
) -> NetworkGraph:
    """The graph of a region store for one profile, built once and then cached.

    Parameters
    ----------
    store
        The region store (reads ``netz_knoten`` and ``netz_kanten``).
    profil
        Profile name or object.
    unbekannt
        ``"optimistisch"`` or ``"pessimistisch"``; default from ``data/profile.toml``.
    disk_cache
        Also keep the arrays and the hierarchy in ``<cache>/graphen/`` (survives restarts).

    Returns
    -------
    NetworkGraph
        Shared between callers: treat as read-only.
    """
    profile = get_profile(profil)
    mode = check_unknown_mode(unbekannt or default_unknown_mode())
    key = graph_key(store, profile, mode)
    inputs = {"schluessel": key, "platte": disk_cache}
    return results.get_or_compute(
        "wegenetz", inputs, lambda: _graph(store, profile, mode, key, disk_cache), disk=False)


def _graph(store: RegionStore, profile: Profile, mode: str, key: str, disk_cache: bool) -> NetworkGraph:
    folder = graph_cache_dir()
    path = folder / f"{key}.npz"
    graph = _read(path, profile, mode, store, key) if disk_cache else None
    if graph is None:
        columns = ["kante_id", "u", "v", "hauptnetz", *EDGE_COLUMNS]
        available = set(store.read_layer("netz_kanten", where="1 = 0").columns)
        edges = store.read_layer("netz_kanten", columns=[c for c in columns if c in available])
        nodes = store.read_layer("netz_knoten", columns=["knoten_id", "x", "y"])
        graph = build_graph(edges, nodes, profile, mode, key=key)
        if disk_cache:
            write_arrays(path, graph.to_arrays())
    if disk_cache:
        graph.hierarchy_file = folder / f"{key}.ch{HIERARCHY_FORMAT_VERSION}.npz"
    graph.hierarchy_pool = _pool(store)
    return graph


def _read(path: Path, profile: Profile, mode: str, store: RegionStore,
          key: str) -> NetworkGraph | None:
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        return graph_from_arrays(arrays, profile, mode, store.crs, key)
    except (OSError, ValueError, KeyError) as exc:  # a damaged file is rebuilt
        log.warning("Graph-Cache %s unlesbar (%s); baue neu.", path, exc)
        return None
