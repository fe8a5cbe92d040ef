"""The ``backend`` fixture: every contract test runs on the GeoPackage and on the PostGIS store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.layers.store.backends import Backend, GeoPackageBackend, PostgisBackend


@pytest.fixture(params=["geopackage", "postgis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The synthetic region in one store implementation (PostGIS: the session's test server)."""
    if request.param == "geopackage":
        return GeoPackageBackend(tmp_path)
    return PostgisBackend(request.getfixturevalue("postgis_cluster"))
