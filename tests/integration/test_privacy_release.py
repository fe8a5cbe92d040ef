"""The release: consistent values by construction, fixed rows, published ranks, normalised keys,
the internal mode, and the gate's guards (on the Aachen demo geometry with hand-made reports)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from analyses.hotspots import getis_ord, kernel_density
from analyses.privacy import (
    BarrierFilter,
    DisclosureRule,
    choice_of_filter,
    publish,
    require_published,
)
from layers.errors import PrivacyError
from tests.integration.privacy_data import (
    CODES,
    GROUPS,
    YEARS,
    Report,
    cluster,
    demo_geometry,
    every_value,
    frame,
)
from tests.integration.privacy_data import release as make_release

K = 5


@pytest.fixture(scope="module")
def geo(aachen_store):
    return demo_geometry(str(aachen_store.path))


@pytest.fixture(scope="module")
def base(geo):
    rng = np.random.default_rng(4711)
    reports = []
    for area, n in ((0, 40), (1, 25), (2, 12), (3, 8), (4, 3), (5, 60)):
        reports += cluster(f"A{area}", n, area, rng, spread=250.0)
    return frame(geo, reports)


@pytest.fixture(scope="module")
def rel(geo, base):
    return make_release(geo, base)


def _truth(base: gpd.GeoDataFrame, mask: np.ndarray) -> int:
    return int(base[mask]["person_schluessel"].nunique())


def test_same_persons_same_value_in_every_table_choice_and_year(rel):
    """L3 by construction: a cell has one value, whichever selection shows it."""
    for choice in rel.auswahlen:
        whole = rel.publication(choice)
        per_year = whole.jahre_region().set_index("jahr")["personen"]
        per_area_year = whole.jahre_je_planungsraum().set_index(["pr_id", "jahr"])["personen"]
        for year in rel.jahre:
            one = rel.publication(choice, year)
            assert _same(one.region()["personen"].iloc[0], per_year[year])
            areas = one.planungsraeume().set_index("pr_id")["personen"]
            for pr, value in areas.items():
                assert _same(value, per_area_year[(pr, year)]), (choice, year, pr)
    # A code row of the region table under "alle" is the region total of the code choice.
    codes = rel.publication("alle").icf_region().set_index("icf_code")["personen"]
    for code in CODES:
        total = rel.publication(f"code:{code}").region()["personen"].iloc[0]
        assert _same(codes.get(code), total)
    # A code row per area under a group is the area of the code choice within that group
    # (same persons): values of the group choice and of the code choice agree where both show.
    group = rel.publication("gruppe:Mobilität").icf_je_planungsraum()
    for row in group.itertuples():
        code_areas = rel.publication(f"code:{row.icf_code}").planungsraeume()
        shown = code_areas.set_index("pr_id")["personen"][row.pr_id]
        assert pd.isna(shown) or shown >= row.personen - 2 * rel.rule.tabelle.max_total_change


def _same(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and int(a) == int(b))


def test_published_values_rest_on_k_persons_and_stay_within_the_documented_change(rel, base):
    table = rel.rule.tabelle
    index = rel.index
    for choice in ("alle", "gruppe:Mobilität", "code:e150"):
        pub = rel.publication(choice)
        mask = pub.filter.mask(index.frame)
        for row in pub.planungsraeume().itertuples():
            area = np.flatnonzero(pub.planungsraeume()["pr_id"].to_numpy() == row.pr_id)[0]
            true = len(np.unique(index.person[mask & (index.area == area)]))
            if pd.isna(row.personen):
                assert true <= table.max_unpublished
            else:
                assert true >= K
                assert abs(row.personen - true) <= table.max_total_change
                assert row.personen % rel.rule.rundungsbasis == 0


def test_empty_and_suppressed_look_alike_and_rows_are_fixed(rel):
    """An area with 1–4 persons and one with none are the same empty row; year rows are fixed."""
    pub = rel.publication("alle")
    areas = pub.planungsraeume()
    assert len(areas) == len(rel.geo.areas)
    index = rel.index
    true = np.array([len(np.unique(index.person[index.area == a])) for a in range(len(areas))])
    few, none = areas.iloc[np.flatnonzero((true > 0) & (true < K))[0]], areas.iloc[
        np.flatnonzero(true == 0)[0]]
    for column in ("veroeffentlicht", "personen", "meldungen", "hinweis", "rate_je_1000"):
        assert _same_cell(few[column], none[column]), column
    for choice in rel.auswahlen:
        years = rel.publication(choice).jahre_region()
        assert years["jahr"].tolist() == list(YEARS)
        assert len(rel.publication(choice).jahre_je_planungsraum()) == len(areas) * len(YEARS)
    assert not (pub.gitter(100)["personen"] < K).any()


def _same_cell(a, b) -> bool:
    if isinstance(a, (bool, np.bool_, str)):
        return a == b
    return _same(a, b) if not isinstance(a, float) else (np.isnan(a) and np.isnan(b)) or a == b


def test_ranks_come_from_published_values_ties_by_code(rel):
    for pub in rel.publications():
        for table, group in ((pub.icf_region(), None), (pub.icf_je_planungsraum(), "pr_id")):
            parts = [table] if group is None else [g for _, g in table.groupby(group)]
            for part in parts:
                expected = part.sort_values(["personen", "icf_code"], ascending=[False, True])
                assert part.sort_values("rang")["icf_code"].tolist() == \
                    expected["icf_code"].tolist()


def test_person_keys_are_normalised_before_counting(geo):
    spellings = ["P-7F3A21", "p-7f3a21", "P-7F3A21\u200b", " P\u20117F3A21 ", "Ｐ－７Ｆ３Ａ２１"]
    reports = [Report(key, 5, 10.0 * i, 0.0) for i, key in enumerate(spellings)]
    reports += [Report("P-000002", 5), Report("P-000003", 5)]
    rule = DisclosureRule.intern(begruendung="Prüfung der Zählung von Personenschlüsseln im Test",
                                 angefordert_von="Erika Mustermann")
    rel = make_release(geo, frame(geo, reports), rule=rule)
    assert rel.publication("alle").region()["personen"].iloc[0] == 3
    assert rel.index.n_persons == 3


def test_record_keys_depend_on_the_salt_and_not_on_the_spelling(geo, base):
    a = make_release(geo, base, salt="geheim-1")
    b = make_release(geo, base, salt="geheim-2")
    again = make_release(geo, base, salt="geheim-1")
    np.testing.assert_array_equal(a.index.person_key, again.index.person_key)
    assert (a.index.person_key != b.index.person_key).mean() > 0.9
    assert every_value(a) == every_value(again)


def test_internal_mode_needs_a_sentence_and_a_name_and_labels_every_output(geo, base, tmp_path):
    with pytest.raises(PrivacyError):
        DisclosureRule.intern(begruendung="x", angefordert_von="Erika Mustermann")
    with pytest.raises(PrivacyError):
        DisclosureRule.intern(begruendung="Fallkonferenz", angefordert_von="Erika Mustermann")
    with pytest.raises(PrivacyError):
        DisclosureRule.intern(begruendung="Fallkonferenz Burtscheid zur Abstimmung der Hilfen",
                              angefordert_von=" ")
    with pytest.raises(PrivacyError):
        DisclosureRule(min_personen=3, rundungsbasis=1, modus="intern")
    with pytest.raises(PrivacyError):
        DisclosureRule(min_personen=3, rundungsbasis=5, modus="öffentlich")
    reason = "Fallkonferenz Burtscheid am 12. Mai zur Abstimmung der Hilfen"
    rule = DisclosureRule.intern(begruendung=reason, angefordert_von="Erika Mustermann")
    assert rule.audit_eintrag() == {"modus": "intern", "begruendung": reason,
                                    "angefordert_von": "Erika Mustermann",
                                    "regel": rule.kennzeichnung}
    pub = make_release(geo, base, rule=rule).publication("alle")
    outputs = [pub.gitter(250), pub.planungsraeume(), pub.region(), pub.icf_je_planungsraum(),
               pub.jahre_region(), pub.strassen()]
    for out in outputs:
        assert out["geheimhaltung"].str.contains("Erika Mustermann").all()
        assert out["geheimhaltung"].str.contains(reason).all()
        assert out.attrs["intern_angefordert_von"] == "Erika Mustermann"
    import pyogrio

    path = tmp_path / "intern.gpkg"
    pub.export(path)
    rule_row = pyogrio.read_dataframe(path, layer="geheimhaltung_regel").iloc[0]
    assert rule_row["angefordert_von"] == "Erika Mustermann" and rule_row["begruendung"] == reason
    assert "INTERNER MODUS" in rule.beschreibung()


def test_publish_gives_the_release_values_for_a_choice(geo, base, rel):
    for barrier_filter, choice in ((BarrierFilter(), ("alle", None)),
                                   (BarrierFilter(beeintraechtigung=("Sehen",)), ("gruppe:Sehen", None)),
                                   (BarrierFilter(codes=("e540",), von=pd.Timestamp("2024-01-01").date(),
                                                  bis=pd.Timestamp("2024-12-31").date()),
                                    ("code:e540", 2024))):
        assert choice_of_filter(barrier_filter) == choice
        single = publish(base, boundary=geo.boundary, areas=geo.areas, population=geo.population,
                         barrier_filter=barrier_filter)
        released = rel.publication(*choice)
        pd.testing.assert_frame_equal(single.planungsraeume().drop(columns="geometry"),
                                      released.planungsraeume().drop(columns="geometry"))
        pd.testing.assert_frame_equal(single.icf_region(), released.icf_region())
        assert single.region_total == released.region_total
    assert choice_of_filter(BarrierFilter(min_schweregrad=3)) is None
    assert choice_of_filter(BarrierFilter(codes=("e150", "e120"))) is None
    with pytest.raises(PrivacyError):
        rel.for_filter(BarrierFilter(kapitel=("e1",), beeintraechtigung=("Sehen",)))


def test_publish_does_not_change_its_inputs(geo, base):
    before = (base.copy(), geo.areas.copy())
    publish(base, boundary=geo.boundary, areas=geo.areas)
    pd.testing.assert_frame_equal(base, before[0])
    pd.testing.assert_frame_equal(geo.areas, before[1])


def test_raw_counts_cannot_reach_an_output(geo, base):
    grid = gpd.GeoDataFrame({"gitter_id": ["x"], "personen": [3]}, geometry=base.geometry[:1],
                            crs=base.crs)
    for call in (require_published, lambda g: kernel_density(g, geo.boundary),
                 lambda g: getis_ord(g, geo.boundary, 250)):
        with pytest.raises(PrivacyError):
            call(grid)


def test_density_raster_is_made_of_published_cells_only(geo, rel):
    grid = rel.publication("alle").gitter(250)
    surface = kernel_density(grid, geo.boundary, bandwidth_m=300, pixel_m=100)
    row, col = np.unravel_index(np.argmax(surface.values), surface.values.shape)
    x = surface.transform.c + (col + 0.5) * 100
    y = surface.transform.f - (row + 0.5) * 100
    centres = grid.geometry.centroid
    d2 = (centres.x - x) ** 2 + (centres.y - y) ** 2
    expected = (grid["personen"] * np.exp(-d2 / (2 * 300**2))).sum() / (2 * np.pi * 300**2) * 1e6
    assert surface.values[row, col] == pytest.approx(expected, rel=1e-4)


def test_filters_select_what_they_say(base):
    chosen = BarrierFilter(beeintraechtigung=("Hören",), min_schweregrad=2).apply(base)
    assert len(chosen) and set(chosen["beeintraechtigung"]) == {"Hören"}
    assert (chosen["schweregrad"].astype(float) >= 2).all()
    window = BarrierFilter(kapitel=("e1",), von=pd.Timestamp("2024-01-01").date(),
                           bis=pd.Timestamp("2024-12-31").date()).apply(base)
    assert window["datum"].str.startswith("2024").all() and set(window["icf_kapitel"]) == {"e1"}
    assert set(GROUPS) >= set(base["beeintraechtigung"])
