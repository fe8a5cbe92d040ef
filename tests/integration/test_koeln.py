"""The second demo region, Köln, built from the shared open data alone.

The 86 Stadtteile are the planning areas (with their Stadtbezirk), the official population per
Stadtteil and year 2005–2012 is the population, and there is no OSM extract: every figure is
compared with the source file read independently (``tests/tools/koeln.py``), and every network
command says in German that there is no network.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

import cli
from layers.errors import AnalysisError
from tests.tools.koeln import SENIOR_BANDS, source_figure

pytestmark = pytest.mark.slow

YEARS = list(range(2005, 2013))
NETWORK_COMMANDS = [
    ["analyse", "erreichbarkeit"],
    ["analyse", "oev-gueteklassen"],
    ["standorte", "--typ", "EUTB"],
    ["2sfca", "--typ", "EUTB"],
    ["kandidaten", "--out", "kandidaten.csv"],
    ["szenario", "vergleichen", "--datei", "aenderungen.csv"],
]


def test_build_has_the_86_stadtteile_in_9_bezirke(koeln_build, koeln):
    assert koeln_build.counts["planungsraeume"] == 86
    assert koeln_build.counts["bezirke"] == 9
    areas = koeln.areas()
    assert areas["pr_id"].is_unique and len(areas) == 86
    # STT_NR starts with the number of its Stadtbezirk (STB_NR): the overlap rule agrees.
    assert (areas["pr_id"].str[0] == areas["bezirk_id"]).all()
    assert areas.loc[areas["name"] == "Flittard", "bezirk"].iloc[0] == "Mülheim"
    assert koeln_build.population == 1_044_555
    assert abs(areas["flaeche_km2"].sum() - 404.9) < 0.5


def test_population_2012_equals_the_source_per_stadtteil_and_in_total(koeln):
    table = koeln.population_by_area()
    assert table.attrs["jahr"] == 2012
    assert table["einwohner"].sum() == 1_044_555 == source_figure(2012, "000")
    assert "ohne" not in set(table["pr_id"])
    for pr_id, inhabitants in zip(table["pr_id"], table["einwohner"], strict=True):
        assert inhabitants == source_figure(2012, pr_id)
    # The grid reproduces the figures exactly (the one cell→area rule assigns each cell to
    # the Stadtteil its centre lies in, which is where the build put its inhabitants).
    cells = koeln.cells()
    assert cells["einwohner"].sum() == 1_044_555
    assert (cells["alter_65_plus"] == cells["alter_65_74"] + cells["alter_75_plus"]).all()


@pytest.mark.parametrize("pr_id", ["101", "909", "506"])
def test_65_plus_per_year_against_the_source(koeln, pr_id):
    seniors = []
    for year in YEARS:
        row = koeln.population_by_area(year).set_index("pr_id").loc[pr_id]
        assert row["alter_65_plus"] == source_figure(year, pr_id, *SENIOR_BANDS)
        assert row["einwohner"] == source_figure(year, pr_id)
        seniors.append(row["alter_65_plus"])
    assert len(set(seniors)) > 1  # a real series, not one year repeated


def test_every_year_adds_up_to_the_city_and_bezirke(koeln):
    areas = koeln.areas().set_index("pr_id")
    assert koeln.population_years() == YEARS
    for year in YEARS:
        table = koeln.population_by_area(year)
        assert table.attrs["jahr"] == year
        assert table["einwohner"].sum() == source_figure(year, "000")
        by_district = table.groupby(areas.loc[table["pr_id"], "bezirk_id"].to_numpy())
        for bezirk, inhabitants in by_district["einwohner"].sum().items():
            assert inhabitants == source_figure(year, f"00{bezirk}")


def test_years_without_figures_follow_the_one_rule(koeln):
    later = koeln.population_by_area(2016)
    assert later.attrs["jahr"] == 2012
    assert np.array_equal(later["einwohner"], koeln.population_by_area()["einwohner"])
    with pytest.raises(AnalysisError, match="Für 2001 gibt es .* keine Einwohnerzahlen"):
        koeln.population_by_area(2001)


def test_synthetic_data_is_labelled_and_inside_the_region(koeln):
    offers = koeln.directory()
    assert len(offers) and (offers["quelle"] == "synthetisch").all()
    assert offers["name"].str.endswith("(fiktiv)").all()
    assert offers["gueltig_von"].str[:4].astype(int).between(2004, 2012).all()
    assert offers["gueltig_bis"].notna().any()  # some offers closed again: a history
    assert offers.geometry.within(koeln.boundary()).all()
    assert (koeln.offers(date(2012, 12, 31))["pr_id"] != "ohne").all()
    reports = koeln.layer("barrieren")
    assert len(reports) and (reports["quelle"] == "synthetisch").all()
    assert reports.geometry.within(koeln.boundary().buffer(1)).all()
    assert set(reports["datum"].str[:4].astype(int)) <= {2009, 2010, 2011, 2012}


def test_no_network_gives_one_german_sentence(koeln):
    assert not koeln.has_network()
    with pytest.raises(AnalysisError, match="hat kein Wegenetz; Erreichbarkeit, Isochronen"):
        koeln.require_network()
    with pytest.raises(AnalysisError, match="hat kein Wegenetz"):
        koeln.graph("fuss")


@pytest.mark.parametrize("command", NETWORK_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_network_command_says_there_is_no_network(koeln_build, command, capsys,
                                                        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main([*command, "--region", "koeln"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler: Die Region „Köln") and "hat kein Wegenetz" in err
    assert "Traceback" not in err and not (tmp_path / "kandidaten.csv").exists()


def test_commands_without_network_run_on_koeln(koeln_build, capsys, tmp_path):
    assert cli.main(["planungsraeume", "kennzahlen", "--region", "koeln"]) == 0
    assert "Anteil 65 Jahre und älter" in capsys.readouterr().out
    assert cli.main(["barrieren", "planungsraeume", "--region", "koeln"]) == 0
    assert "je 1.000 Einwohner" in capsys.readouterr().out
    assert cli.main(["barrieren", "hotspots", "--region", "koeln", "--out",
                     str(tmp_path / "hot")]) == 0
    assert "Hotspot" in capsys.readouterr().out
    assert cli.main(["report", "--region", "koeln", "--out", str(tmp_path / "rep"),
                     "--planungsraum", "101"]) == 0
    html = (tmp_path / "rep" / "101_altstadt-sued.html").read_text(encoding="utf-8")
    assert "Altstadt/Süd" in html and "27.515" in html
    assert "amtlich je Planungsraum, Stand 2012" in html
