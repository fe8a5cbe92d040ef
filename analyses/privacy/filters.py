"""Which reports a publication counts: free filters and the fixed choices of a release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from layers.errors import AnalysisError, PrivacyError

__all__ = ["ART_CHOICES", "BarrierFilter", "choice_filter", "choice_of_filter"]

ART_CHOICES = ("barrieren", "foerderfaktoren", "alle")


@dataclass(frozen=True)
class BarrierFilter:
    """Which reports a publication counts.

    Attributes
    ----------
    kapitel
        ICF chapters (``"e1"`` … ``"e5"``); empty = all.
    codes
        ICF codes (``"e150"``); empty = all.
    art
        ``"barrieren"`` (qualifiers .1–.4, .8), ``"foerderfaktoren"`` (+1–+4, +8) or ``"alle"``.
    min_schweregrad
        Only barriers at least this severe (1–4; excludes .8 and facilitators).
    beeintraechtigung
        Impairment groups; empty = all.
    von, bis
        Time window (inclusive).
    """

    kapitel: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    art: str = "barrieren"
    min_schweregrad: int | None = None
    beeintraechtigung: tuple[str, ...] = ()
    von: date | None = None
    bis: date | None = None

    def __post_init__(self) -> None:
        if self.art not in ART_CHOICES:
            raise AnalysisError(f"Unbekannte Art '{self.art}'.",
                                hinweis="Erlaubt: barrieren, foerderfaktoren, alle.")
        if self.min_schweregrad is not None and not 1 <= self.min_schweregrad <= 4:
            raise AnalysisError("Der Mindestschweregrad muss zwischen 1 und 4 liegen.")
        if self.von and self.bis and self.von > self.bis:
            raise AnalysisError("Der Zeitraum endet vor seinem Beginn.",
                                hinweis="Tauschen Sie 'von' und 'bis'.")

    def mask(self, reports: pd.DataFrame) -> np.ndarray:
        """Boolean array: which rows of ``reports`` the filter keeps."""
        keep = np.ones(len(reports), dtype=bool)
        qualifier = reports["qualifikator"].astype(str)
        if self.art == "barrieren":
            keep &= qualifier.str.startswith(".").to_numpy() & ~qualifier.isin(
                [".0", ".9"]).to_numpy()
        elif self.art == "foerderfaktoren":
            keep &= qualifier.str.startswith("+").to_numpy() & ~qualifier.eq("+0").to_numpy()
        else:
            keep &= ~qualifier.isin([".0", "+0", ".9"]).to_numpy()
        if self.min_schweregrad is not None:
            severity = pd.to_numeric(reports["schweregrad"], errors="coerce").to_numpy()
            keep &= np.nan_to_num(severity, nan=0) >= self.min_schweregrad
        if self.kapitel:
            keep &= reports["icf_kapitel"].isin(self.kapitel).to_numpy()
        if self.codes:
            keep &= reports["icf_code"].isin(self.codes).to_numpy()
        if self.beeintraechtigung:
            keep &= reports["beeintraechtigung"].isin(self.beeintraechtigung).to_numpy()
        if self.von or self.bis:
            days = pd.to_datetime(reports["datum"], errors="coerce")
            if self.von:
                keep &= (days >= pd.Timestamp(self.von)).fillna(False).to_numpy(dtype=bool)
            if self.bis:
                keep &= (days <= pd.Timestamp(self.bis)).fillna(False).to_numpy(dtype=bool)
        return keep

    def apply(self, reports: pd.DataFrame) -> pd.DataFrame:
        """Return the matching reports (a new frame; raw data, for the gate only)."""
        return reports[self.mask(reports)]

    def beschreibung(self) -> str:
        """German one-line description for captions and file metadata."""
        parts = {"barrieren": "Barrieren", "foerderfaktoren": "Förderfaktoren",
                 "alle": "Barrieren und Förderfaktoren"}[self.art]
        extra = []
        if self.min_schweregrad:
            extra.append(f"Schweregrad ab .{self.min_schweregrad}")
        if self.kapitel:
            extra.append("ICF-Kapitel " + ", ".join(self.kapitel))
        if self.codes:
            extra.append("ICF-Codes " + ", ".join(self.codes))
        if self.beeintraechtigung:
            extra.append("Gruppe " + ", ".join(self.beeintraechtigung))
        if self.von or self.bis:
            von = f"{self.von:%d.%m.%Y}" if self.von else "Beginn"
            bis = f"{self.bis:%d.%m.%Y}" if self.bis else "heute"
            extra.append(f"Zeitraum {von}–{bis}")
        return parts + (" (" + "; ".join(extra) + ")" if extra else "")


def choice_filter(auswahl: str, jahr: int | None = None) -> BarrierFilter:
    """The filter of a fixed choice (``"alle"``, ``"kapitel:e1"``, ``"gruppe:Mobilität"``,
    ``"code:e150"``), optionally limited to one calendar year."""
    window: dict[str, date] = {}
    if jahr is not None:
        window = {"von": date(int(jahr), 1, 1), "bis": date(int(jahr), 12, 31)}
    kind, _, value = auswahl.partition(":")
    if kind == "alle" and not value:
        return BarrierFilter(**window)  # type: ignore[arg-type]
    if kind == "kapitel" and value:
        return BarrierFilter(kapitel=(value,), **window)  # type: ignore[arg-type]
    if kind == "gruppe" and value:
        return BarrierFilter(beeintraechtigung=(value,), **window)  # type: ignore[arg-type]
    if kind == "code" and value:
        return BarrierFilter(codes=(value,), **window)  # type: ignore[arg-type]
    raise PrivacyError(f"Unbekannte Auswahl '{auswahl}'.",
                       hinweis="Erlaubt: alle, kapitel:e1, gruppe:Mobilität, code:e150.")


def choice_of_filter(barrier_filter: BarrierFilter) -> tuple[str, int | None] | None:
    """The fixed choice and year a filter stands for, or ``None`` for a free combination."""
    f = barrier_filter
    if f.art != "barrieren" or f.min_schweregrad is not None:
        return None
    jahr: int | None = None
    if f.von or f.bis:
        if not (f.von and f.bis and f.von.year == f.bis.year and (f.von.month, f.von.day) == (1, 1)
                and (f.bis.month, f.bis.day) == (12, 31)):
            return None
        jahr = f.von.year
    given = [(k, v) for k, v in (("kapitel", f.kapitel), ("code", f.codes),
                                 ("gruppe", f.beeintraechtigung)) if v]
    if not given:
        return "alle", jahr
    if len(given) == 1 and len(given[0][1]) == 1:
        return f"{given[0][0]}:{given[0][1][0]}", jahr
    return None
