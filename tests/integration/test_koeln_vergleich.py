"""Small multiples, every indicator's change since a base year, the region comparison (Köln beside
Aachen) in the tables the page and the Steckbrief show, and coverage on a date.

Trend values are checked against the Köln source file read independently
(:mod:`tests.tools.koeln`); coverage on a date on a copy of the Aachen demo where one offer
starts later.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

import cli
from planungsraeume import erreichbarkeit
from planungsraeume.darstellung.entwicklung import (
    REGION_SERIES,
    indicator_changes_table,
    region_comparison_long,
    small_multiples_long,
)
from planungsraeume.frage import Question
from planungsraeume.zeitreihe import SMALL_MULTIPLES, changes, compare_regions, trends
from tests.tools.koeln import SENIOR_BANDS, source_figure

pytestmark = pytest.mark.slow

STADTTEIL = "101"  # Altstadt/Süd


def _seniors(year: int, raum_id: str) -> float:
    return source_figure(year, raum_id, *SENIOR_BANDS)


def _de(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def test_small_multiples_and_changes_against_the_source(koeln):
    table = trends(koeln)
    present = list(dict.fromkeys(table["kennzahl"]))
    assert present == [k for k in SMALL_MULTIPLES if k in present]
    assert {"einwohner", "anteil_65_plus", "einwohner_65_plus"} <= set(present)
    assert "anteil_80_plus" not in present  # the source has no 80+ band
    data = small_multiples_long(table, STADTTEIL)
    seniors = data[data["kennzahl"] == "einwohner_65_plus"]
    own = seniors[seniors["Reihe"] == "101 Altstadt/Süd"].set_index("Jahr")["Wert"]
    assert list(own.index) == list(range(2005, 2013))
    for year in (2005, 2012):
        assert own[year] == _seniors(year, STADTTEIL)
    region = seniors[seniors["Reihe"] == REGION_SERIES].set_index("Jahr")["Wert"]
    assert region[2012] == pytest.approx(_seniors(2012, "000") / 86)  # the average per area
    delta = changes(table, 2005).set_index(["kennzahl", "pr_id"])
    first, last = _seniors(2005, STADTTEIL), _seniors(2012, STADTTEIL)
    row = delta.loc[("einwohner_65_plus", STADTTEIL)]
    assert row["aenderung"] == last - first
    assert row["aenderung_prozent"] == pytest.approx((last - first) / first * 100)
    assert row["aenderung_je_jahr"] == pytest.approx((last - first) / 7)
    shown = indicator_changes_table(changes(table, 2005), STADTTEIL).set_index("Kennzahl")
    line = shown.loc["Einwohner 65 Jahre und älter"]
    assert line["2005"] == _de(first) and line["2012"] == _de(last)
    assert line["Veränderung (%)"] == f"{(last - first) / first * 100:+.1f}".replace(".", ",")
    share = shown.loc["Anteil 65 Jahre und älter"]
    points = (last / source_figure(2012, STADTTEIL) - first / source_figure(2005, STADTTEIL)) * 100
    assert share["Veränderung"] == f"{points:+.1f} Prozentpunkte".replace(".", ",")
    later = changes(table, 2008).set_index(["kennzahl", "pr_id"])
    assert later.loc[("einwohner_65_plus", STADTTEIL), "wert_basis"] == _seniors(2008, STADTTEIL)


def test_region_comparison_koeln_beside_aachen(koeln, aachen):
    table = compare_regions([koeln, aachen]).set_index("kennzahl")
    assert table.loc["einwohner", "koeln"] == 1_044_555
    assert table.loc["einwohner", "aachen"] == pytest.approx(
        aachen.population_by_area()["einwohner"].sum())
    long = region_comparison_long(table.reset_index(), {"koeln": "Köln", "aachen": "Aachen"})
    people = long[long["kennzahl"] == "einwohner"].set_index("Region")
    assert people.loc["Köln", "Wert"] == 1_044_555 and people.loc["Köln", "Jahr"] == "2012"
    assert people.loc["Aachen", "Kennzahl"] == "Einwohner (Personen)"
    share = long[long["kennzahl"] == "anteil_65_plus"].set_index("Region")["Wert"]
    assert share["Köln"] == pytest.approx(_seniors(2012, "000") / 1_044_555 * 100)


def test_steckbrief_shows_small_multiples_changes_and_a_second_region(koeln_build, aachen_build,
                                                                      tmp_path, capsys):
    assert cli.main(["report", "--region", "koeln", "--out", str(tmp_path),
                     "--planungsraum", STADTTEIL, "--vergleichsregion", "aachen"]) == 0
    capsys.readouterr()
    html = next(tmp_path.glob("101_*.html")).read_text(encoding="utf-8")
    pdf = next(tmp_path.glob("101_*.pdf"))
    assert pdf.stat().st_size > 10_000
    assert "<h2 id=\"h-regionsvergleich\">Vergleich mit Aachen</h2>" in html
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) == 2
    assert 'alt="Kleine Liniendiagramme je Kennzahl, 2005–2012: der Planungsraum Altstadt/Süd' in html
    assert "<caption>Veränderung je Kennzahl</caption>" in html
    first, last = _seniors(2005, STADTTEIL), _seniors(2012, STADTTEIL)
    section = html[html.index("<caption>Veränderung je Kennzahl</caption>"):]
    row = re.search(r"<th scope=\"row\">Einwohner 65 Jahre und älter</th>(.*?)</tr>",
                    section).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[1:4] == [_de(first), _de(last), f"{_de(last - first)} Personen"
                          if last < first else f"+{_de(last - first)} Personen"]
    region_row = re.search(r"<th scope=\"row\">Einwohner \(Personen\)</th>(.*?)</tr>",
                           html[html.index('id="h-regionsvergleich"'):])
    assert region_row is not None
    values = re.findall(r"<td[^>]*>(.*?)</td>", region_row.group(1))
    assert values[0] == _de(source_figure(2012, STADTTEIL)) and values[1] == "1.044.555"


def test_coverage_on_a_date_follows_gueltig_von(aachen_region_copy):
    """An offer that starts later is absent from the coverage before its first day and present
    from it on (offers active on a date: Region.offers(date) by gueltig_von/gueltig_bis)."""
    from layers.angebote.edit import update_service

    region = aachen_region_copy
    question = Question.make(typ="EUTB", profil="rollstuhl", minuten=15)
    start = date.today() + timedelta(days=400)
    before_day, from_day = start - timedelta(days=1), start
    all_now = erreichbarkeit.coverage(region, question.on(from_day))
    eutb = region.offers()
    eutb = eutb[eutb["typ"] == "EUTB"]
    assert len(eutb) >= 2
    # The offer farthest from every other EUTB offer starts later (its absence shows most).
    gaps = [eutb.geometry.drop(index).distance(point).min()
            for index, point in eutb.geometry.items()]
    offer = eutb.iloc[max(range(len(gaps)), key=gaps.__getitem__)]
    update_service(region.store, str(offer["angebot_id"]), {"gueltig_von": start.isoformat()},
                   expected_version=int(offer["version"]))
    assert str(offer["angebot_id"]) not in set(region.offers(before_day)["angebot_id"].astype(str))
    assert str(offer["angebot_id"]) in set(region.offers(from_day)["angebot_id"].astype(str))
    assert len(region.offers(from_day)) == len(region.offers(before_day)) + 1
    before = erreichbarkeit.coverage(region, question.on(before_day)).set_index("pr_id")
    after = erreichbarkeit.coverage(region, question.on(from_day)).set_index("pr_id")
    column = "einwohner_erreicht"
    assert after.loc["gesamt", column] == pytest.approx(
        all_now.set_index("pr_id").loc["gesamt", column])
    assert after.loc["gesamt", column] > before.loc["gesamt", column]
    assert after.loc["gesamt", "einwohner"] == before.loc["gesamt", "einwohner"]
    travel = erreichbarkeit.travel_times(region, question.on(before_day))
    assert str(offer["angebot_id"]) not in set(travel.attrs["angebote"])
