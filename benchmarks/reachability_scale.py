"""The synthetic scale benchmark of :mod:`reachability` (``--synthetic N``): one child per size.

Every size runs in a child process of its own (``reachability.py --kind-prozess N``), so its peak
resident memory is that of the work alone (``os.wait4`` returns the child's ``ru_maxrss``;
nothing of the parent or of another size is counted). The child first runs every compiled path
once on a tiny grid (:func:`warm_up`, not counted: numba's cache is loaded once per process, as
in the app), then generates a jittered grid with
about N nodes (8 % of links missing, 2 % steps, mixed surfaces, EPSG:25832), draws the origins
and services (not counted in the times: the app reads such frames from its GeoPackage; the peak
memory of this phase, the input frames alone, is printed as "daten"), and times, as the app
does it: the graph of the wheelchair profile (after which
the input frame is dropped – the graph keeps the geometries it needs), the snapping of the
origins, one nearest-service question, and a second one on the same graph. With
``--hierarchie`` it then contracts the graph and times one more question on the hierarchy. The
parent prints a table per size, the load average before and after every child, CPU seconds
beside wall seconds (the machine is shared) and the growth exponent of the total time (slope
of log time over log nodes; 1.0 = linear), and per size the peak memory of every phase
(:class:`PhasePeaks`) beside the bytes of the graph's arrays.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["PhasePeaks", "child", "graph_megabytes", "growth_exponent", "run_scale",
           "synthetic_network", "warm_up"]

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {4_000_000: (10.0, 4096.0), 10_000_000: (30.0, 10240.0)}


def synthetic_network(n_nodes: int, seed: int) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """A jittered grid with missing links, some steps and mixed surfaces (EPSG:25832)."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_nodes)))
    spacing = 50.0
    ix, iy = np.meshgrid(np.arange(side), np.arange(side))
    ix, iy = ix.ravel()[:n_nodes], iy.ravel()[:n_nodes]
    x = 300_000 + ix * spacing + rng.uniform(-10, 10, n_nodes)
    y = 5_600_000 + iy * spacing + rng.uniform(-10, 10, n_nodes)
    node_id = np.arange(n_nodes, dtype=np.int64)
    right = np.flatnonzero((ix < side - 1) & (node_id + 1 < n_nodes))
    up = np.flatnonzero(node_id + side < n_nodes)
    del ix, iy
    u = np.concatenate([right, up])
    v = np.concatenate([right + 1, up + side])
    keep = rng.random(len(u)) > 0.08
    u, v = u[keep], v[keep]
    coords = np.empty((2 * len(u), 2))
    coords[0::2, 0], coords[0::2, 1] = x[u], y[u]
    coords[1::2, 0], coords[1::2, 1] = x[v], y[v]
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(u)), 2))
    del coords
    steps = rng.random(len(u)) < 0.02
    surface = rng.choice(np.array(["asphalt", "paving_stones", "sett", None], dtype=object),
                         size=len(u), p=[0.6, 0.2, 0.1, 0.1])
    edges = gpd.GeoDataFrame(
        {
            "kante_id": np.arange(len(u), dtype=np.int64),
            "u": u,
            "v": v,
            "laenge_m": np.hypot(x[u] - x[v], y[u] - y[v]),
            "highway": pd.Categorical(np.where(steps, "steps", "footway")),
            "treppe": steps,
            "surface": pd.Categorical(surface),
        },
        geometry=lines,
        crs="EPSG:25832",
    )
    nodes = pd.DataFrame({"knoten_id": node_id, "x": x, "y": y})
    return edges, nodes


def _points(rng: np.random.Generator, nodes: pd.DataFrame, count: int) -> np.ndarray:
    return shapely.points(rng.uniform(nodes["x"].min(), nodes["x"].max(), count),
                          rng.uniform(nodes["y"].min(), nodes["y"].max(), count))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PhasePeaks:
    """Peak resident memory per phase of the child (Linux: ``VmHWM``, reset between phases).

    Resetting the high-water mark (``/proc/self/clear_refs``) would hide an earlier peak from
    the ``ru_maxrss`` the parent reads, so the overall maximum of all phases is kept here and
    the parent reports the larger of both. Without ``/proc`` every phase reports ``ru_maxrss``.
    """

    def __init__(self) -> None:
        self.overall = 0.0
        self.phases: dict[str, float] = {}

    @staticmethod
    def _hwm_mb() -> float | None:
        try:
            with open("/proc/self/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def end(self, phase: str) -> None:
        """Record the peak since the last call as the peak of ``phase``; reset the mark."""
        peak = self._hwm_mb()
        if peak is None:
            self.phases[phase] = _peak_mb()
            return
        self.phases[phase] = peak
        self.overall = max(self.overall, peak)
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
                refs.write("5")
        except OSError:
            pass


def warm_up(args: Any) -> float:
    """Run every compiled path once on a tiny grid (not counted); returns the seconds.

    The first call of each numba kernel in a process loads its machine code from numba's cache
    (0.5–2 s in all): a cost of the process start that the app pays once (``python dev.py``
    warms the cache at installation) and that would otherwise fall on the smallest size only
    and bend the growth exponent. The size threshold of the compiled paths is lowered for it.
    """
    from analyses.network import build, contraction
    from analyses.network.graph import build_graph
    from analyses.network.search import nearest_service
    from analyses.network.snapping import snap_points

    started = time.perf_counter()
    threshold = build.KERNEL_MIN_EDGES
    build.KERNEL_MIN_EDGES = 0
    try:
        edges, nodes = synthetic_network(2_500, args.seed)
        graph = build_graph(edges, nodes, args.profil, "optimistisch")
        rng = np.random.default_rng(args.seed)
        origins = snap_points(graph, gpd.GeoDataFrame(geometry=_points(rng, nodes, 100),
                                                      crs="EPSG:25832"))
        services = gpd.GeoDataFrame({"angebot_id": ["w0", "w1"], "typ": "EUTB"},
                                    geometry=_points(rng, nodes, 2), crs="EPSG:25832")
        for _ in range(3):  # scipy first, then the compiled Dijkstra (analyses.network.choice)
            nearest_service(graph, origins, services, "EUTB")
        contraction.warm_up()
    finally:
        build.KERNEL_MIN_EDGES = threshold
    return time.perf_counter() - started


def child(n_nodes: int, args: Any) -> dict[str, Any]:
    """The measurements of one size (run in a child process; see the module docstring)."""
    from analyses.network.graph import build_graph
    from analyses.network.search import nearest_service
    from analyses.network.snapping import snap_points
    from layers import settings

    settings.show_progress = False
    figures_warm = warm_up(args)
    peaks = PhasePeaks()
    started = time.perf_counter()
    edges, nodes = synthetic_network(n_nodes, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    origins = gpd.GeoDataFrame(geometry=_points(rng, nodes, args.origins), crs="EPSG:25832")
    services = gpd.GeoDataFrame(
        {"angebot_id": [f"s{i}" for i in range(args.services)], "typ": "EUTB"},
        geometry=_points(rng, nodes, args.services), crs="EPSG:25832",
    )
    figures: dict[str, Any] = {"knoten": int(len(nodes)), "kanten": int(len(edges)),
                               "aufwaermen_s": figures_warm,
                               "erzeugt_s": time.perf_counter() - started,
                               "speicher_daten_mb": _peak_mb()}
    peaks.end("daten")
    cpu0, t0 = time.process_time(), time.perf_counter()
    graph = build_graph(edges, nodes, args.profil, "optimistisch")
    del edges, nodes  # as in the app: the layers are read, the graph is kept
    t1, cpu1 = time.perf_counter(), time.process_time()
    peaks.end("graph")
    snapped = snap_points(graph, origins)
    t2, cpu2 = time.perf_counter(), time.process_time()
    peaks.end("anbindung")
    result = nearest_service(graph, snapped, services, "EUTB")
    t3, cpu3 = time.perf_counter(), time.process_time()
    peaks.end("suche")
    nearest_service(graph, snapped, services, "EUTB")
    t4 = time.perf_counter()
    peaks.end("zweite_frage")
    figures.update({
        "graph_bau_s": t1 - t0, "anbindung_s": t2 - t1, "reisezeiten_s": t3 - t2,
        "gesamt_s": t3 - t0, "gesamt_cpu_s": cpu3 - cpu0, "graph_bau_cpu_s": cpu1 - cpu0,
        "anbindung_cpu_s": cpu2 - cpu1, "reisezeiten_cpu_s": cpu3 - cpu2, "wiederholte_abfrage_s": t4 - t3,
        "erreichbar": int((result["status"] == "erreichbar").sum()),
        "kosten": dict(graph.search_costs), "speicher_phasen_mb": peaks.phases,
        "graph_mb": graph_megabytes(graph),
    })
    if args.hierarchie:
        cpu5, t5 = time.process_time(), time.perf_counter()
        hierarchy = graph.hierarchy()
        t6, cpu6 = time.perf_counter(), time.process_time()
        assert hierarchy is not None
        with_ch = nearest_service(graph, snapped, services, "EUTB")
        t7 = time.perf_counter()
        deviation = np.nanmax(np.abs(with_ch["minuten"].to_numpy() - result["minuten"].to_numpy()))
        figures.update({
            "hierarchie_s": t6 - t5, "hierarchie_cpu_s": cpu6 - cpu5,
            "hierarchie_kern": hierarchy.n_core, "hierarchie_boegen": hierarchy.n_arcs,
            "abfrage_mit_hierarchie_s": t7 - t6, "abweichung_min": float(deviation),
        })
        peaks.end("hierarchie")
    figures["speicher_kind_mb"] = max(peaks.overall, _peak_mb())
    return figures


def graph_megabytes(graph: Any) -> float:
    """Megabytes of the graph's arrays (matrix, node and edge arrays)."""
    total = graph.matrix.indptr.nbytes + graph.matrix.indices.nbytes + graph.matrix.data.nbytes
    for value in vars(graph).values():
        if isinstance(value, np.ndarray) and value.dtype != object:
            total += value.nbytes
    return float(total) / 2**20


def _de(number: float) -> str:
    return f"{number:,.0f}".replace(",", ".")


def growth_exponent(sizes: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) over log(sizes)."""
    slope, _ = np.polyfit(np.log(sizes), np.log(seconds), 1)
    return float(slope)


def _run_child(n_nodes: int, args: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "kennzahlen.json"
        command = [sys.executable, str(Path(__file__).with_name("reachability.py")),
                   "--kind-prozess", str(n_nodes), "--json", str(out), "--origins",
                   str(args.origins), "--services", str(args.services), "--profil", args.profil,
                   "--seed", str(args.seed)]
        if args.hierarchie:
            command.append("--hierarchie")
        load_before = os.getloadavg()[0]
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"Kindprozess für {n_nodes} Knoten fehlgeschlagen ({status}).")
        figures: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    # KB on Linux; the child's own record keeps peaks hidden by its resets of the mark
    figures["speicher_spitze_mb"] = max(usage.ru_maxrss / 1024, figures["speicher_kind_mb"])
    figures["kind_cpu_s"] = usage.ru_utime + usage.ru_stime
    figures["last_vorher"] = load_before
    figures["last_nachher"] = os.getloadavg()[0]
    return figures


def run_scale(args: Any) -> dict[str, Any]:
    """Run one child per size and print the table, the targets and the growth exponent."""
    top = args.synthetic
    sizes = [top] if args.eine_groesse else [top // 4, top // 2, top]
    print(f"Synthetisches Gitternetz, {args.origins:,} Startpunkte, {args.services} Angebote "
          f"eines Typs, Profil {args.profil}; je Größe ein Kindprozess".replace(",", "."))
    print(f"  {'Knoten':>11} {'Graph':>7} {'Anbind.':>7} {'Suche':>7} {'gesamt':>7} "
          f"{'CPU':>6} {'2. Frage':>8} {'Spitze MB':>9} {'Last':>9}"
          + (f" {'Hierarchie':>10} {'CPU':>6} {'Kern':>7} {'mit CH':>7}" if args.hierarchie
             else ""))
    runs = []
    for n_nodes in sizes:
        f = _run_child(n_nodes, args)
        runs.append(f)
        line = (f"  {f['knoten']:>11,} {f['graph_bau_s']:7.2f} {f['anbindung_s']:7.2f} "
                f"{f['reisezeiten_s']:7.2f} {f['gesamt_s']:7.2f} {f['gesamt_cpu_s']:6.2f} "
                f"{f['wiederholte_abfrage_s']:8.2f} {f['speicher_spitze_mb']:9,.0f} "
                f"{f['last_vorher']:4.1f}–{f['last_nachher']:<4.1f}").replace(",", ".")
        if args.hierarchie:
            line += (f" {f['hierarchie_s']:10.2f} {f['hierarchie_cpu_s']:6.2f} "
                     f"{f['hierarchie_kern']:7d} {f['abfrage_mit_hierarchie_s']:7.2f}")
        print(line, flush=True)
        phases = ", ".join(f"{name} {_de(mb)}" for name, mb in f["speicher_phasen_mb"].items())
        print(f"      CPU-Sekunden: Graph {f['graph_bau_cpu_s']:.2f}, Anbindung "
              f"{f['anbindung_cpu_s']:.2f}, Suche {f['reisezeiten_cpu_s']:.2f}; Spitze je Phase "
              f"(MB): {phases}; Arrays des Graphen {_de(f['graph_mb'])} MB; Erzeugung der "
              f"Eingabe (nicht gezählt) {f['erzeugt_s']:.1f} s; Aufwärmen der Kerne (nicht gezählt) "
              f"{f['aufwaermen_s']:.1f} s", flush=True)
    figures: dict[str, Any] = {"modus": "synthetisch", "laeufe": runs}
    if len(runs) > 1:
        knoten = [r["knoten"] for r in runs]
        figures["wachstum_gesamt"] = growth_exponent(knoten, [r["gesamt_s"] for r in runs])
        figures["wachstum_gesamt_cpu"] = growth_exponent(knoten, [r["gesamt_cpu_s"] for r in runs])
        print(f"  Wachstumsexponent der Gesamtzeit: {figures['wachstum_gesamt']:.2f} "
              f"(CPU-Zeit {figures['wachstum_gesamt_cpu']:.2f}; Ziel ≤ 1,1)")
    for r in runs:
        target = TARGETS.get(r["knoten"])
        if target:
            ok_time, ok_mem = r["gesamt_s"] < target[0], r["speicher_spitze_mb"] < target[1]
            print(f"  Ziel {r['knoten']:,} Knoten: gesamt < {target[0]:.0f} s "
                  f"{'ja' if ok_time else 'NEIN'} ({r['gesamt_s']:.2f} s), Spitze < "
                  f"{target[1]:,.0f} MB {'ja' if ok_mem else 'NEIN'} "
                  f"({r['speicher_spitze_mb']:,.0f} MB)".replace(",", "."))
            r["ziele_erreicht"] = {"zeit": ok_time, "speicher": ok_mem}
    return figures
