"""Concurrent writers and readers on one region store (forked processes, small stores), on
both implementations (GeoPackage and PostGIS, see ``conftest.py``).

* two imports at once both land (barrier reports, offers, indicator tables);
* edits during rebuilds (uploads) all land;
* readers during a large import never fail and see the rows all at once or not at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from layers.angebote.edit import update_service
from layers.angebote.importer import write_service_rows
from layers.store import AUDIT_TABLE
from tests.layers.store.backends import Backend
from tests.layers.store.kill import run_to_end, wait_for
from tests.layers.store.synthetic import barrier_file, integrity, service_rows

TRIALS = 3


def _together(folder: Path, works: list[Callable[[Callable[[int], None]], None]]
              ) -> list[list[int]]:
    """Run workers in parallel processes that start at the same moment; their acks."""
    go = folder / f"los-{time.monotonic_ns()}"

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


def test_two_barrier_imports_at_once_both_land(backend: Backend, tmp_path, aachen_config):
    from layers.barrieren import import_barriers

    for trial in range(TRIALS):
        files = [barrier_file(tmp_path / f"t{trial}-{i}.csv", f"T{trial}N{i}", 40, seed=trial * 2 + i)
                 for i in range(2)]
        backend.prepare_users(*(f.stem for f in files), rolle="fallmanagement")

        def importing(source: Path) -> Callable:
            def work(ack: Callable[[int], None]) -> None:
                store = backend.open(source.stem, "fallmanagement")
                assert import_barriers(source, aachen_config, store=store).gespeichert
                ack(1)
            return work

        assert _together(tmp_path, [importing(f) for f in files]) == [[1], [1]]
        reports = backend.open().read_layer("barrieren")["meldung_id"]
        for i in range(2):
            assert reports.str.startswith(f"T{trial}N{i}-").sum() == 40, (trial, i)
    audit = backend.open().read_layer(AUDIT_TABLE)
    imports = audit[audit["aktion"] == "import"]
    assert len(imports) == 2 * TRIALS
    assert sorted(imports["benutzer"]) == sorted(
        backend.login_name(f"t{t}-{i}") for t in range(TRIALS) for i in range(2))
    if backend.kind == "geopackage":
        assert integrity(backend.store.user_path) == "ok"


def test_two_service_imports_at_once_both_land(backend: Backend, tmp_path):
    for trial in range(TRIALS):
        backend.prepare_users(f"t{trial}a", f"t{trial}b")

        def importing(prefix: str) -> Callable:
            def work(ack: Callable[[int], None]) -> None:
                inserted, _ = write_service_rows(backend.open(prefix), service_rows(prefix, 300),
                                                 action="importieren")
                ack(inserted)
            return work

        assert _together(tmp_path, [importing(f"t{trial}a"), importing(f"t{trial}b")]) == [
            [300], [300]]
    ids = backend.open().read_layer("angebote")["angebot_id"]
    assert ids.str.match(r"t\d[ab]-").sum() == 2 * 300 * TRIALS
    assert ids.is_unique
    audit = backend.open().read_layer(AUDIT_TABLE)
    assert (audit["aktion"] == "importieren").sum() == 2 * 300 * TRIALS


def test_two_indicator_imports_at_once_both_land(backend: Backend, tmp_path):
    from layers.planungsraeume.tabellen import JoinResult, save_user_indicators

    backend.prepare_users("sgb2_quote", "alleinerziehende")

    def importing(column: str) -> Callable:
        def work(ack: Callable[[int], None]) -> None:
            values = pd.DataFrame({"pr_id": ["PR01", "PR02"], column: [1.0, 2.0]})
            joined = JoinResult(werte=values, ohne_treffer=pd.DataFrame(),
                                ohne_daten=pd.DataFrame(), spalten=[column])
            for _ in range(5):
                save_user_indicators(backend.open(column), joined, quelle=column)
            ack(1)
        return work

    _together(tmp_path, [importing("sgb2_quote"), importing("alleinerziehende")])
    table = backend.open().read_layer("nutzer_kennzahlen")
    assert sorted(table["kennzahl"].unique()) == ["alleinerziehende", "sgb2_quote"]
    assert len(table) == 4


def test_edits_during_rebuilds_all_land(backend: Backend, tmp_path):
    done = tmp_path / "fertig"
    backend.prepare_users("planerin")

    def rebuilding(ack: Callable[[int], None]) -> None:
        for k in range(6):
            backend.rebuild(seed=k + 10, build_id=f"neu-{k}")
            ack(k)
        done.touch()

    def editing(ack: Callable[[int], None]) -> None:
        store = backend.open("planerin")
        k = 0
        while not done.exists() or k < 20:
            ident = f"osm-{k % 25}"
            row = store.read_layer("angebote", where=f"angebot_id = '{ident}'")
            update_service(store, ident, {"bemerkung": f"e{k}"},
                           expected_version=int(row["version"].iloc[0]))
            ack(k)
            k += 1

    builds, edits = _together(tmp_path, [rebuilding, editing])
    assert builds == list(range(6)) and len(edits) >= 20
    store = backend.open()
    assert store.read_meta()["build_id"] == "neu-5"
    offers = store.read_layer("angebote").set_index("angebot_id")
    last = {f"osm-{k % 25}": f"e{k}" for k in edits}
    assert {i: offers.loc[i, "bemerkung"] for i in last} == last
    audit = store.read_layer(AUDIT_TABLE)
    assert len(audit) == len(edits)


def test_readers_never_fail_during_a_large_import(backend: Backend, tmp_path):
    # 100k rows in the file; 5k on the server (every row passes policies and the audit
    # trigger there, and MVCC makes the all-or-nothing view a property of the database).
    rows = 100_000 if backend.kind == "geopackage" else 5_000
    store = backend.open()
    write_service_rows(store, service_rows("vorher", 10), action="importieren")
    before = len(store.read_layer("angebote"))
    started, finished = tmp_path / "schreibt", tmp_path / "geschrieben"
    import_rows = service_rows("gross", rows)

    def importing(ack: Callable[[int], None]) -> None:
        started.touch()
        inserted, _ = write_service_rows(backend.open(), import_rows, action="importieren")
        finished.touch()
        ack(inserted)

    def reading(ack: Callable[[int], None]) -> None:
        wait_for(started)
        reader = backend.open()
        while True:
            writing = not finished.exists()
            count = len(reader.read_layer("angebote", columns=["angebot_id"]))
            reader.version_token()
            assert reader.has_layer(AUDIT_TABLE)
            ack(count * 2 + int(writing))
            time.sleep(0.05)
            if not writing:
                break

    acks = _together(tmp_path, [importing, reading, reading])
    assert acks[0] == [rows]
    seen = [a for reader in acks[1:] for a in reader]
    counts = {a // 2 for a in seen}
    assert counts <= {before, before + rows}, "a reader saw part of the import"
    during = [a for a in seen if a % 2]
    assert len(during) >= 4, "the readers did not read while the import was running"
