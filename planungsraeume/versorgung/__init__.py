"""Supply of a region for a question: 2SFCA, what-if scenarios and location suggestions.

* :mod:`~planungsraeume.versorgung.zugang` – 2SFCA / E2SFCA per cell and planning area, with the
  one capacity rule;
* :mod:`~planungsraeume.versorgung.szenarien` – a scenario's coverage and 2SFCA before and after;
* :mod:`~planungsraeume.versorgung.standorte` – k additional offers (MCLP or p-median);
* :mod:`~planungsraeume.versorgung.netz` – the network hooks the pure modules take.

Every function takes a :class:`~planungsraeume.region.Region` and a
:class:`~planungsraeume.frage.Question` and is cached in the one cache.
"""

from planungsraeume.versorgung.netz import DEMAND_LABELS, check_types
from planungsraeume.versorgung.standorte import LocationPlan, plan_locations, suggest_sites
from planungsraeume.versorgung.szenarien import compare_on_network, scenario_types
from planungsraeume.versorgung.zugang import (
    CAPACITY_SOURCE_LABELS,
    AreaAccessibility,
    accessibility,
    capacity_table,
)

__all__ = [
    "CAPACITY_SOURCE_LABELS",
    "DEMAND_LABELS",
    "AreaAccessibility",
    "LocationPlan",
    "accessibility",
    "capacity_table",
    "check_types",
    "compare_on_network",
    "plan_locations",
    "scenario_types",
    "suggest_sites",
]
