"""ICF environmental-factor codes and the synthetic barrier reports (``barrieren``).

Real barrier reports are case-derived health and social data; they cannot be shipped. The build
therefore generates a seeded synthetic set that behaves like real case data: a few hundred
pseudonymous persons, each with an impairment group and a home area, each reporting one to four
barriers near where they live. Reports are anchored on real OSM features where the ICF code makes
that plausible (e150/e120/e160 at steps, high kerbs, cobblestones and steep ways; e540 at stops;
e5xx at offices). Every row says ``quelle = "synthetisch"``.

The raw layer never leaves the store: every published figure passes the disclosure control of the
privacy module.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.errors import SourceDataError

ICF_CHAPTERS = {
    "e1": "Produkte und Technologien",
    "e2": "Natürliche und vom Menschen veränderte Umwelt",
    "e3": "Unterstützung und Beziehungen",
    "e4": "Einstellungen",
    "e5": "Dienste, Systeme und Handlungsgrundsätze",
}
IMPAIRMENT_GROUPS = ("Mobilität", "Sehen", "Hören", "Kognition", "Psyche", "Sprache")
QUALIFIER_LABELS = {
    ".0": "keine Barriere",
    ".1": "leichte Barriere",
    ".2": "mäßige Barriere",
    ".3": "erhebliche Barriere",
    ".4": "vollständige Barriere",
    "+0": "kein Förderfaktor",
    "+1": "leichter Förderfaktor",
    "+2": "mäßiger Förderfaktor",
    "+3": "erheblicher Förderfaktor",
    "+4": "vollständiger Förderfaktor",
    ".8": "nicht näher bezeichnet",
    ".9": "nicht anwendbar",
}

# How often each impairment group occurs among the synthetic persons, and which codes each group
# reports (with weights). Anchor kinds say where a report of that code is placed.
GROUP_SHARES = {
    "Mobilität": 0.36,
    "Sehen": 0.12,
    "Hören": 0.09,
    "Kognition": 0.18,
    "Psyche": 0.20,
    "Sprache": 0.05,
}
GROUP_CODES: dict[str, dict[str, float]] = {
    "Mobilität": {"e150": 0.25, "e120": 0.2, "e160": 0.2, "e540": 0.15, "e210": 0.1, "e460": 0.1},
    "Sehen": {"e150": 0.2, "e160": 0.2, "e240": 0.15, "e125": 0.15, "e540": 0.15, "e460": 0.15},
    "Hören": {"e125": 0.3, "e250": 0.2, "e535": 0.2, "e460": 0.2, "e540": 0.1},
    "Kognition": {"e460": 0.25, "e575": 0.2, "e125": 0.2, "e540": 0.15, "e355": 0.2},
    "Psyche": {"e460": 0.3, "e465": 0.15, "e575": 0.2, "e580": 0.2, "e325": 0.15},
    "Sprache": {"e125": 0.35, "e460": 0.3, "e535": 0.2, "e575": 0.15},
}
CODE_ANCHORS = {
    "e150": "barriere_bau",
    "e120": "barriere_bau",
    "e160": "barriere_bau",
    "e210": "steil",
    "e540": "haltestelle",
    "e575": "angebot",
    "e580": "angebot",
    "e535": "angebot",
    "e355": "angebot",
}
HOME_RADIUS_M = 1500.0


@lru_cache(maxsize=4)
def _read_icf(path: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str)
    if not {"code", "kapitel", "titel_de"}.issubset(table.columns):
        raise SourceDataError(
            "Der ICF-Codeliste fehlen die Spalten code, kapitel, titel_de.",
            hinweis="Verwenden Sie die Datei icf/icf_umweltfaktoren.csv der Referenzdaten.",
            datei=path,
        )
    return table


def load_icf_codes(path: str | Path) -> pd.DataFrame:
    """Read the ICF environmental-factor codes (``code``, ``kapitel``, ``titel_de``, ``title_en``).

    Raises
    ------
    SourceDataError
        If the file is missing or lacks columns.
    """
    path = Path(path)
    if not path.exists():
        raise SourceDataError(
            "Die ICF-Codeliste wurde nicht gefunden.",
            hinweis="Prüfen Sie [quellen] icf in der Regionskonfiguration.",
            datei=path,
        )
    return _read_icf(str(path)).copy()


def _anchors(
    edges: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame, stops: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
) -> dict[str, np.ndarray]:
    built = edges[
        edges["treppe"].fillna(False).astype(bool)
        | edges["surface"].isin(["sett", "cobblestone", "unhewn_cobblestone", "gravel", "pebblestone"])
        | edges["smoothness"].isin(["bad", "very_bad", "horrible", "very_horrible", "impassable"])
        | (edges["bordstein_cm"] > 3)
    ]
    steep = edges[edges["steigung_prozent"] > 6]
    kerbs = nodes[nodes["bordstein_cm"] > 3]

    def xy(geoms: gpd.GeoSeries) -> np.ndarray:
        if len(geoms) == 0:
            return np.empty((0, 2))
        points = geoms.interpolate(0.5, normalized=True) if geoms.geom_type.iloc[0] != "Point" else geoms
        return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])

    return {
        "barriere_bau": np.concatenate([xy(built.geometry), xy(kerbs.geometry)]),
        "steil": xy(steep.geometry) if len(steep) else xy(built.geometry),
        "haltestelle": xy(stops.geometry),
        "angebot": xy(services.geometry),
    }


def synthetic_barriers(
    population: gpd.GeoDataFrame,
    edges: gpd.GeoDataFrame,
    nodes: gpd.GeoDataFrame,
    stops: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    icf_codes: pd.DataFrame,
    *,
    persons: int,
    max_reports_per_person: int,
    seed: int,
    crs: object,
    today: date | None = None,
) -> gpd.GeoDataFrame:
    """Generate synthetic ICF-coded barrier reports.

    Parameters
    ----------
    population
        ``bevoelkerung`` cells; persons live where people live.
    edges, nodes, stops, services
        Real features that anchor the reports.
    icf_codes
        Valid e-codes (codes not in the list are never generated).
    persons
        Number of distinct pseudonymous persons.
    max_reports_per_person
        Each person reports 1 … this many barriers.
    seed
        Random seed.
    crs
        Working CRS.
    today
        Reference date (reports fall in the three years before it); default today.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``meldung_id``, ``person_schluessel``, ``icf_code``, ``icf_kapitel``,
        ``icf_titel``, ``qualifikator``, ``schweregrad``, ``beeintraechtigung``, ``datum``,
        ``ortsbezug``, ``quelle`` and point geometry.
    """
    columns = ["meldung_id", "person_schluessel", "icf_code", "icf_kapitel", "icf_titel",
               "qualifikator", "schweregrad", "beeintraechtigung", "datum", "ortsbezug", "quelle"]
    if population.empty or persons <= 0:
        return gpd.GeoDataFrame(
            pd.DataFrame({c: pd.Series(dtype="object") for c in columns}),
            geometry=gpd.GeoSeries([], crs=crs), crs=crs,
        )
    rng = np.random.default_rng(seed)
    today = today or date.today()
    valid = set(icf_codes["code"])
    titles = dict(zip(icf_codes["code"], icf_codes["titel_de"], strict=True))
    anchors = _anchors(edges, nodes, stops, services)
    weights = population["einwohner"].to_numpy(dtype=float)
    centroids = population.geometry.centroid
    cell_xy = np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
    groups = list(GROUP_SHARES)
    group_p = np.array([GROUP_SHARES[g] for g in groups])

    rows: list[dict[str, object]] = []
    points: list[np.ndarray] = []
    for person in range(persons):
        key = "P-" + hashlib.sha256(f"{seed}:{person}".encode()).hexdigest()[:10]
        group = groups[int(rng.choice(len(groups), p=group_p))]
        cell = int(rng.choice(len(weights), p=weights / weights.sum()))
        home = cell_xy[cell] + rng.uniform(-50, 50, size=2)
        codes = [c for c in GROUP_CODES[group] if c in valid]
        code_p = np.array([GROUP_CODES[group][c] for c in codes])
        for _ in range(int(rng.integers(1, max_reports_per_person + 1))):
            code = codes[int(rng.choice(len(codes), p=code_p / code_p.sum()))]
            anchor_kind = CODE_ANCHORS.get(code)
            location = None
            if anchor_kind is not None and len(anchors[anchor_kind]):
                candidates = anchors[anchor_kind]
                near = np.flatnonzero(np.hypot(*(candidates - home).T) < HOME_RADIUS_M)
                if len(near):
                    location = candidates[int(rng.choice(near))] + rng.normal(0, 8, size=2)
            if location is None:
                location = home + rng.normal(0, 250, size=2)
            draw = rng.random()
            if draw < 0.85:
                qualifier = f".{int(rng.choice([1, 2, 3, 4], p=[0.2, 0.35, 0.3, 0.15]))}"
            elif draw < 0.95:
                qualifier = f"+{int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2]))}"
            else:
                qualifier = ".8"
            severity = int(qualifier[1]) if qualifier[0] == "." and qualifier != ".8" else None
            reported = today - timedelta(days=int(rng.integers(1, 3 * 365)))
            rows.append(
                {
                    "meldung_id": f"M-{len(rows) + 1:06d}",
                    "person_schluessel": key,
                    "icf_code": code,
                    "icf_kapitel": code[:2],
                    "icf_titel": titles.get(code),
                    "qualifikator": qualifier,
                    "schweregrad": severity,
                    "beeintraechtigung": group,
                    "datum": reported.isoformat(),
                    "ortsbezug": "koordinate",
                    "quelle": "synthetisch",
                }
            )
            points.append(location)
    frame = pd.DataFrame(rows)
    frame["schweregrad"] = frame["schweregrad"].astype("Int64")
    xy = np.asarray(points)
    return gpd.GeoDataFrame(frame, geometry=shapely.points(xy[:, 0], xy[:, 1]), crs=crs)
