"""Fixtures on built regions: the Aachen demo, Köln and Heidelberg, each built once per session.

Only tests in this folder can ask for them (and are marked ``slow``, see ``tests/conftest.py``).
The demo is built into the tests' own cache (``.cache/tests``) and reused while its inputs are
unchanged; Heidelberg is built into a temporary folder. Tests that change data work on copies.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from layers import settings
from layers.build import BuildResult, build_region
from layers.regions import RegionConfig, load_region
from layers.sources.osm import OsmExtract, read_extract
from layers.store import GeoPackageStore
from planungsraeume.region import Region
from tests.tools.paths import AACHEN_PBF


@pytest.fixture(scope="session")
def aachen_build(aachen_config: RegionConfig) -> BuildResult:
    """The demo region, built (or found current) in the tests' cache."""
    settings.show_progress = False
    return build_region(aachen_config)


@pytest.fixture(scope="session")
def aachen_store(aachen_build: BuildResult, aachen_config: RegionConfig) -> GeoPackageStore:
    """The built demo store (read-only use!)."""
    return GeoPackageStore(aachen_build.path, aachen_config.crs)


@pytest.fixture()
def aachen_store_copy(aachen_store: GeoPackageStore, tmp_path: Path) -> GeoPackageStore:
    """A private copy of the demo store for tests that write."""
    target = tmp_path / "aachen.gpkg"
    shutil.copyfile(aachen_store.path, target)
    return GeoPackageStore(target, aachen_store.crs, user="test")


@pytest.fixture(scope="session")
def aachen_extract() -> OsmExtract:
    """The demo's OSM extract, read once."""
    return read_extract(AACHEN_PBF)


@pytest.fixture(scope="session")
def heidelberg_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The second region, built once from its configuration alone into a temporary folder."""
    settings.show_progress = False
    target = tmp_path_factory.mktemp("heidelberg") / "heidelberg.gpkg"
    return build_region("heidelberg", target=target)


@pytest.fixture(scope="session")
def heidelberg_store(heidelberg_build: BuildResult) -> GeoPackageStore:
    """The built Heidelberg store (read-only use!)."""
    return GeoPackageStore(heidelberg_build.path, load_region("heidelberg").crs)


@pytest.fixture(scope="session")
def aachen(aachen_store: GeoPackageStore, aachen_config: RegionConfig) -> Region:
    """The built demo as a :class:`planungsraeume.region.Region` (read-only use!)."""
    return Region.open(aachen_config, store=aachen_store)


@pytest.fixture()
def aachen_region_copy(aachen_store_copy: GeoPackageStore, aachen_config: RegionConfig) -> Region:
    """A :class:`planungsraeume.region.Region` over a private copy of the demo store."""
    return Region.open(aachen_config, store=aachen_store_copy)


@pytest.fixture(scope="session")
def heidelberg(heidelberg_store: GeoPackageStore) -> Region:
    """The Heidelberg region (routing extract and GTFS, no population) as a Region."""
    return Region.open("heidelberg", store=heidelberg_store)


@pytest.fixture(scope="session")
def koeln_build() -> BuildResult:
    """The second demo region (Köln: official figures per Stadtteil, no OSM extract), built (or
    found current) in the tests' cache."""
    settings.show_progress = False
    return build_region(load_region("koeln"))


@pytest.fixture(scope="session")
def koeln_store(koeln_build: BuildResult) -> GeoPackageStore:
    """The built Köln store (read-only use!)."""
    return GeoPackageStore(koeln_build.path, load_region("koeln").crs)


@pytest.fixture(scope="session")
def koeln(koeln_store: GeoPackageStore) -> Region:
    """The Köln region (86 Stadtteile, population 2005–2012, no network) as a Region."""
    return Region.open("koeln", store=koeln_store)


@pytest.fixture()
def koeln_region_copy(koeln_store: GeoPackageStore, tmp_path: Path) -> Region:
    """Köln over a private copy of its store (for tests that import own tables)."""
    target = tmp_path / "koeln.gpkg"
    shutil.copyfile(koeln_store.path, target)
    return Region.open("koeln", store=GeoPackageStore(target, koeln_store.crs, user="test"))
