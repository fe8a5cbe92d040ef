"""Disclosure control: nothing published rests on fewer than k persons, and no remainder formed by
subtracting published parts from a published total does either.

The attacker below is written independently of the engine in analyses/privacy.py: it recomputes
which grid cell, planning area, code and year each report belongs to from the coordinates, reads
only what the publication shows, and tries every chain "total minus visible parts lying wholly
inside it, then minus visible parts of another table inside the rest".
"""

from __future__ import annotations

import math
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from analyses.hotspots import getis_ord, kernel_density
from analyses.privacy import (
    BarrierFilter,
    DisclosureRule,
    publish,
    require_published,
)
from layers.barrieren import read_reports, street_segments
from layers.errors import PrivacyError
from layers.store import GeoPackageStore

K = 5
CENTRE = (295200.0, 5629000.0)  # Aachen city centre, EPSG:25832
CODES = ("e150", "e540", "e460", "e125")
YEARS = (2023, 2024, 2025)


@lru_cache(maxsize=1)
def _layers(path: str) -> tuple:
    store = GeoPackageStore(path, "EPSG:25832")
    boundary = shapely.union_all(store.read_layer("region").geometry.to_numpy())
    areas = store.read_layer("planungsraeume")
    population = store.read_layer("bevoelkerung")
    return boundary, areas, population


def _reports(rows: list[tuple]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        {
            "meldung_id": [f"T-{i}" for i in range(len(rows))],
            "person_schluessel": [f"P-{r[0]:03d}" for r in rows],
            "icf_code": [r[3] for r in rows],
            "icf_kapitel": [r[3][:2] for r in rows],
            "qualifikator": [r[5] for r in rows],
            "schweregrad": [int(r[5][1]) if r[5][0] == "." else None for r in rows],
            "beeintraechtigung": "Mobilität",
            "datum": [f"{r[4]}-06-15" for r in rows],
            "ortsbezug": "koordinate",
            "quelle": "test",
        }
    )
    points = shapely.points([CENTRE[0] + r[1] for r in rows], [CENTRE[1] + r[2] for r in rows])
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:25832")


# ---- the independent attacker --------------------------------------------------------------


def _tables(pub, reports, boundary, areas) -> dict[str, tuple[list, dict]]:
    """Per table: the cell of each counted report (None = none) and the published persons per
    visible cell."""
    counted = reports[reports["qualifikator"].str.startswith(".")]
    counted = counted[shapely.covers(boundary, counted.geometry.to_numpy())]
    to_grid = Transformer.from_crs(25832, 3035, always_xy=True)
    gx, gy = to_grid.transform(counted.geometry.x.to_numpy(), counted.geometry.y.to_numpy())
    area_of = []
    for point in counted.geometry:
        hit = [str(a.pr_id) for a in areas.itertuples() if a.geometry.covers(point)]
        area_of.append(hit[0] if hit else None)
    years = [int(d[:4]) for d in counted["datum"]]
    codes = counted["icf_code"].tolist()
    tables: dict[str, tuple[list, dict]] = {}
    region = pub.region().iloc[0]
    tables["region"] = (["R"] * len(counted),
                        {"R": region["personen"]} if region["veroeffentlicht"] else {})
    for r in pub.rule.gitter:
        ids = [f"CRS3035RES{r}mN{int(math.floor(y / r) * r)}E{int(math.floor(x / r) * r)}"
               for x, y in zip(gx, gy, strict=True)]
        grid = pub.gitter(r)
        tables[f"gitter_{r}"] = (ids, dict(zip(grid["gitter_id"], grid["personen"], strict=True)))
    shown = pub.planungsraeume()
    shown = shown[shown["veroeffentlicht"]]
    tables["planungsraum"] = (area_of, dict(zip(shown["pr_id"], shown["personen"], strict=True)))
    icf = pub.icf_je_planungsraum()
    tables["planungsraum_icf"] = (
        [(a, c) if a else None for a, c in zip(area_of, codes, strict=True)],
        {(p, c): v for p, c, v in zip(icf["pr_id"], icf["icf_code"], icf["personen"], strict=True)},
    )
    icf_r = pub.icf_region()
    tables["region_icf"] = (codes, dict(zip(icf_r["icf_code"], icf_r["personen"], strict=True)))
    yr = pub.jahre_je_planungsraum().dropna(subset=["personen"])
    tables["planungsraum_jahr"] = (
        [(a, y) if a else None for a, y in zip(area_of, years, strict=True)],
        {(p, int(j)): v for p, j, v in zip(yr["pr_id"], yr["jahr"], yr["personen"], strict=True)},
    )
    yr_r = pub.jahre_region().dropna(subset=["personen"])
    tables["region_jahr"] = (years, {int(j): v for j, v in zip(yr_r["jahr"], yr_r["personen"],
                                                                strict=True)})
    return tables, counted["person_schluessel"].tolist()


def _attack(tables: dict, persons: list, k: int, base: int) -> list[str]:
    """Every violation found; an empty list means the publication is safe."""
    found: list[str] = []
    sets: dict[str, dict] = {}
    for name, (cells, published) in tables.items():
        members: dict = {}
        for pos, cell in enumerate(cells):
            if cell is not None:
                members.setdefault(cell, set()).add(pos)
        for cell, value in published.items():
            exact = len({persons[p] for p in members.get(cell, ())})
            if exact < k:
                found.append(f"{name}:{cell} zeigt {value}, beruht auf {exact} Personen")
            if value % base or abs(value - exact) > base / 2:
                found.append(f"{name}:{cell} ist nicht korrekt gerundet ({value} für {exact})")
        sets[name] = {cell: frozenset(members.get(cell, ())) for cell in published}

    def persons_in(positions) -> int:
        return len({persons[p] for p in positions})

    def parts_inside(rest: frozenset, table: str) -> set:
        return set().union(*[s for s in sets[table].values() if s and s <= rest] or [set()])

    for total_table, totals in sets.items():
        for total_cell, total in totals.items():
            for first in sets:
                if first == total_table:
                    continue
                inner = parts_inside(total, first)
                if not inner:
                    continue
                rest = total - inner
                n = persons_in(rest)
                if 0 < n < k:
                    found.append(f"{total_table}:{total_cell} minus {first} = {n} Personen")
                for second in sets:
                    if second in (total_table, first):
                        continue
                    inner2 = parts_inside(rest, second)
                    if not inner2:
                        continue
                    n2 = persons_in(rest - inner2)
                    if 0 < n2 < k:
                        found.append(f"{total_table}:{total_cell} minus {first} minus {second} "
                                     f"= {n2} Personen")
    return found


# ---- property test ---------------------------------------------------------------------------

report_rows = st.lists(
    st.tuples(
        st.integers(0, 35),                                  # person
        st.integers(-6, 6).map(lambda v: v * 160.0 + 7.0),   # dx on a coarse lattice → clusters
        st.integers(-6, 6).map(lambda v: v * 160.0 + 11.0),  # dy
        st.sampled_from(CODES),
        st.sampled_from(YEARS),
        st.sampled_from([".1", ".2", ".3", ".4", ".2", ".3", "+1"]),
    ),
    min_size=1,
    max_size=160,
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=report_rows)
def test_no_published_value_or_difference_rests_on_fewer_than_k_persons(aachen_store, rows):
    boundary, areas, population = _layers(str(aachen_store.path))
    reports = _reports(rows)
    pub = publish(reports, boundary=boundary, areas=areas, population=population,
                  rule=DisclosureRule.oeffentlich())
    tables, persons = _tables(pub, reports, boundary, areas)
    assert _attack(tables, persons, K, 5) == []
    # The density raster is made of published cell values only: recompute one pixel by hand.
    grid = pub.gitter(250)
    if len(grid):
        surface = kernel_density(grid, boundary, bandwidth_m=300, pixel_m=100)
        row, col = np.unravel_index(np.argmax(surface.values), surface.values.shape)
        x = surface.transform.c + (col + 0.5) * 100
        y = surface.transform.f - (row + 0.5) * 100
        centres = grid.geometry.centroid
        d2 = (centres.x - x) ** 2 + (centres.y - y) ** 2
        expected = (grid["personen"] * np.exp(-d2 / (2 * 300**2))).sum() / (2 * np.pi * 300**2) * 1e6
        assert surface.values[row, col] == pytest.approx(expected, rel=1e-4)


# ---- the differencing attacks the rule is named after, on the demo data ---------------------


@pytest.fixture(scope="module")
def demo(aachen_store):
    boundary, areas, population = _layers(str(aachen_store.path))
    reports = read_reports(aachen_store)
    streets = street_segments(aachen_store.read_layer("netz_kanten", columns=["name"]))
    pub = publish(reports, boundary=boundary, areas=areas, streets=streets, population=population)
    return pub, reports, boundary, areas, streets


def test_demo_publication_resists_differencing(demo):
    pub, reports, boundary, areas, _streets = demo
    tables, persons = _tables(pub, reports, boundary, areas)
    assert _attack(tables, persons, K, 5) == []
    # It still shows something useful: most areas and many 1 km cells.
    assert pub.planungsraeume()["veroeffentlicht"].sum() >= 20
    assert len(pub.gitter(1000)) >= 25


def test_streets_are_protected_too(demo):
    pub, reports, boundary, areas, streets = demo
    tables, persons = _tables(pub, reports, boundary, areas)
    counted = reports[reports["qualifikator"].str.startswith(".")]
    counted = counted[shapely.covers(boundary, counted.geometry.to_numpy())]
    shown = pub.strassen()
    assert len(shown) > 0
    geoms = streets.set_index("strasse").geometry
    cells = []
    for point in counted.geometry:
        near = geoms[geoms.distance(point) <= 25]
        cells.append(near.distance(point).idxmin() if len(near) else None)
    tables["strasse"] = (cells, dict(zip(shown["strasse"], shown["personen"], strict=True)))
    assert _attack(tables, persons, K, 5) == []


# ---- rules, labels, guards --------------------------------------------------------------------


def test_internal_mode_needs_an_explicit_reason_and_labels_every_output(aachen_store, tmp_path):
    with pytest.raises(PrivacyError):
        DisclosureRule(min_personen=3, rundungsbasis=1, modus="intern")
    with pytest.raises(PrivacyError):
        DisclosureRule(min_personen=3, rundungsbasis=5, modus="öffentlich")
    with pytest.raises(PrivacyError):
        DisclosureRule.intern(begruendung="Fallkonferenz", min_personen=2)
    rule = DisclosureRule.intern(begruendung="Fallkonferenz Burtscheid")
    boundary, areas, population = _layers(str(aachen_store.path))
    pub = publish(read_reports(aachen_store), boundary=boundary, areas=areas,
                  population=population, rule=rule)
    outputs = [pub.gitter(250), pub.planungsraeume(), pub.region(), pub.icf_je_planungsraum(),
               pub.jahre_region()]
    for frame in outputs:
        assert frame["geheimhaltung"].str.startswith("INTERN").all()
        assert frame.attrs["intern"] is True
    assert "INTERNER MODUS" in rule.beschreibung()
    # The public rule shows fewer cells than the internal one.
    public = publish(read_reports(aachen_store), boundary=boundary, areas=areas,
                     population=population)
    assert len(public.gitter(250)) < len(pub.gitter(250))


def test_raw_counts_cannot_reach_an_output(aachen_store):
    boundary, _areas, _population = _layers(str(aachen_store.path))
    raw = read_reports(aachen_store)
    grid = gpd.GeoDataFrame({"gitter_id": ["x"], "personen": [3]}, geometry=raw.geometry[:1],
                            crs=raw.crs)
    with pytest.raises(PrivacyError):
        require_published(grid)
    with pytest.raises(PrivacyError):
        kernel_density(grid, boundary)
    with pytest.raises(PrivacyError):
        getis_ord(grid, boundary, 250)


def test_publish_does_not_change_its_inputs(demo, aachen_store):
    _pub, reports, boundary, areas, streets = demo
    before = (reports.copy(), areas.copy(), streets.copy())
    publish(reports, boundary=boundary, areas=areas, streets=streets)
    pd.testing.assert_frame_equal(reports, before[0])
    pd.testing.assert_frame_equal(areas, before[1])
    pd.testing.assert_frame_equal(streets, before[2])


def test_filters_select_what_they_say(demo):
    _pub, reports, *_ = demo
    mobility = BarrierFilter(beeintraechtigung=("Mobilität",), min_schweregrad=3)
    chosen = mobility.apply(reports)
    assert len(chosen) > 0
    assert set(chosen["beeintraechtigung"]) == {"Mobilität"}
    assert (chosen["schweregrad"].astype(float) >= 3).all()
    helpers = BarrierFilter(art="foerderfaktoren").apply(reports)
    assert helpers["qualifikator"].str.startswith("+").all()
    window = BarrierFilter(kapitel=("e1",), von=pd.Timestamp("2024-01-01").date(),
                           bis=pd.Timestamp("2024-12-31").date()).apply(reports)
    assert window["datum"].str.startswith("2024").all()
    assert set(window["icf_kapitel"]) == {"e1"}


def test_export_contains_only_published_tables(demo, tmp_path):
    import pyogrio

    pub = demo[0]
    path = tmp_path / "export.gpkg"
    written = pub.export(path)
    assert "barrieren_gitter_250m" in written
    back = pyogrio.read_dataframe(path, layer="barrieren_gitter_250m")
    assert sorted(back["gitter_id"]) == sorted(pub.gitter(250)["gitter_id"])
    assert (back["personen"] >= K).all() and (back["personen"] % 5 == 0).all()
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert not any("punkt" in name or "meldung_" in name for name in layers)
    for name in layers:
        frame = pyogrio.read_dataframe(path, layer=name)
        assert "person_schluessel" not in frame.columns and "meldung_id" not in frame.columns


def test_attacker_finds_leaks_when_secondary_suppression_is_switched_off(
    demo, aachen_store, monkeypatch
):
    """The attack is not toothless: with primary suppression only, it finds differences."""
    import analyses.privacy as privacy

    _pub, reports, boundary, areas, _streets = demo
    _b, _a, population = _layers(str(aachen_store.path))
    monkeypatch.setattr(privacy, "_chains", lambda *args, **kwargs: None)
    leaky = privacy.publish(reports, boundary=boundary, areas=areas, population=population)
    tables, persons = _tables(leaky, reports, boundary, areas)
    violations = _attack(tables, persons, K, 5)
    assert any("minus" in v for v in violations)
