"""2SFCA / E2SFCA: hand-computed example, an independent numpy reference, Aachen data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analyses.accessibility import (
    DistanceDecay,
    capacity_supply,
    enhanced_two_step_fca,
    service_ratios,
    two_step_fca,
)
from layers.errors import AnalysisError
from tests.tools.asserts import assert_result

# A small example, computed by hand below.
DEMAND = pd.Series([100.0, 200.0, 300.0, 0.0], index=["c1", "c2", "c3", "c4"])
SUPPLY = pd.Series([10.0, 20.0, 5.0], index=["a", "b", "z"])
TRAVEL = pd.DataFrame(
    {
        "herkunft_id": ["c1", "c1", "c2", "c2", "c3", "c4", "c9"],
        "ziel_id": ["a", "b", "a", "b", "b", "z", "a"],
        "minuten": [5.0, 20.0, 10.0, 8.0, 12.0, 3.0, 1.0],
    }
)


def test_classic_2sfca_hand_computed():
    # Catchment 15 min: a is reached by c1 (100) and c2 (200) -> R_a = 10/300;
    # b by c2 (200) and c3 (300) -> R_b = 20/500; c1->b takes 20 min (outside).
    # z is reached only by c4, whose demand is 0: no ratio, left out. c9 is unknown.
    result = two_step_fca(TRAVEL, DEMAND, SUPPLY, max_minutes=15)
    assert list(result.index) == ["c1", "c2", "c3", "c4"]
    expected = {"c1": 10 / 300, "c2": 10 / 300 + 20 / 500, "c3": 20 / 500, "c4": 0.0}
    for key, value in expected.items():
        assert result.loc[key, "verhaeltnis"] == pytest.approx(value, rel=1e-12)
        assert result.loc[key, "je_einheit"] == pytest.approx(1000 * value, rel=1e-12)
    assert result["angebote_erreichbar"].tolist() == [1, 2, 1, 1]
    assert_result(result, DEMAND, {"verhaeltnis": expected, "angebote_erreichbar": [1, 2, 1, 1]})


def test_enhanced_2sfca_steps_hand_computed():
    # Luo & Qi zones for 15 min: <=5 -> 1.0, <=10 -> 0.68, <=15 -> 0.22.
    # a: c1 at 5 (1.0), c2 at 10 (0.68): demand 100 + 136 = 236 -> R_a = 10/236.
    # b: c2 at 8 (0.68), c3 at 12 (0.22): demand 136 + 66 = 202 -> R_b = 20/202.
    result = enhanced_two_step_fca(TRAVEL, DEMAND, SUPPLY, max_minutes=15)
    r_a, r_b = 10 / 236, 20 / 202
    assert result.loc["c1", "verhaeltnis"] == pytest.approx(r_a)
    assert result.loc["c2", "verhaeltnis"] == pytest.approx(0.68 * r_a + 0.68 * r_b)
    assert result.loc["c3", "verhaeltnis"] == pytest.approx(0.22 * r_b)


def test_gaussian_weight_properties():
    weight = DistanceDecay("gauss", 15.0)
    assert weight(0.0) == pytest.approx(1.0)
    assert weight(15.0) == pytest.approx(0.0)
    assert weight(16.0) == 0.0
    values = np.asarray(weight(np.linspace(0, 15, 31)))
    assert np.all(np.diff(values) < 0)
    # scalar and vectorised paths agree
    assert weight(7.3) == pytest.approx(float(np.asarray(weight(np.array([7.3])))[0]))


def test_step_weights_custom_and_invalid():
    weight = DistanceDecay("stufen", 30.0, ((10.0, 1.0), (20.0, 0.5)))
    assert [weight(x) for x in (0, 10, 10.5, 20, 25, 31)] == [1.0, 1.0, 0.5, 0.5, 0.0, 0.0]
    with pytest.raises(AnalysisError, match="steigenden Minuten"):
        DistanceDecay("stufen", 30.0, ((10.0, 1.0), (5.0, 0.5)))
    with pytest.raises(AnalysisError, match="unbekannt"):
        DistanceDecay("linear", 30.0)
    with pytest.raises(AnalysisError, match="größer als 0"):
        two_step_fca(TRAVEL, DEMAND, SUPPLY, max_minutes=0)


def test_service_ratios_flags_offer_without_demand():
    ratios = service_ratios(TRAVEL, DEMAND, SUPPLY, max_minutes=15)
    assert_result(ratios, SUPPLY, {"ohne_nachfrage": [False, False, True]})
    assert ratios.loc["a", "nachfrage_gewichtet"] == pytest.approx(300.0)
    assert ratios.loc["b", "verhaeltnis"] == pytest.approx(20 / 500)
    assert bool(ratios.loc["z", "ohne_nachfrage"]) and np.isnan(ratios.loc["z", "verhaeltnis"])


def _reference(tt: pd.DataFrame, demand: pd.Series, supply: pd.Series, weight) -> np.ndarray:
    """Independent dense numpy 2SFCA (weight applied in both steps)."""
    n, m = len(demand), len(supply)
    t = np.full((n, m), np.inf)
    oi = pd.Index(demand.index).get_indexer(tt["herkunft_id"])
    di = pd.Index(supply.index).get_indexer(tt["ziel_id"])
    ok = (oi >= 0) & (di >= 0)
    np.minimum.at(t, (oi[ok], di[ok]), tt["minuten"].to_numpy()[ok])
    w = np.asarray(weight(np.where(np.isfinite(t), t, 1e9)), dtype=float)
    p = demand.to_numpy(float)
    catch = p @ w
    ratio = np.divide(supply.to_numpy(float), catch, out=np.zeros(m), where=catch > 0)
    return w @ ratio


@pytest.mark.parametrize("kind", ["keine", "stufen", "gauss"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_access_matches_independent_numpy(kind, seed):
    rng = np.random.default_rng(seed)
    n, m = 60, 12
    demand = pd.Series(rng.integers(0, 80, n).astype(float), index=[f"o{i}" for i in range(n)])
    supply = pd.Series(rng.uniform(5, 60, m), index=[f"s{j}" for j in range(m)])
    pairs = [(i, j) for i in range(n) for j in range(m) if rng.random() < 0.4]
    tt = pd.DataFrame(
        {
            "herkunft_id": [f"o{i}" for i, _ in pairs],
            "ziel_id": [f"s{j}" for _, j in pairs],
            "minuten": rng.uniform(0, 25, len(pairs)),
        }
    )
    weight = DistanceDecay(kind, 15.0)
    result = two_step_fca(tt, demand, supply, max_minutes=15, decay=kind)
    assert_result(result, demand)
    reference = _reference(tt, demand, supply, weight)
    np.testing.assert_allclose(result["verhaeltnis"].to_numpy(), reference, rtol=1e-10)
    fast = two_step_fca(tt, demand, supply, max_minutes=15, decay=kind, engine="numpy")
    np.testing.assert_allclose(fast["verhaeltnis"].to_numpy(), reference, rtol=1e-10)


def test_capacity_default_median_and_flags():
    services = pd.DataFrame(
        {
            "angebot_id": ["e1", "e2", "e3", "k1", "k2"],
            "typ": ["EUTB", "EUTB", "EUTB", "KSL", "KSL"],
            "kapazitaet_std_woche": [20.0, 40.0, np.nan, np.nan, 0.0],
        }
    )
    before = services.copy()
    supply = capacity_supply(services)
    assert supply.loc["e3", "angebot"] == pytest.approx(30.0)  # median of the EUTB values
    assert supply.loc["e3", "kapazitaet_quelle"] == "median_typ"
    assert supply.loc["k1", "angebot"] == pytest.approx(39.0)  # no KSL capacity known
    assert supply.loc["k2", "kapazitaet_quelle"] == "standard"
    assert supply.loc["e1", "kapazitaet_quelle"] == "angegeben"
    pd.testing.assert_frame_equal(services, before)
    bad = services.assign(kapazitaet_std_woche=[20.0, -5.0, 1.0, 1.0, 1.0])
    with pytest.raises(AnalysisError, match="nicht negativ") as info:
        capacity_supply(bad)
    assert "e2" in str(info.value)


def test_bad_travel_table_is_rejected_in_german():
    with pytest.raises(AnalysisError, match="fehlen die Spalten"):
        two_step_fca(TRAVEL.rename(columns={"minuten": "zeit"}), DEMAND, SUPPLY, max_minutes=15)
    with pytest.raises(AnalysisError, match="negative Minuten"):
        two_step_fca(TRAVEL.assign(minuten=-1.0), DEMAND, SUPPLY, max_minutes=15)
