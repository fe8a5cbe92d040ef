"""The Steckbrief of one planning area for download from the profile page.

PDF and HTML by :mod:`planungsraeume.steckbrief`; its reachability section follows the question
set in the app.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from layers.errors import SozialraumError
from layers.progress import ProgressCallback
from layers.sicher import escape_markdown
from planungsraeume.frage import Question
from planungsraeume.region import Region
from ui import state

__all__ = ["STATE_KEY", "coverage_choice", "steckbrief"]

STATE_KEY = "profil_steckbrief"


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


def _write(region: Region, pr_id: str, frage: Question,
           progress: ProgressCallback) -> dict[str, tuple[str, bytes]]:
    """Write PDF and HTML into a temporary folder; their names and contents by suffix."""
    from planungsraeume.steckbrief import write_reports

    with tempfile.TemporaryDirectory(prefix="sozialraum-steckbrief-") as folder:
        files = write_reports(region, folder, pr_ids=[pr_id], formats=("pdf", "html"),
                              progress=progress, coverage_choice=coverage_choice(frage))
        return {Path(f).suffix: (Path(f).name, Path(f).read_bytes())
                for f in files if Path(f).name != "index.html"}


def _create(region: Region, pr_id: str, name: str, frage: Question) -> dict[str, Any] | None:
    with st.status(f"Steckbrief für {escape_markdown(pr_id)} {escape_markdown(name)} wird erstellt …",
                   expanded=True) as status:
        bar = st.progress(0.0)

        def progress(fraction: float, label: str) -> None:
            bar.progress(min(1.0, max(0.0, fraction)), text=label or None)

        try:
            content = _write(region, pr_id, frage, progress)
        except SozialraumError as exc:
            status.update(label="Steckbrief konnte nicht erstellt werden", state="error")
            st.error(escape_markdown(str(exc), keep_lines=True))
            return None
        status.update(label="Steckbrief erstellt", state="complete", expanded=False)
    return content


def _offer(files: dict[str, tuple[str, bytes]]) -> None:
    cols = st.columns(2)
    if ".pdf" in files:
        file_name, data = files[".pdf"]
        cols[0].download_button("Steckbrief herunterladen (PDF)", data, file_name=file_name,
                                mime="application/pdf", key="profil_steckbrief_pdf",
                                on_click="ignore", icon=":material/picture_as_pdf:")
    if ".html" in files:
        file_name, data = files[".html"]
        cols[1].download_button("Steckbrief herunterladen (HTML, barrierearm)", data,
                                file_name=file_name, mime="text/html",
                                key="profil_steckbrief_html", on_click="ignore",
                                icon=":material/html:")


@st.fragment
def steckbrief(pr_id: str, name: str) -> None:
    """Create the Steckbrief of the area (PDF and HTML) and offer both for download."""
    region = state.region()
    frage = state.question()
    key = (region.identity()["version"], pr_id, frage.key())
    ready = st.session_state.get(STATE_KEY)
    if not (isinstance(ready, dict) and ready.get("key") == key):
        ready = None
    if ready is None and st.button(
            "Steckbrief herunterladen (PDF/HTML) – erstellen", key="profil_steckbrief_erstellen",
            icon=":material/description:",
            help="Erstellt den Planungsraum-Steckbrief mit Karte, Kennzahlen, Erreichbarkeit, "
                 "geschützter Barrieren-Übersicht und Angebotsliste."):
        content = _create(region, pr_id, name, frage)
        if content is not None:
            ready = {"key": key, "dateien": content}
            st.session_state[STATE_KEY] = ready
    if ready is not None:
        _offer(ready["dateien"])
