"""Coverage (Versorgungsgrad) per Planungsraum and the gap layer (Versorgungslücken).

Input is a travel-time result for population grid cells (from
:func:`analyses.network.search.nearest_service`, indexed like the cells). Each cell belongs to the
Planungsraum that contains its centroid. For every threshold the population of an area splits
into three disjoint parts that always add up to its total:

* **erreicht** – connected and reachable within the threshold;
* **nicht erreicht** – connected, but farther (or no path at all);
* **nicht angebunden** – farther than the snap limit from the profile's network.

The same split is given for people aged 65 and over. Cells whose centroid lies in no
Planungsraum form an extra row "ohne Planungsraum", so nobody is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.areas import cells_to_areas
from analyses.network.search import STATUS_NOT_CONNECTED, STATUS_REACHABLE, check_minutes
from layers.errors import AnalysisError
from layers.validation import require_crs

__all__ = [
    "DEFAULT_THRESHOLDS",
    "NOT_CONNECTED_LABEL",
    "OUTSIDE_ID",
    "OUTSIDE_NAME",
    "POPULATION",
    "SENIORS",
    "TIME_BAND_BREAKS",
    "TOTAL_ID",
    "TOTAL_NAME",
    "UNREACHABLE_LABEL",
    "assign_to_areas",
    "coverage_by_area",
    "gap_layer",
    "share_by_area",
    "time_band_labels",
    "time_bands",
]

DEFAULT_THRESHOLDS = (5.0, 10.0, 15.0, 20.0, 30.0)
TOTAL_ID = "gesamt"
TOTAL_NAME = "Region gesamt"
OUTSIDE_ID = "ohne"
OUTSIDE_NAME = "ohne Planungsraum"
POPULATION = "einwohner"
SENIORS = "alter_65_plus"


def assign_to_areas(
    cells: gpd.GeoDataFrame,
    planungsraeume: gpd.GeoDataFrame,
    zuordnung: pd.Series | None = None,
) -> pd.DataFrame:
    """Return the Planungsraum of every cell, by the project's one rule (:mod:`analyses.areas`).

    Every cell is counted exactly once; cells touching no area are "ohne" / "ohne Planungsraum".
    ``zuordnung`` is the rule's result computed once by the caller (``pr_id`` per cell, indexed
    like ``cells``, ``"ohne"`` or missing outside every area, as
    :meth:`planungsraeume.region.Region.cell_areas` gives it); without it the rule is applied
    here.

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
        keys = _given(zuordnung, cells) if zuordnung is not None else cells_to_areas(cells, areas)
        by_id = dict(zip(areas["pr_id"].astype(str), names.astype(str), strict=True))
        pr_id = keys.fillna(OUTSIDE_ID).astype(str).to_numpy(dtype=object)
        pr_name = np.array([by_id.get(k, OUTSIDE_NAME) for k in pr_id], dtype=object)
    return pd.DataFrame({"pr_id": pr_id, "planungsraum": pr_name}, index=cells.index)


def _given(zuordnung: pd.Series, cells: gpd.GeoDataFrame) -> pd.Series:
    """Check a caller's cell→area assignment to be indexed like the cells."""
    if not zuordnung.index.equals(cells.index):
        raise AnalysisError(
            "Die Zuordnung der Zellen zu Planungsräumen passt nicht zu den Zellen (anderer Index).",
            hinweis="Übergeben Sie je Zelle genau einen Planungsraum, indiziert wie die Zellen.",
        )
    keys = zuordnung.astype("string")
    return keys.where(keys != OUTSIDE_ID)


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
    *,
    zuordnung: pd.Series | None = None,
) -> pd.DataFrame:
    """Count the population and 65+ population reached within each threshold, per Planungsraum.

    Parameters
    ----------
    travel, cells
        Travel times of the cells (``minuten``, ``status``), indexed like ``cells``; the
        ``bevoelkerung`` layer (``einwohner``, ``alter_65_plus``).
    planungsraeume, zuordnung
        The planning areas (``pr_id``, ``name``); the cell→area assignment computed once (see
        :func:`assign_to_areas`).
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
    areas = assign_to_areas(cells, planungsraeume, zuordnung)
    order, names = _area_order(planungsraeume, areas)
    counts = _Counts(
        area_codes=pd.Categorical(areas["pr_id"], categories=order).codes,
        n_areas=len(order),
        population=pd.to_numeric(cells[POPULATION], errors="coerce").fillna(0).to_numpy(float),
        seniors=pd.to_numeric(cells[SENIORS], errors="coerce").fillna(0).to_numpy(float),
        minutes=pd.to_numeric(travel["minuten"], errors="coerce").to_numpy(float),
        status=travel["status"].astype(str).to_numpy(),
    )
    blocks = []
    for threshold in thresholds:
        block = pd.DataFrame(counts.at(threshold))
        block.insert(0, "pr_id", order)
        block.insert(1, "planungsraum", [names[p] for p in order])
        block.insert(2, "schwelle_min", threshold)
        total = block.drop(columns=["pr_id", "planungsraum", "schwelle_min"]).sum()
        total_row: dict[str, object] = {"pr_id": TOTAL_ID, "planungsraum": TOTAL_NAME,
                                        "schwelle_min": threshold}
        total_row.update({str(k): v for k, v in total.items()})
        blocks.append(pd.concat([block, pd.DataFrame([total_row])], ignore_index=True))
    result = _with_shares(pd.concat(blocks, ignore_index=True))
    for column in ("profil", "unbekannt", "auswahl"):
        if column in travel.columns and len(travel):
            result[column] = str(travel[column].iloc[0])
    result.attrs.update({str(k): v for k, v in travel.attrs.items()})
    return result


def _area_order(
    planungsraeume: gpd.GeoDataFrame, areas: pd.DataFrame
) -> tuple[list[str], dict[str, str]]:
    """Area keys in layer order (then ``"ohne"`` if a cell lies outside) and their names."""
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
    return order, names


@dataclass(frozen=True)
class _Counts:
    """Per cell: area code, people, people 65+, minutes and status (for the sums per area)."""

    area_codes: np.ndarray
    n_areas: int
    population: np.ndarray
    seniors: np.ndarray
    minutes: np.ndarray
    status: np.ndarray

    def at(self, threshold: float) -> dict[str, np.ndarray]:
        """People and 65+ per area: total, reached, not reached, not connected."""
        connected = self.status != STATUS_NOT_CONNECTED
        reached = (
            connected & (self.status == STATUS_REACHABLE) & (self.minutes <= threshold + 1e-9)
        )
        not_reached = connected & ~reached
        parts = {}
        for label, weights in (("einwohner", self.population), ("ab65", self.seniors)):
            parts[label] = self._sum(weights)
            parts[f"{label}_erreicht"] = self._sum(weights * reached)
            parts[f"{label}_nicht_erreicht"] = self._sum(weights * not_reached)
            parts[f"{label}_nicht_angebunden"] = self._sum(weights * ~connected)
        return parts

    def _sum(self, weights: np.ndarray) -> np.ndarray:
        return np.bincount(self.area_codes, weights=weights, minlength=self.n_areas)


def _with_shares(result: pd.DataFrame) -> pd.DataFrame:
    """Round the counts to whole people and add the shares reached (percent, 1 decimal)."""
    count_columns = [c for c in result.columns if c.startswith(("einwohner", "ab65"))]
    result[count_columns] = result[count_columns].round().astype(np.int64)
    for label in ("einwohner", "ab65"):
        with np.errstate(invalid="ignore", divide="ignore"):
            share = 100.0 * result[f"{label}_erreicht"] / result[label]
        result[f"anteil_{label}_erreicht_prozent"] = share.where(result[label] > 0).round(1)
    return result.rename(columns={"anteil_einwohner_erreicht_prozent": "anteil_erreicht_prozent"})


def gap_layer(
    travel: pd.DataFrame,
    cells: gpd.GeoDataFrame,
    planungsraeume: gpd.GeoDataFrame,
    minuten: float,
    *,
    zuordnung: pd.Series | None = None,
) -> gpd.GeoDataFrame:
    """Return the populated cells that do not reach the service within ``minuten`` (Versorgungslücken).

    ``zuordnung`` is the cell→area assignment computed once (see :func:`assign_to_areas`).

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
    areas = assign_to_areas(cells, planungsraeume, zuordnung)
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


# --------------------------------------------------------------------------------------------
# Classes of travel time and weighted shares per Planungsraum (tables beside the app's maps)
# --------------------------------------------------------------------------------------------

TIME_BAND_BREAKS = (5.0, 10.0, 15.0, 20.0, 30.0)
UNREACHABLE_LABEL = "nicht erreichbar"
NOT_CONNECTED_LABEL = "nicht angebunden"


def _de_minutes(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def time_band_labels(breaks: Sequence[float] = TIME_BAND_BREAKS) -> list[str]:
    """Return the labels of :func:`time_bands` in order.

    E.g. ``"bis 5 Min."`` … ``"über 30 Min."``, then ``"nicht erreichbar"`` and
    ``"nicht angebunden"``.
    """
    limits = sorted(set(check_minutes(breaks)))
    labels = [f"bis {_de_minutes(limits[0])} Min."]
    labels += [f"{_de_minutes(a)}–{_de_minutes(b)} Min." for a, b in zip(limits, limits[1:], strict=False)]
    labels.append(f"über {_de_minutes(limits[-1])} Min.")
    return [*labels, UNREACHABLE_LABEL, NOT_CONNECTED_LABEL]


def time_bands(travel: pd.DataFrame, breaks: Sequence[float] = TIME_BAND_BREAKS) -> pd.Series:
    """Return the travel-time class of every origin (an ordered categorical, indexed like ``travel``).

    Parameters
    ----------
    travel
        A travel-time result (``minuten``, ``status``) as from
        :func:`analyses.network.search.nearest_service`.
    breaks
        Upper class limits in minutes; a time equal to a limit belongs to the lower class
        (``15`` is "10–15 Min."), as in :func:`coverage_by_area`.

    Returns
    -------
    pandas.Series
        Categories :func:`time_band_labels`; origins that are not connected to the network or
        reach no service get the last two labels.
    """
    for column in ("minuten", "status"):
        if column not in travel.columns:
            raise AnalysisError(
                f"Dem Reisezeit-Ergebnis fehlt die Spalte '{column}'.",
                hinweis="Übergeben Sie das Ergebnis von nearest_service.",
            )
    limits = np.asarray(sorted(set(check_minutes(breaks))), dtype=float)
    labels = time_band_labels(limits.tolist())
    minutes = pd.to_numeric(travel["minuten"], errors="coerce").to_numpy(float)
    status = travel["status"].astype(str).to_numpy()
    # searchsorted(side="left"): a value equal to a limit stays in the lower class.
    codes = np.searchsorted(limits + 1e-9, np.nan_to_num(minutes, nan=np.inf), side="left")
    codes = np.where((status == STATUS_REACHABLE) & np.isfinite(minutes), codes, len(limits) + 1)
    codes = np.where(status == STATUS_NOT_CONNECTED, len(limits) + 2, codes)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=pd.Index(labels), ordered=True),
        index=travel.index, name="klasse",
    )


def share_by_area(
    origins: gpd.GeoDataFrame,
    planungsraeume: gpd.GeoDataFrame,
    categories: pd.Series,
    *,
    weight: str | None = POPULATION,
    zuordnung: pd.Series | None = None,
) -> pd.DataFrame:
    """Weighted counts and shares of categories per Planungsraum and for the region.

    Parameters
    ----------
    origins, planungsraeume
        Population cells (or addresses) and the planning areas (``pr_id``, ``name``), same CRS.
    categories
        One category per origin, indexed like ``origins`` (e.g. :func:`time_bands`); the order
        of a categorical's categories is kept, empty categories appear with 0.
    weight, zuordnung
        Column of ``origins`` to sum (``einwohner``, ``alter_65_plus``), or ``None`` to count
        origins (addresses when a region has no population); the origin→area assignment
        computed once (see :func:`assign_to_areas`).

    Returns
    -------
    pandas.DataFrame
        Long table ``pr_id``, ``planungsraum``, ``kategorie``, ``anzahl`` (sum of weights,
        rounded), ``anteil_prozent`` (of the area's total; NaN for an empty area): one block per
        area in layer order, then ``"ohne"`` if needed, then ``"gesamt"`` (the counts of an area
        add up to its total; the areas add up to the region).
    """
    _check_share_inputs(origins, categories, weight)
    areas = assign_to_areas(origins, planungsraeume, zuordnung)
    weights = (
        pd.to_numeric(origins[weight], errors="coerce").fillna(0.0)
        if weight is not None else pd.Series(1.0, index=origins.index)
    )
    labels = (
        [str(c) for c in categories.cat.categories]
        if isinstance(categories.dtype, pd.CategoricalDtype)
        else sorted(categories.dropna().astype(str).unique())
    )
    order, names = _area_order(planungsraeume, areas)
    names = {**dict(zip(areas["pr_id"], areas["planungsraum"], strict=False)), **names}
    table = (
        pd.DataFrame({"pr_id": areas["pr_id"].to_numpy(), "kategorie": categories.astype(str).to_numpy(),
                      "anzahl": weights.to_numpy(float)})
        .groupby(["pr_id", "kategorie"])["anzahl"].sum()
        .unstack(fill_value=0)
        .reindex(index=order, columns=labels, fill_value=0.0)
    )
    table.loc[TOTAL_ID] = table.sum()
    long = _long_shares(table)
    long.insert(1, "planungsraum", long["pr_id"].map({**names, TOTAL_ID: TOTAL_NAME}))
    long.attrs["gewicht"] = weight or "anzahl_startpunkte"
    return long


def _check_share_inputs(
    origins: gpd.GeoDataFrame, categories: pd.Series, weight: str | None
) -> None:
    if not categories.index.equals(origins.index):
        raise AnalysisError(
            "Die Kategorien passen nicht zu den Startpunkten (anderer Index).",
            hinweis="Übergeben Sie je Startpunkt genau eine Kategorie, indiziert wie die Ebene.",
        )
    if weight is not None and weight not in origins.columns:
        raise AnalysisError(
            f"Den Startpunkten fehlt die Spalte '{weight}'.",
            hinweis="Gewichten Sie mit einer vorhandenen Zahlenspalte oder zählen Sie Punkte.",
        )


def _long_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Areas × categories as a long table with rounded counts and shares of the area total."""
    long = pd.Series(table.stack()).reset_index()
    long.columns = pd.Index(["pr_id", "kategorie", "anzahl"])
    totals = long.groupby("pr_id", sort=False)["anzahl"].transform("sum")
    with np.errstate(invalid="ignore", divide="ignore"):
        long["anteil_prozent"] = (100.0 * long["anzahl"] / totals).where(totals > 0).round(1)
    long["anzahl"] = long["anzahl"].round().astype(np.int64)
    return long
