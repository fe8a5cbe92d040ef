"""Calibration to the official municipal totals on a tiny hand-made region: one municipality
covered completely (its modelled total must equal the official one), one only in part."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers.build.bevoelkerung import model_population
from layers.build.kalibrierung import calibrate, calibration_note
from layers.build.wohnformen import load_housing_shares
from layers.regions import PopulationModel, load_region

CRS = "EPSG:25832"
SHARES = {"unter_18": 0.165, "18_64": 0.614, "65_79": 0.149, "80_plus": 0.072}
MODEL = PopulationModel(wohnflaeche_je_einwohner_m2=45.0, wohnflaechenanteil=0.75,
                        geschosse_standard={}, altersanteile=SHARES, quelle_altersanteile="",
                        kalibrierung=True)
# Two municipalities side by side near Aachen, 1 km x 1 km each.
X0, Y0 = 294_000, 5_628_000


def _towns() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "ags": ["05334901", "05334902"], "name": ["Ganzdorf", "Halbstadt"],
        "einwohner": [1_234, 50_000], "anteil_in_region": [1.0, 0.4],
    }, geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
                 shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)], crs=CRS)


def _buildings() -> gpd.GeoDataFrame:
    """Twenty houses of 20 x 20 m in each municipality, 450 m² living space each (10 people)."""
    rng = np.arange(20)
    xs = np.concatenate([X0 + 50 + (rng % 5) * 180, X0 + 1050 + (rng % 5) * 180])
    ys = np.concatenate([Y0 + 50 + (rng // 5) * 220, Y0 + 50 + (rng // 5) * 220])
    kinds = ["einfamilienhaus", "pflegeheim"] * 10 + ["mehrfamilienhaus"] * 20
    return gpd.GeoDataFrame({"wohnflaeche_m2": 450.0, "wohnform": kinds},
                            geometry=[shapely.box(x, y, x + 20, y + 20) for x, y in
                                      zip(xs, ys, strict=True)], crs=CRS)


def _housing():
    return load_housing_shares(load_region("aachen").population.wohnformen, SHARES, "")


def test_complete_municipality_gets_its_official_total_exactly():
    grid = model_population(_buildings(), MODEL, CRS, housing=_housing(), towns=_towns())
    centres = grid.geometry.centroid.x.to_numpy()
    ganz = grid[centres < X0 + 1000]
    halb = grid[centres >= X0 + 1000]
    assert ganz["einwohner"].sum() == 1_234  # was 200 modelled: factor 6.17
    assert halb["einwohner"].sum() == 200  # a part: not scaled
    age_columns = ["alter_unter_18", "alter_18_64", "alter_65_79", "alter_80_plus"]
    assert (grid[age_columns].sum(axis=1) == grid["einwohner"]).all()
    report = grid.attrs["kalibrierung"].set_index("ags")
    assert report.loc["05334901", "kalibriert"]
    assert report.loc["05334901", "einwohner_modell"] == pytest.approx(200.0)
    assert report.loc["05334901", "faktor"] == pytest.approx(1_234 / 200)
    assert not report.loc["05334902", "kalibriert"]
    # The age structure survives the scaling: half care homes, half single-family houses.
    older = ganz["alter_80_plus"].sum() / 1_234
    assert older == pytest.approx((0.729 + 0.07) / 2, abs=0.005)  # rounded per cell
    note = calibration_note(grid.attrs["kalibrierung"])
    assert "Ganzdorf: Modell 200 → amtlich 1.234 (Faktor 6,170)" in note
    assert "Nur teilweise abgedeckt" in note and "Halbstadt (40,0 %)" in note


def test_without_the_switch_or_a_complete_municipality_nothing_is_scaled():
    plain = PopulationModel(**{**MODEL.__dict__, "kalibrierung": False})
    grid = model_population(_buildings(), plain, CRS, housing=_housing(), towns=_towns())
    assert grid["einwohner"].sum() == 400
    partial = _towns().assign(anteil_in_region=[0.9, 0.4])
    ages, groups, report = calibrate(
        gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 100, Y0 + 100)], crs=CRS),
        np.array([[1.0, 2.0, 3.0, 4.0]]), partial)
    assert ages.tolist() == [[1.0, 2.0, 3.0, 4.0]] and groups.tolist() == [""]
    assert not report["kalibriert"].any()
    assert "Keine Gemeinde liegt ganz in der Region" in calibration_note(report)
    assert "Keine Gemeinde" in calibration_note(pd.DataFrame(columns=report.columns))
