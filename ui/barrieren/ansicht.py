"""The map, tables, downloads and rule text of the Barrieren page (published values only)."""

from __future__ import annotations

import tempfile
from typing import Any

import streamlit as st

from analyses.privacy import DisclosureRule, Publication
from layers import settings
from layers.sicher import path_inside, safe_file_name
from planungsraeume import barrieren, darstellung
from planungsraeume.region import Region
from ui import cached, legend, mapdata, maps, overlays, state, theme, widgets

__all__ = ["area_table", "downloads", "grid_map", "hotspot_list", "rule_text", "tables"]


def area_table(region: Region, pub: Publication) -> Any:
    """Per planning area: published persons, reports, inhabitants and rates, as German text.

    Inhabitants and rates are those of :func:`planungsraeume.barrieren.area_table` (through
    :func:`planungsraeume.barrieren.area_summaries`, with the top ICF codes and the trend).
    """
    return darstellung.barrier_area_table(barrieren.area_summaries(region, pub, top=3))


def grid_map(region: Region, grid: cached.BarrierGrid, resolution: int) -> None:
    """The published grid classed by the smoothed rate, the Gi* hotspots and the areas."""
    layers = cached.map_layers(region)
    if len(grid.gitter):
        geojson, entries = mapdata.published_grid_classes(grid.gitter, theme.RATE_COLOURS)
    else:
        geojson, entries = cached.EMPTY_GEOJSON, []
    groups = [
        overlays.classed_layer(geojson, name="Barrieren je Gitterzelle",
                           tooltip_fields=["label", "personen", "meldungen", "hotspot"],
                           tooltip_aliases=["Personen je 1.000 Einw. (geglättet)", "Personen",
                                            "Meldungen", "Gi*"], fill_opacity=theme.FILL_OPACITY["barrieren"]),
        overlays.outline_layer(grid.umriss, name="Hotspots", colour=theme.HOTSPOT_OUTLINE, dash=None,
                           weight=3, tooltip="Hotspot (Gi*, signifikant)"),
        overlays.area_layer(layers.areas, layers.area_labels),
    ]
    sections = [
        ("Personen je 1.000 Einwohner (geglättet)",
         [legend.LegendEntry("flaeche", colour, label) for colour, label in entries]
         + [legend.LegendEntry("flaeche", "#ffffff", "keine Angabe (unter "
                               f"{settings.privacy_min_persons} Personen oder geschützt)")]),
        ("Schwerpunkte", [legend.LegendEntry("umriss", theme.HOTSPOT_OUTLINE,
                                             f"Hotspot (Gi*, {grid.hotspot_zellen} Zellen)")]),
    ]
    groups.append(legend.legend_layer(legend.legend_html(streets=False, extra=sections)))
    view = maps.fit_view(layers.basemap.bounds, width_px=920, height_px=620)
    fmap = maps.base_map(
        layers.basemap, online_tiles=state.online_tiles(), view=view,
        label=f"Karte der Barrieremeldungen je {resolution}-m-Gitterzelle (geschützt)")
    legend.show_map(fmap, key="barrieren_map", height=620, use_container_width=True, center=view[0],
              zoom=view[1], returned_objects=[],
              feature_group_to_add=[maps.localize_assets(g) for g in groups])


def tables(region: Region, pub: Publication, grid: cached.BarrierGrid) -> dict[str, Any]:
    """The region's ICF codes and years, then the four tables; returns them for downloads."""
    codes = darstellung.barrier_code_table(pub)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown("**Häufigste ICF-Umweltfaktoren (Region)**")
        widgets.table(codes[["ICF-Code", "Bezeichnung", "Personen"]].head(10))
    with right:
        st.markdown("**Entwicklung nach Jahren (Region)**")
        widgets.table(darstellung.barrier_year_table(pub))
    hotspots = hotspot_list(region, grid)
    st.header("Tabellen", anchor=False)
    areas = area_table(region, pub)
    tabs = st.tabs(["Planungsräume", "ICF-Codes", "Gitterzellen", "Straßen"])
    with tabs[0]:
        widgets.table(areas)
        st.caption("Einwohner wie auf allen Seiten (jede 100-m-Zelle in genau einem "
                   "Planungsraum). Rate und geglättete Rate (Empirical Bayes) je 1.000 "
                   "Einwohner. „keine Angabe“: weniger als die Mindestzahl Personen oder zum "
                   "Schutz vor Zurückrechnen ausgeblendet.")
    with tabs[1]:
        widgets.table(codes)
    with tabs[2]:
        widgets.table(darstellung.barrier_grid_table(grid.gitter))
    with tabs[3]:
        widgets.table(darstellung.barrier_street_table(pub))
        st.caption("Sortiert nach Personen (die meisten zuerst); „keine Angabe“ am Ende.")
    return {"areas": areas, "codes": codes, "hotspots": hotspots}


def hotspot_list(region: Region, grid: cached.BarrierGrid) -> Any:
    """The published hotspot cells as a ranked list with planning area and streets."""
    st.header("Schwerpunkte: wo zuerst hinsehen", anchor=False)
    table = darstellung.barrier_hotspot_table(grid.gitter, region.areas(),
                                              cached.named_streets(region),
                                              area_names=region.area_names())
    if not len(table):
        st.info("In dieser Auswahl gibt es keine signifikanten Schwerpunkte (Hotspots). "
                + grid.hinweis, icon=":material/info:")
        return table
    widgets.table(table)
    st.caption("Rang 1 ist der stärkste Schwerpunkt (Getis-Ord Gi*: die Zelle und ihre "
               "Nachbarn haben zusammen deutlich mehr Personen mit Meldungen je Einwohner als "
               "die Region). Planungsraum nach derselben Regel wie überall; Straßen: die mit dem "
               "längsten Abschnitt in der Zelle. Nur veröffentlichte (geschützte) Zellwerte.")
    return table


def downloads(pub: Publication, grid: Any, shown: dict[str, Any], stem: str) -> None:
    """CSV of the tables and one GeoPackage of every published table with the rule."""

    def gpkg() -> bytes:
        import pyogrio

        with tempfile.TemporaryDirectory(prefix="sozialraum-barrieren-") as folder:
            path = path_inside(folder, f"{safe_file_name(stem)}.gpkg")
            pub.export(path)  # every published table and the rule text
            pyogrio.write_dataframe(grid, path, layer="barrieren_gitter_gi_stern", driver="GPKG")
            return path.read_bytes()

    if len(shown.get("hotspots", [])):
        widgets.csv_download("Schwerpunkte als Rangliste (CSV)", shown["hotspots"],
                             f"{stem}_schwerpunkte.csv", "barrieren_dl_schwerpunkte")
    cols = st.columns(4)
    widgets.csv_download("Planungsräume (CSV)", shown["areas"], f"{stem}_planungsraeume.csv",
                         "barrieren_dl_pr", target=cols[0])
    widgets.csv_download("ICF-Codes (CSV)", shown["codes"], f"{stem}_icf.csv",
                         "barrieren_dl_icf", target=cols[1])
    widgets.csv_download("Gitterzellen (CSV)", lambda: darstellung.barrier_grid_table(grid),
                         f"{stem}_gitter.csv", "barrieren_dl_gitter", target=cols[2])
    cols[3].download_button("GeoPackage (alle Tabellen)", gpkg, file_name=f"{safe_file_name(stem)}.gpkg",
                            mime="application/geopackage+sqlite3", key="barrieren_dl_gpkg",
                            on_click="ignore")
    st.caption("Heruntergeladen werden nur die veröffentlichten Werte mit der Regel als eigener "
               "Tabelle („geheimhaltung_regel“) – nie Einzelmeldungen oder Meldeorte.")


def rule_text(pub: Publication | None) -> None:
    """The full disclosure rule and why the page offers fixed selections only."""
    rule = pub.rule if pub is not None else DisclosureRule.oeffentlich()
    st.header("Datenschutz-Regel", anchor=False)
    st.markdown(rule.beschreibung())
    st.markdown(
        "Diese Seite bietet deshalb nur **feste Auswahlen** an (alle Barrieren, ein ICF-Kapitel, "
        "eine Beeinträchtigungsgruppe, ein ICF-Code; alle Jahre oder ein Jahr) und keine freien "
        "Kombinationen."
    )
