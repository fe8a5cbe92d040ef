"""The package functions behind the app's analysis views (issue #6, part B), on real data.

Travel-time classes and weighted shares per planning area, isochrones from a point with their
population, distance to stops and ÖV-Güteklassen per planning area, retired offers in the
reachability workflow, reachability as an indicator of #4, fixed barrier filter choices and the
hotspot grid of #5.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from analyses.coverage import (
    NOT_CONNECTED_LABEL,
    UNREACHABLE_LABEL,
    share_by_area,
    time_band_labels,
    time_bands,
)
from layers.errors import AnalysisError
from planungsraeume import erreichbarkeit as workflow
from planungsraeume.frage import Question
from planungsraeume.region import Region

pytestmark = pytest.mark.slow


def test_time_bands_follow_the_coverage_thresholds(aachen):
    eutb = Question.make(typ="EUTB", profil="rollstuhl", minuten=15)
    travel = workflow.travel_times(aachen, eutb)
    before = travel.copy()
    bands = time_bands(travel)
    assert travel.equals(before)
    assert bands.index.equals(travel.index)
    assert list(bands.cat.categories) == time_band_labels() == [
        "bis 5 Min.", "5–10 Min.", "10–15 Min.", "15–20 Min.", "20–30 Min.", "über 30 Min.",
        UNREACHABLE_LABEL, NOT_CONNECTED_LABEL]
    reachable = travel["status"].astype(str) == "erreichbar"
    within = reachable & (travel["minuten"] <= 15)
    assert bands[within].isin(["bis 5 Min.", "5–10 Min.", "10–15 Min."]).all()
    assert not bands[~within & reachable].isin(["bis 5 Min.", "5–10 Min.", "10–15 Min."]).any()
    assert (bands[travel["status"].astype(str) == "nicht angebunden"] == NOT_CONNECTED_LABEL).all()
    # The same cut as the coverage table: reached within 15 minutes = the first three classes.
    cells = aachen.cells()
    coverage = workflow.coverage(aachen, eutb)
    total = coverage[coverage["pr_id"] == "gesamt"].iloc[0]
    table = share_by_area(cells, aachen.areas(), bands, zuordnung=aachen.cell_areas())
    region = table[table["pr_id"] == "gesamt"].set_index("kategorie")["anzahl"]
    reached = region[["bis 5 Min.", "5–10 Min.", "10–15 Min."]].sum()
    assert abs(reached - total["einwohner_erreicht"]) <= 3  # rounding per class


def test_share_by_area_adds_up_and_keeps_inputs(aachen):
    cells = aachen.cells()
    areas = aachen.areas()
    distances = workflow.stop_distances(aachen)
    bands = workflow.stop_distance_bands(distances)
    before = (cells.copy(), areas.copy())
    table = share_by_area(cells, areas, bands)
    assert cells.equals(before[0]) and areas.equals(before[1])
    per_area = table[table["pr_id"] != "gesamt"].groupby("pr_id")["anzahl"].sum()
    assert per_area.sum() == pytest.approx(cells["einwohner"].sum(), abs=len(table))
    shares = table.groupby("pr_id")["anteil_prozent"].sum().dropna()
    assert ((shares - 100).abs() < 0.6).all()
    assert list(table["pr_id"].drop_duplicates())[:3] == list(areas["pr_id"][:3])
    by_count = share_by_area(cells, areas, bands, weight=None)
    assert by_count[by_count["pr_id"] == "gesamt"]["anzahl"].sum() == len(cells)
    with pytest.raises(AnalysisError, match="Index"):
        share_by_area(cells, areas, bands.reset_index(drop=True).iloc[:10])
    with pytest.raises(AnalysisError, match="Spalte"):
        share_by_area(cells, areas, bands, weight="gibt_es_nicht")


def test_stop_distance_by_area_is_the_population(aachen):
    table = workflow.stop_distance_by_area(aachen)
    assert table.attrs["quelle"] == "bevoelkerung"
    region = table[table["pr_id"] == "gesamt"]
    assert list(region["kategorie"]) == ["bis 300 m", "300–500 m", "500–1.000 m", "über 1.000 m",
                                         "nicht angebunden"]
    population = aachen.cells()["einwohner"].sum()
    assert region["anzahl"].sum() == pytest.approx(population, abs=5)
    distances = workflow.stop_distances(aachen)
    cells = aachen.cells()
    near = cells["einwohner"][(distances["distanz_m"] <= 300) & (distances["status"] == "erreichbar")].sum()
    assert region.set_index("kategorie").loc["bis 300 m", "anzahl"] == pytest.approx(near, abs=1)


def test_point_isochrones_count_the_people_within_reach(aachen):
    x, y = 294_962.6, 5_628_862.7  # Aachen, near the Elisenbrunnen
    iso = workflow.point_isochrones(aachen, Question.make(profil="rollstuhl"), x, y, [5, 10, 15])
    assert list(iso["minuten"]) == [5.0, 10.0, 15.0]
    assert iso["einwohner"].is_monotonic_increasing and iso["einwohner"].iloc[0] > 0
    assert (iso["alter_65_plus"] < iso["einwohner"]).all()
    cells = aachen.cells()
    inside = cells.geometry.centroid.within(iso.geometry.iloc[-1])
    assert iso["einwohner"].iloc[-1] == pytest.approx(cells.loc[inside, "einwohner"].sum(), abs=1)
    on_foot = workflow.point_isochrones(aachen, Question.make(profil="fuss"), x, y, [15])
    assert on_foot["flaeche_km2"].iloc[0] > iso["flaeche_km2"].iloc[-1]
    with pytest.raises(AnalysisError, match="außerhalb der Region"):
        workflow.point_isochrones(aachen, Question.make(profil="fuss"), 100.0, 100.0, [10])


def test_retired_offers_are_not_reachable(aachen_region_copy):
    from layers.angebote.edit import retire_service

    region = aachen_region_copy
    store = region.store
    services = store.read_layer("angebote")
    eutb = services[services["typ"] == "EUTB"]
    question = Question.make(typ="EUTB", profil="fuss")
    before = workflow.travel_times(region, question)
    assert before.attrs["anzahl_angebote"] == 2
    first = eutb.iloc[0]
    retire_service(store, str(first["angebot_id"]), expected_version=int(first["version"]),
                   gueltig_bis=date.today() - timedelta(days=1))
    after = workflow.travel_times(region, question)
    assert after.attrs["anzahl_angebote"] == 1
    assert set(after["angebot_id"].dropna().astype(str)) == {str(eutb.iloc[1]["angebot_id"])}
    both = after["minuten"].notna() & before["minuten"].notna()
    assert (after.loc[both, "minuten"] >= before.loc[both, "minuten"] - 1e-9).all()
    assert (after.loc[both, "minuten"] > before.loc[both, "minuten"] + 1).any()


def test_reachability_as_indicator_matches_the_coverage_table(aachen):
    from planungsraeume.indikatoren import coverage_from_area_coverage, indicators

    advice = Question(angebote="beratung", profil="rollstuhl", minuten=15)
    long = indicators(aachen, advice)
    reach = long[long["bereich"] == "Erreichbarkeit"]
    assert set(reach["bezeichnung"]) == {
        "Anteil erreicht: Beratungsangebote in 15 Min. im Rollstuhl",
        "Anteil erreicht: Beratungsangebote in 15 Min. im Rollstuhl, 65 Jahre und älter"}
    coverage = workflow.coverage(aachen, advice)
    pr09 = coverage[coverage["pr_id"] == "PR09"].iloc[0]
    row = reach[(reach["pr_id"] == "PR09") & ~reach["bezeichnung"].str.contains("65")].iloc[0]
    assert row["wert"] == pytest.approx(100 * pr09["einwohner_erreicht"] / pr09["einwohner"])
    inside = coverage[~coverage["pr_id"].isin(["gesamt", "ohne"])]
    assert row["wert_region"] == pytest.approx(
        100 * inside["einwohner_erreicht"].sum() / inside["einwohner"].sum())
    with pytest.raises(Exception, match="30 Minuten"):
        coverage_from_area_coverage(coverage, 30, kennzahl="x", bezeichnung="x")


def test_fixed_barrier_filter_choices(aachen):
    from analyses.privacy import BarrierFilter
    from planungsraeume.barrieren import filter_choices, publication

    pub = publication(aachen)
    codes = pub.icf_region()["icf_code"].astype(str).tolist()
    choices = filter_choices(aachen, codes=codes)
    kinds = pd.Series([c.art for c in choices]).value_counts()
    assert kinds["alle"] == 1 and kinds["kapitel"] == 5 and kinds["gruppe"] >= 6
    assert kinds["code"] == len(set(codes))
    by_key = {c.schluessel: c for c in choices}
    assert by_key["kapitel:e1"].barrier_filter() == BarrierFilter(kapitel=("e1",))
    assert by_key["gruppe:Mobilität"].barrier_filter(2024) == BarrierFilter(
        beeintraechtigung=("Mobilität",), von=date(2024, 1, 1), bis=date(2024, 12, 31))
    assert by_key["code:e150"].bezeichnung.startswith("ICF-Code e150: Entwurf, Konstruktion")
    # Only codes that are published for the whole region are offered.
    assert set(c.schluessel.split(":")[1] for c in choices if c.art == "code") <= set(codes)


def test_hotspot_grid_is_the_published_grid_with_gi_star(aachen):
    from analyses.privacy import require_published
    from planungsraeume.barrieren import hotspot_grid, publication

    pub = publication(aachen)
    result = hotspot_grid(aachen, 250)
    published = pub.gitter(250)
    assert list(result.gitter["gitter_id"]) == list(published["gitter_id"])
    assert (result.gitter["personen"] == published["personen"]).all()
    require_published(result.gitter)  # still carries the disclosure mark
    assert (result.hotspots["klasse"] == "Hotspot").all() and len(result.hotspots) > 0
    assert "Getis-Ord Gi*" in result.methode and result.gitterweite == 250
    assert {"rate_eb_je_1000", "gi_z", "p_sim", "klasse"} <= set(result.gitter.columns)


def test_quality_classes_per_area_on_heidelberg(heidelberg_store):
    from layers.regions import load_region

    config = load_region("heidelberg")
    store = heidelberg_store
    heidelberg = Region.open(config, store=store)
    assert heidelberg.default_origin_source() == "adressen"
    assert config.gtfs is not None
    table = workflow.quality_class_by_area(heidelberg)
    region = table[table["pr_id"] == "gesamt"].set_index("kategorie")
    addresses = len(store.read_layer("adressen"))
    assert region["anzahl"].sum() == addresses
    grades = workflow.quality_classes(heidelberg, quelle="adressen")
    counts = grades["gueteklasse"].astype(str).value_counts()
    for grade in "ABCDEF":
        assert region.loc[grade, "anzahl"] == counts.get(grade, 0)
    assert table.attrs["quelle"] == "adressen" and table.attrs["datum"]
