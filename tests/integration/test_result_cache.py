"""Cached store-level analyses (planungsraeume.erreichbarkeit) and the `sozialraum analyse` commands."""

from __future__ import annotations

import pandas as pd
import pytest

from cli import main
from layers.errors import AnalysisError, ProfileError
from planungsraeume import cache as result_cache
from planungsraeume import erreichbarkeit as workflow
from planungsraeume.cache import ResultCache


@pytest.fixture()
def fresh_cache(tmp_path, monkeypatch):
    cache = ResultCache(tmp_path / "analysen")
    monkeypatch.setattr(result_cache, "results", cache)
    return cache


def test_results_are_computed_once_and_survive_a_restart(aachen_store, fresh_cache, tmp_path):
    first = workflow.travel_times(aachen_store, "rollstuhl", "EUTB", {"stufenloser_zugang": "ja"})
    assert fresh_cache.misses == 1
    again = workflow.travel_times(aachen_store, "rollstuhl", "EUTB", {"stufenloser_zugang": ["ja"]})
    assert fresh_cache.misses == 1 and fresh_cache.hits == 1  # same selection, same key
    pd.testing.assert_frame_equal(first, again)
    again.loc[again.index[0], "minuten"] = -1.0  # changing a copy never changes the cache
    third = workflow.travel_times(aachen_store, "rollstuhl", "EUTB", {"stufenloser_zugang": "ja"})
    assert third["minuten"].iloc[0] != -1.0
    restarted = ResultCache(tmp_path / "analysen")
    from_disk = restarted.get_or_compute(
        "reisezeiten",
        {**workflow._store_inputs(aachen_store), **workflow._profile_inputs("rollstuhl", None),
         "typ": "EUTB", "filter": {"stufenloser_zugang": ["ja"]}, "quelle": "bevoelkerung",
         "max_anbindung_m": 250.0},
        lambda: pytest.fail("should come from disk"),
    )
    pd.testing.assert_frame_equal(from_disk, first)
    assert from_disk.attrs["auswahl"] == first.attrs["auswahl"]
    other = workflow.travel_times(aachen_store, "rollstuhl", "EUTB", unbekannt="pessimistisch")
    assert fresh_cache.misses == 2
    assert (other["unbekannt"] == "pessimistisch").all()


def test_an_edit_of_the_store_invalidates_results(aachen_store_copy, fresh_cache):
    before = workflow.coverage(aachen_store_copy, "fuss", "EUTB", schwellen=[10])
    angebote = aachen_store_copy.read_layer("angebote")
    row = angebote[angebote["typ"] == "EUTB"].iloc[0]
    with aachen_store_copy.transaction() as tx:
        tx.delete("angebote", ("angebot_id", row["angebot_id"]))
    after = workflow.coverage(aachen_store_copy, "fuss", "EUTB", schwellen=[10])
    total = lambda t: t[t["pr_id"] == "gesamt"]["einwohner_erreicht"].iloc[0]  # noqa: E731
    assert total(after) < total(before)


def test_store_level_functions(aachen_store, fresh_cache):
    gaps = workflow.gaps(aachen_store, "rollator", "KoKoBe", 15)
    table = workflow.coverage(aachen_store, "rollator", "KoKoBe", schwellen=[15])
    total = table[table["pr_id"] == "gesamt"].iloc[0]
    assert gaps["einwohner"].sum() == total["einwohner_nicht_erreicht"] + total["einwohner_nicht_angebunden"]
    by_type = workflow.travel_times_by_type(aachen_store, "fuss")
    assert set(by_type["typ"]) == set(aachen_store.read_layer("angebote")["typ"])
    iso = workflow.service_isochrones(aachen_store, "rollstuhl", ["syn-eutb-01"], [10])
    assert iso["flaeche_km2"].iloc[0] > 0
    with pytest.raises(AnalysisError, match="gibt es nicht: gibts-nicht"):
        workflow.service_isochrones(aachen_store, "rollstuhl", ["gibts-nicht"], [10])
    stops = workflow.stop_distances(aachen_store)
    assert stops["distanz_m"].notna().mean() > 0.95
    with pytest.raises(ProfileError):
        workflow.travel_times(aachen_store, "einrad", "EUTB")
    with pytest.raises(AnalysisError, match="Startpunkten"):
        workflow.origins_layer(aachen_store, "bahnhoefe")


def test_cli_prints_coverage_per_planning_area(aachen_store, capsys):
    code = main(["analyse", "erreichbarkeit", "--region", "aachen", "--profil", "rollstuhl",
                 "--typ", "EUTB", "--minuten", "15", "--filter", "stufenloser_zugang=ja"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Profil 'rollstuhl'" in out and "EUTB, stufenloser_zugang = ja" in out
    assert "Region gesamt" in out and "219.401" in out
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


def test_service_counts_per_origin(aachen_store, fresh_cache):
    counts = workflow.service_counts(aachen_store, "fuss", "Pflegeeinrichtung", 15)
    travel = workflow.travel_times(aachen_store, "fuss", "Pflegeeinrichtung")
    assert counts.index.equals(travel.index)
    # an origin reaches at least one service within 15 minutes exactly when the nearest is that close
    assert ((counts["anzahl"] > 0) == (travel["minuten"] <= 15)).all()
    assert counts["anzahl"].max() > 1
