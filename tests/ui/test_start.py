"""The launcher that prepares the first visit before the server answers (:mod:`ui.start`)."""

from __future__ import annotations

from ui import start


def test_the_modules_to_prepare_are_read_from_the_pages(tmp_path):
    (tmp_path / "ui" / "pages").mkdir(parents=True)
    (tmp_path / "app.py").write_text("import streamlit as st\nfrom ui import links\n",
                                     encoding="utf-8")
    page = tmp_path / "ui" / "pages" / "neu.py"
    page.write_text("from planungsraeume.region import Region\nfrom . import egal\n",
                    encoding="utf-8")
    assert start.page_modules(tmp_path) == ["planungsraeume.region",
                                            "planungsraeume.region.Region", "streamlit", "ui",
                                            "ui.links"]
    # A page that gains an import is prepared from that day on (no list to keep in step).
    page.write_text(page.read_text(encoding="utf-8") + "import folium\n", encoding="utf-8")
    assert "folium" in start.page_modules(tmp_path)


def test_the_real_pages_are_covered():
    names = start.page_modules()
    assert {"ui.cached", "ui.maps", "planungsraeume.region", "streamlit"} <= set(names)
    # streamlit_folium declares its component when imported; imported before the server runs,
    # the map component would not be registered (the map stayed empty): it must stay lazy.
    assert not any(n.startswith("streamlit_folium") for n in names)
