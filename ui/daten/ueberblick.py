"""The tabs "Überblick" (what the store holds) and "Exporte" of the Daten page."""

from __future__ import annotations

import json
from functools import partial

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers.formatting import de_number, de_time
from planungsraeume.darstellung import csv_bytes
from planungsraeume.region import Region
from ui import cached, mapdata, state, widgets
from ui.maplayers import WEB_CRS

__all__ = ["EXPORTS", "LAYER_INFO", "export_bytes", "exports_tab", "overview_tab"]

LAYER_INFO = {
    "region": "Regionsgrenze",
    "gemeinden": "Gemeinden mit amtlicher Einwohnerzahl (VG250-EW, BKG)",
    "planungsraeume": "Planungsräume",
    "gebaeude": "Gebäude mit Nutzung und Geschossen (OSM)",
    "bevoelkerung": "Bevölkerung im 100-m-Gitter nach Altersgruppen",
    "adressen": "Adresspunkte (OSM)",
    "angebote": "Beratungs- und Hilfeangebote",
    "haltestellen": "Haltestellen mit Ausstattung (OSM)",
    "netz_knoten": "Fußwegenetz: Knoten",
    "netz_kanten": "Fußwegenetz: Kanten mit Belag, Steigung, Bordstein …",
    "barrieren": "Barrieremeldungen (ICF) – nur in Auswertungen mit Datenschutz-Regel",
    "grundkarte": "Grundkarte: Gewässer, Grün, Wald (OSM)",
    "nutzer_kennzahlen": "Eigene Kennzahlen je Planungsraum (importierte Tabellen)",
}
WITH_SOURCE = ("bevoelkerung", "angebote", "barrieren", "planungsraeume", "nutzer_kennzahlen")
# Layers offered for download (never the raw barrier reports).
EXPORTS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "planungsraeume": ("Planungsräume", ("pr_id", "name", "quelle", "flaeche_km2")),
    "bevoelkerung": ("Bevölkerung (100-m-Gitter)", (
        "gitter_id", "einwohner", "alter_unter_18", "alter_18_64", "alter_65_79",
        "alter_80_plus", "alter_65_plus", "quelle")),
    "haltestellen": ("Haltestellen", None),
}
FORMATS = (("csv", "CSV", "text/csv"), ("geojson", "GeoJSON", "application/geo+json"),
           ("gpkg", "GeoPackage", "application/geopackage+sqlite3"))


def overview_tab(region: Region) -> None:
    """Where the store is, its layers with counts and sources, and the build protocol."""
    st.markdown(
        f"Die Region **{region.titel}** liegt in einer GeoPackage-Datei, die Sie auch in QGIS "
        f"öffnen können: `{getattr(region.store, 'path', '')}`"
    )
    overview = cached.layer_overview(region, tuple(LAYER_INFO), WITH_SOURCE)
    widgets.table(pd.DataFrame({
        "Ebene": overview["Ebene"], "Inhalt": overview["Ebene"].map(LAYER_INFO),
        "Objekte": overview["Objekte"], "Quelle (Kennzeichnung in den Daten)": overview["Quelle"],
    }))
    meta = region.meta()
    if meta:
        with st.expander("Aufbau-Protokoll der Region"):
            summary = meta.get("zusammenfassung") or meta.get("summary")
            if summary:
                st.text(summary)
            widgets.table(pd.DataFrame({"Schlüssel": list(meta),
                                        "Wert": [_meta_text(k, v) for k, v in meta.items()]}))


def _meta_text(key: str, value: object) -> str:
    """A build-protocol value as text: times local and German (not ISO UTC), numbers German."""
    if key.endswith("_am") or key.endswith("zeit"):
        return de_time(value)
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return de_number(float(value))
    return str(value)


def export_bytes(layer_name: str, kind: str) -> bytes:
    """One layer of the current region as CSV, GeoPackage or GeoJSON.

    The CSV of a point layer carries the WGS 84 position of each point.
    """
    region = state.region()
    columns = EXPORTS[layer_name][1]
    frame: gpd.GeoDataFrame = region.layer(layer_name, columns)
    if kind == "csv":
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        if frame.geom_type.eq("Point").all():
            web = frame.to_crs(WEB_CRS)
            table["breite"] = web.geometry.y.round(6)
            table["laenge"] = web.geometry.x.round(6)
        return csv_bytes(table)
    if kind == "gpkg":
        return widgets.geopackage_bytes({layer_name: frame})
    props = [c for c in frame.columns if c != frame.geometry.name]
    return json.dumps(mapdata.compact_geojson(frame, props, decimals=6),
                      ensure_ascii=False).encode("utf-8")


def exports_tab(region: Region) -> None:
    """Downloads of the directory and of the derived layers (never raw barrier reports)."""
    from layers.angebote.export import export_services_bytes

    st.markdown(
        "**CSV** ist für Excel vorbereitet (Semikolon, Dezimalkomma, UTF-8). **GeoJSON** öffnen "
        "QGIS und andere GIS-Programme (WGS 84). **GeoPackage** enthält die Daten im "
        f"Koordinatensystem der Region ({region.crs}). Die Spalte „quelle“ sagt bei jedem Objekt, "
        "ob es echt, modelliert, generiert oder synthetisch ist."
    )
    cols = st.columns([2, 1, 1, 1], vertical_alignment="center")
    cols[0].markdown("**Angebote** (ganzes Verzeichnis, auch stillgelegte)")
    for col, (kind, label, mime) in zip(cols[1:], FORMATS, strict=True):
        col.download_button(f"Angebote als {label}", partial(export_services_bytes, region.store,
                                                             kind),
                            file_name=f"angebote_{region.name}.{kind}", mime=mime,
                            key=f"exp_angebote_{kind}", on_click="ignore")
    for layer_name, (title, _columns) in EXPORTS.items():
        if not region.has_layer(layer_name):
            continue
        cols = st.columns([2, 1, 1, 1], vertical_alignment="center")
        cols[0].markdown(f"**{title}**")
        for col, (kind, label, mime) in zip(cols[1:], FORMATS, strict=True):
            col.download_button(f"{title} als {label}", partial(export_bytes, layer_name, kind),
                                file_name=f"{layer_name}_{region.name}.{kind}", mime=mime,
                                key=f"{kind}_{layer_name}", on_click="ignore")
    st.info("Barrieremeldungen werden nie als Einzeldaten exportiert. Geschützte Auswertungen "
            "(Tabellen und GeoPackage mit der Datenschutz-Regel) gibt es auf der Seite "
            "„Barrieren (ICF)“.", icon=":material/lock:")
