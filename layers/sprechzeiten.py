"""Opening hours (Sprechzeiten) of offers: parsed into a weekly schedule, asked "open at …?".

Offers keep their hours as text in ``oeffnungszeiten``. Two spellings occur:

* the OpenStreetMap ``opening_hours`` syntax (``Mo-Fr 09:00-12:00; Sa 10:00-12:00``), parsed
  by the well-kept Rust library ``opening-hours-py`` (module :mod:`opening_hours`) with its full
  semantics (a later rule separated by ``;`` replaces earlier ones for the same day, ``,`` adds);
* common German free text as planners write it in their lists (``Mo–Fr 9–12 Uhr, Di 14–18 Uhr``,
  ``Montag bis Freitag 9.00 bis 12.30 Uhr``, ``Di, Do 14-17``, ``werktags 8-16 Uhr``): German day
  names and times are recognised by :func:`german_to_osm`, every rule is *added* to the others
  (German lists mean "and", never "instead"), and the result is handed to the same library, so
  both spellings have one semantics of time.

Phrases without a time ("nach Vereinbarung", "und nach telefonischer Absprache", "Feiertage
geschlossen") are reported as a note, never guessed into hours. Text that is neither gives a
German error per offer (:class:`Sprechzeiten` with ``fehler``); nothing is silently dropped.

A schedule is evaluated on a reference week without public holidays (:data:`REFERENCE_MONDAY`),
so "Tuesday 17:00" and "hours per week" mean a regular week. Times are minutes since Monday
00:00 (0 … 10 079).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from layers.errors import InputValidationError

__all__ = [
    "DAY_LABELS",
    "MINUTES_PER_WEEK",
    "REFERENCE_MONDAY",
    "Sprechzeiten",
    "free_slot",
    "german_to_osm",
    "hours_table",
    "moment_label",
    "open_at",
    "parse_hours",
    "parse_moment",
    "slot_label",
    "union_hours",
]

#: German day abbreviations, Monday first (the display form everywhere).
DAY_LABELS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
_OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MINUTES_PER_WEEK = 7 * 24 * 60
#: Monday of the reference week (no public holiday in it; the library gets no country anyway).
REFERENCE_MONDAY = datetime(2024, 1, 8)

_DAY_WORDS = {
    "montag": 0, "mo": 0, "mon": 0,
    "dienstag": 1, "di": 1, "die": 1, "tu": 1, "tue": 1,
    "mittwoch": 2, "mi": 2, "mit": 2, "we": 2, "wed": 2,
    "donnerstag": 3, "do": 3, "don": 3, "th": 3, "thu": 3,
    "freitag": 4, "fr": 4, "fri": 4,
    "samstag": 5, "sonnabend": 5, "sa": 5, "sam": 5, "sat": 5,
    "sonntag": 6, "so": 6, "son": 6, "su": 6, "sun": 6,
}
_GROUP_WORDS = {"werktags": (0, 4), "wochentags": (0, 4), "täglich": (0, 6), "taeglich": (0, 6)}
#: Phrases that state no hours; they become a note.
_NOTE_PATTERNS = (
    r"(und\s+|sowie\s+|oder\s+)?(nur\s+)?nach\s+(telefonischer\s+)?(vereinbarung|absprache)",
    r"(und\s+|sowie\s+)?termine?\s+nach\s+(vereinbarung|absprache)",
    r"(an\s+)?feiertag(en)?\s+geschlossen",
    r"(und\s+)?(nur\s+)?mit\s+termin",
    r"(und\s+)?offene\s+sprechstunde",
)
_DAY = r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|mon|die|mit|" \
       r"don|sam|son|mo|di|mi|do|fr|sa|so)\.?"
_TIME = r"\d{1,2}(?:[:.]\d{2})?(?:\s*h)?"
_SPAN = rf"{_TIME}\s*(?:-|bis)\s*{_TIME}"
_DAYS = rf"(?:{_DAY}|werktags|wochentags|t(?:ä|ae)glich)(?:\s*(?:-|bis|,|/|und|u\.|&)\s*{_DAY})*"
_RULE = re.compile(rf"(?P<days>{_DAYS})\s*:?\s*(?:von\s+)?(?P<spans>{_SPAN}(?:\s*(?:,|/|und|u\.|&|;)"
                   rf"\s*(?:von\s+)?{_SPAN})*)", re.IGNORECASE)


@dataclass(frozen=True)
class Sprechzeiten:
    """The parsed hours of one offer.

    Attributes
    ----------
    text
        What the offer states (stripped).
    osm
        The expression evaluated (OSM syntax), or ``None`` if nothing could be parsed.
    intervalle
        Open intervals of the reference week as ``(start, end)`` minutes since Monday 00:00,
        sorted and merged.
    hinweise
        German notes (phrases without hours that were not evaluated).
    fehler
        German reason why the text could not be read, or ``None``.
    """

    text: str
    osm: str | None = None
    intervalle: tuple[tuple[int, int], ...] = ()
    hinweise: tuple[str, ...] = field(default_factory=tuple)
    fehler: str | None = None

    @property
    def bekannt(self) -> bool:
        """Whether there is a readable schedule (an empty text is unknown, not closed)."""
        return self.osm is not None and self.fehler is None

    @property
    def stunden_je_woche(self) -> float:
        """Open hours in a regular week (0 for an unknown schedule)."""
        return sum(end - start for start, end in self.intervalle) / 60.0

    def offen(self, minute: int) -> bool:
        """Whether the offer is open at ``minute`` since Monday 00:00 (end exclusive)."""
        return any(start <= minute < end for start, end in self.intervalle)

    def tage(self) -> str:
        """A short German summary ("Mo 09:00–12:00, Di 09:00–12:00 und 14:00–18:00")."""
        parts = []
        for day in range(7):
            spans = [slot_label(s, e, with_day=False) for s, e in self.intervalle
                     if s // 1440 == day]
            if spans:
                parts.append(f"{DAY_LABELS[day]} " + " und ".join(spans))
        return ", ".join(parts)


def _hhmm(text: str) -> tuple[int, int]:
    clean = text.lower().replace("h", "").strip()
    hours, _, minutes = clean.replace(".", ":").partition(":")
    return int(hours), int(minutes or 0)


def _span(text: str) -> str | None:
    pieces = re.split(r"\s*(?:-|bis)\s*", text.strip(), maxsplit=1, flags=re.IGNORECASE)
    if len(pieces) != 2:
        return None
    (h1, m1), (h2, m2) = _hhmm(pieces[0]), _hhmm(pieces[1])
    if not (0 <= h1 <= 24 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60):
        return None
    return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"


def _day_token(word: str) -> int | None:
    return _DAY_WORDS.get(word.lower().rstrip("."))


def _days(text: str) -> list[int] | None:
    """Weekdays of a German day expression (ranges with '-'/'bis', lists with ','/'und')."""
    lowered = text.lower().strip()
    if lowered in _GROUP_WORDS or lowered.replace("ä", "ae") in _GROUP_WORDS:
        first, last = _GROUP_WORDS.get(lowered, _GROUP_WORDS.get(lowered.replace("ä", "ae"), (0, 0)))
        return list(range(first, last + 1))
    tokens = re.split(r"\s*(-|bis|,|/|und|u\.|&)\s*", lowered)
    days: list[int] = []
    pending_range = False
    for token in tokens:
        if not token:
            continue
        if token in ("-", "bis"):
            pending_range = True
            continue
        if token in (",", "/", "und", "u.", "&"):
            continue
        day = _day_token(token)
        if day is None:
            return None
        if pending_range and days:
            start = days[-1]
            days.extend(range(start + 1, day + 1) if day >= start else [])
            pending_range = False
        else:
            days.append(day)
    return sorted(set(days)) or None


def _osm_days(days: Sequence[int]) -> str:
    """``[0, 1, 2, 4]`` → ``"Mo-We,Fr"``."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(_OSM_DAYS[r[0]] if len(r) == 1 else f"{_OSM_DAYS[r[0]]}-{_OSM_DAYS[r[-1]]}"
                    for r in runs)


def german_to_osm(text: str) -> tuple[str | None, list[str], str]:
    """Translate German free text into an additive OSM expression.

    Returns
    -------
    tuple
        The OSM expression (``None`` if no rule was found), the German notes for phrases
        without hours, and what was left over (empty if the whole text was understood).
    """
    work = text.replace("–", "-").replace("—", "-").replace("‑", "-")
    notes = []
    for pattern in _NOTE_PATTERNS:
        for match in re.finditer(pattern, work, re.IGNORECASE):
            notes.append(f"„{match.group(0).strip()}“ nennt keine festen Zeiten und wurde nicht "
                         "ausgewertet.")
        work = re.sub(pattern, " ", work, flags=re.IGNORECASE)
    work = re.sub(r"\buhr\b", " ", work, flags=re.IGNORECASE)
    rules = []
    leftover = work
    for match in _RULE.finditer(work):
        days = _days(match.group("days"))
        spans = [_span(s) for s in re.split(r"\s*(?:,|/|und|u\.|&|;)\s*(?:von\s+)?",
                                            match.group("spans"), flags=re.IGNORECASE)]
        if days is None or not spans or any(s is None for s in spans):
            continue
        rules.append(f"{_osm_days(days)} {','.join(s for s in spans if s)}")
        leftover = leftover.replace(match.group(0), " ", 1)
    rest = re.sub(r"[\s,;./&:]+|\bund\b|\bsowie\b|\bvon\b", " ", leftover, flags=re.IGNORECASE)
    return (", ".join(rules) if rules else None), notes, rest.strip()


@lru_cache(maxsize=4096)
def _evaluate(expression: str) -> tuple[tuple[int, int], ...] | None:
    """Open intervals of the reference week by the library (``None`` if it cannot parse)."""
    import opening_hours

    try:
        schedule = opening_hours.OpeningHours(expression)
        found = list(schedule.intervals(REFERENCE_MONDAY, REFERENCE_MONDAY + timedelta(days=7)))
    except (SyntaxError, ValueError, getattr(opening_hours, "ParserError", SyntaxError)):
        return None
    spans = []
    for start, end, state, *_ in found:
        if state == opening_hours.State.OPEN and end is not None:
            a = int((start - REFERENCE_MONDAY).total_seconds() // 60)
            b = int((min(end, REFERENCE_MONDAY + timedelta(days=7)) - REFERENCE_MONDAY)
                    .total_seconds() // 60)
            if b > a:
                spans.append((max(0, a), min(MINUTES_PER_WEEK, b)))
    return _merge(spans)


def _merge(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)


def parse_hours(text: object) -> Sprechzeiten:
    """Parse the stated hours of one offer (OSM syntax first, then German free text).

    Parameters
    ----------
    text
        The ``oeffnungszeiten`` value (``None``/empty: unknown hours).

    Returns
    -------
    Sprechzeiten
        With ``fehler`` set (German) if the text is neither OSM syntax nor readable German.
    """
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return Sprechzeiten("")
    raw = " ".join(str(text).split())
    if not raw:
        return Sprechzeiten("")
    direct = _evaluate(raw)
    if direct is not None:
        return Sprechzeiten(raw, raw, direct)
    expression, notes, rest = german_to_osm(raw)
    if expression is None:
        reason = ("nennt keine festen Zeiten" if notes else
                  "ist weder im OSM-Format (z. B. „Mo-Fr 09:00-12:00“) noch als deutsche Angabe "
                  "(z. B. „Mo–Fr 9–12 Uhr, Di 14–18 Uhr“) lesbar")
        return Sprechzeiten(raw, hinweise=tuple(notes), fehler=f"„{raw}“ {reason}.")
    if rest:
        return Sprechzeiten(raw, hinweise=tuple(notes),
                            fehler=f"In „{raw}“ ist „{rest}“ nicht als Tag oder Uhrzeit lesbar.")
    spans = _evaluate(expression)
    if spans is None:
        return Sprechzeiten(raw, hinweise=tuple(notes),
                            fehler=f"„{raw}“ enthält unmögliche Uhrzeiten ({expression}).")
    return Sprechzeiten(raw, expression, spans, tuple(notes))


def parse_moment(text: str) -> int:
    """A moment of the week ("Di 17:00", "Dienstag 17 Uhr", "tu 17:30") in minutes since Monday.

    Raises
    ------
    InputValidationError
        If no weekday and time can be read (German message with an example).
    """
    match = re.fullmatch(r"\s*([A-Za-zÄÖÜäöü]+)\.?,?\s+(\d{1,2})(?:[:.](\d{2}))?\s*(?:uhr)?\s*",
                         str(text), re.IGNORECASE)
    day = _day_token(match.group(1)) if match else None
    if match is None or day is None:
        raise InputValidationError(
            f"Der Zeitpunkt „{text}“ ist nicht lesbar.",
            hinweis="Geben Sie Wochentag und Uhrzeit an, z. B. „Di 17:00“ oder „Dienstag 17 Uhr“.",
        )
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 23 or minutes > 59:
        raise InputValidationError(
            f"Die Uhrzeit in „{text}“ gibt es nicht.",
            hinweis="Stunden 0–23, Minuten 0–59, z. B. „Di 17:00“.",
        )
    return day * 1440 + hours * 60 + minutes


def moment_label(minute: int) -> str:
    """``1 * 1440 + 1020`` → ``"Di 17:00"`` (the canonical form of a moment)."""
    day, rest = divmod(int(minute) % MINUTES_PER_WEEK, 1440)
    return f"{DAY_LABELS[day]} {rest // 60:02d}:{rest % 60:02d}"


def slot_label(start: int, end: int, *, with_day: bool = True) -> str:
    """``(1*1440+840, 1*1440+960)`` → ``"Di 14:00–16:00"``."""
    begin = moment_label(start)
    finish = "24:00" if end % 1440 == 0 and end > start else moment_label(end).split(" ")[1]
    return begin + f"–{finish}" if with_day else begin.split(" ")[1] + f"–{finish}"


def open_at(hours: Sequence[Sprechzeiten], minute: int, *, unbekannt_offen: bool) -> np.ndarray:
    """Per offer whether it is open at ``minute`` (unknown or unreadable hours by the flag)."""
    return np.array([h.offen(minute) if h.bekannt else unbekannt_offen for h in hours], dtype=bool)


def union_hours(hours: Iterable[Sprechzeiten]) -> float:
    """Hours per week in which at least one of the offers is open."""
    return sum(e - s for s, e in _merge(span for h in hours for span in h.intervalle)) / 60.0


def hours_table(offers: pd.DataFrame, column: str = "oeffnungszeiten") -> pd.DataFrame:
    """Parse the hours of every offer: one row per offer, in order.

    Returns
    -------
    pandas.DataFrame
        ``angebot_id``, ``name``, ``oeffnungszeiten`` (the text), ``status`` (``gelesen``,
        ``keine Angabe``, ``nicht lesbar``), ``osm`` (the evaluated expression), ``stunden_je_woche``,
        ``wochenplan`` (German summary), ``hinweis`` (the error or the notes); ``attrs["zeiten"]``
        holds the :class:`Sprechzeiten` objects in row order.
    """
    values = offers[column] if column in offers.columns else pd.Series([None] * len(offers))
    parsed = [parse_hours(v) for v in values]
    status = ["gelesen" if p.bekannt else ("keine Angabe" if not p.text else "nicht lesbar")
              for p in parsed]
    table = pd.DataFrame({
        "angebot_id": offers["angebot_id"].astype(str).to_numpy(),
        "name": offers["name"].astype(str).to_numpy() if "name" in offers.columns else "",
        "oeffnungszeiten": [p.text for p in parsed],
        "status": status,
        "osm": [p.osm or "" for p in parsed],
        "stunden_je_woche": [round(p.stunden_je_woche, 2) for p in parsed],
        "wochenplan": [p.tage() for p in parsed],
        "hinweis": [p.fehler or " ".join(p.hinweise) for p in parsed],
    })
    table.attrs["zeiten"] = parsed
    return table


def free_slot(
    hours: Sprechzeiten,
    length_min: int,
    *,
    busy: Iterable[tuple[int, int]] = (),
    preferred_days: Sequence[int] = (1, 2, 3, 0, 4, 5, 6),
) -> tuple[int, int] | None:
    """The first weekly slot of ``length_min`` inside the host's open hours, avoiding ``busy``.

    Days are tried in ``preferred_days`` order (Tuesday to Thursday first, then Monday and
    Friday); within a day the earliest start on the full or half hour wins.

    Returns
    -------
    tuple of int or None
        ``(start, end)`` minutes since Monday, or ``None`` if the host has no such window.
    """
    taken = _merge(busy)
    for day in preferred_days:
        for start, end in hours.intervalle:
            if start // 1440 != day:
                continue
            candidate = start + (-start) % 30
            while candidate + length_min <= end:
                stop = candidate + length_min
                if not any(a < stop and candidate < b for a, b in taken):
                    return candidate, stop
                candidate += 30
    return None
