"""Concurrent writers and readers on one region store (forked processes, small stores).

* two imports at once both land (barrier reports, offers, indicator tables);
* edits during rebuilds all land;
* readers during a 100k-row import never fail and see the rows all at once or not at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from layers.angebote.edit import update_service
from layers.angebote.importer import write_service_rows
from layers.store import AUDIT_TABLE, GeoPackageStore
from tests.layers.store.kill import run_to_end, wait_for
from tests.layers.store.synthetic import CRS, barrier_file, build_synthetic, integrity, service_rows

TRIALS = 3


def _together(path: Path, works: list[Callable[[Callable[[int], None]], None]]
              ) -> list[list[int]]:
    """Run workers in parallel processes that start at the same moment; their acks."""
    go = path.parent / f"los-{time.monotonic_ns()}"

    def starting(work: Callable) -> Callable:
        def run(ack: Callable[[int], None]) -> None:
            wait_for(go)
            work(ack)
        return run

    waits = [run_to_end(starting(work))[1] for work in works]
    go.touch()
    results = [wait() for wait in waits]
    assert [r.exit_status for r in results] == [0] * len(works), "a worker failed"
    return [r.acked for r in results]


def test_two_barrier_imports_at_once_both_land(tmp_path, aachen_config):
    from layers.barrieren import import_barriers

    path = tmp_path / "test.gpkg"
    build_synthetic(path)
    for trial in range(TRIALS):
        files = [barrier_file(tmp_path / f"t{trial}-{i}.csv", f"T{trial}N{i}", 40, seed=trial * 2 + i)
                 for i in range(2)]

        def importing(source: Path) -> Callable:
            def work(ack: Callable[[int], None]) -> None:
                store = GeoPackageStore(path, CRS, user=source.stem)
                assert import_barriers(source, aachen_config, store=store).gespeichert
                ack(1)
            return work

        assert _together(path, [importing(f) for f in files]) == [[1], [1]]
        reports = GeoPackageStore(path, CRS).read_layer("barrieren")["meldung_id"]
        for i in range(2):
            assert reports.str.startswith(f"T{trial}N{i}-").sum() == 40, (trial, i)
    audit = GeoPackageStore(path, CRS).read_layer(AUDIT_TABLE)
    assert len(audit) == 2 * TRIALS
    assert integrity(path.with_name("test.nutzer.gpkg")) == "ok"


def test_two_service_imports_at_once_both_land(tmp_path):
    path = tmp_path / "test.gpkg"
    build_synthetic(path)
    for trial in range(TRIALS):
        def importing(prefix: str) -> Callable:
            def work(ack: Callable[[int], None]) -> None:
                store = GeoPackageStore(path, CRS, user=prefix)
                inserted, _ = write_service_rows(store, service_rows(prefix, 300),
                                                 action="importieren")
                ack(inserted)
            return work

        assert _together(path, [importing(f"t{trial}a"), importing(f"t{trial}b")]) == [
            [300], [300]]
    ids = GeoPackageStore(path, CRS).read_layer("angebote")["angebot_id"]
    assert ids.str.match(r"t\d[ab]-").sum() == 2 * 300 * TRIALS
    assert ids.is_unique


def test_two_indicator_imports_at_once_both_land(tmp_path):
    from layers.planungsraeume.tabellen import JoinResult, save_user_indicators

    path = tmp_path / "test.gpkg"
    build_synthetic(path)

    def importing(column: str) -> Callable:
        def work(ack: Callable[[int], None]) -> None:
            values = pd.DataFrame({"pr_id": ["PR01", "PR02"], column: [1.0, 2.0]})
            joined = JoinResult(werte=values, ohne_treffer=pd.DataFrame(),
                                ohne_daten=pd.DataFrame(), spalten=[column])
            for _ in range(5):
                save_user_indicators(GeoPackageStore(path, CRS), joined, quelle=column)
            ack(1)
        return work

    _together(path, [importing("sgb2_quote"), importing("alleinerziehende")])
    table = GeoPackageStore(path, CRS).read_layer("nutzer_kennzahlen")
    assert sorted(table["kennzahl"].unique()) == ["alleinerziehende", "sgb2_quote"]
    assert len(table) == 4


def test_edits_during_rebuilds_all_land(tmp_path):
    path = tmp_path / "test.gpkg"
    build_synthetic(path)
    done = tmp_path / "fertig"

    def rebuilding(ack: Callable[[int], None]) -> None:
        for k in range(6):
            build_synthetic(path, seed=k + 10, build_id=f"neu-{k}")
            ack(k)
        done.touch()

    def editing(ack: Callable[[int], None]) -> None:
        store = GeoPackageStore(path, CRS, user="planerin")
        k = 0
        while not done.exists() or k < 20:
            ident = f"osm-{k % 25}"
            row = store.read_layer("angebote", where=f"angebot_id = '{ident}'")
            update_service(store, ident, {"bemerkung": f"e{k}"},
                           expected_version=int(row["version"].iloc[0]))
            ack(k)
            k += 1

    builds, edits = _together(path, [rebuilding, editing])
    assert builds == list(range(6)) and len(edits) >= 20
    store = GeoPackageStore(path, CRS)
    assert store.read_meta()["build_id"] == "neu-5"
    offers = store.read_layer("angebote").set_index("angebot_id")
    last = {f"osm-{k % 25}": f"e{k}" for k in edits}
    assert {i: offers.loc[i, "bemerkung"] for i in last} == last
    audit = store.read_layer(AUDIT_TABLE)
    assert len(audit) == len(edits)


@pytest.mark.parametrize("rows", [100_000])
def test_readers_never_fail_during_a_large_import(tmp_path, rows):
    path = tmp_path / "test.gpkg"
    build_synthetic(path)
    store = GeoPackageStore(path, CRS)
    write_service_rows(store, service_rows("vorher", 10), action="importieren")
    before = len(store.read_layer("angebote"))
    started, finished = tmp_path / "schreibt", tmp_path / "geschrieben"
    import_rows = service_rows("gross", rows)

    def importing(ack: Callable[[int], None]) -> None:
        started.touch()
        inserted, _ = write_service_rows(GeoPackageStore(path, CRS), import_rows,
                                         action="importieren")
        finished.touch()
        ack(inserted)

    def reading(ack: Callable[[int], None]) -> None:
        wait_for(started)
        reader = GeoPackageStore(path, CRS)
        while True:
            writing = not finished.exists()
            count = len(reader.read_layer("angebote", columns=["angebot_id"]))
            reader.version_token()
            assert reader.has_layer(AUDIT_TABLE)
            ack(count * 2 + int(writing))
            time.sleep(0.05)
            if not writing:
                break

    acks = _together(path, [importing, reading, reading])
    assert acks[0] == [rows]
    seen = [a for reader in acks[1:] for a in reader]
    counts = {a // 2 for a in seen}
    assert counts <= {before, before + rows}, "a reader saw part of the import"
    during = [a for a in seen if a % 2]
    assert len(during) >= 4, "the readers did not read while the import was running"
