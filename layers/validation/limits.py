"""Resource limits of imports, checked before a file is parsed.

A hostile or broken file must not be able to exhaust the machine: a 5 KB XLSX whose used range
ends at cell XFD1048576 makes pandas build 17 billion cells, and a zip bomb unpacks 1.5 MB into
1.5 GB. Every check here runs on the file's size, the ZIP directory or a streaming scan of the
sheet XML, never on parsed data; each error names the limit and the setting that raises it
(:mod:`layers.settings`, environment variables ``SOZIALRAUM_MAX_…``).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from posixpath import dirname, normpath
from posixpath import join as posix_join

from layers import settings
from layers.errors import SourceDataError
from layers.formatting import de_number

__all__ = [
    "SheetScan",
    "check_archive",
    "check_cell_lengths",
    "check_file_size",
    "check_table_shape",
    "column_letters",
    "column_number",
    "scan_xlsx_sheet",
]

_MB = 1024 * 1024
# Members smaller than this are never zip bombs, whatever their ratio (tiny XML compresses well).
_RATIO_FLOOR_BYTES = 1 * _MB


def _size(size: float) -> str:
    """A byte count as users read it: "1,5 MB", "700 KB"."""
    if size >= _MB:
        return f"{de_number(size / _MB, 1)} MB"
    return f"{de_number(max(size / 1024, 1), 0)} KB"


def _raise_hint(setting: str, variable: str) -> str:
    """How to raise a limit (the setting and its environment variable)."""
    return (f"Wenn die Datei wirklich so groß sein soll, erhöhen Sie die Grenze mit der "
            f"Umgebungsvariablen {variable} (oder layers.settings.{setting}).")


def check_file_size(path: str | Path) -> None:
    """Refuse a file larger than :data:`layers.settings.max_file_mb`.

    Raises
    ------
    SourceDataError
    """
    size = Path(path).stat().st_size
    if size > settings.max_file_mb * _MB:
        raise SourceDataError(
            f"Die Datei ist {_size(size)} groß; erlaubt sind höchstens "
            f"{_size(settings.max_file_mb * _MB)} (Grenze max_file_mb).",
            hinweis="Teilen Sie die Datei auf oder entfernen Sie nicht benötigte Spalten. "
            + _raise_hint("max_file_mb", "SOZIALRAUM_MAX_FILE_MB"),
            datei=path,
        )


def check_archive(path: str | Path) -> None:
    """Refuse an XLSX/ZIP file whose members unpack to too much, or compress like a zip bomb.

    Only the archive's directory is read (sizes as the archive declares them); nothing is
    unpacked. Declared sizes can lie, so :func:`scan_xlsx_sheet` also stops reading a member
    after the declared size.

    Raises
    ------
    SourceDataError
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # not an archive: the reader reports that in its own words
    total = sum(m.file_size for m in members)
    if total > settings.max_uncompressed_mb * _MB:
        raise SourceDataError(
            f"Die Datei enthält entpackt {_size(total)}; erlaubt sind höchstens "
            f"{_size(settings.max_uncompressed_mb * _MB)} (Grenze max_uncompressed_mb).",
            hinweis="Prüfen Sie, ob die Datei wirklich eine Tabelle ist; speichern Sie große "
            "Tabellen als CSV. " + _raise_hint("max_uncompressed_mb",
                                               "SOZIALRAUM_MAX_UNCOMPRESSED_MB"),
            datei=path,
        )
    for member in members:
        if member.file_size < _RATIO_FLOOR_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > settings.max_compression_ratio:
            raise SourceDataError(
                f"Der Bestandteil '{member.filename}' der Datei ist {de_number(ratio, 0)}-fach "
                f"komprimiert (erlaubt höchstens {de_number(settings.max_compression_ratio, 0)}"
                "-fach, Grenze max_compression_ratio); so stark komprimiert keine echte Tabelle "
                "(Verdacht auf eine ZIP-Bombe).",
                hinweis="Öffnen Sie die Datei nicht weiter; lassen Sie sich die Tabelle neu "
                "schicken. " + _raise_hint("max_compression_ratio",
                                           "SOZIALRAUM_MAX_COMPRESSION_RATIO"),
                datei=path,
            )


def check_table_shape(
    rows: int, columns: int, *, datei: str | Path, last_cell: str | None = None
) -> None:
    """Refuse a table with more rows or columns than the settings allow.

    Parameters
    ----------
    rows, columns
        Data rows and columns (for XLSX: of the used range, header included).
    datei
        For the message.
    last_cell
        The last used cell of a worksheet (``"XFD1048576"``), named in the message.

    Raises
    ------
    SourceDataError
    """
    where = f" (die letzte benutzte Zelle ist {last_cell})" if last_cell else ""
    excel_fix = ("Löschen Sie in Excel die leeren Zeilen und Spalten unter und rechts der Daten "
                 "(Strg+Ende zeigt die letzte benutzte Zelle) und speichern Sie erneut. "
                 if last_cell else "Teilen Sie die Tabelle auf. ")
    if rows > settings.max_rows:
        raise SourceDataError(
            f"Die Tabelle hat {de_number(rows, 0)} Zeilen{where}; erlaubt sind höchstens "
            f"{de_number(settings.max_rows, 0)} (Grenze max_rows).",
            hinweis=excel_fix + _raise_hint("max_rows", "SOZIALRAUM_MAX_ROWS"),
            datei=datei,
        )
    if columns > settings.max_columns:
        raise SourceDataError(
            f"Die Tabelle hat {de_number(columns, 0)} Spalten{where}; erlaubt sind höchstens "
            f"{de_number(settings.max_columns, 0)} (Grenze max_columns).",
            hinweis=excel_fix + _raise_hint("max_columns", "SOZIALRAUM_MAX_COLUMNS"),
            datei=datei,
        )


def check_cell_lengths(lengths: dict[str, tuple[int, int]], *, datei: str | Path) -> None:
    """Refuse a cell longer than :data:`layers.settings.max_field_chars`.

    Parameters
    ----------
    lengths
        Column name → (length of its longest cell, spreadsheet row of that cell).
    datei
        For the message.

    Raises
    ------
    SourceDataError
        Naming row and column of the longest offending cell.
    """
    for column, (length, zeile) in lengths.items():
        if length > settings.max_field_chars:
            raise SourceDataError(
                f"Die Zelle enthält {de_number(length, 0)} Zeichen; erlaubt sind höchstens "
                f"{de_number(settings.max_field_chars, 0)} je Zelle (Grenze max_field_chars).",
                hinweis="Kürzen Sie den Text (lange Beschreibungen gehören in ein eigenes "
                "Dokument) oder prüfen Sie, ob ein Anführungszeichen fehlt, sodass mehrere Zeilen "
                "zu einem Feld verschmolzen sind. "
                + _raise_hint("max_field_chars", "SOZIALRAUM_MAX_FIELD_CHARS"),
                datei=datei, zeile=zeile, spalte=column,
            )


@dataclass(frozen=True)
class SheetScan:
    """What a streaming scan of one worksheet's XML found.

    Attributes
    ----------
    max_row, max_column
        The largest row number and column number of any cell or row element (1-based).
    merged
        Merged cell ranges as ``(first_row, first_col, last_row, last_col)`` (1-based).
    """

    max_row: int = 0
    max_column: int = 0
    merged: tuple[tuple[int, int, int, int], ...] = field(default_factory=tuple)

    @property
    def last_cell(self) -> str:
        """The last used cell in Excel notation (``"XFD1048576"``)."""
        return f"{column_letters(self.max_column)}{self.max_row}"


_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})(\d{1,7})\"")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"(\d{1,7})\"")
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\sref=\"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)\"")
_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTRIBUTE = re.compile(rb"([\w:]+)=\"([^\"]*)\"")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_CHUNK = 4 * _MB
_OVERLAP = 200  # longer than any cell, row or merge tag's start


def column_number(letters: str) -> int:
    """``"A"`` → 1, ``"XFD"`` → 16384."""
    number = 0
    for char in letters:
        number = number * 26 + (ord(char) - 64)
    return number


def column_letters(number: int) -> str:
    """1 → ``"A"``, 16384 → ``"XFD"``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


def scan_xlsx_sheet(path: str | Path, sheet: str | int) -> SheetScan:
    """Scan one worksheet's XML for its extent and merged cells, without building any cells.

    The XML is streamed in chunks (at most the member's declared size is read), so the scan
    needs a few MB of memory whatever the sheet declares.

    Parameters
    ----------
    path
        The XLSX file (already checked by :func:`check_archive`).
    sheet
        Worksheet name or 0-based number.

    Returns
    -------
    SheetScan
        Empty when the sheet cannot be located (the reader then reports the problem).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, sheet)
            if member is None:
                return SheetScan()
            return _scan_member(archive, member)
    except (zipfile.BadZipFile, OSError, KeyError):
        return SheetScan()


def _sheet_member(archive: zipfile.ZipFile, sheet: str | int) -> zipfile.ZipInfo | None:
    """The archive member holding the named (or numbered) worksheet."""
    workbook = archive.read("xl/workbook.xml")
    entries = [dict(_ATTRIBUTE.findall(tag)) for tag in _SHEET_ENTRY.findall(workbook)]
    if isinstance(sheet, int):
        entry = entries[sheet] if 0 <= sheet < len(entries) else None
    else:
        entry = next((e for e in entries if e.get(b"name", b"").decode("utf-8") == sheet), None)
    if entry is None:
        return None
    rel_id = next((v for k, v in entry.items() if k.endswith(b":id")), None)
    rels = archive.read("xl/_rels/workbook.xml.rels")
    for tag in _RELATIONSHIP.findall(rels):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get(b"Id") == rel_id:
            target = attributes.get(b"Target", b"").decode("utf-8")
            name = target.lstrip("/") if target.startswith("/") else normpath(
                posix_join(dirname("xl/workbook.xml"), target))
            return archive.getinfo(name)
    return None


def _scan_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> SheetScan:
    """Stream the sheet XML and collect the largest row/column and the merged ranges."""
    max_row = max_col = 0
    merged: list[tuple[int, int, int, int]] = []
    tail = b""
    remaining = member.file_size + 1
    with archive.open(member) as stream:
        while remaining > 0:
            chunk = stream.read(min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            data = tail + chunk
            for match in _CELL_REF.finditer(data):
                max_col = max(max_col, column_number(match.group(1).decode()))
                max_row = max(max_row, int(match.group(2)))
            for match in _ROW_REF.finditer(data):
                max_row = max(max_row, int(match.group(1)))
            for match in _MERGE_REF.finditer(data):
                a, r1, b, r2 = (g.decode() for g in match.groups())
                merged.append((int(r1), column_number(a), int(r2), column_number(b)))
            tail = data[-_OVERLAP:]
    return SheetScan(max_row, max_col, tuple(dict.fromkeys(merged)))
