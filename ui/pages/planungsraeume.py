"""Page 'Planungsräume': the profile of one planning area.

Map, indicators against the region (:mod:`planungsraeume.indikatoren`), reachability and
Versorgungslücken (:mod:`planungsraeume.erreichbarkeit`), the protected barrier summary
(:mod:`planungsraeume.barrieren`), the services, and the Steckbrief (PDF/HTML,
:mod:`planungsraeume.steckbrief`) to download.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from layers import settings
from layers.errors import SozialraumError
from layers.formatting import MISSING
from ui import common, maps, theme
from ui.auswahl import Reach

if TYPE_CHECKING:
    from planungsraeume.steckbrief import CoverageChoice

AREA_KEY = "profil_pr"
# The indicators shown first (the rest is one click away).
MAIN_KEYS = (
    "einwohner", "einwohnerdichte", "anteil_unter_18", "anteil_65_plus", "anteil_80_plus",
    "angebote", "angebote_je_10000", "beratung", "beratung_je_10000",
    "anteil_stufenloser_zugang", "anteil_rollstuhlgerechtes_wc", "anteil_leichte_sprache",
    "anteil_stufenloser_zugang_unbekannt",
)
DECIMALS = {"%": 1, "je 10.000 Einw.": 1, "Einw. je km²": 0, "Personen": 0, "Anzahl": 0}


def format_indicator(value: Any, unit: str) -> str:
    """An indicator value in German format with its unit."""
    if value is None or pd.isna(value):
        return MISSING
    text = common.format_number(float(value), DECIMALS.get(unit, 1))
    return f"{text} %" if unit == "%" else text


def comparison(value: Any, reference: Any) -> str:
    """"höher" / "niedriger" / "etwa gleich" (within ±5 %) — in words, not only in colour."""
    if value is None or reference is None or pd.isna(value) or pd.isna(reference):
        return MISSING
    value, reference = float(value), float(reference)
    if reference == 0:
        return "etwa gleich" if value == 0 else "höher"
    ratio = value / reference
    if abs(ratio - 1.0) <= 0.05:
        return "etwa gleich"
    return "höher" if ratio > 1 else "niedriger"


def indicator_table(long: pd.DataFrame, pr_id: str, keys: tuple[str, ...] | None) -> pd.DataFrame:
    """The indicators of one area against the region, formatted for reading."""
    rows = long[long["pr_id"].astype(str) == pr_id]
    if keys is not None:
        rows = rows[rows["kennzahl"].isin(keys) | (rows["bereich"] == "Erreichbarkeit")]
    return pd.DataFrame({
        "Bereich": rows["bereich"].astype(str),
        "Kennzahl": rows["bezeichnung"].astype(str),
        "Planungsraum": [format_indicator(v, u) for v, u in zip(rows["wert"], rows["einheit"], strict=True)],
        "Vergleichswert": [format_indicator(v, u) for v, u in zip(rows["wert_region"], rows["einheit"], strict=True)],
        "Vergleich mit": rows["region_bezug"].astype(str),
        "Planungsraum ist": [comparison(v, r) for v, r in zip(rows["wert"], rows["wert_region"], strict=True)],
    })


GLANCE = (
    ("einwohner", "Einwohner"), ("anteil_65_plus", "Anteil 65 Jahre und älter"),
    ("anteil_unter_18", "Anteil unter 18 Jahre"), ("beratung_je_10000", "Beratungsangebote je 10.000 Einw."),
    ("anteil_stufenloser_zugang", "Angebote stufenlos zugänglich"),
)


def _at_a_glance(long: pd.DataFrame, pr_id: str) -> str:
    """Five key figures with the region value and a word for the comparison (Markdown list)."""
    lines = []
    for key, title in GLANCE:
        row = common.indicator_row(long, pr_id, key)
        if row is None:
            continue
        unit = str(row["einheit"])
        reference = "Ø je Planungsraum" if str(row["region_bezug"]).startswith("Durchschnitt") else "Region"
        lines.append(
            f"- **{title}:** {format_indicator(row['wert'], unit)} – {reference} "
            f"{format_indicator(row['wert_region'], unit)} "
            f"({comparison(row['wert'], row['wert_region'])})"
        )
    reach = long[(long["bereich"] == "Erreichbarkeit") & (long["pr_id"].astype(str) == pr_id)]
    if len(reach):
        row = reach.iloc[0]
        label = str(row["bezeichnung"]).removeprefix("Anteil erreicht: ")
        lines.append(f"- **Erreichen {label}:** {format_indicator(row['wert'], '%')} – Region "
                     f"{format_indicator(row['wert_region'], '%')} "
                     f"({comparison(row['wert'], row['wert_region'])})")
    return "\n".join(lines)


def _map(pr_id: str, inside: Any, gaps: dict[str, Any] | None) -> None:
    layers = common.map_layers()
    selected = [f for f in layers.areas["features"] if f["properties"]["pr_id"] == pr_id]
    others = [f for f in layers.areas["features"] if f["properties"]["pr_id"] != pr_id]
    groups: list[Any] = []
    legend: list[Any] = []
    if gaps is not None:
        groups.append(maps.outline_layer(gaps, name="Versorgungslücken", colour=theme.GAP_OUTLINE,
                                         fill_opacity=0.18, tooltip="Versorgungslücke"))
        legend.append(("Versorgungslücken", [maps.LegendEntry(
            "gestrichelt", theme.GAP_OUTLINE, "nicht in der gewählten Zeit erreichbar")]))
    groups += [
        maps.selection_layer({"type": "FeatureCollection", "features": selected},
                             fade_others={"type": "FeatureCollection", "features": others}),
        maps.area_layer({"type": "FeatureCollection", "features": selected},
                        [lab for lab in layers.area_labels if lab[2].startswith(f"{pr_id} ")]),
        maps.legend_layer(maps.legend_html(services=inside if len(inside) else None,
                                           selection=True, streets=False, extra=legend),
                          expanded=False),
    ]
    if len(inside):
        groups.append(maps.service_layer(inside, cluster=False))
    centre, zoom = maps.fit_view(layers.area_bounds[pr_id], width_px=540, height_px=480)
    fmap = maps.base_map(layers.basemap, online_tiles=common.online_tiles(),
                         label=f"Karte des Planungsraums {pr_id}", scroll_zoom=False,
                         view=maps.fit_view(layers.basemap.bounds, width_px=540, height_px=480))
    st_folium(fmap, key="profil_map", height=500, use_container_width=True,
              returned_objects=[], center=centre, zoom=zoom,
              feature_group_to_add=[maps.localize_assets(g) for g in groups])


def _reachability(pr_id: str, reach: Reach) -> tuple[dict[str, Any] | None, bool]:
    """Coverage and gaps of the area; returns the gap outline for the map."""
    from planungsraeume import erreichbarkeit as workflow

    store = common.workflow_store()
    try:
        with st.spinner("Erreichbarkeit wird berechnet …"):
            table = workflow.coverage(store, reach.profil, reach.typ, reach.filter, [reach.minuten],
                                      unbekannt=reach.unbekannt)
            gaps = workflow.gaps(store, reach.profil, reach.typ, reach.minuten, reach.filter,
                                 unbekannt=reach.unbekannt)
    except SozialraumError as exc:
        common.show_analysis_error(exc)
        return None, False
    area = table[table["pr_id"] == pr_id]
    total = table[table["pr_id"] == "gesamt"]
    if area.empty:
        st.info("In diesem Planungsraum wohnt nach dem Bevölkerungsmodell niemand.")
        return None, False
    row, region = area.iloc[0], total.iloc[0]
    cols = st.columns(4)
    cols[0].metric("Einwohner erreichen die Auswahl",
                   common.format_percent(row["anteil_erreicht_prozent"]),
                   help=f"Region: {common.format_percent(region['anteil_erreicht_prozent'])}")
    cols[1].metric("Davon 65 Jahre und älter", common.format_percent(row["anteil_ab65_erreicht_prozent"]),
                   help=f"Region: {common.format_percent(region['anteil_ab65_erreicht_prozent'])}")
    cols[2].metric("Einwohner in Versorgungslücken", common.format_number(row["einwohner_nicht_erreicht"]))
    cols[3].metric("Nicht angebunden", common.format_number(row["einwohner_nicht_angebunden"]),
                   help="Einwohner weiter als 250 m vom für das Profil passierbaren Wegenetz")
    st.caption(
        f"Region gesamt: {common.format_percent(region['anteil_erreicht_prozent'])} der Einwohner "
        f"erreichen {reach.label(common.profile_labels())}."
    )
    inside = gaps[gaps["pr_id"] == pr_id]
    if len(inside):
        top = inside.head(10)
        st.markdown(f"**Größte Versorgungslücken im Planungsraum** ({len(inside)} Zellen)")
        common.table(pd.DataFrame({
            "Gitterzelle": top["gitter_id"].astype(str),
            "Einwohner": top["einwohner"].astype(int),
            "65 Jahre und älter": top["alter_65_plus"].astype(int),
            "Minuten bis zum nächsten Angebot": [
                "nicht erreichbar" if pd.isna(m) else common.format_number(m, 1) for m in top["minuten"]],
        }))
    shapes, _cells, _people = common.gap_shapes(reach)
    return shapes, True


def _barriers(pr_id: str) -> None:
    from planungsraeume.barrieren import area_summary

    if not common.has_barrier_reports():
        st.info("Für diese Region liegen keine Barrieremeldungen vor.")
        return
    with st.spinner("Geschützte Barrieren-Übersicht wird erstellt …"):
        pub = common.barrier_publication("alle")
    summary = area_summary(pub, pr_id, top=5)
    st.markdown(summary.text())
    cols = st.columns(4)
    cols[0].metric("Personen mit Meldungen",
                   "keine Angabe" if summary.personen is None else common.format_number(summary.personen))
    cols[1].metric("Meldungen",
                   "keine Angabe" if summary.meldungen is None else common.format_number(summary.meldungen))
    cols[2].metric("Personen je 1.000 Einwohner",
                   "keine Angabe" if summary.rate_je_1000 is None else common.format_number(summary.rate_je_1000, 1))
    cols[3].metric("geglättet (Empirical Bayes)",
                   "keine Angabe" if summary.rate_eb_je_1000 is None else common.format_number(summary.rate_eb_je_1000, 1))
    left, right = st.columns(2)
    with left:
        st.markdown("**Häufigste ICF-Umweltfaktoren**")
        if len(summary.top_codes):
            common.table(pd.DataFrame({
                "Rang": summary.top_codes["rang"].astype(int),
                "ICF-Code": summary.top_codes["icf_code"].astype(str),
                "Bezeichnung": summary.top_codes["icf_titel"].astype(str),
                "Personen": [common.format_number(v) for v in summary.top_codes["personen"]],
            }))
        else:
            st.markdown("keine Angabe (zu wenige Personen je Code)")
    with right:
        st.markdown("**Entwicklung nach Jahren**")
        trend = summary.trend
        if len(trend):
            common.table(pd.DataFrame({
                "Jahr": ["keine Angabe" if pd.isna(j) else str(int(j)) for j in trend["jahr"]],
                "Personen": ["keine Angabe" if pd.isna(v) else common.format_number(v) for v in trend["personen"]],
                "Meldungen": ["keine Angabe" if pd.isna(v) else common.format_number(v) for v in trend["meldungen"]],
            }))
        else:
            st.markdown("keine Angabe")
    st.caption(
        f"Geheimhaltung: {summary.geheimhaltung}. Gezählt werden verschiedene Personen, nicht "
        f"Nennungen; Werte unter {settings.privacy_min_persons} Personen erscheinen als „keine "
        "Angabe“. Die vollständige Regel steht auf der Seite „Barrieren (ICF)“."
    )


def _coverage_choice(reach: Reach) -> CoverageChoice:
    """The Steckbrief's reachability section for the question set on the page.

    The chosen profile is shown beside walking (the reference every reader knows); the type,
    minutes and the handling of unknown way attributes follow the question. Accessibility
    features of the offers are not part of the Steckbrief's per-type table.
    """
    # Imported here: the Steckbrief module pulls in matplotlib, which the page load need not pay.
    from planungsraeume.steckbrief import CoverageChoice

    profiles = tuple(dict.fromkeys(("fuss", reach.profil)))
    return CoverageChoice(typen=(reach.typ,) if reach.typ else None, profile=profiles,
                          minuten=float(reach.minuten), unbekannt=reach.unbekannt)


@st.fragment
def _steckbrief(pr_id: str, name: str) -> None:
    """Create the Steckbrief of the area (PDF and HTML) and offer both for download."""
    from planungsraeume.steckbrief import write_reports

    state_key = "profil_steckbrief"
    token = common.token()
    reach = common.current_reach()
    choice = _coverage_choice(reach)
    ready = st.session_state.get(state_key)
    if not (isinstance(ready, dict) and ready.get("key") == (token, pr_id, choice)):
        ready = None
    if ready is None:
        if st.button("Steckbrief herunterladen (PDF/HTML) – erstellen", key="profil_steckbrief_erstellen",
                     icon=":material/description:",
                     help="Erstellt den Planungsraum-Steckbrief mit Karte, Kennzahlen, "
                          "Erreichbarkeit, geschützter Barrieren-Übersicht und Angebotsliste."):
            with st.status(f"Steckbrief für {pr_id} {name} wird erstellt …", expanded=True) as status:
                bar = st.progress(0.0)

                def progress(fraction: float, label: str) -> None:
                    bar.progress(min(1.0, max(0.0, fraction)), text=label or None)

                try:
                    with tempfile.TemporaryDirectory(prefix="sozialraum-steckbrief-") as folder:
                        files = write_reports(common.store(), folder, pr_ids=[pr_id],
                                              formats=("pdf", "html"), progress=progress,
                                              coverage_choice=choice)
                        content = {Path(f).suffix: (Path(f).name, Path(f).read_bytes())
                                   for f in files if Path(f).name != "index.html"}
                except SozialraumError as exc:
                    status.update(label="Steckbrief konnte nicht erstellt werden", state="error")
                    st.error(str(exc))
                    return
                status.update(label="Steckbrief erstellt", state="complete", expanded=False)
            ready = {"key": (token, pr_id, choice), "dateien": content}
            st.session_state[state_key] = ready
    if ready is not None:
        files = ready["dateien"]
        cols = st.columns(2)
        if ".pdf" in files:
            file_name, data = files[".pdf"]
            cols[0].download_button("Steckbrief herunterladen (PDF)", data, file_name=file_name,
                                    mime="application/pdf", key="profil_steckbrief_pdf",
                                    on_click="ignore", icon=":material/picture_as_pdf:")
        if ".html" in files:
            file_name, data = files[".html"]
            cols[1].download_button("Steckbrief herunterladen (HTML, barrierearm)", data,
                                    file_name=file_name, mime="text/html",
                                    key="profil_steckbrief_html", on_click="ignore",
                                    icon=":material/html:")


def render() -> None:
    """Draw the page."""
    st.title("Planungsräume")
    if not common.ensure_region_built():
        return
    common.data_notice()
    overview = common.area_overview()
    options = [str(v) for v in overview["pr_id"]]
    names = dict(zip(options, overview["name"].astype(str), strict=True))
    if st.session_state.get(AREA_KEY) not in options:
        st.session_state[AREA_KEY] = options[0]
    st.selectbox("Planungsraum", options, key=AREA_KEY, format_func=lambda v: f"{v} {names[v]}")
    pr_id = st.session_state[AREA_KEY]
    st.header(f"Profil: {pr_id} {names[pr_id]}", anchor=False)

    services = common.services_web()
    inside = services[services["pr_id"] == pr_id]
    population = common.has_population()
    reach = common.current_reach()
    with st.expander("Erreichbarkeit einstellen (gilt auch für Karte und Konferenzmodus)",
                     expanded=False):
        if population:
            reach = common.reach_controls("profil", layout="wide")
        else:
            st.info("Diese Region hat keine Bevölkerungsdaten: Versorgungsgrad und Lücken "
                    "lassen sich nicht berechnen.")
    with st.spinner("Kennzahlen werden berechnet …"):
        long = common.indicators(reach if population else None)

    map_col, glance_col = st.columns([3, 2], gap="medium")
    with glance_col:
        st.subheader("Auf einen Blick", anchor=False)
        st.markdown(_at_a_glance(long, pr_id))
    st.subheader("Kennzahlen im Vergleich zur Region", anchor=False)
    main = indicator_table(long, pr_id, MAIN_KEYS)
    common.table(main, column_config={"Vergleich mit": None})
    st.caption(
        "Vergleichswert: bei Anteilen und Raten der Wert der ganzen Region, bei Anzahlen der "
        "Durchschnitt je Planungsraum. Einwohner je 100-m-Zelle nach dem Zellmittelpunkt "
        "zugeordnet; nur heute gültige Angebote."
    )
    gap_shapes: dict[str, Any] | None = None
    st.subheader("Erreichbarkeit und Versorgungslücken", anchor=False)
    if population:
        st.markdown(f"**{reach.label(common.profile_labels())}**")
        gap_shapes, _ok = _reachability(pr_id, reach)
    else:
        st.info("Ohne Bevölkerungsdaten gibt es keinen Versorgungsgrad.")
    with map_col:
        _map(pr_id, inside, gap_shapes)

    with st.expander("Alle Kennzahlen dieses Planungsraums", expanded=False):
        full = indicator_table(long, pr_id, None)
        common.table(full)
        st.download_button(
            "Kennzahlen aller Planungsräume als CSV herunterladen",
            lambda: common.csv_bytes(_wide(long)),
            file_name=f"kennzahlen_{common.region_name()}.csv", mime="text/csv",
            key="profil_kennzahlen_csv", on_click="ignore",
        )

    st.subheader("Barrieren (geschützte Übersicht)", anchor=False)
    _barriers(pr_id)

    st.subheader(f"Angebote im Planungsraum ({len(inside)})", anchor=False)
    table = pd.DataFrame({
        "Name": inside["name"], "Typ": inside["typ"], "Straße": inside["strasse"],
        "Hausnr.": inside["hausnummer"], "Stufenlos": inside["stufenloser_zugang"],
        "Quelle": inside["quelle"],
    })
    common.table(table)
    st.download_button(
        "Angebote des Planungsraums als CSV herunterladen", common.csv_bytes(table),
        file_name=f"angebote_{pr_id}.csv", mime="text/csv", key="dl_profil", on_click="ignore",
    )

    st.subheader("Steckbrief", anchor=False)
    st.markdown("Ein bis zwei Seiten für die Planungsraumkonferenz: Karte, Kennzahlen, "
                "Erreichbarkeit, Barrieren (geschützt) und die Angebote – als PDF zum Drucken und "
                "als barrierearme HTML-Datei.")
    _steckbrief(pr_id, names[pr_id])


def _wide(long: pd.DataFrame) -> pd.DataFrame:
    from planungsraeume.indikatoren import indicators_wide

    return indicators_wide(long)


common.page_frame()
common.guarded(render)
