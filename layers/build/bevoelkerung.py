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

from layers.build.kalibrierung import CALIBRATION_COLUMNS, calibrate
from layers.build.wohnformen import OTHER, HousingShares
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
    "split_by_weights",
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
    weights = np.tile(np.array([shares[n] for n in names], dtype=float), (len(total), 1))
    out = split_by_weights(np.asarray(total), weights)
    return {f"alter_{name}": out[:, i] for i, name in enumerate(names)}


def split_by_weights(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer totals by per-row weights (largest remainder; each row sums to its total).

    Parameters
    ----------
    total
        Integer total per row.
    weights
        Non-negative weights per row (rows) and group (columns); a row of zeros gets nothing.
    """
    total = np.asarray(total, dtype=np.int64)
    sums = weights.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(sums > 0, weights / sums, 0.0)
    raw = shares * total[:, None]
    floors = np.floor(raw)
    missing = (total - floors.sum(axis=1)).astype(np.int64)
    order = np.argsort(-(raw - floors), axis=1, kind="stable")
    out = floors.astype(np.int64)
    rows = np.arange(len(total))
    for k in range(weights.shape[1] if weights.ndim == 2 else 0):
        give = missing > k
        out[rows[give], order[give, k]] += 1
    return out


def _grid_frame(
    east: np.ndarray,
    north: np.ndarray,
    einwohner: np.ndarray,
    shares: dict[str, float],
    crs: object,
    quelle: str,
    resolution: int = 100,
    ages: dict[str, np.ndarray] | None = None,
) -> gpd.GeoDataFrame:
    """The grid layer's frame; ``ages`` (else ``shares``) gives the age groups per cell."""
    if ages is None:
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
    *,
    housing: HousingShares | None = None,
    towns: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Model inhabitants per Zensus grid cell from residential living space.

    Each building's inhabitants (living space / living space per inhabitant) are split into
    age groups by the shares of its housing type (``wohnform``, :mod:`layers.build.wohnformen`);
    the unrounded age groups are summed per cell, scaled to the official total of every
    municipality the region covers completely (:func:`layers.build.kalibrierung.calibrate`,
    when ``model.kalibrierung`` and ``towns`` are given), then rounded so that every
    calibrated municipality's total is exact.

    Parameters
    ----------
    buildings
        The ``gebaeude`` layer (with ``wohnflaeche_m2``, optionally ``wohnform``) in the
        working CRS.
    model
        Living space per inhabitant, age shares, calibration switch.
    crs
        Working CRS of the output.
    resolution
        Cell size in metres (100 like the Zensus grid).
    housing
        Age shares per housing type (``None``: the region's shares for every building).
    towns
        The ``gemeinden`` layer (with ``anteil_in_region``) for the calibration.

    Returns
    -------
    geopandas.GeoDataFrame
        Populated cells with ``gitter_id``, ``einwohner``, ``alter_*`` and ``quelle``;
        ``attrs["kalibrierung"]``: the calibration report (:data:`layers.build.kalibrierung.
        CALIBRATION_COLUMNS`).
    """
    groups = list(model.altersanteile)
    housing = housing or HousingShares({OTHER: dict(model.altersanteile)})
    residents = buildings["wohnflaeche_m2"].to_numpy(dtype=float) / model.wohnflaeche_je_einwohner_m2
    keep = residents > 0
    if not keep.any():
        empty = np.array([], dtype=np.int64)
        grid = _grid_frame(empty, empty, empty, model.altersanteile, crs, "modelliert", resolution)
        grid.attrs["kalibrierung"] = pd.DataFrame(columns=CALIBRATION_COLUMNS)
        return grid
    kinds = (buildings["wohnform"].to_numpy() if "wohnform" in buildings.columns
             else np.full(len(buildings), OTHER))
    ages = housing.matrix(kinds[keep], groups) * residents[keep][:, None]
    points = buildings.geometry[keep].representative_point().to_crs(GRID_CRS)
    east = (np.floor(points.x.to_numpy() / resolution) * resolution).astype(np.int64)
    north = (np.floor(points.y.to_numpy() / resolution) * resolution).astype(np.int64)
    per_cell = pd.DataFrame(ages, columns=groups).assign(e=east, n=north).groupby(
        ["e", "n"], sort=True).sum()
    cells = per_cell.index.to_frame(index=False)
    cell_ages = per_cell[groups].to_numpy()
    polygons = gpd.GeoSeries(cell_polygons(cells["e"].to_numpy(), cells["n"].to_numpy(),
                                           resolution), crs=GRID_CRS).to_crs(crs)
    scaled, rounding_groups, report = calibrate(
        gpd.GeoDataFrame(geometry=polygons.to_numpy(), crs=crs), cell_ages,
        towns if model.kalibrierung else None)
    counts = np.zeros(len(cells), dtype=np.int64)
    for group in pd.unique(rounding_groups):
        members = rounding_groups == group
        counts[members] = round_preserving_total(scaled[members].sum(axis=1))
    split = split_by_weights(counts, scaled)
    populated = counts > 0
    grid = _grid_frame(
        cells["e"].to_numpy()[populated], cells["n"].to_numpy()[populated], counts[populated],
        model.altersanteile, crs, "modelliert", resolution,
        ages={f"alter_{g}": split[populated, i] for i, g in enumerate(groups)},
    )
    grid.attrs["kalibrierung"] = report
    return grid


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
