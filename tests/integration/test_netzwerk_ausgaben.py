"""The cooperation network in the app (AppTest) and on the command line: the figures shown are
those of :mod:`planungsraeume.kooperation` for the same question, imports refuse bad files with
the German message and status 2, and edits reach the analysis."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from layers import settings
from planungsraeume import kooperation
from planungsraeume.frage import Question
from planungsraeume.region import Region

pytestmark = pytest.mark.slow

APP = str(settings.project_root / "app.py")
QUESTION = Question(angebote="beratung", profil="rollstuhl", minuten=15)


@pytest.fixture()
def cache_copy(aachen, tmp_path, monkeypatch):
    """The app's and the command line's cache on a private copy of the demo store."""
    (tmp_path / "regions").mkdir()
    shutil.copyfile(aachen.store.path, tmp_path / "regions" / "aachen.gpkg")
    monkeypatch.setattr(settings, "cache_dir", tmp_path)
    return tmp_path


def _page(question: Question) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=300)
    app.session_state["frage"] = question
    app.run()
    app.switch_page("ui/pages/netzwerk.py").run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def _metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_the_page_shows_the_figures_of_the_one_analysis(aachen):
    app = _page(QUESTION)
    question = QUESTION.on()
    network = kooperation.network(aachen, question)
    assert _metric(app, "Angebote im Netz") == str(len(network))
    assert _metric(app, "ohne Kooperation") == str(int(network["isoliert"].sum()))
    assert _metric(app, "Vermittler") == str(int(network["vermittler"].sum()))
    assert _metric(app, "fehlende Verbindungen") == str(len(kooperation.missing(aachen, question)))
    areas = next(d.value for d in app.dataframe if "Anteil ohne Kooperation (%)" in d.value.columns)
    assert int(areas["Angebote"].sum()) == len(network)
    assert int(areas["ohne Kooperation"].sum()) == int(network["isoliert"].sum())
    offers = next(d.value for d in app.dataframe if "Nr. im Diagramm" in d.value.columns)
    assert offers["Angebot"].tolist()[:5] == network["name"].tolist()[:5]
    assert any("fiktiv" in c.value for c in app.caption)  # synthetic cooperations are labelled


def test_adding_a_cooperation_in_the_app_is_stored_and_counted(cache_copy):
    app = _page(QUESTION)
    region = Region.open("aachen")
    before = kooperation.network(region, QUESTION.on()).set_index("angebot_id")["grad"]
    lonely = before[before == 0].index[:2].tolist()
    assert len(lonely) == 2
    app.selectbox(key="koop_neu_a").set_value(lonely[0])
    app.selectbox(key="koop_neu_b").set_value(lonely[1])
    next(b for b in app.button if b.label == "Eintragen").click()
    app.run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    after = kooperation.network(Region.open("aachen"), QUESTION.on()).set_index("angebot_id")
    assert after.loc[lonely, "grad"].tolist() == [1, 1]
    assert _metric(app, "ohne Kooperation") == str(int(after["isoliert"].sum()))


def test_cli_tables_equal_the_analysis_and_bad_imports_give_status_2(aachen, cache_copy, capsys):
    from cli import main

    csv = cache_copy / "koop_pr.csv"
    assert main(["kooperation", "planungsraeume", "--region", "aachen", "--profil", "rollstuhl",
                 "--minuten", "15", "--csv", str(csv)]) == 0
    shown = pd.read_csv(csv, sep=";", decimal=",", encoding="utf-8-sig")
    truth = kooperation.network_by_area(aachen, QUESTION.on())
    assert shown["Angebote"].tolist() == truth["angebote"].tolist()
    assert shown["ohne Kooperation"].tolist() == truth["ohne_kooperation"].tolist()
    assert main(["kooperation", "fehlend", "--region", "aachen", "--profil", "rollstuhl",
                 "--minuten", "30"]) == 0
    missing = kooperation.missing(aachen, QUESTION.with_(minuten=30).on())
    assert f"Fehlende Verbindungen (Beratungsangebote in 30 Min. im Rollstuhl (optimistisch)): {len(missing)}" \
        in capsys.readouterr().out
    bad = cache_copy / "schlecht.csv"
    bad.write_text("Angebot A;Angebot B;Art\nsyn-eutb-01;gibtsnicht;Verweis\n", encoding="utf-8")
    assert main(["kooperation", "import", str(bad), "--region", "aachen"]) == 2
    error = capsys.readouterr().err
    assert "Datei 'schlecht.csv', Zeile 2, Spalte 'Angebot B'" in error and "So beheben:" in error
    good = cache_copy / "gut.csv"
    good.write_text("Angebot A;Angebot B;Art\nsyn-eutb-01;syn-spz-01;Verweis\n", encoding="utf-8")
    assert main(["kooperation", "import", str(good), "--region", "aachen"]) == 0
    assert "1 Kooperationen (1 gespeichert)" in capsys.readouterr().out
    assert main(["kooperation", "liste", "--region", "aachen"]) == 0
    assert "Verweis" in capsys.readouterr().out


def _view(question: Question, view: str) -> AppTest:
    app = _page(question)
    app.radio(key="netzwerk_ansicht").set_value(view).run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def test_presence_view_shows_the_places_and_reach_of_the_provider(aachen):
    from planungsraeume import praesenz

    app = _view(QUESTION, "praesenz")
    provider = app.selectbox(key="praesenz_traeger").value
    places = praesenz.places(aachen, QUESTION.on(), provider)
    assert _metric(app, "eigene Stelle") == str(int((places["art"] == "eigene Stelle").sum()))
    assert _metric(app, "Sprechstunde") == str(int((places["art"] == "Sprechstunde").sum()))
    table = next(d.value for d in app.dataframe if "erreichen die Präsenz" in d.value.columns)
    reach = praesenz.reach_by_area(aachen, QUESTION.on(), provider)
    assert table["erreichen die Präsenz"].tolist() == reach["erreicht"].tolist()


def test_suggestion_and_mobile_views_show_the_planned_hosts_and_timetable(aachen):
    from planungsraeume import mobiles_buero, praesenz

    app = _view(QUESTION, "vorschlag")
    provider = app.selectbox(key="vorschlag_traeger").value
    result = praesenz.office_hour_suggestions(aachen, QUESTION.on(), provider, 3)
    table = next(d.value for d in app.dataframe if "Öffnungszeiten des Gastgebers" in d.value.columns)
    assert table["Gastgeber"].tolist() == result.vorschlaege["name"].tolist()
    assert table["Vorschlag Sprechstunde"].tolist() == result.vorschlaege["zeitfenster"].tolist()
    app = _view(QUESTION, "mobil")
    chosen = tuple(app.multiselect(key="mobil_pr").value)
    plan = mobiles_buero.mobile_office(aachen, QUESTION.on(), 5, planungsraeume=chosen)
    timetable = next(d.value for d in app.dataframe if "Fahrt (Min., modelliert)" in d.value.columns)
    assert timetable["Halt"].tolist() == plan.fahrplan["halt"].tolist()
    assert timetable["von"].tolist() == plan.fahrplan["von"].tolist()
    assert any("modelliert" in c.value for c in app.caption)


def test_access_view_shows_outreach_moment_and_hours(aachen):
    from planungsraeume import erreichbarkeit, zugangswege

    app = _view(QUESTION, "zugang")
    question = QUESTION.on()
    outreach = next(d.value for d in app.dataframe if "aufsuchend versorgt" in d.value.columns)
    truth = zugangswege.outreach_coverage(aachen, question)
    assert outreach["aufsuchend versorgt"].tolist() == truth["einwohner_aufsuchend"].tolist()
    at = zugangswege.question_at(aachen, question, "Di 17:00")
    then = erreichbarkeit.coverage(aachen, at)
    share = then[then["pr_id"] == "gesamt"].iloc[0]["anteil_erreicht_prozent"]
    shown = _metric(app, "erreichen ein geöffnetes (Di 17:00)")
    assert shown == f"{share:.1f}".replace(".", ",") + " %"
    assert _metric(app, "geöffnete Angebote") == str(len(aachen.selected_offers(at)))


def test_a_suggestion_is_saved_as_a_scenario_from_the_app(cache_copy):
    from layers.szenarien import list_scenarios

    app = _view(QUESTION, "vorschlag")
    app.text_input(key="vorschlag_szenario_name").set_value("Sprechstunden Test")
    app.selectbox(key="vorschlag_szenario_typ").set_value("EUTB")
    next(b for b in app.button if b.label == "Speichern").click()
    app.run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    assert any("Sprechstunden Test" in s.value for s in app.success)
    assert "Sprechstunden Test" in set(list_scenarios(Region.open("aachen").store)["name"])
