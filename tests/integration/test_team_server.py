"""Team mode end to end on the Aachen demo: the ``sozialraum server``/``nutzer`` commands.

Against the throwaway test server (:mod:`tests.tools.postgres`): set up, upload the built
demo, publish the barrier aggregates, check, create logins; then GDAL opens every layer from
PostGIS with the same row counts as the GeoPackage, and the published per-area table is the
one the privacy gate gives for the GeoPackage (the same quantity from the one place).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager, redirect_stdout
from typing import Any

import pytest

from cli import main
from layers.store import GeoPackageStore
from layers.store.postgis import Login, PostgisStore
from layers.store.postgis.veroeffentlichen import PUBLISHED_TABLE
from planungsraeume.barrieren import area_table, publication
from planungsraeume.region import Region
from tests.integration.test_browser import (
    Browser,
    browser_available,  # noqa: F401  (fixture: skips without Chromium, fails in CI)
    wait_until_idle,
)
from tests.tools.streamlit_app import streamlit_app

PASSWORD = "lange-test-passphrase"


def _cli(monkeypatch: pytest.MonkeyPatch, cluster: Any, *args: str, stdin: str = "") -> str:
    monkeypatch.setenv("PGPASSWORD", cluster.password)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    with redirect_stdout(out):
        code = main([*args, "--db", cluster.url_without_password()])
    assert code == 0, out.getvalue()
    return out.getvalue()


@pytest.fixture(scope="module")
def uploaded(postgis_cluster: Any, aachen_store: GeoPackageStore) -> dict[str, str]:
    """The demo on the server (``aachen`` schema): the output of each command."""
    with pytest.MonkeyPatch.context() as patch:
        return {
            "einrichten": _cli(patch, postgis_cluster, "server", "einrichten", "--region",
                               "aachen"),
            "hochladen": _cli(patch, postgis_cluster, "server", "hochladen", "--region",
                              "aachen", "--gpkg", str(aachen_store.path)),
            "pruefen": _cli(patch, postgis_cluster, "server", "pruefen", "--region", "aachen"),
            "anlegen": _cli(patch, postgis_cluster, "nutzer", "anlegen", "koord_pr05", "--rolle",
                            "koordination", "--planungsraum", "PR05", "--region", "aachen",
                            "--passwort-stdin", stdin=PASSWORD + "\n"),
        }


def _store(cluster: Any, config: Any, user: str) -> PostgisStore:
    return PostgisStore(cluster.url_without_password(user), config.crs, schema="aachen",
                        login=Login(user, PASSWORD))


def test_commands_set_up_upload_check_and_create_users(uploaded, postgis_cluster,
                                                      aachen_store, aachen_config):
    assert "Region \"aachen\" (EPSG:25832)" in uploaded["einrichten"]
    assert "gebaeude:" in uploaded["hochladen"] and "Veröffentlichte Barrieren-Zahlen" in (
        uploaded["hochladen"])
    assert re.search(r"\d+ Prüfungen, 0 Fehler\.", uploaded["pruefen"])
    assert "koord_pr05" in uploaded["anlegen"] and "PR05" in uploaded["anlegen"]
    koord = _store(postgis_cluster, aachen_config, "koord_pr05")
    assert koord.identity().rolle == "koordination"
    assert koord.identity().planungsraeume == ("PR05",)
    assert "barrieren" not in koord.list_layers()
    offers = koord.read_layer("angebote")
    assert len(offers) == len(aachen_store.read_layer("angebote"))


def test_gdal_opens_every_layer_from_postgis(uploaded, postgis_cluster, aachen_store):
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        if os.environ.get("SOZIALRAUM_REQUIRE_POSTGIS") == "1":
            pytest.fail("ogrinfo fehlt (gdal-bin), SOZIALRAUM_REQUIRE_POSTGIS=1")
        pytest.skip("ogrinfo (GDAL mit PostgreSQL-Treiber, Debian gdal-bin) fehlt; pyogrio's "
                    "Wheel hat keinen PostgreSQL-Treiber")
    conn = (f"PG:host=127.0.0.1 port={postgis_cluster.port} dbname=sozialraum "
            "user=sozialraum_test schemas=aachen")
    done = subprocess.run([ogrinfo, "-ro", "-so", "-al", conn], capture_output=True, text=True,
                          env={"PGPASSWORD": postgis_cluster.password}, timeout=120, check=True)
    counts = dict(re.findall(r"Layer name: (\S+)\n(?:.*\n)*?Feature Count: (\d+)", done.stdout))
    srids = re.findall(r'ID\["EPSG",(\d+)\]\]\n', done.stdout)
    for name in aachen_store.list_layers():
        if name.startswith("_"):
            continue
        assert name in counts, f"GDAL sieht {name} nicht"
        assert int(counts[name]) == len(aachen_store.read_layer(name)), name
    assert PUBLISHED_TABLE in counts
    assert srids and set(srids) == {"25832"}


def test_published_aggregates_are_the_gates_table_of_the_geopackage(uploaded, postgis_cluster,
                                                                   aachen_store, aachen_config):
    expected = area_table(Region.open(aachen_config, store=aachen_store),
                          publication(Region.open(aachen_config, store=aachen_store)))
    reader = _store(postgis_cluster, aachen_config, "koord_pr05")
    stored = reader.read_layer(PUBLISHED_TABLE).set_index("pr_id").loc[expected["pr_id"]]
    assert stored["veroeffentlicht"].tolist() == expected["veroeffentlicht"].tolist()
    assert stored["personen"].fillna(-1).tolist() == expected["personen"].fillna(-1).tolist()
    assert stored["einwohner"].tolist() == expected["einwohner"].tolist()
    assert expected["veroeffentlicht"].any() and not expected["veroeffentlicht"].all()


# ---- the app in server mode -------------------------------------------------------------------


def _app(monkeypatch: pytest.MonkeyPatch, cluster: Any) -> Any:
    from streamlit.testing.v1 import AppTest

    from layers import settings

    monkeypatch.setattr(settings, "database_url", cluster.url_without_password())
    app = AppTest.from_file(str(settings.project_root / "app.py"), default_timeout=300)
    app.run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    return app


def _log_in(app: Any, user: str, password: str) -> Any:
    app.text_input(key="anmeldung_name").input(user)
    app.text_input(key="anmeldung_passwort").input(password)
    next(b for b in app.button if b.label == "Anmelden").click()
    app.run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    return app


def _no_errors(app: Any) -> Any:
    assert not app.error, [e.value for e in app.error]
    return app


def _page(app: Any, page: str) -> str:
    app.switch_page(f"ui/pages/{page}.py").run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    _no_errors(app)
    return str(app.title[0].value)


def _sidebar_text(app: Any) -> str:
    return "\n".join([m.value for m in app.sidebar.markdown] + [c.value for c in app.sidebar.caption])


@pytest.fixture(scope="module")
def team(uploaded, postgis_cluster) -> dict[str, str]:
    """A planner and a reader of the uploaded demo (name → password)."""
    from tests.tools.server import make_user

    logins = {"planung": make_user(postgis_cluster, "planung", name="planer_app"),
              "lesen": make_user(postgis_cluster, "lesen", name="leser_app")}
    return {login.user: login.password for login in logins.values()}


def test_app_asks_for_a_login_and_refuses_a_wrong_password(team, postgis_cluster, monkeypatch):
    app = _app(monkeypatch, postgis_cluster)
    assert app.title[0].value == "Anmeldung" and len(app.title) == 1
    _log_in(app, "leser_app", "falsches-passwort-123")
    assert app.title[0].value == "Anmeldung"
    assert any("Passwort" in e.value for e in app.error)
    # A region not uploaded yet: the login says so instead of building it locally.
    app.session_state["region"] = "heidelberg"
    _log_in(app.run(), "leser_app", team["leser_app"])
    assert app.title[0].value == "Anmeldung"
    assert any("noch nicht auf dem Datenbankserver" in e.value for e in app.error)


def test_two_roles_see_different_pages_and_tabs(team, postgis_cluster, monkeypatch):
    reader = _no_errors(_log_in(_app(monkeypatch, postgis_cluster), "leser_app",
                                team["leser_app"]))
    assert reader.title[0].value == "Karte"  # the default page right after the login
    assert "Angemeldet als leser\\_app" in _sidebar_text(reader)
    assert "Rolle: Lesen" in _sidebar_text(reader)
    assert _page(reader, "barrieren_veroeffentlicht") == "Barrieren (veröffentlicht)"
    assert "Planungsraum" in reader.dataframe[0].value.columns
    # Pages the role may not use are not in the navigation at all.
    for hidden in ("daten", "barrieren", "szenarien"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            _page(reader, hidden)
    # The cooperation network is read by every role; only writers get its forms.
    assert _page(reader, "netzwerk") == "Netzwerk & Präsenz"
    assert any("nicht ändern" in c.value for c in reader.caption)
    assert not [e for e in reader.expander if "Kooperationsliste" in e.label]

    planner = _no_errors(_log_in(_app(monkeypatch, postgis_cluster), "planer_app",
                                 team["planer_app"]))
    assert "Rolle: Sozialplanung" in _sidebar_text(planner)
    assert _page(planner, "daten") == "Daten"
    labels = [t.label for t in planner.tabs]
    assert "Angebote bearbeiten" in labels and "Barrieremeldungen" not in labels
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        _page(planner, "barrieren")  # raw reports: the database has no GRANT for planung
    assert _page(planner, "netzwerk") == "Netzwerk & Präsenz"
    assert [e for e in planner.expander if "Kooperationsliste" in e.label]
    next(b for b in planner.sidebar.button if b.label == "Abmelden").click()
    planner.run()
    assert planner.title[0].value == "Anmeldung"


# ---- the same in a real browser ---------------------------------------------------------------


def served_app(env: dict[str, str]) -> AbstractContextManager[str]:
    """``streamlit run app.py`` on a free local port with ``env``; yields the base URL."""
    return streamlit_app(env)


@pytest.fixture(scope="module")
def team_app(team, postgis_cluster, request) -> Iterator[str]:
    """The app served by ``streamlit run`` in server mode (``SOZIALRAUM_DB``); its base URL."""
    from layers import settings

    request.getfixturevalue("browser_available")  # skips without Chromium (fails in CI)

    env = dict(os.environ, PYTHONUTF8="1", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               SOZIALRAUM_CACHE=str(settings.cache_dir),
               SOZIALRAUM_DB=postgis_cluster.url_without_password())
    env.pop("PGPASSWORD", None)
    with served_app(env) as url:
        yield url


def _nav_and_sidebar(browser: Browser, url: str, user: str, password: str) -> tuple[set[str], str]:
    page = browser.new_page()
    page.goto(url)
    wait_until_idle(page)
    assert page.locator("h1").first.inner_text() == "Anmeldung"
    assert page.locator('[data-testid="stSidebarNav"] a').count() == 0
    page.get_by_label("Benutzername").fill(user)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden").click()
    # The navigation and the identity are drawn before the page itself (no need to wait for
    # the map).
    page.wait_for_selector('[data-testid="stSidebarNav"] a', timeout=90_000)
    page.get_by_text(f"Angemeldet als {user}").wait_for(timeout=90_000)
    links = page.locator('[data-testid="stSidebarNav"] a')
    names = {links.nth(i).inner_text().strip().split("\n")[-1] for i in range(links.count())}
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    page.close()
    return names, sidebar


@pytest.mark.browser
def test_browser_logs_in_as_two_roles_and_sees_the_difference(team_app, team,
                                                              tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = Browser(playwright, tmp_path_factory.mktemp("chromium-team"))
        try:
            reader, reader_bar = _nav_and_sidebar(browser, team_app, "leser_app",
                                                  team["leser_app"])
            planner, planner_bar = _nav_and_sidebar(browser, team_app, "planer_app",
                                                    team["planer_app"])
        finally:
            browser.context.close()
    assert "Angemeldet als leser_app" in reader_bar and "Rolle: Lesen" in reader_bar
    assert "Angemeldet als planer_app" in planner_bar and "Rolle: Sozialplanung" in planner_bar
    assert {"Karte", "Barrieren (veröffentlicht)", "Hilfe"} <= reader
    assert "Daten" not in reader and "Szenarien & Standorte" not in reader
    assert {"Karte", "Daten", "Szenarien & Standorte"} <= planner
    assert "Barrieren (ICF)" not in planner and "Barrieren (ICF)" not in reader
    assert planner - reader == {"Daten", "Szenarien & Standorte"}
    assert not browser.external, browser.external


def test_app_edit_outside_the_coordinators_area_is_refused_by_the_database(
        uploaded, postgis_cluster, aachen_config, monkeypatch):
    from tests.tools.server import make_user

    # PR09 has offers in the demo (PR05 has none).
    koord = make_user(postgis_cluster, "koordination", region="aachen", areas=("PR09",),
                      name="koord_pr09")
    admin_store = PostgisStore(postgis_cluster.url(), aachen_config.crs, schema="aachen")
    area = admin_store.read_layer("planungsraeume").set_index("pr_id").loc["PR09", "geometry"]
    offers = admin_store.read_layer("angebote")
    inside = offers[offers.within(area)].iloc[0]
    outside = offers[~offers.intersects(area)].iloc[0]
    app = _no_errors(_log_in(_app(monkeypatch, postgis_cluster), koord.user, koord.password))
    assert _page(app, "daten") == "Daten"
    assert [t.label for t in app.tabs] == ["Überblick", "Angebote bearbeiten", "Exporte"]
    def save(row: Any, name: str) -> None:
        aid, version = str(row["angebot_id"]), int(row["version"])
        app.radio(key="edit_aktion").set_value("aendern").run()
        app.selectbox(key="edit_angebot").set_value(aid).run()
        app.text_input(key=f"edit_{aid}_{version}_name").input(name)
        next(b for b in app.button if b.label == "Änderungen speichern").click()
        app.run()
        assert not app.exception, [e.stack_trace for e in app.exception]

    save(outside, "Fremder Name")
    assert any("Datenbank hat abgelehnt" in e.value and "PR09" in e.value
               for e in app.error), [e.value for e in app.error]
    save(inside, "Eigener Name")
    assert not app.error, [e.value for e in app.error]
    stored = admin_store.read_layer("angebote").set_index("angebot_id")
    assert stored.loc[str(outside["angebot_id"]), "name"] == outside["name"]
    assert stored.loc[str(inside["angebot_id"]), "name"] == "Eigener Name"
    audit = admin_store.read_layer("_aenderungsprotokoll")
    assert audit[audit["objekt_id"] == str(inside["angebot_id"])]["benutzer"].tolist() == [
        "koord_pr09"]
