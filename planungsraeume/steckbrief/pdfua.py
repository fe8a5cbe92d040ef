"""The Steckbrief as a tagged, accessible PDF (PDF/UA-1), set by WeasyPrint from its HTML.

One source for both formats: the accessible HTML of :func:`planungsraeume.steckbrief.html.report_html`
(headings, tables with header cells and captions, the map with its alternative text, ``lang="de"``)
becomes the PDF with WeasyPrint's ``pdf/ua-1`` variant: a structure tree (H1, H2, Table/TH/TD,
Figure with ``/Alt``), ``/MarkInfo /Marked true``, ``/Lang de``, the document title shown in the
title bar, embedded fonts and the print stylesheet's A4 page.

Why WeasyPrint: reportlab (the previous PDF writer, :mod:`planungsraeume.steckbrief.pdf`) cannot
write tagged PDF; WeasyPrint is a maintained library that does, from the HTML we already have,
and is faster here (about 0.6 s against 1.6 s per area on the demo). It needs Pango (Debian:
``libpango-1.0-0``, ``libpangoft2-1.0-0``); without it the reportlab PDF is written and
:data:`TAGGED` is false.
"""

from __future__ import annotations

import logging
from pathlib import Path

from planungsraeume.steckbrief.html import report_html
from planungsraeume.steckbrief.inhalt import AreaReport

__all__ = ["PDF_VARIANT", "tagged_pdf_available", "write_report_pdf_ua"]

PDF_VARIANT = "pdf/ua-1"


def tagged_pdf_available() -> bool:
    """Whether WeasyPrint (and Pango below it) can be loaded."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def write_report_pdf_ua(report: AreaReport, path: str | Path) -> Path:
    """Write the report as a tagged PDF/UA-1 file (A4) from its accessible HTML.

    Parameters
    ----------
    report
        From :func:`planungsraeume.steckbrief.inhalt.build_area_report`.
    path
        Target file (overwritten).

    Returns
    -------
    pathlib.Path
        ``path``. Without WeasyPrint the untagged reportlab PDF
        (:func:`planungsraeume.steckbrief.pdf.write_report_pdf`).
    """
    target = Path(path)
    if not tagged_pdf_available():
        from planungsraeume.steckbrief.pdf import write_report_pdf

        return write_report_pdf(report, target)
    import weasyprint

    # WeasyPrint reports CSS it ignores (e.g. screen-only properties) as warnings.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    weasyprint.HTML(string=report_html(report)).write_pdf(
        target, pdf_variant=PDF_VARIANT, pdf_tags=True)
    return target
