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
