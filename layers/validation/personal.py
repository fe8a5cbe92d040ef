"""Personal data in import files: identifying columns and person keys that are no pseudonyms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from layers.errors import PersonalDataError, Problem
from layers.validation.columns import column_key
from layers.validation.problems import FIRST_DATA_ROW
from layers.validation.text import strip_invisible

__all__ = [
    "PERSONAL_COLUMN_PATTERNS",
    "check_personal_columns",
    "check_pseudonym_values",
    "normalize_person_key",
    "normalize_person_keys",
]


# Column names that identify a person directly. Their presence makes an import file unacceptable
# for case-derived data (SGB X, Art. 9 GDPR): the store must never hold them.
PERSONAL_COLUMN_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^(vor|nach|familien|ruf)?name(n)?$", "Name"),
    (r"^(vorname|nachname|familienname|klient(in)?|person(en)?name)$", "Name"),
    (r"geburts(datum|tag|jahr)|^geb\.?(datum)?$|birth", "Geburtsdatum"),
    (r"^(telefon|tel|handy|mobil|e-?mail|mail)$", "Kontaktdaten"),
    (r"versicherten|sozialversicherungs|steuer-?id|aktenzeichen|fallnummer_klar", "Kennnummer"),
    (r"^(wohn)?(adresse|anschrift)(_person|_klient(in)?)?$|^wohnort$|^privatadresse$", "Wohnadresse"),
    # Health data (Art. 9 GDPR): diagnoses, insurance, care level, disability degree, medication.
    (r"diagnos|^icd\d*(code|schluessel|schlüssel)?$|krankenkasse|krankenversicher|^kasse$"
     r"|pflegegrad|pflegestufe|^kv(nr|nummer)$|^gdb$|gradderbehinderung|medikament|medikation"
     r"|behinderungsgrad", "Gesundheitsdaten"),
)


def check_personal_columns(
    columns: Iterable[str],
    *,
    datei: str | Path | None = None,
    erlaubt: Iterable[str] = (),
) -> None:
    """Refuse a table that carries directly identifying personal data.

    Parameters
    ----------
    columns
        Column names of the input.
    datei
        For the message.
    erlaubt
        Column names that are legitimate in this kind of table although they look personal, e.g.
        ``"Name"`` and ``"Telefon"`` of an advice office in a service directory (compared
        case-insensitively, ignoring spaces, hyphens and underscores).

    Raises
    ------
    PersonalDataError
        Naming every offending column and what it looks like.
    """
    allowed = {column_key(c) for c in erlaubt}
    found: list[Problem] = []
    for column in columns:
        if column_key(column) in allowed:
            continue
        key = str(column).strip().lower().replace(" ", "_").replace("-", "_")
        for pattern, label in PERSONAL_COLUMN_PATTERNS:
            if re.search(pattern, key.replace("_", "") if label != "Name" else key):
                found.append(
                    Problem(
                        f"Die Spalte enthält personenbezogene Daten ({label}).",
                        "Entfernen Sie die Spalte vor dem Import; nur ein pseudonymer "
                        "Personenschlüssel ist erlaubt.",
                        datei=str(datei) if datei else None,
                        spalte=str(column),
                    )
                )
                break
    if found:
        raise PersonalDataError(
            "Die Datei enthält Spalten mit direkt personenbezogenen Daten und wird nicht importiert.",
            hinweis="Sozial- und Gesundheitsdaten dürfen nur pseudonymisiert gespeichert werden "
            "(SGB X, Art. 9 DSGVO). Entfernen Sie die genannten Spalten.",
            datei=datei,
            probleme=found,
        )


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)
_DATE_LIKE = re.compile(r"^\d{1,2}\.\d{1,2}\.(\d{2}|\d{4})$|^\d{4}-\d{2}-\d{2}$")
_NAME_LIKE = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]+(-[A-ZÄÖÜ][a-zäöüß]+)?,?\s+[A-ZÄÖÜ][a-zäöüß]+")


def check_pseudonym_values(
    values: pd.Series, *, spalte: str, datei: str | Path | None = None
) -> list[Problem]:
    """Find person keys that are not pseudonyms but names, e-mail addresses or birth dates.

    Parameters
    ----------
    values
        The person-key column (positions = data rows).
    spalte, datei
        For messages.

    Returns
    -------
    list of Problem
        One per suspicious or missing key.
    """
    problems: list[Problem] = []
    for pos, value in enumerate(values.to_numpy()):
        zeile = pos + FIRST_DATA_ROW
        text = "" if value is None or value is pd.NA else str(value).strip()
        if not text:
            problems.append(
                Problem(
                    "Der pseudonyme Personenschlüssel fehlt.",
                    "Ohne Schlüssel können Personen nicht von Nennungen unterschieden werden; "
                    "tragen Sie den Schlüssel aus der Fallakte ein.",
                    datei=str(datei) if datei else None, zeile=zeile, spalte=spalte,
                )
            )
            continue
        reason = None
        if _EMAIL.search(text):
            reason = "eine E-Mail-Adresse"
        elif _DATE_LIKE.match(text):
            reason = "ein Datum (Geburtsdatum?)"
        elif _NAME_LIKE.match(text) or _looks_like_name(text):
            reason = "ein Personenname"
        if reason:
            problems.append(
                Problem(
                    f"Der Personenschlüssel sieht aus wie {reason}, nicht wie ein Pseudonym.",
                    "Verwenden Sie nur den pseudonymen Schlüssel (z. B. P-4711-AC), nie Namen, "
                    "Geburtsdaten oder Kontaktdaten.",
                    datei=str(datei) if datei else None, zeile=zeile, spalte=spalte,
                )
            )
    return problems


# --------------------------------------------------------------------------------------------
# Point coordinates in planners' tables (candidate lists, scenario edits)


_TITLES = {"dr", "prof", "herr", "frau", "hr", "fr", "dipl", "ing", "med", "mag"}
_WORD = re.compile(r"^[^\W\d_]+(?:[-'’.][^\W\d_]*)*\.?$")


def _looks_like_name(text: str) -> bool:
    """Two or more words of letters only (``müller, hans``, ``Dr. Hans Müller``), or a title.

    Pseudonyms contain digits or are one code word (``P-4711-AC``, ``XK7Q``); names are words
    separated by spaces or a comma, in any capitalisation.
    """
    light = re.sub(r"\s+", " ", strip_invisible(unicodedata.normalize("NFKC", text))).casefold()
    words = [w for w in re.split(r"[,;\s]+", light) if w]
    if not words:
        return False
    if words[0].rstrip(".") in _TITLES and len(words) > 1:
        return True
    return len(words) >= 2 and all(_WORD.match(w) for w in words)


# --------------------------------------------------------------------------------------------
# One spelling per person before anything is counted or hashed (issue #10)
# --------------------------------------------------------------------------------------------

# Characters without a visible glyph that survive NFKC: zero-width space/joiners, word joiner,
# soft hyphen, byte-order mark, bidirectional marks and the invisible operators.
_INVISIBLE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufe00-\ufe0f]"
)
# All kinds of dashes and minus signs become the ASCII hyphen-minus.
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACE = re.compile(r"\s+")


def normalize_person_key(value: object) -> str | None:
    """The canonical spelling of a pseudonymous person key.

    ``P-7F3A21``, ``p-7f3a21``, ``P-7F3A21`` with a zero-width space and a full-width
    ``Ｐ－７Ｆ３Ａ２１`` are one person. Steps: Unicode NFKC, invisible format characters removed,
    every dash becomes ``-``, whitespace removed, case folded and upper-cased.

    Returns
    -------
    str or None
        ``None`` for an empty key (``None``, NaN, only blanks or invisible characters).

    Examples
    --------
    >>> normalize_person_key(" p-7f3a21 ") == normalize_person_key("P-7F3A21\\u200b")
    True
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if np.isnan(value):
            return None
        if value.is_integer():
            value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    text = _INVISIBLE.sub("", text)
    text = _DASHES.sub("-", text)
    text = _SPACE.sub("", text)
    return text.casefold().upper() or None


def normalize_person_keys(values: pd.Series) -> pd.Series:
    """:func:`normalize_person_key` for a whole column (each distinct spelling once)."""
    raw = pd.Series(values, copy=False)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = np.array([normalize_person_key(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=raw.index, dtype=object)
