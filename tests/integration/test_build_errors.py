"""Bad sources while rebuilding the demo: German errors naming the file and the fix; the earlier
good GeoPackage stays untouched."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest

from layers.build import build_region
from layers.errors import (
    CRSError,
    GeometryError,
    SourceDataError,
)
from layers.regions import load_region
from tests.tools.paths import SHARED
from tests.tools.regions import config_variant


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def good_store(aachen_store, tmp_path: Path) -> Path:
    """A copy of the good demo store where the failing build would write."""
    target = tmp_path / "ziel.gpkg"
    shutil.copyfile(aachen_store.path, target)
    return target


def _assert_untouched(target: Path, before: str) -> None:
    assert _sha(target) == before
    leftovers = [p for p in target.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_missing_pbf(tmp_path, good_store):
    config = config_variant(tmp_path, **{'osm = "osm/aachen.osm.pbf"': 'osm = "osm/gibtesnicht.osm.pbf"'})
    before = _sha(good_store)
    with pytest.raises(SourceDataError) as info:
        build_region(load_region(config), target=good_store)
    message = str(info.value)
    assert "gibtesnicht.osm.pbf" in message and "So beheben" in message
    _assert_untouched(good_store, before)


def test_corrupt_pbf(tmp_path, good_store):
    broken = tmp_path / "kaputt.osm.pbf"
    data = (SHARED / "osm" / "aachen.osm.pbf").read_bytes()
    broken.write_bytes(data[:200] + b"\x00garbage" * 5000)
    config = config_variant(tmp_path, **{'osm = "osm/aachen.osm.pbf"': f'osm = "{broken.as_posix()}"'})
    before = _sha(good_store)
    with pytest.raises(SourceDataError) as info:
        build_region(load_region(config), target=good_store)
    assert "kaputt.osm.pbf" in str(info.value)
    assert "erneut herunter" in str(info.value)
    _assert_untouched(good_store, before)


def test_html_page_saved_as_pbf(tmp_path, good_store):
    fake = tmp_path / "download.osm.pbf"
    fake.write_text("<html><body>404 Not Found</body></html>" * 10, encoding="utf-8")
    config = config_variant(tmp_path, **{'osm = "osm/aachen.osm.pbf"': f'osm = "{fake.as_posix()}"'})
    before = _sha(good_store)
    with pytest.raises(SourceDataError) as info:
        build_region(load_region(config), target=good_store)
    assert "download.osm.pbf" in str(info.value)
    _assert_untouched(good_store, before)


def test_boundary_file_without_crs(tmp_path, good_store):
    # A shapefile without .prj has no CRS at all.
    gemeinden = gpd.read_file(SHARED / "boundaries" / "vg250ew_gemeinden_nrw.geojson")
    shp = tmp_path / "gemeinden_ohne_crs.shp"
    gemeinden.to_crs(25832).to_file(shp)
    shp.with_suffix(".prj").unlink()
    config = config_variant(
        tmp_path,
        **{'gemeinden = "boundaries/vg250ew_gemeinden_nrw.geojson"': f'gemeinden = "{shp.as_posix()}"'},
    )
    before = _sha(good_store)
    with pytest.raises(CRSError) as info:
        build_region(load_region(config), target=good_store)
    assert "gemeinden_ohne_crs.shp" in str(info.value)
    assert "kein Koordinatenbezugssystem" in str(info.value)
    _assert_untouched(good_store, before)


def test_geojson_with_metric_coordinates_but_no_crs(tmp_path, good_store):
    gemeinden = gpd.read_file(SHARED / "boundaries" / "vg250ew_gemeinden_nrw.geojson")
    metric = tmp_path / "gemeinden_utm.geojson"
    # UTM coordinates in a GeoJSON without "crs" member, as some exports write them: GDAL must
    # then assume WGS 84 (RFC 7946), and the coordinates betray the missing CRS.
    data = json.loads(gemeinden.to_crs(25832).to_json(drop_id=True))
    data.pop("crs", None)
    metric.write_text(json.dumps(data), encoding="utf-8")
    config = config_variant(
        tmp_path,
        **{'gemeinden = "boundaries/vg250ew_gemeinden_nrw.geojson"': f'gemeinden = "{metric.as_posix()}"'},
    )
    with pytest.raises(CRSError) as info:
        build_region(load_region(config), target=good_store)
    assert "gemeinden_utm.geojson" in str(info.value)
    assert "metrisch" in str(info.value)


def test_extract_does_not_overlap_boundary(tmp_path, good_store):
    config = config_variant(tmp_path, **{'ags_praefix = "05334"': 'ags_praefix = "05711"'})  # Bielefeld
    before = _sha(good_store)
    with pytest.raises(GeometryError) as info:
        build_region(load_region(config), target=good_store)
    assert "aachen.osm.pbf" in str(info.value)
    assert "überlappt" in str(info.value) and "05711" in str(info.value)
    _assert_untouched(good_store, before)


def test_failed_write_keeps_previous_store(good_store, aachen_config, monkeypatch):
    """A crash while writing the new GeoPackage leaves the old one as it was."""
    import layers.build as build_module

    before = _sha(good_store)
    original = build_module.write_frame
    calls = {"n": 0}

    def failing(frame, path, name):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("Datenträger voll (simuliert)")
        return original(frame, path, name)

    monkeypatch.setattr(build_module, "write_frame", failing)
    with pytest.raises(Exception, match="simuliert"):
        build_region(aachen_config, target=good_store, force=True)
    _assert_untouched(good_store, before)
