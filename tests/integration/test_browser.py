"""End-to-end: the real server in headless Chromium (Debian's ``chromium`` driven by Playwright).

Opens every page, checks the page language, runs an axe-core audit (no serious or critical
violations allowed), selects a planning area and a service, steps through the Konferenzmodus,
checks that nothing is loaded from the internet, and saves screenshots under
``.cache/tests/screenshots/``.

Chromium comes from the operating system (``python dev.py test`` installs it on Debian when run
as root). Without it the tests are skipped, unless ``SOZIALRAUM_REQUIRE_BROWSER=1`` (set by CI):
then a missing browser is a failure.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from layers import settings
from tests.tools.paths import DATA as TEST_DATA
from tests.tools.stores import fingerprint
from tests.tools.streamlit_app import free_port, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path(os.environ.get("SOZIALRAUM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = settings.cache_dir / "screenshots"
PAGES = {
    "karte": "",
    "erreichbarkeit": "erreichbarkeit",
    "barrieren": "barrieren",
    "planungsraeume": "planungsraeume",
    "szenarien": "szenarien",
    "netzwerk": "netzwerk",
    "konferenz": "konferenz",
    "daten": "daten",
    "hilfe": "hilfe",
}
MAP_PAGES = {"karte", "erreichbarkeit", "barrieren", "planungsraeume", "szenarien", "netzwerk",
             "konferenz"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}


def _missing_browser_reason() -> str | None:
    if not CHROMIUM.exists():
        return (f"Chromium fehlt ({CHROMIUM}); 'python dev.py test' installiert es unter Debian als "
                "root, sonst: apt-get install chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Das Python-Paket 'playwright' fehlt (python dev.py setup installiert es)."
    if _axe_source() is None:
        return "axe-core fehlt (Paket 'axe-playwright-python'; python dev.py setup installiert es)."
    return None


def _axe_source() -> str | None:
    try:
        import axe_playwright_python
    except ImportError:
        return None
    path = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    return path.read_text(encoding="utf-8") if path.exists() else None


@pytest.fixture(scope="module")
def browser_available() -> None:
    reason = _missing_browser_reason()
    if reason is None:
        return
    if os.environ.get("SOZIALRAUM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Browser-Test verlangt (SOZIALRAUM_REQUIRE_BROWSER=1), aber: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def server(browser_available, aachen_store) -> Iterator[str]:
    """The app served by ``streamlit run`` on a free port; yields its base URL."""
    env = dict(os.environ, PYTHONUTF8="1", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               SOZIALRAUM_CACHE=str(settings.cache_dir))
    with streamlit_app(env) as url:
        yield url


class Browser:
    """A Chromium context with a fresh profile; records every request that leaves the machine."""

    def __init__(self, playwright: Any, profile: Path) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1400, "height": 1000}, locale="de-DE",
        )
        self.context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in LOCAL_HOSTS:
            self.external.append(url)
            route.abort()
        else:
            route.continue_()

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page


@pytest.fixture(scope="module")
def browser(server, tmp_path_factory) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        instance = Browser(playwright, tmp_path_factory.mktemp("chromium-profil"))
        try:
            yield instance
        finally:
            instance.context.close()


def wait_until_idle(page: Any, timeout_s: float = 90) -> None:
    """Wait until the script run is over and the page is drawn."""
    page.wait_for_selector("h1", timeout=timeout_s * 1000)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=timeout_s * 1000)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=timeout_s * 1000)


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot of the whole page: Streamlit scrolls inside its main container, so the
    viewport is made as tall as the content for the moment of the shot."""
    height = int(page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]') "
        "|| document.querySelector('section.main'); return m ? m.scrollHeight : 1000; }"))
    size = page.viewport_size or {"width": 1400, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height + 40, 9000))})
    page.wait_for_timeout(700)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def map_frame(page: Any, timeout_s: float = 60) -> Any:
    """The Leaflet map's frame, once the map and its legend (in or beside the map) are drawn."""
    page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "streamlit_folium" in frame.url:
                try:
                    # The legend is drawn with the map's layers: inside the map, or beside it
                    # on the page (Konferenzmodus).
                    inside = frame.evaluate("() => !!document.querySelector('.leaflet-container .sa-legende')")
                    beside = page.evaluate("() => !!document.querySelector('.sa-legende-aussen')") and \
                        frame.evaluate("() => !!document.querySelector('.leaflet-container .leaflet-control-scale')")
                    if inside or beside:
                        return frame
                except Exception:  # frame reloading
                    pass
        page.wait_for_timeout(200)
    raise AssertionError("Die Karte wurde nicht gezeichnet.")


def axe_audit(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page and all its frames; return serious and critical violations."""
    source = _axe_source()
    assert source is not None
    for frame in page.frames:
        try:
            frame.add_script_tag(content=source)
        except Exception:  # a frame that went away meanwhile
            continue
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'], iframes: true})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n.get("target") for n in v["nodes"][:5]]}
        for v in result["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_missing_browser_is_reported(monkeypatch):
    # The reason is what the skip (or, with SOZIALRAUM_REQUIRE_BROWSER=1, the failure) says.
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", Path("/nicht/vorhanden/chromium"))
    reason = _missing_browser_reason()
    assert reason is not None and "apt-get install chromium" in reason


def test_served_page_is_german_from_the_first_byte(server: str):
    import streamlit

    with urllib.request.urlopen(server + "/", timeout=10) as response:
        served = response.read().decode("utf-8")
    installed = (Path(streamlit.__file__).parent / "static" / "index.html").read_text("utf-8")
    patched = '<html lang="de"' in installed
    if os.environ.get("SOZIALRAUM_REQUIRE_BROWSER") == "1":
        assert patched, "python dev.py setup setzt die Seitensprache in Streamlits index.html"
    assert ('<html lang="de"' in served) == patched


def test_every_page_is_german_accessible_and_offline(browser: Browser, server: str):
    problems: dict[str, Any] = {}
    for name, path in PAGES.items():
        page = browser.new_page()
        page.goto(f"{server}/{path}")
        wait_until_idle(page)
        if name in MAP_PAGES:
            frame = map_frame(page)
            assert frame.evaluate("() => document.documentElement.lang") == "de"
            assert frame.evaluate("() => document.querySelectorAll('img.leaflet-image-layer').length") == 1
            labels = frame.evaluate(
                "() => [...document.querySelectorAll('.leaflet-control-zoom a')].map(a => a.getAttribute('aria-label'))")
            assert labels == ["Karte vergrößern", "Karte verkleinern"]
        page.wait_for_function("() => document.documentElement.getAttribute('data-sprache-gesetzt') === '1'",
                               timeout=30_000)
        assert page.evaluate("() => document.documentElement.lang") == "de"
        screenshot(page, name)
        violations = axe_audit(page)
        if violations:
            problems[name] = violations
        page.close()
    assert not problems, problems
    assert not browser.external, f"Zugriffe ins Internet: {browser.external[:10]}"
    assert not browser.errors, browser.errors


def test_select_area_and_service_on_the_map(browser: Browser, server: str):
    page = browser.new_page()
    page.goto(server)
    wait_until_idle(page)
    frame = map_frame(page)
    # Choose a planning area with the keyboard in the selectbox beside the map.
    box = page.get_by_role("combobox", name="Planungsraum")
    box.click()
    page.keyboard.type("PR09")
    page.keyboard.press("Enter")
    wait_until_idle(page)
    heading = page.locator("h3", has_text="PR09 ")
    heading.wait_for(timeout=30_000)
    assert "Einwohner (modelliert)" in page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    frame = map_frame(page)
    assert frame.evaluate("() => document.querySelectorAll('path[stroke-dasharray=\"10 5\"]').length") == 1
    screenshot(page, "karte_planungsraum")

    # Click a single service symbol in the map: its details appear beside the map.
    marker = frame.locator(".sa-service-icon").first
    marker.wait_for(timeout=30_000)
    title = marker.get_attribute("title")
    assert title
    marker.click()
    name = title.rsplit(" (", 1)[0]
    page.locator("h3", has_text=name).wait_for(timeout=30_000)
    wait_until_idle(page)
    assert "Barrierefreiheit" in page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    screenshot(page, "karte_angebot")

    # The same with the keyboard: focus another service symbol and press Enter.
    frame = map_frame(page)
    other = frame.locator(".sa-service-icon").nth(1)
    other_title = other.get_attribute("title")
    assert other_title and other_title != title
    other.focus()
    page.keyboard.press("Enter")
    page.locator("h3", has_text=other_title.rsplit(" (", 1)[0]).wait_for(timeout=30_000)
    page.close()
    assert not browser.external, browser.external[:10]


def test_keyboard_reaches_filters_and_map(browser: Browser, server: str):
    page = browser.new_page()
    page.goto(server)
    wait_until_idle(page)
    map_frame(page)
    seen = []
    page.locator("h1").click()
    for _ in range(80):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(
            "() => { const e = document.activeElement; return (e.tagName + ' ' + "
            "(e.getAttribute('aria-label') || e.getAttribute('title') || e.innerText || '')).slice(0, 80); }"))
    text = "\n".join(seen)
    assert "Angebotstypen" in text or "INPUT" in text
    assert "IFRAME" in text  # the map (its own controls are reachable inside)
    assert any("Nur stufenlos" in s or "CHECKBOX" in s.upper() or s.startswith("INPUT") for s in seen)
    page.close()


def test_konferenzmodus_next_area(browser: Browser, server: str):
    page = browser.new_page()
    page.goto(f"{server}/konferenz")
    wait_until_idle(page)
    map_frame(page)
    before = page.locator("h1").first.inner_text()
    page.get_by_role("button", name="Nächster").click()
    wait_until_idle(page)
    page.wait_for_function(f"() => document.querySelector('h1').innerText !== {before!r}", timeout=30_000)
    assert "2 von 27" in page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    map_frame(page)
    screenshot(page, "konferenz_naechster")
    page.close()
    assert not browser.errors, browser.errors


def metric_value(page: Any, label: str) -> str:
    """The shown value of a metric by its label."""
    return str(page.evaluate(
        "(label) => { for (const m of document.querySelectorAll('[data-testid=\"stMetric\"]')) {"
        " const l = m.querySelector('[data-testid=\"stMetricLabel\"]');"
        " if (l && l.innerText.trim().startsWith(label)) {"
        "  return m.querySelector('[data-testid=\"stMetricValue\"]').innerText; } } return null; }",
        label))


def test_reachability_analysis_in_the_browser(browser: Browser, server: str):
    """Run a reachability analysis as a user would: change the profile, then click a start point
    into the map and get its isochrone with the people within reach."""
    page = browser.new_page()
    page.goto(f"{server}/erreichbarkeit")
    wait_until_idle(page)
    map_frame(page)
    label = "Einwohner erreichen die Auswahl"
    page.wait_for_function(
        "(label) => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".some(m => m.innerText.startsWith(label) && m.innerText.includes('%'))",
        arg=label, timeout=60_000)
    wheelchair = metric_value(page, label)
    assert wheelchair.endswith("%"), wheelchair
    page.locator("label", has_text="zu Fuß").first.click()
    page.wait_for_function(
        "([label, old]) => { for (const m of document.querySelectorAll('[data-testid=\"stMetric\"]')) {"
        " if (m.innerText.startsWith(label)) { return !m.innerText.includes(old); } } return false; }",
        arg=[label, wheelchair], timeout=60_000)
    wait_until_idle(page)
    on_foot = metric_value(page, label)
    assert float(on_foot.replace(" %", "").replace(",", ".")) > float(wheelchair.replace(" %", "").replace(",", "."))
    # Isochrone from a point clicked into the map.
    page.locator("label", has_text="ab einem Punkt in der Karte").click()
    wait_until_idle(page)
    frame = map_frame(page)
    container = frame.locator(".leaflet-container")
    box = container.bounding_box()
    assert box is not None
    container.click(position={"x": box["width"] * 0.52, "y": box["height"] * 0.5})
    page.get_by_text("Isochrone ab dem Punkt").first.wait_for(timeout=60_000)
    wait_until_idle(page)
    frame = map_frame(page)
    frame.wait_for_function(
        "() => [...document.querySelectorAll('path')].some(p => p.getAttribute('stroke') === '#08306b')",
        timeout=30_000)
    text = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "Isochrone ab dem Punkt" in text
    screenshot(page, "erreichbarkeit_analyse")
    violations = axe_audit(page)
    assert not violations, violations
    # Public transport: walking distance to the nearest stop per cell; Aachen has no timetable.
    page.locator("label", has_text="Bus und Bahn (ÖV)").click()
    page.get_by_text("kein GTFS-Fahrplan hinterlegt").wait_for(timeout=60_000)
    wait_until_idle(page)
    map_frame(page)
    screenshot(page, "erreichbarkeit_oev")
    violations = axe_audit(page)
    assert not violations, violations
    page.close()
    assert not browser.external, browser.external[:10]
    assert not browser.errors, browser.errors


def test_profile_and_barrier_pages_in_the_browser(browser: Browser, server: str):
    page = browser.new_page()
    page.goto(f"{server}/planungsraeume")
    wait_until_idle(page)
    map_frame(page)
    box = page.get_by_role("combobox", name="Planungsraum")
    box.click()
    page.keyboard.type("PR09")
    page.keyboard.press("Enter")
    page.locator("h2", has_text="Profil: PR09").wait_for(timeout=30_000)
    wait_until_idle(page)
    map_frame(page)
    main = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "Kennzahlen im Vergleich zur Region" in main and "Barrieren (geschützte Übersicht)" in main
    screenshot(page, "planungsraeume_pr09")
    page.goto(f"{server}/barrieren")
    wait_until_idle(page)
    map_frame(page)
    before = metric_value(page, "Personen mit Meldungen")
    choice = page.get_by_role("combobox", name="Auswahl der Meldungen")
    choice.click()
    page.keyboard.type("ICF-Kapitel e1")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(old) => { for (const m of document.querySelectorAll('[data-testid=\"stMetric\"]')) {"
        " if (m.innerText.startsWith('Personen mit Meldungen')) { return !m.innerText.includes(old); } }"
        " return false; }", arg=before, timeout=60_000)
    wait_until_idle(page)
    frame = map_frame(page)
    # Only polygons of the published grid and areas: no markers at report locations.
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-marker-icon:not(.sa-area-label-icon)').length") == 0
    screenshot(page, "barrieren_kapitel_e1")
    violations = axe_audit(page)
    assert not violations, violations
    page.close()
    assert not browser.external, browser.external[:10]
    assert not browser.errors, browser.errors


def test_daten_tabs_are_accessible(browser: Browser, server: str):
    """Every tab of the Daten page (import, editing form, planning areas, tables, reports,
    exports) passes the axe audit; the editing form is opened for one offer."""
    page = browser.new_page()
    page.goto(f"{server}/daten")
    wait_until_idle(page)
    problems: dict[str, Any] = {}
    for tab in ("Angebote importieren", "Angebote bearbeiten", "Planungsräume", "Kennzahlen-Tabelle",
                "Barrieremeldungen", "Exporte"):
        page.get_by_role("tab", name=tab).click()
        wait_until_idle(page)
        if tab == "Angebote importieren":
            # Streamlit's English upload texts are shown in German.
            page.get_by_text("Datei wählen").first.wait_for(timeout=30_000)
            panel = page.locator('[data-testid="stFileUploaderDropzone"]').first.inner_text()
            assert "Drag and drop" not in panel and "per file" not in panel, panel
            assert "Datei wählen" in panel and "je Datei" in panel, panel
            screenshot(page, "daten_import")
        if tab == "Angebote bearbeiten":
            box = page.get_by_role("combobox", name="Angebot")
            box.click()
            page.keyboard.type("EUTB")
            page.keyboard.press("Enter")
            wait_until_idle(page)
            page.get_by_role("button", name="Änderungen speichern").wait_for(timeout=30_000)
            # A click into the small map fills in the new position of the offer.
            # A German decimal-comma text field (ui/eingabe.py), not a number spinner.
            latitude = page.get_by_role("textbox", name="Breite")
            before = latitude.input_value()
            frame = map_frame(page)
            container = frame.locator(".leaflet-container")
            box = container.bounding_box()
            assert box is not None
            container.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.2})
            page.wait_for_function(
                "(old) => { const i = [...document.querySelectorAll('input')].find("
                "e => e.getAttribute('aria-label') === 'Breite'); return i && i.value !== old; }",
                arg=before, timeout=30_000)
            def german(text: str) -> float:
                return float(text.replace(".", "").replace(",", "."))

            assert "," in latitude.input_value()
            assert german(latitude.input_value()) > german(before)
            wait_until_idle(page)
            screenshot(page, "daten_bearbeiten")
        violations = axe_audit(page)
        if violations:
            problems[tab] = violations
    page.close()
    assert not problems, problems
    assert not browser.errors, browser.errors



def _upload_and_check(browser: Browser, server: str, tab: str, path: Path, button: str) -> Any:
    """Open the Daten page, upload ``path`` in the uploader of ``tab``, press its check button."""
    page = browser.new_page()
    page.goto(f"{server}/daten")
    wait_until_idle(page)
    page.get_by_role("tab", name=tab).click()
    wait_until_idle(page)
    # Streamlit keeps every tab in the page; the visible tab's uploader is the one to use.
    page.get_by_role("tabpanel", name=tab).locator('input[type="file"]').set_input_files(str(path))
    page.get_by_role("button", name=button).wait_for(timeout=30_000)
    wait_until_idle(page)
    page.get_by_role("button", name=button).click()
    return page


def test_upload_of_a_service_list_is_checked_and_reported(browser: Browser, server: str,
                                                         aachen_store, tmp_path: Path):
    """A real upload in the browser: a Windows-1252 CSV with semicolons and decimal commas, one
    good row and one with an unknown type, is read, checked and reported in German (summary on
    the page, the report as CSV download); checking writes nothing into the store."""
    upload = tmp_path / "angebote_aus_excel.csv"
    upload.write_bytes(
        "Name;Typ;Straße;Hausnummer;PLZ;Ort;Breite;Länge;Barrierefrei\r\n"
        "Beratung am Münsterplatz;EUTB;Münsterplatz;1;52062;Aachen;50,7747;6,0839;ja\r\n"
        "KoKoBe Nord;KoKoBo;Adalbertstraße;66;52062;Aachen;50,7770;6,0900;ja\r\n".encode("cp1252")
    )
    before = fingerprint(aachen_store)
    page = _upload_and_check(browser, server, "Angebote importieren", upload, "Datei prüfen")
    page.get_by_text("2 Zeilen gelesen, 1 gültig, 1 mit Fehlern").wait_for(timeout=60_000)
    wait_until_idle(page)
    with page.expect_download(timeout=30_000) as download_info:
        page.get_by_role("button", name="Prüfbericht als CSV").click()
    report = Path(download_info.value.path()).read_bytes().decode("utf-8-sig")
    assert "KoKoBo" in report and "KoKoBe" in report, report
    assert "angebote_aus_excel.csv" in report, report
    # The save button is there, but nothing was stored by checking.
    assert page.get_by_role("button", name="In das Angebotsverzeichnis übernehmen").is_enabled()
    screenshot(page, "daten_import_pruefbericht")
    violations = axe_audit(page)
    page.close()
    assert fingerprint(aachen_store) == before
    assert not violations, violations
    assert not browser.errors, browser.errors


def test_barrier_file_with_personal_data_is_refused_in_the_browser(browser: Browser, server: str,
                                                                   aachen_store):
    """Barrier reports are health data: a file with names and birth dates uploaded in the app is
    refused with a German message naming the columns, and nothing reaches the store."""
    bad = TEST_DATA / "bad_barrieren" / "personenbezogen.csv"
    before = fingerprint(aachen_store)
    page = _upload_and_check(browser, server, "Barrieremeldungen", bad, "Meldungen prüfen")
    alert = page.locator('[data-testid="stAlertContentError"]').first
    alert.wait_for(timeout=60_000)
    message = alert.inner_text()
    assert "personenbezogenen Daten" in message and "nicht importiert" in message, message
    wait_until_idle(page)
    # The findings table names file and columns; its cells are in the data grid's accessible
    # table (the grid itself draws on a canvas).
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.wait_for(timeout=30_000)
    grid.locator('td[role="gridcell"]').first.wait_for(state="attached", timeout=30_000)
    cells = grid.locator('td[role="gridcell"]').all_text_contents()
    assert "personenbezogen.csv" in message or "personenbezogen.csv" in cells, (message, cells)
    assert "Geburtsdatum" in cells and "Name" in cells, cells
    assert page.get_by_role("button", name="Meldungen speichern").count() == 0
    violations = axe_audit(page)
    page.close()
    assert fingerprint(aachen_store) == before
    assert not violations, violations
    assert not browser.errors, browser.errors


def test_netzwerk_page_draws_cooperation_lines_and_marks_isolated_offers(browser: Browser,
                                                                         server: str):
    from planungsraeume import kooperation
    from planungsraeume.frage import DEFAULT_QUESTION
    from planungsraeume.region import Region
    from ui.kooperation.karte import ISOLATED, LINK

    region = Region.open("aachen")
    lines = kooperation.cooperation_lines(region, DEFAULT_QUESTION.on())
    network = kooperation.network(region, DEFAULT_QUESTION.on())
    page = browser.new_page()
    page.goto(f"{server}/netzwerk")
    wait_until_idle(page)
    frame = map_frame(page)
    count = "() => document.querySelectorAll('path[stroke=\"%s\"]').length"
    frame.wait_for_function(f"{count % LINK} > 0", timeout=60_000)
    assert frame.evaluate(count % LINK) == len(lines)
    rings = frame.evaluate(count % ISOLATED)
    assert rings == int(network["isoliert"].sum())
    screenshot(page, "netzwerk")
    assert not browser.errors, browser.errors
    page.close()


def test_every_page_url_opens_without_dialog_and_a_link_reproduces_the_view(browser: Browser,
                                                                            server: str):
    page = browser.new_page()
    for path in ["karte", *[p for p in PAGES.values() if p]]:
        page.goto(f"{server}/{path}")
        wait_until_idle(page)
        assert page.locator("[role='dialog']").count() == 0, path  # no "Page not found"
        assert "Page not found" not in page.inner_text("body"), path
        assert urlparse(page.url).path == f"/{path}", page.url
    page.goto(f"{server}/?planungsraum=PR03&profil=fuss&minuten=10")
    wait_until_idle(page)
    assert urlparse(page.url).path == "/karte"  # "/" forwards, with the settings
    assert "planungsraum=PR03" in page.url and "profil=fuss" in page.url
    page.goto(f"{server}/planungsraeume?planungsraum=PR07&profil=rollator&minuten=20")
    wait_until_idle(page)
    assert "Profil: PR07" in page.locator("h2").first.inner_text()
    assert "planungsraum=PR07" in page.url and "minuten=20" in page.url
    shown = page.locator("[data-testid='stSidebar'] [data-testid='stCode']").inner_text()
    assert "/planungsraeume?" in shown and "planungsraum=PR07" in shown
    # The Steckbrief in one click: the PDF is made when the button is pressed.
    import io

    from pypdf import PdfReader

    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Steckbrief herunterladen (PDF)").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF") and download.value.suggested_filename.startswith("PR07_")
    first = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Planungsräume generiert" in first and "Barrieremeldungen erfunden" in first
    page.close()


BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s\\u00ad]+(\\u00ad[^\\s\\u00ad]+)*/g;
      let m;
      while ((m = re.exec(node.data)) !== null) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_konferenzmodus_fits_one_screen_with_legend_beside_the_map(browser: Browser, server: str,
                                                                   size: tuple[int, int]):
    width, height = size
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{server}/konferenz")
    wait_until_idle(page)
    frame = map_frame(page)
    page.wait_for_timeout(500)
    boxes = page.evaluate("""() => {
      const box = e => { const r = e.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
      const map = document.querySelector("iframe[title='streamlit_folium.st_folium']");
      return {map: box(map), figures: [...document.querySelectorAll('.sa-figure')].map(box),
              legend: [...document.querySelectorAll('.sa-legende-aussen')].map(box),
              scrolled: (document.querySelector('[data-testid="stMain"]') || document.body).scrollTop,
              sidebar: (() => { const e = document.querySelector('[data-testid="stSidebar"]');
                if (!e) return 0; const r = e.getBoundingClientRect();
                return Math.max(0, Math.min(r.right, window.innerWidth) - Math.max(r.left, 0)); })()};
    }""")
    page.screenshot(path=str(SCREENSHOTS / f"konferenz_{width}x{height}.png"))
    inside = [boxes["map"], *boxes["figures"]]
    assert len(boxes["figures"]) == 5
    for box in inside:  # map and the five figures in the first screen, without scrolling
        assert box["top"] >= 0 and box["left"] >= 0, box
        assert box["bottom"] <= height and box["right"] <= width, (box, size)
    assert boxes["scrolled"] == 0
    assert boxes["sidebar"] < 5, boxes["sidebar"]  # the navigation starts closed (off screen)
    m = boxes["map"]
    for box in boxes["legend"]:  # the legend lies beside the map, not over it
        assert box["right"] <= m["left"] or box["left"] >= m["right"] \
            or box["bottom"] <= m["top"] or box["top"] >= m["bottom"], (box, m)
    assert frame.evaluate("() => document.querySelectorAll('.sa-legende').length") == 0
    scale = frame.evaluate("() => document.querySelector('.leaflet-control-scale').innerText")
    assert scale.strip().endswith((" m", " km")) and "ft" not in scale and "mi" not in scale
    broken = page.evaluate(BROKEN_WORDS, ".sa-figure, h1")
    assert not broken, broken
    page.close()
    assert not browser.errors, browser.errors


MAP_AND_LEGEND_BOXES = """() => {
  const box = e => { const r = e.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  return {maps: [...document.querySelectorAll("iframe[title='streamlit_folium.st_folium']")].map(box),
          legends: [...document.querySelectorAll('.sa-legende-aussen')].map(box)};
}"""

VISIBLE_AREA_LABELS = """() => [...document.querySelectorAll('.sa-area-label')]
  .filter(e => getComputedStyle(e).visibility !== 'hidden' && e.getBoundingClientRect().width > 0)
  .map(e => { const r = e.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, text: e.innerText}; })"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] \
        and b["top"] < a["bottom"]


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_no_legend_over_any_map_and_no_overlapping_area_labels(browser: Browser, server: str,
                                                              size: tuple[int, int]):
    """On every page with a map: the legend is on the page (not in the map), its box does not
    overlap the map's box, and the visible planning-area labels do not overlap each other."""
    width, height = size
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    problems: dict[str, Any] = {}
    for name in sorted(MAP_PAGES):
        page.goto(f"{server}/{PAGES[name]}")
        wait_until_idle(page)
        frame = map_frame(page)
        page.wait_for_timeout(400)
        boxes = page.evaluate(MAP_AND_LEGEND_BOXES)
        if not boxes["legends"]:
            problems[name] = "keine Legende neben/unter der Karte"
        if frame.evaluate("() => document.querySelectorAll('.sa-legende').length"):
            problems[name] = "Legende in der Karte"
        for legend_box in boxes["legends"]:
            for map_box in boxes["maps"]:
                if _overlap(legend_box, map_box):
                    problems[name] = ("Legende über der Karte", legend_box, map_box)
        frame.wait_for_function(
            "() => document.querySelector('.leaflet-container').hasAttribute('data-beschriftung-geprueft')",
            timeout=30_000)
        labels = frame.evaluate(VISIBLE_AREA_LABELS)
        hits = [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
                if _overlap(a, b)]
        if hits:
            problems[f"{name} Beschriftung"] = hits[:5]
        if name == "karte":
            assert len(labels) >= 10, labels  # decluttering keeps most labels at the region view
        page.screenshot(path=str(SCREENSHOTS / f"legende_{name}_{width}x{height}.png"))
    page.close()
    assert not problems, problems
    assert not browser.errors, browser.errors


PRINT_BOXES = """() => {
  const side = document.querySelector('[data-testid="stSidebar"]');
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width}; };
  return {sidebar: side ? getComputedStyle(side).display : 'none',
          main: box(main), maps: [...document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')].map(box),
          overflow: getComputedStyle(document.querySelector('[data-testid="stMain"]') || document.body).overflowY,
          mm: (() => { const d = document.createElement('div'); d.style.width = '100mm';
                       document.body.appendChild(d); const w = d.getBoundingClientRect().width;
                       d.remove(); return w / 100; })()};
}"""


def test_every_page_prints_on_a4(browser: Browser, server: str):
    """Print media: the sidebar is hidden, the content (and the map) within the A4 width, the
    page is not cut to the screen (no inner scrolling); Chromium's PDF of the page is A4 with
    the page's title in it."""
    import io

    from pypdf import PdfReader

    from ui.sidebar import A4_PRINT_WIDTH_MM

    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    problems: dict[str, Any] = {}
    for name, path in PAGES.items():
        page.goto(f"{server}/{path}")
        wait_until_idle(page)
        if name in MAP_PAGES:
            map_frame(page)
        title = page.locator("h1").first.inner_text().strip()
        page.emulate_media(media="print")
        page.wait_for_timeout(400)
        boxes = page.evaluate(PRINT_BOXES)
        limit = A4_PRINT_WIDTH_MM * boxes["mm"] + 1
        if boxes["sidebar"] != "none":
            problems[f"{name} Seitenleiste"] = boxes["sidebar"]
        if boxes["main"]["width"] > limit:
            problems[f"{name} Inhalt"] = (boxes["main"], limit)
        for box in boxes["maps"]:
            if box["width"] > limit or box["width"] < 100:
                problems[f"{name} Karte"] = (box, limit)
        if name in MAP_PAGES and not boxes["maps"]:
            problems[f"{name} Karte"] = "nicht gedruckt"
        if boxes["overflow"] not in ("visible",):
            problems[f"{name} Bildlauf"] = boxes["overflow"]
        pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
        width_mm = float(pdf.pages[0].mediabox.width) / 72 * 25.4
        text = " ".join(" ".join((p.extract_text() or "") for p in pdf.pages[:2]).split())
        if abs(width_mm - 210) > 1 or title not in text:
            problems[f"{name} PDF"] = (round(width_mm), title, text[:120])
        page.emulate_media(media="screen")
        if name == "karte":
            page.pdf(path=str(SCREENSHOTS / "druck_karte.pdf"), format="A4", print_background=True)
    page.close()
    assert not problems, problems
    assert not browser.errors, browser.errors
