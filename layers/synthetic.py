"""All generated demo data: fictitious offers and synthetic barrier reports.

Real barrier reports are case-derived health and social data and cannot be shipped, and OSM lacks
most advice types (EUTB, KoKoBe, KSL, …). The build therefore generates, with the seed fixed in
the region configuration:

* :func:`synthetic_services`: a fictitious directory for the advice types OSM lacks, placed at
  real addresses; names end in "(fiktiv)";
* :func:`synthetic_barriers`: a few hundred pseudonymous persons, each with an impairment group
  and a home area, each reporting one to four ICF-coded barriers near where they live. Reports
  are anchored on real OSM features where the code makes that plausible (e150/e120/e160 at
  steps, high kerbs, cobblestones and steep ways; e540 at stops; e5xx at offices).

Every generated row says ``quelle = "synthetisch"`` in the data, so it stays recognisable in every
table, map and export. Nothing else in the project draws random numbers for data.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

if TYPE_CHECKING:
    from layers.angebote.vocabulary import ServiceType

__all__ = [
    "CODE_ANCHORS",
    "GROUP_CODES",
    "GROUP_SHARES",
    "HOME_RADIUS_M",
    "SYNTHETIC_HOURS",
    "SYNTHETIC_PROVIDERS",
    "synthetic_barriers",
    "synthetic_services",
    "synthetic_services_in_cells",
]

# --------------------------------------------------------------------------------------------
# Fictitious offers
# --------------------------------------------------------------------------------------------

SYNTHETIC_PROVIDERS = (
    "Lebensweg e. V. (fiktiv)",
    "Teilhabe Rheinland gGmbH (fiktiv)",
    "Netzwerk Inklusion e. V. (fiktiv)",
    "Miteinander leben e. V. (fiktiv)",
    "Sozialwerk Grenzland gGmbH (fiktiv)",
)
SYNTHETIC_HOURS = (
    "Mo-Fr 09:00-13:00; Di,Do 14:00-17:00",
    "Mo-Do 09:00-16:00; Fr 09:00-12:00",
    "Di,Mi 10:00-15:00; Do 14:00-18:00",
    "Mo,Mi,Fr 09:00-12:00 und nach Vereinbarung",
)


def synthetic_services(
    existing: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame,
    planungsraeume: gpd.GeoDataFrame,
    *,
    per_type: int,
    seed: int,
    crs: object,
) -> gpd.GeoDataFrame:
    """Generate a fictitious directory for the advice types that OSM lacks.

    Offers are placed at real OSM addresses, spread out (each new offer of a type is the one
    farthest from the others among 25 random candidates), with plausible accessibility. Every row
    says ``quelle = "synthetisch"`` and its name ends in "(fiktiv)".

    Parameters
    ----------
    existing
        Offers from OSM (types present there are not generated).
    addresses
        The ``adressen`` layer (working CRS).
    planungsraeume
        Planning areas, to name offers after their area.
    per_type
        Offers per missing type.
    seed
        Random seed (fixed in the region configuration).
    crs
        Working CRS.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    # Imported here: layers.angebote re-exports this function, so a module-level import of its
    # vocabulary would be circular.
    from layers.angebote.vocabulary import conform, empty_services, service_types

    rng = np.random.default_rng(seed)
    present = set(existing["typ"].dropna())
    wanted = [t for t in service_types() if t.synthetisch and t.schluessel not in present]
    if addresses.empty or not wanted or per_type <= 0:
        return empty_services(crs)
    coords = np.column_stack([addresses.geometry.x.to_numpy(), addresses.geometry.y.to_numpy()])
    rows = []
    for entry in wanted:
        chosen: list[int] = []
        for number in range(per_type):
            pick = _spread_pick(rng, coords, chosen)
            chosen.append(pick)
            address = addresses.iloc[pick]
            area = planungsraeume[planungsraeume.geometry.contains(address.geometry)]
            area_name = str(area["name"].iloc[0]) if len(area) else "Region"
            rows.append(_fictitious_offer(entry, number, address, area_name, rng))
    frame = pd.DataFrame(rows)
    gdf = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(frame["geometry"]), crs=crs)
    return conform(gdf)


def synthetic_services_in_cells(
    cells: gpd.GeoDataFrame,
    planungsraeume: gpd.GeoDataFrame,
    *,
    per_type: int,
    seed: int,
    crs: object,
    first_year: int,
    last_year: int,
) -> gpd.GeoDataFrame:
    """A fictitious directory with a history, for a region without addresses (e.g. Köln).

    Every advice type gets ``per_type`` offers, each at a random point of a populated cell
    (drawn by inhabitants: offers are where people live), named after its planning area. Each
    offer opens on 1 January of a year between ``first_year`` and ``last_year``; about one in
    five closes again on 31 December of a later year of that span, so that the number of
    offers changes over the years ("Angebote je 10.000 Einwohner 2008 und 2012"). Every row says
    ``quelle = "synthetisch"`` and its name ends in "(fiktiv)".

    Parameters
    ----------
    cells
        The ``bevoelkerung`` layer (working CRS).
    planungsraeume
        Planning areas, to name offers after their area.
    per_type
        Offers per type.
    seed
        Random seed (fixed in the region configuration).
    crs
        Working CRS.
    first_year, last_year
        The span of the history.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    from layers.angebote.vocabulary import conform, empty_services, service_types

    wanted = [t for t in service_types() if t.synthetisch]
    if cells.empty or not wanted or per_type <= 0:
        return empty_services(crs)
    rng = np.random.default_rng(seed)
    weights = cells["einwohner"].to_numpy(dtype=float)
    bounds = shapely.bounds(cells.geometry.to_numpy())
    rows = []
    for entry in wanted:
        for number in range(per_type):
            cell = int(rng.choice(len(cells), p=weights / weights.sum()))
            x0, y0, x1, y1 = bounds[cell]
            point = shapely.Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
            area = planungsraeume[planungsraeume.geometry.contains(point)]
            if area.empty:  # a cell at the edge: its centre lies in an area (it was put there)
                point = shapely.centroid(cells.geometry.iloc[cell])
                area = planungsraeume[planungsraeume.geometry.contains(point)]
            area_name = str(area["name"].iloc[0]) if len(area) else "Region"
            place = pd.Series({"strasse": None, "hausnummer": None, "plz": None,
                               "ort": area_name, "geometry": point})
            row = _fictitious_offer(entry, number, place, area_name, rng)
            opened = int(rng.integers(first_year, last_year + 1))
            row["gueltig_von"] = f"{opened}-01-01"
            if opened < last_year and rng.random() < 0.2:
                row["gueltig_bis"] = f"{int(rng.integers(opened, last_year))}-12-31"
            rows.append(row)
    frame = pd.DataFrame(rows)
    gdf = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(frame["geometry"]), crs=crs)
    return conform(gdf)


def _spread_pick(rng: np.random.Generator, coords: np.ndarray, chosen: list[int]) -> int:
    """Of 25 random addresses, the one farthest from the offers of this type placed so far."""
    candidates = rng.choice(len(coords), size=min(25, len(coords)), replace=False)
    if not chosen:
        return int(candidates[0])
    dist = np.min(
        np.linalg.norm(coords[candidates][:, None, :] - coords[chosen][None], axis=2),
        axis=1,
    )
    return int(candidates[int(np.argmax(dist))])


def _fictitious_offer(
    entry: ServiceType, number: int, address: pd.Series, area_name: str, rng: np.random.Generator
) -> dict[str, object]:
    """One fictitious offer of type ``entry`` at ``address`` (draws in a fixed order)."""
    short = entry.schluessel if len(entry.schluessel) <= 12 else entry.bezeichnung
    return {
        "angebot_id": f"syn-{_slug(entry.schluessel)}-{number + 1:02d}",
        "name": f"{short} {area_name} (fiktiv)",
        "typ": entry.schluessel,
        "gruppe": entry.gruppe,
        "zielgruppen": ";".join(entry.zielgruppen) or None,
        "strasse": address["strasse"],
        "hausnummer": address["hausnummer"],
        "plz": address["plz"],
        "ort": address["ort"],
        "stufenloser_zugang": rng.choice(["ja", "teilweise", "nein"], p=[0.65, 0.2, 0.15]),
        "rollstuhlgerechtes_wc": rng.choice(["ja", "nein", "unbekannt"], p=[0.45, 0.35, 0.2]),
        "induktionsschleife": rng.choice(["ja", "nein", "unbekannt"], p=[0.15, 0.6, 0.25]),
        "gebaerdensprache": rng.choice(["ja", "nein", "unbekannt"], p=[0.1, 0.7, 0.2]),
        "leichte_sprache": rng.choice(["ja", "nein", "unbekannt"], p=[0.4, 0.4, 0.2]),
        "aufsuchend": rng.choice(["ja", "nein"], p=[0.3, 0.7]),
        "oeffnungszeiten": SYNTHETIC_HOURS[int(rng.integers(len(SYNTHETIC_HOURS)))],
        "traeger": SYNTHETIC_PROVIDERS[int(rng.integers(len(SYNTHETIC_PROVIDERS)))],
        "kapazitaet_std_woche": float(rng.choice([19.5, 39.0, 58.5, 78.0])),
        "kontakt": None,
        "telefon": f"0000 {int(rng.integers(100000, 999999))} (fiktiv)",
        "email": None,
        "webseite": None,
        "bemerkung": "Fiktives Angebot für die Demo-Region",
        "quelle": "synthetisch",
        "osm_id": None,
        "gueltig_von": "2024-01-01",
        "gueltig_bis": None,
        "version": 1,
        "geometry": address.geometry,
    }


def _slug(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "§": ""})
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")


# --------------------------------------------------------------------------------------------
# Synthetic barrier reports
# --------------------------------------------------------------------------------------------

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
_REPORT_COLUMNS = ["meldung_id", "person_schluessel", "icf_code", "icf_kapitel", "icf_titel",
                   "qualifikator", "schweregrad", "beeintraechtigung", "datum", "ortsbezug",
                   "quelle"]
def _anchors(
    edges: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame, stops: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
) -> dict[str, np.ndarray]:
    if len(edges) == 0 or "treppe" not in edges.columns:  # a region without a network
        empty = np.empty((0, 2))
        return {"barriere_bau": empty, "steil": empty,
                "haltestelle": _xy(stops.geometry), "angebot": _xy(services.geometry)}
    built = edges[
        edges["treppe"].fillna(False).astype(bool)
        | edges["surface"].isin(["sett", "cobblestone", "unhewn_cobblestone", "gravel", "pebblestone"])
        | edges["smoothness"].isin(["bad", "very_bad", "horrible", "very_horrible", "impassable"])
        | (edges["bordstein_cm"] > 3)
    ]
    steep = edges[edges["steigung_prozent"] > 6]
    kerbs = nodes[nodes["bordstein_cm"] > 3]

    return {
        "barriere_bau": np.concatenate([_xy(built.geometry), _xy(kerbs.geometry)]),
        "steil": _xy(steep.geometry) if len(steep) else _xy(built.geometry),
        "haltestelle": _xy(stops.geometry),
        "angebot": _xy(services.geometry),
    }


def _xy(geoms: gpd.GeoSeries) -> np.ndarray:
    """Anchor coordinates of features: points as they are, lines at their middle."""
    if len(geoms) == 0:
        return np.empty((0, 2))
    points = geoms.interpolate(0.5, normalized=True) if geoms.geom_type.iloc[0] != "Point" else geoms
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])



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
    region: shapely.Geometry | None = None,
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
    region
        Region polygon. A report scattered around a person's home that falls outside it is
        drawn again (the import refuses reports outside the region, so the synthetic layer
        must not contain any either).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``meldung_id``, ``person_schluessel``, ``icf_code``, ``icf_kapitel``,
        ``icf_titel``, ``qualifikator``, ``schweregrad``, ``beeintraechtigung``, ``datum``,
        ``ortsbezug``, ``quelle`` and point geometry.
    """
    if population.empty or persons <= 0:
        return gpd.GeoDataFrame(
            pd.DataFrame({c: pd.Series(dtype="object") for c in _REPORT_COLUMNS}),
            geometry=gpd.GeoSeries([], crs=crs), crs=crs,
        )
    rng = np.random.default_rng(seed)
    # Redraws use their own stream, so the reports inside the region are the same with and
    # without a region polygon.
    redraw_rng = np.random.default_rng([seed, 1])
    if region is not None:
        shapely.prepare(region)
    today = today or date.today()
    valid = set(icf_codes["code"])
    titles = dict(zip(icf_codes["code"], icf_codes["titel_de"], strict=True))
    anchors = _anchors(edges, nodes, stops, services)
    homes = _Homes(population)
    rows: list[dict[str, object]] = []
    points: list[np.ndarray] = []
    for person in range(persons):
        key = "P-" + hashlib.sha256(f"{seed}:{person}".encode()).hexdigest()[:10]
        group, home = homes.draw(rng)
        codes = [c for c in GROUP_CODES[group] if c in valid]
        code_p = np.array([GROUP_CODES[group][c] for c in codes])
        for _ in range(int(rng.integers(1, max_reports_per_person + 1))):
            code = codes[int(rng.choice(len(codes), p=code_p / code_p.sum()))]
            points.append(_report_place(code, home, anchors, rng, redraw_rng, region))
            rows.append(_report_row(len(rows) + 1, key, code, group, titles, today, rng))
    frame = pd.DataFrame(rows)
    frame["schweregrad"] = frame["schweregrad"].astype("Int64")
    xy = np.asarray(points)
    return gpd.GeoDataFrame(frame, geometry=shapely.points(xy[:, 0], xy[:, 1]), crs=crs)


class _Homes:
    """Draws a person's impairment group and home (people live where the population lives)."""

    def __init__(self, population: gpd.GeoDataFrame) -> None:
        self.weights = population["einwohner"].to_numpy(dtype=float)
        centroids = population.geometry.centroid
        self.cell_xy = np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
        self.groups = list(GROUP_SHARES)
        self.group_p = np.array([GROUP_SHARES[g] for g in self.groups])

    def draw(self, rng: np.random.Generator) -> tuple[str, np.ndarray]:
        """Group, then home cell, then the offset in the cell (in this order)."""
        group = self.groups[int(rng.choice(len(self.groups), p=self.group_p))]
        cell = int(rng.choice(len(self.weights), p=self.weights / self.weights.sum()))
        home = self.cell_xy[cell] + rng.uniform(-50, 50, size=2)
        return group, home


def _report_place(
    code: str,
    home: np.ndarray,
    anchors: dict[str, np.ndarray],
    rng: np.random.Generator,
    redraw_rng: np.random.Generator,
    region: shapely.Geometry | None,
) -> np.ndarray:
    """Where a report of ``code`` by a person living at ``home`` is placed."""
    anchor_kind = CODE_ANCHORS.get(code)
    location = None
    if anchor_kind is not None and len(anchors[anchor_kind]):
        candidates = anchors[anchor_kind]
        near = np.flatnonzero(np.hypot(*(candidates - home).T) < HOME_RADIUS_M)
        if len(near):
            location = candidates[int(rng.choice(near))] + rng.normal(0, 8, size=2)
    if location is None:
        location = home + rng.normal(0, 250, size=2)
    if region is not None and not shapely.contains_xy(region, *location):
        location = _inside(region, home, redraw_rng)
    return np.asarray(location)


def _report_row(
    number: int,
    key: str,
    code: str,
    group: str,
    titles: dict[str, str],
    today: date,
    rng: np.random.Generator,
) -> dict[str, object]:
    """The attributes of one report: qualifier and date are drawn here (in this order)."""
    draw = rng.random()
    if draw < 0.85:
        qualifier = f".{int(rng.choice([1, 2, 3, 4], p=[0.2, 0.35, 0.3, 0.15]))}"
    elif draw < 0.95:
        qualifier = f"+{int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2]))}"
    else:
        qualifier = ".8"
    severity = int(qualifier[1]) if qualifier[0] == "." and qualifier != ".8" else None
    reported = today - timedelta(days=int(rng.integers(1, 3 * 365)))
    return {
        "meldung_id": f"M-{number:06d}",
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
def _inside(region: shapely.Geometry, home: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A point scattered around ``home`` inside ``region`` (else the nearest point inside)."""
    for _ in range(20):
        location = home + rng.normal(0, 250, size=2)
        if shapely.contains_xy(region, *location):
            return location
    # A home at the very edge: the nearest point 1 m inside the boundary.
    inner = region.buffer(-1.0)
    if inner.is_empty:
        return np.asarray(shapely.get_coordinates(region.representative_point())[0])
    nearest = shapely.shortest_line(inner, shapely.Point(*home))
    return np.asarray(shapely.get_coordinates(nearest)[0])

