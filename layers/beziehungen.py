"""What the imports of relations between offers share: reading, offer references, one write.

Cooperations (:mod:`layers.kooperation`), the presence of a provider and outreach areas
(:mod:`layers.praesenz`) are lists that *refer to offers* of the directory. Their imports follow
the rules of every import in the project (:mod:`layers.validation`): the table is read with the
resource limits, invisible and bidi characters are handled, columns with personal data are
refused, every finding names file, row and column and says how to fix it, and nothing is written
unless the whole file is valid (one transaction of the user store with one audit entry per row).

An offer is referred to by its ``angebot_id`` or by its exact name (case and surrounding spaces
ignored); a name two offers share must be given as an id. An unknown reference gets a
"Meinten Sie …?" suggestion from the directory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from layers.errors import InputValidationError, Problem
from layers.store import RegionStore
from layers.validation import (
    check_personal_columns,
    clean_table,
    is_blank,
    match_columns,
    parse_date,
    read_table,
    row_numbers,
    table_notes,
)

__all__ = [
    "RESERVED_SOURCE",
    "OfferLookup",
    "RelationTable",
    "check_date_order",
    "read_relation_table",
    "refuse_errors",
    "write_relation_rows",
]

#: The label of generated demo data; no import may claim it.
RESERVED_SOURCE = "synthetisch"


@dataclass
class RelationTable:
    """A relation file read into text columns.

    Attributes
    ----------
    path
        The file.
    frame
        Text cells (cleaned), one row per data row of the file.
    rows
        The spreadsheet row of every row (header = 1).
    columns
        Canonical name → the file's own header, for the columns found.
    problems
        Findings so far (from reading and cleaning).
    headers
        Canonical name → the header a message names when the file lacks the column.
    """

    path: Path
    frame: pd.DataFrame
    rows: np.ndarray
    columns: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def cell(self, canonical: str, position: int) -> str | None:
        """The stripped text of a cell (``None`` if the column is absent or the cell blank)."""
        column = self.columns.get(canonical)
        if column is None:
            return None
        value = self.frame[column].iloc[position]
        return None if is_blank(value) else str(value).strip()

    def problem(self, position: int, canonical: str, meldung: str, hinweis: str) -> None:
        """Record an error at a row and (the file's name of) a column."""
        self.problems.append(Problem(meldung, hinweis, datei=str(self.path),
                                     zeile=int(self.rows[position]),
                                     spalte=self.columns.get(canonical)
                                     or self.headers.get(canonical, canonical)))

    def date(self, canonical: str, position: int) -> str | None:
        """An ISO date from a cell, recording a German error for an impossible one."""
        text = self.cell(canonical, position)
        try:
            return parse_date(text)
        except ValueError as exc:
            self.problem(position, canonical, str(exc),
                         "Schreiben Sie das Datum als TT.MM.JJJJ, z. B. 01.03.2024.")
            return None


def read_relation_table(
    path: str | Path,
    aliases: Mapping[str, Sequence[str]],
    *,
    required: Sequence[str],
    what: str,
    blatt: str | int | None = 0,
    allowed_personal: Iterable[str] = (),
) -> RelationTable:
    """Read a CSV/XLSX relation file and map its headers.

    Parameters
    ----------
    path
        The file.
    aliases
        Canonical column → accepted headers.
    required
        Canonical columns the file must have (a German error names the accepted headers).
    what
        German name of the list for messages ("Die Kooperationsliste").
    blatt
        Worksheet of an XLSX file.
    allowed_personal
        Headers that look personal but belong here.

    Raises
    ------
    SourceDataError
        If the file cannot be read (from :func:`layers.validation.read_table`).
    PersonalDataError
        If the file has columns with personal data.
    InputValidationError
        If a required column is missing.
    """
    path = Path(path)
    frame = read_table(path, sheet=blatt)
    check_personal_columns(frame.columns, datei=path, erlaubt=allowed_personal)
    rows = row_numbers(frame)
    columns = match_columns(frame.columns, aliases)
    missing = [c for c in required if c not in columns]
    if missing:
        names = "; ".join(f"{c}: {', '.join(repr(a) for a in aliases[c][:4])}" for c in missing)
        raise InputValidationError(
            f"{what} hat keine Spalte für {', '.join(missing)}.",
            hinweis=f"Benennen Sie die Spalten so: {names}.",
            datei=path,
        )
    strict = [columns["quelle"]] if "quelle" in columns else []
    cleaned, found = clean_table(frame.reset_index(drop=True), rows, datei=path, strict=strict)
    return RelationTable(path, cleaned, rows, columns, [*table_notes(frame), *found],
                         headers={c: str(a[0]) for c, a in aliases.items() if a})


class OfferLookup:
    """Resolve references to offers of the directory (id or exact name)."""

    def __init__(self, offers: pd.DataFrame) -> None:
        self.ids = offers["angebot_id"].astype(str).tolist()
        self.names = offers["name"].astype(str).tolist()
        self.by_id = {i: p for p, i in enumerate(self.ids)}
        self.by_name: dict[str, list[int]] = {}
        for position, name in enumerate(self.names):
            self.by_name.setdefault(name.strip().casefold(), []).append(position)

    def resolve(self, reference: str) -> tuple[str | None, str | None]:
        """The ``angebot_id`` of a reference, or ``None`` with a German fix."""
        if reference in self.by_id:
            return reference, None
        hits = self.by_name.get(reference.strip().casefold(), [])
        if len(hits) == 1:
            return self.ids[hits[0]], None
        if len(hits) > 1:
            ids = ", ".join(self.ids[h] for h in hits[:4])
            return None, f"Mehrere Angebote heißen so ({ids}); geben Sie die ID an."
        return None, self._suggestion(reference)

    def _suggestion(self, reference: str) -> str:
        from rapidfuzz import fuzz, process

        choices = [*self.ids, *self.names]
        # WRatio scores a shared word (e.g. "KoKoBe") highly for many names; among the best
        # candidates the closest spelling as a whole wins.
        found = process.extract(reference, choices, scorer=fuzz.WRatio, score_cutoff=70, limit=8)
        if found:
            best = max(found, key=lambda hit: fuzz.ratio(reference.casefold(), hit[0].casefold()))
            return f"Meinten Sie '{best[0]}'? Verwenden Sie ID oder Namen aus dem Angebotsverzeichnis."
        return "Verwenden Sie die ID oder den genauen Namen eines Angebots aus dem Verzeichnis."


def check_date_order(table: RelationTable, position: int, start: str | None, end: str | None,
                     column: str) -> None:
    """Record an error if the end date lies before the start date."""
    if start and end and end < start:
        table.problem(position, column, f"Das Ende ({end}) liegt vor dem Beginn ({start}).",
                      "Prüfen Sie beide Daten; das Ende darf nicht vor dem Beginn liegen.")


def refuse_errors(problems: Sequence[Problem], what: str, path: Path) -> None:
    """Raise one German error listing every error of the file (nothing is written then)."""
    errors = sorted((p for p in problems if p.schwere == "fehler"),
                    key=lambda p: (p.zeile or 0, p.spalte or ""))
    if errors:
        raise InputValidationError(
            f"{what} enthält {len(errors)} Fehler; es wurde nichts übernommen.",
            hinweis="Korrigieren Sie die genannten Zeilen und laden Sie die Datei erneut.",
            datei=path,
            probleme=errors,
        )


def write_relation_rows(
    store: RegionStore,
    table: str,
    key: str,
    rows: Sequence[tuple[dict[str, Any], BaseGeometry | None]],
    *,
    action: str = "importieren",
) -> int:
    """Insert rows into the user part of a layer in one transaction, one audit entry each.

    Raises
    ------
    InputValidationError
        If a key exists already (checked inside the transaction; nothing is written then).
    """
    with store.transaction() as tx:
        present = tx.existing_keys(table, key, [values[key] for values, _ in rows]) \
            if rows else set()
        if present:
            raise InputValidationError(
                f"{len(present)} Einträge gibt es schon (z. B. '{sorted(present)[0]}'); es wurde "
                "nichts übernommen.",
                hinweis="Entfernen Sie die schon gespeicherten Zeilen aus der Datei oder löschen Sie "
                "die gespeicherten Einträge zuerst.",
            )
        for values, geometry in rows:
            tx.insert(table, values, geometry=geometry)
            tx.audit(table, str(values[key]), action, None,
                     {**values, "geometry": geometry.wkt if geometry is not None else None})
    return len(rows)
