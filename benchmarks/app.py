"""Benchmark of the app: time to first render on a warm start, time of a filter change, payload.

    python benchmarks/app.py [--json FILE] [--no-browser] [--repeat N] [--erster-besuch]

Two measurements, each with a baseline taken in the same process:

* in-process with Streamlit's AppTest (script run times, no browser):
  - baseline: the first render of the Karte page with every cache empty (the one result cache
    of :mod:`planungsraeume.cache` in memory and on disk, including the pickled map layers, and
    the map files for the browser deleted) — what the very first visitor after an installation
    waits for;
  - warm start: a new session on a server whose caches are filled (the normal case);
  - filter change: choosing other service types on the Karte page (a rerun);
  - Erreichbarkeit: the page's first render in a warm session and a profile change (a rerun
    with another travel-time analysis; every profile was computed once before, as after a few
    minutes of use; the first computation of a profile is reported separately).
* against the real server in headless Chromium (Playwright, Debian's chromium), started as
  ``python dev.py app`` starts it (:mod:`ui.start`), unless ``--no-browser`` or no browser is
  available:
  - time from navigation until the map is drawn (Leaflet container with its legend) on the first
    visit after the server started (baseline) and on a later visit (warm start);
  - time from unticking a filter until the new figures are shown and the map is updated;
  - on the Erreichbarkeit page: time until the figures are shown (warm), and from switching the
    profile (zu Fuß / im Rollstuhl) until the new coverage and the redrawn map are shown.

* the first visit after a server start in a browser with an empty cache (:func:`first_visits`):
  the app with :mod:`ui.start`, the app under bare ``streamlit run app.py`` (before), and as
  baseline Streamlit's own data-free page; each with the seconds until the server answered;
  three rounds, the variants taking turns (``--erster-besuch``: only this).

It also reports the size of the map's payload (the script streamlit-folium sends to the browser)
and of its parts. Results go to stdout and, with ``--json``, to a file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from layers import settings  # noqa: E402

CHROMIUM = Path(os.environ.get("SOZIALRAUM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _clear_caches() -> None:
    from planungsraeume import cache as result_cache

    result_cache.results.clear_memory()
    shutil.rmtree(settings.cache_dir / "analysen", ignore_errors=True)
    shutil.rmtree(settings.cache_dir / "kartendaten", ignore_errors=True)


def apptest_timings(repeat: int) -> dict[str, Any]:
    """Script run times of the Karte page with AppTest."""
    from streamlit.testing.v1 import AppTest

    app_path = str(ROOT / "app.py")

    def first_render() -> tuple[float, Any]:
        app = AppTest.from_file(app_path, default_timeout=300)
        start = time.perf_counter()
        app.run()
        elapsed = time.perf_counter() - start
        if app.exception:
            raise RuntimeError(app.exception[0].message)
        return elapsed, app

    _clear_caches()
    cold, _ = first_render()
    warm_runs: list[float] = []
    filter_runs: list[float] = []
    for _ in range(repeat):
        elapsed, app = first_render()
        warm_runs.append(elapsed)
        types = app.multiselect(key="karte_typen")
        choice = ["EUTB", "KoKoBe"] if len(filter_runs) % 2 == 0 else ["Pflegeeinrichtung"]
        start = time.perf_counter()
        types.set_value(choice).run()
        filter_runs.append(time.perf_counter() - start)
        shown = next(m.value for m in app.metric if m.label == "Angebote in der Auswahl")
        assert int(shown) in (4, 18), shown
    warm = statistics.median(warm_runs)
    change = statistics.median(filter_runs)
    reach = reach_timings(app_path, repeat)
    return {
        **reach,
        "kaltstart_erste_darstellung_s": round(cold, 3),
        "warmstart_erste_darstellung_s": round(warm, 3),
        "filterwechsel_s": round(change, 3),
        "verhaeltnis_kalt_zu_warm": round(cold / warm, 1),
        "verhaeltnis_kalt_zu_filterwechsel": round(cold / change, 1),
        "wiederholungen": repeat,
    }


def reach_timings(app_path: str, repeat: int) -> dict[str, Any]:
    """The Erreichbarkeit page in AppTest: first render (warm) and profile changes."""
    from streamlit.testing.v1 import AppTest

    from planungsraeume import cache as result_cache

    def open_reach() -> tuple[float, Any]:
        app = AppTest.from_file(app_path, default_timeout=300)
        app.run()
        start = time.perf_counter()
        app.switch_page("ui/pages/erreichbarkeit.py").run()
        elapsed = time.perf_counter() - start
        if app.exception:
            raise RuntimeError(app.exception[0].stack_trace)
        return elapsed, app

    def shown(app: Any) -> str:
        return str(next(m.value for m in app.metric if m.label == "Einwohner erreichen die Auswahl"))

    # First computation of a profile: the analysis results forgotten (memory and disk; the
    # profile graphs stay, as on a server that has run before).
    result_cache.results.clear_memory()
    shutil.rmtree(settings.cache_dir / "analysen", ignore_errors=True)
    _, app = open_reach()
    profile = app.radio(key="erreich_profil")
    start = time.perf_counter()
    profile.set_value("fuss").run()
    first_profile = time.perf_counter() - start
    opened, changes = [], []
    for i in range(repeat):
        elapsed, app = open_reach()
        opened.append(elapsed)
        before = shown(app)
        start = time.perf_counter()
        app.radio(key="erreich_profil").set_value("fuss" if i % 2 == 0 else "senior").run()
        changes.append(time.perf_counter() - start)
        assert shown(app) != before, "the profile change must change the figures"
    return {
        "erreichbarkeit_warm_erste_darstellung_s": round(statistics.median(opened), 3),
        "erreichbarkeit_profilwechsel_s": round(statistics.median(changes), 3),
        "erreichbarkeit_profil_erstmals_berechnet_s": round(first_profile, 3),
        "verhaeltnis_erstmals_zu_profilwechsel": round(first_profile / statistics.median(changes), 1),
    }


def payload_sizes() -> dict[str, int]:
    """Bytes of the map script streamlit-folium sends for the default Karte view."""
    import streamlit_folium as sf

    from planungsraeume.region import Region
    from ui import cached, legend, maps, overlays

    # The map data exactly as the page gets it (the one cache; no Streamlit needed).
    region = Region.open(settings.default_region)
    layers = cached.map_layers(region)
    services = cached.offers_web(region)
    view = maps.fit_view(layers.basemap.bounds, width_px=820, height_px=640)
    fmap = maps.base_map(layers.basemap, view=view)
    groups = [
        overlays.area_layer(layers.areas, layers.area_labels),
        overlays.selection_layer(None),
        overlays.service_layer(services),
        legend.legend_layer(legend.legend_html(services=services)),
    ]
    fmap.get_root().render()
    script = sf._get_map_string(fmap)
    header = sf._get_header(fmap)
    group_script = "".join(
        sf._get_feature_group_string(maps.localize_assets(g), map=fmap, idx=i) for i, g in enumerate(groups)
    )
    population = overlays.population_layer(layers.population)
    population_script = sf._get_feature_group_string(maps.localize_assets(population), map=fmap, idx=9)
    return {
        "karte_gesamt_bytes": len(script) + len(header) + len(group_script),
        "grundkarte_und_karte_bytes": len(script) + len(header),
        "themen_ebenen_bytes": len(group_script),
        "bevoelkerung_ebene_bytes": len(population_script),
        **{f"teil_{k}_bytes": v for k, v in layers.basemap.sizes.items()},
        "grundkarte_als_datei_geladen": bool(layers.basemap.image_href and layers.basemap.streets_href),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


EMPTY_PAGE = (
    "import streamlit as st\n"
    "st.title('Leere Seite')\n"
    "st.write('Streamlits eigene Seite ohne Daten und ohne Karte.')\n"
)


@contextlib.contextmanager
def _server(command: list[str], cwd: Path) -> Any:
    """Run a Streamlit server; yield its URL and the seconds until it answered its health check."""
    port = _free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", PYTHONUTF8="1")
    started = time.perf_counter()
    server = subprocess.Popen(
        [*command, "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Streamlit-Server startete nicht") from None
                time.sleep(0.1)
        yield url, time.perf_counter() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _new_browser(playwright: Any) -> Any:
    """A browser with an empty profile (nothing in its cache: a visitor's very first visit)."""
    return playwright.chromium.launch_persistent_context(
        tempfile.mkdtemp(prefix="sozialraum-bench-"), executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS, headless=True, viewport={"width": 1400, "height": 1000},
    )


def _map_drawn(page: Any) -> None:
    page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=120_000)
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    frame.wait_for_selector(".leaflet-container .leaflet-control-scale", timeout=120_000)
    frame.wait_for_selector(".sa-service-icon, .sa-cluster", timeout=120_000)


def first_visits(repeat: int = 3) -> dict[str, Any]:
    """The first visit after a server start, in a browser with an empty cache, three ways.

    * the app as ``python dev.py app`` starts it (:mod:`ui.start`: the first visit prepared
      before the server answers);
    * the app under bare ``streamlit run app.py`` (the first visitor's script run imports and
      loads everything: how it was before :mod:`ui.start`);
    * baseline: Streamlit's own data-free page (a two-line script) under ``streamlit run`` –
      what Streamlit's start costs any app.

    Each ``repeat`` times, the three taking turns per round (a server start each time); the
    medians are compared, with every run and the load average before each round.
    """
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="sozialraum-leer-"))
    (folder / "leer.py").write_text(EMPTY_PAGE, encoding="utf-8")
    variants = (
        ("app_ui_start", [sys.executable, "-m", "ui.start"], ROOT),
        ("app_streamlit_run", [sys.executable, "-m", "streamlit", "run", "app.py"], ROOT),
        ("streamlit_leere_seite", [sys.executable, "-m", "streamlit", "run", "leer.py"], folder),
    )
    runs: dict[str, list[tuple[float, float]]] = {key: [] for key, _, _ in variants}
    loads: list[float] = []
    with sync_playwright() as playwright:
        for _ in range(repeat):
            loads.append(round(os.getloadavg()[0], 2))
            for key, command, cwd in variants:
                with _server(command, cwd) as (url, start_s):
                    context = _new_browser(playwright)
                    page = context.new_page()
                    started = time.perf_counter()
                    page.goto(url)
                    page.wait_for_selector("h1", timeout=120_000)
                    if key.startswith("app"):
                        _map_drawn(page)
                    runs[key].append((start_s, time.perf_counter() - started))
                    context.close()
    shutil.rmtree(folder, ignore_errors=True)
    results: dict[str, Any] = {
        key: {"serverstart_s": round(statistics.median(s for s, _ in values), 3),
              "erster_besuch_s": round(statistics.median(v for _, v in values), 3),
              "alle_erster_besuch_s": [round(v, 3) for _, v in values]}
        for key, values in runs.items()
    }
    app = results["app_ui_start"]["erster_besuch_s"]
    results["verhaeltnis_app_zu_leerer_seite"] = round(
        app / results["streamlit_leere_seite"]["erster_besuch_s"], 2)
    results["last_1min_je_runde"] = loads
    results["ziel_unter_4_s"] = app < 4.0
    print(f"Erster Besuch nach Serverstart (leerer Browser-Cache), Median von {repeat} "
          f"abwechselnden Runden, Last (1 min) vor den Runden {loads}:")
    for key, label in (("app_ui_start", "App (python -m ui.start)"),
                       ("app_streamlit_run", "App (bare streamlit run)"),
                       ("streamlit_leere_seite", "Streamlits leere Seite")):
        row = results[key]
        print(f"  {label:<28} {row['erster_besuch_s']:.2f} s (alle: "
              f"{', '.join(f'{v:.2f}' for v in row['alle_erster_besuch_s'])}; Server antwortet "
              f"nach {row['serverstart_s']:.2f} s)")
    print(f"  App ÷ leere Seite {results['verhaeltnis_app_zu_leerer_seite']:.2f}; Ziel < 4 s: "
          f"{'ja' if results['ziel_unter_4_s'] else 'NEIN'}")
    return results


def browser_timings(repeat: int) -> dict[str, Any]:
    """Times measured against the app server (as ``python dev.py app`` starts it) in Chromium."""
    from playwright.sync_api import sync_playwright

    with _server([sys.executable, "-m", "ui.start"], ROOT) as (url, start_s):
        with sync_playwright() as playwright:
            context = _new_browser(playwright)
            map_drawn = _map_drawn

            def visit() -> tuple[float, float]:
                """Seconds until the widgets are usable, and until the map is drawn."""
                page = context.new_page()
                start = time.perf_counter()
                page.goto(url)
                page.wait_for_selector("h1", timeout=120_000)
                page.wait_for_selector('[data-testid="stMultiSelect"]', timeout=120_000)
                usable = time.perf_counter() - start
                map_drawn(page)
                drawn = time.perf_counter() - start
                page.close()
                return usable, drawn

            cold_usable, cold = visit()  # first visit after server start: empty caches
            visits = [visit() for _ in range(repeat)]
            warm_usable = statistics.median(v[0] for v in visits)

            def visit_help() -> float:
                # Baseline: a page without data or map shows what Streamlit's own start costs.
                page = context.new_page()
                start = time.perf_counter()
                page.goto(url + "hilfe")
                page.get_by_role("tab", name="Leichte Sprache").wait_for(timeout=120_000)
                elapsed = time.perf_counter() - start
                page.close()
                return elapsed

            help_page = statistics.median(visit_help() for _ in range(repeat))
            warm_runs = [v[1] for v in visits]
            page = context.new_page()
            page.goto(url)
            map_drawn(page)
            page.wait_for_selector('[data-test-script-state="notRunning"]')
            change_runs = []
            # The checkbox input itself is visually hidden; its label is what a user clicks.
            checkbox = page.locator("label", has_text="Nur stufenlos zugänglich")
            for _ in range(repeat):
                frame = next(f for f in page.frames if "streamlit_folium" in f.url)
                before = frame.evaluate("() => document.querySelectorAll('.sa-service-icon, .sa-cluster').length")
                metric = page.locator('[data-testid="stMetricValue"]').first.inner_text()
                start = time.perf_counter()
                checkbox.click()
                page.wait_for_function(
                    "(old) => { const m = document.querySelector('[data-testid=\"stMetricValue\"]');"
                    " return m && m.innerText !== old; }", arg=metric, timeout=60_000)
                page.wait_for_selector('[data-test-script-state="notRunning"]')
                frame.wait_for_function(
                    "(old) => document.querySelectorAll('.sa-service-icon, .sa-cluster').length !== old",
                    arg=before, timeout=60_000)
                change_runs.append(time.perf_counter() - start)
            reach_opened, reach_changes = reach_browser_timings(context, url, repeat, map_drawn)
            context.close()
    warm = statistics.median(warm_runs)
    change = statistics.median(change_runs)
    return {
        "erreichbarkeit_warmstart_zahlen_da_s": round(statistics.median(o[0] for o in reach_opened), 3),
        "erreichbarkeit_warmstart_karte_gezeichnet_s": round(statistics.median(o[1] for o in reach_opened), 3),
        "erreichbarkeit_profilwechsel_bis_karte_aktualisiert_s": round(statistics.median(reach_changes), 3),
        "serverstart_bis_antwort_s": round(start_s, 3),
        "erster_besuch_nach_serverstart_bedienbar_s": round(cold_usable, 3),
        "erster_besuch_nach_serverstart_s": round(cold, 3),
        "warmstart_bedienelemente_da_s": round(warm_usable, 3),
        "warmstart_karte_gezeichnet_s": round(warm, 3),
        "filterwechsel_bis_karte_aktualisiert_s": round(change, 3),
        "basis_warmstart_hilfeseite_ohne_daten_s": round(help_page, 3),
        "verhaeltnis_karte_zu_hilfeseite": round(warm / help_page, 2),
        "verhaeltnis_erster_besuch_zu_warmstart": round(cold / warm, 1),
        "wiederholungen": repeat,
    }


PATH_SIGNATURE = ("() => [...document.querySelectorAll('path')]"
                  ".map(p => (p.getAttribute('d') || '').length).reduce((a, b) => a + b, 0)")
REACH_METRIC = ("() => { for (const m of document.querySelectorAll('[data-testid=\"stMetric\"]')) {"
                " if (m.innerText.startsWith('Einwohner erreichen')) {"
                " return m.querySelector('[data-testid=\"stMetricValue\"]').innerText; } } return null; }")


def reach_browser_timings(context: Any, url: str, repeat: int,
                          map_drawn: Any) -> tuple[list[tuple[float, float]], list[float]]:
    """Erreichbarkeit in the browser: figures shown, and map drawn, on a warm visit; profile
    change until the new coverage is shown and the travel-time layer of the map is replaced."""
    opened = []
    for _ in range(repeat + 1):
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url + "erreichbarkeit")
        page.wait_for_function(f"() => ({REACH_METRIC})() !== null", timeout=120_000)
        figures = time.perf_counter() - start
        map_drawn(page)
        opened.append((figures, time.perf_counter() - start))
        page.close()
    opened = opened[1:]  # the first visit computes what later visits find in the caches
    page = context.new_page()
    page.goto(url + "erreichbarkeit")
    page.wait_for_function(f"() => ({REACH_METRIC})() !== null", timeout=120_000)
    map_drawn(page)
    page.wait_for_selector('[data-test-script-state="notRunning"]')
    changes = []
    labels = ["zu Fuß", "im Rollstuhl"]
    for i in range(repeat * 2 + 2):
        frame = next(f for f in page.frames if "streamlit_folium" in f.url)
        before_metric = page.evaluate(REACH_METRIC)
        before_paths = frame.evaluate(PATH_SIGNATURE)
        start = time.perf_counter()
        page.locator("label", has_text=labels[i % 2]).first.click()
        page.wait_for_function(f"(old) => ({REACH_METRIC})() !== old", arg=before_metric, timeout=60_000)
        page.wait_for_selector('[data-test-script-state="notRunning"]')
        frame.wait_for_function(f"(old) => ({PATH_SIGNATURE})() !== old", arg=before_paths, timeout=60_000)
        elapsed = time.perf_counter() - start
        if i >= 2:  # the first switch of each profile computes it; later ones are cached
            changes.append(elapsed)
    page.close()
    return opened, changes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument("--no-browser", action="store_true", help="skip the measurement in Chromium")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--erster-besuch", dest="first_visit_only", action="store_true",
                        help="only the first visit after a server start (three ways)")
    args = parser.parse_args()
    os.chdir(ROOT)
    settings.show_progress = False
    from layers.build import build_region

    build_region(settings.default_region)  # no-op when the store is current
    results: dict[str, Any] = {"region": settings.default_region,
                               "last_1min_vorher": os.getloadavg()[0]}
    if args.first_visit_only:
        results["erster_besuch"] = first_visits()
        results["last_1min_nachher"] = os.getloadavg()[0]
        _report(results, args.json)
        return
    results["apptest"] = apptest_timings(args.repeat)
    results["nutzlast"] = payload_sizes()
    if not args.no_browser and CHROMIUM.exists():
        results["browser"] = browser_timings(args.repeat)
        results["erster_besuch"] = first_visits()
    else:
        results["browser"] = "übersprungen (kein Chromium oder --no-browser)"
    results["last_1min_nachher"] = os.getloadavg()[0]
    _report(results, args.json)


def _report(results: dict[str, Any], path: Path | None) -> None:
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
