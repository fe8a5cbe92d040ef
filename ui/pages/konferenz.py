"""Page 'Konferenzmodus': one planning area at a time, for the projector at a Planungsraumkonferenz.

The five key figures come from the indicator table of :mod:`planungsraeume.indikatoren` (with the
reachability coverage of the question set in the app), the same table the profile page shows.
Where the region has figures for several years, one trend (the share 65+) follows in big type
(:func:`planungsraeume.zeitreihe.trend`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from layers.sicher import escape_html, escape_markdown
from planungsraeume.region import Region
from ui import cached, legend, links, sidebar, state, widgets
from ui.profil import karte
from ui.profil.kennzahlen import indicator_row, reach_row

__all__ = ["key_figures", "render", "trend_figure"]

AREA_KEY = "konferenz_pr"

PROJECTOR_CSS = """
<style>
/* Projector (1280 x 720 and up): one screen, no scrolling for the map and the five figures.
   Less padding above, a compact head row, figures stacked beside the map, no broken words. */
[data-testid="stMainBlockContainer"] { padding-top: 2.8rem !important; padding-bottom: 1rem !important;
  max-width: 100% !important; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.3rem; padding: 0; line-height: 1.15;
  word-break: normal; overflow-wrap: normal; hyphens: manual; }
[data-testid="stMainBlockContainer"] p { font-size: 1.15rem; }
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] p { font-size: 0.92rem;
  line-height: 1.25; }
.sa-figure { padding: 0.3rem 0.7rem !important; margin-bottom: 0.35rem; }
.sa-figure .sa-zeile { display: flex; align-items: baseline; justify-content: space-between;
  gap: 0.6rem; }
.sa-figure .sa-wert { font-size: 1.9rem; white-space: nowrap; line-height: 1.1; }
.sa-figure .sa-titel { font-size: 1.15rem; font-weight: 600; hyphens: manual;
  word-break: normal; overflow-wrap: normal; }
.sa-figure .sa-vergleich { font-size: 0.98rem; color: #1a1a1a; line-height: 1.2; }
[data-testid="stMainBlockContainer"] button p { font-size: 1.15rem; font-weight: 600; }
@media (min-height: 1000px) {
  .sa-figure { padding: 0.55rem 0.9rem !important; margin-bottom: 0.6rem; }
  .sa-figure .sa-wert { font-size: 2.6rem; }
  .sa-figure .sa-titel { font-size: 1.35rem; }
  .sa-figure .sa-vergleich { font-size: 1.1rem; }
}
</style>
"""
#: Height of the map in pixels: fits under the head row at 1280 x 720 (see the browser test).
MAP_HEIGHT = 470


def _step(offset: int, options: list[str]) -> None:
    current = st.session_state.get(AREA_KEY, options[0])
    index = options.index(current) if current in options else 0
    st.session_state[AREA_KEY] = options[(index + offset) % len(options)]


def _figure(title: str, value: str, comparison: str = "") -> str:
    extra = f'<div class="sa-vergleich">{escape_html(comparison)}</div>' if comparison else ""
    return (
        f'<div class="sa-figure" role="group" aria-label="{escape_html(title.replace(chr(173), ""))}">'
        f'<div class="sa-zeile"><div class="sa-titel">{escape_html(title)}</div>'
        f'<div class="sa-wert">{escape_html(value)}</div></div>{extra}</div>'
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


def trend_figure(trend: pd.DataFrame, pr_id: str) -> tuple[str, str, str] | None:
    """The trend card of an area: (title, "first → last value", change and the region's)."""
    from planungsraeume.zeitreihe import change

    mine = trend[trend["pr_id"].astype(str) == pr_id]
    if len(mine) < 2:
        return None
    share = str(mine["einheit"].iloc[0]) == "%"
    unit, points = (" %", " Prozentpunkte") if share else ("", "")
    delta = change(trend)
    own = delta[delta["pr_id"].astype(str) == pr_id].iloc[0]
    whole = delta[delta["pr_id"] == "Region"].iloc[0]

    def signed(value: float) -> str:
        text = widgets.format_number(value, 1)
        return f"+{text}" if value > 0 and text.strip("0,") else text

    title = (f"{mine['bezeichnung'].iloc[0]} {int(own['basisjahr'])} → {int(own['jahr'])}")
    value = (f"{widgets.format_number(float(own['wert_basis']), 1)}{unit} → "
             f"{widgets.format_number(float(own['wert']), 1)}{unit}")
    comparison = (f"{signed(float(own['aenderung']))}{points} · Region "
                  f"{signed(float(whole['aenderung']))}{points}")
    return title, value, comparison


def _trend(region: Region, pr_id: str) -> None:
    from planungsraeume.zeitreihe import trend, trend_years

    if len(trend_years(region)) < 2:
        return
    figure = trend_figure(trend(region, "anteil_65_plus"), pr_id)
    if figure is not None:
        st.markdown(_figure(*figure), unsafe_allow_html=True)


def _navigation(options: list[str], names: dict[str, str], notice: str = "") -> str:
    """The head row: area name, previous, the area list, next."""
    links.restore("planungsraum", AREA_KEY, options)
    if st.session_state.get(AREA_KEY) not in options:
        st.session_state[AREA_KEY] = options[0]
    head = st.columns([3.2, 1.1, 2.2, 1.1], vertical_alignment="center")
    slot = head[0].empty()
    head[1].button("◀ Vorheriger", on_click=_step, args=(-1, options), help="Vorheriger Planungsraum",
                   width="stretch", key="konf_zurueck")
    head[2].selectbox("Planungsraum", options, key=AREA_KEY, label_visibility="collapsed",
                      format_func=lambda v: f"{v} {names[v]}")
    head[3].button("Nächster ▶", on_click=_step, args=(1, options), help="Nächster Planungsraum",
                   width="stretch", key="konf_weiter")
    pr_id = str(st.session_state[AREA_KEY])
    with slot.container():
        st.title(escape_markdown(names[pr_id]), anchor=False)
        st.markdown(f"Planungsraum {escape_markdown(pr_id)} · {options.index(pr_id) + 1} von "
                    f"{len(options)}")
        if notice:
            st.caption(f"Daten: {notice} (siehe „Hilfe“)")
    return pr_id


def render() -> None:
    """Draw the page: head row, then the five figures beside the map, in one screen."""
    # The projector needs the width: the navigation starts closed (the arrow opens it).
    st.set_page_config(initial_sidebar_state="collapsed")
    region = state.region()
    if not widgets.ensure_region_built(region):
        return
    st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)
    overview = cached.area_overview(region)
    options = [str(v) for v in overview["pr_id"]]
    names = dict(zip(options, overview["name"].astype(str), strict=True))
    pr_id = _navigation(options, names, widgets.data_kind_text(region).replace("; ", " · "))
    links.keep("planungsraum", pr_id)
    links.keep_question(state.question())
    frage = state.question()
    with st.spinner("Kennzahlen werden berechnet …"):
        long = cached.indicators(region, frage)
    figures = key_figures(long, pr_id, f"{frage.selection_label()} in {frage.minutes_label()} "
                                       f"{frage.profile_label()}",
                          "ohne Wegenetz nicht berechenbar" if not region.has_network() else "")
    offers = cached.offers_web(region)
    inside = offers[offers["pr_id"] == pr_id]
    figure_col, map_col = st.columns([1, 1.9], gap="medium")
    with figure_col:
        for title, value, comparison in figures:
            st.markdown(_figure(title, value, comparison), unsafe_allow_html=True)
        _trend(region, pr_id)
    with map_col:
        legend_html = karte.area_map(region, pr_id, inside, key="konferenz_map", large=True,
                                     size_px=(820, MAP_HEIGHT), height=MAP_HEIGHT,
                                     legend_outside=True)
    with figure_col:
        legend.legend_beside(legend_html or "", expanded=False)
    st.caption(
        "Kennzahlen wie im Planungsraum-Profil: Einwohner je 100-m-Zelle dem Planungsraum ihres "
        "Mittelpunkts zugeordnet (wie auf allen Seiten), nur heute gültige Angebote; Vergleich "
        "mit dem Regionswert (Anteile, Raten) oder dem Durchschnitt je Planungsraum (Anzahlen). "
        "Die Erreichbarkeit stellen Sie auf der Seite „Erreichbarkeit“ ein. Vollbild: Taste F11. "
        "Kartendaten © OpenStreetMap-Mitwirkende (ODbL)."
    )
    with st.expander("Angebote in diesem Planungsraum als Liste", expanded=False):
        widgets.table(pd.DataFrame({"Name": inside["name"], "Typ": inside["typ"],
                                    "Stufenlos": inside["stufenloser_zugang"]}))


sidebar.page_frame()
widgets.guarded(render)
