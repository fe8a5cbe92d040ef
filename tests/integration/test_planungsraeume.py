"""Planning areas stored in the demo region (atomically, kept on rebuild) and the indicators
against the region."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from layers.errors import InputValidationError
from layers.planungsraeume.checks import (
    check_planning_areas,
    region_boundary_of,
    save_planning_areas,
)
from layers.planungsraeume.define import read_planning_areas
from layers.planungsraeume.gemeinden import areas_from_municipalities
from layers.planungsraeume.tabellen import (
    join_table,
    save_user_indicators,
)
from planungsraeume.indikatoren import (
    LONG_COLUMNS,
    compute_indicators,
    coverage_from_cells,
    german_columns,
    indicators,
    population_by_area,
    region_summary,
)
from planungsraeume.region import Region
from tests.tools.samples import STAEDTEREGION

CRS = "EPSG:25832"

@pytest.mark.slow
def test_store_areas_atomically_and_keep_them_on_rebuild(aachen_store_copy, staedteregion):
    store = aachen_store_copy
    areas = areas_from_municipalities(STAEDTEREGION, store.read_layer("gemeinden"))
    check = save_planning_areas(store, areas)
    assert check.ok and check.ausserhalb_m2 > 0  # the Kreis is larger than the demo extract
    stored = store.read_layer("planungsraeume")
    assert stored["pr_id"].tolist() == ["1", "2", "3", "4"]
    assert not stored["quelle"].str.startswith("generiert").any()
    # They live in the user store; the derived store keeps the generated ones, and a rebuild
    # (which replaces only the derived store) does not touch them.
    assert store.own.read_layer("planungsraeume")["pr_id"].tolist() == ["1", "2", "3", "4"]
    assert store.derived.read_layer("planungsraeume")["quelle"].str.startswith("generiert").all()
    from layers.build import build_region

    build_region("aachen", force=True, target=store.path)
    kept = store.read_layer("planungsraeume")
    assert kept["pr_id"].tolist() == ["1", "2", "3", "4"]


@pytest.mark.slow
def test_polygon_file_round_trip_into_store(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    generated = store.read_layer("planungsraeume")
    path = tmp_path / "eigene.gpkg"
    own = generated.rename(columns={"pr_id": "PR_NR", "name": "Bezeichnung"})[
        ["PR_NR", "Bezeichnung", "geometry"]].to_crs(4326)
    pyogrio.write_dataframe(own, path, layer="planungsraeume")
    areas = read_planning_areas(path, crs=store.crs, schluessel="PR_NR", name="Bezeichnung")
    assert areas["pr_id"].tolist() == generated["pr_id"].tolist()
    check = save_planning_areas(store, areas)
    assert check.ok
    stored = store.read_layer("planungsraeume")
    assert stored["quelle"].iloc[0] == "importiert: eigene.gpkg"
    assert stored.geometry.area.sum() == pytest.approx(generated.geometry.area.sum(), rel=1e-6)


# --------------------------------------------------------------------------------------------
# Indicators on the Aachen demo
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_aachen_indicators_against_the_region(aachen_store):
    areas = aachen_store.read_layer("planungsraeume")
    cells = aachen_store.read_layer("bevoelkerung")
    services = aachen_store.read_layer("angebote")
    areas_before, cells_before = areas.copy(), cells.copy()
    long = compute_indicators(areas, population=cells, services=services, stichtag="2026-01-01")
    assert list(long.columns) == LONG_COLUMNS
    pd.testing.assert_frame_equal(areas, areas_before)  # inputs untouched
    pd.testing.assert_frame_equal(cells, cells_before)
    by = long.set_index(["kennzahl", "pr_id"])
    # Every inhabitant of the grid is in exactly one planning area.
    assert by.loc["einwohner", "wert"].sum() == cells["einwohner"].sum()
    assert long.attrs["einwohner_ohne_planungsraum"] == 0
    # Population by cell centroid, checked against a direct spatial join.
    centroids = gpd.GeoDataFrame(cells[["einwohner"]], geometry=cells.geometry.centroid,
                                 crs=cells.crs)
    direct = gpd.sjoin(centroids, areas[["pr_id", "geometry"]], predicate="within")
    direct_sum = direct.groupby("pr_id")["einwohner"].sum()
    inside = by.loc["einwohner", "wert"].reindex(direct_sum.index)
    assert (inside >= direct_sum).all() and (inside - direct_sum).sum() <= 703
    # Offers: counts per area add up to the active offers; rates use the pooled region value.
    total = by.loc["angebote", "wert"].sum()
    assert total == len(services)
    rate = long[long["kennzahl"] == "angebote_je_10000"]
    assert rate["wert_region"].iloc[0] == pytest.approx(total / cells["einwohner"].sum() * 1e4)
    first = rate.iloc[0]
    assert first["wert"] == pytest.approx(first["zaehler"] / first["nenner"] * 1e4)
    # Barrier-free share: offers with stufenloser_zugang == "ja" over all offers.
    free = long[long["kennzahl"] == "anteil_stufenloser_zugang"]
    assert free["wert_region"].iloc[0] == pytest.approx(
        (services["stufenloser_zugang"] == "ja").mean() * 100)
    assert free["zaehler"].sum() == (services["stufenloser_zugang"] == "ja").sum()
    # Differences and ratios against the region.
    row = long[long["kennzahl"] == "anteil_65_plus"].iloc[3]
    assert row["differenz"] == pytest.approx(row["wert"] - row["wert_region"])
    assert row["verhaeltnis"] == pytest.approx(row["wert"] / row["wert_region"])
    # German labels for the app, the report and the conference mode.
    assert "Vergleichswert Region" in german_columns(long).columns
    summary = region_summary(long)
    assert summary.set_index("Schlüssel").loc["einwohner", "Summe aller Planungsräume"] == \
        cells["einwohner"].sum()


@pytest.mark.slow
def test_retired_offers_do_not_count(aachen_store):
    areas = aachen_store.read_layer("planungsraeume")
    services = aachen_store.read_layer("angebote").copy()
    services.loc[services.index[:5], "gueltig_bis"] = "2025-12-31"
    long = compute_indicators(areas, services=services, stichtag="2026-01-01")
    assert long[long["kennzahl"] == "angebote"]["wert"].sum() == len(services) - 5
    before = compute_indicators(areas, services=services, stichtag="2025-12-31")
    assert before[before["kennzahl"] == "angebote"]["wert"].sum() == len(services)


@pytest.mark.slow
def test_coverage_hook(aachen_store):
    areas = aachen_store.read_layer("planungsraeume")
    cells = aachen_store.read_layer("bevoelkerung")
    # A stand-in for the reachability result: cells within 800 m of an EUTB office.
    services = aachen_store.read_layer("angebote")
    eutb = services[services["typ"] == "EUTB"]
    distance = cells.geometry.centroid.apply(lambda p: eutb.distance(p).min())
    reached = (distance <= 800).to_numpy()
    table = coverage_from_cells(areas, cells, reached, kennzahl="eutb_800m",
                                bezeichnung="EUTB in 800 m Luftlinie")
    assert table["basis"].sum() == cells["einwohner"].sum()
    assert table["erreicht"].sum() == cells.loc[reached, "einwohner"].sum()
    older = coverage_from_cells(areas, cells, reached, kennzahl="eutb_800m_65",
                                bezeichnung="EUTB in 800 m, 65+", gewicht="alter_65_plus")
    shares = pd.DataFrame({"pr_id": table["pr_id"], "typ": "SPZ", "profil": "rollstuhl",
                           "minuten": 15, "anteil": np.linspace(0, 1, len(table))})
    long = compute_indicators(areas, population=cells, coverage=[table, older, shares])
    coverage = long[long["bereich"] == "Erreichbarkeit"]
    assert set(coverage["kennzahl"]) == {"erreichbarkeit_eutb_800m",
                                         "erreichbarkeit_eutb_800m_65",
                                         "erreichbarkeit_SPZ_rollstuhl_15"}
    eutb_rows = coverage[coverage["kennzahl"] == "erreichbarkeit_eutb_800m"]
    assert eutb_rows["wert_region"].iloc[0] == pytest.approx(
        cells.loc[reached, "einwohner"].sum() / cells["einwohner"].sum() * 100)
    spz = coverage[coverage["kennzahl"] == "erreichbarkeit_SPZ_rollstuhl_15"]
    assert spz["bezeichnung"].iloc[0] == "Anteil erreicht: SPZ · rollstuhl · 15 Min."
    inhabitants = long[long["kennzahl"] == "einwohner"]["wert"].to_numpy()
    expected = np.sum(np.linspace(0, 1, len(table)) * inhabitants) / inhabitants.sum() * 100
    assert spz["wert_region"].iloc[0] == pytest.approx(expected)
    with pytest.raises(InputValidationError, match="größer als 1"):
        compute_indicators(areas, coverage=shares.assign(anteil=shares["anteil"] * 100))


@pytest.mark.slow
def test_user_indicators_are_stored_and_shown(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    areas = store.read_layer("planungsraeume")
    table = pd.DataFrame({"PR": areas["pr_id"], "Arbeitslosenquote": np.arange(len(areas)) / 2})
    joined = join_table(areas, table)
    save_user_indicators(store, joined, quelle="arbeitsagentur.xlsx")
    long = indicators(Region.open("aachen", store=store))
    own = long[long["bereich"] == "Eigene Kennzahlen"]
    assert own["wert"].tolist() == (np.arange(len(areas)) / 2).tolist()
    assert own["wert_region"].iloc[0] == pytest.approx(np.mean(np.arange(len(areas)) / 2))
    assert own["region_bezug"].iloc[0] == "Mittelwert der Planungsräume"


@pytest.mark.slow
def test_population_by_area_assigns_edge_cells(aachen_store):
    areas = aachen_store.read_layer("planungsraeume")
    cells = aachen_store.read_layer("bevoelkerung")
    table = population_by_area(areas, cells)
    assert table["einwohner"].sum() == cells["einwohner"].sum()
    assert table.attrs["ohne_planungsraum"] == 0
    assert (table["alter_65_plus"] <= table["einwohner"]).all()


@pytest.mark.slow
def test_stored_generated_areas_pass_the_check(aachen_store):
    areas = aachen_store.read_layer("planungsraeume")
    check = check_planning_areas(areas, region_boundary_of(aachen_store))
    assert check.ok and check.luecken.empty
