"""Candidate sites from the Aachen layers and from planners' lists."""

from __future__ import annotations

import numpy as np
import pytest

from layers.errors import InputValidationError
from layers.kandidaten import candidate_sites, candidate_sites_from_store, read_candidate_table
from tests.tools.paths import DATA as TEST_DATA

DATA = TEST_DATA / "standorte"


@pytest.mark.slow
def test_aachen_candidates(aachen_store):
    sites = candidate_sites_from_store(aachen_store)
    buildings = aachen_store.read_layer("gebaeude", columns=["osm_id", "building", "name"])
    services = aachen_store.read_layer("angebote")
    region = aachen_store.read_layer("region").geometry.iloc[0]
    assert 200 <= len(sites) <= 400
    assert sites["kandidat_id"].is_unique
    assert sites.geometry.within(region.buffer(1)).all()
    # public buildings and the town hall are in, university buildings are not
    assert "Aachener Rathaus" in set(sites["name"])
    ids = set(sites["kandidat_id"])
    uni = buildings[buildings["building"] == "university"]
    assert not ids & {f"geb-{i}" for i in uni["osm_id"]}
    schools = buildings[buildings["building"] == "school"]
    assert 0 < (sites["art"] == "Schule").sum() <= len(schools)
    # existing offers come first and survive thinning (unless two share one address)
    from_services = sites[sites["quelle"] == "angebote"]
    assert len(from_services) >= 0.8 * len(services)
    # thinning: no two candidates closer than 30 m
    xy = np.column_stack([sites.geometry.x, sites.geometry.y])
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    np.fill_diagonal(d, np.inf)
    assert d.min() >= 30.0


def test_candidate_sites_without_buildings_or_services(aachen_store):
    buildings = aachen_store.read_layer("gebaeude", columns=["osm_id", "building", "name"])
    none = candidate_sites(buildings.iloc[0:0])
    assert len(none) == 0 and list(none.columns) == ["kandidat_id", "name", "art", "quelle", "geometry"]
    only_buildings = candidate_sites(buildings, None, merge_distance_m=0.0)
    assert (only_buildings["quelle"] == "osm_gebaeude").all()
    assert "Antiquitäten Bürgerhausen" not in set(only_buildings["name"])


def test_read_candidate_list(aachen_store):
    region = aachen_store.read_layer("region")
    sites = read_candidate_table(DATA / "gut.csv", crs=aachen_store.crs, region=region)
    assert sites["kandidat_id"].tolist() == ["liste-1", "liste-2"]
    assert sites["name"].tolist() == ["Bürgerhaus Testviertel", "Pfarrheim Beispiel"]
    assert sites.crs.to_epsg() == 25832
    assert sites.geometry.within(region.geometry.iloc[0]).all()


def test_bad_candidate_list_lists_every_row(aachen_store):
    region = aachen_store.read_layer("region")
    with pytest.raises(InputValidationError) as info:
        read_candidate_table(DATA / "fehlerhaft.csv", crs=aachen_store.crs, region=region)
    text = str(info.value)
    assert "Zeile 3, Spalte 'Nr': Die ID '1' kommt mehrfach vor" in text
    assert "Zeile 4, Spalte 'Bezeichnung': Der Name des Standorts fehlt" in text
    assert "Zeile 5, Spalte 'Längengrad/Breitengrad'" in text and "außerhalb der Region" in text
    with pytest.raises(InputValidationError, match="Spalte mit dem Namen"):
        read_candidate_table(DATA / "ohne_namensspalte.csv", crs=aachen_store.crs, region=region)
