"""Coverage (Versorgungsgrad) per Planungsraum and the gap layer (Versorgungslücken).

Input is a travel-time result for population grid cells (from
:func:`analyses.reachability.nearest_service`, indexed like the cells). Each cell belongs to the
Planungsraum that contains its centroid. For every threshold the population of an area splits
into three disjoint parts that always add up to its total:

* **erreicht** – connected and reachable within the threshold;
* **nicht erreicht** – connected, but farther (or no path at all);
* **nicht angebunden** – farther than the snap limit from the profile's network.

The same split is given for people aged 65 and over. Cells whose centroid lies in no
Planungsraum form an extra row "ohne Planungsraum", so nobody is lost.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.areas import cells_to_areas
from analyses.reachability import STATUS_NOT_CONNECTED, STATUS_REACHABLE, check_minutes
from layers.errors import AnalysisError
from layers.validation import require_crs

DEFAULT_THRESHOLDS = (5.0, 10.0, 15.0, 20.0, 30.0)
TOTAL_ID = "gesamt"
TOTAL_NAME = "Region gesamt"
OUTSIDE_ID = "ohne"
OUTSIDE_NAME = "ohne Planungsraum"
POPULATION = "einwohner"
SENIORS = "alter_65_plus"


def assign_to_areas(
    cells: gpd.GeoDataFrame, planungsraeume: gpd.GeoDataFrame
) -> pd.DataFrame:
    """The Planungsraum of every cell, by the project's one rule (:mod:`analyses.areas`).

    Every cell is counted exactly once; cells touching no area are "ohne" / "ohne Planungsraum".

    Returns
    -------
    pandas.DataFrame
        Indexed like ``cells``: ``pr_id`` and ``planungsraum`` (name); cells outside every area
        get ``"ohne"`` / ``"ohne Planungsraum"``.
    """
    require_crs(planungsraeume, cells.crs, name="planungsraeume")
    for column in ("pr_id",):
        if column not in planungsraeume.columns:
            raise AnalysisError(
                f"Den Planungsräumen fehlt die Spalte '{column}'.",
                hinweis="Die Ebene planungsraeume braucht pr_id und name.",
            )
    areas = planungsraeume.reset_index(drop=True)
    names = areas["name"] if "name" in areas.columns else areas["pr_id"]
    if len(areas) == 0:
        pr_id = np.full(len(cells), OUTSIDE_ID, dtype=object)
        pr_name = np.full(len(cells), OUTSIDE_NAME, dtype=object)
    else:
        keys = cells_to_areas(cells, areas)
        by_id = dict(zip(areas["pr_id"].astype(str), names.astype(str), strict=True))
        pr_id = keys.fillna(OUTSIDE_ID).astype(str).to_numpy(dtype=object)
        pr_name = np.array([by_id.get(k, OUTSIDE_NAME) for k in pr_id], dtype=object)
    return pd.DataFrame({"pr_id": pr_id, "planungsraum": pr_name}, index=cells.index)


def _aligned(travel: pd.DataFrame, cells: gpd.GeoDataFrame) -> pd.DataFrame:
    for column in ("minuten", "status"):
        if column not in travel.columns:
            raise AnalysisError(
                f"Dem Reisezeit-Ergebnis fehlt die Spalte '{column}'.",
                hinweis="Übergeben Sie das Ergebnis von nearest_service für die Rasterzellen.",
            )
    for column in (POPULATION, SENIORS):
        if column not in cells.columns:
            raise AnalysisError(
                f"Der Bevölkerungsebene fehlt die Spalte '{column}'.",
                hinweis="Verwenden Sie die Ebene bevoelkerung des Regionsspeichers.",
            )
    if not travel.index.equals(cells.index):
        missing = cells.index.difference(travel.index)
        if len(missing):
            raise AnalysisError(
                f"Für {len(missing)} Rasterzellen fehlt eine Reisezeit.",
                hinweis="Berechnen Sie die Reisezeiten für genau die übergebenen Zellen "
                "(das Ergebnis ist wie die Zellen indiziert).",
            )
        travel = travel.loc[cells.index]
    return travel


def coverage_by_area(
    travel: pd.DataFrame,
    cells: gpd.GeoDataFrame,
    planungsraeume: gpd.GeoDataFrame,
    schwellen: Iterable[float] = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """Population and 65+ population reached within each threshold, per Planungsraum.

    Parameters
    ----------
    travel
        Travel times of the cells (``minuten``, ``status``), indexed like ``cells``.
    cells
        The ``bevoelkerung`` layer (``einwohner``, ``alter_65_plus``).
    planungsraeume
        The planning areas (``pr_id``, ``name``).
    schwellen
        Thresholds in minutes (each > 0).

    Returns
    -------
    pandas.DataFrame
        One row per area and threshold, plus a row ``"gesamt"`` per threshold (and
        ``"ohne"`` if some cells lie outside every area): ``pr_id``, ``planungsraum``,
        ``schwelle_min``, ``einwohner``, ``einwohner_erreicht``, ``einwohner_nicht_erreicht``,
        ``einwohner_nicht_angebunden``, ``anteil_erreicht_prozent`` and the same for
        ``ab65`` (people aged 65+), and ``profil``, ``unbekannt``, ``auswahl`` if the travel
        result has them. Invariant: erreicht + nicht erreicht + nicht angebunden = einwohner.
    """
    thresholds = sorted(set(check_minutes(schwellen)))
    travel = _aligned(travel, cells)
    areas = assign_to_areas(cells, planungsraeume)
    population = pd.to_numeric(cells[POPULATION], errors="coerce").fillna(0).to_numpy(float)
    seniors = pd.to_numeric(cells[SENIORS], errors="coerce").fillna(0).to_numpy(float)
    minutes = pd.to_numeric(travel["minuten"], errors="coerce").to_numpy(float)
    status = travel["status"].astype(str).to_numpy()
    connected = status != STATUS_NOT_CONNECTED

    order = [str(p) for p in planungsraeume["pr_id"]]
    names = dict(
        zip(
            planungsraeume["pr_id"].astype(str),
            (planungsraeume["name"] if "name" in planungsraeume.columns else planungsraeume["pr_id"])
            .astype(str),
            strict=True,
        )
    )
    if (areas["pr_id"] == OUTSIDE_ID).any():
        order.append(OUTSIDE_ID)
        names[OUTSIDE_ID] = OUTSIDE_NAME
    area_codes = pd.Categorical(areas["pr_id"], categories=order).codes
    rows = []
    for threshold in thresholds:
        reached = connected & (status == STATUS_REACHABLE) & (minutes <= threshold + 1e-9)
        not_reached = connected & ~reached
        parts = {}
        for label, weights in (("einwohner", population), ("ab65", seniors)):
            parts[label] = np.bincount(area_codes, weights=weights, minlength=len(order))
            parts[f"{label}_erreicht"] = np.bincount(
                area_codes, weights=weights * reached, minlength=len(order)
            )
            parts[f"{label}_nicht_erreicht"] = np.bincount(
                area_codes, weights=weights * not_reached, minlength=len(order)
            )
            parts[f"{label}_nicht_angebunden"] = np.bincount(
                area_codes, weights=weights * ~connected, minlength=len(order)
            )
        block = pd.DataFrame(parts)
        block.insert(0, "pr_id", order)
        block.insert(1, "planungsraum", [names[p] for p in order])
        block.insert(2, "schwelle_min", threshold)
        total = block.drop(columns=["pr_id", "planungsraum", "schwelle_min"]).sum()
        total_row: dict[str, object] = {
            "pr_id": TOTAL_ID, "planungsraum": TOTAL_NAME, "schwelle_min": threshold
        }
        total_row.update({str(k): v for k, v in total.items()})
        rows.append(pd.concat([block, pd.DataFrame([total_row])], ignore_index=True))
    result = pd.concat(rows, ignore_index=True)
    count_columns = [c for c in result.columns if c.startswith(("einwohner", "ab65"))]
    result[count_columns] = result[count_columns].round().astype(np.int64)
    for label in ("einwohner", "ab65"):
        with np.errstate(invalid="ignore", divide="ignore"):
            share = 100.0 * result[f"{label}_erreicht"] / result[label]
        result[f"anteil_{label}_erreicht_prozent"] = share.where(result[label] > 0).round(1)
    result = result.rename(columns={"anteil_einwohner_erreicht_prozent": "anteil_erreicht_prozent"})
    for column in ("profil", "unbekannt", "auswahl"):
        if column in travel.columns and len(travel):
            result[column] = str(travel[column].iloc[0])
    result.attrs.update({str(k): v for k, v in travel.attrs.items()})
    return result


def gap_layer(
    travel: pd.DataFrame,
    cells: gpd.GeoDataFrame,
    planungsraeume: gpd.GeoDataFrame,
    minuten: float,
) -> gpd.GeoDataFrame:
    """Populated cells that do not reach the service within ``minuten`` (Versorgungslücken).

    Returns
    -------
    geopandas.GeoDataFrame
        The cells (polygons, indexed like ``cells``) with ``einwohner`` > 0 that are not reached:
        ``gitter_id`` (if present), ``pr_id``, ``planungsraum``, ``einwohner``,
        ``alter_65_plus``, ``minuten``, ``status``, ``ueberschreitung_min`` (minutes beyond the
        threshold; NaN if not connected or unreachable), ``schwelle_min`` and the profile
        columns. Sorted by affected population, largest first.
    """
    threshold = check_minutes(minuten)[0]
    travel = _aligned(travel, cells)
    areas = assign_to_areas(cells, planungsraeume)
    population = pd.to_numeric(cells[POPULATION], errors="coerce").fillna(0)
    minutes = pd.to_numeric(travel["minuten"], errors="coerce")
    status = travel["status"].astype(str)
    reached = (status == STATUS_REACHABLE) & (minutes <= threshold + 1e-9)
    gap = (population > 0) & ~reached
    keep = cells.index[gap.to_numpy()]
    frame = pd.DataFrame(index=keep)
    if "gitter_id" in cells.columns:
        frame["gitter_id"] = cells.loc[keep, "gitter_id"]
    frame["pr_id"] = areas.loc[keep, "pr_id"]
    frame["planungsraum"] = areas.loc[keep, "planungsraum"]
    frame["einwohner"] = population.loc[keep].astype(np.int64)
    frame["alter_65_plus"] = (
        pd.to_numeric(cells.loc[keep, SENIORS], errors="coerce").fillna(0).astype(np.int64)
    )
    frame["minuten"] = minutes.loc[keep]
    frame["status"] = status.loc[keep]
    frame["ueberschreitung_min"] = (minutes.loc[keep] - threshold).where(
        status.loc[keep] == STATUS_REACHABLE
    )
    frame["schwelle_min"] = threshold
    for column in ("profil", "unbekannt", "auswahl"):
        if column in travel.columns:
            frame[column] = travel.loc[keep, column].astype(str)
    result = gpd.GeoDataFrame(frame, geometry=cells.geometry.loc[keep].to_numpy(), crs=cells.crs)
    result = result.sort_values("einwohner", ascending=False, kind="stable")
    result.attrs.update({str(k): v for k, v in travel.attrs.items()})
    return result
