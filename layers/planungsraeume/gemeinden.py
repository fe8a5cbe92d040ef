"""Planning areas as groups of municipalities (Gemeindezuordnung).

A Landkreis often defines its planning areas as groups of its municipalities: a table assigns
each municipality key (AGS) to a planning area, and the municipalities of an area are dissolved
into one polygon. :func:`read_municipalities` reads the municipality polygons (e.g. VG250-EW),
:func:`areas_from_municipalities` reads and checks the assignment table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.errors import InputValidationError, Problem
from layers.planungsraeume.define import _key_text, _pick_column

__all__ = [
    "AGS_CANDIDATES",
    "AREA_CANDIDATES",
    "AREA_NAME_CANDIDATES",
    "areas_from_municipalities",
    "read_municipalities",
]

AGS_CANDIDATES = ("ags", "gemeindeschluessel", "gemeindeschlüssel", "gkz", "ags8", "schluessel")
AREA_CANDIDATES = ("planungsraum", "pr_id", "pr_nr", "planungsraum_nr", "raum", "raum_nr", "nr")
AREA_NAME_CANDIDATES = ("planungsraum_name", "pr_name", "name_planungsraum", "raumname", "name")


def read_municipalities(
    path: object, *, crs: object, ags_praefix: str | None = None
) -> gpd.GeoDataFrame:
    """Read municipality polygons with AGS (e.g. the VG250-EW file) in the working CRS.

    The same reader and checks as the region build (:func:`layers.sources.vg250.read_vg250`).

    Parameters
    ----------
    path
        Boundary file with columns ``ags`` and ``name`` (and optionally ``pop``/``einwohner``).
    crs
        Working CRS.
    ags_praefix
        Keep only AGS starting with this (``"05334"`` = Städteregion Aachen).

    Returns
    -------
    geopandas.GeoDataFrame
        ``ags`` (8 digits), ``name``, ``kreis``, ``einwohner``, ``quelle``, geometry,
        ``flaeche_km2``.

    Raises
    ------
    SourceDataError, CRSError
        Missing or unreadable file, no CRS, missing columns, or no AGS with the prefix.
    """
    from layers.sources.vg250 import read_vg250

    return read_vg250(
        Path(str(path)),
        crs=crs,
        ags_praefix=ags_praefix,
        pfad_hinweis="Prüfen Sie den Pfad der Gemeindegrenzen (--gemeinden).",
        praefix_hinweis="Prüfen Sie das AGS-Präfix (--ags-praefix).",
    )


def areas_from_municipalities(
    table: object,
    gemeinden: gpd.GeoDataFrame,
    *,
    ags_spalte: str | None = None,
    raum_spalte: str | None = None,
    name_spalte: str | None = None,
    blatt: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Planning areas as groups of municipalities: a table assigns each AGS to an area.

    This is how a Landkreis defines its planning areas (Landkreis Görlitz: 53 Gemeinden in 11
    Planungsräume). The municipalities of each area are dissolved into one polygon. The steps:
    read the table and pick its columns, check every row (:class:`_Assignment`), refuse the
    table on any error, warn about unassigned municipalities, dissolve (:func:`_dissolve`).

    Parameters
    ----------
    table
        CSV/XLSX path or a DataFrame with one row per municipality: AGS, area number and
        (optionally) area name.
    gemeinden
        Municipality polygons with ``ags`` and ``name`` (the store's ``gemeinden`` layer or
        :func:`read_municipalities`), in the working CRS.
    ags_spalte, raum_spalte, name_spalte
        Columns of the table (default: recognised: ``AGS``/``Gemeindeschlüssel``,
        ``Planungsraum``/``PR_Nr``, ``Planungsraum_Name``/``Name``). The area key is never
        guessed: a table with several candidates (e.g. ``Planungsraum`` holding names and
        ``PR_Nr``) is refused unless ``raum_spalte`` names one.
    blatt
        Worksheet of an XLSX file.

    Returns
    -------
    geopandas.GeoDataFrame
        ``pr_id``, ``name``, ``art``, ``quelle``, ``gemeinden`` (names), ``ags`` (list),
        ``einwohner_gemeinden`` (sum of the municipalities' population, if known),
        ``flaeche_km2``; warnings in ``attrs["probleme"]``.

    Raises
    ------
    InputValidationError
        Unknown AGS, an AGS assigned to two areas, empty keys; all rows are listed.
    """
    from layers.validation import FIRST_DATA_ROW, read_table, row_numbers

    if isinstance(table, pd.DataFrame):
        frame, datei = table.astype("string"), None
        file_rows = np.arange(len(frame)) + FIRST_DATA_ROW
    else:
        frame, datei = read_table(Path(str(table)), sheet=blatt), str(table)
        file_rows = row_numbers(frame)  # blank rows are dropped but do not shift the numbers
    ags_col, area_col, name_col = _assignment_columns(
        list(frame.columns), datei, ags_spalte, raum_spalte, name_spalte)
    state = _Assignment(gemeinden, datei, ags_col, area_col, name_col)
    for pos, (raw_ags, raw_area) in enumerate(zip(frame[ags_col], frame[area_col], strict=True)):
        label = frame[name_col].iloc[pos] if name_col is not None else None
        state.add_row(int(file_rows[pos]), raw_ags, raw_area, label)
    errors = [p for p in state.problems if p.schwere == "fehler"]
    if errors:
        raise InputValidationError(
            f"Die Zuordnung der Gemeinden zu Planungsräumen hat {len(errors)} Fehler.",
            hinweis="Korrigieren Sie die genannten Zeilen.",
            datei=datei,
            probleme=errors,
        )
    for ags in [a for a in state.known if a not in state.assignment]:
        state.problems.append(Problem(
            f"Die Gemeinde {gemeinden['name'].iloc[state.known[ags]]} ({ags}) ist keinem "
            "Planungsraum zugeordnet.", "Ergänzen Sie sie in der Tabelle, sonst bleibt eine Lücke.",
            datei=datei, spalte=ags_col, schwere="warnung"))
    out = _dissolve(state, gemeinden)
    out.insert(3, "quelle", f"Gemeindezuordnung: {Path(datei).name if datei else 'Tabelle'}")
    out.attrs["probleme"] = state.problems
    return out


def _assignment_columns(
    columns: list[str], datei: str | None, ags_spalte: str | None, raum_spalte: str | None,
    name_spalte: str | None,
) -> tuple[str, str, str | None]:
    """The AGS, area key and (optional) area name columns of an assignment table.

    Raises
    ------
    InputValidationError
        A named column is missing, or the AGS or area key column cannot be told (several
        candidates for the area key are refused, never guessed).
    """
    ags_col = _pick_column(columns, ags_spalte, AGS_CANDIDATES, "den Gemeindeschlüssel (AGS)",
                           datei)
    area_col = _pick_column(columns, raum_spalte, AREA_CANDIDATES, "die Planungsraum-Nummer",
                            datei, option="--raum-spalte")
    try:
        name_col = _pick_column(columns, name_spalte, AREA_NAME_CANDIDATES, "den Namen", datei)
    except InputValidationError:
        if name_spalte is not None:
            raise
        return ags_col, area_col, None
    return ags_col, area_col, name_col


@dataclass
class _Assignment:
    """The rows of an assignment table read so far: AGS → (area, row), area names, problems."""

    gemeinden: gpd.GeoDataFrame
    datei: str | None
    ags_col: str
    area_col: str
    name_col: str | None
    known: dict[str, int] = field(init=False)
    assignment: dict[str, tuple[str, int]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Index the municipalities by their 8-digit AGS."""
        self.known = dict(zip(self.gemeinden["ags"].astype(str).str.zfill(8),
                              range(len(self.gemeinden)), strict=True))

    def _problem(self, text: str, fix: str, row: int, column: str, **kw: str) -> None:
        self.problems.append(Problem(text, fix, datei=self.datei, zeile=row, spalte=column, **kw))

    def _ags(self, raw_ags: object, row: int) -> str | None:
        """The row's 8-digit AGS of a known municipality, or None (with a problem)."""
        from layers.validation import is_blank

        if is_blank(raw_ags):
            self._problem("Der Gemeindeschlüssel fehlt.", "Tragen Sie den 8-stelligen AGS ein.",
                          row, self.ags_col)
            return None
        digits = str(raw_ags).strip().replace(" ", "")
        digits = digits[:-2] if digits.endswith(".0") else digits
        if not digits.isdigit() or len(digits) > 8:
            self._problem(f"'{raw_ags}' ist kein Gemeindeschlüssel (AGS).",
                          "Der AGS hat 8 Ziffern, z. B. 05334002.", row, self.ags_col)
            return None
        ags = digits.zfill(8)
        if ags not in self.known:
            self._problem(f"Den Gemeindeschlüssel {ags} gibt es in den Gemeindegrenzen nicht.",
                          "Prüfen Sie den AGS (8 Ziffern, Stand VG250).", row, self.ags_col)
            return None
        return ags

    def add_row(self, row: int, raw_ags: object, raw_area: object, raw_name: object) -> None:
        """Check one table row and record its assignment (or its problems)."""
        from layers.validation import is_blank

        ags = self._ags(raw_ags, row)
        if ags is None:
            return
        area = _key_text(raw_area)
        if area is None:
            self._problem("Die Planungsraum-Nummer fehlt.",
                          "Ordnen Sie jede Gemeinde einem Planungsraum zu.", row, self.area_col)
            return
        if ags in self.assignment and self.assignment[ags][0] != area:
            first_area, first_row = self.assignment[ags]
            label = f"{self.gemeinden['name'].iloc[self.known[ags]]} ({ags})"
            self._problem(f"Die Gemeinde {label} ist zwei Planungsräumen zugeordnet "
                          f"({first_area} in Zeile {first_row} und {area}).",
                          "Jede Gemeinde gehört zu genau einem Planungsraum.", row, self.area_col)
            return
        self.assignment[ags] = (area, row)
        if self.name_col is not None and not is_blank(raw_name):
            label = str(raw_name).strip()
            if area in self.names and self.names[area] != label:
                self._problem(f"Planungsraum {area} hat verschiedene Namen ('{self.names[area]}'"
                              f" und '{label}'); der erste gilt.", "Vereinheitlichen Sie die "
                              "Namen.", row, self.name_col, schwere="warnung")
            self.names.setdefault(area, label)


def _dissolve(state: _Assignment, gemeinden: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One polygon per planning area: the union of its municipalities, in natural key order."""
    rows = []
    for area in sorted({a for a, _ in state.assignment.values()}, key=_natural):
        members = [ags for ags, (a, _) in state.assignment.items() if a == area]
        part = gemeinden.iloc[[state.known[a] for a in members]]
        population = pd.to_numeric(part["einwohner"], errors="coerce") if "einwohner" in part else None
        rows.append({
            "pr_id": area,
            "name": state.names.get(area, f"Planungsraum {area}"),
            "gemeinden": ", ".join(part["name"].astype(str)),
            "ags": ", ".join(sorted(members)),
            "einwohner_gemeinden": float(population.sum()) if population is not None
            and population.notna().all() else np.nan,
            "geometry": shapely.union_all(part.geometry.to_numpy()),
        })
    out = gpd.GeoDataFrame(pd.DataFrame(rows).drop(columns="geometry"),
                           geometry=[r["geometry"] for r in rows], crs=gemeinden.crs)
    out.insert(2, "art", "gemeindezuordnung")
    out["flaeche_km2"] = np.round(out.geometry.area / 1e6, 3)
    out["pr_id"] = out["pr_id"].astype("string")
    return out


def _natural(key: str) -> tuple[int, object]:
    return (0, int(key)) if key.isdigit() else (1, key)
