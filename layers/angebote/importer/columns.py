"""Header mapping of service files: German and English spellings onto the ``angebote`` schema."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from layers.angebote.vocabulary import SCHEMA
from layers.errors import InputValidationError, Problem

if TYPE_CHECKING:
    from layers.angebote.importer.reading import Source
    from layers.angebote.importer.report import ImportReport

__all__ = [
    "AMBIGUOUS_NUMBER",
    "HEADER_ALIASES",
    "REQUIRED_FIELDS",
    "SERVICE_PERSONAL_ALLOWED",
    "check_header",
    "header_key",
    "map_columns",
]


# Header spellings (normalised: lower case, umlauts/ß spelled out, no spaces, dots, hyphens or
# underscores) → schema field. "adresse" is street and number in one cell; "lat"/"lon" are
# WGS 84 degrees, "x"/"y" metric coordinates in the CRS the user states.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "angebot_id": ("angebotid", "angebotsid", "id", "kennung", "lfdnr", "laufendenr",
                   "laufendenummer", "objektid", "schluessel"),
    "name": ("name", "bezeichnung", "einrichtung", "angebot", "angebotsname", "titel",
             "beratungsstelle", "stelle", "namedereinrichtung", "namedesangebots"),
    "typ": ("typ", "angebotstyp", "angebotsart", "art", "kategorie", "beratungsart", "type",
            "typdesangebots", "angebotskategorie"),
    "zielgruppen": ("zielgruppen", "zielgruppe", "fuerwen"),
    "adresse": ("adresse", "anschrift", "strasseundhausnummer", "strassehausnummer",
                "strassehnr", "strhnr"),
    "strasse": ("strasse", "str", "strassenname"),
    "hausnummer": ("hausnummer", "hnr", "hausnr"),
    "plz": ("plz", "postleitzahl", "zip"),
    "ort": ("ort", "stadt", "gemeinde", "kommune"),
    "lat": ("lat", "latitude", "breite", "breitengrad", "geobreite", "ywgs84", "latwgs84"),
    "lon": ("lon", "lng", "long", "longitude", "laenge", "laengengrad", "geolaenge", "xwgs84",
            "lonwgs84"),
    "x": ("rechtswert", "x", "ostwert", "easting", "xkoordinate", "koordinatex", "xutm", "e"),
    "y": ("hochwert", "y", "nordwert", "northing", "ykoordinate", "koordinatey", "yutm", "n"),
    "stufenloser_zugang": ("stufenloserzugang", "barrierefrei", "rollstuhlgerecht",
                           "barrierefreierzugang", "zugangbarrierefrei", "rollstuhlzugang",
                           "stufenlos", "ebenerdig", "wheelchair", "zugangstufenlos"),
    "rollstuhlgerechtes_wc": ("rollstuhlgerechteswc", "rollstuhlwc", "behindertenwc",
                              "barrierefreieswc", "wcbarrierefrei", "wcrollstuhlgerecht",
                              "toiletterollstuhlgerecht", "rollstuhltoilette"),
    "induktionsschleife": ("induktionsschleife", "hoerschleife", "induktiveshoeranlage",
                           "hoeranlage", "ringschleife", "induktionsanlage"),
    "gebaerdensprache": ("gebaerdensprache", "dgs", "gebaerdensprachdolmetschung",
                         "deutschegebaerdensprache"),
    "leichte_sprache": ("leichtesprache", "infosinleichtersprache"),
    "aufsuchend": ("aufsuchend", "hausbesuche", "aufsuchendeberatung", "aufsuchendtaetig"),
    "oeffnungszeiten": ("oeffnungszeiten", "sprechzeiten", "beratungszeiten", "openinghours"),
    "zugangswege": ("zugangswege", "zugangsweg", "kontaktwege", "beratungsformen",
                    "beratungsform", "kontaktmoeglichkeiten"),
    "traeger": ("traeger", "betreiber", "traegerschaft", "operator", "anbieter"),
    "kapazitaet_std_woche": ("kapazitaetstdwoche", "kapazitaet", "wochenstunden",
                             "stundenprowoche", "personalstunden", "beratungsstunden",
                             "stdwoche", "kapazitaetstundenprowoche",
                             "kapazitaetstdprowoche"),
    "kontakt": ("kontakt", "ansprechpartner", "ansprechperson", "ansprechpartnerin"),
    "telefon": ("telefon", "tel", "telefonnummer", "fon", "phone"),
    "email": ("email", "mail", "emailadresse"),
    "webseite": ("webseite", "website", "internet", "homepage", "url", "www", "internetseite"),
    "bemerkung": ("bemerkung", "bemerkungen", "anmerkung", "anmerkungen", "hinweis", "notiz",
                  "kommentar"),
    "gueltig_von": ("gueltigvon", "gueltigab", "seit", "beginn", "start", "von"),
    "gueltig_bis": ("gueltigbis", "bis", "ende", "befristetbis", "geschlossenam"),
    "quelle": ("quelle", "datenquelle"),
    "osm_id": ("osmid",),
    # Columns of our own export that are derived again on import.
    "_ignoriert": ("gruppe", "version", "fid", "geometry", "geometrie"),
}
_ALIAS_TO_FIELD = {alias: fld for fld, aliases in HEADER_ALIASES.items() for alias in aliases}

# "Nr"/"Nummer" is a house number next to a street, otherwise the number of the offer.
AMBIGUOUS_NUMBER = ("nr", "nummer")

# Columns that look personal but are the office's own data in a service directory.
SERVICE_PERSONAL_ALLOWED = ("Name", "Telefon", "Tel", "E-Mail", "Email", "Mail", "Adresse",
                            "Anschrift")

# A service directory's name column is the one field every row needs.
REQUIRED_FIELDS = ("name", "typ")


def header_key(column: object) -> str:
    """Normalise a column header for matching (``"Straße "`` → ``"strasse"``)."""
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
    text = str(column).strip().lower().translate(table)
    text = re.sub(r"\(.*?\)", "", text) if re.sub(r"\(.*?\)", "", text).strip() else text
    return re.sub(r"[^a-z0-9]", "", text)


def map_columns(columns: Iterable[str]) -> tuple[dict[str, str], list[str], list[str]]:
    """Map a file's headers onto schema fields.

    Returns
    -------
    tuple
        ``(mapping field → original header, unmapped headers, duplicate headers)``; when two
        headers map to the same field the first wins and the second is reported.
    """
    mapping: dict[str, str] = {}
    unmapped: list[str] = []
    duplicates: list[str] = []
    ambiguous: list[str] = []
    for column in columns:
        key = header_key(column)
        if key in AMBIGUOUS_NUMBER:
            ambiguous.append(str(column))
            continue
        target = _ALIAS_TO_FIELD.get(key)
        if target is None and key in SCHEMA:
            target = key
        if target is None:
            unmapped.append(str(column))
        elif target == "_ignoriert":
            continue
        elif target in mapping:
            duplicates.append(str(column))
        else:
            mapping[target] = str(column)
    for column in ambiguous:
        # "Nr." next to a street without house-number column is the house number; otherwise
        # it numbers the offers.
        if "strasse" in mapping and "hausnummer" not in mapping:
            mapping["hausnummer"] = column
        elif "angebot_id" not in mapping:
            mapping["angebot_id"] = column
        else:
            duplicates.append(column)
    return mapping, unmapped, duplicates


def check_header(
    source: Source,
    mapping: dict[str, str],
    unmapped: list[str],
    duplicates: list[str],
    report: ImportReport,
) -> None:
    """Refuse a file without name or type column; warn about unmapped and duplicate headers."""
    datei = str(source.path)
    if "name" not in mapping:
        found = ", ".join(f"'{c}'" for c in source.frame.columns[:12])
        raise InputValidationError(
            "Die Datei hat keine Spalte für den Namen des Angebots.",
            hinweis=f"Nennen Sie die Spalte 'Name' oder 'Bezeichnung'. Gefundene Spalten: {found}.",
            datei=datei,
            spalte="Name",
        )
    if "typ" not in mapping:
        raise InputValidationError(
            "Die Datei hat keine Spalte für den Angebotstyp.",
            hinweis="Ergänzen Sie eine Spalte 'Typ' mit Werten wie EUTB, KoKoBe, SPZ, "
            "Pflegestützpunkt (die vollständige Liste steht in data/angebotstypen.toml).",
            datei=datei,
            spalte="Typ",
        )
    for column in unmapped:
        report.probleme.append(
            Problem(
                "Die Spalte wird nicht übernommen (unbekannte Überschrift).",
                "Benennen Sie die Spalte um, wenn sie übernommen werden soll (z. B. 'Träger', "
                "'Öffnungszeiten', 'Barrierefrei').",
                datei=datei,
                spalte=column,
                schwere="warnung",
            )
        )
    for column in duplicates:
        report.probleme.append(
            Problem(
                "Die Spalte meint dasselbe wie eine frühere Spalte und wird nicht übernommen.",
                "Löschen Sie eine der beiden Spalten.",
                datei=datei,
                spalte=column,
                schwere="warnung",
            )
        )
