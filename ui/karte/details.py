"""The details beside the Karte map: one service or one planning area, and the map click."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers.angebote import ACCESS_COLUMNS, service_type
from layers.sicher import escape_markdown
from ui import cached, mapdata, state, widgets
from ui.maplayers import WEB_CRS

__all__ = [
    "ACCESS_LABELS",
    "AREA_KEY",
    "MAP_KEY",
    "SERVICE_KEY",
    "SOURCE_LABEL",
    "area_details",
    "on_map_click",
    "present",
    "service_details",
]

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


def on_map_click() -> None:
    """Turn a click on the map into a selection in the detail selectboxes (before the rerun)."""
    value = st.session_state.get(MAP_KEY) or {}
    clicked = value.get("last_object_clicked") if isinstance(value, dict) else None
    if not clicked:
        return
    region = state.region()
    service_id, area_id = mapdata.object_at(
        float(clicked["lat"]), float(clicked["lng"]), cached.offers_web(region),
        region.areas().to_crs(WEB_CRS),
    )
    if service_id is None and area_id is None:
        return
    st.session_state[SERVICE_KEY] = service_id
    if area_id is not None:
        st.session_state[AREA_KEY] = area_id


def present(value: Any) -> bool:
    """Whether a cell holds a value worth showing (not empty, not NaN)."""
    return value is not None and not (isinstance(value, float) and pd.isna(value)) \
        and str(value).strip() not in ("", "<NA>", "nan")


def _type_label(typ: str) -> str:
    try:
        return service_type(typ).bezeichnung
    except KeyError:
        return typ


def service_details(row: pd.Series) -> None:
    """Name, address, contact and the accessibility features of one service."""
    st.subheader(escape_markdown(row["name"]), anchor=False)
    if row["quelle"] == "synthetisch":
        st.caption("Fiktives Angebot (synthetisch) – nur zum Ausprobieren, keine echte Stelle.")
    address = " ".join(str(v) for v in (row.get("strasse"), row.get("hausnummer")) if present(v))
    place = " ".join(str(v) for v in (row.get("plz"), row.get("ort")) if present(v))
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
    st.markdown("\n".join(f"- **{k}:** {escape_markdown(v)}" for k, v in lines if present(v)))
    access = pd.DataFrame({"Merkmal": [ACCESS_LABELS[c] for c in ACCESS_COLUMNS],
                           "Angabe": [str(row.get(c) or "unbekannt") for c in ACCESS_COLUMNS]})
    st.markdown("**Barrierefreiheit**")
    st.table(access.set_index("Merkmal"))


def area_details(pr_id: str, overview: pd.DataFrame, shown: gpd.GeoDataFrame) -> None:
    """Key figures of one planning area (:func:`ui.cached.area_overview`) and its services."""
    row = overview[overview["pr_id"] == pr_id].iloc[0]
    number, percent = widgets.format_number, widgets.format_percent
    st.subheader(f"{escape_markdown(row['pr_id'])} {escape_markdown(row['name'])}", anchor=False)
    st.markdown(
        f"- **Fläche:** {number(row['flaeche_km2'], 2)} km²\n"
        f"- **Einwohner (modelliert):** {number(row['einwohner'])}\n"
        f"- **Anteil 65 Jahre und älter:** {percent(row['anteil_65_plus'])}\n"
        f"- **Angebote (alle Typen):** {number(row['angebote'])}, davon "
        f"Beratung: {number(row['beratung'])}\n"
        f"- **Stufenlos zugänglich:** {percent(row['anteil_stufenloser_zugang'])} der Angebote, "
        f"ohne Angabe: {percent(row['anteil_stufenloser_zugang_unbekannt'])}"
    )
    inside = shown[shown["pr_id"] == pr_id]
    if len(inside):
        st.markdown(f"**Angebote der Auswahl in diesem Planungsraum ({len(inside)})**")
        widgets.table(pd.DataFrame({"Name": inside["name"], "Typ": inside["typ"],
                                    "Stufenlos": inside["stufenloser_zugang"]}))
    else:
        st.markdown("Keine Angebote der gewählten Typen in diesem Planungsraum.")
    st.page_link("ui/pages/planungsraeume.py", label="Ausführliches Profil dieses Planungsraums",
                 icon=":material/holiday_village:")
