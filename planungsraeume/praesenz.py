"""Presence of a provider in a region, its reach, and where it should hold office hours.

* :func:`places` / :func:`places_by_area`: every place where a provider is present
  (:func:`analyses.praesenz.presence_places`: own offices, office hours in others' rooms,
  dated events of the last year and the next half-year), per planning area.
* :func:`reach_by_area`: who reaches a regular place of the provider (own office or office hours)
  within the question's minutes with its profile - the network travel times of
  :func:`planungsraeume.versorgung.netz.travel_matrix_function`, per area by the one cell→area
  rule.
* :func:`office_hour_suggestions` ("Integrationspotentiale"): in which existing step-free offices
  of other organisations, with readable opening hours, the provider should hold regular office
  hours so that the most people newly reach it - the covering model of the location suggestions
  (:func:`planungsraeume.versorgung.standorte.plan_locations`, MCLP) with the hosts as the
  candidate sites and the provider's regular places as the existing ones; each suggestion gets a
  weekly slot inside the host's opening hours (:func:`layers.sprechzeiten.free_slot`).

Every answer is kept in the one cache (:mod:`planungsraeume.cache`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.praesenz import EVENT, presence_by_area, presence_places, providers
from layers.errors import AnalysisError
from layers.praesenz import PRESENCE_TABLE, empty_presence
from layers.sprechzeiten import free_slot, parse_hours, slot_label
from planungsraeume.cache import cached
from planungsraeume.frage import Question
from planungsraeume.region import OUTSIDE_ID, Region
from planungsraeume.versorgung.netz import check_demand, travel_matrix_function
from planungsraeume.versorgung.standorte import LocationPlan, plan_locations

__all__ = [
    "EVENT_WINDOW_DAYS",
    "OfficeHourPlan",
    "office_hour_suggestions",
    "places",
    "places_by_area",
    "provider_list",
    "reach_by_area",
]

#: Events count as presence if they took place in the last 365 days or take place in the next
#: 180 days from the question's day (a Bestandsaufnahme looks back a year).
EVENT_WINDOW_DAYS = (365, 180)


def _presence(region: Region) -> gpd.GeoDataFrame:
    if not region.has_layer(PRESENCE_TABLE):
        return empty_presence(region.crs)
    layer = region.layer(PRESENCE_TABLE)
    assert isinstance(layer, gpd.GeoDataFrame)
    return layer


@cached("traeger")
def provider_list(region: Region) -> pd.DataFrame:
    """The providers of the region (:func:`analyses.praesenz.providers`), most places first."""
    return providers(region.offers(), _presence(region))


def _check_provider(region: Region, traeger: str) -> str:
    known = provider_list(region)
    names = {str(t).casefold(): str(t) for t in known["traeger"]}
    found = names.get(traeger.strip().casefold())
    if found is None:
        raise AnalysisError(f"Den Träger „{traeger}“ gibt es in dieser Region nicht.",
                            hinweis="Wählen Sie einen Träger aus der Liste, z. B. "
                                    f"„{known['traeger'].iloc[0]}“." if len(known) else
                                    "Tragen Sie Träger im Angebotsverzeichnis ein.")
    return found


@cached("praesenz_orte")
def places(region: Region, frage: Question, traeger: str) -> gpd.GeoDataFrame:
    """Every place of the provider on the question's day (events of the last year, next half-year).

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`analyses.praesenz.presence_places`; events at coordinates get their planning
        area by the location of their point.
    """
    from analyses.areas import cells_to_areas

    provider = _check_provider(region, traeger)
    day = frage.tag
    back, ahead = EVENT_WINDOW_DAYS
    table = presence_places(region.offers(day), _presence(region), provider,
                            von=day - timedelta(days=back), bis=day + timedelta(days=ahead))
    missing = table["pr_id"].isna().to_numpy()
    if missing.any():
        located = cells_to_areas(table[missing], region.areas()).astype("string")
        table.loc[missing, "pr_id"] = located.fillna(OUTSIDE_ID).to_numpy()
    return table


@cached("praesenz_je_planungsraum")
def places_by_area(region: Region, frage: Question, traeger: str) -> pd.DataFrame:
    """Per planning area: own offices, office hours, events, weekly hours (with the area name)."""
    table = presence_by_area(places(region, frage, traeger),
                             region.areas()["pr_id"].astype(str).tolist())
    table.insert(1, "name", table["pr_id"].map(region.area_names()).fillna(table["pr_id"]))
    return table


def _regular(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    regular = table[(table["art"] != EVENT).to_numpy()].reset_index(drop=True)
    assert isinstance(regular, gpd.GeoDataFrame)
    return regular


@cached("praesenz_erreichbarkeit")
def reach_by_area(region: Region, frage: Question, traeger: str) -> pd.DataFrame:
    """Inhabitants (and 65+) per area who reach a regular place of the provider in time.

    Returns
    -------
    pandas.DataFrame
        ``pr_id``, ``name``, ``einwohner``, ``erreicht``, ``alter_65_plus``,
        ``erreicht_65_plus``, ``anteil_erreicht`` (0–1); an ``"ohne"`` row for cells outside
        every area and a ``"gesamt"`` row, so that the areas add up to the region.
    """
    regular = _regular(places(region, frage, traeger))
    cells, cell_areas = region.cells(), region.cell_areas()
    reached = np.zeros(len(cells), dtype=bool)
    if len(regular):
        travel = travel_matrix_function(region, frage, float(frage.minuten))
        minutes = travel(regular, "ort_id").to_numpy(dtype=float)
        reached = np.asarray((minutes <= float(frage.minuten)).any(axis=1), dtype=bool)
    people = cells["einwohner"].to_numpy(dtype=float)
    older = cells["alter_65_plus"].to_numpy(dtype=float)
    frame = pd.DataFrame({"pr_id": cell_areas.reindex(cells.index).astype(str).to_numpy(),
                          "einwohner": people, "erreicht": people * reached,
                          "alter_65_plus": older, "erreicht_65_plus": older * reached})
    sums = frame.groupby("pr_id").sum()
    order = region.areas()["pr_id"].astype(str).tolist()
    order += [k for k in sums.index if k not in order]
    sums = sums.reindex(order).fillna(0.0)
    sums.loc["gesamt"] = sums.sum()
    sums["anteil_erreicht"] = sums["erreicht"] / sums["einwohner"].where(sums["einwohner"] > 0)
    names = {**region.area_names(), "gesamt": "Region gesamt"}
    sums.insert(0, "name", [names.get(k, k) for k in sums.index])
    return sums.rename_axis("pr_id").reset_index()


@dataclass(frozen=True)
class OfficeHourPlan:
    """Suggested office hours of a provider in others' rooms.

    Attributes
    ----------
    traeger
        The provider.
    plan
        The covering model's answer (:class:`LocationPlan`): ranked hosts with the newly reached
        people, per area before/after.
    vorschlaege
        One row per suggestion in rank order: ``rang``, ``angebot_id``, ``name`` (host), ``typ``,
        ``pr_id``, ``neu_versorgt_einwohner``, ``neu_versorgt_65_plus``, ``oeffnungszeiten``,
        ``zeitfenster`` (proposed weekly slot, e.g. "Di 09:00–11:00"), point.
    kandidaten
        How many hosts were eligible (step-free, readable opening hours, another provider).
    """

    traeger: str
    plan: LocationPlan
    vorschlaege: gpd.GeoDataFrame
    kandidaten: int


def _hosts(region: Region, frage: Question, provider: str, taken: set[str]) -> gpd.GeoDataFrame:
    """Step-free advice offers of other providers with readable hours, not yet hosts."""
    offers = region.offers(frage.tag)
    other = offers["traeger"].astype("string").fillna("").str.strip().str.casefold() \
        != provider.casefold()
    mask = ((offers["gruppe"].astype(str) == "Beratung")
            & (offers["stufenloser_zugang"].astype(str) == "ja") & other
            & ~offers["angebot_id"].astype(str).isin(taken)).to_numpy()
    hosts = offers[mask]
    readable = [parse_hours(t).bekannt for t in hosts["oeffnungszeiten"]]
    hosts = hosts[np.asarray(readable, dtype=bool)].reset_index(drop=True)
    hosts = hosts.assign(kandidat_id=hosts["angebot_id"].astype(str),
                         art="Räume von " + hosts["typ"].astype(str))
    assert isinstance(hosts, gpd.GeoDataFrame)
    return hosts


@cached("sprechstunden_vorschlag", disk=False)
def office_hour_suggestions(region: Region, frage: Question, traeger: str, anzahl: int = 3, *,
                            nachfrage: str = "einwohner", dauer_min: int = 120) -> OfficeHourPlan:
    """Where the provider should hold ``anzahl`` regular office hours in existing offices.

    Raises
    ------
    AnalysisError
        For an unknown provider or when no host qualifies (German).
    """
    provider = _check_provider(region, traeger)
    demand = check_demand(nachfrage)
    regular = _regular(places(region, frage, provider))
    taken = set(regular["ort_id"].astype(str))
    presence = _presence(region)
    if len(presence):
        taken |= set(presence["gastgeber_id"].dropna().astype(str))
    hosts = _hosts(region, frage, provider, taken)
    if not len(hosts):
        raise AnalysisError("Kein Angebot eines anderen Trägers kommt als Gastgeber in Frage.",
                            hinweis="Gastgeber brauchen stufenlosen Zugang und lesbare "
                                    "Öffnungszeiten im Angebotsverzeichnis.")
    existing = regular.assign(typ="praesenz", angebot_id=regular["ort_id"].astype(str))
    travel = travel_matrix_function(region, frage, float(frage.minuten))
    plan = plan_locations(region.cells(), region.cell_areas(), region.areas(), existing, hosts,
                          travel, types=["praesenz"], k=int(anzahl),
                          max_minutes=float(frage.minuten), model="mclp", demand_column=demand)
    chosen = plan.standorte.merge(
        hosts[["kandidat_id", "typ", "oeffnungszeiten"]], on="kandidat_id", how="left")
    slots = []
    for text in chosen["oeffnungszeiten"]:
        slot = free_slot(parse_hours(text), int(dauer_min))
        slots.append(slot_label(*slot) if slot else "kein freies Zeitfenster")
    table = gpd.GeoDataFrame({
        "rang": chosen["rang"].astype(int), "angebot_id": chosen["kandidat_id"].astype(str),
        "name": chosen["name"].astype(str), "typ": chosen["typ"].astype(str),
        "pr_id": chosen["pr_id"].astype(str),
        "neu_versorgt_einwohner": chosen["neu_versorgt_einwohner"].astype(float),
        "neu_versorgt_65_plus": chosen["neu_versorgt_65_plus"].astype(float),
        "oeffnungszeiten": chosen["oeffnungszeiten"], "zeitfenster": slots,
    }, geometry=chosen.geometry.to_numpy(), crs=region.crs)
    return OfficeHourPlan(provider, plan, table, len(hosts))

