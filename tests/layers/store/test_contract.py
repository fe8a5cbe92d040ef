"""The store contract: what every :class:`~layers.store.RegionStore` promises, tested on both
implementations (GeoPackage files and PostGIS) with the same assertions.

Merged view and copy on write, removal marks, routing of writes by name, the version token,
rebuilds that keep users' data, row edits with version checks and audit, one winner of two
concurrent edits, rollback, CRS checks. Implementation details (files, hashes, migration of old
stores) are tested in ``test_split.py`` (GeoPackage) and ``test_postgis_*.py`` (server).
"""

from __future__ import annotations

import threading

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from layers.angebote.edit import change_history, undo_change, update_service
from layers.angebote.importer import write_service_rows
from layers.errors import CRSError, LayerNotFoundError, StoreError, VersionConflictError
from layers.store import AUDIT_TABLE
from tests.layers.store.backends import Backend
from tests.layers.store.synthetic import CRS, derived_layers, service_rows


def test_edit_of_a_derived_offer_is_a_users_row_in_the_merged_view(backend: Backend):
    store = backend.store
    result = update_service(store, "osm-3", {"name": "Neu"}, expected_version=1)
    assert result.version == 2
    own = backend.user_rows("angebote")
    assert own["angebot_id"].tolist() == ["osm-3"] and own["version"].tolist() == [2]
    merged = store.read_layer("angebote")
    assert len(merged) == 40 and merged.loc[3, "angebot_id"] == "osm-3"
    assert merged.loc[3, "name"] == "Neu" and merged.loc[3, "version"] == 2
    assert merged.crs == store.crs
    assert store.read_layer(AUDIT_TABLE)["objekt_id"].tolist() == ["osm-3"]
    # Filters apply to the merged view; the overridden derived row never shows through.
    hits = store.read_layer("angebote", where="name = 'Neu'")
    assert hits["angebot_id"].tolist() == ["osm-3"]
    assert store.read_layer("angebote", where="name = 'Angebot osm 3'").empty
    assert store.read_layer("angebote", columns=["name"]).columns.tolist() == ["name", "geometry"]
    update_service(store, "osm-3", {"name": "Neuer"}, expected_version=2)
    assert backend.user_rows("angebote")["version"].tolist() == [3]


def test_undo_of_an_edit_and_history(backend: Backend):
    store = backend.store
    first = update_service(store, "osm-1", {"name": "Eins"}, expected_version=1)
    undone = undo_change(store, first.audit_id)
    row = store.read_layer("angebote").set_index("angebot_id").loc["osm-1"]
    assert row["name"] == "Angebot osm 1" and row["version"] == 3
    history = change_history(store, "osm-1")
    assert history["aktion"].tolist() == ["rueckgaengig", "aendern"]
    assert history["benutzer"].tolist() == [store.user, store.user]
    assert history["felder"].tolist() == ["name", "name"]
    assert int(history["rueckgaengig_von"].iloc[0]) == first.audit_id
    assert int(history["protokoll_id"].iloc[0]) == undone.audit_id


def test_delete_of_a_derived_row_stays_deleted_after_a_rebuild(backend: Backend):
    store = backend.store
    with store.transaction() as tx:
        assert tx.delete("angebote", ("angebot_id", "osm-5")) == 1
        assert not tx.rows("angebote", '"angebot_id" = ?', ("osm-5",))
        assert tx.existing_keys("angebote", "angebot_id", ["osm-5", "osm-6"]) == {"osm-6"}
    ids = set(store.read_layer("angebote")["angebot_id"])
    assert "osm-5" not in ids and len(ids) == 39
    backend.rebuild(seed=4)
    ids = set(store.read_layer("angebote")["angebot_id"])
    assert "osm-5" not in ids and len(ids) == 39


def test_writes_are_routed_by_name(backend: Backend):
    store = backend.store
    areas = derived_layers()["planungsraeume"].iloc[:2].assign(pr_id=["A", "B"],
                                                                quelle="importiert: x.gpkg")
    store.write_layers({"planungsraeume": areas,
                        "nutzer_kennzahlen": pd.DataFrame({"pr_id": ["A"], "kennzahl": ["k"],
                                                           "wert": [1.5]})})
    assert store.read_layer("planungsraeume")["pr_id"].tolist() == ["A", "B"]
    assert store.read_layer("nutzer_kennzahlen")["wert"].tolist() == [1.5]
    gebaeude = gpd.GeoDataFrame({"osm_id": ["w1"]}, geometry=[shapely.box(291000, 5626000,
                                                                          291010, 5626010)],
                                crs=CRS)
    store.write_layers({"gebaeude": gebaeude})
    assert store.read_layer("gebaeude")["osm_id"].tolist() == ["w1"]
    with pytest.raises(StoreError, match="beim Bau der Region erzeugt"):
        with store.transaction() as tx:
            tx.update("region", ("name", "test"), {"titel": "x"})
    # The users' planning areas survive a rebuild (they replace the generated ones).
    backend.rebuild(seed=6)
    assert store.read_layer("planungsraeume")["pr_id"].tolist() == ["A", "B"]


def test_version_token_changes_with_every_committed_write_and_only_then(backend: Backend):
    store = backend.store
    tokens = [store.version_token()]
    update_service(store, "osm-1", {"name": "A"}, expected_version=1)
    tokens.append(store.version_token())
    change_history(store)  # a transaction that only reads
    assert store.version_token() == tokens[-1]
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.update("angebote", ("angebot_id", "osm-2"), {"name": "B"})
        raise RuntimeError("Abbruch")
    assert store.version_token() == tokens[-1]
    for i in range(5):
        update_service(store, "osm-1", {"name": f"A{i}"}, expected_version=2 + i)
        tokens.append(store.version_token())
    backend.rebuild(seed=2)
    tokens.append(store.version_token())
    assert len(set(tokens)) == len(tokens)


def test_rebuild_keeps_everything_users_made(backend: Backend):
    store = backend.store
    write_service_rows(store, service_rows("imp", 5), action="importieren")
    update_service(store, "osm-2", {"name": "Bearbeitet"}, expected_version=1)
    backend.rebuild(services=30, seed=3)
    merged = store.read_layer("angebote").set_index("angebot_id")
    assert merged.loc["osm-2", "name"] == "Bearbeitet"
    assert {f"imp-{i}" for i in range(5)} <= set(merged.index)
    assert len(merged) == 30 + 5
    audit = store.read_layer(AUDIT_TABLE)
    assert sorted(audit["aktion"]) == ["aendern"] + ["importieren"] * 5


def test_row_edit_with_version_check_and_audit(backend: Backend):
    store = backend.store
    target = store.read_layer("angebote").iloc[0]
    with store.transaction() as tx:
        new_version = tx.update("angebote", ("angebot_id", target["angebot_id"]),
                                {"name": "Neuer Name"}, geometry=shapely.Point(295000, 5629000),
                                expected_version=int(target["version"]))
        tx.audit("angebote", target["angebot_id"], "aendern", {"name": target["name"]},
                 {"name": "Neuer Name"})
    assert new_version == int(target["version"]) + 1
    after = store.read_layer("angebote").set_index("angebot_id").loc[target["angebot_id"]]
    assert after["name"] == "Neuer Name" and after["version"] == new_version
    assert after.geometry.equals(shapely.Point(295000, 5629000))
    hits = store.read_layer("angebote", bbox=(294990, 5628990, 295010, 5629010))
    assert target["angebot_id"] in set(hits["angebot_id"])
    audit = store.read_layer(AUDIT_TABLE)
    assert len(audit) == 1 and audit["benutzer"].iloc[0] == store.user
    with pytest.raises(VersionConflictError) as info:
        with store.transaction() as tx:
            tx.update("angebote", ("angebot_id", target["angebot_id"]), {"name": "Zweiter"},
                      expected_version=int(target["version"]))
            tx.audit("angebote", target["angebot_id"], "aendern", None, {"name": "Zweiter"})
    assert "inzwischen" in str(info.value)
    again = store.read_layer("angebote").set_index("angebot_id")
    assert again.loc[target["angebot_id"], "name"] == "Neuer Name"
    assert len(store.read_layer(AUDIT_TABLE)) == 1


def test_concurrent_edits_one_wins(backend: Backend):
    target = backend.store.read_layer("angebote").iloc[3]
    backend.prepare_users("nutzer0", "nutzer1")
    results: list[str] = []
    barrier = threading.Barrier(2)

    def edit(label: str) -> None:
        own = backend.open(label)
        barrier.wait()
        try:
            with own.transaction() as tx:
                tx.update("angebote", ("angebot_id", target["angebot_id"]), {"name": label},
                          expected_version=int(target["version"]))
                tx.audit("angebote", target["angebot_id"], "aendern", None, {"name": label})
            results.append(label)
        except VersionConflictError:
            results.append("konflikt")

    threads = [threading.Thread(target=edit, args=(f"nutzer{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results)[0] == "konflikt" and len([r for r in results if r != "konflikt"]) == 1
    winner = next(r for r in results if r != "konflikt")
    final = backend.store.read_layer("angebote").set_index("angebot_id")
    assert final.loc[target["angebot_id"], "name"] == winner
    audit = backend.store.read_layer(AUDIT_TABLE)
    assert audit["benutzer"].tolist() == [backend.login_name(winner)]


def test_transaction_rolls_back_on_error(backend: Backend):
    store = backend.store
    before = store.read_layer("angebote")
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.update("angebote", ("angebot_id", before["angebot_id"].iloc[0]), {"name": "X"})
            raise RuntimeError("Abbruch")
    after = store.read_layer("angebote")
    assert after["name"].tolist() == before["name"].tolist()


def test_write_with_wrong_or_without_crs_is_refused_and_changes_nothing(backend: Backend):
    store = backend.store
    token = store.version_token()
    wrong = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(6.08, 50.77)], crs=4326)
    with pytest.raises(CRSError) as info:
        store.write_layers({"test": wrong})
    assert "EPSG:4326" in str(info.value) and "EPSG:25832" in str(info.value)
    naked = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(294000, 5628000)])
    with pytest.raises(CRSError, match="kein Koordinatenbezugssystem"):
        store.write_layers({"test": naked})
    assert store.version_token() == token
    assert not store.has_layer("test")


def test_missing_layer_message(backend: Backend):
    with pytest.raises(LayerNotFoundError, match="fehlt im Regionsspeicher"):
        backend.store.read_layer("gibtesnicht")


def test_layers_and_dtypes_are_the_same_in_both_stores(backend: Backend):
    store = backend.store
    assert store.exists()
    assert store.list_layers()[:4] == ["region", "planungsraeume", "angebote", "barrieren"]
    offers = store.read_layer("angebote")
    assert str(offers["version"].dtype) == "int64"
    assert str(offers["kapazitaet_std_woche"].dtype) == "float64"
    assert offers["angebot_id"].dtype == "str" and offers.geometry.name == "geometry"
    reports = store.read_layer("barrieren")
    assert reports["schweregrad"].tolist() == [3] * 10 and len(reports) == 10
    assert store.read_meta()["region"] in ("test", getattr(store, "schema", "test"))
