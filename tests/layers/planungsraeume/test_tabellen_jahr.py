"""Own tables keyed by planning area and year: a time series joined, stored and shown per year;
bad year cells and keys doubled within a year refused with file, row and column."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers.errors import InputValidationError
from layers.planungsraeume.tabellen import join_table
from planungsraeume.indikatoren import compute_indicators, user_indicators

AREAS = gpd.GeoDataFrame(
    {"pr_id": ["PR01", "PR02"], "name": ["Nord", "Süd"]},
    geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)], crs="EPSG:25832")


def _write(tmp_path, text: str):
    path = tmp_path / "zeitreihe.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_table_with_years_is_joined_per_area_and_year(tmp_path):
    path = _write(tmp_path, "Nr;Jahr;Arbeitslose\nPR01;2019;120\nPR02;2019;80\n"
                            "PR01;2024;150\nPR02;2024;60\n")
    joined = join_table(AREAS, path)
    assert joined.jahre == [2019, 2024] and joined.spalten == ["Arbeitslose"]
    assert list(joined.werte.columns) == ["pr_id", "name", "jahr", "Arbeitslose"]
    assert joined.werte[["pr_id", "jahr", "Arbeitslose"]].values.tolist() == [
        ["PR01", 2019, 120.0], ["PR02", 2019, 80.0], ["PR01", 2024, 150.0], ["PR02", 2024, 60.0]]
    assert joined.ohne_daten.empty
    assert "2 von 2 Planungsräumen mit Daten in 2 Jahren (2019–2024)" in joined.summary()


def test_own_indicators_are_shown_for_the_year_asked_and_carry_it(tmp_path):
    path = _write(tmp_path, "Nr;Jahr;Arbeitslose\nPR01;2019;120\nPR02;2019;80\n"
                            "PR01;2024;150\nPR02;2024;60\n")
    joined = join_table(AREAS, path)
    long = joined.werte.melt(id_vars=["pr_id", "jahr"], value_vars=["Arbeitslose"],
                             var_name="kennzahl", value_name="wert")
    for year, expected, shown_year in ((2019, [120, 80], 2019), (2022, [120, 80], 2019),
                                       (2030, [150, 60], 2024), (None, [150, 60], 2024)):
        rows = user_indicators(AREAS, long, jahr=year)
        assert rows["wert"].tolist() == expected, year
        assert set(rows["jahr"]) == {shown_year}
        assert rows["wert_region"].iloc[0] == pytest.approx(np.mean(expected))
    assert user_indicators(AREAS, long, jahr=2018).empty  # before the first year: nothing
    # compute_indicators: every row carries its year (population's, offers' day's, own).
    population = pd.DataFrame({"pr_id": ["PR01", "PR02"], "einwohner": [1000.0, 3000.0]})
    population.attrs["jahr"] = 2019
    table = compute_indicators(AREAS, population=population, eigene=long)
    assert table.loc[table["kennzahl"] == "einwohner", "jahr"].tolist() == [2019, 2019]
    assert table.loc[table["kennzahl"] == "eigen_Arbeitslose", "wert"].tolist() == [120, 80]


@pytest.mark.parametrize(("cell", "shown"), [("20x9", "'20x9'"), ("", "eine leere Zelle"),
                                              ("19", "'19'"), ("2019,5", "'2019,5'")])
def test_a_bad_year_cell_names_file_row_and_column(tmp_path, cell, shown):
    path = _write(tmp_path, f"Nr;Jahr;Wert\nPR01;2019;1\nPR02;{cell};2\n")
    with pytest.raises(InputValidationError) as caught:
        join_table(AREAS, path)
    error = caught.value
    assert "Die Spalte 'Jahr' enthält 1 Zelle ohne gültige Jahreszahl" in error.meldung
    (problem,) = error.probleme
    assert problem.zeile == 3 and problem.spalte == "Jahr" and problem.datei == str(path)
    assert shown in problem.meldung and "vierstellig" in problem.hinweis


def test_a_key_twice_in_one_year_is_refused_but_not_in_two_years(tmp_path):
    path = _write(tmp_path, "Nr;Jahr;Wert\nPR01;2019;1\nPR01;2020;2\nPR01;2019;3\n")
    with pytest.raises(InputValidationError) as caught:
        join_table(AREAS, path)
    (problem,) = caught.value.probleme
    assert "im Jahr 2019 doppelt" in problem.meldung and "Zeile 2" in problem.meldung
    assert problem.zeile == 4 and problem.spalte == "Nr"


def test_a_named_year_column_that_is_missing_is_refused(tmp_path):
    path = _write(tmp_path, "Nr;Wert\nPR01;1\nPR02;2\n")
    with pytest.raises(InputValidationError, match="Jahresspalte 'Berichtsjahr'"):
        join_table(AREAS, path, jahr_spalte="Berichtsjahr")
    assert join_table(AREAS, path).jahre == []  # no year column: as before
