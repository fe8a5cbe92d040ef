"""The demo region built from real data: counts against the source, CRS, consistency."""

from __future__ import annotations

import numpy as np
import osmium
import pandas as pd
import shapely

from layers.angebote import service_type_keys
from layers.barrieren import load_icf_codes
from layers.build import LAYER_ORDER, build_region
from layers.build.bevoelkerung import GRID_CRS, parse_cell_id
from tests.tools.paths import AACHEN_PBF


class _BuildingCounter(osmium.SimpleHandler):
    """Counts buildings straight from the PBF, independently of our reader."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def way(self, way: osmium.osm.Way) -> None:
        if way.tags.get("building", "no") != "no" and way.is_closed():
            self.count += 1

    def relation(self, rel: osmium.osm.Relation) -> None:
        if rel.tags.get("building", "no") != "no" and rel.tags.get("type") == "multipolygon":
            self.count += 1


def test_every_layer_present_and_in_region_crs(aachen_store, aachen_config):
    layers = aachen_store.list_layers()
    # Only regions with official statistics per area (Köln) have districts and a time series.
    statistics_only = {"bezirke", "bevoelkerung_zeitreihe"}
    assert not statistics_only & set(layers)
    for name in (n for n in LAYER_ORDER if n not in statistics_only):
        assert name in layers
        frame = aachen_store.read_layer(name)
        assert frame.crs is not None and frame.crs.to_epsg() == 25832, name
    assert aachen_config.epsg == 25832


def test_buildings_match_pbf_within_one_percent(aachen_store):
    counter = _BuildingCounter()
    counter.apply_file(str(AACHEN_PBF))
    ours = len(aachen_store.read_layer("gebaeude", columns=["osm_id"]))
    assert counter.count > 30_000
    assert abs(ours - counter.count) / counter.count < 0.01


def test_build_summary_and_skip_when_current(aachen_build, aachen_config):
    assert aachen_build.crs == "EPSG:25832"
    assert aachen_build.counts["gebaeude"] > 30_000
    again = build_region(aachen_config)
    assert not again.rebuilt
    assert again.counts == aachen_build.counts
    assert again.population == aachen_build.population
    assert "Quellen unverändert" in again.summary()


def test_gemeinden_carry_real_population(aachen_store):
    gemeinden = aachen_store.read_layer("gemeinden")
    assert len(gemeinden) == 10
    assert int(gemeinden["einwohner"].sum()) == 564_444  # Städteregion Aachen, VG250-EW
    aachen = gemeinden[gemeinden["ags"] == "05334002"].iloc[0]
    assert aachen["einwohner"] == 252_769
    assert 0.25 < aachen["anteil_in_region"] < 0.35  # the extract covers the core only


def test_population_grid_is_consistent(aachen_store):
    grid = aachen_store.read_layer("bevoelkerung")
    assert len(grid) > 1000
    assert (grid["quelle"] == "modelliert").all()
    ages = [c for c in grid.columns if c.startswith("alter_") and c != "alter_65_plus"]
    assert (grid[ages].sum(axis=1) == grid["einwohner"]).all()
    assert (grid["alter_65_plus"] == grid["alter_65_79"] + grid["alter_80_plus"]).all()
    # Cell ids encode the lower-left corner in EPSG:3035; the stored cell must sit there.
    centres = grid.geometry.centroid.to_crs(GRID_CRS)
    for row, centre in zip(grid.head(50).itertuples(), centres.head(50), strict=True):
        resolution, north, east = parse_cell_id(row.gitter_id)
        assert resolution == 100
        assert abs(centre.x - (east + 50)) < 0.5 and abs(centre.y - (north + 50)) < 0.5
    assert grid["gitter_id"].is_unique
    total = int(grid["einwohner"].sum())
    assert 150_000 < total < 260_000  # core of a city of 252,769 inhabitants


def test_population_equals_living_space_model(aachen_store, aachen_config):
    buildings = aachen_store.read_layer("gebaeude", columns=["wohnflaeche_m2"])
    grid = aachen_store.read_layer("bevoelkerung", columns=["einwohner"])
    modelled = buildings["wohnflaeche_m2"].sum() / aachen_config.population.wohnflaeche_je_einwohner_m2
    # Building areas are stored rounded to 0.1 m²; cells are rounded preserving the total.
    assert abs(grid["einwohner"].sum() - modelled) < 0.001 * modelled


def test_planning_areas_tile_the_region(aachen_store):
    areas = aachen_store.read_layer("planungsraeume")
    region = aachen_store.read_layer("region").geometry.iloc[0]
    assert len(areas) == 27
    assert areas["pr_id"].is_unique and areas["name"].is_unique
    assert areas["quelle"].str.startswith("generiert").all()
    union = shapely.union_all(areas.geometry.to_numpy())
    assert abs(union.area - region.area) / region.area < 1e-6
    assert abs(areas.geometry.area.sum() - region.area) / region.area < 1e-6  # no overlaps


def test_network_is_consistent(aachen_store):
    nodes = aachen_store.read_layer("netz_knoten")
    edges = aachen_store.read_layer("netz_kanten")
    assert len(nodes) > 15_000 and len(edges) > 20_000
    ids = set(nodes["knoten_id"])
    assert set(edges["u"]).issubset(ids) and set(edges["v"]).issubset(ids)
    assert (edges["laenge_m"] > 0).all()
    np.testing.assert_allclose(edges["laenge_m"], edges.geometry.length, atol=0.01)
    steps = edges[edges["treppe"]]
    assert (steps["highway"] == "steps").all() and len(steps) > 500
    assert nodes["hauptnetz"].mean() > 0.9
    # Edge endpoints coincide with their nodes.
    xy = nodes.set_index("knoten_id")[["x", "y"]]
    start = shapely.get_point(edges.geometry.to_numpy(), 0)
    np.testing.assert_allclose(shapely.get_x(start), xy.loc[edges["u"], "x"].to_numpy(), atol=1e-6)


def test_services_use_vocabulary_and_mark_synthetic(aachen_store):
    services = aachen_store.read_layer("angebote")
    assert set(services["typ"]).issubset(service_type_keys())
    assert services["angebot_id"].is_unique
    synthetic = services[services["quelle"] == "synthetisch"]
    osm = services[services["quelle"] == "osm"]
    assert len(osm) > 40 and len(synthetic) > 0
    assert synthetic["name"].str.endswith("(fiktiv)").all()
    assert "EUTB" in set(synthetic["typ"]) and "EUTB" not in set(osm["typ"])
    gesundheitsamt = osm[osm["name"] == "Gesundheitsamt der Städteregion Aachen"]
    assert gesundheitsamt["typ"].tolist() == ["Gesundheitsamt"]
    assert gesundheitsamt["stufenloser_zugang"].tolist() == ["ja"]  # wheelchair=yes in OSM


def test_barrier_reports_are_synthetic_valid_and_anchored(aachen_store, aachen_config):
    reports = aachen_store.read_layer("barrieren")
    codes = set(load_icf_codes(aachen_config.icf)["code"])
    assert set(reports["icf_code"]).issubset(codes)
    assert (reports["quelle"] == "synthetisch").all()
    assert reports["person_schluessel"].nunique() == 600
    assert reports["qualifikator"].isin([".1", ".2", ".3", ".4", "+1", "+2", "+3", ".8"]).all()
    assert pd.to_datetime(reports["datum"]).max() <= pd.Timestamp("2025-12-31")
    # e150/e120/e160 reports sit near real steps, kerbs or rough surfaces (within ~40 m).
    edges = aachen_store.read_layer("netz_kanten")
    rough = edges[edges["treppe"] | edges["surface"].isin(["sett", "cobblestone"])]
    built = reports[reports["icf_code"].isin(["e150", "e120", "e160"])]
    distance = built.geometry.apply(lambda p: rough.sindex.nearest(p, return_distance=True)[1][0])
    assert (distance < 40).mean() > 0.8
    # Every report lies inside the region, as the import demands of real reports.
    region = aachen_store.read_layer("region").geometry.union_all()
    assert reports.geometry.within(region).all()


def test_stops_from_osm(aachen_store):
    stops = aachen_store.read_layer("haltestellen")
    assert len(stops) > 400
    assert set(stops["art"]).issubset({"bus", "tram", "bahn"})
