"""Benchmark: aggregation with disclosure control plus Gi* for 100,000 barrier reports.

    python benchmarks/hotspots.py [--berichte 100000] [--zelle 250] [--json ERGEBNIS.json]

Generates seeded synthetic reports on the Aachen demo region (persons live where the modelled
population lives, 1–6 reports each within a few hundred metres), then times

* ``protected``: :func:`analyses.privacy.publish_release` (normalised person keys, record keys,
  areas, streets and grid cells of all reports, once per release) and the publication of the
  choice "alle" (every table of it, cell-key method) plus :func:`analyses.hotspots.getis_ord`
  (999 permutations, one core) at the chosen cell size; target: under 2 s;
* ``baseline``: the naive way in the same process — a pandas ``groupby().nunique()`` per cell
  without any protection, and ``esda.G_Local`` with its default settings (row-standardised
  weights, all cores) on the same lattice, called twice: the first call includes esda's numba
  compilation in every worker process, the ratio uses the second.

Prints both times and their ratio; ``--json`` also writes them to a file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analyses.grid import cell_corners, grid_xy, lattice
from analyses.hotspots import getis_ord, queen_weights
from analyses.privacy import DisclosureRule, publish_release
from layers import settings
from layers.barrieren import load_icf_codes, street_segments
from layers.regions import load_region
from layers.store import open_store


def synthetic_reports(
    population: gpd.GeoDataFrame, boundary: shapely.Geometry, codes: list[str], n: int,
    seed: int = 7,
) -> gpd.GeoDataFrame:
    """About ``n`` reports of n/3.5 persons, placed around where people live."""
    rng = np.random.default_rng(seed)
    wanted = n
    n = int(n * 1.1)  # some reports fall outside the region and are dropped
    persons = max(1, int(n / 3.5))
    weights = population["einwohner"].to_numpy(dtype=float)
    centres = population.geometry.centroid
    home = rng.choice(len(population), size=persons, p=weights / weights.sum())
    per_person = rng.integers(1, 7, size=persons)
    owner = np.repeat(np.arange(persons), per_person)[:n]
    x = centres.x.to_numpy()[home][owner] + rng.normal(0, 300, len(owner))
    y = centres.y.to_numpy()[home][owner] + rng.normal(0, 300, len(owner))
    points = shapely.points(x, y)
    inside = shapely.contains_xy(boundary, x, y)
    qualifiers = rng.choice([".1", ".2", ".3", ".4", ".8", "+1", "+2"], size=len(owner),
                            p=[0.15, 0.3, 0.25, 0.12, 0.05, 0.08, 0.05])
    chosen = rng.choice(codes, size=len(owner))
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 1000, len(owner)), "D")
    frame = pd.DataFrame({
        "meldung_id": [f"B-{i:07d}" for i in range(len(owner))],
        "person_schluessel": [f"P-{o:06d}" for o in owner],
        "icf_code": chosen,
        "icf_kapitel": [c[:2] for c in chosen],
        "qualifikator": qualifiers,
        "schweregrad": [int(q[1]) if q[0] == "." and q != ".8" else None for q in qualifiers],
        "beeintraechtigung": rng.choice(["Mobilität", "Sehen", "Hören", "Kognition", "Psyche"],
                                        size=len(owner)),
        "datum": days.strftime("%Y-%m-%d"),
        "ortsbezug": "koordinate",
        "quelle": "benchmark",
    })
    keep = np.flatnonzero(inside)[:wanted]
    return gpd.GeoDataFrame(frame.iloc[keep].reset_index(drop=True), geometry=points[keep],
                            crs=population.crs)


def naive_baseline(
    reports: gpd.GeoDataFrame, boundary: shapely.Geometry, resolution: int
) -> float:
    """Unprotected pandas groupby + esda.G_Local with default settings; returns seconds."""
    import esda

    started = time.perf_counter()
    x, y = grid_xy(reports.geometry)
    east, north = cell_corners(x, y, resolution)
    ids = pd.Series([f"CRS3035RES{resolution}mN{n}E{e}" for e, n in zip(east, north, strict=True)])
    counts = reports.assign(gitter_id=ids.to_numpy()).groupby("gitter_id")[
        "person_schluessel"].nunique()
    cells = lattice(boundary, reports.crs, resolution)
    values = counts.reindex(cells["gitter_id"]).fillna(0).to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        esda.G_Local(values, queen_weights(cells), star=True, permutations=999, seed=1)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--berichte", type=int, default=100_000)
    parser.add_argument("--zelle", type=int, default=250)
    parser.add_argument("--region", default="aachen")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    settings.show_progress = False
    config = load_region(args.region)
    store = open_store(config)
    population = store.read_layer("bevoelkerung")
    boundary = shapely.union_all(store.read_layer("region").geometry.to_numpy())
    areas = store.read_layer("planungsraeume")
    streets = street_segments(store.read_layer("netz_kanten", columns=["name"]))
    icf = load_icf_codes(config.icf)
    reports = synthetic_reports(population, boundary, list(icf["code"]), args.berichte)

    # Import esda once so that neither timing includes the import. ``_esda`` gives esda's
    # permutation kernels numba's on-disk cache (see analyses.hotspots); the first call of our
    # path in this process therefore loads them instead of compiling them (except on the very
    # first run after an installation, which the note below reports).
    from analyses.hotspots import _esda

    _esda()

    # esda's default (all cores) compiles its numba kernels in every worker process on the
    # first call; the second call shows the computation alone.
    baseline_first_s = naive_baseline(reports, boundary, args.zelle)
    baseline_s = naive_baseline(reports, boundary, args.zelle)
    started = time.perf_counter()
    release = publish_release(reports, boundary=boundary, areas=areas, streets=streets,
                              population=population, rule=DisclosureRule.oeffentlich(),
                              icf_titles=dict(zip(icf["code"], icf["titel_de"], strict=True)))
    prepared_s = time.perf_counter() - started
    publication = release.publication("alle")
    published = publication.gitter(args.zelle)
    aggregated_s = time.perf_counter() - started
    other_started = time.perf_counter()
    release.publication("gruppe:Mobilität", release.jahre[-1])
    other_s = time.perf_counter() - other_started
    gi_started = time.perf_counter()
    hot = getis_ord(published, boundary, args.zelle)
    protected_s = time.perf_counter() - started
    gi_s = time.perf_counter() - gi_started
    gi_again_started = time.perf_counter()
    getis_ord(published, boundary, args.zelle)
    gi_again_s = time.perf_counter() - gi_again_started

    result = {
        "berichte": len(reports),
        "personen": int(reports["person_schluessel"].nunique()),
        "zelle_m": args.zelle,
        "tabellen_gemeinsam_geschuetzt": ["region", *(f"gitter_{r}" for r in
                                          publication.rule.gitter), "planungsraum", "strasse",
                                          "planungsraum_icf", "region_icf", "planungsraum_jahr",
                                          "region_jahr"],
        "veroeffentlichte_zellen": int(len(published)),
        "hotspot_zellen": int((hot["klasse"] == "Hotspot").sum()),
        "release_vorbereitung_s": round(prepared_s, 3),
        "aggregation_mit_geheimhaltung_s": round(aggregated_s, 3),
        "weitere_auswahl_s": round(other_s, 3),
        "gesamt_mit_gi_stern_s": round(protected_s, 3),
        "gi_stern_erster_aufruf_im_prozess_s": round(gi_s, 3),
        "gi_stern_zweiter_aufruf_s": round(gi_again_s, 3),
        "baseline_ohne_schutz_esda_standard_s": round(baseline_s, 3),
        "baseline_erster_aufruf_mit_numba_uebersetzung_s": round(baseline_first_s, 3),
        "verhaeltnis_baseline_zu_geschuetzt": round(baseline_s / protected_s, 2),
        "ziel_unter_2_s": protected_s < 2.0,
    }
    print(f"{result['berichte']} Meldungen von {result['personen']} Personen, Zelle {args.zelle} m")
    print(f"Release vorbereiten (Schlüssel, Räume, Straßen, Gitter): {prepared_s:.2f} s")
    print(f"Aggregation + Geheimhaltung (alle Tabellen der Auswahl „alle“): {aggregated_s:.2f} s")
    print(f"… plus Gi* (999 Permutationen, 1 Kern):     {protected_s:.2f} s "
          f"({'unter' if protected_s < 2 else 'ÜBER'} 2 s)")
    print(f"Jede weitere Auswahl des Release (z. B. Gruppe Mobilität, ein Jahr): {other_s:.2f} s")
    print(f"  darin Gi*: erster Aufruf im Prozess {gi_s:.2f} s, zweiter Aufruf {gi_again_s:.2f} s "
          "(Kerne aus dem numba-Cache; nach einer Neuinstallation übersetzt der erste Lauf "
          "sie einmal)")
    print(f"Baseline (groupby ohne Schutz + esda-Standard): {baseline_s:.2f} s "
          f"(erster Aufruf mit numba-Übersetzung in jedem Arbeitsprozess: {baseline_first_s:.2f} s)")
    print(f"Verhältnis Baseline / geschützt: {result['verhaeltnis_baseline_zu_geschuetzt']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
