"""Outreach coverage, reachability at a moment of the week, open hours and digital-only offers
per planning area on the Aachen demo."""

from __future__ import annotations

import numpy as np
import pytest

from layers.sprechzeiten import parse_hours, parse_moment
from planungsraeume import erreichbarkeit, zugangswege
from planungsraeume.frage import Question

pytestmark = pytest.mark.slow

QUESTION = Question(angebote="beratung", profil="rollstuhl", minuten=15)


def test_every_inhabitant_is_counted_once_and_on_site_equals_the_coverage(aachen):
    question = QUESTION.on()
    table = zugangswege.outreach_coverage(aachen, question).set_index("pr_id")
    parts = table[["einwohner_vor_ort", "einwohner_aufsuchend", "einwohner_nicht_versorgt"]]
    np.testing.assert_allclose(parts.sum(axis=1).to_numpy(), table["einwohner"].to_numpy())
    truth = aachen.population_by_area().set_index("pr_id")["einwohner"]
    np.testing.assert_allclose(table["einwohner"].to_numpy(),
                               truth.reindex(table.index).to_numpy())
    coverage = erreichbarkeit.coverage(aachen, question).set_index("pr_id")
    assert table["einwohner_vor_ort"].sum() == pytest.approx(
        coverage.loc["gesamt", "einwohner_erreicht"], abs=1)
    assert table["einwohner_aufsuchend"].sum() > 0
    listed = table.attrs["aufsuchende_angebote"]
    offers = aachen.selected_offers(question).set_index("angebot_id")
    assert listed and all(offers.loc[i, "aufsuchend"] == "ja" for i in listed)


def test_tuesday_17_counts_only_offers_open_then(aachen):
    question = QUESTION.on()
    at = zugangswege.question_at(aachen, question, "Di 17:00")
    chosen = aachen.selected_offers(at)
    moment = parse_moment("Di 17:00")
    assert all(parse_hours(t).offen(moment) for t in chosen["oeffnungszeiten"])
    everything = aachen.selected_offers(question)
    closed = [i for i, t in zip(everything["angebot_id"], everything["oeffnungszeiten"],
                                strict=True) if parse_hours(t).bekannt
              and not parse_hours(t).offen(moment)]
    assert closed and not set(closed) & set(chosen["angebot_id"])
    then = erreichbarkeit.coverage(aachen, at).set_index("pr_id").loc["gesamt"]
    always = erreichbarkeit.coverage(aachen, question).set_index("pr_id").loc["gesamt"]
    assert then["einwohner_erreicht"] <= always["einwohner_erreicht"]


def test_hours_and_digital_only_offers_per_area(aachen):
    question = QUESTION.on()
    hours = zugangswege.hours_by_area(aachen, question)
    offers = aachen.selected_offers(question)
    assert hours["angebote"].sum() == len(offers)
    assert (hours["stunden_offen"] <= hours["stunden_summe"] + 1e-9).all()
    assert (hours["stunden_offen"] <= 168).all()
    digital = zugangswege.digital_only_by_area(aachen, question)
    only = offers["zugangswege"].astype("string").fillna("")
    expected = int(((only != "") & ~only.str.contains("vor Ort")).sum())
    assert digital["nur_digital"].sum() == expected >= 1
    flagged = digital[digital["nur_digital_erreichbar"]]
    assert (flagged["nur_digital"] == flagged["angebote"]).all()


def test_the_gap_layer_counts_outreach_or_not(aachen):
    question = QUESTION.on()
    plain = zugangswege.gaps(aachen, question, aufsuchend_zaehlt=False)
    assert plain.equals(erreichbarkeit.gaps(aachen, question))
    with_outreach = zugangswege.gaps(aachen, question, aufsuchend_zaehlt=True)
    table = zugangswege.outreach_coverage(aachen, question)
    assert with_outreach["einwohner"].sum() == pytest.approx(
        table["einwohner_nicht_versorgt"].sum())
    assert plain["einwohner"].sum() - with_outreach["einwohner"].sum() == pytest.approx(
        table["einwohner_aufsuchend"].sum())
