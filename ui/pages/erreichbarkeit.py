"""Page 'Erreichbarkeit': how fast people reach a suitable offer, on foot, with a walker, in a
wheelchair; where the gaps are; isochrones; distance to public transport and ÖV-Güteklassen.

Everything is computed by :mod:`planungsraeume.erreichbarkeit` (cached by the store's version token); this
page only chooses, draws and formats.
"""

from __future__ import annotations

import time
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analyses.coverage import time_band_labels
from layers.errors import SozialraumError
from planungsraeume import erreichbarkeit as workflow
from ui import common, maps, theme
from ui.auswahl import MINUTES, Reach

MAP_KEY = "erreich_map"
# streamlit-folium fixes its returned objects when the map is first drawn; the map that reports
# clicks (isochrone from a point) is therefore a separate component with its own key.
CLICK_MAP_KEY = "erreich_map_klick"
POINT_KEY = "erreich_punkt"
ISO_MODE_KEY = "erreich_iso_art"
ISO_SERVICE_KEY = "erreich_iso_angebot"
VIEW_KEY = "erreich_ansicht"
ISO_MODES = {"keine": "keine", "angebot": "ab einem Angebot", "punkt": "ab einem Punkt in der Karte"}


def _on_map_click() -> None:
    """Remember a click on the map as the start point of an isochrone (before the rerun)."""
    value = st.session_state.get(CLICK_MAP_KEY) or {}
    clicked = value.get("last_clicked") if isinstance(value, dict) else None
    if clicked and st.session_state.get(ISO_MODE_KEY) == "punkt":
        st.session_state[POINT_KEY] = (round(float(clicked["lat"]), 6), round(float(clicked["lng"]), 6))


def coverage_table(table: pd.DataFrame, minutes: int) -> pd.DataFrame:
    """The coverage of one threshold per planning area, with German headers (region row last)."""
    rows = table[table["schwelle_min"].astype(float) == float(minutes)]
    return pd.DataFrame({
        "Nr.": rows["pr_id"].replace({"gesamt": "", "ohne": "–"}).astype(str),
        "Planungsraum": rows["planungsraum"].astype(str),
        "Einwohner": rows["einwohner"].astype(int),
        "erreicht": rows["einwohner_erreicht"].astype(int),
        "nicht erreicht": rows["einwohner_nicht_erreicht"].astype(int),
        "nicht angebunden": rows["einwohner_nicht_angebunden"].astype(int),
        "Anteil erreicht (%)": rows["anteil_erreicht_prozent"].astype(float),
        "65 Jahre und älter": rows["ab65"].astype(int),
        "65+ erreicht": rows["ab65_erreicht"].astype(int),
        "Anteil 65+ erreicht (%)": rows["anteil_ab65_erreicht_prozent"].astype(float),
    })


def thresholds_table(table: pd.DataFrame) -> pd.DataFrame:
    """Share reached per planning area and threshold (one column per threshold)."""
    wide = table.pivot_table(index=["pr_id", "planungsraum"], columns="schwelle_min",
                             values="anteil_erreicht_prozent", sort=False)
    wide.columns = [f"in {m:g} Min. (%)" for m in wide.columns]
    wide = wide.reset_index().rename(columns={"pr_id": "Nr.", "planungsraum": "Planungsraum"})
    wide["Nr."] = wide["Nr."].replace({"gesamt": "", "ohne": "–"})
    return wide


def band_table(bands: pd.DataFrame) -> pd.DataFrame:
    """Population of the region by travel-time class."""
    region = bands[bands["pr_id"] == "gesamt"]
    return pd.DataFrame({
        "Reisezeit": region["kategorie"].astype(str),
        "Einwohner": region["anzahl"].astype(int),
        "Anteil (%)": region["anteil_prozent"].astype(float),
    })


def _cells_export(travel: pd.DataFrame, reach: Reach) -> gpd.GeoDataFrame:
    from analyses.coverage import assign_to_areas, time_bands

    store = common.workflow_store()
    cells = workflow.origins_layer(store, "bevoelkerung")
    areas = store.read_layer("planungsraeume")
    assigned = assign_to_areas(cells, areas)
    frame = gpd.GeoDataFrame({
        "gitter_id": cells["gitter_id"].astype(str),
        "pr_id": assigned["pr_id"],
        "planungsraum": assigned["planungsraum"],
        "einwohner": cells["einwohner"],
        "alter_65_plus": cells["alter_65_plus"],
        "minuten": travel["minuten"].round(2),
        "reisezeit_klasse": time_bands(travel).astype(str),
        "status": travel["status"].astype(str),
        "naechstes_angebot": travel["angebot_name"].astype(str),
        "angebot_id": travel["angebot_id"].astype(str),
        "auswahl": reach.selection_label(),
        "profil": reach.profil,
        "unbekannt": reach.unbekannt,
    }, geometry=cells.geometry, crs=cells.crs)
    return frame


def _services_of(reach: Reach) -> gpd.GeoDataFrame:
    from analyses.network.search import select_services

    return select_services(common.services_web(), reach.typ, reach.filter)


def _isochrone(reach: Reach, selected: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame | None, tuple[float, float] | None, str]:
    """The isochrone the user asked for (from a service or a clicked point), if any."""
    mode = st.session_state.get(ISO_MODE_KEY, "keine")
    point: tuple[float, float] | None = None
    label = ""
    if mode == "angebot":
        chosen = st.session_state.get(ISO_SERVICE_KEY)
        hit = selected[selected["angebot_id"].astype(str) == str(chosen)]
        if len(hit):
            point = (float(hit.geometry.y.iloc[0]), float(hit.geometry.x.iloc[0]))
            label = f"ab {hit['name'].iloc[0]}"
    elif mode == "punkt":
        value = st.session_state.get(POINT_KEY)
        if value:
            point = (float(value[0]), float(value[1]))
            label = f"ab dem Punkt {common.format_number(point[0], 5)} N, {common.format_number(point[1], 5)} O"
    if point is None:
        return None, None, ""
    store = common.workflow_store()
    x, y = common.to_region_crs(point[0], point[1], store.crs)
    budgets = [m for m in MINUTES if m <= reach.minuten]
    try:
        result = workflow.point_isochrones(store, reach.profil, x, y, budgets, unbekannt=reach.unbekannt)
    except SozialraumError as exc:
        common.show_analysis_error(exc)
        return None, point, label
    return result, point, label


def _reach_view() -> None:
    if not common.has_population():
        st.info(
            "Diese Region hat keine Bevölkerungsdaten (kein Zensus-Gitter, keine Gebäude für ein "
            "Modell). Versorgungsgrad und Versorgungslücken je Einwohner lassen sich deshalb nicht "
            "berechnen. Die Ansicht „Bus und Bahn (ÖV)“ wertet stattdessen Adressen aus.",
            icon=":material/info:",
        )
        return
    reach = common.reach_controls("erreich", layout="wide")
    store = common.workflow_store()
    started = time.perf_counter()
    with st.status("Erreichbarkeit wird berechnet …", expanded=False) as status:
        bar = st.progress(0.0, text="Wegenetz des Profils und Reisezeiten")
        try:
            travel = workflow.travel_times(store, reach.profil, reach.typ, reach.filter,
                                           unbekannt=reach.unbekannt)
            bar.progress(0.45, text="Versorgung je Planungsraum")
            coverage = workflow.coverage(store, reach.profil, reach.typ, reach.filter, MINUTES,
                                         unbekannt=reach.unbekannt)
            bar.progress(0.65, text="Versorgungslücken")
            gap_outline, gap_cells, gap_people = common.gap_shapes(reach)
            bar.progress(0.8, text="Karte der Reisezeiten")
            classes = common.travel_time_classes(reach)
            bands = _bands(reach)
            bar.progress(1.0, text="fertig")
        except SozialraumError as exc:
            status.update(label="Für diese Auswahl ist keine Berechnung möglich", state="error",
                          expanded=True)
            common.show_analysis_error(exc)
            return
        seconds = time.perf_counter() - started
        status.update(
            label=(f"Berechnet: {common.format_number(len(travel))} bewohnte Zellen, "
                   f"{travel.attrs.get('anzahl_angebote', '?')} Angebote "
                   f"({common.format_number(seconds, 1)} s)"),
            state="complete",
        )
    region = coverage[(coverage["pr_id"] == "gesamt") & (coverage["schwelle_min"] == float(reach.minuten))].iloc[0]
    st.markdown(f"**{reach.label(common.profile_labels())}**")
    cols = st.columns(4)
    cols[0].metric("Einwohner erreichen die Auswahl", common.format_percent(region["anteil_erreicht_prozent"]),
                   help=f"{common.format_number(region['einwohner_erreicht'])} von "
                        f"{common.format_number(region['einwohner'])} Einwohnern")
    cols[1].metric("65 Jahre und älter", common.format_percent(region["anteil_ab65_erreicht_prozent"]),
                   help=f"{common.format_number(region['ab65_erreicht'])} von "
                        f"{common.format_number(region['ab65'])} Menschen ab 65")
    cols[2].metric("Einwohner in Versorgungslücken", common.format_number(gap_people),
                   help=f"{common.format_number(gap_cells)} bewohnte 100-m-Zellen über "
                        f"{reach.minuten} Minuten")
    cols[3].metric("Nicht angebunden", common.format_number(region["einwohner_nicht_angebunden"]),
                   help="Einwohner in Zellen, die weiter als 250 m vom für das Profil passierbaren "
                        "Wegenetz entfernt sind")
    missing = travel.attrs.get("nicht_angebundene_ziele") or []
    if missing:
        st.caption("Nicht berücksichtigt, weil zu weit vom Wegenetz: " + ", ".join(map(str, missing)))

    selected = _services_of(reach)
    st.header("Karte der Reisezeiten", anchor=False)
    st.radio("Isochrone – die Fläche, die man in der gewählten Zeit erreicht", list(ISO_MODES),
             key=ISO_MODE_KEY, format_func=ISO_MODES.get, horizontal=True)
    controls = st.columns([3, 2], vertical_alignment="bottom")
    with controls[0]:
        if st.session_state.get(ISO_MODE_KEY) == "angebot":
            ids = [str(v) for v in selected["angebot_id"]]
            names = dict(zip(ids, selected["name"].astype(str) + " (" + selected["typ"].astype(str) + ")",
                             strict=True))
            if st.session_state.get(ISO_SERVICE_KEY) not in ids:
                st.session_state[ISO_SERVICE_KEY] = ids[0]
            st.selectbox("Angebot", ids, key=ISO_SERVICE_KEY, format_func=lambda v: names.get(v, v))
        elif st.session_state.get(ISO_MODE_KEY) == "punkt" and not st.session_state.get(POINT_KEY):
            st.info("Klicken Sie in die Karte: Dort beginnt die Isochrone.", icon=":material/touch_app:")
    with controls[1]:
        show_gaps = st.checkbox("Versorgungslücken hervorheben", value=True, key="erreich_luecken")
    iso, point, iso_label = _isochrone(reach, selected)
    _map(reach, classes, gap_outline if show_gaps else None, selected, iso, point)
    left, right = st.columns(2, gap="medium")
    with left:
        st.markdown("**Einwohner nach Reisezeit** (Region)")
        common.table(band_table(bands))
    with right:
        if iso is not None:
            st.markdown("**Isochrone**")
            common.table(pd.DataFrame({
                "Minuten": iso["minuten"].astype(int),
                "Fläche (km²)": iso["flaeche_km2"].astype(float).round(2),
                "Einwohner darin": iso["einwohner"],
                "65 Jahre und älter": iso["alter_65_plus"],
            }))
            st.caption(f"Isochrone {iso_label}, {reach.label(common.profile_labels())}: nur Flächen "
                       "entlang der für das Profil passierbaren Wege (25 m beiderseits).")
        else:
            st.markdown("**Isochrone:** Wählen Sie oben „ab einem Angebot“ oder „ab einem Punkt in "
                        "der Karte“, um zu sehen, welche Fläche und wie viele Menschen man in "
                        f"{reach.minuten} Minuten erreicht.")

    st.header(f"Versorgung je Planungsraum in {reach.minuten} Minuten", anchor=False)
    table = coverage_table(coverage, reach.minuten)
    common.table(table)
    st.caption(
        "erreicht + nicht erreicht + nicht angebunden = Einwohner. „Nicht angebunden“: die Zelle "
        "liegt mehr als 250 m vom Wegenetz entfernt, das für das Profil passierbar ist. Einwohner "
        "sind je 100-m-Zelle modelliert und dem Planungsraum ihres Zellmittelpunkts zugeordnet."
    )
    with st.expander("Alle Zeitschwellen (5 bis 30 Minuten)"):
        common.table(thresholds_table(coverage))
    _downloads(reach, travel, coverage, iso)


@st.cache_data(show_spinner=False, max_entries=32)
def _bands_cached(name: str, token: str, reach: tuple[Any, ...]) -> pd.DataFrame:
    from analyses.coverage import share_by_area, time_bands

    question = Reach(*reach)
    store = common.store(name)
    travel = workflow.travel_times(store, question.profil, question.typ, question.filter,
                                   unbekannt=question.unbekannt)
    return share_by_area(workflow.origins_layer(store), store.read_layer("planungsraeume"),
                         time_bands(travel))


def _bands(reach: Reach) -> pd.DataFrame:
    name = common.region_name()
    return _bands_cached(name, common.token(name), reach.key())


def _map(reach: Reach, classes: dict[str, Any], gaps: dict[str, Any] | None,
         selected: gpd.GeoDataFrame, iso: gpd.GeoDataFrame | None,
         point: tuple[float, float] | None) -> None:
    layers = common.map_layers()
    groups: list[Any] = [maps.classed_layer(
        classes, name="Reisezeit", tooltip_fields=["label", "einwohner_text"],
        tooltip_aliases=["Reisezeit", "Einwohner"])]
    colours = dict(zip(time_band_labels(), theme.TIME_BAND_COLOURS, strict=True))
    present = {f["properties"]["label"] for f in classes["features"]}
    legend: list[Any] = [("Reisezeit zum nächsten Angebot", [
        maps.LegendEntry("flaeche", colours[label], label) for label in time_band_labels()
        if label in present])]
    if gaps is not None:
        groups.append(maps.outline_layer(gaps, name="Versorgungslücken", colour=theme.GAP_OUTLINE,
                                         tooltip="Versorgungslücke"))
        legend.append(("Versorgungslücken", [maps.LegendEntry(
            "gestrichelt", theme.GAP_OUTLINE, f"über {reach.minuten} Min. (bewohnte Zellen)")]))
    if iso is not None:
        web = iso.to_crs(common.WEB_CRS)
        from ui import mapdata

        groups.append(maps.isochrone_layer(mapdata.compact_geojson(web, ["minuten"])))
        legend.append(("Isochrone", [maps.LegendEntry("umriss", theme.ISOCHRONE_COLOURS[min(i, 4)],
                                                      f"erreichbar in {m:g} Min.")
                                     for i, m in enumerate(sorted(iso["minuten"]))]))
    if point is not None:
        groups.append(maps.start_point_layer(point[0], point[1], "Startpunkt der Isochrone"))
        legend.append(("Startpunkt", [maps.LegendEntry("punkt", "#000000", "Start der Isochrone")]))
    groups.append(maps.area_layer(layers.areas, layers.area_labels))
    if len(selected):
        groups.append(maps.service_layer(selected))
    groups.append(maps.legend_layer(maps.legend_html(services=selected if len(selected) else None,
                                                     extra=legend, streets=False)))
    view = maps.fit_view(layers.basemap.bounds, width_px=920, height_px=620)
    fmap = maps.base_map(layers.basemap, online_tiles=common.online_tiles(),
                         label="Karte der Reisezeiten je 100-m-Zelle", view=view)
    clicking = st.session_state.get(ISO_MODE_KEY) == "punkt"
    st_folium(
        fmap, key=CLICK_MAP_KEY if clicking else MAP_KEY, height=620, use_container_width=True,
        center=view[0], zoom=view[1],
        returned_objects=["last_clicked"] if clicking else [],
        feature_group_to_add=[maps.localize_assets(g) for g in groups],
        on_change=_on_map_click if clicking else None,
    )
    st.caption(
        "Farbe = Reisezeit von der Zellmitte zum nächsten Angebot der Auswahl über das Wegenetz "
        "(Legende in der Karte; dieselben Zahlen in den Tabellen). Die Karte ist nie der einzige "
        "Weg zu den Ergebnissen."
    )


def _downloads(reach: Reach, travel: pd.DataFrame, coverage: pd.DataFrame,
               iso: gpd.GeoDataFrame | None) -> None:
    st.header("Herunterladen", anchor=False)
    stem = f"erreichbarkeit_{common.region_name()}_{reach.profil}_{reach.minuten}min"

    def coverage_csv() -> bytes:
        return common.csv_bytes(coverage_table(coverage, reach.minuten))

    def all_csv() -> bytes:
        return common.csv_bytes(coverage.drop(columns=[c for c in ("profil", "unbekannt") if c in coverage]))

    def cells_csv() -> bytes:
        return common.csv_bytes(pd.DataFrame(_cells_export(travel, reach).drop(columns="geometry")))

    def gpkg() -> bytes:
        layers: dict[str, pd.DataFrame] = {
            "reisezeiten_zellen": _cells_export(travel, reach),
            "versorgung_planungsraeume": coverage,
            "versorgungsluecken": workflow.gaps(common.workflow_store(), reach.profil, reach.typ,
                                                reach.minuten, reach.filter, unbekannt=reach.unbekannt),
        }
        if iso is not None:
            layers["isochrone"] = iso
        return common.geopackage_bytes(layers)

    cols = st.columns(4)
    cols[0].download_button("Versorgung je Planungsraum (CSV)", coverage_csv,
                            file_name=f"{stem}_planungsraeume.csv", mime="text/csv",
                            key="erreich_dl_csv", on_click="ignore")
    cols[1].download_button("Alle Zeitschwellen (CSV)", all_csv, file_name=f"{stem}_schwellen.csv",
                            mime="text/csv", key="erreich_dl_schwellen", on_click="ignore")
    cols[2].download_button("Reisezeit je Zelle (CSV)", cells_csv, file_name=f"{stem}_zellen.csv",
                            mime="text/csv", key="erreich_dl_zellen", on_click="ignore")
    cols[3].download_button("Alles als GeoPackage (QGIS)", gpkg, file_name=f"{stem}.gpkg",
                            mime="application/geopackage+sqlite3", key="erreich_dl_gpkg",
                            on_click="ignore")
    st.caption("CSV für Excel (Semikolon, Dezimalkomma). Das GeoPackage enthält Zellen mit "
               "Reisezeit, die Tabelle je Planungsraum, die Versorgungslücken und – falls "
               "gezeigt – die Isochrone (EPSG:25832).")


# --------------------------------------------------------------------------------------------
# Public transport
# --------------------------------------------------------------------------------------------


def _share_pivot(table: pd.DataFrame, label: str) -> pd.DataFrame:
    wide = table.pivot_table(index=["pr_id", "planungsraum"], columns="kategorie",
                             values="anteil_prozent", sort=False, observed=True)
    order = list(dict.fromkeys(table["kategorie"]))
    wide = wide.reindex(columns=order)
    wide.columns = [f"{c} (%)" for c in wide.columns]
    wide = wide.reset_index().rename(columns={"pr_id": "Nr.", "planungsraum": "Planungsraum"})
    wide["Nr."] = wide["Nr."].replace({"gesamt": "", "ohne": "–"})
    return wide


def _stop_map() -> None:
    """Map of the walking distance to the nearest stop per 100 m cell."""
    layers = common.map_layers()
    classes = common.stop_distance_classes()
    present = [f["properties"]["label"] for f in sorted(classes["features"],
                                                         key=lambda f: f["properties"]["klasse"])]
    colours = {f["properties"]["label"]: f["properties"]["farbe"] for f in classes["features"]}
    groups = [
        maps.classed_layer(classes, name="Weg zur Haltestelle", tooltip_fields=["label", "einwohner_text"],
                           tooltip_aliases=["Fußweg zur nächsten Haltestelle", "Einwohner"]),
        maps.area_layer(layers.areas, layers.area_labels),
        maps.legend_layer(maps.legend_html(streets=False, extra=[(
            "Fußweg zur nächsten Haltestelle",
            [maps.LegendEntry("flaeche", colours[label], label) for label in present])])),
    ]
    view = maps.fit_view(layers.basemap.bounds, width_px=920, height_px=560)
    fmap = maps.base_map(layers.basemap, online_tiles=common.online_tiles(),
                         label="Karte: Fußweg zur nächsten Haltestelle je 100-m-Zelle", view=view)
    st_folium(fmap, key="oev_haltestellen_map", height=560, use_container_width=True,
              center=view[0], zoom=view[1], returned_objects=[],
              feature_group_to_add=[maps.localize_assets(g) for g in groups])


def _transit_view() -> None:
    config = common.region_config(common.region_name())
    store = common.workflow_store()
    source = workflow.default_origin_source(store)
    unit = "Einwohner" if source == "bevoelkerung" else "Adressen"
    st.header("Weg zur nächsten Haltestelle (zu Fuß)", anchor=False)
    with st.spinner("Wege zu den Haltestellen werden berechnet …"):
        try:
            distances = workflow.stop_distance_by_area(store)
        except SozialraumError as exc:
            common.show_analysis_error(exc)
            distances = None
    if distances is not None:
        region = distances[distances["pr_id"] == "gesamt"]
        cols = st.columns(len(region))
        for col, label, share, count in zip(cols, region["kategorie"], region["anteil_prozent"],
                                            region["anzahl"], strict=True):
            col.metric(str(label), common.format_percent(share), help=f"{common.format_number(count)} {unit}")
        st.caption(f"Anteil der {unit} nach Fußweg über das Wegenetz zur nächsten Haltestelle "
                   "(OpenStreetMap). Planerische Faustregel: eine Haltestelle innerhalb von 300 m.")
        if source == "bevoelkerung":
            _stop_map()
        with st.expander(f"Je Planungsraum ({unit})"):
            common.table(_share_pivot(distances, unit))
            st.download_button("Tabelle als CSV herunterladen",
                               lambda: common.csv_bytes(distances), on_click="ignore",
                               file_name=f"haltestellen_weg_{common.region_name()}.csv",
                               mime="text/csv", key="oev_dl_weg")

    st.header("ÖV-Güteklassen", anchor=False)
    if config.gtfs is None:
        st.info(
            "Für diese Region ist kein GTFS-Fahrplan hinterlegt. ÖV-Güteklassen (Bedienungsqualität "
            "nach Takt und Entfernung zur Haltestelle) lassen sich deshalb hier nicht berechnen. "
            "Tragen Sie einen Fahrplan in der Regionskonfiguration ein ([quellen] gtfs = "
            "\"…zip\"), z. B. aus dem DELFI-Datensatz oder vom Verkehrsverbund.",
            icon=":material/directions_bus:",
        )
        return
    with st.status("ÖV-Güteklassen werden berechnet …", expanded=False) as status:
        bar = st.progress(0.0, text="Fahrplan lesen, Abfahrten zählen")
        try:
            grades = workflow.quality_class_by_area(store, config.gtfs)
            bar.progress(0.3, text="Güteklassen-Flächen")

            def progress(fraction: float, label: str) -> None:
                bar.progress(0.3 + 0.7 * min(1.0, fraction), text=label or None)

            areas = workflow.quality_class_areas(store, config.gtfs, distanz="netz", progress=progress)
        except SozialraumError as exc:
            status.update(label="ÖV-Güteklassen nicht berechenbar", state="error", expanded=True)
            common.show_analysis_error(exc)
            return
        status.update(label="ÖV-Güteklassen berechnet", state="complete")
    day = str(grades.attrs.get("datum") or "")
    if len(day) == 10 and day[4] == "-":
        day = f"{day[8:10]}.{day[5:7]}.{day[0:4]}"
    st.markdown(
        f"Fahrplan: `{config.gtfs.name}`, Tag {day}, {grades.attrs.get('von')}–"
        f"{grades.attrs.get('bis')} Uhr. Güteklasse A = sehr gute, F = geringe Erschließung; "
        "„keine“ = außerhalb jeder Güteklasse. Entfernung als Fußweg im Wegenetz."
    )
    region = grades[grades["pr_id"] == "gesamt"]
    common.table(pd.DataFrame({
        "Güteklasse": region["kategorie"].astype(str),
        unit: region["anzahl"].astype(int),
        "Anteil (%)": region["anteil_prozent"].astype(float),
    }))
    layers = common.map_layers()
    web = areas.to_crs(common.WEB_CRS)
    web["farbe"] = web["gueteklasse"].map(theme.QUALITY_COLOURS).fillna("#999999")
    web["label"] = "Güteklasse " + web["gueteklasse"].astype(str)
    from ui import mapdata

    shapes = mapdata.compact_geojson(web, ["gueteklasse", "label", "farbe"])
    groups = [
        maps.classed_layer(shapes, name="ÖV-Güteklassen", tooltip_fields=["label"],
                           tooltip_aliases=["ÖV"], fill_opacity=0.45),
        maps.area_layer(layers.areas, layers.area_labels),
        maps.legend_layer(maps.legend_html(streets=False, extra=[("ÖV-Güteklassen", [
            maps.LegendEntry("flaeche", colour, f"Güteklasse {grade}")
            for grade, colour in theme.QUALITY_COLOURS.items()
            if grade in set(areas["gueteklasse"].astype(str))])])),
    ]
    view = maps.fit_view(layers.basemap.bounds, width_px=920, height_px=560)
    fmap = maps.base_map(layers.basemap, online_tiles=common.online_tiles(),
                         label="Karte der ÖV-Güteklassen", view=view)
    st_folium(fmap, key="oev_map", height=560, use_container_width=True, center=view[0],
              zoom=view[1], returned_objects=[],
              feature_group_to_add=[maps.localize_assets(g) for g in groups])
    with st.expander(f"Güteklassen je Planungsraum ({unit})"):
        common.table(_share_pivot(grades, unit))

    def gpkg() -> bytes:
        return common.geopackage_bytes({"oev_gueteklassen": areas, "gueteklassen_planungsraeume": grades})

    st.download_button("ÖV-Güteklassen als GeoPackage", gpkg, on_click="ignore",
                       file_name=f"oev_gueteklassen_{common.region_name()}.gpkg",
                       mime="application/geopackage+sqlite3", key="oev_dl_gpkg")


def render() -> None:
    """Draw the page."""
    st.title("Erreichbarkeit")
    if not common.ensure_region_built():
        return
    common.data_notice()
    st.markdown(
        "Wie schnell erreichen die Menschen im Planungsraum ein passendes Angebot – zu Fuß, mit "
        "Rollator, im Rollstuhl? Die Wege folgen dem Fußwegenetz aus OpenStreetMap mit Treppen, "
        "Steigungen, Bordsteinen und Belägen."
    )
    views = {"angebote": "Angebote erreichen", "oev": "Bus und Bahn (ÖV)"}
    view = st.radio("Ansicht", list(views), key=VIEW_KEY, format_func=views.get, horizontal=True)
    if view == "oev":
        _transit_view()
    else:
        _reach_view()


common.page_frame()
common.guarded(render)
