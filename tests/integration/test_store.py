"""The GeoPackage store: atomic layer writes, row transactions with version checks, audit."""

from __future__ import annotations

import threading

import geopandas as gpd
import pytest
import shapely

from layers.errors import CRSError, LayerNotFoundError, VersionConflictError
from layers.store import AUDIT_TABLE, GeoPackageStore
from tests.tools.stores import fingerprint


def test_write_with_wrong_crs_is_refused_and_changes_nothing(aachen_store_copy):
    before = fingerprint(aachen_store_copy)
    wrong = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(6.08, 50.77)], crs=4326)
    with pytest.raises(CRSError) as info:
        aachen_store_copy.write_layers({"test": wrong})
    assert "EPSG:4326" in str(info.value) and "EPSG:25832" in str(info.value)
    assert fingerprint(aachen_store_copy) == before


def test_layer_without_crs_is_an_error(aachen_store_copy):
    naked = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(294000, 5628000)])
    with pytest.raises(CRSError, match="kein Koordinatenbezugssystem"):
        aachen_store_copy.write_layers({"test": naked})


def test_missing_layer_message(aachen_store):
    with pytest.raises(LayerNotFoundError, match="fehlt im Regionsspeicher"):
        aachen_store.read_layer("gibtesnicht")


def test_row_edit_with_version_check_and_audit(aachen_store_copy):
    store = aachen_store_copy
    services = store.read_layer("angebote")
    target = services.iloc[0]
    with store.transaction() as tx:
        new_version = tx.update(
            "angebote",
            ("angebot_id", target["angebot_id"]),
            {"name": "Neuer Name"},
            geometry=shapely.Point(295000, 5629000),
            expected_version=int(target["version"]),
        )
        tx.audit("angebote", target["angebot_id"], "aendern", {"name": target["name"]},
                 {"name": "Neuer Name"})
    assert new_version == int(target["version"]) + 1
    after = store.read_layer("angebote")
    row = after[after["angebot_id"] == target["angebot_id"]].iloc[0]
    assert row["name"] == "Neuer Name" and row["version"] == new_version
    assert row.geometry.equals(shapely.Point(295000, 5629000))
    # The spatial index follows the moved point (GDAL reads through the R-tree with bbox).
    hits = store.read_layer("angebote", bbox=(294990, 5628990, 295010, 5629010))
    assert target["angebot_id"] in set(hits["angebot_id"])
    audit = store.read_layer(AUDIT_TABLE)
    assert len(audit) == 1 and audit["benutzer"].iloc[0] == "test"

    # A second edit based on the old version is refused; nothing changes.
    with pytest.raises(VersionConflictError) as info:
        with store.transaction() as tx:
            tx.update("angebote", ("angebot_id", target["angebot_id"]), {"name": "Zweiter"},
                      expected_version=int(target["version"]))
            tx.audit("angebote", target["angebot_id"], "aendern", None, {"name": "Zweiter"})
    assert "inzwischen" in str(info.value)
    again = store.read_layer("angebote")
    assert again[again["angebot_id"] == target["angebot_id"]]["name"].iloc[0] == "Neuer Name"
    assert len(store.read_layer(AUDIT_TABLE)) == 1


def test_concurrent_edits_one_wins(aachen_store_copy):
    store = aachen_store_copy
    target = store.read_layer("angebote").iloc[3]
    results: list[str] = []
    barrier = threading.Barrier(2)

    def edit(label: str) -> None:
        own = GeoPackageStore(store.path, store.crs, user=label)
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
    final = store.read_layer("angebote")
    assert final[final["angebot_id"] == target["angebot_id"]]["name"].iloc[0] == winner
    audit = store.read_layer(AUDIT_TABLE)
    assert audit["benutzer"].tolist() == [winner]


def test_transaction_rolls_back_on_error(aachen_store_copy):
    store = aachen_store_copy
    before = store.read_layer("angebote")
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.update("angebote", ("angebot_id", before["angebot_id"].iloc[0]), {"name": "X"})
            raise RuntimeError("Abbruch")
    after = store.read_layer("angebote")
    assert after["name"].tolist() == before["name"].tolist()
