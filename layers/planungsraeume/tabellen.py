"""Indicator tables keyed by planning-area number or AGS: join, long statistics, age groups.

Municipal statistics reach planners as spreadsheets keyed by area number (``101``, ``PR03``)
or by the 8-digit AGS, often with Excel's damage (``5334002`` for ``05334002``, ``101.0``).
:func:`join_table` joins such a table onto the planning areas and reports keys that match
nothing in both directions: table rows without an area (with their row number) and areas without
a table row.

Open-data portals publish statistics in long form (one row per year, area, characteristic and
value, as Köln's ``jahr, raum_id, raum, zeile, zahl``). :func:`read_long_statistics` turns such
a file into one row per area, and :func:`age_groups` derives the project's standard age groups
from whatever age bands the table has (``"00 - < 03"``, ``"75 und älter"``, ``"65 bis unter
80"``), leaving a group empty where the bands do not fit its limits instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from layers.errors import InputValidationError, Problem, SourceDataError
from layers.store import RegionStore
from layers.validation import (
    FIRST_DATA_ROW,
    check_personal_columns,
    normalize_key,
    parse_decimal,
    parse_decimal_column,
    read_table,
    renumber,
    row_numbers,
)

__all__ = [
    "JoinResult",
    "STANDARD_AGE_GROUPS",
    "USER_INDICATOR_TABLE",
    "age_groups",
    "join_table",
    "parse_age_band",
    "read_long_statistics",
    "save_user_indicators",
]

USER_INDICATOR_TABLE = "nutzer_kennzahlen"

# Standard age groups of the project: name → (from, to) in years, ``to`` exclusive.
STANDARD_AGE_GROUPS: dict[str, tuple[int, float]] = {
    "alter_unter_18": (0, 18),
    "alter_18_64": (18, 65),
    "alter_65_plus": (65, np.inf),
    "alter_65_79": (65, 80),
    "alter_80_plus": (80, np.inf),
}


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
    problems: list[Problem] = []
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
    label_column = next((c for c in frame.columns if c != key_column and c not in wanted
                         and c.lower() in ("name", "raum", "bezeichnung", "gemeinde",
                                           "planungsraum", "stadtteil")), None)
    unmatched_rows = [pos for pos, key in enumerate(keys) if key is not None and key not in area_set]
    ohne_treffer = pd.DataFrame({
        "zeile": [int(rows[pos]) for pos in unmatched_rows],
        "schluessel": [frame[key_column].iloc[pos] for pos in unmatched_rows],
    })
    if label_column is not None:
        ohne_treffer["bezeichnung"] = [frame[label_column].iloc[pos] for pos in unmatched_rows]
    missing = [i for i, pos in enumerate(index) if pos is None]
    ohne_daten = pd.DataFrame({raum_schluessel: areas[raum_schluessel].to_numpy()[missing]})
    if "name" in areas:
        ohne_daten["name"] = areas["name"].to_numpy()[missing]
    if unmatched_rows:
        shown = ", ".join(str(v) for v in ohne_treffer["schluessel"].head(10))
        more = f" und {len(unmatched_rows) - 10} weitere" if len(unmatched_rows) > 10 else ""
        problems.append(Problem(
            f"{len(unmatched_rows)} Tabellenzeilen passen zu keinem Planungsraum (Schlüssel "
            f"{shown}{more}).",
            "Prüfen Sie die Nummern; Summenzeilen (z. B. Gesamtstadt, Bezirke) sind hier "
            "richtig aussortiert.", datei=datei, spalte=key_column, schwere="warnung"))
    if missing:
        names = ohne_daten["name"] if "name" in ohne_daten else ohne_daten[raum_schluessel]
        shown = ", ".join(str(v) for v in names.head(10))
        problems.append(Problem(
            f"{len(missing)} Planungsräume haben keine Zeile in der Tabelle ({shown}).",
            "Ergänzen Sie die fehlenden Planungsräume in der Tabelle.", datei=datei,
            spalte=key_column, schwere="warnung"))
    return JoinResult(werte, ohne_treffer, ohne_daten, wanted, problems)


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


def read_long_statistics(
    path: str | Path,
    *,
    jahr: int | str | None = None,
    tabellen: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read long-form area statistics (``jahr, raum_id, raum, zeile, zahl``) as one row per area.

    Parameters
    ----------
    path
        CSV/XLSX in long form: at least ``raum_id``, ``zeile`` (the characteristic) and
        ``zahl`` (the value); optionally ``jahr``, ``raum`` (area name), ``tab_id``/``tabelle``.
    jahr
        Keep only this year (required if the file has several).
    tabellen
        Keep only these tables (``tab_id`` or ``tabelle`` values).

    Returns
    -------
    pandas.DataFrame
        ``raum_id``, ``raum`` and one numeric column per characteristic (named by ``zeile``;
        prefixed with the table name where two tables use the same label).

    Raises
    ------
    SourceDataError, InputValidationError
        Missing columns, several years without ``jahr``, a year that is not in the file.
    """
    frame = read_table(path)
    lower = {c.lower(): c for c in frame.columns}
    for needed in ("raum_id", "zeile", "zahl"):
        if needed not in lower:
            raise SourceDataError(
                f"Der Statistikdatei fehlt die Spalte '{needed}'.",
                hinweis="Erwartet wird das Langformat mit den Spalten jahr, raum_id, raum, zeile, "
                "zahl (wie bei den offenen Daten der Stadt Köln).",
                datei=path,
            )
    if "jahr" in lower:
        years = sorted(frame[lower["jahr"]].dropna().unique())
        if jahr is None and len(years) > 1:
            raise InputValidationError(
                f"Die Datei enthält mehrere Jahre ({', '.join(map(str, years))}).",
                hinweis="Wählen Sie ein Jahr.", datei=path,
            )
        if jahr is not None:
            frame = frame[frame[lower["jahr"]].astype(str) == str(jahr)]
            if frame.empty:
                raise InputValidationError(
                    f"Das Jahr {jahr} kommt in der Datei nicht vor.",
                    hinweis=f"Vorhandene Jahre: {', '.join(map(str, years))}.", datei=path,
                )
    table_col = lower.get("tabelle") or lower.get("tab_id")
    if tabellen is not None and table_col is not None:
        wanted = {str(t) for t in tabellen}
        keep = frame[table_col].astype(str).isin(wanted)
        if "tab_id" in lower:
            keep |= frame[lower["tab_id"]].astype(str).isin(wanted)
        frame = frame[keep.to_numpy()]
    values, bad = parse_decimal(frame[lower["zahl"]].reset_index(drop=True), spalte="zahl",
                                datei=path)
    if bad:
        raise InputValidationError("Die Spalte 'zahl' enthält Werte, die keine Zahlen sind.",
                                   hinweis="Korrigieren Sie die genannten Zeilen.", datei=path,
                                   probleme=bad)
    label = frame[lower["zeile"]].astype(str).str.strip().to_numpy()
    if table_col is not None:
        tables = frame[table_col].astype(str).to_numpy()
        pairs = pd.DataFrame({"zeile": label, "tabelle": tables}).drop_duplicates()
        clashes = set(pairs["zeile"][pairs["zeile"].duplicated()])
        label = np.array([f"{t}: {z}" if z in clashes else z for z, t in zip(label, tables,
                                                                               strict=True)])
    long = pd.DataFrame({
        "raum_id": frame[lower["raum_id"]].astype(str).str.strip().to_numpy(),
        "raum": frame[lower["raum"]].astype(str).to_numpy() if "raum" in lower else "",
        "merkmal": label,
        "zahl": values.to_numpy(),
    })
    dup = long.duplicated(subset=["raum_id", "merkmal"], keep=False)
    if dup.any():
        example = long[dup].iloc[0]
        raise InputValidationError(
            f"Für Raum {example['raum_id']} steht '{example['merkmal']}' mehrfach in der Datei.",
            hinweis="Wählen Sie ein Jahr und gegebenenfalls eine Tabelle.", datei=path,
        )
    wide = long.pivot(index="raum_id", columns="merkmal", values="zahl")
    order = list(dict.fromkeys(long["merkmal"]))
    wide = wide[order]
    names = long.drop_duplicates("raum_id").set_index("raum_id")["raum"]
    wide.insert(0, "raum", names.reindex(wide.index).to_numpy())
    wide.columns.name = None
    return wide.reset_index()


_BAND_PATTERNS = (
    (re.compile(r"^(?:von\s+)?(\d+)\s*(?:-|bis)\s*(?:<|unter)\s*(\d+)"), "upper_exclusive"),
    (re.compile(r"^(\d+)\s*(?:-|bis)\s*(\d+)\s*(?:jahre)?$"), "upper_inclusive"),
    (re.compile(r"^unter\s+(\d+)"), "below"),
    (re.compile(r"^(?:<)\s*(\d+)"), "below"),
    (re.compile(r"^(\d+)\s*(?:jahre\s*)?(?:und\s+(?:älter|mehr|darüber|aelter)|\+|plus)"), "open"),
    (re.compile(r"^(?:>=|≥|ab)\s*(\d+)"), "open"),
)


def parse_age_band(label: str) -> tuple[int, float] | None:
    """Parse an age-band label into ``(from, to)`` years (``to`` exclusive), or ``None``.

    Examples: ``"00 - < 03"`` → (0, 3); ``"65 bis unter 80"`` → (65, 80); ``"18-24"`` →
    (18, 25); ``"unter 6"`` → (0, 6); ``"75 und älter"`` → (75, inf); ``"80+"`` → (80, inf).
    """
    text = str(label).strip().lower().replace("jahren", "").replace("jahre", "").strip()
    text = re.sub(r"\s+", " ", text)
    for pattern, kind in _BAND_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        numbers = [int(g) for g in match.groups()]
        if kind == "upper_exclusive":
            return numbers[0], float(numbers[1])
        if kind == "upper_inclusive":
            return numbers[0], float(numbers[1] + 1)
        if kind == "below":
            return 0, float(numbers[0])
        return numbers[0], np.inf
    return None


def age_groups(
    frame: pd.DataFrame, columns: Sequence[str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Sum age bands into the project's standard age groups where the band limits allow it.

    Parameters
    ----------
    frame
        One row per area with age-band columns (e.g. from :func:`read_long_statistics`).
    columns
        The age-band columns (default: every column whose name parses as an age band).

    Returns
    -------
    tuple
        A frame with ``alter_unter_18``, ``alter_18_64``, ``alter_65_plus``, ``alter_65_79``,
        ``alter_80_plus`` (NaN where the bands cannot be split at the group's limits, e.g. no
        80+ from a "75 und älter" band) and ``einwohner_altersgruppen`` (the sum of all bands),
        plus German notes on groups that could not be formed.
    """
    bands = {}
    for column in (columns if columns is not None else frame.columns):
        parsed = parse_age_band(str(column))
        if parsed is not None:
            bands[column] = parsed
    if not bands:
        raise InputValidationError(
            "Die Tabelle hat keine Spalten mit Altersgruppen.",
            hinweis="Erwartet werden Spalten wie '00 - < 03', '65 bis unter 80' oder "
            "'75 und älter'.",
        )
    out = pd.DataFrame(index=frame.index)
    notes = []
    for group, (start, end) in STANDARD_AGE_GROUPS.items():
        inside = [c for c, (a, b) in bands.items() if a >= start and b <= end]
        straddling = [c for c, (a, b) in bands.items() if a < end and b > start
                      and c not in inside]
        covered = sorted((bands[c] for c in inside), key=lambda t: t[0])
        if straddling or not covered or covered[0][0] != start or covered[-1][1] != end \
                or any(covered[i][1] != covered[i + 1][0] for i in range(len(covered) - 1)):
            out[group] = np.nan
            notes.append(
                f"Die Altersgruppe {group.removeprefix('alter_').replace('_', '–')} lässt sich aus "
                f"den Altersklassen der Tabelle nicht bilden"
                + (f" ('{straddling[0]}' überschreitet die Grenze)." if straddling else ".")
            )
            continue
        out[group] = frame[inside].astype(float).sum(axis=1, min_count=1)
    out["einwohner_altersgruppen"] = frame[list(bands)].astype(float).sum(axis=1, min_count=1)
    return out, notes


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
