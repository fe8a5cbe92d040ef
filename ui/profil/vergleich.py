"""Sections of the profile page: small multiples of an area's trends and the region comparison.

* :func:`small_multiples_section` – one small line chart per indicator (the area's line beside
  the region's), and the change since the base year of every indicator (absolute, %, per
  year): :func:`planungsraeume.zeitreihe.trends` and :func:`~planungsraeume.zeitreihe.changes`;
* :func:`region_comparison_section` – the same indicators for the current region and a second
  configured region (e.g. Köln and Aachen) as a table and as small bar charts:
  :func:`planungsraeume.zeitreihe.compare_regions`. The chosen second region also goes into the
  Steckbrief download (:data:`OTHER_REGION_KEY`).

Charts are Vega-Lite (Altair, shipped with Streamlit); their tooltips carry numbers only (names
reach the chart as legend and facet titles, which Vega draws as SVG text, not HTML).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from layers.errors import SozialraumError
from layers.regions import available_regions
from layers.sicher import escape_markdown
from planungsraeume import zeitreihe
from planungsraeume.darstellung import entwicklung, region_comparison_table
from planungsraeume.region import Region
from ui import state, widgets

__all__ = ["AREAS_KEY", "BASE_KEY", "area_multiples_section", "OTHER_REGION_KEY", "REGION_CHARTS", "other_region", "region_comparison_section",
           "small_multiples_section"]

#: The base year chosen in the trend section (:mod:`ui.profil.zeitreihe`).
BASE_KEY = "profil_trend_basis"
#: The areas chosen in the area comparison (:mod:`ui.profil.zeitreihe`).
AREAS_KEY = "profil_vergleich"
#: The second region of the comparison ("" = none); also read by the Steckbrief download.
OTHER_REGION_KEY = "profil_vergleichsregion"
#: The indicators of the region comparison's small bar charts (the table shows all).
REGION_CHARTS = entwicklung.REGION_CHART_KEYS
_NONE = ""
#: Line colours of the areas (the region's line is grey).
AREA_COLOURS = ("#08519c", "#e6550d", "#31a354", "#756bb1", "#636363", "#8c6d31")
#: German number format in the charts (Vega's d3 locale: decimal comma, thousands dot).
GERMAN = {"number": {"decimal": ",", "thousands": ".", "grouping": [3],
                     "currency": ["", "\u00a0€"]}}


def _facets(chart: Any, order: list[str], description: str, *, axis: str = "y",
            columns: int = 3) -> Any:
    import altair as alt

    return chart.properties(width=210, height=120).facet(
        facet=alt.Facet("Kennzahl:N", title=None, sort=order,
                        header=alt.Header(labelFontSize=12, labelLimit=260)),
        columns=columns,
    ).resolve_scale(**{axis: "independent"}).properties(description=description).configure(
        locale=GERMAN)


def trend_chart(data: pd.DataFrame, description: str = "Kleine Liniendiagramme je Kennzahl: "
                "der Planungsraum neben der Region; die Werte stehen in der Tabelle darunter.") -> Any:
    """Small multiples of :func:`planungsraeume.darstellung.entwicklung.small_multiples_long`
    (or :func:`~planungsraeume.darstellung.entwicklung.areas_multiples_long`): one line per
    area (solid) and the region's (dashed, grey)."""
    import altair as alt

    order = list(dict.fromkeys(data["Kennzahl"]))
    series = [*[r for r in dict.fromkeys(data["Reihe"]) if r != entwicklung.REGION_SERIES],
              entwicklung.REGION_SERIES]
    colours = [*AREA_COLOURS[:len(series) - 1], "#7f7f7f"]
    base = alt.Chart(data).mark_line(point=True, aria=False).encode(
        x=alt.X("Jahr:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("Wert:Q", title=None, scale=alt.Scale(zero=False)),
        color=alt.Color("Reihe:N", title=None, legend=alt.Legend(orient="top"), sort=series,
                        scale=alt.Scale(domain=series, range=colours)),
        strokeDash=alt.condition(alt.datum.Reihe == entwicklung.REGION_SERIES,
                                 alt.value([4, 3]), alt.value([1, 0])),
        tooltip=[alt.Tooltip("Jahr:O"), alt.Tooltip("Wert:Q", format=",.1f")],
    )
    return _facets(base, order, description)


def line_chart(frame: pd.DataFrame, unit: str) -> Any:
    """One indicator over the years, one line per column of ``frame`` (index: the years).

    Marks are hidden from screen readers (``aria=False``: each mark would be announced without
    a name); the chart has a description, and the values stand in the table below it.
    """
    import altair as alt

    data = frame.rename_axis("Jahr").reset_index().melt(
        id_vars="Jahr", var_name="Reihe", value_name="Wert")
    return alt.Chart(data).mark_line(point=True, aria=False).encode(
        x=alt.X("Jahr:O", title="Jahr", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("Wert:Q", title=unit, scale=alt.Scale(zero=False)),
        color=alt.Color("Reihe:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(range=["#08519c", "#7f7f7f"])),
        strokeDash=alt.StrokeDash("Reihe:N", legend=None),
        tooltip=[alt.Tooltip("Jahr:O"), alt.Tooltip("Wert:Q", format=",.1f")],
    ).properties(height=260, description="Liniendiagramm: der Planungsraum neben der Region "
                                         "über die Jahre; die Werte stehen in der Tabelle "
                                         "darunter.").configure(locale=GERMAN)


def region_chart(data: pd.DataFrame) -> Any:
    """Small bar charts of :func:`planungsraeume.darstellung.entwicklung.region_comparison_long`."""
    import altair as alt

    order = list(dict.fromkeys(data["Kennzahl"]))
    base = alt.Chart(data).mark_bar(aria=False).encode(
        y=alt.Y("Region:N", title=None),
        x=alt.X("Wert:Q", title=None),
        color=alt.Color("Region:N", title=None, legend=None,
                        scale=alt.Scale(range=["#08519c", "#e6550d", "#31a354", "#756bb1"])),
        tooltip=[alt.Tooltip("Wert:Q", format=",.1f")],
    )
    return _facets(base.properties(height=60), order,
                   "Kleine Balkendiagramme je Kennzahl: die Regionen nebeneinander; die Werte "
                   "stehen in der Tabelle darüber.", axis="x")


def small_multiples_section(region: Region, pr_id: str) -> None:
    """One small line chart per indicator (area beside region), and every indicator's change."""
    years = zeitreihe.trend_years(region)
    if len(years) < 2:
        return
    try:
        table = zeitreihe.trends(region, jahre=tuple(years))
        base = st.session_state.get(BASE_KEY)
        delta = zeitreihe.changes(table, int(base) if base in years[:-1] else None)
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        return
    data = entwicklung.small_multiples_long(table, pr_id)
    if not len(data):
        return
    st.markdown("**Alle Kennzahlen im Verlauf** (je Kennzahl ein kleines Diagramm: "
                "der Planungsraum neben der Region)")
    st.altair_chart(trend_chart(data), width="content")
    changes = entwicklung.indicator_changes_table(delta, pr_id)
    first, last = int(delta["basisjahr"].iloc[0]), int(delta["jahr"].iloc[0])
    st.markdown(f"**Veränderung {first}–{last} je Kennzahl**")
    widgets.table(changes)
    st.caption("Region: bei Anteilen und Raten der Wert der ganzen Region, bei Anzahlen der "
               "Durchschnitt je Planungsraum. Veränderung bei Anteilen in Prozentpunkten; "
               "„Veränderung (%)“ bezogen auf den Wert des Basisjahrs; je Jahr = Veränderung "
               "geteilt durch die Jahre dazwischen.")


def area_multiples_section(region: Region, pr_id: str) -> None:
    """Small multiples of the area and the areas chosen for the comparison (one line each)."""
    chosen = [str(p) for p in st.session_state.get(AREAS_KEY) or []]
    if not chosen or len(zeitreihe.trend_years(region)) < 2:
        return
    try:
        table = zeitreihe.trends(region)
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        return
    data = entwicklung.areas_multiples_long(table, [pr_id, *chosen])
    if len(data):
        st.altair_chart(trend_chart(data, "Kleine Liniendiagramme je Kennzahl: die gewählten "
                                    "Planungsräume und die Region über die Jahre."),
                        width="content")


def other_region() -> str:
    """The second region chosen for the comparison ("" if none)."""
    return str(st.session_state.get(OTHER_REGION_KEY) or _NONE)


def _other_regions(current: str) -> list[str]:
    return [name for name in available_regions() if name != current]


def region_comparison_section(region: Region) -> None:
    """The current region beside a second configured region: table and small bar charts."""
    options = [_NONE, *_other_regions(region.name)]
    if st.session_state.get(OTHER_REGION_KEY) not in options:
        st.session_state[OTHER_REGION_KEY] = _NONE
    st.selectbox("Zweite Region", options, key=OTHER_REGION_KEY,
                 format_func=lambda v: state.region_title(v) if v else "(keine)",
                 help="Dieselben Kennzahlen für beide Regionen; die gewählte Region steht "
                      "auch im Steckbrief neben dem Planungsraum.")
    name = other_region()
    if not name:
        st.caption("Wählen Sie eine zweite Region, um dieselben Kennzahlen nebeneinander zu "
                   "sehen (z. B. Aachen und Köln).")
        return
    other = Region.open(name)
    if not other.exists():
        st.info(f"Die Region „{escape_markdown(other.titel)}“ ist noch nicht aufgebaut: "
                "Wählen Sie sie einmal in der Seitenleiste oder bauen Sie sie mit "
                f"`sozialraum build --region {escape_markdown(name)}`.")
        return
    try:
        comparison = zeitreihe.compare_regions([region, other])
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        return
    titles = {r.name: r.titel.split(" (")[0] for r in (region, other)}
    widgets.table(region_comparison_table(comparison, titles).drop(columns=["Bereich"]))
    charted = comparison[comparison["kennzahl"].isin(REGION_CHARTS)]
    st.altair_chart(region_chart(entwicklung.region_comparison_long(charted, titles)),
                    width="content")
    st.caption("Anteile und Raten: Wert der ganzen Region (aus den Summen); Anzahlen: Summe "
               "der Planungsräume. Jede Region mit ihrem eigenen Jahr der Einwohnerzahlen; "
               "Angebote, die heute gültig sind.")
