"""Every view a link: settings in the address open the same view; wrong values are ignored."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from layers import settings

pytestmark = pytest.mark.slow

APP = str(settings.project_root / "app.py")


def run(params: dict[str, str], page: str | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=300)
    for key, value in params.items():
        app.query_params[key] = value
    if page:
        app.switch_page(f"ui/pages/{page}.py")
    app.run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def test_an_address_opens_the_karte_with_area_types_and_question(aachen_store):
    app = run({"region": "aachen", "planungsraum": "PR03", "typen": "EUTB,KoKoBe",
               "stufenlos": "ja", "profil": "fuss", "minuten": "10"})
    assert app.title[0].value == "Karte"  # "/" forwards to /karte, not to "Page not found"
    assert app.session_state["karte_pr"] == "PR03"
    assert app.multiselect(key="karte_typen").value == ["EUTB", "KoKoBe"]
    assert app.checkbox(key="karte_stufenlos").value is True
    question = app.session_state["frage"]
    assert (question.profil, question.minuten) == ("fuss", 10)
    # The address follows the view, so that it can be copied and sent.
    shown = dict(app.query_params)
    assert shown["planungsraum"] in ("PR03", ["PR03"])
    code = "\n".join(c.value for c in app.code)
    assert "/karte?region=aachen" in code and "planungsraum=PR03" in code
    # A change in the page changes the address.
    app.selectbox(key="karte_pr").set_value("PR05").run()
    assert "planungsraum=PR05" in "\n".join(c.value for c in app.code)


def test_wrong_values_in_the_address_are_ignored(aachen_store):
    app = run({"planungsraum": "PR999", "typen": "Beratungsbus", "minuten": "abc",
               "profil": "rakete"})
    assert app.title[0].value == "Karte"
    assert app.session_state["karte_pr"] is None
    assert app.multiselect(key="karte_typen").value == app.multiselect(key="karte_typen").options
    question = app.session_state["frage"] if "frage" in app.session_state else None
    assert question is None or question.profil != "rakete"


def test_planungsraeume_and_barrieren_take_their_settings_from_the_address(aachen_store):
    app = run({"planungsraum": "PR07", "profil": "rollator", "minuten": "20"},
              page="planungsraeume")
    assert app.selectbox(key="profil_pr").value == "PR07"
    assert app.radio(key="profil_profil").value == "rollator"
    assert app.radio(key="profil_minuten").value == 20
    app = run({"auswahl": "kapitel:e1", "gitter": "500"}, page="barrieren")
    assert app.selectbox(key="barrieren_auswahl").value == "kapitel:e1"
    assert app.selectbox(key="barrieren_gitter").value == 500


def test_szenarien_widgets_come_from_the_address(aachen_store):
    app = run({"region": "aachen", "angebote": "typ:KoKoBe", "profil": "rollator",
               "minuten": "20", "merkmale": "stufenloser_zugang", "ansicht": "standorte"},
              page="szenarien")
    assert app.selectbox(key="sz_typ").value == "KoKoBe"
    assert app.selectbox(key="sz_profil").value == "rollator"
    assert app.number_input(key="sz_minuten").value == 20
    assert app.checkbox(key="sz_stufenlos").value is True
    assert app.radio(key="sz_modus").value == "Standorte vorschlagen"
    assert not app.warning or not any("Session State" in w.value for w in app.warning)
    shown = dict(app.query_params)
    for key, value in (("profil", "rollator"), ("minuten", "20"), ("ansicht", "standorte")):
        assert shown[key] in (value, [value]), shown
    # Unknown values are ignored: the page's defaults.
    app = run({"region": "aachen", "angebote": "typ:Gibtsnicht", "profil": "rakete",
               "minuten": "999"}, page="szenarien")
    assert app.selectbox(key="sz_profil").value == "rollstuhl"
    assert app.number_input(key="sz_minuten").value == 15
