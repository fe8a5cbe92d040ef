"""Indicators per planning area, each against the region.

:func:`compute_indicators` returns ONE tidy table (one row per planning area and indicator)
that the app's profile page, the conference mode and the PDF report show directly:

==============  ==========================================================================
column          meaning
==============  ==========================================================================
pr_id, name     the planning area
bereich         Bevölkerung, Angebote, Barrierefreiheit, Erreichbarkeit, Eigene Kennzahlen
kennzahl        stable machine key (``anteil_65_plus``, ``angebote_EUTB_je_10000``)
bezeichnung     German label ("Anteil 65 Jahre und älter")
einheit         "Personen", "%", "je 10.000 Einw.", "Anzahl", "Einw. je km²"
art             ``anzahl`` (a count), ``anteil`` (a share in %), ``rate`` (per population
                or area)
wert            the area's value
zaehler,        the counts behind a share or rate (``wert = zaehler / nenner`` scaled), so
nenner          that no figure is a black box
wert_region     the comparison value: for shares and rates the value of the whole region
                (sum of numerators / sum of denominators, never a mean of ratios); for counts
                the average per planning area
region_bezug    what ``wert_region`` is ("Regionswert" or "Durchschnitt je Planungsraum");
                the region's own figure – its total for counts – is :func:`region_figures`
differenz       ``wert - wert_region``
verhaeltnis     ``wert / wert_region`` (NaN where the region value is 0)
==============  ==========================================================================

Inputs:

* **Population** either as grid cells (the ``bevoelkerung`` layer; each cell is assigned to the
  area containing its centroid) or as a table per area (e.g. official statistics joined with
  :mod:`layers.planungsraeume.tabellen`), with ``einwohner`` and any of the standard age groups.
* **Services**: the ``angebote`` layer; only offers valid on ``stichtag`` count (retired ones
  do not); counted per type and per 10,000 inhabitants; barrier-free shares from the five
  accessibility fields (``ja`` counts as barrier-free; ``teilweise``/``nein``/``unbekannt`` do
  not, and the share of ``unbekannt`` is reported too).
* **Reachability coverage** (from the reachability analyses of ``analyses/``): one or more
  tables per area in the form described at :func:`coverage_indicators`, or computed from a
  per-cell result with :func:`coverage_from_cells`.
* **User indicators**: the long table ``nutzer_kennzahlen`` (from imported spreadsheets).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from planungsraeume.cache import cached
from planungsraeume.frage import Question
from planungsraeume.indikatoren.abdeckung import (
    coverage_from_area_coverage,
    coverage_from_cells,
    coverage_indicators,
    reachability_coverage,
)
from planungsraeume.indikatoren.ansichten import german_columns, indicators_wide, region_summary
from planungsraeume.indikatoren.gruppen import (
    assign_to_areas,
    compute_indicators,
    population_basis,
    population_by_area,
    population_indicators,
    service_indicators,
    user_indicators,
)
from planungsraeume.indikatoren.tabelle import (
    ACCESS_LABELS,
    AGE_GROUPS,
    AREA_MEAN,
    GERMAN_COLUMNS,
    LONG_COLUMNS,
    OWN_INDICATORS,
    PER,
    REGION_TOTAL,
    REGION_VALUE,
    SIMILAR_WITHIN,
    comparison_word,
    count_rates,
    region_figures,
)
from planungsraeume.region import OUTSIDE_ID, Region

__all__ = [
    "ACCESS_LABELS",
    "AGE_GROUPS",
    "AREA_MEAN",
    "GERMAN_COLUMNS",
    "LONG_COLUMNS",
    "OWN_INDICATORS",
    "PER",
    "REGION_TOTAL",
    "REGION_VALUE",
    "SIMILAR_WITHIN",
    "assign_to_areas",
    "comparison_word",
    "compute_indicators",
    "count_rates",
    "coverage_from_area_coverage",
    "coverage_from_cells",
    "coverage_indicators",
    "german_columns",
    "indicators",
    "indicators_wide",
    "population_basis",
    "population_by_area",
    "population_indicators",
    "reachability_coverage",
    "region_figures",
    "region_summary",
    "service_indicators",
    "user_indicators",
    "year_day",
]


@cached("kennzahlen", disk=False)
def indicators(region: Region, frage: Question | None = None, *,
               stichtag: date | None = None, jahr: int | None = None) -> pd.DataFrame:
    """:func:`compute_indicators` for a region: its inhabitants per area (the one cell→area
    rule), its active offers on the day, its own indicators and, with a question, the
    reachability coverage of that question.

    Parameters
    ----------
    region
        The region.
    frage
        Add the reachability coverage of this question (bereich "Erreichbarkeit"); ``None``:
        without reachability (cheap). Its day is the day of the offers as well.
    stichtag
        Day of the offers without a question (default today, or 31 December of ``jahr``).
    jahr
        The year of the figures: inhabitants of that year
        (:meth:`~planungsraeume.region.Region.population_by_area`), offers active on
        ``stichtag`` or else on 31 December of that year (today for the current year and
        later; :meth:`~planungsraeume.region.Region.offers`, the one active-offer rule), own
        indicators of that year. Default: the population's own year and today's offers.

    Returns
    -------
    pandas.DataFrame
        The long table of :func:`compute_indicators` (every row with its ``jahr``);
        ``attrs["einwohner_ohne_planungsraum"]`` holds the inhabitants of cells outside every
        area.

    Raises
    ------
    AnalysisError
        For a year before every year with inhabitants.
    """
    from layers.planungsraeume.tabellen import USER_INDICATOR_TABLE

    day = frage.tag if frage is not None else (stichtag or year_day(jahr))
    areas = region.areas()
    population = region.population_by_area(jahr) if region.has_population() else None
    outside = 0.0
    if population is not None:
        jahr = population.attrs.get("jahr", jahr)  # the figures' own year (carried forward)
        outside = float(population.loc[population["pr_id"] == OUTSIDE_ID, "einwohner"].sum())
        population = population[population["pr_id"] != OUTSIDE_ID]
    coverage = (reachability_coverage(region, frage)
                if frage is not None and region.has_population() and region.has_network() else None)
    own = region.layer(USER_INDICATOR_TABLE) if region.has_layer(USER_INDICATOR_TABLE) else None
    modelled = region.meta().get("bevoelkerung_quelle", "") == "modelliert"
    result = compute_indicators(areas, population=population, services=region.offers(day),
                                coverage=coverage, eigene=own, stichtag=day, jahr=jahr,
                                grundlage="modelliert" if modelled else "")
    result.attrs["einwohner_ohne_planungsraum"] = outside
    return result


def year_day(jahr: int | None) -> date:
    """The day whose offers stand for a year: 31 December, today for this year and later."""
    today = date.today()
    return today if jahr is None or int(jahr) >= today.year else date(int(jahr), 12, 31)
