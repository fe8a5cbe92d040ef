"""Benchmark of the office-hour suggestions and the mobile office (issue #14) on the Aachen demo.

``python benchmarks/praesenz.py [--region aachen] [--json FILE]``

Times, in this process and with the result cache bypassed (``.uncached``), on the question
"advice offers, 15 minutes in a wheelchair": the presence reach of the provider with the most
places (the baseline: one travel-time matrix to its places), 3 office-hour suggestions
(matrix to the hosts + covering model), and a 5-stop weekly plan of a mobile office for four
planning areas (matrix to the candidate places + covering model + modelled driving matrix +
OR-Tools tours). Prints the seconds, the ratios to the baseline and whether the issue's target
(each under 10 s) is met. The solver libraries (spopt with CBC, OR-Tools) are imported before
the timing, as in a running app; their one-time import in a cold process is printed apart.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from layers import settings  # noqa: E402

TARGET_S = 10.0


def _timed(function: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def _import_solvers() -> None:
    import ortools.constraint_solver.pywrapcp  # noqa: F401
    import spopt.locate  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="aachen")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    settings.show_progress = False

    from layers.build import build_region
    from planungsraeume import mobiles_buero, praesenz
    from planungsraeume.frage import Question
    from planungsraeume.region import Region

    build_region(args.region)
    region = Region.open(args.region)
    frage = Question(angebote="beratung", profil="rollstuhl", minuten=15).on()
    imports, _ = _timed(_import_solvers)
    region.graph(frage.profil, frage.unbekannt)  # network and snapped cells loaded once
    region.snapped_cells(frage.profil, frage.unbekannt)
    provider = str(praesenz.provider_list(region)["traeger"].iloc[0])
    areas = tuple(region.areas()["pr_id"].astype(str)[:4])
    baseline, _ = _timed(praesenz.reach_by_area.uncached, region, frage, provider)  # type: ignore[attr-defined]
    suggest, result = _timed(praesenz.office_hour_suggestions.uncached, region, frage,  # type: ignore[attr-defined]
                             provider, 3)
    mobile, plan = _timed(mobiles_buero.mobile_office.uncached, region, frage, 5,  # type: ignore[attr-defined]
                          planungsraeume=areas)
    figures = {
        "praesenz_erreichbarkeit_s": round(baseline, 3),
        "sprechstunden_vorschlag_s": round(suggest, 3),
        "mobiles_buero_5_halte_s": round(mobile, 3),
        "vorschlag_zu_basis": round(suggest / baseline, 2),
        "mobiles_buero_zu_basis": round(mobile / baseline, 2),
        "gastgeber_kandidaten": result.kandidaten,
        "halte_eingeplant": int(len(plan.fahrplan)),
        "import_loeser_s": round(imports, 3),
        "ziel_unter_s": TARGET_S,
        "ziel_erreicht": bool(suggest < TARGET_S and mobile < TARGET_S),
    }
    print(f"Import der Löser (spopt, OR-Tools; einmal je Prozess): {imports:.2f} s")
    print(f"Präsenz-Erreichbarkeit ({provider}, Basis): {baseline:.2f} s")
    print(f"Sprechstunden-Vorschlag (3 aus {result.kandidaten} Gastgebern): {suggest:.2f} s "
          f"= {figures['vorschlag_zu_basis']}× Basis")
    print(f"Mobiles Büro (5 Halte, {len(areas)} Planungsräume, Wochenplan): {mobile:.2f} s "
          f"= {figures['mobiles_buero_zu_basis']}× Basis")
    print(f"Ziel je unter {TARGET_S:g} s: {'erreicht' if figures['ziel_erreicht'] else 'VERFEHLT'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
