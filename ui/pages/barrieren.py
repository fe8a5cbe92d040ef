"""Page 'Barrieren (ICF)': where barriers are reported, only as protected aggregates.

By ICF environmental factor and impairment group.

Every figure, map cell and download on this page comes from a
:class:`analyses.privacy.Publication` (through :mod:`planungsraeume.barrieren`): at least the
minimum number of distinct persons, cell-key perturbation and rounding (the same persons give the
same value everywhere),
no report locations. Inhabitants and rates per planning area are those of
:func:`planungsraeume.barrieren.area_table` (the one cell→area rule, the same inhabitants as on
every other page). The page offers a few fixed selections (all, one ICF chapter, one impairment
group, one ICF code; all years or one year), never free combinations, because the difference of
two selections is protected by rounding only.
"""

from __future__ import annotations

import streamlit as st

from layers import settings
from layers.errors import SozialraumError
from planungsraeume.darstellung import count_text
from planungsraeume.region import Region
from ui import cached, links, sidebar, state, widgets
from ui.barrieren import ansicht

__all__ = ["render"]

CHOICE_KEY = "barrieren_auswahl"
YEAR_KEY = "barrieren_jahr"
GRID_KEY = "barrieren_gitter"
RESOLUTIONS = (250, 500, 1000, 100)


def _choices(region: Region) -> tuple[str, int | None, int]:
    """The fixed selection, the year and the grid size chosen at the top of the page."""
    choices, years = cached.barrier_choices(region)
    labels = {c[0]: c[1] for c in choices}
    links.restore("auswahl", CHOICE_KEY, [c[0] for c in choices])
    links.restore("jahr", YEAR_KEY, [None, *years])
    links.restore("gitter", GRID_KEY, RESOLUTIONS)
    cols = st.columns([3, 1.4, 1.2])
    with cols[0]:
        choice = str(st.selectbox(
            "Auswahl der Meldungen", [c[0] for c in choices], key=CHOICE_KEY,
            format_func=lambda k: labels.get(k, k),
            help="Eine feste Auswahl: alle Barrieren, ein ICF-Kapitel, eine "
                 "Beeinträchtigungsgruppe oder ein ICF-Code. Freie Kombinationen gibt es nicht, "
                 "damit sich geschützte Werte nicht durch Vergleich zweier Auswahlen "
                 "zurückrechnen lassen.",
        ))
    with cols[1]:
        span = f"{years[0]}–{years[-1]}" if years else ""
        jahr = st.selectbox("Zeitraum", [None, *years], key=YEAR_KEY,
                            format_func=lambda y: f"alle Jahre {span}".strip() if y is None
                            else str(y))
    with cols[2]:
        resolution = st.selectbox("Gitterweite", RESOLUTIONS, key=GRID_KEY,
                                  format_func=lambda r: f"{r} m",
                                  help="Größere Zellen zeigen mehr Zellen mit Wert, kleinere "
                                       "sind genauer, aber öfter geschützt.")
    links.keep("auswahl", choice)
    links.keep("jahr", jahr)
    links.keep("gitter", int(resolution))
    return choice, jahr, int(resolution)


def _compute(region: Region, choice: str, jahr: int | None, resolution: int) -> tuple:
    """The publication and the published grid of the choice, with a progress display."""
    with st.status("Geschützte Auswertung wird erstellt …", expanded=False) as status:
        bar = st.progress(0.0, text="Zählen und Geheimhaltung prüfen")
        try:
            pub = cached.barrier_publication(region, choice, jahr)
            bar.progress(0.5, text="Hotspot-Analyse (Gi*) auf dem veröffentlichten Gitter")
            grid = cached.barrier_grid(region, choice, jahr, resolution)
            bar.progress(1.0, text="fertig")
        except SozialraumError as exc:
            status.update(label="Auswertung nicht möglich", state="error", expanded=True)
            widgets.show_analysis_error(exc)
            return None, None
        status.update(label=f"Geschützte Auswertung: {pub.filter.beschreibung()}",
                      state="complete")
    return pub, grid


def render() -> None:
    """Draw the page."""
    st.title("Barrieren (ICF)")
    region = state.region()
    if not widgets.ensure_region_built(region):
        return
    widgets.data_notice(region)
    st.info(
        f"Datenschutz: Gezeigt werden nur zusammengefasste Werte mit mindestens "
        f"{settings.privacy_min_persons} verschiedenen Personen, leicht zufällig verändert "
        "(Cell-Key-Methode wie beim Zensus 2022; dieselben Personen ergeben überall dieselbe "
        "Zahl) und gerundet auf Vielfache von "
        f"{settings.privacy_rounding_base}; keine Meldeorte, keine Punkte. Die vollständige "
        "Regel steht unten.",
        icon=":material/lock:",
    )
    if not cached.has_barrier_reports(region):
        st.warning("Für diese Region liegen keine Barrieremeldungen vor. Meldungen importieren "
                   "Sie auf der Seite „Daten“.", icon=":material/info:")
        ansicht.rule_text(None)
        return
    choice, jahr, resolution = _choices(region)
    pub, grid = _compute(region, choice, jahr, resolution)
    if pub is None or grid is None:
        return
    totals = pub.region().iloc[0]
    cols = st.columns(4)
    cols[0].metric("Personen mit Meldungen", count_text(totals.get("personen")))
    cols[1].metric("Meldungen", count_text(totals.get("meldungen")))
    cols[2].metric(f"Gitterzellen mit Wert ({resolution} m)", widgets.format_number(len(grid.gitter)))
    cols[3].metric("Zellen in Hotspots (Gi*)", widgets.format_number(grid.hotspot_zellen))
    st.caption(f"Auswahl: {pub.filter.beschreibung()}. Geheimhaltung: {pub.rule.kennzeichnung}.")
    ansicht.grid_map(region, grid, resolution)
    st.caption(
        "Farbe = Personen mit Meldungen je 1.000 Einwohner der Zelle, geglättet nach "
        "Empirical Bayes (kleine Zellen werden zum Mittel gezogen). Schwarz umrandet: "
        f"Hotspots nach Getis-Ord Gi*. {grid.hinweis.rstrip('.')}. Weiße Flächen: keine Angabe."
    )
    shown = ansicht.tables(region, pub, grid)
    stem = (f"barrieren_{region.name}_{choice.replace(':', '_')}"
            + (f"_{jahr}" if jahr else ""))
    ansicht.downloads(pub, grid.gitter, shown, stem)
    ansicht.rule_text(pub)


sidebar.page_frame()
widgets.guarded(render)
