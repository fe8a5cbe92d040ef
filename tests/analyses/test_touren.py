"""Weekly tours of the mobile office on a small road network with known distances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analyses.touren import plan_tours
from layers.errors import AnalysisError

# Depot 0 and four stops on a line: 0 — 1 — 2 — 3 — 4, 20 minutes between neighbours.
POSITIONS = np.array([0, 1, 2, 3, 4])
LINE = np.abs(POSITIONS[:, None] - POSITIONS[None, :]) * 20.0


def _check_budget(plan, travel, service, budget):
    for day, visits in plan.halte.groupby("tag"):
        order = visits.sort_values("nr")["halt"].tolist()
        path = [0, *[s + 1 for s in order], 0]
        driving = sum(travel[a, b] for a, b in itertools.pairwise(path))
        total = driving + sum(service[s] for s in order)
        assert total <= budget + 1e-6, day
        summary = plan.tage.set_index("tag").loc[day]
        assert summary["dauer_min"] == pytest.approx(total)


def test_every_stop_is_visited_once_and_each_day_keeps_its_budget():
    service = [120.0, 120.0, 120.0, 120.0]
    plan = plan_tours(LINE, service, budget_minutes=300, days=["Mo", "Di", "Mi", "Do", "Fr"])
    assert sorted(plan.halte["halt"]) == [0, 1, 2, 3]
    assert not plan.nicht_eingeplant
    _check_budget(plan, LINE, service, 300)
    # Two stops of 120 minutes need at least 40 minutes of driving (stops 1 and 2: 0→1→2→0 is
    # 20 + 20 + 40 = 80); no day can hold three stops (360 > 300).
    assert plan.halte.groupby("tag").size().max() <= 2


def test_the_tour_minimises_driving_within_the_budget():
    service = [60.0, 60.0, 60.0, 60.0]
    plan = plan_tours(LINE, service, budget_minutes=480, days=["Mo", "Di"])
    # One day suffices: 0→1→2→3→4→0 drives 160 minutes, plus 240 at the stops = 400 ≤ 480.
    assert plan.fahrzeit_min == pytest.approx(160.0)
    assert (plan.tage["halte"] > 0).sum() == 1
    _check_budget(plan, LINE, service, 480)


def test_a_stop_that_cannot_fit_is_reported_not_hidden():
    travel = LINE.copy()
    travel[0, 4] = travel[4, 0] = np.inf  # stop 4 has no road to the depot
    service = [60.0, 60.0, 60.0, 300.0]
    plan = plan_tours(travel, service, budget_minutes=240, days=["Mo", "Di"])
    assert set(plan.nicht_eingeplant) == {3}
    assert "nicht auf Straßen erreichbar" in plan.nicht_eingeplant[3]
    assert sorted(plan.halte["halt"]) == [0, 1, 2]
    _check_budget(plan, travel, service, 240)


def test_timetable_times_follow_driving_and_stops():
    plan = plan_tours(LINE[:3, :3], [90.0, 30.0], budget_minutes=300, days=["Mo"])
    rows = plan.halte.sort_values("nr")
    assert rows["halt"].tolist() == [0, 1]
    assert rows["ankunft_min"].tolist() == [20.0, 130.0]
    assert rows["abfahrt_min"].tolist() == [110.0, 160.0]


def test_bad_inputs_are_refused_in_german():
    with pytest.raises(AnalysisError, match="Fahrzeiten passen nicht"):
        plan_tours(LINE, [60.0], budget_minutes=300)
    with pytest.raises(AnalysisError, match="Zeitbudget"):
        plan_tours(LINE, [60.0] * 4, budget_minutes=0)
