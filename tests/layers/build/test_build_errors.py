"""Bad region configurations: German errors naming the file and the fix, before anything is
built."""

from __future__ import annotations

import pytest

from layers import settings
from layers.build import build_region
from layers.errors import (
    ConfigError,
    SharedDataMissingError,
    SourceDataError,
)
from layers.regions import load_region
from tests.tools.regions import config_variant


@pytest.mark.parametrize("crs", ["EPSG:99999", "UTM-irgendwas", "EPSG:4326"])
def test_unknown_or_unsuitable_crs(tmp_path, crs):
    config = config_variant(tmp_path, **{'crs = "EPSG:25832"': f'crs = "{crs}"'})
    with pytest.raises(ConfigError) as info:
        load_region(config)
    assert "variante.toml" in str(info.value)
    assert "EPSG:25832" in str(info.value)  # the fix names a suitable CRS


def test_ags_prefix_matches_nothing(tmp_path):
    config = config_variant(tmp_path, **{'ags_praefix = "05334"': 'ags_praefix = "09999"'})
    with pytest.raises(SourceDataError) as info:
        build_region(load_region(config), target=tmp_path / "x.gpkg")
    assert "09999" in str(info.value)


def test_missing_config_section_and_bad_toml(tmp_path):
    config = config_variant(tmp_path, **{"[grenze]": "[grenz]"})
    with pytest.raises(ConfigError) as info:
        load_region(config)
    assert "[grenze]" in str(info.value)
    broken = tmp_path / "kaputt.toml"
    broken.write_text('[region]\ncrs = "EPSG:25832\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_region(broken)
    assert "kaputt.toml" in str(info.value) and "TOML" in str(info.value)


def test_unknown_region_lists_known_ones():
    with pytest.raises(ConfigError) as info:
        load_region("atlantis")
    assert "aachen" in str(info.value) and "heidelberg" in str(info.value)


def test_without_shared_data_says_where_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "shared_data_dir", tmp_path / "nirgends")
    with pytest.raises(SharedDataMissingError) as info:
        build_region("aachen", target=tmp_path / "x.gpkg")
    message = str(info.value)
    assert "nirgends" in message
    assert "motis-project/test-data" in message and "GeoBasis-DE / BKG" in message
    assert "SOZIALRAUM_SHARED_DATA" in message
