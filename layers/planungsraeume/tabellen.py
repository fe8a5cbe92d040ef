"""Indicator tables keyed by planning-area number or AGS: join onto the areas and store.

Municipal statistics reach planners as spreadsheets keyed by area number (``101``, ``PR03``)
or by the 8-digit AGS, often with Excel's damage (``5334002`` for ``05334002``, ``101.0``).
:func:`join_table` joins such a table onto the planning areas and reports keys that match
nothing in both directions: table rows without an area (with their row number) and areas without
a table row. Long-form statistics and age groups are read by :mod:`layers.planungsraeume.langform`.

A table with a year column (``Jahr``) holds one row per area and year (a time series): keys
must then be unique per year, every year cell must be a four-digit year, and the joined values
carry their year (``jahr``), so that indicators can be shown per year and as a trend
(:mod:`planungsraeume.zeitreihe`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from layers.errors import InputValidationError, Problem
from layers.formatting import de_count
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
    "YEAR_COLUMNS",
    "join_table",
    "save_user_indicators",
]

USER_INDICATOR_TABLE = "nutzer_kennzahlen"
#: Column names recognised as the year of a row (case-insensitive).
YEAR_COLUMNS = ("jahr", "year", "berichtsjahr", "stichjahr")
_YEAR_RANGE = (1900, 2100)


@dataclass
class JoinResult:
    """A table joined onto planning areas.

    Attributes
    ----------
    werte
        One row per planning area (in the areas' order): the area key column, ``name`` and the
        joined numeric columns (NaN where the table has no row for the area). A table with a
        year column: one row per year and area (years ascending), with the column ``jahr``.
    ohne_treffer
        Table rows whose key matches no planning area: ``zeile``, ``schluessel`` (as written)
        and, if the table has one, a label column.
    ohne_daten
        Planning areas the table has no row for: key and ``name``.
    spalten
        The numeric columns that were joined.
    probleme
        Findings (duplicate keys, unparseable numbers, skipped text columns), German.
    jahre
        The years of a table with a year column (ascending; empty without one).
    """

    werte: pd.DataFrame
    ohne_treffer: pd.DataFrame
    ohne_daten: pd.DataFrame
    spalten: list[str]
    probleme: list[Problem] = field(default_factory=list)
    jahre: list[int] = field(default_factory=list)

    def summary(self) -> str:
        """German one-line summary."""
        areas = len(self.werte) // max(len(self.jahre), 1)
        years = (f" in {len(self.jahre)} Jahren ({self.jahre[0]}–{self.jahre[-1]})"
                 if len(self.jahre) > 1 else f" im Jahr {self.jahre[0]}" if self.jahre else "")
        return (
            f"{areas - len(self.ohne_daten)} von {areas} Planungsräumen mit "
            f"Daten{years}; {len(self.ohne_treffer)} Tabellenzeilen ohne passenden "
            f"Planungsraum; {len(self.spalten)} Kennzahlen übernommen."
        )


def join_table(
    areas: pd.DataFrame,
    table: str | Path | pd.DataFrame,
    *,
    schluessel_spalte: str | None = None,
    raum_schluessel: str = "pr_id",
    spalten: Sequence[str] | None = None,
    blatt: str | int | None = None,
    jahr_spalte: str | None = None,
) -> JoinResult:
    """Join an indicator table onto planning areas by key (and year, if it has one).

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
    jahr_spalte
        Year column (default: a column named as in :data:`YEAR_COLUMNS`, if there is one).

    Returns
    -------
    JoinResult

    Raises
    ------
    InputValidationError
        If no key column matches, the chosen key is duplicated in the table (per year, with a
        year column), a year cell is not a four-digit year, or a requested value or year column
        is missing or not numeric; every finding names file, row and column.
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
    year_column = _year_column(frame, key_column, jahr_spalte, datei)
    years = _parse_years(frame, year_column, rows, datei) if year_column else None
    _check_unique_keys(frame, keys, key_column, rows, datei, years)
    problems: list[Problem] = []
    values, wanted = _numeric_columns(frame.drop(columns=[year_column] if year_column else []),
                                      key_column, spalten, datei, problems)
    problems[:] = renumber(problems, rows)
    area_set = {k for k in area_keys if k is not None}
    werte = _joined_values(areas, raum_schluessel, area_keys, keys, years, values, wanted)
    ohne_treffer = _unmatched_rows(frame, keys, area_set, rows, key_column, wanted)
    present = set(keys)
    missing = [i for i, k in enumerate(area_keys) if k is None or k not in present]
    ohne_daten = pd.DataFrame({raum_schluessel: areas[raum_schluessel].to_numpy()[missing]})
    if "name" in areas:
        ohne_daten["name"] = areas["name"].to_numpy()[missing]
    problems += _coverage_warnings(ohne_treffer, ohne_daten, raum_schluessel, key_column, datei)
    return JoinResult(werte, ohne_treffer, ohne_daten, wanted, problems,
                      sorted(set(years)) if years else [])


def _joined_values(
    areas: pd.DataFrame, raum_schluessel: str, area_keys: list[str | None],
    keys: list[str | None], years: list[int] | None, values: pd.DataFrame, wanted: list[str],
) -> pd.DataFrame:
    """One row per area (per year and area with years) with the joined values (NaN: no row)."""
    blocks = []
    for year in sorted(set(years)) if years else [None]:
        by_key = {key: pos for pos, key in enumerate(keys)
                  if key is not None and (years is None or years[pos] == year)}
        index = [by_key.get(k) if k is not None else None for k in area_keys]
        block = pd.DataFrame({raum_schluessel: areas[raum_schluessel].to_numpy()})
        if "name" in areas:
            block["name"] = areas["name"].to_numpy()
        if year is not None:
            block["jahr"] = year
        for column in wanted:
            column_values = values[column].to_numpy()
            block[column] = [column_values[i] if i is not None else np.nan for i in index]
        blocks.append(block)
    return pd.concat(blocks, ignore_index=True)


def _year_column(frame: pd.DataFrame, key_column: str, jahr_spalte: str | None,
                 datei: str | None) -> str | None:
    """The year column: the one given, else one named as in :data:`YEAR_COLUMNS`, else none.

    Raises
    ------
    InputValidationError
        If the given column does not exist.
    """
    if jahr_spalte is not None:
        if jahr_spalte not in frame.columns:
            raise InputValidationError(
                f"Die Jahresspalte '{jahr_spalte}' gibt es in der Tabelle nicht.",
                hinweis="Vorhandene Spalten: " + ", ".join(f"'{c}'" for c in frame.columns)
                + ".", datei=datei, spalte=jahr_spalte,
            )
        return jahr_spalte
    return next((c for c in frame.columns
                 if c != key_column and c.strip().lower() in YEAR_COLUMNS), None)


def _parse_years(frame: pd.DataFrame, column: str, rows: np.ndarray,
                 datei: str | None) -> list[int]:
    """The year of every row; refuses empty cells and anything but a four-digit year.

    Raises
    ------
    InputValidationError
        With one finding (file, row, column) per bad cell.
    """
    years: list[int] = []
    bad: list[Problem] = []
    for pos, raw in enumerate(frame[column]):
        text = "" if raw is None or pd.isna(raw) else str(raw)
        text = text.strip().removesuffix(".0")
        if text.isdigit() and len(text) == 4 and _YEAR_RANGE[0] <= int(text) <= _YEAR_RANGE[1]:
            years.append(int(text))
            continue
        years.append(0)
        shown = f"'{raw}'" if text else "eine leere Zelle"
        bad.append(Problem(f"In der Jahresspalte steht {shown}, keine Jahreszahl.",
                           "Tragen Sie das Jahr vierstellig ein (z. B. 2012).", datei=datei,
                           zeile=int(rows[pos]), spalte=column))
    if bad:
        raise InputValidationError(
            f"Die Spalte '{column}' enthält {de_count(len(bad), 'Zelle', 'Zellen')} ohne gültige "
            "Jahreszahl; die "
            "Tabelle wird nicht verknüpft.",
            hinweis="Jede Zeile braucht ein Jahr (z. B. 2012) zwischen "
            f"{_YEAR_RANGE[0]} und {_YEAR_RANGE[1]}.", datei=datei, spalte=column, probleme=bad,
        )
    return years


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
    datei: str | None, years: list[int] | None = None,
) -> None:
    """Refuse a table in which a key stands twice (twice in one year, with years), listing
    every repeated row.

    Raises
    ------
    InputValidationError
        A duplicated key.
    """
    seen: dict[tuple[str, int], int] = {}
    duplicates: list[Problem] = []
    for pos, key in enumerate(keys):
        if key is None:
            continue
        year = years[pos] if years is not None else 0
        if (key, year) in seen:
            when = f" im Jahr {year}" if years is not None else ""
            duplicates.append(Problem(
                f"Der Schlüssel '{frame[key_column].iloc[pos]}' kommt{when} doppelt vor (schon "
                f"in Zeile {rows[seen[(key, year)]]}).",
                "Jeder Planungsraum darf nur eine Zeile" + (" je Jahr" if years is not None
                                                            else "")
                + " haben; fassen Sie die Zeilen zusammen.",
                datei=datei, zeile=int(rows[pos]), spalte=key_column))
        else:
            seen[(key, year)] = pos
    if duplicates:
        raise InputValidationError(
            "Die Tabelle hat doppelte Schlüssel und wird nicht verknüpft.",
            hinweis="Eine Zeile je Planungsraum" + (" und Jahr." if years is not None else "."),
            datei=datei, probleme=duplicates,
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
        The stored table: ``pr_id``, ``kennzahl``, ``wert``, ``quelle``, ``importiert_am``,
        ``jahr`` (empty for an indicator imported without years).
    """
    by = [raum_schluessel, "jahr"] if "jahr" in joined.werte.columns else [raum_schluessel]
    long = joined.werte.melt(id_vars=by, value_vars=joined.spalten,
                             var_name="kennzahl", value_name="wert")
    long["jahr"] = (long["jahr"].astype(float) if "jahr" in long.columns
                    else pd.Series(np.nan, index=long.index))
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
