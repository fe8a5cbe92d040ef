"""German number formatting for everything a user reads (reports, tables, the app).

German writes ``12.345`` (thousands separator ``.``) and ``23,4 %`` (decimal comma, a space
before the percent sign). Python's ``locale`` module depends on the operating system's installed
locales (often missing on Windows servers and in containers), so the formatting is done here by
hand and behaves the same everywhere.
"""

from __future__ import annotations

import math
from typing import Any

from layers.sicher import neutralise_formulas

__all__ = ["MISSING", "de_number", "de_percent", "excel_csv_bytes"]

MISSING = "–"


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def de_number(value: object, decimals: int = 0) -> str:
    """Format a number the German way.

    Parameters
    ----------
    value
        A number (NaN and ``None`` give ``"–"``).
    decimals
        Digits after the decimal comma.

    Returns
    -------
    str
        E.g. ``de_number(12345) == "12.345"``, ``de_number(1234.56, 1) == "1.234,6"``.
    """
    if _is_missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    text = f"{number:,.{decimals}f}"
    # Swap the English separators via a placeholder: "," -> ".", "." -> ",".
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if text.startswith("-") and float(text[1:].replace(".", "").replace(",", ".")) == 0:
        text = text[1:]  # no "-0,0"
    return text


def de_percent(share: object, decimals: int = 1) -> str:
    """Format a share (0..1) as a German percentage.

    Parameters
    ----------
    share
        A share between 0 and 1 (``0.234`` → ``"23,4 %"``).
    decimals
        Digits after the decimal comma.

    Returns
    -------
    str
    """
    if _is_missing(share):
        return MISSING
    return f"{de_number(float(share) * 100.0, decimals)} %"  # type: ignore[arg-type]


def excel_csv_bytes(table: Any) -> bytes:
    """A table as CSV for German spreadsheet programs: semicolon, decimal comma, UTF-8 with BOM.

    The one CSV writer of the project: every CSV the command line writes and the app offers for
    download goes through here (through :func:`planungsraeume.darstellung.csv_bytes` above the
    data layer).

    Text cells that a spreadsheet would run as a formula (beginning with ``=``, ``+``, ``-``,
    ``@``, tab or carriage return) are written with ``'`` in front
    (:func:`layers.sicher.neutralise_formulas`, OWASP "CSV Injection"); numbers, also negative
    ones, stay numbers. Lines end with CR LF; a cell holding a line break is quoted.

    Parameters
    ----------
    table
        A :class:`pandas.DataFrame` (its index is not written).

    Returns
    -------
    bytes
        The file content; opens in a German Excel without an import dialog.
    """
    # CRLF as Excel writes it; it also makes pandas quote a field with a bare carriage return,
    # which would otherwise start a new spreadsheet row (and there a formula).
    text: str = neutralise_formulas(table).to_csv(index=False, sep=";", decimal=",",
                                                  lineterminator="\r\n")
    return text.encode("utf-8-sig")
