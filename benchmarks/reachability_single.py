"""Single questions against bare scipy (part of :mod:`reachability`): one question, N services.

For N = 1, 10, 50, 200 services (points drawn on the network) and one nearest-service question
each, our engine (:func:`analyses.network.search.nearest_service` on snapped origins, with its
result frame) is timed against bare ``scipy.sparse.csgraph.dijkstra(min_only=True)`` from the
services' nearest nodes on the same matrix, in interleaved runs (the sides in a new random order
per round, so that none always finds the matrix warm from the one before); the ratio is the
median of our times ÷ the median of scipy's. Two states of the graph are measured:

* **mit Hierarchie** – the graph as the app holds it after its first batch of questions or
  from the disk cache (its contraction hierarchy exists; the engine chooses per question);
* **frisch** – a graph built anew that has no hierarchy yet (kept so during the runs; the
  engine would build one after :data:`analyses.network.search.HIERARCHY_AFTER_SEARCHES`
  questions) – the engine chooses between the bounded compiled Dijkstra and scipy by what it
  measured on that graph.
"""

from __future__ import annotations

import gc
import time
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra

__all__ = ["SERVICE_COUNTS", "single_questions"]

SERVICE_COUNTS = (1, 10, 50, 200)


def _services(graph: Any, count: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """``count`` services at random positions on snappable edges."""
    edges = rng.choice(np.flatnonzero(graph.edge_snappable), count, replace=False)
    points = shapely.line_interpolate_point(graph.edge_lines()[edges], rng.uniform(0, 1, count),
                                            normalized=True)
    frame = gpd.GeoDataFrame(
        {"angebot_id": [f"t{i}" for i in range(count)], "typ": "Test"},
        geometry=points,
        crs=graph.crs,
    )
    return frame


def _nearest_nodes(graph: Any, services: gpd.GeoDataFrame) -> np.ndarray:
    from analyses.network.snapping import snap_points

    snapped = snap_points(graph, services, name="angebote")
    ok = snapped.connected
    u = graph.edge_u[snapped.edge[ok]]
    v = graph.edge_v[snapped.edge[ok]]
    return np.unique(np.where(snapped.frac[ok] <= 0.5, u, v))


def single_questions(
    graphs: dict[str, Any], origins: dict[str, Any], repeat: int, seed: int
) -> dict[str, Any]:
    """Time one question per service count on each graph state against bare scipy.

    Parameters
    ----------
    graphs, origins
        State name → graph, and → its snapped origins (both states share the matrix).
    repeat
        Interleaved repetitions (after one warm-up round, which also lets the engine measure).
    seed
        For the service positions.

    Returns
    -------
    dict
        Per state and N: our median, scipy's median and the ratio.
    """
    from analyses.network.search import nearest_service

    rng = np.random.default_rng(seed)
    reference = next(iter(graphs.values()))
    services = {count: _services(reference, count, rng) for count in SERVICE_COUNTS}
    for graph in graphs.values():  # snapped once into each graph's memo, like scipy's nodes
        for frame in services.values():
            _nearest_nodes(graph, frame)
    nodes = {count: _nearest_nodes(reference, frame) for count, frame in services.items()}
    times: dict[tuple[str, int], list[float]] = {}
    # No gc.collect() between the runs (unlike the batch timings of reachability.py): it evicts
    # the CPU caches, which costs a call of 1–3 ms about 1 ms more on both sides.
    gc.collect()
    # The sides run in a new random order per round: whoever runs right after a search on the
    # same matrix finds it in the CPU caches (a fixed order "ours, then scipy" gave scipy that
    # advantage every time: ≈ 0.3 ms of 2–3 ms).
    order_rng = np.random.default_rng(seed + 1)
    sides = [*graphs, "scipy"]
    for round_ in range(repeat + 2):  # two warm-up rounds: caches, and the engine's measurements
        for count in SERVICE_COUNTS:
            for side in order_rng.permutation(sides).tolist():
                started = time.perf_counter()
                if side == "scipy":
                    dijkstra(reference.matrix, directed=True, indices=nodes[count], min_only=True)
                else:
                    nearest_service(graphs[side], origins[side], services[count], "Test")
                elapsed = time.perf_counter() - started
                if round_ >= 2:
                    times.setdefault((side, count), []).append(elapsed)
    result: dict[str, Any] = {}
    print(f"\nEine Frage je Anzahl Angebote gegen bare scipy dijkstra(min_only=True), gleiche "
          f"Matrix; Median von {repeat} abwechselnden Läufen (unsere Zeit mit Ergebnistabelle):")
    for state, graph in graphs.items():
        ratios = {}
        for count in SERVICE_COUNTS:
            ours = float(np.median(times[(state, count)]))
            theirs = float(np.median(times[("scipy", count)]))
            ratios[count] = {"unsere_s": ours, "scipy_s": theirs, "faktor": ours / theirs}
        worst = max(r["faktor"] for r in ratios.values())
        print(f"  {state:<15} " + "  ".join(
            f"N={c}: {r['faktor']:.2f} ({1000 * r['unsere_s']:.1f} / {1000 * r['scipy_s']:.1f} ms)"
            for c, r in ratios.items()) + f"   höchstens {worst:.2f} (Ziel ≤ 1,0: "
            f"{'ja' if worst <= 1.0 else 'NEIN'})")
        print(f"  {'':<15} gemessene Kosten: " + ", ".join(
            f"{k} {v:.3g}" for k, v in sorted(graph.search_costs.items())))
        result[state] = {"je_n": ratios, "hoechstens": worst,
                         "kosten": dict(graph.search_costs)}
    return result
