"""The mobile office ("rollendes Büro"): k stops and a weekly tour plan for planning areas.

1. **Stops**: among the candidate places of the region (public buildings, community places and
   others' rooms, :func:`layers.kandidaten.candidate_sites_from_store`, or a user list) inside the
   chosen planning areas, choose ``anzahl`` stops that bring the most people of the areas within
   the question's minutes (its profile, e.g. in a wheelchair) who reach no fixed office of the
   question's selection in that time - the covering model of the location suggestions
   (:func:`planungsraeume.versorgung.standorte.plan_locations`, MCLP).
2. **Tours**: from a depot (an offer, default the selected offer nearest to the stops) every stop
   is visited once a week on one day's tour under a daily time budget that includes the time
   spent at each stop (:func:`analyses.touren.plan_tours`, OR-Tools routing).

Driving times are **modelled**: the region has no road network for cars yet, so the driving time
between two places is the length of the shortest way on the region's pedestrian network driven
at :data:`CAR_SPEED_KMH` (city average including stops at junctions). The plan says so
(``hinweise``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.areas import cells_to_areas
from analyses.network.profiles import get_profile
from analyses.network.search import travel_time_matrix
from analyses.touren import DEFAULT_DAYS, WeekPlan, plan_tours
from layers.errors import AnalysisError
from planungsraeume.cache import cached
from planungsraeume.frage import Question
from planungsraeume.region import OUTSIDE_ID, Region
from planungsraeume.versorgung.netz import check_demand, travel_matrix_function
from planungsraeume.versorgung.standorte import LocationPlan, plan_locations

__all__ = ["CAR_SPEED_KMH", "MobileOfficePlan", "mobile_office"]

#: Average driving speed in town for the modelled driving times.
CAR_SPEED_KMH = 25.0
_ROUTE_CUTOFF_MIN = 2000.0  # walking minutes; far beyond any city


@dataclass(frozen=True)
class MobileOfficePlan:
    """Stops and weekly timetable of a mobile office.

    Attributes
    ----------
    plan
        The covering model's answer for the stops (ranked, newly reached people per stop and
        per area before/after, for the chosen areas).
    fahrplan
        One row per visit: ``tag``, ``von``, ``bis`` (clock times), ``halt`` (name),
        ``kandidat_id``, ``pr_id``, ``fahrt_min`` (driving to it).
    tage
        One row per day: ``tag``, ``halte``, ``fahrzeit_min``, ``standzeit_min``,
        ``dauer_min``, ``budget_min``.
    depot
        ``angebot_id`` and name of the depot.
    nicht_eingeplant
        Stops that could not be put on a tour, with the German reason.
    hinweise
        German remarks (modelled driving times …).
    """

    plan: LocationPlan
    fahrplan: pd.DataFrame
    tage: pd.DataFrame
    depot: tuple[str, str]
    nicht_eingeplant: dict[str, str] = field(default_factory=dict)
    hinweise: tuple[str, ...] = ()


def _clock(start_min: int, offset: float) -> str:
    total = int(round(start_min + offset))
    return f"{total // 60:02d}:{total % 60:02d}"


def _parse_clock(text: str) -> int:
    try:
        hours, minutes = (int(p) for p in text.split(":"))
    except ValueError:
        raise AnalysisError(f"'{text}' ist keine Uhrzeit.",
                            hinweis="Schreiben Sie den Beginn als HH:MM, z. B. 08:00.") from None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise AnalysisError(f"'{text}' ist keine Uhrzeit.", hinweis="Zum Beispiel 08:00.")
    return hours * 60 + minutes


def _in_areas(region: Region, chosen: Sequence[str]) -> tuple[gpd.GeoDataFrame, pd.Series]:
    cells, cell_areas = region.cells(), region.cell_areas()
    if not chosen:
        return cells, cell_areas
    known = set(region.areas()["pr_id"].astype(str))
    unknown = [a for a in chosen if a not in known]
    if unknown:
        raise AnalysisError(f"Unbekannte Planungsräume: {', '.join(unknown)}.",
                            hinweis=f"Zum Beispiel {', '.join(sorted(known)[:3])}.")
    mask = cell_areas.reindex(cells.index).astype(str).isin(list(chosen)).to_numpy()
    inside = cells[mask]
    assert isinstance(inside, gpd.GeoDataFrame)
    return inside, cell_areas[mask]


def _driving_minutes(region: Region, points: gpd.GeoDataFrame) -> np.ndarray:
    """Modelled driving minutes between all points (pedestrian-network length at car speed)."""
    graph = region.graph("fuss", "optimistisch")
    labelled = points.reset_index(drop=True).assign(punkt_id=[str(i) for i in range(len(points))])
    matrix = travel_time_matrix(graph, labelled, labelled, _ROUTE_CUTOFF_MIN, ziel_id="punkt_id",
                                name="Halte")
    walking = matrix.minuten.toarray().astype(float)
    present = matrix.minuten.copy()
    present.data[:] = 1
    walking[present.toarray() == 0] = np.inf
    np.fill_diagonal(walking, 0.0)
    factor = get_profile("fuss").geschwindigkeit_m_s * 3.6 / CAR_SPEED_KMH
    return walking * factor


def _depot(region: Region, frage: Question, depot: str | None,
           stops: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    offers = region.offers(frage.tag)
    if depot is not None:
        chosen = offers[offers["angebot_id"].astype(str) == depot]
        if not len(chosen):
            raise AnalysisError(f"Das Depot '{depot}' ist kein aktives Angebot.",
                                hinweis="Wählen Sie als Depot ein Angebot aus dem Verzeichnis.")
        return chosen.iloc[:1]
    pool = region.selected_offers(frage)
    centre = stops.geometry.union_all().centroid
    return pool.iloc[[int(np.argmin(pool.distance(centre).to_numpy()))]]


def _timetable(plan: LocationPlan, week: WeekPlan, start: int) -> pd.DataFrame:
    stops = plan.standorte.reset_index(drop=True)
    rows = []
    halte = week.halte
    for day, stop_index, arrive, leave, leg in zip(
            halte["tag"].astype(str), halte["halt"].astype(int),
            halte["ankunft_min"].astype(float), halte["abfahrt_min"].astype(float),
            halte["fahrt_min"].astype(float), strict=True):
        stop = stops.iloc[int(stop_index)]
        rows.append({"tag": day, "von": _clock(start, float(arrive)),
                     "bis": _clock(start, float(leave)), "halt": str(stop["name"]),
                     "kandidat_id": str(stop["kandidat_id"]), "pr_id": str(stop["pr_id"]),
                     "fahrt_min": float(leg)})
    return pd.DataFrame(rows, columns=["tag", "von", "bis", "halt", "kandidat_id", "pr_id",
                                       "fahrt_min"])


@cached("mobiles_buero", disk=False)
def mobile_office(
    region: Region,
    frage: Question,
    anzahl: int = 5,
    *,
    planungsraeume: tuple[str, ...] = (),
    depot: str | None = None,
    standzeit_min: float = 120.0,
    budget_min: float = 480.0,
    beginn: str = "08:00",
    tage: tuple[str, ...] = DEFAULT_DAYS,
    nachfrage: str = "einwohner",
    kandidaten: gpd.GeoDataFrame | None = None,
) -> MobileOfficePlan:
    """Choose ``anzahl`` stops in the areas and plan the weekly tours (see the module docstring).

    Raises
    ------
    AnalysisError
        Unknown areas, no candidate place in them, an unknown depot or bad times (German).
    """
    from layers.kandidaten import candidate_sites_from_store

    demand = check_demand(nachfrage)
    start = _parse_clock(beginn)
    cells, cell_areas = _in_areas(region, planungsraeume)
    sites = candidate_sites_from_store(region.store) if kandidaten is None else kandidaten
    if planungsraeume and len(sites):
        where = cells_to_areas(sites, region.areas()).fillna(OUTSIDE_ID).astype(str)
        sites = sites[where.isin(list(planungsraeume)).to_numpy()].reset_index(drop=True)
    if not len(sites):
        raise AnalysisError("In den gewählten Planungsräumen gibt es keinen möglichen Halt.",
                            hinweis="Wählen Sie weitere Planungsräume oder laden Sie eine Liste "
                                    "möglicher Halte.")
    fixed = region.selected_offers(frage).assign(typ="fest")
    travel = travel_matrix_function(region, frage, float(frage.minuten))

    def in_area(points: gpd.GeoDataFrame, id_column: str) -> pd.DataFrame:
        minutes = travel(points, id_column)  # one row per populated cell of the region
        return minutes.loc[np.flatnonzero(region.cells().index.isin(cells.index))] \
            .reset_index(drop=True)

    plan = plan_locations(cells, cell_areas, region.areas(), fixed, sites, in_area,
                          types=["fest"], k=int(anzahl), max_minutes=float(frage.minuten),
                          model="mclp", demand_column=demand)
    stops = plan.standorte.reset_index(drop=True)
    home = _depot(region, frage, depot, stops)
    points = gpd.GeoDataFrame(geometry=[*home.geometry, *stops.geometry], crs=region.crs)
    week = plan_tours(_driving_minutes(region, points), [float(standzeit_min)] * len(stops),
                      budget_minutes=float(budget_min), days=tage)
    missing = {str(stops.iloc[i]["name"]): reason for i, reason in week.nicht_eingeplant.items()}
    notes = (f"Fahrzeiten modelliert: Weglänge im Fußwegenetz bei {CAR_SPEED_KMH:g} km/h "
             "(die Region hat noch kein Straßennetz für Autos).", week.verfahren)
    return MobileOfficePlan(plan=plan, fahrplan=_timetable(plan, week, start), tage=week.tage,
                            depot=(str(home["angebot_id"].iloc[0]), str(home["name"].iloc[0])),
                            nicht_eingeplant=missing, hinweise=notes)
