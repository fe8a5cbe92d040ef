"""SIGKILL at random moments during imports, edits and builds (forked processes, small stores).

After every kill: the store opens, ``PRAGMA integrity_check`` is ok for both files, every
acknowledged write is present, nothing unacknowledged is half there, and the next open leaves
no temporary file, journal or WAL behind. ``SOZIALRAUM_KILLS`` sets the kills per kind.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from layers.angebote.edit import update_service
from layers.angebote.importer import write_service_rows
from layers.store import AUDIT_TABLE, GeoPackageStore
from tests.layers.store.kill import KillRun, kill_after_ack, kill_at_random, leftovers
from tests.layers.store.synthetic import CRS, barrier_file, build_synthetic, integrity, service_rows

KILLS = int(os.environ.get("SOZIALRAUM_KILLS", "12"))
REPORT: dict[str, list[float]] = {}


def _reopen(path: Path) -> GeoPackageStore:
    """Open as the next process would (recovery and checks), then check the files."""
    store = GeoPackageStore(path, CRS, user="test")
    store.prepare(thorough=True)
    assert integrity(store.path) == "ok"
    if store.user_path.exists():
        assert integrity(store.user_path) == "ok"
    assert leftovers(path.parent) == []
    assert not Path(str(store.user_path) + "-wal").exists()
    return store


def _record(kind: str, run: KillRun) -> None:
    REPORT.setdefault(kind, []).append(run.killed_after_s)


@pytest.fixture(scope="module", autouse=True)
def _print_report():
    yield
    for kind, delays in REPORT.items():
        print(f"\n{kind}: {len(delays)} Kills, {min(delays):.2f}-{max(delays):.2f} s nach Start")


def _window(probe: Callable[[], object], high: float) -> float:
    """The kill window: at least ``high`` seconds, and long enough for ~5 operations on this
    machine now (one ``probe`` operation is timed), so that kills land inside operations."""
    started = time.perf_counter()
    probe()
    return max(high, 5 * (time.perf_counter() - started))


def _killed_repeatedly(kind: str, path: Path, work: Callable[[int], Callable], check: Callable,
                       *, low: float, high: float, seed: int, fresh: Callable[[], None],
                       probe: Callable[[], object]) -> list[KillRun]:
    rng = random.Random(seed)
    runs = []
    high = _window(probe, high)
    for number in range(KILLS):
        if number % 4 == 0 and number:  # now and then from no user store (kills its creation)
            store = GeoPackageStore(path, CRS)
            for suffix in ("", "-wal", "-shm"):
                Path(str(store.user_path) + suffix).unlink(missing_ok=True)
            fresh()
        run = kill_at_random(work(number), low=low, high=high, rng=rng)
        assert run.exit_status != 3 * 256, "the worker failed before it was killed"
        _record(kind, run)
        check(_reopen(path), number, run)
        runs.append(run)
    assert sum(len(r.acked) for r in runs) >= KILLS // 2, "the kills did not hit running work"
    return runs


def test_killed_imports_lose_nothing_acknowledged_and_leave_nothing_half(tmp_path):
    path = tmp_path / "test.gpkg"
    build_synthetic(path)
    batch = 40
    acknowledged: set[str] = set()

    def work(run: int) -> Callable:
        def loop(ack: Callable[[int], None]) -> None:
            store = GeoPackageStore(path, CRS, user="import")
            for i in range(10_000):
                write_service_rows(store, service_rows(f"r{run}b{i}", batch, seed=i),
                                   action="importieren")
                ack(i)
        return loop

    def check(store: GeoPackageStore, run: int, killed: KillRun) -> None:
        ids = store.read_layer("angebote", columns=["angebot_id"])["angebot_id"]
        prefix = ids.str.extract(r"^(r\d+b\d+)-")[0].dropna()
        per_batch = prefix.value_counts()
        assert set(per_batch) <= {batch}, "a batch is half there"
        acknowledged.update(f"r{run}b{i}" for i in killed.acked)
        missing = acknowledged - set(per_batch.index)
        assert not missing, f"acknowledged imports lost: {sorted(missing)[:5]}"
        if not store.has_layer(AUDIT_TABLE):  # killed before the first import committed
            assert per_batch.empty and not acknowledged
            return
        audit = store.read_layer(AUDIT_TABLE)["objekt_id"].str.extract(r"^(r\d+b\d+)-")[0]
        assert audit.value_counts().to_dict() == per_batch.to_dict(), "rows and audit differ"

    def probe() -> None:
        write_service_rows(GeoPackageStore(path, CRS), service_rows("probe", batch),
                           action="importieren")

    _killed_repeatedly("Import", path, work, check, low=0.02, high=1.5, seed=11,
                       fresh=acknowledged.clear, probe=probe)


def test_killed_edits_keep_every_acknowledged_edit_with_its_audit_entry(tmp_path):
    path = tmp_path / "test.gpkg"
    build_synthetic(path)
    acknowledged: set[str] = set()

    def work(run: int) -> Callable:
        def loop(ack: Callable[[int], None]) -> None:
            store = GeoPackageStore(path, CRS, user="edit")
            for k in range(100_000):
                ident = f"osm-{k % 12}"
                row = store.read_layer("angebote", where=f"angebot_id = '{ident}'")
                update_service(store, ident, {"bemerkung": f"r{run}e{k}"},
                               expected_version=int(row["version"].iloc[0]))
                ack(k)
        return loop

    def check(store: GeoPackageStore, run: int, killed: KillRun) -> None:
        acknowledged.update(f"r{run}e{k}" for k in killed.acked)
        offers = store.read_layer("angebote").set_index("angebot_id")
        if not store.has_layer(AUDIT_TABLE):
            assert not acknowledged
            return
        audit = store.read_layer(AUDIT_TABLE)
        values = [json.loads(text)["bemerkung"] for text in audit["neu_json"]]
        assert not acknowledged - set(values), "acknowledged edits lost"
        audit = audit.assign(wert=values)
        for ident, entries in audit.groupby("objekt_id"):
            # The row and its audit entries were written together or not at all.
            assert offers.loc[ident, "bemerkung"] == entries["wert"].iloc[-1]
            assert offers.loc[ident, "version"] == 1 + len(entries)

    def probe() -> None:
        update_service(GeoPackageStore(path, CRS), "osm-20", {"bemerkung": "probe"},
                       expected_version=1)

    _killed_repeatedly("Bearbeitung", path, work, check, low=0.02, high=1.2, seed=12,
                       fresh=acknowledged.clear, probe=probe)


def test_killed_barrier_imports_keep_every_acknowledged_report(tmp_path, aachen_config):
    from layers.barrieren import import_barriers

    path = tmp_path / "test.gpkg"
    build_synthetic(path)
    files = tmp_path / "dateien"
    files.mkdir()
    acknowledged: set[str] = set()

    def work(run: int) -> Callable:
        def loop(ack: Callable[[int], None]) -> None:
            store = GeoPackageStore(path, CRS, user="import")
            for i in range(10_000):
                source = barrier_file(files / f"r{run}b{i}.csv", f"R{run}B{i}", 15, seed=i)
                result = import_barriers(source, aachen_config, store=store)
                assert result.gespeichert
                ack(i)
        return loop

    def check(store: GeoPackageStore, run: int, killed: KillRun) -> None:
        reports = store.read_layer("barrieren")["meldung_id"]
        per_file = reports.str.extract(r"^(R\d+B\d+)-")[0].dropna().value_counts()
        assert set(per_file) <= {15}, "a file is half there"
        acknowledged.update(f"R{run}B{i}" for i in killed.acked)
        assert not acknowledged - set(per_file.index), "acknowledged reports lost"
        audit = store.read_layer(AUDIT_TABLE) if store.has_layer(AUDIT_TABLE) else pd.DataFrame(
            {"objekt_id": pd.Series([], dtype=str)})
        logged = {name.removesuffix(".csv").upper() for name in audit["objekt_id"]
                  if name.startswith("r")}
        assert logged == set(per_file.index), "reports and audit differ"

    def probe() -> None:
        source = barrier_file(files / "probe.csv", "PROBE", 15, seed=99)
        import_barriers(source, aachen_config, store=GeoPackageStore(path, CRS))

    _killed_repeatedly("Barrieren-Import", path, work, check, low=0.05, high=2.0, seed=13,
                       fresh=acknowledged.clear, probe=probe)


def test_killed_builds_leave_the_old_or_the_new_store_and_never_touch_user_data(tmp_path):
    path = tmp_path / "test.gpkg"
    store = build_synthetic(path, build_id="bau-0-0")
    write_service_rows(store, service_rows("eigen", 5), action="importieren")
    update_service(store, "osm-1", {"name": "Bearbeitet"}, expected_version=1)
    user_bytes = store.user_path.read_bytes()
    current = ["bau-0-0"]

    def work(run: int) -> Callable:
        def loop(ack: Callable[[int], None]) -> None:
            for k in range(10_000):
                build_synthetic(path, services=40 + k % 7, seed=k, build_id=f"bau-{run + 1}-{k}")
                ack(k)
        return loop

    def check(store: GeoPackageStore, run: int, killed: KillRun) -> None:
        build_id = store.read_meta()["build_id"]
        if killed.acked:  # the last acknowledged build, or the one after it
            assert build_id in {f"bau-{run + 1}-{max(killed.acked) + i}" for i in (0, 1)}
        else:
            assert build_id in {current[0], f"bau-{run + 1}-0"}
        current[0] = build_id
        k = int(build_id.rsplit("-", 1)[1])
        assert len(store.derived.read_layer("angebote")) == 40 + k % 7, "not one complete build"
        assert store.user_path.read_bytes() == user_bytes
        merged = store.read_layer("angebote").set_index("angebot_id")
        assert merged.loc["osm-1", "name"] == "Bearbeitet"
        assert {f"eigen-{i}" for i in range(5)} <= set(merged.index)

    rng = random.Random(14)
    high = _window(lambda: build_synthetic(tmp_path / "probe" / "test.gpkg"), 2.0)
    for number in range(KILLS):
        run = kill_at_random(work(number), low=0.05, high=high, rng=rng)
        assert run.exit_status != 3 * 256, "the worker failed before it was killed"
        _record("Bau", run)
        check(_reopen(path), number, run)


def test_hot_journal_of_a_killed_old_style_writer_is_rolled_back_on_open(tmp_path):
    """A writer in rollback-journal mode (an old version, or QGIS) killed mid-transaction."""
    from layers.store.sqlite import register_gpkg_functions

    path = tmp_path / "test.gpkg"
    build_synthetic(path)
    before = GeoPackageStore(path, CRS).derived.read_layer("angebote")

    def work(ack: Callable[[int], None]) -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        register_gpkg_functions(conn)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA cache_size = 5")  # spill changed pages into the file early
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE angebote SET name = 'halb' WHERE 1")
        for _ in range(200):
            conn.execute("INSERT INTO _metadaten (schluessel, wert) VALUES ('x', zeroblob(4000))")
        ack(1)
        time.sleep(60)

    run = kill_after_ack(work)
    assert run.acked == [1]
    assert Path(str(path) + "-journal").exists()
    # The symptom of the issue: a read-only reader cannot get past the hot journal ...
    from layers.store.sqlite import connect

    reader = connect(path, mode="ro")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("SELECT count(*) FROM angebote").fetchone()
    reader.close()
    # ... until the next open rolls it back.
    store = _reopen(path)
    after = store.read_layer("angebote")
    assert after["name"].tolist() == before["name"].tolist()
    assert not Path(str(path) + "-journal").exists()
