"""Matching the column headers of planners' tables (spelling variants, umlauts, case)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["ambiguous_columns", "column_key", "find_column", "match_columns"]


def column_key(name: object) -> str:
    """Fold a header for matching: lower case, umlauts spelled out, only letters and digits."""
    key = str(name).strip().lower()
    for old, new in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        key = key.replace(old, new)
    return re.sub(r"[^a-z0-9]", "", key)


def match_columns(
    columns: Iterable[str], aliases: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """Map canonical column names to the columns of an input table.

    Matching ignores case, umlaut spelling, spaces, hyphens and underscores, so that
    ``"Person-Schlüssel"``, ``"person_schluessel"`` and ``"PERSONSCHLUESSEL"`` all match.

    Parameters
    ----------
    columns
        Column names of the input.
    aliases
        Canonical name to accepted spellings (the canonical name itself is always accepted).

    Returns
    -------
    dict
        Canonical name to the input's column name, for the canonical names found.
    """
    by_key = {column_key(c): str(c) for c in columns}
    found: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            column = by_key.get(column_key(name))
            if column is not None:
                found[canonical] = column
                break
    return found


def find_column(columns: Iterable[str], aliases: Sequence[str]) -> str | None:
    """The first column whose normalised name (lower case, ``_`` for spaces) is an alias."""
    normal = {str(c).strip().lower().replace(" ", "_"): str(c) for c in columns}
    for alias in aliases:
        if alias in normal:
            return normal[alias]
    return None


def ambiguous_columns(
    columns: Iterable[str], aliases: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """Canonical names that two or more columns of the input match (``icf_code`` and ``ICF``).

    :func:`match_columns` would silently take the first; callers refuse such files instead.

    Returns
    -------
    dict
        Canonical name to the input's columns that match it, only where there are several.
    """
    keys = {column_key(name) for name in aliases}
    spellings = {canonical: {column_key(n) for n in (canonical, *names)}
                 for canonical, names in aliases.items()}
    found: dict[str, list[str]] = {}
    for canonical, accepted in spellings.items():
        matching = [str(c) for c in columns if column_key(c) in accepted]
        # A column that is itself another field's canonical name belongs to that field.
        matching = [c for c in matching
                    if column_key(c) == column_key(canonical) or column_key(c) not in keys]
        if len(matching) > 1:
            found[canonical] = matching
    return found
