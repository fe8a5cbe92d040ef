"""AppTest tests of the page 'Szenarien & Standorte' (on a copy of the demo store: it saves)."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from layers import settings
from layers.formatting import de_number
from layers.store import GeoPackageStore
from layers.szenarien import ScenarioEdit, list_scenarios
from planungsraeume.frage import Question
from planungsraeume.region import Region

pytestmark = pytest.mark.slow

APP = str(settings.project_root / "app.py")


@pytest.fixture()
def store_copy(aachen_store, tmp_path, monkeypatch) -> GeoPackageStore:
    (tmp_path / "regions").mkdir()
    target = tmp_path / "regions" / "aachen.gpkg"
    shutil.copyfile(aachen_store.path, target)
    monkeypatch.setattr(settings, "cache_dir", tmp_path)
    return GeoPackageStore(target, aachen_store.crs)


#: The page's default question: EUTB within 15 minutes in a wheelchair.
EUTB_QUESTION = Question(angebote="typ:EUTB", profil="rollstuhl", minuten=15)


def region(store: GeoPackageStore) -> Region:
    return Region.open("aachen", store=store)


def open_page() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=300)
    app.run()
    app.switch_page("ui/pages/szenarien.py").run()
    ok(app)
    return app


def ok(app: AppTest) -> None:
    assert not app.exception, [e.message for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def add_at(app: AppTest, lat: float, lon: float) -> None:
    app.radio(key="sz_ort_art").set_value("Koordinaten").run()
    # Typed as a German user types them: decimal comma (the field is a text field, ui.eingabe).
    app.text_input(key="sz_breite").set_value(f"{lat:.4f}".replace(".", ",")).run()
    app.text_input(key="sz_laenge").set_value(f"{lon:.4f}".replace(".", ",")).run()
    app.button(key="sz_hinzufuegen").click().run()


def test_scenario_edits_change_the_numbers(store_copy):
    from planungsraeume.versorgung import compare_on_network

    app = open_page()
    assert [t.value for t in app.title] == ["Szenarien & Standorte"]
    for key in ("sz_typ", "sz_profil", "sz_angebot"):
        assert app.selectbox(key=key) is not None
    assert app.selectbox(key="sz_typ").value == "EUTB"
    assert app.selectbox(key="sz_profil").value == "rollstuhl"
    assert app.number_input(key="sz_minuten").value == 15
    assert not app.metric  # no result before the first edit
    add_at(app, 50.7850, 6.0950)
    ok(app)
    assert any("hinzugefügt" in s.value for s in app.success)
    shown = metrics(app)
    edits = [ScenarioEdit("neu", typ="EUTB", name="EUTB (Szenario)", stufenloser_zugang="ja",
                          x=app.session_state["sz_aenderungen"][0]["x"],
                          y=app.session_state["sz_aenderungen"][0]["y"])]
    # Computed afresh (not from the cache the page filled) on the same region and question.
    expected = compare_on_network.uncached(region(store_copy), EUTB_QUESTION, edits)
    assert expected.differenz > 0
    assert shown["Einwohner versorgt vorher (15 Min.)"] == de_number(expected.versorgt_vorher)
    assert shown["Einwohner versorgt nachher"] == de_number(expected.versorgt_nachher)
    assert shown["Differenz ab 65 Jahren"] == f"+{de_number(expected.differenz_65)}"
    table = next(d.value for d in app.dataframe if "versorgt nachher" in d.value.columns)
    assert len(table) == 28 and table["Planungsraum"].iloc[-1] == "Region gesamt"
    assert table["Differenz"].iloc[-1] == f"+{de_number(expected.differenz)}"
    access = next(d.value for d in app.dataframe
                  if list(d.value.columns) == ["Nr.", "Planungsraum", "vorher", "nachher", "Differenz"])
    assert access["Planungsraum"].iloc[-1] == "Region gesamt"
    # Close an existing EUTB office: the numbers go down.
    app.selectbox(key="sz_angebot").set_value("syn-eutb-02").run()
    app.button(key="sz_schliessen").click().run()
    ok(app)
    after_close = metrics(app)
    assert after_close["Einwohner versorgt nachher"] != shown["Einwohner versorgt nachher"]
    assert len(app.session_state["sz_aenderungen"]) == 2
    # Remove the closing again.
    app.selectbox(key="sz_entfernen_nr").set_value(2).run()
    app.button(key="sz_entfernen").click().run()
    assert metrics(app)["Einwohner versorgt nachher"] == shown["Einwohner versorgt nachher"]
    # Name and save: the scenario is in the store.
    app.text_input(key="sz_name").input("Außenstelle Nord")
    app.text_input(key="sz_beschreibung").input("Test aus der App")
    app.get("form_submit_button")[0].click().run()
    ok(app)
    saved = list_scenarios(store_copy)
    assert saved["name"].tolist() == ["Außenstelle Nord"] and saved["aenderungen"].tolist() == [1]
    labels = [b.label for b in app.get("download_button")]
    assert {"Vergleich als CSV", "Änderungen als CSV (wieder ladbar)", "Veränderte Zellen als GeoJSON"} <= set(labels)


def test_address_and_bad_coordinates(store_copy):
    addresses = store_copy.read_layer("adressen")
    row = addresses.dropna(subset=["strasse", "hausnummer"]).iloc[100]
    app = open_page()
    app.radio(key="sz_ort_art").set_value("Adresse").run()
    app.text_input(key="sz_strasse").input(str(row["strasse"]))
    app.text_input(key="sz_hausnummer").input(str(row["hausnummer"]))
    app.button(key="sz_hinzufuegen").click().run()
    ok(app)
    assert any(f"Adresse {row['strasse']} {row['hausnummer']}" in s.value for s in app.success)
    edit = app.session_state["sz_aenderungen"][0]
    assert edit["x"] == pytest.approx(row.geometry.x) and edit["y"] == pytest.approx(row.geometry.y)
    # Swapped latitude and longitude: a German message, nothing added.
    add_at(app, 6.0950, 50.7850)
    assert not app.exception
    assert any("Breite und Länge sind vertauscht" in e.value for e in app.error)
    assert len(app.session_state["sz_aenderungen"]) == 1
    # An address that does not exist
    app.radio(key="sz_ort_art").set_value("Adresse").run()
    app.text_input(key="sz_strasse").input("Gibtsnichtweg")
    app.text_input(key="sz_hausnummer").input("1")
    app.button(key="sz_hinzufuegen").click().run()
    assert any("wurde nicht gefunden" in e.value for e in app.error)


def test_suggestion_changes_the_numbers_and_goes_into_the_scenario(store_copy):
    from planungsraeume.versorgung import suggest_sites

    app = open_page()
    app.radio(key="sz_modus").set_value("Standorte vorschlagen").run()
    ok(app)
    assert app.number_input(key="sv_anzahl").value == 3
    assert not app.metric
    app.button(key="sv_start").click().run()
    ok(app)
    expected = suggest_sites.uncached(region(store_copy), EUTB_QUESTION, 3)
    shown = metrics(app)
    assert shown["Einwohner versorgt nachher"] == de_number(expected.vorschlag.versorgt_nachher)
    assert shown["neu versorgt"] == "+" + de_number(
        expected.vorschlag.versorgt_nachher - expected.vorschlag.versorgt_vorher)
    table = next(d.value for d in app.dataframe if "Rang" in d.value.columns)
    assert table["Standort"].tolist() == expected.standorte["name"].astype(str).tolist()
    assert table["neu versorgt (Einwohner)"].tolist() == [de_number(v) for v in expected.standorte["neu_versorgt_einwohner"]]
    # The caption is plain German and counts the candidates the map legend counts.
    from layers.kandidaten import candidate_sites_from_store

    n_candidates = len(candidate_sites_from_store(store_copy))
    caption = next(c.value for c in app.caption if "Geprüft wurden" in c.value)
    assert f"Geprüft wurden {de_number(n_candidates)} Kandidaten" in caption
    assert "spopt" not in caption and "CBC" not in caption
    labels = [b.label for b in app.get("download_button")]
    assert "Vorschläge als CSV" in labels and "Vorschläge als GeoJSON" in labels
    # Fewer offers: other numbers.
    app.number_input(key="sv_anzahl").set_value(1).run()
    app.button(key="sv_start").click().run()
    assert metrics(app)["neu versorgt"] != shown["neu versorgt"]
    # Take the suggestion over into the scenario.
    app.button(key="sv_uebernehmen").click().run()
    ok(app)
    assert app.radio(key="sz_modus").value == "Szenario bearbeiten und vergleichen"
    assert len(app.session_state["sz_aenderungen"]) == 1
    assert metrics(app)["Differenz Einwohner"].startswith("+")
