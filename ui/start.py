"""Start the app server with its first visit prepared (``python -m ui.start [Streamlit options]``).

``streamlit run app.py`` imports nothing before the first visitor arrives: that visitor's script
run pays for importing the pages' libraries (geopandas, folium, the analyses – about 1 s) and
for loading the demo region's map data from the result cache and compiling folium's templates
(another 0.5–1 s). This launcher does that work once in the server process *before* the server
accepts connections, as an application server that preloads its application does: the script
runs of every session then find the modules in ``sys.modules`` and the map data in the one
result cache (:mod:`planungsraeume.cache`, in memory). It changes no answer – the pages ask the
same cached functions as before – only when the cost is paid.

``python dev.py app`` starts the app this way; ``benchmarks/app.py`` measures it the same way and
prints the time until the server answers beside the first visit.
"""

from __future__ import annotations

import ast
import gc
import importlib
import logging
import sys
import time
from pathlib import Path

__all__ = ["ROOT", "main", "page_modules", "prepare_first_visit"]

ROOT = Path(__file__).resolve().parent.parent


def page_modules(root: Path = ROOT) -> list[str]:
    """The modules that ``app.py`` and the page scripts import (read from their source).

    Read from the files instead of a list kept here, so that a page's new import is prepared
    the day it is added.
    """
    names: set[str] = set()
    for path in [root / "app.py", *sorted((root / "ui" / "pages").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                # "from ui import cached, maps": the names may be modules themselves
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted(names)


def _import_all(names: list[str]) -> int:
    imported = 0
    for name in names:
        try:
            importlib.import_module(name)
            imported += 1
        except ImportError:
            continue  # "from ui import theme": theme is a module; "from x import func" is not
    return imported


def prepare_first_visit(region_name: str | None = None) -> dict[str, float]:
    """Import the pages' modules and load what the Karte page's first view draws.

    Parameters
    ----------
    region_name
        The region the app opens with (default: ``settings.default_region``). A region that is
        not built yet is left alone (the page builds it, with its progress display), and so is
        a region in team mode: its data is read only after a login, with that person's rights.

    Returns
    -------
    dict
        Seconds of the two steps (``module_s``, ``karte_s``).
    """
    started = time.perf_counter()
    _import_all(page_modules())
    imported = time.perf_counter()
    from layers import settings
    from layers.errors import SozialraumError
    from planungsraeume.region import Region
    from ui import anmeldung, cached, legend, maps, overlays

    name = region_name or settings.default_region
    try:
        region = Region.open(name)
        if anmeldung.server_url(name) is not None or not region.exists():
            return {"module_s": imported - started, "karte_s": 0.0}
        layers = cached.map_layers(region)
        offers = cached.offers_web(region)
        cached.area_overview(region)
        cached.has_barrier_reports(region)
        cached.data_kinds(region)  # the notice of synthetic and modelled data
        region.has_network()
        _prepare_tables()
        view = maps.fit_view(layers.basemap.bounds, width_px=600, height_px=640)
        fmap = maps.base_map(layers.basemap, view=view)
        for group in (overlays.area_layer(layers.areas, layers.area_labels),
                      overlays.service_layer(offers),
                      legend.legend_layer(legend.legend_html(services=offers))):
            maps.localize_assets(group).add_to(fmap)
        fmap.get_root().render()  # compiles folium's and branca's templates once
    except SozialraumError:
        pass  # the page shows the German message to the first visitor, as before
    return {"module_s": imported - started, "karte_s": time.perf_counter() - imported}


def _prepare_tables() -> None:
    """Render one tiny table as the pages do: imports pandas' Styler and compiles its templates."""
    import pandas as pd

    from ui import widgets

    widgets.german_display(pd.DataFrame({"Wert": [1.5], "Anzahl": [2]})).to_html()


def _freeze_prepared_objects() -> None:
    """Move everything the preparation made into the collector's permanent generation.

    Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``),
    holding the interpreter lock while the event loop would send the page to the browser; with
    the pages' libraries and the map data loaded it walked ≈ 190,000 long-lived objects each
    time (0.1 s alone, up to 0.7 s in the server after the first visit's run). Frozen objects
    are skipped by the collector (what preloading application servers do, see ``gc.freeze``);
    they are still freed by reference counting when dropped.
    """
    gc.collect()
    gc.freeze()


class _NoStartWarnings(logging.Filter):
    """Drop two warnings of Streamlit that are expected when the app is imported before it runs.

    * "missing ScriptRunContext": ``ui.assets`` declares its file components at import, outside
      a script run; they are registered in the first script run
      (:func:`ui.assets.register_components`).
    * "An update to the [server] config option section was detected": the preparation read
      Streamlit's configuration before the command-line options were known; Streamlit reads it
      again with them and warns that a *running* server would need a restart. No server runs
      yet: the options take effect.
    """

    HARMLESS = ("missing ScriptRunContext", "option section was detected")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(text in message for text in self.HARMLESS)


def _quiet_start_warnings() -> None:
    import streamlit  # noqa: F401 - configures Streamlit's loggers, which the filter joins

    for name in ("streamlit.config", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        logging.getLogger(name).addFilter(_NoStartWarnings())


def main(argv: list[str] | None = None) -> None:
    """Prepare the first visit, then run ``streamlit run app.py`` with the given options."""
    args = list(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    _quiet_start_warnings()
    try:
        prepare_first_visit()
    except Exception as exc:  # a preparation must never keep the app from starting
        print(f"[app] Vorbereitung übersprungen ({type(exc).__name__}: {exc}); die erste Seite "
              "lädt dann etwas länger.", file=sys.stderr, flush=True)
    else:
        print(f"[app] Karte vorbereitet in {time.perf_counter() - started:.1f} s".replace(".", ","),
              flush=True)
    _freeze_prepared_objects()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *args]
    cli.main()


if __name__ == "__main__":
    main()
