"""Outreach: responsibility areas as polygon, area list or car radius; every cell counted once."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.aufsuchend import (
    ONSITE,
    OUTREACH,
    UNSERVED,
    coverage_kinds,
    kinds_by_area,
    outreach_membership,
)
from layers.errors import AnalysisError


def _cells() -> gpd.GeoDataFrame:
    # Six 100 m cells in a row; areas P1 (cells 0-2) and P2 (cells 3-5).
    boxes = [shapely.box(i * 100, 0, i * 100 + 100, 100) for i in range(6)]
    return gpd.GeoDataFrame({"einwohner": [10.0, 20, 30, 40, 50, 60],
                             "alter_65_plus": [1.0, 2, 3, 4, 5, 6]}, geometry=boxes,
                            crs="EPSG:25832")


AREAS = pd.Series(["P1", "P1", "P1", "P2", "P2", "P2"])


def test_polygon_list_and_radius_zones():
    cells = _cells()
    zones = gpd.GeoDataFrame({
        "angebot_id": ["poly", "liste", "auto"],
        "art": ["flaeche", "planungsraeume", "radius"],
        "planungsraeume": [None, "P2", None],
    }, geometry=[shapely.box(0, 0, 210, 100), None, None], crs="EPSG:25832")
    reach = {"auto": np.array([False, False, False, False, False, True])}
    member = outreach_membership(cells, AREAS, zones, reach)
    assert member["poly"].tolist() == [True, True, False, False, False, False]  # centre 250 out
    assert member["liste"].tolist() == [False, False, False, True, True, True]
    assert member["auto"].tolist() == [False] * 5 + [True]


def test_an_outreach_area_counts_as_covered_exactly_once():
    cells = _cells()
    # Two outreach offers both serve P2 and the polygon overlaps P1; cell 4 is also reached on
    # site. Every inhabitant must appear in exactly one category.
    zones = gpd.GeoDataFrame({"angebot_id": ["a", "b"], "art": ["planungsraeume", "flaeche"],
                              "planungsraeume": ["P2", None]},
                             geometry=[None, shapely.box(120, 0, 600, 100)], crs="EPSG:25832")
    member = outreach_membership(cells, AREAS, zones)
    onsite = np.array([True, False, False, False, True, False])
    kinds = coverage_kinds(onsite, member.any(axis=1).to_numpy(), index=cells.index)
    assert kinds.tolist() == [ONSITE, OUTREACH, OUTREACH, OUTREACH, ONSITE, OUTREACH]
    table = kinds_by_area(kinds, cells, AREAS, ["P1", "P2"]).set_index("pr_id")
    assert table.loc["P2", "einwohner"] == 150
    assert table.loc["P2", "einwohner_vor_ort"] == 50
    assert table.loc["P2", "einwohner_aufsuchend"] == 100  # cells 3 and 5 once, not twice
    assert table.loc["P1", "einwohner_aufsuchend"] == 50
    for area in ("P1", "P2"):
        row = table.loc[area]
        assert row["einwohner_vor_ort"] + row["einwohner_aufsuchend"] + \
            row["einwohner_nicht_versorgt"] == row["einwohner"]
    assert table.loc["P2", "anteil_versorgt"] == pytest.approx(1.0)
    assert table["einwohner"].sum() == cells["einwohner"].sum()


def test_without_outreach_nobody_is_outreach_covered():
    kinds = coverage_kinds([True, False], [False, False])
    assert kinds.tolist() == [ONSITE, UNSERVED]


def test_zone_errors_are_german():
    cells = _cells()
    zones = pd.DataFrame({"angebot_id": ["x"], "art": ["radius"], "planungsraeume": [None]})
    with pytest.raises(AnalysisError, match="fehlt die Fahrzeit"):
        outreach_membership(cells, AREAS, zones)
    zones["art"] = ["kreis"]
    with pytest.raises(AnalysisError, match="Unbekannte Art"):
        outreach_membership(cells, AREAS, zones)
