"""2SFCA / E2SFCA: hand-computed example, an independent numpy reference, Aachen data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analyses.accessibility import (
    aggregate_by_area,
    capacity_supply,
    service_ratios,
    two_step_fca,
)
from analyses.areas import cells_to_areas


def scaffold_euclidean_travel_times(
    cells: pd.DataFrame, services: pd.DataFrame, speed_m_per_min: float, limit_min: float
) -> pd.DataFrame:
    """TEST SCAFFOLDING ONLY: straight-line minutes as a stand-in for network travel times."""
    cx = cells.geometry.centroid.x.to_numpy()
    cy = cells.geometry.centroid.y.to_numpy()
    sx, sy = services.geometry.x.to_numpy(), services.geometry.y.to_numpy()
    minutes = np.hypot(cx[:, None] - sx[None], cy[:, None] - sy[None]) / speed_m_per_min
    i, j = np.nonzero(minutes <= limit_min)
    return pd.DataFrame(
        {
            "herkunft_id": cells["gitter_id"].to_numpy()[i],
            "ziel_id": services["angebot_id"].to_numpy()[j],
            "minuten": minutes[i, j],
        }
    )


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["keine", "stufen", "gauss"])
def test_aachen_supply_is_conserved_and_aggregates(aachen_store, kind):
    cells = aachen_store.read_layer("bevoelkerung")
    services = aachen_store.read_layer("angebote")
    areas = aachen_store.read_layer("planungsraeume")
    advice = services[services["gruppe"] == "Beratung"].reset_index(drop=True)
    cells_before, advice_before = cells.copy(), advice.copy()
    tt = scaffold_euclidean_travel_times(cells, advice, 72.0, 15.0)  # 1.2 m/s
    demand = cells.set_index("gitter_id")["einwohner"].astype(float)
    supply = capacity_supply(advice)["angebot"]
    result = two_step_fca(tt, demand, supply, max_minutes=15, decay=kind)
    assert result.index.equals(demand.index)
    ratios = service_ratios(tt, demand, supply, max_minutes=15, decay=kind)
    # Every hour of an offer with demand is handed out exactly once: Σ P_i A_i = Σ S_j.
    served = supply[~ratios["ohne_nachfrage"]].sum()
    assert (demand * result["verhaeltnis"]).sum() == pytest.approx(served, rel=1e-9)
    assert served > 0.5 * supply.sum()
    pd.testing.assert_frame_equal(cells, cells_before)
    pd.testing.assert_frame_equal(advice, advice_before)

    cell_areas = cells_to_areas(cells, areas)
    cell_areas.index = demand.index
    table = aggregate_by_area(result["je_einheit"], demand, cell_areas, area_ids=areas["pr_id"])
    assert len(table) == len(areas) + 1
    assert table["nachfrage"].iloc[:-1].sum() == pytest.approx(demand.sum())
    assert table.loc["Region", "nachfrage"] == pytest.approx(demand.sum())
    weighted = (table["nachfrage"].iloc[:-1] * table["mittelwert"].iloc[:-1].fillna(0)).sum()
    assert weighted / demand.sum() == pytest.approx(table.loc["Region", "mittelwert"])
    assert 0 <= table["anteil_ohne_angebot"].min() and table["anteil_ohne_angebot"].max() <= 1
