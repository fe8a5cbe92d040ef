"""Derived store and user store behind one interface: routing, the merge rule, version token,
migration of old single-file stores, damaged user stores."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from layers import schema, settings
from layers.angebote.edit import change_history, undo_change, update_service
from layers.angebote.importer import write_service_rows
from layers.errors import StoreError, UserStoreDamagedError
from layers.store import AUDIT_TABLE, GeoPackageFile, GeoPackageStore, user_path_for
from layers.store.geopackage import clean_leftovers, temporary_gpkg
from tests.layers.store.synthetic import (
    CRS,
    build_synthetic,
    derived_layers,
    integrity,
    service_rows,
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def store(tmp_path: Path) -> GeoPackageStore:
    return build_synthetic(tmp_path / "test.gpkg")


# ---- the merge rule ---------------------------------------------------------------------------


def test_merge_by_key_user_rows_win_in_place_and_new_ones_follow():
    layer = schema.LAYERS["angebote"]
    derived = pd.DataFrame({"angebot_id": ["a", "b", "c"], "name": ["A", "B", "C"]})
    user = pd.DataFrame({"angebot_id": ["d", "b"], "name": ["D", "B neu"]})
    merged = schema.merge_layer(layer, derived, user)
    assert merged["angebot_id"].tolist() == ["a", "b", "c", "d"]
    assert merged["name"].tolist() == ["A", "B neu", "C", "D"]
    # A filtered user part still hides every overridden derived row (keys of all user rows).
    only_d = user[user["angebot_id"] == "d"]
    filtered = schema.merge_layer(layer, derived, only_d, user_keys=["d", "b"], user_rows=2)
    assert filtered["angebot_id"].tolist() == ["a", "c", "d"]
    # A removal mark hides a derived row without a user row.
    removed = schema.merge_layer(layer, derived, None, removed_keys=["c"])
    assert removed["angebot_id"].tolist() == ["a", "b"]


def test_merge_whole_user_planning_areas_replace_the_generated_ones():
    layer = schema.LAYERS["planungsraeume"]
    derived = pd.DataFrame({"pr_id": ["PR01", "PR02"], "quelle": "generiert"})
    user = pd.DataFrame({"pr_id": ["1"], "quelle": "importiert"})
    assert schema.merge_layer(layer, derived, user)["pr_id"].tolist() == ["1"]
    empty = user.iloc[0:0]
    assert schema.merge_layer(layer, derived, empty)["pr_id"].tolist() == ["PR01", "PR02"]


def test_owners_route_user_tables_and_unknown_names_to_the_user_store():
    assert schema.owner("gebaeude") == schema.DERIVED
    assert schema.owner("angebote") == schema.MERGED
    for name in (AUDIT_TABLE, "nutzer_kennzahlen", "szenario_liste", "nutzer_eigene", "xyz"):
        assert schema.owner(name) == schema.USER
    assert set(schema.DERIVED_LAYERS) >= {"region", "netz_kanten", "angebote", "grundkarte"}


def test_schema_columns_match_the_layer_modules():
    from layers.angebote import SCHEMA as SERVICE_SCHEMA
    from layers.barrieren import SCHEMA as BARRIER_SCHEMA
    from layers.planungsraeume.checks import AREA_COLUMNS
    from layers.szenarien import EDIT_COLUMNS, SCENARIO_COLUMNS

    assert list(schema.LAYERS["angebote"].columns) == list(SERVICE_SCHEMA)
    assert list(schema.LAYERS["barrieren"].columns) == list(BARRIER_SCHEMA)
    assert list(schema.LAYERS["planungsraeume"].columns) == list(AREA_COLUMNS)
    assert list(schema.LAYERS["szenario_liste"].columns) == list(SCENARIO_COLUMNS)
    assert list(schema.LAYERS["szenario_aenderungen"].columns) == list(EDIT_COLUMNS)


# ---- routing, copy on write, removal marks ----------------------------------------------------


def test_edit_of_a_derived_offer_is_a_user_row_and_the_derived_file_stays(store):
    derived_before = _sha(store.path)
    result = update_service(store, "osm-3", {"name": "Neu"}, expected_version=1)
    assert result.version == 2
    assert _sha(store.path) == derived_before
    own = store.own.read_layer("angebote")
    assert own["angebot_id"].tolist() == ["osm-3"] and own["version"].tolist() == [2]
    merged = store.read_layer("angebote")
    assert len(merged) == 40 and merged.loc[3, "angebot_id"] == "osm-3"
    assert merged.loc[3, "name"] == "Neu" and merged.loc[3, "version"] == 2
    assert merged.crs == store.crs
    assert store.own.read_layer(AUDIT_TABLE)["objekt_id"].tolist() == ["osm-3"]
    # Filters apply to both parts; the overridden derived row never shows through.
    hits = store.read_layer("angebote", where="name = 'Neu'")
    assert hits["angebot_id"].tolist() == ["osm-3"]
    old_name = store.read_layer("angebote", where="name = 'Angebot osm 3'")
    assert old_name.empty
    assert store.read_layer("angebote", columns=["name"]).columns.tolist() == ["name", "geometry"]
    # The second edit applies to the user row (optimistic check on version 2).
    update_service(store, "osm-3", {"name": "Neuer"}, expected_version=2)
    assert store.own.read_layer("angebote")["version"].tolist() == [3]


def test_undo_of_an_edit_and_history_work_across_both_files(store):
    first = update_service(store, "osm-1", {"name": "Eins"}, expected_version=1)
    undo_change(store, first.audit_id)
    row = store.read_layer("angebote").set_index("angebot_id").loc["osm-1"]
    assert row["name"] == "Angebot osm 1" and row["version"] == 3
    history = change_history(store, "osm-1")
    assert history["aktion"].tolist() == ["rueckgaengig", "aendern"]


def test_delete_of_a_derived_row_leaves_a_removal_mark(store):
    with store.transaction() as tx:
        assert tx.delete("angebote", ("angebot_id", "osm-5")) == 1
        assert not tx.rows("angebote", '"angebot_id" = ?', ("osm-5",))
        assert tx.existing_keys("angebote", "angebot_id", ["osm-5", "osm-6"]) == {"osm-6"}
    ids = set(store.read_layer("angebote")["angebot_id"])
    assert "osm-5" not in ids and len(ids) == 39
    assert "osm-5" in set(store.derived.read_layer("angebote")["angebot_id"])


def test_writes_are_routed_by_name(store):
    areas = derived_layers()["planungsraeume"].iloc[:2].assign(pr_id=["A", "B"],
                                                                quelle="importiert: x.gpkg")
    store.write_layers({"planungsraeume": areas,
                        "nutzer_kennzahlen": pd.DataFrame({"pr_id": ["A"], "kennzahl": ["k"],
                                                           "wert": [1.5]})})
    assert store.read_layer("planungsraeume")["pr_id"].tolist() == ["A", "B"]
    assert set(store.own.list_layers()) >= {"planungsraeume", "nutzer_kennzahlen"}
    assert "nutzer_kennzahlen" not in store.derived.list_layers()
    assert store.read_layer("nutzer_kennzahlen")["wert"].tolist() == [1.5]
    before = _sha(store.user_path)
    gebaeude = gpd.GeoDataFrame({"osm_id": ["w1"]}, geometry=[shapely.box(291000, 5626000,
                                                                          291010, 5626010)],
                                crs=CRS)
    store.write_layers({"gebaeude": gebaeude})
    assert "gebaeude" in store.derived.list_layers() and _sha(store.user_path) == before
    with pytest.raises(StoreError, match="beim Bau der Region erzeugt"):
        with store.transaction() as tx:
            tx.update("region", ("name", "test"), {"titel": "x"})


def test_version_token_changes_with_every_committed_write_and_only_then(store):
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
    build_synthetic(store.path, seed=2)  # a rebuild
    tokens.append(store.version_token())
    assert len(set(tokens)) == len(tokens)
    # Two copies of the same build with different edits never share a token.
    twin = store.path.parent / "zwilling" / "test.gpkg"
    twin.parent.mkdir()
    shutil.copyfile(store.path, twin)
    other = GeoPackageStore(twin, CRS)
    update_service(other, "osm-1", {"name": "Z"}, expected_version=1)  # its own user store
    assert other.version_token().split("|")[1] != store.version_token().split("|")[1]


def test_rebuild_reads_and_writes_nothing_of_the_user_store(store):
    write_service_rows(store, service_rows("imp", 5), action="importieren")
    update_service(store, "osm-2", {"name": "Bearbeitet"}, expected_version=1)
    before = _sha(store.user_path)
    build_synthetic(store.path, services=30, seed=3)
    assert _sha(store.user_path) == before
    merged = store.read_layer("angebote").set_index("angebot_id")
    assert merged.loc["osm-2", "name"] == "Bearbeitet"
    assert {f"imp-{i}" for i in range(5)} <= set(merged.index)
    assert len(merged) == 30 + 5


# ---- migration of a store from before the split -----------------------------------------------


def _legacy_store(path: Path) -> dict[str, pd.DataFrame]:
    """An old single-file store: derived layers and users' rows in one GeoPackage."""
    layers = derived_layers()
    offers = layers["angebote"]
    offers.loc[offers["angebot_id"] == "osm-4", ["name", "version"]] = ["Bearbeitet", 3]
    imported = service_rows("imp", 3)
    layers["angebote"] = gpd.GeoDataFrame(pd.concat([offers, imported], ignore_index=True),
                                          geometry="geometry", crs=CRS)
    barriers = layers["barrieren"]
    own_report = barriers.iloc[:1].assign(meldung_id="LVR-1", quelle="LVR-Fallmanagement")
    layers["barrieren"] = gpd.GeoDataFrame(pd.concat([barriers, own_report], ignore_index=True),
                                           geometry="geometry", crs=CRS)
    layers["planungsraeume"] = layers["planungsraeume"].assign(quelle="importiert: eigene.gpkg")
    layers["szenario_liste"] = pd.DataFrame({"name": ["Nord"], "beschreibung": ["x"]})
    layers["szenario_aenderungen"] = pd.DataFrame({"szenario": ["Nord"], "nr": [1],
                                                   "aktion": ["neu"]})
    layers["nutzer_kennzahlen"] = pd.DataFrame({"pr_id": ["PR01"], "kennzahl": ["sgb2"],
                                                "wert": [12.5]})
    layers[AUDIT_TABLE] = pd.DataFrame({"zeitpunkt": ["2025-01-01T00:00:00+00:00"] * 2,
                                        "benutzer": ["anna", "ben"], "tabelle": ["angebote"] * 2,
                                        "objekt_id": ["osm-4", "imp-0"],
                                        "aktion": ["aendern", "importieren"],
                                        "alt_json": [None, None], "neu_json": ["{}", "{}"]})
    GeoPackageFile(path, CRS).write_layers(layers)
    return layers


def test_old_single_file_store_is_migrated_once_without_loss(tmp_path):
    path = tmp_path / "alt.gpkg"
    legacy = _legacy_store(path)
    store = GeoPackageStore(path, CRS)
    store.prepare()
    own = store.own
    assert sorted(own.read_layer("angebote")["angebot_id"]) == ["imp-0", "imp-1", "imp-2",
                                                                "osm-4"]
    assert own.read_layer("barrieren")["meldung_id"].tolist() == ["LVR-1"]
    assert own.read_layer("planungsraeume")["pr_id"].tolist() == ["PR01", "PR02", "PR03", "PR04"]
    for name in ("szenario_liste", "szenario_aenderungen", "nutzer_kennzahlen"):
        assert len(own.read_layer(name)) == len(legacy[name]), name
    audit = own.read_layer(AUDIT_TABLE)
    assert audit["benutzer"].tolist() == ["anna", "ben"]
    # Once: opening again (in this or another process) copies nothing twice.
    GeoPackageStore(path, CRS).prepare(thorough=True)
    assert len(own.read_layer("angebote")) == 4 and len(own.read_layer(AUDIT_TABLE)) == 2
    # A rebuild replaces the old file; everything users made is still there.
    build_synthetic(path, seed=5)
    merged = store.read_layer("angebote").set_index("angebot_id")
    assert merged.loc["osm-4", "name"] == "Bearbeitet" and merged.loc["osm-4", "version"] == 3
    assert {"imp-0", "imp-1", "imp-2"} <= set(merged.index)
    assert "LVR-1" in set(store.read_layer("barrieren")["meldung_id"])
    assert store.read_layer("planungsraeume")["quelle"].str.startswith("importiert").all()
    assert store.read_layer("nutzer_kennzahlen")["wert"].tolist() == [12.5]
    assert integrity(store.user_path) == "ok"


# ---- damaged user store, leftovers --------------------------------------------------------------


def test_damaged_user_store_stops_build_app_and_cli_untouched(tmp_path):
    cache = tmp_path / "cache"
    regions = cache / "regions"
    regions.mkdir(parents=True)
    user = regions / "aachen.nutzer.gpkg"
    user.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    before = _sha(user)
    from layers.build import build_region

    with pytest.raises(UserStoreDamagedError) as info:
        build_region("aachen", target=regions / "aachen.gpkg")
    text = str(info.value)
    assert "aachen.nutzer.gpkg" in text and "nichts überschrieben" in text
    assert "Sicherung" in text and "So beheben" in text
    assert _sha(user) == before and not (regions / "aachen.gpkg").exists()
    with pytest.raises(UserStoreDamagedError):
        GeoPackageStore(regions / "aachen.gpkg", CRS).read_layer("angebote")
    env = {**os.environ, "SOZIALRAUM_CACHE": str(cache)}
    done = subprocess.run([sys.executable, "-m", "cli", "build", "--region", "aachen"],
                          cwd=settings.project_root, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert "aachen.nutzer.gpkg" in done.stdout + done.stderr
    assert _sha(user) == before and not (regions / "aachen.gpkg").exists()


def test_leftover_temporary_files_are_removed_on_open_but_not_a_live_ones(tmp_path):
    store = build_synthetic(tmp_path / "test.gpkg")
    dead = [tmp_path / ".test.neu-dead.gpkg", tmp_path / ".test.tmp-x1.gpkg",
            tmp_path / ".test.build-y2.gpkg", tmp_path / ".test.nutzer.neu-z.gpkg"]
    for path in dead:
        path.write_bytes(b"halb")
    (tmp_path / ".test.tmp-x1.gpkg-journal").write_bytes(b"j")
    (tmp_path / "test.nutzer.gpkg-wal").write_bytes(b"verwaist")  # no user store: set aside
    with temporary_gpkg(store.path) as live:
        live.write_bytes(b"in Arbeit")
        GeoPackageStore(store.path, CRS).prepare(thorough=True)
        assert live.exists()
        assert not any(p.exists() for p in dead)
        assert not (tmp_path / ".test.tmp-x1.gpkg-journal").exists()
    assert not live.exists()
    assert [p.name.split(".verwaist-")[0] for p in tmp_path.glob("*.verwaist-*")] == [
        "test.nutzer.gpkg-wal"]
    assert clean_leftovers(tmp_path, "test") == []
    assert user_path_for(store.path).name == "test.nutzer.gpkg"


def test_backup_is_one_consistent_file_and_restore_sets_the_current_one_aside(store, tmp_path):
    from layers.store.sicherung import check, main, restore

    update_service(store, "osm-1", {"name": "Gesichert"}, expected_version=1)
    copy = store.backup(tmp_path / "sicherung.gpkg")
    assert integrity(copy) == "ok" and not Path(str(copy) + "-wal").exists()
    update_service(store, "osm-1", {"name": "Danach"}, expected_version=2)
    aside = restore(store, copy)
    assert aside is not None and aside.exists()
    assert store.read_layer("angebote").set_index("angebot_id").loc["osm-1", "name"] == "Gesichert"
    with GeoPackageStore(store.path, CRS, user_path=aside).own.connection() as conn:
        assert conn.execute("SELECT name FROM angebote").fetchone()[0] == "Danach"
    assert all("in Ordnung" in line for line in check(store))
    bad = tmp_path / "kaputt.gpkg"
    bad.write_bytes(b"keine Datenbank" * 100)
    with pytest.raises(UserStoreDamagedError):
        restore(store, bad)
    assert store.read_layer("angebote").set_index("angebot_id").loc["osm-1", "name"] == "Gesichert"
    assert main(["pruefen", "--region", "gibtesnicht"]) == 2
