"""Supply–demand accessibility: two-step floating catchment area (2SFCA) and enhanced 2SFCA.

Coverage ("is there an offer within 15 minutes?") ignores how much an offer can carry. The
floating catchment methods weigh supply (here: advice hours per week, ``kapazitaet_std_woche``)
against the demand that competes for it (inhabitants, or inhabitants aged 65+):

1. For every offer *j*: ``R_j = S_j / Σ_i P_i · W(t_ij)`` over the origins *i* that reach *j*
   within the time limit ``t0`` (its catchment). ``R_j`` is the supply per person of the offer.
2. For every origin *i*: ``A_i = Σ_j R_j · W(t_ij)`` over the offers it reaches within ``t0``.
   ``A_i`` is the supply per person available at *i* (we also give it per 1,000 persons: "Beratungs-
   stunden je Woche je 1.000 Einwohner").

``W`` is the distance-decay weight (see :class:`DistanceDecay`):

* ``"keine"``: classic 2SFCA (Luo & Wang 2003): ``W = 1`` up to ``t0``.
* ``"stufen"``: enhanced 2SFCA (Luo & Qi 2009): the catchment is split into three equal time zones
  with weights 1.00, 0.68 and 0.22 (the published weights for 0–10, 10–20, 20–30 min, scaled to
  ``t0``); other steps can be given.
* ``"gauss"``: Gaussian-based 2SFCA (Dai 2010): ``W(t) = (exp(-½ (t/t0)²) − exp(-½)) /
  (1 − exp(-½))`` for ``t < t0``, else 0, so that ``W(0) = 1`` and ``W(t0) = 0`` (no jump at the
  catchment edge).

The computation is done by PySAL ``access`` (``Access.two_stage_fca`` for the classic method,
``Access.enhanced_two_stage_fca`` with our weight function for the others); it runs with pandas 3
and numpy 2 (``access`` 1.1.10 only emits pandas-4 deprecation warnings, silenced here). This
module prepares and validates the inputs and makes two decisions ``access`` leaves open:

* An offer whose catchment holds no demand (nobody, or only zero-demand cells, reach it) has an
  undefined ratio ``S/0``; it is left out of step 2 and flagged ``ohne_nachfrage`` in
  :func:`service_ratios`, instead of giving its reachers an infinite value.
* An origin that reaches no offer gets ``A_i = 0`` (it is in the output, not dropped).

Missing capacities get a documented default (:func:`capacity_supply`) and are flagged.

Modules: :mod:`~analyses.accessibility.decay` (weights), :mod:`~analyses.accessibility.supply`
(capacities), :mod:`~analyses.accessibility.fca` (the two steps),
:mod:`~analyses.accessibility.aggregate` (means per planning area). Every public name is
importable from the package.
"""

from analyses.accessibility.aggregate import aggregate_by_area
from analyses.accessibility.decay import (
    DECAY_KINDS,
    DECAY_LABELS,
    LUO_QI_STEP_WEIGHTS,
    DecayKind,
    DistanceDecay,
    decay,
)
from analyses.accessibility.fca import (
    DESTINATION,
    ENGINES,
    MINUTES,
    ORIGIN,
    enhanced_two_step_fca,
    service_ratios,
    two_step_fca,
)
from analyses.accessibility.supply import (
    CAPACITY_COLUMN,
    DEFAULT_CAPACITY_HOURS,
    capacity_supply,
)

__all__ = [
    "CAPACITY_COLUMN",
    "DECAY_KINDS",
    "DECAY_LABELS",
    "DEFAULT_CAPACITY_HOURS",
    "DESTINATION",
    "ENGINES",
    "LUO_QI_STEP_WEIGHTS",
    "MINUTES",
    "ORIGIN",
    "DecayKind",
    "DistanceDecay",
    "aggregate_by_area",
    "capacity_supply",
    "decay",
    "enhanced_two_step_fca",
    "service_ratios",
    "two_step_fca",
]
