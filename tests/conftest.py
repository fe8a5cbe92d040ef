"""Shared fixtures: the demo region is built once per test session into the tests' own cache
(and reused while its inputs are unchanged); tests that change data work on copies."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The tests build and read the demo region in a cache of their own (before ``layers.settings``
# reads the variable; subprocesses such as the CLI and the app server inherit it). The app's
# store under ``.cache/regions`` may hold a planner's imports, edits and scenarios, which must
# neither change the figures the tests assert nor be touched by them.
os.environ["SOZIALRAUM_CACHE"] = os.environ.get(
    "SOZIALRAUM_TEST_CACHE", str(Path(__file__).resolve().parents[1] / ".cache" / "tests")
)

from layers import settings
from layers.regions import RegionConfig, load_region
from layers.sources.osm import OsmExtract, read_extract
from layers.store import GeoPackageStore

SHARED = settings.shared_data_dir
AACHEN_PBF = SHARED / "osm" / "aachen.osm.pbf"


@pytest.fixture(scope="session")
def aachen_config() -> RegionConfig:
    return load_region("aachen")


@pytest.fixture(scope="session")
def aachen_build(aachen_config: RegionConfig):
    from layers.build import build_region

    settings.show_progress = False
    return build_region(aachen_config)


@pytest.fixture(scope="session")
def aachen_store(aachen_build, aachen_config: RegionConfig) -> GeoPackageStore:
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
    return read_extract(AACHEN_PBF)


@pytest.fixture(scope="session")
def aachen(aachen_store: GeoPackageStore, aachen_config: RegionConfig):
    """The built demo as a :class:`planungsraeume.region.Region` (read-only use!)."""
    from planungsraeume.region import Region

    return Region.open(aachen_config, store=aachen_store)


@pytest.fixture()
def aachen_region_copy(aachen_store_copy: GeoPackageStore, aachen_config: RegionConfig):
    """A :class:`planungsraeume.region.Region` over a private copy of the demo store."""
    from planungsraeume.region import Region

    return Region.open(aachen_config, store=aachen_store_copy)
