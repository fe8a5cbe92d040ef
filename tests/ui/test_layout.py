"""The app layer's layout: modules that were folded into others stay gone."""

from __future__ import annotations


def test_kennzahlen_module_is_gone():
    import importlib.util

    assert importlib.util.find_spec("ui.kennzahlen") is None
