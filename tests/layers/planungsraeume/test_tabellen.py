"""Tables joined to planning areas: unmatched keys both ways, Excel-mangled keys, personal
columns refused, age bands, and the real Köln population 2012 reproduced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers.errors import InputValidationError
from layers.planungsraeume.langform import age_groups, read_long_statistics
from layers.planungsraeume.tabellen import join_table
from planungsraeume.indikatoren import (
    compute_indicators,
    indicators_wide,
)
from tests.tools.paths import KOELN

# --------------------------------------------------------------------------------------------
# Köln: real planning areas and real population
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def koeln_2012():
    return read_long_statistics(KOELN / "bevoelkerung.csv", jahr=2012)


def test_koeln_population_2012_joined_and_reproduced(koeln_areas, koeln_2012):
    joined = join_table(koeln_areas, koeln_2012, schluessel_spalte="raum_id")
    # The 86 Stadtteile match; the city (000) and the 9 Stadtbezirke (001–009) do not.
    assert joined.ohne_daten.empty
    assert joined.ohne_treffer["schluessel"].tolist() == [f"{i:03d}" for i in range(10)]
    assert joined.ohne_treffer["bezeichnung"].iloc[0] == "Stadt Köln"
    groups, notes = age_groups(joined.werte)
    # 80+ cannot be formed from the band "75 und älter": left empty and said so.
    assert groups["alter_80_plus"].isna().all() and groups["alter_65_79"].isna().all()
    assert any("75 und älter" in n for n in notes)
    population = pd.DataFrame({"pr_id": joined.werte["pr_id"],
                               "einwohner": joined.werte["Einwohner"]}).join(groups)
    assert (population["einwohner"] == population["einwohner_altersgruppen"]).all()
    long = compute_indicators(koeln_areas, population=population)
    inhabitants = long[long["kennzahl"] == "einwohner"]
    assert inhabitants["wert"].sum() == 1_044_555
    assert inhabitants["wert_region"].iloc[0] == pytest.approx(1_044_555 / 86)
    share = long[long["kennzahl"] == "anteil_65_plus"]
    assert share["zaehler"].sum() == 185_068
    assert share["wert_region"].iloc[0] == pytest.approx(185_068 / 1_044_555 * 100)
    assert "anteil_80_plus" not in set(long["kennzahl"])
    # Wide table: 86 Stadtteile plus the region row; the city total is the sum of its parts.
    wide = indicators_wide(long, labels=False)
    assert len(wide) == 87 and wide["einwohner"].iloc[:-1].sum() == 1_044_555
    lindenthal = long[(long["name"] == "Lindenthal") & (long["kennzahl"] == "einwohner")]
    assert lindenthal["wert"].iloc[0] == \
        koeln_2012.set_index("raum_id").loc[lindenthal["pr_id"].iloc[0], "Einwohner"]


def test_join_reports_unmatched_keys_both_ways(tmp_path):
    areas = pd.DataFrame({"pr_id": ["PR01", "PR02", "PR03"], "name": ["A", "B", "C"]})
    path = tmp_path / "kennzahlen.csv"
    path.write_bytes("Nr;Raum;Arbeitslosenquote;SGB-II-Quote;Bemerkung\n"
                     "PR01;A;7,1;12,5;\nPR02;B;6,4;;fehlt\nPR99;Z;3,0;4,0;\n".encode("cp1252"))
    result = join_table(areas, path)
    assert result.spalten == ["Arbeitslosenquote", "SGB-II-Quote"]
    assert result.werte["Arbeitslosenquote"].tolist()[:2] == [7.1, 6.4]
    assert np.isnan(result.werte["Arbeitslosenquote"].iloc[2])
    assert result.ohne_treffer.to_dict("records") == [
        {"zeile": 4, "schluessel": "PR99", "bezeichnung": "Z"}]
    assert result.ohne_daten["pr_id"].tolist() == ["PR03"]
    texts = [p.meldung for p in result.probleme]
    assert any("1 Tabellenzeilen passen zu keinem Planungsraum (Schlüssel PR99)" in t
               for t in texts)
    assert any("1 Planungsräume haben keine Zeile in der Tabelle (C)" in t for t in texts)


def test_join_by_ags_survives_excel(staedteregion):
    table = pd.DataFrame({"Gemeindeschlüssel": ["5334002", "5334004.0", "05 334 008"],
                          "Pflegebedürftige": ["12.345", "2.001", "1.234"],
                          "Quote": ["3.125", "4,5", "1.250,5"]})
    result = join_table(staedteregion, table, raum_schluessel="ags")
    values = result.werte.set_index("ags")
    # Only points: read as decimal points, but the user is warned about the thousands look.
    assert values.loc["05334002", "Pflegebedürftige"] == pytest.approx(12.345)
    assert any("Tausenderpunkt" in p.meldung and p.spalte == "Pflegebedürftige"
               for p in result.probleme)
    # A decimal comma in the column makes its points thousands separators.
    assert values.loc["05334002", "Quote"] == 3125 and values.loc["05334008", "Quote"] == 1250.5
    assert len(result.ohne_daten) == 7 and result.ohne_treffer.empty


def test_join_refuses_personal_columns(tmp_path):
    path = tmp_path / "faelle.csv"
    path.write_text("pr_id;Geburtsdatum;wert\nPR01;01.01.1950;3\n", encoding="utf-8")
    with pytest.raises(InputValidationError, match="personenbezogene Daten"):
        join_table(pd.DataFrame({"pr_id": ["PR01"], "name": ["A"]}), path)
