"""What the reachability views analyse: a service selection, a profile, minutes (no streamlit).

The Erreichbarkeit page sets the selection; the Karte (gap layer), the Planungsräume profile and
the Konferenzmodus (reachability figure) reuse it, so that the same words and the same numbers
appear everywhere. This module only translates the user's choices into the arguments of
:mod:`planungsraeume.erreichbarkeit`; it computes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from layers.angebote import ACCESS_COLUMNS

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
UNKNOWN_MODES = {
    "optimistisch": "optimistisch – fehlende Angaben gelten als passierbar",
    "pessimistisch": "vorsichtig – fehlende Angaben gelten als Hindernis oder Umweg",
}
ALL = "alle"
ADVICE = "beratung"


@dataclass(frozen=True)
class Reach:
    """One reachability question: which offers, for whom, within how many minutes.

    Attributes
    ----------
    angebote
        ``"beratung"`` (all advice offers), ``"alle"`` (every offer) or ``"typ:<key>"``.
    merkmale
        Accessibility features the offers must have (``stufenloser_zugang`` …, value "ja").
    profil
        Travel profile key (``fuss``, ``senior``, ``rollator``, ``rollstuhl``).
    minuten
        Acceptable travel time.
    unbekannt
        ``optimistisch`` or ``pessimistisch`` treatment of unknown way attributes.
    """

    angebote: str = ADVICE
    merkmale: tuple[str, ...] = ()
    profil: str = "rollstuhl"
    minuten: int = 15
    unbekannt: str = "optimistisch"

    @property
    def typ(self) -> str | None:
        """The service type for :mod:`planungsraeume.erreichbarkeit` (``None`` = not limited by type)."""
        return self.angebote.split(":", 1)[1] if self.angebote.startswith("typ:") else None

    @property
    def filter(self) -> dict[str, Any] | None:
        """The service filter for :mod:`planungsraeume.erreichbarkeit` (features = "ja", advice group)."""
        wanted: dict[str, Any] = {feature: "ja" for feature in sorted(self.merkmale)}
        if self.angebote == ADVICE:
            wanted["gruppe"] = "Beratung"
        return wanted or None

    def with_(self, **changes: Any) -> Reach:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def selection_label(self) -> str:
        """German name of the selected offers, e.g. "EUTB mit stufenlosem Zugang"."""
        if self.angebote == ADVICE:
            text = "Beratungsangebote"
        elif self.angebote == ALL:
            text = "alle Angebote"
        else:
            text = str(self.typ)
        if self.merkmale:
            text += " mit " + ", ".join(FEATURE_LABELS[m] for m in self.merkmale)
        return text

    def label(self, profile_labels: dict[str, str] | None = None) -> str:
        """German one-line description, e.g. "EUTB in 15 Min. im Rollstuhl (optimistisch)"."""
        profile = (profile_labels or {}).get(self.profil, self.profil)
        return (f"{self.selection_label()} in {self.minuten} Min. {profile} "
                f"({'vorsichtig' if self.unbekannt == 'pessimistisch' else 'optimistisch'})")

    def key(self) -> tuple[Any, ...]:
        """A hashable key for caches."""
        return (self.angebote, self.merkmale, self.profil, self.minuten, self.unbekannt)


def selection_options(types: Iterable[str]) -> list[str]:
    """The service selections offered: all advice offers, all offers, then each type present."""
    return [ADVICE, ALL, *(f"typ:{t}" for t in sorted(set(types)))]


def selection_text(option: str, type_labels: dict[str, str] | None = None) -> str:
    """German label of a selection option."""
    if option == ADVICE:
        return "Alle Beratungsangebote"
    if option == ALL:
        return "Alle Angebote (auch Einrichtungen)"
    typ = option.split(":", 1)[1]
    label = (type_labels or {}).get(typ, typ)
    return typ if label == typ else f"{typ} – {label}"
