"""Sections of the profile page: the trend of an indicator over the years, areas side by side.

Values from :mod:`planungsraeume.zeitreihe` (every year's value is the indicator table of that
year, :func:`planungsraeume.indikatoren.indicators`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from layers.errors import SozialraumError
from planungsraeume import darstellung, zeitreihe
from planungsraeume.region import Region
from ui import widgets

__all__ = ["TREND_CHOICES", "comparison_section", "trend_section"]

#: Indicators offered for a trend (those the region has in every year are shown).
TREND_CHOICES = {
    "anteil_65_plus": "Anteil 65 Jahre und älter",
    "anteil_75_plus": "Anteil 75 Jahre und älter",
    "anteil_80_plus": "Anteil 80 Jahre und älter",
    "anteil_unter_18": "Anteil unter 18 Jahre",
    "einwohner": "Einwohner",
    "einwohner_65_plus": "Einwohner 65 Jahre und älter",
    "angebote_je_10000": "Angebote je 10.000 Einwohner",
}


def trend_section(region: Region, long: pd.DataFrame, pr_id: str) -> None:
    """A line chart of one indicator of the area beside the region, and its change."""
    years = zeitreihe.trend_years(region)
    if len(years) < 2:
        st.caption("Für diese Region liegen Einwohnerzahlen nur für "
                   + (f"das Jahr {years[0]}" if years else "kein Jahr")
                   + " vor; eine Entwicklung über die Jahre lässt sich nicht zeigen.")
        return
    present = set(long["kennzahl"])
    options = [k for k in TREND_CHOICES if k in present]
    left, right = st.columns(2)
    kennzahl = left.selectbox("Kennzahl", options, key="profil_trend_kennzahl",
                              format_func=lambda k: TREND_CHOICES[k])
    base = right.selectbox("Basisjahr", years[:-1], key="profil_trend_basis",
                           format_func=str)
    try:
        table = zeitreihe.trend(region, kennzahl, jahre=tuple(years))
        delta = zeitreihe.change(table, base)
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        return
    mine = table[table["pr_id"].astype(str) == pr_id]
    name = str(mine["name"].iloc[0]) if len(mine) else pr_id
    unit = str(table["einheit"].iloc[0])
    chart = pd.DataFrame({
        name: mine.set_index("jahr")["wert"].astype(float),
        "Region": table.drop_duplicates("jahr").set_index("jahr")["wert_region"].astype(float),
    })
    chart.index = chart.index.astype(str)
    from ui.profil.vergleich import line_chart

    st.altair_chart(line_chart(chart, unit), width="stretch")
    rows = delta[delta["pr_id"].astype(str).isin([pr_id, "Region"])]
    widgets.table(darstellung.trend_change_table(rows, unit))
    st.caption(f"{TREND_CHOICES[kennzahl]} {years[0]}–{years[-1]}: amtliche bzw. modellierte "
               "Einwohner des jeweiligen Jahres, Angebote am 31.12. des Jahres (nach "
               "gueltig_von/gueltig_bis); die Region aus den Summen aller Planungsräume.")
    widgets.csv_download("Entwicklung aller Planungsräume als CSV herunterladen",
                         lambda: darstellung.trend_table(table),
                         f"entwicklung_{kennzahl}_{region.name}.csv", "profil_trend_csv")


def comparison_section(long: pd.DataFrame, pr_id: str, names: dict[str, str]) -> None:
    """The area beside one or more other areas (one row per indicator)."""
    others = [p for p in names if p != pr_id]
    chosen = st.multiselect("Vergleichen mit", others, key="profil_vergleich",
                            format_func=lambda v: f"{v} {names[v]}",
                            placeholder="Planungsräume wählen")
    if not chosen:
        st.caption("Wählen Sie einen oder mehrere Planungsräume, um die Kennzahlen "
                   "nebeneinander zu sehen.")
        return
    table = darstellung.area_comparison_table(zeitreihe.compare_areas(long, [pr_id, *chosen]))
    widgets.table(table.drop(columns=["Bereich"]))
