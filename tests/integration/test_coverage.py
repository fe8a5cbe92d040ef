"""Coverage per Planungsraum and the gap layer on the Aachen demo region."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.coverage import OUTSIDE_ID, TOTAL_ID, assign_to_areas, coverage_by_area, gap_layer
from analyses.network.search import nearest_service
from layers.errors import AnalysisError
from planungsraeume.netz import load_graph


@pytest.fixture(scope="module")
def region(aachen_store):
    cells = aachen_store.read_layer("bevoelkerung")
    areas = aachen_store.read_layer("planungsraeume")
    angebote = aachen_store.read_layer("angebote")
    return cells, areas, angebote


@pytest.mark.parametrize(
    ("profil", "unbekannt", "typ"),
    [("fuss", "optimistisch", "EUTB"), ("rollstuhl", "pessimistisch", "Pflegeeinrichtung"),
     ("rollator", "optimistisch", "sonstige Beratung")],
)
def test_covered_plus_not_covered_plus_not_connected_is_the_population(
    aachen_store, region, profil, unbekannt, typ
):
    cells, areas, angebote = region
    graph = load_graph(aachen_store, profil, unbekannt)
    travel = nearest_service(graph, cells, angebote, typ, max_anbindung_m=100)
    table = coverage_by_area(travel, cells, areas)
    assert sorted(table["schwelle_min"].unique()) == [5, 10, 15, 20, 30]
    for label in ("einwohner", "ab65"):
        parts = (
            table[f"{label}_erreicht"]
            + table[f"{label}_nicht_erreicht"]
            + table[f"{label}_nicht_angebunden"]
        )
        assert (parts == table[label]).all()
    # per area the population equals the cells assigned to it, and the total row is the sum
    assigned = assign_to_areas(cells, areas)
    truth = cells["einwohner"].groupby(assigned["pr_id"]).sum()
    for threshold, block in table.groupby("schwelle_min"):
        areas_only = block[block["pr_id"] != TOTAL_ID].set_index("pr_id")
        pd.testing.assert_series_equal(
            areas_only["einwohner"].sort_index(), truth.sort_index(), check_names=False,
            check_index_type=False,
        )
        total = block[block["pr_id"] == TOTAL_ID].iloc[0]
        assert total["einwohner"] == cells["einwohner"].sum()
        assert total["einwohner_erreicht"] == areas_only["einwohner_erreicht"].sum()
        # independent count of the covered population
        reached = (travel["minuten"] <= threshold).to_numpy()
        assert total["einwohner_erreicht"] == cells.loc[reached, "einwohner"].sum()
    by_threshold = table[table["pr_id"] == TOTAL_ID].set_index("schwelle_min")
    assert by_threshold["einwohner_erreicht"].is_monotonic_increasing
    assert (by_threshold["einwohner_nicht_angebunden"] > 0).all()  # 100 m snap limit bites


def test_cells_are_assigned_by_centroid(region):
    cells, areas, _ = region
    assigned = assign_to_areas(cells, areas)
    centroids = cells.geometry.centroid.to_numpy()
    # Rule 1 on every 37th cell, and rule 2 (the area overlapping most) on every cell whose
    # centroid lies in no area (edge cells; which ones depends on the population model).
    outside = [pos for pos, c in enumerate(centroids) if not areas.geometry.intersects(c).any()]
    for pos in sorted({*range(0, len(cells), 37), *outside}):
        hits = [
            str(pr) for pr, geom in zip(areas["pr_id"], areas.geometry, strict=True)
            if shapely.intersects(geom, centroids[pos])
        ]
        overlaps = [(shapely.area(shapely.intersection(geom, cells.geometry.iloc[pos])), str(pr))
                    for pr, geom in zip(areas["pr_id"], areas.geometry, strict=True)]
        largest = max(overlaps, key=lambda item: item[0])  # first area on ties
        expected = hits[0] if hits else (largest[1] if largest[0] > 0 else OUTSIDE_ID)
        assert assigned["pr_id"].iloc[pos] == expected


def test_gap_layer_holds_exactly_the_population_not_reached(aachen_store, region):
    cells, areas, angebote = region
    graph = load_graph(aachen_store, "rollstuhl")
    travel = nearest_service(graph, cells, angebote, "EUTB", {"stufenloser_zugang": "ja"})
    table = coverage_by_area(travel, cells, areas, [15])
    gaps = gap_layer(travel, cells, areas, 15)
    total = table[table["pr_id"] == TOTAL_ID].iloc[0]
    assert gaps["einwohner"].sum() == total["einwohner_nicht_erreicht"] + total["einwohner_nicht_angebunden"]
    assert (gaps["einwohner"] > 0).all()
    assert gaps.index.isin(cells.index).all()
    assert (gaps.geometry.geom_type == "Polygon").all()
    reachable = gaps["status"] == "erreichbar"
    assert (gaps.loc[reachable, "ueberschreitung_min"] > 0).all()
    assert gaps["einwohner"].is_monotonic_decreasing
    per_area = gaps.groupby("pr_id")["alter_65_plus"].sum()
    rows = table[~table["pr_id"].isin([TOTAL_ID])].set_index("pr_id")
    for pr_id, seniors in per_area.items():
        assert seniors == rows.loc[pr_id, "ab65_nicht_erreicht"] + rows.loc[pr_id, "ab65_nicht_angebunden"]


def test_coverage_errors_and_purity(aachen_store, region):
    cells, areas, angebote = region
    graph = load_graph(aachen_store, "fuss")
    travel = nearest_service(graph, cells, angebote, "KSL")
    before = [cells.copy(deep=True), areas.copy(deep=True), travel.copy(deep=True)]
    coverage_by_area(travel, cells, areas)
    gap_layer(travel, cells, areas, 10)
    for frame, copy in zip([cells, areas, travel], before, strict=True):
        pd.testing.assert_frame_equal(frame, copy)
    with pytest.raises(AnalysisError, match="größer als 0 Minuten"):
        coverage_by_area(travel, cells, areas, [15, 0])
    with pytest.raises(AnalysisError, match="größer als 0 Minuten"):
        gap_layer(travel, cells, areas, -1)
    with pytest.raises(AnalysisError, match="Für 10 Rasterzellen fehlt eine Reisezeit"):
        coverage_by_area(travel.iloc[10:], cells, areas)


def test_cells_outside_every_area_form_their_own_row(aachen_store, region):
    cells, areas, angebote = region
    graph = load_graph(aachen_store, "fuss")
    travel = nearest_service(graph, cells, angebote, "KSL")
    fewer = areas.iloc[:5]
    table = coverage_by_area(travel, cells, fewer, [10])
    outside = table[table["pr_id"] == OUTSIDE_ID]
    assert len(outside) == 1
    total = table[table["pr_id"] == TOTAL_ID].iloc[0]
    assert total["einwohner"] == cells["einwohner"].sum()
    assert np.isclose(table[table["pr_id"] != TOTAL_ID]["einwohner"].sum(), total["einwohner"])
    assert isinstance(fewer, gpd.GeoDataFrame)
