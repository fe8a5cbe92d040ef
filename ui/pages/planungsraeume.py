"""Page 'Planungsräume': the profile of one planning area.

Map, indicators against the region (:mod:`planungsraeume.indikatoren`), reachability and
Versorgungslücken (:mod:`planungsraeume.erreichbarkeit`), the protected barrier summary
(:mod:`planungsraeume.barrieren`), the trend of an indicator over the years and the comparison
with other areas (:mod:`planungsraeume.zeitreihe`), the services, and the Steckbrief (PDF/HTML,
:mod:`planungsraeume.steckbrief`) to download.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from layers.sicher import escape_markdown, safe_file_name
from planungsraeume import darstellung
from planungsraeume.frage import Question
from planungsraeume.region import OUTSIDE_ID, Region
from ui import cached, links, sidebar, state, widgets
from ui.profil import abschnitte, karte, kennzahlen, steckbrief, vergleich, zeitreihe

__all__ = ["render"]

AREA_KEY = "profil_pr"


def _choose_area(region: Region) -> tuple[str, str]:
    overview = cached.area_overview(region)
    options = [str(v) for v in overview["pr_id"]]
    names = dict(zip(options, overview["name"].astype(str), strict=True))
    links.restore("planungsraum", AREA_KEY, options)
    if st.session_state.get(AREA_KEY) not in options:
        st.session_state[AREA_KEY] = options[0]
    st.selectbox("Planungsraum", options, key=AREA_KEY, format_func=lambda v: f"{v} {names[v]}")
    pr_id = str(st.session_state[AREA_KEY])
    return pr_id, names[pr_id]


def _question(region: Region) -> Question:
    frage = state.question()
    with st.expander("Erreichbarkeit einstellen (gilt auch für Karte und Konferenzmodus)",
                     expanded=False):
        if not region.has_network():
            st.caption(escape_markdown(widgets.network_message(region)))
        elif region.has_population():
            frage = widgets.question_controls(region, "profil", layout="wide")
        else:
            st.info("Diese Region hat keine Bevölkerungsdaten: Versorgungsgrad und Lücken "
                    "lassen sich nicht berechnen.")
    return frage


def _indicators(region: Region, long: pd.DataFrame, pr_id: str) -> None:
    st.subheader("Kennzahlen im Vergleich zur Region", anchor=False)
    widgets.table(kennzahlen.indicator_table(long, pr_id, kennzahlen.MAIN_KEYS),
                  column_config={"Vergleich mit": None})
    st.caption(
        "Vergleichswert: bei Anteilen und Raten der Wert der ganzen Region, bei Anzahlen der "
        "Durchschnitt je Planungsraum. Einwohner je 100-m-Zelle dem Planungsraum ihres "
        "Mittelpunkts zugeordnet (Randzellen dem mit der größten Überlappung), Fläche nur der "
        "Teil in der Region; nur heute gültige Angebote."
    )


def _official_totals(region: Region) -> None:
    """Beside the inhabitants: how they compare with the official municipal totals."""
    from planungsraeume.abgleich import comparison_note, municipal_comparison

    note = comparison_note(municipal_comparison(region))
    if note:
        st.caption("Einwohner im Abgleich mit den amtlichen Gemeindesummen (VG250-EW): "
                   + escape_markdown(note))


def _all_indicators(region: Region, long: pd.DataFrame, pr_id: str) -> None:
    with st.expander("Alle Kennzahlen dieses Planungsraums", expanded=False):
        widgets.table(kennzahlen.indicator_table(long, pr_id, None))
        widgets.csv_download("Kennzahlen aller Planungsräume als CSV herunterladen",
                             lambda: darstellung.indicator_table(long),
                             f"kennzahlen_{region.name}.csv", "profil_kennzahlen_csv")
        widgets.csv_download("Kerndatensatz (alle Jahre, mit Region) als CSV herunterladen",
                             lambda: _kerndatensatz(region),
                             f"kerndatensatz_{region.name}.csv", "profil_kerndatensatz_csv")
        st.caption("Kerndatensatz: eine Zeile je Planungsraum, Jahr und Kennzahl, mit Quelle "
                   "und Kennzeichen modelliert/synthetisch; Barrieremeldungen nur mit "
                   "veröffentlichten Werten. Mit Datenlexikon: sozialraum export kerndatensatz.")


def _kerndatensatz(region: Region) -> pd.DataFrame:
    from planungsraeume.kerndatensatz import kerndatensatz
    from planungsraeume.kerndatensatz.datei import file_table

    return file_table(kerndatensatz(region))


def _offers(inside: Any, pr_id: str) -> None:
    st.subheader(f"Angebote im Planungsraum ({len(inside)})", anchor=False)
    table = pd.DataFrame({
        "Name": inside["name"], "Typ": inside["typ"], "Straße": inside["strasse"],
        "Hausnr.": inside["hausnummer"], "Stufenlos": inside["stufenloser_zugang"],
        "Quelle": inside["quelle"],
    })
    widgets.table(table)
    widgets.csv_download("Angebote des Planungsraums als CSV herunterladen", table,
                         f"angebote_{safe_file_name(pr_id)}.csv", "dl_profil")


def render() -> None:
    """Draw the page."""
    st.title("Planungsräume")
    region = state.region()
    if not widgets.ensure_region_built(region):
        return
    widgets.data_notice(region)
    pr_id, name = _choose_area(region)
    links.keep("planungsraum", pr_id)
    st.header(f"Profil: {escape_markdown(pr_id)} {escape_markdown(name)}", anchor=False)
    offers = cached.offers_web(region)
    inside = offers[offers["pr_id"] == pr_id]
    population = region.has_population()
    frage = _question(region)
    with st.spinner("Kennzahlen werden berechnet …"):
        long = cached.indicators(region, frage if population else None)
    map_col, glance_col = st.columns([3, 2], gap="medium")
    with glance_col:
        st.subheader("Auf einen Blick", anchor=False)
        st.markdown(kennzahlen.at_a_glance(long, pr_id))
        _official_totals(region)
    _indicators(region, long, pr_id)
    gaps = None
    st.subheader("Erreichbarkeit und Versorgungslücken", anchor=False)
    if population and widgets.require_network(region):
        st.markdown(f"**{frage.label()}**")
        gaps = abschnitte.reachability(region, pr_id, frage)
    elif not population:
        st.info("Ohne Bevölkerungsdaten gibt es keinen Versorgungsgrad.")
    with map_col:
        karte.area_map(region, pr_id, inside, key="profil_map", gaps=gaps)
    _all_indicators(region, long, pr_id)
    st.subheader("Entwicklung über die Jahre", anchor=False)
    zeitreihe.trend_section(region, long, pr_id)
    vergleich.small_multiples_section(region, pr_id)
    st.subheader("Vergleich mit anderen Planungsräumen", anchor=False)
    names = {k: v for k, v in region.area_names().items() if k != OUTSIDE_ID}
    zeitreihe.comparison_section(long, pr_id, names)
    vergleich.area_multiples_section(region, pr_id)
    st.subheader("Vergleich mit einer anderen Region", anchor=False)
    vergleich.region_comparison_section(region)
    st.subheader("Barrieren (geschützte Übersicht)", anchor=False)
    abschnitte.barriers(region, pr_id)
    _offers(inside, pr_id)
    st.subheader("Steckbrief", anchor=False)
    st.markdown("Ein bis zwei Seiten für die Planungsraumkonferenz: Karte, Kennzahlen, "
                "Erreichbarkeit, Barrieren (geschützt) und die Angebote – als PDF zum Drucken "
                "und als barrierearme HTML-Datei.")
    steckbrief.steckbrief(pr_id, name)
    steckbrief.all_areas_zip()


sidebar.page_frame()
widgets.guarded(render)
