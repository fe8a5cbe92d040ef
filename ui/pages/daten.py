"""Page 'Daten': what the region store holds, imports, editing and exports.

Import of service lists with the validation report; editing of the service directory with
history and undo; own planning areas; indicator tables; barrier reports; exports.

All checks and writes are done by the packages (:mod:`layers.angebote.importer`,
:mod:`layers.angebote.edit`, :mod:`layers.planungsraeume.define`, :mod:`layers.planungsraeume.checks`,
:mod:`layers.planungsraeume.tabellen`, :mod:`layers.barrieren`); this page shows their German
reports (components in :mod:`ui.daten`). Uploaded files are saved to a private temporary folder,
never into the project. After a write the store's version changes, so every cached table and map
renews itself.
"""

from __future__ import annotations

import streamlit as st

from ui import sidebar, state, widgets
from ui.daten import angebote_import, bearbeiten, tabellen, ueberblick

__all__ = ["TABS", "render"]

TABS = ["Überblick", "Angebote importieren", "Angebote bearbeiten", "Planungsräume",
        "Kennzahlen-Tabelle", "Barrieremeldungen", "Exporte"]


def render() -> None:
    """Draw the page."""
    st.title("Daten")
    region = state.region()
    if not widgets.ensure_region_built(region):
        return
    widgets.data_notice(region)
    tabs = st.tabs(TABS)
    with tabs[0]:
        ueberblick.overview_tab(region)
    with tabs[1]:
        angebote_import.service_import_tab()
    with tabs[2]:
        bearbeiten.edit_tab()
    with tabs[3]:
        tabellen.areas_tab()
    with tabs[4]:
        tabellen.indicator_tab()
    with tabs[5]:
        tabellen.barrier_tab()
    with tabs[6]:
        ueberblick.exports_tab(region)


sidebar.page_frame()
widgets.guarded(render)
