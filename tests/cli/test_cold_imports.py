"""Cold starts: the entry modules of the command line and of the app import no heavy library.

spopt, esda, rasterio, reportlab, matplotlib, PuLP, access, numba, Dask … cost seconds to
import; each is imported only by the function that uses it. Checked in a fresh interpreter:
the command line's parser with every command, and for the app ``app.py``'s imports and those of
its default page (the first visit), without running the Streamlit scripts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("spopt", "esda", "rasterio", "reportlab", "matplotlib", "pulp", "access", "libpysal",
         "numba", "dask", "distributed", "highspy", "networkx", "osmnx")

CHECK = """
import ast, importlib, json, sys
sys.path.insert(0, {root!r})
for script in {scripts!r}:
    tree = ast.parse(open(script, encoding="utf-8").read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module = importlib.import_module(node.module)
            for alias in node.names:  # "from ui import cached": submodules
                if not hasattr(module, alias.name):
                    importlib.import_module(node.module + "." + alias.name)
for name in {modules!r}:
    importlib.import_module(name)
if {parser!r}:
    import cli
    cli.build_parser()
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(*, scripts: tuple[str, ...] = (), modules: tuple[str, ...] = (),
            parser: bool = False) -> set[str]:
    code = CHECK.format(root=str(ROOT), scripts=[str(ROOT / s) for s in scripts],
                        modules=list(modules), parser=parser)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return set(json.loads(run.stdout.strip().splitlines()[-1]))


def _heavy(loaded: set[str]) -> list[str]:
    return sorted(h for h in HEAVY if h in loaded or any(m.startswith(h + ".") for m in loaded))


def test_command_line_imports_no_heavy_library():
    loaded = _loaded(modules=("cli",), parser=True)
    assert "cli.batch" in loaded and "cli.versorgung" in loaded  # every command registered
    assert _heavy(loaded) == []
    assert "geopandas" not in loaded and "streamlit" not in loaded


def test_app_and_first_page_import_no_heavy_library():
    loaded = _loaded(scripts=("app.py", "ui/pages/karte.py"))
    assert "streamlit" in loaded and "ui.sidebar" in loaded and "ui.maps" in loaded
    assert _heavy(loaded) == []
