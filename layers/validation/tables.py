"""Tables from planners' spreadsheets: CSV (any separator, UTF-8/cp1252/UTF-16) and XLSX."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from layers.errors import Problem, SourceDataError
from layers.validation.encoding import decode_text, detect_utf16
from layers.validation.limits import (
    SheetScan,
    check_archive,
    check_cell_lengths,
    check_file_size,
    check_table_shape,
    scan_xlsx_sheet,
)
from layers.validation.problems import FIRST_DATA_ROW

__all__ = ["NOTES", "excel_sheets", "read_table", "row_numbers", "table_notes"]

#: Key of ``DataFrame.attrs`` under which :func:`read_table` leaves warnings about the file
#: (a two-row header that was joined, a ``sep=`` line), as :class:`layers.errors.Problem`.
NOTES = "hinweise"
_SEP_LINE = re.compile(r'^"?sep=(.)"?[ \t]*\r?$', re.IGNORECASE)

_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_BINARY_MESSAGE = "Die Datei ist keine Textdatei (sie enthält Binärdaten)."
_BINARY_HINT = "Speichern Sie die Tabelle als CSV oder XLSX; eine umbenannte Datei genügt nicht."


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
    _require_nonempty_file(path)
    check_file_size(path)
    suffix = path.suffix.lower()
    notes: list[Problem] = []
    if suffix in _EXCEL_SUFFIXES:
        frame = _read_excel(path, sheet, notes)
    elif suffix in _TEXT_SUFFIXES:
        frame = _read_csv_text(path, notes)
    else:
        raise SourceDataError(
            f"Das Dateiformat '{suffix or '(ohne Endung)'}' wird für Tabellen nicht unterstützt.",
            hinweis="Speichern Sie die Tabelle als CSV (Trennzeichen Semikolon) oder als XLSX.",
            datei=path,
        )
    frame = _tidy(frame, path)
    _check_lengths(frame, path)
    frame.attrs[NOTES] = notes
    return frame


def row_numbers(frame: pd.DataFrame) -> np.ndarray:
    """The spreadsheet row of every row of a table read by :func:`read_table`.

    Blank rows are dropped when reading, but each row keeps its position in the file as index
    label, so the numbers stay those the user sees (header = row 1).
    """
    return frame.index.to_numpy(dtype=np.int64) + FIRST_DATA_ROW


def table_notes(frame: pd.DataFrame) -> list[Problem]:
    """Warnings :func:`read_table` left about how it read the file (empty list if none)."""
    return list(frame.attrs.get(NOTES, []))


def _check_lengths(frame: pd.DataFrame, path: Path) -> None:
    """Refuse a cell longer than the limit, naming its row and column."""
    rows = row_numbers(frame)
    longest: dict[str, tuple[int, int]] = {}
    for column in frame.columns:
        lengths = frame[column].str.len().fillna(0).to_numpy(dtype=np.int64)
        if len(lengths):
            pos = int(np.argmax(lengths))
            longest[str(column)] = (int(lengths[pos]), int(rows[pos]))
    check_cell_lengths(longest, datei=path)


def _require_nonempty_file(path: Path) -> None:
    """Refuse a missing or empty (0 byte) file."""
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


def _read_excel(path: Path, sheet: str | int | None, notes: list[Problem]) -> pd.DataFrame:
    """One worksheet of an XLSX file as text cells; a missing sheet names the existing ones.

    The archive and the sheet's extent are checked before pandas builds any cell; a header of
    two rows with merged cells is joined into one (noted in ``notes``).
    """
    check_archive(path)
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
    scan = scan_xlsx_sheet(path, sheet)
    check_table_shape(max(scan.max_row - 1, 0), scan.max_column, datei=path,
                      last_cell=scan.last_cell if scan.max_row else None)
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
    return _join_two_row_header(frame, scan, path, notes)


def _join_two_row_header(
    frame: pd.DataFrame, scan: SheetScan, path: Path, notes: list[Problem]
) -> pd.DataFrame:
    """Join a header of two rows with merged cells ("Barrierefreiheit" over "Zugang", "WC").

    A header is taken as two rows when a merged range starts in row 1 and either reaches into
    row 2 or spans columns of row 1 above labels in row 2. Each column is then named by its row-2
    label, or by the row-1 label where row 2 is empty (a cell merged over both rows); names that
    would repeat get the row-1 label in front.
    """
    starts = [m for m in scan.merged if m[0] == 1]
    if not starts or frame.empty:
        return frame
    width = len(frame.columns)
    upper = ["" if str(c).startswith("Unnamed:") else str(c).strip() for c in frame.columns]
    for _, first_col, _, last_col in starts:  # a horizontal merge labels every column below it
        for col in range(first_col, min(last_col, width) + 1):
            upper[col - 1] = upper[first_col - 1]
    lower = ["" if pd.isna(v) else str(v).strip() for v in frame.iloc[0]]
    spans_rows = any(m[2] >= 2 for m in starts)
    labels_below = any(lower[c - 1] for m in starts for c in range(m[1], min(m[3], width) + 1))
    if not (spans_rows or labels_below):
        return frame
    names = [lo or up for up, lo in zip(upper, lower, strict=True)]
    names = [f"{up} {lo}".strip() if lo and names.count(lo) > 1 and up else name
             for up, lo, name in zip(upper, lower, names, strict=True)]
    body = frame.iloc[1:].copy()
    body.columns = [n or f"Unnamed: {i}" for i, n in enumerate(names)]
    notes.append(Problem(
        "Die Kopfzeile besteht aus zwei Zeilen mit verbundenen Zellen; die Spaltennamen wurden "
        "zusammengesetzt: " + ", ".join(f"'{n}'" for n in names if n) + ".",
        "Prüfen Sie die Zuordnung der Spalten; am sichersten ist eine einzige Kopfzeile ohne "
        "verbundene Zellen.", datei=str(path), zeile=2, schwere="warnung"))
    return body


def _tidy(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Strip headers, drop empty unnamed columns and empty rows; refuse a header-only table."""
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


def _check_field_counts(text: str, delimiter: str) -> None:
    """Raise pandas' ParserError for a row with more fields than the header.

    pandas silently turns surplus leading fields into an index when EVERY row has them (the
    typical result of decimal commas in a comma-separated file); this check makes that an error.
    """
    # Cell lengths are checked after parsing (with row and column); the file size is bounded.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
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


def _read_csv_text(path: Path, notes: list[Problem]) -> pd.DataFrame:
    """Decode a text table, guess its separator and parse it into text columns.

    A first line ``sep=;`` (written by Excel to declare the separator) sets the separator and is
    not part of the table, as in Excel.
    """
    text = _decoded_text(path)
    first, _, rest = text.partition("\n")
    declared = _SEP_LINE.match(first)
    if declared:
        text = rest
        delimiter = declared.group(1)
    else:
        delimiter = _guess_delimiter(text)
    _check_text_shape(text, delimiter, path)
    try:
        _check_field_counts(text, delimiter)
        return pd.read_csv(
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
        raise _field_count_error(exc, text, delimiter, path) from exc


def _decoded_text(path: Path) -> str:
    """The file's text; binary content and whitespace-only files are refused."""
    raw = path.read_bytes()
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff")) or detect_utf16(raw) is not None
    if "\x00" in raw[:4096].decode("latin-1") and not utf16:
        raise SourceDataError(_BINARY_MESSAGE, hinweis=_BINARY_HINT, datei=path)
    text = decode_text(raw, datei=path)
    if "\x00" in text:
        raise SourceDataError(_BINARY_MESSAGE, hinweis=_BINARY_HINT, datei=path)
    if not text.strip():
        raise SourceDataError(
            "Die Datei enthält nur Leerzeichen oder Leerzeilen.",
            hinweis="Exportieren Sie die Tabelle erneut, mit Kopfzeile und Daten.",
            datei=path,
        )
    return text


def _check_text_shape(text: str, delimiter: str, path: Path) -> None:
    """Refuse a text table with too many rows or header columns before parsing it."""
    rows = max(text.count("\n") - (0 if text.endswith("\n") else -1) - 1, 0)
    header = next(csv.reader(io.StringIO(text[:100_000]), delimiter=delimiter), [])
    check_table_shape(rows, len(header), datei=path)


def _guess_delimiter(text: str) -> str:
    """The separator of the header line (``;``, ``,``, tab or ``|``; default ``;``)."""
    sample = text[:20000]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    delimiter = max((";", ",", "\t", "|"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
        except csv.Error:
            delimiter = ";"
    return delimiter


def _field_count_error(
    exc: pd.errors.ParserError, text: str, delimiter: str, path: Path
) -> SourceDataError:
    """A German error for a row with the wrong number of fields (row and counts named)."""
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
    return SourceDataError(
        f"Die CSV-Datei ist nicht gleichmäßig aufgebaut ({detail}).",
        hinweis=hinweis,
        datei=path,
        zeile=zeile,
    )
