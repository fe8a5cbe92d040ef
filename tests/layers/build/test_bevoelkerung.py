"""Population grid: ids, rounding, and reading a real Zensus 2022 CSV."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from layers.build.bevoelkerung import (
    cell_id,
    parse_cell_id,
    read_zensus_grid,
    round_preserving_total,
    split_age_groups,
)
from layers.errors import InputValidationError

SHARES = {"unter_18": 0.165, "18_64": 0.614, "65_79": 0.149, "80_plus": 0.072}


def test_cell_ids_round_trip():
    assert cell_id(3101600, 4030700) == "CRS3035RES100mN3101600E4030700"
    assert parse_cell_id("CRS3035RES100mN3101600E4030700") == (100, 3101600, 4030700)
    with pytest.raises(ValueError):
        parse_cell_id("N3101600E4030700")


def test_rounding_preserves_totals():
    values = np.array([0.4, 0.4, 0.4, 1.8, 2.5])
    rounded = round_preserving_total(values)
    assert rounded.sum() == 6  # 5.5 rounds half up
    ages = split_age_groups(np.array([7, 1, 0, 123]), SHARES)
    assert (sum(ages.values()) == np.array([7, 1, 0, 123])).all()


def _zensus_csv(tmp_path, rows: list[str]):
    path = tmp_path / "Zensus2022_Bevoelkerungszahl_100m-Gitter.csv"
    path.write_text("GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


def test_reads_real_zensus_format(tmp_path):
    path = _zensus_csv(tmp_path, [
        "CRS3035RES100mN3084700E4039600;4039650;3084750;57",
        "CRS3035RES100mN3084700E4039700;4039750;3084750;–",
        "CRS3035RES100mN3084800E4039600;4039650;3084850;3",
    ])
    grid = read_zensus_grid(path, SHARES, "EPSG:25832")
    assert grid["einwohner"].tolist() == [57, 3]
    assert (grid["quelle"] == "Zensus 2022").all()
    assert grid.crs.to_epsg() == 25832
    centre = grid.geometry.iloc[0].centroid
    back = shapely.Point(
        *__import__("pyproj").Transformer.from_crs(25832, 3035, always_xy=True).transform(
            centre.x, centre.y
        )
    )
    assert abs(back.x - 4039650) < 0.5 and abs(back.y - 3084750) < 0.5


def test_zensus_with_swapped_midpoints_is_refused(tmp_path):
    path = _zensus_csv(tmp_path, ["CRS3035RES100mN3084700E4039600;3084750;4039650;57"])
    with pytest.raises(InputValidationError) as info:
        read_zensus_grid(path, SHARES, "EPSG:25832")
    assert "vertauscht" in str(info.value) and "Zeile 2" in str(info.value)
