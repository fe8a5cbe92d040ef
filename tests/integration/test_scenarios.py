"""Scenarios: edits, storage, file import, and the acceptance test "deltas add up"."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from analyses.accessibility import capacity_supply, service_ratios
from analyses.areas import cells_to_areas
from analyses.scenarios import apply_edits, compare_scenario
from layers.errors import AnalysisError, InputValidationError, LayerNotFoundError
from layers.szenarien import (
    Scenario,
    ScenarioEdit,
    delete_scenario,
    list_scenarios,
    load_scenario,
    read_edit_table,
    save_scenario,
)
from tests.tools.paths import DATA as TEST_DATA

DATA = TEST_DATA / "szenarien"


def scaffold_euclidean_coverage(cells: gpd.GeoDataFrame, radius_m: float):
    """TEST SCAFFOLDING ONLY, a stand-in for the network coverage of the reachability analysis:
    a cell counts as covered if its centre lies within ``radius_m`` (straight line) of a service."""
    cx = cells.geometry.centroid.x.to_numpy()
    cy = cells.geometry.centroid.y.to_numpy()

    def coverage(services: gpd.GeoDataFrame) -> pd.Series:
        if len(services) == 0:
            return pd.Series(False, index=cells.index)
        sx, sy = services.geometry.x.to_numpy(), services.geometry.y.to_numpy()
        nearest = np.sqrt(((cx[:, None] - sx[None]) ** 2 + (cy[:, None] - sy[None]) ** 2).min(axis=1))
        return pd.Series(nearest <= radius_m, index=cells.index)

    return coverage


@pytest.fixture(scope="module")
def aachen_layers(aachen_store):
    return {
        "cells": aachen_store.read_layer("bevoelkerung"),
        "services": aachen_store.read_layer("angebote"),
        "areas": aachen_store.read_layer("planungsraeume"),
        "region": aachen_store.read_layer("region"),
    }


def _edits(services: gpd.GeoDataFrame) -> list[ScenarioEdit]:
    eutb = services[services["typ"] == "EUTB"]
    first, second = eutb.iloc[0], eutb.iloc[1]
    return [
        ScenarioEdit("neu", typ="EUTB", name="EUTB Nord (Szenario)", x=295200.0, y=5629900.0,
                     kapazitaet_std_woche=19.5, stufenloser_zugang="ja"),
        ScenarioEdit("neu", typ="EUTB", name="EUTB West (Szenario)", x=291800.0, y=5627400.0),
        ScenarioEdit("verschieben", angebot_id=str(first["angebot_id"]),
                     x=first.geometry.x + 900.0, y=first.geometry.y - 400.0),
        ScenarioEdit("schliessen", angebot_id=str(second["angebot_id"])),
    ]


@pytest.mark.slow
def test_deltas_add_up_on_the_aachen_grid(aachen_layers):
    cells, services, areas = aachen_layers["cells"], aachen_layers["services"], aachen_layers["areas"]
    cells_before, services_before = cells.copy(), services.copy()
    cell_areas = cells_to_areas(cells, areas)
    coverage = scaffold_euclidean_coverage(cells, 1000.0)
    result = compare_scenario(
        services, _edits(services), cells, cell_areas, coverage, types=["EUTB"], area_ids=areas["pr_id"]
    )
    table = result.je_planungsraum
    assert len(table) == len(areas)
    # The acceptance criterion: covered(after) - covered(before) = sum of the per-area deltas.
    assert result.differenz == pytest.approx(table["differenz"].sum(), abs=1e-6)
    assert result.differenz_65 == pytest.approx(table["differenz_65"].sum(), abs=1e-6)
    # ... and the totals are the real ones, computed independently.
    eutb = services[services["typ"] == "EUTB"]
    expected_before = cells["einwohner"][coverage(eutb).to_numpy()].sum()
    assert result.versorgt_vorher == pytest.approx(expected_before)
    assert table["einwohner"].sum() == pytest.approx(cells["einwohner"].sum())
    # The scenario really changes something in both directions.
    assert result.differenz != 0
    changes = set(result.zellen["aenderung"])
    assert {"neu versorgt", "nicht mehr versorgt"} <= changes
    assert len(result.angebote_nachher) == len(eutb) + 1  # two new, one closed
    shown = result.table(areas.set_index("pr_id")["name"])
    assert shown.loc["gesamt", "Differenz"] == pytest.approx(shown["Differenz"].iloc[:-1].sum())
    assert shown.loc["PR17", "Planungsraum"] == "Rothe Erde"
    pd.testing.assert_frame_equal(cells, cells_before)
    pd.testing.assert_frame_equal(services, services_before)


@pytest.mark.slow
def test_two_step_fca_before_and_after(aachen_layers):
    cells, services, areas = aachen_layers["cells"], aachen_layers["services"], aachen_layers["areas"]
    cell_areas = cells_to_areas(cells, areas)
    cx, cy = cells.geometry.centroid.x.to_numpy(), cells.geometry.centroid.y.to_numpy()

    def scaffold_travel_times(offer: gpd.GeoDataFrame) -> pd.DataFrame:
        """TEST SCAFFOLDING ONLY: straight-line minutes at 1.2 m/s."""
        minutes = np.hypot(cx[:, None] - offer.geometry.x.to_numpy()[None],
                           cy[:, None] - offer.geometry.y.to_numpy()[None]) / 72.0
        i, j = np.nonzero(minutes <= 15)
        return pd.DataFrame({"herkunft_id": cells["gitter_id"].to_numpy()[i],
                             "ziel_id": offer["angebot_id"].to_numpy()[j], "minuten": minutes[i, j]})

    result = compare_scenario(
        services, _edits(services), cells, cell_areas, scaffold_euclidean_coverage(cells, 1080.0),
        types=["EUTB"], area_ids=areas["pr_id"], travel_times=scaffold_travel_times, max_minutes=15,
    )
    access = result.erreichbarkeit
    assert access is not None and "Region" in access.index
    assert len(access) == len(areas) + 1
    # The regional mean of hours per 1,000 inhabitants is all hours handed out over all people.
    demand = pd.Series(cells["einwohner"].to_numpy(float), index=cells["gitter_id"].to_numpy())
    for label, offer in (("vorher", result.angebote_vorher), ("nachher", result.angebote_nachher)):
        supply = capacity_supply(offer)["angebot"]
        ratios = service_ratios(scaffold_travel_times(offer), demand, supply, max_minutes=15)
        handed_out = supply[~ratios["ohne_nachfrage"]].sum()
        assert access.loc["Region", label] == pytest.approx(1000 * handed_out / demand.sum())
    assert access["differenz"].abs().sum() > 0


def test_apply_edits_errors_name_each_edit(aachen_layers):
    services = aachen_layers["services"]
    edits = [
        ScenarioEdit("schliessen", angebot_id="gibt-es-nicht"),
        ScenarioEdit("neu", angebot_id=str(services["angebot_id"].iloc[0]), typ="EUTB", x=1.0, y=2.0),
        ScenarioEdit("schliessen", angebot_id="syn-eutb-02"),
        ScenarioEdit("verschieben", angebot_id="syn-eutb-02", x=1.0, y=2.0),
    ]
    with pytest.raises(AnalysisError) as info:
        apply_edits(services, edits)
    text = str(info.value)
    assert "Änderung 1" in text and "gibt-es-nicht" in text
    assert "Änderung 2" in text and "schon vergeben" in text
    assert "Änderung 4" in text and "bereits geschlossen" in text


def test_apply_edits_new_offer_schema(aachen_layers):
    services = aachen_layers["services"]
    after = apply_edits(services, [ScenarioEdit("neu", typ="Pflegestützpunkt", x=295000.0, y=5628000.0)])
    new = after[after["quelle"] == "szenario"]
    assert len(after) == len(services) + 1 and len(new) == 1
    assert new["angebot_id"].iloc[0] == "szenario-1"
    assert new["gruppe"].iloc[0] == "Beratung"
    assert list(after.columns) == list(services.columns)


def test_read_edit_files(aachen_store, aachen_layers):
    region = aachen_layers["region"]
    edits = read_edit_table(DATA / "gut_utf8.csv", crs=aachen_store.crs, region=region)
    assert [e.aktion for e in edits] == ["neu", "verschieben", "schliessen"]
    assert edits[0].kapazitaet_std_woche == 19.5 and edits[0].stufenloser_zugang == "ja"
    assert region.geometry.iloc[0].contains(gpd.points_from_xy([edits[0].x], [edits[0].y])[0])
    cp1252 = read_edit_table(DATA / "gut_cp1252_rechtswert.csv", crs=aachen_store.crs, region=region)
    assert cp1252[0].typ == "Pflegestützpunkt" and cp1252[0].x == 295500.0
    assert cp1252[1].aktion == "schliessen"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unbekannte_aktion.csv", "Zeile 2, Spalte 'aktion': Die Aktion 'eroeffnen2' ist unbekannt"),
        ("unbekannter_typ.csv", "Spalte 'typ': Der Angebotstyp 'Beratungsbus' ist unbekannt"),
        ("neu_ohne_koordinaten.csv", "Zeile 2, Spalte 'lon': Die Koordinate fehlt"),
        ("lon_lat_vertauscht.csv", "Länge und Breite sind vertauscht"),
        ("kapazitaet_text.csv", "Spalte 'kapazitaet_std_woche': 'viel' ist keine Zahl"),
        ("verschieben_ohne_id.csv", "Für 'verschieben' fehlt die angebot_id"),
        ("ohne_spalte_aktion.csv", "fehlt die Spalte 'aktion'"),
        ("ausserhalb_der_region.csv", "liegt außerhalb der Region"),
    ],
)
def test_bad_edit_files_give_german_messages(aachen_store, aachen_layers, name, expected):
    with pytest.raises(InputValidationError) as info:
        read_edit_table(DATA / name, crs=aachen_store.crs, region=aachen_layers["region"])
    assert expected in str(info.value)
    assert name in str(info.value)


def test_save_load_list_delete(aachen_store_copy):
    store = aachen_store_copy
    assert list_scenarios(store).empty
    scenario = Scenario(
        "EUTB Nord", "Zwei neue Außenstellen",
        (ScenarioEdit("neu", typ="EUTB", name="Außenstelle", x=295200.0, y=5629900.0, kapazitaet_std_woche=19.5),
         ScenarioEdit("schliessen", angebot_id="syn-eutb-02")),
    )
    save_scenario(store, scenario)
    assert load_scenario(store, "EUTB Nord") == scenario
    with pytest.raises(InputValidationError, match="gibt es schon"):
        save_scenario(store, scenario)
    changed = Scenario("EUTB Nord", "nur schließen", (ScenarioEdit("schliessen", angebot_id="syn-eutb-01"),))
    save_scenario(store, changed, overwrite=True)
    assert load_scenario(store, "EUTB Nord") == changed
    save_scenario(store, Scenario("Leer"))
    listing = list_scenarios(store)
    assert listing["name"].tolist() == ["EUTB Nord", "Leer"]
    assert listing["aenderungen"].tolist() == [1, 0]
    delete_scenario(store, "Leer")
    assert list_scenarios(store)["name"].tolist() == ["EUTB Nord"]
    with pytest.raises(LayerNotFoundError, match="Gespeicherte Szenarien: EUTB Nord"):
        load_scenario(store, "Leer")
    audit = store.read_layer("_aenderungsprotokoll")
    assert audit["aktion"].tolist() == ["szenario_gespeichert", "szenario_ueberschrieben",
                                        "szenario_gespeichert", "szenario_geloescht"]


def test_invalid_scenario_is_not_saved(aachen_store_copy):
    store = aachen_store_copy
    bad = Scenario("Kaputt", "", (ScenarioEdit("neu", typ="EUTB"), ScenarioEdit("abreißen")))
    with pytest.raises(InputValidationError) as info:
        save_scenario(store, bad)
    assert "Änderung 1: Für 'neu' fehlt der (neue) Standort" in str(info.value)
    assert "Änderung 2: Die Aktion 'abreißen' ist unbekannt" in str(info.value)
    assert list_scenarios(store).empty
    with pytest.raises(InputValidationError, match="1 bis 80 Zeichen"):
        save_scenario(store, Scenario("  "))


@pytest.mark.slow
def test_scenarios_survive_a_rebuild(aachen_store_copy, aachen_config):
    from layers.build import build_region

    scenario = Scenario(
        "Überleben", "Neubau darf Szenarien nicht verlieren",
        (ScenarioEdit("neu", typ="KSL", name="KSL Süd", x=295500.0, y=5626500.0),),
    )
    save_scenario(aachen_store_copy, scenario)
    result = build_region(aachen_config, force=True, target=aachen_store_copy.path)
    assert result.rebuilt
    assert load_scenario(aachen_store_copy, "Überleben") == scenario


def test_scenario_commands(aachen_store, tmp_path, monkeypatch, capsys):
    import shutil

    from cli import main
    from layers import settings

    (tmp_path / "regions").mkdir()
    shutil.copyfile(aachen_store.path, tmp_path / "regions" / "aachen.gpkg")
    monkeypatch.setattr(settings, "cache_dir", tmp_path)
    assert main(["szenario", "liste", "--region", "aachen"]) == 0
    assert "Keine Szenarien" in capsys.readouterr().out
    assert main(["szenario", "speichern", "--region", "aachen", "--name", "Nord",
                 "--datei", str(DATA / "gut_utf8.csv"), "--beschreibung", "Test"]) == 0
    assert "3 Änderungen gespeichert" in capsys.readouterr().out
    assert main(["szenario", "zeigen", "--region", "aachen", "--name", "Nord"]) == 0
    shown = capsys.readouterr().out
    assert "neues Angebot: EUTB Außenstelle Nord" in shown and "Angebot geschlossen: syn-eutb-02" in shown
    assert main(["szenario", "speichern", "--region", "aachen", "--name", "Nord",
                 "--datei", str(DATA / "gut_utf8.csv")]) == 2
    assert "gibt es schon" in capsys.readouterr().err
    assert main(["szenario", "speichern", "--region", "aachen", "--name", "Kaputt",
                 "--datei", str(DATA / "unbekannter_typ.csv")]) == 2
    assert "Beratungsbus" in capsys.readouterr().err
    assert main(["szenario", "liste", "--region", "aachen"]) == 0
    assert capsys.readouterr().out.startswith("Nord: 3 Änderungen")
    assert main(["szenario", "loeschen", "--region", "aachen", "--name", "Nord"]) == 0
    assert main(["szenario", "zeigen", "--region", "aachen", "--name", "Nord"]) == 2
    assert main(["kandidaten", "--region", "aachen", "--out", str(tmp_path / "k.csv")]) == 0
    exported = (tmp_path / "k.csv").read_text(encoding="utf-8-sig").splitlines()
    assert exported[0] == "kandidat_id;name;art;quelle;lon;lat"
    assert len(exported) > 200
    # planners can edit the export and load it back as their own list
    from layers.kandidaten import read_candidate_table

    again = read_candidate_table(tmp_path / "k.csv", crs=aachen_store.crs, region=aachen_store.read_layer("region"))
    assert len(again) == len(exported) - 1


@pytest.mark.slow
@pytest.mark.parametrize("profil", ["rollstuhl", "fuss"])
def test_deltas_add_up_on_the_network(aachen, aachen_layers, profil):
    """The acceptance criterion on network travel times (#3's nearest_service), checked against
    an independent recount with analyses.network.search.nearest for the before and after sets."""
    from analyses.network.search import nearest
    from planungsraeume.frage import Question
    from planungsraeume.netz import load_graph
    from planungsraeume.versorgung import compare_on_network

    aachen_store = aachen.store
    services, areas = aachen_layers["services"], aachen_layers["areas"]
    services_before = services.copy()
    edits = _edits(services)
    result = compare_on_network(aachen, Question.make(profil=profil, minuten=15), edits)
    table = result.je_planungsraum
    assert set(areas["pr_id"]) <= set(table.index)
    # covered(after) - covered(before) = sum of the per-area deltas (all and 65+)
    assert result.differenz == pytest.approx(table["differenz"].sum(), abs=1e-6)
    assert result.differenz_65 == pytest.approx(table["differenz_65"].sum(), abs=1e-6)
    assert table["einwohner"].sum() == pytest.approx(aachen_layers["cells"]["einwohner"].sum())
    # the totals are the real network figures
    graph = load_graph(aachen_store, profil)
    cells = aachen.cells()
    for label, offers, total, total_65 in (
        ("vorher", services[services["typ"] == "EUTB"], result.versorgt_vorher, result.versorgt_65_vorher),
        ("nachher", apply_edits(services, edits).query("typ == 'EUTB'"), result.versorgt_nachher,
         result.versorgt_65_nachher),
    ):
        travel = nearest(graph, cells, offers, ziel_id="angebot_id")
        hit = ((travel["status"] == "erreichbar") & (travel["minuten"] <= 15)).to_numpy()
        assert total == pytest.approx(cells["einwohner"].to_numpy()[hit].sum()), label
        assert total_65 == pytest.approx(cells["alter_65_plus"].to_numpy()[hit].sum()), label
        assert total > 0
    changes = set(result.zellen["aenderung"])
    assert {"neu versorgt", "nicht mehr versorgt"} <= changes
    assert result.differenz != 0
    # 2SFCA before/after on the network: all supply of offers with demand is handed out.
    access = result.erreichbarkeit
    assert access is not None and access["differenz"].abs().sum() > 0
    for label, offers in (("vorher", result.angebote_vorher), ("nachher", result.angebote_nachher)):
        supply = capacity_supply(offers)["angebot"]
        assert access.loc["Region", label] == pytest.approx(
            1000 * supply.sum() / cells["einwohner"].sum())
    pd.testing.assert_frame_equal(services, services_before)


def test_network_comparison_needs_a_type(aachen):
    from planungsraeume.frage import Question
    from planungsraeume.versorgung import compare_on_network

    on_foot = Question.make(profil="fuss", minuten=15)
    with pytest.raises(AnalysisError, match="keine Änderung"):
        compare_on_network(aachen, on_foot, [])
    with pytest.raises(AnalysisError, match="Unbekannter Angebotstyp: Beratungsbus"):
        compare_on_network(aachen, on_foot.with_(angebote="typ:Beratungsbus"), [])


def test_closing_every_offer_covers_nobody(aachen, aachen_layers):
    from planungsraeume.frage import Question
    from planungsraeume.versorgung import compare_on_network

    eutb = aachen_layers["services"].query("typ == 'EUTB'")
    edits = [ScenarioEdit("schliessen", angebot_id=str(i)) for i in eutb["angebot_id"]]
    result = compare_on_network(aachen, Question.make(profil="rollstuhl", minuten=15), edits)
    assert result.versorgt_nachher == 0 and result.versorgt_vorher > 0
    assert result.differenz == pytest.approx(-result.versorgt_vorher)
    assert result.erreichbarkeit is not None
    assert (result.erreichbarkeit["nachher"] == 0).all()


def test_edit_table_reads_back_unchanged(aachen_store, aachen_layers, tmp_path):
    from layers.szenarien import edit_table

    first = aachen_layers["services"].query("typ == 'EUTB'").iloc[0]
    edits = [
        *_edits(aachen_layers["services"])[:2],
        ScenarioEdit("verschieben", angebot_id=str(first["angebot_id"]), x=first.geometry.x - 300.0,
                     y=first.geometry.y + 200.0),
        ScenarioEdit("schliessen", angebot_id="syn-eutb-02"),
    ]
    table = edit_table(edits, aachen_store.crs)
    path = tmp_path / "szenario.csv"
    # the app's download format: semicolon, decimal comma, UTF-8 with BOM
    table.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    again = read_edit_table(path, crs=aachen_store.crs, region=aachen_layers["region"])
    assert [e.aktion for e in again] == [e.aktion for e in edits]
    assert [e.angebot_id for e in again] == [e.angebot_id for e in edits]
    for a, b in zip(again, edits, strict=True):
        if b.x is not None:
            assert a.x == pytest.approx(b.x, abs=0.2) and a.y == pytest.approx(b.y, abs=0.2)
        assert a.kapazitaet_std_woche == b.kapazitaet_std_woche
        assert a.name == b.name and a.typ == b.typ
