"""The two-file store on the built demo: schema, and rebuilds (``build --force`` through the
command line) that keep every offer, edit, barrier report, scenario and audit row, also after
a killed import, while edits run, and when the build itself is killed."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely

from layers import schema, settings
from layers.angebote.edit import add_service, update_service
from layers.angebote.importer import write_service_rows
from layers.barrieren import import_barriers
from layers.store import AUDIT_TABLE, GeoPackageFile, GeoPackageStore
from layers.szenarien import Scenario, ScenarioEdit, list_scenarios, save_scenario
from tests.layers.store.kill import kill_at_random, leftovers
from tests.layers.store.synthetic import integrity, service_rows

BARRIER_FILE = Path(__file__).resolve().parents[1] / "data" / "barrieren" / "gute_meldungen.csv"


#: Layers only regions with official statistics per area build (Köln): districts, time series.
STATISTICS_LAYERS = ("bezirke", "bevoelkerung_zeitreihe")


def _assert_dtypes(store: GeoPackageStore, names: tuple[str, ...]) -> None:
    for name in names:
        layer = schema.LAYERS[name]
        frame = GeoPackageFile(store.path, store.crs).read_layer(name)
        declared = {c: t for c, t in layer.columns.items()
                    if not (name == "barrieren" and c in ("strasse", "freitext", "importiert_am"))}
        actual = {c: str(frame[c].dtype) for c in declared}
        assert actual == declared, name


def test_schema_dtypes_match_the_built_demo_store(aachen_store):
    names = tuple(n for n in schema.DERIVED_LAYERS if n not in STATISTICS_LAYERS)
    _assert_dtypes(aachen_store, (*names, schema.META_TABLE))


def test_schema_dtypes_of_the_statistics_layers_match_the_built_koeln_store(koeln_store):
    _assert_dtypes(koeln_store, STATISTICS_LAYERS)


@pytest.fixture()
def cache(aachen_store, tmp_path: Path, monkeypatch) -> Path:
    """A cache of its own with a copy of the built demo (the CLI runs on it)."""
    regions = tmp_path / "cache" / "regions"
    regions.mkdir(parents=True)
    shutil.copyfile(aachen_store.path, regions / "aachen.gpkg")
    return tmp_path / "cache"


def _cli_build(cache: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SOZIALRAUM_CACHE": str(cache)}
    return subprocess.Popen([sys.executable, "-m", "cli", "build", "--region", "aachen", *extra],
                            cwd=settings.project_root, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _users_work(store: GeoPackageStore, aachen_config) -> dict[str, object]:
    """A planner's work of a day; returns what must survive."""
    derived = store.read_layer("angebote")
    target = derived.iloc[5]
    edit = update_service(store, target["angebot_id"], {"name": "Bearbeitet"},
                          expected_version=int(target["version"]))
    added = add_service(store, {"name": "Neue Beratung", "typ": "EUTB"},
                        geometry=shapely.Point(294962.6, 5628862.7))
    write_service_rows(store, service_rows("imp", 25), action="importieren")
    barriers = import_barriers(BARRIER_FILE, aachen_config, store=store)
    assert barriers.gespeichert
    save_scenario(store, Scenario("Nord", "Außenstelle", (
        ScenarioEdit(aktion="neu", typ="EUTB", name="Außenstelle", x=294000.0, y=5628000.0),)))
    own = store.read_layer("angebote").set_index("angebot_id")
    return {
        "edit": (target["angebot_id"], edit.version),
        "added": added.angebot_id,
        "imported": {f"imp-{i}" for i in range(25)},
        "reports": set(store.own.read_layer("barrieren")["meldung_id"]),
        "scenarios": list(list_scenarios(store)["name"]),
        "audit": len(store.read_layer(AUDIT_TABLE)),
        "offers": len(own),
    }


def _still_there(store: GeoPackageStore, kept: dict[str, object]) -> None:
    offers = store.read_layer("angebote").set_index("angebot_id")
    ident, version = kept["edit"]  # type: ignore[misc]
    assert offers.loc[ident, "name"] == "Bearbeitet" and offers.loc[ident, "version"] == version
    assert kept["added"] in offers.index
    assert kept["imported"] <= set(offers.index)  # type: ignore[operator]
    reports = set(store.read_layer("barrieren")["meldung_id"])
    assert kept["reports"] <= reports and kept["reports"]  # type: ignore[operator]
    assert list(list_scenarios(store)["name"]) == kept["scenarios"]
    assert len(store.read_layer(AUDIT_TABLE)) >= kept["audit"]  # type: ignore[operator]


def test_kill_during_import_then_build_force_keeps_everything(cache, aachen_config):
    store = GeoPackageStore(cache / "regions" / "aachen.gpkg", aachen_config.crs, user="planerin")
    kept = _users_work(store, aachen_config)
    big = service_rows("abgebrochen", 4000)

    def importing(ack: Callable[[int], None]) -> None:
        write_service_rows(GeoPackageStore(store.path, store.crs), big, action="importieren")
        ack(1)

    run = kill_at_random(importing, low=0.3, high=1.5, rng=random.Random(7))
    built = _cli_build(cache, "--force")
    output, _ = built.communicate(timeout=900)
    assert built.returncode == 0, output
    assert "aachen.nutzer.gpkg (vom Neubau nicht berührt)" in output
    after = GeoPackageStore(store.path, store.crs)
    after.prepare(thorough=True)
    assert integrity(after.path) == "ok" and integrity(after.user_path) == "ok"
    assert leftovers(after.path.parent) == []
    _still_there(after, kept)
    ids = after.read_layer("angebote", columns=["angebot_id"])["angebot_id"]
    killed = int(ids.str.startswith("abgebrochen-").sum())
    assert killed in (0, 4000) and (killed == 4000 or run.acked == [])
    assert len(after.read_layer(AUDIT_TABLE)) == kept["audit"] + killed


def test_edits_during_build_force_all_land(cache, aachen_config):
    store = GeoPackageStore(cache / "regions" / "aachen.gpkg", aachen_config.crs, user="planerin")
    offers = store.read_layer("angebote").iloc[:30]
    versions = dict(zip(offers["angebot_id"], offers["version"].astype(int), strict=True))
    built = _cli_build(cache, "--force")
    acknowledged: dict[str, str] = {}
    number = 0
    while built.poll() is None or number < 10:
        ident = list(versions)[number % len(versions)]
        result = update_service(store, ident, {"bemerkung": f"waehrend-{number}"},
                                expected_version=versions[ident])
        versions[ident] = result.version
        acknowledged[ident] = f"waehrend-{number}"
        number += 1
    output, _ = built.communicate(timeout=900)
    assert built.returncode == 0, output
    after = GeoPackageStore(store.path, store.crs).read_layer("angebote").set_index("angebot_id")
    assert {i: after.loc[i, "bemerkung"] for i in acknowledged} == acknowledged
    assert number >= 10
    print(f"\n{number} Bearbeitungen während build --force, alle gespeichert")


def test_killed_builds_keep_the_old_store_and_the_user_data(cache, aachen_config):
    store = GeoPackageStore(cache / "regions" / "aachen.gpkg", aachen_config.crs, user="planerin")
    kept = _users_work(store, aachen_config)
    user_before = store.user_path.read_bytes()
    rng = random.Random(3)
    delays: list[float] = []
    outcomes: list[str] = []
    for _ in range(4):
        built_before = store.read_meta().get("gebaut_am")
        process = _cli_build(cache, "--force")
        delay = rng.uniform(1.0, 20.0)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        delays.append(delay)
        after = GeoPackageStore(store.path, store.crs)
        after.prepare(thorough=True)
        assert integrity(after.path) == "ok"
        assert leftovers(after.path.parent) == []
        meta = after.read_meta()
        if process.returncode == -signal.SIGKILL and meta["gebaut_am"] != built_before:
            outcomes.append("neu")  # killed after the new file was moved into place
        else:
            outcomes.append("alt" if process.returncode else "fertig")
        # Old or new: always one complete build (its recorded counts are the file's).
        counts = json.loads(meta["anzahl"])
        for name in ("angebote", "netz_kanten", "gebaeude"):
            assert len(after.derived.read_layer(name, columns=[])) == counts[name], name
        assert store.user_path.read_bytes() == user_before
        _still_there(after, kept)
    print("\nbuild --force getötet nach", ", ".join(
        f"{d:.1f} s ({o})" for d, o in zip(delays, outcomes, strict=True)))
