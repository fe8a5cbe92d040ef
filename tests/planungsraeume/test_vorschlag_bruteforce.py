"""Office-hour suggestions and mobile-office stops use the covering model of the location
suggestions with the provider's places (or the fixed offices) as existing sites: on a small
hand-made instance its choice equals the brute-force optimum over all k-subsets."""

from __future__ import annotations

from itertools import combinations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planungsraeume.versorgung.standorte import plan_locations

RNG = np.random.default_rng(7)
N_CELLS, N_HOSTS, LIMIT = 12, 6, 10.0
HOST_MINUTES = RNG.uniform(2, 25, size=(N_CELLS, N_HOSTS))
PRESENCE_MINUTES = RNG.uniform(5, 30, size=(N_CELLS, 1))
PEOPLE = RNG.integers(10, 200, size=N_CELLS).astype(float)


def _points(n: int, **columns: list[object]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=[shapely.Point(100.0 * i, 0.0) for i in range(n)],
                            crs=25832)


def _travel(points: gpd.GeoDataFrame, id_column: str) -> pd.DataFrame:
    ids = list(points[id_column])
    if id_column == "kandidat_id":
        return pd.DataFrame(HOST_MINUTES[:, [int(i[1:]) for i in ids]], columns=ids)
    return pd.DataFrame(PRESENCE_MINUTES, columns=ids)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_the_chosen_hosts_reach_as_many_new_people_as_the_best_subset(k):
    cells = _points(N_CELLS, einwohner=list(PEOPLE), alter_65_plus=list(PEOPLE / 4))
    areas = gpd.GeoDataFrame({"pr_id": ["PR1"], "name": ["Mitte"]},
                             geometry=[shapely.box(-50, -50, 2000, 50)], crs=25832)
    cell_areas = pd.Series(["PR1"] * N_CELLS, index=cells.index)
    hosts = _points(N_HOSTS, kandidat_id=[f"h{i}" for i in range(N_HOSTS)],
                    name=[f"Gastgeber {i}" for i in range(N_HOSTS)], art=["Räume"] * N_HOSTS)
    presence = _points(1, angebot_id=["p0"], typ=["praesenz"])
    plan = plan_locations(cells, cell_areas, areas, presence, hosts, _travel,
                          types=["praesenz"], k=k, max_minutes=LIMIT)
    before = PRESENCE_MINUTES[:, 0] <= LIMIT

    def gained(subset: tuple[int, ...]) -> float:
        after = before | (HOST_MINUTES[:, list(subset)] <= LIMIT).any(axis=1)
        return float(PEOPLE[after & ~before].sum())

    best = max(gained(s) for s in combinations(range(N_HOSTS), k))
    chosen = tuple(int(c[1:]) for c in plan.standorte["kandidat_id"])
    assert gained(chosen) == pytest.approx(best)
    assert plan.standorte["neu_versorgt_einwohner"].sum() == pytest.approx(best)
    assert plan.je_planungsraum["neu_versorgt"].sum() == pytest.approx(best)
