"""Disclosure control for barrier reports: the ONE gate between raw reports and any output.

Barrier reports are case-derived health and social data (§ 35 SGB I, § 67 SGB X, Art. 9 GDPR).
Every map layer, table, raster, export and report that touches them is built from a
:class:`Publication` of a :class:`Release`; nothing else aggregates them.

The method is the cell-key method of Zensus 2022 (see :mod:`analyses.privacy.ptable`):

1. Person keys are normalised (case, whitespace, Unicode NFKC, invisible characters) before
   anything is counted; persons, not reports, are counted.
2. A value resting on fewer than ``k`` distinct persons (``settings.privacy_min_persons``, 5) is
   not published; a zero is not published either, so empty and suppressed look alike. Tables
   have fixed rows (areas, the release's years) or list only published cells (grid, streets,
   codes).
3. Every other value is the true count changed by the documented perturbation table, indexed
   by the cell key (sum of the persons' fixed, salted record keys), and then rounded to
   ``settings.privacy_rounding_base``. The same persons give the same value in every table,
   every filter and every release; report counts get their own keys the same way.
4. Ranks, top codes and sort orders use published values only (ties by code).
5. No point data: there is no function that returns report locations; density surfaces and
   Gi* are computed from published cell values only (:mod:`analyses.hotspots`).

:func:`publish_release` prepares all fixed choices (all, each ICF chapter, each impairment group,
each ICF code; all years and each year) of one set of reports; :func:`publish` gives the same
values for one filter. The texts for users are in :mod:`analyses.privacy.texts`.

An internal mode (:meth:`DisclosureRule.intern`, minimum 3 persons, exact counts) exists for
case management staff; it needs a reason of at least a sentence and the name of the person
asking, both carried by every output made under it.
"""

from analyses.privacy.filters import ART_CHOICES, BarrierFilter, choice_filter, choice_of_filter
from analyses.privacy.index import SNAP_TO_STREET_M
from analyses.privacy.ptable import KEY_RANGE, PerturbationTable, record_keys
from analyses.privacy.publication import Publication, require_published
from analyses.privacy.release import (
    DEFAULT_SALT,
    Release,
    default_choices,
    publish,
    publish_release,
)
from analyses.privacy.rule import (
    INTERNAL_MIN_PERSONS_FLOOR,
    MISSING_LABEL,
    PUBLIC_MIN_PERSONS_FLOOR,
    PUBLISHED_MARK,
    DisclosureRule,
)
from analyses.privacy.tables import empirical_bayes_rates
from analyses.privacy.texts import erklaerung, garantie, leichte_sprache, nicht_abgedeckt

__all__ = [
    "ART_CHOICES",
    "DEFAULT_SALT",
    "INTERNAL_MIN_PERSONS_FLOOR",
    "KEY_RANGE",
    "MISSING_LABEL",
    "PUBLIC_MIN_PERSONS_FLOOR",
    "PUBLISHED_MARK",
    "SNAP_TO_STREET_M",
    "BarrierFilter",
    "DisclosureRule",
    "PerturbationTable",
    "Publication",
    "Release",
    "choice_filter",
    "choice_of_filter",
    "default_choices",
    "empirical_bayes_rates",
    "erklaerung",
    "garantie",
    "leichte_sprache",
    "nicht_abgedeckt",
    "publish",
    "publish_release",
    "record_keys",
    "require_published",
]
