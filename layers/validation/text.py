"""Invisible and control characters in text cells: removed, or refused where they deceive.

The rule, the same in every importer and every text field:

* **Bidirectional controls** (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) are
  **refused**. They reorder how text is displayed without being visible themselves, so what a
  planner reads in the app or in Excel is not what is stored ("Trojan Source", CVE-2021-42574);
  no service name or report needs them, and silently removing them could turn a spoofed text
  into a plausible one.
* **Other invisible characters** (zero-width space/joiner/non-joiner, word joiner, byte order
  mark inside a cell, soft hyphen) and **control characters** (BEL, ESC and the rest of C0/C1,
  except tab and line breaks) are **removed** with a warning naming row, column and character.
  They are artefacts of copying from web pages, Word or terminals, carry no meaning, and ESC
  sequences could otherwise reach terminals through the command line.
* In fields that decide how a row is treated (``quelle``), every such character is refused:
  a zero-width space must not make ``synthe<ZWSP>tisch`` look like the reserved label, nor be
  removed so that a row claims it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from layers.errors import Problem
from layers.sicher import FORMULA_PREFIXES  # the one list, also used by the CSV writer

__all__ = [
    "BIDI_CONTROLS",
    "INVISIBLE",
    "FORMULA_PREFIXES",
    "clean_table",
    "strip_invisible",
]

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                                     *range(0x7F, 0xA0)])
#: Every character the rule above removes or refuses.
INVISIBLE = BIDI_CONTROLS + _ZERO_WIDTH + _CONTROLS
_ANY = re.compile(f"[{re.escape(INVISIBLE)}]")
_BIDI = re.compile(f"[{re.escape(BIDI_CONTROLS)}]")
_REMOVABLE = re.compile(f"[{re.escape(_ZERO_WIDTH + _CONTROLS)}]")



def strip_invisible(text: str) -> str:
    """``text`` without zero-width, bidi and control characters (tab and line breaks kept)."""
    return _ANY.sub("", text)


def _names(chars: Iterable[str]) -> str:
    """``U+200B (ZERO WIDTH SPACE)`` for each distinct character, in order of appearance."""
    return ", ".join(f"U+{ord(c):04X} ({unicodedata.name(c, 'Steuerzeichen')})"
                     for c in dict.fromkeys(chars))


def clean_table(
    frame: pd.DataFrame,
    rows: np.ndarray,
    *,
    datei: str | Path | None,
    strict: Iterable[str] = (),
) -> tuple[pd.DataFrame, list[Problem]]:
    """Apply the rule of this module to every text cell of a table.

    Parameters
    ----------
    frame
        Text columns as read by :func:`layers.validation.read_table` (not changed).
    rows
        The spreadsheet row of every row (for messages).
    datei
        For messages.
    strict
        Columns in which any invisible character is refused (e.g. the ``quelle`` column).

    Returns
    -------
    tuple
        The cleaned copy and the findings (errors for refused cells, warnings for removals).
    """
    out = frame.copy()
    problems: list[Problem] = []
    strict_columns = set(strict)
    where = str(datei) if datei else None
    for column in frame.columns:
        values = frame[column]
        if not pd.api.types.is_string_dtype(values):
            continue
        hits = values.str.contains(_ANY, na=False).to_numpy(dtype=bool)
        if not hits.any():
            continue
        removed = np.zeros(len(values), dtype=bool)
        for pos in np.flatnonzero(hits):
            problem = _cell_problem(str(values.iloc[pos]), refuse_all=column in strict_columns)
            problems.append(Problem(*problem[:2], datei=where, zeile=int(rows[pos]),
                                    spalte=str(column), schwere=problem[2]))
            removed[pos] = problem[2] == "warnung"
        fixed = values.str.replace(_REMOVABLE, "", regex=True)
        out[column] = values.where(~removed, fixed)
    return out, problems


def _cell_problem(text: str, *, refuse_all: bool) -> tuple[str, str, str]:
    """(message, fix, severity) for one cell with invisible characters."""
    bidi = _BIDI.findall(text)
    if bidi:
        return (
            f"Der Text enthält Steuerzeichen für die Schreibrichtung ({_names(bidi)}); sie "
            "verändern, wie der Text angezeigt wird, und werden nicht übernommen.",
            "Tippen Sie den Text neu ein oder kopieren Sie ihn über einen reinen Texteditor; "
            "Schreibrichtungszeichen gehören in keine Zelle.",
            "fehler",
        )
    found = _ANY.findall(text)
    if refuse_all:
        return (
            f"Die Zelle enthält unsichtbare Zeichen ({_names(found)}); in dieser Spalte sind sie "
            "nicht erlaubt, weil der Wert über die Behandlung der Zeile entscheidet.",
            "Tippen Sie den Wert neu ein (ohne ihn aus einer Webseite oder einem Dokument zu "
            "kopieren).",
            "fehler",
        )
    return (
        f"Unsichtbare Zeichen oder Steuerzeichen ({_names(found)}) wurden aus dem Text entfernt.",
        "Prüfen Sie den Text; solche Zeichen entstehen oft beim Kopieren aus Webseiten oder "
        "Dokumenten.",
        "warnung",
    )
