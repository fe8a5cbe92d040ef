"""Views of the long indicator table: wide per area, one row per indicator, German headers."""

from __future__ import annotations

import pandas as pd

from planungsraeume.indikatoren.tabelle import GERMAN_COLUMNS, region_figures

__all__ = ["german_columns", "indicators_wide", "region_summary", "wide_labels"]


def indicators_wide(long: pd.DataFrame, *, labels: bool = True,
                    region_row: bool = True) -> pd.DataFrame:
    """One row per planning area, one column per indicator (for tables and downloads).

    Parameters
    ----------
    long
        Output of :func:`compute_indicators`.
    labels
        Column names as German labels with unit ("Anteil 65 Jahre und älter (%)") instead of
        keys.
    region_row
        Append a last row "Region" with the comparison values.
    """
    order = list(dict.fromkeys(long["kennzahl"]))
    areas = long.drop_duplicates("pr_id")[["pr_id", "name"]]
    values = long.pivot(index="pr_id", columns="kennzahl", values="wert")
    wide = areas.merge(values.reindex(columns=order), left_on="pr_id", right_index=True,
                       how="left").reset_index(drop=True)
    if region_row:
        region = long.drop_duplicates("kennzahl").set_index("kennzahl")["wert_region"]
        extra = {"pr_id": "", "name": "Region (Vergleichswert)", **region.to_dict()}
        wide = pd.concat([wide, pd.DataFrame([extra])], ignore_index=True)
    wide.columns.name = None
    if labels:
        wide = wide.rename(columns={**wide_labels(long), "pr_id": "Nr.", "name": "Planungsraum"})
    return wide


def wide_labels(long: pd.DataFrame) -> dict[str, str]:
    """Column header per indicator key: "label (unit)", and " (modelliert)" after it where the
    figure rests on a modelled population (``datengrundlage``), so the mark stands beside the
    figures in every wide table and download."""
    meta = long.drop_duplicates("kennzahl").set_index("kennzahl")
    label = meta["bezeichnung"].astype(str).to_dict()
    unit = meta["einheit"].fillna("").astype(str).to_dict()
    basis = (long.groupby("kennzahl")["datengrundlage"].agg(
        lambda v: "modelliert" if (v.astype(str) == "modelliert").any() else "").to_dict()
        if "datengrundlage" in long.columns else {})
    names = {}
    for key in meta.index:
        text = f"{label[key]} ({unit[key]})" if unit[key] else label[key]
        names[key] = f"{text} (modelliert)" if basis.get(key) == "modelliert" else text
    return names


def region_summary(long: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator: region value, lowest and highest area (German column names)."""
    rows = []
    totals = region_figures(long)["summe"]
    for kennzahl, group in long.groupby("kennzahl", sort=False):
        values = group["wert"].astype(float)
        valid = group[values.notna()]
        ordered = valid.sort_values("wert", kind="stable")
        low = ordered.iloc[0] if len(ordered) else None
        high = ordered.iloc[-1] if len(ordered) else None
        first = group.iloc[0]
        rows.append({
            "Bereich": first["bereich"],
            "Kennzahl": first["bezeichnung"],
            "Einheit": first["einheit"],
            "Vergleichswert Region": first["wert_region"],
            "Vergleich mit": first["region_bezug"],
            "Summe aller Planungsräume": float(totals[kennzahl]),
            "Niedrigster Wert": None if low is None else low["wert"],
            "Niedrigster Wert in": None if low is None else low["name"],
            "Höchster Wert": None if high is None else high["wert"],
            "Höchster Wert in": None if high is None else high["name"],
            "Schlüssel": kennzahl,
        })
    return pd.DataFrame(rows)


def german_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The long table with German column names (for display and CSV download)."""
    return frame.rename(columns=GERMAN_COLUMNS)
