"""The real Köln case: 86 Stadtteile from the city's open data (read once per module)."""

from __future__ import annotations

import geopandas as gpd
import pytest

from layers.planungsraeume.define import read_planning_areas
from tests.tools.paths import KOELN


@pytest.fixture(scope="module")
def koeln_areas() -> gpd.GeoDataFrame:
    """The Stadtteile of Köln as planning areas (one self-intersecting ring repaired)."""
    return read_planning_areas(KOELN / "koeln_stadtteile.geojson", crs="EPSG:25832",
                               schluessel="STT_NR", name="STT_NAME", reparieren=True)
