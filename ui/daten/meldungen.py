"""Messages of the Daten page: findings tables, errors with their place, success after a write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from layers.errors import SozialraumError, VersionConflictError
from layers.sicher import escape_markdown
from ui import widgets

__all__ = [
    "FLASH_KEY",
    "flash_and_rerun",
    "problems",
    "save_edit",
    "show_error",
    "show_flash",
    "text",
]

FLASH_KEY = "daten_meldung"


def problems(found: list[Any]) -> pd.DataFrame:
    """Findings (:class:`layers.errors.Problem`) as a German table with the file they are in."""
    return pd.DataFrame(
        [{"Datei": Path(p.datei).name if p.datei else None, "Zeile": p.zeile, "Spalte": p.spalte,
          "Schwere": "Fehler" if p.schwere == "fehler" else "Warnung",
          "Meldung": p.meldung, "So beheben": p.hinweis} for p in found],
        columns=["Datei", "Zeile", "Spalte", "Schwere", "Meldung", "So beheben"],
    )


def flash_and_rerun(message: str, area: str = "bearbeiten") -> None:
    """Show a success message after the whole app has been redrawn with the new data.

    ``message`` is plain text (names and file names in it are shown literally).
    """
    st.session_state[f"{FLASH_KEY}_{area}"] = message
    st.rerun(scope="app")


def show_flash(area: str = "bearbeiten") -> None:
    """The success message of the last write in this area, once."""
    message = st.session_state.pop(f"{FLASH_KEY}_{area}", None)
    if message:
        st.success(escape_markdown(message, keep_lines=True), icon=":material/check_circle:")


def show_error(exc: SozialraumError) -> None:
    """A German error with its place and fix, its findings as a table."""
    widgets.show_error(exc, problems)


def save_edit(angebot_id: str, edit: Callable[[], Any], message: Callable[[Any], str]) -> None:
    """Run one edit of an offer (update, move, retire) and report it.

    A version conflict or any other German error is shown and nothing else happens; after a
    write the offer's new version is kept for the next edit and ``message(result)`` is shown
    once the app has been redrawn.
    """
    try:
        result = edit()
    except VersionConflictError as exc:
        st.error(str(exc), icon=":material/sync_problem:")
        return
    except SozialraumError as exc:
        show_error(exc)
        return
    st.session_state[f"edit_version_{angebot_id}"] = result.version
    flash_and_rerun(message(result))


def text(value: Any) -> str:
    """A cell as text ("" for empty values)."""
    missing = value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))
    return "" if missing else str(value)
