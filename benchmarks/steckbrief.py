"""Benchmark: one planning area's Steckbrief (PDF and HTML), as a click in the app costs it.

    python benchmarks/steckbrief.py [--region aachen] [--gebiete 3] [--json ERGEBNIS.json]

In one process, on the built region, for the first ``--gebiete`` planning areas:

* ``baseline``: what one click cost before (the two-step button ran ``write_reports``): read the
  region's report context and the figures, build the area's report, set the PDF with reportlab
  (untagged) and write the HTML;
* ``klick``: what one click costs now: :func:`planungsraeume.steckbrief.area_files` with the
  context and the figures the app keeps per store version and question (``ui.cached``): the
  area's report, the tagged PDF/UA from its HTML (WeasyPrint), and the HTML.

Both run once for a warm-up (the result cache then holds the figures for both alike). Prints
the mean seconds per area of both, the ratio, and the target (under 2 s per area); ``--json``
also writes them to a file.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from layers import settings
from planungsraeume.region import Region
from planungsraeume.steckbrief import (
    DEFAULT_COVERAGE,
    area_files,
    build_area_report,
    load_report_context,
    report_html,
    report_inputs,
    write_report_pdf,
)

TARGET_S = 2.0


def _old_click(region: Region, pr_id: str, folder: Path) -> None:
    """The former click: context and figures read again, reportlab PDF and HTML written."""
    context = load_report_context(region)
    inputs = report_inputs(region, coverage_choice=DEFAULT_COVERAGE)
    report = build_area_report(context, pr_id, inputs.indicators, coverage=inputs.coverage,
                               barriers=inputs.barriers)
    write_report_pdf(report, folder / f"{pr_id}.pdf")
    (folder / f"{pr_id}.html").write_text(report_html(report), encoding="utf-8")


def _mean(times: list[float]) -> float:
    return sum(times) / len(times)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="aachen")
    parser.add_argument("--gebiete", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    settings.show_progress = False
    region = Region.open(args.region)
    areas = [str(v) for v in region.areas()["pr_id"]][: args.gebiete]
    with tempfile.TemporaryDirectory() as folder:
        _old_click(region, areas[0], Path(folder))
        old: list[float] = []
        for pr_id in areas:
            start = time.perf_counter()
            _old_click(region, pr_id, Path(folder))
            old.append(time.perf_counter() - start)
    start = time.perf_counter()
    context = load_report_context(region)
    inputs = report_inputs(region, coverage_choice=DEFAULT_COVERAGE)
    once = time.perf_counter() - start
    area_files(context, inputs, areas[0], ("pdf", "html"))
    new: list[float] = []
    for pr_id in areas:
        start = time.perf_counter()
        files = area_files(context, inputs, pr_id, ("pdf", "html"))
        new.append(time.perf_counter() - start)
        assert files[".pdf"][1].startswith(b"%PDF")
    result = {
        "region": args.region, "gebiete": len(areas),
        "baseline_s_je_gebiet": round(_mean(old), 3), "klick_s_je_gebiet": round(_mean(new), 3),
        "kontext_und_zahlen_einmal_s": round(once, 3),
        "verhaeltnis": round(_mean(old) / _mean(new), 2), "ziel_s": TARGET_S,
        "ziel_erreicht": _mean(new) < TARGET_S,
    }
    print(f"Steckbrief ({args.region}, {len(areas)} Planungsräume, PDF und HTML):")
    print(f"  vorher (Kontext und Zahlen je Klick, reportlab-PDF): {result['baseline_s_je_gebiet']:.2f} s je Gebiet")
    print(f"  jetzt  (area_files, Kontext und Zahlen gehalten, PDF/UA): {result['klick_s_je_gebiet']:.2f} s "
          f"je Gebiet (Kontext und Zahlen einmal je Region und Frage: {once:.2f} s)")
    print(f"  Verhältnis vorher/jetzt: {result['verhaeltnis']:.2f}; Ziel unter {TARGET_S:.0f} s: "
          f"{'erreicht' if result['ziel_erreicht'] else 'NICHT erreicht'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
