"""A region from official statistics per planning area, without an OSM extract (e.g. Köln).

Cities publish their population per statistical district and year (Köln: 86 Stadtteile,
2005–2012, by age band). Such a region is described by its configuration alone
(``data/regions/koeln.toml``):

* the planning areas come from a polygon file (``[planungsraeume] art = "datei"``), the level
  above them (Stadtbezirke) from a second one (``[planungsraeume.bezirke]``): a layer
  ``bezirke`` and the columns ``bezirk_id``/``bezirk`` of every planning area (the district it
  overlaps most);
* the region is the union of the planning areas (``[grenze] art = "planungsraeume"``);
* the population is the official table (``[bevoelkerung] art = "statistik"``), read with
  :func:`layers.planungsraeume.tabellen.read_long_statistics` and summed into the project's age
  groups with :func:`~layers.planungsraeume.tabellen.age_groups`:

  - ``bevoelkerung_zeitreihe`` holds one row per planning area and year (``pr_id``, ``jahr``,
    ``einwohner``, ``alter_*``, ``quelle``), the figures exactly as published;
  - the ``bevoelkerung`` grid holds the latest year, each area's inhabitants spread evenly over
    the 100 m cells whose centre lies in it (the table has no finer information). A cell's
    centre decides its area, which is rule 1 of the one cell→area rule
    (:func:`analyses.areas.cells_to_areas`), so the cells of every area add up to the published
    figure exactly; only maps and grids below the area level rest on the even spread
    (``verteilung = "flaechengleich"``).

There is no network, no buildings, no addresses and no stops: the pages and commands that need a
network say so (:meth:`planungsraeume.region.Region.require_network`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.build.bevoelkerung import GRID_CRS, cell_id, round_preserving_total
from layers.errors import ConfigError, SourceDataError
from layers.planungsraeume.define import read_planning_areas
from layers.planungsraeume.langform import age_groups, read_long_statistics
from layers.regions import RegionConfig
from layers.validation import normalize_key, read_table

__all__ = [
    "DISJOINT_AGE_GROUPS",
    "SERIES_LAYER",
    "area_cells",
    "districts",
    "planning_areas",
    "population_series",
    "spread_over_cells",
]

#: The time-series table of a region with official figures per planning area.
SERIES_LAYER = "bevoelkerung_zeitreihe"
#: Age groups that do not overlap; each is spread over the cells on its own, and a cell's
#: ``einwohner`` is their sum (``alter_65_plus`` = 65–74 + 75+, where the table has those).
DISJOINT_AGE_GROUPS = ("alter_unter_18", "alter_18_64", "alter_65_74", "alter_75_plus",
                       "alter_65_79", "alter_80_plus")
#: Tables of the long statistics that hold the total and the age bands (Köln's tab_id).
TOTAL_TABLE, AGE_TABLE = "005", "020"


def planning_areas(config: RegionConfig) -> gpd.GeoDataFrame:
    """The planning areas of the configuration's file, with their district, in key order.

    Returns
    -------
    geopandas.GeoDataFrame
        ``pr_id``, ``name``, ``art``, ``quelle``, ``flaeche_km2`` and, with
        ``[planungsraeume.bezirke]``, ``bezirk_id`` and ``bezirk``.
    """
    options = config.planungsraeume
    areas = read_planning_areas(options["datei"], crs=config.crs,
                                schluessel=options.get("schluessel"), name=options.get("name"),
                                reparieren=True)
    areas["art"] = str(options.get("bezeichnung", "Planungsraum"))
    areas["quelle"] = str(options.get("quelle", f"Datei {Path(options['datei']).name}"))
    order = sorted(range(len(areas)), key=lambda i: _natural(str(areas["pr_id"].iloc[i])))
    areas = areas.iloc[order].reset_index(drop=True)
    if options.get("bezirke"):
        upper = districts(config)
        position = _largest_overlap(areas.geometry.to_numpy(), upper.geometry.to_numpy())
        areas["bezirk_id"] = upper["bezirk_id"].to_numpy()[position]
        areas["bezirk"] = upper["name"].to_numpy()[position]
    areas.attrs.pop("probleme", None)
    return areas


def districts(config: RegionConfig) -> gpd.GeoDataFrame:
    """The level above the planning areas (``bezirke``: ``bezirk_id``, ``name``, ``art``)."""
    options = config.planungsraeume["bezirke"]
    upper = read_planning_areas(options["datei"], crs=config.crs,
                                schluessel=options.get("schluessel"), name=options.get("name"),
                                reparieren=True)
    upper = upper.rename(columns={"pr_id": "bezirk_id"})
    upper["art"] = str(options.get("bezeichnung", "Bezirk"))
    upper["quelle"] = str(options.get("quelle", f"Datei {Path(options['datei']).name}"))
    order = sorted(range(len(upper)), key=lambda i: _natural(str(upper["bezirk_id"].iloc[i])))
    upper = upper.iloc[order].reset_index(drop=True)
    upper.attrs.pop("probleme", None)
    return upper


def _largest_overlap(parts: np.ndarray, wholes: np.ndarray) -> np.ndarray:
    """For every part, the position of the whole it overlaps most."""
    overlap = shapely.area(shapely.intersection(parts[:, None], wholes[None, :]))
    return np.asarray(np.argmax(overlap, axis=1))


def _natural(key: str) -> tuple[int, Any]:
    return (0, int(key)) if key.isdigit() else (1, key)


def population_series(config: RegionConfig, areas: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Inhabitants and age groups per planning area and year, as the source publishes them.

    Parameters
    ----------
    config
        A region with ``[bevoelkerung] art = "statistik"``.
    areas
        The planning areas (``pr_id``).

    Returns
    -------
    tuple
        The table :data:`SERIES_LAYER` (``pr_id``, ``jahr``, ``einwohner``, the age groups the
        bands allow, ``quelle``; sorted by year and area order) and German notes.

    Raises
    ------
    SourceDataError
        If the table has no year, lacks a planning area in a year, or its age bands do not add
        up to the total.
    """
    path = config.population.statistik
    assert path is not None  # load_region guarantees it for art = "statistik"
    years = sorted({int(str(y)) for y in read_table(path)["jahr"].dropna()})
    if not years:
        raise SourceDataError("Die Bevölkerungstabelle enthält keine Jahre.",
                              hinweis="Erwartet wird die Spalte jahr.", datei=path)
    keys = [str(k) for k in areas["pr_id"]]
    frames, notes = [], []
    for year in years:
        wide = read_long_statistics(path, jahr=year, tabellen=[TOTAL_TABLE, AGE_TABLE])
        wide["schluessel"] = [normalize_key(v) for v in wide["raum_id"]]
        wide = wide.set_index("schluessel").reindex([normalize_key(k) for k in keys])
        missing = [k for k, v in zip(keys, wide["Einwohner"], strict=True) if pd.isna(v)]
        if missing:
            raise SourceDataError(
                f"Für {year} fehlen in der Bevölkerungstabelle die Planungsräume "
                f"{', '.join(missing[:10])}.",
                hinweis="Jeder Planungsraum braucht in jedem Jahr eine Zeile 'Einwohner'.",
                datei=path,
            )
        groups, year_notes = age_groups(wide.reset_index(drop=True))
        _check_bands(groups, wide["Einwohner"].to_numpy(dtype=float), year, path)
        frame = pd.DataFrame({"pr_id": keys, "jahr": year,
                              "einwohner": wide["Einwohner"].to_numpy(dtype=float)})
        for column in groups.columns:
            if column.startswith("alter_") and groups[column].notna().all():
                frame[column] = groups[column].to_numpy(dtype=float)
        frames.append(frame)
        notes = year_notes
    series = pd.concat(frames, ignore_index=True)
    integer = [c for c in series.columns if c == "einwohner" or c.startswith("alter_")]
    series[integer] = series[integer].round().astype(np.int64)
    series["quelle"] = config.population.statistik_quelle
    return series, notes


def _check_bands(groups: pd.DataFrame, total: np.ndarray, year: int, path: Path) -> None:
    bands = groups["einwohner_altersgruppen"].to_numpy(dtype=float)
    wrong = np.flatnonzero(np.abs(bands - total) > 0.5)
    if len(wrong):
        raise SourceDataError(
            f"{year}: die Altersklassen von {len(wrong)} Planungsräumen ergeben nicht die "
            "Einwohnerzahl.",
            hinweis="Prüfen Sie die Tabelle (Einwohner und Altersklassen desselben Jahres).",
            datei=path,
        )


def area_cells(areas: gpd.GeoDataFrame, resolution: int, crs: Any) -> gpd.GeoDataFrame:
    """The Zensus-grid cells (EPSG:3035 squares) whose centre lies in a planning area.

    A cell belongs to the first area (layer order) whose polygon contains its centre, in the
    working CRS, as in rule 1 of :func:`analyses.areas.cells_to_areas`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``gitter_id``, ``pr_id``, ``x_mp_3035``, ``y_mp_3035`` and the cell polygons in ``crs``.

    Raises
    ------
    ConfigError
        If an area gets no cell (the raster is too coarse for it).
    """
    bounds = gpd.GeoSeries(areas.geometry.to_numpy(), crs=crs).to_crs(GRID_CRS).total_bounds
    east = np.arange(np.floor(bounds[0] / resolution), np.ceil(bounds[2] / resolution))
    north = np.arange(np.floor(bounds[1] / resolution), np.ceil(bounds[3] / resolution))
    ee, nn = (a.ravel() * resolution for a in np.meshgrid(east, north))
    squares = gpd.GeoSeries(shapely.box(ee, nn, ee + resolution, nn + resolution),
                            crs=GRID_CRS).to_crs(crs).to_numpy()
    tree = shapely.STRtree(areas.geometry.to_numpy())
    cell_pos, area_pos = tree.query(shapely.centroid(squares), predicate="intersects")
    first = pd.Series(area_pos).groupby(cell_pos).min()
    keep = first.index.to_numpy()
    keys = areas["pr_id"].astype(str).to_numpy()
    empty = sorted(set(keys) - set(keys[first.to_numpy()]))
    if empty:
        raise ConfigError(
            f"Die Planungsräume {', '.join(empty)} enthalten keinen Mittelpunkt einer "
            f"{resolution}-m-Zelle.",
            hinweis="Wählen Sie ein feineres Raster ([bevoelkerung] raster_m = 100).",
        )
    return gpd.GeoDataFrame(
        {
            "gitter_id": [cell_id(n, e, resolution) for n, e in zip(nn[keep], ee[keep],
                                                                    strict=True)],
            "pr_id": keys[first.to_numpy()],
            "x_mp_3035": ee[keep] + resolution / 2,
            "y_mp_3035": nn[keep] + resolution / 2,
        },
        geometry=squares[keep], crs=crs,
    )


def spread_over_cells(cells: gpd.GeoDataFrame, figures: pd.DataFrame, quelle: str,
                      jahr: int) -> gpd.GeoDataFrame:
    """Spread each area's inhabitants (per disjoint age group) evenly over its cells.

    Largest-remainder rounding per area and group, so that every area's cells add up to its
    published figures exactly; a cell's ``einwohner`` is the sum of its groups.

    Parameters
    ----------
    cells
        Output of :func:`area_cells`.
    figures
        One row per area of one year (``pr_id``, ``einwohner``, age groups).
    quelle, jahr
        Source label and year stored in every row.

    Returns
    -------
    geopandas.GeoDataFrame
        The ``bevoelkerung`` layer: ``gitter_id``, ``x_mp_3035``, ``y_mp_3035``, ``einwohner``,
        the age groups, ``quelle``, ``jahr``, ``verteilung`` (cells without inhabitants are
        left out).
    """
    by_area = figures.set_index("pr_id")
    groups = [c for c in DISJOINT_AGE_GROUPS if c in by_area.columns]
    if not groups:
        groups = ["einwohner"]
    counts = {g: np.zeros(len(cells), dtype=np.int64) for g in groups}
    positions = pd.Series(np.arange(len(cells))).groupby(cells["pr_id"].to_numpy())
    for key, pos in positions:
        share = np.full(len(pos), 1.0 / len(pos))
        for group in groups:
            counts[group][pos.to_numpy()] = round_preserving_total(
                share * float(by_area[group].get(key, 0)))
    out = cells.drop(columns="pr_id").copy()
    out["einwohner"] = sum(counts.values())
    for group in groups:
        if group != "einwohner":
            out[group] = counts[group]
    if {"alter_65_74", "alter_75_plus"} <= set(groups):
        out["alter_65_plus"] = out["alter_65_74"] + out["alter_75_plus"]
    elif {"alter_65_79", "alter_80_plus"} <= set(groups):
        out["alter_65_plus"] = out["alter_65_79"] + out["alter_80_plus"]
    out["quelle"] = quelle
    out["jahr"] = int(jahr)
    out["verteilung"] = "flaechengleich"
    out = out[out["einwohner"].to_numpy() > 0].reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=cells.crs)
