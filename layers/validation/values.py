"""Single values and value columns of planners' tables: numbers, dates, yes/no, PLZ, keys."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from layers.errors import InputValidationError, Problem
from layers.validation.problems import FIRST_DATA_ROW

__all__ = [
    "EARLIEST_YEAR",
    "PLAUSIBLE_YEARS_AHEAD",
    "AmbiguousDateError",
    "is_blank",
    "normalize_key",
    "parse_date",
    "parse_dates",
    "parse_decimal",
    "parse_decimal_column",
    "parse_option_date",
    "parse_plz",
    "parse_yes_no",
    "plausible_date_problem",
]


_DECIMAL_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?$|^[+-]?\d+(,\d+)?$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def parse_decimal(
    values: pd.Series,
    *,
    spalte: str,
    datei: str | Path | None = None,
) -> tuple[pd.Series, list[Problem]]:
    """Parse numbers written with a decimal comma (``"6,0834"``, ``"1.234,5"``) or point.

    Parameters
    ----------
    values
        Text values of one column (index = 0-based data row position).
    spalte, datei
        For messages.

    Returns
    -------
    tuple
        Float series (NaN where empty or unparseable) and problems for the unparseable cells.
    """
    out = np.full(len(values), np.nan)
    problems: list[Problem] = []
    for pos, value in enumerate(values.to_numpy()):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            continue
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            continue
        if _DECIMAL_POINT.match(text) and "," not in text:
            out[pos] = float(text)
        elif _DECIMAL_COMMA.match(text):
            out[pos] = float(text.replace(".", "").replace(",", "."))
        else:
            problems.append(
                Problem(
                    f"'{value}' ist keine Zahl.",
                    "Schreiben Sie die Zahl mit Dezimalkomma oder -punkt, ohne Einheit (z. B. 6,0834).",
                    datei=str(datei) if datei else None,
                    zeile=pos + FIRST_DATA_ROW,
                    spalte=spalte,
                )
            )
    return pd.Series(out, index=values.index, name=values.name), problems


_DATE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_DATE_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)?$")
_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember")
#: Dates further ahead than this many years are typing errors (``2099`` for ``2029``).
PLAUSIBLE_YEARS_AHEAD = 3
#: Dates before this year are typing errors (``0224``, ``1024``).
EARLIEST_YEAR = 1900


class AmbiguousDateError(ValueError):
    """A date such as ``03/05/2024`` that reads as two different days."""


def parse_date(value: object) -> str | None:
    """Parse a date as planners write it (``31.12.2024``, ``2024-12-31``, Excel's timestamp).

    Slash dates are read as day/month where the month is unambiguous (``25/05/2024``) and as
    month/day where only that fits (``05/25/2024``); ``03/05/2024`` could be 3 May (German and
    British order) or 5 March (US order) and is refused with both readings.

    Parameters
    ----------
    value
        Cell content; empty cells give ``None``.

    Returns
    -------
    str or None
        ISO date ``YYYY-MM-DD``.

    Raises
    ------
    ValueError
        With a German text if the value is no valid date (:class:`AmbiguousDateError` if it
        has two readings).
    """
    if is_blank(value):
        return None
    text = str(value).strip()
    full_year, month, day = _date_parts(text)
    try:
        return date(full_year, month, day).isoformat()
    except ValueError as exc:
        raise ValueError(f"'{text}' ist kein gültiges Datum (diesen Tag gibt es nicht).") from exc


def _date_parts(text: str) -> tuple[int, int, int]:
    """Year, month and day as written (not yet checked to exist)."""
    match = _DATE_DE.match(text)
    if match:
        year = match.group(3)
        return int(year) + (2000 if len(year) == 2 else 0), int(match.group(2)), int(match.group(1))
    match = _DATE_SLASH.match(text)
    if match:
        first, second, year = int(match.group(1)), int(match.group(2)), match.group(3)
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        if first <= 12 and second <= 12 and first != second:
            raise AmbiguousDateError(
                f"'{text}' ist mehrdeutig: {first}. {_MONTHS[second - 1]} {full_year} "
                f"(Tag/Monat) oder {second}. {_MONTHS[first - 1]} {full_year} (Monat/Tag)."
            )
        if second > 12:
            return full_year, first, second
        return full_year, second, first
    match = _DATE_ISO.match(text)
    if not match:
        raise ValueError(f"'{text}' ist kein Datum.")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def plausible_date_problem(
    iso: str, *, today: date | None = None, future: bool = True
) -> str | None:
    """Why a parsed date is implausible (before 1900, or with ``future`` far ahead), or ``None``."""
    day = date.fromisoformat(iso)
    today = today or date.today()
    if day.year < EARLIEST_YEAR:
        return (f"Das Datum {day:%d.%m.%Y} liegt vor {EARLIEST_YEAR} und ist vermutlich ein "
                "Tippfehler.")
    if not future:
        return None
    try:
        limit = today.replace(year=today.year + PLAUSIBLE_YEARS_AHEAD)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year + PLAUSIBLE_YEARS_AHEAD, day=28)
    if day > limit:
        return (f"Das Datum {day:%d.%m.%Y} liegt mehr als {PLAUSIBLE_YEARS_AHEAD} Jahre in der "
                f"Zukunft (heute ist {today:%d.%m.%Y}) und ist vermutlich ein Tippfehler.")
    return None


def parse_option_date(value: str | None, *, option: str) -> date | None:
    """A date given on the command line (``--von 2024-03-01`` or ``01.03.2024``).

    Raises
    ------
    InputValidationError
        In German, naming the option, instead of a traceback.
    """
    if value is None or not str(value).strip():
        return None
    try:
        iso = parse_date(value)
    except ValueError as exc:
        raise InputValidationError(
            f"Ungültiges Datum bei {option}: {exc}",
            hinweis=f"Schreiben Sie das Datum als JJJJ-MM-TT oder TT.MM.JJJJ, z. B. {option} "
            "2024-03-01.",
        ) from exc
    assert iso is not None
    return date.fromisoformat(iso)


_YES = {"ja", "j", "yes", "y", "x", "1", "true", "wahr", "vorhanden", "barrierefrei",
        "rollstuhlgerecht", "stufenlos"}
_NO = {"nein", "n", "no", "0", "false", "falsch", "nicht vorhanden", "-", "keine", "kein"}
_PARTLY = {"teilweise", "teilw.", "teilw", "eingeschränkt", "eingeschraenkt", "limited",
           "bedingt", "mit hilfe", "teils"}
_UNKNOWN = {"unbekannt", "?", "k. a.", "k.a.", "ka", "keine angabe", "unknown", "n. b.", "n.b."}


def parse_yes_no(value: object, *, partly: bool = True) -> str:
    """Map the many spellings of yes/no/partly to ``ja``/``teilweise``/``nein``/``unbekannt``.

    Parameters
    ----------
    value
        Cell content (``"x"``, ``"1"``, ``"Ja"``, ``"eingeschränkt"``, …); empty is ``unbekannt``.
    partly
        Whether ``teilweise`` is allowed (not for ``aufsuchend``).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        With a German text if the value is none of these.
    """
    if is_blank(value):
        return "unbekannt"
    text = re.sub(r"\s+", " ", str(value).strip().lower())
    if text in _YES:
        return "ja"
    if text in _NO:
        return "nein"
    if text in _UNKNOWN:
        return "unbekannt"
    if partly and text in _PARTLY:
        return "teilweise"
    allowed = "ja, teilweise, nein oder unbekannt" if partly else "ja, nein oder unbekannt"
    raise ValueError(f"'{value}' wurde nicht erkannt (erlaubt: {allowed}).")


def parse_plz(value: object) -> str | None:
    """Check a German postcode (five digits; Excel's lost leading zero is restored).

    Raises
    ------
    ValueError
        With a German text if the value is no postcode.
    """
    if is_blank(value):
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4,5}(\.0)?", text):
        return text.split(".")[0].zfill(5)
    raise ValueError(f"'{text}' ist keine fünfstellige Postleitzahl.")


def is_blank(value: object) -> bool:
    """Whether a cell is empty (``None``, ``NA``, NaN or only whitespace)."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def normalize_key(value: object) -> str | None:
    """Normalise an area number or AGS so that a table's key matches the layer's key.

    Excel turns ``"05334002"`` into ``5334002`` and ``"101"`` into ``101.0``; users add spaces
    (``"05 334 002"``). Digits-only keys are therefore compared without leading zeros, other keys
    case-insensitively without surrounding whitespace.

    Returns
    -------
    str or None
        ``None`` for an empty cell.
    """
    if is_blank(value):
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    compact = re.sub(r"[\s\u00a0]", "", text)
    if compact.isdigit():
        return compact.lstrip("0") or "0"
    return re.sub(r"\s+", " ", text).casefold()


_THOUSANDS_ONLY = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


def parse_decimal_column(
    values: pd.Series,
    *,
    spalte: str,
    datei: str | Path | None = None,
) -> tuple[pd.Series, list[Problem]]:
    """Parse a whole column of numbers, deciding the meaning of ``"1.234"`` for the column.

    A single value ``"1.234"`` is ambiguous: 1.234 with a decimal point, or 1234 with a German
    thousands separator. Within one column it is not: if any value of the column has a decimal
    comma (``"7,1"``), points are thousands separators there. Otherwise the values are read with
    a decimal point, and a warning names the column when every dotted value looks like a
    thousands group, so the user can check.

    Returns
    -------
    tuple
        Float series and findings (errors for unparseable cells, at most one warning).
    """
    texts = values.astype("string").str.strip().str.replace("\u00a0", "", regex=False)
    has_comma = bool(texts.str.contains(r"^\s*[+-]?[\d.]*\d,\d+\s*$", regex=True, na=False).any())
    dotted = texts[texts.str.contains(".", regex=False, na=False)]
    thousands_like = len(dotted) > 0 and bool(dotted.str.match(_THOUSANDS_ONLY.pattern).all())
    if has_comma:
        texts = texts.where(~texts.str.match(_THOUSANDS_ONLY.pattern, na=False),
                            texts.str.replace(".", "", regex=False))
    parsed, problems = parse_decimal(texts, spalte=spalte, datei=datei)
    if thousands_like and not has_comma:
        example = str(dotted.iloc[0])
        problems.append(Problem(
            f"Die Zahlen der Spalte sehen aus wie mit Tausenderpunkt geschrieben ('{example}'); "
            f"sie wurden mit Dezimalpunkt gelesen ({parsed[dotted.index[0]]:g}).",
            "Speichern Sie die Tabelle ohne Tausendertrennzeichen, wenn ganze Zahlen gemeint sind.",
            datei=str(datei) if datei else None,
            spalte=spalte,
            schwere="warnung",
        ))
    return parsed, problems


def parse_dates(
    values: pd.Series,
    *,
    spalte: str,
    datei: str | Path | None = None,
    today: date | None = None,
    earliest: date | None = None,
    required: bool = True,
) -> tuple[pd.Series, list[Problem]]:
    """Parse dates as planners write them (``2024-03-05``, ``05.03.2024``, Excel date cells).

    Parameters
    ----------
    values
        Text values of one column (positions = data rows).
    spalte, datei
        For messages.
    today
        Dates after this day are refused (a report cannot come from the future); default today.
    earliest
        Dates before this day are refused (typing errors such as 1024 or 2204).
    required
        Whether an empty cell is an error.

    Returns
    -------
    tuple
        A series of ``datetime.date`` (``None`` where empty or wrong) and the problems found.
    """
    today = today or date.today()
    out: list[date | None] = []
    problems: list[Problem] = []
    where = str(datei) if datei else None
    for pos, value in enumerate(values.to_numpy()):
        parsed, problem = _checked_date(value, today=today, earliest=earliest, required=required)
        if problem is not None:
            problems.append(Problem(*problem, datei=where, zeile=pos + FIRST_DATA_ROW,
                                    spalte=spalte))
        out.append(parsed)
    return pd.Series(out, index=values.index, name=values.name, dtype=object), problems


def _checked_date(
    value: object, *, today: date, earliest: date | None, required: bool
) -> tuple[date | None, tuple[str, str] | None]:
    """One cell of :func:`parse_dates`: the date, or ``None`` and (message, fix)."""
    text = "" if value is None or value is pd.NA else str(value).strip()
    if text.lower() in ("", "nan", "nat"):
        if required:
            return None, ("Das Datum fehlt.",
                          "Tragen Sie das Datum der Meldung ein (z. B. 05.03.2024).")
        return None, None
    try:
        iso = parse_date(text)
        parsed: date | None = date.fromisoformat(iso) if iso else None
    except AmbiguousDateError as exc:
        return None, (str(exc), "Schreiben Sie das Datum als TT.MM.JJJJ (z. B. 03.05.2024) "
                      "oder JJJJ-MM-TT; bei Schrägstrichen ist die Reihenfolge unklar.")
    except ValueError:
        parsed = None
    if parsed is None:
        return None, (f"'{text}' ist kein gültiges Datum.",
                      "Schreiben Sie das Datum als TT.MM.JJJJ (05.03.2024) oder JJJJ-MM-TT.")
    if parsed > today:
        return None, (
            f"Das Datum {parsed:%d.%m.%Y} liegt in der Zukunft (heute ist {today:%d.%m.%Y}).",
            "Prüfen Sie Tag, Monat und Jahr; vertauschte Tages- und Monatsangaben sind "
            "eine häufige Ursache.",
        )
    if earliest is not None and parsed < earliest:
        return None, (
            f"Das Datum {parsed:%d.%m.%Y} liegt vor dem {earliest:%d.%m.%Y} und ist "
            "vermutlich ein Tippfehler.",
            "Prüfen Sie die Jahreszahl.",
        )
    return parsed, None
