"""Load test against the real server: 20 concurrent editors × 50 edits on overlapping offers.

Every editor is a login of its own (planung, or koordination of the area the offers are in),
reads an offer and raises its capacity by one hour with the version it read, as the app's
form does. Afterwards:

* every acknowledged edit is in the audit table exactly once, with the editor's login and
  the version it produced;
* none is lost: each offer's capacity grew by exactly its number of acknowledged edits, and
  its version by the same number (no two edits were based on the same version);
* conflicts were reported as :class:`~layers.errors.VersionConflictError` (German), never
  swallowed, and the whole run stayed within a time bound.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

import pytest

from layers.angebote.edit import update_service
from layers.errors import VersionConflictError
from layers.store import AUDIT_TABLE
from tests.layers.store.synthetic import derived_layers
from tests.tools.server import fresh_region, make_user, store_as

EDITORS = 20
EDITS = 50
OFFERS = [f"osm-{i}" for i in range(8)]
#: Generous for a busy two-core machine; measured locally in about a fifth of it.
TIME_BOUND_S = 240.0


def test_twenty_editors_lose_nothing_and_every_edit_is_audited(postgis_cluster):
    layers = derived_layers()
    layers["angebote"]["kapazitaet_std_woche"] = 10.0
    region = fresh_region(postgis_cluster, layers=layers)
    areas = tuple(layers["planungsraeume"]["pr_id"])
    logins = [make_user(postgis_cluster, "planung" if i % 2 else "koordination",
                        region=None if i % 2 else region.schema,
                        areas=() if i % 2 else areas) for i in range(EDITORS)]
    acked: list[tuple[str, str, int, int]] = []
    conflicts: Counter[str] = Counter()
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(EDITORS)

    def editor(number: int) -> None:
        store = store_as(postgis_cluster, region, logins[number])
        start.wait()
        for k in range(EDITS):
            ident = OFFERS[(number + k) % len(OFFERS)]
            try:
                row = store.read_layer("angebote", where=f"angebot_id = '{ident}'").iloc[0]
                result = update_service(
                    store, ident, {"kapazitaet_std_woche": float(row["kapazitaet_std_woche"]) + 1},
                    expected_version=int(row["version"]))
            except VersionConflictError as exc:
                assert "inzwischen von jemand anderem geändert" in str(exc)
                with lock:
                    conflicts[logins[number].user] += 1
                continue
            except BaseException as exc:  # any other error fails the test below
                failures.append(exc)
                return
            with lock:
                acked.append((logins[number].user, ident, result.version, result.audit_id))

    began = time.monotonic()
    threads = [threading.Thread(target=editor, args=(n,)) for n in range(EDITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIME_BOUND_S)
    elapsed = time.monotonic() - began
    assert not failures, failures[:3]
    assert not any(t.is_alive() for t in threads) and elapsed < TIME_BOUND_S
    assert len(acked) + sum(conflicts.values()) == EDITORS * EDITS
    assert sum(conflicts.values()) > 0, "overlapping editors must meet conflicts"
    assert len(acked) > EDITS, "most editors must get through"

    audit = region.read_layer(AUDIT_TABLE)
    changes = audit[(audit["tabelle"] == "angebote") & (audit["aktion"] == "aendern")]
    recorded = {(u, o, int(json.loads(n)["version"]))
                for u, o, n in zip(changes["benutzer"], changes["objekt_id"],
                                   changes["neu_json"], strict=True)}
    assert len(changes) == len(acked)
    assert recorded == {(user, ident, version) for user, ident, version, _ in acked}
    offers = region.read_layer("angebote").set_index("angebot_id")
    per_offer = Counter(ident for _, ident, _, _ in acked)
    for ident in OFFERS:
        assert offers.loc[ident, "kapazitaet_std_woche"] == pytest.approx(10.0 + per_offer[ident])
        assert offers.loc[ident, "version"] == 1 + per_offer[ident]
    print(f"\nLast: {len(acked)} Änderungen bestätigt, {sum(conflicts.values())} Konflikte "
          f"gemeldet, {elapsed:.1f} s")
