"""The Steckbrief as an A4 PDF, set with reportlab in DejaVu Sans (embedded).

DejaVu Sans ships with matplotlib and has all German characters; the document carries title,
author, subject and language (``de-DE``) for screen readers and archives.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from layers.sicher import escape_html
from planungsraeume.steckbrief.inhalt import (
    GROUP_COLUMNS,
    PDF_GROUP_COLUMNS,
    REGION_NOTE,
    AreaReport,
    key_figure_table,
)
from planungsraeume.steckbrief.karte import ATTRIBUTION

__all__ = ["write_report_pdf"]

_FONT = "DejaVuSans"
_FONT_BOLD = "DejaVuSans-Bold"


def _register_fonts() -> None:
    from matplotlib import get_data_path
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(_FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(_FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    addMapping(_FONT, 0, 0, _FONT)
    addMapping(_FONT, 1, 0, _FONT_BOLD)
    addMapping(_FONT, 0, 1, _FONT)
    addMapping(_FONT, 1, 1, _FONT_BOLD)


def _esc(text: str) -> str:
    """Text for reportlab's paragraph markup (it reads the HTML entities back)."""
    return escape_html(text)


@dataclass(frozen=True)
class _Styles:
    """The paragraph styles of the report (reportlab ``ParagraphStyle`` objects)."""

    base: Any
    small: Any
    h1: Any
    h2: Any
    cell: Any
    cell_bold: Any
    cell_num: Any

    @classmethod
    def make(cls) -> _Styles:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        base = ParagraphStyle("text", fontName=_FONT, fontSize=9.5, leading=12)
        cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5)
        return cls(
            base=base,
            small=ParagraphStyle("small", parent=base, fontSize=8, leading=10,
                                 textColor=colors.HexColor("#3d3d3d")),
            h1=ParagraphStyle("h1", parent=base, fontName=_FONT_BOLD, fontSize=19, leading=23,
                              spaceAfter=2),
            h2=ParagraphStyle("h2", parent=base, fontName=_FONT_BOLD, fontSize=12.5, leading=15,
                              spaceBefore=8, spaceAfter=4, keepWithNext=1),
            cell=cell,
            cell_bold=ParagraphStyle("cellb", parent=cell, fontName=_FONT_BOLD),
            cell_num=ParagraphStyle("celln", parent=cell, alignment=2),
        )

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]],
              widths_mm: Sequence[float], numeric: Sequence[int] = (),
              top_row: Sequence[tuple[str, int]] = ()) -> Any:
        """Return a grid table with a repeated header (and an optional spanning top header row)."""
        from reportlab.lib import colors
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Table, TableStyle

        data: list[list[object]] = []
        spans: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
        if top_row:
            first: list[object] = []
            col = 0
            for label, span in top_row:
                first.append(Paragraph(_esc(label), self.cell_bold))
                first.extend([""] * (span - 1))
                if span > 1:
                    spans.append(("SPAN", (col, 0), (col + span - 1, 0)))
                col += span
            data.append(first)
        data.append([Paragraph(_esc(h), self.cell_bold) for h in header])
        head_rows = len(data)
        for row in rows:
            data.append([
                Paragraph(_esc(v), self.cell_num if i in numeric
                          else (self.cell_bold if i == 0 else self.cell))
                for i, v in enumerate(row)
            ])
        result = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=head_rows,
                       hAlign="LEFT")
        result.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a8a8a")),
            ("BACKGROUND", (0, 0), (-1, head_rows - 1), colors.HexColor("#e6e6e6")),
            ("ROWBACKGROUNDS", (0, head_rows), (-1, -1), [colors.white, colors.HexColor("#f5f5f5")]),
            *spans,
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        return result


def write_report_pdf(report: AreaReport, path: str | Path) -> Path:
    """Set the report as an A4 PDF with embedded DejaVu Sans.

    Parameters
    ----------
    report
        From :func:`planungsraeume.steckbrief.inhalt.build_area_report`.
    path
        Target file (overwritten).

    Returns
    -------
    pathlib.Path
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    _register_fonts()
    path = Path(path)
    styles = _Styles.make()
    story = [
        *_head(report, styles),
        *_trend(report, styles),
        *_reachability(report, styles),
        *_barriers(report, styles),
        *_services(report, styles),
    ]
    document = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=13 * mm,
        bottomMargin=15 * mm, title=report.title, author="Sozialraum-Atlas",
        subject=f"Planungsraum {report.name}, {report.region_title}", lang="de-DE",
        displayDocTitle=True, creator="Sozialraum-Atlas",
    )
    footer = _footer(report)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


def _head(report: AreaReport, styles: _Styles) -> list[object]:
    """Title, map with caption and the key figures."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, Spacer

    story: list[object] = [
        Paragraph("Planungsraum-Steckbrief", styles.small),
        Paragraph(f"{_esc(report.name)} ({_esc(report.pr_id)})", styles.h1),
        Paragraph(f"{_esc(report.region_title)} · Stand {_esc(report.stand)}", styles.small),
        *([Paragraph(f"<b>{_esc(report.datenlage)}</b>", styles.small)] if report.datenlage
          else []),
        Spacer(1, 3 * mm),
    ]
    picture = Image(io.BytesIO(report.map_png))
    scale = 180 * mm / picture.imageWidth
    picture.drawWidth = 180 * mm
    picture.drawHeight = picture.imageHeight * scale
    story.append(picture)
    story.append(Paragraph(
        "Schwarz umrandet: der Planungsraum; gestrichelt: Nachbarräume. Nummern wie in der "
        "Angebotsliste.", styles.small))
    story.append(Paragraph("Kennzahlen", styles.h2))
    header, rows = key_figure_table(report)
    widths = (84, 32, 32, 32) if len(header) == 4 else (66, 34, 30, 28, 22)
    story.append(styles.table(header, rows, widths, numeric=(1, 2)))
    story.append(Paragraph(REGION_NOTE, styles.small))
    return story


def _trend(report: AreaReport, styles: _Styles) -> list[object]:
    """The trend of one indicator (only where the region has figures for several years)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph

    story: list[object] = []
    if report.regionsvergleich:
        story += [Paragraph(f"Vergleich mit {_esc(report.regionsvergleich_kopf[-1])}", styles.h2),
                  styles.table(report.regionsvergleich_kopf, report.regionsvergleich,
                               (84, 32, 32, 32), numeric=(1, 2, 3)),
                  Paragraph(_esc(report.regionsvergleich_text), styles.small)]
    if report.entwicklung:
        story += [Paragraph(f"Entwicklung: {_esc(report.entwicklung_titel)}", styles.h2),
                  styles.table(("Jahr", "Planungsraum", "Region"), report.entwicklung,
                               (40, 50, 50), numeric=(1, 2)),
                  Paragraph(_esc(report.entwicklung_text), styles.small)]
    if report.entwicklung_bild:
        picture = Image(io.BytesIO(report.entwicklung_bild))
        scale = 180 * mm / picture.imageWidth
        picture.drawWidth, picture.drawHeight = 180 * mm, picture.imageHeight * scale
        story.append(picture)
    if report.veraenderung:
        story.append(styles.table(report.veraenderung_kopf, report.veraenderung,
                                  (44, 20, 18, 18, 26, 18, 16, 20), numeric=tuple(range(2, 8))))
    return story


def _reachability(report: AreaReport, styles: _Styles) -> list[object]:
    from reportlab.platypus import Paragraph

    story: list[object] = [Paragraph("Erreichbarkeit", styles.h2)]
    if report.erreichbarkeit is None:
        story.append(Paragraph("Für diesen Bericht liegt keine Erreichbarkeitsanalyse vor.",
                               styles.base))
        return story
    if not report.erreichbarkeit:
        story.append(Paragraph("Keine Werte für diesen Planungsraum.", styles.base))
        return story
    groups = report.erreichbarkeit_gruppen
    if not groups:
        story.append(styles.table(("Angebotstyp", "Profil", "Minuten", "Einwohner", "ab 65 Jahren",
                                   "Region"), report.erreichbarkeit, (52, 30, 20, 26, 26, 26),
                                  numeric=(2, 3, 4, 5)))
    else:
        width = (180 - 48) / (len(groups) * len(PDF_GROUP_COLUMNS))
        sub = [c for _ in groups for c in PDF_GROUP_COLUMNS]
        story.append(styles.table(["Angebotstyp", *sub], report.erreichbarkeit,
                                  [48, *([width] * len(sub))],
                                  numeric=tuple(range(1, len(sub) + 1)),
                                  top_row=[("", 1), *[(g, len(GROUP_COLUMNS)) for g in groups]]))
    story.append(Paragraph(
        "Anteil der Einwohner (Einw.) und der Menschen ab 65 Jahren, die das nächste Angebot "
        "des Typs innerhalb der Zeit auf dem Wegenetz des Profils erreichen (Stufen, "
        "Steigungen und Bordsteine je nach Profil berücksichtigt); Region: Anteil aller "
        "Einwohner der Region.", styles.small))
    return story


def _barriers(report: AreaReport, styles: _Styles) -> list[object]:
    from reportlab.platypus import Paragraph

    story: list[object] = [Paragraph("Gemeldete Barrieren", styles.h2)]
    if report.barrieren is None:
        story.append(Paragraph("Für diesen Bericht liegt keine Barriereauswertung vor.",
                               styles.base))
    elif not report.barrieren:
        story.append(Paragraph("Keine veröffentlichbaren Werte für diesen Planungsraum.",
                               styles.base))
    else:
        story.append(styles.table(("Merkmal", "Wert"), report.barrieren, (90, 90)))
    if report.barrieren_regel:
        story.append(Paragraph(f"Datenschutz: {_esc(report.barrieren_regel)}", styles.small))
    return story


def _services(report: AreaReport, styles: _Styles) -> list[object]:
    """Services by type, the numbered list and the footnotes."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    story: list[object] = [Paragraph("Angebote im Planungsraum", styles.h2)]
    if report.typen:
        story.append(styles.table(("Angebotstyp", "im Planungsraum", "in der Region"),
                                  report.typen, (100, 40, 40), numeric=(1, 2)))
        story.append(Spacer(1, 2 * mm))
    if report.angebote:
        story.append(styles.table(("Nr.", "Name", "Typ", "Adresse", "Stufenlos"),
                                  report.angebote, (10, 54, 38, 52, 26)))
    else:
        story.append(Paragraph("Im Planungsraum liegt kein Angebot des Verzeichnisses.",
                               styles.base))
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(" ".join(_esc(note) for note in report.hinweise), styles.small))
    return story


def _footer(report: AreaReport) -> Callable[[Any, Any], None]:
    """Return the page footer: title, attribution and page number."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(_FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#3d3d3d"))
        canvas.drawString(15 * mm, 9 * mm, f"{report.title} · {ATTRIBUTION}")
        canvas.drawRightString(195 * mm, 9 * mm, f"Seite {doc.page}")
        canvas.restoreState()

    return footer
