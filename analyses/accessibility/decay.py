"""Distance-decay weights of the floating catchment methods (:class:`DistanceDecay`).

``"keine"`` (classic 2SFCA, ``W = 1`` up to ``t0``), ``"stufen"`` (enhanced 2SFCA, Luo & Qi 2009:
three equal time zones with weights 1.00, 0.68, 0.22, or given steps) and ``"gauss"`` (Dai 2010:
``W(t) = (exp(-½ (t/t0)²) − exp(-½)) / (1 − exp(-½))`` below ``t0``, else 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from layers.errors import AnalysisError

__all__ = [
    "DECAY_KINDS",
    "DECAY_LABELS",
    "LUO_QI_STEP_WEIGHTS",
    "DecayKind",
    "DistanceDecay",
    "as_decay",
    "decay",
]

DecayKind = Literal["keine", "stufen", "gauss"]
DECAY_KINDS: tuple[str, ...] = ("keine", "stufen", "gauss")
DECAY_LABELS = {
    "keine": "ohne Distanzabnahme (klassisches 2SFCA)",
    "stufen": "stufenweise Distanzabnahme (E2SFCA nach Luo & Qi 2009)",
    "gauss": "Gauß-Distanzabnahme (nach Dai 2010)",
}
# Luo & Qi (2009): weights of the three travel-time zones of the enhanced 2SFCA.
LUO_QI_STEP_WEIGHTS = (1.0, 0.68, 0.22)

_GAUSS_EDGE = math.exp(-0.5)


@dataclass(frozen=True)
class DistanceDecay:
    """A distance-decay weight ``W(minutes)`` for the floating catchment methods.

    Parameters
    ----------
    kind
        ``"keine"``, ``"stufen"`` or ``"gauss"`` (see the module docstring).
    max_minutes
        The catchment's time limit ``t0``; ``W = 0`` beyond it.
    steps
        Only for ``"stufen"``: ``(upper_minutes, weight)`` pairs in increasing order; default: the
        Luo & Qi zones ``(t0/3, 1.0), (2·t0/3, 0.68), (t0, 0.22)``.

    Notes
    -----
    Calling the object works on scalars (as ``access`` calls it, row by row) and on arrays.
    """

    kind: str
    max_minutes: float
    steps: tuple[tuple[float, float], ...] = field(default=())

    def __post_init__(self) -> None:
        """Check kind, time limit and steps; fill in the Luo & Qi steps for ``"stufen"``."""
        if self.kind not in DECAY_KINDS:
            raise AnalysisError(
                f"Die Distanzabnahme '{self.kind}' ist unbekannt.",
                hinweis=f"Erlaubt sind: {', '.join(DECAY_KINDS)}.",
            )
        if not (np.isfinite(self.max_minutes) and self.max_minutes > 0):
            raise AnalysisError(
                f"Die Zeitgrenze muss größer als 0 Minuten sein (angegeben: {self.max_minutes}).",
                hinweis="Geben Sie eine Zeitgrenze wie 15 (Minuten) an.",
            )
        if self.kind == "stufen":
            steps = self.steps or tuple(
                (self.max_minutes * (k + 1) / 3.0, w) for k, w in enumerate(LUO_QI_STEP_WEIGHTS)
            )
            bounds = [b for b, _ in steps]
            weights = [w for _, w in steps]
            if any(b2 <= b1 for b1, b2 in zip(bounds, bounds[1:], strict=False)) or bounds[0] <= 0:
                raise AnalysisError(
                    "Die Stufen der Distanzabnahme müssen mit steigenden Minuten angegeben werden.",
                    hinweis="Beispiel: (5, 1.0), (10, 0.68), (15, 0.22).",
                )
            if any(not 0 <= w <= 1 for w in weights):
                raise AnalysisError(
                    "Die Gewichte der Distanzabnahme müssen zwischen 0 und 1 liegen.",
                    hinweis="Beispiel: (5, 1.0), (10, 0.68), (15, 0.22).",
                )
            object.__setattr__(self, "steps", tuple((float(b), float(w)) for b, w in steps))

    @property
    def label(self) -> str:
        """German description for reports."""
        return DECAY_LABELS[self.kind]

    def _scalar(self, minutes: float) -> float:
        if not minutes <= self.max_minutes:  # also False for NaN
            return 0.0
        if self.kind == "keine":
            return 1.0
        if self.kind == "gauss":
            ratio = minutes / self.max_minutes
            return max(0.0, (math.exp(-0.5 * ratio * ratio) - _GAUSS_EDGE) / (1.0 - _GAUSS_EDGE))
        for bound, weight in self.steps:
            if minutes <= bound:
                return weight
        return 0.0

    def __call__(self, minutes: float | np.ndarray) -> float | np.ndarray:
        """Weight of a travel time (scalar) or of an array of travel times."""
        if np.ndim(minutes) == 0:
            return self._scalar(float(minutes))
        values = np.asarray(minutes, dtype=float)
        inside = values <= self.max_minutes
        if self.kind == "keine":
            return inside.astype(float)
        if self.kind == "gauss":
            ratio = values / self.max_minutes
            weight = (np.exp(-0.5 * ratio * ratio) - _GAUSS_EDGE) / (1.0 - _GAUSS_EDGE)
            return np.where(inside, np.clip(weight, 0.0, 1.0), 0.0)
        out = np.zeros(values.shape)
        assigned = np.zeros(values.shape, dtype=bool)
        for bound, step_weight in self.steps:
            hit = inside & ~assigned & (values <= bound)
            out[hit] = step_weight
            assigned |= hit
        return out


def decay(kind: str, max_minutes: float, steps: Sequence[tuple[float, float]] = ()) -> DistanceDecay:
    """Build a :class:`DistanceDecay` (convenience for callers and the CLI)."""
    return DistanceDecay(kind, float(max_minutes), tuple((float(b), float(w)) for b, w in steps))


def as_decay(kind: str | DistanceDecay, max_minutes: float) -> DistanceDecay:
    """Return the decay for the time limit (a given :class:`DistanceDecay` must have that limit).

    Raises
    ------
    AnalysisError
        Unknown kind, or a decay built for another time limit.
    """
    if isinstance(kind, DistanceDecay):
        if not math.isclose(kind.max_minutes, max_minutes):
            raise AnalysisError(
                f"Die Distanzabnahme gilt für {kind.max_minutes} Minuten, die Zeitgrenze ist "
                f"{max_minutes} Minuten.",
                hinweis="Verwenden Sie für beides dieselbe Zeitgrenze.",
            )
        return kind
    return DistanceDecay(str(kind), float(max_minutes))
