"""Coverage per Planungsraum, the gap layer and travel-time classes, on in-code frames and the
mock network (hand-computed; results indexed like the cells)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.coverage import (
    NOT_CONNECTED_LABEL,
    OUTSIDE_ID,
    TOTAL_ID,
    UNREACHABLE_LABEL,
    assign_to_areas,
    coverage_by_area,
    gap_layer,
    time_bands,
)
from analyses.network.graph import build_graph
from analyses.network.search import nearest_service
from tests.tools import mock
from tests.tools.asserts import assert_result


def test_edge_of_a_band_belongs_to_the_lower_class():
    travel = pd.DataFrame({"minuten": [5.0, 5.0001, 15.0, 31.0, np.nan, np.nan],
                           "status": ["erreichbar"] * 4 + ["nicht erreichbar", "nicht angebunden"]})
    assert time_bands(travel).astype(str).tolist() == [
        "bis 5 Min.", "5–10 Min.", "10–15 Min.", "über 30 Min.", UNREACHABLE_LABEL,
        NOT_CONNECTED_LABEL]


# --------------------------------------------------------------------------------------------
# Coverage per Planungsraum on the mock network (tests/tools/mock.py), by hand
# --------------------------------------------------------------------------------------------

# Four 20 m cells around named points; two planning areas split at x = 150.
CELLS = {  # name: (centre, einwohner, alter_65_plus)
    "c_platz": ((50, 10), 100, 30),  # 10 m north of the south edge
    "c_hinter_treppe": ((200, 50), 40, 10),  # on the path behind the steps
    "c_insel": ((500, 400), 7, 7),  # at the isolated node: never connected
    "c_sackgasse": ((-100, 10), 20, 0),  # at service B, 10 m off the dead end
}
LIMIT_M = 20.0


def _cells() -> gpd.GeoDataFrame:
    names = list(CELLS)
    return gpd.GeoDataFrame(
        {
            "gitter_id": [f"g{i}" for i in range(len(names))],
            "einwohner": [CELLS[n][1] for n in names],
            "alter_65_plus": [CELLS[n][2] for n in names],
        },
        index=pd.Index(names, name="zelle"),
        geometry=[shapely.box(x - 10, y - 10, x + 10, y + 10) for (x, y), *_ in CELLS.values()],
        crs=mock.CRS,
    )


def _areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"pr_id": ["W", "O"], "name": ["West", "Ost"]},
        geometry=[shapely.box(-150, -50, 150, 150), shapely.box(150, -50, 600, 450)],
        crs=mock.CRS,
    )


def _travel(profil: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    graph = build_graph(*mock.mock_network(), profil)
    angebote = mock.services({"A": ("EUTB", 200, 0), "B": ("EUTB", -100, 10)})
    cells = _cells()
    return cells, nearest_service(graph, cells, angebote, "EUTB", max_anbindung_m=LIMIT_M)


def test_mock_travel_times_of_the_cells_are_indexed_like_the_cells():
    cells, travel = _travel("rollstuhl")
    # c_platz → B: 10 + 50 + 100 + 10 m; c_sackgasse → B: 10 m to the way and 10 m back;
    # the cell behind the steps is 100 m from the wheelchair's network (limit 20 m)
    assert_result(travel, cells, {
        "minuten": [170 / 0.8 / 60, np.nan, np.nan, 20 / 0.8 / 60],
        "status": ["erreichbar", "nicht angebunden", "nicht angebunden", "erreichbar"],
        "angebot_id": ["B", None, None, "B"],
    })
    assert_result(assign_to_areas(cells, _areas()), cells,
                  {"pr_id": ["W", "O", "O", "W"], "planungsraum": ["West", "Ost", "Ost", "West"]})
    bands = time_bands(travel)
    assert_result(bands, travel, ["bis 5 Min.", NOT_CONNECTED_LABEL, NOT_CONNECTED_LABEL,
                                  "bis 5 Min."])


def test_mock_coverage_splits_every_area_into_three_parts():
    cells, travel = _travel("rollstuhl")
    table = coverage_by_area(travel, cells, _areas(), schwellen=[1, 5]).set_index(
        ["pr_id", "schwelle_min"])
    expected = {  # (area, minutes): (einwohner, erreicht, nicht erreicht, nicht angebunden)
        ("W", 1): (120, 20, 100, 0),  # c_sackgasse in 25 s; c_platz needs 3.5 min
        ("W", 5): (120, 120, 0, 0),
        ("O", 1): (47, 0, 0, 47),
        ("O", 5): (47, 0, 0, 47),
        (TOTAL_ID, 1): (167, 20, 100, 47),
        (TOTAL_ID, 5): (167, 120, 0, 47),
    }
    for key, (total, reached, not_reached, off) in expected.items():
        row = table.loc[key]
        assert (row["einwohner"], row["einwohner_erreicht"], row["einwohner_nicht_erreicht"],
                row["einwohner_nicht_angebunden"]) == (total, reached, not_reached, off), key
    assert table.loc[(TOTAL_ID, 5), "anteil_erreicht_prozent"] == pytest.approx(71.9)
    assert table.loc[("W", 1), "ab65_nicht_erreicht"] == 30
    assert table.loc[("O", 5), "ab65_nicht_angebunden"] == 17
    assert set(table["profil"]) == {"rollstuhl"} and OUTSIDE_ID not in table.index.get_level_values(0)


def test_mock_gap_layer_holds_the_cells_not_reached():
    cells, travel = _travel("fuss")
    # on foot: c_platz → A over the steps in 160 m (2.2 min), c_hinter_treppe → A in 50 m,
    # c_sackgasse → B in 20 m; only the isolated cell is not connected
    gaps = gap_layer(travel, cells, _areas(), 2.0)
    assert_result(gaps, cells, {"einwohner": {"c_platz": 100, "c_insel": 7},
                                "status": {"c_platz": "erreichbar", "c_insel": "nicht angebunden"},
                                "ueberschreitung_min": {"c_platz": 160 / 1.2 / 60 - 2.0,
                                                        "c_insel": np.nan}},
                  subset=True)
    assert list(gaps.index) == ["c_platz", "c_insel"]  # largest affected population first
    assert gaps.crs == cells.crs and gaps.geometry.equals(cells.geometry.loc[gaps.index])
