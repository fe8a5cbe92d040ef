"""The question a planner asks a region: which offers, for whom, within how many minutes, when.

A :class:`Question` is frozen and built once (by the page's controls, a CLI command's options or
the Steckbrief's defaults) and then handed down unchanged to every analysis, the way r5py hands a
built ``TransportNetwork`` to ``TravelTimeMatrix``. Its :meth:`Question.key` is part of the key of
every cached answer (:mod:`planungsraeume.cache`), so two outputs that show the same question show
the same numbers.

The selection of offers is one of

* ``"beratung"`` – every advice offer (group "Beratung" of ``data/angebotstypen.toml``);
* ``"alle"`` – every offer, facilities included;
* ``"typ:EUTB"`` or ``"typ:EUTB,KoKoBe"`` – offers of one or more service types;

narrowed by accessibility features that must be "ja" (:data:`FEATURE_LABELS`) and, from the
command line, by further ``column=value`` filters. Only offers active on :attr:`Question.stichtag`
count (:func:`layers.angebote.gueltigkeit.active_services` is the one rule).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from analyses.network.profiles import (
    check_unknown_mode,
    default_unknown_mode,
    get_profile,
    load_profiles,
)
from analyses.network.search import check_minutes
from layers.angebote import ACCESS_COLUMNS
from layers.errors import AnalysisError

__all__ = [
    "ADVICE",
    "ALL",
    "DEFAULT_QUESTION",
    "FEATURE_LABELS",
    "MINUTES",
    "UNKNOWN_MODES",
    "Question",
    "profile_labels",
    "selection_options",
    "selection_text",
]

#: Minutes offered everywhere (the thresholds of the coverage tables).
MINUTES = (5, 10, 15, 20, 30)
#: Accessibility features a user can require of the offers (value "ja").
FEATURE_LABELS = {
    "stufenloser_zugang": "stufenloser Zugang",
    "rollstuhlgerechtes_wc": "rollstuhlgerechtes WC",
    "induktionsschleife": "Induktionsschleife",
    "gebaerdensprache": "Gebärdensprache",
    "leichte_sprache": "Leichte Sprache",
}
assert tuple(FEATURE_LABELS) == ACCESS_COLUMNS
#: German names of the two ways of treating unknown way attributes.
UNKNOWN_MODES = {
    "optimistisch": "optimistisch – fehlende Angaben gelten als passierbar",
    "pessimistisch": "vorsichtig – fehlende Angaben gelten als Hindernis oder Umweg",
}
ALL = "alle"
ADVICE = "beratung"
_TYPE_PREFIX = "typ:"

Filter = tuple[tuple[str, tuple[str, ...]], ...]


def _canonical(filter: Mapping[str, Any] | None) -> Filter:
    """A filter as a sorted tuple of ``(column, sorted values)`` (hashable, order-free)."""
    if not filter:
        return ()
    items = []
    for column, wanted in filter.items():
        values = [wanted] if isinstance(wanted, (str, int, float, bool)) else list(wanted)
        items.append((str(column), tuple(sorted(str(v).strip() for v in values))))
    return tuple(sorted(items))


def profile_labels() -> dict[str, str]:
    """German labels of the travel profiles from ``data/profile.toml`` (the only source)."""
    return {name: profile.bezeichnung for name, profile in load_profiles().items()}


@dataclass(frozen=True)
class Question:
    """One reachability question, checked on construction.

    Attributes
    ----------
    angebote
        ``"beratung"``, ``"alle"`` or ``"typ:<key>[,<key>…]"`` (see the module docstring).
    merkmale
        Accessibility features the offers must have (``stufenloser_zugang`` …, value "ja"),
        sorted.
    profil
        Travel profile key (``fuss``, ``senior``, ``rollator``, ``rollstuhl``).
    minuten
        Acceptable travel time (> 0).
    unbekannt
        ``optimistisch`` or ``pessimistisch`` treatment of unknown way attributes.
    stichtag
        The day whose active offers count; ``None`` means today (resolved when the question is
        asked, see :meth:`on`).
    weitere_filter
        Further ``(column, values)`` conditions on the offers (command line ``--filter``).

    Raises
    ------
    AnalysisError, ProfileError
        For an unknown selection, feature, profile, mode or a time that is not > 0.
    """

    angebote: str = ADVICE
    merkmale: tuple[str, ...] = ()
    profil: str = "rollstuhl"
    minuten: float = 15
    unbekannt: str = "optimistisch"
    stichtag: date | None = None
    weitere_filter: Filter = field(default=())

    def __post_init__(self) -> None:
        get_profile(self.profil)
        check_unknown_mode(self.unbekannt)
        minutes = check_minutes(self.minuten)[0]
        object.__setattr__(self, "minuten", int(minutes) if minutes.is_integer() else minutes)
        unknown = [m for m in self.merkmale if m not in FEATURE_LABELS]
        if unknown:
            raise AnalysisError(
                f"Unbekanntes Merkmal: {', '.join(unknown)}.",
                hinweis=f"Erlaubt sind: {', '.join(FEATURE_LABELS)}.",
            )
        object.__setattr__(self, "merkmale", tuple(sorted(set(self.merkmale))))
        object.__setattr__(self, "weitere_filter", _canonical(dict(self.weitere_filter)))
        if self.angebote not in (ADVICE, ALL) and not (
            self.angebote.startswith(_TYPE_PREFIX) and self.angebote[len(_TYPE_PREFIX):].strip()
        ):
            raise AnalysisError(
                f"Unbekannte Auswahl von Angeboten '{self.angebote}'.",
                hinweis="Erlaubt sind 'beratung', 'alle' oder 'typ:<Angebotstyp>'.",
            )

    @classmethod
    def make(
        cls,
        *,
        typ: str | Iterable[str] | None = None,
        filter: Mapping[str, Any] | None = None,
        profil: str = "rollstuhl",
        minuten: float = 15,
        unbekannt: str | None = None,
        stichtag: date | None = None,
    ) -> Question:
        """A question from command-line style arguments (a type or types and a filter).

        Features required as ``ja`` become :attr:`merkmale`; ``gruppe=Beratung`` without a type
        becomes the selection ``"beratung"``; everything else stays a further filter.
        """
        conditions = dict(_canonical(filter))
        features = tuple(c for c, v in conditions.items() if c in FEATURE_LABELS and v == ("ja",))
        for column in features:
            conditions.pop(column)
        types = [typ] if isinstance(typ, str) else sorted(typ or [])
        if types:
            selection = _TYPE_PREFIX + ",".join(types)
        elif conditions.get("gruppe") == ("Beratung",):
            conditions.pop("gruppe")
            selection = ADVICE
        else:
            selection = ALL
        return cls(angebote=selection, merkmale=features, profil=profil, minuten=minuten,
                   unbekannt=unbekannt or default_unknown_mode(), stichtag=stichtag,
                   weitere_filter=tuple(conditions.items()))

    @property
    def typen(self) -> tuple[str, ...] | None:
        """The service types of the selection (``None`` = not limited by type)."""
        if not self.angebote.startswith(_TYPE_PREFIX):
            return None
        return tuple(t.strip() for t in self.angebote[len(_TYPE_PREFIX):].split(",") if t.strip())

    @property
    def typ(self) -> str | None:
        """The one service type of the selection (``None`` if none or several)."""
        types = self.typen
        return types[0] if types and len(types) == 1 else None

    @property
    def filter(self) -> dict[str, list[str]]:
        """Column conditions on the offers: features = "ja", the advice group, further filters."""
        wanted: dict[str, list[str]] = {column: list(values) for column, values in self.weitere_filter}
        for feature in self.merkmale:
            wanted[feature] = ["ja"]
        if self.angebote == ADVICE:
            wanted["gruppe"] = ["Beratung"]
        return dict(sorted(wanted.items()))

    @property
    def tag(self) -> date:
        """The day whose offers count (today if not set)."""
        return self.stichtag or date.today()

    def on(self, day: date | None = None) -> Question:
        """The same question for a fixed day (default today): what caches key on."""
        return replace(self, stichtag=day or self.tag)

    def with_(self, **changes: Any) -> Question:
        """A copy with some fields changed (checked again)."""
        return replace(self, **changes)

    def key(self) -> tuple[Any, ...]:
        """A hashable, JSON-friendly key of everything the answer depends on (day resolved)."""
        return (self.angebote, self.merkmale, self.profil, float(self.minuten), self.unbekannt,
                self.tag.isoformat(), self.weitere_filter)

    def selection_label(self) -> str:
        """German name of the selected offers, e.g. "EUTB mit stufenlosem Zugang"."""
        if self.angebote == ADVICE:
            text = "Beratungsangebote"
        elif self.angebote == ALL:
            text = "alle Angebote"
        else:
            text = ", ".join(self.typen or ())
        if self.merkmale:
            text += " mit " + ", ".join(FEATURE_LABELS[m] for m in self.merkmale)
        if self.weitere_filter:
            text += " (" + "; ".join(f"{c} = {', '.join(v)}" for c, v in self.weitere_filter) + ")"
        return text

    def profile_label(self) -> str:
        """German label of the profile ("im Rollstuhl")."""
        return profile_labels().get(self.profil, self.profil)

    def minutes_label(self) -> str:
        """``"15 Min."`` (German decimal comma for fractions)."""
        return f"{self.minuten:g}".replace(".", ",") + " Min."

    def label(self) -> str:
        """German one-line description, e.g. "EUTB in 15 Min. im Rollstuhl (optimistisch)"."""
        mode = "vorsichtig" if self.unbekannt == "pessimistisch" else "optimistisch"
        return f"{self.selection_label()} in {self.minutes_label()} {self.profile_label()} ({mode})"


#: The reachability question of the profiles and the conference mode unless the user chose another
#: one: advice offers within 15 minutes in a wheelchair.
DEFAULT_QUESTION = Question()


def selection_options(types: Iterable[str]) -> list[str]:
    """The service selections offered: all advice offers, all offers, then each type present."""
    return [ADVICE, ALL, *(f"{_TYPE_PREFIX}{t}" for t in sorted(set(types)))]


def selection_text(option: str, type_labels: dict[str, str] | None = None) -> str:
    """German label of a selection option ("EUTB – Ergänzende unabhängige Teilhabeberatung")."""
    if option == ADVICE:
        return "Alle Beratungsangebote"
    if option == ALL:
        return "Alle Angebote (auch Einrichtungen)"
    typ = option[len(_TYPE_PREFIX):]
    label = (type_labels or {}).get(typ, typ)
    # Labels that already start with the key ("EUTB – Ergänzende …") are not repeated.
    if label == typ or label.startswith(typ):
        return label
    return f"{typ} – {label}"
