"""Benchmark of the reachability engine (issue #3, #3b).

Two modes:

``python benchmarks/reachability.py [--region aachen] [--repeat 7] [--json FILE]``
    On the demo region: travel times from all populated grid cells to the nearest service of
    every type, for every profile (4 × 19 = 76 multi-source questions), with

    * our engine (:func:`analyses.network.search.nearest_by_type`: the contraction hierarchy of
      each profile's graph, one PHAST query per type in one compiled call, result frames with
      ids, names and statuses),
    * the same engine with the hierarchy switched off (the scipy fallback without numba),
    * networkx's ``multi_source_dijkstra_path_length`` per type and profile on the same graph
      (the passable edges as a MultiGraph), from virtual source nodes at the exact snapped
      positions, plus the same origin step (better of the two edge ends),
    * a naive loop: one networkx single-source Dijkstra per service, minimum over services
      (``--ohne-naiv`` leaves it out),
    * bare ``scipy.sparse.csgraph.dijkstra(..., min_only=True)`` on the same matrix, one call
      per type, from the services' nearest nodes (the floor of a Dijkstra per type),

    and prints what is counted on each side, the times (best and median), the ratios and the
    checks that every side solved the same problem. All baselines run in this process on the
    same data. Our engine, its scipy fallback and bare scipy take turns per profile
    ``--repeat`` times; networkx runs ``--nx-repeat`` times, the naive loop once.

    What is counted: the like-for-like ratio ("nur Suche") counts the searches and, on our
    side, the result tables; graph, hierarchy and snapping are built beforehand on every side
    (they are cached per profile in the app). The ratio "alles gezählt" counts on both sides
    the graph (profile rules, CSR) and the snapping of origins and services (networkx has no
    snapping of its own and uses ours), plus our contraction hierarchy on our side and the
    networkx graph on the networkx side. The numba compilation (once per installation, then
    numba's disk cache) is printed, not counted.

``python benchmarks/reachability.py --synthetic 4000000 [--hierarchie] [--origins 200000] [--json FILE]``
    The scale benchmark (:mod:`reachability_scale`): for N/4, N/2 and N nodes (``--eine-groesse``:
    N only) a child process each generates a grid-like network, builds the graph, snaps the
    origins and answers one nearest-service question; printed per size: the times (wall and
    CPU), the child's peak resident memory, the load average before and after, with
    ``--hierarchie`` the contraction time and a question on the hierarchy; then the growth
    exponent of the total time.

In region mode the benchmark also prints, for N = 1, 10, 50, 200 services and one question each,
our time ÷ bare scipy's on the same graph (:mod:`reachability_single`), for the graph with its
hierarchy (as the app holds it) and for a fresh graph without one.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy
import shapely
from scipy.sparse.csgraph import dijkstra

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reachability_scale import child, run_scale  # noqa: E402
from reachability_single import single_questions  # noqa: E402

from analyses.network import graph as graph_module  # noqa: E402
from analyses.network.graph import NetworkGraph, build_graph  # noqa: E402
from analyses.network.profiles import load_profiles  # noqa: E402
from analyses.network.search import nearest_by_type  # noqa: E402
from analyses.network.snapping import SnappedPoints, snap_points  # noqa: E402
from layers import settings  # noqa: E402

TARGETS = {"gegen_networkx_mindestens": 50.0, "gegen_scipy_hoechstens": 2.0, "matrix_s_hoechstens": 2.0}


def de(number: float) -> str:
    """German thousands separator."""
    return f"{number:,.0f}".replace(",", ".")


def best_of(repeat: int, fn: Any) -> tuple[float, Any]:
    best = np.inf
    result = None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def nearest_nodes(graph: NetworkGraph, snapped: SnappedPoints) -> np.ndarray:
    """The nearer edge end of each snapped point (what a node-based tool would route from)."""
    ok = snapped.connected
    u = graph.edge_u[snapped.edge[ok]]
    v = graph.edge_v[snapped.edge[ok]]
    return np.where(snapped.frac[ok] <= 0.5, u, v)


def origin_times(graph: NetworkGraph, origins: SnappedPoints, node_seconds: np.ndarray) -> np.ndarray:
    """The origin step shared by the baselines: better of the two edge ends."""
    ok = origins.connected
    result = np.full(len(origins), np.inf)
    e = origins.edge[ok]
    result[ok] = np.minimum(
        origins.cost_u[ok] + node_seconds[graph.edge_u[e]],
        origins.cost_v[ok] + node_seconds[graph.edge_v[e]],
    )
    return result


def to_networkx(graph: NetworkGraph) -> nx.MultiGraph:
    """The same passable edges as a networkx MultiGraph (parallel edges kept, as osmnx would)."""
    g = nx.MultiGraph()
    g.add_nodes_from(range(graph.n_nodes))
    g.add_weighted_edges_from(
        zip(graph.edge_u.tolist(), graph.edge_v.tolist(), graph.edge_seconds.tolist(), strict=True)
    )
    return g


def attach_sources(g: nx.MultiGraph, graph: NetworkGraph, sources: SnappedPoints) -> list[Any]:
    """Virtual source nodes at the exact positions on their edges (the problem our engine solves)."""
    names = []
    for j in np.flatnonzero(sources.connected).tolist():
        name = ("quelle", j)
        e = int(sources.edge[j])
        g.add_edge(name, int(graph.edge_u[e]), weight=float(sources.cost_u[j]))
        g.add_edge(name, int(graph.edge_v[e]), weight=float(sources.cost_v[j]))
        names.append(name)
    return names


def run_region(args: argparse.Namespace) -> dict[str, Any]:
    from layers.build import build_region
    from layers.regions import load_region
    from layers.store import GeoPackageStore, region_store_path

    settings.show_progress = False
    config = load_region(args.region)
    path = region_store_path(config.name)
    build_region(config)
    store = GeoPackageStore(path, config.crs)
    cells = store.read_layer("bevoelkerung")
    cells = cells[cells["einwohner"] > 0]
    angebote = store.read_layer("angebote")
    edges = store.read_layer("netz_kanten")
    nodes = store.read_layer("netz_knoten", columns=["knoten_id", "x", "y"])
    types = sorted(angebote["typ"].dropna().unique())
    profiles = list(load_profiles())
    print(f"Region {args.region}: {len(cells)} Startpunkte (Rasterzellen mit Einwohnern), "
          f"{len(angebote)} Angebote in {len(types)} Typen, {len(profiles)} Profile "
          f"→ {len(types) * len(profiles)} Abfragen; Netz {len(nodes)} Knoten, {len(edges)} Kanten")

    # --- one-time work per profile, timed: graph, contraction hierarchy, networkx graph ------
    contraction = graph_module.contraction_module()
    jit_s = contraction.warm_up() if contraction is not None else float("nan")
    graphs: dict[str, NetworkGraph] = {}
    build_s: dict[str, float] = {}
    hierarchy_s: dict[str, float] = {}
    nx_graphs: dict[str, nx.MultiGraph] = {}
    nx_build_s: dict[str, float] = {}
    for profile in profiles:
        build_s[profile], graphs[profile] = best_of(
            1, lambda p=profile: build_graph(edges, nodes, p, "optimistisch")
        )
        hierarchy_s[profile], _ = best_of(1, lambda p=profile: graphs[p].hierarchy())
        nx_build_s[profile], nx_graphs[profile] = best_of(
            1, lambda p=profile: to_networkx(graphs[p])
        )

    # --- snapping, shared by every side (networkx has none of its own), timed ----------------
    def snap_all(profile: str) -> tuple[SnappedPoints, dict[str, SnappedPoints]]:
        graph = graphs[profile]
        graph.memo.clear()
        origins = snap_points(graph, cells)
        return origins, {t: snap_points(graph, angebote[angebote["typ"] == t]) for t in types}

    snap_s: dict[str, float] = {}
    snapped_origins: dict[str, SnappedPoints] = {}
    snapped_sources: dict[str, dict[str, SnappedPoints]] = {}
    for profile in profiles:
        snap_s[profile], (snapped_origins[profile], snapped_sources[profile]) = best_of(
            3, lambda p=profile: snap_all(p)
        )
    sources = {
        p: {t: np.unique(nearest_nodes(graphs[p], snapped_sources[p][t])) for t in types}
        for p in profiles
    }

    # --- our engine and bare scipy, interleaved ----------------------------------------------
    # The machine is shared: the variants take turns per profile and repetition; best and
    # median of the repetitions are reported.
    def engine_cold(profile: str) -> dict[str, pd.DataFrame]:
        graph = graphs[profile]
        graph.memo.clear()  # snapping of origins and services is part of this measurement
        return nearest_by_type(graph, cells, angebote)

    def engine_warm(profile: str) -> dict[str, pd.DataFrame]:
        # origins snapped, services snapped (memo of the graph): the work of each query
        return nearest_by_type(graphs[profile], snapped_origins[profile], angebote)

    def engine_scipy(profile: str) -> dict[str, pd.DataFrame]:
        # the same with the hierarchy switched off: scipy's Dijkstra per type (the fallback)
        graph_module.USE_HIERARCHY = False
        try:
            return nearest_by_type(graphs[profile], snapped_origins[profile], angebote)
        finally:
            graph_module.USE_HIERARCHY = True

    def bare_scipy(profile: str) -> None:
        for typ in types:
            dijkstra(graphs[profile].matrix, directed=True, indices=sources[profile][typ],
                     min_only=True)

    variants = {"kalt": engine_cold, "warm": engine_warm, "scipy_engine": engine_scipy,
                "scipy": bare_scipy}
    runs: dict[str, list[float]] = {name: [] for name in variants}
    results: dict[str, dict[str, dict[str, pd.DataFrame]]] = {"warm": {}, "scipy_engine": {}}
    for name in variants:  # warm-up: caches, first calls
        for profile in profiles:
            variants[name](profile)
    for _ in range(args.repeat):
        totals = dict.fromkeys(variants, 0.0)
        for profile in profiles:
            for name, fn in variants.items():
                gc.collect()
                started = time.perf_counter()
                out = fn(profile)
                totals[name] += time.perf_counter() - started
                if name in results:
                    results[name][profile] = out
        for name, total in totals.items():
            runs[name].append(total)
    best = {name: min(values) for name, values in runs.items()}
    median = {name: float(np.median(values)) for name, values in runs.items()}

    def networkx_multi(profile: str) -> dict[str, np.ndarray]:
        graph = graphs[profile]
        g = nx_graphs[profile]
        out: dict[str, np.ndarray] = {}
        for typ in types:
            virtual = attach_sources(g, graph, snapped_sources[profile][typ])
            lengths = nx.multi_source_dijkstra_path_length(g, set(virtual))
            g.remove_nodes_from(virtual)
            seconds = np.full(graph.n_nodes, np.inf)
            reached = [k for k in lengths if not isinstance(k, tuple)]
            seconds[reached] = [lengths[k] for k in reached]
            out[typ] = origin_times(graph, snapped_origins[profile], seconds)
        return out

    # networkx and our engine in pairs, profile by profile: the ratio of a pair is measured
    # under the same load of the shared machine.
    nx_runs: list[float] = []
    paired_engine: list[float] = []
    nx_result: dict[str, dict[str, np.ndarray]] = {}
    for _ in range(args.nx_repeat):
        nx_total = 0.0
        engine_total = 0.0
        for profile in profiles:
            gc.collect()
            started = time.perf_counter()
            engine_warm(profile)
            engine_total += time.perf_counter() - started
            gc.collect()
            started = time.perf_counter()
            nx_result[profile] = networkx_multi(profile)
            nx_total += time.perf_counter() - started
        nx_runs.append(nx_total)
        paired_engine.append(engine_total)
    nx_s, nx_median = min(nx_runs), float(np.median(nx_runs))
    paired_ratios = [n / e for n, e in zip(nx_runs, paired_engine, strict=True)]

    def naive_loop() -> int:
        count = 0
        for profile, graph in graphs.items():
            g = nx_graphs[profile]
            for typ in types:
                nearest_seconds = np.full(graph.n_nodes, np.inf)
                for name in attach_sources(g, graph, snapped_sources[profile][typ]):
                    lengths = nx.single_source_dijkstra_path_length(g, name)
                    reached = [k for k in lengths if not isinstance(k, tuple)]
                    seconds = np.full(graph.n_nodes, np.inf)
                    seconds[reached] = [lengths[k] for k in reached]
                    np.minimum(nearest_seconds, seconds, out=nearest_seconds)
                    count += 1
                g.remove_nodes_from([n for n in list(g.nodes) if isinstance(n, tuple)])
                origin_times(graph, snapped_origins[profile], nearest_seconds)
        return count

    naive_s, naive_runs = best_of(1, naive_loop) if args.naive else (float("nan"), 0)

    # --- checks: every side solved the same problem ------------------------------------------
    # networkx gets virtual nodes at the exact positions; it only lacks the direct way along an
    # edge shared by an origin and a service, so it may be longer, never shorter, and is equal
    # almost everywhere. The hierarchy and the scipy fallback must agree to 1e-6 s everywhere.
    deviations = []
    fallback_dev = 0.0
    same_ids = 0
    compared_ids = 0
    for profile in profiles:
        for typ in types:
            ours = results["warm"][profile][typ]["minuten"].to_numpy() * 60
            theirs = nx_result[profile][typ]
            both = np.isfinite(theirs) & np.isfinite(ours)
            assert (np.isfinite(theirs) == np.isfinite(ours)).all()
            assert (ours[both] <= theirs[both] + 1e-6).all()
            deviations.append(np.abs(ours[both] - theirs[both]))
            ref = results["scipy_engine"][profile][typ]
            ref_s = ref["minuten"].to_numpy() * 60
            assert (np.isfinite(ref_s) == np.isfinite(ours)).all()
            fallback_dev = max(fallback_dev, float(np.abs(ours[both] - ref_s[both]).max()))
            ids = results["warm"][profile][typ]["angebot_id"].astype(str).to_numpy()
            same_ids += int((ids == ref["angebot_id"].astype(str).to_numpy()).sum())
            compared_ids += len(ids)
    assert fallback_dev <= 1e-6
    all_dev = np.concatenate(deviations)
    equal_share = float((all_dev < 1e-6).mean())

    queries = len(types) * len(profiles)
    graph_total = sum(build_s.values())
    hierarchy_total = sum(hierarchy_s.values())
    nx_graph_total = sum(nx_build_s.values())
    snap_total = sum(snap_s.values())
    # Everything counted on both sides: graph (weights, CSR) and snapping are shared work; our
    # side adds the hierarchy and the queries, networkx its own graph and its searches.
    ours_all = graph_total + hierarchy_total + best["kalt"]
    nx_all = graph_total + nx_graph_total + snap_total + nx_s
    figures = {
        "modus": "region",
        "region": args.region,
        "startpunkte": int(len(cells)),
        "angebote": int(len(angebote)),
        "typen": len(types),
        "profile": profiles,
        "abfragen": queries,
        "knoten": int(len(nodes)),
        "kanten": int(len(edges)),
        "numba_uebersetzung_s": round(jit_s, 3),
        "graph_bau_s": {p: round(s, 4) for p, s in build_s.items()},
        "hierarchie_bau_s": {p: round(s, 4) for p, s in hierarchy_s.items()},
        "hierarchie": {
            p: {"kern_knoten": g.hierarchy().n_core, "boegen": g.hierarchy().n_arcs}
            for p, g in graphs.items() if g.hierarchy() is not None
        },
        "networkx_graph_bau_s": {p: round(s, 4) for p, s in nx_build_s.items()},
        "anbindung_s": {p: round(s, 4) for p, s in snap_s.items()},
        "unsere_engine_angebunden_s": round(best["warm"], 4),
        "unsere_engine_angebunden_median_s": round(median["warm"], 4),
        "unsere_engine_mit_anbindung_s": round(best["kalt"], 4),
        "unsere_engine_mit_anbindung_median_s": round(median["kalt"], 4),
        "unsere_engine_scipy_rueckfall_s": round(best["scipy_engine"], 4),
        "bare_scipy_s": round(best["scipy"], 4),
        "bare_scipy_median_s": round(median["scipy"], 4),
        "networkx_multi_source_s": round(nx_s, 4),
        "networkx_multi_source_median_s": round(nx_median, 4),
        "naive_schleife_s": round(naive_s, 4),
        "naive_dijkstra_laeufe": naive_runs,
        "alles_unsere_s": round(ours_all, 4),
        "alles_networkx_s": round(nx_all, 4),
        "faktor_gegen_networkx": round(nx_s / best["warm"], 1),
        "faktor_gegen_networkx_median": round(nx_median / median["warm"], 1),
        "faktor_gegen_networkx_paarweise": [round(r, 1) for r in paired_ratios],
        "unsere_engine_paarweise_s": [round(v, 4) for v in paired_engine],
        "faktor_gegen_networkx_alles_gezaehlt": round(nx_all / ours_all, 1),
        "faktor_gegen_naiv": round(naive_s / best["warm"], 1),
        "overhead_gegen_scipy": round(best["warm"] / best["scipy"], 2),
        "overhead_gegen_scipy_median": round(median["warm"] / median["scipy"], 2),
        "bare_scipy_gegen_networkx": round(nx_s / best["scipy"], 1),
        "overhead_gegen_scipy_mit_anbindung": round(best["kalt"] / best["scipy"], 2),
        "anteil_gleich_networkx": round(equal_share, 5),
        "max_abweichung_hierarchie_scipy_s": fallback_dev,
        "anteil_gleiches_angebot_hierarchie_scipy": round(same_ids / compared_ids, 5),
        "wiederholungen": args.repeat,
        "laeufe_s": {name: [round(v, 4) for v in values] for name, values in runs.items()},
        "networkx_laeufe_s": [round(v, 4) for v in nx_runs],
        "ziele": TARGETS,
    }
    figures["ziele_erreicht"] = {
        "gegen_networkx": figures["faktor_gegen_networkx"] >= TARGETS["gegen_networkx_mindestens"],
        "gegen_networkx_jedes_paar": min(paired_ratios) >= TARGETS["gegen_networkx_mindestens"],
        "gegen_scipy": figures["overhead_gegen_scipy"] <= TARGETS["gegen_scipy_hoechstens"],
        "matrix_unter_2_s": ours_all < TARGETS["matrix_s_hoechstens"],
    }

    def row(label: str, value: float, note: str = "") -> None:
        print(f"  {label:<66} {value:8.3f} s  {note}")

    print()
    print(f"Einmalig je Profil ({', '.join(profiles)}; Summe, danach im Cache):")
    row("Graph (Profilregeln, CSR) – beide Seiten", graph_total)
    row("Kontraktionshierarchie – nur unsere Engine", hierarchy_total,
        "(" + ", ".join(f"{s:.2f}" for s in hierarchy_s.values()) + ")")
    row("networkx-Graph aus denselben Kanten – nur networkx", nx_graph_total)
    row("Anbindung Startpunkte + Angebote – beide Seiten", snap_total)
    if contraction is not None:
        print(f"  numba-Übersetzung der Kerne: {jit_s:.2f} s (einmalig je Installation, "
              "dann aus dem numba-Cache; nicht mitgezählt)")
    print()
    print(f"Alle Startpunkte × alle {len(types)} Typen × alle {len(profiles)} Profile "
          f"({queries} Abfragen, je {len(cells)} Startpunkte); bester / Median von "
          f"{args.repeat} bzw. {args.nx_repeat} Läufen:")
    row("unsere Engine (Hierarchie), Punkte angebunden, mit Ergebnistabellen", best["warm"],
        f"Median {median['warm']:.3f} s")
    row("… dieselbe Engine einschließlich Anbindung aller Punkte", best["kalt"],
        f"Median {median['kalt']:.3f} s")
    row("… dieselbe Engine ohne numba (scipy-Rückfall)", best["scipy_engine"],
        f"Median {median['scipy_engine']:.3f} s")
    row("bare scipy dijkstra(min_only=True), gleiche Matrix, nur Suche", best["scipy"],
        f"Median {median['scipy']:.3f} s")
    row("networkx multi_source_dijkstra_path_length (gleiche Quellen)", nx_s,
        f"Median {nx_median:.3f} s")
    if args.naive:
        row(f"naive Schleife: {naive_runs} × networkx single_source_dijkstra", naive_s)
    print()
    print(f"  schneller als networkx (nur Suche):  {figures['faktor_gegen_networkx']:>7.1f}×  "
          f"(Median {figures['faktor_gegen_networkx_median']:.1f}×; Ziel ≥ "
          f"{TARGETS['gegen_networkx_mindestens']:.0f}×; Graph, Hierarchie und Anbindung auf "
          "keiner Seite gezählt)")
    print("  … paarweise (je Wiederholung Engine und networkx direkt nacheinander): "
          + ", ".join(f"{r:.1f}×" for r in paired_ratios))
    print(f"  … alles auf beiden Seiten gezählt:   "
          f"{figures['faktor_gegen_networkx_alles_gezaehlt']:>7.1f}×  "
          f"(unsere {ours_all:.3f} s = Graph + Hierarchie + Anbindung + Suche; networkx "
          f"{nx_all:.3f} s = Graph + nx-Graph + Anbindung + Suche)")
    print(f"  zum Vergleich bare scipy / networkx: {figures['bare_scipy_gegen_networkx']:>7.1f}×")
    if args.naive:
        print(f"  schneller als naive Schleife:        {figures['faktor_gegen_naiv']:>7.1f}×")
    print(f"  gegen bare scipy:                    {figures['overhead_gegen_scipy']:>7.2f}×  "
          f"(Median {figures['overhead_gegen_scipy_median']:.2f}×; Ziel ≤ "
          f"{TARGETS['gegen_scipy_hoechstens']:.0f}×; < 1 = schneller als bare scipy)")
    print(f"  ganze Matrix unter 2 s:              {'ja' if ours_all < 2 else 'NEIN'} "
          f"({ours_all:.3f} s mit Graph, Hierarchie und Anbindung)")
    print(f"  Kontrolle: {100 * equal_share:.2f} % aller Reisezeiten gleich networkx (±1e-6 s), "
          f"keine länger; Hierarchie = scipy-Rückfall bis {fallback_dev:.1e} s, "
          f"gleiches Angebot bei {100 * same_ids / compared_ids:.2f} %")
    single_profile = "rollstuhl" if "rollstuhl" in graphs else profiles[0]
    fresh = build_graph(edges, nodes, single_profile, "optimistisch")
    # a graph that has not (yet) built its hierarchy: keep the policy from building one during
    # the repetitions (it would after HIERARCHY_AFTER_SEARCHES questions)
    fresh.search_count = -10**9
    figures["einzelfragen"] = single_questions(
        {"mit Hierarchie": graphs[single_profile], "frisch": fresh},
        {"mit Hierarchie": snapped_origins[single_profile], "frisch": snap_points(fresh, cells)},
        args.einzelfragen_wiederholungen, args.seed,
    )
    figures["ziele_erreicht"]["einzelfragen_hoechstens_scipy"] = all(
        state["hoechstens"] <= 1.0 for state in figures["einzelfragen"].values()
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", default="aachen")
    parser.add_argument("--repeat", type=int, default=7,
                        help="Wiederholungen unserer Engine und von bare scipy")
    parser.add_argument("--nx-repeat", type=int, default=3, help="Wiederholungen von networkx")
    parser.add_argument("--ohne-naiv", dest="naive", action="store_false",
                        help="die naive Schleife (≈ 20 s) weglassen")
    parser.add_argument("--synthetic", type=int, default=0, metavar="KNOTEN",
                        help="synthetisches Gitternetz bis zu so vielen Knoten statt der Region")
    parser.add_argument("--eine-groesse", action="store_true",
                        help="synthetisch nur die größte Größe (kein Wachstumsexponent)")
    parser.add_argument("--hierarchie", action="store_true",
                        help="synthetisch auch die Kontraktionshierarchie bauen und abfragen")
    parser.add_argument("--einzelfragen-wiederholungen", type=int, default=9,
                        help="Wiederholungen der Einzelfragen gegen bare scipy (Region)")
    parser.add_argument("--kind-prozess", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--origins", type=int, default=200_000, help="Startpunkte (synthetisch)")
    parser.add_argument("--services", type=int, default=200, help="Angebote (synthetisch)")
    parser.add_argument("--profil", default="rollstuhl", help="Profil (synthetisch)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--json", default=None, metavar="DATEI", help="Kennzahlen als JSON")
    args = parser.parse_args(argv)
    if args.kind_prozess:  # one size of --synthetic, in its own process
        figures = child(args.kind_prozess, args)
        Path(args.json).write_text(json.dumps(figures), encoding="utf-8")
        return 0
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"networkx {nx.__version__}, shapely {shapely.__version__}; {platform.machine()}, "
          f"{platform.system()}, {os.cpu_count()} Kerne, Last (1 min) {load[0]:.1f}")
    figures = run_scale(args) if args.synthetic else run_region(args)
    figures["umgebung"] = {
        "last_1min": load[0],
        "last_1min_danach": os.getloadavg()[0],
        "kerne": os.cpu_count(),
        "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
        "networkx": nx.__version__, "shapely": shapely.__version__,
    }
    print(f"Last (1 min) am Ende: {os.getloadavg()[0]:.1f}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"Kennzahlen gespeichert: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
