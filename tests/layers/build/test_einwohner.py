"""The build's population step on hand-made buildings: the building model, calibrated to a
completely covered municipality, with one cell replaced by a Zensus grid with age classes."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import shapely

from layers.build.bevoelkerung import GRID_CRS
from layers.build.einwohner import population_layer, population_meta
from layers.build.wohnformen import load_housing_shares
from layers.regions import load_region

CRS = "EPSG:25832"
X0, Y0 = 294_000, 5_628_000


def _buildings(n: int = 120) -> gpd.GeoDataFrame:
    xs = X0 + 20 + (np.arange(n) % 12) * 80
    ys = Y0 + 20 + (np.arange(n) // 12) * 90
    return gpd.GeoDataFrame(
        {"nutzung": "wohnen", "wohnform": "sonstige", "wohnflaeche_m2": 90.0,
         "nebengebaeude": ["Merkmal"] * 3 + [""] * (n - 3), "building": "yes"},
        geometry=[shapely.box(x, y, x + 15, y + 15) for x, y in zip(xs, ys, strict=True)],
        crs=CRS)


def test_calibrated_model_with_one_official_cell(tmp_path):
    config = load_region("aachen")
    buildings = _buildings()
    # The Zensus cell of the first building, in the published layout.
    corner = gpd.GeoSeries([buildings.geometry.iloc[0].representative_point()], crs=CRS)
    point = corner.to_crs(GRID_CRS).iloc[0]
    east, north = int(point.x // 100 * 100), int(point.y // 100 * 100)
    zensus = tmp_path / "Zensus2022_Alter_in_5_Altersklassen_100m-Gitter.csv"
    zensus.write_text(
        "GITTER_ID_100m;x_mp_100m;y_mp_100m;Unter18;a18bis29;a30bis49;a50bis64;a65undaelter\n"
        f"CRS3035RES100mN{north}E{east};{east + 50};{north + 50};3;4;5;6;–\n", encoding="utf-8")
    config = dataclasses.replace(config, population=dataclasses.replace(
        config.population, zensus_alter_csv=zensus))
    towns = gpd.GeoDataFrame({"ags": ["05334901"], "name": ["Ganzdorf"], "einwohner": [500],
                              "anteil_in_region": [1.0]},
                             geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=CRS)
    housing = load_housing_shares(None, config.population.altersanteile, "")
    notes: list[str] = []
    grid = population_layer(config, buildings, towns.geometry.iloc[0], towns, housing, notes)
    official = grid[grid["quelle"] == "Zensus 2022"]
    assert len(official) == 1 and official["einwohner"].iloc[0] == 18
    assert official["alter_65_plus"].iloc[0] == 0  # the secret class counts 0
    modelled = grid[grid["quelle"] == "modelliert"]
    # 120 x 90 m² / 45 m² = 240 modelled, scaled to 500; the replaced cell's model is gone.
    assert modelled["einwohner"].sum() + official["einwohner"].sum() < 500 + 18
    assert 450 < modelled["einwohner"].sum() < 500
    assert any("Ganzdorf: Modell 240 → amtlich 500" in n for n in notes)
    assert any("1 Zellen aus der Zensus-2022-Gitterdatei" in n and "1 geheim" in n for n in notes)
    meta = population_meta({"bevoelkerung": grid, "gebaeude": buildings})
    assert '"kalibriert":true' in meta["kalibrierung"]
    assert meta["nebengebaeude"] == '{"Merkmal": 3}'
    assert meta["bevoelkerung_quelle"] == "modelliert"  # in part modelled: said so
