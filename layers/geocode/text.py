"""Address text: normalised street names and house numbers, and free-text addresses split.

Used by the address index (:mod:`layers.geocode.index`) and wherever street names are compared
(barrier reports, the privacy index).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from layers.validation import is_blank

__all__ = [
    "housenumber_fallbacks",
    "normalize_housenumber",
    "normalize_street",
    "single_letter_umlauts",
    "split_address",
    "squash",
]


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalize_street(name: object) -> str:
    """Normalise a street name for comparison.

    ``"Jülicher Str."``, ``"Juelicher Strasse"`` and ``"jülicher straße"`` all become
    ``"juelicherstrasse"``; ``"St.-Jöris-Str"`` becomes ``"sanktjoerisstrasse"``.
    """
    if is_blank(name):
        return ""
    return _normalize_street_text(str(name))


@lru_cache(maxsize=1 << 16)
def _normalize_street_text(name: str) -> str:
    text = name.strip().lower().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"(?<![a-z])st\.\s*-?\s*", "sankt ", text)
    text = re.sub(r"str(?:\.|(?![a-z]))", "strasse", text)
    text = re.sub(r"(?<=[a-z])pl(?:\.|(?![a-z]))", "platz", text)
    text = re.sub(r"(?<![a-z])pl\.", "platz", text)
    return re.sub(r"[^a-z0-9]", "", text)


def normalize_housenumber(number: object) -> str:
    """Normalise a house number: ``"12 A"`` → ``"12a"``, ``"12 - 14"`` → ``"12-14"``."""
    if is_blank(number):
        return ""
    return _normalize_housenumber_text(str(number))


@lru_cache(maxsize=1 << 16)
def _normalize_housenumber_text(number: str) -> str:
    text = number.strip().lower()
    if re.fullmatch(r"\d+\.0", text):  # Excel turned the number into a float
        text = text[:-2]
    text = re.sub(r"\s*([-/,;+])\s*", r"\1", text)
    text = text.replace(";", ",").replace("+", ",")
    return re.sub(r"\s+", "", text)


def housenumber_fallbacks(number: str) -> list[str]:
    """Weaker forms of a normalised house number: ``12a`` → ``12``; ``12-14`` → ``12``, ``14``."""
    out: list[str] = []
    parts = re.split(r"[-,/]", number) if re.search(r"[-,/]", number) else [number]
    for part in parts:
        base = re.match(r"\d+", part)
        for candidate in (part, base.group(0) if base else ""):
            if candidate and candidate != number and candidate not in out:
                out.append(candidate)
    return out


_ADDRESS_TEXT = re.compile(
    r"^\s*(?P<strasse>.*?[^\d\s,])\s*,?\s+(?P<hnr>\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)"
    r"\s*(?:,\s*(?P<plz>\d{5})?\s*(?P<ort>[^\d,].*?)?)?\s*$"
)


def split_address(text: object) -> tuple[str | None, str | None, str | None, str | None]:
    """Split ``"Römerstr. 5a, 52064 Aachen"`` into street, house number, postcode and place.

    Returns
    -------
    tuple
        ``(strasse, hausnummer, plz, ort)``; parts that are absent are ``None``. Text without a
        house number is returned as the street.
    """
    if is_blank(text):
        return None, None, None, None
    raw = str(text).strip()
    match = _ADDRESS_TEXT.match(raw)
    if not match:
        return raw.rstrip(","), None, None, None
    plz = match.group("plz")
    ort = match.group("ort")
    return (
        match.group("strasse").strip().rstrip(","),
        re.sub(r"\s+", "", match.group("hnr")),
        plz,
        ort.strip() if ort else None,
    )


_ONE_LETTER = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "Ä": "a", "Ö": "o", "Ü": "u"})


def single_letter_umlauts(name: str) -> str:
    """Normalised street name with umlauts as single letters (``Lützowstr.`` → ``lutzowstrasse``)."""
    return normalize_street(str(name).translate(_ONE_LETTER))


def squash(key: str) -> str:
    """Comparison form for fuzzy matching: doubled letters collapsed (``ss`` from ``ß`` too).

    Umlaut spellings are deliberately not collapsed: "Roens" must not equal "Rons".
    """
    return re.sub(r"(.)\1+", r"\1", key)
