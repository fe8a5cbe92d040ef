"""Rules of the command line on real files: key columns are never guessed, scenario edits are
checked when saved, and every error of the project's hierarchy ends with a German message and
status 2 – with nothing stored."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import geopandas as gpd
import pyogrio
import pytest

import cli
from layers.store import GeoPackageStore

pytestmark = pytest.mark.slow

STAEDTEREGION = [("05334002", "1", "Stadt Aachen"), ("05334004", "2", "Nord"),
                 ("05334008", "2", "Nord"), ("05334012", "3", "Ost"), ("05334016", "2", "Nord"),
                 ("05334020", "4", "Eifel"), ("05334024", "4", "Eifel"),
                 ("05334028", "4", "Eifel"), ("05334032", "3", "Ost"), ("05334036", "2", "Nord")]


@pytest.fixture()
def cli_store(aachen_store_copy, monkeypatch):
    """Point the CLI's region 'aachen' at a private store copy."""
    monkeypatch.setattr("layers.store.region_store_path", lambda name: aachen_store_copy.path)
    return aachen_store_copy


def _sha(store: GeoPackageStore) -> str:
    return hashlib.sha256(store.path.read_bytes()).hexdigest()


def _areas(store: GeoPackageStore) -> gpd.GeoDataFrame:
    return GeoPackageStore(store.path, store.crs).read_layer("planungsraeume")


def test_assignment_with_a_name_column_and_pr_nr_is_refused_until_the_key_is_named(
        cli_store, tmp_path, capsys):
    # "Planungsraum" holds the names, "PR_Nr" the numbers: both look like the area key.
    table = tmp_path / "zuordnung.csv"
    lines = ["AGS;Planungsraum;PR_Nr"] + [f"{ags};{name};{nr}" for ags, nr, name in STAEDTEREGION]
    table.write_text("\n".join(lines) + "\n", encoding="cp1252")
    before = _sha(cli_store)
    for extra in ([], ["--pruefen"]):
        assert cli.main(["planungsraeume", "zuordnung", str(table), *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith("Fehler: Datei 'zuordnung.csv': Mehrere Spalten kommen für die "
                              "Planungsraum-Nummer in Frage: 'Planungsraum', 'PR_Nr'.")
        assert "--raum-spalte" in err and "Traceback" not in err
    assert _sha(cli_store) == before

    assert cli.main(["planungsraeume", "zuordnung", str(table), "--raum-spalte", "PR_Nr",
                     "--name-spalte", "Planungsraum"]) == 0
    assert "4 Planungsräume gespeichert" in capsys.readouterr().out
    stored = _areas(cli_store)
    assert stored["pr_id"].tolist() == ["1", "2", "3", "4"]
    assert stored["name"].tolist() == ["Stadt Aachen", "Nord", "Ost", "Eifel"]


def test_area_file_with_a_name_column_and_pr_nr_is_refused_until_the_key_is_named(
        cli_store, tmp_path, capsys):
    own = cli_store.read_layer("planungsraeume")
    path = tmp_path / "stadtteile.geojson"
    frame = gpd.GeoDataFrame({"Planungsraum": own["name"].to_numpy(),
                              "PR_Nr": own["pr_id"].str.replace("PR", "").to_numpy()},
                             geometry=own.geometry.to_numpy(), crs=own.crs).to_crs(4326)
    pyogrio.write_dataframe(frame, path, driver="GeoJSON")
    before = _sha(cli_store)
    assert cli.main(["planungsraeume", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Mehrere Spalten kommen für die Planungsraum-Nummer in Frage: 'PR_Nr', " \
           "'Planungsraum'" in err and "--schluessel" in err
    assert _sha(cli_store) == before

    assert cli.main(["planungsraeume", "import", str(path), "--schluessel", "PR_Nr", "--name",
                     "Planungsraum"]) == 0
    stored = _areas(cli_store)
    assert stored["pr_id"].tolist() == own["pr_id"].str.replace("PR", "").tolist()
    assert stored["name"].tolist() == own["name"].tolist()


def test_scenario_with_an_unknown_or_retired_offer_is_refused_when_saved(cli_store, tmp_path,
                                                                          capsys):
    from layers.angebote.edit import retire_service

    offers = cli_store.read_layer("angebote")
    retired = offers[offers["typ"] == "EUTB"].iloc[0]
    retire_service(cli_store, str(retired["angebot_id"]), expected_version=int(retired["version"]),
                   gueltig_bis=date.today() - timedelta(days=1))
    edits = tmp_path / "aenderungen.csv"
    edits.write_text("aktion;angebot_id;typ;name;lon;lat\n"
                     "neu;;EUTB;EUTB Außenstelle Nord;6,0950;50,7850\n"
                     "schließen;gibt-es-nicht;;;;\n"
                     f"verschieben;{retired['angebot_id']};;;6,0700;50,7700\n", encoding="utf-8")
    before = _sha(cli_store)
    assert cli.main(["szenario", "speichern", "--region", "aachen", "--name", "Nord",
                     "--datei", str(edits)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler: Das Szenario 'Nord' enthält ungültige Änderungen und wurde "
                          "nicht gespeichert.")
    assert "Das Angebot 'gibt-es-nicht' gibt es im Angebotsverzeichnis nicht" in err
    assert f"Das Angebot '{retired['angebot_id']}' gibt es im Angebotsverzeichnis nicht" in err
    assert _sha(cli_store) == before
    assert cli.main(["szenario", "liste", "--region", "aachen"]) == 0
    assert "Keine Szenarien gespeichert." in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["planungsraeume", "kennzahlen", "--stichtag", "31.03.2025"],
     "'31.03.2025' ist kein Datum (--stichtag)"),
    (["barrieren", "planungsraeume", "--von", "2025-13-01"], "'2025-13-01' ist kein Datum (--von)"),
    (["analyse", "erreichbarkeit", "--unbekannt", "optimistisch", "--profil", "einrad"],
     "Das Fortbewegungsprofil 'einrad' gibt es nicht"),
    (["2sfca", "--typ", "EUTB", "--nachfrage", "65plus", "--minuten", "-5"], "größer als 0 Minuten"),
    (["szenario", "speichern", "--name", "Ohne Datei"], "fehlt die Datei mit den Änderungen"),
    (["szenario", "zeigen", "--name", "Gibt es nicht"], "Gibt es nicht"),
    (["planungsraeume", "tabelle", "fehlt.csv"], "fehlt.csv"),
    (["import", "angebote", "fehlt.csv", "--pruefen"], "fehlt.csv"),
    (["kandidaten", "--region", "atlantis", "--out", "k.csv"], "atlantis"),
])
def test_every_command_reports_errors_in_german_with_status_2(cli_store, argv, message, capsys,
                                                              tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = _sha(cli_store)
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("Fehler: ") and message in captured.err
    assert "Traceback" not in captured.err
    assert _sha(cli_store) == before
