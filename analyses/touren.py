"""Weekly tours of a mobile office ("rollendes Büro") from a depot, with OR-Tools' routing library.

The stops are chosen elsewhere (a covering problem); here they are put on the days of the week:
every day is one tour that leaves the depot, visits some stops, stays at each for its service
time (the office hours held there) and returns, and the whole tour – driving plus time at the
stops – must fit into the day's budget. Among all such plans the solver looks for the one with
the least driving time (a vehicle routing problem with one vehicle per day and a duration
limit, solved by OR-Tools' constraint-programming routing solver with guided local search).

Every stop must be visited once a week. A stop that cannot be fitted at all (farther from the
depot than half the budget allows, or not reachable by road) is reported in
:attr:`WeekPlan.nicht_eingeplant` with the reason instead of failing the whole plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from layers.errors import AnalysisError

__all__ = ["DEFAULT_DAYS", "WeekPlan", "plan_tours"]

DEFAULT_DAYS = ("Mo", "Di", "Mi", "Do", "Fr")
_UNREACHABLE = 10**7  # seconds; larger than any budget, so such an arc is never used
_DROP_PENALTY = 10**9


@dataclass(frozen=True)
class WeekPlan:
    """The tours of one week.

    Attributes
    ----------
    halte
        One row per visit in order: ``tag``, ``nr`` (position on the day's tour), ``halt``
        (index into the stops, 0-based), ``ankunft_min``, ``abfahrt_min`` (minutes after the
        day's start at the depot), ``fahrt_min`` (driving to this stop).
    tage
        One row per day: ``tag``, ``halte``, ``fahrzeit_min``, ``standzeit_min``,
        ``dauer_min`` (back at the depot), ``budget_min``.
    nicht_eingeplant
        Stops (indices) that could not be visited, with a German reason each.
    fahrzeit_min
        Driving time of the whole week.
    verfahren
        How it was solved (German).
    """

    halte: pd.DataFrame
    tage: pd.DataFrame
    nicht_eingeplant: dict[int, str] = field(default_factory=dict)
    fahrzeit_min: float = 0.0
    verfahren: str = ""


def _seconds(matrix: np.ndarray) -> np.ndarray:
    out = np.where(np.isfinite(matrix), np.round(matrix * 60.0), _UNREACHABLE)
    return out.astype(np.int64)


def _check(travel: np.ndarray, service: np.ndarray, budget: float, days: Sequence[str]) -> None:
    if travel.ndim != 2 or travel.shape[0] != travel.shape[1] or travel.shape[0] != len(service) + 1:
        raise AnalysisError(
            "Die Fahrzeiten passen nicht zu den Halten.",
            hinweis="Die Fahrzeitmatrix braucht eine Zeile und Spalte für das Depot und je Halt.",
        )
    if budget <= 0 or not days:
        raise AnalysisError("Für die Touren fehlen Tage oder ein Zeitbudget größer als 0.",
                            hinweis="Wählen Sie mindestens einen Tag und ein Tagesbudget in Minuten.")
    if (service < 0).any():
        raise AnalysisError("Die Standzeit an einem Halt ist negativ.",
                            hinweis="Geben Sie die Standzeit in Minuten (≥ 0) an.")


def _unfit(travel: np.ndarray, service: np.ndarray, budget: float) -> dict[int, str]:
    """Stops that cannot be visited even on a tour of their own."""
    reasons = {}
    for stop in range(len(service)):
        there, back = travel[0, stop + 1], travel[stop + 1, 0]
        if not (np.isfinite(there) and np.isfinite(back)):
            reasons[stop] = "vom Depot aus nicht auf Straßen erreichbar"
        elif there + back + service[stop] > budget + 1e-9:
            reasons[stop] = (f"Hin- und Rückfahrt ({there + back:.0f} Min.) und Standzeit "
                             f"({service[stop]:.0f} Min.) passen nicht in das Tagesbudget "
                             f"({budget:.0f} Min.)")
    return reasons


def _solve(travel_s: np.ndarray, service_s: np.ndarray, skip: set[int], days: int,
           budget_s: int, time_limit_s: float) -> tuple[list[list[int]], str]:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    manager = pywrapcp.RoutingIndexManager(len(travel_s), days, 0)
    routing = pywrapcp.RoutingModel(manager)

    def driving(i: int, j: int) -> int:
        return int(travel_s[manager.IndexToNode(i), manager.IndexToNode(j)])

    def duration(i: int, j: int) -> int:
        node = manager.IndexToNode(i)
        stay = int(service_s[node - 1]) if node > 0 else 0
        return stay + int(travel_s[node, manager.IndexToNode(j)])

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(driving))
    routing.AddDimension(routing.RegisterTransitCallback(duration), 0, int(budget_s), True, "Zeit")
    for stop in range(len(service_s)):
        index = manager.NodeToIndex(stop + 1)
        if stop in skip:
            routing.solver().Add(routing.ActiveVar(index) == 0)
        routing.AddDisjunction([index], _DROP_PENALTY)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    parameters.time_limit.FromMilliseconds(int(max(0.1, time_limit_s) * 1000))
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        raise AnalysisError("Für die Halte ließ sich kein Tourenplan finden.",
                            hinweis="Erhöhen Sie das Tagesbudget oder verkürzen Sie die Standzeit.")
    tours = []
    for day in range(days):
        index = routing.Start(day)
        route = []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node > 0:
                route.append(node - 1)
            index = solution.Value(routing.NextVar(index))
        tours.append(route)
    return tours, "OR-Tools Routing (Pfad billigster Kanten, dann geführte lokale Suche)"


def plan_tours(
    travel_minutes: np.ndarray,
    service_minutes: Sequence[float],
    *,
    budget_minutes: float,
    days: Sequence[str] = DEFAULT_DAYS,
    time_limit_s: float = 2.0,
) -> WeekPlan:
    """Put every stop on one day's tour from the depot, each day within the time budget.

    Parameters
    ----------
    travel_minutes
        Driving minutes, ``(m+1) × (m+1)``: row/column 0 is the depot, then the stops; ``inf``
        where there is no road connection.
    service_minutes
        Time spent at each stop (the office hours held there), in minutes.
    budget_minutes
        Longest working day: from leaving the depot to being back, driving and stops.
    days
        Labels of the days a tour may run on (one tour per day at most).
    time_limit_s
        Search time of the solver.

    Returns
    -------
    WeekPlan

    Raises
    ------
    AnalysisError
        For inconsistent inputs (German).
    """
    travel = np.asarray(travel_minutes, dtype=float)
    service = np.asarray(service_minutes, dtype=float)
    _check(travel, service, float(budget_minutes), days)
    skip = _unfit(travel, service, float(budget_minutes))
    tours: list[list[int]] = [[] for _ in days]
    method = "keine Halte einzuplanen"
    if len(skip) < len(service):
        tours, method = _solve(_seconds(travel), np.round(service * 60).astype(np.int64), set(skip),
                               len(days), int(round(budget_minutes * 60)), time_limit_s)
    visited = {s for tour in tours for s in tour}
    missing = {s: skip.get(s, "passt mit den übrigen Halten nicht in die Tagesbudgets")
               for s in range(len(service)) if s not in visited}
    return _tables(travel, service, tours, days, float(budget_minutes), missing, method)


def _tables(travel: np.ndarray, service: np.ndarray, tours: list[list[int]], days: Sequence[str],
            budget: float, missing: dict[int, str], method: str) -> WeekPlan:
    rows, summary = [], []
    for day, tour in zip(days, tours, strict=True):
        clock, previous, driving = 0.0, 0, 0.0
        for number, stop in enumerate(tour, start=1):
            leg = float(travel[previous, stop + 1])
            clock += leg
            driving += leg
            rows.append({"tag": day, "nr": number, "halt": stop, "ankunft_min": round(clock, 1),
                         "abfahrt_min": round(clock + service[stop], 1), "fahrt_min": round(leg, 1)})
            clock += float(service[stop])
            previous = stop + 1
        if tour:
            back = float(travel[previous, 0])
            clock += back
            driving += back
        summary.append({"tag": day, "halte": len(tour), "fahrzeit_min": round(driving, 1),
                        "standzeit_min": round(float(service[tour].sum()) if tour else 0.0, 1),
                        "dauer_min": round(clock, 1), "budget_min": budget})
    halte = pd.DataFrame(rows, columns=["tag", "nr", "halt", "ankunft_min", "abfahrt_min",
                                        "fahrt_min"])
    tage = pd.DataFrame(summary)
    return WeekPlan(halte=halte, tage=tage, nicht_eingeplant=dict(sorted(missing.items())),
                    fahrzeit_min=float(tage["fahrzeit_min"].sum()), verfahren=method)
