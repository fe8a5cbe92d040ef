"""Benchmark: the two-file region store on a synthetic region (no build needed).

Measures, in one process:

* **merged read**: ``read_layer("angebote")`` through :class:`layers.store.GeoPackageStore`
  (derived rows + user rows, merged by key) against reading the derived file alone with GDAL
  (the baseline: what a single-file store cost);
* **version token**: one call (every page and cache key asks for it);
* **edit**: one ``update_service`` (a transaction with copy-on-write and audit entry);
* **import write phase**: ``write_service_rows`` for growing row counts, with the time per row,
  to show that it grows linearly (ratio of the time per row, largest to smallest).

    .venv/bin/python benchmarks/store.py [--rows 2000 10000 50000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from layers import settings
from layers.angebote.edit import update_service
from layers.angebote.importer import write_service_rows
from layers.store import GeoPackageFile
from tests.layers.store.synthetic import CRS, build_synthetic, service_rows


def _best(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[2000, 10000, 50000])
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    settings.show_progress = False
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        store = build_synthetic(Path(folder) / "bench.gpkg", services=3000)
        write_service_rows(store, service_rows("eigen", 1000), action="importieren")
        for i in range(50):
            update_service(store, f"osm-{i}", {"name": f"bearbeitet {i}"}, expected_version=1)
        derived = GeoPackageFile(store.path, CRS)
        figures["lesen_abgeleitet_s"] = _best(lambda: derived.read_layer("angebote"))
        figures["lesen_zusammengefuehrt_s"] = _best(lambda: store.read_layer("angebote"))
        figures["lesen_faktor"] = figures["lesen_zusammengefuehrt_s"] / figures[
            "lesen_abgeleitet_s"]
        figures["version_token_ms"] = 1000 * _best(lambda: [store.version_token()
                                                           for _ in range(100)]) / 100
        versions = iter(range(1, 10_000))

        def edit() -> None:
            version = next(versions)
            update_service(store, "osm-60", {"bemerkung": f"x{version}"},
                           expected_version=version)

        figures["bearbeitung_ms"] = 1000 * _best(edit, repeat=20)
        per_row = {}
        for count in args.rows:
            rows = service_rows(f"imp{count}", count, seed=count)
            started = time.perf_counter()
            write_service_rows(store, rows, action="importieren")
            seconds = time.perf_counter() - started
            figures[f"import_{count}_s"] = seconds
            per_row[count] = seconds / count
        smallest, largest = min(per_row), max(per_row)
        figures["import_zeit_je_zeile_faktor"] = per_row[largest] / per_row[smallest]
    for key, value in figures.items():
        print(f"{key:<32} {value:10.4f}")
    print(f"Merged read costs {figures['lesen_faktor']:.2f}x the derived-only read; import time "
          f"per row at {max(per_row)} rows is {figures['import_zeit_je_zeile_faktor']:.2f}x "
          f"that at {min(per_row)} rows (1.0 = linear).")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
