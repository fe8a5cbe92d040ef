"""The German display tables and the one Excel CSV writer, on tiny hand-made results."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analyses.scenarios import ScenarioComparison
from cli.common import print_table
from planungsraeume import darstellung as d
from planungsraeume.versorgung import AreaAccessibility


def _coverage() -> pd.DataFrame:
    """Two areas, the inhabitants outside every area and the region, two thresholds."""
    rows = []
    for minutes, reached in ((10, (100, 0, 0)), (15, (1500, 20, 3))):
        people = (2000, 30, 5)
        off = (10, 0, 2)
        for (key, name), total, hit, loose in zip(
                (("PR01", "Mitte"), ("PR02", "Nord"), ("ohne", "ohne Planungsraum")),
                people, reached, off, strict=True):
            rows.append({"pr_id": key, "planungsraum": name, "schwelle_min": minutes,
                         "einwohner": total, "einwohner_erreicht": hit,
                         "einwohner_nicht_erreicht": total - hit - loose,
                         "einwohner_nicht_angebunden": loose,
                         "ab65": total // 5, "ab65_erreicht": hit // 5,
                         "ab65_nicht_erreicht": total // 5 - hit // 5 - loose // 5,
                         "ab65_nicht_angebunden": loose // 5})
        block = pd.DataFrame(rows[-3:])
        total_row = block.drop(columns=["pr_id", "planungsraum"]).sum().to_dict()
        rows.append({**total_row, "pr_id": "gesamt", "planungsraum": "Region gesamt",
                     "schwelle_min": minutes})
    table = pd.DataFrame(rows)
    table["anteil_erreicht_prozent"] = (100 * table["einwohner_erreicht"] / table["einwohner"]).round(1)
    table["anteil_ab65_erreicht_prozent"] = (100 * table["ab65_erreicht"] / table["ab65"]).round(1)
    return table


def test_coverage_table_has_german_headers_and_adds_up():
    table = d.coverage_table(_coverage(), 15)
    assert list(table.columns) == [
        "Nr.", "Planungsraum", "Einwohner", "erreicht", "nicht erreicht", "nicht angebunden",
        "Anteil erreicht (%)", "65 Jahre und älter", "65+ erreicht", "65+ nicht erreicht",
        "65+ nicht angebunden", "Anteil 65+ erreicht (%)"]
    assert table["Nr."].tolist() == ["PR01", "PR02", "–", ""]
    assert table["Planungsraum"].iloc[-1] == "Region gesamt"
    for prefix, total in (("", "Einwohner"), ("65+ ", "65 Jahre und älter")):
        parts = table[[f"{prefix}erreicht", f"{prefix}nicht erreicht", f"{prefix}nicht angebunden"]]
        assert (parts.sum(axis=1) == table[total]).all()
    assert table["Einwohner"].iloc[:-1].sum() == table["Einwohner"].iloc[-1] == 2035
    text = d.text_table(table)
    assert text.iloc[0].tolist()[:7] == ["PR01", "Mitte", "2.000", "1.500", "490", "10", "75,0"]


def test_thresholds_and_shares_one_column_per_category():
    wide = d.thresholds_table(_coverage())
    assert list(wide.columns) == ["Nr.", "Planungsraum", "in 10 Min. (%)", "in 15 Min. (%)"]
    assert wide["in 15 Min. (%)"].tolist() == [75.0, pytest.approx(66.7), 60.0,
                                               pytest.approx(74.8)]  # 1523 of 2035
    shares = pd.DataFrame({
        "pr_id": ["PR01", "PR01", "gesamt", "gesamt"],
        "planungsraum": ["Mitte", "Mitte", "Region gesamt", "Region gesamt"],
        "kategorie": ["A", "keine", "A", "keine"], "anzahl": [30, 70, 30, 70],
        "anteil_prozent": [30.0, 70.0, 30.0, 70.0]})
    assert list(d.share_table(shares).columns) == ["Nr.", "Planungsraum", "A (%)", "keine (%)"]
    classes = d.class_table(shares, "Güteklasse", "Adressen")
    assert classes.to_dict("list") == {"Güteklasse": ["A", "keine"], "Adressen": [30, 70],
                                       "Anteil (%)": [30.0, 70.0]}


def test_text_table_formats_german_with_signs_and_missing_values():
    table = pd.DataFrame({"Planungsraum": ["A", "B", "C"], "Differenz": [1234.4, -5.0, 0.2],
                          "Wert": [0.125, np.nan, 12345.678], "Anzahl": [1, 2, 3]})
    table.attrs.update({d.DECIMALS: {"Differenz": 0, "Wert": 2}, d.SIGNED: ["Differenz"]})
    text = d.text_table(table)
    assert text["Differenz"].tolist() == ["+1.234", "-5", "0"]
    assert text["Wert"].tolist() == ["0,12", "–", "12.345,68"]
    assert text["Anzahl"].tolist() == ["1", "2", "3"]
    assert d.format_value(0.004, 2, signed=True) == "0,00"
    assert d.format_value("keine Angabe") == "keine Angabe"


def test_csv_writer_is_excel_csv(tmp_path):
    points = gpd.GeoDataFrame({"name": ["Bürgerhaus"], "anteil": [12.5]},
                              geometry=[shapely.Point(295000, 5627000)], crs="EPSG:25832")
    raw = d.csv_bytes(points)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines() == ["name;anteil", "Bürgerhaus;12,5"]
    path = d.write_csv(d.points_table(points), tmp_path / "neu" / "punkte.csv")
    again = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    assert list(again.columns) == ["name", "anteil", "lon", "lat"]
    # UTM 32N 295000/5627000 is 6.0933197° E, 50.7585128° N (pyproj, independently of the code).
    assert again["lon"].iloc[0] == pytest.approx(6.093320, abs=1e-6)
    assert again["lat"].iloc[0] == pytest.approx(50.758513, abs=1e-6)


def _comparison() -> ScenarioComparison:
    per_area = pd.DataFrame({
        "einwohner": [1000.0, 500.0], "einwohner_65_plus": [200.0, 100.0],
        "versorgt_vorher": [400.0, 0.0], "versorgt_nachher": [600.0, 50.0],
        "differenz": [200.0, 50.0], "versorgt_65_vorher": [80.0, 0.0],
        "versorgt_65_nachher": [120.0, 10.0], "differenz_65": [40.0, 10.0],
        "anteil_vorher": [0.4, 0.0], "anteil_nachher": [0.6, 0.1]},
        index=pd.Index(["PR01", "ohne"], name="pr_id"))
    access = pd.DataFrame({"vorher": [1.5, 0.0, 1.0], "nachher": [2.0, 0.5, 1.5]},
                          index=["PR01", "ohne", "Region"])
    access["differenz"] = access["nachher"] - access["vorher"]
    empty = gpd.GeoDataFrame({"typ": []}, geometry=[], crs="EPSG:25832")
    return ScenarioComparison(per_area, pd.DataFrame(), 400.0, 650.0, 80.0, 130.0, empty, empty,
                              access)


def test_scenario_tables_before_after_and_for_download():
    result = _comparison()
    table = d.scenario_table(result, {"PR01": "Mitte"})
    assert table["Nr."].tolist() == ["PR01", "–", ""]
    assert table["Planungsraum"].tolist() == ["Mitte", "ohne Planungsraum", "Region gesamt"]
    assert table["Differenz"].tolist() == [200.0, 50.0, 250.0]
    assert table["2SFCA nachher"].tolist() == [2.0, 0.5, 1.5]
    text = d.text_table(table)
    assert text["Differenz"].tolist() == ["+200", "+50", "+250"]
    assert text["Anteil nachher (%)"].tolist() == ["60,0", "10,0", "43,3"]
    assert text["Differenz 2SFCA"].tolist() == ["+0,50", "+0,50", "+0,50"]
    download = d.scenario_export_table(result, {"PR01": "Mitte"})
    # German headers (not pr_id / 2sfca_vorher), shares in percent, rounded in the CSV.
    assert download["Planungsraum-Nr."].tolist() == ["PR01", "ohne", "gesamt"]
    assert download["2SFCA vorher"].tolist() == [1.5, 0.0, 1.0]
    assert "pr_id" not in download.columns
    csv = d.csv_bytes(download).decode("utf-8-sig").splitlines()
    assert csv[0].split(";")[:3] == ["Planungsraum-Nr.", "Planungsraum", "Einwohner"]
    assert csv[3].split(";")[download.columns.get_loc("Anteil nachher (%)")] == "43,3"
    access = d.scenario_accessibility_table(result, {"PR01": "Mitte"})
    assert access["Planungsraum"].tolist() == ["Mitte", "ohne Planungsraum", "Region gesamt"]


def test_site_method_text_is_plain_german_with_the_candidate_count():
    from types import SimpleNamespace

    plan = SimpleNamespace(vorschlag=SimpleNamespace(modell="MCLP", optimal=True,
                                                     verfahren="spopt MCLP mit CBC, optimal"))
    text = d.site_method_text(plan, 1278)
    assert text.startswith("Geprüft wurden 1.278 Kandidaten")
    assert "nachweislich die beste" in text and "spopt" not in text
    plan.vorschlag.optimal = False
    assert "nicht nachweislich" in d.site_method_text(plan, 1)
    assert "1 Kandidat " in d.site_method_text(plan, 1)


def test_accessibility_tables_show_the_capacity_source():
    per_area = pd.DataFrame({"name": ["Mitte", "Region gesamt"], "nachfrage": [1000.0, 1000.0],
                             "mittelwert": [2.345, 2.345], "anteil_ohne_angebot": [0.1, 0.1]},
                            index=["PR01", "Region"])
    offers = pd.DataFrame({"name": ["EUTB Mitte"], "typ": ["EUTB"], "angebot": [39.0],
                           "kapazitaet_quelle": ["standard"],
                           "kapazitaet_hinweis": ["Standardwert 39 Std./Woche (angenommen)"],
                           "je_einheit": [3.9]}, index=["a1"])
    result = AreaAccessibility(pd.DataFrame(), per_area, offers, "fuss", ("EUTB",), 30.0,
                               "2SFCA", "Einwohner")
    area = d.text_table(d.accessibility_area_table(result))
    assert area.iloc[0].tolist() == ["PR01", "Mitte", "1.000", "2,35", "10,0"]
    assert area["Nr."].iloc[-1] == ""
    offer = d.accessibility_offer_table(result)
    assert offer["Kapazität"].tolist() == ["Standardwert 39 Std./Woche (angenommen)"]


def test_barrier_values_never_show_a_suppressed_count_as_zero():
    assert d.count_text(None) == d.count_text(np.nan) == d.count_text(pd.NA) == "keine Angabe"
    assert d.count_text(1234) == "1.234" and d.rate_text(4.56) == "4,6"


def test_terminal_table_joins_number_and_name(capsys):
    print_table(d.coverage_table(_coverage(), 15))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Planungsraum") and "Einwohner" in lines[0]
    assert lines[1].startswith("PR01 Mitte ")
    assert lines[3].startswith("ohne Planungsraum") and lines[4].startswith("Region gesamt")
    assert len({len(line) for line in lines[:2]}) == 1  # aligned columns


def test_problem_table_names_row_and_column():
    from layers.errors import Problem

    table = d.problem_table([Problem("Der Typ fehlt.", "Tragen Sie ihn ein.", zeile=3,
                                     spalte="typ")])
    assert table.to_dict("records") == [{"Zeile": 3, "Spalte": "typ", "Schwere": "fehler",
                                         "Meldung": "Der Typ fehlt.",
                                         "So beheben": "Tragen Sie ihn ein."}]
    assert io.BytesIO(d.csv_bytes(table)).read().startswith(b"\xef\xbb\xbfZeile;Spalte")


def test_hotspot_list_ranks_cells_with_area_and_streets():
    # Two 250 m cells side by side in UTM; areas split at x = 250; one street per cell, one across.
    cells = gpd.GeoDataFrame({
        "gitter_id": ["A", "B", "C"], "personen": [10.0, 35.0, 20.0], "meldungen": [10.0, 40.0, 20.0],
        "rate_eb_je_1000": [5.0, 45.3, 9.0], "gi_z": [2.5, 3.9, 0.4],
        "klasse": ["Hotspot", "Hotspot", "nicht signifikant"]},
        geometry=[shapely.box(0, 0, 250, 250), shapely.box(250, 0, 500, 250),
                  shapely.box(500, 0, 750, 250)], crs="EPSG:25832")
    areas = gpd.GeoDataFrame({"pr_id": ["PR01", "PR02"], "name": ["West", "Ost"]},
                             geometry=[shapely.box(0, 0, 250, 250), shapely.box(250, 0, 750, 250)],
                             crs="EPSG:25832")
    streets = gpd.GeoDataFrame({"strasse": ["Lange Straße", "Kurze Gasse", "Querweg"]}, geometry=[
        shapely.LineString([(0, 100), (480, 100)]),    # 250 m in A, 230 m in B
        shapely.LineString([(300, 50), (320, 50)]),    # 20 m in B
        shapely.LineString([(10, 10), (10, 60)])],     # 50 m in A
        crs="EPSG:25832")
    table = d.barrier_hotspot_table(cells, areas, streets)
    assert table["Rang"].tolist() == [1, 2]  # the not significant cell C is not listed
    assert table["Gitterzelle"].tolist() == ["B", "A"]  # strongest Gi* first
    assert table["Planungsraum"].tolist() == ["PR02 Ost", "PR01 West"]
    assert table["Straßen in der Zelle"].tolist() == ["Lange Straße, Kurze Gasse",
                                                      "Lange Straße, Querweg"]
    assert table["Personen"].tolist() == ["35", "10"]
    assert table["geglättet je 1.000 Einw."].tolist() == ["45,3", "5,0"]
    other_crs = cells.to_crs("EPSG:3035")
    with pytest.raises(Exception, match="CRS|Koordinatensystem|crs"):
        d.barrier_hotspot_table(other_crs, areas, streets)


def test_street_table_is_sorted_by_persons_then_name():
    from types import SimpleNamespace

    streets = pd.DataFrame({"strasse": ["Allee", "Bachweg", "Zeile", "Markt"],
                            "personen": [10.0, np.nan, 25.0, 10.0],
                            "meldungen": [10.0, np.nan, 30.0, 15.0]})
    table = d.barrier_street_table(SimpleNamespace(strassen=lambda: streets))
    assert table["Straße"].tolist() == ["Zeile", "Markt", "Allee", "Bachweg"]
    assert table["Personen"].tolist()[-1] == "keine Angabe"
