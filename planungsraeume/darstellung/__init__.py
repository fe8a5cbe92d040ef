"""German result tables shared by the command line, the app's pages and the Steckbrief.

Every function of this package turns the answer of one analysis of :mod:`planungsraeume` into the table a
planner reads: German headers, one row per planning area in layer order, the rows "ohne
Planungsraum" and "Region gesamt" last. The command line prints these tables
(:func:`text_table` gives the German number format), the pages show them, and every CSV a user
downloads or writes is written by :func:`csv_bytes` / :func:`write_csv` (semicolon, decimal
comma, UTF-8 with BOM: opens correctly in a German Excel), every workbook by :func:`xlsx_bytes`
(:mod:`~planungsraeume.darstellung.tabellenblatt`).

Numbers stay numbers (so that a page can sort and a CSV keeps its decimal comma); how many
decimals a column shows, and which columns show a sign (differences), is kept in the table's
``attrs`` under :data:`DECIMALS` and :data:`SIGNED` and used by :func:`text_table`. Barrier
tables hold text, because a suppressed value reads "keine Angabe" (never 0).

Columns of a per-area table: ``Nr.`` (the area number; empty for the region row, "–" for the
inhabitants outside every area) and ``Planungsraum`` (the name).

Modules: :mod:`~planungsraeume.darstellung.format` (German numbers, the CSV writer),
:mod:`~planungsraeume.darstellung.erreichbarkeit`, :mod:`~planungsraeume.darstellung.kennzahlen`,
:mod:`~planungsraeume.darstellung.versorgung`, :mod:`~planungsraeume.darstellung.barrieren`;
everything is importable from the package itself.
"""

from __future__ import annotations

from planungsraeume.darstellung.barrieren import (
    barrier_area_table,
    barrier_code_table,
    barrier_grid_table,
    barrier_hotspot_table,
    barrier_street_table,
    barrier_year_table,
    count_text,
    rate_text,
)
from planungsraeume.darstellung.erreichbarkeit import (
    band_table,
    class_table,
    coverage_table,
    share_table,
    thresholds_table,
)
from planungsraeume.darstellung.format import (
    DECIMALS,
    SIGNED,
    area_number,
    area_numbers,
    csv_bytes,
    format_value,
    points_table,
    problem_table,
    text_table,
    with_format,
    write_csv,
)
from planungsraeume.darstellung.kennzahlen import (
    area_comparison_table,
    indicator_long_table,
    indicator_summary,
    indicator_table,
    region_comparison_table,
    trend_change_table,
    trend_table,
)
from planungsraeume.darstellung.tabellenblatt import (
    DATA_KIND_COLUMN,
    rounded,
    xlsx_bytes,
)
from planungsraeume.darstellung.versorgung import (
    accessibility_area_table,
    accessibility_offer_table,
    scenario_accessibility_table,
    scenario_export_table,
    scenario_table,
    site_area_table,
    site_method_text,
    site_table,
)

__all__ = [
    "DATA_KIND_COLUMN",
    "DECIMALS",
    "SIGNED",
    "accessibility_area_table",
    "accessibility_offer_table",
    "area_comparison_table",
    "area_number",
    "area_numbers",
    "band_table",
    "barrier_area_table",
    "barrier_code_table",
    "barrier_grid_table",
    "barrier_hotspot_table",
    "barrier_street_table",
    "barrier_year_table",
    "class_table",
    "count_text",
    "coverage_table",
    "csv_bytes",
    "format_value",
    "indicator_long_table",
    "indicator_summary",
    "indicator_table",
    "points_table",
    "problem_table",
    "rate_text",
    "region_comparison_table",
    "rounded",
    "scenario_accessibility_table",
    "scenario_export_table",
    "scenario_table",
    "share_table",
    "site_area_table",
    "site_method_text",
    "site_table",
    "text_table",
    "thresholds_table",
    "trend_change_table",
    "trend_table",
    "with_format",
    "write_csv",
    "xlsx_bytes",
]
