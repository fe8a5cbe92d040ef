"""Test set-up for the whole suite.

The folders mirror the code (``tests/layers``, ``tests/analyses``, ``tests/planungsraeume``,
``tests/ui``, ``tests/cli``); everything that needs a built region (the Aachen demo or Heidelberg)
lives in ``tests/integration`` and is marked ``slow`` here, automatically, as are the browser
tests. The fixtures that build regions are defined in ``tests/integration/conftest.py`` only, so
no other test can ask for them; a unit test that builds a region some other way fails (see
:func:`pytest_configure`). ``pytest -m "not slow"`` or
``pytest tests/analyses tests/layers`` therefore never builds a region.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# The tests build and read the demo region in a cache of their own (before ``layers.settings``
# reads the variable; subprocesses such as the CLI and the app server inherit it). The app's
# store under ``.cache/regions`` may hold a planner's imports, edits and scenarios, which must
# neither change the figures the tests assert nor be touched by them.
os.environ["SOZIALRAUM_CACHE"] = os.environ.get(
    "SOZIALRAUM_TEST_CACHE", str(Path(__file__).resolve().parents[1] / ".cache" / "tests")
)

import geopandas as gpd

from layers.regions import RegionConfig, load_region

if TYPE_CHECKING:
    from layers.sources.gtfs import GtfsFeed
    from tests.tools.postgres import Cluster

TESTS = Path(__file__).resolve().parent
INTEGRATION = TESTS / "integration"


def _is_integration(path: Path) -> bool:
    return INTEGRATION in Path(path).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under ``tests/integration`` and every browser test ``slow``."""
    for item in items:
        if _is_integration(item.path) or item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)


# The test being run (set before its fixtures, so module and session fixtures count too).
_RUNNING: list[pytest.Item] = []
_ORIGINAL_INIT = pytest.StashKey[object]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """Remember which test is running, for the region-build guard."""
    _RUNNING.append(item)
    try:
        return (yield)
    finally:
        _RUNNING.pop()


def pytest_configure(config: pytest.Config) -> None:
    """Guard: a test outside ``tests/integration`` must not build a region.

    A build that gets as far as a result (a :class:`layers.build.BuildResult`, also "already
    current, nothing to do") fails the running test, whichever fixture or helper started it.
    Builds that stop on bad input before any layer is derived are allowed: the error tests of
    ``tests/layers/build`` check exactly that.
    """
    from layers.build import BuildResult

    original = BuildResult.__init__

    def guarded(self: BuildResult, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        if _RUNNING and not _is_integration(_RUNNING[-1].path):
            pytest.fail(
                f"{_RUNNING[-1].nodeid} built the region '{self.region}': a test that needs a "
                "built region belongs in tests/integration/.",
                pytrace=False,
            )

    BuildResult.__init__ = guarded  # type: ignore[method-assign]
    config.stash[_ORIGINAL_INIT] = original


def pytest_unconfigure(config: pytest.Config) -> None:
    """Take the guard off again (for pytest run in-process, e.g. by pytester)."""
    original = config.stash.get(_ORIGINAL_INIT, None)
    if original is not None:
        from layers.build import BuildResult

        BuildResult.__init__ = original  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def postgis_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL/PostGIS server for the whole session (team-mode tests).

    Started on first use (``initdb`` into a temporary folder, a free local port, removed
    afterwards). Where no server can be started the tests that need it are skipped with the
    reason - or fail when ``SOZIALRAUM_REQUIRE_POSTGIS=1`` (CI).
    """
    from tests.tools.postgres import ClusterUnavailableError, start_cluster

    try:
        cluster = start_cluster()
    except ClusterUnavailableError as exc:
        if os.environ.get("SOZIALRAUM_REQUIRE_POSTGIS") == "1":
            pytest.fail(f"PostGIS-Server verlangt (SOZIALRAUM_REQUIRE_POSTGIS=1), aber: {exc}",
                        pytrace=False)
        pytest.skip(f"kein PostGIS-Testserver: {exc}")
    try:
        yield cluster
    finally:
        from layers.store.postgis import close_pools

        close_pools()
        cluster.stop()


@pytest.fixture(scope="session")
def aachen_config() -> RegionConfig:
    """The demo region's configuration (``data/regions/aachen.toml``; reading it builds nothing)."""
    return load_region("aachen")



@pytest.fixture(scope="module")
def staedteregion() -> gpd.GeoDataFrame:
    """The 10 municipalities of the Städteregion Aachen (VG250-EW, real population)."""
    from layers.planungsraeume.gemeinden import read_municipalities
    from tests.tools.paths import NRW

    return read_municipalities(NRW, crs="EPSG:25832", ags_praefix="05334")


@pytest.fixture(scope="module")
def feed() -> GtfsFeed:
    """The Heidelberg timetable (VRN GTFS), read once per module."""
    from layers.sources.gtfs import read_gtfs
    from tests.tools.paths import GTFS_HEIDELBERG

    return read_gtfs(GTFS_HEIDELBERG)


@pytest.fixture(scope="module")
def stations(feed: GtfsFeed) -> gpd.GeoDataFrame:
    """Stations of the Heidelberg timetable with their departures 06:00–20:00 on a Tuesday, in
    the region's CRS (from its configuration; nothing is built)."""
    from analyses.transit import station_departures, stations_layer
    from tests.tools.samples import GTFS_DAY

    crs = load_region("heidelberg").crs
    return stations_layer(station_departures(feed, GTFS_DAY, "06:00", "20:00"), crs)
