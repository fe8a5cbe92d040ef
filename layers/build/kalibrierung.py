"""Calibrating the modelled population to the official municipal totals (VG250-EW).

A municipality the region covers completely (at least :data:`COMPLETE` of its area) has an
official total that the model must reproduce: its cells' modelled inhabitants (and age groups)
are scaled by ``official / modelled`` before rounding, and rounded within the municipality, so
the modelled total equals the official one exactly. A municipality covered only in part keeps
the model (its total cannot be compared with a part; :mod:`planungsraeume.abgleich` compares the
densities). Cells are assigned to municipalities by the one cell→area rule
(:func:`analyses.areas.cells_to_areas`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.areas import cells_to_areas

__all__ = ["CALIBRATION_COLUMNS", "COMPLETE", "calibrate", "calibration_note"]

#: Share of a municipality's area inside the region from which it counts as covered completely
#: (boundary files of different origin differ by slivers: Köln's Stadtteile cover 99.2 % of the
#: VG250 municipality).
COMPLETE = 0.98
CALIBRATION_COLUMNS = ["ags", "name", "anteil_in_region", "einwohner_modell",
                       "einwohner_amtlich", "faktor", "kalibriert"]


def calibrate(
    cells: gpd.GeoDataFrame, ages: np.ndarray, towns: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Scale the modelled age groups of the cells of completely covered municipalities.

    Parameters
    ----------
    cells
        Cell polygons in the working CRS (one row per cell, same order as ``ages``).
    ages
        Unrounded modelled inhabitants per cell (rows) and age group (columns).
    towns
        The ``gemeinden`` layer with ``ags``, ``name``, ``einwohner`` and ``anteil_in_region``
        (``None`` or empty: nothing to calibrate).

    Returns
    -------
    tuple
        The scaled ages, the group of every cell for rounding (the AGS of a calibrated
        municipality, else ``""``: totals are rounded per group so each calibrated total is
        exact), and the report (:data:`CALIBRATION_COLUMNS`, one row per municipality touched,
        ``kalibriert`` False for partly covered ones and for complete ones without model).
    """
    groups = np.full(len(cells), "", dtype=object)
    if towns is None or towns.empty or not len(cells) or "anteil_in_region" not in towns.columns:
        return ages, groups, pd.DataFrame(columns=CALIBRATION_COLUMNS)
    towns = towns[(towns["anteil_in_region"].fillna(0) > 0) & towns["einwohner"].notna()]
    towns = towns.reset_index(drop=True)
    if towns.empty:
        return ages, groups, pd.DataFrame(columns=CALIBRATION_COLUMNS)
    assigned = cells_to_areas(cells, towns, area_id="ags").astype(object).to_numpy()
    scaled = ages.astype(float).copy()
    rows = []
    for town in towns.itertuples(index=False):
        inside = assigned == town.ags
        modelled = float(ages[inside].sum())
        official = float(town.einwohner)
        complete = float(town.anteil_in_region) >= COMPLETE
        done = complete and modelled > 0
        factor = official / modelled if done else np.nan
        if done:
            scaled[inside] *= factor
            groups[inside] = str(town.ags)
        rows.append((str(town.ags), str(town.name), float(town.anteil_in_region), modelled,
                     official, factor, done))
    return scaled, groups, pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)


def calibration_note(report: pd.DataFrame) -> str:
    """A German sentence on what the build calibrated (for the build notes and the metadata)."""
    from layers.formatting import de_number

    if report.empty:
        return "Keine Gemeinde mit amtlicher Einwohnerzahl berührt: das Modell ist nicht kalibriert."
    done = report[report["kalibriert"]]
    parts = [f"{row.name}: Modell {de_number(row.einwohner_modell)} → amtlich "
             f"{de_number(row.einwohner_amtlich)} (Faktor {de_number(row.faktor, 3)})"
             for row in done.itertuples(index=False)]
    partial = report[report["anteil_in_region"] < COMPLETE]
    text = ("Kalibriert auf die amtliche Summe (VG250-EW) der ganz abgedeckten Gemeinden: "
            + "; ".join(parts) + "." if parts else
            "Keine Gemeinde liegt ganz in der Region: das Modell ist nicht kalibriert.")
    if len(partial):
        names = ", ".join(f"{name} ({de_number(float(share) * 100, 1)} %)" for name, share
                          in zip(partial["name"], partial["anteil_in_region"], strict=True))
        text += (f" Nur teilweise abgedeckt (nicht kalibriert, Dichtevergleich in "
                 f"'sozialraum abgleich'): {names}.")
    return text
