"""Page 'Barrieren (ICF)': where barriers are reported, by ICF environmental factor and impairment
group — only as protected aggregates.

Every figure, map cell and download on this page comes from a
:class:`analyses.privacy.Publication` (through :mod:`planungsraeume.barrieren`): at least the
minimum number of distinct persons, cell-key perturbation and rounding (the same persons give the
same value everywhere), no report locations. The page offers the release's fixed selections
(all, one ICF chapter, one impairment group, one ICF code; all years or one year), never free
combinations.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analyses.privacy import MISSING_LABEL
from layers import settings
from layers.errors import SozialraumError
from ui import common, mapdata, maps, theme

CHOICE_KEY = "barrieren_auswahl"
YEAR_KEY = "barrieren_jahr"
GRID_KEY = "barrieren_gitter"
RESOLUTIONS = (250, 500, 1000, 100)


def count_text(value: Any) -> str:
    """A published count in German format, or "keine Angabe" (suppressed and empty look alike)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return MISSING_LABEL
    return common.format_number(float(value))


def rate_text(value: Any) -> str:
    """A published rate with one decimal, or "keine Angabe"."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return MISSING_LABEL
    return common.format_number(float(value), 1)


def area_table(pub: Any) -> pd.DataFrame:
    """Planning areas with published persons, reports, rates, top ICF codes and trend."""
    from planungsraeume.barrieren import area_summaries

    rows = []
    for summary in area_summaries(pub, top=3):
        trend = summary.trend.dropna(subset=["jahr"])
        trend_text = ", ".join(
            f"{int(year)}: {count_text(persons)}"
            for year, persons in zip(trend["jahr"], trend["personen"], strict=True)
        ) or MISSING_LABEL
        codes = ", ".join(f"{r.icf_code} {r.icf_titel}" for r in summary.top_codes.itertuples())
        rows.append({
            "Nr.": summary.pr_id,
            "Planungsraum": summary.name,
            "Personen": count_text(summary.personen),
            "Meldungen": count_text(summary.meldungen),
            "Einwohner": count_text(summary.einwohner),
            "Personen je 1.000 Einw.": rate_text(summary.rate_je_1000),
            "geglättet (EB)": rate_text(summary.rate_eb_je_1000),
            "Häufigste ICF-Codes": codes or MISSING_LABEL,
            "Personen nach Jahr": trend_text,
        })
    return pd.DataFrame(rows)


def code_table(pub: Any) -> pd.DataFrame:
    """Published ICF codes of the whole region with German titles."""
    codes = pub.icf_region()
    return pd.DataFrame({
        "Rang": codes["rang"].astype(int),
        "ICF-Code": codes["icf_code"].astype(str),
        "Kapitel": codes["icf_code"].astype(str).str[:2],
        "Bezeichnung": codes["icf_titel"].astype(str),
        "Personen": [count_text(v) for v in codes["personen"]],
        "Meldungen": [count_text(v) for v in codes["meldungen"]],
    })


def year_table(pub: Any) -> pd.DataFrame:
    """Published persons and reports per year for the region and each planning area."""
    region = pub.jahre_region()
    table = pd.DataFrame({
        "Jahr": [MISSING_LABEL if pd.isna(j) else str(int(j)) for j in region["jahr"]],
        "Region: Personen": [count_text(v) for v in region["personen"]],
        "Region: Meldungen": [count_text(v) for v in region["meldungen"]],
    })
    return table


def grid_table(grid: pd.DataFrame) -> pd.DataFrame:
    """Published grid cells (no coordinates: the cell id is the Zensus grid id)."""
    return pd.DataFrame({
        "Gitterzelle": grid["gitter_id"].astype(str),
        "Personen": [count_text(v) for v in grid["personen"]],
        "Meldungen": [count_text(v) for v in grid["meldungen"]],
        "Einwohner": [count_text(v) for v in grid["einwohner"]],
        "Personen je 1.000 Einw.": [rate_text(v) for v in grid["rate_je_1000"]],
        "geglättet (EB)": [rate_text(v) for v in grid["rate_eb_je_1000"]],
        "Gi*-Klasse": grid["klasse"].astype(str) if "klasse" in grid else "",
    })


def street_table(pub: Any) -> pd.DataFrame:
    """Published streets (reports within 25 m of a named street)."""
    streets = pub.strassen()
    return pd.DataFrame({
        "Straße": streets["strasse"].astype(str),
        "Personen": [count_text(v) for v in streets["personen"]],
        "Meldungen": [count_text(v) for v in streets["meldungen"]],
    })


def _map(grid_geojson: dict[str, Any], legend_entries: list[tuple[str, str]],
         hotspots: dict[str, Any], hotspot_cells: int, resolution: int) -> None:
    layers = common.map_layers()
    groups = [
        maps.classed_layer(grid_geojson, name="Barrieren je Gitterzelle",
                           tooltip_fields=["label", "personen", "meldungen", "hotspot"],
                           tooltip_aliases=["Personen je 1.000 Einw. (geglättet)", "Personen",
                                            "Meldungen", "Gi*"], fill_opacity=0.7),
        maps.outline_layer(hotspots, name="Hotspots", colour=theme.HOTSPOT_OUTLINE, dash=None,
                           weight=3, tooltip="Hotspot (Gi*, signifikant)"),
        maps.area_layer(layers.areas, layers.area_labels),
    ]
    legend = [
        ("Personen je 1.000 Einwohner (geglättet)",
         [maps.LegendEntry("flaeche", colour, label) for colour, label in legend_entries]
         + [maps.LegendEntry("flaeche", "#ffffff", f"keine Angabe (unter {settings.privacy_min_persons} Personen oder geschützt)")]),
        ("Schwerpunkte", [maps.LegendEntry("umriss", theme.HOTSPOT_OUTLINE,
                                           f"Hotspot (Gi*, {hotspot_cells} Zellen)")]),
    ]
    groups.append(maps.legend_layer(maps.legend_html(streets=False, extra=legend)))
    view = maps.fit_view(layers.basemap.bounds, width_px=920, height_px=620)
    fmap = maps.base_map(layers.basemap, online_tiles=common.online_tiles(),
                         label=f"Karte der Barrieremeldungen je {resolution}-m-Gitterzelle (geschützt)",
                         view=view)
    st_folium(fmap, key="barrieren_map", height=620, use_container_width=True, center=view[0],
              zoom=view[1], returned_objects=[],
              feature_group_to_add=[maps.localize_assets(g) for g in groups])


def _downloads(pub: Any, grid: Any, areas: pd.DataFrame, codes: pd.DataFrame, stem: str) -> None:
    def gpkg() -> bytes:
        with tempfile.TemporaryDirectory(prefix="sozialraum-barrieren-") as folder:
            path = Path(folder) / f"{stem}.gpkg"
            pub.export(path)  # every published table and the rule text
            import pyogrio

            pyogrio.write_dataframe(grid, path, layer="barrieren_gitter_gi_stern", driver="GPKG")
            return path.read_bytes()

    cols = st.columns(4)
    cols[0].download_button("Planungsräume (CSV)", lambda: common.csv_bytes(areas),
                            file_name=f"{stem}_planungsraeume.csv", mime="text/csv",
                            key="barrieren_dl_pr", on_click="ignore")
    cols[1].download_button("ICF-Codes (CSV)", lambda: common.csv_bytes(codes),
                            file_name=f"{stem}_icf.csv", mime="text/csv", key="barrieren_dl_icf",
                            on_click="ignore")
    cols[2].download_button("Gitterzellen (CSV)", lambda: common.csv_bytes(grid_table(grid)),
                            file_name=f"{stem}_gitter.csv", mime="text/csv",
                            key="barrieren_dl_gitter", on_click="ignore")
    cols[3].download_button("GeoPackage (alle Tabellen)", gpkg,
                            file_name=f"{stem}.gpkg", mime="application/geopackage+sqlite3",
                            key="barrieren_dl_gpkg", on_click="ignore")
    st.caption("Heruntergeladen werden nur die veröffentlichten Werte mit der Regel als eigener "
               "Tabelle („geheimhaltung_regel“) – nie Einzelmeldungen oder Meldeorte.")


def render() -> None:
    """Draw the page."""
    st.title("Barrieren (ICF)")
    if not common.ensure_region_built():
        return
    common.data_notice()
    st.info(
        f"Datenschutz: Gezeigt werden nur zusammengefasste Werte mit mindestens "
        f"{settings.privacy_min_persons} verschiedenen Personen, leicht zufällig verändert "
        "(Cell-Key-Methode wie beim Zensus 2022) und auf Vielfache von "
        f"{settings.privacy_rounding_base} gerundet; dieselben Personen ergeben überall dieselbe "
        "Zahl. Keine Meldeorte, keine Punkte. Die vollständige Regel steht unten.",
        icon=":material/lock:",
    )
    if not common.has_barrier_reports():
        st.warning("Für diese Region liegen keine Barrieremeldungen vor. Meldungen importieren Sie "
                   "auf der Seite „Daten“.", icon=":material/info:")
        _rule_text(None)
        return

    choices, years = common.barrier_choices()
    keys = [c[0] for c in choices]
    labels = {c[0]: c[1] for c in choices}
    cols = st.columns([3, 1.4, 1.2])
    with cols[0]:
        choice = str(st.selectbox(
            "Auswahl der Meldungen", keys, key=CHOICE_KEY, format_func=lambda k: labels.get(k, k),
            help="Eine feste Auswahl: alle Barrieren, ein ICF-Kapitel, eine "
                 "Beeinträchtigungsgruppe oder ein ICF-Code. Freie Kombinationen gibt es nicht, "
                 "damit sich geschützte Werte nicht durch Vergleich zweier Auswahlen "
                 "zurückrechnen lassen.",
        ))
    with cols[1]:
        year_options: list[int | None] = [None, *years]
        span = f"{years[0]}–{years[-1]}" if years else ""
        jahr = st.selectbox("Zeitraum", year_options, key=YEAR_KEY,
                            format_func=lambda y: f"alle Jahre {span}".strip() if y is None else str(y))
    with cols[2]:
        resolution = st.selectbox("Gitterweite", RESOLUTIONS, key=GRID_KEY,
                                  format_func=lambda r: f"{r} m",
                                  help="Größere Zellen zeigen mehr Zellen mit Wert, kleinere "
                                       "sind genauer, aber öfter geschützt.")
    with st.status("Geschützte Auswertung wird erstellt …", expanded=False) as status:
        bar = st.progress(0.0, text="Zählen und Geheimhaltung prüfen")
        try:
            pub = common.barrier_publication(choice, jahr)
            bar.progress(0.5, text="Hotspot-Analyse (Gi*) auf dem veröffentlichten Gitter")
            try:
                hot = common.barrier_hotspots(choice, jahr, int(resolution))
                grid, hotspots_note = hot.gitter, f"Methode: {hot.methode}"
                hot_shapes, hot_cells = common.hotspot_shapes(choice, jahr, int(resolution))
            except SozialraumError as exc:
                from analyses.hotspots import smoothed_rates

                grid = smoothed_rates(pub.gitter(int(resolution)))
                hotspots_note = f"Keine Hotspot-Analyse: {exc.meldung} {exc.hinweis}".strip()
                hot_shapes, hot_cells = {"type": "FeatureCollection", "features": []}, 0
            bar.progress(1.0, text="fertig")
        except SozialraumError as exc:
            status.update(label="Auswertung nicht möglich", state="error", expanded=True)
            common.show_analysis_error(exc)
            return
        status.update(label=f"Geschützte Auswertung: {pub.filter.beschreibung()}", state="complete")

    region = pub.region().iloc[0]
    metric_cols = st.columns(4)
    metric_cols[0].metric("Personen mit Meldungen", count_text(region.get("personen")))
    metric_cols[1].metric("Meldungen", count_text(region.get("meldungen")))
    metric_cols[2].metric(f"Gitterzellen mit Wert ({resolution} m)", common.format_number(len(grid)))
    metric_cols[3].metric("Zellen in Hotspots (Gi*)", common.format_number(hot_cells))
    st.caption(f"Auswahl: {pub.filter.beschreibung()}. Geheimhaltung: {pub.rule.kennzeichnung}.")

    if len(grid):
        geojson, legend_entries = mapdata.published_grid_classes(grid, theme.RATE_COLOURS)
    else:
        geojson, legend_entries = {"type": "FeatureCollection", "features": []}, []
    _map(geojson, legend_entries, hot_shapes, hot_cells, int(resolution))
    st.caption(
        "Farbe = Personen mit Meldungen je 1.000 Einwohner der Zelle, geglättet nach "
        "Empirical Bayes (kleine Zellen werden zum Mittel gezogen). Schwarz umrandet: "
        f"Hotspots nach Getis-Ord Gi*. {hotspots_note.rstrip('.')}. Weiße Flächen: keine Angabe."
    )
    codes = code_table(pub)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown("**Häufigste ICF-Umweltfaktoren (Region)**")
        common.table(codes[["ICF-Code", "Bezeichnung", "Personen"]].head(10))
    with right:
        st.markdown("**Entwicklung nach Jahren (Region)**")
        common.table(year_table(pub))

    st.header("Tabellen", anchor=False)
    areas = area_table(pub)
    tabs = st.tabs(["Planungsräume", "ICF-Codes", "Gitterzellen", "Straßen"])
    with tabs[0]:
        common.table(areas)
        st.caption("Rate und geglättete Rate (Empirical Bayes) je 1.000 Einwohner. „keine "
                   "Angabe“: weniger als die Mindestzahl Personen oder zum Schutz vor "
                   "Zurückrechnen ausgeblendet.")
    with tabs[1]:
        common.table(codes)
    with tabs[2]:
        common.table(grid_table(grid))
    with tabs[3]:
        common.table(street_table(pub))
    stem = f"barrieren_{common.region_name()}_{choice.replace(':', '_')}" + (f"_{jahr}" if jahr else "")
    _downloads(pub, grid, areas, codes, stem)
    _rule_text(pub)


def _rule_text(pub: Any) -> None:
    from analyses.privacy import DisclosureRule

    rule = pub.rule if pub is not None else DisclosureRule.oeffentlich()
    st.header("Datenschutz-Regel", anchor=False)
    st.markdown(rule.beschreibung())
    st.markdown(
        "Diese Seite bietet deshalb nur **feste Auswahlen** an (alle Barrieren, ein ICF-Kapitel, "
        "eine Beeinträchtigungsgruppe, ein ICF-Code; alle Jahre oder ein Jahr) und keine freien "
        "Kombinationen."
    )


common.page_frame()
common.guarded(render)
