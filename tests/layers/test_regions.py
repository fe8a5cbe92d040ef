"""Region configurations: the demo reads the shared reference data in place."""

from __future__ import annotations

import pytest

from tests.tools.paths import SHARED


@pytest.mark.parametrize("path", ["osm/aachen.osm.pbf", "boundaries/vg250ew_gemeinden_nrw.geojson"])
def test_reads_shared_data_in_place(path, aachen_config):
    assert (SHARED / path).exists()
    assert str(aachen_config.osm).startswith(str(SHARED))
