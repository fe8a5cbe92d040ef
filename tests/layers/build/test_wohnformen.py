"""Housing types from OSM evidence and their documented age shares (hand-made buildings)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layers.build.wohnformen import (
    classify_housing,
    load_housing_shares,
    senior_home_buildings,
)
from layers.errors import ConfigError
from layers.regions import load_region

SHARES = {"unter_18": 0.165, "18_64": 0.614, "65_79": 0.149, "80_plus": 0.072}


def test_each_rule_gives_its_housing_type():
    building = np.array(["yes", "dormitory", "house", "apartments", "yes", "yes", "terrace",
                         "yes", "garage"])
    amenity = np.array(["", "", "", "", "student_accommodation", "", "", "", ""])
    levels = np.array([np.nan, np.nan, 2, np.nan, np.nan, 5, np.nan, 2, np.nan])
    senior = np.array([True, False, False, False, False, False, False, False, False])
    residential = np.array([True] * 8 + [False])
    kinds = classify_housing(building, amenity, levels, senior, residential, 3)
    assert kinds.tolist() == ["pflegeheim", "wohnheim", "einfamilienhaus", "mehrfamilienhaus",
                              "wohnheim", "mehrfamilienhaus", "einfamilienhaus", "sonstige", ""]


def test_care_home_evidence_from_tags_and_from_objects_inside():
    squares = [shapely.box(i * 100, 0, i * 100 + 50, 50) for i in range(4)]
    buildings = gpd.GeoDataFrame({
        "amenity": ["nursing_home", "social_facility", "social_facility", None],
        "social_facility": [None, "assisted_living", "outreach", None],
        "social_facility:for": [None, "senior", "senior", None],
    }, geometry=squares, crs="EPSG:25832")
    # A node inside the fourth building: a nursing home mapped as a point.
    services = gpd.GeoDataFrame({"amenity": ["social_facility"],
                                 "social_facility": ["nursing_home;assisted_living"],
                                 "social_facility:for": ["senior"]},
                                geometry=[shapely.Point(325, 25)], crs="EPSG:25832")
    assert senior_home_buildings(buildings, services).tolist() == [True, True, False, True]


def test_shares_file_of_the_demo_names_a_source_per_row():
    config = load_region("aachen")
    housing = load_housing_shares(config.population.wohnformen, SHARES, "Destatis")
    assert set(housing.shares) == {"pflegeheim", "wohnheim", "einfamilienhaus",
                                   "mehrfamilienhaus", "sonstige"}
    for kind, shares in housing.shares.items():
        assert sum(shares.values()) == pytest.approx(1.0)
        assert housing.quelle[kind]
    # The care-home row is the IT.NRW table: 80+ = 121,827 of 167,094 in full inpatient care.
    assert housing.shares["pflegeheim"]["80_plus"] == pytest.approx(121_827 / 167_094, abs=5e-4)
    assert housing.beleg["pflegeheim"] == "amtlich"
    assert housing.beleg["einfamilienhaus"] == "Annahme"  # said honestly in the data file
    matrix = housing.matrix(np.array(["pflegeheim", "sonstige", ""]), list(SHARES))
    assert matrix[1].tolist() == list(SHARES.values()) == matrix[2].tolist()


def test_bad_shares_file_is_refused_by_name(tmp_path):
    path = tmp_path / "wohnformen.toml"
    path.write_text('[wohnform.pflegeheim]\nunter_18 = 0.5\n"18_64" = 0.5\n"65_79" = 0.5\n'
                    '"80_plus" = 0.5\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_housing_shares(path, SHARES, "")
    assert "pflegeheim" in str(info.value) and "wohnformen.toml" in str(info.value)
    path.write_text('[wohnform.villa]\nunter_18 = 1.0\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="Unbekannte Wohnform 'villa'"):
        load_housing_shares(path, SHARES, "")
