"""Travel profiles: the table in data/profile.toml and the rules it puts on edges."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.network.profiles import check_unknown_mode, get_profile, load_profiles
from layers import settings
from layers.errors import ConfigError, ProfileError


def _edges(**columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "laenge_m": [10.0] * n,
        "highway": ["footway"] * n,
        "surface": [None] * n,
        "smoothness": [None] * n,
        "incline": [None] * n,
        "steigung_prozent": [np.nan] * n,
        "breite_m": [np.nan] * n,
        "wheelchair": [None] * n,
        "treppe": [False] * n,
        "bordstein_cm": [np.nan] * n,
        "bordstein_unbekannt": [False] * n,
        "barriere_blockiert": [False] * n,
    }
    base.update(columns)
    return pd.DataFrame(base)


def test_the_four_profiles_with_their_speeds():
    profiles = load_profiles()
    assert list(profiles) == ["fuss", "senior", "rollator", "rollstuhl"]
    assert [p.geschwindigkeit_m_s for p in profiles.values()] == [1.2, 1.0, 0.8, 0.8]


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(ProfileError) as info:
        get_profile("auto")
    text = str(info.value)
    assert "Das Fortbewegungsprofil 'auto' gibt es nicht" in text
    for name in ("fuss", "senior", "rollator", "rollstuhl"):
        assert f"'{name}'" in text


def test_unknown_mode_is_refused_in_german():
    assert check_unknown_mode("pessimistisch") == "pessimistisch"
    with pytest.raises(ProfileError, match="Unbekannter Umgang mit fehlenden Angaben"):
        check_unknown_mode("vorsichtig")


def test_wheelchair_rules_block_and_slow_down():
    edges = _edges(
        highway=["steps", "footway", "footway", "footway", "footway", "footway", "footway",
                 "footway", "footway", "footway"],
        treppe=[True, False, False, False, False, False, False, False, False, False],
        wheelchair=[None, "no", None, None, None, None, None, None, None, "yes"],
        steigung_prozent=[np.nan, np.nan, 8.0, 5.0, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
        incline=[None, None, "8%", "5%", "steep", None, None, None, None, None],
        bordstein_cm=[np.nan, np.nan, np.nan, np.nan, np.nan, 6.0, 2.0, np.nan, np.nan, np.nan],
        smoothness=[None, None, None, None, None, None, None, "bad", None, "good"],
        surface=[None, None, None, None, None, None, None, None, "sett", "asphalt"],
    )
    factors = get_profile("rollstuhl").edge_factors(edges, "optimistisch")
    expected = [math.inf, math.inf, math.inf, 1.0, math.inf, math.inf, 1.0, math.inf, 1.5, 1.0]
    assert factors.tolist() == expected
    walking = get_profile("fuss").edge_factors(edges, "optimistisch")
    assert walking.tolist() == [1.0] * 10
    senior = get_profile("senior").edge_factors(edges, "optimistisch")
    assert senior[0] == 1.5  # steps are possible but slower


def test_pessimistic_mode_applies_exactly_the_documented_rules():
    edges = _edges(
        highway=["footway", "footway", "path", "path", "footway"],
        incline=["up", None, None, None, None],
        bordstein_unbekannt=[False, True, False, False, False],
        surface=[None, None, "gravel", None, "gravel"],
        smoothness=[None, None, None, None, "intermediate"],
    )
    wheelchair = get_profile("rollstuhl")
    optimistic = wheelchair.edge_factors(edges, "optimistisch")
    pessimistic = wheelchair.edge_factors(edges, "pessimistisch")
    assert optimistic.tolist() == [1.0, 1.0, 2.0, 1.0, 2.0]
    # vague incline, unknown kerb, gravel without smoothness: blocked; path without surface ×1.5
    assert pessimistic.tolist() == [math.inf, math.inf, math.inf, 1.5, 2.0]
    walker = get_profile("rollator").edge_factors(edges, "pessimistisch")
    assert walker.tolist() == [1.0, 1.0, pytest.approx(1.3 * 1.2), 1.3, 1.3]


def test_profile_fingerprint_changes_with_a_rule():
    import dataclasses

    wheelchair = get_profile("rollstuhl")
    changed = dataclasses.replace(wheelchair, max_steigung_prozent=8.0)
    assert changed.fingerprint() != wheelchair.fingerprint()
    assert get_profile("rollstuhl").fingerprint() == wheelchair.fingerprint()


def test_broken_profile_table_gives_a_config_error(tmp_path, monkeypatch):
    (tmp_path / "profile.toml").write_text(
        '[[profil]]\nname = "fuss"\ngeschwindigkeit_m_s = 0\n', encoding="utf-8"
    )
    monkeypatch.setattr(settings, "vocab_dir", tmp_path)
    with pytest.raises(ConfigError, match="Geschwindigkeit muss größer als 0"):
        load_profiles()
    (tmp_path / "profile.toml").write_text(
        '[[profil]]\nname = "x"\ngeschwindigkeit_m_s = 1.0\ntreppen = 0.5\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="mindestens 1"):
        load_profiles()
    (tmp_path / "profile.toml").write_text("[[profil]\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match="Profiltabelle kann nicht gelesen werden"):
        load_profiles()


def test_missing_attribute_columns_count_as_unknown():
    lines = [shapely.LineString([(0, 0), (10, 0)])]
    edges = gpd.GeoDataFrame({"laenge_m": [10.0]}, geometry=lines, crs=25832)
    assert get_profile("rollstuhl").edge_factors(edges, "pessimistisch").tolist() == [1.0]
