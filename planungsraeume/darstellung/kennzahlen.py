"""Display tables of the indicators per planning area (wide, long, region summary)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from planungsraeume.darstellung.format import with_format

__all__ = [
    "area_comparison_table",
    "region_comparison_table",
    "indicator_long_table",
    "indicator_summary",
    "indicator_table",
    "trend_change_table",
    "trend_table",
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
    from planungsraeume.indikatoren.ansichten import wide_labels

    wide = indicators_wide(long, region_row=region_row)
    units = long.drop_duplicates("kennzahl").set_index("kennzahl")["einheit"].fillna("")
    decimals = {name: _decimals_for_unit(str(units[key]))
                for key, name in wide_labels(long).items()}
    return with_format(wide, decimals)


def indicator_long_table(long: pd.DataFrame) -> pd.DataFrame:
    """The long indicator table (one row per area and indicator) with German column names."""
    from planungsraeume.indikatoren import german_columns

    table = german_columns(long)
    if "Jahr" in table.columns:  # a year, not a number with a thousands separator
        table["Jahr"] = table["Jahr"].astype("string").fillna("")
    return with_format(table, {"Wert": 2, "Zähler": 2, "Nenner": 2,
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


def trend_table(trend: pd.DataFrame, *, region_row: bool = True) -> pd.DataFrame:
    """A trend (:func:`planungsraeume.zeitreihe.trend`) wide: one row per area, one column per
    year, the region's value of every year as the last row "Region"."""
    unit = str(trend["einheit"].iloc[0]) if len(trend) else ""
    wide = trend.pivot(index="pr_id", columns="jahr", values="wert")
    order = list(dict.fromkeys(trend["pr_id"]))
    names = trend.drop_duplicates("pr_id").set_index("pr_id")["name"].astype(str)
    table = pd.DataFrame({"Nr.": order, "Planungsraum": names.reindex(order).to_numpy()})
    years = [int(y) for y in wide.columns]
    for year in years:
        table[str(year)] = wide[year].reindex(order).to_numpy(dtype=float)
    if region_row:
        region = trend.drop_duplicates("jahr").set_index("jahr")["wert_region"]
        table = pd.concat([table, pd.DataFrame([{
            "Nr.": "", "Planungsraum": "Region",
            **{str(y): float(region[y]) for y in years}}])], ignore_index=True)
    return with_format(table, {str(y): _decimals_for_unit(unit) for y in years})


def trend_change_table(change: pd.DataFrame, unit: str = "") -> pd.DataFrame:
    """The change since a base year (:func:`planungsraeume.zeitreihe.change`), German headers.

    For shares (``unit == "%"``) the absolute change is in percentage points.
    """
    base, last = int(change["basisjahr"].iloc[0]), int(change["jahr"].iloc[0])
    points = "Prozentpunkte" if unit == "%" else (unit or "absolut")
    table = pd.DataFrame({
        "Nr.": [("" if p == "Region" else p) for p in change["pr_id"].astype(str)],
        "Planungsraum": change["name"].astype(str).to_numpy(),
        str(base): change["wert_basis"].to_numpy(dtype=float),
        str(last): change["wert"].to_numpy(dtype=float),
        f"Veränderung ({points})": change["aenderung"].to_numpy(dtype=float),
        "Veränderung (%)": change["aenderung_prozent"].to_numpy(dtype=float),
        f"je Jahr ({points})": change["aenderung_je_jahr"].to_numpy(dtype=float),
    })
    decimals = _decimals_for_unit(unit)
    return with_format(table, {str(base): decimals, str(last): decimals,
                               f"Veränderung ({points})": max(decimals, 1),
                               "Veränderung (%)": 1, f"je Jahr ({points})": 2},
                       signed=[f"Veränderung ({points})", "Veränderung (%)",
                               f"je Jahr ({points})"])


def area_comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """Areas side by side (:func:`planungsraeume.zeitreihe.compare_areas`), German headers.

    The rows mix units (persons, %, per 10,000), so the value cells are German text with the
    decimals of their row's unit (0 for counts, 1 otherwise); the last column is the region's
    comparison value (for counts the average per area).
    """
    from planungsraeume.darstellung.format import format_value

    fixed = {"bereich": "Bereich", "bezeichnung": "Kennzahl", "einheit": "Einheit",
             "jahr": "Jahr"}
    table = comparison.drop(columns="kennzahl").rename(
        columns={**fixed, "Region": "Region (Vergleichswert)"})
    table["Jahr"] = table["Jahr"].astype("string").fillna("")
    decimals = [_decimals_for_unit(u) for u in table["Einheit"]]
    for column in [c for c in table.columns if c not in fixed.values()]:
        table[column] = [format_value(None if pd.isna(v) else float(v), d)
                         for v, d in zip(table[column], decimals, strict=True)]
    return with_format(table)


def region_comparison_table(comparison: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    """Regions side by side (:func:`planungsraeume.zeitreihe.compare_regions`), German headers:
    one text column per region (decimals by the row's unit) and its year (``Jahr <Titel>``)."""
    from planungsraeume.darstellung.format import format_value

    decimals = [_decimals_for_unit(u) for u in comparison["einheit"]]
    table = pd.DataFrame({"Bereich": comparison["bereich"],
                          "Kennzahl": comparison["bezeichnung"],
                          "Einheit": comparison["einheit"]})
    for name, title in titles.items():
        table[title] = [format_value(None if pd.isna(v) else float(v), d)
                        for v, d in zip(comparison[name], decimals, strict=True)]
        table[f"Jahr {title}"] = comparison[f"jahr {name}"].astype("string").fillna("")
    return with_format(table)
