"""Reachability coverage per planning area as indicators (from the coverage table or cells)."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.areas import cells_to_areas
from layers.errors import InputValidationError
from planungsraeume.frage import Question
from planungsraeume.indikatoren.tabelle import (
    LONG_COLUMNS,
    REGION_VALUE,
    area_names,
    indicator_rows,
    slug,
)
from planungsraeume.region import Region

__all__ = [
    "coverage_from_area_coverage",
    "coverage_from_cells",
    "coverage_indicators",
    "reachability_coverage",
]


def coverage_from_cells(
    areas: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    erreicht: str | np.ndarray | pd.Series,
    *,
    kennzahl: str,
    bezeichnung: str | None = None,
    key: str = "pr_id",
    gewicht: str = "einwohner",
) -> pd.DataFrame:
    """A coverage table per area from a per-cell reachability result.

    Parameters
    ----------
    areas
        Planning areas.
    cells
        Population cells (``bevoelkerung`` layer) in the same CRS.
    erreicht
        Per cell: whether the service is reached (a boolean column name, array or Series
        aligned with ``cells``), e.g. ``reisezeit_min <= 15`` from the reachability analysis.
    kennzahl, bezeichnung
        Key and German label, e.g. ``"eutb_rollstuhl_15"``, "EUTB in 15 Min. (Rollstuhl)".
    gewicht
        The population column to count (``einwohner`` or ``alter_65_plus``).

    Returns
    -------
    pandas.DataFrame
        ``pr_id``, ``kennzahl``, ``bezeichnung``, ``erreicht``, ``basis`` (see
        :func:`coverage_indicators`).
    """
    reached = cells[erreicht] if isinstance(erreicht, str) else erreicht
    reached = np.asarray(reached, dtype=bool)
    if len(reached) != len(cells):
        raise InputValidationError(
            "Die Angabe 'erreicht' hat nicht so viele Werte wie es Zellen gibt.",
            hinweis="Übergeben Sie einen Wert je Bevölkerungszelle.",
        )
    weights = cells[gewicht].to_numpy(dtype=float)
    assigned = cells_to_areas(cells, areas, area_id=key).to_numpy()
    frame = pd.DataFrame({"pr": assigned, "erreicht": weights * reached, "basis": weights})
    sums = frame.dropna(subset=["pr"]).groupby("pr")[["erreicht", "basis"]].sum()
    keys = areas[key].astype("string").to_numpy()
    sums = sums.reindex(keys).fillna(0.0)
    return pd.DataFrame({
        key: keys,
        "kennzahl": kennzahl,
        "bezeichnung": bezeichnung or kennzahl,
        "erreicht": sums["erreicht"].to_numpy(),
        "basis": sums["basis"].to_numpy(),
    })


def coverage_from_area_coverage(
    area_coverage: pd.DataFrame,
    minuten: float,
    *,
    kennzahl: str,
    bezeichnung: str,
    gruppe: str = "einwohner",
) -> pd.DataFrame:
    """The coverage table of the reachability analysis as input of :func:`coverage_indicators`.

    Parameters
    ----------
    area_coverage
        Output of ``planungsraeume.erreichbarkeit.coverage`` / ``analyses.coverage.coverage_by_area``
        (one row per area and threshold, plus ``gesamt``/``ohne`` rows, which are dropped: the
        region value is recomputed from the areas).
    minuten
        The threshold to take (must be one of the table's thresholds).
    kennzahl, bezeichnung
        Key and German label of the indicator.
    gruppe
        ``"einwohner"`` (all inhabitants) or ``"ab65"`` (people aged 65 and over).

    Returns
    -------
    pandas.DataFrame
        ``pr_id``, ``kennzahl``, ``bezeichnung``, ``erreicht``, ``basis``.
    """
    if gruppe not in ("einwohner", "ab65"):
        raise InputValidationError(f"Unbekannte Gruppe '{gruppe}'.",
                                   hinweis="Erlaubt sind 'einwohner' und 'ab65'.")
    rows = area_coverage[np.isclose(area_coverage["schwelle_min"].astype(float), float(minuten))]
    if rows.empty:
        raise InputValidationError(
            f"Die Erreichbarkeitstabelle enthält keine Schwelle von {minuten:g} Minuten.",
            hinweis="Berechnen Sie die Versorgung mit dieser Minutenzahl.",
        )
    rows = rows[~rows["pr_id"].astype(str).isin(["gesamt", "ohne"])]
    return pd.DataFrame({
        "pr_id": rows["pr_id"].astype(str).to_numpy(),
        "kennzahl": kennzahl,
        "bezeichnung": bezeichnung,
        "erreicht": rows[f"{gruppe}_erreicht"].to_numpy(dtype=float),
        "basis": rows[gruppe].to_numpy(dtype=float),
    })


def reachability_coverage(region: Region, frage: Question) -> list[pd.DataFrame]:
    """Reachability coverage of a region for a question, as input of :func:`indicators`.

    Runs the cached reachability analysis (:func:`planungsraeume.erreichbarkeit.coverage`) and
    returns two tables: all inhabitants and people aged 65 and over who reach a selected offer
    within the question's minutes.

    Returns
    -------
    list of pandas.DataFrame
        Keys ``erreichbarkeit_<slug>`` and ``erreichbarkeit_<slug>_65`` once passed through
        :func:`coverage_indicators`.
    """
    from planungsraeume import erreichbarkeit

    table = erreichbarkeit.coverage(region, frage)
    label = f"{frage.selection_label()} in {frage.minutes_label()} {frage.profile_label()}"
    key = slug(f"{frage.selection_label()}_{frage.profil}_{frage.minuten:g}")
    return [
        coverage_from_area_coverage(table, float(frage.minuten), kennzahl=key, bezeichnung=label),
        coverage_from_area_coverage(table, float(frage.minuten), kennzahl=f"{key}_65",
                                    bezeichnung=f"{label}, 65 Jahre und älter", gruppe="ab65"),
    ]


def coverage_indicators(
    areas: gpd.GeoDataFrame,
    coverage: pd.DataFrame | Sequence[pd.DataFrame],
    population: pd.DataFrame | None = None,
    *,
    key: str = "pr_id",
) -> pd.DataFrame:
    """Reachability coverage per area as indicators against the region.

    This is the hook for the reachability analyses: they deliver, per planning area, how many
    people reach a kind of service within a time limit.

    Parameters
    ----------
    areas
        Planning areas.
    coverage
        One table or several, each with the area key column and

        * a label: ``kennzahl`` (and optionally ``bezeichnung``), or any of the columns
          ``typ``, ``profil``, ``minuten``, ``gruppe`` from which the label is built
          (e.g. "EUTB · rollstuhl · 15 Min. · 65+"), and
        * the counts ``erreicht`` (people reached) and ``basis`` (people in the area), from
          which the share and the region's share are computed exactly; or, if only a share
          is known, ``anteil`` (0–1), whose region value is then weighted with the areas'
          inhabitants (or their plain mean without population).
    population
        Per-area population (for weighting ``anteil``-only tables).

    Returns
    -------
    pandas.DataFrame
        Long-form indicators (bereich "Erreichbarkeit", einheit "%").
    """
    tables = [coverage] if isinstance(coverage, pd.DataFrame) else list(coverage)
    keys = areas[key].astype("string").to_numpy()
    names = area_names(areas)
    weights = (population["einwohner"].to_numpy(dtype=float) if population is not None
               else np.ones(len(keys)))
    parts = []
    for table in tables:
        frame = _labelled(table, key)
        has_counts = {"erreicht", "basis"} <= set(frame.columns)
        for kennzahl, group in frame.groupby("kennzahl", sort=False):
            group = group.drop_duplicates(subset=[key]).set_index(key).reindex(keys)
            label = (str(group["bezeichnung"].dropna().iloc[0]) if group["bezeichnung"].notna().any()
                     else str(kennzahl))
            name = f"erreichbarkeit_{slug(str(kennzahl))}"
            if has_counts:
                parts.append(indicator_rows(
                    keys, names, bereich="Erreichbarkeit", kennzahl=name,
                    bezeichnung=f"Anteil erreicht: {label}", einheit="%", art="anteil",
                    zaehler=group["erreicht"].to_numpy(dtype=float),
                    nenner=group["basis"].to_numpy(dtype=float), faktor=100.0))
            else:
                parts.append(_share_rows(keys, names, name, f"Anteil erreicht: {label}",
                                         group["anteil"].to_numpy(dtype=float), weights,
                                         weighted=population is not None))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LONG_COLUMNS)


def _labelled(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """A coverage table checked, with ``kennzahl`` and ``bezeichnung`` (built if missing)."""
    if key not in table.columns:
        raise InputValidationError(
            f"Der Erreichbarkeitstabelle fehlt die Spalte '{key}'.",
            hinweis="Jede Zeile braucht die Nummer des Planungsraums.",
        )
    frame = pd.DataFrame(table).copy()
    frame[key] = frame[key].astype("string")
    if "kennzahl" not in frame.columns:
        label_columns = [c for c in ("typ", "profil", "minuten", "gruppe") if c in frame]
        if not label_columns:
            raise InputValidationError(
                "Der Erreichbarkeitstabelle fehlt eine Bezeichnung (Spalte 'kennzahl' oder "
                "'typ'/'profil'/'minuten').",
                hinweis="Ergänzen Sie, was die Zahlen messen.",
            )
        frame["kennzahl"] = frame[label_columns].astype(str).agg("_".join, axis=1)
        frame["bezeichnung"] = frame[label_columns].apply(_coverage_label, axis=1)
    if "bezeichnung" not in frame.columns:
        frame["bezeichnung"] = frame["kennzahl"]
    if not ({"erreicht", "basis"} <= set(frame.columns)) and "anteil" not in frame.columns:
        raise InputValidationError(
            "Die Erreichbarkeitstabelle braucht 'erreicht' und 'basis' (Personen) oder "
            "'anteil' (0–1).",
            hinweis="Siehe planungsraeume.indikatoren.coverage_indicators.",
        )
    return frame


def _share_rows(keys: np.ndarray, names: np.ndarray, kennzahl: str, bezeichnung: str,
                share: np.ndarray, weights: np.ndarray, *, weighted: bool) -> pd.DataFrame:
    """Rows of a share-only coverage table; the region value weights the areas' inhabitants."""
    if np.nanmax(share, initial=0.0) > 1.0:
        raise InputValidationError(
            f"Die Anteile der Kennzahl '{kennzahl}' sind größer als 1.",
            hinweis="Geben Sie Anteile als Zahl zwischen 0 und 1 an.",
        )
    usable = np.isfinite(share) & np.isfinite(weights)
    total = float(np.sum(weights[usable])) if usable.any() else 0.0
    region = float(np.sum(share[usable] * weights[usable]) / total * 100) if total > 0 else np.nan
    return indicator_rows(keys, names, bereich="Erreichbarkeit", kennzahl=kennzahl,
                          bezeichnung=bezeichnung, einheit="%", art="anteil", zaehler=share * 100,
                          region_value=region,
                          region_bezug=REGION_VALUE + (" (gewichtet)" if weighted else " (Mittel)"))


def _coverage_label(row: pd.Series) -> str:
    parts = []
    for column, value in row.items():
        if column == "minuten":
            parts.append(f"{value:g} Min." if isinstance(value, (int, float)) else f"{value} Min.")
        else:
            parts.append(str(value))
    return " · ".join(parts)
