"""The test suite's own rules: folders mirror the code, and only tests/integration builds regions."""

from __future__ import annotations

import ast
import shutil
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
MIRRORED = ("layers", "analyses", "planungsraeume", "ui", "cli")
OWN = {"integration", "tools", "data", "__pycache__"}


def test_every_test_folder_mirrors_a_package():
    folders = [p for p in TESTS.rglob("*") if p.is_dir() and not (OWN & set(p.relative_to(TESTS).parts))]
    assert folders
    for folder in folders:
        relative = folder.relative_to(TESTS)
        assert relative.parts[0] in MIRRORED, relative
        assert (ROOT / relative).is_dir(), f"tests/{relative} mirrors no package {relative}"
    modules = [p.relative_to(TESTS) for p in TESTS.rglob("test_*.py")]
    top = [m for m in modules if len(m.parts) == 1]
    assert top == [Path("test_layout.py")], top  # every other test lives in a mirrored folder


@pytest.fixture()
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A small suite under our conftest: one unit and one integration test that build."""
    shutil.copyfile(TESTS / "conftest.py", pytester.path / "conftest.py")
    build = textwrap.dedent('''
        from layers.build import BuildResult


        def test_build():
            BuildResult(region="aachen", path=None, rebuilt=True, counts={}, population=0,
                        crs="EPSG:25832", notes=[])
        ''')
    pytester.makeini("[pytest]\nmarkers =\n    slow: needs a built region\n")
    for folder in ("unit", "integration"):
        pytester.mkpydir(folder)
        (pytester.path / folder / "test_build.py").write_text(build, encoding="utf-8")
    return pytester


def test_integration_tests_are_marked_slow(suite: pytest.Pytester):
    items, _ = suite.inline_genitems("-p", "no:cacheprovider")
    slow = {item.nodeid: item.get_closest_marker("slow") is not None for item in items}
    assert slow == {"unit/test_build.py::test_build": False,
                    "integration/test_build.py::test_build": True}


def test_a_unit_test_that_builds_a_region_fails(suite: pytest.Pytester):
    result = suite.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)  # the same build is fine in integration/
    result.stdout.fnmatch_lines(["*unit/test_build.py::test_build built the region 'aachen'*"])


# --------------------------------------------------------------------------------------------
# Code size and exports (issue #8): explicit __all__, modules ≤ 600 lines, functions ≤ 80 lines
# unless the docstring says why.
# --------------------------------------------------------------------------------------------

CODE = ("layers", "analyses", "planungsraeume", "cli", "ui")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# Modules other work restructures at the time of writing (2026-12-02); each entry names what is
# missing. Remove an entry when its module follows the rule.
WITHOUT_ALL: set[str] = set()
LONG_WITHOUT_REASON: set[tuple[str, str]] = set()


def _code_modules() -> list[Path]:
    modules = [p for package in CODE for p in sorted((ROOT / package).rglob("*.py"))]
    return [*modules, ROOT / "app.py"]


def _declares_all(tree: ast.Module) -> bool:
    for statement in tree.body:
        targets = (statement.targets if isinstance(statement, ast.Assign)
                   else [statement.target] if isinstance(statement, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return True
    return False


def test_every_module_declares_all():
    missing = []
    for path in _code_modules():
        relative = path.relative_to(ROOT).as_posix()
        if not _declares_all(ast.parse(path.read_text(encoding="utf-8"))):
            missing.append(relative)
    assert sorted(missing) == sorted(WITHOUT_ALL), "modules without an explicit __all__"


def test_no_module_over_the_line_limit():
    lengths = {p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
               for p in _code_modules()}
    assert max(lengths.values()) > 100  # the walk found the code
    assert {m: n for m, n in lengths.items() if n > MAX_MODULE_LINES} == {}


def test_long_functions_say_why():
    unexplained = set()
    for path in _code_modules():
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            reason = "why " in (ast.get_docstring(node) or "").lower()
            if length > MAX_FUNCTION_LINES and not reason:
                unexplained.add((relative, node.name))
    assert unexplained == LONG_WITHOUT_REASON, "functions over 80 lines without a reason"
