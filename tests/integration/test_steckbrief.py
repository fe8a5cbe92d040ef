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
    CoverageChoice,
    build_area_report,
    load_report_context,
    report_barriers,
    report_coverage,
    report_html,
    report_indicators,
    write_report_pdf,
)

AREA = "PR17"  # Rothe Erde: large, with services inside


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def context(aachen):
    return load_report_context(aachen)


@pytest.fixture(scope="module")
def indicators(aachen):
    return report_indicators(aachen)


@pytest.fixture(scope="module")
def long_indicators(aachen):
    """The indicator module's own table (#4), for independent comparison."""
    from planungsraeume.indikatoren import indicators as region_indicators

    return region_indicators(aachen)


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


def test_indicators_come_from_the_indicator_module(aachen_store, indicators, long_indicators):
    areas = aachen_store.read_layer("planungsraeume")
    cells = aachen_store.read_layer("bevoelkerung")
    people = indicators[indicators["kennzahl"] == "Einwohner"]
    assert set(people["pr_id"]) == set(areas["pr_id"])
    assert people["wert"].sum() == pytest.approx(cells["einwohner"].sum())
    # Counts compare by the region's total and rates, not by the per-area average (the issue).
    assert people["regionswert"].iloc[0] == pytest.approx(cells["einwohner"].sum())
    shares = indicators[indicators["einheit"] == "anteil"]
    assert shares["wert"].dropna().between(0, 1).all()
    # Every figure is #4's, shares converted from percent to 0..1.
    own = long_indicators.set_index(["pr_id", "bezeichnung"])
    for row in indicators.itertuples():
        source = own.loc[(row.pr_id, row.kennzahl)]
        factor = 0.01 if source["einheit"] == "%" else 1.0
        assert row.wert == pytest.approx(source["wert"] * factor, nan_ok=True)
        if source["einheit"] in ("Personen", "Anzahl"):
            total = long_indicators.loc[long_indicators["bezeichnung"] == row.kennzahl, "wert"].sum()
            assert row.regionswert == pytest.approx(total)
            if row.kennzahl != "Einwohner":
                here = float(people.loc[people["pr_id"] == row.pr_id, "wert"].iloc[0])
                assert row.je_10000 == pytest.approx(row.wert / here * 10_000)
                assert row.region_je_10000 == pytest.approx(total / people["wert"].sum() * 10_000)
        else:
            assert row.regionswert == pytest.approx(source["wert_region"] * factor, nan_ok=True)
    assert "Anteil 65 Jahre und älter" in set(indicators["kennzahl"])
    assert "Anteil der Angebote mit stufenlosem Zugang" in set(indicators["kennzahl"])


def test_pdf_shows_name_and_the_indicator_figures(context, indicators, tmp_path):
    report = build_area_report(context, AREA, indicators, coverage=_coverage_input(), barriers=_barrier_input())
    path = write_report_pdf(report, tmp_path / "steckbrief.pdf")
    reader = PdfReader(path)
    assert 1 <= len(reader.pages) <= 3
    assert reader.metadata.title == "Planungsraum-Steckbrief Rothe Erde (PR17)"
    text = _pdf_text(path)
    assert "Rothe Erde (PR17)" in text
    own = indicators[indicators["pr_id"] == AREA].set_index("kennzahl")
    population = own.loc["Einwohner", "wert"]
    assert population > 1000
    assert de_number(population) in text  # e.g. "15.394"
    assert re.search(r"\d{1,3}\.\d{3}", de_number(population))
    older_share = own.loc["Anteil 65 Jahre und älter", "wert"]
    assert de_percent(older_share) in text  # e.g. "22,1 %"
    assert de_number(own.loc["Einwohner 65 Jahre und älter", "wert"]) in text
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
    assert headers and all(a.get("scope") in ("col", "colgroup", "row") for a in headers)
    assert any(a.get("scope") == "colgroup" for a in headers)  # profiles as column groups
    assert [t for t, _ in tags].count("caption") == [t for t, _ in tags].count("table")
    own = indicators[indicators["pr_id"] == AREA].set_index("kennzahl")
    assert de_number(own.loc["Einwohner", "wert"]) in page
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
            "pr_id": [AREA, AREA, AREA, AREA, "PR01", "PR01"],
            "name": ["Rothe Erde"] * 4 + ["Anderswo"] * 2,
            "kennzahl": ["einwohner", "anteil_65_plus", "angebote_je_10000", "beratung",
                         "einwohner", "beratung"],
            "bezeichnung": ["Einwohner", "Anteil 65 Jahre und älter", "Angebote je 10.000 Einw.",
                            "Beratungsangebote", "Einwohner", "Beratungsangebote"],
            "einheit": ["Personen", "%", "je 10.000 Einw.", "Anzahl", "Personen", "Anzahl"],
            "art": ["anzahl", "anteil", "rate", "anzahl", "anzahl", "anzahl"],
            "wert": [15394.0, 23.4, 2.6, 4.0, 10000.0, 1.0],
            "wert_region": [12697.0, 22.1, 3.5, 2.5, 12697.0, 2.5],
        }
    )
    table = indicators_from_long_table(long, keys=["anteil_65_plus", "einwohner", "beratung"])
    mine = table[table["pr_id"] == AREA]
    assert mine["kennzahl"].tolist() == ["Anteil 65 Jahre und älter", "Einwohner", "Beratungsangebote"]
    assert mine["wert"].tolist() == pytest.approx([0.234, 15394.0, 4.0])
    report = build_area_report(context, AREA, table)
    assert report.kennzahlen[0][:3] == ("Anteil 65 Jahre und älter", "23,4 %", "22,1 %")
    # Counts: the region column is the region's total (inhabitants) or its rate per 10,000
    # inhabitants (5 offers / 25,394 people = 2,0), compared with the area's rate (4 / 15,394
    # = 2,6); never the per-area average (12.697 inhabitants, 2,5 offers) it used to show.
    assert report.kennzahlen[1] == ("Einwohner", "15.394", "25.394 gesamt", "–")
    assert report.kennzahlen[2] == ("Beratungsangebote", "4 (2,6 je 10.000 Einw.)",
                                    "2,0 je 10.000 Einw.", "höher")
    from layers.errors import AnalysisError

    with pytest.raises(AnalysisError, match="Unbekannte Einheit"):
        indicators_from_long_table(long.assign(einheit="Liter"))


@pytest.mark.slow
def test_report_of_the_real_engines_shows_their_figures(aachen, long_indicators, tmp_path):
    """Acceptance: the PDF carries #4's indicators, #3's network coverage and #5's published
    barrier figures, each formatted the German way, as the engines return them."""
    from analyses.privacy import MISSING_LABEL
    from planungsraeume import erreichbarkeit as workflow
    from planungsraeume.barrieren import area_summaries, publication
    from planungsraeume.frage import Question
    from planungsraeume.steckbrief import write_reports

    written = write_reports(aachen, tmp_path, pr_ids=[AREA], formats=["pdf", "html"])
    pdf = next(p for p in written if p.suffix == ".pdf")
    text = " ".join(_pdf_text(pdf).split())
    assert "Rothe Erde (PR17)" in text
    # indicators (#4)
    own = long_indicators[long_indicators["pr_id"] == AREA].set_index("kennzahl")
    assert de_number(own.loc["einwohner", "wert"]) in text
    assert de_percent(own.loc["anteil_65_plus", "wert"] / 100) in text
    assert de_number(own.loc["beratung_je_10000", "wert"], 1) in text
    assert de_number(own.loc["einwohnerdichte", "wert"], 0) in text
    # coverage on the network (#3): the best-covered advice type of the area, wheelchair, 15 min
    shares = {}
    for typ in ("Pflegestützpunkt", "KSL", "Peer-Beratung", "EUTB"):
        table = workflow.coverage(aachen, Question.make(typ=typ, profil="rollstuhl", minuten=15))
        row = table[table["pr_id"] == AREA].iloc[0]
        shares[typ] = row["einwohner_erreicht"] / row["einwohner"]
    best = max(shares, key=lambda t: shares[t])
    assert shares[best] > 0.05
    assert f"{best} " in text and de_percent(shares[best]) in text
    region = table[table["pr_id"] == "gesamt"].iloc[0]
    assert de_percent(region["einwohner_erreicht"] / region["einwohner"]) in text  # EUTB region
    # barriers (#5): only what the disclosure gate published
    summary = next(s for s in area_summaries(aachen, publication(aachen)) if s.pr_id == AREA)
    assert summary.veroeffentlicht and summary.personen >= privacy_min_persons
    assert f"{de_number(summary.personen)} Personen, {de_number(summary.meldungen)} Meldungen" in text
    assert summary.top_codes["icf_code"].iloc[0] in text
    assert f"mindestens {privacy_min_persons} verschiedenen Personen" in text
    assert "Cell-Key-Methode" in text
    html_page = next(p for p in written if p.suffix == ".html").read_text(encoding="utf-8")
    assert f"{de_number(summary.personen)} Personen" in html_page
    assert f"{MISSING_LABEL} (zu wenige" not in html_page  # PR17 is published


@pytest.mark.slow
def test_suppressed_areas_show_no_barrier_figures(aachen):
    from analyses.privacy import MISSING_LABEL
    from planungsraeume.barrieren import area_summaries, publication

    summaries = area_summaries(aachen, publication(aachen))
    hidden = [s.pr_id for s in summaries if not s.veroeffentlicht]
    assert hidden  # the demo has suppressed areas, so the test can fail
    barriers = report_barriers(aachen)
    assert barriers is not None
    for pr_id in hidden:
        rows = barriers.tabelle[barriers.tabelle["pr_id"] == pr_id]
        assert rows["merkmal"].tolist() == ["Ausgewertet", "Personen mit Meldungen"]
        assert rows["wert"].iloc[1].startswith(MISSING_LABEL)
        assert not any(ch.isdigit() for ch in rows["wert"].iloc[1])


def test_coverage_choice_is_configurable(aachen):
    from planungsraeume import erreichbarkeit as workflow
    from planungsraeume.frage import Question
    from planungsraeume.steckbrief import advice_types_present

    services = aachen.offers()
    advice = advice_types_present(services)
    assert "EUTB" in advice and "Pflegeeinrichtung" not in advice
    table = report_coverage(aachen, CoverageChoice(typen=("EUTB", "KSL"), profile=("rollator",),
                                                          minuten=10))
    assert set(table["typ"]) == {"EUTB", "KSL"} and set(table["profil"]) == {"rollator"}
    assert set(table["minuten"]) == {10}
    direct = workflow.coverage(aachen, Question.make(typ="KSL", profil="rollator", minuten=10))
    row = direct[direct["pr_id"] == AREA].iloc[0]
    mine = table[(table["pr_id"] == AREA) & (table["typ"] == "KSL")].iloc[0]
    assert mine["anteil_einwohner"] == pytest.approx(row["einwohner_erreicht"] / row["einwohner"])
    assert mine["anteil_65_plus"] == pytest.approx(row["ab65_erreicht"] / row["ab65"])


def test_first_page_says_which_data_are_generated_modelled_or_synthetic(aachen, tmp_path):
    from planungsraeume.steckbrief import area_files, data_kind_line, report_inputs

    # The demo's data carry their kind: generated areas, modelled population, synthetic reports.
    kinds = {layer: set(aachen.layer(layer, ("quelle",))["quelle"].astype(str))
             for layer in ("planungsraeume", "bevoelkerung", "barrieren")}
    assert any("generiert" in v for v in kinds["planungsraeume"])
    assert any("synthetisch" in v for v in kinds["barrieren"])
    line = data_kind_line(aachen)
    assert "Planungsräume generiert" in line and "Bevölkerung modelliert" in line
    assert "Barrieremeldungen erfunden (synthetisch)" in line
    context = load_report_context(aachen)
    files = area_files(context, report_inputs(aachen), "PR05", ("pdf", "html"))
    path = tmp_path / files[".pdf"][0]
    path.write_bytes(files[".pdf"][1])
    first = PdfReader(path).pages[0].extract_text()
    assert "Datenlage:" in first and "Planungsräume generiert" in first
    assert "Barrieremeldungen erfunden" in first
    page = files[".html"][1].decode("utf-8")
    assert page.index("Datenlage:") < page.index('id="h-karte"')  # under the title


def _structure(node, found) -> None:
    """Collect the structure types of a PDF structure tree (and the Figure alt texts)."""
    node = node.get_object()
    if not isinstance(node, dict):
        return
    if "/S" in node:
        kind = str(node["/S"])
        found.setdefault(kind, 0)
        found[kind] += 1
        if kind == "/Figure":
            found.setdefault("alt", []).append(str(node.get("/Alt") or ""))
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        if hasattr(kid, "get_object"):
            _structure(kid, found)
        elif isinstance(kid, dict):
            _structure(kid, found)


def test_steckbrief_pdf_is_tagged_pdf_ua(aachen, tmp_path):
    """Structural PDF/UA check (veraPDF is not available as a package here): language, marked
    content, structure tree with headings, tables with header cells, the map as Figure with an
    alternative text, the title shown, the PDF/UA identifier in the XMP metadata."""
    from planungsraeume.steckbrief import tagged_pdf_available, write_reports

    if not tagged_pdf_available():
        pytest.skip("WeasyPrint/Pango fehlt: der Steckbrief wird ungetaggt mit reportlab gesetzt.")
    files = write_reports(aachen, tmp_path, pr_ids=["PR05"], formats=("pdf",))
    reader = PdfReader(next(f for f in files if f.suffix == ".pdf"))
    root = reader.trailer["/Root"]
    assert str(root["/Lang"]).startswith("de")
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    assert "pdfuaid:part" in xmp
    found: dict = {}
    _structure(root["/StructTreeRoot"], found)
    assert found.get("/H1") == 1 and found.get("/H2", 0) >= 3
    assert found.get("/Table", 0) >= 3 and found.get("/TH", 0) > 0 and found.get("/TD", 0) > 0
    assert found.get("/Figure") == 1 and found["alt"][0].startswith("Karte des Planungsraums")
    assert reader.metadata.title and "Europadorf" in reader.metadata.title
    first = reader.pages[0].extract_text()
    assert "Datenlage:" in first and "Barrieremeldungen erfunden (synthetisch)" in first.replace("\n", " ")
