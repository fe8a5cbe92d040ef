"""The test suite's own rules: folders mirror the code, and only tests/integration builds regions."""

from __future__ import annotations

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
