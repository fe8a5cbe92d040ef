"""No page tells a user to edit a configuration file (issue #13, item 9).

Every string literal in ``ui/`` and ``planungsraeume/`` that reads as a sentence (it has a space
and at least two words of letters) is a possible message on a page; none may name a
configuration file, TOML or "Konfiguration". Docstrings are code documentation and are skipped,
as are strings without a space (keys, file names inside code).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from layers import settings

ROOTS = ("ui", "planungsraeume")
HINT = re.compile(r"config|toml|konfiguration", re.IGNORECASE)
SENTENCE = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}\s+[A-Za-zÄÖÜäöüß]{2,}")


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _user_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip and SENTENCE.search(node.value)]


def config_hints(roots: tuple[str, ...] = ROOTS) -> list[str]:
    """``file:line: text`` of every sentence-like literal naming a configuration file."""
    hints = []
    for root in roots:
        for path in sorted((settings.project_root / root).rglob("*.py")):
            for line, text in _user_strings(path):
                # JavaScript and CSS inside Python strings are code, not messages.
                if HINT.search(text) and "function" not in text and "{" not in text:
                    relative = path.relative_to(settings.project_root)
                    hints.append(f"{relative}:{line}: {text[:120]}")
    return hints


def test_the_scan_finds_a_config_hint(tmp_path, monkeypatch):
    # The check can fail: a message like the former ÖV hint is found.
    package = tmp_path / "ui"
    package.mkdir()
    (package / "seite.py").write_text(
        'import streamlit as st\n\n'
        'def zeige():\n'
        '    """Docstring mentioning config.toml is fine."""\n'
        '    st.info("Tragen Sie einen Fahrplan in der Regionskonfiguration ein.")\n'
        '    KEY = "column_config"\n', encoding="utf-8")
    monkeypatch.setattr(settings, "project_root", tmp_path)
    hints = config_hints(("ui",))
    assert hints == ["ui/seite.py:5: Tragen Sie einen Fahrplan in der Regionskonfiguration ein."]


def test_no_user_facing_string_asks_to_edit_a_config_file():
    assert config_hints() == []
