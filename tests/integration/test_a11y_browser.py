"""Accessibility in the browser (issue #13, items 9 and 10): every page at 1280×720 and 1920×1080.

One app server and one Chromium for the whole module (the fixtures of ``test_browser``, started
once more for this module). Per page and size: an axe-core audit (no serious or critical
violation; the "needs review" contrast items are written to
``.cache/tests/screenshots/a11y/axe_<breite>x<hoehe>.json`` for the manual check), no English
Streamlit label left, map shapes outside the Tab order, and a screenshot of the first screen and
of the whole page in ``.cache/tests/screenshots/a11y/``. Further: labels not cut off at 200 %
zoom (640×360 CSS pixels = 1280×720 at 200 %), a reachability analysis with the keyboard only
(at most 25 Tab presses), and the one-click switch to Heidelberg for ÖV-Güteklassen.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.integration import test_browser as _shared
from tests.integration.test_browser import (
    SCREENSHOTS,
    Browser,
    _axe_source,
    map_frame,
    wait_until_idle,
)

# The shared fixtures, registered in this module: its own app server and Chromium.
browser_available = _shared.browser_available
server = _shared.server
browser = _shared.browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUT = SCREENSHOTS / "a11y"
#: Every page of the app without team mode (app.PAGES; "barrieren-veroeffentlicht" exists in
#: team mode only) by its URL path.
PAGES = ["karte", "erreichbarkeit", "barrieren", "planungsraeume", "netzwerk", "szenarien",
         "konferenz", "daten", "hilfe"]
MAP_PAGES = {"karte", "erreichbarkeit", "barrieren", "planungsraeume", "szenarien", "netzwerk",
             "konferenz"}
SIZES = [(1280, 720), (1920, 1080)]

#: Streamlit's English texts (as text, aria-label, title or placeholder) that must not remain.
ENGLISH = ["Skip to main content", "Help for ", "Page not found", "Main menu", "Collapse sidebar",
           "Expand sidebar", "Link to heading", "Copy to clipboard", "App pages", "Download as CSV",
           "Show/hide columns", "Fullscreen", "Choose date", "Increment", "Decrement", "Clear all",
           "Selected values", "Remove ", "Drag and drop", "Browse files", "Press Enter",
           "Made with Streamlit", "does not seem to exist"]
GENERIC = ["Close", "Open", "Search", "Sidebar", "file upload"]  # attributes only

ENGLISH_LEFT = """([phrases, generic]) => {
  const found = new Set();
  const docs = [document];
  for (const f of document.querySelectorAll('iframe')) {
    try { if (f.contentDocument && f.contentDocument.body) docs.push(f.contentDocument); } catch (e) {}
  }
  for (const doc of docs) {
    const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n.data.trim();
      if (n.parentElement && n.parentElement.closest('script, style')) continue;
      for (const p of phrases) if (t.startsWith(p)) found.add('Text: ' + t.slice(0, 80));
    }
    for (const e of doc.querySelectorAll('[aria-label], [title], [placeholder]')) {
      for (const a of ['aria-label', 'title', 'placeholder']) {
        const v = (e.getAttribute(a) || '').trim();
        if (!v) continue;
        if (phrases.some(p => v.startsWith(p)) || generic.includes(v)) found.add(a + ': ' + v.slice(0, 80));
      }
    }
  }
  return [...found];
}"""

TABBABLE_SHAPES = """() => {
  let shapes = 0, tabbable = 0, skip = 0;
  for (const f of document.querySelectorAll("iframe[title='streamlit_folium.st_folium']")) {
    const doc = f.contentDocument;
    if (!doc) continue;
    for (const p of doc.querySelectorAll('.leaflet-overlay-pane .leaflet-interactive')) {
      shapes += 1;
      if (p.tabIndex >= 0) tabbable += 1;
    }
    skip += doc.querySelectorAll('a.sa-karte-ueberspringen').length;
  }
  return {shapes, tabbable, skip};
}"""

TRUNCATED = """() => {
  const cut = [];
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const closed = !sidebar || sidebar.getBoundingClientRect().right <= 5;  // off screen
  const selector = 'label, [data-testid="stWidgetLabel"] *, [data-testid="stMetricLabel"] *, ' +
    '[data-testid="stMetricValue"] *, button, button *, [role="tab"], [role="radio"] + div, h1, h2, h3, ' +
    'summary, [data-testid="stCaptionContainer"] *, [data-testid="stSidebarNav"] a span, ' +
    '.sa-figure *, [data-testid="stSidebar"] [data-testid="stSelectbox"] input';
  for (const e of document.querySelectorAll(selector)) {
    const text = (e.tagName === 'INPUT' ? e.value : e.innerText) || '';
    if (!e.getClientRects().length || !text.trim()) continue;
    if (e.closest('[data-testid="stSkipToContent"]') || (closed && e.closest('[data-testid="stSidebar"]'))) continue;
    const style = getComputedStyle(e);  // text spilling visibly (a long word) is not cut off
    if (style.overflowX === 'visible' && style.textOverflow !== 'ellipsis') continue;
    if (e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 1) {
      cut.push(e.tagName + ' ' + text.trim().slice(0, 60) + ' ' + e.scrollWidth + '>' + e.clientWidth);
    }
  }
  return cut;
}"""


def _open(browser: Browser, server: str, path: str, size: tuple[int, int]) -> Any:
    page = browser.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{server}/{path}")
    wait_until_idle(page)
    if path in MAP_PAGES:
        map_frame(page)
    page.wait_for_function(
        "() => document.documentElement.getAttribute('data-sprache-gesetzt') === '1'", timeout=30_000)
    page.wait_for_timeout(400)
    return page


def _shots(page: Any, name: str) -> None:
    """The first screen, and the whole page at the same width (Streamlit scrolls inside its main
    container, so the viewport is made as tall as the content for a moment)."""
    size = page.viewport_size
    page.screenshot(path=str(OUT / f"{name}_{size['width']}x{size['height']}.png"))
    height = int(page.evaluate(
        "() => (document.querySelector('[data-testid=\"stMain\"]') || document.body).scrollHeight"))
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height + 40, 9000))})
    page.wait_for_timeout(500)
    page.screenshot(path=str(OUT / f"{name}_{size['width']}x{size['height']}_ganz.png"))
    page.set_viewport_size(size)
    page.wait_for_timeout(300)


def axe(page: Any) -> dict[str, list[dict[str, Any]]]:
    """axe-core in the page and its frames: serious/critical violations and "needs review"
    contrast items (with axe's reason and the colours it saw)."""
    source = _axe_source()
    assert source is not None
    for frame in page.frames:
        try:
            frame.add_script_tag(content=source)
        except Exception:  # a frame that went away meanwhile
            continue
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations', 'incomplete'], iframes: true})")
    serious = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                "nodes": [n.get("target") for n in v["nodes"][:5]]}
               for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    review = []
    for item in result["incomplete"]:
        if item["id"] != "color-contrast":
            continue
        for node in item["nodes"]:
            data = next((c.get("data") for c in node.get("any", []) if c.get("data")), None) or {}
            review.append({"target": node.get("target"), "html": node.get("html", "")[:160],
                           "grund": data.get("messageKey"), "vorne": data.get("fgColor"),
                           "hinten": data.get("bgColor"), "kontrast": data.get("contrastRatio")})
    return {"serious": serious, "review": review}


def _check_page(page: Any, path: str, size: tuple[int, int]) -> tuple[dict[str, Any], list[Any]]:
    """The checks of one page at one size: English left, map shapes, labels cut off,
    screenshots, axe."""
    problems: dict[str, Any] = {}
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_timeout(500)
    wait_until_idle(page)
    english = page.evaluate(ENGLISH_LEFT, [ENGLISH, GENERIC])
    if english:
        problems["Englisch"] = english
    if path in MAP_PAGES:
        shapes = page.evaluate(TABBABLE_SHAPES)
        if shapes["tabbable"] or not shapes["skip"]:
            problems["Kartenformen"] = shapes
    cut = page.evaluate(TRUNCATED)
    if cut:
        problems["abgeschnitten"] = cut
    _shots(page, path)
    found = axe(page)
    if found["serious"]:
        problems["axe"] = found["serious"]
    return problems, found["review"]


def test_every_page_at_both_sizes_passes_axe_speaks_german_and_keeps_shapes_out_of_tab_order(
        browser: Browser, server: str):
    """Each page is opened once (by its link in the navigation, one session) and checked at
    both sizes; the Konferenzmodus comes last (it closes the navigation)."""
    OUT.mkdir(parents=True, exist_ok=True)
    problems: dict[str, Any] = {}
    review: dict[str, dict[str, Any]] = {f"{w}x{h}": {} for w, h in SIZES}
    seconds: dict[str, float] = {}
    page = _open(browser, server, PAGES[0], SIZES[0])
    for path in [p for p in PAGES if p != "konferenz"] + ["konferenz"]:
        started = time.monotonic()
        if path != PAGES[0]:
            page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
            page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click()
            page.wait_for_function(f"() => location.pathname === '/{path}'", timeout=30_000)
            wait_until_idle(page)
            if path in MAP_PAGES:
                map_frame(page)
        for size in SIZES:
            found, items = _check_page(page, path, size)
            if found:
                problems[f"{path} {size[0]}x{size[1]}"] = found
            review[f"{size[0]}x{size[1]}"][path] = items
        seconds[path] = round(time.monotonic() - started, 1)
    page.close()
    (OUT / "axe.json").write_text(json.dumps(
        {"zu_pruefen_kontrast": review, "probleme": problems, "sekunden": seconds},
        ensure_ascii=False, indent=1), encoding="utf-8")
    assert not problems, problems
    assert not browser.external, browser.external[:10]
    assert not browser.errors, browser.errors


def test_menu_and_missing_page_are_german(browser: Browser, server: str):
    page = _open(browser, server, "hilfe", (1280, 720))
    page.get_by_role("button", name="Hauptmenü").click()
    page.wait_for_timeout(500)
    menu = page.locator("[data-testid='stMainMenuPopover'], [role='menu'], [data-baseweb='popover']")
    assert "Über die Anwendung" in menu.first.inner_text()
    assert not page.evaluate(ENGLISH_LEFT, [ENGLISH, GENERIC])
    page.keyboard.press("Escape")
    page.goto(f"{server}/gibt-es-nicht")
    wait_until_idle(page)
    page.get_by_text("Seite nicht gefunden").first.wait_for(timeout=30_000)
    assert "Die angeforderte Seite gibt es nicht" in page.inner_text("body")
    assert not page.evaluate(ENGLISH_LEFT, [ENGLISH, GENERIC])
    page.close()


def _open_sidebar(page: Any) -> None:
    """Open the navigation (closed at narrow widths), as a user at 200 % would, and wait until
    it stands still."""
    opener = page.get_by_role("button", name="Seitenleiste ausklappen")
    if opener.count() and opener.first.is_visible():
        opener.first.click()
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=\"stSidebar\"] input');"
        " const s = document.querySelector('[data-testid=\"stSidebar\"]');"
        " return s && i && s.getBoundingClientRect().left >= 0 && i.getBoundingClientRect().width > 100; }",
        timeout=15_000)
    page.wait_for_timeout(500)


def test_no_label_is_cut_off_at_200_percent_zoom(browser: Browser, server: str):
    """640×360 CSS pixels is what 1280×720 shows at 200 % browser zoom (same layout, same
    breakpoints); every page in one session, the navigation opened over each."""
    cut: dict[str, list[str]] = {}
    page = _open(browser, server, PAGES[0], (640, 360))
    for path in [p for p in PAGES if p != "konferenz"] + ["konferenz"]:
        if path != PAGES[0]:
            _open_sidebar(page)
            page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click()
            page.wait_for_function(f"() => location.pathname === '/{path}'", timeout=30_000)
            wait_until_idle(page)
            if path in MAP_PAGES:
                map_frame(page)
        found = page.evaluate(TRUNCATED)
        _open_sidebar(page)
        found += page.evaluate(TRUNCATED)
        if found:
            cut[path] = found
        if path in ("karte", "erreichbarkeit", "konferenz"):
            page.screenshot(path=str(OUT / f"{path}_zoom200.png"))
    page.close()
    assert not cut, cut


def _focused(page: Any) -> str:
    return str(page.evaluate(
        "() => { let e = document.activeElement, pre = '';"
        " while (e && e.tagName === 'IFRAME' && e.contentDocument) { pre += 'IFRAME>'; e = e.contentDocument.activeElement; }"
        " return pre + e.tagName + ' ' + (e.getAttribute('aria-label') || e.getAttribute('title') ||"
        " (e.closest('label') ? e.closest('label').innerText : '') || e.innerText || '').trim().slice(0, 80); }"))


def _tab_to(page: Any, wanted: str, limit: int, *, exact: bool = False) -> int:
    """Press Tab until the focused element's name contains (or is) ``wanted``; return the presses."""
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        name = _focused(page).split(" ", 1)[-1]
        if (name == wanted) if exact else (wanted in name):
            return count
    raise AssertionError(f"„{wanted}“ nach {limit} Tabulatortasten nicht erreicht ({_focused(page)})")


def test_reachability_analysis_with_the_keyboard_only(browser: Browser, server: str):
    """Skip link, profile "zu Fuß", isochrone from an offer: at most 25 Tab presses, no mouse."""
    page = _open(browser, server, "erreichbarkeit", (1280, 720))
    label = "Einwohner erreichen die Auswahl"
    metric = ("(label) => { for (const m of document.querySelectorAll('[data-testid=\"stMetric\"]'))"
              " if (m.innerText.startsWith(label)) return m.querySelector('[data-testid=\"stMetricValue\"]').innerText;"
              " return null; }")
    page.wait_for_function(f"(label) => ({metric})(label) !== null", arg=label, timeout=60_000)
    before = page.evaluate(metric, label)
    tabs = _tab_to(page, "Zum Hauptinhalt springen", 1)
    page.keyboard.press("Enter")
    tabs += _tab_to(page, "Rollstuhl", 20 - tabs)   # the checked radio of "Unterwegs"
    for _ in range(3):                               # rollstuhl → rollator → senior → fuss
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(150)
    page.wait_for_function(f"([label, old]) => {{ const v = ({metric})(label); return v && v !== old; }}",
                           arg=[label, before], timeout=90_000)
    wait_until_idle(page)
    assert "zu Fuß" in _focused(page)
    after = page.evaluate(metric, label)
    assert float(after.replace(" %", "").replace(",", ".")) > float(before.replace(" %", "").replace(",", "."))
    tabs += _tab_to(page, "keine", 25 - tabs, exact=True)        # the isochrone radio ("keine" is checked)
    page.keyboard.press("ArrowRight")               # → "ab einem Angebot"
    wait_until_idle(page)
    page.get_by_role("combobox", name="Angebot", exact=True).wait_for(timeout=30_000)
    assert "ab einem Angebot" in _focused(page)
    tabs += _tab_to(page, "Angebot", 25 - tabs, exact=True)  # the offer select box
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_text("nur Flächen entlang der für das Profil passierbaren Wege").first.wait_for(
        timeout=60_000)
    wait_until_idle(page)
    assert tabs <= 25, tabs
    print(f"Erreichbarkeit mit {tabs} Tabulatortasten")
    page.screenshot(path=str(OUT / "erreichbarkeit_tastatur.png"))
    page.close()


def test_map_skip_link_moves_the_focus_past_the_map(browser: Browser, server: str):
    page = _open(browser, server, "erreichbarkeit", (1280, 720))
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].length >= 4", timeout=60_000)
    wait_until_idle(page)
    frame = map_frame(page)
    frame.locator("a.sa-karte-ueberspringen").focus()
    assert "Karte überspringen" in _focused(page)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    after = _focused(page)
    assert not after.startswith("IFRAME>"), after
    page.close()


def test_aachen_offers_heidelberg_for_oev_gueteklassen_in_one_click(browser: Browser,
                                                                   server: str):
    page = _open(browser, server, "erreichbarkeit?ansicht=oev", (1280, 720))
    page.get_by_text("kein GTFS-Fahrplan hinterlegt").wait_for(timeout=90_000)
    reason = page.get_by_text("gemeinsamen Referenzdaten").first.inner_text()
    assert "Für Aachen" in reason and "Fahrplan-Feed" in reason
    started = time.monotonic()
    page.get_by_role("button", name="Heidelberg öffnen (hat einen Fahrplan)").click()
    page.get_by_text("Güteklasse A = sehr gute").first.wait_for(timeout=240_000)
    wait_until_idle(page, timeout_s=240)
    body = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "ÖV-Güteklassen" in body and "Güteklasse A" in body
    assert "Heidelberg" in page.locator("[data-testid='stSidebar']").inner_text()
    assert "kein GTFS-Fahrplan" not in body
    page.screenshot(path=str(OUT / "erreichbarkeit_oev_heidelberg.png"))
    print(f"Heidelberg (Aufbau und Güteklassen) in {time.monotonic() - started:.0f} s")
    page.close()
