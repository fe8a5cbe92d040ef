"""The one place where inputs are checked.

Every loader and every analysis entry point validates through these functions, so that a given
mistake always produces the same German message: what is wrong, where (file, row, column) and how
to fix it. Functions either return a cleaned copy or raise a subclass of
:class:`layers.errors.SozialraumError`; none of them mutates its input.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from layers.errors import (
    ConfigError,
    CRSError,
    InputValidationError,
    PersonalDataError,
    Problem,
    SourceDataError,
)
from layers.validation.personal import normalize_person_key, normalize_person_keys  # noqa: F401

# Header row = row 1 in a spreadsheet; the first data row is therefore row 2.
FIRST_DATA_ROW = 2

# Column names that identify a person directly. Their presence makes an import file unacceptable
# for case-derived data (SGB X, Art. 9 GDPR): the store must never hold them.
PERSONAL_COLUMN_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^(vor|nach|familien|ruf)?name(n)?$", "Name"),
    (r"^(vorname|nachname|familienname|klient(in)?|person(en)?name)$", "Name"),
    (r"geburts(datum|tag|jahr)|^geb\.?(datum)?$|birth", "Geburtsdatum"),
    (r"^(telefon|tel|handy|mobil|e-?mail|mail)$", "Kontaktdaten"),
    (r"versicherten|sozialversicherungs|steuer-?id|aktenzeichen|fallnummer_klar", "Kennnummer"),
    (r"^(wohn)?(adresse|anschrift)(_person|_klient(in)?)?$|^wohnort$|^privatadresse$", "Wohnadresse"),
)


def parse_crs(value: object, *, datei: str | Path | None = None, projected: bool = False) -> CRS:
    """Parse a CRS given as EPSG code, ``"EPSG:25832"``, WKT or PROJ string.

    Parameters
    ----------
    value
        What the user wrote.
    datei
        The file the value came from (for the message).
    projected
        Require a projected (metric) CRS, as every working CRS must be.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    ConfigError
        If the value is empty, unknown or (with ``projected``) geographic.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ConfigError(
            "Es ist kein Koordinatenbezugssystem (CRS) angegeben.",
            hinweis="Tragen Sie ein CRS ein, z. B. crs = \"EPSG:25832\" für NRW oder \"EPSG:25833\" für Sachsen.",
            datei=datei,
        )
    try:
        crs = CRS.from_user_input(value)
    except (PyprojCRSError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"Das Koordinatenbezugssystem '{value}' ist unbekannt.",
            hinweis="Verwenden Sie einen EPSG-Code wie \"EPSG:25832\" (ETRS89 / UTM 32N, NRW) "
            "oder \"EPSG:25833\" (ETRS89 / UTM 33N, Sachsen).",
            datei=datei,
        ) from exc
    if projected and not crs.is_projected:
        raise ConfigError(
            f"Das Koordinatenbezugssystem '{value}' ist geografisch (Grad), nicht metrisch.",
            hinweis="Als Arbeits-CRS ist ein metrisches System nötig, z. B. \"EPSG:25832\".",
            datei=datei,
        )
    return crs


def require_crs(
    gdf: gpd.GeoDataFrame | gpd.GeoSeries,
    expected: CRS | str | int,
    *,
    name: str,
    datei: str | Path | None = None,
) -> None:
    """Raise unless ``gdf`` carries exactly the expected CRS.

    A missing or mismatching CRS is an error, never a warning: silently reprojecting (or not)
    yields distances that are off by kilometres.

    Parameters
    ----------
    gdf
        The layer to check.
    expected
        The region's working CRS.
    name
        The layer's name for the message.
    datei
        The file the layer came from, if any.

    Raises
    ------
    CRSError
    """
    expected_crs = CRS.from_user_input(expected)
    if gdf.crs is None:
        raise CRSError(
            f"Die Ebene '{name}' hat kein Koordinatenbezugssystem (CRS).",
            hinweis="Speichern Sie die Datei mit CRS (z. B. in QGIS: Layer exportieren, KBS wählen) "
            "oder geben Sie beim Import das CRS der Koordinaten an.",
            datei=datei,
        )
    if not CRS.from_user_input(gdf.crs).equals(expected_crs):
        raise CRSError(
            f"Die Ebene '{name}' liegt in {crs_label(gdf.crs)}, die Region arbeitet in "
            f"{crs_label(expected_crs)}.",
            hinweis=f"Transformieren Sie die Ebene nach {crs_label(expected_crs)} "
            "(to_crs) oder importieren Sie sie über die Importfunktion, die das erledigt.",
            datei=datei,
        )


def crs_label(crs: object) -> str:
    """A CRS as users know it: "EPSG:25832", or its name if it has no EPSG code."""
    parsed = CRS.from_user_input(crs)
    epsg = parsed.to_epsg()
    return f"EPSG:{epsg}" if epsg else parsed.name


def to_region_crs(
    gdf: gpd.GeoDataFrame,
    region_crs: CRS | str | int,
    *,
    name: str,
    datei: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Return ``gdf`` transformed into the region CRS; a layer without CRS is an error.

    Parameters
    ----------
    gdf
        Input layer with a known CRS.
    region_crs
        Target CRS.
    name, datei
        For messages.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame (the input is never changed).
    """
    if gdf.crs is None:
        require_crs(gdf, region_crs, name=name, datei=datei)
    return gdf.to_crs(region_crs)


def check_geometries(
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    datei: str | Path | None = None,
    allowed_types: Sequence[str] | None = None,
    repair: bool = False,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Check geometries for emptiness, validity and type.

    Parameters
    ----------
    gdf
        Layer to check.
    name, datei
        For messages.
    allowed_types
        Accepted geometry types (e.g. ``("Polygon", "MultiPolygon")``).
    repair
        Repair invalid geometries with ``shapely.make_valid`` (reported as warnings) instead of
        reporting them as errors.

    Returns
    -------
    tuple
        A checked copy of ``gdf`` and the list of problems (rows refer to the input's order).
    """
    result = gdf.copy()
    problems: list[Problem] = []
    geoms = result.geometry.array
    missing = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    for pos in np.flatnonzero(missing):
        problems.append(
            Problem(
                f"Die Ebene '{name}' enthält ein Objekt ohne Geometrie.",
                "Ergänzen Sie die Geometrie oder entfernen Sie die Zeile.",
                datei=str(datei) if datei else None,
                zeile=int(pos) + FIRST_DATA_ROW,
                spalte="geometry",
            )
        )
    invalid = ~np.asarray(shapely.is_valid(geoms)) & ~missing
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid])
        if repair:
            repaired = shapely.make_valid(geoms[invalid])
            result.loc[result.index[invalid], result.geometry.name] = repaired
        for pos, reason in zip(np.flatnonzero(invalid), reasons, strict=True):
            problems.append(
                Problem(
                    f"Ungültige Geometrie in Ebene '{name}' ({reason}).",
                    "Die Geometrie wurde automatisch repariert; prüfen Sie das Ergebnis."
                    if repair
                    else "Reparieren Sie die Geometrie, z. B. in QGIS mit 'Geometrien reparieren'.",
                    datei=str(datei) if datei else None,
                    zeile=int(pos) + FIRST_DATA_ROW,
                    spalte="geometry",
                    schwere="warnung" if repair else "fehler",
                )
            )
    if allowed_types is not None:
        types = result.geometry.geom_type.to_numpy()
        wrong = ~np.isin(types, list(allowed_types)) & ~missing
        for pos in np.flatnonzero(wrong):
            problems.append(
                Problem(
                    f"Geometrietyp '{types[pos]}' passt nicht zur Ebene '{name}' "
                    f"(erwartet: {', '.join(allowed_types)}).",
                    "Exportieren Sie die Ebene mit dem passenden Geometrietyp.",
                    datei=str(datei) if datei else None,
                    zeile=int(pos) + FIRST_DATA_ROW,
                    spalte="geometry",
                )
            )
    return result, problems


def raise_if_errors(problems: Iterable[Problem], meldung: str, hinweis: str = "") -> None:
    """Raise :class:`InputValidationError` if any problem is an error.

    Parameters
    ----------
    problems
        Findings of one or more checks.
    meldung, hinweis
        Summary message and fix.
    """
    errors = [p for p in problems if p.schwere == "fehler"]
    if errors:
        datei = errors[0].datei if len({p.datei for p in errors}) == 1 else None
        raise InputValidationError(meldung, hinweis=hinweis, datei=datei, probleme=errors)


# --------------------------------------------------------------------------------------------
# Tables from planners' spreadsheets
# --------------------------------------------------------------------------------------------

_ENCODINGS = ("utf-8-sig", "cp1252")


def read_table(path: str | Path, *, sheet: str | int | None = 0) -> pd.DataFrame:
    """Read a table as planners export it: CSV (UTF-8 or cp1252, ``;`` ``,`` or tab) or XLSX.

    All cells are read as text so that nothing is guessed (leading zeros of an AGS, decimal
    commas); callers convert columns with :func:`parse_decimal` and friends.

    Parameters
    ----------
    path
        A ``.csv``, ``.txt``, ``.tsv`` or ``.xlsx`` file.
    sheet
        Worksheet for XLSX files.

    Returns
    -------
    pandas.DataFrame
        Column names stripped of surrounding whitespace, all values ``str`` or ``<NA>``.

    Raises
    ------
    SourceDataError
        If the file is missing, empty or unreadable.
    """
    path = Path(path)
    if not path.exists():
        raise SourceDataError(
            "Die Datei wurde nicht gefunden.",
            hinweis="Prüfen Sie den Pfad und den Dateinamen.",
            datei=path,
        )
    if path.stat().st_size == 0:
        raise SourceDataError(
            "Die Datei ist leer (0 Byte).",
            hinweis="Exportieren Sie die Tabelle erneut, mit Kopfzeile und mindestens einer Datenzeile.",
            datei=path,
        )
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheets = excel_sheets(path)
        if sheet is None:
            sheet = 0
        if isinstance(sheet, str) and sheet not in sheets:
            raise SourceDataError(
                f"Die Excel-Datei hat kein Tabellenblatt '{sheet}'.",
                hinweis="Vorhandene Blätter: " + ", ".join(f"'{n}'" for n in sheets) + ". Wählen "
                "Sie eines davon.",
                datei=path,
            )
        if isinstance(sheet, int) and not 0 <= sheet < len(sheets):
            raise SourceDataError(
                f"Die Excel-Datei hat nur {len(sheets)} Tabellenblatt/-blätter.",
                hinweis="Vorhandene Blätter: " + ", ".join(f"'{n}'" for n in sheets) + ".",
                datei=path,
            )
        try:
            frame = pd.read_excel(path, sheet_name=sheet, dtype=str)
        except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
            raise SourceDataError(
                "Zum Lesen von Excel-Dateien fehlt das Paket openpyxl.",
                hinweis="Installieren Sie die Abhängigkeiten neu (python dev.py setup).",
                datei=path,
            ) from exc
        except Exception as exc:
            raise SourceDataError(
                f"Die Excel-Datei kann nicht gelesen werden ({exc}).",
                hinweis="Öffnen Sie die Datei in Excel und speichern Sie sie erneut als .xlsx.",
                datei=path,
            ) from exc
    elif suffix in (".csv", ".txt", ".tsv"):
        frame = _read_csv_text(path)
    else:
        raise SourceDataError(
            f"Das Dateiformat '{suffix or '(ohne Endung)'}' wird für Tabellen nicht unterstützt.",
            hinweis="Speichern Sie die Tabelle als CSV (Trennzeichen Semikolon) oder als XLSX.",
            datei=path,
        )
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    # Trailing separators (";;;" after the last column, common in Excel exports) give empty
    # columns without a header: drop those, keep every column that has a name or data.
    empty_unnamed = [c for c in frame.columns
                     if (c.startswith("Unnamed:") or c == "") and frame[c].isna().all()]
    frame = frame.drop(columns=empty_unnamed).dropna(how="all")
    if frame.empty:
        raise SourceDataError(
            "Die Datei enthält keine Datenzeilen, nur eine Kopfzeile.",
            hinweis="Exportieren Sie die Tabelle erneut mit den Daten.",
            datei=path,
        )
    unnamed = [c for c in frame.columns if c.startswith("Unnamed:") or c == ""]
    if unnamed and len(unnamed) == len(frame.columns):
        raise SourceDataError(
            "Die Datei hat keine Kopfzeile mit Spaltennamen.",
            hinweis="Fügen Sie als erste Zeile die Spaltennamen ein.",
            datei=path,
        )
    return frame.astype("string")


def decode_text(raw: bytes, *, datei: str | Path | None = None) -> str:
    """Decode a text file as planners' programs write it, refusing garbled text.

    Accepted: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode-Text") and
    Windows-1252 (Excel's "CSV (Trennzeichen-getrennt)" on German Windows). Refused with a German
    message naming the row: bytes that fit none of these (e.g. DOS code page 850), and text that
    decodes but is visibly garbled, because it was converted twice ("StraÃŸe") or mixes
    encodings, or was written in code page 850 ("Straáe", "K„phe").

    Parameters
    ----------
    raw
        File content.
    datei
        For messages.

    Returns
    -------
    str

    Raises
    ------
    SourceDataError
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SourceDataError(
                "Die Datei beginnt wie eine UTF-16-Datei, ist aber beschädigt.",
                hinweis="Speichern Sie die Tabelle in Excel als 'CSV UTF-8 (durch Trennzeichen "
                "getrennt)'.",
                datei=datei,
            ) from exc
    text: str | None = None
    for encoding in _ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        zeile = _first_undecodable_line(raw)
        raise SourceDataError(
            "Die Zeichenkodierung der Datei ist weder UTF-8 noch Windows-1252 (vermutlich eine "
            "alte DOS-Kodierung wie Codepage 850 oder eine Mac-Kodierung).",
            hinweis="Öffnen Sie die Datei in Excel oder LibreOffice mit dem richtigen "
            "Zeichensatz und speichern Sie sie als 'CSV UTF-8 (durch Trennzeichen getrennt)'.",
            datei=datei,
            zeile=zeile,
        )
    garbled = _garbled_text(text)
    if garbled is not None:
        zeile, sample, kind = garbled
        raise SourceDataError(
            f"Umlaute und Sonderzeichen sind falsch kodiert ('{sample}'): {kind}.",
            hinweis="Exportieren Sie die Tabelle erneut aus dem Ursprungsprogramm als 'CSV UTF-8 "
            "(durch Trennzeichen getrennt)'; korrigieren Sie die Zeichen nicht von Hand.",
            datei=datei,
            zeile=zeile,
        )
    return text


# UTF-8 read as Windows-1252: "ä" → "Ã¤", "ß" → "ÃŸ", "é" → "Ã©" (and "Â" before NBSP, "°").
_CONTINUATION = bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")
_MOJIBAKE = re.compile(f"[ÃÂ][{re.escape(_CONTINUATION)}]")
# Code page 850 read as Windows-1252: "ä" → "„", "ö" → "”", "ß" → "á", inside words.
_CP850 = re.compile(r"[A-Za-z][\u201e\u201d][a-z]|(?i:stra\u00e1e|gro\u00e1)")


def _garbled_text(text: str) -> tuple[int, str, str] | None:
    for pattern, kind in (
        (_MOJIBAKE, "die Datei wurde zweimal umkodiert oder mischt UTF-8 und Windows-1252"),
        (_CP850, "die Datei ist in einer DOS-Kodierung (Codepage 850) gespeichert"),
    ):
        match = pattern.search(text)
        if match:
            line_start = text.rfind("\n", 0, match.start()) + 1
            line_end = text.find("\n", match.end())
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            word = re.search(r"[^\s;,\t|]*" + re.escape(match.group(0)) + r"[^\s;,\t|]*", line)
            sample = (word.group(0) if word else match.group(0)).strip(";,\t\"")[:40]
            return text.count("\n", 0, match.start()) + 1, sample, kind
    return None


def _first_undecodable_line(raw: bytes) -> int | None:
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("cp1252")
        except UnicodeDecodeError:
            return number
    return None


def _check_field_counts(text: str, delimiter: str) -> None:
    """Raise pandas' ParserError for a row with more fields than the header.

    pandas silently turns surplus leading fields into an index when EVERY row has them (the
    typical result of decimal commas in a comma-separated file); this check makes that an error.
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    header = next(reader, [])
    for number, row in enumerate(reader, start=2):
        if len(row) > len(header) and any(field.strip() for field in row[len(header):]):
            raise pd.errors.ParserError(
                f"Expected {len(header)} fields in line {number}, saw {len(row)}"
            )


def excel_sheets(path: str | Path) -> list[str]:
    """Names of the worksheets of an XLSX file, in workbook order.

    Raises
    ------
    SourceDataError
        If the file is not a readable XLSX workbook.
    """
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic != b"PK\x03\x04":
        old_excel = magic == b"\xd0\xcf\x11\xe0"
        raise SourceDataError(
            "Die Datei ist keine Excel-Arbeitsmappe (.xlsx), sondern "
            + ("eine Datei im alten Excel-Format (.xls)." if old_excel
               else "offenbar eine Text- oder CSV-Datei mit falscher Endung."),
            hinweis="Speichern Sie die Tabelle in Excel über 'Speichern unter' als "
            "'Excel-Arbeitsmappe (*.xlsx)' oder als 'CSV (Trennzeichen-getrennt)'.",
            datei=path,
        )
    try:
        with pd.ExcelFile(path) as book:
            return [str(name) for name in book.sheet_names]
    except Exception as exc:
        raise SourceDataError(
            f"Die Excel-Datei kann nicht gelesen werden ({exc}).",
            hinweis="Öffnen Sie die Datei in Excel und speichern Sie sie erneut als .xlsx "
            "(Excel-Arbeitsmappe).",
            datei=path,
        ) from exc


def _read_csv_text(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if "\x00" in raw[:4096].decode("latin-1") and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceDataError(
            "Die Datei ist keine Textdatei (sie enthält Binärdaten).",
            hinweis="Speichern Sie die Tabelle als CSV oder XLSX; eine umbenannte Datei genügt nicht.",
            datei=path,
        )
    text = decode_text(raw, datei=path)
    if "\x00" in text:
        raise SourceDataError(
            "Die Datei ist keine Textdatei (sie enthält Binärdaten).",
            hinweis="Speichern Sie die Tabelle als CSV oder XLSX; eine umbenannte Datei genügt nicht.",
            datei=path,
        )
    if not text.strip():
        raise SourceDataError(
            "Die Datei enthält nur Leerzeichen oder Leerzeilen.",
            hinweis="Exportieren Sie die Tabelle erneut, mit Kopfzeile und Daten.",
            datei=path,
        )
    sample = text[:20000]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    delimiter = max((";", ",", "\t", "|"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
        except csv.Error:
            delimiter = ";"
    try:
        _check_field_counts(text, delimiter)
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
            index_col=False,
            # Keep blank lines as empty rows (dropped below) so that row numbers stay true.
            skip_blank_lines=False,
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        zeile = int(match.group(1)) if match else None
        counts = re.search(r"Expected (\d+) fields in line \d+, saw (\d+)", str(exc))
        detail = (
            f"Zeile mit {counts.group(2)} statt {counts.group(1)} Feldern" if counts else str(exc)
        )
        hinweis = (
            "Prüfen Sie diese Zeile auf überzählige Trennzeichen; Text mit Trennzeichen muss in "
            "Anführungszeichen stehen."
        )
        if delimiter == "," and re.search(r"\d,\d", text):
            hinweis = (
                "Die Datei ist durch Kommas getrennt, enthält aber Zahlen mit Dezimalkomma "
                "(z. B. 6,0834): dadurch zerfallen Zahlen in zwei Felder. Speichern Sie die Datei "
                "mit Semikolon als Trennzeichen (Excel: 'CSV (Trennzeichen-getrennt)')."
            )
        raise SourceDataError(
            f"Die CSV-Datei ist nicht gleichmäßig aufgebaut ({detail}).",
            hinweis=hinweis,
            datei=path,
            zeile=zeile,
        ) from exc
    return frame


_DECIMAL_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?$|^[+-]?\d+(,\d+)?$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def parse_decimal(
    values: pd.Series,
    *,
    spalte: str,
    datei: str | Path | None = None,
) -> tuple[pd.Series, list[Problem]]:
    """Parse numbers written with a decimal comma (``"6,0834"``, ``"1.234,5"``) or point.

    Parameters
    ----------
    values
        Text values of one column (index = 0-based data row position).
    spalte, datei
        For messages.

    Returns
    -------
    tuple
        Float series (NaN where empty or unparseable) and problems for the unparseable cells.
    """
    out = np.full(len(values), np.nan)
    problems: list[Problem] = []
    for pos, value in enumerate(values.to_numpy()):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            continue
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            continue
        if _DECIMAL_POINT.match(text) and "," not in text:
            out[pos] = float(text)
        elif _DECIMAL_COMMA.match(text):
            out[pos] = float(text.replace(".", "").replace(",", "."))
        else:
            problems.append(
                Problem(
                    f"'{value}' ist keine Zahl.",
                    "Schreiben Sie die Zahl mit Dezimalkomma oder -punkt, ohne Einheit (z. B. 6,0834).",
                    datei=str(datei) if datei else None,
                    zeile=pos + FIRST_DATA_ROW,
                    spalte=spalte,
                )
            )
    return pd.Series(out, index=values.index, name=values.name), problems


def check_personal_columns(
    columns: Iterable[str],
    *,
    datei: str | Path | None = None,
    erlaubt: Iterable[str] = (),
) -> None:
    """Refuse a table that carries directly identifying personal data.

    Parameters
    ----------
    columns
        Column names of the input.
    datei
        For the message.
    erlaubt
        Column names that are legitimate in this kind of table although they look personal, e.g.
        ``"Name"`` and ``"Telefon"`` of an advice office in a service directory (compared
        case-insensitively, ignoring spaces, hyphens and underscores).

    Raises
    ------
    PersonalDataError
        Naming every offending column and what it looks like.
    """
    allowed = {_column_key(c) for c in erlaubt}
    found: list[Problem] = []
    for column in columns:
        if _column_key(column) in allowed:
            continue
        key = str(column).strip().lower().replace(" ", "_").replace("-", "_")
        for pattern, label in PERSONAL_COLUMN_PATTERNS:
            if re.search(pattern, key.replace("_", "") if label != "Name" else key):
                found.append(
                    Problem(
                        f"Die Spalte enthält personenbezogene Daten ({label}).",
                        "Entfernen Sie die Spalte vor dem Import; nur ein pseudonymer "
                        "Personenschlüssel ist erlaubt.",
                        datei=str(datei) if datei else None,
                        spalte=str(column),
                    )
                )
                break
    if found:
        raise PersonalDataError(
            "Die Datei enthält Spalten mit direkt personenbezogenen Daten und wird nicht importiert.",
            hinweis="Sozial- und Gesundheitsdaten dürfen nur pseudonymisiert gespeichert werden "
            "(SGB X, Art. 9 DSGVO). Entfernen Sie die genannten Spalten.",
            datei=datei,
            probleme=found,
        )


def check_lonlat(
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    bounds: tuple[float, float, float, float],
    datei: str | Path | None = None,
    spalte_lon: str = "lon",
    spalte_lat: str = "lat",
) -> list[Problem]:
    """Find coordinates outside the region, and recognise swapped longitude/latitude.

    Parameters
    ----------
    lon, lat
        Coordinates in degrees (WGS 84), one per data row.
    bounds
        Region bounds in degrees ``(minx, miny, maxx, maxy)``.
    datei, spalte_lon, spalte_lat
        For messages.

    Returns
    -------
    list of Problem
    """
    minx, miny, maxx, maxy = bounds
    problems: list[Problem] = []
    for pos, (x, y) in enumerate(zip(lon, lat, strict=True)):
        if np.isnan(x) or np.isnan(y):
            continue
        inside = minx <= x <= maxx and miny <= y <= maxy
        if inside:
            continue
        swapped = minx <= y <= maxx and miny <= x <= maxy
        if swapped:
            meldung = (
                f"Länge und Breite sind vertauscht ({spalte_lon}={x}, {spalte_lat}={y})."
            )
            hinweis = f"Tauschen Sie die Werte der Spalten '{spalte_lon}' und '{spalte_lat}'."
        elif not (-180 <= x <= 180 and -90 <= y <= 90):
            meldung = f"Die Koordinaten ({x}, {y}) sind keine Grad-Angaben."
            hinweis = (
                "Für metrische Koordinaten (Rechtswert/Hochwert) geben Sie beim Import das CRS an, "
                "z. B. EPSG:25832."
            )
        else:
            meldung = f"Der Punkt ({x}, {y}) liegt außerhalb der Region."
            hinweis = "Prüfen Sie die Koordinaten; ist die Adresse richtig?"
        problems.append(
            Problem(
                meldung,
                hinweis,
                datei=str(datei) if datei else None,
                zeile=pos + FIRST_DATA_ROW,
                spalte=f"{spalte_lon}/{spalte_lat}",
            )
        )
    return problems


# --------------------------------------------------------------------------------------------
# Single values of planners' tables (dates, yes/no, postcodes, keys)
# --------------------------------------------------------------------------------------------

_DATE_DE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)?$")


def parse_date(value: object) -> str | None:
    """Parse a date as planners write it (``31.12.2024``, ``2024-12-31``, Excel's timestamp).

    Parameters
    ----------
    value
        Cell content; empty cells give ``None``.

    Returns
    -------
    str or None
        ISO date ``YYYY-MM-DD``.

    Raises
    ------
    ValueError
        With a German text if the value is no valid date.
    """
    if is_blank(value):
        return None
    text = str(value).strip()
    match = _DATE_DE.match(text)
    if match:
        day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
        full_year = int(year) + (2000 if len(year) == 2 else 0)
    else:
        match = _DATE_ISO.match(text)
        if not match:
            raise ValueError(f"'{text}' ist kein Datum.")
        full_year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    try:
        return pd.Timestamp(year=full_year, month=month, day=day).date().isoformat()
    except ValueError as exc:
        raise ValueError(f"'{text}' ist kein gültiges Datum (diesen Tag gibt es nicht).") from exc


_YES = {"ja", "j", "yes", "y", "x", "1", "true", "wahr", "vorhanden", "barrierefrei",
        "rollstuhlgerecht", "stufenlos"}
_NO = {"nein", "n", "no", "0", "false", "falsch", "nicht vorhanden", "-", "keine", "kein"}
_PARTLY = {"teilweise", "teilw.", "teilw", "eingeschränkt", "eingeschraenkt", "limited",
           "bedingt", "mit hilfe", "teils"}
_UNKNOWN = {"unbekannt", "?", "k. a.", "k.a.", "ka", "keine angabe", "unknown", "n. b.", "n.b."}


def parse_yes_no(value: object, *, partly: bool = True) -> str:
    """Map the many spellings of yes/no/partly to ``ja``/``teilweise``/``nein``/``unbekannt``.

    Parameters
    ----------
    value
        Cell content (``"x"``, ``"1"``, ``"Ja"``, ``"eingeschränkt"``, …); empty is ``unbekannt``.
    partly
        Whether ``teilweise`` is allowed (not for ``aufsuchend``).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        With a German text if the value is none of these.
    """
    if is_blank(value):
        return "unbekannt"
    text = re.sub(r"\s+", " ", str(value).strip().lower())
    if text in _YES:
        return "ja"
    if text in _NO:
        return "nein"
    if text in _UNKNOWN:
        return "unbekannt"
    if partly and text in _PARTLY:
        return "teilweise"
    allowed = "ja, teilweise, nein oder unbekannt" if partly else "ja, nein oder unbekannt"
    raise ValueError(f"'{value}' wurde nicht erkannt (erlaubt: {allowed}).")


def parse_plz(value: object) -> str | None:
    """Check a German postcode (five digits; Excel's lost leading zero is restored).

    Raises
    ------
    ValueError
        With a German text if the value is no postcode.
    """
    if is_blank(value):
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4,5}(\.0)?", text):
        return text.split(".")[0].zfill(5)
    raise ValueError(f"'{text}' ist keine fünfstellige Postleitzahl.")


def is_blank(value: object) -> bool:
    """Whether a cell is empty (``None``, ``NA``, NaN or only whitespace)."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def normalize_key(value: object) -> str | None:
    """Normalise an area number or AGS so that a table's key matches the layer's key.

    Excel turns ``"05334002"`` into ``5334002`` and ``"101"`` into ``101.0``; users add spaces
    (``"05 334 002"``). Digits-only keys are therefore compared without leading zeros, other keys
    case-insensitively without surrounding whitespace.

    Returns
    -------
    str or None
        ``None`` for an empty cell.
    """
    if is_blank(value):
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    compact = re.sub(r"[\s\u00a0]", "", text)
    if compact.isdigit():
        return compact.lstrip("0") or "0"
    return re.sub(r"\s+", " ", text).casefold()


_THOUSANDS_ONLY = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


def parse_decimal_column(
    values: pd.Series,
    *,
    spalte: str,
    datei: str | Path | None = None,
) -> tuple[pd.Series, list[Problem]]:
    """Parse a whole column of numbers, deciding the meaning of ``"1.234"`` for the column.

    A single value ``"1.234"`` is ambiguous: 1.234 with a decimal point, or 1234 with a German
    thousands separator. Within one column it is not: if any value of the column has a decimal
    comma (``"7,1"``), points are thousands separators there. Otherwise the values are read with
    a decimal point, and a warning names the column when every dotted value looks like a
    thousands group, so the user can check.

    Returns
    -------
    tuple
        Float series and findings (errors for unparseable cells, at most one warning).
    """
    texts = values.astype("string").str.strip().str.replace("\u00a0", "", regex=False)
    has_comma = bool(texts.str.contains(r"^\s*[+-]?[\d.]*\d,\d+\s*$", regex=True, na=False).any())
    dotted = texts[texts.str.contains(".", regex=False, na=False)]
    thousands_like = len(dotted) > 0 and bool(dotted.str.match(_THOUSANDS_ONLY.pattern).all())
    if has_comma:
        texts = texts.where(~texts.str.match(_THOUSANDS_ONLY.pattern, na=False),
                            texts.str.replace(".", "", regex=False))
    parsed, problems = parse_decimal(texts, spalte=spalte, datei=datei)
    if thousands_like and not has_comma:
        example = str(dotted.iloc[0])
        problems.append(Problem(
            f"Die Zahlen der Spalte sehen aus wie mit Tausenderpunkt geschrieben ('{example}'); "
            f"sie wurden mit Dezimalpunkt gelesen ({parsed[dotted.index[0]]:g}).",
            "Speichern Sie die Tabelle ohne Tausendertrennzeichen, wenn ganze Zahlen gemeint sind.",
            datei=str(datei) if datei else None,
            spalte=spalte,
            schwere="warnung",
        ))
    return parsed, problems


# --------------------------------------------------------------------------------------------
# Columns, dates and places of imported records
# --------------------------------------------------------------------------------------------


def _column_key(name: object) -> str:
    key = str(name).strip().lower()
    for old, new in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        key = key.replace(old, new)
    return re.sub(r"[^a-z0-9]", "", key)


def match_columns(
    columns: Iterable[str], aliases: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """Map canonical column names to the columns of an input table.

    Matching ignores case, umlaut spelling, spaces, hyphens and underscores, so that
    ``"Person-Schlüssel"``, ``"person_schluessel"`` and ``"PERSONSCHLUESSEL"`` all match.

    Parameters
    ----------
    columns
        Column names of the input.
    aliases
        Canonical name to accepted spellings (the canonical name itself is always accepted).

    Returns
    -------
    dict
        Canonical name to the input's column name, for the canonical names found.
    """
    by_key = {_column_key(c): str(c) for c in columns}
    found: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            column = by_key.get(_column_key(name))
            if column is not None:
                found[canonical] = column
                break
    return found


def parse_dates(
    values: pd.Series,
    *,
    spalte: str,
    datei: str | Path | None = None,
    today: date | None = None,
    earliest: date | None = None,
    required: bool = True,
) -> tuple[pd.Series, list[Problem]]:
    """Parse dates as planners write them (``2024-03-05``, ``05.03.2024``, Excel date cells).

    Parameters
    ----------
    values
        Text values of one column (positions = data rows).
    spalte, datei
        For messages.
    today
        Dates after this day are refused (a report cannot come from the future); default today.
    earliest
        Dates before this day are refused (typing errors such as 1024 or 2204).
    required
        Whether an empty cell is an error.

    Returns
    -------
    tuple
        A series of ``datetime.date`` (``None`` where empty or wrong) and the problems found.
    """
    today = today or date.today()
    out: list[date | None] = []
    problems: list[Problem] = []
    for pos, value in enumerate(values.to_numpy()):
        zeile = pos + FIRST_DATA_ROW
        text = "" if value is None or value is pd.NA else str(value).strip()
        if text.lower() in ("", "nan", "nat"):
            out.append(None)
            if required:
                problems.append(
                    Problem(
                        "Das Datum fehlt.",
                        "Tragen Sie das Datum der Meldung ein (z. B. 05.03.2024).",
                        datei=str(datei) if datei else None, zeile=zeile, spalte=spalte,
                    )
                )
            continue
        try:
            iso = parse_date(text)
            parsed: date | None = date.fromisoformat(iso) if iso else None
        except ValueError:
            parsed = None
        if parsed is None:
            problems.append(
                Problem(
                    f"'{text}' ist kein gültiges Datum.",
                    "Schreiben Sie das Datum als TT.MM.JJJJ (05.03.2024) oder JJJJ-MM-TT.",
                    datei=str(datei) if datei else None, zeile=zeile, spalte=spalte,
                )
            )
        elif parsed > today:
            problems.append(
                Problem(
                    f"Das Datum {parsed:%d.%m.%Y} liegt in der Zukunft (heute ist {today:%d.%m.%Y}).",
                    "Prüfen Sie Tag, Monat und Jahr; vertauschte Tages- und Monatsangaben sind "
                    "eine häufige Ursache.",
                    datei=str(datei) if datei else None, zeile=zeile, spalte=spalte,
                )
            )
            parsed = None
        elif earliest is not None and parsed < earliest:
            problems.append(
                Problem(
                    f"Das Datum {parsed:%d.%m.%Y} liegt vor dem {earliest:%d.%m.%Y} und ist "
                    "vermutlich ein Tippfehler.",
                    "Prüfen Sie die Jahreszahl.",
                    datei=str(datei) if datei else None, zeile=zeile, spalte=spalte,
                )
            )
            parsed = None
        out.append(parsed)
    return pd.Series(out, index=values.index, name=values.name, dtype=object), problems


def check_points_in_area(
    points: np.ndarray,
    area: shapely.Geometry,
    *,
    rows: Sequence[int],
    spalte: str,
    datei: str | Path | None = None,
    area_name: str = "der Region",
) -> list[Problem]:
    """Find points (region CRS) outside an area, e.g. reports outside the region.

    Parameters
    ----------
    points
        Shapely points (``None`` entries are skipped).
    area
        The polygon they must lie in.
    rows
        The spreadsheet row of each point (for messages).
    spalte, datei, area_name
        For messages.

    Returns
    -------
    list of Problem
    """
    geoms = np.asarray(points, dtype=object)
    present = np.array([g is not None for g in geoms], dtype=bool)
    problems: list[Problem] = []
    if not present.any():
        return problems
    inside = np.zeros(len(geoms), dtype=bool)
    inside[present] = shapely.covers(area, geoms[present].astype(object))
    for pos in np.flatnonzero(present & ~inside):
        distance = shapely.distance(area, geoms[pos])
        problems.append(
            Problem(
                f"Der Ort liegt außerhalb {area_name} (etwa {distance / 1000:.1f} km von der "
                "Grenze entfernt).",
                "Prüfen Sie Koordinaten, Koordinatenbezugssystem oder Adresse; Meldungen von "
                "außerhalb gehören in den Datenbestand der zuständigen Region.",
                datei=str(datei) if datei else None,
                zeile=int(rows[int(pos)]),
                spalte=spalte,
            )
        )
    return problems


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)
_DATE_LIKE = re.compile(r"^\d{1,2}\.\d{1,2}\.(\d{2}|\d{4})$|^\d{4}-\d{2}-\d{2}$")
_NAME_LIKE = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]+(-[A-ZÄÖÜ][a-zäöüß]+)?,?\s+[A-ZÄÖÜ][a-zäöüß]+")


def check_pseudonym_values(
    values: pd.Series, *, spalte: str, datei: str | Path | None = None
) -> list[Problem]:
    """Find person keys that are not pseudonyms but names, e-mail addresses or birth dates.

    Parameters
    ----------
    values
        The person-key column (positions = data rows).
    spalte, datei
        For messages.

    Returns
    -------
    list of Problem
        One per suspicious or missing key.
    """
    problems: list[Problem] = []
    for pos, value in enumerate(values.to_numpy()):
        zeile = pos + FIRST_DATA_ROW
        text = "" if value is None or value is pd.NA else str(value).strip()
        if not text:
            problems.append(
                Problem(
                    "Der pseudonyme Personenschlüssel fehlt.",
                    "Ohne Schlüssel können Personen nicht von Nennungen unterschieden werden; "
                    "tragen Sie den Schlüssel aus der Fallakte ein.",
                    datei=str(datei) if datei else None, zeile=zeile, spalte=spalte,
                )
            )
            continue
        reason = None
        if _EMAIL.search(text):
            reason = "eine E-Mail-Adresse"
        elif _DATE_LIKE.match(text):
            reason = "ein Datum (Geburtsdatum?)"
        elif _NAME_LIKE.match(text):
            reason = "ein Personenname"
        if reason:
            problems.append(
                Problem(
                    f"Der Personenschlüssel sieht aus wie {reason}, nicht wie ein Pseudonym.",
                    "Verwenden Sie nur den pseudonymen Schlüssel (z. B. P-4711-AC), nie Namen, "
                    "Geburtsdaten oder Kontaktdaten.",
                    datei=str(datei) if datei else None, zeile=zeile, spalte=spalte,
                )
            )
    return problems


# --------------------------------------------------------------------------------------------
# Point coordinates in planners' tables (candidate lists, scenario edits)
# --------------------------------------------------------------------------------------------

COORDINATE_ALIASES: dict[str, tuple[str, ...]] = {
    "lon": ("lon", "lng", "long", "longitude", "laenge", "länge", "laengengrad", "längengrad"),
    "lat": ("lat", "latitude", "breite", "breitengrad"),
    "x": ("rechtswert", "x", "ostwert", "easting"),
    "y": ("hochwert", "y", "nordwert", "northing"),
}


def find_column(columns: Iterable[str], aliases: Sequence[str]) -> str | None:
    """The first column whose normalised name (lower case, ``_`` for spaces) is an alias."""
    normal = {str(c).strip().lower().replace(" ", "_"): str(c) for c in columns}
    for alias in aliases:
        if alias in normal:
            return normal[alias]
    return None


def table_points(
    table: pd.DataFrame,
    *,
    crs: CRS | str | int,
    boundary: shapely.Geometry,
    datei: str | Path | None = None,
    required: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """Read point coordinates from a planner's table into the region CRS.

    Coordinates are either WGS 84 degrees (``lon``/``lat``, ``Längengrad``/``Breitengrad``) or
    metric coordinates in the region CRS (``Rechtswert``/``Hochwert``); decimal commas are fine.
    Swapped longitude/latitude and points outside the region are reported per row.

    Parameters
    ----------
    table
        The table as read by :func:`read_table` (text cells); row ``i`` is spreadsheet row
        ``i + 2``.
    crs
        The region's working CRS.
    boundary
        The region boundary in ``crs``.
    datei
        For messages.
    required
        Boolean mask of rows that must have coordinates (default: all rows); other rows may
        leave them empty.

    Returns
    -------
    tuple
        x and y in the region CRS (NaN where empty) and the problems found.
    """
    region_crs = CRS.from_user_input(crs)
    n = len(table)
    must = np.ones(n, dtype=bool) if required is None else np.asarray(required, dtype=bool)
    lon_col = find_column(table.columns, COORDINATE_ALIASES["lon"])
    lat_col = find_column(table.columns, COORDINATE_ALIASES["lat"])
    x_col = find_column(table.columns, COORDINATE_ALIASES["x"])
    y_col = find_column(table.columns, COORDINATE_ALIASES["y"])
    metric = lon_col is None or lat_col is None
    if metric and (x_col is None or y_col is None):
        if not must.any():
            return np.full(n, np.nan), np.full(n, np.nan), []
        return np.full(n, np.nan), np.full(n, np.nan), [
            Problem(
                "Die Koordinatenspalten fehlen.",
                "Geben Sie 'lon' und 'lat' (Grad, WGS 84) oder 'Rechtswert' und 'Hochwert' "
                "(Meter, Koordinatensystem der Region) an.",
                datei=str(datei) if datei else None,
            )
        ]
    first_col, second_col = (x_col, y_col) if metric else (lon_col, lat_col)
    assert first_col is not None and second_col is not None
    first, problems = parse_decimal(table[first_col].reset_index(drop=True), spalte=first_col, datei=datei)
    second, more = parse_decimal(table[second_col].reset_index(drop=True), spalte=second_col, datei=datei)
    problems.extend(more)
    a, b = first.to_numpy(), second.to_numpy()
    unparsable = {(p.zeile, p.spalte) for p in problems}
    for pos in np.flatnonzero(must):
        for values, column in ((a, first_col), (b, second_col)):
            if np.isnan(values[pos]) and (pos + FIRST_DATA_ROW, column) not in unparsable:
                problems.append(
                    Problem(
                        "Die Koordinate fehlt.",
                        "Tragen Sie die Koordinate ein oder entfernen Sie die Zeile.",
                        datei=str(datei) if datei else None,
                        zeile=int(pos) + FIRST_DATA_ROW,
                        spalte=column,
                    )
                )
    valid = ~(np.isnan(a) | np.isnan(b))
    xs = np.full(n, np.nan)
    ys = np.full(n, np.nan)
    pair = f"{first_col}/{second_col}"
    explained: set[int] = set()
    if metric:
        xs[valid], ys[valid] = a[valid], b[valid]
    else:
        lonlat = gpd.GeoSeries([boundary], crs=region_crs).to_crs("EPSG:4326").total_bounds
        found = check_lonlat(
            np.where(valid, a, np.nan), np.where(valid, b, np.nan),
            bounds=(float(lonlat[0]), float(lonlat[1]), float(lonlat[2]), float(lonlat[3])),
            datei=datei, spalte_lon=first_col, spalte_lat=second_col,
        )
        problems.extend(found)
        explained = {int(p.zeile or 0) - FIRST_DATA_ROW for p in found}
        transformed = gpd.GeoSeries(
            gpd.points_from_xy(a[valid], b[valid]), crs="EPSG:4326"
        ).to_crs(region_crs)
        xs[valid], ys[valid] = transformed.x.to_numpy(), transformed.y.to_numpy()
    points = gpd.GeoSeries(gpd.points_from_xy(xs, ys), crs=region_crs)
    inside = points.within(shapely.buffer(boundary, 1.0)).to_numpy()
    for pos in np.flatnonzero(valid & ~inside):
        if int(pos) in explained:
            continue  # check_lonlat explained it already (e.g. swapped lon/lat)
        problems.append(
            Problem(
                f"Der Punkt ({xs[pos]:.1f}, {ys[pos]:.1f}) liegt außerhalb der Region.",
                "Prüfen Sie die Koordinaten; metrische Koordinaten müssen im Koordinatensystem "
                f"der Region ({crs_label(region_crs)}) stehen.",
                datei=str(datei) if datei else None,
                zeile=int(pos) + FIRST_DATA_ROW,
                spalte=pair,
            )
        )
    return xs, ys, problems
