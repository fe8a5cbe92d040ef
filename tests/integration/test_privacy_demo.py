"""The release of the Aachen demo reports: useful, within the rule, exported without raw data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.privacy import DisclosureRule, publish_release
from planungsraeume.barrieren import release

K = 5


@pytest.fixture(scope="module")
def demo(aachen):
    return release(aachen)


def test_demo_release_is_useful_and_within_the_rule(demo):
    pub = demo.publication("alle")
    table = demo.rule.tabelle
    assert pub.planungsraeume()["veroeffentlicht"].sum() >= 20
    assert len(pub.gitter(1000)) >= 25 and len(demo.jahre) >= 3
    index = demo.index
    mask = pub.filter.mask(index.frame)
    for res in demo.rule.gitter:
        cells, east, north = index.grid[res]
        from analyses.grid import cell_id

        ids = np.array([cell_id(int(n), int(e), res) for e, n in zip(east, north, strict=True)])
        for row in pub.gitter(res).itertuples():
            true = len(np.unique(index.person[mask & (ids[cells] == row.gitter_id)]))
            assert true >= K and abs(row.personen - true) <= table.max_total_change


def test_streets_are_published_within_the_rule_too(demo):
    pub = demo.publication("alle")
    streets = pub.strassen()
    assert len(streets) > 0
    index, table = demo.index, demo.rule.tabelle
    names = demo.geo.streets["strasse"].to_numpy()
    mask = pub.filter.mask(index.frame)
    for row in streets.itertuples():
        members = mask & (index.street >= 0) & (names[np.maximum(index.street, 0)] == row.strasse)
        true = len(np.unique(index.person[members]))
        assert true >= K and abs(row.personen - true) <= table.max_total_change


def test_one_person_with_many_reports_counts_once(aachen_store):
    reports = aachen_store.read_layer("barrieren").iloc[:1]
    many = pd.concat([reports] * 20, ignore_index=True)
    boundary = shapely.union_all(aachen_store.read_layer("region").geometry.to_numpy())
    rule = DisclosureRule.intern(begruendung="Zählung von Personen statt Meldungen im Test",
                                 angefordert_von="Erika Mustermann")
    rel = publish_release(many, boundary=boundary, areas=aachen_store.read_layer("planungsraeume"),
                          rule=rule, auswahlen=("alle",), jahre=())
    assert rel.publication("alle").region()["personen"].isna().all()  # 1 person < 3


def test_export_contains_only_published_tables(demo, tmp_path):
    import pyogrio

    pub = demo.publication("alle")
    path = tmp_path / "export.gpkg"
    written = pub.export(path)
    assert "barrieren_gitter_250m" in written and "geheimhaltung_regel" in written
    back = pyogrio.read_dataframe(path, layer="barrieren_gitter_250m")
    assert sorted(back["gitter_id"]) == sorted(pub.gitter(250)["gitter_id"])
    assert (back["personen"] >= K).all() and (back["personen"] % 5 == 0).all()
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert not any("punkt" in name or "meldung_" in name for name in layers)
    for name in layers:
        frame = pyogrio.read_dataframe(path, layer=name)
        assert "person_schluessel" not in frame.columns and "meldung_id" not in frame.columns
    rule = pyogrio.read_dataframe(path, layer="geheimhaltung_regel").iloc[0]
    assert "Cell-Key-Methode" in rule["beschreibung"] and rule["modus"] == "öffentlich"
