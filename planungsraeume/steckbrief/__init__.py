"""Planungsraum-Steckbrief: the one- or two-page report per planning area, as PDF and HTML.

Coordinators put one planning area on the projector at the Planungsraumkonferenz and hand out
its Steckbrief: a map, the key figures against the region, how well its people reach advice,
where barriers were reported (privacy rules applied) and the list of services.

The report takes its figures as inputs, so that every part of the toolkit supplies its own:

``indicators`` (key figures), a long table with the columns
    ``pr_id``, ``kennzahl`` (German label), ``wert`` (the area's value), ``regionswert`` (the
    comparison value: region average per area for counts, regional rate for shares and rates) and
    ``einheit`` (one of :data:`UNITS`, decides the German formatting). Rows keep their order.
    :func:`report_indicators` takes them from the indicator module
    (:func:`planungsraeume.indikatoren.indicators_for_store`).
``coverage`` (reachability), a long table with ``pr_id``, ``typ``, ``profil``, ``minuten``,
    ``anteil_einwohner`` and ``anteil_65_plus`` (shares 0..1 of the area's population within the
    time limit), optionally ``region_anteil_einwohner``. :func:`report_coverage` computes it on
    the network (:func:`planungsraeume.erreichbarkeit.coverage`) for a :class:`CoverageChoice`.
``barriers`` (:class:`BarrierSummary`), figures that the privacy module has already
    protected; this module never reads or aggregates barrier reports itself.
    :func:`report_barriers` takes them from :func:`planungsraeume.barrieren.area_summaries` of
    the publication :func:`analyses.privacy.publish` made.

:func:`write_reports` computes all three from the store unless they are given.

The map is drawn offline by :mod:`planungsraeume.steckbrief.karte`. The PDF is set by WeasyPrint
from the HTML as tagged PDF/UA-1 (:mod:`planungsraeume.steckbrief.pdfua`; one source for both
formats); without WeasyPrint it falls back to reportlab in DejaVu Sans (untagged). The HTML file is
self-contained (map as data URI, inline CSS), ``lang="de"``, with headings, table captions and
header cells for screen readers.

Modules: :mod:`~planungsraeume.steckbrief.inhalt` (what a report says: :class:`AreaReport`),
:mod:`~planungsraeume.steckbrief.zahlen` (the formats of its figures, adapters, choices),
:mod:`~planungsraeume.steckbrief.quellen` (where the figures come from: the region and its
questions; :func:`write_reports`), :mod:`~planungsraeume.steckbrief.html`,
:mod:`~planungsraeume.steckbrief.pdf` (the two formats) and :mod:`~planungsraeume.steckbrief.karte`
(the map). Every public name of these modules is importable from the package.
"""

from __future__ import annotations

import re

from layers.progress import ProgressCallback
from planungsraeume.steckbrief.html import REACH_CAPTION, index_html, report_html
from planungsraeume.steckbrief.inhalt import (
    ACCESS_LABELS,
    COVERAGE_COLUMNS,
    DECIMALS,
    GROUP_COLUMNS,
    INDICATOR_COLUMNS,
    LONG_HEADER,
    MAP_HEIGHT_CM,
    MAX_GROUPS,
    NEAREST_ADDRESS_M,
    PDF_GROUP_COLUMNS,
    SIMILAR_WITHIN,
    UNITS,
    AreaReport,
    BarrierSummary,
    ReportContext,
    build_area_report,
    format_value,
    service_addresses,
)
from planungsraeume.steckbrief.karte import ATTRIBUTION, MapLayers, render_area_map, type_styles
from planungsraeume.steckbrief.pdf import write_report_pdf
from planungsraeume.steckbrief.pdfua import tagged_pdf_available, write_report_pdf_ua
from planungsraeume.steckbrief.zahlen import (
    DEFAULT_COVERAGE,
    REPORT_INDICATORS,
    CoverageChoice,
    ReportInputs,
    advice_types_present,
    coverage_from_area_table,
    indicators_from_long_table,
)

__all__ = [
    "ACCESS_LABELS",
    "ATTRIBUTION",
    "COVERAGE_COLUMNS",
    "DECIMALS",
    "DEFAULT_COVERAGE",
    "GROUP_COLUMNS",
    "INDICATOR_COLUMNS",
    "LONG_HEADER",
    "MAP_HEIGHT_CM",
    "MAX_GROUPS",
    "NEAREST_ADDRESS_M",
    "PDF_GROUP_COLUMNS",
    "REACH_CAPTION",
    "REPORT_INDICATORS",
    "SIMILAR_WITHIN",
    "UNITS",
    "AreaReport",
    "BarrierSummary",
    "CoverageChoice",
    "MapLayers",
    "ReportContext",
    "ReportInputs",
    "advice_types_present",
    "area_files",
    "build_area_report",
    "coverage_from_area_table",
    "coverage_questions",
    "data_kind_line",
    "file_stem",
    "format_value",
    "index_html",
    "indicators_from_long_table",
    "load_report_context",
    "render_area_map",
    "report_barriers",
    "report_coverage",
    "report_html",
    "report_indicators",
    "report_inputs",
    "report_trend",
    "service_addresses",
    "tagged_pdf_available",
    "type_styles",
    "write_report_pdf",
    "write_report_pdf_ua",
    "reports_zip",
    "write_reports",
]

# Names :mod:`planungsraeume.steckbrief.quellen` imports from the package under their former
# private names (they lived here before the split).
_addresses = service_addresses
_index_html = index_html


def _part(progress: ProgressCallback | None, start: float, end: float) -> ProgressCallback | None:
    """Return a callback reporting its 0..1 as ``start``..``end`` of the caller's progress."""
    if progress is None:
        return None
    outer = progress

    def scaled(fraction: float, label: str) -> None:
        outer(start + (end - start) * min(1.0, max(0.0, fraction)), label)

    return scaled


def file_stem(pr_id: str, name: str) -> str:
    """File name of an area's report: ``PR07_frankenberger-viertel``.

    Only letters, digits, ``-`` and ``_`` survive, so an area number such as ``../../x`` can
    never name a file outside the output folder.
    """
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
    slug = re.sub(r"[^a-z0-9]+", "-", name.translate(table).lower()).strip("-")
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", str(pr_id).translate(table)).strip("-.") or "planungsraum"
    return f"{key}_{slug}" if slug else key


# The region-level entry points (what the app, the CLI and the batch call) read the figures from
# the region; they import the content functions above, hence at the end.
from planungsraeume.steckbrief.quellen import (  # noqa: E402
    area_files,
    coverage_questions,
    data_kind_line,
    load_report_context,
    report_barriers,
    report_coverage,
    report_indicators,
    report_inputs,
    report_trend,
    reports_zip,
    write_reports,
)
