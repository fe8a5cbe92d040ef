"""Write the bad input files of tests/data/bad/ (run once; the files themselves are committed).

Every file is one mistake that planners' real exports make. The expected German message of each
is in tests/test_bad_files.py. Run with the project's Python:

    .venv/bin/python tests/data/bad/make_bad_files.py
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

HERE = Path(__file__).resolve().parent
CRS = "EPSG:25832"

# Real places in the Aachen demo region (OSM addresses) and one in Köln.
AACHEN_LAT, AACHEN_LON = "50,7753", "6,0839"
ADALBERT_X, ADALBERT_Y = "294962,61", "5628862,70"  # Adalbertstraße 66, EPSG:25832
KOELN_LAT, KOELN_LON = "50,9375", "6,9603"

HEADER = "Name;Typ;Straße;Hausnummer;PLZ;Ort;Barrierefrei\n"
GOOD_ROW = "EUTB Aachen-Mitte;EUTB;Adalbertstraße;66;52062;Aachen;ja\n"


def text(name: str, content: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(content.encode(encoding))


def raw(name: str, content: bytes) -> None:
    (HERE / name).write_bytes(content)


def csv_files() -> None:
    raw("leer.csv", b"")
    text("nur_kopfzeile.csv", HEADER)
    # DOS code page 850: "ü" is byte 0x81, which Windows-1252 does not define.
    text("kodierung_dos_cp850.csv", HEADER + "Beratung für Hörgeschädigte;sonstige Beratung;"
         "Adalbertstraße;66;52062;Aachen;ja\n", encoding="cp850")
    # Code page 850 without "ü": decodes as Windows-1252, but "ä" becomes "„" and "ß" "á".
    text("kodierung_cp850_als_ansi.csv", HEADER + "Selbsthilfe Kräuterweg;Selbsthilfe;"
         "Adalbertstraße;66;52062;Aachen;ja\n", encoding="cp850")
    # UTF-8 that was opened as Windows-1252 and saved as UTF-8 again: "StraÃŸe".
    text("kodierung_doppelt_utf8.csv",
         (HEADER + GOOD_ROW).encode("utf-8").decode("cp1252").replace("\r", ""))
    # Header saved by Excel (Windows-1252), rows appended by a script in UTF-8.
    raw("kodierung_gemischt.csv", HEADER.encode("cp1252")
        + "KoKoBe Römerstraße;KoKoBe;Römerstraße;5;52064;Aachen;ja\n".encode())
    text("latlon_vertauscht.csv", "Name;Typ;lat;lon\n"
         f"EUTB Aachen-Mitte;EUTB;{AACHEN_LON};{AACHEN_LAT}\n")
    text("rechtswert_hochwert_vertauscht.csv", "Name;Typ;Rechtswert;Hochwert\n"
         f"KoKoBe Aachen;KoKoBe;{ADALBERT_Y};{ADALBERT_X}\n")
    # Comma-separated, but numbers with a decimal comma and without quotes.
    text("dezimalkomma_in_komma_csv.csv", "Name,Typ,lat,lon\n"
         f"EUTB Aachen-Mitte,EUTB,{AACHEN_LAT},{AACHEN_LON}\n")
    # "294.962" meant as 294962 (thousands separator), read as 294.962.
    text("tausenderpunkt_rechtswert.csv", "Name;Typ;Rechtswert;Hochwert\n"
         "KoKoBe Aachen;KoKoBe;294.962;5.628.862\n")
    text("koordinaten_grad_minuten.csv", "Name;Typ;Breite;Länge\n"
         "EUTB Aachen-Mitte;EUTB;50°46'31\";6°05'02\"\n")
    text("typ_unbekannt.csv", HEADER + "KoKoBe Nord;KoKoBo;Adalbertstraße;66;52062;Aachen;ja\n")
    text("typ_spalte_fehlt.csv", "Name;Straße;Hausnummer\nEUTB Aachen-Mitte;Adalbertstraße;66\n")
    text("id_doppelt.csv", "ID;Name;Typ;lat;lon\n"
         f"A-17;EUTB Aachen-Mitte;EUTB;{AACHEN_LAT};{AACHEN_LON}\n"
         f"A-17;KoKoBe Aachen;KoKoBe;{AACHEN_LAT};{AACHEN_LON}\n")
    text("name_fehlt.csv", HEADER + ";EUTB;Adalbertstraße;66;52062;Aachen;ja\n")
    text("keine_namensspalte.csv", "Title;Category;Street\nEUTB Aachen;EUTB;Adalbertstraße 66\n")
    text("personendaten_geburtsdatum.csv", "Name;Typ;Straße;Hausnummer;Geburtsdatum\n"
         "EUTB Aachen-Mitte;EUTB;Adalbertstraße;66;12.03.1961\n")
    text("ausserhalb_region.csv", "Name;Typ;lat;lon\n"
         f"EUTB Köln;EUTB;{KOELN_LAT};{KOELN_LON}\n")
    text("weder_koordinaten_noch_adresse.csv", "Name;Typ;Träger\nEUTB Aachen;EUTB;Verein\n")
    text("adresse_unbekannt.csv", HEADER + "EUTB Aachen;EUTB;Gibtesnichtstraße;12;52062;Aachen;ja\n")
    text("adresse_anderer_ort.csv", HEADER + "EUTB Köln;EUTB;Adalbertstraße;66;50667;Köln;ja\n")
    text("gauss_krueger_ohne_crs.csv", "Name;Typ;Rechtswert;Hochwert\n"
         "KoKoBe Aachen;KoKoBe;2505224,1;5629960,3\n")
    text("utm_mit_zonennummer.csv", "Name;Typ;Rechtswert;Hochwert\n"
         f"KoKoBe Aachen;KoKoBe;32{ADALBERT_X};{ADALBERT_Y}\n")
    text("barrierefrei_unbekannter_wert.csv", HEADER
         + "EUTB Aachen-Mitte;EUTB;Adalbertstraße;66;52062;Aachen;vielleicht\n")
    text("datum_ungueltig.csv", "Name;Typ;lat;lon;gültig ab\n"
         f"EUTB Aachen-Mitte;EUTB;{AACHEN_LAT};{AACHEN_LON};31.02.2024\n")
    text("ende_vor_beginn.csv", "Name;Typ;lat;lon;gültig ab;gültig bis\n"
         f"EUTB Aachen-Mitte;EUTB;{AACHEN_LAT};{AACHEN_LON};01.06.2025;31.12.2024\n")
    text("plz_falsch.csv", HEADER + "EUTB Aachen-Mitte;EUTB;Adalbertstraße;66;520A2;Aachen;ja\n")
    text("kapazitaet_negativ.csv", "Name;Typ;lat;lon;Wochenstunden\n"
         f"EUTB Aachen-Mitte;EUTB;{AACHEN_LAT};{AACHEN_LON};-19,5\n")
    text("zeile_mit_zu_vielen_feldern.csv", HEADER + GOOD_ROW
         + "KoKoBe;KoKoBe;Römerstraße;5;52064;Aachen;ja;Bemerkung ohne Spalte\n")
    raw("binaer_mit_csv_endung.csv", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00binary")
    raw("tabelle.ods", b"PK\x03\x04OpenDocument spreadsheet (LibreOffice)")
    text("excel_kaputt.xlsx", "Name;Typ\nEUTB;EUTB\n")
    # Planning-area tables.
    text("zuordnung_ags_unbekannt.csv", "AGS;Planungsraum;Planungsraum_Name\n"
         "05334002;1;Stadt Aachen\n05334999;2;Nord\n")
    text("zuordnung_ags_doppelt.csv", "AGS;Planungsraum;Planungsraum_Name\n"
         "05334002;1;Stadt Aachen\n05334004;2;Nord\n5334002;2;Nord\n")
    text("kennzahlen_schluessel_doppelt.csv", "Planungsraum;Arbeitslosenquote\n"
         "PR01;7,1\nPR02;6,4\nPR01;7,3\n")


def excel_files() -> None:
    with pd.ExcelWriter(HERE / "personendaten_nachname.xlsx") as writer:
        pd.DataFrame({"Name": ["EUTB Aachen-Mitte"], "Typ": ["EUTB"],
                      "Vorname": ["Erika"], "Nachname": ["Mustermann"],
                      "Straße": ["Adalbertstraße"], "Hausnummer": ["66"]}).to_excel(
            writer, sheet_name="Angebote", index=False)
    with pd.ExcelWriter(HERE / "falsches_blatt.xlsx") as writer:
        pd.DataFrame({"Angebotsverzeichnis der Städteregion": ["Stand: 01.01.2025",
                                                               "Ansprechpartnerin: Sozialplanung"]}
                     ).to_excel(writer, sheet_name="Deckblatt", index=False)
        pd.DataFrame({"Name": ["EUTB Aachen-Mitte"], "Typ": ["EUTB"],
                      "Straße": ["Adalbertstraße"], "Hausnummer": ["66"]}).to_excel(
            writer, sheet_name="Angebote", index=False)
    with pd.ExcelWriter(HERE / "blatt_fehlt.xlsx") as writer:
        pd.DataFrame({"Name": ["EUTB Aachen-Mitte"], "Typ": ["EUTB"],
                      "Straße": ["Adalbertstraße"], "Hausnummer": ["66"]}).to_excel(
            writer, sheet_name="Tabelle1", index=False)


def spatial_files() -> None:
    point = shapely.Point(294962.6, 5628862.7)
    services = gpd.GeoDataFrame({"name": ["EUTB Aachen-Mitte"], "typ": ["EUTB"]},
                                geometry=[point], crs=CRS)
    for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        (HERE / f"ohne_prj{suffix}").unlink(missing_ok=True)
    pyogrio.write_dataframe(services, HERE / "ohne_prj.shp")
    (HERE / "ohne_prj.prj").unlink()
    (HERE / "ohne_prj.cpg").unlink(missing_ok=True)
    # A lone .shp without its .shx and .dbf.
    pyogrio.write_dataframe(services, HERE / "_tmp_unvollstaendig.shp")
    (HERE / "_tmp_unvollstaendig.shp").replace(HERE / "unvollstaendig.shp")
    for suffix in (".shx", ".dbf", ".prj", ".cpg"):
        (HERE / f"_tmp_unvollstaendig{suffix}").unlink(missing_ok=True)

    bowtie = shapely.Polygon([(294900, 5628800), (295000, 5628900), (295000, 5628800),
                              (294900, 5628900), (294900, 5628800)])
    _geojson("angebot_flaeche_bowtie.geojson", {"name": ["EUTB"], "typ": ["EUTB"]}, [bowtie])
    line = shapely.LineString([(294900, 5628800), (295000, 5628900)])
    _geojson("angebot_linie.geojson", {"name": ["EUTB"], "typ": ["EUTB"]}, [line])
    # UTM coordinates in a GeoJSON without "crs" member: by RFC 7946 that means WGS 84 degrees.
    (HERE / "metrisch_als_wgs84.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"name": "EUTB Aachen-Mitte", "typ": "EUTB"}, "geometry": {"type": "Point", '
        '"coordinates": [294962.6, 5628862.7]}}]}\n', encoding="utf-8")
    (HERE / "ohne_objekte.geojson").write_text(
        '{"type": "FeatureCollection", "features": []}\n', encoding="utf-8")
    (HERE / "geojson_abgeschnitten.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"name": "EUTB"', encoding="utf-8")
    target = HERE / "mehrere_ebenen.gpkg"
    target.unlink(missing_ok=True)
    pyogrio.write_dataframe(services, target, layer="angebote_2024")
    pyogrio.write_dataframe(services, target, layer="angebote_2025", append=False)

    # Planning areas: two halves of a box around the Aachen demo region.
    west = shapely.box(289000, 5624000, 294500, 5632000)
    east = shapely.box(294500, 5624000, 300000, 5632000)
    _geojson("planungsraeume_ueberlappung.geojson",
             {"pr_id": ["1", "2"], "name": ["West", "Ost"]},
             [west, shapely.box(294400, 5624000, 300000, 5632000)])
    _geojson("planungsraeume_luecke.geojson",
             {"pr_id": ["1", "2"], "name": ["West", "Ost"]},
             [west, shapely.box(294520, 5624000, 300000, 5632000)])
    _geojson("planungsraeume_nummer_doppelt.geojson",
             {"pr_id": ["1", "1"], "name": ["West", "Ost"]}, [west, east])
    bowtie_area = shapely.Polygon([(289000, 5624000), (294500, 5632000), (294500, 5624000),
                                   (289000, 5632000), (289000, 5624000)])
    _geojson("planungsraeume_bowtie.geojson",
             {"pr_id": ["1", "2"], "name": ["West", "Ost"]}, [bowtie_area, east])


def _geojson(name: str, columns: dict[str, list[str]], geometries: list[shapely.Geometry]) -> None:
    target = HERE / name
    target.unlink(missing_ok=True)
    frame = gpd.GeoDataFrame(columns, geometry=geometries, crs=CRS).to_crs(4326)
    pyogrio.write_dataframe(frame, target, driver="GeoJSON", COORDINATE_PRECISION=7)


if __name__ == "__main__":
    csv_files()
    excel_files()
    spatial_files()
    print(f"{len([p for p in HERE.iterdir() if p.name != Path(__file__).name])} Dateien in {HERE}")
