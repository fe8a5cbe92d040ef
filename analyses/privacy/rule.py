"""The disclosure rule: minimum of distinct persons, perturbation, rounding, internal mode."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from analyses.grid import RESOLUTIONS
from analyses.privacy.ptable import PerturbationTable
from layers import settings
from layers.errors import PrivacyError
from layers.log import get_logger

__all__ = [
    "INTERNAL_MIN_PERSONS_FLOOR",
    "MISSING_LABEL",
    "PUBLIC_FUZZ",
    "PUBLIC_MAX_DEVIATION",
    "PUBLIC_MIN_PERSONS_FLOOR",
    "PUBLIC_VARIANCE",
    "PUBLISHED_MARK",
    "DisclosureRule",
]

log = get_logger("privacy")

#: Absolute lower bounds the configuration cannot go below.
PUBLIC_MIN_PERSONS_FLOOR = 5
INTERNAL_MIN_PERSONS_FLOOR = 3
#: The public perturbation: largest change before rounding (D) and its variance (V).
PUBLIC_MAX_DEVIATION = 5
PUBLIC_VARIANCE = 2.0
#: The public fuzzy threshold: counts k … k+T−1 are published for a growing share of cell keys.
PUBLIC_FUZZ = 2
PUBLISHED_MARK = "sozialraum_geheimhaltung"
MISSING_LABEL = "keine Angabe"
_MIN_REASON_WORDS = 4
_MIN_REASON_CHARS = 20


@lru_cache(maxsize=16)
def _table(k: int, deviation: int, variance: float, base: int, fuzz: int) -> PerturbationTable:
    return PerturbationTable(k, deviation, variance, base, fuzz)


def _check_internal_request(begruendung: str, angefordert_von: str) -> None:
    words = re.findall(r"[^\W\d_]{2,}", begruendung)
    if len(begruendung.strip()) < _MIN_REASON_CHARS or len(words) < _MIN_REASON_WORDS:
        raise PrivacyError(
            "Der interne Modus braucht eine Begründung von mindestens einem Satz "
            f"(mindestens {_MIN_REASON_WORDS} Wörter), z. B. „Fallkonferenz Burtscheid am "
            "12.05.: Abstimmung der Hilfen für drei Familien“.",
            hinweis="Geben Sie an, wofür genaue kleine Zahlen nötig sind.",
        )
    if len(re.findall(r"[^\W\d_]", angefordert_von)) < 3:
        raise PrivacyError(
            "Der interne Modus braucht den Namen der Person, die ihn anfordert.",
            hinweis="Geben Sie Vor- und Nachnamen an (CLI: --angefordert-von \"Vorname Name\").",
        )


@dataclass(frozen=True)
class DisclosureRule:
    """A disclosure-control rule. Make one with :meth:`oeffentlich` or :meth:`intern`.

    Attributes
    ----------
    min_personen
        ``k``: values resting on fewer distinct persons are not published.
    rundungsbasis
        Perturbed counts are rounded to a multiple of this.
    modus
        ``"öffentlich"`` or ``"intern"``.
    gitter
        Grid resolutions published.
    max_abweichung, varianz
        ``D`` and ``V`` of the perturbation table (0 = exact counts, internal mode only).
    unschaerfe
        ``T``: fuzzy threshold (counts ``k … k+T−1`` are published for a growing share of cell
        keys; 0 = a sharp threshold).
    begruendung, angefordert_von
        Why the internal mode is used and who asked for it (both required for it; recorded on
        every output and for the audit table).
    """

    min_personen: int
    rundungsbasis: int
    modus: str = "öffentlich"
    gitter: tuple[int, ...] = RESOLUTIONS
    max_abweichung: int = PUBLIC_MAX_DEVIATION
    varianz: float = PUBLIC_VARIANCE
    unschaerfe: int = PUBLIC_FUZZ
    begruendung: str = ""
    angefordert_von: str = ""

    def __post_init__(self) -> None:
        if self.modus not in ("öffentlich", "intern"):
            raise PrivacyError(f"Unbekannter Geheimhaltungsmodus '{self.modus}'.",
                               hinweis="Erlaubt sind 'öffentlich' und 'intern'.")
        floor = PUBLIC_MIN_PERSONS_FLOOR if self.modus == "öffentlich" else INTERNAL_MIN_PERSONS_FLOOR
        if self.min_personen < floor:
            raise PrivacyError(
                f"Die Mindestzahl von {self.min_personen} Personen ist für den Modus "
                f"'{self.modus}' zu klein (mindestens {floor}).",
                hinweis="Setzen Sie settings.privacy_min_persons auf 5 oder mehr; kleinere Werte "
                "sind nur intern (mindestens 3) zulässig.",
            )
        if self.rundungsbasis < 1:
            raise PrivacyError("Die Rundungsbasis muss mindestens 1 sein.",
                               hinweis="Setzen Sie settings.privacy_rounding_base auf z. B. 5.")
        if self.modus == "öffentlich":
            if self.rundungsbasis < 2:
                raise PrivacyError("Öffentliche Werte müssen gerundet werden (Basis mindestens 2).",
                                   hinweis="Setzen Sie settings.privacy_rounding_base auf z. B. 5.")
            if self.max_abweichung < 2 or self.varianz < 1.0:
                raise PrivacyError("Öffentliche Werte müssen überlagert werden (D ≥ 2, V ≥ 1).")
        else:
            _check_internal_request(self.begruendung, self.angefordert_von)
        if not self.gitter or any(r not in RESOLUTIONS for r in self.gitter):
            raise PrivacyError(f"Unbekannte Gitterweiten {self.gitter}.",
                               hinweis="Erlaubt sind 100, 250, 500 und 1000 m.")

    @classmethod
    def oeffentlich(cls, gitter: Sequence[int] = RESOLUTIONS) -> DisclosureRule:
        """The public rule from :mod:`layers.settings` (default: 5 persons, rounding to 5)."""
        return cls(
            min_personen=int(settings.privacy_min_persons),
            rundungsbasis=int(settings.privacy_rounding_base),
            modus="öffentlich",
            gitter=tuple(sorted(int(r) for r in gitter)),
        )

    @classmethod
    def intern(
        cls,
        *,
        begruendung: str,
        angefordert_von: str,
        min_personen: int = INTERNAL_MIN_PERSONS_FLOOR,
        rundungsbasis: int = 1,
        gitter: Sequence[int] = RESOLUTIONS,
    ) -> DisclosureRule:
        """The internal rule for case management staff: exact counts from 3 persons, labelled.

        Parameters
        ----------
        begruendung
            Why exact small counts are needed: at least a sentence (4 words, 20 characters).
        angefordert_von
            Name of the person asking.
        min_personen
            At least 3.
        rundungsbasis
            1 = exact counts.
        gitter
            Grid resolutions.
        """
        rule = cls(min_personen=min_personen, rundungsbasis=rundungsbasis, modus="intern",
                   gitter=tuple(sorted(int(r) for r in gitter)), max_abweichung=0, varianz=0.0,
                   unschaerfe=0,
                   begruendung=begruendung.strip(), angefordert_von=angefordert_von.strip())
        log.warning("Interner Geheimhaltungsmodus angefordert von %s: %s", rule.angefordert_von,
                    rule.begruendung)
        return rule

    @property
    def ist_intern(self) -> bool:
        """Whether this is the internal mode."""
        return self.modus == "intern"

    @property
    def tabelle(self) -> PerturbationTable:
        """The perturbation table of this rule (built once per parameter set)."""
        return _table(self.min_personen, self.max_abweichung, self.varianz, self.rundungsbasis,
                      self.unschaerfe)

    @property
    def kennzeichnung(self) -> str:
        """The label every output carries."""
        if self.ist_intern:
            return (f"INTERN – nicht zur Veröffentlichung (mind. {self.min_personen} Personen je "
                    f"Wert, genaue Zahlen; angefordert von {self.angefordert_von}; Grund: "
                    f"{self.begruendung})")
        return (f"öffentlich: mind. {self.min_personen} Personen je Wert, Cell-Key-Überlagerung "
                f"(höchstens ±{self.tabelle.max_total_change}), gerundet auf {self.rundungsbasis}")

    def runden(self, values: Any) -> np.ndarray:
        """Round counts to the rule's base (half up); never below the base for non-zero counts.

        Only a helper for figures derived from published values; published counts themselves
        come from the perturbation table (:attr:`tabelle`), which rounds after perturbing.
        """
        array = np.asarray(values, dtype=float)
        base = self.rundungsbasis
        rounded = np.floor(array / base + 0.5) * base
        return np.where(array > 0, np.maximum(rounded, base), 0).astype(np.int64)

    def audit_eintrag(self) -> dict[str, str]:
        """What the audit table records about this rule (mode, reason, requester, label)."""
        return {"modus": self.modus, "begruendung": self.begruendung,
                "angefordert_von": self.angefordert_von, "regel": self.kennzeichnung}

    def beschreibung(self) -> str:
        """The rule in German for the app page and reports (Markdown)."""
        from analyses.privacy.texts import rule_text

        return rule_text(self)
