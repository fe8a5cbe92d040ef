"""Travel times to the nearest service on the mock network, computed by hand per profile.

The origins and services (tests/tools/mock.py, drawn there):

* origin ``platz`` (50, 10): 10 m north of the middle of the south edge SW-SE;
* origin ``hinter_treppe`` (200, 50): on the path without a surface tag, 50 m from BEHIND_STEPS;
* origin ``insel`` (500, 400): at the isolated node, 424 m from the nearest way;
* service ``A`` at BEHIND_STEPS (200, 0), behind the steps; service ``B`` (-100, 10), 10 m off
  the dead end.

With a snap limit of 20 m every route is one of a handful of sums of 100 m edges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analyses.network.graph import build_graph
from analyses.network.search import (
    STATUS_NOT_CONNECTED,
    STATUS_REACHABLE,
    count_within,
    nearest,
    nearest_service,
)
from tests.tools import mock
from tests.tools.asserts import assert_result

LIMIT_M = 20.0
NC = STATUS_NOT_CONNECTED
OK = STATUS_REACHABLE


@pytest.fixture(scope="module")
def network():
    return mock.mock_network()


@pytest.fixture()
def origins():
    return mock.points({"platz": (50, 10), "hinter_treppe": (200, 50), "insel": (500, 400)})


@pytest.fixture()
def angebote():
    return mock.services({"A": ("EUTB", 200, 0), "B": ("EUTB", -100, 10)})


# (profil, unbekannt) → per origin (nearest service, seconds) or None if not connected.
# platz → A: 10 m snap + 50 m + 100 m steps (fuss: factor 1, senior: 1.5) or, without steps,
#            10 + 50 + 100 (SE-NE) + 100 (kerb) + 100 (path) = 360 m;
# platz → B: 10 + 50 + 100 (dead end) + 10 = 170 m;
# hinter_treppe → A: 50 m along the path (× 1.3 for the rollator when pessimistic).
EXPECTED = {
    ("fuss", "optimistisch"): {"platz": ("A", 160 / 1.2), "hinter_treppe": ("A", 50 / 1.2)},
    ("senior", "optimistisch"): {"platz": ("B", 170 / 1.0), "hinter_treppe": ("A", 50 / 1.0)},
    ("rollator", "optimistisch"): {"platz": ("B", 170 / 0.8), "hinter_treppe": ("A", 50 / 0.8)},
    ("rollator", "pessimistisch"): {"platz": ("B", 170 / 0.8),
                                    "hinter_treppe": ("A", 65 / 0.8)},
    # the path is an island without steps and kerb: 100 m from the wheelchair's network
    ("rollstuhl", "optimistisch"): {"platz": ("B", 170 / 0.8), "hinter_treppe": None},
    ("rollstuhl", "pessimistisch"): {"platz": ("B", 170 / 0.8), "hinter_treppe": None},
}


@pytest.mark.parametrize(("profil", "unbekannt"), list(EXPECTED),
                         ids=[f"{p}-{u}" for p, u in EXPECTED])
def test_nearest_service_per_profile_by_hand(network, origins, angebote, profil, unbekannt):
    graph = build_graph(*network, profil, unbekannt)
    before = (origins.copy(), angebote.copy())
    result = nearest_service(graph, origins, angebote, "EUTB", max_anbindung_m=LIMIT_M)
    expected = EXPECTED[(profil, unbekannt)] | {"insel": None}
    assert_result(
        result,
        origins,
        {
            "minuten": {k: (v[1] / 60 if v else np.nan) for k, v in expected.items()},
            "angebot_id": {k: (v[0] if v else None) for k, v in expected.items()},
            "status": {k: (OK if v else NC) for k, v in expected.items()},
        },
    )
    # the snap distance is reported also where it is too far
    assert result.loc["platz", "anbindung_m"] == pytest.approx(10.0)
    # to (200, 100) where the kerb and the path meet; for the wheelchair that corner is off its
    # network, and the nearest way is the loop at NE, which reaches out to (110, 110)
    insel = np.hypot(390, 290) if profil == "rollstuhl" else np.hypot(300, 300)
    assert result.loc["insel", "anbindung_m"] == pytest.approx(insel)
    assert (result["profil"] == profil).all() and (result["unbekannt"] == unbekannt).all()
    pd.testing.assert_frame_equal(origins, before[0])
    pd.testing.assert_frame_equal(angebote, before[1])


def test_service_behind_the_steps_is_off_the_wheelchair_network(network, origins, angebote):
    graph = build_graph(*network, "rollstuhl")
    result = nearest_service(graph, origins, angebote, "EUTB", max_anbindung_m=LIMIT_M)
    off = result.attrs["nicht_angebundene_ziele"]
    assert len(off) == 1 and "A" in str(off[0])
    # with the default snap limit (250 m) the wheelchair user is attached to the street instead
    wide = nearest_service(graph, origins, angebote, "EUTB")
    assert wide.loc["hinter_treppe", "anbindung_m"] == pytest.approx(100.0)  # to SE-NE at x = 100
    assert wide.loc["hinter_treppe", "status"] == OK
    assert wide.loc["insel", "status"] == NC  # the isolated node stays "nicht angebunden"
    assert wide.loc["insel", "anbindung_m"] == pytest.approx(np.hypot(390, 290))  # the loop


def test_nearest_of_any_point_set_and_counts(network, origins):
    graph = build_graph(*network, "fuss")
    targets = mock.points({"ecke_ne": (100, 100), "sackgasse": (-100, 0)})
    result = nearest(graph, origins, targets, max_anbindung_m=LIMIT_M)
    # platz: 10 + 50 + 100 m to NE, 10 + 50 + 100 m to the dead end: a tie at 160 m
    assert_result(result, origins, {"minuten": [160 / 1.2 / 60, 150 / 1.2 / 60, np.nan],
                                    "status": [OK, OK, NC]})
    assert result.loc["hinter_treppe", "ziel_id"] == "ecke_ne"  # 50 + 100 m over the kerb
    counts = count_within(graph, origins, targets, 160 / 1.2 / 60 + 1e-6, max_anbindung_m=LIMIT_M)
    assert_result(counts, origins, {"anzahl": [2, 1, 0], "status": [OK, OK, NC]})
    fewer = count_within(graph, origins, targets, 2.1, max_anbindung_m=LIMIT_M)  # 151.2 m
    assert_result(fewer, origins, {"anzahl": [0, 1, 0]})


def test_memo_follows_the_content_of_the_service_layer(network, origins, angebote):
    """The graph memoises selection and snapping by content: a service moved or renamed in
    place gives the new answer, the same content again the same one; every search path agrees."""
    graph = build_graph(*network, "senior")
    first = nearest_service(graph, origins, angebote, "EUTB", max_anbindung_m=LIMIT_M)
    assert first.loc["platz", "angebot_id"] == "B"
    angebote.loc[angebote["angebot_id"] == "B", "angebot_id"] = "B2"  # renamed in place
    renamed = nearest_service(graph, origins, angebote, "EUTB", max_anbindung_m=LIMIT_M)
    assert renamed.loc["platz", "angebot_id"] == "B2"
    # B moved in place 90 m off the network: platz now reaches A over the steps
    # (10 + 50 m, then 100 m of steps at the senior's factor 1.5)
    angebote.loc[angebote["angebot_id"] == "B2", "geometry"] = mock.points(
        {"x": (-100, 90)}).geometry.iloc[0]
    moved = nearest_service(graph, origins, angebote, "EUTB", max_anbindung_m=LIMIT_M)
    assert moved.loc["platz", "angebot_id"] == "A"
    assert moved.loc["platz", "minuten"] == pytest.approx(210 / 1.0 / 60)
    assert len(moved.attrs["nicht_angebundene_ziele"]) == 1
    # hierarchy, bounded Dijkstra and scipy give the same times on every later question
    graph.hierarchy()
    for method in ("hierarchy", "dijkstra", "scipy"):
        graph.search_costs.clear()
        if method == "dijkstra":
            graph.search_costs.update({"scipy_s_per_node": 1.0, "hierarchy_s": 1e9,
                                       "dijkstra_s_per_node": 1e-9})
        if method == "scipy":
            graph.search_costs.update({"scipy_s_per_node": 1e-9, "hierarchy_s": 1e9,
                                       "dijkstra_s_per_node": 1.0})
        again = nearest_service(graph, origins, angebote, "EUTB", max_anbindung_m=LIMIT_M)
        pd.testing.assert_frame_equal(again, moved)


def test_origin_evaluation_compiled_and_in_arrays_agree(network, origins, monkeypatch):
    """The origins' better edge end, compiled (numba loaded) and in array operations, and the
    direct way along a shared edge, computed anew and from the pairs kept with the sources."""
    from analyses.network import search
    from analyses.network.graph import contraction_module, contraction_module_if_loaded
    from analyses.network.snapping import snap_points

    graph = build_graph(*network, "fuss")
    # S on the south edge with platz: 10 m snap + 30 m along it, the direct way (no edge end)
    targets = mock.points({"S": (80, 0), "ecke_ne": (100, 100)})
    snapped_origins = snap_points(graph, origins, LIMIT_M)
    sources = snap_points(graph, targets, LIMIT_M)
    field = search.scipy_field(graph, sources)
    assert contraction_module() is contraction_module_if_loaded() is not None  # compiled
    compiled = search.evaluate_origins(graph, field, snapped_origins, sources)
    kept = search.evaluate_origins(graph, field, snapped_origins, sources)  # pairs kept
    with_rows = search.evaluate_origins(graph, field, snapped_origins, sources, rows=np.arange(2))
    monkeypatch.setattr(search, "contraction_module_if_loaded", lambda: None)
    in_arrays = search.evaluate_origins(graph, field, snapped_origins, sources)
    np.testing.assert_allclose(compiled[0], [40 / 1.2, 150 / 1.2, np.inf])
    np.testing.assert_array_equal(compiled[1], [0, 1, -1])
    np.testing.assert_array_equal(compiled[2], [True, False, False])
    for other in (kept, with_rows, in_arrays):
        for mine, theirs in zip(compiled, other, strict=True):
            np.testing.assert_array_equal(mine, theirs)
