"""Hand-made barrier reports on the Aachen demo geometry, and the truth behind a release."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analyses.privacy import publish_release
from layers.store import GeoPackageStore

CRS = "EPSG:25832"
GROUPS = ("Mobilität", "Sehen", "Hören", "Kognition", "Psyche")
CODES = ("e120", "e150", "e155", "e250", "e310", "e460", "e540")
CHAPTERS = {"e1": ["e120", "e150", "e155"], "e2": ["e250"], "e3": ["e310"], "e4": ["e460"],
            "e5": ["e540"]}
YEARS = (2023, 2024, 2025)
CHOICES = ("alle", *(f"kapitel:{c}" for c in CHAPTERS), *(f"gruppe:{g}" for g in GROUPS),
           *(f"code:{c}" for c in CODES))


@dataclass(frozen=True)
class Geometry:
    boundary: shapely.Geometry
    areas: gpd.GeoDataFrame
    population: gpd.GeoDataFrame


@lru_cache(maxsize=2)
def demo_geometry(path: str) -> Geometry:
    store = GeoPackageStore(path, CRS)
    return Geometry(shapely.union_all(store.read_layer("region").geometry.to_numpy()),
                    store.read_layer("planungsraeume"), store.read_layer("bevoelkerung"))


@dataclass(frozen=True)
class Report:
    """One report: person key, planning area (index into the areas), offset from its centre (m)."""

    person: str
    area: int
    dx: float = 0.0
    dy: float = 0.0
    code: str = "e150"
    year: int = 2024
    group: str = "Mobilität"
    qualifier: str = ".2"


def frame(geometry: Geometry, reports: list[Report]) -> gpd.GeoDataFrame:
    """The reports as the ``barrieren`` layer (points inside their area)."""
    centres = geometry.areas.geometry.representative_point()
    xs = [centres.iloc[r.area].x + r.dx for r in reports]
    ys = [centres.iloc[r.area].y + r.dy for r in reports]
    data = pd.DataFrame({
        "meldung_id": [f"T-{i}" for i in range(len(reports))],
        "person_schluessel": [r.person for r in reports],
        "icf_code": [r.code for r in reports],
        "icf_kapitel": [r.code[:2] for r in reports],
        "qualifikator": [r.qualifier for r in reports],
        "schweregrad": [int(r.qualifier[1]) if r.qualifier[0] == "." else None for r in reports],
        "beeintraechtigung": [r.group for r in reports],
        "datum": [f"{r.year}-06-15" for r in reports],
        "ortsbezug": "koordinate",
        "quelle": "synthetisch",
    })
    return gpd.GeoDataFrame(data, geometry=shapely.points(xs, ys), crs=CRS)


def release(geometry: Geometry, reports: gpd.GeoDataFrame, **kwargs):
    """A release of hand-made reports with the test's fixed choices and years."""
    kwargs.setdefault("auswahlen", CHOICES)
    kwargs.setdefault("jahre", YEARS)
    return publish_release(reports, boundary=geometry.boundary, areas=geometry.areas,
                           population=geometry.population, **kwargs)


def cluster(prefix: str, n: int, area: int, rng: np.random.Generator, *, spread: float = 60.0,
            codes=CODES, groups=GROUPS, years=YEARS) -> list[Report]:
    """``n`` persons with one report each near the centre of an area."""
    return [Report(f"{prefix}-{i:03d}", area, float(rng.normal(0, spread)),
                   float(rng.normal(0, spread)), str(rng.choice(codes)), int(rng.choice(years)),
                   str(rng.choice(groups))) for i in range(n)]


def every_value(rel) -> dict[tuple, object]:
    """Every published value of a release: (choice, year, table, row key, column) → value."""
    out: dict[tuple, object] = {}
    for pub in rel.publications():
        head = (pub.auswahl, pub.jahr)
        region = pub.region().iloc[0]
        out[(*head, "region", "", "personen")] = region["personen"]
        out[(*head, "region", "", "meldungen")] = region["meldungen"]
        tables = {
            "planungsraum": (pub.planungsraeume(), ["pr_id"]),
            "strasse": (pub.strassen(), ["strasse"]),
            "planungsraum_icf": (pub.icf_je_planungsraum(), ["pr_id", "icf_code"]),
            "region_icf": (pub.icf_region(), ["icf_code"]),
            "planungsraum_jahr": (pub.jahre_je_planungsraum(), ["pr_id", "jahr"]),
            "region_jahr": (pub.jahre_region(), ["jahr"]),
            **{f"gitter_{r}": (pub.gitter(r), ["gitter_id"]) for r in pub.rule.gitter},
        }
        for name, (table, keys) in tables.items():
            rows = list(zip(*(table[k].astype(str) for k in keys), strict=True))
            for column in ("personen", "meldungen", "rang"):
                if column not in table:
                    continue
                values = [None if pd.isna(v) else int(v) for v in table[column].tolist()]
                out.update({(*head, name, key, column): v
                            for key, v in zip(rows, values, strict=True)})
    return out
