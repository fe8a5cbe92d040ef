"""AppTest tests of every page: no exception, the key widgets are there, filters change figures.

Pages that write (Daten) run on a private copy of the demo store (``app_copy``); the others read
the session's demo store.
"""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from layers import settings
from tests.tools.paths import DATA as TEST_DATA

pytestmark = pytest.mark.slow

APP = str(settings.project_root / "app.py")


def open_page(page: str | None = None, *, region: str | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=300)
    if region:
        app.session_state["region"] = region
    app.run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    if page:
        app.switch_page(f"ui/pages/{page}.py").run()
        assert not app.exception, [e.stack_trace for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    return app


def rerun(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    return app


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def markdown_text(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


def area_inhabitants(store, pr_id: str) -> str:
    """Inhabitants of a planning area from the one place (``Region.population_by_area``), as
    the pages print them (German thousands separator)."""
    from planungsraeume.region import Region

    table = Region.open("aachen", store=store).population_by_area().set_index("pr_id")
    return f"{int(round(table.loc[pr_id, 'einwohner'])):,}".replace(",", ".")


def german_number(text: str) -> float:
    return float(text.replace(".", "").replace(",", ".").replace("%", "").strip())


ENGLISH_OR_RAW = re.compile(r"^-?\d+\.(\d{1,2}|\d{4,})$|^(None|nan|NaN|<NA>|NaT)$")


def assert_german_tables(app: AppTest) -> int:
    """Every cell every table shows is German: no ``52.1``, no ``None``; returns the table count."""
    from ui.widgets import display_values

    for element in app.dataframe:
        shown = display_values(element)
        bad = [str(v) for col in shown.columns for v in shown[col].astype(str)
               if ENGLISH_OR_RAW.match(str(v).strip())]
        assert not bad, (list(shown.columns), bad[:5])
    return len(app.dataframe)


def submit(app: AppTest, label: str) -> AppTest:
    """Press the submit button of a form by its label."""
    next(b for b in app.button if b.label == label).click()
    return rerun(app)


def table_with(app: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if column in d.value.columns)


@pytest.fixture()
def app_copy(aachen_store, monkeypatch, tmp_path):
    """The app on a private copy of the demo store (for pages that write)."""
    (tmp_path / "regions").mkdir()
    shutil.copyfile(aachen_store.path, tmp_path / "regions" / "aachen.gpkg")
    monkeypatch.setattr(settings, "cache_dir", tmp_path)
    from layers.store import GeoPackageStore

    return GeoPackageStore(tmp_path / "regions" / "aachen.gpkg", aachen_store.crs)


# --------------------------------------------------------------------------------------------
# Karte
# --------------------------------------------------------------------------------------------


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
    # Population from the indicators of planungsraeume.indikatoren: the areas add up to the region.
    population = aachen_store.read_layer("bevoelkerung")["einwohner"].sum()
    assert area_table["Einwohner (modelliert)"].sum() == pytest.approx(population, rel=1e-3)


def test_karte_details_of_an_area_and_a_service(aachen_store):
    app = open_page()
    app.selectbox(key="karte_pr").set_value("PR09").run()
    assert not app.exception
    assert any(s.value.startswith("PR09 ") for s in app.subheader)
    details = markdown_text(app)
    # The indicator of the profile page, from the one population rule.
    assert f"Einwohner (modelliert):** {area_inhabitants(aachen_store, 'PR09')}" in details
    assert "Stufenlos zugänglich" in details
    services = app.selectbox(key="karte_angebot")
    eutb = next(o for o in services.options if o and "EUTB" in o)
    services.set_value(services.options[services.options.index(eutb)]).run()
    chosen = app.selectbox(key="karte_angebot").value
    assert chosen is not None
    subheaders = [s.value for s in app.subheader]
    assert any("(fiktiv)" in s for s in subheaders)
    assert any("Fiktives Angebot" in c.value for c in app.caption)
    access = app.table[0].value
    assert "Stufenloser Zugang" in access.index


def test_karte_layers_gaps_and_hotspots(aachen_store):
    app = open_page()
    population = app.checkbox(key="ebene_bev")
    assert population.value is False
    population.check().run()
    app.checkbox(key="ebene_luecken").check().run()
    assert not app.exception
    gaps = next(c.value for c in app.caption if c.value.startswith("Versorgungslücken:"))
    assert "Beratungsangebote in 15 Min. im Rollstuhl" in gaps
    # A different question on the Erreichbarkeit page changes the gap layer on the map.
    from planungsraeume.frage import Question
    from ui.state import QUESTION_KEY

    app.session_state[QUESTION_KEY] = Question(profil="fuss", minuten=30)
    app.run()
    other = next(c.value for c in app.caption if c.value.startswith("Versorgungslücken:"))
    assert other != gaps and "30 Min. zu Fuß" in other
    people = [german_number(t.split(" mit ")[1].split(" Einwohnern")[0]) for t in (gaps, other)]
    assert people[1] < people[0]  # on foot within 30 minutes fewer people lack an offer
    app.checkbox(key="ebene_hotspots").check().run()
    assert not app.exception
    note = next(c.value for c in app.caption if c.value.startswith("Barriere-Schwerpunkte:"))
    assert "Keine Meldeorte" in note and "Gi*" in note
    app.checkbox(key="ebene_angebote").uncheck().run()
    app.checkbox(key="ebene_pr").uncheck().run()
    app.sidebar.toggle(key="online_tiles").set_value(True).run()
    assert not app.exception


# --------------------------------------------------------------------------------------------
# Erreichbarkeit
# --------------------------------------------------------------------------------------------


def test_erreichbarkeit_profile_minutes_and_filters_change_coverage(aachen_store):
    app = open_page("erreichbarkeit")
    assert app.title[0].value == "Erreichbarkeit"
    assert app.selectbox(key="erreich_angebote").value == "beratung"
    assert app.multiselect(key="erreich_merkmale").value == []
    assert app.radio(key="erreich_minuten").value == 15
    assert app.radio(key="erreich_unbekannt").value == "optimistisch"
    assert app.radio(key="erreich_profil").options == ["zu Fuß", "als Seniorin / Senior",
                                                        "mit Rollator", "im Rollstuhl"]
    app.radio(key="erreich_profil").set_value("fuss")
    rerun(app)
    on_foot = german_number(metric(app, "Einwohner erreichen die Auswahl"))
    table = table_with(app, "Anteil erreicht (%)")
    # erreicht + nicht erreicht + nicht angebunden = Einwohner, per area and for the region
    assert (table["erreicht"] + table["nicht erreicht"] + table["nicht angebunden"]
            == table["Einwohner"]).all()
    region = table[table["Planungsraum"] == "Region gesamt"].iloc[0]
    assert region["Einwohner"] == table[table["Planungsraum"] != "Region gesamt"]["Einwohner"].sum()
    app.radio(key="erreich_profil").set_value("rollstuhl")
    rerun(app)
    wheelchair = german_number(metric(app, "Einwohner erreichen die Auswahl"))
    assert wheelchair < on_foot  # steps, kerbs, slopes and 0.8 m/s cost reach
    # Pessimistic treatment of unknown tags never reaches more people.
    app.radio(key="erreich_unbekannt").set_value("pessimistisch")
    rerun(app)
    assert german_number(metric(app, "Einwohner erreichen die Auswahl")) <= wheelchair
    # More minutes reach more people; requiring step-free access reaches fewer.
    app.radio(key="erreich_minuten").set_value(30)
    rerun(app)
    thirty = german_number(metric(app, "Einwohner erreichen die Auswahl"))
    assert thirty > wheelchair
    app.multiselect(key="erreich_merkmale").set_value(["stufenloser_zugang"])
    rerun(app)
    assert german_number(metric(app, "Einwohner erreichen die Auswahl")) < thirty
    labels = [b.label for b in app.get("download_button")]
    assert {"Versorgung je Planungsraum (CSV)", "Alles als GeoPackage (QGIS)"} <= set(labels)
    assert "Versorgung je Planungsraum (Excel, XLSX)" in labels
    assert assert_german_tables(app) >= 1


def test_erreichbarkeit_isochrone_from_a_service_and_a_point(aachen_store):
    app = open_page("erreichbarkeit")
    app.radio(key="erreich_iso_art").set_value("angebot")
    rerun(app)
    assert app.selectbox(key="erreich_iso_angebot").value is not None
    iso = table_with(app, "Einwohner darin")
    assert list(iso["Minuten"]) == [5, 10, 15]
    assert iso["Einwohner darin"].is_monotonic_increasing and iso["Einwohner darin"].iloc[-1] > 0
    # A click on the map (what st_folium's callback stores) starts an isochrone at that point.
    app.radio(key="erreich_iso_art").set_value("punkt")
    app.session_state["erreich_punkt"] = (50.7766, 6.0834)  # Aachen, Markt
    rerun(app)
    at_point = table_with(app, "Einwohner darin")
    assert at_point["Einwohner darin"].iloc[-1] > 0
    assert any("ab dem Punkt" in c.value for c in app.caption)
    # A point outside the region gets a German explanation, not a traceback.
    app.session_state["erreich_punkt"] = (51.5, 7.5)
    rerun(app)
    assert any("außerhalb der Region" in w.value for w in app.warning)


def test_erreichbarkeit_transit_view(aachen_store):
    app = open_page("erreichbarkeit")
    app.radio(key="erreich_ansicht").set_value("oev")
    rerun(app)
    shares = [german_number(m.value) for m in app.metric]
    assert len(shares) == 5 and sum(shares) == pytest.approx(100, abs=0.5)
    # Aachen has no timetable: the page says so plainly.
    assert any("kein GTFS-Fahrplan hinterlegt" in i.value for i in app.info)


# --------------------------------------------------------------------------------------------
# Barrieren
# --------------------------------------------------------------------------------------------


def assert_published(values, *, k: int = settings.privacy_min_persons,
                     base: int = settings.privacy_rounding_base) -> None:
    """Every shown count is "keine Angabe" or at least k and a multiple of the rounding base."""
    for value in values:
        text = str(value)
        if text in ("keine Angabe", "–", "nan", "None", "<NA>"):
            continue
        number = german_number(text)
        assert number >= k and number % base == 0, (text, k, base)


def test_barrieren_rule_filters_and_published_counts(aachen_store):
    app = open_page("barrieren")
    text = markdown_text(app)
    assert f"Mindestens {settings.privacy_min_persons} Personen" in text
    assert "Kein Zurückrechnen" in text and "feste Auswahlen" in text
    choice = app.selectbox(key="barrieren_auswahl")
    assert choice.value == "alle"
    options = choice.options
    assert "ICF-Kapitel e1: Produkte und Technologien" in options
    assert "Beeinträchtigung: Mobilität" in options
    assert any(o.startswith("ICF-Code e150") for o in options)
    all_persons = german_number(metric(app, "Personen mit Meldungen"))
    areas = table_with(app, "Personen je 1.000 Einw.")
    areas = table_with(app, "Personen je 1.000 Einw.")
    assert assert_german_tables(app) >= 1
    # Hotspots as a ranked list with planning area and streets; streets sorted by persons.
    ranked = next(d for d in app.dataframe if "Straßen in der Zelle" in d.value.columns).value
    assert ranked["Rang"].tolist() == list(range(1, len(ranked) + 1)) and len(ranked) > 0
    assert ranked["Planungsraum"].str.match(r"PR\d\d ").all()
    assert_published(ranked["Personen"])
    streets = table_with(app, "Straße")
    persons = [german_number(v) for v in streets["Personen"] if v != "keine Angabe"]
    assert persons == sorted(persons, reverse=True)

    assert_published(areas["Meldungen"])
    choice.set_value("kapitel:e1").run()
    assert not app.exception
    chapter = german_number(metric(app, "Personen mit Meldungen"))
    assert chapter < all_persons
    assert any("ICF-Kapitel e1" in c.value for c in app.caption)
    app.selectbox(key="barrieren_auswahl").set_value("gruppe:Mobilität").run()
    assert german_number(metric(app, "Personen mit Meldungen")) not in (chapter, all_persons)
    app.selectbox(key="barrieren_jahr").set_value(2024).run()
    assert any("2024" in c.value for c in app.caption)
    app.selectbox(key="barrieren_gitter").set_value(1000).run()
    assert not app.exception
    labels = [b.label for b in app.get("download_button")]
    assert "GeoPackage (alle Tabellen)" in labels


def _all_texts(app: AppTest) -> list[str]:
    texts = [m.value for m in app.markdown] + [c.value for c in app.caption]
    texts += [f"{m.label}: {m.value}" for m in app.metric]
    for frame in app.dataframe:
        texts.append(frame.value.to_csv())
    return texts


def test_no_page_shows_a_count_below_the_minimum_or_a_report_location(aachen_store):
    """Privacy at the app level: every barrier figure on every page is published (≥ k persons,
    rounded) or "keine Angabe"; no page carries a report id, person key or report coordinate."""
    reports = aachen_store.read_layer("barrieren")
    secrets = set(reports["meldung_id"].astype(str)) | set(reports["person_schluessel"].astype(str))
    coordinates = {f"{x:.1f}" for x in reports.geometry.x} | {f"{y:.1f}" for y in reports.geometry.y}
    seen: list[str] = []

    def check(app: AppTest) -> None:
        for frame in app.dataframe:
            table = frame.value
            for column in table.columns:
                if column in ("Personen", "Meldungen") or column.startswith(("Region: Personen", "Region: Meldungen")):
                    assert_published(table[column])
            assert not {"x", "y", "Breite", "Länge", "geometry", "lat", "lon"} & set(table.columns) \
                or "Personen" not in table.columns
        for item in app.metric:
            if item.label in ("Personen mit Meldungen", "Meldungen"):
                assert_published([item.value])
        text = "\n".join(_all_texts(app))
        assert not any(s in text for s in secrets)
        seen.append(text)

    app = open_page("barrieren")
    check(app)
    for option in ("kapitel:e3", "gruppe:Sehen", "code:e150", "gruppe:Sprache"):
        app.selectbox(key="barrieren_auswahl").set_value(option).run()
        check(app)
        app.selectbox(key="barrieren_jahr").set_value(2025).run()
        check(app)
        app.selectbox(key="barrieren_jahr").set_value(None).run()
    profile = open_page("planungsraeume")
    for area in ("PR01", "PR05", "PR09", "PR27"):
        profile.selectbox(key="profil_pr").set_value(area).run()
        check(profile)
    # Report coordinates (to 0.1 m) appear nowhere: only grid ids, areas and street names.
    joined = "\n".join(seen)
    assert not any(c in joined for c in list(coordinates)[:200])


def test_barrier_map_layer_only_takes_published_cells(aachen_store):
    """The map of the Barrieren page draws polygons of the published grid, nothing else."""
    from analyses.privacy import BarrierFilter
    from layers.errors import PrivacyError
    from planungsraeume.barrieren import hotspot_grid, publication
    from planungsraeume.region import Region
    from ui import mapdata, theme

    region = Region.open("aachen", store=aachen_store)
    pub = publication(region, barrier_filter=BarrierFilter(kapitel=("e1",)))
    grid = hotspot_grid(region, 250, barrier_filter=BarrierFilter(kapitel=("e1",))).gitter
    geojson, legend = mapdata.published_grid_classes(grid, theme.RATE_COLOURS)
    assert len(geojson["features"]) == len(pub.gitter(250))
    assert {f["geometry"]["type"] for f in geojson["features"]} == {"Polygon"}
    assert_published([f["properties"]["personen"] for f in geojson["features"]])
    assert 1 <= len(legend) <= len(theme.RATE_COLOURS)
    raw = aachen_store.read_layer("barrieren")
    with pytest.raises(PrivacyError):
        mapdata.published_grid_classes(raw.assign(personen=1, meldungen=1, rate_eb_je_1000=1.0),
                                       theme.RATE_COLOURS)


# --------------------------------------------------------------------------------------------
# Planungsräume and Konferenzmodus
# --------------------------------------------------------------------------------------------


def test_planungsraeume_profile_indicators_reach_barriers_and_steckbrief(aachen_store):
    app = open_page("planungsraeume")
    assert app.title[0].value == "Planungsräume"
    app.selectbox(key="profil_pr").set_value("PR09").run()
    table = app.dataframe[0].value.set_index("Kennzahl")
    pr09 = area_inhabitants(aachen_store, "PR09")
    assert table.loc["Einwohner", "Planungsraum"] == pr09
    assert table.loc["Einwohner", "Vergleichswert"] != pr09
    assert table.loc["Einwohner", "Planungsraum ist"] == "höher"
    assert "Anteil erreicht: Beratungsangebote in 15 Min. im Rollstuhl" in table.index
    wheelchair = german_number(metric(app, "Einwohner erreichen die Auswahl"))
    app.radio(key="profil_profil").set_value("fuss").run()
    on_foot = german_number(metric(app, "Einwohner erreichen die Auswahl"))
    assert on_foot > wheelchair  # PR09: 87,7 % on foot, 67,3 % in a wheelchair
    assert "Anteil erreicht: Beratungsangebote in 15 Min. zu Fuß" in app.dataframe[0].value["Kennzahl"].tolist()
    assert_published([metric(app, "Personen mit Meldungen"), metric(app, "Meldungen")])
    app.selectbox(key="profil_pr").set_value("PR15").run()
    assert app.dataframe[0].value.set_index("Kennzahl").loc["Einwohner", "Planungsraum"] == \
        area_inhabitants(aachen_store, "PR15")
    # The Steckbrief is made by planungsraeume.steckbrief and offered as PDF and HTML; its
    # reachability section follows the question set on the page (beside walking).
    app.radio(key="profil_profil").set_value("rollator").run()
    app.radio(key="profil_minuten").set_value(20).run()
    assert not app.exception
    # One click: the download buttons are there at once and make the file when clicked.
    labels = [b.label for b in app.get("download_button")]
    assert "Steckbrief herunterladen (PDF)" in labels
    assert "Steckbrief herunterladen (HTML, barrierearm)" in labels
    assert not any(b.label.endswith("erstellen") for b in app.button)
    from planungsraeume.region import Region
    from planungsraeume.steckbrief import area_files, load_report_context, report_inputs
    from ui.profil.steckbrief import coverage_choice

    region = Region.open("aachen")
    files = area_files(load_report_context(region),
                       report_inputs(region, coverage_choice=coverage_choice(app.session_state["frage"])),
                       "PR15", ("pdf", "html"))
    name, pdf = files[".pdf"]
    assert pdf.startswith(b"%PDF") and name.startswith("PR15_")
    page = files[".html"][1].decode("utf-8")
    assert 'lang="de"' in page
    assert "mit Rollator, 20 Min." in page and "zu Fuß, 20 Min." in page
    assert "im Rollstuhl, 15 Min." not in page


def test_konferenzmodus_steps_through_areas_with_five_figures(aachen_store):
    app = open_page("konferenz")
    first_title = app.title[0].value
    assert app.selectbox(key="konferenz_pr").value == "PR01"
    figures_before = markdown_text(app)
    for title in ("Einwohner", "65 Jahre und älter", "Beratungs\u00adangebote",
                  "Stufenlos zugänglich", "Erreichbarkeit"):
        assert f'<div class="sa-titel">{title}</div>' in figures_before
    assert "der Einwohner: Beratungsangebote in 15 Min. im Rollstuhl" in figures_before
    app.button(key="konf_weiter").click().run()
    assert not app.exception
    assert app.selectbox(key="konferenz_pr").value == "PR02"
    assert app.title[0].value != first_title
    assert markdown_text(app) != figures_before
    app.button(key="konf_zurueck").click().run()
    app.button(key="konf_zurueck").click().run()
    assert app.selectbox(key="konferenz_pr").value == "PR27"  # wraps around


# --------------------------------------------------------------------------------------------
# Daten (on a copy of the store)
# --------------------------------------------------------------------------------------------


def test_daten_import_with_report_then_valid_rows(app_copy):
    from tests.tools.samples import PLANNER_CSV

    before = len(app_copy.read_layer("angebote"))
    app = open_page("daten")
    upload = app.file_uploader(key="import_datei")
    upload.set_value(("angebote_stadt.csv", PLANNER_CSV.encode("cp1252"), "text/csv"))
    rerun(app)
    app.button(key="import_pruefen").click()
    rerun(app)
    assert any("5 Zeilen gelesen, 4 gültig, 1 mit Fehlern" in w.value for w in app.warning)
    report = table_with(app, "So beheben")
    bad = report[report["Schwere"] == "Fehler"]
    assert bad["Zeile"].tolist() == [6] and bad["Spalte"].tolist() == ["Straße"]
    assert "Gibtesnichtweg 3" in bad["Meldung"].iloc[0]
    assert len(app_copy.read_layer("angebote")) == before  # checking writes nothing
    # All or nothing refuses the file (German message with the row), nothing is stored.
    app.radio(key="import_modus").set_value("alles")
    app.button(key="import_speichern").click()
    rerun(app)
    assert any("Es wurde nichts gespeichert" in e.value for e in app.error)
    assert len(app_copy.read_layer("angebote")) == before
    app.radio(key="import_modus").set_value("gueltige")
    app.button(key="import_speichern").click()
    rerun(app)
    assert any("Gespeichert: 4 neu" in s.value for s in app.success)
    assert len(app_copy.read_layer("angebote")) == before + 4
    # The map page sees the new offers at once (the store's version token changed).
    karte = open_page()
    assert int(metric(karte, "Angebote in der Auswahl")) == before + 4


def test_daten_edit_conflict_undo_and_retire(app_copy):
    from layers.angebote.edit import change_history, update_service

    services = app_copy.read_layer("angebote")
    target = services[services["typ"] == "EUTB"].iloc[0]
    aid, version = str(target["angebot_id"]), int(target["version"])
    app = open_page("daten")
    app.radio(key="edit_aktion").set_value("aendern")
    rerun(app)
    app.selectbox(key="edit_angebot").set_value(aid)
    rerun(app)
    prefix = f"edit_{aid}_{version}"
    app.text_input(key=f"{prefix}_name").input("EUTB Aachen (neuer Name)")
    app.selectbox(key=f"{prefix}_stufenloser_zugang").set_value("ja")
    submit(app, "Änderungen speichern")
    assert any("jetzt Version" in s.value for s in app.success)
    stored = app_copy.read_layer("angebote").set_index("angebot_id").loc[aid]
    assert stored["name"] == "EUTB Aachen (neuer Name)" and stored["stufenloser_zugang"] == "ja"
    new_version = int(stored["version"])
    # Someone else changes the offer meanwhile: saving the stale form shows the German conflict.
    update_service(app_copy, aid, {"telefon": "0241 999"}, expected_version=new_version)
    prefix = f"edit_{aid}_{new_version}"
    app.text_input(key=f"{prefix}_name").input("EUTB Aachen (zweiter Name)")
    submit(app, "Änderungen speichern")
    assert any("inzwischen" in w.value for w in app.warning)
    assert any("geändert" in e.value and "Version" in e.value for e in app.error)
    assert app_copy.read_layer("angebote").set_index("angebot_id").loc[aid, "name"] == "EUTB Aachen (neuer Name)"
    app.button(key="edit_neu_laden").click()
    rerun(app)
    assert not any("inzwischen" in w.value for w in app.warning)
    # Undo the name change through the history.
    history = change_history(app_copy, aid)
    rename = int(history[history["felder"].str.contains("name")]["protokoll_id"].iloc[0])
    app.radio(key="edit_aktion").set_value("verlauf")
    rerun(app)
    assert "Angebot" in table_with(app, "Aktion").columns
    app.selectbox(key="verlauf_eintrag").set_value(rename)
    app.button(key="verlauf_rueckgaengig").click()
    rerun(app)
    assert any("rückgängig gemacht" in s.value for s in app.success)
    assert app_copy.read_layer("angebote").set_index("angebot_id").loc[aid, "name"] == target["name"]
    # Retire: the offer stays in the directory but leaves the map.
    karte_before = int(metric(open_page(), "Angebote in der Auswahl"))
    app.radio(key="edit_aktion").set_value("aendern")
    rerun(app)
    app.selectbox(key="edit_angebot").set_value(aid)
    rerun(app)
    current = int(app_copy.read_layer("angebote").set_index("angebot_id").loc[aid, "version"])
    loaded = int(app.session_state[f"edit_version_{aid}"])
    assert loaded == current
    # Move by about 100 m to the north (the small map fills in the same two fields on a click).
    old_point = app_copy.read_layer("angebote").set_index("angebot_id").geometry.loc[aid]
    lat = app.text_input(key=f"move_{aid}_{loaded}_lat")
    assert "," in lat.value and "." not in lat.value  # shown with a decimal comma
    lat.set_value(f"{float(lat.value.replace(',', '.')) + 0.0009:.6f}".replace(".", ","))
    submit(app, "Hierher verschieben")
    assert any("Verschoben" in s.value for s in app.success)
    new_point = app_copy.read_layer("angebote").set_index("angebot_id").geometry.loc[aid]
    assert 90 < new_point.y - old_point.y < 110 and abs(new_point.x - old_point.x) < 5
    loaded = int(app.session_state[f"edit_version_{aid}"])
    from datetime import date, timedelta

    app.date_input(key=f"retire_{aid}_{loaded}_bis").set_value(date.today() - timedelta(days=1))
    submit(app, "Stilllegen")
    assert any("Stillgelegt" in s.value for s in app.success)
    assert len(app_copy.read_layer("angebote")) == len(services)
    assert int(metric(open_page(), "Angebote in der Auswahl")) == karte_before - 1


def test_daten_areas_indicators_and_barrier_import(app_copy, tmp_path):

    data = TEST_DATA
    app = open_page("daten")
    # A planning-area file with an overlap: the check names it and saving stays disabled.
    overlap = (data / "bad" / "planungsraeume_ueberlappung.geojson").read_bytes()
    app.file_uploader(key="pr_datei").set_value(("planungsraeume.geojson", overlap, "application/geo+json"))
    rerun(app)
    app.button(key="pr_pruefen").click()
    rerun(app)
    assert any("Überlappungen" in e.value or "Fehler" in e.value for e in app.error)
    assert app.button(key="pr_speichern").disabled
    # An indicator table joined by area number and stored as own indicators.
    table = "Planungsraum;Arbeitslosenquote\n" + "\n".join(
        f"PR{i:02d};{5 + i / 10:.1f}".replace(".", ",") for i in range(1, 28))
    app.file_uploader(key="kz_datei").set_value(("quote.csv", table.encode("utf-8"), "text/csv"))
    rerun(app)
    app.button(key="kz_pruefen").click()
    rerun(app)
    assert any("27 von 27 Planungsräumen mit Daten" in s.value for s in app.success)
    app.text_input(key="kz_quelle").input("Kommunalstatistik 2024")
    rerun(app)
    app.button(key="kz_speichern").click()
    rerun(app)
    assert any("Arbeitslosenquote" in s.value for s in app.success)
    assert app_copy.has_layer("nutzer_kennzahlen")
    profile = open_page("planungsraeume")
    texts = "\n".join(d.value.to_csv() for d in profile.dataframe)
    assert "Arbeitslosenquote" in texts and "5,1" in texts
    # Barrier reports: checked first, stored on request, never shown as single reports.
    good = (data / "barrieren" / "gute_meldungen.csv").read_bytes()
    before = len(app_copy.read_layer("barrieren"))
    app.file_uploader(key="bm_datei").set_value(("meldungen.csv", good, "text/csv"))
    rerun(app)
    app.button(key="bm_pruefen").click()
    rerun(app)
    assert any("geprüft" in s.value for s in app.success)
    assert len(app_copy.read_layer("barrieren")) == before
    app.button(key="bm_speichern").click()
    rerun(app)
    assert any("gespeichert" in s.value for s in app.success)
    assert len(app_copy.read_layer("barrieren")) == before + 4
    # A bad barrier file: German error with row and column, nothing stored.
    bad = (data / "bad_barrieren" / "unbekannter_code.csv").read_bytes()
    app.file_uploader(key="bm_datei").set_value(("unbekannt.csv", bad, "text/csv"))
    rerun(app)
    app.button(key="bm_pruefen").click()
    rerun(app)
    assert any("nichts gespeichert" in e.value or "unbekannt" in e.value.lower() for e in app.error)
    findings = next(d.value for d in app.dataframe
                    if "So beheben" in d.value.columns and "e157" in d.value.to_csv())
    assert findings["Zeile"].tolist() == [3] and findings["Spalte"].tolist() == ["icf_code"]
    assert len(app_copy.read_layer("barrieren")) == before + 4
    # Uploaded files never land in the project.
    assert not list(settings.project_root.glob("**/meldungen.csv"))


def test_daten_exports_never_offer_raw_barrier_reports(aachen_store):
    app = open_page("daten")
    overview = app.dataframe[0].value
    assert "barrieren" in set(overview["Ebene"])
    labels = [b.label for b in app.get("download_button")]
    for expected in ("Angebote als CSV", "Angebote als GeoPackage", "Planungsräume als GeoJSON",
                     "Bevölkerung (100-m-Gitter) als GeoPackage"):
        assert expected in labels
    assert not any("Barriere" in label for label in labels)


# --------------------------------------------------------------------------------------------
# Hilfe, errors, second region
# --------------------------------------------------------------------------------------------


def test_hilfe_renders(aachen_store):
    app = open_page("hilfe")
    tabs = [t.label for t in app.tabs]
    assert tabs == ["Anleitung", "Leichte Sprache", "Begriffe", "Quellen und Lizenzen", "Barrierefreiheit"]
    text = markdown_text(app)
    for attribution in ("© OpenStreetMap contributors", "© GeoBasis-DE / BKG", "Stadt Köln",
                        "ICF © WHO / DIMDI", "VRN"):
        assert attribution in text
    assert "Der Sozialraum-Atlas ist ein Programm." in text
    assert "in Arbeit" not in text
    # The privacy method from its one text module, in plain German and in Leichte Sprache.
    from analyses.privacy import texts

    assert texts.garantie() in text
    assert "Cell-Key-Methode" in text and "So schützen wir die Menschen in den Meldungen" in text
    assert "gerundet auf Vielfache" not in text  # the retired rounding-only description


def test_a_store_error_is_shown_as_german_message(aachen_store, monkeypatch, tmp_path):
    # A region whose store lacks a layer: the page shows the German error instead of a traceback.
    from layers.store import GeoPackageStore
    from layers.store.sqlite import connect

    (tmp_path / "regions").mkdir()
    broken = tmp_path / "regions" / "aachen.gpkg"
    shutil.copyfile(aachen_store.path, broken)
    # The layer goes from the derived file (row transactions write the user store, so the
    # derived file is damaged directly here).
    conn = connect(broken)
    with conn:
        conn.execute('DROP TABLE "angebote"')
        conn.execute("DELETE FROM gpkg_contents WHERE table_name = 'angebote'")
        conn.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'angebote'")
    conn.close()
    assert not GeoPackageStore(broken, aachen_store.crs).has_layer("angebote")
    monkeypatch.setattr(settings, "cache_dir", tmp_path)
    app = AppTest.from_file(APP, default_timeout=180)
    app.run()
    assert not app.exception
    assert any("Die Ebene 'angebote' fehlt" in e.value for e in app.error)


@pytest.fixture(scope="module")
def heidelberg_cache(heidelberg_build, tmp_path_factory):
    """A cache directory holding only the built second region (no population, grid areas)."""
    cache = tmp_path_factory.mktemp("cache")
    (cache / "regions").mkdir()
    shutil.copyfile(heidelberg_build.path, cache / "regions" / "heidelberg.gpkg")
    return cache


def test_second_region_from_the_sidebar(heidelberg_cache, monkeypatch):
    monkeypatch.setattr(settings, "cache_dir", heidelberg_cache)
    for page in (None, "erreichbarkeit", "barrieren", "konferenz", "planungsraeume", "daten"):
        app = open_page(page, region="heidelberg")
        assert not app.exception, (page, [e.message for e in app.exception])
    # A region without population data says nothing about modelled population and explains
    # why there is no coverage; its timetable gives ÖV-Güteklassen per address.
    app = open_page(region="heidelberg")
    notice = " ".join(i.value for i in app.info)
    assert "modelliert" not in notice
    assert int(metric(app, "Angebote in der Auswahl")) > 0
    assert app.checkbox(key="ebene_luecken").disabled
    reach = open_page("erreichbarkeit", region="heidelberg")
    assert any("keine Bevölkerungsdaten" in i.value for i in reach.info)
    reach.radio(key="erreich_ansicht").set_value("oev")
    rerun(reach)
    grades = table_with(reach, "Güteklasse")
    assert list(grades["Güteklasse"]) == ["A", "B", "C", "D", "E", "F", "keine"]
    assert grades["Adressen"].sum() == len(
        __import__("layers.store", fromlist=["GeoPackageStore"]).GeoPackageStore(
            heidelberg_cache / "regions" / "heidelberg.gpkg", "EPSG:25832").read_layer("adressen"))
    assert any("Fahrplan: `vrn_heidelberg_gtfs.zip`" in m.value for m in reach.markdown)


def test_daten_undo_of_a_whole_import_in_one_step(app_copy, tmp_path):
    """An import of three offers is undone with one button in the history view; the directory
    is as before (the engine's byte-identical check: tests/integration/test_import_rueckgaengig)."""
    from layers.angebote.importer import import_services

    before = app_copy.read_layer("angebote").sort_values("angebot_id").reset_index(drop=True)
    path = tmp_path / "drei.csv"
    path.write_text("ID;Name;Typ;lat;lon\nZ1;EUTB Z1;EUTB;50,7753;6,0839\n"
                    "Z2;KSL Z2;KSL;50,7760;6,0850\nZ3;IFD Z3;IFD;50,7770;6,0860\n", encoding="utf-8")
    import_services(app_copy, path)
    assert len(app_copy.read_layer("angebote")) == len(before) + 3
    app = open_page("daten")
    app.radio(key="edit_aktion").set_value("verlauf")
    rerun(app)
    choice = app.selectbox(key="import_rueckgaengig_wahl")
    assert "drei.csv" in choice.options[0] and "3 neue Angebote" in choice.options[0], choice.options
    # Outside team mode the name entered in the sidebar is recorded (not "unbekannt").
    from ui.state import USER_KEY

    app.session_state[USER_KEY] = "Erika Muster"
    app.button(key="import_rueckgaengig").click()
    rerun(app)
    assert any("in einem Schritt" in s.value for s in app.success), [s.value for s in app.success]
    audit = app_copy.read_layer("_aenderungsprotokoll")
    undone = audit[audit["aktion"].isin(["rueckgaengig", "import_rueckgaengig"])]
    assert len(undone) == 4 and set(undone["benutzer"]) == {"Erika Muster"}
    after = app_copy.read_layer("angebote").sort_values("angebot_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(after, before)
    # The undone import is no longer offered.
    assert not [s for s in app.selectbox if s.key == "import_rueckgaengig_wahl"]


def test_planungsraeume_all_steckbriefe_as_one_zip(aachen_store):
    """One click makes every area's Steckbrief (with a progress bar), then the ZIP downloads."""
    import io
    import zipfile

    from ui.profil.steckbrief import ZIP_KEY

    app = open_page("planungsraeume")
    app.selectbox(key="profil_pr").set_value("PR09").run()
    assert "Steckbriefe aller Planungsräume herunterladen (ZIP)" not in \
        [b.label for b in app.get("download_button")]
    app.button(key="steckbriefe_zip_erstellen").click()
    rerun(app)
    assert "Steckbriefe aller Planungsräume herunterladen (ZIP)" in \
        [b.label for b in app.get("download_button")]
    names = zipfile.ZipFile(io.BytesIO(app.session_state[ZIP_KEY]["daten"])).namelist()
    areas = [p for p in aachen_store.read_layer("planungsraeume")["pr_id"]]
    assert "index.html" in names
    for pr_id in areas:
        assert sum(n.startswith(f"{pr_id}_") for n in names) == 2, pr_id  # PDF and HTML
