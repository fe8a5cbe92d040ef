"""Location suggestions for a region: k additional offers of a type, with names and areas.

Glues the pieces together: population cells (demand) with their planning areas (the one rule of
:meth:`planungsraeume.region.Region.cell_areas`), candidate sites (:mod:`layers.kandidaten`),
the existing offers the question selects, travel times from a *travel-matrix function*
(:func:`planungsraeume.versorgung.netz.travel_matrix_function`), and the models of
:mod:`analyses.location`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.areas import cells_to_areas
from analyses.location import SiteSuggestion, maximal_covering, p_median
from layers.errors import AnalysisError
from layers.progress import ProgressCallback, Steps
from planungsraeume.cache import cached
from planungsraeume.frage import Question
from planungsraeume.region import OUTSIDE_ID, Region
from planungsraeume.versorgung.netz import (
    TravelMatrixFunction,
    check_demand,
    check_types,
    travel_matrix_function,
)

__all__ = ["PMEDIAN_CUTOFF_FACTOR", "LocationPlan", "plan_locations", "suggest_sites"]

# p-median: travel times are computed up to this multiple of the time limit; pairs beyond count
# as "unreachable" (twice the longest computed time, see analyses.location.p_median).
PMEDIAN_CUTOFF_FACTOR = 3.0


@dataclass(frozen=True)
class LocationPlan:
    """A location suggestion with everything a planner needs to read it.

    Attributes
    ----------
    vorschlag
        The model's answer (totals, method, optimality).
    standorte
        The chosen sites in greedy order (points, region CRS): ``rang``, ``kandidat_id``,
        ``name``, ``art``, ``pr_id``, ``neu_versorgt`` (demand of the model newly within the time
        limit thanks to this site, given the existing offers and the sites ranked before it),
        ``neu_versorgt_einwohner`` and ``neu_versorgt_65_plus`` (the same counted in inhabitants
        and in people aged 65+), ``versorgt_kumuliert``, ``mittlere_minuten``.
    je_planungsraum
        Newly covered people per planning area: ``einwohner``, ``neu_versorgt``,
        ``neu_versorgt_65_plus``, ``versorgt_vorher``, ``versorgt_nachher``; an ``"ohne"`` row
        for cells outside every area, so that the rows add up to the region.
    bestehende_angebote
        Ids of the existing offers that counted as covering.
    """

    vorschlag: SiteSuggestion
    standorte: gpd.GeoDataFrame
    je_planungsraum: pd.DataFrame
    bestehende_angebote: tuple[str, ...] = ()


def _matrix(frame: pd.DataFrame, n_cells: int, ids: Sequence[object], what: str) -> np.ndarray:
    if frame.shape[0] != n_cells:
        raise AnalysisError(
            f"Die Reisezeiten zu den {what} haben {frame.shape[0]} Zeilen, es gibt aber {n_cells} "
            "Rasterzellen.",
            hinweis="Die Reisezeitfunktion muss je Rasterzelle eine Zeile liefern.",
        )
    missing = [i for i in ids if i not in frame.columns]
    if missing:
        raise AnalysisError(
            f"Für {len(missing)} {what} fehlen Reisezeiten (z. B. '{missing[0]}').",
            hinweis="Die Reisezeitfunktion muss je Punkt eine Spalte liefern.",
        )
    return frame[list(ids)].to_numpy(dtype=float)


def plan_locations(
    cells: gpd.GeoDataFrame,
    cell_areas: pd.Series,
    areas: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    travel_minutes: TravelMatrixFunction,
    *,
    types: Sequence[str],
    k: int,
    max_minutes: float,
    model: str = "mclp",
    demand_column: str = "einwohner",
    time_limit_s: float = 60.0,
) -> LocationPlan:
    """Suggest k additional sites for offers of the given types.

    Parameters
    ----------
    cells
        Population cells (``einwohner``, ``alter_65_plus``).
    cell_areas
        Planning area of every cell (indexed like ``cells``; ``"ohne"`` outside every area).
    areas
        Planning areas (``pr_id``, ``name``).
    services
        The ``angebote`` layer; offers of ``types`` are the existing ones.
    candidates
        Candidate sites (:func:`layers.kandidaten.candidate_sites_from_store` or a user list).
    travel_minutes
        The travel-matrix function (see :data:`TravelMatrixFunction`), bound to a profile.
    types
        Service types the new offers belong to (e.g. ``["EUTB"]``).
    k
        Number of additional offers.
    max_minutes
        Time limit of coverage.
    model
        ``"mclp"`` (most people newly within the limit) or ``"p-median"`` (shortest mean way).
    demand_column
        ``"einwohner"`` or ``"alter_65_plus"``: whose coverage is maximised.
    time_limit_s
        Solver time limit.

    Returns
    -------
    LocationPlan
    """
    _check_inputs(cells, candidates, model, demand_column)
    n = len(cells)
    candidate_ids = list(candidates["kandidat_id"])
    cost = _matrix(travel_minutes(candidates, "kandidat_id"), n, candidate_ids, "Kandidaten")
    existing = services[services["typ"].isin(list(types)).to_numpy()]
    existing_best = np.full(n, np.inf)
    if len(existing):
        existing_ids = list(existing["angebot_id"])
        existing_cost = _matrix(travel_minutes(existing, "angebot_id"), n, existing_ids, "Angeboten")
        existing_best = existing_cost.min(axis=1)
    solve = maximal_covering if model == "mclp" else p_median
    suggestion = solve(cost, cells[demand_column].to_numpy(dtype=float), max_minutes=max_minutes,
                       k=k, existing_cost=existing_best, candidate_ids=candidate_ids,
                       time_limit_s=time_limit_s)
    covered_before = existing_best <= max_minutes
    chosen, covered = _chosen_sites(suggestion, cells, candidates, areas, cost, covered_before,
                                    max_minutes)
    per_area = _per_area(cells, cell_areas, areas, covered_before, covered)
    return LocationPlan(vorschlag=suggestion, standorte=chosen, je_planungsraum=per_area,
                        bestehende_angebote=tuple(sorted(existing["angebot_id"].astype(str))))


def _check_inputs(cells: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, model: str,
                  demand_column: str) -> None:
    """German errors for an unknown model, missing population columns or no candidates."""
    if model not in ("mclp", "p-median"):
        raise AnalysisError(
            f"Das Standortmodell '{model}' ist unbekannt.",
            hinweis="Erlaubt sind 'mclp' (maximale Abdeckung) und 'p-median' (kürzeste Wege).",
        )
    for column in (demand_column, "einwohner", "alter_65_plus"):
        if column not in cells.columns:
            raise AnalysisError(
                f"Der Bevölkerung fehlt die Spalte '{column}'.",
                hinweis="Verwenden Sie die Ebene 'bevoelkerung' des Regionsspeichers.",
            )
    if len(candidates) == 0:
        raise AnalysisError(
            "Es gibt keine Kandidatenstandorte.",
            hinweis="Wählen Sie Kandidaten aus öffentlichen Gebäuden oder laden Sie eine Liste.",
        )


def _chosen_sites(
    suggestion: SiteSuggestion, cells: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame, cost: np.ndarray, covered_before: np.ndarray, max_minutes: float,
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The chosen sites in rank order with the people each newly covers, and the cover after."""
    people = cells["einwohner"].to_numpy(dtype=float)
    older = cells["alter_65_plus"].to_numpy(dtype=float)
    covered = covered_before.copy()
    position = {cid: j for j, cid in enumerate(candidates["kandidat_id"])}
    gains: list[tuple[float, float]] = []
    for candidate in suggestion.standorte["kandidat_id"]:
        newly = ~covered & (cost[:, position[candidate]] <= max_minutes)
        gains.append((float(people[newly].sum()), float(older[newly].sum())))
        covered |= newly
    chosen = suggestion.standorte.merge(
        candidates[["kandidat_id", "name", "art", "geometry"]], on="kandidat_id", how="left")
    chosen = gpd.GeoDataFrame(chosen, geometry="geometry", crs=candidates.crs)
    chosen["neu_versorgt_einwohner"] = [g[0] for g in gains]
    chosen["neu_versorgt_65_plus"] = [g[1] for g in gains]
    chosen["pr_id"] = (cells_to_areas(chosen, areas).fillna(OUTSIDE_ID).astype(str).to_numpy()
                       if len(chosen) else [])
    columns = ["rang", "kandidat_id", "name", "art", "pr_id", "neu_versorgt",
               "neu_versorgt_einwohner", "neu_versorgt_65_plus", "versorgt_kumuliert",
               "mittlere_minuten", "geometry"]
    return chosen[columns], covered


def _per_area(cells: gpd.GeoDataFrame, cell_areas: pd.Series, areas: gpd.GeoDataFrame,
              covered_before: np.ndarray, covered: np.ndarray) -> pd.DataFrame:
    """Covered people per planning area before and after (an "ohne" row keeps the sum)."""
    people = cells["einwohner"].to_numpy(dtype=float)
    older = cells["alter_65_plus"].to_numpy(dtype=float)
    cell_area = cell_areas.reindex(cells.index).fillna(OUTSIDE_ID).astype(str).to_numpy()
    newly = covered & ~covered_before
    per_area = pd.DataFrame({
        "pr_id": cell_area,
        "einwohner": people,
        "versorgt_vorher": people * covered_before,
        "versorgt_nachher": people * covered,
        "neu_versorgt": people * newly,
        "neu_versorgt_65_plus": older * newly,
    }).groupby("pr_id").sum()
    order = list(areas["pr_id"].astype(str))
    if (cell_area == OUTSIDE_ID).any():
        order.append(OUTSIDE_ID)  # so that the areas add up to the region
    per_area = per_area.reindex(order, fill_value=0.0)
    names = dict(zip(areas["pr_id"].astype(str), areas["name"].astype(str), strict=True))
    per_area.insert(0, "name", [names.get(p, "ohne Planungsraum") for p in order])
    return per_area


@cached("standortvorschlag", disk=False)
def suggest_sites(
    region: Region,
    frage: Question,
    anzahl: int,
    *,
    modell: str = "mclp",
    kandidaten: gpd.GeoDataFrame | None = None,
    nachfrage: str = "einwohner",
    time_limit_s: float = 60.0,
    progress: ProgressCallback | None = None,
) -> LocationPlan:
    """Suggest ``anzahl`` additional offers of the question's type on network travel times.

    Parameters
    ----------
    region, frage
        The region and the question: one service type (its existing offers stay open and count
        as covering if they pass the question's filter), profile, minutes, day.
    anzahl
        Number of new offers (k).
    modell
        ``"mclp"`` (most people newly within the limit) or ``"p-median"`` (shortest ways).
    kandidaten
        Candidate sites (``kandidat_id``, ``name``, ``art``, points); default: public buildings
        and community places of the region (:func:`layers.kandidaten.candidate_sites_from_store`).
    nachfrage
        ``"einwohner"`` or ``"alter_65_plus"``: whose coverage is maximised.
    time_limit_s
        Solver time limit.
    progress
        Callback ``(fraction, label)``; a tqdm bar on the terminal without it.

    Returns
    -------
    LocationPlan
    """
    from layers.kandidaten import candidate_sites_from_store

    demand = check_demand(nachfrage)
    kinds = check_types(frage.typen)
    limit = float(frage.minuten)
    with Steps(3, "Standortvorschlag", progress) as steps:
        steps.step("Wegenetz und Bevölkerung laden")
        cells, cell_areas = region.cells(), region.cell_areas()
        sites = candidate_sites_from_store(region.store) if kandidaten is None else kandidaten
        steps.advance()
        steps.step("Reisezeiten zu Kandidaten und bestehenden Angeboten berechnen")
        cutoff = limit if modell == "mclp" else limit * PMEDIAN_CUTOFF_FACTOR
        travel = travel_matrix_function(region, frage, cutoff)
        existing = _existing(region, frage)
        # Routed here, once, so that the progress display shows routing and solving apart.
        computed = {"kandidat_id": travel(sites, "kandidat_id")} if len(sites) else {}
        if len(existing):
            computed["angebot_id"] = travel(existing, "angebot_id")

        def precomputed(points: gpd.GeoDataFrame, id_column: str) -> pd.DataFrame:
            return computed[id_column] if id_column in computed else travel(points, id_column)

        steps.advance()
        steps.step("Standorte optimieren")
        plan = plan_locations(
            cells, cell_areas, region.areas(), existing, sites, precomputed, types=kinds,
            k=int(anzahl), max_minutes=limit, model=modell, demand_column=demand,
            time_limit_s=time_limit_s,
        )
        steps.advance()
    return plan


def _existing(region: Region, frage: Question) -> gpd.GeoDataFrame:
    """The existing offers that count as covering (none of the type is not an error here)."""
    try:
        return region.selected_offers(frage)
    except AnalysisError:
        offers = region.offers(frage.tag)
        return offers.iloc[0:0]
