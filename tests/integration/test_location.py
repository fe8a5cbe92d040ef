"""Location suggestions: MCLP and p-median against brute force on small random instances."""

from __future__ import annotations

import numpy as np
import pytest

from analyses.location import (
    greedy_covering,
)


def scaffold_travel_matrix(cells, speed_m_per_min: float = 48.0, detour: float = 1.3):
    """TEST SCAFFOLDING ONLY, a stand-in for network travel times: straight line × detour at a
    walking speed (48 m/min = 0.8 m/s, wheelchair)."""
    cx = cells.geometry.centroid.x.to_numpy()
    cy = cells.geometry.centroid.y.to_numpy()

    def travel(points, id_column):
        import pandas as pd

        minutes = np.hypot(cx[:, None] - points.geometry.x.to_numpy()[None],
                           cy[:, None] - points.geometry.y.to_numpy()[None]) * detour / speed_m_per_min
        return pd.DataFrame(minutes, columns=list(points[id_column]))

    return travel


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mclp", "p-median"])
def test_plan_three_eutb_sites_on_aachen(aachen_store, model):
    from layers.kandidaten import candidate_sites_from_store
    from planungsraeume.versorgung.standorte import plan_locations

    cells = aachen_store.read_layer("bevoelkerung")
    areas = aachen_store.read_layer("planungsraeume")
    services = aachen_store.read_layer("angebote")
    candidates = candidate_sites_from_store(aachen_store)
    from analyses.areas import cells_to_areas

    cell_areas = cells_to_areas(cells, areas).fillna("ohne")
    plan = plan_locations(
        cells, cell_areas, areas, services, candidates, scaffold_travel_matrix(cells),
        types=["EUTB"], k=3, max_minutes=15, model=model,
    )
    sites = plan.standorte
    assert len(sites) == 3 and set(sites["kandidat_id"]) <= set(candidates["kandidat_id"])
    assert sites["name"].notna().all() and sites["pr_id"].isin(areas["pr_id"]).all()
    suggestion = plan.vorschlag
    assert sites["neu_versorgt"].sum() == pytest.approx(suggestion.neu_versorgt)
    assert plan.je_planungsraum["neu_versorgt"].sum() == pytest.approx(suggestion.neu_versorgt)
    assert sites["neu_versorgt_65_plus"].sum() == pytest.approx(plan.je_planungsraum["neu_versorgt_65_plus"].sum())
    assert plan.je_planungsraum["einwohner"].sum() == pytest.approx(cells["einwohner"].sum())
    assert suggestion.versorgt_nachher > suggestion.versorgt_vorher > 0
    if model == "mclp":
        assert suggestion.optimal
        travel = scaffold_travel_matrix(cells)
        cost = travel(candidates, "kandidat_id").to_numpy()
        existing = travel(services[services["typ"] == "EUTB"], "angebot_id").to_numpy().min(axis=1)
        weights = cells["einwohner"].to_numpy(float)
        greedy_sites = greedy_covering(cost, weights, max_minutes=15, k=3, existing_cost=existing)
        greedy_total = weights[(existing <= 15) | (cost[:, greedy_sites] <= 15).any(axis=1)].sum()
        assert suggestion.versorgt_nachher >= greedy_total - 1e-6
