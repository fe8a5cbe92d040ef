"""The defensible population model on the real Aachen extract: outbuildings excluded (with
counts), age structure from the buildings' evidence (care homes, dormitories, building types),
the per-area table with reasons, and the calibration report (Aachen is covered only in part)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest

import cli
from planungsraeume.altersstruktur import age_structure

pytestmark = pytest.mark.slow


def test_outbuildings_are_excluded_and_counted(aachen, aachen_config, aachen_build):
    buildings = aachen.layer("gebaeude")
    reasons = buildings["nebengebaeude"].fillna("")
    by_tag = buildings["building"].isin(aachen_config.population.nebengebaeude)
    assert (reasons == "Merkmal").sum() == by_tag.sum() == 4_525
    assert (buildings.loc[by_tag, "building"].value_counts().head(3).to_dict()
            == {"garages": 3_021, "garage": 831, "hut": 429})
    small = buildings[reasons == "klein ohne Adresse"]
    assert len(small) == 2_890
    assert (small.geometry.area < aachen_config.population.nebengebaeude_max_m2).all()
    # None of them contains an address point (checked against the address layer).
    addresses = aachen.layer("adressen")
    hits = gpd.sjoin(addresses[["geometry"]], small[["geometry"]], predicate="within")
    assert hits.empty
    # Outbuildings have no living space, so no inhabitants.
    assert (buildings.loc[reasons != "", "wohnflaeche_m2"] == 0).all()
    assert json.loads(aachen.meta()["nebengebaeude"]) == {"Merkmal": 4_525,
                                                          "klein ohne Adresse": 2_890}
    note = next(n for n in aachen_build.notes if n.startswith("Nebengebäude"))
    assert "7.415" in note and "4.525 nach Merkmal" in note and "2.890 ohne Adresse" in note


def test_housing_types_come_from_the_osm_evidence(aachen):
    buildings = aachen.layer("gebaeude")
    kinds = buildings["wohnform"].value_counts()
    assert kinds["pflegeheim"] == 16 and kinds["wohnheim"] == 27
    assert kinds["einfamilienhaus"] == 1_337 and kinds["mehrfamilienhaus"] == 4_081
    # Every dormitory-tagged building is a dormitory; no outbuilding has a housing type.
    assert (buildings.loc[buildings["building"] == "dormitory", "wohnform"] == "wohnheim").all()
    assert (buildings.loc[buildings["nebengebaeude"].fillna("") != "", "wohnform"] == "").all()


def test_65_plus_differs_between_areas_where_the_data_gives_a_reason(aachen):
    table = age_structure(aachen).set_index("name")
    truth = aachen.population_by_area().set_index("name")
    # The shares are the one population's (cells by the one cell→area rule).
    np.testing.assert_allclose(table["anteil_65_plus"],
                               truth.loc[table.index, "alter_65_plus"]
                               / truth.loc[table.index, "einwohner"] * 100)
    assert table["anteil_65_plus"].max() - table["anteil_65_plus"].min() > 5
    region = table.attrs["region_65_plus"]
    # Hörn: a care home with 7 % of the area's inhabitants -> well above the region.
    assert table.loc["Hörn", "pflegeheime"] == 1
    assert table.loc["Hörn", "anteil_65_plus"] > region + 3
    assert table.loc["Hörn", "begruendung"].startswith("1 Pflegeheim (")
    # Europadorf: a dormitory block -> below the region.
    assert table.loc["Europadorf", "wohnheime"] >= 1
    assert table.loc["Europadorf", "anteil_65_plus"] < region - 1.5
    # An area with no evidence keeps the region's shares (22.1 % 65+ in Germany 2022).
    plain = table[table["anteil_sonstige"] > 99.5]
    assert len(plain) >= 2
    assert plain["anteil_65_plus"].between(21.4, 22.8).all()
    assert (table["art"] == "modelliert").all()


def test_cli_altersstruktur_prints_shares_reasons_and_method(aachen_build, capsys, tmp_path):
    assert cli.main(["altersstruktur", "--region", "aachen", "--out", str(tmp_path / "a.csv")]) == 0
    out = capsys.readouterr().out
    assert "PR10 Hörn" in out and "1 Pflegeheim (" in out and "Studierendenwohnheime" in out
    assert "modelliert" in out and "Region: 65+ 21,8 %" in out
    assert "data/bevoelkerung/wohnformen.toml" in out
    assert (tmp_path / "a.csv").exists()


def test_aachen_is_covered_in_part_so_nothing_is_calibrated(aachen, aachen_build, capsys):
    report = json.loads(aachen.meta()["kalibrierung"])
    assert [(r["ags"], r["kalibriert"]) for r in report] == [("05334002", False)]
    assert any("Keine Gemeinde liegt ganz in der Region" in n and "Aachen (28,7 %)" in n
               for n in aachen_build.notes)
    assert cli.main(["abgleich", "--region", "aachen"]) == 0
    assert "Nicht kalibriert" in capsys.readouterr().out


def test_steckbrief_says_modelliert_beside_each_figure_resting_on_the_model(aachen, koeln,
                                                                             tmp_path):
    import re

    from planungsraeume.steckbrief import write_reports

    page = next(p for p in write_reports(aachen, tmp_path / "a", pr_ids=["PR10"],
                                         formats=["html"]) if p.name.startswith("PR10"))
    html = re.sub(r"\s+", " ", page.read_text(encoding="utf-8"))
    assert '<th scope="col">Vergleich</th><th scope="col">Grundlage</th>' in html

    def row(label: str) -> str:
        found = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', html)
        assert found, label
        return found.group(1)

    assert row("Einwohner").endswith("<td>modelliert</td>")
    assert row("Anteil 65 Jahre und älter").startswith('<td class="zahl">26,4 %</td>')
    assert row("Anteil 65 Jahre und älter").endswith("<td>modelliert</td>")
    assert row("Beratungsangebote").endswith("<td>modelliert (Rate)</td>")  # count real, rate not
    assert row("Anteil der Angebote mit stufenlosem Zugang").endswith("<td></td>")
    # Köln's figures are official statistics: no such column.
    koeln_page = next(p for p in write_reports(koeln, tmp_path / "k", pr_ids=["101"],
                                               formats=["html"]) if p.suffix == ".html"
                      and p.name.startswith("101"))
    assert '<th scope="col">Grundlage</th>' not in koeln_page.read_text(encoding="utf-8")


def test_indicator_exports_mark_the_modelled_figures(aachen_build, tmp_path):
    import pandas as pd

    wide_csv, long_csv = tmp_path / "wide.csv", tmp_path / "long.csv"
    assert cli.main(["planungsraeume", "kennzahlen", "--region", "aachen", "--out",
                     str(wide_csv)]) == 0
    assert cli.main(["planungsraeume", "kennzahlen", "--region", "aachen", "--lang", "--out",
                     str(long_csv)]) == 0
    wide = pd.read_csv(wide_csv, sep=";", decimal=",", encoding="utf-8-sig")
    assert "Einwohner (Personen) (modelliert)" in wide.columns
    assert "Anteil 65 Jahre und älter (%) (modelliert)" in wide.columns
    assert "Angebote insgesamt (Anzahl)" in wide.columns  # a count of offers: not modelled
    long = pd.read_csv(long_csv, sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    basis = long.drop_duplicates("Schlüssel").set_index("Schlüssel")["Datengrundlage"].fillna("")
    assert basis["einwohner"] == basis["anteil_80_plus"] == basis["beratung_je_10000"] \
        == "modelliert"
    assert basis["angebote"] == basis["anteil_stufenloser_zugang"] == ""
