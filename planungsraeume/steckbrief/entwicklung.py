"""The Steckbrief's trend views: small multiples, every indicator's change, a second region.

* :func:`report_trends` / :func:`report_region_comparison` read the figures from the region
  (:func:`planungsraeume.zeitreihe.trends` and :func:`~planungsraeume.zeitreihe.compare_regions`,
  the functions the page shows them from);
* :func:`extend_report` adds to one area's :class:`~planungsraeume.steckbrief.inhalt.AreaReport`
  the small multiples (a PNG set with matplotlib: one small line chart per indicator, the
  area's line beside the region's), the table of every indicator's change since the base
  year (absolute, %, per year; :func:`planungsraeume.darstellung.entwicklung.indicator_changes_table`)
  and, where a second region was chosen, the area beside its region and the other region.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import replace

import pandas as pd

from layers.errors import AnalysisError
from layers.formatting import de_number
from planungsraeume.darstellung.entwicklung import (
    REGION_CHART_KEYS,
    REGION_SERIES,
    chart_label,
    indicator_changes_table,
    small_multiples_long,
)
from planungsraeume.darstellung.format import format_value
from planungsraeume.region import Region
from planungsraeume.steckbrief.inhalt import AreaReport
from planungsraeume.steckbrief.zahlen import RegionComparison, ReportInputs

__all__ = ["extend_report", "region_rows", "report_region_comparison", "report_trends",
           "small_multiples_png"]

_COUNT_UNITS = ("Personen", "Anzahl")


def report_trends(region: Region) -> pd.DataFrame | None:
    """The small multiples' trends (:func:`planungsraeume.zeitreihe.trends`), or ``None`` where
    the region has figures for one year only."""
    from planungsraeume.zeitreihe import trend_years, trends

    if len(trend_years(region)) < 2:
        return None
    table = trends(region)
    return table if len(table) else None


def report_region_comparison(region: Region, other: Region | None) -> RegionComparison | None:
    """The region beside a second region (``None`` without one), with the areas' own values.

    Raises
    ------
    AnalysisError
        If the second region is the region itself or is not built.
    """
    if other is None:
        return None
    from planungsraeume.indikatoren import indicators
    from planungsraeume.zeitreihe import compare_regions

    if other.name == region.name:
        raise AnalysisError("Die Vergleichsregion ist die Region selbst.",
                            hinweis="Wählen Sie eine andere Region zum Vergleich.")
    if not other.exists():
        raise AnalysisError(f"Die Vergleichsregion „{other.titel}“ ist noch nicht aufgebaut.",
                            hinweis=f"Bauen Sie sie mit: sozialraum build --region {other.name}")
    table = compare_regions([region, other])
    table = table[table["kennzahl"].isin(REGION_CHART_KEYS)].reset_index(drop=True)
    long = indicators(region)
    areas = long[long["kennzahl"].isin(REGION_CHART_KEYS)][["pr_id", "kennzahl", "wert"]]
    return RegionComparison(tabelle=table, werte=areas.reset_index(drop=True),
                            region=region.name, andere=other.name,
                            titel={r.name: r.titel.split(" (")[0] for r in (region, other)})


def region_rows(comparison: RegionComparison, pr_id: str) -> list[tuple[str, str, str, str]]:
    """Rows (Kennzahl, Planungsraum, own region, other region) of one area's report."""
    own = comparison.werte[comparison.werte["pr_id"].astype(str) == str(pr_id)]
    values = own.set_index("kennzahl")["wert"]
    rows = []
    for row in comparison.tabelle.to_dict("records"):
        decimals = 0 if str(row["einheit"]) in _COUNT_UNITS else 1
        unit = str(row["einheit"])
        label = chart_label(row["bezeichnung"], unit)
        rows.append((label,
                     format_value(_number(values.get(row["kennzahl"])), decimals),
                     format_value(_number(row[comparison.region]), decimals),
                     format_value(_number(row[comparison.andere]), decimals)))
    return rows


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def small_multiples_png(data: pd.DataFrame, *, columns: int = 3) -> bytes:
    """One small line chart per indicator (:func:`small_multiples_long`), as PNG.

    The area's line is solid and blue, the region's dashed and grey; every chart has its own
    value axis (German numbers) and the years below.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    labels = list(dict.fromkeys(data["Kennzahl"]))
    rows = math.ceil(len(labels) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(7.2, 1.75 * rows), squeeze=False,
                                dpi=150)
    german = FuncFormatter(lambda v, _: de_number(v, 0 if abs(v) >= 100 else 1))
    for ax, label in zip(axes.flat, labels, strict=False):
        part = data[data["Kennzahl"] == label]
        for series, group in part.groupby("Reihe", sort=False):
            region = series == REGION_SERIES
            ax.plot(group["Jahr"], group["Wert"], color="#7f7f7f" if region else "#08519c",
                    linestyle="--" if region else "-", marker="" if region else "o",
                    markersize=2.5, linewidth=1.4, label=str(series))
        ax.set_title(textwrap.fill(label, 42), fontsize=7, loc="left")
        ax.tick_params(labelsize=6)
        ax.yaxis.set_major_formatter(german)
        years = sorted(set(part["Jahr"].astype(int)))
        ax.set_xticks([years[0], years[-1]] if len(years) > 4 else years)
        ax.grid(axis="y", color="#dddddd", linewidth=0.5)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(labels):]:
        ax.set_visible(False)
    handles, names = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, names, loc="lower center", ncol=2, fontsize=7, frameon=False)
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def extend_report(report: AreaReport, inputs: ReportInputs) -> AreaReport:
    """The report with the small multiples, every indicator's change and the second region."""
    changes: dict[str, object] = {}
    trends = inputs.trends
    if trends is not None and len(trends):
        from planungsraeume.zeitreihe import changes as all_changes

        data = small_multiples_long(trends, report.pr_id)
        if len(data):
            delta = all_changes(trends, inputs.basisjahr)
            table = indicator_changes_table(delta, report.pr_id)
            years = sorted(set(data["Jahr"]))
            changes.update(
                entwicklung_bild=small_multiples_png(data),
                entwicklung_bild_alt=(
                    f"Kleine Liniendiagramme je Kennzahl, {years[0]}–{years[-1]}: der "
                    f"Planungsraum {report.name} (durchgezogen) neben der Region (gestrichelt) "
                    f"für {', '.join(dict.fromkeys(data['Kennzahl']))}; die Werte stehen in der "
                    "Tabelle „Veränderung je Kennzahl“."),
                veraenderung_kopf=tuple(table.columns),
                veraenderung=[tuple(str(v) for v in row) for row in table.to_numpy()],
            )
    comparison = inputs.vergleich
    if comparison is not None:
        own, other = comparison.titel[comparison.region], comparison.titel[comparison.andere]
        changes.update(
            regionsvergleich_kopf=("Kennzahl", "Planungsraum", own, other),
            regionsvergleich=region_rows(comparison, report.pr_id),
            regionsvergleich_text=(
                f"{own} und {other}: bei Anteilen und Raten der Wert der ganzen Region, bei "
                "Anzahlen die Summe ihrer Planungsräume; jede Region mit ihrem eigenen Jahr der "
                "Einwohnerzahlen."),
        )
    return replace(report, **changes) if changes else report  # type: ignore[arg-type]
