"""The Steckbrief as one self-contained HTML document (German, accessible).

Map as data URI, inline CSS, ``lang="de"``, headings, table captions and header cells with
``scope`` for screen readers; :func:`index_html` lists all reports of a region.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from layers.sicher import escape_html
from planungsraeume.steckbrief.inhalt import (
    GROUP_COLUMNS,
    LONG_HEADER,
    REGION_NOTE,
    AreaReport,
    key_figure_table,
)
from planungsraeume.steckbrief.karte import ATTRIBUTION

__all__ = ["CSS", "REACH_CAPTION", "index_html", "report_html"]

CSS = """
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; font-size: 1.05rem; line-height: 1.45;
       color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
h1 { font-size: 2rem; margin: 0 0 .2rem; } h2 { font-size: 1.35rem; margin: 1.6rem 0 .5rem;
     border-bottom: 2px solid #1a1a1a; }
.meta { color: #3d3d3d; margin: 0 0 1rem; }
figure { margin: 0; } img { max-width: 100%; height: auto; border: 1px solid #8a8a8a; }
figcaption, .hinweis { font-size: .9rem; color: #3d3d3d; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
th, td { border: 1px solid #8a8a8a; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #e6e6e6; } tbody tr:nth-child(even) { background: #f5f5f5; }
td.zahl { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin-top: 2rem; font-size: .85rem; color: #3d3d3d; }
@media print { body { max-width: none; padding: 0; font-size: 10.5pt; } @page { size: A4; margin: 15mm; }
  h2 { break-after: avoid; } table { break-inside: auto; } tr { break-inside: avoid; } }
"""


def _table(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    esc = escape_html
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    body = []
    for row in rows:
        cells = [f'<th scope="row">{esc(row[0])}</th>']
        for i, value in enumerate(row[1:], start=1):
            cls = ' class="zahl"' if i in numeric else ""
            cells.append(f"<td{cls}>{esc(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


REACH_CAPTION = "Anteil der Bevölkerung, die ein Angebot des Typs innerhalb der Zeit erreicht"


def _reachability_html(report: AreaReport) -> str:
    rows = report.erreichbarkeit or []
    if not report.erreichbarkeit_gruppen:
        return _table(REACH_CAPTION, LONG_HEADER, rows, numeric=(2, 3, 4, 5))
    esc = escape_html
    top = '<th scope="col" rowspan="2">Angebotstyp</th>' + "".join(
        f'<th scope="colgroup" colspan="{len(GROUP_COLUMNS)}">{esc(g)}</th>'
        for g in report.erreichbarkeit_gruppen
    )
    sub = "".join(f'<th scope="col">{esc(c)}</th>'
                  for _ in report.erreichbarkeit_gruppen for c in GROUP_COLUMNS)
    body = "".join(
        "<tr>" + f'<th scope="row">{esc(row[0])}</th>'
        + "".join(f'<td class="zahl">{esc(v)}</td>' for v in row[1:]) + "</tr>"
        for row in rows
    )
    return (f"<table><caption>{esc(REACH_CAPTION)}</caption><thead><tr>{top}</tr><tr>{sub}</tr>"
            f"</thead><tbody>{body}</tbody></table>")


def report_html(report: AreaReport) -> str:
    """Return the report as one self-contained HTML document (German, accessible)."""
    esc = escape_html
    picture = base64.b64encode(report.map_png).decode("ascii")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="de"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(report.title)}</title><style>{CSS}</style></head><body>",
        "<header><p class=\"meta\">Planungsraum-Steckbrief</p></header><main>",
        f"<h1>{esc(report.name)} <span class=\"meta\">({esc(report.pr_id)})</span></h1>",
        f'<p class="meta">{esc(report.region_title)} · Stand {esc(report.stand)}</p>',
        f'<p class="datenlage"><strong>{esc(report.datenlage)}</strong></p>'
        if report.datenlage else "",
        '<section aria-labelledby="h-karte"><h2 id="h-karte">Karte</h2><figure>',
        f'<img src="data:image/png;base64,{picture}" alt="Karte des Planungsraums '
        f'{esc(report.name)} mit Straßen, Grünflächen, Nachbarräumen und '
        f'{len(report.angebote)} Angeboten im Planungsraum; die Angebote stehen nummeriert in '
        'der Tabelle „Angebote im Planungsraum“.">',
        "<figcaption>Schwarz umrandet: der Planungsraum; gestrichelt: Nachbarräume. Nummern wie in "
        f"der Angebotsliste. {esc(ATTRIBUTION)}.</figcaption></figure></section>",
        '<section aria-labelledby="h-kennzahlen"><h2 id="h-kennzahlen">Kennzahlen</h2>',
        _table(
            "Kennzahlen des Planungsraums im Vergleich zur Region",
            *key_figure_table(report),
            numeric=(1, 2),
        ),
        f'<p class="hinweis">{esc(REGION_NOTE)}</p>',
        "</section>",
        *_region_section(report),
        *_trend_section(report),
        *_reachability_section(report),
        *_barrier_section(report),
        *_service_section(report),
        "</section></main><footer>",
    ]
    parts.extend(f"<p>{esc(note)}</p>" for note in report.hinweise)
    parts.append("<p>Erstellt mit Sozialraum-Atlas.</p></footer></body></html>")
    return "\n".join(parts)


def _trend_section(report: AreaReport) -> list[str]:
    """The trend of one indicator, the small multiples and every indicator's change (only
    where the region has figures for several years)."""
    if not report.entwicklung and not report.veraenderung:
        return []
    parts = ['<section aria-labelledby="h-entwicklung"><h2 id="h-entwicklung">Entwicklung</h2>']
    if report.entwicklung:
        parts += [
            _table(f"{report.entwicklung_titel} nach Jahren", ("Jahr", "Planungsraum", "Region"),
                   report.entwicklung, numeric=(1, 2)),
            f'<p class="hinweis">{escape_html(report.entwicklung_text)}</p>',
        ]
    if report.entwicklung_bild:
        picture = base64.b64encode(report.entwicklung_bild).decode("ascii")
        parts.append(
            f'<figure><img src="data:image/png;base64,{picture}" '
            f'alt="{escape_html(report.entwicklung_bild_alt)}"><figcaption>Je Kennzahl ein '
            "Diagramm: durchgezogen der Planungsraum, gestrichelt die Region (bei Anzahlen der "
            "Durchschnitt je Planungsraum).</figcaption></figure>")
    if report.veraenderung:
        parts.append(_table("Veränderung je Kennzahl", report.veraenderung_kopf,
                            report.veraenderung, numeric=tuple(range(2, 8))))
        parts.append('<p class="hinweis">Veränderung bei Anteilen in Prozentpunkten; '
                     "„Veränderung (%)“ bezogen auf den Wert des Basisjahrs; je Jahr = "
                     "Veränderung geteilt durch die Jahre dazwischen.</p>")
    parts.append("</section>")
    return parts


def _region_section(report: AreaReport) -> list[str]:
    """The area beside its region and a second region (only where one was chosen)."""
    if not report.regionsvergleich:
        return []
    other = report.regionsvergleich_kopf[-1]
    return [
        '<section aria-labelledby="h-regionsvergleich"><h2 id="h-regionsvergleich">'
        f"Vergleich mit {escape_html(other)}</h2>",
        _table(f"Der Planungsraum, seine Region und {other}", report.regionsvergleich_kopf,
               report.regionsvergleich, numeric=(1, 2, 3)),
        f'<p class="hinweis">{escape_html(report.regionsvergleich_text)}</p>',
        "</section>",
    ]


def _reachability_section(report: AreaReport) -> list[str]:
    parts = ['<section aria-labelledby="h-erreichbarkeit"><h2 id="h-erreichbarkeit">Erreichbarkeit</h2>']
    if report.erreichbarkeit is None:
        parts.append("<p>Für diesen Bericht liegt keine Erreichbarkeitsanalyse vor.</p>")
    elif not report.erreichbarkeit:
        parts.append("<p>Keine Werte für diesen Planungsraum.</p>")
    else:
        parts.append(_reachability_html(report))
        parts.append('<p class="hinweis">Anteil der Einwohner und der Menschen ab 65 Jahren, die '
                     "das nächste Angebot des Typs innerhalb der Zeit auf dem Wegenetz des Profils "
                     "erreichen (Stufen, Steigungen und Bordsteine je nach Profil berücksichtigt); "
                     "Region: Anteil aller Einwohner der Region.</p>")
    parts.append("</section>")
    return parts


def _barrier_section(report: AreaReport) -> list[str]:
    parts = ['<section aria-labelledby="h-barrieren"><h2 id="h-barrieren">Gemeldete Barrieren</h2>']
    if report.barrieren is None:
        parts.append("<p>Für diesen Bericht liegt keine Barriereauswertung vor.</p>")
    elif not report.barrieren:
        parts.append("<p>Keine veröffentlichbaren Werte für diesen Planungsraum.</p>")
    else:
        parts.append(_table("Barrieremeldungen (datenschutzgerecht zusammengefasst)",
                            ("Merkmal", "Wert"), report.barrieren))
    if report.barrieren_regel:
        parts.append(f'<p class="hinweis">Datenschutz: {escape_html(report.barrieren_regel)}</p>')
    parts.append("</section>")
    return parts


def _service_section(report: AreaReport) -> list[str]:
    parts = ['<section aria-labelledby="h-angebote"><h2 id="h-angebote">Angebote im Planungsraum</h2>']
    if report.typen:
        parts.append(_table("Angebote nach Typ", ("Angebotstyp", "im Planungsraum", "in der Region"),
                            report.typen, numeric=(1, 2)))
    if report.angebote:
        parts.append(_table("Angebote im Planungsraum (Nummern wie in der Karte)",
                            ("Nr.", "Name", "Typ", "Adresse", "Stufenloser Zugang"), report.angebote))
    else:
        parts.append("<p>Im Planungsraum liegt kein Angebot des Verzeichnisses.</p>")
    return parts  # the caller closes the section together with <main>


def index_html(region_title: str, entries: Sequence[tuple[str, str, str]], formats: Sequence[str]) -> str:
    """Return the overview page linking every area's report (``index.html``)."""
    esc = escape_html
    rows = []
    for pr_id, name, stem in entries:
        links = " · ".join(
            f'<a href="{esc(stem)}.{fmt}">{fmt.upper()}</a>' for fmt in ("html", "pdf") if fmt in formats
        )
        rows.append(f'<tr><th scope="row">{esc(pr_id)}</th><td>{esc(name)}</td><td>{links}</td></tr>')
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>Planungsraum-Steckbriefe {esc(region_title)}</title><style>{CSS}</style></head>"
        f"<body><main><h1>Planungsraum-Steckbriefe</h1><p class=\"meta\">{esc(region_title)}</p>"
        "<table><caption>Alle Planungsräume</caption><thead><tr><th scope=\"col\">Nr.</th>"
        "<th scope=\"col\">Planungsraum</th><th scope=\"col\">Bericht</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></main></body></html>"
    )
