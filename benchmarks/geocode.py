"""Benchmark: offline geocoding and service import on the Aachen demo.

Compares, in one process on the same rows:

* **index**: :class:`layers.geocode.AddressIndex` (normalised street → house number lookup,
  fuzzy matching only over the ~800 distinct street names);
* **naive**: what a first attempt would do — for every row, rapidfuzz ``extractOne`` over all
  ~24,500 "street number" strings of the address layer.

and reports time, rows per second, the speed-up, and the quality of both (placed within 30 m,
placed wrongly), plus the time of a whole check of a 1,000-row CSV import.

    .venv/bin/python benchmarks/geocode.py [--rows 1000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from typos import sample_addresses_with_typos

from layers import settings
from layers.angebote.importer import check_services_file
from layers.geocode import PLACED, AddressIndex
from layers.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--naive-rows", type=int, default=200,
                        help="rows for the naive baseline (it is slow)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    settings.show_progress = False

    store = open_store("aachen")
    if not store.exists():
        from layers.build import build_region

        build_region("aachen")
    addresses = store.read_layer("adressen")
    sample = sample_addresses_with_typos(addresses, args.rows, seed=7)
    truth = sample[["x_wahr", "y_wahr"]].to_numpy()

    started = time.perf_counter()
    index = AddressIndex(addresses)
    t_build = time.perf_counter() - started
    started = time.perf_counter()
    result = index.geocode_frame(sample, strasse="strasse_tippfehler",
                                 hausnummer="hausnummer_eingabe")
    t_index = time.perf_counter() - started
    distance = np.hypot(result["x"] - truth[:, 0], result["y"] - truth[:, 1])
    placed = result["status"].isin(PLACED).to_numpy()
    index_ok = float(np.mean(distance <= 30))
    index_wrong = int(np.sum(placed & ~(distance <= 30)))

    # Naive baseline on a prefix of the same rows.
    choices = (addresses["strasse"].astype(str) + " " + addresses["hausnummer"].astype(str)).tolist()
    xs, ys = addresses.geometry.x.to_numpy(), addresses.geometry.y.to_numpy()
    n_naive = min(args.naive_rows, args.rows)
    started = time.perf_counter()
    naive_ok = naive_wrong = 0
    for row in range(n_naive):
        query = f"{sample['strasse_tippfehler'].iloc[row]} {sample['hausnummer_eingabe'].iloc[row]}"
        best = process.extractOne(query, choices, scorer=fuzz.WRatio, score_cutoff=85)
        if best is None:
            continue
        d = float(np.hypot(xs[best[2]] - truth[row, 0], ys[best[2]] - truth[row, 1]))
        naive_ok += d <= 30
        naive_wrong += d > 30
    t_naive = time.perf_counter() - started

    # A whole import check (read, map, validate, geocode) of a CSV with the same rows.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "angebote.csv"
        table = sample.assign(Name=[f"Angebot {i}" for i in range(len(sample))], Typ="EUTB")
        table.rename(columns={"strasse_tippfehler": "Straße", "hausnummer_eingabe": "Hnr"})[
            ["Name", "Typ", "Straße", "Hnr"]].to_csv(path, sep=";", index=False,
                                                      encoding="cp1252")
        started = time.perf_counter()
        report = check_services_file(store, path)
        t_check = time.perf_counter() - started

    per_row_index = t_index / args.rows
    per_row_naive = t_naive / max(n_naive, 1)
    figures = {
        "zeilen": args.rows,
        "index_aufbau_s": round(t_build, 3),
        "index_s": round(t_index, 3),
        "index_zeilen_pro_s": round(args.rows / t_index, 1),
        "index_innerhalb_30m": round(index_ok, 4),
        "index_falsch_verortet": index_wrong,
        "naiv_zeilen": n_naive,
        "naiv_s": round(t_naive, 3),
        "naiv_zeilen_pro_s": round(n_naive / t_naive, 1),
        "naiv_innerhalb_30m": round(naive_ok / max(n_naive, 1), 4),
        "naiv_falsch_verortet": naive_wrong,
        "beschleunigung_je_zeile": round(per_row_naive / per_row_index, 1),
        "importpruefung_s": round(t_check, 3),
        "importpruefung_gueltig": report.gueltige_zeilen,
    }
    print(f"Geokodierung von {args.rows} Aachener Adressen mit Tippfehlern")
    print(f"  Index:  Aufbau {t_build:.2f} s, Suche {t_index:.2f} s "
          f"({args.rows / t_index:,.0f} Zeilen/s); innerhalb 30 m: {index_ok:.1%}, "
          f"falsch verortet: {index_wrong}")
    print(f"  Naiv:   {t_naive:.2f} s für {n_naive} Zeilen ({n_naive / t_naive:,.1f} Zeilen/s); "
          f"innerhalb 30 m: {naive_ok / max(n_naive, 1):.1%}, falsch verortet: {naive_wrong}")
    print(f"  Verhältnis (Zeit je Zeile naiv / Index): {per_row_naive / per_row_index:,.0f}×")
    print(f"  Importprüfung der ganzen CSV ({args.rows} Zeilen): {t_check:.2f} s, "
          f"{report.gueltige_zeilen} gültig")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
