"""The region's inhabitants beside the official municipal totals (VG250-EW), on the Aachen demo
(modelled, the city covered in part) and on Köln (official statistics, covered completely);
the official totals are read from the boundary file independently of the project."""

from __future__ import annotations

import json

import pytest

import cli
from planungsraeume.abgleich import comparison_note, municipal_comparison
from tests.tools.paths import NRW

pytestmark = pytest.mark.slow


def _official(ags: str) -> int:
    features = json.loads(NRW.read_text(encoding="utf-8"))["features"]
    return next(int(f["properties"]["pop"]) for f in features if f["properties"]["ags"] == ags)


def test_aachen_model_beside_the_official_total_of_a_partly_covered_city(aachen):
    table = municipal_comparison(aachen)
    row = table.set_index("ags").loc["05334002"]
    assert row["einwohner_amtlich"] == _official("05334002") == 252_769
    assert not row["vollstaendig"] and row["art_region"] == "modelliert"
    assert row["einwohner_region"] == pytest.approx(aachen.cells()["einwohner"].sum())
    assert row["anteil_amtlich_im_teil"] == pytest.approx(
        row["einwohner_region"] / 252_769 * 100)
    # A part cannot be compared with the whole: no deviation, only the densities.
    assert row[["abweichung", "abweichung_prozent", "kalibrierfaktor"]].isna().all()
    assert row["dichte_region"] > 2 * row["dichte_amtlich"]  # 87 % of the people on 29 % of the area
    assert len(table) == 1  # the other municipalities of the Städteregion lie outside
    note = comparison_note(table)
    assert note.startswith("Aachen (28,7 % der Fläche in der Region): modelliert")
    assert "der amtlichen 252.769 (31.12.2023)" in note


def test_koeln_official_statistics_beside_the_vg250_total(koeln):
    table = municipal_comparison(koeln)
    row = table.set_index("ags").loc["05315000"]
    assert row["vollstaendig"] and row["einwohner_amtlich"] == _official("05315000")
    inside = row["einwohner_region"] + table.attrs["einwohner_ausserhalb"]
    assert inside == koeln.population_by_area()["einwohner"].sum() == 1_044_555
    assert row["abweichung"] == row["einwohner_region"] - 1_087_353
    assert row["kalibrierfaktor"] == pytest.approx(1_087_353 / row["einwohner_region"])
    assert "(verschiedene Jahre)" in comparison_note(table)


def test_cli_abgleich_and_steckbrief_note(koeln_build, capsys, tmp_path):
    assert cli.main(["abgleich", "--region", "koeln", "--out", str(tmp_path / "a.csv")]) == 0
    out = capsys.readouterr().out
    assert "1.087.353" in out and "Nicht kalibriert" in out
    assert (tmp_path / "a.csv").exists()
    assert cli.main(["report", "--region", "koeln", "--out", str(tmp_path / "rep"),
                     "--planungsraum", "101"]) == 0
    html = (tmp_path / "rep" / "101_altstadt-sued.html").read_text(encoding="utf-8")
    assert "Abgleich mit den amtlichen Gemeindesummen (VG250-EW): Köln: Region (amtlich 2012)" \
        in html


def test_regions_side_by_side(aachen, koeln, capsys):
    from planungsraeume.zeitreihe import compare_regions
    from tests.tools.koeln import SENIOR_BANDS, source_figure

    table = compare_regions([aachen, koeln]).set_index("kennzahl")
    assert table.loc["einwohner", "koeln"] == 1_044_555
    assert table.loc["einwohner", "aachen"] == pytest.approx(aachen.cells()["einwohner"].sum())
    assert table.loc["anteil_65_plus", "koeln"] == pytest.approx(
        source_figure(2012, "000", *SENIOR_BANDS) / 1_044_555 * 100)
    assert table.loc["einwohner", "jahr koeln"] == 2012
    assert cli.main(["regionsvergleich", "--regionen", "aachen", "koeln", "--bereich",
                     "Bevölkerung"]) == 0
    out = capsys.readouterr().out
    assert "Aachen" in out and "Köln" in out and "1.044.555" in out


def test_planungsraeume_page_says_how_the_inhabitants_compare(koeln_build):
    from tests.integration.test_app_koeln import open_page

    app = open_page("planungsraeume")
    captions = " ".join(c.value for c in app.caption)
    assert "Abgleich mit den amtlichen Gemeindesummen (VG250-EW): Köln: Region (amtlich 2012)" \
        in captions
