"""Cached store-level analyses (planungsraeume.erreichbarkeit) and the `sozialraum analyse` commands."""

from __future__ import annotations

import pandas as pd
import pytest

from cli import main
from layers.errors import AnalysisError, ProfileError
from planungsraeume import cache as result_cache
from planungsraeume import erreichbarkeit as workflow
from planungsraeume.cache import ResultCache, key_value
from planungsraeume.frage import Question


@pytest.fixture()
def fresh_cache(tmp_path, monkeypatch):
    cache = ResultCache(tmp_path / "analysen")
    monkeypatch.setattr(result_cache, "results", cache)
    return cache


EUTB_STEP_FREE = Question.make(typ="EUTB", filter={"stufenloser_zugang": "ja"}, profil="rollstuhl")


def test_results_are_computed_once_and_survive_a_restart(aachen, fresh_cache, tmp_path):
    first = workflow.travel_times(aachen, EUTB_STEP_FREE)
    misses = fresh_cache.misses
    again = workflow.travel_times(
        aachen, Question.make(typ="EUTB", filter={"stufenloser_zugang": ["ja"]}, profil="rollstuhl"))
    assert fresh_cache.misses == misses  # same selection, same key
    pd.testing.assert_frame_equal(first, again)
    again.loc[again.index[0], "minuten"] = -1.0  # changing a copy never changes the cache
    third = workflow.travel_times(aachen, EUTB_STEP_FREE)
    assert third["minuten"].iloc[0] != -1.0
    restarted = ResultCache(tmp_path / "analysen")
    inputs = {"frage": key_value(EUTB_STEP_FREE), "quelle": "bevoelkerung",
              "max_anbindung_m": 250.0, "region": aachen.identity()}
    from_disk = restarted.get_or_compute("reisezeiten", inputs,
                                         lambda: pytest.fail("should come from disk"))
    pd.testing.assert_frame_equal(from_disk, first)
    assert from_disk.attrs["auswahl"] == first.attrs["auswahl"]
    other = workflow.travel_times(aachen, EUTB_STEP_FREE.with_(unbekannt="pessimistisch"))
    assert fresh_cache.misses > misses
    assert (other["unbekannt"] == "pessimistisch").all()


def test_an_edit_of_the_store_invalidates_results(aachen_region_copy, fresh_cache):
    question = Question.make(typ="EUTB", profil="fuss", minuten=10)
    before = workflow.coverage(aachen_region_copy, question)
    angebote = aachen_region_copy.store.read_layer("angebote")
    row = angebote[angebote["typ"] == "EUTB"].iloc[0]
    with aachen_region_copy.store.transaction() as tx:
        tx.delete("angebote", ("angebot_id", row["angebot_id"]))
    after = workflow.coverage(aachen_region_copy, question)
    total = lambda t: t[t["pr_id"] == "gesamt"]["einwohner_erreicht"].iloc[0]  # noqa: E731
    assert total(after) < total(before)


def test_store_level_functions(aachen, fresh_cache):
    kokobe = Question.make(typ="KoKoBe", profil="rollator", minuten=15)
    gaps = workflow.gaps(aachen, kokobe)
    table = workflow.coverage(aachen, kokobe)
    total = table[table["pr_id"] == "gesamt"].iloc[0]
    assert gaps["einwohner"].sum() == total["einwohner_nicht_erreicht"] + total["einwohner_nicht_angebunden"]
    by_type = workflow.travel_times_by_type(aachen, Question.make(profil="fuss"))
    assert set(by_type["typ"]) == set(aachen.offers()["typ"])
    wheelchair = Question.make(profil="rollstuhl")
    iso = workflow.service_isochrones(aachen, wheelchair, ["syn-eutb-01"], [10])
    assert iso["flaeche_km2"].iloc[0] > 0
    with pytest.raises(AnalysisError, match="gibt es nicht .oder nicht mehr.: gibts-nicht"):
        workflow.service_isochrones(aachen, wheelchair, ["gibts-nicht"], [10])
    stops = workflow.stop_distances(aachen)
    assert stops["distanz_m"].notna().mean() > 0.95
    with pytest.raises(ProfileError):
        Question.make(typ="EUTB", profil="einrad")
    with pytest.raises(AnalysisError, match="Startpunkten"):
        aachen.origins("bahnhoefe")


def test_cli_prints_coverage_per_planning_area(aachen_store, capsys):
    code = main(["analyse", "erreichbarkeit", "--region", "aachen", "--profil", "rollstuhl",
                 "--typ", "EUTB", "--minuten", "15", "--filter", "stufenloser_zugang=ja"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Profil 'rollstuhl'" in out and "EUTB, stufenloser_zugang = ja" in out
    assert "Region gesamt" in out and "219.186" in out  # the model without outbuildings
    assert out.count("\nPR") == 27


def test_cli_errors_are_german(aachen_store, capsys):
    code = main(["analyse", "erreichbarkeit", "--region", "aachen", "--profil", "auto"])
    assert code == 2
    assert "Das Fortbewegungsprofil 'auto' gibt es nicht" in capsys.readouterr().err
    code = main(["analyse", "erreichbarkeit", "--region", "aachen", "--minuten", "0"])
    assert code == 2
    assert "größer als 0 Minuten" in capsys.readouterr().err
    code = main(["analyse", "erreichbarkeit", "--region", "aachen", "--filter", "kaputt"])
    assert code == 2
    assert "spalte=wert" in capsys.readouterr().err
    code = main(["analyse", "oev-gueteklassen", "--region", "aachen"])
    assert code == 2
    assert "kein GTFS-Fahrplan hinterlegt" in capsys.readouterr().err


def test_service_counts_per_origin(aachen, fresh_cache):
    question = Question.make(typ="Pflegeeinrichtung", profil="fuss", minuten=15)
    counts = workflow.service_counts(aachen, question)
    travel = workflow.travel_times(aachen, question)
    assert counts.index.equals(travel.index)
    # an origin reaches at least one service within 15 minutes exactly when the nearest is that close
    assert ((counts["anzahl"] > 0) == (travel["minuten"] <= 15)).all()
    assert counts["anzahl"].max() > 1
