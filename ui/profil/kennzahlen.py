"""Indicators of one planning area against the region, formatted for reading.

From the long table of :func:`planungsraeume.indikatoren.indicators`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from layers.formatting import MISSING
from planungsraeume.indikatoren import REGION_VALUE, comparison_word, count_rates
from ui import widgets

RATE = "je 10.000 Einw."

__all__ = ["DECIMALS", "GLANCE", "MAIN_KEYS", "at_a_glance", "comparison", "format_indicator",
           "indicator_row", "indicator_table", "reach_row"]

#: The indicators shown first (the rest is one click away).
MAIN_KEYS = (
    "einwohner", "einwohnerdichte", "anteil_unter_18", "anteil_65_plus", "anteil_80_plus",
    "angebote", "angebote_je_10000", "beratung", "beratung_je_10000",
    "anteil_stufenloser_zugang", "anteil_rollstuhlgerechtes_wc", "anteil_leichte_sprache",
    "anteil_stufenloser_zugang_unbekannt",
)
DECIMALS = {"%": 1, "je 10.000 Einw.": 1, "Einw. je km²": 0, "Personen": 0, "Anzahl": 0}
GLANCE = (
    ("einwohner", "Einwohner"), ("anteil_65_plus", "Anteil 65 Jahre und älter"),
    ("anteil_unter_18", "Anteil unter 18 Jahre"),
    ("beratung_je_10000", "Beratungsangebote je 10.000 Einw."),
    ("anteil_stufenloser_zugang", "Angebote stufenlos zugänglich"),
)


def format_indicator(value: Any, unit: str) -> str:
    """An indicator value in German format with its unit."""
    if value is None or pd.isna(value):
        return MISSING
    text = widgets.format_number(float(value), DECIMALS.get(unit, 1))
    return f"{text} %" if unit == "%" else text


def comparison(value: Any, reference: Any) -> str:
    """"höher" / "niedriger" / "etwa gleich" — in words, not only in colour (the one verdict,
    :func:`planungsraeume.indikatoren.comparison_word`)."""
    return comparison_word(value, reference)


def indicator_row(long: pd.DataFrame, pr_id: str, kennzahl: str) -> pd.Series | None:
    """One indicator of one area from the long table (``None`` if absent)."""
    hit = long[(long["pr_id"].astype(str) == str(pr_id)) & (long["kennzahl"] == kennzahl)]
    return None if hit.empty else hit.iloc[0]


def reach_row(long: pd.DataFrame, pr_id: str) -> pd.Series | None:
    """The first reachability indicator of an area (the question's coverage), if computed."""
    rows = long[(long["bereich"] == "Erreichbarkeit") & (long["pr_id"].astype(str) == str(pr_id))]
    return None if rows.empty else rows.iloc[0]


def indicator_table(long: pd.DataFrame, pr_id: str, keys: tuple[str, ...] | None) -> pd.DataFrame:
    """The indicators of one area against the region (all, or ``keys`` and reachability).

    Counts are compared as the Steckbrief compares them: by their rate per 10,000 inhabitants
    against the region's (:func:`planungsraeume.indikatoren.count_rates`), not with the
    average per area.
    """
    rates = count_rates(long)
    rows = long[long["pr_id"].astype(str) == pr_id]
    if keys is not None:
        rows = rows[rows["kennzahl"].isin(keys) | (rows["bereich"] == "Erreichbarkeit")]
    area_rate = rates.loc[rows.index, "je_10000"].to_numpy(dtype=float)
    region_rate = rates.loc[rows.index, "region_je_10000"].to_numpy(dtype=float)
    rated = np.isfinite(area_rate) & np.isfinite(region_rate)
    units = rows["einheit"].tolist()
    shown = [format_indicator(v, u) for v, u in zip(rows["wert"], units, strict=True)]
    reference = [format_indicator(v, u) for v, u in zip(rows["wert_region"], units, strict=True)]
    against = rows["region_bezug"].astype(str).tolist()
    verdict = [comparison(v, r) for v, r in zip(rows["wert"], rows["wert_region"], strict=True)]
    for i in np.flatnonzero(rated):
        shown[i] = f"{shown[i]} ({format_indicator(area_rate[i], RATE)} {RATE})"
        reference[i] = f"{format_indicator(region_rate[i], RATE)} {RATE}"
        against[i] = f"{REGION_VALUE} {RATE}"
        verdict[i] = comparison(area_rate[i], region_rate[i])
    return pd.DataFrame({
        "Bereich": rows["bereich"].astype(str).to_numpy(),
        "Kennzahl": rows["bezeichnung"].astype(str).to_numpy(),
        "Planungsraum": shown,
        "Vergleichswert": reference,
        "Vergleich mit": against,
        "Planungsraum ist": verdict,
    })


def _glance_line(title: str, row: pd.Series, unit: str, reference: str) -> str:
    return (f"- **{title}:** {format_indicator(row['wert'], unit)} – {reference} "
            f"{format_indicator(row['wert_region'], unit)} "
            f"({comparison(row['wert'], row['wert_region'])})")


def at_a_glance(long: pd.DataFrame, pr_id: str) -> str:
    """Five key figures with the region value and a word for the comparison (Markdown list)."""
    lines = []
    for key, title in GLANCE:
        row = indicator_row(long, pr_id, key)
        if row is None:
            continue
        reference = ("Ø je Planungsraum" if str(row["region_bezug"]).startswith("Durchschnitt")
                     else "Region")
        lines.append(_glance_line(title, row, str(row["einheit"]), reference))
    reach = reach_row(long, pr_id)
    if reach is not None:
        label = str(reach["bezeichnung"]).removeprefix("Anteil erreicht: ")
        lines.append(_glance_line(f"Erreichen {label}", reach, "%", "Region"))
    return "\n".join(lines)
