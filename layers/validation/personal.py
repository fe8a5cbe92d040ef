"""Person keys: one spelling per person before anything is counted or hashed.

Case management systems and spreadsheets write the same pseudonym in several ways:
``P-7F3A21``, ``p-7f3a21``, ``P-7F3A21`` with a zero-width space copied from a web form, a
full-width ``Ｐ－７Ｆ３Ａ２１`` from a Japanese input method, a non-breaking space in the middle.
Counted as they are, one person becomes three, which also inflates the minimum-persons rule of
the disclosure control. :func:`normalize_person_key` maps all of them to one key.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["normalize_person_key", "normalize_person_keys"]

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

    Steps: Unicode NFKC (full-width and compatibility forms become their plain form), invisible
    format characters removed, every dash becomes ``-``, whitespace removed entirely (a key has
    no meaningful spaces), case folded (``ß`` → ``ss``) and the result upper-cased.

    Parameters
    ----------
    value
        The key as read from a file (any type; numbers are keys too).

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
    text = text.casefold().upper()
    return text or None


def normalize_person_keys(values: pd.Series) -> pd.Series:
    """:func:`normalize_person_key` for a whole column (object dtype, ``None`` for empty keys).

    Distinct raw spellings are normalised once each, so a column of 100,000 keys of 30,000
    persons costs 30,000 calls.
    """
    raw = pd.Series(values, copy=False)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = np.array([normalize_person_key(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=raw.index, dtype=object)
