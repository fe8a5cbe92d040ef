"""Stored XSS, tried in Chromium: hostile text in every text field runs nowhere.

A private copy of the demo store gets hostile values (``<img onerror>``, ``<script>``, ``${…}``
that would set a marker or open a dialog, ``</script>``, both quotes, backticks, a Markdown
image and ``javascript:`` link, ``<svg onload>``, ``<iframe srcdoc>``) in every text field of
some offers (name, Träger, Sprechzeiten, Bemerkung, Kontakt, address, Zielgruppen, Telefon,
E-Mail, Webseite), in the names of all planning areas, in the name and description of a saved
scenario and the name of its new offer, and so in the names of the candidate sites (they are made
from the offers). The app is served from that copy by ``streamlit run`` with the project's
``.streamlit/config.toml`` (which must bind to localhost: checked on the listening socket).

Every page is opened; the hostile area and offer are selected where the page shows details, the
scenario is loaded, the site suggestion's candidate map is drawn; on every map the shapes are
hovered and every tooltip is opened. In every frame (the maps are iframes) no marker
``window.__pwned`` may be set, no injected element or attribute may exist and no dialog may open;
and the hostile text must be visible as text (otherwise the test would prove nothing).
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from layers import settings
from layers.store import GeoPackageStore
from tests.integration.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_HOSTS,
    PAGES,
    browser_available,  # noqa: F401  (fixture)
    map_frame,
    screenshot,
    wait_until_idle,
)
from tests.tools.streamlit_app import free_port, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = [
    '<img src=x onerror="window.__pwned=\'img\'">',
    '<script>window.__pwned="script"</script>',
    '${window.__pwned="tpl"}',
    '${alert("tpl")}',
    '</script><script>window.__pwned="close"</script>',
    '" onmouseover="window.__pwned=\'dq\'" data-x="',
    "' onmouseover='window.__pwned=1' data-x='",
    '<svg onload="window.__pwned=\'svg\'"></svg>',
    '`+(window.__pwned="backtick")+`\\',
    "![md](/pwned-md.png) [klick](javascript:window.__pwned=1) :red[rot] $x$",
    '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
]
COMBINED = " ".join(HOSTILE)
OFFER_FIELDS = ("name", "traeger", "oeffnungszeiten", "bemerkung", "kontakt", "strasse",
                "hausnummer", "plz", "ort", "zielgruppen", "telefon", "email", "webseite")
SCENARIO_NAME = '<img src=x onerror="window.__pwned=\'sz\'">${window.__pwned="sz2"}'
TOKEN = "Angebot-A00"  # the name of the first hostile offer starts with it

CHECK_FRAME = """() => {
  const bad = [];
  if (window.__pwned !== undefined) bad.push('marker: ' + window.__pwned);
  if (window.parent && window.parent.__pwned !== undefined) bad.push('parent marker');
  for (const e of document.querySelectorAll(
      'img[src="x"], img[src*="pwned"], svg[onload], iframe[srcdoc], [data-x], a[href^="javascript:"]')) {
    bad.push('element: ' + e.outerHTML.slice(0, 160));
  }
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) {
      if ((a.name.startsWith('on') || a.name === 'src' || a.name === 'href' || a.name === 'srcdoc')
          && /pwned/i.test(a.value)) {
        bad.push('attribute: <' + e.tagName + ' ' + a.name + '="' + a.value.slice(0, 80) + '">');
      }
    }
  }
  for (const s of document.querySelectorAll('script')) {
    if (!s.src && /^\\s*(window|parent)\\.__pwned/.test(s.textContent)) bad.push('script: ' + s.textContent);
  }
  return bad;
}"""

OPEN_TOOLTIPS = """() => {
  const map = window.map;
  if (!map) return {opened: -1, texts: []};
  let opened = 0; const texts = [];
  map.eachLayer(layer => {
    const tip = layer.getTooltip && layer.getTooltip();
    if (!tip) return;
    const subs = [];
    if (layer.eachLayer) layer.eachLayer(s => subs.push(s)); else subs.push(null);
    for (const sub of subs.slice(0, 60)) {
      try {
        // As a pointer would: a mouseover of the shape, passed on to its group.
        const target = sub || layer;
        const at = target.getBounds ? target.getBounds().getCenter() : target.getLatLng();
        target.fire('mouseover', {latlng: at}, true);
        opened += 1;
        const el = tip.getElement && tip.getElement();
        if (el) texts.push(el.innerText);
      } catch (e) { /* a layer without position */ }
    }
  });
  return {opened: opened, texts: texts};
}"""


# --------------------------------------------------------------------------------------------
# The hostile store and its server
# --------------------------------------------------------------------------------------------


def _hostile_store(cache: Path, aachen_store: GeoPackageStore) -> list[str]:
    """Copy the demo store into ``cache`` and fill it with hostile text; return the offer ids."""
    from layers.szenarien import Scenario, ScenarioEdit, save_scenario

    regions = cache / "regions"
    regions.mkdir(parents=True)
    for source in Path(aachen_store.path).parent.glob(f"{Path(aachen_store.path).stem}*.gpkg"):
        shutil.copyfile(source, regions / source.name)
    graphs = settings.cache_dir / "graphen"
    if graphs.is_dir():  # saves rebuilding the routing graphs (keyed by the derived layers)
        shutil.copytree(graphs, cache / "graphen")
    store = GeoPackageStore(regions / Path(aachen_store.path).name, aachen_store.crs, user="test")
    offers = store.read_layer("angebote")
    advice = offers[offers["gruppe"] == "Beratung"].sort_values("angebot_id")
    chosen = list(advice.index[: len(HOSTILE) + 1])
    for field in OFFER_FIELDS:
        offers[field] = offers[field].astype("string")
    for number, index in enumerate(chosen):
        payload = HOSTILE[number] if number < len(HOSTILE) else COMBINED
        for field in OFFER_FIELDS:
            offers.loc[index, field] = f"A{number:02d} {payload}"
        offers.loc[index, "name"] = f"Angebot-A{number:02d} {payload}"
    areas = store.read_layer("planungsraeume")
    areas["name"] = areas["name"].astype("string")
    for number, index in enumerate(areas.index):
        areas.loc[index, "name"] = COMBINED if number == 0 else HOSTILE[number % len(HOSTILE)]
    store.write_layers({"angebote": offers, "planungsraeume": areas})
    first = offers.loc[chosen[0]]
    save_scenario(store, Scenario(
        name=SCENARIO_NAME, beschreibung=COMBINED,
        aenderungen=(
            ScenarioEdit("neu", typ=str(first["typ"]), name=f"Neu {HOSTILE[0]} {HOSTILE[2]}",
                         x=float(first.geometry.x) + 400.0, y=float(first.geometry.y) + 300.0),
            ScenarioEdit("schliessen", angebot_id=str(offers.loc[chosen[1], "angebot_id"])),
        )))
    # The values are really in the store the server reads (not dropped or cleaned on the way).
    from layers.szenarien import list_scenarios

    stored = store.read_layer("angebote").set_index("angebot_id")
    ids = [str(offers.loc[i, "angebot_id"]) for i in chosen]
    assert stored.loc[ids[0], "name"] == f"Angebot-A00 {HOSTILE[0]}"
    assert stored.loc[ids[-1], "bemerkung"] == f"A{len(HOSTILE):02d} {COMBINED}"
    assert COMBINED in set(store.read_layer("planungsraeume")["name"])
    assert list(list_scenarios(store)["name"]) == [SCENARIO_NAME]
    return ids


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port`` (Linux ``/proc/net``)."""
    found: set[str] = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            address, port_hex = parts[1].split(":")
            if parts[3] != "0A" or int(port_hex, 16) != port:
                continue
            raw = bytes.fromhex(address)
            if width == 8:
                found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
            else:  # four little-endian 32-bit words
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                found.add(socket.inet_ntop(socket.AF_INET6, words))
    return found


@pytest.fixture(scope="module")
def hostile(browser_available, aachen_store, tmp_path_factory) -> Iterator[dict[str, Any]]:  # noqa: F811
    """The app served from the hostile copy with the project's own server settings."""
    cache = tmp_path_factory.mktemp("feindlich") / "cache"
    ids = _hostile_store(cache, aachen_store)
    port = free_port()
    env = dict(os.environ, PYTHONUTF8="1", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               SOZIALRAUM_CACHE=str(cache))
    env.pop("SOZIALRAUM_IM_NETZ", None)
    # No --server.address: .streamlit/config.toml decides where the app listens.
    with streamlit_app(env, port=port, arguments=(), start_timeout_s=120) as url:
        yield {"url": url, "port": port, "ids": ids}


class Session:
    """One Chromium page; records dialogs, page errors and requests leaving the machine."""

    def __init__(self, context: Any) -> None:
        self.dialogs: list[str] = []
        self.external: list[str] = []
        self.findings: dict[str, list[str]] = {}
        self.page = context.new_page()
        self.page.on("dialog", self._dialog)
        context.route("**/*", self._route)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        from urllib.parse import urlparse

        parsed = urlparse(route.request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in LOCAL_HOSTS:
            self.external.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def check(self, where: str) -> None:
        """Look into every frame for anything injected."""
        self.page.wait_for_timeout(400)  # let image errors and handlers fire
        for number, frame in enumerate(self.page.frames):
            try:
                bad = frame.evaluate(CHECK_FRAME)
            except Exception:  # a frame that went away meanwhile
                continue
            if bad:
                self.findings[f"{where} (Frame {number}: {frame.url[:60]})"] = bad

    def maps(self, where: str) -> list[str]:
        """Hover the shapes of every map and open all tooltips; return the tooltip texts."""
        texts: list[str] = []
        for frame in self.page.frames:
            if "streamlit_folium" not in frame.url:
                continue
            for selector in ("path.leaflet-interactive", ".leaflet-marker-icon.leaflet-interactive"):
                shapes = frame.locator(selector)
                for i in range(min(shapes.count(), 6)):
                    try:
                        shapes.nth(i).hover(timeout=2000, force=True)
                    except Exception:  # hidden behind another shape
                        pass
            result = frame.evaluate(OPEN_TOOLTIPS)
            texts += result["texts"]
        self.check(where)
        return texts

    def main_text(self) -> str:
        return str(self.page.locator('[data-testid="stMainBlockContainer"]').inner_text())


@pytest.fixture(scope="module")
def session(hostile, tmp_path_factory) -> Iterator[Session]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-feindlich")), executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS, headless=True, viewport={"width": 1400, "height": 1000},
            locale="de-DE")
        try:
            yield Session(context)
        finally:
            context.close()


def _choose(page: Any, box: str, text: str) -> None:
    combo = page.get_by_role("combobox", name=box, exact=True).first
    combo.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    wait_until_idle(page)


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------


def test_app_listens_on_localhost_only(hostile):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("Nur unter Linux prüfbar (/proc/net/tcp).")
    addresses = _listening_addresses(hostile["port"])
    assert addresses, "kein lauschender Socket gefunden"
    assert addresses <= {"127.0.0.1", "::1"}, addresses


def test_every_page_with_hostile_text_runs_nothing(hostile, session):
    page, url = session.page, hostile["url"]
    tooltips: list[str] = []
    for name, path in PAGES.items():
        page.goto(f"{url}/{path}")
        wait_until_idle(page, timeout_s=180)
        if name in ("karte", "erreichbarkeit", "barrieren", "planungsraeume", "szenarien", "konferenz"):
            map_frame(page, timeout_s=120)
            tooltips += session.maps(name)
        else:
            session.check(name)
    # The names are shown as text: on the map (area labels and tooltips) and on the pages.
    assert any("onerror=" in t for t in tooltips), tooltips[:5]
    assert any("${window.__pwned" in t for t in tooltips), tooltips[:5]
    assert not session.findings, session.findings
    assert not session.dialogs, session.dialogs
    assert not session.external, session.external[:10]


def test_details_of_hostile_area_and_offer(hostile, session):
    page, url = session.page, hostile["url"]
    page.goto(url)
    wait_until_idle(page, timeout_s=180)
    _choose(page, "Planungsraum", "PR01")
    map_frame(page, timeout_s=120)
    session.maps("Karte, Planungsraum gewählt")
    _choose(page, "Angebot", TOKEN)
    page.locator("h3", has_text=TOKEN).wait_for(timeout=60_000)
    text = session.main_text()
    assert f"{TOKEN} {HOSTILE[0]}" in text and "A00 <img src=x" in text  # name, then Träger etc.
    map_frame(page, timeout_s=120)
    session.maps("Karte, Angebot gewählt")
    screenshot(page, "feindlich_karte_angebot")

    page.goto(f"{url}/planungsraeume")
    wait_until_idle(page, timeout_s=180)
    _choose(page, "Planungsraum", "PR02")
    page.locator("h2", has_text="Profil: PR02").wait_for(timeout=60_000)
    assert HOSTILE[1] in page.locator("h2", has_text="Profil: PR02").inner_text()
    map_frame(page, timeout_s=120)
    session.maps("Planungsräume, PR02")

    page.goto(f"{url}/erreichbarkeit")
    wait_until_idle(page, timeout_s=180)
    page.locator("label", has_text="ab einem Angebot").click()
    wait_until_idle(page, timeout_s=180)
    _choose(page, "Angebot", TOKEN)
    page.get_by_text("Isochrone ab Angebot-A00", exact=False).first.wait_for(timeout=120_000)
    map_frame(page, timeout_s=120)
    session.maps("Erreichbarkeit, Isochrone ab dem Angebot")

    page.goto(f"{url}/daten")
    wait_until_idle(page, timeout_s=180)
    page.get_by_role("tab", name="Angebote bearbeiten").click()
    wait_until_idle(page)
    _choose(page, "Angebot", TOKEN)
    page.get_by_role("button", name="Änderungen speichern").wait_for(timeout=60_000)
    map_frame(page, timeout_s=120)
    session.maps("Daten, Angebot bearbeiten")
    assert not session.findings, session.findings
    assert not session.dialogs, session.dialogs
    assert not session.external, session.external[:10]


def test_hostile_scenario_and_candidates(hostile, session):
    page, url = session.page, hostile["url"]
    page.goto(f"{url}/szenarien")
    wait_until_idle(page, timeout_s=180)
    page.get_by_role("button", name="Laden", exact=True).click()
    wait_until_idle(page, timeout_s=300)
    page.get_by_text("geladen (2 Änderungen)").first.wait_for(timeout=120_000)
    assert SCENARIO_NAME in session.main_text()
    map_frame(page, timeout_s=120)
    texts = session.maps("Szenarien, Szenario geladen")
    assert any("Neu <img src=x" in t for t in texts), texts[:10]
    screenshot(page, "feindlich_szenario")
    page.locator("label", has_text="Standorte vorschlagen").click()
    wait_until_idle(page, timeout_s=300)
    map_frame(page, timeout_s=120)
    texts = session.maps("Szenarien, Kandidaten")
    assert any(t.startswith("Kandidat: Angebot-A") and "onerror" in t for t in texts), texts[:10]
    assert not session.findings, session.findings
    assert not session.dialogs, session.dialogs
    assert not session.external, session.external[:10]

