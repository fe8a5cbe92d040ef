"""Travel times on the Aachen network: equal to networkx, barrier-free routes, errors, purity."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.network import graph as graph_module
from analyses.network.graph import NetworkGraph
from analyses.network.search import (
    STATUS_NOT_CONNECTED,
    STATUS_REACHABLE,
    count_within,
    nearest,
    nearest_by_type,
    nearest_service,
    routes_to_nearest,
    select_services,
    travel_time_matrix,
)
from analyses.network.snapping import SnappedPoints, snap_points
from layers.errors import AnalysisError, CRSError, GeometryError, ProfileError
from planungsraeume.netz import load_graph


@pytest.fixture(scope="module")
def layers(aachen_store):
    cells = aachen_store.read_layer("bevoelkerung")
    angebote = aachen_store.read_layer("angebote")
    edges = aachen_store.read_layer("netz_kanten")
    return cells, angebote, edges


def random_origins(cells: gpd.GeoDataFrame, seed: int, n_cells: int = 150, n_random: int = 60):
    """Population centroids plus uniformly random points (some far from any way)."""
    rng = np.random.default_rng(seed)
    picked = cells.iloc[rng.choice(len(cells), n_cells, replace=False)]
    minx, miny, maxx, maxy = cells.total_bounds
    points = shapely.points(
        rng.uniform(minx - 500, maxx + 500, n_random), rng.uniform(miny - 500, maxy + 500, n_random)
    )
    geoms = np.concatenate([picked.geometry.centroid.to_numpy(), points])
    index = [f"zelle-{i}" for i in picked.index] + [f"zufall-{i}" for i in range(n_random)]
    return gpd.GeoDataFrame({"nr": range(len(geoms))}, geometry=geoms, index=index, crs=cells.crs)


def reference_graph(
    graph: NetworkGraph, groups: dict[str, SnappedPoints]
) -> nx.MultiGraph:
    """networkx graph of the same passable edges, split exactly at every snapped point."""
    g = nx.MultiGraph()
    attached: dict[int, list[tuple[float, tuple]]] = {}
    for kind, points in groups.items():
        for i in np.flatnonzero(points.connected):
            foot = ("fuss", kind, int(i))
            attached.setdefault(int(points.edge[i]), []).append((float(points.frac[i]), foot))
            g.add_edge((kind, int(i)), foot, weight=float(points.snap_seconds[i]))
    for e in range(len(graph.kante_id)):
        u, v, w = int(graph.edge_u[e]), int(graph.edge_v[e]), float(graph.edge_seconds[e])
        stops = sorted(attached.get(e, []))
        chain = [(0.0, u), *stops, (1.0, v)]
        for (f0, a), (f1, b) in zip(chain[:-1], chain[1:], strict=True):
            g.add_edge(a, b, weight=(f1 - f0) * w)
    return g


@pytest.mark.parametrize("engine", ["hierarchie", "scipy"])
@pytest.mark.parametrize(
    ("profil", "unbekannt", "typ", "seed"),
    [
        ("fuss", "optimistisch", "Pflegeeinrichtung", 1),
        ("rollstuhl", "optimistisch", "sonstige Beratung", 2),
        ("rollstuhl", "pessimistisch", "EUTB", 3),
        ("rollator", "optimistisch", "Ambulanter Dienst", 4),
    ],
)
def test_travel_times_equal_networkx_dijkstra(
    aachen_store, layers, monkeypatch, profil, unbekannt, typ, seed, engine
):
    cells, angebote, _ = layers
    graph = load_graph(aachen_store, profil, unbekannt)
    if engine == "scipy":  # the reference engine (also the fallback without numba)
        monkeypatch.setattr(graph_module, "USE_HIERARCHY", False)
    else:  # contraction hierarchy + PHAST for every search below
        assert graph.hierarchy() is not None
    origins = random_origins(cells, seed)
    services = select_services(angebote, typ)
    result = nearest_service(graph, origins, angebote, typ)
    snapped_o = snap_points(graph, origins)
    snapped_s = snap_points(graph, services)
    reference = reference_graph(graph, {"o": snapped_o, "s": snapped_s})
    sources = [("s", int(j)) for j in np.flatnonzero(snapped_s.connected)]
    lengths = nx.multi_source_dijkstra_path_length(reference, sources, weight="weight")
    expected = np.array(
        [lengths.get(("o", i), np.inf) if snapped_o.connected[i] else np.nan
         for i in range(len(origins))]
    )
    ours = result["minuten"].to_numpy() * 60.0
    connected = snapped_o.connected
    assert connected.sum() > 150 and (~connected).sum() > 0  # both kinds are tested
    np.testing.assert_allclose(ours[connected], expected[connected], rtol=0, atol=1e-6)
    assert result.index.equals(origins.index)
    assert (result.loc[~connected, "status"] == STATUS_NOT_CONNECTED).all()
    assert result.loc[~connected, "minuten"].isna().all()
    # several types at once (hierarchy: one compiled call; scipy: graph reduced to the query's
    # terminals) give the same
    by_type = nearest_by_type(graph, origins, angebote)
    assert len(by_type) >= 3
    np.testing.assert_allclose(by_type[typ]["minuten"], result["minuten"], rtol=0, atol=1e-9)
    # the service named as nearest really is at that distance
    ids = services["angebot_id"].astype(str).tolist()
    for i in np.flatnonzero(connected)[:40]:
        j = ids.index(result["angebot_id"].iloc[i])
        single = nx.dijkstra_path_length(reference, ("s", j), ("o", int(i)), weight="weight")
        assert single == pytest.approx(ours[i], abs=1e-6)


def test_snapping_finds_the_nearest_main_network_edge(aachen_store, layers):
    cells, _, _ = layers
    graph = load_graph(aachen_store, "rollstuhl")
    origins = random_origins(cells, 7, 80, 20)
    snapped = snap_points(graph, origins, 250.0)
    lines = graph.edge_lines()[graph.edge_snappable]
    points = origins.geometry.to_numpy()
    brute = shapely.distance(points[:, None], lines[None, :]).min(axis=1)
    np.testing.assert_allclose(snapped.distance_m, brute, atol=1e-6)
    assert (snapped.connected == (brute <= 250.0)).all()
    ok = snapped.connected
    foot = shapely.line_interpolate_point(
        graph.edge_lines()[snapped.edge[ok]], snapped.frac[ok], normalized=True
    )
    np.testing.assert_allclose(shapely.distance(points[ok], foot), brute[ok], atol=1e-6)
    # the snap walk costs distance / speed; the edge part frac × edge time
    expected_u = snapped.distance_m[ok] / 0.8 + snapped.frac[ok] * graph.edge_seconds[snapped.edge[ok]]
    np.testing.assert_allclose(snapped.cost_u[ok], expected_u)


def test_no_wheelchair_route_uses_steps(aachen_store, layers):
    cells, angebote, edges = layers
    steps = set(edges.loc[edges["treppe"].to_numpy(dtype=bool), "kante_id"].astype(int))
    ends = pd.concat([edges["u"], edges["v"]], keys=["u", "v"]).groupby(level=1).agg(list)
    kante_nodes = dict(zip(edges["kante_id"].astype(int), zip(edges["u"], edges["v"], strict=True), strict=True))
    used_steps = {}
    for profil in ("fuss", "rollstuhl"):
        graph = load_graph(aachen_store, profil, "optimistisch")
        targets = select_services(angebote, ["EUTB", "Pflegeeinrichtung", "Sozialamt"])
        routes = routes_to_nearest(graph, cells, targets)
        reachable = routes["minuten"].notna()
        assert reachable.sum() > 0.99 * len(cells)
        used_steps[profil] = sum(
            1 for route in routes.loc[reachable, "kanten"] if steps.intersection(route)
        )
        # routes are contiguous chains of edges
        for route in routes.loc[reachable, "kanten"].iloc[:300]:
            for a, b in zip(route[:-1], route[1:], strict=True):
                assert set(kante_nodes[a]) & set(kante_nodes[b])
    assert used_steps["rollstuhl"] == 0
    assert used_steps["fuss"] > 0  # steps exist on fastest walking routes, so the test can fail
    del ends


def test_route_time_adds_up_to_the_travel_time(aachen_store, layers):
    cells, angebote, _ = layers
    graph = load_graph(aachen_store, "senior")
    targets = select_services(angebote, "Jugendamt")
    routes = routes_to_nearest(graph, cells.iloc[:200], targets)
    times = nearest(graph, cells.iloc[:200], targets)
    np.testing.assert_allclose(routes["minuten"], times["minuten"])
    seconds = dict(zip(graph.kante_id.tolist(), graph.edge_seconds.tolist(), strict=True))
    for route, minutes in zip(routes["kanten"], routes["minuten"], strict=True):
        inner = sum(seconds[k] for k in route[1:-1])  # whole edges between the two partial ones
        assert inner <= minutes * 60 + 1e-6


def test_matrix_and_counts_agree_with_nearest(aachen_store, layers):
    cells, angebote, _ = layers
    graph = load_graph(aachen_store, "rollstuhl")
    sites = select_services(angebote, "sonstige Beratung")
    matrix = travel_time_matrix(graph, cells, sites, 20, ziel_id="angebot_id")
    near = nearest(graph, cells, sites, ziel_id="angebot_id")
    dense = np.full(matrix.minuten.shape, np.inf)
    coo = matrix.minuten.tocoo()
    dense[coo.row, coo.col] = coo.data
    row_min = dense.min(axis=1)
    within = near["minuten"].to_numpy() <= 20
    np.testing.assert_allclose(row_min[within], near["minuten"].to_numpy()[within], atol=1e-9)
    assert np.isinf(row_min[~within]).all()
    assert (coo.data <= 20 + 1e-9).all()
    # each column equals a single-site nearest search
    for j in range(0, len(sites), 6):
        single = nearest(graph, cells, sites.iloc[[j]])["minuten"].to_numpy()
        column = dense[:, j]
        reach = single <= 20
        np.testing.assert_allclose(column[reach], single[reach], atol=1e-9)
        assert np.isinf(column[~reach]).all()
    counts = count_within(graph, cells, sites, 10)
    assert counts.index.equals(cells.index)
    np.testing.assert_array_equal(counts["anzahl"].to_numpy(), (dense <= 10 + 1e-9).sum(axis=1))
    assert matrix.counts(10).sum() == counts["anzahl"].sum()
    long = matrix.to_frame()
    assert len(long) == matrix.minuten.nnz and set(long["ziel_id"]) <= set(sites["angebot_id"])


def test_filtered_subset_and_every_type(aachen_store, layers):
    cells, angebote, _ = layers
    graph = load_graph(aachen_store, "rollstuhl")
    everything = nearest_by_type(graph, cells, angebote)
    assert set(everything) == set(angebote["typ"].dropna())
    step_free = nearest_service(graph, cells, angebote, filter={"stufenloser_zugang": "ja"})
    all_services = nearest_service(graph, cells, angebote)
    # fewer services can only mean longer (or equal) travel times
    connected = all_services["minuten"].notna()
    assert (step_free["minuten"].notna() == connected).all()
    assert (step_free.loc[connected, "minuten"] >= all_services.loc[connected, "minuten"] - 1e-9).all()
    assert (step_free.loc[connected, "minuten"] > all_services.loc[connected, "minuten"] + 1).any()
    chosen = set(step_free["angebot_id"].dropna())
    allowed = set(angebote.loc[angebote["stufenloser_zugang"] == "ja", "angebot_id"])
    assert chosen <= allowed
    assert step_free.attrs["auswahl"] == "alle Angebote, stufenloser_zugang = ja"
    assert (step_free["profil"] == "rollstuhl").all()
    assert (step_free["unbekannt"] == "optimistisch").all()


def test_not_connected_origins_are_reported_not_dropped(aachen_store, layers):
    cells, angebote, _ = layers
    graph = load_graph(aachen_store, "fuss")
    far = gpd.GeoDataFrame(
        geometry=[shapely.Point(cells.total_bounds[2] + 5000, cells.total_bounds[3])],
        index=["weit weg"], crs=cells.crs,
    )
    both = pd.concat([cells.iloc[:3], far])
    result = nearest_service(graph, both, angebote, "EUTB", max_anbindung_m=250)
    assert list(result.index) == list(both.index)
    assert result.loc["weit weg", "status"] == STATUS_NOT_CONNECTED
    assert result.loc["weit weg", "anbindung_m"] > 4000
    assert (result["status"].iloc[:3] == STATUS_REACHABLE).all()


def test_bad_input_gives_german_errors(aachen_store, layers):
    cells, angebote, _ = layers
    graph = load_graph(aachen_store, "fuss")
    with pytest.raises(AnalysisError, match="Angebotsebene ist leer"):
        nearest_service(graph, cells, angebote.iloc[0:0])
    moved = angebote[angebote["typ"] == "EUTB"].copy()
    moved.geometry = moved.geometry.translate(50_000, 0)
    with pytest.raises(AnalysisError, match="außerhalb des Wegenetzes") as info:
        nearest_service(graph, cells, moved, "EUTB")
    assert "syn-eutb-01" in str(info.value) and "km vom Netz" in str(info.value)
    with pytest.raises(ProfileError, match="gibt es nicht"):
        load_graph(aachen_store, "fahrrad")
    with pytest.raises(AnalysisError, match="größer als 0 Minuten"):
        travel_time_matrix(graph, cells, angebote, 0)
    with pytest.raises(AnalysisError, match="größer als 0 Minuten"):
        count_within(graph, cells, angebote, -5)
    with pytest.raises(AnalysisError, match="kein Angebot vom Typ 'Schwimmbad'"):
        nearest_service(graph, cells, angebote, "Schwimmbad")
    with pytest.raises(AnalysisError, match="Kein Angebot erfüllt die Auswahl"):
        nearest_service(graph, cells, angebote, "EUTB", {"stufenloser_zugang": "vielleicht"})
    with pytest.raises(AnalysisError, match="fehlt die Spalte 'aufzug'"):
        nearest_service(graph, cells, angebote, "EUTB", {"aufzug": "ja"})
    with pytest.raises(CRSError):
        nearest_service(graph, cells.to_crs(4326), angebote, "EUTB")
    broken = cells.iloc[:3].copy()
    broken.loc[broken.index[1], "geometry"] = None
    with pytest.raises(GeometryError, match="keine Geometrie"):
        nearest_service(graph, broken, angebote, "EUTB")
    with pytest.raises(AnalysisError, match="Anbindungsdistanz muss größer als 0"):
        nearest_service(graph, cells, angebote, "EUTB", max_anbindung_m=0)


def test_some_services_off_the_network_warn_or_fail_strictly(aachen_store, layers):
    cells, angebote, _ = layers
    graph = load_graph(aachen_store, "fuss")
    services = angebote[angebote["typ"] == "Pflegeeinrichtung"].copy()
    services.loc[services.index[0], "geometry"] = shapely.Point(0, 0)
    result = nearest_service(graph, cells, services, "Pflegeeinrichtung")
    assert len(result.attrs["nicht_angebundene_ziele"]) == 1
    assert services["angebot_id"].iloc[0] not in set(result["angebot_id"].dropna())
    with pytest.raises(AnalysisError, match="1 von 18 Zielen"):
        nearest_service(graph, cells, services, "Pflegeeinrichtung", strikt=True)


def test_inputs_are_never_mutated(aachen_store, layers):
    cells, angebote, _ = layers
    graph = load_graph(aachen_store, "rollstuhl")
    cells_before, angebote_before = cells.copy(deep=True), angebote.copy(deep=True)
    nearest_service(graph, cells, angebote, "EUTB", {"stufenloser_zugang": ["ja", "teilweise"]})
    nearest_by_type(graph, cells, angebote)
    travel_time_matrix(graph, cells, angebote, 15)
    count_within(graph, cells, angebote, 10)
    routes_to_nearest(graph, cells.iloc[:20], angebote)
    select_services(angebote, "EUTB")
    pd.testing.assert_frame_equal(cells, cells_before)
    pd.testing.assert_frame_equal(angebote, angebote_before)
