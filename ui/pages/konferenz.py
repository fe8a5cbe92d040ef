"""Page 'Konferenzmodus': one planning area at a time, for the projector at a Planungsraumkonferenz."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from ui import common, maps

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
    extra = f'<div class="sa-vergleich">{html.escape(comparison)}</div>' if comparison else ""
    return (
        f'<div class="sa-figure" role="group" aria-label="{html.escape(title.replace(chr(173), ""))}">'
        f'<div class="sa-titel">{html.escape(title)}</div>'
        f'<div class="sa-wert">{html.escape(value)}</div>{extra}</div>'
    )


def _value(row: pd.Series | None, decimals: int = 0, unit: str = "") -> str:
    if row is None or pd.isna(row["wert"]):
        return "–"
    return common.format_number(float(row["wert"]), decimals) + unit


def _region(row: pd.Series | None, decimals: int = 0, unit: str = "") -> str:
    if row is None or pd.isna(row["wert_region"]):
        return "–"
    label = "Ø Planungsraum" if str(row["region_bezug"]).startswith("Durchschnitt") else "Region"
    return f"{label}: {common.format_number(float(row['wert_region']), decimals)}{unit}"


def key_figures(long: pd.DataFrame, pr_id: str, reach_text: str = "") -> list[tuple[str, str, str]]:
    """The five key figures of an area as (title, value, comparison with the region), from the
    indicator table of :mod:`planungsraeume.indikatoren` (with the reachability coverage)."""

    def get(key: str) -> pd.Series | None:
        return common.indicator_row(long, pr_id, key)

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
    reach = long[(long["bereich"] == "Erreichbarkeit") & (long["pr_id"].astype(str) == pr_id)]
    if len(reach):
        row = reach.iloc[0]
        label = reach_text or str(row["bezeichnung"]).removeprefix("Anteil erreicht: ")
        figures.append(("Erreichbarkeit", _value(row, 0, " %"),
                        f"der Einwohner: {label} · {_region(row, 0, ' %')}"))
    else:
        figures.append(("Erreichbarkeit", "–", "ohne Bevölkerungsdaten nicht berechenbar"))
    return figures


def render() -> None:
    """Draw the page."""
    if not common.ensure_region_built():
        return
    st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)
    common.data_notice(compact=True)
    overview = common.area_overview()
    options = [str(v) for v in overview["pr_id"]]
    names = dict(zip(options, overview["name"].astype(str), strict=True))
    if st.session_state.get(AREA_KEY) not in options:
        st.session_state[AREA_KEY] = options[0]

    nav = st.columns([1.2, 3, 1.2], vertical_alignment="bottom")
    nav[0].button("◀ Vorheriger", on_click=_step, args=(-1, options), help="Vorheriger Planungsraum",
                  width="stretch", key="konf_zurueck")
    nav[1].selectbox("Planungsraum", options, key=AREA_KEY,
                     format_func=lambda v: f"{v} {names[v]}")
    nav[2].button("Nächster ▶", on_click=_step, args=(1, options), help="Nächster Planungsraum",
                  width="stretch", key="konf_weiter")
    pr_id = st.session_state[AREA_KEY]
    position = options.index(pr_id) + 1
    st.title(names[pr_id], anchor=False)
    st.markdown(f"Planungsraum {pr_id} · {position} von {len(options)}")

    reach = common.current_reach()
    with st.spinner("Kennzahlen werden berechnet …"):
        long = common.indicators(reach)
    profile = common.profile_labels().get(reach.profil, reach.profil)
    figures = key_figures(long, pr_id, f"{reach.selection_label()} in {reach.minuten} Min. {profile}")
    cards = st.columns(len(figures))
    for column, (title, value, comparison) in zip(cards, figures, strict=True):
        column.markdown(_figure(title, value, comparison), unsafe_allow_html=True)

    layers = common.map_layers()
    services = common.services_web()
    inside = services[services["pr_id"] == pr_id]
    selected = [f for f in layers.areas["features"] if f["properties"]["pr_id"] == pr_id]
    others = [f for f in layers.areas["features"] if f["properties"]["pr_id"] != pr_id]
    groups = [
        maps.selection_layer({"type": "FeatureCollection", "features": selected},
                             fade_others={"type": "FeatureCollection", "features": others}),
        maps.area_layer({"type": "FeatureCollection", "features": selected},
                        [lab for lab in layers.area_labels if lab[2].startswith(f"{pr_id} ")],
                        large_labels=True),
        maps.legend_layer(maps.legend_html(services=inside if len(inside) else None,
                                           selection=True, large=True, streets=False)),
    ]
    if len(inside):
        groups.append(maps.service_layer(inside, cluster=False))
    centre, zoom = maps.fit_view(layers.area_bounds[pr_id], width_px=920, height_px=620)
    fmap = maps.base_map(layers.basemap, online_tiles=common.online_tiles(),
                         label="Karte des Planungsraums", scroll_zoom=False,
                         view=maps.fit_view(layers.basemap.bounds, width_px=920, height_px=620))
    st_folium(fmap, key="konferenz_map", height=640, use_container_width=True,
              returned_objects=[], center=centre, zoom=zoom,
              feature_group_to_add=[maps.localize_assets(g) for g in groups])
    st.caption(
        "Kennzahlen wie im Planungsraum-Profil: Einwohner je 100-m-Zelle nach ihrem Mittelpunkt "
        "zugeordnet, nur heute gültige Angebote; Vergleich mit dem Regionswert (Anteile, Raten) "
        "oder dem Durchschnitt je Planungsraum (Anzahlen). Die Erreichbarkeit stellen Sie auf "
        "der Seite „Erreichbarkeit“ ein. Kartendaten © OpenStreetMap-Mitwirkende (ODbL)."
    )
    with st.expander("Angebote in diesem Planungsraum als Liste", expanded=False):
        common.table(
            pd.DataFrame({"Name": inside["name"], "Typ": inside["typ"],
                          "Stufenlos": inside["stufenloser_zugang"]}),
        )


common.page_frame()
common.guarded(render)
