"""Sample inputs as planners write them, shared by several test modules."""

from __future__ import annotations

from datetime import date

import pandas as pd

__all__ = ["GTFS_DAY", "PLANNER_CSV", "STAEDTEREGION"]

# A Tuesday inside the validity of the Heidelberg timetable (vrn_heidelberg_gtfs.zip).
GTFS_DAY = date(2022, 9, 13)

# A planner's list as Excel writes it on German Windows: cp1252, semicolons, decimal comma,
# German headers, some rows with an address only, one with Rechtswert/Hochwert, one with lat/lon.
PLANNER_CSV = (
    "Nr;Bezeichnung;Angebotsart;Träger;Straße;Hnr;PLZ;Ort;Rechtswert;Hochwert;Breite;Länge;"
    "Barrierefrei;Rollstuhl-WC;Gebärdensprache;Aufsuchend;Sprechzeiten;Wochenstunden;"
    "Telefon;gültig ab\n"
    "A1;EUTB Aachen-Mitte;EUTB;Teilhabe e. V.;Adalbertstr.;66;52062;Aachen;;;;;ja;ja;nein;"
    "ja;Mo-Fr 9-13;39,0;0241 12345;01.01.2024\n"
    "A2;KoKoBe Burtscheid;Koordinierungs-, Kontakt- und Beratungsstelle;Lebenshilfe;Römerstraße;"
    "5;52064;Aachen;;;;;teilweise;;;nein;;19,5;;\n"
    "A3;Pflegestützpunkt Mitte;Pflegestuetzpunkt;Städteregion;;;;;294962,61;5628862,70;;;x;x;;;"
    ";58,5;;\n"
    "A4;Selbsthilfe-Kontaktstelle;Selbsthilfe;Paritätischer;;;;;;;50,7753;6,0839;nein;;;;;;;\n"
    "A5;Sozialpsychiatrisches Zentrum;SPZ;Caritas;Gibtesnichtweg;3;52062;Aachen;;;;;;;;;;;;\n"
)


# Städteregion Aachen: 10 Gemeinden in 4 planning areas (as a Kreis would group them).
STAEDTEREGION = pd.DataFrame({
    "AGS": ["05334002", "5334004", "05334008", "05334012", "05334016", "05334020", "05334024",
            "05334028", "05334032", "05334036"],
    "Planungsraum": ["1", "2", "2", "3", "2", "4", "4", "4", "3", "2"],
    "Planungsraum_Name": ["Stadt Aachen", "Nord", "Nord", "Ost", "Nord", "Eifel", "Eifel",
                          "Eifel", "Ost", "Nord"],
})
