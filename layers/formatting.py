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

__all__ = ["MISSING", "de_count", "de_number", "de_percent", "de_size", "de_time", "excel_csv_bytes"]

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


def de_count(count: object, singular: str, plural: str) -> str:
    """A count with the German singular or plural: ``1 Warnung``, ``3 Warnungen``, ``0 Fehler``.

    Parameters
    ----------
    count
        The number (shown with :func:`de_number`).
    singular, plural
        The noun for exactly one and for every other count.
    """
    number = de_number(count)
    one = not _is_missing(count) and float(count) == 1  # type: ignore[arg-type]
    return f"{number} {singular if one else plural}"


def de_size(size_bytes: object) -> str:
    """A file size in German: ``413 Byte``, ``12,4 kB``, ``3,1 MB`` (powers of 1,000, as on disks).

    Parameters
    ----------
    size_bytes
        The size in bytes.
    """
    if _is_missing(size_bytes):
        return MISSING
    size = float(size_bytes)  # type: ignore[arg-type]
    for limit, unit in ((1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if size >= limit:
            return f"{de_number(size / limit, 1)} {unit}"
    return f"{de_number(size)} Byte"


def de_time(value: object) -> str:
    """A point in time in the local time zone, German style: ``01.12.2025, 14:03 Uhr``.

    Accepts an ISO 8601 text (with or without offset; without it, UTC is assumed, as the store
    writes) or a :class:`datetime.datetime`; anything unreadable is returned as text.
    """
    from datetime import UTC, datetime

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    moment = value
    if not isinstance(moment, datetime):
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_local_zone()).strftime("%d.%m.%Y, %H:%M Uhr")


def _local_zone() -> Any:
    """German time (``Europe/Berlin``; ``SOZIALRAUM_ZEITZONE`` overrides), else the machine's."""
    import os
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(os.environ.get("SOZIALRAUM_ZEITZONE", "Europe/Berlin"))
    except (ZoneInfoNotFoundError, ValueError):
        return None


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
