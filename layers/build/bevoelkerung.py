"""Population on the Zensus 2022 grid (``bevoelkerung``).

Two sources, one schema:

* :func:`model_population` distributes a modelled population over the 100 m cells of the
  Zensus grid (EPSG:3035): each residential building's living space divided by the living space
  per inhabitant of the region configuration (a dasymetric model), split into age groups with the
  documented shares. Every row says ``quelle = "modelliert"``.
* :func:`read_zensus_grid` reads a real Zensus 2022 100 m CSV (``GITTER_ID_100m``,
  ``x_mp_100m``, ``y_mp_100m``, ``Einwohner``) so that a user can swap in the official figures
  (``quelle = "Zensus 2022"``).

Cells are stored as polygons in the region's working CRS and keep their Zensus id
(``CRS3035RES100mN3101600E4030700``: resolution, then the northing and easting of the lower-left
corner in EPSG:3035).
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.errors import InputValidationError, Problem, SourceDataError
from layers.regions import PopulationModel
from layers.validation import FIRST_DATA_ROW, parse_decimal, read_table

__all__ = [
    "CELL_ID",
    "GRID_CRS",
    "cell_id",
    "cell_polygons",
    "model_population",
    "parse_cell_id",
    "read_zensus_grid",
    "round_preserving_total",
    "split_age_groups",
]

GRID_CRS = "EPSG:3035"
CELL_ID = re.compile(r"^CRS3035RES(\d+)mN(\d+)E(\d+)$")


def cell_id(north: int, east: int, resolution: int = 100) -> str:
    """Zensus grid id of the cell with lower-left corner ``(east, north)`` in EPSG:3035."""
    return f"CRS3035RES{resolution}mN{int(north)}E{int(east)}"


def parse_cell_id(value: str) -> tuple[int, int, int]:
    """Return ``(resolution, north, east)`` of a Zensus grid id.

    Raises
    ------
    ValueError
        If the text is not a grid id.
    """
    match = CELL_ID.match(str(value).strip())
    if not match:
        raise ValueError(f"'{value}' ist keine Zensus-Gitterzellen-ID")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def cell_polygons(east: np.ndarray, north: np.ndarray, resolution: int) -> np.ndarray:
    """Square cell polygons (EPSG:3035) from lower-left corners."""
    return shapely.box(east, north, east + resolution, north + resolution)


def round_preserving_total(values: np.ndarray) -> np.ndarray:
    """Round to integers so that the rounded values still add up to the rounded total.

    Largest-remainder rounding: floor everything, then give the missing units to the values with
    the largest fractional parts.
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return values.astype(np.int64)
    floors = np.floor(values)
    missing = int(np.floor(values.sum() + 0.5) - floors.sum())  # half up, not half even
    order = np.argsort(-(values - floors), kind="stable")
    result = floors.astype(np.int64)
    result[order[:missing]] += 1
    return result


def split_age_groups(total: np.ndarray, shares: dict[str, float]) -> dict[str, np.ndarray]:
    """Split integer totals into age groups; the groups of each row add up to its total."""
    names = list(shares)
    weights = np.array([shares[n] for n in names])
    raw = np.outer(total, weights)
    floors = np.floor(raw)
    missing = (total - floors.sum(axis=1)).astype(np.int64)
    order = np.argsort(-(raw - floors), axis=1, kind="stable")
    out = floors.astype(np.int64)
    rows = np.arange(len(total))
    for k in range(len(names)):
        give = missing > k
        out[rows[give], order[give, k]] += 1
    return {f"alter_{name}": out[:, i] for i, name in enumerate(names)}


def _grid_frame(
    east: np.ndarray,
    north: np.ndarray,
    einwohner: np.ndarray,
    shares: dict[str, float],
    crs: object,
    quelle: str,
    resolution: int = 100,
) -> gpd.GeoDataFrame:
    ages = split_age_groups(einwohner, shares)
    frame = pd.DataFrame(
        {
            "gitter_id": [cell_id(n, e, resolution) for n, e in zip(north, east, strict=True)],
            "x_mp_3035": east + resolution / 2,
            "y_mp_3035": north + resolution / 2,
            "einwohner": einwohner.astype(np.int64),
            **ages,
            "quelle": quelle,
        }
    )
    frame["alter_65_plus"] = sum(
        frame[c] for c in frame.columns if c.startswith("alter_") and _is_65_plus(c)
    )
    polygons = gpd.GeoSeries(cell_polygons(east, north, resolution), crs=GRID_CRS).to_crs(crs)
    return gpd.GeoDataFrame(frame, geometry=polygons.to_numpy(), crs=crs)


def _is_65_plus(column: str) -> bool:
    match = re.match(r"alter_(\d+)", column)
    return bool(match) and int(match.group(1)) >= 65 if match else False


def model_population(
    buildings: gpd.GeoDataFrame,
    model: PopulationModel,
    crs: object,
    resolution: int = 100,
) -> gpd.GeoDataFrame:
    """Model inhabitants per Zensus grid cell from residential living space.

    Parameters
    ----------
    buildings
        The ``gebaeude`` layer (with ``wohnflaeche_m2``) in the working CRS.
    model
        Living space per inhabitant and age shares.
    crs
        Working CRS of the output.
    resolution
        Cell size in metres (100 like the Zensus grid).

    Returns
    -------
    geopandas.GeoDataFrame
        Populated cells with ``gitter_id``, ``einwohner``, ``alter_*`` and ``quelle``.
    """
    residents = buildings["wohnflaeche_m2"].to_numpy() / model.wohnflaeche_je_einwohner_m2
    keep = residents > 0
    if not keep.any():
        return _grid_frame(
            np.array([], dtype=np.int64), np.array([], dtype=np.int64),
            np.array([], dtype=np.int64), model.altersanteile, crs, "modelliert", resolution,
        )
    points = buildings.geometry[keep].representative_point().to_crs(GRID_CRS)
    east = (np.floor(points.x.to_numpy() / resolution) * resolution).astype(np.int64)
    north = (np.floor(points.y.to_numpy() / resolution) * resolution).astype(np.int64)
    per_cell = (
        pd.DataFrame({"e": east, "n": north, "p": residents[keep]})
        .groupby(["e", "n"], sort=True)["p"]
        .sum()
    )
    counts = round_preserving_total(per_cell.to_numpy())
    populated = counts > 0
    cells = per_cell.index.to_frame(index=False)[populated]
    return _grid_frame(
        cells["e"].to_numpy(), cells["n"].to_numpy(), counts[populated],
        model.altersanteile, crs, "modelliert", resolution,
    )


def read_zensus_grid(
    path: str | Path,
    shares: dict[str, float],
    crs: object,
    boundary: shapely.Geometry | None = None,
) -> gpd.GeoDataFrame:
    """Read a real Zensus 2022 100 m population CSV.

    Parameters
    ----------
    path
        CSV with ``GITTER_ID_100m``, ``x_mp_100m``, ``y_mp_100m`` and ``Einwohner`` (semicolon or
        comma separated, as the Statistische Ämter publish it).
    shares
        Age shares used to split ``Einwohner`` (the file has totals only).
    crs
        Working CRS.
    boundary
        Keep only cells whose centre lies inside (working CRS).

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    InputValidationError
        Listing rows with bad ids or numbers.
    """
    table = read_table(path)
    required = ["GITTER_ID_100m", "x_mp_100m", "y_mp_100m", "Einwohner"]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise SourceDataError(
            f"Der Zensus-Datei fehlen die Spalten {', '.join(missing)}.",
            hinweis="Verwenden Sie die Datei 'Bevölkerungszahl im 100-m-Gitter' des Zensus 2022 "
            "(Spalten GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner).",
            datei=path,
        )
    problems: list[Problem] = []
    x, p1 = parse_decimal(table["x_mp_100m"], spalte="x_mp_100m", datei=path)
    y, p2 = parse_decimal(table["y_mp_100m"], spalte="y_mp_100m", datei=path)
    # Zensus marks suppressed or empty cells with '-' or '–'; those carry no inhabitants.
    einwohner_text = table["Einwohner"].replace({"-": pd.NA, "–": pd.NA, "—": pd.NA})
    einwohner, p3 = parse_decimal(einwohner_text, spalte="Einwohner", datei=path)
    problems += p1 + p2 + p3
    problems += _cell_id_problems(table["GITTER_ID_100m"], x, y, path)
    if problems:
        raise InputValidationError(
            "Die Zensus-Datei enthält fehlerhafte Zeilen.",
            hinweis="Korrigieren Sie die genannten Zeilen oder laden Sie die Datei neu herunter.",
            datei=path,
            probleme=problems,
        )
    values = np.nan_to_num(einwohner.to_numpy()).astype(np.int64)
    east = (x.to_numpy() - 50).astype(np.int64)
    north = (y.to_numpy() - 50).astype(np.int64)
    keep = values > 0
    grid = _grid_frame(east[keep], north[keep], values[keep], shares, crs, "Zensus 2022")
    if boundary is not None:
        grid = grid[grid.geometry.centroid.within(boundary).to_numpy()].reset_index(drop=True)
    return grid


def _cell_id_problems(
    ids: pd.Series, x: pd.Series, y: pd.Series, path: str | Path
) -> list[Problem]:
    """Rows whose cell id is malformed, not 100 m, or does not match the centre coordinates."""
    problems: list[Problem] = []
    for pos, value in enumerate(ids.to_numpy()):
        try:
            resolution, cell_north, cell_east = parse_cell_id(str(value))
        except ValueError:
            problems.append(
                Problem(
                    f"'{value}' ist keine Gitterzellen-ID.",
                    "Erwartet wird z. B. CRS3035RES100mN3101600E4030700.",
                    datei=str(path),
                    zeile=pos + FIRST_DATA_ROW,
                    spalte="GITTER_ID_100m",
                )
            )
            continue
        if (
            resolution != 100
            or abs(cell_east + 50 - x.iloc[pos]) > 1
            or abs(cell_north + 50 - y.iloc[pos]) > 1
        ):
            problems.append(
                Problem(
                    "Gitter-ID und Mittelpunktkoordinaten passen nicht zusammen.",
                    "Prüfen Sie, ob x_mp_100m und y_mp_100m vertauscht sind.",
                    datei=str(path),
                    zeile=pos + FIRST_DATA_ROW,
                    spalte="x_mp_100m/y_mp_100m",
                )
            )
    return problems
