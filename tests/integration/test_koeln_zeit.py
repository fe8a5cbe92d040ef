"""Time on Köln: indicators per year, the trend of an area beside the region, change since a base
year, offers' history by gueltig_von/gueltig_bis, own tables keyed by area and year, areas side
by side – each value checked against the source file (read independently) or the directory."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import cli
from layers.errors import AnalysisError
from layers.planungsraeume.tabellen import join_table, save_user_indicators
from planungsraeume.indikatoren import indicators
from planungsraeume.zeitreihe import change, compare_areas, trend
from tests.tools.koeln import SENIOR_BANDS, source_figure

pytestmark = pytest.mark.slow

YEARS = list(range(2005, 2013))


def _share_65(year: int, raum_id: str) -> float:
    return source_figure(year, raum_id, *SENIOR_BANDS) / source_figure(year, raum_id) * 100


def test_every_indicator_row_carries_its_year(koeln):
    long = indicators(koeln, jahr=2008)
    rows = long[long["bereich"] == "Bevölkerung"]
    assert set(rows["jahr"]) == {2008}
    assert set(long.loc[long["bereich"] == "Angebote", "jahr"]) == {2008}
    einwohner = rows[rows["kennzahl"] == "einwohner"].set_index("pr_id")["wert"]
    assert einwohner["506"] == source_figure(2008, "506")
    # Without a year: the grid's year (the latest of the source).
    assert set(indicators(koeln).query("bereich == 'Bevölkerung'")["jahr"]) == {2012}


@pytest.mark.parametrize("pr_id", ["909", "101"])
def test_trend_of_the_65_plus_share_against_the_source(koeln, pr_id):
    table = trend(koeln, "anteil_65_plus")
    mine = table[table["pr_id"] == pr_id]
    assert mine["jahr"].tolist() == YEARS
    for year, value, region in zip(mine["jahr"], mine["wert"], mine["wert_region"], strict=True):
        assert value == pytest.approx(_share_65(year, pr_id))
        assert region == pytest.approx(_share_65(year, "000"))  # the city's own row
    assert round(mine["wert"].iloc[0], 1) == (22.5 if pr_id == "909" else 16.8)
    delta = change(table, 2005).set_index("pr_id")
    expected = _share_65(2012, pr_id) - _share_65(2005, pr_id)
    assert delta.loc[pr_id, "aenderung"] == pytest.approx(expected)
    assert delta.loc[pr_id, "aenderung_je_jahr"] == pytest.approx(expected / 7)
    assert delta.loc[pr_id, "aenderung_prozent"] == pytest.approx(
        expected / _share_65(2005, pr_id) * 100)
    assert delta.loc["Region", "aenderung"] == pytest.approx(
        _share_65(2012, "000") - _share_65(2005, "000"))
    with pytest.raises(AnalysisError, match="Basisjahr 2012 muss vor"):
        change(table, 2012)
    with pytest.raises(AnalysisError, match="Für 2003 hat die Entwicklung keinen Wert"):
        change(table, 2003)


def test_offers_per_10000_in_two_years_from_the_one_offer_rule(koeln):
    directory = koeln.directory()
    table = trend(koeln, "angebote_je_10000", jahre=[2006, 2012])
    for year in (2006, 2012):
        day = date(year, 12, 31).isoformat()
        start = directory["gueltig_von"].fillna("")
        end = directory["gueltig_bis"].fillna("")
        active = directory[((start == "") | (start <= day)) & ((end == "") | (end >= day))]
        assert len(koeln.offers(date(year, 12, 31))) == len(active)
        region = table.loc[table["jahr"] == year, "wert_region"].iloc[0]
        assert region == pytest.approx(len(active) / source_figure(year, "000") * 10_000)
    counts = {y: len(koeln.offers(date(y, 12, 31))) for y in (2006, 2012)}
    assert counts[2006] < counts[2012]  # the synthetic directory has a history
    # A year after the last population figures: offers of that year, inhabitants carried forward.
    later = trend(koeln, "angebote_je_10000", jahre=[2016])
    assert set(later["jahr_bevoelkerung"]) == {2012}


def test_two_areas_side_by_side(koeln):
    table = compare_areas(indicators(koeln, jahr=2010), ["101", "909"]).set_index("kennzahl")
    assert table.loc["einwohner", "101 Altstadt/Süd"] == source_figure(2010, "101")
    assert table.loc["einwohner", "909 Flittard"] == source_figure(2010, "909")
    assert table.loc["anteil_65_plus", "Region"] == pytest.approx(_share_65(2010, "000"))
    with pytest.raises(AnalysisError, match="mindestens zwei"):
        compare_areas(indicators(koeln), ["101", "999"])


def test_own_table_keyed_by_area_and_year(koeln_region_copy, tmp_path):
    region = koeln_region_copy
    lines = ["Stadtteil;Jahr;Spielplaetze"]
    for year, factor in ((2006, 1), (2011, 2)):
        lines += [f"{pr};{year};{factor * (i + 1)}" for i, pr in enumerate(
            region.areas()["pr_id"].astype(str))]
    path = tmp_path / "spielplaetze.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    joined = join_table(region.layer("planungsraeume"), path)
    assert joined.jahre == [2006, 2011] and joined.ohne_daten.empty
    save_user_indicators(region.store, joined, quelle="spielplaetze.csv")
    first = region.areas()["pr_id"].astype(str).iloc[0]
    for year, expected in ((2006, 1), (2008, 1), (2011, 2), (2012, 2)):
        long = indicators(region, jahr=year)
        own = long[long["kennzahl"] == "eigen_Spielplaetze"].set_index("pr_id")
        assert own.loc[first, "wert"] == expected, year
        assert own.loc[first, "jahr"] == (2006 if year < 2011 else 2011)
    series = trend(region, "eigen_Spielplaetze", jahre=[2006, 2011])
    assert series[series["pr_id"] == first]["wert"].tolist() == [1, 2]


def test_cli_trend_and_comparison(koeln_build, capsys, tmp_path):
    out, delta = tmp_path / "entwicklung.csv", tmp_path / "veraenderung.csv"
    assert cli.main(["planungsraeume", "entwicklung", "--region", "koeln", "--planungsraum",
                     "909", "--out", str(out), "--veraenderung-out", str(delta)]) == 0
    printed = capsys.readouterr().out
    assert "Anteil 65 Jahre und älter (%), 2005–2012" in printed and "909 Flittard" in printed
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Nr.": str})
    row = table[table["Nr."] == "909"].iloc[0]
    for year in YEARS:
        assert float(row[str(year)]) == pytest.approx(_share_65(year, "909"), abs=0.05)
    changes = pd.read_csv(delta, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Nr.": str})
    assert "Veränderung (Prozentpunkte)" in changes.columns
    assert cli.main(["planungsraeume", "vergleich", "--region", "koeln", "--planungsraum", "101",
                     "909", "--jahr", "2010"]) == 0
    printed = capsys.readouterr().out
    assert "101 Altstadt/Süd" in printed and "909 Flittard" in printed
    assert f"{int(source_figure(2010, '909')):,}".replace(",", ".") in printed
    assert cli.main(["planungsraeume", "kennzahlen", "--region", "koeln", "--jahr", "2007"]) == 0
    assert "Kennzahlen für 2007 (Einwohner 2007" in capsys.readouterr().out


def test_steckbrief_shows_the_trend(koeln, tmp_path):
    from planungsraeume.steckbrief import write_reports

    written = write_reports(koeln, tmp_path, pr_ids=["909"], formats=["html", "pdf"])
    html = next(p for p in written if p.suffix == ".html").read_text(encoding="utf-8")
    assert "Anteil 65 Jahre und älter nach Jahren" in html
    first = f"{_share_65(2005, '909'):.1f}".replace(".", ",")
    assert f"<td class=\"num\">{first} %</td>" in html or f">{first} %<" in html
    change_pp = f"{_share_65(2012, '909') - _share_65(2005, '909'):+.1f}".replace(".", ",")
    assert f"Veränderung 2005–2012: {change_pp} Prozentpunkte" in html
