"""Generated demo data for the relations between offers (part of :mod:`layers.synthetic`).

Real cooperation lists, presence plans and outreach areas are not public, so the demo region
gets plausible fictitious ones, drawn with the region's seed (each generator with a stream of
its own, so that adding one never changes the others or the offers and barrier reports):

* :func:`synthetic_access_ways`: ways of access (vor Ort, Telefon, Video, online) for the
  fictitious offers; about one in twelve is reachable only by telephone, video or online;
* :func:`synthetic_cooperations`: a cooperation network among the advice offers – partners
  are drawn among the nearest offers, complementary types more often –, with about one offer
  in eight left without any cooperation;
* :func:`synthetic_presence`: office hours of three fictitious providers in the step-free
  rooms of other organisations (inside the host's opening hours) and a few dated events;
* :func:`synthetic_zones`: responsibility areas of the outreach offers, cycling through the
  three kinds (planning areas, car radius, polygon).

Every row says ``quelle = "synthetisch"``.
"""

from __future__ import annotations

from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.kooperation import COLUMNS as COOPERATION_COLUMNS
from layers.kooperation import KINDS, cooperation_id, empty_cooperations
from layers.praesenz import (
    EVENT,
    OFFICE_HOURS,
    PRESENCE_COLUMNS,
    ZONE_COLUMNS,
    empty_presence,
    empty_zones,
    presence_id,
)
from layers.sprechzeiten import DAY_LABELS, free_slot, parse_hours

__all__ = [
    "COMPLEMENTARY_DEMO",
    "synthetic_access_ways",
    "synthetic_cooperations",
    "synthetic_presence",
    "synthetic_zones",
]

SOURCE = "synthetisch"
#: Type pairs that cooperate more often in the demo network.
COMPLEMENTARY_DEMO = {frozenset(p) for p in (("KoKoBe", "EUTB"), ("SPZ", "SPKoM"),
                                             ("KSL", "Peer-Beratung"), ("IFD", "EUTB"))}
_STREAMS = {"zugang": 101, "kooperation": 102, "praesenz": 103, "gebiete": 104}


def _rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAMS[stream]])


def synthetic_access_ways(services: pd.DataFrame, seed: int) -> pd.Series:
    """Ways of access for the synthetic offers (others keep theirs; empty = vor Ort)."""
    rng = _rng(seed, "zugang")
    out = services["zugangswege"].astype("string").copy() if "zugangswege" in services.columns \
        else pd.Series(pd.NA, index=services.index, dtype="string")
    options = ["vor Ort;Telefon", "vor Ort;Telefon;Video", "vor Ort;Telefon;online", "vor Ort",
               "Telefon;Video;online"]
    weights = [0.4, 0.25, 0.15, 0.12, 0.08]
    for position in np.flatnonzero((services["quelle"].astype(str) == SOURCE).to_numpy()):
        out.iloc[int(position)] = options[int(rng.choice(len(options), p=weights))]
    return out


def _advice(services: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    mask = (services["gruppe"].astype(str) == "Beratung").to_numpy()
    advice = services[mask].reset_index(drop=True)
    assert isinstance(advice, gpd.GeoDataFrame)
    return advice


def synthetic_cooperations(services: gpd.GeoDataFrame, seed: int, crs: object
                           ) -> gpd.GeoDataFrame:
    """A fictitious cooperation network among the advice offers (with lines A–B)."""
    advice = _advice(services)
    if len(advice) < 2:
        return empty_cooperations(crs)
    rng = _rng(seed, "kooperation")
    xy = np.column_stack([advice.geometry.x, advice.geometry.y])
    types = advice["typ"].astype(str).to_numpy()
    ids = advice["angebot_id"].astype(str).to_numpy()
    rows: dict[str, dict[str, object]] = {}
    # About one offer in eight stays without any cooperation (neither asks nor is asked), one
    # in six more asks nobody itself (but may be asked by others).
    alone = rng.random(len(advice)) < 0.125
    for i in range(len(advice)):
        if alone[i] or rng.random() < 0.17:
            continue
        distance = np.hypot(*(xy - xy[i]).T)
        distance[i] = np.inf
        distance[alone] = np.inf
        near = [j for j in np.argsort(distance)[:8] if np.isfinite(distance[j])]
        if not near:
            continue
        bonus = np.array([3.0 if frozenset((types[i], types[j])) in COMPLEMENTARY_DEMO else 1.0
                          for j in near])
        chosen = rng.choice(near, size=min(len(near), int(rng.integers(1, 4))), replace=False,
                            p=bonus / bonus.sum())
        for j in chosen:
            kind = KINDS[int(rng.integers(len(KINDS) - 1))]
            ident = cooperation_id(ids[i], ids[j], kind)
            start = date(2018, 1, 1) + timedelta(days=int(rng.integers(0, 6 * 365)))
            rows[ident] = {"kooperation_id": ident, "angebot_a": ids[i], "angebot_b": ids[j],
                           "art": kind, "seit": start.isoformat(), "bis": None,
                           "beleg": "fiktiv (Demodaten)", "bemerkung": None, "quelle": SOURCE,
                           "version": 1, "geometry": shapely.LineString([xy[i], xy[j]])}
    if not rows:
        return empty_cooperations(crs)
    frame = pd.DataFrame(list(rows.values()))
    frame = frame.astype({c: t for c, t in COOPERATION_COLUMNS.items()})
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)


def _host_pool(services: gpd.GeoDataFrame, provider: str) -> list[int]:
    mask = ((services["stufenloser_zugang"].astype(str) == "ja")
            & (services["traeger"].astype("string").fillna("") != provider)
            & (services["gruppe"].astype(str) == "Beratung")).to_numpy()
    return [int(i) for i in np.flatnonzero(mask)
            if parse_hours(services["oeffnungszeiten"].iloc[int(i)]).bekannt]


def synthetic_presence(services: gpd.GeoDataFrame, addresses: gpd.GeoDataFrame, seed: int,
                       crs: object, *, today: date | None = None) -> gpd.GeoDataFrame:
    """Office hours of fictitious providers in others' step-free rooms, and dated events."""
    rng = _rng(seed, "praesenz")
    providers = [p for p in services.loc[services["quelle"].astype(str) == SOURCE, "traeger"]
                 .dropna().astype(str).value_counts().index[:3]]
    start_day = today or date(2025, 12, 31)
    rows = []
    for provider in providers:
        pool = _host_pool(services, provider)
        for number, host in enumerate(rng.permutation(pool)[: int(rng.integers(2, 4))]):
            row = services.iloc[int(host)]
            slot = free_slot(parse_hours(row["oeffnungszeiten"]), 120,
                             preferred_days=list(rng.permutation(5)))
            if slot is None:
                continue
            day, begin = DAY_LABELS[slot[0] // 1440], slot[0] % 1440
            hours = f"{day} {begin // 60:02d}:{begin % 60:02d}-{(begin + 120) // 60:02d}:" \
                    f"{(begin + 120) % 60:02d}"
            rows.append(_presence(provider, OFFICE_HOURS, str(row["angebot_id"]),
                                  f"Sprechstunde {provider} {number + 1}", hours, None, None,
                                  None, row.geometry))
        for number in range(int(rng.integers(1, 3))):
            place = addresses.iloc[int(rng.integers(len(addresses)))] if len(addresses) else None
            if place is None:
                break
            when = start_day + timedelta(days=int(rng.integers(14, 180)))
            rows.append(_presence(provider, EVENT, None, f"Infotag {provider} {number + 1}", None,
                                  when.isoformat(), "10:00", "14:00", place.geometry))
    if not rows:
        return empty_presence(crs)
    frame = pd.DataFrame(rows).astype({c: t for c, t in PRESENCE_COLUMNS.items()})
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)


def _presence(provider: str, kind: str, host: str | None, name: str, hours: str | None,
              day: str | None, begin: str | None, end: str | None,
              point: shapely.Geometry) -> dict[str, object]:
    return {"praesenz_id": presence_id(provider, kind, host, hours, day, begin, name),
            "traeger": provider, "art": kind, "gastgeber_id": host, "name": name,
            "zeiten": hours, "datum": day, "beginn": begin, "ende": end,
            "bemerkung": "fiktiv (Demodaten)", "quelle": SOURCE, "version": 1,
            "geometry": point}


def synthetic_zones(services: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, boundary: object,
                    seed: int, crs: object) -> gpd.GeoDataFrame:
    """Responsibility areas of the outreach offers: areas, car radius or polygon in turn."""
    rng = _rng(seed, "gebiete")
    outreach = services[(services["aufsuchend"].astype(str) == "ja").to_numpy()]
    if not len(outreach) or not len(areas):
        return empty_zones(crs)
    centres = np.column_stack([areas.geometry.centroid.x, areas.geometry.centroid.y])
    rows = []
    for number, (_, offer) in enumerate(outreach.iterrows()):
        kind = ("planungsraeume", "radius", "flaeche")[number % 3]
        shape, listed, minutes = None, None, None
        if kind == "planungsraeume":
            distance = np.hypot(centres[:, 0] - offer.geometry.x, centres[:, 1] - offer.geometry.y)
            nearest = np.argsort(distance)[: int(rng.integers(2, 4))]
            listed = ",".join(sorted(areas["pr_id"].astype(str).to_numpy()[nearest]))
        elif kind == "radius":
            minutes = float(rng.choice([10.0, 15.0, 20.0]))
        else:
            circle = offer.geometry.buffer(float(rng.choice([1500.0, 2000.0, 2500.0])))
            inside = circle.intersection(boundary)
            shape = (inside if inside.geom_type == "MultiPolygon" else
                     shapely.MultiPolygon([inside if inside.geom_type == "Polygon" else circle]))
        rows.append({"angebot_id": str(offer["angebot_id"]), "art": kind, "planungsraeume": listed,
                     "minuten": minutes, "bemerkung": "fiktiv (Demodaten)", "quelle": SOURCE,
                     "version": 1, "geometry": shape})
    frame = pd.DataFrame(rows).astype({c: t for c, t in ZONE_COLUMNS.items()})
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
