"""Hotspot statistics on the published grid: Gi* as esda computes it, EB rates, FDR, GeoTIFF."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import Affine

from analyses.grid import RESOLUTIONS, lattice, population_on_grid
from analyses.hotspots import (
    NODATA,
    getis_ord,
    kernel_density,
    lattice_values,
    queen_weights,
    smoothed_rates,
    write_geotiff,
)
from planungsraeume.barrieren import area_summary, hotspot_outputs, publication
from planungsraeume.region import Region


@pytest.fixture(scope="module")
def pub(aachen_store):
    return publication(Region.open("aachen", store=aachen_store))


@pytest.fixture(scope="module")
def boundary(aachen_store):
    return shapely.union_all(aachen_store.read_layer("region").geometry.to_numpy())


def test_gi_star_equals_esda_called_directly(pub, boundary):
    import esda

    grid = pub.gitter(500)
    result = getis_ord(grid, boundary, 500, permutations=199, seed=4711)
    cells = lattice(boundary, grid.crs, 500)
    y = lattice_values(grid, cells)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = esda.G_Local(y, queen_weights(cells), transform="B", star=True,
                              permutations=199, seed=4711, n_jobs=1)
    assert result["gitter_id"].tolist() == cells["gitter_id"].tolist()
    np.testing.assert_allclose(result["gi_z"], np.round(direct.Zs, 4))
    np.testing.assert_array_equal(result["p_sim"], direct.p_sim)
    # Reproducible with the same seed.
    again = getis_ord(grid, boundary, 500, permutations=199, seed=4711)
    np.testing.assert_array_equal(again["p_sim"], result["p_sim"])
    assert (result["klasse"] == "Hotspot").sum() > 0
    assert (result.loc[result["klasse"] == "Hotspot", "gi_z"] > 0).all()


def test_gi_star_driver_in_python_equals_esdas_compiled_driver(pub, boundary):
    """The per-installation cache of esda's kernels (``_esda``) changes no result."""
    from esda import crand

    from analyses import hotspots

    grid = pub.gitter(1000)
    ours = getis_ord(grid, boundary, 1000, permutations=99, seed=11)
    assert hotspots._COMPILED_DRIVER, "esda's compiled driver was not replaced"
    python_driver = crand.compute_chunk
    crand.compute_chunk = hotspots._COMPILED_DRIVER[0]
    try:
        compiled = getis_ord(grid, boundary, 1000, permutations=99, seed=11)
    finally:
        crand.compute_chunk = python_driver
    np.testing.assert_array_equal(ours["p_sim"], compiled["p_sim"])
    np.testing.assert_array_equal(ours["gi_z"], compiled["gi_z"])


def test_queen_weights_on_the_lattice(boundary):
    cells = lattice(boundary, "EPSG:25832", 1000)
    w = queen_weights(cells)
    assert w.n == len(cells)
    assert max(w.cardinalities.values()) == 8
    position = {(r, c): i for i, (r, c) in enumerate(zip(cells["zeile"], cells["spalte"],
                                                          strict=True))}
    inner = next(i for (r, c), i in position.items()
                 if all((r + dr, c + dc) in position for dr in (-1, 0, 1) for dc in (-1, 0, 1)))
    assert len(w.neighbors[inner]) == 8


def test_smoothed_rates_on_the_published_grid(pub):
    grid = smoothed_rates(pub.gitter(1000))
    assert {"rate_je_1000", "rate_eb_je_1000"} <= set(grid.columns)
    valid = grid[grid["einwohner"] > 0]
    assert valid["rate_eb_je_1000"].notna().all()
    assert valid["rate_eb_je_1000"].std() < valid["rate_je_1000"].std()


def test_population_is_kept_when_summed_to_other_resolutions(aachen_store):
    population = aachen_store.read_layer("bevoelkerung")
    total = population["einwohner"].sum()
    for resolution in RESOLUTIONS:
        assert population_on_grid(population, resolution).sum() == pytest.approx(total)


def test_geotiff_has_region_crs_transform_and_nodata(pub, boundary, tmp_path):
    grid = pub.gitter(250)
    surface = kernel_density(grid, boundary, bandwidth_m=400, pixel_m=50)
    path = write_geotiff(surface, tmp_path / "dichte.tif")
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 25832
        assert src.nodata == NODATA
        assert src.transform == surface.transform
        assert src.transform.a == 50 and src.transform.e == -50
        minx, miny, maxx, maxy = boundary.bounds
        assert src.bounds.left <= minx and src.bounds.right >= maxx
        assert src.bounds.bottom <= miny and src.bounds.top >= maxy
        assert src.transform == Affine(50, 0, src.bounds.left, 0, -50, src.bounds.top)
        band = src.read(1)
        assert "geheimhaltung" in src.tags() and "nie aus Meldeorten" in src.tags()["methode"]
        # Outside the region: nodata; inside: a density.
        row, col = src.index(minx + 1, maxy - 1)
        corner = shapely.Point(*src.xy(row, col))
        assert (band[row, col] == NODATA) == (not boundary.contains(corner))
        centre = boundary.representative_point()
        inside_value = band[src.index(centre.x, centre.y)]
        assert inside_value != NODATA and inside_value >= 0
        # Mass check: the density integrates to roughly the published persons.
        valid = band[band != NODATA]
        assert valid.sum() * (0.05**2) == pytest.approx(grid["personen"].sum(), rel=0.25)


def test_hotspot_outputs_and_area_summary(aachen_store, tmp_path):
    region = Region.open("aachen", store=aachen_store)
    files = hotspot_outputs(region, 250, tmp_path, permutations=99)
    assert files.geopackage.exists() and files.geotiff.exists()
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(files.geopackage)}
    assert {"barrieren_gitter_250m", "hotspots_gi_stern_250m", "geheimhaltung_regel"} <= layers
    grid = pyogrio.read_dataframe(files.geopackage, layer="barrieren_gitter_250m")
    assert (grid["personen"] >= 5).all() and (grid["personen"] % 5 == 0).all()
    assert {"gi_z", "p_sim", "klasse", "rate_eb_je_1000", "geheimhaltung"} <= set(grid.columns)

    pub = publication(region)
    shown = pub.planungsraeume()
    pr_id = shown.loc[shown["veroeffentlicht"], "pr_id"].iloc[0]
    summary = area_summary(region, pub, pr_id)
    assert summary.veroeffentlicht and summary.personen >= 5
    assert summary.rate_je_1000 > 0
    assert len(summary.top_codes) >= 1
    assert summary.top_codes["icf_titel"].notna().all()
    assert list(summary.trend["jahr"]) == sorted(summary.trend["jahr"])
    assert "Personen" in summary.text() and "je 1.000 Einwohner" in summary.text()
