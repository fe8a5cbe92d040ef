"""Presence of a provider, office-hour suggestions and the mobile office on the Aachen demo."""

from __future__ import annotations

import pytest

from layers.sprechzeiten import parse_hours, parse_moment
from planungsraeume import mobiles_buero, praesenz
from planungsraeume.frage import Question

pytestmark = pytest.mark.slow

QUESTION = Question(angebote="beratung", profil="rollstuhl", minuten=15)
PROVIDER = "Miteinander leben e. V. (fiktiv)"
NORTH = ("PR01", "PR02", "PR05", "PR07", "PR13", "PR14")


def test_places_are_own_offices_office_hours_and_events(aachen):
    question = QUESTION.on()
    places = praesenz.places(aachen, question, PROVIDER)
    offers = aachen.offers(question.tag)
    own = offers[offers["traeger"] == PROVIDER]
    assert set(places.loc[places["art"] == "eigene Stelle", "ort_id"]) == set(own["angebot_id"])
    hours = places[places["art"] == "Sprechstunde"]
    assert len(hours) >= 1 and hours["gastgeber"].notna().all()
    assert set(places["quelle"]) == {"synthetisch"}
    by_area = praesenz.places_by_area(aachen, question, PROVIDER)
    assert by_area["orte"].sum() == len(places)
    assert by_area["stunden_woche"].sum() == pytest.approx(places["stunden_woche"].sum())


def test_reach_of_the_presence_adds_up_to_the_population(aachen):
    reach = praesenz.reach_by_area(aachen, QUESTION.on(), PROVIDER).set_index("pr_id")
    truth = aachen.population_by_area().set_index("pr_id")["einwohner"]
    areas = reach.drop(index="gesamt")
    assert areas["einwohner"].to_numpy() == pytest.approx(truth.reindex(areas.index).to_numpy())
    assert reach.loc["gesamt", "erreicht"] == pytest.approx(areas["erreicht"].sum())
    assert 0 < reach.loc["gesamt", "anteil_erreicht"] < 1


def test_office_hour_suggestions_use_stepfree_hosts_inside_their_hours(aachen):
    question = QUESTION.on()
    result = praesenz.office_hour_suggestions(aachen, question, PROVIDER, 3)
    table = result.vorschlaege
    assert 1 <= len(table) <= 3 and table["rang"].tolist() == list(range(1, len(table) + 1))
    offers = aachen.offers(question.tag).set_index("angebot_id")
    for row in table.itertuples():
        host = offers.loc[row.angebot_id]
        assert host["stufenloser_zugang"] == "ja" and host["traeger"] != PROVIDER
        start = parse_moment(row.zeitfenster.split("–")[0])
        assert parse_hours(host["oeffnungszeiten"]).offen(start)
    gains = table["neu_versorgt_einwohner"].to_numpy()
    assert (gains > 0).all() and list(gains) == sorted(gains, reverse=True)
    plan = result.plan.vorschlag
    assert plan.versorgt_nachher - plan.versorgt_vorher == pytest.approx(gains.sum())
    before = praesenz.reach_by_area(aachen, question, PROVIDER).set_index("pr_id")
    assert plan.versorgt_vorher == pytest.approx(before.loc["gesamt", "erreicht"])


def test_mobile_office_visits_every_stop_within_the_daily_budget(aachen):
    plan = mobiles_buero.mobile_office(aachen, QUESTION.on(), 5, planungsraeume=NORTH,
                                       standzeit_min=120, budget_min=300)
    stops = plan.plan.standorte
    assert len(stops) == 5 and set(stops["pr_id"]) <= set(NORTH)
    assert sorted(plan.fahrplan["kandidat_id"]) == sorted(stops["kandidat_id"])
    assert not plan.nicht_eingeplant
    assert (plan.tage["dauer_min"] <= 300 + 1e-6).all()
    assert (plan.tage["standzeit_min"] == 120 * plan.tage["halte"]).all()
    assert any("modelliert" in note for note in plan.hinweise)
    per_area = plan.plan.je_planungsraum
    assert per_area["neu_versorgt"].sum() == pytest.approx(stops["neu_versorgt_einwohner"].sum())
    assert per_area.loc[~per_area.index.isin(NORTH), "einwohner"].sum() == 0


def test_a_suggestion_and_a_mobile_plan_become_comparable_scenarios(aachen_region_copy):
    from layers.szenarien import load_scenario, save_scenario
    from planungsraeume.szenario_vorschlag import mobile_scenario, office_hour_scenario
    from planungsraeume.versorgung import compare_on_network

    region = aachen_region_copy
    question = Question.make(typ="EUTB", profil="rollstuhl", minuten=15).on()
    result = praesenz.office_hour_suggestions(region, QUESTION.on(), PROVIDER, 2)
    scenario = office_hour_scenario(result, "Sprechstunden EUTB", "EUTB")
    save_scenario(region.store, scenario)
    loaded = load_scenario(region.store, "Sprechstunden EUTB")
    assert len(loaded.aenderungen) == len(result.vorschlaege)
    comparison = compare_on_network(region, question, list(loaded.aenderungen))
    assert len(comparison.angebote_nachher) == len(comparison.angebote_vorher) + 2
    plan = mobiles_buero.mobile_office(region, QUESTION.on(), 3, planungsraeume=NORTH)
    mobile = mobile_scenario(plan, "Mobiles Büro Nord", "EUTB")
    save_scenario(region.store, mobile)
    assert len(load_scenario(region.store, "Mobiles Büro Nord").aenderungen) == 3
