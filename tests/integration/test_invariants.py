"""Invariants across outputs: the same figure is equal wherever it appears (issue #8).

Every output that shows a quantity of a planning area – the indicator table, the coverage table,
the barrier denominators, the 2SFCA, location suggestions, scenarios, the Steckbrief (HTML and
PDF), the command line's CSV files – must take it from the one place that computes it. These
tests compare the outputs with each other, on the built Aachen demo and on the Heidelberg region,
so that a second copy of a rule fails here the day it appears. When you add an output, add it
here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from layers.formatting import de_number
from planungsraeume import erreichbarkeit
from planungsraeume.frage import Question
from planungsraeume.region import OUTSIDE_ID, Region

pytestmark = pytest.mark.slow

ADVICE = Question(angebote="beratung", profil="rollstuhl", minuten=15)
EUTB = Question.make(typ="EUTB", profil="rollstuhl", minuten=15)


def _inhabitants(region: Region) -> pd.DataFrame:
    """The one truth: inhabitants (all, 65+) per area from the one cell→area rule."""
    table = region.population_by_area().set_index("pr_id")
    return table[["einwohner", "alter_65_plus"]]


def _areas(region: Region) -> list[str]:
    return list(region.areas()["pr_id"].astype(str))


# --------------------------------------------------------------------------------------------
# Inhabitants per planning area
# --------------------------------------------------------------------------------------------


def test_population_by_area_adds_up_to_the_region(aachen):
    truth = _inhabitants(aachen)
    assert truth["einwohner"].sum() == pytest.approx(aachen.cells()["einwohner"].sum())
    assert truth["alter_65_plus"].sum() == pytest.approx(aachen.cells()["alter_65_plus"].sum())
    assert list(truth.index[: len(_areas(aachen))]) == _areas(aachen)


def test_indicator_table_shows_the_one_population(aachen):
    from planungsraeume.indikatoren import indicators

    truth = _inhabitants(aachen)
    long = indicators(aachen, ADVICE)
    for key, column in (("einwohner", "einwohner"), ("einwohner_65_plus", "alter_65_plus")):
        shown = long[long["kennzahl"] == key].set_index("pr_id")["wert"]
        np.testing.assert_allclose(shown.reindex(_areas(aachen)).to_numpy(),
                                   truth.loc[_areas(aachen), column].to_numpy())
    outside = float(truth["einwohner"].get(OUTSIDE_ID, 0.0))
    assert long.attrs["einwohner_ohne_planungsraum"] == pytest.approx(outside)


def test_age_structure_table_shows_the_one_population(aachen):
    from planungsraeume.altersstruktur import age_structure

    truth = _inhabitants(aachen)
    table = age_structure(aachen).set_index("pr_id")
    assert list(table.index) == _areas(aachen)
    for column in ("einwohner", "alter_65_plus"):
        np.testing.assert_allclose(table[column].to_numpy(),
                                   truth.loc[table.index, column].to_numpy())


def test_coverage_table_splits_the_one_population(aachen):
    truth = _inhabitants(aachen)
    table = erreichbarkeit.coverage(aachen, ADVICE, [5, 15, 30])
    for minutes, block in table.groupby("schwelle_min"):
        areas = block[block["pr_id"] != "gesamt"].set_index("pr_id")
        parts = areas[["einwohner_erreicht", "einwohner_nicht_erreicht", "einwohner_nicht_angebunden"]]
        assert (parts.sum(axis=1) == areas["einwohner"]).all(), minutes
        np.testing.assert_allclose(areas["einwohner"].to_numpy(),
                                   truth.loc[areas.index, "einwohner"].round().to_numpy(), atol=0.5)
        np.testing.assert_allclose(areas["ab65"].to_numpy(),
                                   truth.loc[areas.index, "alter_65_plus"].round().to_numpy(), atol=0.5)
        total = block[block["pr_id"] == "gesamt"].iloc[0]
        for column in ("einwohner", "einwohner_erreicht", "ab65_erreicht"):
            assert total[column] == areas[column].sum(), column  # Σ areas = region


def test_barrier_denominators_are_the_one_population(aachen):
    from planungsraeume.barrieren import area_summaries, area_table, publication

    truth = _inhabitants(aachen)
    pub = publication(aachen)
    table = area_table(aachen, pub).set_index("pr_id")
    np.testing.assert_allclose(table["einwohner"].to_numpy(),
                               truth.loc[table.index, "einwohner"].round().to_numpy(), atol=0.5)
    shown = table[table["veroeffentlicht"]]
    rate = shown["personen"].astype(float) / shown["einwohner"] * 1000
    np.testing.assert_allclose(shown["rate_je_1000"].to_numpy(dtype=float), rate.round(2).to_numpy())
    for summary in area_summaries(aachen, pub):
        assert summary.einwohner == round(truth.loc[summary.pr_id, "einwohner"])


def test_steckbrief_html_and_pdf_show_the_one_population(aachen, tmp_path):
    from pypdf import PdfReader

    from planungsraeume.steckbrief import write_reports

    truth = _inhabitants(aachen)
    areas = ["PR04", "PR17", "PR22"]
    written = write_reports(aachen, tmp_path, pr_ids=areas, formats=["pdf", "html"])
    for pr_id in areas:
        expected = de_number(truth.loc[pr_id, "einwohner"])
        page = next(p for p in written if p.name.startswith(pr_id) and p.suffix == ".html")
        html = re.sub(r"\s+", " ", page.read_text(encoding="utf-8"))
        assert re.search(rf"<th scope=\"row\">Einwohner</th>\s*<td[^>]*>{re.escape(expected)}</td>",
                         html), (pr_id, expected)
        pdf = next(p for p in written if p.name.startswith(pr_id) and p.suffix == ".pdf")
        text = " ".join(" ".join(pg.extract_text() for pg in PdfReader(pdf).pages).split())
        assert f"Einwohner {expected}" in text, (pr_id, expected)


def test_steckbrief_zip_of_all_areas_holds_the_one_population(aachen):
    """The app's ZIP of all Steckbriefe: every area once, the same HTML as the single download
    (area_files), the one population in each."""
    import io
    import zipfile

    from planungsraeume.steckbrief import (
        area_files,
        load_report_context,
        report_inputs,
        reports_zip,
    )

    truth = _inhabitants(aachen)
    inputs = report_inputs(aachen)
    steps: list[float] = []
    data = reports_zip(aachen, inputs, formats=("html",), progress=lambda f, _label: steps.append(f))
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    areas = [p for p in aachen.area_names() if p in truth.index]
    assert names[0] == "index.html" and len(names) == len(areas) + 1
    assert steps and steps[-1] == pytest.approx(1.0)
    single = area_files(load_report_context(aachen), inputs, "PR17", formats=("html",))[".html"]
    assert archive.read(single[0]) == single[1]
    for pr_id in areas:
        page = next(n for n in names if n.startswith(f"{pr_id}_"))
        html = re.sub(r"\s+", " ", archive.read(page).decode("utf-8"))
        expected = de_number(truth.loc[pr_id, "einwohner"])
        assert re.search(rf"<th scope=\"row\">Einwohner</th>\s*<td[^>]*>{re.escape(expected)}</td>",
                         html), (pr_id, expected)


def test_cli_csv_outputs_show_the_one_population(aachen, tmp_path, monkeypatch):
    import shutil

    from cli import main
    from layers import settings

    (tmp_path / "regions").mkdir()
    shutil.copyfile(aachen.store.path, tmp_path / "regions" / "aachen.gpkg")
    monkeypatch.setattr(settings, "cache_dir", tmp_path)
    truth = _inhabitants(aachen)
    indicators_csv = tmp_path / "kennzahlen.csv"
    assert main(["planungsraeume", "kennzahlen", "--region", "aachen", "--out", str(indicators_csv)]) == 0
    wide = pd.read_csv(indicators_csv, sep=";", decimal=",", encoding="utf-8-sig")
    wide = wide[wide["Nr."].notna() & (wide["Nr."].astype(str) != "")].set_index("Nr.")
    column = next(c for c in wide.columns if c.startswith("Einwohner (Personen)") or c == "Einwohner (Personen)")
    np.testing.assert_allclose(wide.loc[_areas(aachen), column].to_numpy(dtype=float),
                               truth.loc[_areas(aachen), "einwohner"].to_numpy(), atol=0.5)
    coverage_csv = tmp_path / "erreichbarkeit.csv"
    assert main(["analyse", "erreichbarkeit", "--region", "aachen", "--profil", "rollstuhl",
                 "--typ", "EUTB", "--minuten", "15", "--csv", str(coverage_csv)]) == 0
    coverage = pd.read_csv(coverage_csv, sep=";", decimal=",", encoding="utf-8-sig")
    key = "pr_id" if "pr_id" in coverage.columns else "Nr."
    people = "einwohner" if "einwohner" in coverage.columns else "Einwohner"
    rows = coverage[coverage[key].astype(str).isin(_areas(aachen))].set_index(key)
    np.testing.assert_allclose(rows[people].to_numpy(dtype=float),
                               truth.loc[rows.index.astype(str), "einwohner"].round().to_numpy(),
                               atol=0.5)


# --------------------------------------------------------------------------------------------
# The offers a question counts
# --------------------------------------------------------------------------------------------


def _offer_sets(region: Region, question: Question) -> dict[str, set[str]]:
    """The offers every analysis of a question actually used, from its own result."""
    from layers.szenarien import ScenarioEdit
    from planungsraeume.versorgung import accessibility, compare_on_network, suggest_sites

    travel = erreichbarkeit.travel_times(region, question)
    supply = accessibility(region, question)
    far_away = region.cells().geometry.iloc[0].centroid
    scenario = compare_on_network(region, question, [ScenarioEdit(
        "neu", typ=question.typ, name="Testangebot", x=far_away.x, y=far_away.y)])
    plan = suggest_sites(region, question, 1)
    from planungsraeume.kooperation import network

    return {
        "erreichbarkeit": set(travel.attrs["angebote"]),
        "2sfca": set(map(str, supply.angebote.index)),
        "szenario_vorher": set(scenario.angebote_vorher["angebot_id"].astype(str)),
        "standorte": set(plan.bestehende_angebote),
        "kooperation": set(network(region, question)["angebot_id"].astype(str)),
    }


def test_every_analysis_counts_the_same_offers(aachen):
    sets = _offer_sets(aachen, EUTB)
    expected = set(aachen.selected_offers(EUTB)["angebot_id"].astype(str))
    assert len(expected) >= 2
    for name, used in sets.items():
        assert used == expected, name


def test_a_retired_offer_is_absent_from_every_analysis(aachen_region_copy):
    from layers.angebote.edit import retire_service

    region = aachen_region_copy
    offers = region.offers()
    eutb = offers[offers["typ"] == "EUTB"].iloc[0]
    retire_service(region.store, str(eutb["angebot_id"]), expected_version=int(eutb["version"]),
                   gueltig_bis=date.today() - timedelta(days=1))
    assert str(eutb["angebot_id"]) in set(region.directory()["angebot_id"].astype(str))
    sets = _offer_sets(region, EUTB)
    for name, used in sets.items():
        assert str(eutb["angebot_id"]) not in used, name
    assert len({frozenset(s) for s in sets.values()}) == 1
    travel = erreichbarkeit.travel_times(region, EUTB)
    assert str(eutb["angebot_id"]) not in set(travel["angebot_id"].dropna().astype(str))
    from planungsraeume.indikatoren import indicators

    long = indicators(region)
    count = long[long["kennzahl"] == "angebote_EUTB"]["wert"].sum()
    assert count == len(region.offers().query("typ == 'EUTB'"))


def test_cooperation_outputs_count_the_same_offers_and_cooperations(aachen):
    from planungsraeume import kooperation

    table = kooperation.network(aachen, ADVICE)
    expected = set(aachen.selected_offers(ADVICE)["angebot_id"].astype(str))
    assert set(table["angebot_id"].astype(str)) == expected
    areas = kooperation.network_by_area(aachen, ADVICE)
    assert areas["angebote"].sum() == len(table)
    assert areas["ohne_kooperation"].sum() == int(table["isoliert"].sum())
    per_area = table.groupby("pr_id")["angebot_id"].size()
    shown = areas.set_index("pr_id")["angebote"]
    assert (shown[shown > 0] == per_area.reindex(shown[shown > 0].index)).all()
    lines = kooperation.cooperation_lines(aachen, ADVICE)
    assert int(table["grad"].sum()) == 2 * len(lines)  # every pair adds one to both degrees
    ends = set(lines["angebot_a"]) | set(lines["angebot_b"])
    assert ends == set(table.loc[~table["isoliert"], "angebot_id"])


def test_presence_suggestions_and_mobile_office_show_the_one_population(aachen):
    from planungsraeume import mobiles_buero, praesenz

    provider = str(praesenz.provider_list(aachen)["traeger"].iloc[0])
    truth = _inhabitants(aachen)
    reach = praesenz.reach_by_area(aachen, ADVICE, provider).set_index("pr_id")
    np.testing.assert_allclose(reach.loc[_areas(aachen), "einwohner"].to_numpy(),
                               truth.loc[_areas(aachen), "einwohner"].to_numpy())
    suggestion = praesenz.office_hour_suggestions(aachen, ADVICE, provider, 2)
    assert suggestion.plan.vorschlag.versorgt_vorher == pytest.approx(
        reach.loc["gesamt", "erreicht"])
    chosen = tuple(_areas(aachen)[:4])
    mobile = mobiles_buero.mobile_office(aachen, ADVICE, 3, planungsraeume=chosen)
    per_area = mobile.plan.je_planungsraum
    np.testing.assert_allclose(per_area.loc[list(chosen), "einwohner"].to_numpy(),
                               truth.loc[list(chosen), "einwohner"].to_numpy())
    # Before the mobile office, exactly the people of the one reachability answer are reached.
    travel = erreichbarkeit.travel_times(aachen, ADVICE)
    cells = aachen.cells()
    reached = cells.loc[travel.index[(travel["minuten"] <= ADVICE.minuten).to_numpy()]]
    inside = aachen.cell_areas().reindex(reached.index).isin(chosen).to_numpy()
    assert per_area["versorgt_vorher"].sum() == pytest.approx(reached["einwohner"][inside].sum())


def test_outreach_and_moment_outputs_split_the_one_population(aachen):
    from planungsraeume import zugangswege

    truth = _inhabitants(aachen)
    table = zugangswege.outreach_coverage(aachen, ADVICE).set_index("pr_id")
    np.testing.assert_allclose(table.loc[_areas(aachen), "einwohner"].to_numpy(),
                               truth.loc[_areas(aachen), "einwohner"].to_numpy())
    coverage = erreichbarkeit.coverage(aachen, ADVICE).set_index("pr_id")
    np.testing.assert_allclose(table.loc[_areas(aachen), "einwohner_vor_ort"].to_numpy(),
                               coverage.loc[_areas(aachen), "einwohner_erreicht"].to_numpy(),
                               atol=1)
    at = zugangswege.question_at(aachen, ADVICE, "Di 17:00")
    assert set(erreichbarkeit.travel_times(aachen, at).attrs["angebote"]) == \
        set(aachen.selected_offers(at)["angebot_id"].astype(str))
    hours = zugangswege.hours_by_area(aachen, ADVICE)
    assert hours["angebote"].sum() == len(aachen.selected_offers(ADVICE))


def test_a_scenario_capacity_reaches_the_2sfca(aachen, tmp_path):
    from layers.szenarien import read_edit_table
    from planungsraeume.versorgung import compare_on_network

    centre = aachen.cells().geometry.union_all().centroid
    path = tmp_path / "szenario.csv"
    path.write_text("Aktion;Typ;Name;Rechtswert;Hochwert;Wochenstunden\n"
                    f"neu;EUTB;Neue EUTB;{centre.x:.1f};{centre.y:.1f};117\n".replace(".", ","),
                    encoding="utf-8")
    edits = read_edit_table(path, crs=aachen.crs, region=aachen.layer("region"))
    assert edits[0].kapazitaet_std_woche == 117
    result = compare_on_network(aachen, EUTB, edits)
    new = result.angebote_nachher[result.angebote_nachher["name"] == "Neue EUTB"]
    assert float(new["kapazitaet_std_woche"].iloc[0]) == 117
    assert result.erreichbarkeit is not None
    from planungsraeume.versorgung import capacity_table

    supply = capacity_table(result.angebote_nachher).set_index(
        result.angebote_nachher["angebot_id"].to_numpy())
    row = supply.loc[str(new["angebot_id"].iloc[0])]
    assert row["angebot"] == 117 and row["kapazitaet_quelle"] == "angegeben"
    before = capacity_table(result.angebote_vorher)["angebot"].sum()
    region_after = result.erreichbarkeit.loc["Region", "nachher"]
    assert region_after == pytest.approx(1000 * (before + 117) / aachen.cells()["einwohner"].sum(),
                                         rel=0.05)


def test_scenario_with_an_unknown_offer_is_refused_when_saved(aachen_region_copy):
    from layers.errors import InputValidationError
    from layers.szenarien import Scenario, ScenarioEdit, save_scenario

    with pytest.raises(InputValidationError) as caught:
        save_scenario(aachen_region_copy.store, Scenario("X", "", [ScenarioEdit(
            "schliessen", angebot_id="gibt-es-nicht")]))
    assert "gibt-es-nicht" in str(caught.value)


# --------------------------------------------------------------------------------------------
# Hotspots, sums, areas
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("resolution", [250, 500])
def test_hotspots_lie_in_published_cells_and_flag_equals_class(aachen, resolution):
    from planungsraeume.barrieren import hotspot_grid

    grid = hotspot_grid(aachen, resolution)
    assert set(grid.hotspots["gitter_id"]) <= set(grid.gitter["gitter_id"])
    joined = grid.gitter.dropna(subset=["klasse"])
    assert ((joined["klasse"] == "Hotspot") == joined["signifikant"].astype(bool)).all()
    assert len(grid.hotspots) <= len(grid.gitter)


def test_supply_and_location_tables_add_up(aachen):
    from planungsraeume.versorgung import accessibility, suggest_sites

    supply = accessibility(aachen, EUTB).je_planungsraum
    assert supply.drop(index="Region")["nachfrage"].sum() == pytest.approx(
        supply.loc["Region", "nachfrage"])
    plan = suggest_sites(aachen, EUTB, 2)
    per_area = plan.je_planungsraum
    assert per_area["einwohner"].sum() == pytest.approx(aachen.cells()["einwohner"].sum())
    assert per_area["neu_versorgt"].sum() == pytest.approx(plan.standorte["neu_versorgt_einwohner"].sum())


def test_area_and_density_count_only_the_part_inside_the_region(aachen):
    import shapely

    from planungsraeume.indikatoren import indicators

    areas = aachen.areas()
    inside = shapely.area(shapely.intersection(areas.geometry.to_numpy(), aachen.boundary())) / 1e6
    np.testing.assert_allclose(areas["flaeche_km2"].to_numpy(), inside, atol=1e-4)
    long = indicators(aachen)
    density = long[long["kennzahl"] == "einwohnerdichte"].set_index("pr_id")["wert"]
    truth = _inhabitants(aachen)
    expected = truth.loc[_areas(aachen), "einwohner"] / areas.set_index("pr_id")["flaeche_km2"]
    np.testing.assert_allclose(density.loc[_areas(aachen)].to_numpy(), expected.to_numpy(), rtol=1e-6)


def test_heidelberg_shares_add_up_to_the_addresses(tmp_path_factory):
    from layers import settings
    from layers.build import build_region
    from layers.regions import load_region
    from layers.store import GeoPackageStore

    settings.show_progress = False
    target = tmp_path_factory.mktemp("hd_invariant") / "heidelberg.gpkg"
    build_region("heidelberg", target=target)
    config = load_region("heidelberg")
    region = Region.open(config, store=GeoPackageStore(target, config.crs))
    assert not region.has_population()
    table = erreichbarkeit.quality_class_by_area(region)
    body = table[table["pr_id"] != "gesamt"]
    total = table[table["pr_id"] == "gesamt"]
    assert body["anzahl"].sum() == total["anzahl"].sum() == len(region.layer("adressen"))
    offers = region.offers()
    assert set(offers["pr_id"]) <= {*_areas(region), OUTSIDE_ID}


# --------------------------------------------------------------------------------------------
# Köln: official figures per Stadtteil (no network), the same inhabitants everywhere
# --------------------------------------------------------------------------------------------


def test_koeln_indicators_barriers_and_steckbrief_show_the_official_figures(koeln, tmp_path):
    from planungsraeume.barrieren import area_table, publication
    from planungsraeume.indikatoren import indicators
    from planungsraeume.steckbrief import write_reports
    from tests.tools.koeln import source_figure

    truth = _inhabitants(koeln)
    areas = _areas(koeln)
    assert [truth.loc[a, "einwohner"] for a in areas] == [source_figure(2012, a) for a in areas]
    long = indicators(koeln, None)
    shown = long[long["kennzahl"] == "einwohner"].set_index("pr_id")["wert"]
    np.testing.assert_allclose(shown.reindex(areas).to_numpy(), truth.loc[areas, "einwohner"])
    table = area_table(koeln, publication(koeln)).set_index("pr_id")
    np.testing.assert_allclose(table["einwohner"].to_numpy(),
                               truth.loc[table.index, "einwohner"].to_numpy())
    written = write_reports(koeln, tmp_path, pr_ids=["506"], formats=["html"])
    html = re.sub(r"\s+", " ", written[0].read_text(encoding="utf-8"))
    assert re.search(rf"<th scope=\"row\">Einwohner</th>\s*<td[^>]*>"
                     rf"{re.escape(de_number(truth.loc['506', 'einwohner']))}</td>", html)


def test_koeln_every_year_the_same_inhabitants_in_trend_indicators_and_comparison(koeln,
                                                                                 tmp_path):
    from cli import main
    from planungsraeume.indikatoren import indicators
    from planungsraeume.steckbrief import write_reports
    from planungsraeume.zeitreihe import compare_areas, trend

    areas = _areas(koeln)
    people = trend(koeln, "einwohner").set_index(["pr_id", "jahr"])["wert"]
    share = trend(koeln, "anteil_65_plus").set_index(["pr_id", "jahr"])
    for year in koeln.population_years():
        truth = koeln.population_by_area(year).set_index("pr_id")
        long = indicators(koeln, jahr=year)
        shown = long[long["kennzahl"] == "einwohner"].set_index("pr_id")["wert"]
        np.testing.assert_allclose(shown.reindex(areas), truth.loc[areas, "einwohner"])
        np.testing.assert_allclose([people[(a, year)] for a in areas],
                                   truth.loc[areas, "einwohner"])
        np.testing.assert_allclose([share.loc[(a, year), "nenner"] for a in areas],
                                   truth.loc[areas, "einwohner"])
        np.testing.assert_allclose([share.loc[(a, year), "zaehler"] for a in areas],
                                   truth.loc[areas, "alter_65_plus"])
        side = compare_areas(long, ["101", "909"]).set_index("kennzahl")
        assert side.loc["einwohner", "909 Flittard"] == truth.loc["909", "einwohner"]
    # The Steckbrief's trend rows and the command line's CSV show the same shares.
    written = write_reports(koeln, tmp_path / "rep", pr_ids=["909"], formats=["html"])
    html = written[0].read_text(encoding="utf-8")
    for year in koeln.population_years():
        assert f"{de_number(share.loc[('909', year), 'wert'], 1)} %" in html
    csv = tmp_path / "entwicklung.csv"
    assert main(["planungsraeume", "entwicklung", "--region", "koeln", "--out", str(csv)]) == 0
    wide = pd.read_csv(csv, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Nr.": str})
    wide = wide[wide["Nr."].notna()].set_index("Nr.")
    for year in koeln.population_years():
        np.testing.assert_allclose(wide.loc[areas, str(year)].to_numpy(dtype=float),
                                   [share.loc[(a, year), "wert"] for a in areas], atol=0.05)


@pytest.mark.parametrize("name", ["aachen", "koeln"])
def test_municipal_comparison_counts_the_one_population(name, request):
    from planungsraeume.abgleich import municipal_comparison
    from planungsraeume.indikatoren import indicators

    region = request.getfixturevalue(name)
    table = municipal_comparison(region)
    total = table["einwohner_region"].sum() + table.attrs["einwohner_ausserhalb"]
    assert total == pytest.approx(_inhabitants(region)["einwohner"].sum())
    long = indicators(region)
    shown = long.loc[long["kennzahl"] == "einwohner", "wert"].sum()
    assert total == pytest.approx(shown + long.attrs["einwohner_ohne_planungsraum"])


def test_region_comparison_shows_each_region_s_one_population(aachen, koeln):
    from planungsraeume.zeitreihe import compare_regions

    table = compare_regions([aachen, koeln]).set_index("kennzahl")
    for name, region in (("aachen", aachen), ("koeln", koeln)):
        truth = _inhabitants(region).drop(index=OUTSIDE_ID, errors="ignore")
        assert table.loc["einwohner", name] == pytest.approx(truth["einwohner"].sum())
        assert table.loc["anteil_65_plus", name] == pytest.approx(
            truth["alter_65_plus"].sum() / truth["einwohner"].sum() * 100)


def test_kerndatensatz_shows_the_one_indicators_population_and_barrier_release(aachen, koeln):
    """The Kerndatensatz: every area value is indicators() of its year, the inhabitants those
    of population_by_area(year), the region rows those of compare_regions, the barrier rows the
    release's published year tables."""
    from planungsraeume.barrieren import release
    from planungsraeume.indikatoren import indicators
    from planungsraeume.kerndatensatz import kerndatensatz
    from planungsraeume.zeitreihe import compare_regions

    frame = kerndatensatz(koeln)
    areas = frame[frame["ebene"] == "Planungsraum"]
    for year in (2005, 2012):
        long = indicators(koeln, jahr=year).set_index(["pr_id", "kennzahl"])["wert"]
        mine = areas[(areas["jahr"] == year) & (areas["bereich"] != "Barrieremeldungen")]
        mine = mine.set_index(["schluessel", "indikator"])["wert"]
        np.testing.assert_allclose(mine.to_numpy(), long.reindex(mine.index).round(6).to_numpy())
        truth = koeln.population_by_area(year).set_index("pr_id")["einwohner"]
        people = mine.xs("einwohner", level="indikator")
        np.testing.assert_allclose(people.to_numpy(), truth.reindex(people.index).to_numpy())
    regions = compare_regions([aachen, koeln]).set_index("kennzahl")
    for name, region, year in (("aachen", aachen, None), ("koeln", koeln, 2012)):
        rows = kerndatensatz(region) if name == "aachen" else frame
        whole = rows[(rows["ebene"] == "Region") & (rows["bereich"] != "Barrieremeldungen")]
        if year is not None:
            whole = whole[whole["jahr"] == year]
        whole = whole.set_index("indikator")["wert"]
        shared = [k for k in whole.index if k in regions.index]
        assert "anteil_65_plus" in shared and "angebote" in shared
        np.testing.assert_allclose(whole[shared].to_numpy(),
                                   regions.loc[shared, name].astype(float).round(6).to_numpy())
    published = release(koeln).publication("alle").jahre_je_planungsraum()
    published = published.set_index(["pr_id", "jahr"])["personen"]
    rows = areas[areas["indikator"] == "barrieren_personen"].set_index(["schluessel", "jahr"])
    assert len(rows) == len(published)
    for key, value in published.items():
        shown = rows.loc[key, "wert"]
        assert (pd.isna(value) and pd.isna(shown)) or float(value) == shown, key


def test_small_multiples_changes_and_second_region_show_the_one_population(koeln, aachen):
    """The small multiples, the change of every indicator and the Steckbrief's table beside a
    second region (page and Steckbrief) carry the inhabitants of population_by_area."""
    from planungsraeume.darstellung.entwicklung import REGION_SERIES, small_multiples_long
    from planungsraeume.steckbrief.entwicklung import region_rows, report_region_comparison
    from planungsraeume.zeitreihe import changes, trends

    table = trends(koeln)
    data = small_multiples_long(table, "909")
    years = koeln.population_years()
    for key, column in (("einwohner", "einwohner"), ("einwohner_65_plus", "alter_65_plus")):
        part = data[data["kennzahl"] == key]
        own = part[part["Reihe"] != REGION_SERIES].set_index("Jahr")["Wert"]
        region = part[part["Reihe"] == REGION_SERIES].set_index("Jahr")["Wert"]
        for year in years:
            truth = koeln.population_by_area(year)
            truth = truth[truth["pr_id"] != OUTSIDE_ID].set_index("pr_id")[column]
            assert own[year] == pytest.approx(truth["909"])
            assert region[year] == pytest.approx(truth.mean())
    delta = changes(table, years[0]).set_index(["kennzahl", "pr_id"])
    first = koeln.population_by_area(years[0]).set_index("pr_id")["einwohner"]
    last = koeln.population_by_area(years[-1]).set_index("pr_id")["einwohner"]
    assert delta.loc[("einwohner", "909"), "aenderung"] == pytest.approx(last["909"] - first["909"])
    rows = {r[0]: r for r in region_rows(report_region_comparison(koeln, aachen), "909")}
    people = rows["Einwohner (Personen)"]
    aachen_total = _inhabitants(aachen).drop(index=OUTSIDE_ID, errors="ignore")["einwohner"].sum()
    assert people[1:] == (de_number(_inhabitants(koeln).loc["909", "einwohner"]),
                          de_number(last.drop(index=OUTSIDE_ID, errors="ignore").sum()),
                          de_number(aachen_total))


def test_every_output_takes_the_region_figure_from_the_one_rule(aachen_region_copy, koeln):
    """The region's own figure of an indicator – a count's total, a share's region value, the
    mean of an imported indicator (which may be a quota) – is region_figures() in the
    Kerndatensatz, the comparison of regions, the region summary and the Steckbrief."""
    from layers.planungsraeume.tabellen import USER_INDICATOR_TABLE
    from planungsraeume.indikatoren import REGION_TOTAL, indicators, region_figures, region_summary
    from planungsraeume.kerndatensatz import kerndatensatz
    from planungsraeume.steckbrief import indicators_from_long_table
    from planungsraeume.zeitreihe import compare_regions

    region = aachen_region_copy
    areas = _areas(region)
    quota = pd.DataFrame({"pr_id": areas, "kennzahl": "Arbeitslosenquote",
                          "wert": [5 + i / 10 for i in range(len(areas))], "quelle": "Test",
                          "importiert_am": "2026-12-02T00:00:00", "jahr": np.nan})
    with region.store.transaction() as tx:
        tx.replace_table(USER_INDICATOR_TABLE, quota)
    long = indicators(region)
    truth = region_figures(long)
    people = _inhabitants(region).drop(index=OUTSIDE_ID, errors="ignore")
    assert truth.loc["einwohner", "wert"] == pytest.approx(people["einwohner"].sum())
    assert truth.loc["einwohner", "bezug"] == REGION_TOTAL
    own = truth.loc["eigen_Arbeitslosenquote"]
    assert own["wert"] == pytest.approx(quota["wert"].mean()) and np.isnan(own["summe"])
    # the Kerndatensatz's region rows (the tool's indicators)
    frame = kerndatensatz(region)
    whole = frame[(frame["ebene"] == "Region") & (frame["bereich"] != "Barrieremeldungen")]
    whole = whole.set_index("indikator")["wert"]
    assert "eigen_Arbeitslosenquote" not in whole.index and "angebote" in whole.index
    np.testing.assert_allclose(whole.to_numpy(dtype=float),
                               truth.loc[whole.index, "wert"].round(6).to_numpy(dtype=float))
    # the comparison of regions, own indicators included
    compared = compare_regions([region, koeln]).set_index("kennzahl")[region.name]
    np.testing.assert_allclose(compared.to_numpy(dtype=float),
                               truth.loc[compared.index, "wert"].to_numpy(dtype=float))
    # the region summary's sums (counts only; none for the quota)
    summary = region_summary(long).set_index("Schlüssel")["Summe aller Planungsräume"]
    np.testing.assert_allclose(summary.to_numpy(dtype=float),
                               truth.loc[summary.index, "summe"].to_numpy(dtype=float))
    # the Steckbrief's region column: the counts' totals and the quota's mean
    report = indicators_from_long_table(long)
    labels = long.drop_duplicates("kennzahl").set_index("kennzahl")["bezeichnung"]
    for key in ("einwohner", "angebote", "eigen_Arbeitslosenquote"):
        shown = report.loc[report["kennzahl"] == labels[key], "regionswert"].unique()
        assert shown == pytest.approx([truth.loc[key, "wert"]]), key


def test_profile_page_and_steckbrief_judge_every_indicator_alike(aachen):
    """The profile page's "Planungsraum ist" and the Steckbrief's comparison are one verdict
    (comparison_word) on one basis: counts by their rate per 10,000 inhabitants (count_rates),
    never the profile by the per-area average and the Steckbrief by the rate."""
    from planungsraeume.indikatoren import indicators
    from planungsraeume.steckbrief import (
        REPORT_INDICATORS,
        build_area_report,
        indicators_from_long_table,
        load_report_context,
    )
    from ui.profil.kennzahlen import indicator_table

    long = indicators(aachen)
    table = indicators_from_long_table(long, keys=list(REPORT_INDICATORS))
    context = load_report_context(aachen)
    judged = 0
    for pr_id in _areas(aachen)[:8]:
        profile = indicator_table(long, pr_id, REPORT_INDICATORS).set_index("Kennzahl")
        report = build_area_report(context, pr_id, table)
        for label, _, _, verdict in report.kennzahlen:
            name = label.split(" (")[0]
            if name not in profile.index or verdict == "–":
                continue
            assert profile.loc[name, "Planungsraum ist"] == verdict, (pr_id, name)
            judged += 1
    assert judged >= 8 * 5  # shares, rates and counts of offers in every area
