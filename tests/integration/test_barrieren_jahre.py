"""Barrier reports per year through the privacy gate (issue #12, item 2; the gate of #10).

A hand-made case with a known answer on the Aachen geometry: in one planning area 8 persons
report in 2023 and again in 2024, 3 more only in 2024, and 2 only in 2025. Truth: 2023 → 8,
2024 → 11, 2025 → 2 (below the minimum), all years → 13. The two differencing attacks are
"2024 − 2023" (3 new persons) and "all years − 2024" (the 2 persons of 2025); neither may prove
that a group of 1 … k−1 persons exists.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from analyses.privacy import DEFAULT_SALT
from planungsraeume.barrieren_jahre import SERIES_COLUMNS, barrier_series
from tests.integration.privacy_attacker import Audit, read_release, relations
from tests.integration.privacy_data import YEARS, Report, cluster, demo_geometry, frame
from tests.integration.privacy_data import release as make_release

pytestmark = pytest.mark.slow

K = 5
AREA = 2
TRUTH = {2023: 8, 2024: 11, 2025: 2}
ALL_YEARS = 13


@pytest.fixture(scope="module")
def geo(aachen_store):
    return demo_geometry(str(aachen_store.path))


def _reports(geo) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(12)
    reports = []
    for area, n in ((0, 45), (1, 30), (5, 70), (7, 25)):
        reports += cluster(f"B{area}", n, area, rng, spread=200.0)
    for year in (2023, 2024):  # the same 8 persons in both years
        reports += [Report(f"P-{i}", AREA, 15.0 * i, 0.0, "e120", year, "Sehen") for i in range(8)]
    reports += [Report(f"N-{i}", AREA, 0.0, 15.0 * i, "e150", 2024) for i in range(3)]
    reports += [Report(f"L-{i}", AREA, -15.0 * i, 0.0, "e150", 2025) for i in range(2)]
    return frame(geo, reports)


def _truth(reports: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Distinct persons per area and year, counted independently of the engine."""
    joined = gpd.sjoin(reports, areas[["pr_id", "geometry"]], predicate="within")
    joined["jahr"] = pd.to_datetime(joined["datum"]).dt.year
    return joined.groupby(["pr_id", "jahr"])["person_schluessel"].nunique()


@pytest.fixture(scope="module")
def hand_made(geo, tmp_path_factory, aachen_store, aachen_config):
    """A region over a copy of the demo store whose only barrier reports are the hand-made ones."""
    import shutil

    from layers.store import GeoPackageStore
    from planungsraeume.region import Region

    target = tmp_path_factory.mktemp("barrieren_jahre") / "aachen.gpkg"
    shutil.copyfile(aachen_store.path, target)
    store = GeoPackageStore(target, aachen_store.crs, user="test")
    reports = _reports(geo)
    store.derived.write_layers({"barrieren": reports})
    return Region.open(aachen_config, store=store), reports


def test_known_answer_per_year_and_no_value_below_the_minimum(hand_made, geo):
    region, reports = hand_made
    series = barrier_series(region)
    assert list(series.columns) == SERIES_COLUMNS
    pr = str(geo.areas["pr_id"].iloc[AREA])
    truth = _truth(reports, geo.areas)
    assert {y: int(truth[(pr, y)]) for y in YEARS} == TRUTH  # the hand-made answer
    table = region_rule_table(region)
    area = series[(series["ebene"] == "Planungsraum") & (series["schluessel"] == pr)]
    by_year = area.set_index("jahr")["personen"]
    assert list(by_year.index) == list(YEARS)
    assert pd.isna(by_year[2025])  # 2 persons: never published
    for year in (2023, 2024):  # 8 and 11 persons: above k + fuzzy band, always published
        assert not pd.isna(by_year[year])
        assert abs(int(by_year[year]) - TRUTH[year]) <= table.max_total_change
        assert int(by_year[year]) % 5 == 0
    # Every published yearly figure of every area rests on at least k distinct persons.
    for row in series[series["ebene"] == "Planungsraum"].itertuples():
        true = int(truth.get((row.schluessel, row.jahr), 0))
        if pd.isna(row.personen):
            assert true <= table.max_unpublished, row
        else:
            assert true >= K, row
            assert abs(int(row.personen) - true) <= table.max_total_change
    assert not series["veroeffentlicht"].to_numpy()[series["personen"].isna().to_numpy()].any()
    assert series["geheimhaltung"].str.startswith("öffentlich").all()


def region_rule_table(region):
    from planungsraeume.barrieren import release

    return release(region).rule.tabelle


def test_year_differences_do_not_reveal_a_small_group(hand_made, geo):
    region, reports = hand_made
    series = barrier_series(region)
    pr = str(geo.areas["pr_id"].iloc[AREA])
    # The same persons give the same values in a release of only the choice "alle".
    salt = str(region.store.read_meta().get("geheimhaltung_salz") or DEFAULT_SALT)
    rel = make_release(geo, reports, auswahlen=("alle",), jahre=YEARS, salt=salt)
    whole = rel.publication("alle")
    shown = whole.jahre_je_planungsraum().set_index(["pr_id", "jahr"])["personen"]
    mine = series[series["ebene"] == "Planungsraum"].set_index(["schluessel", "jahr"])["personen"]
    assert [None if pd.isna(v) else int(v) for v in mine] == \
        [None if pd.isna(v) else int(v) for v in shown.reindex(mine.index)]
    table = rel.rule.tabelle
    total = whole.planungsraeume().set_index("pr_id").loc[pr, "personen"]
    lo_all, hi_all = table.feasible_counts(int(total))
    lo_24, hi_24 = table.feasible_counts(int(shown[(pr, 2024)]))
    lo_23, hi_23 = table.feasible_counts(int(shown[(pr, 2023)]))
    assert lo_all <= ALL_YEARS <= hi_all and lo_24 <= TRUTH[2024] <= hi_24
    # "All years − 2024": the persons only in 2025 (truly 2). The attacker's lower bound must
    # not prove anyone is there.
    assert lo_all - hi_24 <= 0
    # "2024 − 2023": the new persons (truly 3); cannot be shown to be a group of 1 … k−1.
    assert lo_24 - hi_23 <= 0 or hi_24 >= K
    # The attacker's LP over every table of the release (areas add up to the region, the years
    # to all years, distinct persons sub-additive) narrows no hidden cell below the minimum.
    cells = read_release(rel, grid_choices=())
    audit = Audit(cells, relations(cells, rel, groups=[], chapters={},
                                   area_ids=list(geo.areas["pr_id"].astype(str)),
                                   areas_cover=True, years_cover=True))
    hidden = cells.index[(("pr", pr), "*", "*", 2025)]
    assert [v for v, _lo, _hi in audit.narrowed([hidden], K)] == []
    rests = [len(cells.lo) + j for j, (t, _s, _h) in enumerate(audit.remainders)
             if t == cells.index[(("pr", pr), "*", "*", "*")]]
    assert audit.proven_nonempty([hidden, *rests]) == []
    assert cells.conflicts == []


def test_kerndatensatz_carries_only_the_published_yearly_values(hand_made):
    from planungsraeume.kerndatensatz import kerndatensatz

    region, _ = hand_made
    series = barrier_series(region)
    rows = kerndatensatz(region)
    rows = rows[rows["indikator"] == "barrieren_personen"]
    assert len(rows) == len(series)
    got = rows.set_index(["ebene", "schluessel", "jahr"])["wert"]
    want = series.set_index(["ebene", "schluessel", "jahr"])["personen"]
    for key, value in want.items():
        assert (pd.isna(value) and pd.isna(got[key])) or float(value) == got[key], key
    assert rows["synthetisch"].all() and rows["geheimhaltung"].notna().all()
