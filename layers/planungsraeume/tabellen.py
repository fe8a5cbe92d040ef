"""Indicator tables keyed by planning-area number or AGS: join onto the areas and store.

Municipal statistics reach planners as spreadsheets keyed by area number (``101``, ``PR03``)
or by the 8-digit AGS, often with Excel's damage (``5334002`` for ``05334002``, ``101.0``).
:func:`join_table` joins such a table onto the planning areas and reports keys that match
nothing in both directions: table rows without an area (with their row number) and areas without
a table row. Long-form statistics and age groups are read by :mod:`layers.planungsraeume.langform`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from layers.errors import InputValidationError, Problem
from layers.store import RegionStore
from layers.validation import (
    FIRST_DATA_ROW,
    check_personal_columns,
    normalize_key,
    parse_decimal_column,
    read_table,
    renumber,
    row_numbers,
)

__all__ = [
    "JoinResult",
    "USER_INDICATOR_TABLE",
    "join_table",
    "save_user_indicators",
]

USER_INDICATOR_TABLE = "nutzer_kennzahlen"


@dataclass
class JoinResult:
    """A table joined onto planning areas.

    Attributes
    ----------
    werte
        One row per planning area (in the areas' order): the area key column, ``name`` and the
        joined numeric columns (NaN where the table has no row for the area).
    ohne_treffer
        Table rows whose key matches no planning area: ``zeile``, ``schluessel`` (as written)
        and, if the table has one, a label column.
    ohne_daten
        Planning areas the table has no row for: key and ``name``.
    spalten
        The numeric columns that were joined.
    probleme
        Findings (duplicate keys, unparseable numbers, skipped text columns), German.
    """

    werte: pd.DataFrame
    ohne_treffer: pd.DataFrame
    ohne_daten: pd.DataFrame
    spalten: list[str]
    probleme: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """German one-line summary."""
        return (
            f"{len(self.werte) - len(self.ohne_daten)} von {len(self.werte)} Planungsräumen mit "
            f"Daten; {len(self.ohne_treffer)} Tabellenzeilen ohne passenden Planungsraum; "
            f"{len(self.spalten)} Kennzahlen übernommen."
        )


def join_table(
    areas: pd.DataFrame,
    table: str | Path | pd.DataFrame,
    *,
    schluessel_spalte: str | None = None,
    raum_schluessel: str = "pr_id",
    spalten: Sequence[str] | None = None,
    blatt: str | int | None = None,
) -> JoinResult:
    """Join an indicator table onto planning areas by key.

    The steps: read the table (:func:`_read_join_table`), choose and check the key column
    (unique keys, :func:`_check_unique_keys`), parse the value columns, then join and report the
    keys that match nothing in either direction (:func:`_unmatched_rows`,
    :func:`_coverage_warnings`).

    Parameters
    ----------
    areas
        Planning areas (or any frame) with the key column ``raum_schluessel`` and ``name``.
    table
        CSV/XLSX path or a DataFrame.
    schluessel_spalte
        Key column of the table. Default: the column whose values match the most area keys.
    raum_schluessel
        Key column of the areas (``pr_id``, or ``ags`` for municipalities).
    spalten
        Value columns to join (default: every column whose cells are all numbers).
    blatt
        Worksheet of an XLSX file.

    Returns
    -------
    JoinResult

    Raises
    ------
    InputValidationError
        If no key column matches, the chosen key is duplicated in the table, or a requested
        value column is missing or not numeric.
    """
    frame, datei, rows = _read_join_table(table, blatt)
    area_keys = [normalize_key(v) for v in areas[raum_schluessel]]
    key_column = schluessel_spalte or _guess_key_column(
        frame, {k for k in area_keys if k is not None}, datei)
    if key_column not in frame.columns:
        raise InputValidationError(
            f"Die Schlüsselspalte '{key_column}' gibt es in der Tabelle nicht.",
            hinweis="Vorhandene Spalten: " + ", ".join(f"'{c}'" for c in frame.columns) + ".",
            datei=datei,
        )
    keys = [normalize_key(v) for v in frame[key_column]]
    _check_unique_keys(frame, keys, key_column, rows, datei)
    problems: list[Problem] = []
    values, wanted = _numeric_columns(frame, key_column, spalten, datei, problems)
    problems[:] = renumber(problems, rows)
    by_key = {key: pos for pos, key in enumerate(keys) if key is not None}
    area_set = {k for k in area_keys if k is not None}
    index = [by_key.get(k) if k is not None else None for k in area_keys]
    werte = pd.DataFrame({raum_schluessel: areas[raum_schluessel].to_numpy()})
    if "name" in areas:
        werte["name"] = areas["name"].to_numpy()
    for column in wanted:
        column_values = values[column].to_numpy()
        werte[column] = [column_values[i] if i is not None else np.nan for i in index]
    ohne_treffer = _unmatched_rows(frame, keys, area_set, rows, key_column, wanted)
    missing = [i for i, pos in enumerate(index) if pos is None]
    ohne_daten = pd.DataFrame({raum_schluessel: areas[raum_schluessel].to_numpy()[missing]})
    if "name" in areas:
        ohne_daten["name"] = areas["name"].to_numpy()[missing]
    problems += _coverage_warnings(ohne_treffer, ohne_daten, raum_schluessel, key_column, datei)
    return JoinResult(werte, ohne_treffer, ohne_daten, wanted, problems)


def _read_join_table(
    table: str | Path | pd.DataFrame, blatt: str | int | None
) -> tuple[pd.DataFrame, str | None, np.ndarray]:
    """The table with string column names, its file name (None for a frame) and its row numbers.

    Raises
    ------
    PersonalDataError
        A file with columns that hold personal data.
    """
    datei: str | None
    if isinstance(table, pd.DataFrame):
        frame, datei = table.reset_index(drop=True).copy(), None
        rows = np.arange(len(frame)) + FIRST_DATA_ROW
    else:
        frame, datei = read_table(table, sheet=blatt), str(table)
        # Blank rows are dropped when reading; the rows the user sees are kept for messages.
        rows = row_numbers(frame)
        frame = frame.reset_index(drop=True)
        check_personal_columns(frame.columns, datei=datei)
    frame.columns = [str(c) for c in frame.columns]
    return frame, datei, np.asarray(rows)


def _check_unique_keys(
    frame: pd.DataFrame, keys: list[str | None], key_column: str, rows: np.ndarray,
    datei: str | None,
) -> None:
    """Refuse a table in which a key stands twice, listing every repeated row.

    Raises
    ------
    InputValidationError
        A duplicated key.
    """
    seen: dict[str, int] = {}
    duplicates: list[Problem] = []
    for pos, key in enumerate(keys):
        if key is None:
            continue
        if key in seen:
            duplicates.append(Problem(
                f"Der Schlüssel '{frame[key_column].iloc[pos]}' kommt doppelt vor (schon in "
                f"Zeile {rows[seen[key]]}).",
                "Jeder Planungsraum darf nur eine Zeile haben; fassen Sie die Zeilen zusammen.",
                datei=datei, zeile=int(rows[pos]), spalte=key_column))
        else:
            seen[key] = pos
    if duplicates:
        raise InputValidationError(
            "Die Tabelle hat doppelte Schlüssel und wird nicht verknüpft.",
            hinweis="Eine Zeile je Planungsraum.", datei=datei, probleme=duplicates,
        )


def _unmatched_rows(
    frame: pd.DataFrame, keys: list[str | None], area_set: set[str], rows: np.ndarray,
    key_column: str, wanted: list[str],
) -> pd.DataFrame:
    """Table rows whose key matches no area: row, key as written and a label if there is one."""
    label_column = next((c for c in frame.columns if c != key_column and c not in wanted
                         and c.lower() in ("name", "raum", "bezeichnung", "gemeinde",
                                           "planungsraum", "stadtteil")), None)
    unmatched = [pos for pos, key in enumerate(keys) if key is not None and key not in area_set]
    ohne_treffer = pd.DataFrame({
        "zeile": [int(rows[pos]) for pos in unmatched],
        "schluessel": [frame[key_column].iloc[pos] for pos in unmatched],
    })
    if label_column is not None:
        ohne_treffer["bezeichnung"] = [frame[label_column].iloc[pos] for pos in unmatched]
    return ohne_treffer


def _coverage_warnings(
    ohne_treffer: pd.DataFrame, ohne_daten: pd.DataFrame, raum_schluessel: str,
    key_column: str, datei: str | None,
) -> list[Problem]:
    """German warnings for table rows without an area and areas without a table row."""
    problems: list[Problem] = []
    if len(ohne_treffer):
        shown = ", ".join(str(v) for v in ohne_treffer["schluessel"].head(10))
        more = f" und {len(ohne_treffer) - 10} weitere" if len(ohne_treffer) > 10 else ""
        problems.append(Problem(
            f"{len(ohne_treffer)} Tabellenzeilen passen zu keinem Planungsraum (Schlüssel "
            f"{shown}{more}).",
            "Prüfen Sie die Nummern; Summenzeilen (z. B. Gesamtstadt, Bezirke) sind hier "
            "richtig aussortiert.", datei=datei, spalte=key_column, schwere="warnung"))
    if len(ohne_daten):
        names = ohne_daten["name"] if "name" in ohne_daten else ohne_daten[raum_schluessel]
        shown = ", ".join(str(v) for v in names.head(10))
        problems.append(Problem(
            f"{len(ohne_daten)} Planungsräume haben keine Zeile in der Tabelle ({shown}).",
            "Ergänzen Sie die fehlenden Planungsräume in der Tabelle.", datei=datei,
            spalte=key_column, schwere="warnung"))
    return problems


def _guess_key_column(frame: pd.DataFrame, area_keys: set[str], datei: str | None) -> str:
    best, best_hits = None, 0
    for column in frame.columns:
        hits = len({normalize_key(v) for v in frame[column]} & area_keys)
        if hits > best_hits:
            best, best_hits = column, hits
    if best is None:
        raise InputValidationError(
            "Keine Spalte der Tabelle enthält Nummern der Planungsräume.",
            hinweis="Die Tabelle braucht eine Spalte mit der Planungsraum-Nummer oder dem AGS; "
            "geben Sie sie beim Verknüpfen an.",
            datei=datei,
        )
    return str(best)


def _numeric_columns(
    frame: pd.DataFrame,
    key_column: str,
    spalten: Sequence[str] | None,
    datei: str | None,
    problems: list[Problem],
) -> tuple[pd.DataFrame, list[str]]:
    candidates = list(spalten) if spalten is not None else [c for c in frame.columns
                                                           if c != key_column]
    parsed: dict[str, pd.Series] = {}
    for column in candidates:
        if column not in frame.columns:
            raise InputValidationError(
                f"Die Spalte '{column}' gibt es in der Tabelle nicht.",
                hinweis="Vorhandene Spalten: " + ", ".join(f"'{c}'" for c in frame.columns) + ".",
                datei=datei, spalte=column,
            )
        raw = frame[column]
        if pd.api.types.is_numeric_dtype(raw):
            parsed[column] = raw.astype(float)
            continue
        values, findings = parse_decimal_column(raw.astype("string"), spalte=column, datei=datei)
        bad = [p for p in findings if p.schwere == "fehler"]
        if spalten is None and (bad and len(bad) > len(raw) // 2 or values.isna().all()):
            continue  # a text column (names, notes): not an indicator
        problems.extend(p for p in findings if p.schwere != "fehler")
        if bad:
            if spalten is not None:
                raise InputValidationError(
                    f"Die Spalte '{column}' enthält Werte, die keine Zahlen sind.",
                    hinweis="Korrigieren Sie die genannten Zellen.", datei=datei, probleme=bad,
                )
            problems.extend(Problem(p.meldung + " Der Wert bleibt leer.", p.hinweis, p.datei,
                                    p.zeile, p.spalte, "warnung") for p in bad)
        parsed[column] = values
    return pd.DataFrame(parsed, index=frame.index), list(parsed)


def save_user_indicators(
    store: RegionStore,
    joined: JoinResult,
    *,
    quelle: str,
    raum_schluessel: str = "pr_id",
) -> pd.DataFrame:
    """Store joined indicators as the long table ``nutzer_kennzahlen`` (kept by rebuilds).

    Indicators of the same name from an earlier import are replaced; all others stay. The
    write is atomic.

    Returns
    -------
    pandas.DataFrame
        The stored table: ``pr_id``, ``kennzahl``, ``wert``, ``quelle``, ``importiert_am``.
    """
    long = joined.werte.melt(id_vars=[raum_schluessel], value_vars=joined.spalten,
                             var_name="kennzahl", value_name="wert")
    long = long.rename(columns={raum_schluessel: "pr_id"})
    long["pr_id"] = long["pr_id"].astype(str)
    long["quelle"] = quelle
    long["importiert_am"] = datetime.now(UTC).isoformat(timespec="seconds")
    # Read and write in one transaction taken before the read (a concurrent import of other
    # indicators cannot be lost between the two).
    with store.transaction() as tx:
        if store.has_layer(USER_INDICATOR_TABLE):
            old = pd.DataFrame(tx.read_layer(USER_INDICATOR_TABLE))
            old = old[~old["kennzahl"].isin(joined.spalten)]
            long = pd.concat([old, long], ignore_index=True)
        tx.replace_table(USER_INDICATOR_TABLE, long)
    return long
