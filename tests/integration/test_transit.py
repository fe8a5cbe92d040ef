"""Public transport on the built Heidelberg region: ÖV-Güteklassen per point and as areas,
the walk to the nearest stop on the Aachen network, purity."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analyses.transit import (
    NO_GRADE,
    gueteklassen,
    gueteklassen_flaechen,
    load_method,
    nearest_stop,
)
from planungsraeume.netz import load_graph


def test_gueteklassen_per_point(heidelberg_store, stations):
    graph = load_graph(heidelberg_store, "fuss")
    category_one = stations[stations["kategorie"] == 1]
    rng = np.random.default_rng(5)
    offsets = rng.uniform(-900, 900, size=(150, 2))
    centre = category_one.geometry.iloc[0]
    points = gpd.GeoDataFrame(
        geometry=shapely.points(centre.x + offsets[:, 0], centre.y + offsets[:, 1]),
        crs=heidelberg_store.crs,
    )
    network = gueteklassen(graph, points, stations, distanz="netz")
    straight = gueteklassen(graph, points, stations, distanz="luftlinie")
    assert network.index.equals(points.index)
    ranks = {g: i for i, g in enumerate([*"ABCDEF", NO_GRADE])}
    net_rank = network["gueteklasse"].astype(str).map(ranks)
    air_rank = straight["gueteklasse"].astype(str).map(ranks)
    # the walk on the network is never shorter than the straight line
    assert (net_rank >= air_rank).all()
    assert (network["distanz_m"].dropna() >= 0).all()
    at_station = gueteklassen(graph, category_one.iloc[[0]][["geometry"]], stations)
    assert at_station["gueteklasse"].iloc[0] == "A"
    far = gpd.GeoDataFrame(geometry=[shapely.Point(centre.x + 30_000, centre.y)], crs=points.crs)
    assert gueteklassen(graph, far, stations)["gueteklasse"].iloc[0] == NO_GRADE
    assert not gueteklassen(graph, far, stations)["angebunden"].iloc[0]
    # grades are consistent with category and distance of the station that gives them
    method = load_method()
    romans = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7}
    for record in network[network["gueteklasse"] != NO_GRADE].itertuples():
        assert method.grade(romans[record.kategorie], record.distanz_m) == record.gueteklasse


def test_gueteklassen_areas(heidelberg_store, stations):
    areas = gueteklassen_flaechen(stations)
    assert list(areas["gueteklasse"]) == sorted(areas["gueteklasse"])
    geoms = areas.geometry.to_numpy()
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            assert shapely.intersection(geoms[i], geoms[j]).area < 1.0
    best = stations[stations["kategorie"] == 1].geometry
    assert areas.iloc[0]["gueteklasse"] == "A"
    assert shapely.covers(geoms[0], best.to_numpy()).all()
    graph = load_graph(heidelberg_store, "fuss")
    small = stations[stations["kategorie"] <= 2]
    on_network = gueteklassen_flaechen(small, distanz="netz", graph=graph)
    air = gueteklassen_flaechen(small, distanz="luftlinie")
    assert on_network["flaeche_km2"].sum() < air["flaeche_km2"].sum()


def test_nearest_stop_is_never_closer_than_the_straight_line(aachen_store):
    graph = load_graph(aachen_store, "fuss")
    cells = aachen_store.read_layer("bevoelkerung").iloc[::5]
    stops = aachen_store.read_layer("haltestellen")
    result = nearest_stop(graph, cells, stops)
    assert result.index.equals(cells.index)
    ok = result["distanz_m"].notna()
    straight = shapely.distance(
        cells.geometry.centroid.to_numpy()[:, None], stops.geometry.to_numpy()[None, :]
    ).min(axis=1)
    assert (result.loc[ok, "distanz_m"].to_numpy() >= straight[ok.to_numpy()] - 0.1).all()
    assert result["haltestelle"].notna().sum() == ok.sum()
    assert result.loc[ok, "distanz_m"].median() < 400  # a dense bus network


def test_inputs_are_not_mutated(heidelberg_store, stations):
    graph = load_graph(heidelberg_store, "fuss")
    before = stations.copy(deep=True)
    points = gpd.GeoDataFrame(geometry=stations.geometry.iloc[:20].translate(150, 0).to_numpy(), crs=stations.crs)
    points_before = points.copy(deep=True)
    gueteklassen(graph, points, stations)
    gueteklassen_flaechen(stations)
    pd.testing.assert_frame_equal(stations, before)
    pd.testing.assert_frame_equal(points, points_before)
