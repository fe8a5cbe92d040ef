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

from ui import anmeldung, sidebar, state, widgets
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
    draw = dict(zip(TABS, (
        lambda: ueberblick.overview_tab(region), angebote_import.service_import_tab,
        bearbeiten.edit_tab, tabellen.areas_tab, tabellen.indicator_tab, tabellen.barrier_tab,
        lambda: ueberblick.exports_tab(region)), strict=True))
    shown = anmeldung.allowed_data_tabs(TABS)  # team mode: the tabs of the login's role
    if not shown:
        st.info("Ihre Rolle darf hier nichts ändern.", icon=":material/lock:")
        return
    for tab, name in zip(st.tabs(shown), shown, strict=True):
        with tab:
            draw[name]()


sidebar.page_frame()
widgets.guarded(render)
