"""Writing the Kerndatensatz (CSV, XLSX, data dictionary) and reading it back losslessly.

The CSV goes through the project's one CSV writer (:func:`planungsraeume.darstellung.csv_bytes`:
semicolon, decimal comma, UTF-8 with BOM, formula-safe text), the workbook through
:func:`planungsraeume.darstellung.xlsx_bytes`. Flags are written "ja"/"nein" in both. Numbers
are rounded to :data:`~planungsraeume.kerndatensatz.DECIMALS` places once, when the
Kerndatensatz is made, so the files hold exactly the frame's values and
:func:`read_kerndatensatz` gives back the identical frame (the importer undoes the ``'`` the CSV
writer puts before a text a spreadsheet would run as a formula, and drops the workbook's derived
``Datenlage`` column).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from layers.errors import InputValidationError
from layers.sicher import escape_markdown, formula_like, path_inside, safe_file_name
from planungsraeume.darstellung import DATA_KIND_COLUMN, csv_bytes, with_format, xlsx_bytes
from planungsraeume.kerndatensatz import DECIMALS, KEY_COLUMNS, conform
from planungsraeume.kerndatensatz.lexikon import (
    COLUMN_TYPES,
    COLUMNS,
    column_dictionary,
    indicator_dictionary,
)
from planungsraeume.region import Region

__all__ = ["KerndatensatzFiles", "contents_table", "export_region", "file_table",
           "read_kerndatensatz", "region_notes", "write_kerndatensatz"]

_YES, _NO = "ja", "nein"


@dataclass
class KerndatensatzFiles:
    """The files of one export and what they hold."""

    csv: Path
    xlsx: Path
    spalten: Path
    kennzahlen: Path
    lexikon: Path
    zeilen: int
    kennzahlen_anzahl: int
    jahre: list[int]

    def paths(self) -> list[Path]:
        """Every file written."""
        return [self.csv, self.xlsx, self.spalten, self.kennzahlen, self.lexikon]

    def summary(self) -> str:
        """German summary for the terminal."""
        years = (f"{self.jahre[0]}–{self.jahre[-1]}" if len(self.jahre) > 1
                 else ", ".join(map(str, self.jahre)) or "ohne Jahr")
        return (f"Kerndatensatz: {self.zeilen} Zeilen, {self.kennzahlen_anzahl} Kennzahlen, "
                f"Jahre {years}.\n" + "\n".join(f"  {p}" for p in self.paths()))


def file_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The Kerndatensatz as written to a file: flags as "ja"/"nein", decimals declared."""
    table = frame.copy()
    for name, kind in COLUMN_TYPES.items():
        if kind == "ja/nein":
            table[name] = [_YES if v else _NO for v in table[name]]
    return with_format(table, {n: DECIMALS for n, k in COLUMN_TYPES.items() if k == "zahl"})


def write_kerndatensatz(frame: pd.DataFrame, out_dir: str | Path, name: str, *,
                        titel: str = "", hinweise: tuple[str, ...] = ()) -> KerndatensatzFiles:
    """Write a Kerndatensatz as CSV and XLSX with its data dictionary (CSV and Markdown).

    Parameters
    ----------
    frame
        :func:`planungsraeume.kerndatensatz.kerndatensatz`.
    out_dir
        Output folder (created).
    name
        Region name for the file names (``kerndatensatz_<name>.csv`` …).
    titel
        Region title for the Markdown dictionary.
    hinweise
        Extra lines for the dictionary (e.g. the source of the planning areas).

    Returns
    -------
    KerndatensatzFiles
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"kerndatensatz_{safe_file_name(name)}"
    table = file_table(frame)
    columns, indicators = column_dictionary(), indicator_dictionary(frame)
    files = KerndatensatzFiles(
        csv=path_inside(out, f"{stem}.csv"), xlsx=path_inside(out, f"{stem}.xlsx"),
        spalten=path_inside(out, f"{stem}_datenlexikon_spalten.csv"),
        kennzahlen=path_inside(out, f"{stem}_datenlexikon_kennzahlen.csv"),
        lexikon=path_inside(out, f"{stem}_datenlexikon.md"), zeilen=len(frame),
        kennzahlen_anzahl=len(indicators),
        jahre=sorted({int(y) for y in frame["jahr"].dropna()}))
    files.csv.write_bytes(csv_bytes(table))
    files.xlsx.write_bytes(xlsx_bytes(table, blatt="Kerndatensatz"))
    files.spalten.write_bytes(csv_bytes(columns))
    files.kennzahlen.write_bytes(csv_bytes(indicators))
    files.lexikon.write_text(_markdown(titel or name, columns, indicators, hinweise),
                             encoding="utf-8")
    return files


def region_notes(region: Region) -> tuple[str, ...]:
    """Dictionary lines about the region's data: planning areas, population, barrier rule."""
    from planungsraeume.steckbrief.quellen import data_kind_line

    notes = [f"Region: {region.titel} ({region.name})"]
    if region.has_layer("planungsraeume"):
        areas = region.layer("planungsraeume", ("quelle",))
        if "quelle" in areas:
            kinds = "; ".join(sorted({str(v) for v in areas["quelle"].dropna()}))
            notes.append(f"Planungsräume: {kinds}")
    line = data_kind_line(region)
    if line:
        notes.append(line)
    notes.append("Erreichbarkeit ist nicht enthalten: sie hängt von einer Frage ab (Angebote, "
                 "Profil, Minuten) und steht in den Tabellen der Erreichbarkeit.")
    return tuple(notes)


def export_region(region: Region, out_dir: str | Path) -> KerndatensatzFiles:
    """The Kerndatensatz of a region written into ``out_dir`` (CSV, XLSX, data dictionary)."""
    from planungsraeume.kerndatensatz import kerndatensatz

    return write_kerndatensatz(kerndatensatz(region), out_dir, region.name,
                               titel=region.titel, hinweise=region_notes(region))


def contents_table(frame: pd.DataFrame) -> pd.DataFrame:
    """What a Kerndatensatz holds: per level and area of indicators its rows, keys and years."""
    rows = []
    for (ebene, bereich), group in frame.groupby(["ebene", "bereich"], sort=False):
        years = group["jahr"].dropna().astype(int)
        rows.append({"Ebene": ebene, "Bereich": bereich, "Zeilen": len(group),
                     "Kennzahlen": group["indikator"].nunique(),
                     "Räume": group["schluessel"].nunique(),
                     "Jahre": ("ohne Jahr" if not len(years) else str(years.min())
                               if years.min() == years.max() else f"{years.min()}–{years.max()}"),
                     "ohne Wert": int(group["wert"].isna().sum())})
    return with_format(pd.DataFrame(rows))


def _markdown(titel: str, columns: pd.DataFrame, indicators: pd.DataFrame,
              hinweise: tuple[str, ...]) -> str:
    def cell(value: Any) -> str:
        return escape_markdown("" if value is None or value is pd.NA else str(value)) \
            .replace("|", "\\|").replace("\n", " ")

    def table(frame: pd.DataFrame) -> Iterator[str]:
        yield "| " + " | ".join(cell(c) for c in frame.columns) + " |"
        yield "|" + "---|" * len(frame.columns)
        for row in frame.itertuples(index=False):
            yield "| " + " | ".join(cell(v) for v in row) + " |"

    lines = [f"# Kerndatensatz {cell(titel)}: Datenlexikon", "",
             "Eine Zeile je Planungsraum (und Region), Jahr und Kennzahl. CSV: Semikolon, "
             "Dezimalkomma, UTF-8; Texte, die eine Tabellenkalkulation als Formel ausführen "
             f"würde, beginnen mit '. Zahlen auf {DECIMALS} Nachkommastellen gerundet.", "",
             *(f"- {cell(h)}" for h in hinweise), "", "## Spalten", "", *table(columns), "",
             "## Kennzahlen", "", *table(indicators), ""]
    return "\n".join(lines)


def read_kerndatensatz(path: str | Path) -> pd.DataFrame:
    """Read a Kerndatensatz file (CSV or XLSX) back into the frame it was written from.

    Raises
    ------
    InputValidationError
        Unknown format, a missing column, a cell that is not of its column's type, or a row key
        (ebene, schluessel, jahr, indikator) twice; the German message names file, row and
        column.
    """
    source = Path(path)
    suffix = source.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(source)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(source)
    else:
        raise InputValidationError(f"Das Format „{suffix or '(ohne Endung)'}“ kennt der "
                                   "Kerndatensatz nicht.", datei=source,
                                   hinweis="Geben Sie die CSV- oder XLSX-Datei des Exports an.")
    header, body = rows[0] if rows else [], rows[1:]
    missing = [n for n, _, _ in COLUMNS if n not in header]
    if missing:
        raise InputValidationError(
            f"Es fehlen die Spalten {', '.join(missing)}.", datei=source, zeile=1,
            hinweis="Verwenden Sie die Datei, wie „sozialraum export kerndatensatz“ sie schreibt.")
    position = {n: header.index(n) for n, _, _ in COLUMNS}
    data = {name: [_parse(row[position[name]] if position[name] < len(row) else None, kind,
                          source, i + 2, name, suffix == ".csv")
                   for i, row in enumerate(body)]
            for name, kind, _ in COLUMNS}
    frame = conform(pd.DataFrame(data))
    twice = frame.duplicated(KEY_COLUMNS, keep="first")
    if twice.any():
        raise InputValidationError(
            "Eine Zeile (ebene, schluessel, jahr, indikator) steht zweimal in der Datei.",
            datei=source, zeile=int(twice.to_numpy().argmax()) + 2, spalte="indikator",
            hinweis="Jede Kennzahl darf je Planungsraum und Jahr nur einmal vorkommen.")
    return frame


def _csv_rows(source: Path) -> list[list[Any]]:
    import csv

    text = source.read_bytes().decode("utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")
            if any(cell != "" for cell in row)]


def _xlsx_rows(source: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    book = load_workbook(source, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            if all(v is None or v == "" for v in values):
                break  # notes below the table start after an empty row
            rows.append(list(values))
    finally:
        book.close()
    if rows:
        rows[0] = [str(c) for c in rows[0]]
        if DATA_KIND_COLUMN in rows[0]:  # derived by the workbook writer from quelle
            drop = rows[0].index(DATA_KIND_COLUMN)
            rows = [r[:drop] + r[drop + 1:] for r in rows]
    return rows


def _parse(value: Any, kind: str, source: Path, zeile: int, spalte: str, csv: bool) -> Any:
    """One cell in its column's type (``None`` for an empty cell)."""
    if value is None or (isinstance(value, str) and value == ""):
        return False if kind == "ja/nein" else None
    if kind == "text":
        text = str(value)
        return text[1:] if csv and text.startswith("'") and formula_like(text[1:]) else text
    try:
        if kind == "ja/nein":
            if str(value) not in (_YES, _NO):
                raise ValueError(value)
            return str(value) == _YES
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
        if kind == "ganzzahl":
            if number != int(number):
                raise ValueError(value)
            return int(number)
        return number
    except (TypeError, ValueError):
        expected = {"ja/nein": "„ja“ oder „nein“", "ganzzahl": "eine ganze Zahl",
                    "zahl": "eine Zahl"}[kind]
        raise InputValidationError(f"„{value}“ ist nicht {expected}.", datei=source,
                                   zeile=zeile, spalte=spalte,
                                   hinweis=f"Tragen Sie in der Spalte {spalte} {expected} ein "
                                   "oder lassen Sie die Zelle leer.") from None
