"""Every bad input file in tests/data/bad/ is refused with its German message, naming the file,
and the region store is byte-for-byte unchanged afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from layers.angebote.importer import import_services
from layers.errors import SozialraumError
from layers.planungsraeume.checks import save_planning_areas
from layers.planungsraeume.define import areas_from_municipalities, read_planning_areas
from layers.planungsraeume.tabellen import join_table
from layers.store import GeoPackageStore
from tests.tools.paths import DATA as TEST_DATA
from tests.tools.stores import fingerprint

BAD = TEST_DATA / "bad"

# (file, what is imported, options, expected German text)
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("leer.csv", "angebote", {}, "Die Datei ist leer (0 Byte)"),
    ("nur_kopfzeile.csv", "angebote", {}, "keine Datenzeilen, nur eine Kopfzeile"),
    ("kodierung_dos_cp850.csv", "angebote", {}, "weder UTF-8 noch Windows-1252"),
    ("kodierung_cp850_als_ansi.csv", "angebote", {}, "DOS-Kodierung (Codepage 850)"),
    ("kodierung_doppelt_utf8.csv", "angebote", {}, "falsch kodiert ('StraÃŸe')"),
    ("kodierung_gemischt.csv", "angebote", {}, "mischt UTF-8 und Windows-1252"),
    ("latlon_vertauscht.csv", "angebote", {}, "Länge und Breite sind vertauscht"),
    ("rechtswert_hochwert_vertauscht.csv", "angebote", {"crs": "EPSG:25832"},
     "Rechtswert und Hochwert sind vertauscht"),
    ("dezimalkomma_in_komma_csv.csv", "angebote", {}, "Zahlen mit Dezimalkomma"),
    ("tausenderpunkt_rechtswert.csv", "angebote", {"crs": "EPSG:25832"},
     "Tausenderpunkt als Dezimalpunkt gelesen"),
    ("koordinaten_grad_minuten.csv", "angebote", {}, "Grad, Minuten und Sekunden"),
    ("typ_unbekannt.csv", "angebote", {}, "Unbekannter Angebotstyp 'KoKoBo'. So beheben: "
     "Meinten Sie 'KoKoBe'?"),
    ("typ_spalte_fehlt.csv", "angebote", {}, "keine Spalte für den Angebotstyp"),
    ("id_doppelt.csv", "angebote", {}, "Die ID 'A-17' kommt doppelt vor (schon in Zeile 2)"),
    ("name_fehlt.csv", "angebote", {}, "Der Name des Angebots fehlt"),
    ("keine_namensspalte.csv", "angebote", {}, "keine Spalte für den Namen des Angebots"),
    ("personendaten_geburtsdatum.csv", "angebote", {}, "personenbezogene Daten (Geburtsdatum)"),
    ("personendaten_nachname.xlsx", "angebote", {}, "Spalte 'Nachname': Die Spalte enthält "
     "personenbezogene Daten"),
    ("ausserhalb_region.csv", "angebote", {}, "liegt außerhalb der Region"),
    ("weder_koordinaten_noch_adresse.csv", "angebote", {}, "weder Koordinaten noch eine Adresse"),
    ("adresse_unbekannt.csv", "angebote", {}, "'Gibtesnichtstraße 12' wurde nicht gefunden"),
    ("adresse_anderer_ort.csv", "angebote", {}, "Der Ort 'Köln' kommt in den Adressen der Region "
     "nicht vor"),
    ("gauss_krueger_ohne_crs.csv", "angebote", {}, "Gauß-Krüger (Streifen 2)"),
    ("utm_mit_zonennummer.csv", "angebote", {"crs": "EPSG:25832"}, "UTM-Zonennummer (32)"),
    ("barrierefrei_unbekannter_wert.csv", "angebote", {}, "'vielleicht' wurde nicht erkannt"),
    ("datum_ungueltig.csv", "angebote", {}, "'31.02.2024' ist kein gültiges Datum"),
    ("ende_vor_beginn.csv", "angebote", {}, "Das Ende (2024-12-31) liegt vor dem Beginn"),
    ("plz_falsch.csv", "angebote", {}, "'520A2' ist keine fünfstellige Postleitzahl"),
    ("kapazitaet_negativ.csv", "angebote", {}, "Die Kapazität -19.5 Stunden pro Woche ist nicht "
     "möglich"),
    ("zeile_mit_zu_vielen_feldern.csv", "angebote", {}, "Zeile 3: Die CSV-Datei ist nicht "
     "gleichmäßig aufgebaut (Zeile mit 8 statt 7 Feldern)"),
    ("binaer_mit_csv_endung.csv", "angebote", {}, "keine Textdatei"),
    ("tabelle.ods", "angebote", {}, "Das Dateiformat '.ods' wird für Angebotsverzeichnisse nicht "
     "unterstützt"),
    ("excel_kaputt.xlsx", "angebote", {}, "keine Excel-Arbeitsmappe (.xlsx)"),
    ("falsches_blatt.xlsx", "angebote", {}, "die Angebote stehen offenbar im Blatt 'Angebote'"),
    ("blatt_fehlt.xlsx", "angebote", {"blatt": "Angebote"},
     "kein Tabellenblatt 'Angebote'. So beheben: Vorhandene Blätter: 'Tabelle1'"),
    ("ohne_prj.shp", "angebote", {}, "Die .prj-Datei des Shapefiles fehlt"),
    ("unvollstaendig.shp", "angebote", {}, "fehlen die Begleitdateien .shx, .dbf"),
    ("angebot_flaeche_bowtie.geojson", "angebote", {}, "Ungültige Geometrie (Self-intersection"),
    ("angebot_linie.geojson", "angebote", {}, "Geometrietyp 'LineString' passt nicht"),
    ("metrisch_als_wgs84.geojson", "angebote", {}, "metrisch, die Datei behauptet aber Grad"),
    ("ohne_objekte.geojson", "angebote", {}, "Die Geodatei enthält keine Objekte"),
    ("geojson_abgeschnitten.geojson", "angebote", {}, "Die Geodatei kann nicht gelesen werden"),
    ("mehrere_ebenen.gpkg", "angebote", {}, "mehrere Ebenen (angebote_2024, angebote_2025)"),
    ("planungsraeume_bowtie.geojson", "planungsraeume", {}, "Ungültige Geometrie in Ebene "
     "'planungsraeume' (Self-intersection"),
    ("planungsraeume_ueberlappung.geojson", "planungsraeume", {},
     "'West (1)' und 'Ost (2)' überlappen sich auf 800."),
    ("planungsraeume_luecke.geojson", "planungsraeume", {}, "Lücke von 1"),
    ("planungsraeume_nummer_doppelt.geojson", "planungsraeume", {},
     "Die Planungsraum-Nummer '1' kommt mehrfach vor (Objekte 1, 2)"),
    ("zuordnung_ags_unbekannt.csv", "zuordnung", {},
     "Zeile 3, Spalte 'AGS': Den Gemeindeschlüssel 05334999 gibt es"),
    ("zuordnung_ags_doppelt.csv", "zuordnung", {},
     "Die Gemeinde Aachen (05334002) ist zwei Planungsräumen zugeordnet"),
    ("kennzahlen_schluessel_doppelt.csv", "kennzahlen", {},
     "Zeile 4, Spalte 'Planungsraum': Der Schlüssel 'PR01' kommt doppelt vor"),
]


def _fingerprint(store: GeoPackageStore) -> str:
    return fingerprint(store)  # both files: derived and user store


def _run(store: GeoPackageStore, path: Path, kind: str, options: dict[str, Any]) -> None:
    if kind == "angebote":
        import_services(store, path, modus="alles", **options)
    elif kind == "planungsraeume":
        save_planning_areas(store, read_planning_areas(path, crs=store.crs, **options))
    elif kind == "zuordnung":
        areas_from_municipalities(path, store.read_layer("gemeinden"), **options)
    elif kind == "kennzahlen":
        join_table(store.read_layer("planungsraeume"), path, **options)
    else:  # pragma: no cover - a typo in CASES
        raise AssertionError(kind)


def test_enough_bad_files_and_each_has_a_case():
    files = {p.name for p in BAD.iterdir()
             if p.suffix not in (".py", ".shx", ".dbf") and not p.name.startswith("_")}
    listed = {name for name, *_ in CASES}
    assert files == listed
    assert len(files) >= 25


@pytest.mark.slow
@pytest.mark.parametrize(("name", "kind", "options", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_file_is_refused_in_german_and_nothing_changes(
    aachen_store_copy, name, kind, options, expected
):
    store = aachen_store_copy
    before = _fingerprint(store)
    layers_before = store.list_layers()
    with pytest.raises(SozialraumError) as info:
        _run(store, BAD / name, kind, options)
    message = str(info.value)
    assert expected in message, message
    assert f"Datei '{name}'" in message  # the message names the file …
    assert "So beheben:" in message  # …and says how to fix it
    assert store.list_layers() == layers_before
    assert _fingerprint(store) == before


@pytest.mark.slow
def test_valid_rows_mode_also_writes_nothing_when_no_row_is_valid(aachen_store_copy):
    store = aachen_store_copy
    before = _fingerprint(store)
    with pytest.raises(SozialraumError, match="Keine Zeile der Datei ist gültig"):
        import_services(store, BAD / "typ_unbekannt.csv", modus="gueltige")
    assert _fingerprint(store) == before
