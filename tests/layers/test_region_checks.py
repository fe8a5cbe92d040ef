"""Region configurations: unknown keys named, folders refused, the UTM zone fits the region."""

from __future__ import annotations

import pytest

from layers import settings
from layers.errors import ConfigError
from layers.regions import check_crs_location, load_region


def _variant(tmp_path, **replace: str):
    text = (settings.regions_dir / "aachen.toml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "variante.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_typo_in_a_key_is_named_with_the_intended_key(tmp_path):
    path = _variant(tmp_path, ags_praefix="ags_prefix")
    with pytest.raises(ConfigError) as info:
        load_region(path)
    assert "Unbekannter Eintrag 'ags_prefix' im Abschnitt [grenze]" in str(info.value)
    assert "Meinten Sie 'ags_praefix'?" in str(info.value)


def test_free_keys_of_population_tables_are_allowed(tmp_path):
    path = _variant(tmp_path, **{"bungalow = 1": "bungalow = 1\nhochhaus = 8"})
    assert load_region(path).population.geschosse_standard["hochhaus"] == 8


def test_source_pointing_to_a_folder_is_refused(tmp_path):
    path = _variant(tmp_path, **{'icf = "icf/icf_umweltfaktoren.csv"':
                                 'icf = "icf/icf_umweltfaktoren.csv"\ngtfs = "./"'})
    with pytest.raises(ConfigError, match="'gtfs' im Abschnitt \\[quellen\\] zeigt auf einen "
                       "Ordner"):
        load_region(path)


def test_utm_zone_of_another_land_is_refused(tmp_path):
    path = _variant(tmp_path, **{'ags_praefix = "05334"': 'ags_praefix = "14626"'})
    with pytest.raises(ConfigError, match="Sachsen \\(AGS 14…\\) arbeitet amtlich in UTM-Zone 33"):
        load_region(path)


@pytest.mark.parametrize(("lon", "fits"), [(6.08, True), (13.46, True), (14.99, False),
                                           (4.5, True), (3.5, False)])
def test_utm_zone_is_checked_against_the_location(lon, fits):
    config = load_region("aachen")  # EPSG:25832, zone 32 (6° to 12° E)
    if fits:
        check_crs_location(config, lon, 50.8)
    else:
        with pytest.raises(ConfigError, match="passt nicht zur Lage der Region"):
            check_crs_location(config, lon, 50.8)
