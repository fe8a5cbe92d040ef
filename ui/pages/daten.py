"""Page 'Daten': what the region store holds, and exports of the non-sensitive layers.

Import with the validation report and editing of the service directory come with issue #4
(part B). Barrier reports are never exported raw: only the privacy-controlled aggregates of
issue #5 will be offered.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from ui import common, mapdata

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
}
# Layers offered for download (never the raw barrier reports).
EXPORTS = {
    "planungsraeume": ("Planungsräume", ["pr_id", "name", "quelle", "flaeche_km2"]),
    "angebote": ("Angebote", None),
    "bevoelkerung": ("Bevölkerung (100-m-Gitter)", ["gitter_id", "einwohner", "alter_unter_18",
                                                     "alter_18_64", "alter_65_79", "alter_80_plus",
                                                     "alter_65_plus", "quelle"]),
    "haltestellen": ("Haltestellen", None),
}


@st.cache_data(show_spinner=False, max_entries=8)
def _overview(name: str, token: str) -> pd.DataFrame:
    source = common.open_store(common.region_config(name))
    rows = []
    for layer_name in source.list_layers():
        if layer_name.startswith("_") or layer_name not in LAYER_INFO:
            continue
        frame = source.read_layer(layer_name, columns=["quelle"] if layer_name in
                                  ("bevoelkerung", "angebote", "barrieren", "planungsraeume") else [])
        sources = ", ".join(sorted(frame["quelle"].astype(str).unique())) if "quelle" in frame else ""
        rows.append({"Ebene": layer_name, "Inhalt": LAYER_INFO[layer_name], "Objekte": len(frame),
                     "Quelle (Kennzeichnung in den Daten)": sources})
    return pd.DataFrame(rows)


@st.cache_data(show_spinner=False, max_entries=16)
def _export(name: str, token: str, layer_name: str, kind: str) -> bytes:
    source = common.open_store(common.region_config(name))
    columns = EXPORTS[layer_name][1]
    frame = common.read_geo(source, layer_name, columns=columns)
    if kind == "csv":
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        if frame.geom_type.eq("Point").all():
            web = frame.to_crs(common.WEB_CRS)
            table["breite"] = web.geometry.y.round(6)
            table["laenge"] = web.geometry.x.round(6)
        return common.csv_bytes(table)
    props = [c for c in frame.columns if c != frame.geometry.name]
    data = mapdata.compact_geojson(frame, props, decimals=6)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def render() -> None:
    """Draw the page."""
    st.title("Daten")
    if not common.ensure_region_built():
        return
    common.data_notice()
    name = common.region_name()
    token = common.token(name)
    store = common.store(name)
    st.header("Inhalt des Regionsspeichers", anchor=False)
    st.markdown(
        f"Die Region **{common.region_title(name)}** liegt in einer GeoPackage-Datei, die Sie auch "
        f"in QGIS öffnen können: `{store.path}`"
    )
    st.dataframe(_overview(name, token), hide_index=True, width="stretch")
    meta = store.read_meta()
    if meta:
        with st.expander("Aufbau-Protokoll der Region"):
            summary = meta.get("zusammenfassung") or meta.get("summary")
            if summary:
                st.text(summary)
            st.dataframe(pd.DataFrame({"Schlüssel": list(meta), "Wert": list(meta.values())}),
                         hide_index=True, width="stretch")

    st.header("Exporte", anchor=False)
    st.markdown(
        "CSV-Dateien sind für Excel vorbereitet (Semikolon, Dezimalkomma). GeoJSON-Dateien öffnen "
        "QGIS und andere GIS-Programme (Koordinaten in WGS 84). Die Spalte „quelle“ sagt bei jedem "
        "Objekt, ob es echt, modelliert, generiert oder synthetisch ist."
    )
    for layer_name, (title, _columns) in EXPORTS.items():
        if not store.has_layer(layer_name):
            continue
        cols = st.columns([2, 1, 1], vertical_alignment="center")
        cols[0].markdown(f"**{title}**")
        cols[1].download_button(
            f"{title} als CSV", _export(name, token, layer_name, "csv"),
            file_name=f"{layer_name}_{name}.csv", mime="text/csv", key=f"csv_{layer_name}",
        )
        cols[2].download_button(
            f"{title} als GeoJSON", _export(name, token, layer_name, "geojson"),
            file_name=f"{layer_name}_{name}.geojson", mime="application/geo+json",
            key=f"geojson_{layer_name}",
        )
    st.info(
        "Barrieremeldungen werden nie als Einzeldaten exportiert. Auswertungen mit der "
        "Datenschutz-Regel folgen auf der Seite „Barrieren (ICF)“.", icon=":material/lock:",
    )
    st.header("Import und Bearbeitung", anchor=False)
    st.warning(
        "Noch in Arbeit: Import eigener Planungsräume und Angebotslisten (CSV/Excel) mit "
        "Prüfbericht sowie die Bearbeitung des Angebotsverzeichnisses.", icon=":material/construction:",
    )


common.page_frame()
common.guarded(render)
