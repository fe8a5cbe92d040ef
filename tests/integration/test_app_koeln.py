"""AppTest of every page on Köln (official figures per Stadtteil, no pedestrian network).

Pages that need the network say so in one German sentence instead of failing; the others show
the official figures of the source file.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from layers import settings
from tests.tools.koeln import SENIOR_BANDS, source_figure

pytestmark = pytest.mark.slow

APP = str(settings.project_root / "app.py")
NO_NETWORK = "hat kein Wegenetz"


def open_page(page: str | None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=300)
    app.session_state["region"] = "koeln"
    app.run()
    if page:
        app.switch_page(f"ui/pages/{page}.py").run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def _infos(app: AppTest) -> list[str]:
    return [i.value for i in app.info]


@pytest.mark.parametrize("page", ["erreichbarkeit", "szenarien", "netzwerk"])
def test_network_pages_say_so_in_one_sentence(koeln_build, page):
    app = open_page(page)
    notes = [text for text in _infos(app) if NO_NETWORK in text]
    assert len(notes) == 1
    assert notes[0].startswith("Die Region „Köln") and notes[0].endswith("nicht berechnen.")
    assert ". " not in notes[0]  # one sentence
    assert not app.slider and not app.radio  # no controls of a computation that cannot run


@pytest.mark.parametrize("page", [None, "planungsraeume", "konferenz", "barrieren", "daten"])
def test_every_other_page_runs_on_koeln(koeln_build, page):
    open_page(page)


def test_planungsraeume_page_shows_the_official_figures(koeln_build):
    app = open_page("planungsraeume")
    app.selectbox(key="profil_pr").set_value("101").run()
    assert not app.exception
    text = "\n".join(m.value for m in app.markdown)
    assert "27.515" in text  # Altstadt/Süd, 2012, from the source file
    assert source_figure(2012, "101") == 27_515
    assert any(NO_NETWORK in t for t in _infos(app))
    # Where the indicators are shown, the Kerndatensatz (every year, CSV and XLSX) is offered.
    labels = [b.label for b in app.get("download_button")]
    assert "Kerndatensatz (alle Jahre, mit Region) als CSV herunterladen" in labels


def test_konferenz_says_why_there_is_no_reachability(koeln_build):
    app = open_page("konferenz")
    html = "\n".join(m.value for m in app.markdown)
    assert "ohne Wegenetz nicht berechenbar" in html
    first = app.selectbox(key="konferenz_pr").value
    seniors = source_figure(2012, first, *SENIOR_BANDS) / source_figure(2012, first) * 100
    assert f"{seniors:.1f}".replace(".", ",") in html


def _share_65(year: int, raum_id: str) -> float:
    return source_figure(year, raum_id, *SENIOR_BANDS) / source_figure(year, raum_id) * 100


def test_planungsraeume_page_shows_the_trend_and_the_comparison(koeln_build):
    app = open_page("planungsraeume")
    app.selectbox(key="profil_pr").set_value("909").run()
    assert not app.exception
    assert any(h.value == "Entwicklung über die Jahre" for h in app.subheader)
    assert app.selectbox(key="profil_trend_kennzahl").value == "anteil_65_plus"
    assert len(app.get("arrow_vega_lite_chart")) + len(app.get("vega_lite_chart")) >= 1
    change = next(d.value for d in app.dataframe if "Veränderung (Prozentpunkte)" in d.value.columns)
    row = change[change["Nr."] == "909"].iloc[0]
    assert row["2005"] == pytest.approx(_share_65(2005, "909"))
    assert row["2012"] == pytest.approx(_share_65(2012, "909"))
    app.selectbox(key="profil_trend_basis").set_value(2008).run()
    change = next(d.value for d in app.dataframe if "Veränderung (Prozentpunkte)" in d.value.columns)
    assert "2008" in change.columns
    app.multiselect(key="profil_vergleich").set_value(["101"]).run()
    assert not app.exception
    side = next(d.value for d in app.dataframe if "101 Altstadt/Süd" in d.value.columns)
    row = side[side["Kennzahl"] == "Einwohner"].iloc[0]
    assert row["909 Flittard"] == "7.894" and row["101 Altstadt/Süd"] == "27.515"
    assert source_figure(2012, "909") == 7_894


def test_konferenz_shows_one_trend_in_big_type(koeln_build):
    app = open_page("konferenz")
    app.selectbox(key="konferenz_pr").set_value("909").run()
    html = "\n".join(m.value for m in app.markdown)
    assert "Anteil 65 Jahre und älter 2005 → 2012" in html
    first, last = (f"{_share_65(y, '909'):.1f}".replace(".", ",") for y in (2005, 2012))
    assert f"{first} % → {last} %" in html


def test_planungsraeume_page_says_it_once(koeln_build):
    app = open_page("planungsraeume")
    assert len([t for t in _infos(app) if NO_NETWORK in t]) == 1


def _chart_data(chart):
    """The data frames a Vega-Lite element carries (its named datasets)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    return [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]


def test_planungsraeume_page_shows_small_multiples_and_every_change(koeln_build):
    from tests.integration.test_koeln_vergleich import _de, _seniors

    app = open_page("planungsraeume")
    app.selectbox(key="profil_pr").set_value("101").run()
    assert not app.exception
    charts = app.get("arrow_vega_lite_chart") + app.get("vega_lite_chart")
    facets = [c for c in charts if '"facet"' in c.proto.spec]
    assert len(facets) == 1  # one small chart per indicator, in one faceted chart
    data = _chart_data(facets[0])[0]
    assert "Anteil 65 Jahre und älter (%)" in set(data["Kennzahl"])
    seniors = data[(data["kennzahl"] == "einwohner_65_plus") & (data["Reihe"] != "Region")]
    assert seniors.set_index("Jahr")["Wert"].to_dict() == {
        y: _seniors(y, "101") for y in range(2005, 2013)}
    every = next(d.value for d in app.dataframe if "Region: Veränderung" in d.value.columns)
    row = every.set_index("Kennzahl").loc["Einwohner 65 Jahre und älter"]
    first, last = _seniors(2005, "101"), _seniors(2012, "101")
    assert row["2005"] == _de(first) and row["2012"] == _de(last)
    assert row["Veränderung (%)"] == f"{(last - first) / first * 100:+.1f}".replace(".", ",")
    app.selectbox(key="profil_trend_basis").set_value(2008).run()
    every = next(d.value for d in app.dataframe if "Region: Veränderung" in d.value.columns)
    assert every.set_index("Kennzahl").loc["Einwohner 65 Jahre und älter", "2008"] == _de(
        _seniors(2008, "101"))


def test_planungsraeume_page_compares_koeln_with_aachen(koeln_build, aachen_build):
    app = open_page("planungsraeume")
    assert app.selectbox(key="profil_vergleichsregion").value == ""
    app.selectbox(key="profil_vergleichsregion").set_value("aachen").run()
    assert not app.exception and not app.error
    side = next(d.value for d in app.dataframe if "Jahr Aachen" in d.value.columns)
    row = side.set_index("Kennzahl").loc["Einwohner"]
    assert row["Köln"] == "1.044.555" and row["Jahr Köln"] == "2012"
    share = side.set_index("Kennzahl").loc["Anteil 65 Jahre und älter", "Köln"]
    assert share == f"{source_figure(2012, '000', *SENIOR_BANDS) / 1_044_555 * 100:.1f}".replace(
        ".", ",")
    charts = app.get("arrow_vega_lite_chart") + app.get("vega_lite_chart")
    bars = [c for c in charts if '"facet"' in c.proto.spec and '"bar"' in c.proto.spec]
    assert len(bars) == 1
    data = _chart_data(bars[0])[0]
    people = data[data["kennzahl"] == "einwohner"].set_index("Region")["Wert"]
    assert people["Köln"] == 1_044_555 and set(people.index) == {"Köln", "Aachen"}


def test_area_comparison_has_small_multiples(koeln_build):
    from tests.integration.test_koeln_vergleich import _seniors

    app = open_page("planungsraeume")
    app.selectbox(key="profil_pr").set_value("101").run()
    app.multiselect(key="profil_vergleich").set_value(["909"]).run()
    assert not app.exception
    charts = app.get("arrow_vega_lite_chart") + app.get("vega_lite_chart")
    facets = [_chart_data(c)[0] for c in charts if '"facet"' in c.proto.spec]
    both = next(d for d in facets if "909 Flittard" in set(d["Reihe"]))
    assert set(both["Reihe"]) == {"101 Altstadt/Süd", "909 Flittard", "Region"}
    seniors = both[both["kennzahl"] == "einwohner_65_plus"]
    for pr_id, label in (("101", "101 Altstadt/Süd"), ("909", "909 Flittard")):
        line = seniors[seniors["Reihe"] == label].set_index("Jahr")["Wert"]
        assert line[2005] == _seniors(2005, pr_id) and line[2012] == _seniors(2012, pr_id)
