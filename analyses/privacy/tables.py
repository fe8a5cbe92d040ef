"""The tables of one selection: distinct persons per cell, cell keys, published frames.

Every published number comes from :meth:`PerturbationTable.published` applied to the true
number of distinct persons (or reports) of a cell and the cell's key; nothing here looks at
another cell to decide about a cell. That is what makes the values consistent: a cell with the
same persons gets the same value in every table, under every filter and in every release.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.grid import cells_frame, population_on_grid
from analyses.privacy.index import ReportIndex, assign_areas
from analyses.privacy.ptable import PerturbationTable, cell_keys
from analyses.privacy.rule import MISSING_LABEL, DisclosureRule

__all__ = ["Geo", "empirical_bayes_rates", "make_geo", "published_counts", "selection_tables"]


@dataclass
class Geo:
    """The non-sensitive layers of a release (areas, streets, inhabitants), prepared once."""

    areas: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame | None
    crs: Any
    grid_inhabitants: dict[int, pd.Series]
    area_inhabitants: np.ndarray | None
    region_inhabitants: float | None
    titles: dict[str, str]


def make_geo(
    areas: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame | None,
    population: pd.DataFrame | None,
    resolutions: tuple[int, ...],
    titles: dict[str, str] | None,
    crs: Any,
) -> Geo:
    """Prepare the layers that do not depend on the reports."""
    areas = areas.reset_index(drop=True)
    grid_inhabitants: dict[int, pd.Series] = {}
    area_inhabitants = region_inhabitants = None
    if population is not None and len(population):
        grid_inhabitants = {r: population_on_grid(population, r) for r in resolutions}
        centres = population.geometry.centroid.reset_index(drop=True)
        home = assign_areas(centres, areas)
        people = population["einwohner"].to_numpy(dtype=float)
        area_inhabitants = np.bincount(np.maximum(home, 0), weights=np.where(home >= 0, people, 0),
                                       minlength=len(areas))
        region_inhabitants = float(people.sum())
    return Geo(areas=areas, streets=streets.reset_index(drop=True) if streets is not None else None,
               crs=crs, grid_inhabitants=grid_inhabitants, area_inhabitants=area_inhabitants,
               region_inhabitants=region_inhabitants, titles=dict(titles or {}))


def published_counts(
    index: ReportIndex, table: PerturbationTable, mask: np.ndarray, cells: np.ndarray,
    n_cells: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Published persons and reports per cell (``-1`` = not published).

    Parameters
    ----------
    index
        The release's reports.
    table
        The perturbation table.
    mask
        Which reports the selection counts.
    cells
        Cell index per report (``-1`` = in no cell of this table).
    n_cells
        Number of cells.
    """
    use = mask & (cells >= 0)
    p = np.asarray(index.person, dtype=np.int64)
    pairs = np.unique(cells[use] * max(index.n_persons, 1) + p[use])
    pair_cell = pairs // max(index.n_persons, 1)
    pair_person = pairs % max(index.n_persons, 1)
    persons = np.bincount(pair_cell, minlength=n_cells)
    person_ckey = cell_keys(pair_cell, index.person_key[pair_person], n_cells)
    reports = np.bincount(cells[use], minlength=n_cells)
    report_ckey = cell_keys(cells[use], index.report_key[use], n_cells)
    shown = table.published(persons, person_ckey)
    shown_reports = table.published(reports, report_ckey)
    return shown, np.where(shown >= 0, np.maximum(shown_reports, shown), -1)


def _nullable(values: np.ndarray) -> Any:
    """Published values as a nullable integer array (``-1`` = not published → NA)."""
    out = pd.array(np.where(values >= 0, values, 0), dtype="Int64")
    out[values < 0] = pd.NA
    return out


def selection_tables(
    index: ReportIndex, geo: Geo, rule: DisclosureRule, mask: np.ndarray,
    jahre: tuple[int, ...],
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """All tables of one selection (reports in ``mask``) and the region total.

    ``jahre`` are the rows of the year tables (fixed for the release, never taken from the
    selection's own reports, so that a lone report in another year adds no row).
    """
    table = rule.tabelle
    tables: dict[str, pd.DataFrame] = {}
    for resolution in rule.gitter:
        tables[f"gitter_{resolution}"] = _grid(index, geo, table, mask, resolution)
    tables["planungsraum"] = _areas(index, geo, rule, mask)
    tables["strasse"] = _streets(index, geo, table, mask)
    tables["planungsraum_icf"], tables["region_icf"] = _codes(index, geo, table, mask)
    tables["planungsraum_jahr"], tables["region_jahr"] = _years(index, geo, table, mask, jahre)
    persons, reports = published_counts(index, table, mask, np.zeros(len(mask), np.int64), 1)
    shown = bool(persons[0] >= 0)
    total: dict[str, Any] = {"veroeffentlicht": shown,
                             "personen": int(persons[0]) if shown else None,
                             "meldungen": int(reports[0]) if shown else None}
    if geo.region_inhabitants is not None:
        total["einwohner"] = int(round(geo.region_inhabitants))
        total["rate_je_1000"] = (round(total["personen"] / geo.region_inhabitants * 1000, 2)
                                 if shown and geo.region_inhabitants else None)
    return tables, total


def _grid(index: ReportIndex, geo: Geo, table: PerturbationTable, mask: np.ndarray,
          resolution: int) -> gpd.GeoDataFrame:
    cells, east, north = index.grid[resolution]
    persons, reports = published_counts(index, table, mask, cells, len(east))
    show = np.flatnonzero(persons >= 0)
    frame = cells_frame(east[show], north[show], resolution, geo.crs)
    frame.insert(1, "personen", persons[show])
    frame.insert(2, "meldungen", reports[show])
    if resolution in geo.grid_inhabitants:
        inhabitants = geo.grid_inhabitants[resolution].reindex(frame["gitter_id"]).fillna(0)
        frame.insert(3, "einwohner", inhabitants.round().astype(np.int64).to_numpy())
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(frame["einwohner"] > 0,
                            frame["personen"] / frame["einwohner"] * 1000, np.nan)
        frame.insert(4, "rate_je_1000", np.round(rate, 2))
    return frame.sort_values("gitter_id").reset_index(drop=True)


def _areas(index: ReportIndex, geo: Geo, rule: DisclosureRule,
           mask: np.ndarray) -> gpd.GeoDataFrame:
    areas = geo.areas
    persons, reports = published_counts(index, rule.tabelle, mask, index.area, len(areas))
    shown = persons >= 0
    frame = gpd.GeoDataFrame({
        "pr_id": areas["pr_id"].astype(str) if "pr_id" in areas else areas.index.astype(str),
        "name": areas["name"] if "name" in areas else None,
        "veroeffentlicht": shown,
        "personen": _nullable(persons),
        "meldungen": _nullable(reports),
    }, geometry=areas.geometry.to_numpy(), crs=geo.crs)
    if geo.area_inhabitants is not None:
        inhabitants = geo.area_inhabitants
        frame["einwohner"] = np.round(inhabitants).astype(np.int64)
        value = np.where(shown, persons, np.nan).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(inhabitants > 0, value / inhabitants * 1000, np.nan)
        frame["rate_je_1000"] = np.round(rate, 2)
        use = shown & (inhabitants > 0)
        smoothed = np.full(len(areas), np.nan)
        if use.any():
            smoothed[use] = empirical_bayes_rates(value[use], inhabitants[use]) * 1000
        frame["rate_eb_je_1000"] = np.round(smoothed, 2)
    frame["hinweis"] = np.where(
        shown, "", f"{MISSING_LABEL}: keine oder höchstens {rule.tabelle.max_unpublished} Personen")
    return frame


def _streets(index: ReportIndex, geo: Geo, table: PerturbationTable,
             mask: np.ndarray) -> gpd.GeoDataFrame:
    streets = geo.streets
    if streets is None or len(streets) == 0:
        return gpd.GeoDataFrame({"strasse": [], "personen": [], "meldungen": []},
                                geometry=gpd.GeoSeries([], crs=geo.crs), crs=geo.crs)
    persons, reports = published_counts(index, table, mask, index.street, len(streets))
    show = np.flatnonzero(persons >= 0)
    return gpd.GeoDataFrame({"strasse": streets["strasse"].iloc[show].to_numpy(),
                             "personen": persons[show], "meldungen": reports[show]},
                            geometry=streets.geometry.iloc[show].to_numpy(), crs=geo.crs)


def _codes(index: ReportIndex, geo: Geo, table: PerturbationTable,
           mask: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ICF codes per area and for the region; ranks from published values, ties by code."""
    areas, n_codes = geo.areas, max(len(index.code_values), 1)
    cells = np.where(index.area >= 0, index.area * n_codes + index.code, -1)
    persons, reports = published_counts(index, table, mask, cells, len(areas) * n_codes)
    show = np.flatnonzero(persons >= 0)
    area_idx, code_idx = show // n_codes, show % n_codes
    per_area = pd.DataFrame({
        "pr_id": areas["pr_id"].astype(str).to_numpy()[area_idx],
        "name": areas["name"].to_numpy()[area_idx] if "name" in areas else None,
        "icf_code": index.code_values[code_idx].astype(str),
        "personen": persons[show], "meldungen": reports[show],
    })
    per_area["icf_titel"] = per_area["icf_code"].map(geo.titles)
    per_area = per_area.sort_values(["pr_id", "personen", "icf_code"],
                                    ascending=[True, False, True], kind="stable")
    per_area["rang"] = per_area.groupby("pr_id").cumcount() + 1
    per_area = per_area[["pr_id", "name", "rang", "icf_code", "icf_titel", "personen",
                         "meldungen"]].reset_index(drop=True)
    persons, reports = published_counts(index, table, mask, index.code, n_codes)
    show = np.flatnonzero(persons >= 0)
    region = pd.DataFrame({"icf_code": index.code_values[show].astype(str),
                           "personen": persons[show], "meldungen": reports[show]})
    region = region.sort_values(["personen", "icf_code"], ascending=[False, True], kind="stable")
    region.insert(1, "icf_titel", region["icf_code"].map(geo.titles))
    region.insert(0, "rang", np.arange(1, len(region) + 1))
    return per_area, region.reset_index(drop=True)


def _years(index: ReportIndex, geo: Geo, table: PerturbationTable, mask: np.ndarray,
           jahre: tuple[int, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every (area, year) and every year of ``jahre`` is a row; unpublished values are empty."""
    areas, years = geo.areas, np.asarray(jahre, dtype=np.int64)
    n_years = len(years)
    if n_years:
        position = np.minimum(np.searchsorted(years, index.year), n_years - 1)
        known = years[position] == index.year
    else:
        position, known = np.zeros(len(mask), np.int64), np.zeros(len(mask), bool)
    year_cells = np.where(known, position, -1).astype(np.int64)
    area_cells = np.where((index.area >= 0) & known, index.area * max(n_years, 1) + position, -1)
    persons, reports = published_counts(index, table, mask, area_cells, len(areas) * n_years)
    grid = np.arange(len(areas) * n_years)
    a_idx, y_idx = grid // max(n_years, 1), grid % max(n_years, 1)
    per_area = pd.DataFrame({
        "pr_id": areas["pr_id"].astype(str).to_numpy()[a_idx],
        "name": areas["name"].to_numpy()[a_idx] if "name" in areas else None,
        "jahr": years[y_idx], "personen": _nullable(persons), "meldungen": _nullable(reports),
    })
    persons, reports = published_counts(index, table, mask, year_cells, n_years)
    region = pd.DataFrame({"jahr": years, "personen": _nullable(persons),
                           "meldungen": _nullable(reports)})
    return per_area, region


def empirical_bayes_rates(events: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Global empirical-Bayes smoothed rates (Marshall 1991), as ``esda``'s ``Empirical_Bayes``.

    Units with ``base == 0`` get NaN and do not enter the estimate.

    Parameters
    ----------
    events
        Event counts per unit.
    base
        Population at risk per unit.

    Returns
    -------
    numpy.ndarray
        Smoothed rates (events per person).
    """
    e = np.asarray(events, dtype=float)
    b = np.asarray(base, dtype=float)
    out = np.full(len(e), np.nan)
    use = b > 0
    if not use.any():
        return out
    e_u, b_u = e[use], b[use]
    mean = e_u.sum() / b_u.sum()
    raw = e_u / b_u
    variance = (b_u * (raw - mean) ** 2).sum() / b_u.sum()
    prior_var = max(variance - mean / b_u.mean(), 0.0)
    denom = prior_var + mean / b_u
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(denom > 0, prior_var / denom, 0.0)
    out[use] = weight * raw + (1 - weight) * mean
    return out

