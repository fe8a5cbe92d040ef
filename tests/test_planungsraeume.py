"""Planning areas from files and municipality tables, their checks and storage, joined tables,
indicators against the region, and the real Köln case (86 Stadtteile, population 2012)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from layers import settings
from layers.errors import InputValidationError
from layers.planungsraeume.checks import (
    check_planning_areas,
    region_boundary_of,
    save_planning_areas,
)
from layers.planungsraeume.define import (
    areas_from_municipalities,
    read_municipalities,
    read_planning_areas,
)
from layers.planungsraeume.tabellen import (
    age_groups,
    join_table,
    parse_age_band,
    read_long_statistics,
    save_user_indicators,
)
from planungsraeume.indikatoren import (
    LONG_COLUMNS,
    compute_indicators,
    coverage_from_cells,
    german_columns,
    indicators,
    indicators_wide,
    population_by_area,
    region_summary,
)
from planungsraeume.region import Region

SHARED = settings.shared_data_dir
NRW = SHARED / "boundaries" / "vg250ew_gemeinden_nrw.geojson"
KOELN = SHARED / "koeln"
CRS = "EPSG:25832"

# Städteregion Aachen: 10 Gemeinden in 4 planning areas (as a Kreis would group them).
STAEDTEREGION = pd.DataFrame({
    "AGS": ["05334002", "5334004", "05334008", "05334012", "05334016", "05334020", "05334024",
            "05334028", "05334032", "05334036"],
    "Planungsraum": ["1", "2", "2", "3", "2", "4", "4", "4", "3", "2"],
    "Planungsraum_Name": ["Stadt Aachen", "Nord", "Nord", "Ost", "Nord", "Eifel", "Eifel",
                          "Eifel", "Ost", "Nord"],
})


@pytest.fixture(scope="module")
def staedteregion():
    return read_municipalities(NRW, crs=CRS, ags_praefix="05334")


# --------------------------------------------------------------------------------------------
# Municipality assignment
# --------------------------------------------------------------------------------------------


def test_municipalities_grouped_into_four_areas(staedteregion, tmp_path):
    path = tmp_path / "zuordnung.csv"
    STAEDTEREGION.to_csv(path, sep=";", index=False, encoding="cp1252")
    areas = areas_from_municipalities(path, staedteregion)
    assert areas["pr_id"].tolist() == ["1", "2", "3", "4"]
    assert areas["name"].tolist() == ["Stadt Aachen", "Nord", "Ost", "Eifel"]
    assert areas.set_index("pr_id").loc["2", "gemeinden"] == \
        "Alsdorf, Baesweiler, Herzogenrath, Würselen"
    # Real VG250-EW population: the Städteregion has 564,444 inhabitants.
    assert areas["einwohner_gemeinden"].sum() == 564_444
    assert areas.set_index("pr_id").loc["1", "einwohner_gemeinden"] == 252_769
    # Dissolving keeps the area; the result tiles the Städteregion without gaps or overlaps.
    assert areas.geometry.area.sum() == pytest.approx(staedteregion.geometry.area.sum(), rel=1e-9)
    check = check_planning_areas(areas, shapely.union_all(staedteregion.geometry.to_numpy()))
    assert check.ok and len(check.ueberlappungen) == 0 and len(check.luecken) == 0
    assert areas.crs.to_epsg() == 25832 and areas.attrs["probleme"] == []


def test_unassigned_municipality_leaves_a_reported_gap(staedteregion):
    table = STAEDTEREGION[STAEDTEREGION["AGS"] != "05334024"]  # Roetgen forgotten
    areas = areas_from_municipalities(table, staedteregion)
    assert any("Roetgen (05334024) ist keinem Planungsraum zugeordnet" in p.meldung
               for p in areas.attrs["probleme"])
    check = check_planning_areas(areas, shapely.union_all(staedteregion.geometry.to_numpy()))
    assert not check.ok
    roetgen = staedteregion.set_index("ags").loc["05334024"].geometry
    # Roetgen has exclaves (the Vennbahn strip), so the gap comes in several pieces.
    assert check.luecken["flaeche_m2"].sum() == pytest.approx(roetgen.area, rel=1e-6)
    assert len(check.luecken) == len(shapely.get_parts(roetgen))
    assert "Eifel (4)" in check.luecken["angrenzend"].iloc[0]


@pytest.mark.slow
def test_store_areas_atomically_and_keep_them_on_rebuild(aachen_store_copy, staedteregion):
    store = aachen_store_copy
    areas = areas_from_municipalities(STAEDTEREGION, store.read_layer("gemeinden"))
    check = save_planning_areas(store, areas)
    assert check.ok and check.ausserhalb_m2 > 0  # the Kreis is larger than the demo extract
    stored = store.read_layer("planungsraeume")
    assert stored["pr_id"].tolist() == ["1", "2", "3", "4"]
    assert not stored["quelle"].str.startswith("generiert").any()
    # What the build keeps: user-defined planning areas are carried over.
    from layers.build import _carry_over_user_data

    notes: list[str] = []
    fresh = {"planungsraeume": gpd.GeoDataFrame({"quelle": ["generiert: x"]},
                                                 geometry=[shapely.box(0, 0, 1, 1)], crs=CRS),
             "angebote": store.read_layer("angebote"),
             "barrieren": store.read_layer("barrieren")}
    kept = _carry_over_user_data(store, fresh, notes)
    assert kept["planungsraeume"]["pr_id"].tolist() == ["1", "2", "3", "4"]


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
# Köln: real planning areas and real population
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def koeln_areas():
    return read_planning_areas(KOELN / "koeln_stadtteile.geojson", crs=CRS, schluessel="STT_NR",
                               name="STT_NAME", reparieren=True)


@pytest.fixture(scope="module")
def koeln_2012():
    return read_long_statistics(KOELN / "bevoelkerung.csv", jahr=2012)


def test_koeln_stadtteile_in_the_right_crs(koeln_areas):
    assert len(koeln_areas) == 86 and koeln_areas["pr_id"].is_unique
    assert koeln_areas.crs.to_epsg() == 25832
    # The file says CRS84 (degrees); in EPSG:25832 the areas equal the city's SHAPE_AREA (m²).
    raw = pyogrio.read_dataframe(KOELN / "koeln_stadtteile.geojson")
    assert raw.crs.to_epsg() == 4326
    official = raw.set_index("STT_NR")["SHAPE_AREA"].astype(float)
    ours = koeln_areas.set_index("pr_id").geometry.area
    assert np.allclose(ours.reindex(official.index), official, rtol=1e-3)
    assert koeln_areas.geometry.area.sum() / 1e6 == pytest.approx(405.0, abs=1.0)
    # One self-intersecting ring in the city's file was repaired, with a warning.
    warnings = koeln_areas.attrs["probleme"]
    assert len(warnings) == 1 and "Self-intersection" in warnings[0].meldung


def test_koeln_topology_against_the_stadtbezirke(koeln_areas):
    bezirke = read_planning_areas(KOELN / "koeln_stadtbezirke.geojson", crs=CRS, reparieren=True)
    assert len(bezirke) == 9
    check = check_planning_areas(koeln_areas, shapely.union_all(bezirke.geometry.to_numpy()))
    # The KML-derived Stadtteile do not fit exactly: a few real overlaps and gaps > 100 m²,
    # reported with place and size, and hundreds of slivers summarised as warnings.
    overlaps = check.ueberlappungen.set_index(["pr_id_a", "pr_id_b"])["flaeche_m2"]
    assert len(check.fehler) == 5
    biggest = check.ueberlappungen.iloc[0]
    assert {biggest["pr_id_a"], biggest["pr_id_b"]} == {"702", "208"}  # Westhoven / Rodenkirchen
    assert biggest["flaeche_m2"] == pytest.approx(218, abs=2)
    assert overlaps.sum() < 1000 and check.luecken["flaeche_m2"].sum() < 2500
    texts = [p.meldung for p in check.probleme]
    assert any("Lücke von 485 m² zwischen Lövenich (308), Widdersdorf (309)" in t for t in texts)
    assert any("kleine Lücken unter 100 m²" in t for t in texts)


def test_koeln_population_2012_joined_and_reproduced(koeln_areas, koeln_2012):
    joined = join_table(koeln_areas, koeln_2012, schluessel_spalte="raum_id")
    # The 86 Stadtteile match; the city (000) and the 9 Stadtbezirke (001–009) do not.
    assert joined.ohne_daten.empty
    assert joined.ohne_treffer["schluessel"].tolist() == [f"{i:03d}" for i in range(10)]
    assert joined.ohne_treffer["bezeichnung"].iloc[0] == "Stadt Köln"
    groups, notes = age_groups(joined.werte)
    # 80+ cannot be formed from the band "75 und älter": left empty and said so.
    assert groups["alter_80_plus"].isna().all() and groups["alter_65_79"].isna().all()
    assert any("75 und älter" in n for n in notes)
    population = pd.DataFrame({"pr_id": joined.werte["pr_id"],
                               "einwohner": joined.werte["Einwohner"]}).join(groups)
    assert (population["einwohner"] == population["einwohner_altersgruppen"]).all()
    long = compute_indicators(koeln_areas, population=population)
    inhabitants = long[long["kennzahl"] == "einwohner"]
    assert inhabitants["wert"].sum() == 1_044_555
    assert inhabitants["wert_region"].iloc[0] == pytest.approx(1_044_555 / 86)
    share = long[long["kennzahl"] == "anteil_65_plus"]
    assert share["zaehler"].sum() == 185_068
    assert share["wert_region"].iloc[0] == pytest.approx(185_068 / 1_044_555 * 100)
    assert "anteil_80_plus" not in set(long["kennzahl"])
    # Wide table: 86 Stadtteile plus the region row; the city total is the sum of its parts.
    wide = indicators_wide(long, labels=False)
    assert len(wide) == 87 and wide["einwohner"].iloc[:-1].sum() == 1_044_555
    lindenthal = long[(long["name"] == "Lindenthal") & (long["kennzahl"] == "einwohner")]
    assert lindenthal["wert"].iloc[0] == \
        koeln_2012.set_index("raum_id").loc[lindenthal["pr_id"].iloc[0], "Einwohner"]


def test_age_band_labels():
    assert parse_age_band("00 - < 03") == (0, 3.0)
    assert parse_age_band("65 bis unter 80") == (65, 80.0)
    assert parse_age_band("18-24") == (18, 25.0)
    assert parse_age_band("75 und älter") == (75, np.inf)
    assert parse_age_band("80+") == (80, np.inf)
    assert parse_age_band("Einwohner") is None


# --------------------------------------------------------------------------------------------
# Joining tables
# --------------------------------------------------------------------------------------------


def test_join_reports_unmatched_keys_both_ways(tmp_path):
    areas = pd.DataFrame({"pr_id": ["PR01", "PR02", "PR03"], "name": ["A", "B", "C"]})
    path = tmp_path / "kennzahlen.csv"
    path.write_bytes("Nr;Raum;Arbeitslosenquote;SGB-II-Quote;Bemerkung\n"
                     "PR01;A;7,1;12,5;\nPR02;B;6,4;;fehlt\nPR99;Z;3,0;4,0;\n".encode("cp1252"))
    result = join_table(areas, path)
    assert result.spalten == ["Arbeitslosenquote", "SGB-II-Quote"]
    assert result.werte["Arbeitslosenquote"].tolist()[:2] == [7.1, 6.4]
    assert np.isnan(result.werte["Arbeitslosenquote"].iloc[2])
    assert result.ohne_treffer.to_dict("records") == [
        {"zeile": 4, "schluessel": "PR99", "bezeichnung": "Z"}]
    assert result.ohne_daten["pr_id"].tolist() == ["PR03"]
    texts = [p.meldung for p in result.probleme]
    assert any("1 Tabellenzeilen passen zu keinem Planungsraum (Schlüssel PR99)" in t
               for t in texts)
    assert any("1 Planungsräume haben keine Zeile in der Tabelle (C)" in t for t in texts)


def test_join_by_ags_survives_excel(staedteregion):
    table = pd.DataFrame({"Gemeindeschlüssel": ["5334002", "5334004.0", "05 334 008"],
                          "Pflegebedürftige": ["12.345", "2.001", "1.234"],
                          "Quote": ["3.125", "4,5", "1.250,5"]})
    result = join_table(staedteregion, table, raum_schluessel="ags")
    values = result.werte.set_index("ags")
    # Only points: read as decimal points, but the user is warned about the thousands look.
    assert values.loc["05334002", "Pflegebedürftige"] == pytest.approx(12.345)
    assert any("Tausenderpunkt" in p.meldung and p.spalte == "Pflegebedürftige"
               for p in result.probleme)
    # A decimal comma in the column makes its points thousands separators.
    assert values.loc["05334002", "Quote"] == 3125 and values.loc["05334008", "Quote"] == 1250.5
    assert len(result.ohne_daten) == 7 and result.ohne_treffer.empty


def test_join_refuses_personal_columns(tmp_path):
    path = tmp_path / "faelle.csv"
    path.write_text("pr_id;Geburtsdatum;wert\nPR01;01.01.1950;3\n", encoding="utf-8")
    with pytest.raises(InputValidationError, match="personenbezogene Daten"):
        join_table(pd.DataFrame({"pr_id": ["PR01"], "name": ["A"]}), path)


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
