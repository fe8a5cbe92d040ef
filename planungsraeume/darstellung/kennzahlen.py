"""Display tables of the indicators per planning area (wide, long, region summary)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from planungsraeume.darstellung.format import with_format

__all__ = [
    "indicator_long_table",
    "indicator_summary",
    "indicator_table",
]


_COUNT_UNITS = ("Personen", "Anzahl")


def _decimals_for_unit(unit: object) -> int:
    return 0 if str(unit) in _COUNT_UNITS else 1


def indicator_table(long: pd.DataFrame, *, region_row: bool = True) -> pd.DataFrame:
    """Indicators per planning area as a wide table with German headers ("Kennzahl (Einheit)").

    ``long`` is :func:`planungsraeume.indikatoren.indicators`; the last row "Region
    (Vergleichswert)" holds the comparison values.
    """
    from planungsraeume.indikatoren import indicators_wide

    wide = indicators_wide(long, region_row=region_row)
    meta = long.drop_duplicates("kennzahl")
    decimals = {}
    for label, unit in zip(meta["bezeichnung"].astype(str), meta["einheit"].fillna(""), strict=True):
        decimals[f"{label} ({unit})" if unit else label] = _decimals_for_unit(unit)
    return with_format(wide, decimals)


def indicator_long_table(long: pd.DataFrame) -> pd.DataFrame:
    """The long indicator table (one row per area and indicator) with German column names."""
    from planungsraeume.indikatoren import german_columns

    return with_format(german_columns(long), {"Wert": 2, "Zähler": 2, "Nenner": 2,
                                                "Vergleichswert Region": 2, "Abweichung": 2,
                                                "Verhältnis zur Region": 2})


def indicator_summary(long: pd.DataFrame, bereiche: Sequence[str] | None = None) -> pd.DataFrame:
    """The region value of every indicator: Kennzahl, Region, Einheit, Vergleich mit.

    Parameters
    ----------
    long
        :func:`planungsraeume.indikatoren.indicators`.
    bereiche
        Only these areas of indicators ("Bevölkerung", "Barrierefreiheit" …); default all.
    """
    from planungsraeume.indikatoren import region_summary

    summary = region_summary(long)
    if bereiche is not None:
        summary = summary[summary["Bereich"].isin(list(bereiche))]
    table = pd.DataFrame({
        "Kennzahl": summary["Kennzahl"].astype(str).to_numpy(),
        "Region": summary["Vergleichswert Region"].astype(float).to_numpy(),
        "Einheit": summary["Einheit"].fillna("").astype(str).to_numpy(),
        "Vergleich mit": summary["Vergleich mit"].astype(str).to_numpy(),
    })
    return with_format(table, {"Region": 1})
