"""Population-weighted means of an origin value per planning area."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from layers.errors import AnalysisError

__all__ = ["aggregate_by_area"]


def aggregate_by_area(
    values: pd.Series,
    weights: pd.Series,
    areas: pd.Series,
    *,
    area_ids: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Population-weighted mean of an origin value per planning area.

    Parameters
    ----------
    values
        Value per origin (e.g. ``two_step_fca(...)["je_einheit"]``).
    weights
        Weight per origin (inhabitants or inhabitants 65+), same index as ``values``.
    areas
        Planning area per origin (:func:`analyses.areas.cells_to_areas`), same index.
    area_ids
        All area keys to report (areas without origins get 0 inhabitants and NaN means); default:
        the areas that occur in ``areas``.

    Returns
    -------
    pandas.DataFrame
        Indexed by area key: ``nachfrage`` (sum of weights), ``mittelwert`` (weighted mean, NaN
        where the weight sum is 0), ``anteil_ohne_angebot`` (weight share of origins with value 0).
        A last row ``"Region"`` holds the same figures for all origins.
    """
    if not (values.index.equals(weights.index) and values.index.equals(areas.index)):
        raise AnalysisError(
            "Werte, Gewichte und Planungsraum-Zuordnung müssen denselben Index haben.",
            hinweis="Verwenden Sie für alle drei dieselben Rasterzellen in derselben Reihenfolge.",
        )
    frame = pd.DataFrame(
        {
            "bereich": areas.astype("string").to_numpy(),
            "w": pd.to_numeric(weights, errors="coerce").fillna(0.0).to_numpy(dtype=float),
            "v": pd.to_numeric(values, errors="coerce").to_numpy(dtype=float),
        }
    )
    frame["wv"] = frame["w"] * frame["v"].fillna(0.0)
    frame["w_ohne"] = frame["w"] * (frame["v"].fillna(0.0) <= 0)
    grouped = frame.groupby("bereich", sort=True)[["w", "wv", "w_ohne"]].sum()
    if area_ids is not None:
        grouped = grouped.reindex(pd.Index([str(a) for a in area_ids], name="bereich"), fill_value=0.0)
    total = frame[["w", "wv", "w_ohne"]].sum().to_frame("Region").T
    grouped = pd.concat([grouped, total])
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(grouped["w"] > 0, grouped["wv"] / grouped["w"], np.nan)
        without = np.where(grouped["w"] > 0, grouped["w_ohne"] / grouped["w"], np.nan)
    result = pd.DataFrame(
        {"nachfrage": grouped["w"].to_numpy(), "mittelwert": mean, "anteil_ohne_angebot": without},
        index=pd.Index(grouped.index.astype(str), name=areas.name or "pr_id"),
    )
    return result
