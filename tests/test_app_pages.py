"""AppTest tests of every page: no exception, the key widgets are there, filters change figures."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from layers import settings

pytestmark = pytest.mark.slow

APP = str(settings.project_root / "app.py")


def open_page(page: str | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=180)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    if page:
        app.switch_page(f"ui/pages/{page}.py").run()
        assert not app.exception, [e.message for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def markdown_text(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


def test_sidebar_has_region_choice_and_offline_default(aachen_store):
    app = open_page()
    region = app.sidebar.selectbox(key="region")
    assert region.value == "aachen"
    assert "heidelberg" in region.options or "Heidelberg" in " ".join(region.options)
    tiles = app.sidebar.toggle(key="online_tiles")
    assert tiles.value is False  # the offline basemap is the default


def test_karte_filters_change_the_numbers(aachen_store):
    app = open_page()
    assert [t.value for t in app.title] == ["Karte"]
    assert any("synthetisch" in i.value and "modelliert" in i.value for i in app.info)
    total = int(metric(app, "Angebote in der Auswahl"))
    assert total == len(aachen_store.read_layer("angebote"))
    types = app.multiselect(key="karte_typen")
    assert "EUTB" in types.options
    types.set_value(["EUTB"]).run()
    assert not app.exception
    assert int(metric(app, "Angebote in der Auswahl")) == 2
    types.set_value(["Pflegeeinrichtung", "EUTB"]).run()
    with_care = int(metric(app, "Angebote in der Auswahl"))
    assert with_care == 20
    app.checkbox(key="karte_stufenlos").check().run()
    step_free = int(metric(app, "Angebote in der Auswahl"))
    assert step_free < with_care
    assert step_free == int(metric(app, "davon stufenlos zugänglich"))
    # The tables beside the map carry the same selection and can be downloaded.
    service_table = app.dataframe[-1].value
    assert len(service_table) == step_free
    assert set(service_table["Stufenloser Zugang"]) == {"ja"}
    assert {"Name", "Typ", "Planungsraum", "Breite", "Länge"} <= set(service_table.columns)
    area_table = app.dataframe[-2].value
    assert area_table["Angebote (Auswahl)"].sum() == step_free


def test_karte_details_of_an_area_and_a_service(aachen_store):
    app = open_page()
    app.selectbox(key="karte_pr").set_value("PR09").run()
    assert not app.exception
    assert any(s.value.startswith("PR09 ") for s in app.subheader)
    assert "Einwohner (modelliert)" in markdown_text(app)
    services = app.selectbox(key="karte_angebot")
    eutb = next(o for o in services.options if o and "EUTB" in o)
    services.set_value(services.options[services.options.index(eutb)]).run()
    # format_func labels are shown; the value is the id
    chosen = app.selectbox(key="karte_angebot").value
    assert chosen is not None
    subheaders = [s.value for s in app.subheader]
    assert any("(fiktiv)" in s for s in subheaders)
    assert any("Fiktives Angebot" in c.value for c in app.caption)
    access = app.table[0].value
    assert "Stufenloser Zugang" in access.index


def test_layers_can_be_switched(aachen_store):
    app = open_page()
    population = app.checkbox(key="ebene_bev")
    assert population.value is False
    population.check().run()
    assert not app.exception
    app.checkbox(key="ebene_angebote").uncheck().run()
    app.checkbox(key="ebene_pr").uncheck().run()
    assert not app.exception
    app.sidebar.toggle(key="online_tiles").set_value(True).run()
    assert not app.exception


def test_konferenzmodus_steps_through_areas(aachen_store):
    app = open_page("konferenz")
    first_title = app.title[0].value
    assert app.selectbox(key="konferenz_pr").value == "PR01"
    figures_before = markdown_text(app)
    assert "Einwohner (modelliert)" in figures_before
    assert "Anteil 65 Jahre und älter" in figures_before
    app.button(key="konf_weiter").click().run()
    assert not app.exception
    assert app.selectbox(key="konferenz_pr").value == "PR02"
    assert app.title[0].value != first_title
    assert markdown_text(app) != figures_before
    app.button(key="konf_zurueck").click().run()
    app.button(key="konf_zurueck").click().run()
    assert app.selectbox(key="konferenz_pr").value == "PR27"  # wraps around


def test_planungsraeume_profile_compares_with_region(aachen_store):
    app = open_page("planungsraeume")
    assert app.title[0].value == "Planungsräume"
    app.selectbox(key="profil_pr").set_value("PR09").run()
    table = app.table[0].value
    before = table.loc["Einwohner (modelliert)", "Planungsraum"]
    assert table.loc["Einwohner (modelliert)", "Region gesamt"] != before
    app.selectbox(key="profil_pr").set_value("PR15").run()
    assert app.table[0].value.loc["Einwohner (modelliert)", "Planungsraum"] != before


def test_barrieren_states_the_privacy_rule_and_shows_no_reports(aachen_store):
    app = open_page("barrieren")
    text = markdown_text(app)
    assert f"mindestens\n  {settings.privacy_min_persons} verschiedene Personen" in text
    assert "keine Punktkarten" in text.replace("**", "")
    assert not app.dataframe and not app.table  # no barrier data at all in part A


def test_daten_offers_exports_but_never_raw_barrier_reports(aachen_store):
    app = open_page("daten")
    overview = app.dataframe[0].value
    assert "barrieren" in set(overview["Ebene"])
    labels = [b.label for b in app.get("download_button")]
    assert "Angebote als CSV" in labels and "Planungsräume als GeoJSON" in labels
    assert not any("Barriere" in label for label in labels)


def test_erreichbarkeit_and_hilfe_render(aachen_store):
    app = open_page("erreichbarkeit")
    assert app.title[0].value == "Erreichbarkeit"
    app = open_page("hilfe")
    tabs = [t.label for t in app.tabs]
    assert tabs == ["Anleitung", "Leichte Sprache", "Begriffe", "Quellen und Lizenzen", "Barrierefreiheit"]
    text = markdown_text(app)
    for attribution in ("© OpenStreetMap contributors", "© GeoBasis-DE / BKG", "Stadt Köln",
                        "ICF © WHO / DIMDI", "VRN"):
        assert attribution in text
    assert "Der Sozialraum-Atlas ist ein Programm." in text


def test_a_store_error_is_shown_as_german_message(aachen_store, monkeypatch, tmp_path):
    # A region whose store lacks a layer: the page shows the German error instead of a traceback.
    import shutil

    from layers.store import GeoPackageStore

    (tmp_path / "regions").mkdir()
    broken = tmp_path / "regions" / "aachen.gpkg"
    shutil.copyfile(aachen_store.path, broken)
    store = GeoPackageStore(broken, aachen_store.crs)
    with store.transaction() as tx:
        tx.execute('DROP TABLE "angebote"')
        tx.execute("DELETE FROM gpkg_contents WHERE table_name = 'angebote'")
        tx.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'angebote'")
    monkeypatch.setattr(settings, "cache_dir", tmp_path)
    app = AppTest.from_file(APP, default_timeout=180)
    app.run()
    assert not app.exception
    assert any("Die Ebene 'angebote' fehlt" in e.value for e in app.error)


@pytest.fixture(scope="module")
def heidelberg_cache(tmp_path_factory):
    """A cache directory holding only the built second region (no population, grid areas)."""
    from planungsraeume.build import build_region

    cache = tmp_path_factory.mktemp("cache")
    settings.show_progress = False
    build_region("heidelberg", target=cache / "regions" / "heidelberg.gpkg")
    return cache


def test_second_region_from_the_sidebar(heidelberg_cache, monkeypatch):
    monkeypatch.setattr(settings, "cache_dir", heidelberg_cache)
    for page in (None, "konferenz", "planungsraeume", "daten"):
        app = AppTest.from_file(APP, default_timeout=180)
        app.session_state["region"] = "heidelberg"
        app.run()
        if page:
            app.switch_page(f"ui/pages/{page}.py").run()
        assert not app.exception, (page, [e.message for e in app.exception])
        assert not app.error, (page, [e.value for e in app.error])
    # A region without population data says nothing about modelled population.
    app = AppTest.from_file(APP, default_timeout=180)
    app.session_state["region"] = "heidelberg"
    app.run()
    notice = " ".join(i.value for i in app.info)
    assert "modelliert" not in notice
    assert int(metric(app, "Angebote in der Auswahl")) > 0
