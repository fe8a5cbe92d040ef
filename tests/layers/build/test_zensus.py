"""The Zensus 2022 100 m grid with age classes, in the published layout (hand-made file):
semicolon, German decimals, '–'/'-' for secret values; real figures replace the model cell by
cell; bad values are named with file, row and column."""

from __future__ import annotations

import numpy as np
import pytest

from layers.build.bevoelkerung import _grid_frame
from layers.build.zensus import read_zensus_age_grid, replace_cells
from layers.errors import InputValidationError, SourceDataError, SozialraumError

SHARES = {"unter_18": 0.165, "18_64": 0.614, "65_79": 0.149, "80_plus": 0.072}
HEADER = "GITTER_ID_100m;x_mp_100m;y_mp_100m;Unter18;a18bis29;a30bis49;a50bis64;a65undaelter"


def _write(tmp_path, rows: list[str], header: str = HEADER):
    path = tmp_path / "Zensus2022_Alter_in_5_Altersklassen_100m-Gitter.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_reads_the_published_layout_with_secret_values(tmp_path):
    path = _write(tmp_path, [
        "CRS3035RES100mN3084700E4039600;4039650;3084750;12;9;20;15;25",
        "CRS3035RES100mN3084700E4039700;4039750;3084750;–;4;-;6;3",  # two secret classes
        "CRS3035RES100mN3084800E4039600;4039650;3084850;–;–;–;–;–",  # all secret: no cell
        "CRS3035RES100mN3084800E4039700;4.039.750;3.084.850;1;0;2;0;0",  # German thousands
    ])
    grid = read_zensus_age_grid(path, SHARES, "EPSG:25832")
    assert grid["gitter_id"].tolist() == ["CRS3035RES100mN3084700E4039600",
                                          "CRS3035RES100mN3084700E4039700",
                                          "CRS3035RES100mN3084800E4039700"]
    assert grid["einwohner"].tolist() == [81, 13, 3]
    assert grid["alter_unter_18"].tolist() == [12, 0, 1]
    assert grid["alter_18_64"].tolist() == [44, 10, 2]
    assert grid["alter_65_plus"].tolist() == [25, 3, 0]
    # 65+ divided by the region's 65-79 : 80+ ratio (0.149 : 0.072): 25 -> 17 + 8
    assert grid["alter_80_plus"].tolist()[0] == round(25 * 0.072 / 0.221)
    assert (grid["alter_65_79"] + grid["alter_80_plus"] == grid["alter_65_plus"]).all()
    assert (grid["quelle"] == "Zensus 2022").all()
    assert grid.attrs["geheim"] == 7 and grid.attrs["geteilt_65"]


def test_official_cells_replace_the_modelled_ones_cell_by_cell(tmp_path):
    path = _write(tmp_path, ["CRS3035RES100mN3084700E4039600;4039650;3084750;12;9;20;15;25"])
    official = read_zensus_age_grid(path, SHARES, "EPSG:25832")
    east, north = np.array([4039600, 4039700]), np.array([3084700, 3084700])
    model = _grid_frame(east, north, np.array([50, 40]), SHARES, "EPSG:25832", "modelliert")
    merged = replace_cells(model, official).set_index("gitter_id")
    assert merged.loc["CRS3035RES100mN3084700E4039600", "einwohner"] == 81
    assert merged.loc["CRS3035RES100mN3084700E4039600", "quelle"] == "Zensus 2022"
    assert merged.loc["CRS3035RES100mN3084700E4039700", "einwohner"] == 40
    assert merged.loc["CRS3035RES100mN3084700E4039700", "quelle"] == "modelliert"
    assert len(merged) == 2


def test_bad_values_are_named_with_file_row_and_column(tmp_path):
    path = _write(tmp_path, [
        "CRS3035RES100mN3084700E4039600;4039650;3084750;12;9;20;15;25",
        "CRS3035RES100mN3084700E4039700;4039750;3084750;zwölf;4;5;6;3",
        "CRS3035RES100mN3084800E4039600;4039650;3084850;1;2;3;-4;5",
        "CRS3035RES100mN3084800E4039700;4039750;3084850;1;2;3;4;2,5",
    ])
    with pytest.raises(InputValidationError) as info:
        read_zensus_age_grid(path, SHARES, "EPSG:25832")
    text = str(info.value)
    assert "Zensus2022_Alter_in_5_Altersklassen_100m-Gitter.csv" in text
    assert "'zwölf' ist keine Zahl" in text and "Zeile 3" in text and "Unter18" in text
    assert "'-4' ist keine Personenzahl" in text and "Zeile 4" in text and "a50bis64" in text
    assert "'2,5' ist keine Personenzahl" in text and "Zeile 5" in text
    assert isinstance(info.value, SozialraumError)


def test_a_file_without_age_classes_is_refused_naming_its_columns(tmp_path):
    path = _write(tmp_path, ["CRS3035RES100mN3084700E4039600;4039650;3084750;57"],
                  header="GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner")
    with pytest.raises(SourceDataError) as info:
        read_zensus_age_grid(path, SHARES, "EPSG:25832")
    assert "gefunden: GITTER_ID_100m, x_mp_100m, y_mp_100m, Einwohner" in str(info.value)
    assert "a65undaelter" in str(info.value)


def test_centre_columns_x_mitte_y_mitte_are_read_too(tmp_path):
    header = "GITTER_ID_100m;x_mitte;y_mitte;Unter18;a18bis29;a30bis49;a50bis64;a65undaelter"
    path = _write(tmp_path, ["CRS3035RES100mN2691700E4341100;4341150;2691750;1;2;3;4;5"],
                  header=header)
    grid = read_zensus_age_grid(path, SHARES, "EPSG:3035")
    assert grid["einwohner"].tolist() == [15]
    assert grid.geometry.iloc[0].bounds == (4341100.0, 2691700.0, 4341200.0, 2691800.0)
