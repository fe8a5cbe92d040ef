"""The service directory: import from every format, edits with audit and undo, concurrency,
export and round trip, all on copies of the built Aachen store."""

from __future__ import annotations

import json
import threading

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from layers.angebote import SCHEMA
from layers.angebote.edit import (
    add_service,
    change_history,
    move_service,
    retire_service,
    undo_change,
    update_service,
)
from layers.angebote.export import export_services
from layers.angebote.gueltigkeit import active_services
from layers.angebote.importer import check_services_file, import_services
from layers.errors import (
    GeometryError,
    InputValidationError,
    VersionConflictError,
)
from layers.store import AUDIT_TABLE, GeoPackageStore
from tests.tools.samples import PLANNER_CSV
from tests.tools.stores import fingerprint

pytestmark = pytest.mark.slow

def _write_planner_csv(tmp_path):
    path = tmp_path / "angebote_stadt.csv"
    path.write_bytes(PLANNER_CSV.encode("cp1252"))
    return path


def _services(store: GeoPackageStore) -> gpd.GeoDataFrame:
    return store.read_layer("angebote")


def _audit(store: GeoPackageStore) -> pd.DataFrame:
    return store.read_layer(AUDIT_TABLE) if store.has_layer(AUDIT_TABLE) else pd.DataFrame()


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


def test_check_reports_per_row_and_writes_nothing(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    before = fingerprint(store)
    report = check_services_file(store, _write_planner_csv(tmp_path))
    assert report.zeilen == 5 and report.gueltige_zeilen == 4
    assert report.fehlerhafte_zeilen == [6]
    table = report.tabelle()
    bad = table[table["Schwere"] == "Fehler"]
    assert bad["Zeile"].tolist() == [6] and bad["Spalte"].tolist() == ["Straße"]
    assert "Gibtesnichtweg 3" in bad["Meldung"].iloc[0]
    # Two address rows geocoded, one of them not found (and listed, not guessed).
    geo = report.geokodierung.set_index("zeile")
    assert geo.loc[2, "status"] == "exakt" and geo.loc[3, "status"] == "exakt"
    assert geo.loc[6, "status"] == "nicht gefunden" and np.isnan(geo.loc[6, "x"])
    assert fingerprint(store) == before


def test_valid_rows_mode_imports_and_audits(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    n_before = len(_services(store))
    report = import_services(store, _write_planner_csv(tmp_path), modus="gueltige")
    assert report.geschrieben == 4
    services = _services(store).set_index("angebot_id")
    assert len(services) == n_before + 4
    eutb = services.loc["A1"]
    assert eutb["name"] == "EUTB Aachen-Mitte" and eutb["typ"] == "EUTB"
    assert eutb["gruppe"] == "Beratung" and eutb["quelle"] == "import" and eutb["version"] == 1
    assert eutb["stufenloser_zugang"] == "ja" and eutb["gebaerdensprache"] == "nein"
    assert eutb["aufsuchend"] == "ja" and eutb["kapazitaet_std_woche"] == 39.0
    assert eutb["gueltig_von"] == "2024-01-01" and eutb["telefon"] == "0241 12345"
    assert services.loc["A2", "typ"] == "KoKoBe"
    assert services.loc["A3", "typ"] == "Pflegestützpunkt"
    assert services.loc["A3", "rollstuhlgerechtes_wc"] == "ja"  # "x" means yes
    # Rechtswert/Hochwert without CRS: read in the region CRS (with a warning in the report).
    assert services.loc["A3"].geometry.distance(shapely.Point(294962.61, 5628862.70)) < 0.01
    assert any("kein CRS angegeben" in p.meldung for p in report.warnungen)
    # lat/lon rows are transformed into the region CRS.
    lonlat = gpd.GeoSeries([shapely.Point(6.0839, 50.7753)], crs=4326).to_crs(store.crs).iloc[0]
    assert services.loc["A4"].geometry.distance(lonlat) < 0.01
    assert "A5" not in services.index
    audit = _audit(store)
    # One entry per offer, and one for the import as a whole (to undo it in one step).
    assert (audit["tabelle"] == "angebote_import").sum() == 1
    audit = audit[audit["tabelle"] == "angebote"]
    assert sorted(audit["objekt_id"]) == ["A1", "A2", "A3", "A4"]
    assert set(audit["aktion"]) == {"importieren"}
    assert json.loads(audit.set_index("objekt_id").loc["A1", "neu_json"])["name"] == \
        "EUTB Aachen-Mitte"


def test_all_or_nothing_mode_writes_nothing_on_one_bad_row(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    before = fingerprint(store)
    with pytest.raises(InputValidationError) as info:
        import_services(store, _write_planner_csv(tmp_path), modus="alles")
    message = str(info.value)
    assert "1 von 5 Zeilen haben Fehler" in message and "nichts gespeichert" in message
    assert "Zeile 6" in message
    assert fingerprint(store) == before


def test_second_import_of_the_same_list_is_refused_or_updates(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    path = _write_planner_csv(tmp_path)
    import_services(store, path, modus="gueltige")
    with pytest.raises(InputValidationError, match="schon im Verzeichnis"):
        import_services(store, path, modus="gueltige")
    changed = PLANNER_CSV.replace("Mo-Fr 9-13", "Mo-Do 9-15")
    path.write_bytes(changed.encode("cp1252"))
    report = import_services(store, path, modus="gueltige", bestehende="aktualisieren")
    assert report.geschrieben == 0 and report.aktualisiert == 1
    row = _services(store).set_index("angebot_id").loc["A1"]
    assert row["oeffnungszeiten"] == "Mo-Do 9-15" and row["version"] == 2
    last = change_history(store, "A1").iloc[0]
    assert last["aktion"] == "aktualisieren" and last["felder"] == "oeffnungszeiten"


def test_rows_without_id_get_stable_ids(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    path = tmp_path / "ohne_id.csv"
    path.write_text("Name;Typ;Adresse\nEUTB Pontviertel;EUTB;Pontstraße 15, 52062 Aachen\n",
                    encoding="utf-8")
    first = check_services_file(store, path).gueltig
    second = check_services_file(store, path).gueltig
    assert first["angebot_id"].iloc[0] == second["angebot_id"].iloc[0]
    assert first["angebot_id"].iloc[0].startswith("imp-")
    assert first["strasse"].iloc[0] == "Pontstraße" and first["hausnummer"].iloc[0] == "15"


def test_typo_in_street_is_geocoded_fuzzily_and_saved_correctly(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    path = tmp_path / "tippfehler.csv"
    path.write_text("Name;Typ;Straße;Hausnummer\nEUTB;EUTB;Adalbertsrtaße;66\n", encoding="utf-8")
    report = check_services_file(store, path)
    assert report.gueltige_zeilen == 1
    assert report.gueltig["strasse"].iloc[0] == "Adalbertstraße"
    assert report.geokodierung["status"].iloc[0] == "unscharf"
    assert any("Adalbertsrtaße" in p.meldung and "Adalbertstraße" in p.meldung
               for p in report.warnungen)


def test_xlsx_geojson_gpkg_and_shapefile(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    point = shapely.Point(294962.6, 5628862.7)
    frame = gpd.GeoDataFrame({"Name": ["EUTB Mitte"], "Typ": ["EUTB"], "ID": ["G1"]},
                             geometry=[point], crs=store.crs)
    xlsx = tmp_path / "liste.xlsx"
    with pd.ExcelWriter(xlsx) as writer:
        pd.DataFrame({"Hinweis": ["Deckblatt"]}).to_excel(writer, sheet_name="Info", index=False)
        pd.DataFrame({"ID": ["X1"], "Name": ["KSL Aachen"], "Typ": ["KSL"],
                      "Straße": ["Adalbertstraße"], "Hausnummer": [66], "PLZ": [52062]}).to_excel(
            writer, sheet_name="Angebote", index=False)
    assert import_services(store, xlsx, blatt="Angebote").geschrieben == 1
    geojson = tmp_path / "angebote.geojson"
    pyogrio.write_dataframe(frame.assign(ID="G2").to_crs(4326), geojson, driver="GeoJSON")
    assert import_services(store, geojson).geschrieben == 1
    gpkg = tmp_path / "angebote.gpkg"
    pyogrio.write_dataframe(frame.assign(ID="G3"), gpkg, layer="beratung")
    assert import_services(store, gpkg).geschrieben == 1
    shp = tmp_path / "angebote.shp"
    pyogrio.write_dataframe(frame.assign(ID="G4"), shp)
    shp.with_suffix(".prj").unlink()
    assert import_services(store, shp, crs="EPSG:25832").geschrieben == 1
    services = _services(store).set_index("angebot_id")
    assert services.loc["X1", "plz"] == "52062"
    for ident in ("G2", "G3", "G4"):
        assert services.loc[ident].geometry.distance(point) < 0.01


# --------------------------------------------------------------------------------------------
# Editing, audit, undo, concurrency
# --------------------------------------------------------------------------------------------


def test_add_change_move_retire_undo(aachen_store_copy):
    store = aachen_store_copy
    added = add_service(store, {"name": "Peer-Treff", "typ": "Peer-Beratung",
                                "strasse": "Pontstr.", "hausnummer": "15",
                                "stufenloser_zugang": "ja", "gueltig_von": "01.01.2024"})
    row = _services(store).set_index("angebot_id").loc[added.angebot_id]
    assert row["quelle"] == "manuell" and row["version"] == 1 and row["gruppe"] == "Beratung"
    changed = update_service(store, added.angebot_id, {"name": "Peer-Treff Pontviertel",
                                                       "kapazitaet_std_woche": "19,5"},
                             expected_version=1)
    assert changed.version == 2
    target = shapely.Point(295000, 5629000)
    moved = move_service(store, added.angebot_id, target, expected_version=2)
    retired = retire_service(store, added.angebot_id, expected_version=moved.version,
                             gueltig_bis="2025-06-30", grund="Umzug")
    row = _services(store).set_index("angebot_id").loc[added.angebot_id]
    assert row["gueltig_bis"] == "2025-06-30" and row["bemerkung"] == "Umzug"
    assert row["quelle"] == "manuell" and row["version"] == 4
    assert row.geometry.equals(target)
    # Retired offers stay in the directory but are not active after their last day.
    assert added.angebot_id not in set(active_services(_services(store), "2025-07-01")["angebot_id"])
    assert added.angebot_id in set(active_services(_services(store), "2025-06-30")["angebot_id"])

    # Undoing the change of name is refused while later changes exist …
    renamed = update_service(store, added.angebot_id, {"name": "Peer-Treff Pontstraße"},
                             expected_version=retired.version)
    with pytest.raises(VersionConflictError, match=r"erneut geändert \(name\)"):
        undo_change(store, changed.audit_id)
    undo_change(store, renamed.audit_id)
    # … undoing newest first works, and each undo is an audit entry of its own.
    undo_change(store, retired.audit_id)
    undo_change(store, moved.audit_id)
    undone = undo_change(store, changed.audit_id)
    row = _services(store).set_index("angebot_id").loc[added.angebot_id]
    assert row["name"] == "Peer-Treff" and pd.isna(row["gueltig_bis"])
    assert pd.isna(row["kapazitaet_std_woche"]) and row["version"] == 9
    assert not row.geometry.equals(target)
    history = change_history(store, added.angebot_id)
    assert history["aktion"].tolist() == ["rueckgaengig"] * 4 + [
        "aendern", "stilllegen", "verschieben", "aendern", "anlegen"]
    assert history.iloc[0]["rueckgaengig_von"] == changed.audit_id
    assert history.iloc[0]["protokoll_id"] == undone.audit_id
    # Everything after the creation is undone, so the creation can be undone too: the offer
    # disappears, the audit keeps its last state, and undoing that brings it back.
    removal = undo_change(store, added.audit_id)
    assert added.angebot_id not in set(_services(store)["angebot_id"])
    undo_change(store, removal.audit_id)
    back = _services(store).set_index("angebot_id").loc[added.angebot_id]
    assert back["name"] == "Peer-Treff" and back["quelle"] == "manuell"


def test_undo_of_an_import(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    path = tmp_path / "eins.csv"
    path.write_text("ID;Name;Typ;lat;lon\nU1;EUTB;EUTB;50,7753;6,0839\n", encoding="utf-8")
    import_services(store, path)
    entry = change_history(store, "U1").iloc[0]
    undo = undo_change(store, int(entry["protokoll_id"]))
    assert "U1" not in set(_services(store)["angebot_id"])
    # … and the undo of the undo brings it back.
    undo_change(store, undo.audit_id)
    assert "U1" in set(_services(store)["angebot_id"])


def test_invalid_edits_are_refused(aachen_store_copy):
    store = aachen_store_copy
    target = _services(store).iloc[0]
    ident, version = target["angebot_id"], int(target["version"])
    with pytest.raises(InputValidationError, match="Unbekannter Angebotstyp 'Bäckerei'"):
        update_service(store, ident, {"typ": "Bäckerei"}, expected_version=version)
    with pytest.raises(InputValidationError, match="darf nicht leer"):
        update_service(store, ident, {"name": " "}, expected_version=version)
    with pytest.raises(InputValidationError, match="läge vor dem Beginn"):
        retire_service(store, ident, expected_version=version, gueltig_bis="1999-12-31") \
            if not pd.isna(target["gueltig_von"]) else update_service(
                store, ident, {"gueltig_von": "2024-01-01", "gueltig_bis": "2023-12-31"},
                expected_version=version)
    with pytest.raises(GeometryError, match="außerhalb der Region"):
        move_service(store, ident, shapely.Point(356000, 5645000), expected_version=version)
    with pytest.raises(GeometryError, match="nicht gefunden"):
        add_service(store, {"name": "X", "typ": "EUTB", "strasse": "Gibtesnichtweg",
                            "hausnummer": "1"})
    assert _audit(store).empty


def test_stale_edit_is_refused_and_audit_holds_only_accepted_changes(aachen_store_copy):
    store = aachen_store_copy
    target = _services(store).iloc[5]
    ident, version = target["angebot_id"], int(target["version"])
    # Two planners open the same offer (version 1); Anna saves first.
    anna = GeoPackageStore(store.path, store.crs, user="anna")
    ben = GeoPackageStore(store.path, store.crs, user="ben")
    accepted = update_service(anna, ident, {"oeffnungszeiten": "Mo 9-12"},
                              expected_version=version)
    with pytest.raises(VersionConflictError) as info:
        update_service(ben, ident, {"oeffnungszeiten": "Di 9-12"}, expected_version=version)
    message = str(info.value)
    assert "inzwischen von jemand anderem geändert" in message
    assert f"jetzt Version {version + 1}" in message and "nicht gespeichert" in message
    row = _services(store).set_index("angebot_id").loc[ident]
    assert row["oeffnungszeiten"] == "Mo 9-12" and row["version"] == accepted.version
    audit = _audit(store)
    assert audit["benutzer"].tolist() == ["anna"] and audit["objekt_id"].tolist() == [ident]
    assert json.loads(audit["neu_json"].iloc[0]) == {"oeffnungszeiten": "Mo 9-12",
                                                     "version": version + 1}


def test_concurrent_edits_in_threads(aachen_store_copy):
    store = aachen_store_copy
    target = _services(store).iloc[7]
    ident, version = target["angebot_id"], int(target["version"])
    outcomes: dict[str, str] = {}
    start = threading.Barrier(4)

    def edit(user: str) -> None:
        own = GeoPackageStore(store.path, store.crs, user=user)
        start.wait()
        try:
            update_service(own, ident, {"name": f"Fassung {user}"}, expected_version=version)
            outcomes[user] = "gespeichert"
        except VersionConflictError:
            outcomes[user] = "abgelehnt"

    threads = [threading.Thread(target=edit, args=(f"nutzer{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [u for u, o in outcomes.items() if o == "gespeichert"]
    assert len(winners) == 1 and sorted(outcomes.values()).count("abgelehnt") == 3
    row = _services(store).set_index("angebot_id").loc[ident]
    assert row["name"] == f"Fassung {winners[0]}" and row["version"] == version + 1
    audit = _audit(store)
    assert audit["benutzer"].tolist() == winners


# --------------------------------------------------------------------------------------------
# Export and round trip
# --------------------------------------------------------------------------------------------


def test_exports(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    services = _services(store)
    csv_path = export_services(store, tmp_path / "verzeichnis.csv")
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    header = raw[3:].decode("utf-8").splitlines()[0].split(";")
    assert header[: len(SCHEMA)] == list(SCHEMA)
    assert header[-4:] == ["rechtswert", "hochwert", "breite", "laenge"]
    table = pd.read_csv(csv_path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"plz": str})
    assert len(table) == len(services)
    assert (table["quelle"] == "synthetisch").sum() == (services["quelle"] == "synthetisch").sum()
    assert table["breite"].between(50.7, 50.8).all() and table["rechtswert"].gt(2.8e5).all()
    assert ",5" in raw.decode("utf-8-sig")  # capacities such as 19,5 with decimal comma
    geojson = export_services(store, tmp_path / "verzeichnis.geojson")
    back = gpd.read_file(geojson)
    assert back.crs.to_epsg() == 4326 and len(back) == len(services)
    assert "quelle" in back.columns
    gpkg = export_services(store, tmp_path / "verzeichnis.gpkg")
    back = gpd.read_file(gpkg, layer="angebote")
    assert back.crs.to_epsg() == 25832
    assert back.set_index("angebot_id").geometry.geom_equals(
        services.set_index("angebot_id").geometry.reindex(back["angebot_id"])).all()


def test_csv_export_imports_back_unchanged(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    original = _services(store).set_index("angebot_id").sort_index()
    path = export_services(store, tmp_path / "verzeichnis.csv")
    # An empty directory (same region), then the export imported again. The built offers
    # live in the derived store (the user store is still empty), so that is where to empty it.
    empty = original.iloc[0:0].reset_index()
    store.derived.write_layers(
        {"angebote": gpd.GeoDataFrame(empty, geometry="geometry", crs=store.crs)})
    report = import_services(store, path)
    assert report.geschrieben == len(original) and not report.fehler
    back = _services(store).set_index("angebot_id").sort_index()
    assert back.index.equals(original.index)
    # Fictitious offers keep their label; everything else is now the planners' own data.
    synthetic = original["quelle"] == "synthetisch"
    assert (back.loc[synthetic, "quelle"] == "synthetisch").all()
    assert (back.loc[~synthetic, "quelle"] == "import").all()
    for column in ("name", "typ", "stufenloser_zugang", "traeger", "plz"):
        assert back[column].fillna("").equals(original[column].fillna("")), column
    assert np.allclose(back["kapazitaet_std_woche"].fillna(-1), original["kapazitaet_std_woche"]
                       .fillna(-1))
    assert back.geometry.distance(original.geometry).max() < 0.05


def test_title_rows_and_blank_lines_keep_true_row_numbers(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    path = tmp_path / "mit_titel.xlsx"
    rows = [["Angebotsverzeichnis Städteregion, Stand 01.01.2025", None, None, None],
            [None, None, None, None],
            ["Name", "Typ", "Straße", "Hausnummer"],
            ["EUTB Mitte", "EUTB", "Adalbertstraße", "66"],
            [None, None, None, None],
            ["KoKoBe", "KoKoBo", "Römerstraße", "5"]]
    pd.DataFrame(rows[1:], columns=rows[0]).to_excel(path, index=False)
    report = check_services_file(store, path)
    assert report.zeilen == 2 and report.gueltige_zeilen == 1
    assert report.gueltig["zeile"].tolist() == [4]
    assert report.fehlerhafte_zeilen == [6]  # as Excel shows it: row 6
    csv_path = tmp_path / "leerzeilen.csv"
    csv_path.write_text("Name;Typ;lat;lon\n\nEUTB;EUTB;50,7753;6,0839\n\nX;Bäckerei;50,77;6,08\n",
                        encoding="utf-8")
    report = check_services_file(store, csv_path)
    assert report.gueltig["zeile"].tolist() == [3] and report.fehlerhafte_zeilen == [5]


def test_export_as_bytes_for_the_app(aachen_store_copy):
    from layers.angebote.export import export_services_bytes

    data = export_services_bytes(aachen_store_copy, "csv", nur_aktive=True)
    assert data.startswith(b"\xef\xbb\xbf") and b"angebot_id;name;typ" in data[:100]
    assert export_services_bytes(aachen_store_copy, "gpkg")[:16] == b"SQLite format 3\x00"
