"""The command-line block of the service directory and planning areas, on a store copy."""

from __future__ import annotations

import pandas as pd
import pytest

import cli
from layers import settings
from layers.store import GeoPackageStore

pytestmark = pytest.mark.slow


@pytest.fixture()
def cli_store(aachen_store_copy, monkeypatch):
    """Point the CLI's region 'aachen' at the private store copy."""
    monkeypatch.setattr("layers.store.region_store_path", lambda name: aachen_store_copy.path)
    return aachen_store_copy


def test_import_check_then_import_then_export(cli_store, tmp_path, capsys):
    path = tmp_path / "liste.csv"
    path.write_bytes("Name;Typ;Straße;Hnr\nEUTB Mitte;EUTB;Adalbertstr.;66\n"
                     "Unbekannt;Bäckerei;Adalbertstr.;66\n".encode("cp1252"))
    report = tmp_path / "bericht.csv"
    code = cli.main(["import", "angebote", str(path), "--region", "aachen", "--pruefen",
                     "--bericht", str(report)])
    out = capsys.readouterr().out
    assert code == 0 and "2 Zeilen gelesen, 1 gültig" in out and "nichts gespeichert" in out
    table = pd.read_csv(report, sep=";", encoding="utf-8-sig")
    assert table["Zeile"].tolist() == [3] and "Bäckerei" in table["Meldung"].iloc[0]

    code = cli.main(["import", "angebote", str(path), "--region", "aachen"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("Fehler:") and "Es wurde nichts gespeichert" in err

    code = cli.main(["import", "angebote", str(path), "--region", "aachen", "--modus", "gueltige"])
    assert code == 0 and "Gespeichert: 1 neu" in capsys.readouterr().out
    names = GeoPackageStore(cli_store.path, cli_store.crs).read_layer("angebote")["name"]
    assert "EUTB Mitte" in set(names)

    target = tmp_path / "export.csv"
    assert cli.main(["export", "angebote", "--out", str(target), "--format", "csv"]) == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "EUTB Mitte" in target.read_text(encoding="utf-8-sig")


def test_planning_area_commands(cli_store, tmp_path, capsys):
    table = tmp_path / "zuordnung.csv"
    table.write_text("AGS;Planungsraum;Planungsraum_Name\n05334002;1;Aachen\n05334004;2;Nord\n"
                     "05334008;2;Nord\n05334012;3;Ost\n05334016;2;Nord\n05334020;4;Eifel\n"
                     "05334024;4;Eifel\n05334028;4;Eifel\n05334032;3;Ost\n05334036;2;Nord\n",
                     encoding="utf-8")
    assert cli.main(["planungsraeume", "zuordnung", str(table), "--pruefen"]) == 0
    assert "4 Planungsräume geprüft: 0 Fehler" in capsys.readouterr().out
    assert cli.main(["planungsraeume", "zuordnung", str(table)]) == 0
    assert "4 Planungsräume gespeichert" in capsys.readouterr().out
    assert cli.main(["planungsraeume", "pruefen"]) == 0
    values = tmp_path / "quoten.csv"
    values.write_text("Nr;Quote\n1;7,5\n2;6,0\n3;5,5\n4;4,0\n9;1,0\n", encoding="utf-8")
    assert cli.main(["planungsraeume", "tabelle", str(values), "--speichern"]) == 0
    out = capsys.readouterr().out
    assert "4 von 4 Planungsräumen mit Daten; 1 Tabellenzeilen ohne passenden Planungsraum" in out
    target = tmp_path / "kennzahlen.csv"
    assert cli.main(["planungsraeume", "kennzahlen", "--out", str(target)]) == 0
    out = capsys.readouterr().out
    assert "Anteil 65 Jahre und älter" in out
    wide = pd.read_csv(target, sep=";", decimal=",", encoding="utf-8-sig")
    assert wide["Planungsraum"].tolist() == ["Aachen", "Nord", "Ost", "Eifel",
                                             "Region (Vergleichswert)"]
    assert wide["Quote"].tolist()[:4] == [7.5, 6.0, 5.5, 4.0]
    assert settings.default_region == "aachen"
