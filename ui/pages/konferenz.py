"""Page 'Konferenzmodus': one planning area at a time, for the projector at a Planungsraumkonferenz.

The five key figures come from the indicator table of :mod:`planungsraeume.indikatoren` (with the
reachability coverage of the question set in the app), the same table the profile page shows.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from layers.sicher import escape_html, escape_markdown
from ui import cached, links, sidebar, state, widgets
from ui.profil import karte
from ui.profil.kennzahlen import indicator_row, reach_row

__all__ = ["key_figures", "render"]

AREA_KEY = "konferenz_pr"

PROJECTOR_CSS = """
<style>
/* Readable from the back of a room: bigger base font, strong contrast, no faint greys. */
section.main p, section.main li, [data-testid="stMainBlockContainer"] p { font-size: 1.3rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 3rem; }
.sa-figure { min-height: 13.5rem; }
.sa-figure .sa-wert { font-size: clamp(2rem, 2.8vw, 3.4rem); white-space: nowrap; }
.sa-figure .sa-titel { hyphens: manual; }
.sa-figure .sa-titel { font-size: 1.35rem; font-weight: 600; }
.sa-figure .sa-vergleich { font-size: 1.15rem; color: #1a1a1a; }
[data-testid="stMainBlockContainer"] button p { font-size: 1.25rem; font-weight: 600; }
</style>
"""


def _step(offset: int, options: list[str]) -> None:
    current = st.session_state.get(AREA_KEY, options[0])
    index = options.index(current) if current in options else 0
    st.session_state[AREA_KEY] = options[(index + offset) % len(options)]


def _figure(title: str, value: str, comparison: str = "") -> str:
    extra = f'<div class="sa-vergleich">{escape_html(comparison)}</div>' if comparison else ""
    return (
        f'<div class="sa-figure" role="group" aria-label="{escape_html(title.replace(chr(173), ""))}">'
        f'<div class="sa-titel">{escape_html(title)}</div>'
        f'<div class="sa-wert">{escape_html(value)}</div>{extra}</div>'
    )


def _value(row: pd.Series | None, decimals: int = 0, unit: str = "") -> str:
    if row is None or pd.isna(row["wert"]):
        return "–"
    return widgets.format_number(float(row["wert"]), decimals) + unit


def _region(row: pd.Series | None, decimals: int = 0, unit: str = "") -> str:
    if row is None or pd.isna(row["wert_region"]):
        return "–"
    label = "Ø Planungsraum" if str(row["region_bezug"]).startswith("Durchschnitt") else "Region"
    return f"{label}: {widgets.format_number(float(row['wert_region']), decimals)}{unit}"


def key_figures(long: pd.DataFrame, pr_id: str, reach_text: str = "",
                no_reach: str = "") -> list[tuple[str, str, str]]:
    """The five key figures of an area as (title, value, comparison with the region).

    From the indicator table of :mod:`planungsraeume.indikatoren` (with the reachability
    coverage of the question). ``no_reach`` says why there is no reachability figure (a region
    without network).
    """

    def get(key: str) -> pd.Series | None:
        return indicator_row(long, pr_id, key)

    figures = [
        ("Einwohner", _value(get("einwohner")), _region(get("einwohner"))),
        ("65 Jahre und älter", _value(get("anteil_65_plus"), 1, " %"),
         _region(get("anteil_65_plus"), 1, " %")),
    ]
    advice, advice_rate = get("beratung"), get("beratung_je_10000")
    figures.append((
        "Beratungs\u00adangebote", _value(advice),
        f"je 10.000 Einw.: {_value(advice_rate, 1)} · {_region(advice_rate, 1)}",
    ))
    step_free, unknown = get("anteil_stufenloser_zugang"), get("anteil_stufenloser_zugang_unbekannt")
    figures.append((
        "Stufenlos zugänglich", _value(step_free, 0, " %"),
        f"der Angebote · {_region(step_free, 0, ' %')} · ohne Angabe: {_value(unknown, 0, ' %')}",
    ))
    row = reach_row(long, pr_id)
    if row is not None:
        label = reach_text or str(row["bezeichnung"]).removeprefix("Anteil erreicht: ")
        figures.append(("Erreichbarkeit", _value(row, 0, " %"),
                        f"der Einwohner: {label} · {_region(row, 0, ' %')}"))
    else:
        figures.append(("Erreichbarkeit", "–", no_reach or "ohne Bevölkerungsdaten nicht berechenbar"))
    return figures


def _navigation(options: list[str], names: dict[str, str]) -> str:
    links.restore("planungsraum", AREA_KEY, options)
    if st.session_state.get(AREA_KEY) not in options:
        st.session_state[AREA_KEY] = options[0]
    nav = st.columns([1.2, 3, 1.2], vertical_alignment="bottom")
    nav[0].button("◀ Vorheriger", on_click=_step, args=(-1, options), help="Vorheriger Planungsraum",
                  width="stretch", key="konf_zurueck")
    nav[1].selectbox("Planungsraum", options, key=AREA_KEY,
                     format_func=lambda v: f"{v} {names[v]}")
    nav[2].button("Nächster ▶", on_click=_step, args=(1, options), help="Nächster Planungsraum",
                  width="stretch", key="konf_weiter")
    return str(st.session_state[AREA_KEY])


def render() -> None:
    """Draw the page."""
    region = state.region()
    if not widgets.ensure_region_built(region):
        return
    st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)
    widgets.data_notice(region, compact=True)
    overview = cached.area_overview(region)
    options = [str(v) for v in overview["pr_id"]]
    names = dict(zip(options, overview["name"].astype(str), strict=True))
    pr_id = _navigation(options, names)
    links.keep("planungsraum", pr_id)
    links.keep_question(state.question())
    st.title(escape_markdown(names[pr_id]), anchor=False)
    st.markdown(f"Planungsraum {escape_markdown(pr_id)} · {options.index(pr_id) + 1} von {len(options)}")
    frage = state.question()
    with st.spinner("Kennzahlen werden berechnet …"):
        long = cached.indicators(region, frage)
    figures = key_figures(long, pr_id, f"{frage.selection_label()} in {frage.minutes_label()} "
                                       f"{frage.profile_label()}",
                          "ohne Wegenetz nicht berechenbar" if not region.has_network() else "")
    cards = st.columns(len(figures))
    for column, (title, value, comparison) in zip(cards, figures, strict=True):
        column.markdown(_figure(title, value, comparison), unsafe_allow_html=True)
    offers = cached.offers_web(region)
    inside = offers[offers["pr_id"] == pr_id]
    karte.area_map(region, pr_id, inside, key="konferenz_map", large=True, size_px=(920, 620),
                   height=640)
    st.caption(
        "Kennzahlen wie im Planungsraum-Profil: Einwohner je 100-m-Zelle dem Planungsraum ihres "
        "Mittelpunkts zugeordnet (wie auf allen Seiten), nur heute gültige Angebote; Vergleich "
        "mit dem Regionswert (Anteile, Raten) oder dem Durchschnitt je Planungsraum (Anzahlen). "
        "Die Erreichbarkeit stellen Sie auf der Seite „Erreichbarkeit“ ein. Kartendaten © "
        "OpenStreetMap-Mitwirkende (ODbL)."
    )
    with st.expander("Angebote in diesem Planungsraum als Liste", expanded=False):
        widgets.table(pd.DataFrame({"Name": inside["name"], "Typ": inside["typ"],
                                    "Stufenlos": inside["stufenloser_zugang"]}))


sidebar.page_frame()
widgets.guarded(render)
