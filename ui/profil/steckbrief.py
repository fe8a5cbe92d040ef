"""The Steckbrief of one planning area for download from the profile page, in one click, and
all areas' Steckbriefe as one ZIP (with a progress bar while they are made).

PDF and HTML by :mod:`planungsraeume.steckbrief` (:func:`~planungsraeume.steckbrief.area_files`),
made when a download button is clicked; its reachability section follows the question set in
the app.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from planungsraeume.frage import Question
from ui import cached, state

__all__ = ["STATE_KEY", "ZIP_KEY", "all_areas_zip", "coverage_choice", "steckbrief"]

STATE_KEY = "profil_steckbrief"
ZIP_KEY = "profil_steckbriefe_zip"


def coverage_choice(frage: Question) -> Any:
    """The Steckbrief's reachability section for a question.

    The chosen profile is shown beside walking (the reference every reader knows); the types,
    minutes and the handling of unknown way attributes follow the question. Accessibility
    features of the offers are not part of the Steckbrief's per-type table.
    """
    # Imported here: the Steckbrief module pulls in matplotlib, which the page load need not pay.
    from planungsraeume.steckbrief import CoverageChoice

    profiles = tuple(dict.fromkeys(("fuss", frage.profil)))
    return CoverageChoice(typen=frage.typen, profile=profiles, minuten=float(frage.minuten),
                          unbekannt=frage.unbekannt)


def _files(pr_id: str, kind: str) -> bytes:
    """The area's Steckbrief as ``kind`` (``pdf`` or ``html``), made when the button is clicked.

    The region's report context and figures are read once per store version and question
    (:mod:`ui.cached`); only the asked format is set.
    """
    from planungsraeume.steckbrief import area_files
    from ui.profil.vergleich import other_region

    region, frage, other = state.region(), state.question(), other_region()
    key = (region.identity()["version"], pr_id, frage.key(), other)
    kept = st.session_state.get(STATE_KEY)
    if not (isinstance(kept, dict) and kept.get("key") == key):
        kept = {"key": key, "dateien": {}}
    suffix = f".{kind}"
    if suffix not in kept["dateien"]:
        context = cached.report_context(region)
        inputs = cached.report_figures(region, frage, other)
        made = area_files(context, inputs, pr_id, formats=(kind,))
        kept["dateien"].update(made)
    st.session_state[STATE_KEY] = kept
    return bytes(kept["dateien"][suffix][1])


def steckbrief(pr_id: str, name: str) -> None:
    """Two buttons that make and download the Steckbrief in one click (PDF, HTML)."""
    from planungsraeume.steckbrief import file_stem

    stem = file_stem(pr_id, name)
    cols = st.columns(2)
    cols[0].download_button(
        "Steckbrief herunterladen (PDF)", partial(_files, pr_id, "pdf"),
        file_name=f"{stem}.pdf", mime="application/pdf", key="profil_steckbrief_pdf",
        on_click="ignore", icon=":material/picture_as_pdf:",
        help="Planungsraum-Steckbrief mit Karte, Kennzahlen, Erreichbarkeit, geschützter "
             "Barrieren-Übersicht und Angebotsliste; wird beim Klick erstellt (wenige Sekunden).")
    cols[1].download_button(
        "Steckbrief herunterladen (HTML, barrierearm)", partial(_files, pr_id, "html"),
        file_name=f"{stem}.html", mime="text/html", key="profil_steckbrief_html",
        on_click="ignore", icon=":material/html:")


def all_areas_zip() -> None:
    """Make every area's Steckbrief (PDF and HTML, with ``index.html``) as one ZIP, showing the
    progress, then offer it for download (kept per store version and question)."""
    from planungsraeume.steckbrief import reports_zip

    region, frage = state.region(), state.question()
    key = (region.identity()["version"], frage.key())
    kept = st.session_state.get(ZIP_KEY)
    if not (isinstance(kept, dict) and kept.get("key") == key):
        kept = None
        if st.button("Steckbriefe aller Planungsräume erstellen (ZIP)", key="steckbriefe_zip_erstellen",
                     icon=":material/folder_zip:",
                     help="Alle Planungsräume als PDF und HTML mit Übersichtsseite; dauert etwa "
                          "zwei Sekunden je Planungsraum."):
            with st.status("Steckbriefe werden erstellt …", expanded=True) as status:
                bar = st.progress(0.0, text="Kennzahlen werden gelesen …")

                def progress(fraction: float, label: str) -> None:
                    bar.progress(min(max(float(fraction), 0.0), 1.0), text=label)

                data = reports_zip(region, cached.report_figures(region, frage), progress=progress)
                kept = {"key": key, "daten": data}
                st.session_state[ZIP_KEY] = kept
                status.update(label="Steckbriefe erstellt.", state="complete", expanded=False)
    if kept is not None:
        from planungsraeume.steckbrief import file_stem

        st.download_button(
            "Steckbriefe aller Planungsräume herunterladen (ZIP)", kept["daten"],
            file_name=f"steckbriefe_{file_stem(region.name, '')}.zip",
            mime="application/zip", key="steckbriefe_zip", on_click="ignore",
            icon=":material/download:")
