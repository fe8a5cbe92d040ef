"""Supply per offer from its capacity (advice hours per week), with a documented default."""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.errors import AnalysisError, Problem

__all__ = ["CAPACITY_COLUMN", "DEFAULT_CAPACITY_HOURS", "capacity_supply"]

# Default capacity where none is known: one full-time position (39 h/week, TVöD-VKA), used only
# when no offer of the same type has a known capacity either.
DEFAULT_CAPACITY_HOURS = 39.0
CAPACITY_COLUMN = "kapazitaet_std_woche"


def capacity_supply(
    services: pd.DataFrame,
    *,
    column: str = CAPACITY_COLUMN,
    id_column: str = "angebot_id",
    type_column: str = "typ",
    default: float = DEFAULT_CAPACITY_HOURS,
) -> pd.DataFrame:
    """Supply per offer from its capacity, with a documented default where it is missing.

    A missing capacity (empty, or 0, which spreadsheets often use for "unknown") is replaced by
    the median of the known capacities of offers of the same type in ``services``; if no offer of
    that type has one, by ``default`` (39 h/week: one full-time position).

    Parameters
    ----------
    services
        Offers (``angebote`` schema); not changed.
    column, id_column, type_column
        Capacity, key and type columns.
    default
        Capacity used when neither the offer nor its type has a known capacity.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``id_column``: ``angebot`` (the capacity used), ``kapazitaet_angegeben``
        (the stated value or NaN) and ``kapazitaet_quelle`` (``"angegeben"``, ``"median_typ"`` or
        ``"standard"``).

    Raises
    ------
    AnalysisError
        If capacities are negative, or ids are missing or duplicated.
    """
    ids, stated = _stated_capacities(services, column, id_column)
    known = stated.where(stated > 0)
    types = (
        services[type_column].astype("string").fillna("")
        if type_column in services.columns
        else pd.Series("", index=services.index, dtype="string")
    )
    type_median = known.groupby(types.to_numpy()).median()
    by_type = pd.Series(types.map(type_median).to_numpy(dtype=float), index=services.index)
    used = known.fillna(by_type).fillna(float(default))
    source = np.where(known.notna(), "angegeben", np.where(by_type.notna(), "median_typ", "standard"))
    return pd.DataFrame(
        {
            "angebot": used.to_numpy(dtype=float),
            "kapazitaet_angegeben": stated.to_numpy(dtype=float),
            "kapazitaet_quelle": source,
        },
        index=pd.Index(ids.to_numpy(), name=id_column),
    )


def _stated_capacities(
    services: pd.DataFrame, column: str, id_column: str
) -> tuple[pd.Series, pd.Series]:
    """Return the offer ids and the stated capacities (NaN where not a number), checked.

    Raises
    ------
    AnalysisError
        Missing columns, missing or duplicate ids, negative capacities.
    """
    for name in (id_column, column):
        if name not in services.columns:
            raise AnalysisError(
                f"Den Angeboten fehlt die Spalte '{name}'.",
                hinweis="Verwenden Sie die Ebene 'angebote' des Regionsspeichers.",
            )
    ids = services[id_column]
    if ids.isna().any() or ids.duplicated().any():
        raise AnalysisError(
            "Die Angebote haben fehlende oder doppelte Schlüssel (angebot_id).",
            hinweis="Jedes Angebot braucht eine eindeutige angebot_id.",
        )
    stated = pd.to_numeric(services[column], errors="coerce").astype(float)
    negative = np.flatnonzero((stated < 0).to_numpy())
    if len(negative):
        raise AnalysisError(
            "Kapazitäten dürfen nicht negativ sein.",
            hinweis="Korrigieren Sie die Kapazität (Stunden je Woche) der genannten Angebote.",
            probleme=[
                Problem(
                    f"Angebot '{ids.iloc[pos]}' hat die Kapazität {stated.iloc[pos]}.",
                    spalte=column,
                )
                for pos in negative
            ],
        )
    return ids, stated
