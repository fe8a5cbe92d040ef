"""2SFCA and location suggestions on network travel times, and their commands."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from analyses.accessibility import capacity_supply
from analyses.network.search import nearest
from cli import main
from layers import settings
from layers.angebote.gueltigkeit import active_services
from layers.errors import AnalysisError
from layers.formatting import de_number
from planungsraeume.frage import Question
from planungsraeume.netz import load_graph
from planungsraeume.versorgung import accessibility, suggest_sites
from tests.tools.paths import DATA as TEST_DATA


def _independent_2sfca(region, profil, offers, minutes):
    """Classic 2SFCA from one nearest-search per offer (not the travel-time matrix)."""
    graph = load_graph(region.store, profil)
    cells = region.cells()
    people = cells["einwohner"].to_numpy(float)
    supply = capacity_supply(offers)["angebot"]
    reach = {}
    for _, offer in offers.iterrows():
        one = offers[offers["angebot_id"] == offer["angebot_id"]]
        travel = nearest(graph, cells, one, ziel_id="angebot_id")
        reach[offer["angebot_id"]] = ((travel["status"] == "erreichbar")
                                      & (travel["minuten"] <= minutes)).to_numpy()
    score = np.zeros(len(cells))
    for offer_id, inside in reach.items():
        demand = people[inside].sum()
        if demand > 0:
            score[inside] += supply[offer_id] / demand
    return cells, score * 1000


@pytest.mark.parametrize("profil", ["fuss", "rollstuhl"])
def test_2sfca_on_the_network_equals_an_independent_count(aachen, profil):
    services = active_services(aachen.store.read_layer("angebote"))
    types = ["EUTB", "Pflegestützpunkt", "KSL"]
    offers = services[services["typ"].isin(types)]
    result = accessibility(aachen, Question.make(typ=types, profil=profil, minuten=20))
    cells, expected = _independent_2sfca(aachen, profil, offers, 20)
    assert result.zellen.index.equals(cells.index)
    np.testing.assert_allclose(result.zellen["je_einheit"].to_numpy(), expected, rtol=1e-9, atol=1e-12)
    assert (expected > 0).sum() > 100  # a real catchment, the test can fail
    # per area: demand-weighted means; the region row is all supply handed out over all people
    table = result.je_planungsraum
    areas = aachen.areas()
    assert set(areas["pr_id"]) <= set(table.index) and table.index[-1] == "Region"
    handed_out = result.angebote.loc[~result.angebote["ohne_nachfrage"], "angebot"].sum()
    assert table.loc["Region", "mittelwert"] == pytest.approx(1000 * handed_out / cells["einwohner"].sum())
    body = table.drop(index="Region")
    weighted = (body["mittelwert"].fillna(0) * body["nachfrage"]).sum() / body["nachfrage"].sum()
    assert weighted == pytest.approx(table.loc["Region", "mittelwert"])
    assert table.loc["PR17", "name"] == "Rothe Erde"
    assert "Beratungsstunden je Woche je 1.000 Einwohner" == result.einheit


def test_2sfca_with_decay_and_older_people(aachen):
    eutb = Question.make(typ="EUTB", profil="fuss", minuten=30)
    plain = accessibility(aachen, eutb)
    steps = accessibility(aachen, eutb, decay="stufen")
    older = accessibility(aachen, eutb, nachfrage="alter_65_plus")
    assert "Luo & Qi" in steps.verfahren and older.nachfrage == "Einwohner ab 65 Jahren"
    # the same supply spread over fewer people: more hours per 1,000 older people
    assert older.je_planungsraum.loc["Region", "mittelwert"] > plain.je_planungsraum.loc["Region", "mittelwert"]
    assert not np.allclose(steps.zellen["je_einheit"], plain.zellen["je_einheit"])
    with pytest.raises(AnalysisError, match="Unbekannter Angebotstyp"):
        accessibility(aachen, eutb.with_(angebote="typ:Beratungsbus"))
    with pytest.raises(AnalysisError, match="Unbekannte Nachfrage"):
        accessibility(aachen, eutb, nachfrage="kinder")


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mclp", "p-median"])
def test_three_eutb_sites_on_the_network(aachen, model):
    """The acceptance instance (EUTB, wheelchair, 15 min, k = 3) on network times, recounted
    independently with nearest() over the existing offers plus the suggested sites."""
    from layers.kandidaten import candidate_sites_from_store

    aachen_store = aachen.store
    plan = suggest_sites(aachen, Question.make(typ="EUTB", profil="rollstuhl", minuten=15), 3,
                         modell=model)
    sites = plan.standorte
    assert len(sites) == 3 and sites["rang"].tolist() == [1, 2, 3]
    result = plan.vorschlag
    if model == "mclp":
        assert result.optimal
    assert sites["neu_versorgt_einwohner"].sum() == pytest.approx(result.versorgt_nachher - result.versorgt_vorher)
    assert plan.je_planungsraum["neu_versorgt"].sum() == pytest.approx(sites["neu_versorgt_einwohner"].sum())
    graph = load_graph(aachen_store, "rollstuhl")
    cells = aachen.cells()
    services = active_services(aachen_store.read_layer("angebote"))
    existing = services[services["typ"] == "EUTB"][["angebot_id", "geometry"]]
    candidates = candidate_sites_from_store(aachen_store)
    chosen = candidates[candidates["kandidat_id"].isin(sites["kandidat_id"])]
    points = pd.concat([existing.rename(columns={"angebot_id": "id"}),
                        chosen[["kandidat_id", "geometry"]].rename(columns={"kandidat_id": "id"})],
                       ignore_index=True)
    people = cells["einwohner"].to_numpy(float)

    def covered(frame):
        travel = nearest(graph, cells, frame, ziel_id="id")
        return ((travel["status"] == "erreichbar") & (travel["minuten"] <= 15)).to_numpy()

    before = covered(points.iloc[: len(existing)])
    after = covered(points)
    assert result.versorgt_vorher == pytest.approx(people[before].sum())
    assert result.versorgt_nachher == pytest.approx(people[after].sum())
    assert result.versorgt_nachher > 4 * result.versorgt_vorher  # 2 offices → 5 offices
    assert sites["neu_versorgt_65_plus"].sum() == pytest.approx(
        cells["alter_65_plus"].to_numpy(float)[after & ~before].sum())


def test_sites_from_a_planners_list(aachen, tmp_path):
    from layers.kandidaten import read_candidate_table

    aachen_store = aachen.store
    path = tmp_path / "liste.csv"
    path.write_text("Name;lon;lat\nStadtteilbüro Nord;6,0950;50,7850\nBürgerhaus Ost;6,1100;50,7700\n"
                    "Pfarrheim West;6,0600;50,7720\n", encoding="utf-8")
    own = read_candidate_table(path, crs=aachen_store.crs, region=aachen_store.read_layer("region"))
    plan = suggest_sites(aachen, Question.make(typ="EUTB", profil="fuss", minuten=15), 2,
                         kandidaten=own)
    assert set(plan.standorte["name"]) <= set(own["name"])
    assert len(plan.standorte) <= 2 and plan.vorschlag.versorgt_nachher >= plan.vorschlag.versorgt_vorher


@pytest.fixture()
def cli_store(aachen_store, tmp_path, monkeypatch):
    (tmp_path / "regions").mkdir()
    shutil.copyfile(aachen_store.path, tmp_path / "regions" / "aachen.gpkg")
    monkeypatch.setattr(settings, "cache_dir", tmp_path)
    return tmp_path


@pytest.mark.slow
def test_sites_command(cli_store, capsys):
    out = cli_store / "vorschlag.csv"
    assert main(["standorte", "--region", "aachen", "--typ", "EUTB", "--profil", "rollstuhl",
                 "--minuten", "15", "--anzahl", "3", "--csv", str(out)]) == 0
    text = capsys.readouterr().out
    assert "3 weitere Angebote EUTB, Profil im Rollstuhl, 15 Minuten, Modell MCLP" in text
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    assert len(table) == 3
    for value in table["neu_versorgt_einwohner"]:
        assert de_number(value) in text
    assert main(["standorte", "--region", "aachen", "--typ", "Beratungsbus"]) == 2
    assert "Unbekannter Angebotstyp: Beratungsbus" in capsys.readouterr().err


@pytest.mark.slow
def test_scenario_compare_command(cli_store, capsys):

    data = TEST_DATA / "szenarien" / "gut_utf8.csv"
    assert main(["szenario", "speichern", "--region", "aachen", "--name", "Nord", "--datei", str(data)]) == 0
    capsys.readouterr()
    out = cli_store / "vergleich.csv"
    assert main(["szenario", "vergleichen", "--region", "aachen", "--name", "Nord", "--profil",
                 "rollstuhl", "--minuten", "15", "--csv", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Szenario 'Nord': 3 Änderungen – Angebote: EUTB; Profil im Rollstuhl; 15 Minuten" in text
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    total = table[table["Planungsraum-Nr."] == "gesamt"].iloc[0]
    assert total["Differenz"] == pytest.approx(
        table[table["Planungsraum-Nr."] != "gesamt"]["Differenz"].sum())
    assert f"Differenz gesamt: {'+' if total['Differenz'] > 0 else ''}{de_number(total['Differenz'])} Einwohner" in text
    assert "Region gesamt" in text and "2SFCA vorher" in text
    assert main(["szenario", "vergleichen", "--region", "aachen"]) == 2
    assert "fehlt der Name" in capsys.readouterr().err


def test_2sfca_command(cli_store, capsys):
    assert main(["2sfca", "--region", "aachen", "--typ", "EUTB", "--profil", "fuss",
                 "--minuten", "30", "--abnahme", "stufen"]) == 0
    text = capsys.readouterr().out
    assert "Angebot je Nachfrage (2SFCA): EUTB" in text and "Luo & Qi" in text
    assert "Region gesamt" in text and "PR17 Rothe Erde" in text
