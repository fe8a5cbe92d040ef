"""Long-form area statistics and the project's standard age groups.

Open-data portals publish statistics in long form (one row per year, area, characteristic and
value, as Köln's ``jahr, raum_id, raum, zeile, zahl``). :func:`read_long_statistics` turns such
a file into one row per area, and :func:`age_groups` derives the project's standard age groups
from whatever age bands the table has (``"00 - < 03"``, ``"75 und älter"``, ``"65 bis unter
80"``), leaving a group empty where the bands do not fit its limits instead of guessing. The
result is joined onto the planning areas with :func:`layers.planungsraeume.tabellen.join_table`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from layers.errors import InputValidationError, SourceDataError
from layers.validation import parse_decimal, read_table

__all__ = ["STANDARD_AGE_GROUPS", "age_groups", "parse_age_band", "read_long_statistics"]

# Standard age groups of the project: name → (from, to) in years, ``to`` exclusive.
STANDARD_AGE_GROUPS: dict[str, tuple[int, float]] = {
    "alter_unter_18": (0, 18),
    "alter_18_64": (18, 65),
    "alter_65_plus": (65, np.inf),
    "alter_65_74": (65, 75),
    "alter_75_plus": (75, np.inf),
    "alter_65_79": (65, 80),
    "alter_80_plus": (80, np.inf),
}


def read_long_statistics(
    path: str | Path,
    *,
    jahr: int | str | None = None,
    tabellen: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read long-form area statistics (``jahr, raum_id, raum, zeile, zahl``) as one row per area.

    The steps: check the columns, keep one year (:func:`_one_year`) and the chosen tables,
    parse the values, label each characteristic (:func:`_characteristic_labels`), and pivot
    (:func:`_wide`).

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
        frame = _one_year(frame, lower["jahr"], jahr, path)
    table_col = lower.get("tabelle") or lower.get("tab_id")
    if tabellen is not None and table_col is not None:
        frame = _chosen_tables(frame, table_col, lower.get("tab_id"), tabellen)
    values, bad = parse_decimal(frame[lower["zahl"]].reset_index(drop=True), spalte="zahl",
                                datei=path)
    if bad:
        raise InputValidationError("Die Spalte 'zahl' enthält Werte, die keine Zahlen sind.",
                                   hinweis="Korrigieren Sie die genannten Zeilen.", datei=path,
                                   probleme=bad)
    long = pd.DataFrame({
        "raum_id": frame[lower["raum_id"]].astype(str).str.strip().to_numpy(),
        "raum": frame[lower["raum"]].astype(str).to_numpy() if "raum" in lower else "",
        "merkmal": _characteristic_labels(frame, lower["zeile"], table_col),
        "zahl": values.to_numpy(),
    })
    return _wide(long, path)


def _wide(long: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """One row per area, one column per characteristic (in the file's order).

    Raises
    ------
    InputValidationError
        A characteristic stands twice for an area (several years or tables left).
    """
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


def _one_year(
    frame: pd.DataFrame, year_col: str, jahr: int | str | None, path: str | Path
) -> pd.DataFrame:
    """The rows of year ``jahr``; without ``jahr`` the file must hold a single year.

    Raises
    ------
    InputValidationError
        Several years and no ``jahr``, or a ``jahr`` that is not in the file.
    """
    years = sorted(frame[year_col].dropna().unique())
    if jahr is None and len(years) > 1:
        raise InputValidationError(
            f"Die Datei enthält mehrere Jahre ({', '.join(map(str, years))}).",
            hinweis="Wählen Sie ein Jahr.", datei=path,
        )
    if jahr is None:
        return frame
    frame = frame[frame[year_col].astype(str) == str(jahr)]
    if frame.empty:
        raise InputValidationError(
            f"Das Jahr {jahr} kommt in der Datei nicht vor.",
            hinweis=f"Vorhandene Jahre: {', '.join(map(str, years))}.", datei=path,
        )
    return frame


def _chosen_tables(
    frame: pd.DataFrame, table_col: str, id_col: str | None, tabellen: Sequence[str]
) -> pd.DataFrame:
    """The rows of the tables named in ``tabellen`` (by name or by ``tab_id``)."""
    wanted = {str(t) for t in tabellen}
    keep = frame[table_col].astype(str).isin(wanted)
    if id_col is not None:
        keep |= frame[id_col].astype(str).isin(wanted)
    return frame[keep.to_numpy()]


def _characteristic_labels(
    frame: pd.DataFrame, label_col: str, table_col: str | None
) -> np.ndarray:
    """Each row's characteristic (``zeile``), prefixed ``"table: "`` where two tables share it."""
    label = frame[label_col].astype(str).str.strip().to_numpy()
    if table_col is None:
        return label
    tables = frame[table_col].astype(str).to_numpy()
    pairs = pd.DataFrame({"zeile": label, "tabelle": tables}).drop_duplicates()
    clashes = set(pairs["zeile"][pairs["zeile"].duplicated()])
    return np.array([f"{t}: {z}" if z in clashes else z
                     for z, t in zip(label, tables, strict=True)])


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
