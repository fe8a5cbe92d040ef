"""Page 'Karte': planning areas, services, population, Versorgungslücken and barrier hotspots on
the offline map, with the same information in tables beside it (the map is never the only way to
it)."""

from __future__ import annotations

import html
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from layers import settings
from layers.angebote import ACCESS_COLUMNS, service_type
from ui import common, mapdata, maps, theme

SOURCE_LABEL = {"osm": "OpenStreetMap", "synthetisch": "synthetisch (fiktiv)",
                "import": "Import", "manuell": "manuell erfasst"}
ACCESS_LABELS = {
    "stufenloser_zugang": "Stufenloser Zugang",
    "rollstuhlgerechtes_wc": "Rollstuhlgerechtes WC",
    "induktionsschleife": "Induktionsschleife",
    "gebaerdensprache": "Gebärdensprache",
    "leichte_sprache": "Leichte Sprache",
}
MAP_KEY = "karte_map"
AREA_KEY = "karte_pr"
SERVICE_KEY = "karte_angebot"


def _type_label(typ: str) -> str:
    try:
        return service_type(typ).bezeichnung
    except KeyError:
        return typ


def _on_map_click() -> None:
    """Turn a click on the map into a selection in the detail selectboxes (before the rerun)."""
    value = st.session_state.get(MAP_KEY) or {}
    clicked = value.get("last_object_clicked") if isinstance(value, dict) else None
    if not clicked:
        return
    service_id, area_id = mapdata.object_at(
        float(clicked["lat"]), float(clicked["lng"]), common.services_web(),
        common.layer("planungsraeume", to_web=True),
    )
    if service_id is None and area_id is None:
        return
    st.session_state[SERVICE_KEY] = service_id
    if area_id is not None:
        st.session_state[AREA_KEY] = area_id


def _valid_choice(key: str, options: list[Any]) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = None


def _service_details(row: pd.Series) -> None:
    synthetic = row["quelle"] == "synthetisch"
    st.subheader(str(row["name"]), anchor=False)
    if synthetic:
        st.caption("Fiktives Angebot (synthetisch) – nur zum Ausprobieren, keine echte Stelle.")
    address = " ".join(str(v) for v in (row.get("strasse"), row.get("hausnummer")) if _present(v))
    place = " ".join(str(v) for v in (row.get("plz"), row.get("ort")) if _present(v))
    lines = [
        ("Typ", _type_label(str(row["typ"]))),
        ("Gruppe", row.get("gruppe")),
        ("Adresse", ", ".join(p for p in (address, place) if p) or None),
        ("Planungsraum", row.get("pr_id")),
        ("Zielgruppen", row.get("zielgruppen")),
        ("Aufsuchend", row.get("aufsuchend")),
        ("Öffnungszeiten", row.get("oeffnungszeiten")),
        ("Träger", row.get("traeger")),
        ("Kontakt", row.get("kontakt")),
        ("Quelle", SOURCE_LABEL.get(str(row["quelle"]), str(row["quelle"]))),
    ]
    st.markdown("\n".join(f"- **{k}:** {html.escape(str(v))}" for k, v in lines if _present(v)))
    access = pd.DataFrame(
        {"Merkmal": [ACCESS_LABELS[c] for c in ACCESS_COLUMNS],
         "Angabe": [str(row.get(c) or "unbekannt") for c in ACCESS_COLUMNS]}
    )
    st.markdown("**Barrierefreiheit**")
    st.table(access.set_index("Merkmal"))


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and str(value).strip() not in ("", "<NA>", "nan")


def _area_details(pr_id: str, overview: pd.DataFrame, shown: gpd.GeoDataFrame) -> None:
    row = overview[overview["pr_id"] == pr_id].iloc[0]
    st.subheader(f"{row['pr_id']} {row['name']}", anchor=False)
    st.markdown(
        f"- **Fläche:** {common.format_number(row['flaeche_km2'], 2)} km²\n"
        f"- **Einwohner (modelliert):** {common.format_number(row['einwohner'])}\n"
        f"- **Anteil 65 Jahre und älter:** {common.format_percent(row['anteil_65_plus'])}\n"
        f"- **Angebote (alle Typen):** {common.format_number(row['angebote'])}, davon "
        f"Beratung: {common.format_number(row['beratung'])}\n"
        f"- **Stufenlos zugänglich:** {common.format_percent(row['anteil_stufenloser_zugang'])} "
        f"der Angebote, ohne Angabe: {common.format_percent(row['anteil_stufenloser_zugang_unbekannt'])}"
    )
    inside = shown[shown["pr_id"] == pr_id]
    if len(inside):
        st.markdown(f"**Angebote der Auswahl in diesem Planungsraum ({len(inside)})**")
        common.table(
            pd.DataFrame({"Name": inside["name"], "Typ": inside["typ"],
                          "Stufenlos": inside["stufenloser_zugang"]}),
        )
    else:
        st.markdown("Keine Angebote der gewählten Typen in diesem Planungsraum.")
    st.page_link("ui/pages/planungsraeume.py", label="Ausführliches Profil dieses Planungsraums",
                 icon=":material/holiday_village:")


def _analysis_layers(show_gaps: bool, show_hotspots: bool) -> tuple[list[Any], list[Any], list[str]]:
    """The optional analysis layers, their legend sections and captions saying what they show."""
    groups: list[Any] = []
    legend: list[Any] = []
    notes: list[str] = []
    if show_gaps:
        reach = common.current_reach()
        shapes, cells, people = common.gap_shapes(reach)
        groups.append(maps.outline_layer(shapes, name="Versorgungslücken", colour=theme.GAP_OUTLINE,
                                         fill_opacity=0.18, tooltip="Versorgungslücke"))
        legend.append(("Versorgungslücken", [maps.LegendEntry(
            "gestrichelt", theme.GAP_OUTLINE,
            f"über {reach.minuten} Min. bis zum nächsten Angebot")]))
        notes.append(
            f"Versorgungslücken: {common.format_number(cells)} bewohnte 100-m-Zellen mit "
            f"{common.format_number(people)} Einwohnern erreichen "
            f"{reach.label(common.profile_labels())} nicht (einstellbar auf der Seite "
            "„Erreichbarkeit“)."
        )
    if show_hotspots:
        shapes, cells = common.hotspot_shapes()
        groups.append(maps.outline_layer(shapes, name="Barriere-Schwerpunkte", colour=theme.HOTSPOT_OUTLINE,
                                         dash=None, weight=3, fill_opacity=0.12,
                                         tooltip="Barriere-Schwerpunkt (Gi*)"))
        legend.append(("Barrieren (geschützt)", [maps.LegendEntry(
            "umriss", theme.HOTSPOT_OUTLINE, "Schwerpunkt gemeldeter Barrieren (Gi*, 250-m-Gitter)")]))
        notes.append(
            f"Barriere-Schwerpunkte: {cells} Zellen des 250-m-Gitters in signifikanten Hotspots "
            "(Getis-Ord Gi*), berechnet nur aus veröffentlichten Zellwerten (mindestens "
            f"{settings.privacy_min_persons} Personen je Wert). Keine Meldeorte. Einzelheiten auf "
            "der Seite „Barrieren (ICF)“."
        )
    return groups, legend, notes


def render() -> None:
    """Draw the page."""
    st.title("Karte")
    if not common.ensure_region_built():
        return
    common.data_notice()
    layers = common.map_layers()
    services = common.services_web()
    overview = common.area_overview()

    types = sorted(services["typ"].dropna().unique())
    filter_col, access_col = st.columns([3, 1], vertical_alignment="bottom")
    with filter_col:
        chosen = st.multiselect(
            "Angebotstypen", types, default=types, key="karte_typen",
            help="Welche Arten von Angeboten Karte und Tabellen zeigen.",
        )
    with access_col:
        only_step_free = st.checkbox("Nur stufenlos zugänglich", key="karte_stufenlos",
                                    help="Nur Angebote mit stufenlosem Zugang (Angabe „ja“).")
    shown = services[services["typ"].isin(chosen)]
    if only_step_free:
        shown = shown[shown["stufenloser_zugang"] == "ja"]

    map_col, side_col = st.columns([2, 1], gap="medium")
    with side_col:
        st.metric("Angebote in der Auswahl", len(shown))
        st.metric("davon stufenlos zugänglich", int((shown["stufenloser_zugang"] == "ja").sum()))
        st.markdown("**Ebenen der Karte**")
        show_areas = st.checkbox("Planungsräume", value=True, key="ebene_pr")
        show_services = st.checkbox("Angebote", value=True, key="ebene_angebote")
        population = common.has_population()
        show_population = st.checkbox(
            "Bevölkerung (modelliert)", value=False, key="ebene_bev", disabled=not population,
            help=None if population else "Diese Region hat keine Bevölkerungsdaten.")
        show_gaps = st.checkbox(
            "Versorgungslücken", value=False, key="ebene_luecken", disabled=not population,
            help=("Bewohnte Zellen, die das gewählte Angebot nicht in der gewählten Zeit "
                  "erreichen (Einstellung auf der Seite „Erreichbarkeit“)." if population
                  else "Ohne Bevölkerungsdaten gibt es keine Versorgungslücken."))
        reports = common.has_barrier_reports()
        show_hotspots = st.checkbox(
            "Barriere-Schwerpunkte (geschützt)", value=False, key="ebene_hotspots",
            disabled=not reports,
            help=("Schwerpunkte gemeldeter Barrieren im 250-m-Gitter, nur aus geschützten "
                  "Zellwerten." if reports else "Diese Region hat keine Barrieremeldungen."))

    area_ids = [str(v) for v in overview["pr_id"]]
    area_names = dict(zip(overview["pr_id"].astype(str), overview["name"].astype(str), strict=True))
    service_ids = [str(v) for v in shown["angebot_id"]]
    _valid_choice(AREA_KEY, [None, *area_ids])
    _valid_choice(SERVICE_KEY, [None, *service_ids])
    selected_area = st.session_state.get(AREA_KEY)
    selected_service = st.session_state.get(SERVICE_KEY)

    with map_col:
        groups = []
        if show_population:
            groups.append(maps.population_layer(layers.population))
        if show_areas:
            groups.append(maps.area_layer(layers.areas, layers.area_labels))
        selection = None
        if selected_area:
            feature = [f for f in layers.areas["features"] if f["properties"]["pr_id"] == selected_area]
            selection = {"type": "FeatureCollection", "features": feature}
        point = None
        if selected_service:
            hit = shown[shown["angebot_id"].astype(str) == selected_service]
            point = (float(hit.geometry.y.iloc[0]), float(hit.geometry.x.iloc[0]))
        with st.spinner("Analyse-Ebenen werden berechnet …"):
            extra_groups, extra_legend, notes = _analysis_layers(
                show_gaps and population, show_hotspots and reports)
        groups.extend(extra_groups)
        groups.append(maps.selection_layer(selection, point=point))
        if show_services and len(shown):
            groups.append(maps.service_layer(shown))
        groups.append(maps.legend_layer(maps.legend_html(
            services=shown if show_services else None,
            population=show_population,
            areas=show_areas,
            selection=bool(selected_area or selected_service),
            extra=extra_legend,
        ), expanded=False))
        view = maps.fit_view(layers.basemap.bounds, width_px=600, height_px=640)
        fmap = maps.base_map(
            layers.basemap,
            online_tiles=common.online_tiles(),
            label="Karte der Planungsräume und Angebote",
            view=view,
        )
        st_folium(
            fmap,
            key=MAP_KEY,
            height=640,
            use_container_width=True,
            center=view[0],
            zoom=view[1],
            returned_objects=["last_object_clicked"],
            feature_group_to_add=[maps.localize_assets(g) for g in groups],
            on_change=_on_map_click,
        )
        st.caption(
            "Ein Klick (oder Tab und Eingabetaste) auf einen Planungsraum oder ein Angebot zeigt "
            "rechts die Einzelheiten. Dieselben Angaben stehen in den Tabellen unter der Karte."
        )
        for note in notes:
            st.caption(note)
    with side_col:
        st.selectbox(
            "Planungsraum",
            [None, *area_ids],
            format_func=lambda v: "– keiner gewählt –" if v is None else f"{v} {area_names[v]}",
            key=AREA_KEY,
        )
        labels = dict(zip(shown["angebot_id"].astype(str),
                          shown["name"].astype(str) + " (" + shown["typ"].astype(str) + ")", strict=True))
        st.selectbox(
            "Angebot",
            [None, *service_ids],
            format_func=lambda v: "– keines gewählt –" if v is None else labels.get(v, v),
            key=SERVICE_KEY,
        )
        if selected_service:
            _service_details(shown[shown["angebot_id"].astype(str) == selected_service].iloc[0])
        elif selected_area:
            _area_details(selected_area, overview, shown)
        else:
            st.markdown(
                "Wählen Sie einen Planungsraum oder ein Angebot – in der Karte oder in den "
                "Auswahllisten oben."
            )

    st.header("Tabellen", anchor=False)
    area_tab, service_tab = st.tabs(["Planungsräume", "Angebote"])
    with area_tab:
        counts = shown.groupby("pr_id").size()
        step_free = shown[shown["stufenloser_zugang"] == "ja"].groupby("pr_id").size()
        table = pd.DataFrame({
            "Nr.": overview["pr_id"],
            "Planungsraum": overview["name"],
            "Fläche (km²)": overview["flaeche_km2"].astype(float).round(2),
            "Einwohner (modelliert)": overview["einwohner"].astype(float).round(),
            "Anteil 65+ (%)": overview["anteil_65_plus"].astype(float).round(1),
            "Angebote (Auswahl)": overview["pr_id"].map(counts).fillna(0).astype(int),
            "davon stufenlos": overview["pr_id"].map(step_free).fillna(0).astype(int),
        })
        common.table(table)
        st.download_button(
            "Planungsräume als CSV herunterladen", common.csv_bytes(table),
            file_name=f"planungsraeume_{common.region_name()}.csv", mime="text/csv",
            key="dl_pr",
        )
    with service_tab:
        service_table = pd.DataFrame({
            "Name": shown["name"],
            "Typ": shown["typ"],
            "Planungsraum": shown["pr_id"],
            "Straße": shown["strasse"],
            "Hausnr.": shown["hausnummer"],
            "PLZ": shown["plz"],
            "Ort": shown["ort"],
            **{ACCESS_LABELS[c]: shown[c] for c in ACCESS_COLUMNS},
            "Quelle": shown["quelle"].map(SOURCE_LABEL).fillna(shown["quelle"]),
            "Breite": shown.geometry.y.round(6),
            "Länge": shown.geometry.x.round(6),
        })
        common.table(service_table)
        st.download_button(
            "Angebote als CSV herunterladen", common.csv_bytes(service_table),
            file_name=f"angebote_{common.region_name()}.csv", mime="text/csv", key="dl_angebote",
        )


common.page_frame()
common.guarded(render)
