"""The cooperation network of a region for a question: measures, areas, missing links, lines.

Every function takes a :class:`~planungsraeume.region.Region` and a
:class:`~planungsraeume.frage.Question` and keeps its answer in the one cache
(:mod:`planungsraeume.cache`). The offers are :meth:`Region.selected_offers` (the active offers
of the question's day that the question selects, with their planning area - the same set as
every reachability answer); the cooperations are the merged ``kooperationen`` layer
(:mod:`layers.kooperation`) running on that day (:func:`layers.kooperation.active_cooperations`)
between two of those offers. The measures are the pure functions of
:mod:`analyses.kooperation`; "within reach" for the missing links is
:func:`planungsraeume.erreichbarkeit.offer_travel_times` (the question's profile and minutes).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from analyses.kooperation import (
    ComplementaryPair,
    area_summary,
    load_complementary_pairs,
    missing_links,
    network_measures,
)
from layers import settings
from layers.angebote import service_type_keys
from layers.kooperation import COLUMNS, TABLE, active_cooperations
from planungsraeume.cache import cached
from planungsraeume.erreichbarkeit import offer_travel_times
from planungsraeume.frage import Question
from planungsraeume.region import Region

__all__ = [
    "PAIRS_FILE",
    "complementary_pairs",
    "cooperation_lines",
    "cooperations",
    "missing",
    "network",
    "network_by_area",
    "stored_cooperations",
    "synthetic_share",
]

#: The complementary service types with the reason (``[[paar]]`` entries).
PAIRS_FILE = "kooperation_ergaenzung.toml"
_OFFER_COLUMNS = ["angebot_id", "name", "typ", "traeger", "quelle", "pr_id"]


def complementary_pairs() -> tuple[ComplementaryPair, ...]:
    """The type pairs that should cooperate (``data/kooperation_ergaenzung.toml``)."""
    return load_complementary_pairs(settings.vocab_dir / PAIRS_FILE, service_type_keys())


def _offers(region: Region, frage: Question) -> gpd.GeoDataFrame:
    offers = region.selected_offers(frage).reset_index(drop=True)
    for column in _OFFER_COLUMNS:
        if column not in offers.columns:
            offers[column] = pd.NA
    chosen = offers[[*_OFFER_COLUMNS, "geometry"]]
    assert isinstance(chosen, gpd.GeoDataFrame)
    return chosen


def stored_cooperations(region: Region) -> pd.DataFrame:
    """Every stored cooperation (merged view, ended ones included), without geometry."""
    if not region.has_layer(TABLE):
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})
    links = pd.DataFrame(region.layer(TABLE)).drop(columns="geometry", errors="ignore")
    return links.sort_values("kooperation_id").reset_index(drop=True)


@cached("kooperationen_aktiv")
def cooperations(region: Region, frage: Question) -> pd.DataFrame:
    """The cooperations running on the question's day between two selected offers.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`layers.kooperation.COLUMNS` (no geometry), sorted by key; empty
        if the region has no cooperation list.
    """
    links = active_cooperations(stored_cooperations(region), frage.tag.isoformat())
    known = set(_offers(region, frage)["angebot_id"].astype(str))
    inside = links["angebot_a"].astype(str).isin(known) & links["angebot_b"].astype(str).isin(known)
    return links[inside.to_numpy()].sort_values("kooperation_id").reset_index(drop=True)


@cached("kooperation_netz")
def network(region: Region, frage: Question) -> gpd.GeoDataFrame:
    """Every selected offer with its network measures (:func:`analyses.kooperation.network_measures`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``angebot_id``, ``name``, ``typ``, ``traeger``, ``quelle``, ``pr_id``, ``grad``,
        ``isoliert``, ``zwischenzentralitaet``, ``vermittler``, ``komponente``,
        ``komponente_groesse``, the offer's point; sorted by degree (highest first), then id.
    """
    offers = _offers(region, frage)
    measures = network_measures(offers, cooperations(region, frage))
    table = offers.merge(measures, on="angebot_id", how="left")
    table = table.sort_values(["grad", "zwischenzentralitaet", "angebot_id"],
                              ascending=[False, False, True]).reset_index(drop=True)
    return gpd.GeoDataFrame(table, geometry="geometry", crs=region.crs)


@cached("kooperation_je_planungsraum")
def network_by_area(region: Region, frage: Question) -> pd.DataFrame:
    """Per planning area: offers, offers without any cooperation, their share, mean degree.

    Returns
    -------
    pandas.DataFrame
        :func:`analyses.kooperation.area_summary` in the order of the planning areas (then
        ``"ohne"`` if offers lie outside every area), with the area's ``name``.
    """
    table = network(region, frage)
    order = region.areas()["pr_id"].astype(str).tolist()
    summary = area_summary(pd.DataFrame(table), table, order=order)
    summary.insert(1, "name", summary["pr_id"].map(region.area_names()).fillna(summary["pr_id"]))
    return summary


@cached("kooperation_fehlend")
def missing(region: Region, frage: Question) -> pd.DataFrame:
    """Complementary offers within the question's minutes of each other that do not cooperate.

    Returns
    -------
    pandas.DataFrame
        :func:`analyses.kooperation.missing_links` (``angebot_a``, ``name_a``, ``typ_a``,
        ``angebot_b``, ``name_b``, ``typ_b``, ``minuten``, ``grund``) plus the planning areas
        ``pr_id_a`` and ``pr_id_b``.
    """
    offers = _offers(region, frage)
    reach = offer_travel_times(region, frage)
    table = missing_links(offers, cooperations(region, frage), complementary_pairs(), reach,
                          float(frage.minuten))
    area = dict(zip(offers["angebot_id"].astype(str), offers["pr_id"].astype(str), strict=True))
    table["pr_id_a"] = table["angebot_a"].map(area)
    table["pr_id_b"] = table["angebot_b"].map(area)
    return table


@cached("kooperation_linien")
def cooperation_lines(region: Region, frage: Question) -> gpd.GeoDataFrame:
    """One line per cooperating pair between the offers' current positions (for the map).

    Returns
    -------
    geopandas.GeoDataFrame
        ``angebot_a``, ``name_a``, ``angebot_b``, ``name_b``, ``arten`` (the kinds, "; "-joined),
        ``synthetisch`` (every row of the pair is ``quelle = synthetisch``), a line; one row per
        pair (either order), sorted by the pair.
    """
    offers = _offers(region, frage)
    points = dict(zip(offers["angebot_id"].astype(str), offers.geometry, strict=True))
    names = dict(zip(offers["angebot_id"].astype(str), offers["name"].astype(str), strict=True))
    kinds: dict[tuple[str, str], set[str]] = {}
    generated: dict[tuple[str, str], bool] = {}
    links = cooperations(region, frage)
    for a, b, kind, source in zip(links["angebot_a"].astype(str), links["angebot_b"].astype(str),
                                  links["art"].astype("string").fillna(""),
                                  links["quelle"].astype("string").fillna(""), strict=True):
        if a == b:
            continue
        pair = (min(a, b), max(a, b))
        kinds.setdefault(pair, set()).add(str(kind))
        generated[pair] = generated.get(pair, True) and source == "synthetisch"
    rows = [{"angebot_a": a, "name_a": names[a], "angebot_b": b, "name_b": names[b],
             "arten": "; ".join(sorted(k for k in kinds[(a, b)] if k)),
             "synthetisch": generated[(a, b)],
             "geometry": shapely.LineString([points[a], points[b]])}
            for a, b in sorted(kinds)]
    columns = ["angebot_a", "name_a", "angebot_b", "name_b", "arten", "synthetisch", "geometry"]
    frame = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=region.crs)


def synthetic_share(region: Region, frage: Question) -> float:
    """Share of the running cooperations that are generated demo rows (``quelle = synthetisch``)."""
    links = cooperations(region, frage)
    if not len(links):
        return 0.0
    return float((links["quelle"].astype(str) == "synthetisch").mean())
