"""Where the tests find their inputs: the shared reference data (read in place) and tests/data."""

from __future__ import annotations

from pathlib import Path

from layers import settings

__all__ = ["AACHEN_PBF", "DATA", "GTFS_HEIDELBERG", "KOELN", "NRW", "SHARED", "TESTS"]

TESTS = Path(__file__).resolve().parents[1]
DATA = TESTS / "data"
SHARED = settings.shared_data_dir
AACHEN_PBF = SHARED / "osm" / "aachen.osm.pbf"
NRW = SHARED / "boundaries" / "vg250ew_gemeinden_nrw.geojson"
KOELN = SHARED / "koeln"
GTFS_HEIDELBERG = SHARED / "gtfs" / "vrn_heidelberg_gtfs.zip"
