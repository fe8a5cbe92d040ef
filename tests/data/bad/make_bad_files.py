"""Write the bad input files of tests/data/bad/ (run once; the files are committed except the 1 MiB one).

Every file is one mistake that planners' real exports make. The expected German message of each
is in tests/test_bad_files.py. Run with the project's Python:

    .venv/bin/python tests/data/bad/make_bad_files.py [--nur-neue]

``--nur-neue`` writes only the files of issue #9 (the older XLSX files would otherwise change
their timestamps).
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


#: The one bad file not committed (1 MiB): the tests write it with :func:`write_huge_field`.
HUGE_FIELD = "feld_1mb.csv"


def write_huge_field() -> Path:
    """Write the file with a 1 MiB cell (git-ignored; made by the tests when missing)."""
    path = HERE / HUGE_FIELD
    if not path.exists():
        text(HUGE_FIELD, "Name;Typ;lat;lon;Bemerkung\n"
             f"EUTB Aachen-Mitte;EUTB;{AACHEN_LAT};{AACHEN_LON};" + "x" * 1_048_576 + "\n")
    return path


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


# --------------------------------------------------------------------------------------------
# Issue #9: hostile and unlucky input (resource limits, invisible characters, dates, personal
# data, encodings, headers, geodata, region configurations)
# --------------------------------------------------------------------------------------------

GOOD_LATLON = f"EUTB Aachen-Mitte;EUTB;{AACHEN_LAT};{AACHEN_LON}"
BARRIER_HEADER = "person_schluessel;icf_code;qualifikator;beeintraechtigung;datum;x;y\n"
BARRIER_ROW = "P-0001;e150;.2;Mobilität;05.03.2024;294962,6;5628862,7\n"


def hostile_csv_files() -> None:
    text("datum_mehrdeutig.csv", f"Name;Typ;lat;lon;gültig ab\n{GOOD_LATLON};03/05/2024\n")
    text("datum_us_eindeutig.csv", f"Name;Typ;lat;lon;gültig ab\n{GOOD_LATLON};05/25/2024\n")
    text("datum_ferne_zukunft.csv", f"Name;Typ;lat;lon;gültig ab\n{GOOD_LATLON};2099-01-01\n")
    text("datum_vor_1900.csv", f"Name;Typ;lat;lon;gültig ab\n{GOOD_LATLON};01.01.1850\n")
    text("name_bidi_override.csv", "Name;Typ;lat;lon\n"
         f"EUTB \u202eetnoM\u202c Aachen;EUTB;{AACHEN_LAT};{AACHEN_LON}\n")
    text("name_bidi_isolat.csv", "Name;Typ;lat;lon\n"
         f"EUTB \u2067Aachen\u2069;EUTB;{AACHEN_LAT};{AACHEN_LON}\n")
    text("quelle_synthetisch_nullbreite.csv", "Name;Typ;lat;lon;Quelle\n"
         f"{GOOD_LATLON};synthe\u200btisch\n")
    text("quelle_wortverbinder.csv", f"Name;Typ;lat;lon;Quelle\n{GOOD_LATLON};\u2060import\n")
    text("name_bel_esc.csv", "Name;Typ;lat;lon\n"
         f"EUTB\x07 Aachen\x1b[31m;EUTB;{AACHEN_LAT};{AACHEN_LON}\n")
    text("name_nullbreite.csv", "Name;Typ;lat;lon\n"
         f"EUTB\u200b Aachen\u00ad-Mitte;EUTB;{AACHEN_LAT};{AACHEN_LON}\n")
    text("formel_im_namen.csv", "Name;Typ;lat;lon\n"
         f'"=HYPERLINK(""http://example.org"";""EUTB"")";EUTB;{AACHEN_LAT};{AACHEN_LON}\n'
         f'"\tEUTB Tabulator";EUTB;{AACHEN_LAT};{AACHEN_LON}\n'
         f"+EUTB Nord;EUTB;{AACHEN_LAT};{AACHEN_LON}\n"
         f"-EUTB Süd;EUTB;{AACHEN_LAT};{AACHEN_LON}\n"
         f"@SUMME(A1);EUTB;{AACHEN_LAT};{AACHEN_LON}\n")
    text("formel_traeger.csv", "Name;Typ;lat;lon;Träger\n"
         f"{GOOD_LATLON};=1+1\n")
    text("leerzeilen_zeilennummer.csv", f"Name;Typ;lat;lon\n{GOOD_LATLON}\n\n;;;\n"
         f"KoKoBe Nord;KoKoBo;{AACHEN_LAT};{AACHEN_LON}\n")
    write_huge_field()
    text("utf16_ohne_bom.csv", f"Name;Typ;lat;lon\nKoKoBe Römerstraße;KoKoBe;{AACHEN_LAT};"
         f"{AACHEN_LON}\n", encoding="utf-16-le")
    text("utf16be_ohne_bom.csv", f"Name;Typ;lat;lon\nKoKoBe Römerstraße;KoKoBe;{AACHEN_LAT};"
         f"{AACHEN_LON}\n", encoding="utf-16-be")
    text("sep_zeile.csv", "sep=;\nName;Typ;lat;lon\n" + GOOD_LATLON + "\n")
    text("sep_zeile_komma.csv", "sep=,\nName,Typ,lat,lon\nEUTB Aachen-Mitte,EUTB,50.7753,6.0839\n")
    text("sep_zeile_fehler.csv", "sep=;\nName;Typ;lat;lon\n" + GOOD_LATLON + "\n"
         f"KoKoBe Nord;KoKoBo;{AACHEN_LAT};{AACHEN_LON}\n")
    text("personendaten_pflegegrad.csv", f"Name;Typ;lat;lon;Pflegegrad\n{GOOD_LATLON};3\n")
    text("personendaten_diagnose_angebot.csv", f"Name;Typ;lat;lon;Diagnose\n{GOOD_LATLON};F32\n")
    text("kennzahlen_leerzeilen.csv", "Planungsraum;Arbeitslosenquote\n"
         "PR01;7,1\n\n;\nPR02;6,4\nPR01;7,3\n")
    text("zuordnung_leerzeilen.csv", "AGS;Planungsraum;Planungsraum_Name\n"
         "05334002;1;Stadt Aachen\n\n\n05334999;2;Nord\n")
    # Resource limits (the test lowers the limit for these; the files stay small).
    text("zeilen_zu_viele.csv", "Name;Typ;lat;lon\n" + (GOOD_LATLON + "\n") * 150)
    text("spalten_zu_viele.csv", "Name;Typ;lat;lon;" + ";".join(f"S{i}" for i in range(8))
         + "\n" + GOOD_LATLON + ";" * 8 + "\n")
    text("datei_zu_gross.csv", "Name;Typ;lat;lon;Bemerkung\n" + GOOD_LATLON + ";"
         + "lang " * 600 + "\n")


def hostile_excel_files() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Angebote"
    sheet.append(["Name", "Typ", "lat", "lon"])
    sheet.append(["EUTB Aachen-Mitte", "EUTB", "50.7753", "6.0839"])
    sheet["XFD1048576"] = "x"
    book.save(HERE / "xlsx_bereich_bis_xfd.xlsx")

    book = Workbook()
    sheet = book.active
    sheet.title = "Angebote"
    sheet.append(["Angebot", None, "Lage", None, "Barrierefreiheit", None])
    sheet.append([None, None, "lat", "lon", "Stufenloser Zugang", "Rollstuhlgerechtes WC"])
    sheet.append(["EUTB Aachen-Mitte", "EUTB", "50.7753", "6.0839", "ja", "nein"])
    sheet["A1"], sheet["B1"] = "Name", "Typ"
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:B2")
    sheet.merge_cells("C1:D1")
    sheet.merge_cells("E1:F1")
    book.save(HERE / "kopf_zweizeilig.xlsx")

    book = Workbook()
    sheet = book.active
    sheet.append(["Angebotsverzeichnis", None, None, None])
    sheet.append(["Name", "Art des Angebots", "lat", "lon"])
    sheet.append(["EUTB Aachen-Mitte", "EUTB", "50.7753", "6.0839"])
    sheet.merge_cells("A1:D1")
    book.save(HERE / "kopf_titel_verbunden_typ_unbekannt.xlsx")

    # A zip bomb in XLSX clothing: a worksheet of 50 MB that compresses 1000-fold.
    import zipfile

    with zipfile.ZipFile(HERE / "zip_bombe.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/worksheets/sheet1.xml", b"<row>" + b" " * 50_000_000 + b"</row>")

    frame = pd.DataFrame({"Name": [f"Beratung {i}" for i in range(3000)], "Typ": "EUTB",
                          "lat": "50.7753", "lon": "6.0839"})
    frame.to_excel(HERE / "xlsx_entpackt_zu_gross.xlsx", index=False)

    with pd.ExcelWriter(HERE / "gesundheit_kv_nummer.xlsx") as writer:
        pd.DataFrame({"person_schluessel": ["P-0001"], "KV-Nummer": ["A123456789"],
                      "icf_code": ["e150"], "qualifikator": [".2"],
                      "beeintraechtigung": ["Mobilität"], "datum": ["05.03.2024"],
                      "x": ["294962,6"], "y": ["5628862,7"]}).to_excel(writer, index=False)


def hostile_spatial_files() -> None:
    point = shapely.Point(294962.6, 5628862.7)
    services = gpd.GeoDataFrame({"name": ["EUTB Aachen-Mitte", "KoKoBe Römerstraße"],
                                 "typ": ["EUTB", "KoKoBe"]}, geometry=[point, point], crs=CRS)
    target = HERE / "geopackage_ohne_geometrie.gpkg"
    target.unlink(missing_ok=True)
    pyogrio.write_dataframe(pd.DataFrame({"name": ["EUTB"], "typ": ["EUTB"]}), target,
                            layer="angebote_tabelle", driver="GPKG")
    target = HERE / "geopackage_tabelle_gewaehlt.gpkg"
    target.unlink(missing_ok=True)
    pyogrio.write_dataframe(services, target, layer="angebote")
    pyogrio.write_dataframe(pd.DataFrame({"name": ["EUTB"], "typ": ["EUTB"]}), target,
                            layer="kontakte", driver="GPKG", append=True)
    for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        (HERE / f"dbf_cp850_ohne_cpg{suffix}").unlink(missing_ok=True)
    # Written in DOS code page 850; without the .cpg GDAL would read ISO-8859-1 (mojibake).
    pyogrio.write_dataframe(services.assign(name=["Beratung für Hörgeschädigte",
                                                  "KoKoBe Römerstraße"]),
                            HERE / "dbf_cp850_ohne_cpg.shp", encoding="cp850")
    (HERE / "dbf_cp850_ohne_cpg.cpg").unlink()


def hostile_barrier_files() -> None:
    for name, column, value in (
        ("gesundheit_diagnose.csv", "Diagnose", "F32.1"),
        ("gesundheit_icd10.csv", "ICD-10", "G82.2"),
        ("gesundheit_krankenkasse.csv", "Krankenkasse", "AOK Rheinland"),
        ("gesundheit_pflegegrad.csv", "Pflegegrad", "3"),
        ("gesundheit_kv_nummer.csv", "KV-Nummer", "A123456789"),
    ):
        text(name, BARRIER_HEADER.replace("\n", f";{column}\n")
             + BARRIER_ROW.replace("\n", f";{value}\n"))
    text("person_name_komma.csv", BARRIER_HEADER + BARRIER_ROW
         + "müller, hans;e150;.2;Mobilität;05.03.2024;294962,6;5628862,7\n")
    text("person_titel_name.csv", BARRIER_HEADER
         + "Dr. Hans Müller;e150;.2;Mobilität;05.03.2024;294962,6;5628862,7\n")
    text("person_nullbreite.csv", BARRIER_HEADER + BARRIER_ROW
         + "P-0001\u200b;e120;.3;Mobilität;06.03.2024;294962,6;5628862,7\n")
    text("barriere_icf_doppelt.csv",
         "person_schluessel;icf_code;ICF;qualifikator;beeintraechtigung;datum;x;y\n"
         "P-0001;e150;e120;.2;Mobilität;05.03.2024;294962,6;5628862,7\n")
    text("barriere_qualifikator_widerspruch.csv", BARRIER_HEADER
         + "P-0001;e150.2;.4;Mobilität;05.03.2024;294962,6;5628862,7\n")
    text("barriere_leerzeilen.csv", BARRIER_HEADER + BARRIER_ROW + "\n;;;;;;\n\n"
         + "P-0002;x999;.2;Mobilität;05.03.2024;294962,6;5628862,7\n")
    text("barriere_quelle_nullbreite.csv", BARRIER_HEADER.replace("\n", ";quelle\n")
         + BARRIER_ROW.replace("\n", ";synthe\u200btisch\n"))
    text("barriere_quelle_synthetisch.csv", BARRIER_HEADER.replace("\n", ";quelle\n")
         + BARRIER_ROW.replace("\n", ";synthetisch\n"))
    text("barriere_datum_mehrdeutig.csv", BARRIER_HEADER
         + "P-0001;e150;.2;Mobilität;03/05/2024;294962,6;5628862,7\n")
    text("barriere_freitext_bidi.csv", BARRIER_HEADER.replace("\n", ";bemerkung\n")
         + BARRIER_ROW.replace("\n", ";Stufe \u202eecnartne\u202c\n"))
    text("barriere_utf16_ohne_bom.csv", BARRIER_HEADER + BARRIER_ROW, encoding="utf-16-le")
    text("barriere_feld_zu_lang.csv", BARRIER_HEADER.replace("\n", ";bemerkung\n")
         + BARRIER_ROW.replace("\n", ";" + "Stufe " * 2000 + "\n"))


REGION = """[region]
titel = "Testregion"
crs = "{crs}"

[quellen]
osm = "osm/aachen.osm.pbf"
gemeinden = "boundaries/vg250ew_gemeinden_nrw.geojson"
icf = "icf/icf_umweltfaktoren.csv"
{quellen}
[grenze]
art = "gemeinden"
{grenze}

[planungsraeume]
art = "osm_orte"

[bevoelkerung]
wohnflaeche_je_einwohner_m2 = 45.0
wohnflaechenanteil = 0.75

[bevoelkerung.geschosse_standard]
default = 2

[bevoelkerung.altersanteile]
unter_18 = 0.165
"18_64" = 0.614
"65_79" = 0.149
"80_plus" = 0.072
"""


def region_files() -> None:
    def region(name: str, crs: str = "EPSG:25832", quellen: str = "",
               grenze: str = 'ags_praefix = "05334"') -> None:
        text(name, REGION.format(crs=crs, quellen=quellen, grenze=grenze))

    region("region_tippfehler_ags_prefix.toml", grenze='ags_prefix = "05334"')
    region("region_unbekannter_eintrag.toml", quellen='gtfs_feed = "gtfs/vrn_heidelberg_gtfs.zip"\n')
    region("region_gtfs_ordner.toml", quellen='gtfs = "gtfs"\n')
    region("region_sachsen_25832.toml", grenze='ags_praefix = "14626"')
    region("region_berlin_25832.toml", grenze='ags_praefix = "11000"')
    region("region_crs_geografisch.toml", crs="EPSG:4326")
    region("region_crs_unbekannt.toml", crs="EPSG:99999")
    region("region_aachen_in_zone_33.toml", crs="EPSG:32633", grenze='ags_praefix = "05334"')
    # No AGS: the build checks the zone against the OSM extract's location (Aachen, 6.1° E).
    text("region_extrakt_zone_33.toml", REGION.format(crs="EPSG:25833", quellen="", grenze="")
         .replace('art = "gemeinden"', 'art = "extrakt"')
         .replace('gemeinden = "boundaries/vg250ew_gemeinden_nrw.geojson"\n', ""))
    (HERE / "region_unbekannter_abschnitt.toml").write_text(
        REGION.format(crs="EPSG:25832", quellen="", grenze='ags_praefix = "05334"')
        + '\n[synthetik]\nseed = 1\n', encoding="utf-8")


def relation_files() -> None:
    """Issue #14: cooperation lists, presence lists and outreach areas referring to offers."""
    coop = "Angebot A;Angebot B;Art\n"
    text("kooperation_angebot_unbekannt.csv", coop + "syn-eutb-01;KoKoBe Kaiserplatzz;Verweis\n")
    text("kooperation_mit_sich_selbst.csv", coop + "syn-eutb-01;syn-eutb-01;Verweis\n")
    text("kooperation_quelle_synthetisch.csv",
         "Angebot A;Angebot B;Art;Quelle\nsyn-eutb-01;syn-spz-01;Verweis;synthetisch\n")
    text("kooperation_ende_vor_beginn.csv", "Angebot A;Angebot B;Art;seit;bis\n"
         "syn-eutb-01;syn-spz-01;Verweis;01.01.2025;01.01.2024\n")
    text("praesenz_zeiten_unlesbar.csv", "Träger;Art;Gastgeber;Zeiten\n"
         "LVR;Sprechstunde;syn-eutb-01;immer mal wieder\n")
    text("praesenz_ohne_gastgeber.csv", "Träger;Art;Zeiten\nLVR;Sprechstunde;Di 14-16 Uhr\n")
    text("gebiete_planungsraum_unbekannt.csv", "Angebot;Art;Planungsräume\n"
         "syn-eutb-01;Planungsräume;PR01,PR99\n")


def hostile_files() -> None:
    """The files of issue #9 (run on their own: the older files stay byte-identical)."""
    hostile_csv_files()
    hostile_excel_files()
    hostile_spatial_files()
    hostile_barrier_files()
    region_files()
    relation_files()


if __name__ == "__main__":
    import sys

    if "--nur-neue" not in sys.argv:
        csv_files()
        excel_files()
        spatial_files()
    hostile_files()
    print(f"{len([p for p in HERE.iterdir() if p.name != Path(__file__).name])} Dateien in {HERE}")
