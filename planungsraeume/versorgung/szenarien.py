"""What-if scenarios of a region: coverage and 2SFCA before and after, on the network.

"Before" are the region's active offers on the question's day (:meth:`Region.offers`), "after"
the same offers with the scenario's edits applied (:func:`analyses.scenarios.apply_edits`); both
are narrowed by the question's selection, and a new or moved offer's capacity
(``kapazitaet_std_woche``, e.g. a file's "Wochenstunden") reaches the 2SFCA "after".
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd

from analyses.scenarios import ScenarioComparison, compare_scenario
from layers.errors import AnalysisError
from layers.szenarien import ScenarioEdit
from planungsraeume.cache import cached
from planungsraeume.frage import Question
from planungsraeume.region import OUTSIDE_ID, Region
from planungsraeume.versorgung.netz import (
    check_types,
    coverage_function,
    travel_time_function,
)

__all__ = ["compare_on_network", "scenario_types"]


def scenario_types(services: gpd.GeoDataFrame, edits: Sequence[ScenarioEdit]) -> list[str]:
    """The service types a scenario touches (new offers' types, types of moved/closed offers)."""
    found: list[str] = []
    ids = services["angebot_id"].astype(str)
    for edit in edits:
        if edit.aktion == "neu" and edit.typ:
            found.append(str(edit.typ))
        elif edit.angebot_id is not None:
            hit = services.loc[(ids == str(edit.angebot_id)).to_numpy(), "typ"]
            found.extend(str(t) for t in hit)
    return list(dict.fromkeys(found))


@cached("szenario_vergleich", disk=False)
def compare_on_network(
    region: Region,
    frage: Question,
    edits: Sequence[ScenarioEdit],
    *,
    decay: str = "keine",
    with_accessibility: bool = True,
) -> ScenarioComparison:
    """A scenario's coverage (and 2SFCA) before and after, on the question's network.

    Parameters
    ----------
    region, frage
        The region and the question: profile, minutes (coverage limit and 2SFCA catchment),
        selection of offers and day. A question without types compares the types the scenario
        touches.
    edits
        The scenario's edits.
    decay
        Distance decay of the 2SFCA.
    with_accessibility
        Also compute the 2SFCA before and after.

    Returns
    -------
    analyses.scenarios.ScenarioComparison
        Covered population per planning area (cells outside every area: ``"ohne"``), cells for
        the map, 2SFCA means per area.
    """
    offers = region.offers(frage.tag)
    kinds = list(frage.typen) if frage.typen else scenario_types(offers, edits)
    if not kinds:
        raise AnalysisError(
            "Das Szenario enthält keine Änderung, aus der sich ein Angebotstyp ergibt.",
            hinweis="Fügen Sie eine Änderung hinzu oder wählen Sie den Angebotstyp aus.",
        )
    check_types(kinds)
    frage = frage.with_(angebote="typ:" + ",".join(sorted(kinds)))
    area_ids = list(region.areas()["pr_id"].astype(str))
    cell_areas = region.cell_areas()
    if (cell_areas == OUTSIDE_ID).any():
        area_ids.append(OUTSIDE_ID)
    return compare_scenario(
        offers, edits, region.cells(), cell_areas, coverage_function(region, frage),
        types=kinds, area_ids=area_ids,
        travel_times=travel_time_function(region, frage) if with_accessibility else None,
        max_minutes=float(frage.minuten), decay=decay,
    )
