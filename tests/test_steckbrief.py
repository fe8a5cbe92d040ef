"""Planungsraum-Steckbrief: PDF and HTML content, the report command for every Aachen area."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from pypdf import PdfReader

from cli import main
from layers.formatting import de_number, de_percent
from layers.settings import privacy_min_persons
from planungsraeume.steckbrief import (
    BarrierSummary,
    build_area_report,
    load_report_context,
    report_html,
    simple_indicators_from_layers,
    write_report_pdf,
)

AREA = "PR17"  # Rothe Erde: large, with services inside


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def context(aachen_store):
    return load_report_context(aachen_store)


@pytest.fixture(scope="module")
def indicators(aachen_store):
    return simple_indicators_from_layers(aachen_store)


def _coverage_input() -> pd.DataFrame:
    """Test input in the documented coverage format (the real one comes from reachability)."""
    return pd.DataFrame(
        {
            "pr_id": [AREA, AREA, "PR01"],
            "typ": ["EUTB", "EUTB", "EUTB"],
            "profil": ["fuss", "rollstuhl", "fuss"],
            "minuten": [15, 15, 15],
            "anteil_einwohner": [0.8123, 0.4567, 0.9],
            "anteil_65_plus": [0.7777, 0.3333, 0.9],
            "region_anteil_einwohner": [0.6543, 0.5, 0.6543],
        }
    )


def _barrier_input() -> BarrierSummary:
    """Test input in the documented format (the real one comes from the privacy module)."""
    return BarrierSummary(
        tabelle=pd.DataFrame(
            {"pr_id": [AREA, AREA], "merkmal": ["Personen mit Meldungen", "häufigster ICF-Code"],
             "wert": ["25", "e150 Gestaltung öffentlicher Gebäude"]}
        ),
        regel=f"Werte erst ab {privacy_min_persons} Personen, auf 5 gerundet.",
    )


def test_indicators_cover_every_area_and_add_up(aachen_store, indicators):
    areas = aachen_store.read_layer("planungsraeume")
    cells = aachen_store.read_layer("bevoelkerung")
    people = indicators[indicators["kennzahl"] == "Einwohnerinnen und Einwohner"]
    assert set(people["pr_id"]) == set(areas["pr_id"])
    assert people["wert"].sum() == pytest.approx(cells["einwohner"].sum())
    assert people["regionswert"].iloc[0] == pytest.approx(cells["einwohner"].sum() / len(areas))
    shares = indicators[indicators["einheit"] == "anteil"]
    assert shares["wert"].dropna().between(0, 1).all()


def test_pdf_shows_name_and_the_indicator_figures(context, indicators, tmp_path):
    report = build_area_report(context, AREA, indicators, coverage=_coverage_input(), barriers=_barrier_input())
    path = write_report_pdf(report, tmp_path / "steckbrief.pdf")
    reader = PdfReader(path)
    assert 1 <= len(reader.pages) <= 3
    assert reader.metadata.title == "Planungsraum-Steckbrief Rothe Erde (PR17)"
    text = _pdf_text(path)
    assert "Rothe Erde (PR17)" in text
    own = indicators[indicators["pr_id"] == AREA].set_index("kennzahl")
    population = own.loc["Einwohnerinnen und Einwohner", "wert"]
    assert population > 1000
    assert de_number(population) in text  # e.g. "15.394"
    assert re.search(r"\d{1,3}\.\d{3}", de_number(population))
    older_share = own.loc["Anteil ab 65 Jahren", "wert"]
    assert de_percent(older_share) in text  # e.g. "22,1 %"
    assert de_number(own.loc["Einwohner ab 65 Jahren", "wert"]) in text
    # coverage and barrier sections show what they were given
    assert "81,2 %" in text and "45,7 %" in text and "65,4 %" in text and "im Rollstuhl" in text
    assert "e150 Gestaltung öffentlicher Gebäude" in text.replace("\n", " ")
    assert f"ab {privacy_min_persons} Personen" in text
    # the services of the area are listed, with umlauts intact
    names = context.services[context.services["pr_id"] == AREA]["name"]
    assert len(names) > 0
    for name in names:
        assert str(name) in text.replace("\n", " ")
    assert "© OpenStreetMap-Mitwirkende" in text


def test_html_is_self_contained_and_accessible(context, indicators):
    report = build_area_report(context, AREA, indicators, coverage=_coverage_input())
    page = report_html(report)

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict[str, str | None]]] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append((tag, dict(attrs)))

    parser = Collect()
    parser.feed(page)
    tags = parser.tags
    assert tags[0] == ("html", {"lang": "de"})
    assert [t for t, _ in tags].count("h1") == 1
    images = [a for t, a in tags if t == "img"]
    assert len(images) == 1 and images[0]["src"].startswith("data:image/png;base64,")
    assert "Rothe Erde" in images[0]["alt"]
    assert not [a for t, a in tags if t in ("link", "script") or (t == "img" and not a["src"].startswith("data:"))]
    headers = [a for t, a in tags if t == "th"]
    assert headers and all(a.get("scope") in ("col", "row") for a in headers)
    assert [t for t, _ in tags].count("caption") == [t for t, _ in tags].count("table")
    own = indicators[indicators["pr_id"] == AREA].set_index("kennzahl")
    assert de_number(own.loc["Einwohnerinnen und Einwohner", "wert"]) in page
    assert "Für diesen Bericht liegt keine Barriereauswertung vor." in page


def test_missing_sections_and_bad_inputs(context, indicators):
    report = build_area_report(context, "PR07", indicators)
    assert report.erreichbarkeit is None and report.barrieren is None
    from layers.errors import AnalysisError

    with pytest.raises(AnalysisError, match="PR99"):
        build_area_report(context, "PR99", indicators)
    with pytest.raises(AnalysisError, match="fehlen die Spalten einheit"):
        build_area_report(context, "PR07", indicators.drop(columns="einheit"))
    with pytest.raises(AnalysisError, match="Unbekannte Einheit"):
        build_area_report(context, "PR07", indicators.assign(einheit="Liter"))


@pytest.mark.slow
def test_report_command_writes_every_area(aachen_store, tmp_path, capsys):
    areas = aachen_store.read_layer("planungsraeume")
    out = tmp_path / "berichte"
    assert main(["report", "--region", "aachen", "--out", str(out), "--format", "pdf"]) == 0
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == len(areas) == 27
    for pr_id, name in zip(areas["pr_id"], areas["name"], strict=True):
        match = [p for p in pdfs if p.name.startswith(f"{pr_id}_")]
        assert len(match) == 1
        assert f"{name} ({pr_id})" in PdfReader(match[0]).pages[0].extract_text()
    assert (out / "index.html").exists()
    assert "27 Dateien" in capsys.readouterr().out


def test_report_command_rejects_unknown_area(aachen_store, tmp_path, capsys):
    assert main(["report", "--region", "aachen", "--out", str(tmp_path), "--planungsraum", "PR99"]) == 2
    assert "Unbekannte Planungsräume: PR99" in capsys.readouterr().err


def test_adapter_for_the_indicator_module_long_table(context):
    from planungsraeume.steckbrief import indicators_from_long_table

    # Rows in the documented format of planungsraeume.indikatoren (shares in percent).
    long = pd.DataFrame(
        {
            "pr_id": [AREA, AREA, AREA],
            "name": ["Rothe Erde"] * 3,
            "kennzahl": ["einwohner", "anteil_65_plus", "angebote_je_10000"],
            "bezeichnung": ["Einwohner", "Anteil 65 Jahre und älter", "Angebote je 10.000 Einw."],
            "einheit": ["Personen", "%", "je 10.000 Einw."],
            "wert": [15394.0, 23.4, 2.6],
            "wert_region": [8126.0, 22.1, 3.5],
        }
    )
    table = indicators_from_long_table(long, keys=["anteil_65_plus", "einwohner"])
    assert table["kennzahl"].tolist() == ["Anteil 65 Jahre und älter", "Einwohner"]
    assert table["wert"].tolist() == pytest.approx([0.234, 15394.0])
    report = build_area_report(context, AREA, table)
    assert report.kennzahlen[0][:3] == ("Anteil 65 Jahre und älter", "23,4 %", "22,1 %")
    assert report.kennzahlen[1][:3] == ("Einwohner", "15.394", "8.126")
    from layers.errors import AnalysisError

    with pytest.raises(AnalysisError, match="Unbekannte Einheit"):
        indicators_from_long_table(long.assign(einheit="Liter"))


def test_adapter_for_the_reachability_coverage_table():
    from planungsraeume.steckbrief import coverage_from_area_table

    # Rows in the documented format of analyses.coverage.coverage_by_area.
    table = pd.DataFrame(
        {
            "pr_id": [AREA, "PR01", "gesamt", AREA, "PR01", "gesamt"],
            "schwelle_min": [10, 10, 10, 15, 15, 15],
            "einwohner": [1000, 500, 1500, 1000, 500, 1500],
            "einwohner_erreicht": [250, 500, 750, 800, 500, 1300],
            "ab65": [200, 100, 300, 200, 100, 300],
            "ab65_erreicht": [50, 100, 150, 150, 100, 250],
            "profil": ["rollstuhl"] * 6,
            "auswahl": ["EUTB"] * 6,
        }
    )
    coverage = coverage_from_area_table(table)
    assert len(coverage) == 4 and set(coverage["pr_id"]) == {AREA, "PR01"}
    row = coverage[(coverage["pr_id"] == AREA) & (coverage["minuten"] == 15)].iloc[0]
    assert row["anteil_einwohner"] == pytest.approx(0.8)
    assert row["anteil_65_plus"] == pytest.approx(0.75)
    assert row["region_anteil_einwohner"] == pytest.approx(1300 / 1500)
    assert row["typ"] == "EUTB" and row["profil"] == "rollstuhl"
