"""End-to-end on Köln in headless Chromium: the trend view, the small multiples, the change of
every indicator, the comparison of two Stadtteile and the comparison of Köln with Aachen on the
Planungsräume page (tables and small multiples), each value checked against the Köln source file.

The app is served by ``streamlit run`` (:mod:`tests.tools.streamlit_app`); the page is opened by
its link (``/planungsraeume?region=koeln&planungsraum=101``). Tables are read from the grid's
accessible DOM (Streamlit's data grid keeps the visible cells as ``role="gridcell"``), charts
from the drawn Vega views. Screenshots: ``.cache/tests/screenshots/koeln_*.png``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from layers import settings
from tests.integration.test_browser import (
    SCREENSHOTS,
    Browser,
    axe_audit,
    browser_available,  # noqa: F401  (fixture)
    screenshot,
    wait_until_idle,
)
from tests.integration.test_koeln_vergleich import _de, _seniors
from tests.tools.koeln import source_figure
from tests.tools.streamlit_app import streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def koeln_server(browser_available, koeln_build, aachen_build) -> Iterator[str]:  # noqa: F811
    env = dict(os.environ, PYTHONUTF8="1", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               SOZIALRAUM_CACHE=str(settings.cache_dir))
    with streamlit_app(env) as url:
        yield url


@pytest.fixture(scope="module")
def koeln_browser(koeln_server, tmp_path_factory) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        instance = Browser(playwright, tmp_path_factory.mktemp("chromium-koeln"))
        try:
            yield instance
        finally:
            instance.context.close()


def grid_rows(page: Any, header: str) -> list[list[str]]:
    """The visible rows of the data grid whose header row has a column ``header``."""
    return list(page.evaluate(
        """(header) => {
          for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
            const heads = [...grid.querySelectorAll('[role="columnheader"]')].map(h => h.innerText.trim());
            if (!heads.includes(header)) continue;
            return [...grid.querySelectorAll('[role="row"]')].map(
              r => [...r.querySelectorAll('[role="gridcell"]')].map(c => c.innerText.trim()))
              .filter(r => r.length);
          }
          return null; }""", header) or [])


def grid_headers(page: Any, header: str) -> list[str]:
    return list(page.evaluate(
        """(header) => {
          for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
            const heads = [...grid.querySelectorAll('[role="columnheader"]')].map(h => h.innerText.trim());
            if (heads.includes(header)) return heads;
          }
          return null; }""", header) or [])


def choose(page: Any, label: str, text: str) -> None:
    """Pick an option of a select box or multiselect by typing, as a keyboard user would."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_until_idle(page)


def test_trend_comparisons_and_region_comparison_on_koeln(koeln_browser: Browser,
                                                          koeln_server: str):
    page = koeln_browser.new_page()
    page.goto(f"{koeln_server}/planungsraeume?region=koeln&planungsraum=101")
    wait_until_idle(page, timeout_s=240)
    page.locator("h2", has_text="Profil: 101 Altstadt/Süd").wait_for(timeout=120_000)
    page.locator("h3", has_text="Entwicklung über die Jahre").wait_for(timeout=120_000)
    # Trend of the 65+ share and the small multiples: Vega views drawn (one line chart of the
    # chosen indicator, one faceted chart of all indicators).
    page.wait_for_function(
        "() => document.querySelectorAll('.vega-embed').length >= 2", timeout=120_000)
    wait_until_idle(page, timeout_s=120)
    text = page.locator('[data-testid="stMainBlockContainer"]').inner_text()
    assert "Alle Kennzahlen im Verlauf" in text and "Veränderung 2005–2012 je Kennzahl" in text
    facet_titles = page.evaluate(
        "() => [...document.querySelectorAll('.vega-embed text')].map(t => t.textContent)")
    assert "Anteil 65 Jahre und älter (%)" in facet_titles
    assert "Einwohner 65 Jahre und älter (Personen)" in facet_titles
    labels = page.evaluate(
        "() => [...document.querySelectorAll('.vega-embed .role-axis-label text')]"
        ".map(t => t.textContent)")
    assert any(re.fullmatch(r"\d+,\d", t) for t in labels), labels  # decimal comma
    assert any(re.fullmatch(r"\d{1,3}\.\d{3}", t) for t in labels), labels  # thousands dot
    # Every indicator's change since 2005, against the source file.
    rows = {r[0]: r for r in grid_rows(page, "Region: Veränderung")}
    seniors = rows["Einwohner 65 Jahre und älter"]
    first, last = _seniors(2005, "101"), _seniors(2012, "101")
    assert seniors[2:4] == [_de(first), _de(last)]
    assert seniors[5] == f"{(last - first) / first * 100:+.1f}".replace(".", ",")
    # Two Stadtteile side by side.
    choose(page, "Vergleichen mit", "Flittard")
    assert "909 Flittard" in grid_headers(page, "101 Altstadt/Süd")
    # ... with their small multiples: a legend entry per area beside the region.
    page.wait_for_function(
        "() => document.querySelectorAll('.vega-embed').length >= 3", timeout=120_000)
    legend = page.evaluate(
        "() => [...document.querySelectorAll('.vega-embed .role-legend-label text')]"
        ".map(t => t.textContent)")
    assert {"101 Altstadt/Süd", "909 Flittard", "Region"} <= set(legend), legend
    people = next(r for r in grid_rows(page, "101 Altstadt/Süd") if r[0] == "Einwohner")
    assert _de(source_figure(2012, "101")) in people and _de(source_figure(2012, "909")) in people
    # Köln beside Aachen: table and small bar charts.
    choose(page, "Zweite Region", "Aachen")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[role=\"columnheader\"]')]"
        ".some(h => h.innerText.trim() === 'Jahr Aachen')", timeout=120_000)
    wait_until_idle(page, timeout_s=120)
    people = next(r for r in grid_rows(page, "Jahr Aachen") if r[0] == "Einwohner")
    assert people[2:4] == ["1.044.555", "2012"]
    assert page.evaluate("() => document.querySelectorAll('.vega-embed').length") >= 4
    path = screenshot(page, "koeln_planungsraeume_vergleich")
    assert path.exists() and path.stat().st_size > 50_000
    violations = axe_audit(page)
    assert not violations, violations
    page.close()
    assert not koeln_browser.external, koeln_browser.external[:10]
    assert not koeln_browser.errors, koeln_browser.errors
