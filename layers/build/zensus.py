"""The official Zensus 2022 100 m grid with age classes, replacing the model cell by cell.

The Statistische Ämter publish the grid results as semicolon-separated CSV files, one row per
populated cell: ``GITTER_ID_100m`` (``CRS3035RES100mN2691700E4341100``), the cell centre
(``x_mp_100m``/``y_mp_100m``; ``x_mitte``/``y_mitte`` in some files), then one column per age
class (e.g. ``Unter18``, ``a18bis29``, ``a30bis49``, ``a50bis64``, ``a65undaelter`` of "Alter in
5 Altersklassen"). Cells kept secret carry ``–`` (or ``-``) instead of a number; numbers may be
written with German decimal marks. :func:`read_zensus_age_grid` maps the classes onto the
model's age groups (:data:`AGE_CLASS_COLUMNS`; a class 65+ without finer split is divided into
65–79 and 80+ by the region's shares, said in the build notes) and :func:`replace_cells` puts
the official cells in place of the modelled ones (``quelle = "Zensus 2022"``), keeping the model
where the file has no cell (or only secret values for it).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.build.bevoelkerung import _cell_id_problems, _grid_frame
from layers.errors import InputValidationError, Problem, SourceDataError
from layers.validation import FIRST_DATA_ROW, find_column, parse_decimal, read_table

__all__ = ["AGE_CLASS_COLUMNS", "SECRET", "ZENSUS", "read_zensus_age_grid", "replace_cells"]

ZENSUS = "Zensus 2022"
#: Markers of secret (suppressed) cells in the published files.
SECRET = ("–", "-", "—", "−")
#: Published age-class columns (lower-case keys) per model age group; ``65_plus`` is split
#: into ``65_79`` and ``80_plus`` by the region's shares when the file has no finer classes.
AGE_CLASS_COLUMNS: dict[str, tuple[str, ...]] = {
    "unter_18": ("unter18", "unter 18", "u18"),
    "18_64": ("a18bis29", "a30bis49", "a50bis64", "18bis29", "30bis49", "50bis64"),
    "65_79": ("a65bis79", "65bis79"),
    "80_plus": ("a80undaelter", "a80undälter", "80undaelter"),
    "65_plus": ("a65undaelter", "a65undälter", "65undaelter"),
}
_X = ("x_mp_100m", "x_mitte")
_Y = ("y_mp_100m", "y_mitte")


def read_zensus_age_grid(
    path: str | Path,
    shares: dict[str, float],
    crs: object,
    boundary: shapely.Geometry | None = None,
) -> gpd.GeoDataFrame:
    """Read a Zensus 2022 100 m grid CSV with age classes.

    Parameters
    ----------
    path
        The published CSV (semicolon, German decimals, ``–`` for secrecy).
    shares
        The region's age shares (for dividing a 65+ class into 65–79 and 80+).
    crs
        Working CRS.
    boundary
        Keep only cells whose centre lies inside (working CRS).

    Returns
    -------
    geopandas.GeoDataFrame
        The ``bevoelkerung`` schema, ``quelle = "Zensus 2022"``; secret classes count 0.
        ``attrs["geheim"]``: number of secret values; ``attrs["geteilt_65"]``: whether 65+
        was divided by the region's shares.

    Raises
    ------
    SourceDataError
        If the id, centre or age-class columns are missing (the found columns named).
    InputValidationError
        Listing every bad value with file, row and column.
    """
    table = read_table(path)
    columns = [str(c) for c in table.columns]
    x_col, y_col = find_column(columns, _X), find_column(columns, _Y)
    classes = {group: [c for c in columns if c.strip().lower() in names]
               for group, names in AGE_CLASS_COLUMNS.items()}
    if "GITTER_ID_100m" not in columns or x_col is None or y_col is None or not any(
            classes.values()):
        raise SourceDataError(
            "Die Datei hat nicht das Format des Zensus-2022-Gitters mit Altersklassen "
            f"(gefunden: {', '.join(columns)}).",
            hinweis="Erwartet werden GITTER_ID_100m, x_mp_100m (oder x_mitte), y_mp_100m (oder "
            "y_mitte) und je Altersklasse eine Spalte, z. B. Unter18;a18bis29;a30bis49;a50bis64;"
            "a65undaelter (Datei 'Alter in 5 Altersklassen' des Zensus 2022).",
            datei=path,
        )
    x, problems = parse_decimal(table[x_col], spalte=x_col, datei=path)
    y, more = parse_decimal(table[y_col], spalte=y_col, datei=path)
    problems += more
    values, secret, more = _age_classes(table, classes, path)
    problems += more
    problems += _cell_id_problems(table["GITTER_ID_100m"], x, y, path)
    if problems:
        raise InputValidationError(
            "Die Zensus-Gitterdatei mit Altersklassen enthält fehlerhafte Werte.",
            hinweis="Korrigieren Sie die genannten Zellen (ganze Zahlen oder '–' für geheim "
            "gehaltene Werte) oder laden Sie die Datei neu herunter.",
            datei=path,
            probleme=problems,
        )
    ages, divided = _model_groups(values, shares, len(table))
    einwohner = sum(ages.values(), np.zeros(len(table), dtype=np.int64))
    keep = einwohner > 0
    east = (x.to_numpy() - 50).astype(np.int64)[keep]
    north = (y.to_numpy() - 50).astype(np.int64)[keep]
    grid = _grid_frame(east, north, einwohner[keep], shares, crs, ZENSUS,
                       ages={f"alter_{g}": a[keep] for g, a in ages.items()})
    if boundary is not None:
        grid = grid[grid.geometry.centroid.within(boundary).to_numpy()].reset_index(drop=True)
    grid.attrs.update(geheim=secret, geteilt_65=divided)
    return grid


def _age_classes(
    table: pd.DataFrame, classes: dict[str, list[str]], path: str | Path
) -> tuple[dict[str, np.ndarray], int, list[Problem]]:
    """Head counts per model age group (sum of its classes; secret values count 0), the
    number of secret values, and the problems of bad values."""
    values: dict[str, np.ndarray] = {}
    problems: list[Problem] = []
    secret = 0
    for group, cols in classes.items():
        total = np.zeros(len(table))
        for col in cols:
            text = table[col].astype("string").str.strip()
            hidden = text.isin(SECRET).to_numpy()
            secret += int(hidden.sum())
            parsed, found = parse_decimal(text.mask(hidden), spalte=col, datei=path)
            problems += found
            problems += _not_a_count(parsed, text, col, path)
            total += np.nan_to_num(parsed.to_numpy())
        if cols:
            values[group] = total
    return values, secret, problems


def _not_a_count(
    values: pd.Series, text: pd.Series, column: str, path: str | Path
) -> list[Problem]:
    """Negative or fractional head counts, named by row and column (as written in the file)."""
    return [Problem(f"'{text.iloc[pos]}' ist keine Personenzahl.",
                    "Personenzahlen sind ganze Zahlen ab 0 (oder '–' für geheim gehaltene "
                    "Werte).", datei=str(path), zeile=pos + FIRST_DATA_ROW, spalte=column)
            for pos, v in enumerate(values.to_numpy())
            if not np.isnan(v) and (v < 0 or v != np.floor(v))]


def _model_groups(
    values: dict[str, np.ndarray], shares: dict[str, float], n: int
) -> tuple[dict[str, np.ndarray], bool]:
    """The model's age groups from the file's classes (65+ divided by the region's shares)."""
    out = {g: np.rint(values.get(g, np.zeros(n))).astype(np.int64) for g in shares}
    divided = "65_plus" in values and not ("65_79" in values or "80_plus" in values)
    if divided:
        older = np.rint(values["65_plus"]).astype(np.int64)
        ratio = shares.get("80_plus", 0.0) / max(shares.get("65_79", 0.0) + shares.get(
            "80_plus", 0.0), 1e-12)
        out["80_plus"] = np.rint(older * ratio).astype(np.int64)
        out["65_79"] = older - out["80_plus"]
    return out, divided


def replace_cells(model: gpd.GeoDataFrame, official: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The model grid with every cell of the official grid in place of the modelled one.

    Cells of the file replace the modelled cell with the same ``gitter_id`` (or are added);
    modelled cells the file does not have stay (``quelle = "modelliert"``).
    """
    if official.empty:
        return model
    kept = model[~model["gitter_id"].isin(official["gitter_id"])]
    frame = pd.concat([kept, official.to_crs(model.crs) if model.crs else official],
                      ignore_index=True)
    frame = frame.sort_values("gitter_id", kind="stable").reset_index(drop=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=model.crs or official.crs)
