"""Small synthetic region stores for the store tests (seconds, not the Aachen build)."""

from __future__ import annotations

import random
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.angebote import SCHEMA, conform
from layers.store import GeoPackageStore

__all__ = ["CRS", "barrier_file", "build_synthetic", "derived_layers", "integrity", "service_rows"]

CRS = "EPSG:25832"
X0, Y0 = 291000.0, 5626000.0


def service_rows(prefix: str, count: int, *, quelle: str = "import", seed: int = 0
                 ) -> gpd.GeoDataFrame:
    """``count`` offers in the ``angebote`` schema with ids ``<prefix>-<n>``."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: [None] * count for c in SCHEMA})
    frame["angebot_id"] = [f"{prefix}-{i}" for i in range(count)]
    frame["name"] = [f"Angebot {prefix} {i}" for i in range(count)]
    frame["typ"] = "EUTB"
    frame["quelle"] = quelle
    frame["version"] = 1
    points = shapely.points(X0 + rng.uniform(0, 6000, count), Y0 + rng.uniform(0, 4000, count))
    return conform(gpd.GeoDataFrame(frame, geometry=points, crs=CRS))


def derived_layers(services: int = 40, *, seed: int = 1) -> dict[str, pd.DataFrame]:
    """What a build of the synthetic region produces (derived layers only)."""
    region = gpd.GeoDataFrame({"name": ["test"], "titel": ["Testregion"], "flaeche_km2": [24.0]},
                              geometry=[shapely.box(X0, Y0, X0 + 6000, Y0 + 4000)], crs=CRS)
    boxes = [shapely.box(X0 + 3000 * (i % 2), Y0 + 2000 * (i // 2),
                         X0 + 3000 * (i % 2 + 1), Y0 + 2000 * (i // 2 + 1)) for i in range(4)]
    areas = gpd.GeoDataFrame({"pr_id": [f"PR0{i + 1}" for i in range(4)],
                              "name": [f"Raum {i + 1}" for i in range(4)], "art": "voronoi",
                              "quelle": "generiert: OSM-Ortsknoten", "flaeche_km2": 6.0},
                             geometry=boxes, crs=CRS)
    offers = service_rows("osm", services, quelle="osm", seed=seed)
    barriers = gpd.GeoDataFrame(
        {"meldung_id": [f"M-{i:06d}" for i in range(10)], "person_schluessel": "P-1",
         "icf_code": "e150", "icf_kapitel": "e1", "icf_titel": "Gebäude", "qualifikator": ".3",
         "schweregrad": 3, "beeintraechtigung": "Mobilität", "datum": "2024-01-01",
         "ortsbezug": "punkt", "quelle": "synthetisch"},
        geometry=shapely.points(X0 + np.arange(10) * 100.0, Y0 + 500.0), crs=CRS)
    return {"region": region, "planungsraeume": areas, "angebote": offers, "barrieren": barriers}


def build_synthetic(path: Path, *, services: int = 40, seed: int = 1,
                    build_id: str | None = None) -> GeoPackageStore:
    """Write (or replace) the derived store at ``path`` as a build does; returns the store."""
    from layers.build import _write_atomically

    store = GeoPackageStore(path, CRS, user="test")
    meta: dict[str, Any] = {"region": "test", "build_id": build_id or uuid.uuid4().hex,
                            "speicher": "getrennt"}
    _write_atomically(store, derived_layers(services, seed=seed), meta)
    return store


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of a file (``"ok"`` if sound)."""
    conn = sqlite3.connect(path)
    try:
        return ";".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def barrier_file(path: Path, prefix: str, count: int, seed: int) -> Path:
    """A barrier report file (CSV as planners send it) with ids ``<prefix>-<n>``."""
    rng = random.Random(seed)
    lines = ["meldung_id;person_schluessel;icf_code;qualifikator;beeintraechtigung;datum;quelle;"
             "x;y"]
    for j in range(count):
        x = f"{rng.uniform(292000, 296000):.1f}".replace(".", ",")
        y = f"{rng.uniform(5627000, 5629500):.1f}".replace(".", ",")
        lines.append(f"{prefix}-{j};P-{rng.randrange(16**6):06X};e150;.3;Mobilität;05.03.2024;"
                     f"LVR-Fallmanagement;{x};{y}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
