"""The network hooks of the pure supply modules, bound to a region and a question.

The pure building blocks (:mod:`analyses.accessibility`, :mod:`analyses.scenarios`,
:mod:`analyses.location`) take travel times through small function hooks. This module supplies
their network versions from the region's graph and snapped cells
(:meth:`planungsraeume.region.Region.graph`, :meth:`~planungsraeume.region.Region.snapped_cells`)
for the profile of a question. A cell farther than the snap limit from the network ("nicht
angebunden") is never covered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import geopandas as gpd
import pandas as pd

from analyses.location import dense_minutes
from analyses.network.search import STATUS_REACHABLE, nearest_service, travel_time_matrix
from analyses.scenarios import CoverageFunction, TravelTimeFunction
from layers.angebote import service_type_keys
from layers.errors import AnalysisError
from planungsraeume.frage import Question
from planungsraeume.region import Region

__all__ = [
    "DEMAND_LABELS",
    "TravelMatrixFunction",
    "check_demand",
    "check_types",
    "coverage_function",
    "matching",
    "travel_matrix_function",
    "travel_time_function",
]

#: Whose demand a supply analysis counts, in German.
DEMAND_LABELS = {"einwohner": "Einwohner", "alter_65_plus": "Einwohner ab 65 Jahren"}

TravelMatrixFunction = Callable[[gpd.GeoDataFrame, str], pd.DataFrame]
"""Takes points (candidate sites or offers) and the name of their id column; returns travel
minutes as a DataFrame with one row per population cell (in the order of
:meth:`planungsraeume.region.Region.cells`) and one column per point id, ``inf`` where a cell
cannot reach a point."""


def check_demand(nachfrage: str) -> str:
    """The demand column, checked.

    Raises
    ------
    AnalysisError
        For anything but ``einwohner`` or ``alter_65_plus``.
    """
    if nachfrage not in DEMAND_LABELS:
        raise AnalysisError(f"Unbekannte Nachfrage '{nachfrage}'.",
                            hinweis=f"Erlaubt sind: {', '.join(DEMAND_LABELS)}.")
    return nachfrage


def check_types(types: Sequence[str] | None) -> list[str]:
    """Service types, each checked against the vocabulary (German error naming unknown ones).

    Raises
    ------
    AnalysisError
        For no type or an unknown one.
    """
    if not types:
        raise AnalysisError("Es ist kein Angebotstyp gewählt.",
                            hinweis="Wählen Sie mindestens einen Angebotstyp, z. B. EUTB.")
    known = set(service_type_keys())
    unknown = [t for t in types if t not in known]
    if unknown:
        raise AnalysisError(
            f"Unbekannter Angebotstyp: {', '.join(unknown)}.",
            hinweis=f"Bekannt sind: {', '.join(sorted(known))}.",
        )
    return list(types)


def matching(offers: gpd.GeoDataFrame, frage: Question) -> gpd.GeoDataFrame:
    """The offers of a (scenario's) offer set that the question selects; may be empty.

    The same conditions as :meth:`planungsraeume.region.Region.selected_offers` (types and
    column filter of the question), for offer sets that are not the region's own (a scenario's
    "after"). Unlike that method, an empty result is allowed here: a scenario may close the
    last offer.
    """
    mask = pd.Series(True, index=offers.index)
    if frage.typen is not None:
        mask &= offers["typ"].astype("string").isin(list(frage.typen)).fillna(False)
    for column, values in frage.filter.items():
        if column not in offers.columns:
            raise AnalysisError(
                f"Den Angeboten fehlt die Spalte '{column}', nach der gefiltert werden soll.",
                hinweis=f"Vorhandene Spalten: {', '.join(map(str, offers.columns))}.",
            )
        mask &= offers[column].astype("string").str.strip().isin(values).fillna(False)
    return offers[mask.to_numpy(dtype=bool)]


def coverage_function(region: Region, frage: Question) -> CoverageFunction:
    """Network coverage for :func:`analyses.scenarios.compare_scenario`.

    The returned function takes offers and returns, per populated cell, whether the nearest of
    them that the question selects is reachable within its minutes on its profile's network.
    """
    graph = region.graph(frage.profil, frage.unbekannt)
    snapped = region.snapped_cells(frage.profil, frage.unbekannt)
    index = region.cells().index
    limit = float(frage.minuten)

    def coverage(services: gpd.GeoDataFrame) -> pd.Series:
        chosen = matching(services, frage)
        if len(chosen) == 0:
            return pd.Series(False, index=index)
        travel = nearest_service(graph, snapped, chosen)
        reached = (travel["status"].astype(str) == STATUS_REACHABLE) & (travel["minuten"] <= limit)
        return pd.Series(reached.fillna(False).to_numpy(dtype=bool), index=index)

    return coverage


def travel_time_function(region: Region, frage: Question) -> TravelTimeFunction:
    """Network travel times for the 2SFCA of :func:`analyses.scenarios.compare_scenario`.

    The returned function takes offers and returns the long table ``herkunft_id`` (the cell's
    ``gitter_id``), ``ziel_id`` (``angebot_id``), ``minuten`` of every pair within the
    question's minutes (:func:`analyses.network.search.travel_time_matrix`).
    """
    graph = region.graph(frage.profil, frage.unbekannt)
    snapped = region.snapped_cells(frage.profil, frage.unbekannt)
    cell_ids = region.cells()["gitter_id"].to_numpy()
    limit = float(frage.minuten)

    def travel_times(services: gpd.GeoDataFrame) -> pd.DataFrame:
        chosen = matching(services, frage)
        if len(chosen) == 0:
            return pd.DataFrame({"herkunft_id": pd.Series([], dtype=object),
                                 "ziel_id": pd.Series([], dtype=object),
                                 "minuten": pd.Series([], dtype=float)})
        matrix = travel_time_matrix(graph, snapped, chosen, limit, ziel_id="angebot_id",
                                    name="Angebote")
        coo = matrix.minuten.tocoo()
        return pd.DataFrame({"herkunft_id": cell_ids[coo.row],
                             "ziel_id": matrix.site_ids[coo.col],
                             "minuten": coo.data.astype(float)})

    return travel_times


def travel_matrix_function(
    region: Region, frage: Question, max_minuten: float
) -> TravelMatrixFunction:
    """Network travel minutes for :func:`planungsraeume.versorgung.standorte.plan_locations`.

    The returned function takes points and their id column and returns a DataFrame with one row
    per populated cell (in the order of :meth:`Region.cells`) and one column per point id,
    ``inf`` beyond ``max_minuten`` or where there is no route.
    """
    graph = region.graph(frage.profil, frage.unbekannt)
    snapped = region.snapped_cells(frage.profil, frage.unbekannt)

    def travel_minutes(points: gpd.GeoDataFrame, id_column: str) -> pd.DataFrame:
        matrix = travel_time_matrix(graph, snapped, points, float(max_minuten), ziel_id=id_column,
                                    name="Standorte")
        return pd.DataFrame(dense_minutes(matrix.minuten), columns=list(points[id_column]))

    return travel_minutes
