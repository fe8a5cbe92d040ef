"""Row numbering and the one way a list of findings becomes an error."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np

from layers.errors import InputValidationError, Problem

__all__ = ["FIRST_DATA_ROW", "raise_if_errors", "renumber"]


# Header row = row 1 in a spreadsheet; the first data row is therefore row 2.
FIRST_DATA_ROW = 2


def raise_if_errors(problems: Iterable[Problem], meldung: str, hinweis: str = "") -> None:
    """Raise :class:`InputValidationError` if any problem is an error.

    Parameters
    ----------
    problems
        Findings of one or more checks.
    meldung, hinweis
        Summary message and fix.
    """
    errors = [p for p in problems if p.schwere == "fehler"]
    if errors:
        datei = errors[0].datei if len({p.datei for p in errors}) == 1 else None
        raise InputValidationError(meldung, hinweis=hinweis, datei=datei, probleme=errors)


def renumber(problems: Iterable[Problem], rows: Sequence[int] | np.ndarray) -> list[Problem]:
    """Findings of a check that numbered rows by position, with the rows the user sees.

    Checks such as :func:`layers.validation.parse_decimal` number the ``i``-th value as row
    ``i + 2``; when blank rows were dropped from the table, ``rows[i]`` is the true row.
    """
    out = []
    for problem in problems:
        pos = None if problem.zeile is None else problem.zeile - FIRST_DATA_ROW
        if pos is not None and 0 <= pos < len(rows):
            problem = replace(problem, zeile=int(rows[pos]))
        out.append(problem)
    return out
