"""Benchmark of the 2SFCA / E2SFCA (issue #7) on the Aachen demo.

``python benchmarks/accessibility.py [--region aachen] [--minutes 30] [--json FILE]``

Demand: the populated 100 m cells; supply: all offers with their capacity (missing capacities
replaced as documented). Travel times: STAND-IN for the network times (straight line × 1.3 at
1.2 m/s), all pairs up to the time limit in the long format the analysis takes.

Compares, in this process on the same data, :func:`analyses.accessibility.two_step_fca` (input
checks + PySAL ``access``) with a bare vectorised numpy/scipy.sparse implementation of the same
formulas (the floor), and checks that both give the same values.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_array

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analyses.accessibility import DistanceDecay, capacity_supply, two_step_fca  # noqa: E402
from layers import settings  # noqa: E402


def bare_two_step(o: np.ndarray, d: np.ndarray, t: np.ndarray, demand: np.ndarray, supply: np.ndarray,
                  weight: DistanceDecay) -> np.ndarray:
    """Bare 2SFCA on index arrays with scipy.sparse (no checks)."""
    w = np.asarray(weight(t), dtype=float)
    matrix = csr_array((w, (o, d)), shape=(len(demand), len(supply)))
    catchment = matrix.T @ demand
    ratio = np.divide(supply, catchment, out=np.zeros_like(supply), where=catchment > 0)
    return matrix @ ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="aachen")
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    settings.show_progress = False

    from layers.build import build_region
    from layers.store import open_store

    build_region(args.region)
    store = open_store(args.region)
    cells = store.read_layer("bevoelkerung")
    services = store.read_layer("angebote")
    cx, cy = cells.geometry.centroid.x.to_numpy(), cells.geometry.centroid.y.to_numpy()
    minutes = np.hypot(cx[:, None] - services.geometry.x.to_numpy()[None],
                       cy[:, None] - services.geometry.y.to_numpy()[None]) * 1.3 / 72.0
    i, j = np.nonzero(minutes <= args.minutes)
    travel = pd.DataFrame({"herkunft_id": cells["gitter_id"].to_numpy()[i],
                           "ziel_id": services["angebot_id"].to_numpy()[j], "minuten": minutes[i, j]})
    demand = cells.set_index("gitter_id")["einwohner"].astype(float)
    supply = capacity_supply(services)["angebot"]
    figures: dict[str, Any] = {"nachfrageorte": len(demand), "angebote": len(supply), "paare": len(travel)}
    print(f"{len(demand)} Rasterzellen × {len(supply)} Angebote, {len(travel)} Paare ≤ {args.minutes:g} min "
          "(Reisezeiten: Platzhalter Luftlinie × 1,3 bei 1,2 m/s)")
    for kind in ("keine", "stufen", "gauss"):
        weight = DistanceDecay(kind, args.minutes)
        ours_s = np.inf
        ours = None
        for _ in range(args.repeat):
            started = time.perf_counter()
            ours = two_step_fca(travel, demand, supply, max_minutes=args.minutes, decay=kind)
            ours_s = min(ours_s, time.perf_counter() - started)
        bare_s = np.inf
        bare = None
        for _ in range(args.repeat):
            started = time.perf_counter()
            bare = bare_two_step(i, j, minutes[i, j], demand.to_numpy(), supply.to_numpy(), weight)
            bare_s = min(bare_s, time.perf_counter() - started)
        engine_s = np.inf
        for _ in range(args.repeat):
            started = time.perf_counter()
            two_step_fca(travel, demand, supply, max_minutes=args.minutes, decay=kind, engine="numpy")
            engine_s = min(engine_s, time.perf_counter() - started)
        assert ours is not None and bare is not None
        same = bool(np.allclose(ours["verhaeltnis"].to_numpy(), bare, rtol=1e-9, atol=1e-15))
        figures[kind] = {"access_s": ours_s, "numpy_s": bare_s, "engine_numpy_s": engine_s, "gleich": same}
        print(f"{kind:>7}: two_step_fca mit access {ours_s:.3f} s, mit engine='numpy' {engine_s:.3f} s, "
              f"nackte numpy-Formel {bare_s:.4f} s (access {ours_s / bare_s:.0f}× langsamer als nackt); "
              f"gleiche Werte: {same}")
    # --- on network travel times, end to end (routing + 2SFCA + areas), as the app runs it -------
    from planungsraeume.frage import Question
    from planungsraeume.region import Region
    from planungsraeume.versorgung import accessibility

    region = Region.open(args.region, store=store)
    types = sorted(services["typ"].dropna().astype(str).unique())
    base_s = figures["stufen"]["access_s"]
    for profil in ("fuss", "rollstuhl"):
        question = Question.make(typ=types, profil=profil, minuten=args.minutes)
        region.snapped_cells(profil)  # graph and snapped cells, once per store version
        best = np.inf
        result = None
        for _ in range(args.repeat):
            started = time.perf_counter()
            # uncached: the one result cache would answer repeated runs from memory
            result = accessibility.uncached(region, question, decay="stufen")  # type: ignore[attr-defined]
            best = min(best, time.perf_counter() - started)
        assert result is not None
        reached = int((result.zellen["angebote_erreichbar"] > 0).sum())
        figures[f"netz_{profil}"] = {"s": best, "zellen_mit_angebot": reached,
                                     "region_mittelwert": float(result.je_planungsraum.loc["Region", "mittelwert"])}
        print(f"Netz, Profil {profil}: accessibility() für alle {len(types)} Typen (Routing "
              f"{len(services)} Angebote ≤ {args.minutes:g} min, E2SFCA Stufen mit access, Mittel je "
              f"Planungsraum) {best:.3f} s = {best / base_s:.1f}× die reine 2SFCA-Rechnung auf den "
              f"Platzhalter-Zeiten; {reached} von {len(result.zellen)} Zellen erreichen ein Angebot")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
