"""The second region, built from its configuration alone."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def heidelberg(heidelberg_build, heidelberg_store):
    """The session's Heidelberg build (from its configuration alone) and its store."""
    return heidelberg_build, heidelberg_store


def test_heidelberg_builds_and_says_what_is_missing(heidelberg):
    result, store = heidelberg
    assert result.rebuilt
    notes = " ".join(result.notes)
    assert "nur 5 Gebäude" in notes and "zensus_csv" in notes
    assert "Raster" in notes  # no place nodes: grid fallback
    assert result.counts["netz_kanten"] > 30_000
    assert result.counts["bevoelkerung"] == 0


def test_heidelberg_region_is_the_extract_not_its_outliers(heidelberg):
    _, store = heidelberg
    region = store.read_layer("region").to_crs(4326)
    minx, miny, maxx, maxy = region.total_bounds
    # The routing extract keeps a few long roads far to the west (lon 7.7); they are not the region.
    assert 8.5 < minx < 8.7 and 8.8 < maxx < 8.95
    assert 49.3 < miny < 49.4 and 49.45 < maxy < 49.55


def test_heidelberg_layers_in_region_crs(heidelberg):
    _, store = heidelberg
    for name in ("planungsraeume", "netz_kanten", "haltestellen", "angebote"):
        assert store.read_layer(name).crs.to_epsg() == 25832
