"""Page 'Daten': what the region store holds; import of service lists with the validation report;
editing of the service directory with history and undo; own planning areas; indicator tables;
barrier reports; exports.

All checks and writes are done by the packages (:mod:`layers.angebote.importer`,
:mod:`layers.angebote.edit`, :mod:`layers.planungsraeume.define`, :mod:`layers.planungsraeume.checks`,
:mod:`layers.planungsraeume.tabellen`, :mod:`layers.barrieren`); this page shows their German reports.
Uploaded files are saved to a private temporary folder, never into the project. After a write the
store's version token changes, so every cached table and map renews itself.
"""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
import streamlit as st

from layers.angebote import ACCESS_COLUMNS, ACCESS_VALUES, COLUMN_LABELS, service_type_keys
from layers.errors import InputValidationError, SozialraumError, VersionConflictError
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
    "nutzer_kennzahlen": "Eigene Kennzahlen je Planungsraum (importierte Tabellen)",
}
# Layers offered for download (never the raw barrier reports).
EXPORTS = {
    "planungsraeume": ("Planungsräume", ["pr_id", "name", "quelle", "flaeche_km2"]),
    "bevoelkerung": ("Bevölkerung (100-m-Gitter)", ["gitter_id", "einwohner", "alter_unter_18",
                                                     "alter_18_64", "alter_65_79", "alter_80_plus",
                                                     "alter_65_plus", "quelle"]),
    "haltestellen": ("Haltestellen", None),
}
SERVICE_UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "geojson", "json", "gpkg", "shp",
                        "shx", "dbf", "prj", "cpg"]
AREA_UPLOAD_TYPES = ["geojson", "json", "gpkg", "shp", "shx", "dbf", "prj", "cpg"]
TEXT_FIELDS = ("zielgruppen", "strasse", "hausnummer", "plz", "ort", "oeffnungszeiten", "traeger",
               "kontakt", "telefon", "email", "webseite", "bemerkung")
YES_NO = ("ja", "nein", "unbekannt")


@st.cache_data(show_spinner=False, max_entries=8)
def _overview(name: str, token: str) -> pd.DataFrame:
    source = common.open_store(common.region_config(name))
    rows = []
    for layer_name in source.list_layers():
        if layer_name.startswith("_") or layer_name not in LAYER_INFO:
            continue
        with_source = layer_name in ("bevoelkerung", "angebote", "barrieren", "planungsraeume",
                                     "nutzer_kennzahlen")
        frame = source.read_layer(layer_name, columns=["quelle"] if with_source else [])
        sources = ", ".join(sorted(frame["quelle"].astype(str).unique())) if "quelle" in frame else ""
        rows.append({"Ebene": layer_name, "Inhalt": LAYER_INFO[layer_name], "Objekte": len(frame),
                     "Quelle (Kennzeichnung in den Daten)": sources})
    return pd.DataFrame(rows)


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
    if kind == "gpkg":
        return common.geopackage_bytes({layer_name: frame})
    props = [c for c in frame.columns if c != frame.geometry.name]
    data = mapdata.compact_geojson(frame, props, decimals=6)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _problems(problems: list[Any]) -> pd.DataFrame:
    """Findings (:class:`layers.errors.Problem`) as a German table."""
    return pd.DataFrame(
        [{"Datei": Path(p.datei).name if p.datei else None, "Zeile": p.zeile, "Spalte": p.spalte,
          "Schwere": "Fehler" if p.schwere == "fehler" else "Warnung",
          "Meldung": p.meldung, "So beheben": p.hinweis} for p in problems],
        columns=["Datei", "Zeile", "Spalte", "Schwere", "Meldung", "So beheben"],
    )


FLASH_KEY = "daten_meldung"


def _flash_and_rerun(text: str, area: str = "bearbeiten") -> None:
    """Show a success message after the whole page has been redrawn with the new data (the
    store changed: every table, map and count of the app is renewed)."""
    st.session_state[f"{FLASH_KEY}_{area}"] = text
    st.rerun(scope="app")


def _show_flash(area: str = "bearbeiten") -> None:
    text = st.session_state.pop(f"{FLASH_KEY}_{area}", None)
    if text:
        st.success(text, icon=":material/check_circle:")


def _show_error(exc: SozialraumError) -> None:
    """A German error with its findings as a table (file, row, column, how to fix)."""
    ort = exc.ort()
    st.error((f"{ort}: " if ort else "") + exc.meldung
             + (f" So beheben: {exc.hinweis}" if exc.hinweis else ""), icon=":material/error:")
    if exc.probleme:
        common.table(_problems(exc.probleme))


# --------------------------------------------------------------------------------------------
# Overview and exports
# --------------------------------------------------------------------------------------------


def _overview_tab(name: str, token: str) -> None:
    store = common.store(name)
    st.markdown(
        f"Die Region **{common.region_title(name)}** liegt in einer GeoPackage-Datei, die Sie auch "
        f"in QGIS öffnen können: `{store.path}`"
    )
    common.table(_overview(name, token))
    meta = store.read_meta()
    if meta:
        with st.expander("Aufbau-Protokoll der Region"):
            summary = meta.get("zusammenfassung") or meta.get("summary")
            if summary:
                st.text(summary)
            common.table(pd.DataFrame({"Schlüssel": list(meta), "Wert": [str(v) for v in meta.values()]}))


def _exports_tab(name: str, token: str) -> None:
    from layers.angebote.export import export_services_bytes

    store = common.store(name)
    st.markdown(
        "**CSV** ist für Excel vorbereitet (Semikolon, Dezimalkomma, UTF-8). **GeoJSON** öffnen "
        "QGIS und andere GIS-Programme (WGS 84). **GeoPackage** enthält die Daten im "
        "Koordinatensystem der Region (EPSG:25832). Die Spalte „quelle“ sagt bei jedem Objekt, ob "
        "es echt, modelliert, generiert oder synthetisch ist."
    )
    cols = st.columns([2, 1, 1, 1], vertical_alignment="center")
    cols[0].markdown("**Angebote** (ganzes Verzeichnis, auch stillgelegte)")
    for col, (kind, label, mime) in zip(cols[1:], (("csv", "CSV", "text/csv"),
                                                   ("geojson", "GeoJSON", "application/geo+json"),
                                                   ("gpkg", "GeoPackage", "application/geopackage+sqlite3")),
                                        strict=True):
        col.download_button(f"Angebote als {label}", partial(export_services_bytes, store, kind),
                            file_name=f"angebote_{name}.{kind}", mime=mime, key=f"exp_angebote_{kind}",
                            on_click="ignore")
    for layer_name, (title, _columns) in EXPORTS.items():
        if not store.has_layer(layer_name):
            continue
        cols = st.columns([2, 1, 1, 1], vertical_alignment="center")
        cols[0].markdown(f"**{title}**")
        for col, (kind, label, mime) in zip(cols[1:], (("csv", "CSV", "text/csv"),
                                                       ("geojson", "GeoJSON", "application/geo+json"),
                                                       ("gpkg", "GeoPackage", "application/geopackage+sqlite3")),
                                            strict=True):
            col.download_button(
                f"{title} als {label}", partial(_export, name, token, layer_name, kind),
                file_name=f"{layer_name}_{name}.{kind}", mime=mime,
                key=f"{'csv' if kind == 'csv' else kind}_{layer_name}", on_click="ignore",
            )
    st.info(
        "Barrieremeldungen werden nie als Einzeldaten exportiert. Geschützte Auswertungen "
        "(Tabellen und GeoPackage mit der Datenschutz-Regel) gibt es auf der Seite "
        "„Barrieren (ICF)“.", icon=":material/lock:",
    )


# --------------------------------------------------------------------------------------------
# Import of service lists
# --------------------------------------------------------------------------------------------


@st.fragment
def _service_import_tab() -> None:
    from layers.angebote.importer import check_services_file, import_services
    from layers.validation import excel_sheets

    _show_flash("import")
    st.markdown(
        "Laden Sie eine Angebotsliste hoch: **Excel** (.xlsx), **CSV** (Semikolon oder Komma, "
        "UTF-8 oder Windows-1252), **GeoJSON**, **GeoPackage** oder **Shapefile** (.shp mit "
        ".shx, .dbf, .prj zusammen auswählen). Nötig sind Name und Typ; der Ort kommt aus "
        "Koordinaten (Breite/Länge oder Rechtswert/Hochwert) oder aus der Adresse. Zuerst wird "
        "geprüft – gespeichert wird erst, wenn Sie es bestätigen."
    )
    uploaded = st.file_uploader("Angebotsliste", type=SERVICE_UPLOAD_TYPES, accept_multiple_files=True,
                                key="import_datei")
    if not uploaded:
        st.session_state.pop("import_bericht", None)
        return
    path = common.temp_upload(uploaded, "angebote")
    cols = st.columns(3)
    crs = cols[0].text_input("Koordinatensystem der Rechts-/Hochwerte (optional)", key="import_crs",
                             placeholder="z. B. EPSG:25832",
                             help="Nur nötig, wenn die Datei Rechtswert/Hochwert (x/y) enthält und "
                                  "nicht im System der Region (EPSG:25832) ist. Breite/Länge "
                                  "sind immer WGS 84.")
    sheet = None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            sheets = excel_sheets(path)
        except SozialraumError as exc:
            _show_error(exc)
            return
        sheet = cols[1].selectbox("Tabellenblatt", sheets, key="import_blatt")
    existing = cols[2].radio("Angebote, die es schon gibt (gleiche ID)", ["fehler", "aktualisieren"],
                             key="import_vorhandene",
                             format_func=lambda v: "als Fehler melden" if v == "fehler" else "aktualisieren")
    options: dict[str, Any] = {"crs": crs.strip() or None, "blatt": sheet, "bestehende": existing}
    if st.button("Datei prüfen", key="import_pruefen", type="primary", icon=":material/fact_check:"):
        with st.spinner("Datei wird gelesen, geprüft und Adressen werden verortet …"):
            try:
                report = check_services_file(common.store(), path, **options)
            except SozialraumError as exc:
                st.session_state.pop("import_bericht", None)
                _show_error(exc)
                return
        st.session_state["import_bericht"] = (str(path), options, report)
    stored = st.session_state.get("import_bericht")
    if not stored or stored[0] != str(path) or stored[1] != options:
        return
    report = stored[2]
    if report.fehler:
        st.warning(report.zusammenfassung(), icon=":material/warning:")
    else:
        st.success(report.zusammenfassung(), icon=":material/check_circle:")
    table = report.tabelle()
    if len(table):
        st.markdown("**Prüfbericht** (jede Zeile mit Datei, Zeile, Spalte und wie man es behebt)")
        common.table(table)
        st.download_button("Prüfbericht als CSV", lambda: common.csv_bytes(table),
                           file_name=f"pruefbericht_{path.stem}.csv", mime="text/csv",
                           key="import_bericht_csv", on_click="ignore")
    if len(report.geokodierung):
        with st.expander(f"Adressen verortet ({len(report.geokodierung)})"):
            common.table(report.geokodierung.rename(columns={
                "zeile": "Zeile", "adresse": "Adresse", "status": "Ergebnis", "punktzahl": "Punktzahl",
                "treffer": "Treffer", "hinweis": "Hinweis"}).drop(columns=["x", "y"], errors="ignore"))
    if report.gueltig is not None and len(report.gueltig):
        with st.expander(f"Gültige Zeilen ({len(report.gueltig)})"):
            valid = report.gueltig.to_crs(common.WEB_CRS)
            common.table(pd.DataFrame({
                "Zeile": valid["zeile"] if "zeile" in valid else None,
                "Name": valid["name"], "Typ": valid["typ"], "Straße": valid["strasse"],
                "Hausnr.": valid["hausnummer"], "Breite": valid.geometry.y.round(6),
                "Länge": valid.geometry.x.round(6)}))
    modes = {"gueltige": "nur gültige Zeilen übernehmen", "alles": "alles oder nichts"}
    mode = st.radio("Übernehmen", list(modes), key="import_modus", format_func=modes.get,
                    help="Nur gültige Zeilen: fehlerhafte Zeilen bleiben draußen (stehen im "
                         "Prüfbericht). Alles oder nichts: bei einem einzigen Fehler wird nichts "
                         "gespeichert.")
    if st.button("In das Angebotsverzeichnis übernehmen", key="import_speichern",
                 disabled=report.gueltige_zeilen == 0, icon=":material/save:"):
        try:
            done = import_services(common.store(), path, modus=mode, **options)
        except SozialraumError as exc:
            _show_error(exc)
            return
        st.session_state.pop("import_bericht", None)
        _flash_and_rerun(done.zusammenfassung() + " Karte, Analysen und Kennzahlen sind "
                         "aktualisiert.", "import")


# --------------------------------------------------------------------------------------------
# Editing the directory
# --------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def _directory() -> pd.DataFrame:
    frame = common.store().read_layer("angebote")
    return frame


def _edit_tab() -> None:
    from layers.angebote.edit import ACTION_LABELS, add_service, change_history, undo_change

    _show_flash()
    directory = _directory()
    ids = [str(v) for v in directory["angebot_id"]]
    today = date.today().isoformat()
    retired = {str(r.angebot_id) for r in directory.itertuples()
               if _text(r.gueltig_bis) and _text(r.gueltig_bis) < today}
    labels = {str(r.angebot_id): f"{r.name} ({r.typ})" + (" – stillgelegt" if str(r.angebot_id) in retired else "")
              for r in directory.itertuples()}
    action = st.radio("Was möchten Sie tun?", ["aendern", "neu", "verlauf"], key="edit_aktion",
                      horizontal=True,
                      format_func={"aendern": "Angebot ändern, verschieben oder stilllegen",
                                   "neu": "Neues Angebot erfassen",
                                   "verlauf": "Änderungsverlauf und Rückgängig"}.get)
    if action == "neu":
        _add_form(add_service)
        return
    if action == "verlauf":
        _history(change_history, undo_change, ACTION_LABELS, labels)
        return
    chosen = st.selectbox("Angebot", [None, *ids], key="edit_angebot",
                          format_func=lambda v: "– bitte wählen –" if v is None else labels.get(v, v))
    if chosen is None:
        return
    row = directory[directory["angebot_id"].astype(str) == chosen].iloc[0]
    version_key = f"edit_version_{chosen}"
    if version_key not in st.session_state:
        st.session_state[version_key] = int(row["version"])
    loaded = int(st.session_state[version_key])
    current = int(row["version"])
    st.caption(f"ID {chosen} · Version {loaded} geladen · Quelle: {_text(row['quelle'])}")
    if current != loaded:
        st.warning(
            f"Dieses Angebot wurde inzwischen von jemand anderem geändert (jetzt Version {current}, "
            f"Ihr Formular zeigt Version {loaded}). Laden Sie es neu, bevor Sie speichern.",
            icon=":material/sync_problem:",
        )
        if st.button("Neu laden", key="edit_neu_laden", icon=":material/refresh:"):
            st.session_state[version_key] = current
            st.rerun()
    _change_form(chosen, row, loaded)
    _move_form(chosen, row, loaded)
    _retire_form(chosen, row, loaded)


def _initial(row: Any | None, field: str) -> str:
    """The value a form field starts with (what the offer says now)."""
    if row is None:
        return "unbekannt" if field in (*ACCESS_COLUMNS, "aufsuchend") else ""
    value = row[field] if field in row else None
    if field == "kapazitaet_std_woche":
        return "" if value is None or pd.isna(value) else common.format_number(float(value), 1)
    text = _text(value)
    if field in (*ACCESS_COLUMNS, "aufsuchend") and not text:
        return "unbekannt"
    return text


def _service_fields(prefix: str, row: Any | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The form fields of an offer; returns what was entered and what the fields started with."""
    types = service_type_keys()
    initial = {field: _initial(row, field) for field in (
        "name", "typ", *TEXT_FIELDS, *ACCESS_COLUMNS, "aufsuchend", "kapazitaet_std_woche")}
    values: dict[str, Any] = {}
    cols: Any = st.columns(2)
    values["name"] = cols[0].text_input("Name", value=initial["name"], key=f"{prefix}_name")
    current_type = initial["typ"] or types[0]
    values["typ"] = cols[1].selectbox("Angebotstyp", types, index=types.index(current_type)
                                      if current_type in types else 0, key=f"{prefix}_typ")
    initial["typ"] = current_type
    cols = st.columns(4)
    for col, field in zip(cols, ("strasse", "hausnummer", "plz", "ort"), strict=True):
        values[field] = col.text_input(COLUMN_LABELS[field], value=initial[field], key=f"{prefix}_{field}")
    cols = st.columns(len(ACCESS_COLUMNS) + 1)
    for col, field in zip(cols, (*ACCESS_COLUMNS, "aufsuchend"), strict=True):
        options = list(ACCESS_VALUES) if field != "aufsuchend" else list(YES_NO)
        if initial[field] not in options:
            options.append(initial[field])
        values[field] = col.selectbox(COLUMN_LABELS[field], options,
                                      index=options.index(initial[field]), key=f"{prefix}_{field}")
    with st.expander("Weitere Angaben (Zielgruppen, Öffnungszeiten, Träger, Kontakt …)"):
        cols = st.columns(2)
        others = [f for f in TEXT_FIELDS if f not in ("strasse", "hausnummer", "plz", "ort")]
        for i, field in enumerate(others):
            values[field] = cols[i % 2].text_input(COLUMN_LABELS[field], value=initial[field],
                                                   key=f"{prefix}_{field}")
        values["kapazitaet_std_woche"] = cols[len(others) % 2].text_input(
            COLUMN_LABELS["kapazitaet_std_woche"], value=initial["kapazitaet_std_woche"],
            key=f"{prefix}_kapazitaet")
    return values, initial


def _change_form(angebot_id: str, row: Any, loaded: int) -> None:
    from layers.angebote.edit import update_service

    prefix = f"edit_{angebot_id}_{loaded}"
    with st.form(key=f"{prefix}_form"):
        st.markdown("**Angaben ändern**")
        values, initial = _service_fields(prefix, row)
        submitted = st.form_submit_button("Änderungen speichern", icon=":material/save:")
    if not submitted:
        return
    changes = {field: str(value).strip() or None for field, value in values.items()
               if str(value).strip() != initial[field].strip()}
    if not changes:
        st.info("Keine Änderung eingegeben.")
        return
    try:
        result = update_service(common.store(), angebot_id, changes, expected_version=loaded)
    except VersionConflictError as exc:
        st.error(str(exc), icon=":material/sync_problem:")
        return
    except SozialraumError as exc:
        _show_error(exc)
        return
    st.session_state[f"edit_version_{angebot_id}"] = result.version
    _flash_and_rerun(f"Gespeichert ({', '.join(COLUMN_LABELS.get(f, f) for f in changes)}); jetzt "
                     f"Version {result.version}. Rückgängig im Änderungsverlauf (Eintrag "
                     f"{result.audit_id}).")


def _on_move_click(map_key: str, prefix: str) -> None:
    """A click into the small map sets the new position of the offer (before the rerun)."""
    value = st.session_state.get(map_key) or {}
    clicked = value.get("last_clicked") if isinstance(value, dict) else None
    if clicked:
        st.session_state[f"{prefix}_lat"] = round(float(clicked["lat"]), 6)
        st.session_state[f"{prefix}_lon"] = round(float(clicked["lng"]), 6)


def _move_map(point: Any, prefix: str) -> None:
    """A small map of the offer; a click there fills in the new position."""
    from streamlit_folium import st_folium

    from ui import maps

    layers = common.map_layers()
    lat = float(st.session_state.get(f"{prefix}_lat", point.y))
    lon = float(st.session_state.get(f"{prefix}_lon", point.x))
    groups = [maps.selection_layer(None, point=(float(point.y), float(point.x))),
              maps.area_layer(layers.areas, layers.area_labels)]
    if (round(lat, 6), round(lon, 6)) != (round(float(point.y), 6), round(float(point.x), 6)):
        groups.append(maps.start_point_layer(lat, lon, "neue Lage"))
    groups.append(maps.legend_layer(maps.legend_html(streets=False, selection=True, extra=[
        ("Verschieben", [maps.LegendEntry("punkt", "#000000", "neue Lage (Klick in die Karte)")])]),
        expanded=False))
    map_key = f"{prefix}_karte"
    fmap = maps.base_map(layers.basemap, online_tiles=common.online_tiles(),
                         label="Karte zum Verschieben des Angebots", scroll_zoom=False,
                         view=((float(point.y), float(point.x)), 16))
    st_folium(fmap, key=map_key, height=320, use_container_width=True,
              center=(float(point.y), float(point.x)), zoom=16, returned_objects=["last_clicked"],
              feature_group_to_add=[maps.localize_assets(g) for g in groups],
              on_change=partial(_on_move_click, map_key, prefix))


def _move_form(angebot_id: str, row: Any, loaded: int) -> None:
    from layers.angebote.edit import move_service

    web = common.read_geo(common.store(), "angebote").to_crs(common.WEB_CRS)
    point = web[web["angebot_id"].astype(str) == angebot_id].geometry.iloc[0]
    prefix = f"move_{angebot_id}_{loaded}"
    for axis, value in (("lat", point.y), ("lon", point.x)):
        st.session_state.setdefault(f"{prefix}_{axis}", round(float(value), 6))
    st.markdown("**Verschieben** – klicken Sie in der Karte auf die neue Lage oder tragen Sie sie "
                "in Grad ein (WGS 84, wie in Online-Karten). Der Ring zeigt die bisherige Lage.")
    _move_map(point, prefix)
    with st.form(key=f"{prefix}_form"):
        cols = st.columns(2)
        lat = cols[0].number_input("Breite", format="%.6f", step=0.0001, key=f"{prefix}_lat")
        lon = cols[1].number_input("Länge", format="%.6f", step=0.0001, key=f"{prefix}_lon")
        submitted = st.form_submit_button("Hierher verschieben", icon=":material/open_with:")
    if not submitted:
        return
    store = common.store()
    x, y = common.to_region_crs(float(lat), float(lon), store.crs)
    try:
        result = move_service(store, angebot_id, shapely.Point(x, y), expected_version=loaded)
    except VersionConflictError as exc:
        st.error(str(exc), icon=":material/sync_problem:")
        return
    except SozialraumError as exc:
        _show_error(exc)
        return
    st.session_state[f"edit_version_{angebot_id}"] = result.version
    _flash_and_rerun(f"Verschoben; jetzt Version {result.version}.")


def _retire_form(angebot_id: str, row: Any, loaded: int) -> None:
    from layers.angebote.edit import retire_service

    prefix = f"retire_{angebot_id}_{loaded}"
    with st.form(key=f"{prefix}_form"):
        st.markdown("**Stilllegen** – das Angebot bleibt im Verzeichnis (mit Enddatum), zählt "
                    "danach aber nicht mehr in Karte, Erreichbarkeit und Kennzahlen.")
        cols = st.columns([1, 2])
        end = cols[0].date_input("Letzter Tag", value=date.today(), format="DD.MM.YYYY",
                                 key=f"{prefix}_bis")
        reason = cols[1].text_input("Grund (optional)", key=f"{prefix}_grund")
        submitted = st.form_submit_button("Stilllegen", icon=":material/block:")
    if not submitted:
        return
    try:
        result = retire_service(common.store(), angebot_id, expected_version=loaded,
                                gueltig_bis=end if isinstance(end, date) else None,
                                grund=reason.strip() or None)
    except VersionConflictError as exc:
        st.error(str(exc), icon=":material/sync_problem:")
        return
    except SozialraumError as exc:
        _show_error(exc)
        return
    st.session_state[f"edit_version_{angebot_id}"] = result.version
    _flash_and_rerun(f"Stillgelegt zum {end:%d.%m.%Y}; jetzt Version {result.version}.")


def _add_form(add_service: Any) -> None:
    from layers.validation import parse_decimal

    with st.form(key="neu_form", clear_on_submit=False):
        st.markdown("**Neues Angebot** – Lage aus der Adresse (offline verortet) oder aus Breite/Länge")
        values, _initial_values = _service_fields("neu", None)
        cols = st.columns(2)
        lat_text = cols[0].text_input("Breite (optional)", key="neu_lat", placeholder="z. B. 50,7753")
        lon_text = cols[1].text_input("Länge (optional)", key="neu_lon", placeholder="z. B. 6,0839")
        submitted = st.form_submit_button("Angebot anlegen", icon=":material/add_location:")
    if not submitted:
        return
    clean = {k: (str(v).strip() or None) for k, v in values.items()}
    clean = {k: v for k, v in clean.items() if v is not None}
    geometry = None
    store = common.store()
    try:
        if lat_text.strip() or lon_text.strip():
            numbers, problems = parse_decimal(pd.Series([lat_text, lon_text]), spalte="Breite/Länge")
            if problems or numbers.isna().any():
                raise InputValidationError(
                    "Breite und Länge sind keine Zahlen.",
                    hinweis="Geben Sie beide in Grad an, z. B. 50,7753 und 6,0839 – oder lassen "
                            "Sie beide leer, dann wird die Adresse verortet.",
                    probleme=problems)
            lat, lon = float(numbers.iloc[0]), float(numbers.iloc[1])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InputValidationError(
                    "Breite oder Länge liegt außerhalb des möglichen Bereichs.",
                    hinweis="Breite zwischen −90 und 90, Länge zwischen −180 und 180 Grad.")
            x, y = common.to_region_crs(lat, lon, store.crs)
            geometry = shapely.Point(x, y)
        result = add_service(store, clean, geometry=geometry)
    except SozialraumError as exc:
        _show_error(exc)
        return
    _flash_and_rerun(f"Angelegt: {clean.get('name')} (ID {result.angebot_id}). Rückgängig im "
                     f"Änderungsverlauf (Eintrag {result.audit_id}).")


def _summary(values: dict[str, Any] | None) -> str:
    if not values:
        return ""
    parts = []
    for key, value in values.items():
        if key in ("version",):
            continue
        if key == "geometry":
            parts.append("Lage")
            continue
        parts.append(f"{COLUMN_LABELS.get(key, key)}: {_text(value) or '–'}")
    text = "; ".join(parts)
    return text if len(text) < 160 else text[:157] + "…"


def _history(change_history: Any, undo_change: Any, action_labels: dict[str, str],
             labels: dict[str, str]) -> None:
    history = change_history(common.store())
    if history.empty:
        st.info("Noch keine Änderungen am Angebotsverzeichnis.")
        return
    table = pd.DataFrame({
        "Eintrag": history["protokoll_id"].astype(int),
        "Zeitpunkt": history["zeitpunkt"].astype(str),
        "Benutzer": history["benutzer"].astype(str),
        "Angebot": [labels.get(str(a), str(a)) for a in history["angebot_id"]],
        "Aktion": [action_labels.get(str(a), str(a)) for a in history["aktion"]],
        "Felder": history["felder"].astype(str),
        "vorher": [_summary(v) for v in history["alt"]],
        "nachher": [_summary(v) for v in history["neu"]],
    })
    common.table(table)
    entries = [int(v) for v in history["protokoll_id"]]
    described = {entry: f"{entry}: {who} – {what} ({when})" for entry, who, what, when in zip(
        entries, table["Angebot"], table["Aktion"], table["Zeitpunkt"], strict=True)}
    chosen = st.selectbox("Eintrag rückgängig machen", entries, key="verlauf_eintrag",
                          format_func=lambda v: described.get(v, str(v)))
    if st.button("Diese Änderung rückgängig machen", key="verlauf_rueckgaengig", icon=":material/undo:"):
        try:
            result = undo_change(common.store(), int(chosen))
        except SozialraumError as exc:
            _show_error(exc)
            return
        st.session_state.pop(f"edit_version_{result.angebot_id}", None)
        _flash_and_rerun(f"Eintrag {chosen} rückgängig gemacht (neuer Eintrag {result.audit_id}).")


# --------------------------------------------------------------------------------------------
# Planning areas, indicator tables, barrier reports
# --------------------------------------------------------------------------------------------


@st.fragment
def _areas_tab() -> None:
    from layers.planungsraeume.checks import (
        check_planning_areas,
        region_boundary_of,
        save_planning_areas,
    )
    from layers.planungsraeume.define import areas_from_municipalities, read_planning_areas

    _show_flash("planungsraeume")
    st.markdown(
        "Ersetzen Sie die generierten Planungsräume durch Ihre eigenen: als **Flächen** (GeoJSON, "
        "GeoPackage, Shapefile) oder als **Zuordnung der Gemeinden** (Tabelle AGS → "
        "Planungsraum). Vor dem Speichern wird geprüft: gültige Flächen, eindeutige Nummern, "
        "Überlappungen und Lücken."
    )
    kinds = {"flaechen": "Flächen-Datei", "gemeinden": "Zuordnung der Gemeinden (AGS)"}
    kind = st.radio("Art", list(kinds), key="pr_art", format_func=kinds.get, horizontal=True)
    store = common.store()
    uploaded: Any
    if kind == "flaechen":
        uploaded = st.file_uploader("Planungsräume", type=AREA_UPLOAD_TYPES, accept_multiple_files=True,
                                    key="pr_datei")
        cols = st.columns(3)
        key_col = cols[0].text_input("Spalte mit der Nummer (optional)", key="pr_schluessel")
        name_col = cols[1].text_input("Spalte mit dem Namen (optional)", key="pr_name")
        repair = cols[2].checkbox("Ungültige Flächen reparieren", key="pr_reparieren")
    else:
        uploaded = st.file_uploader("Zuordnungstabelle", type=["csv", "txt", "xlsx"],
                                    accept_multiple_files=False, key="pr_tabelle")
    if not uploaded:
        st.session_state.pop("pr_pruefung", None)
        return
    path = common.temp_upload(uploaded, "planungsraeume")
    if st.button("Planungsräume prüfen", key="pr_pruefen", type="primary", icon=":material/fact_check:"):
        try:
            if kind == "flaechen":
                areas = read_planning_areas(path, crs=store.crs, schluessel=key_col.strip() or None,
                                            name=name_col.strip() or None, reparieren=repair)
            else:
                areas = areas_from_municipalities(path, store.read_layer("gemeinden"))
            check = check_planning_areas(areas, region_boundary_of(store))
        except SozialraumError as exc:
            st.session_state.pop("pr_pruefung", None)
            _show_error(exc)
            return
        st.session_state["pr_pruefung"] = (str(path), areas, check)
    stored = st.session_state.get("pr_pruefung")
    if not stored or stored[0] != str(path):
        return
    _, areas, check = stored
    (st.success if check.ok else st.error)(f"{len(areas)} Planungsräume: {check.summary()}")
    warnings = list(areas.attrs.get("probleme", [])) + list(check.probleme)
    if warnings:
        common.table(_problems(warnings))
    common.table(pd.DataFrame({"Nr.": areas["pr_id"], "Name": areas["name"],
                               "Fläche (km²)": areas["flaeche_km2"].round(2)}))
    for title, frame in (("Überlappungen", check.ueberlappungen), ("Lücken", check.luecken)):
        if frame is not None and len(frame):
            with st.expander(f"{title} ({len(frame)})"):
                common.table(pd.DataFrame(frame.drop(columns=frame.geometry.name)))
    if st.button("Planungsräume speichern (ersetzt die bisherigen)", key="pr_speichern",
                 disabled=not check.ok, icon=":material/save:"):
        try:
            saved = save_planning_areas(store, areas)
        except SozialraumError as exc:
            _show_error(exc)
            return
        st.session_state.pop("pr_pruefung", None)
        _flash_and_rerun(f"Gespeichert: {len(areas)} Planungsräume ({saved.summary()}). "
                         "Kennzahlen, Karten und Analysen rechnen ab jetzt mit ihnen.",
                         "planungsraeume")


@st.fragment
def _indicator_tab() -> None:
    from layers.planungsraeume.tabellen import join_table, save_user_indicators

    _show_flash("kennzahlen")
    st.markdown(
        "Verknüpfen Sie eine Tabelle mit Kennzahlen je Planungsraum (z. B. Arbeitslosenquote, "
        "Leistungsbeziehende aus der Kommunalstatistik). Die Schlüsselspalte wird erkannt; "
        "Zahlen mit Dezimalkomma sind in Ordnung. Gespeicherte Kennzahlen erscheinen im Profil "
        "jedes Planungsraums."
    )
    uploaded = st.file_uploader("Kennzahlen-Tabelle", type=["csv", "txt", "xlsx"], key="kz_datei")
    if not uploaded:
        st.session_state.pop("kz_ergebnis", None)
        return
    path = common.temp_upload(uploaded, "kennzahlen")
    store = common.store()
    if st.button("Tabelle prüfen und verknüpfen", key="kz_pruefen", type="primary",
                 icon=":material/join:"):
        try:
            result = join_table(store.read_layer("planungsraeume"), path)
        except SozialraumError as exc:
            st.session_state.pop("kz_ergebnis", None)
            _show_error(exc)
            return
        st.session_state["kz_ergebnis"] = (str(path), result)
    stored = st.session_state.get("kz_ergebnis")
    if not stored or stored[0] != str(path):
        return
    result = stored[1]
    st.success(result.summary(), icon=":material/check_circle:")
    if result.probleme:
        common.table(_problems(result.probleme))
    common.table(result.werte)
    if len(result.ohne_treffer):
        with st.expander(f"Tabellenzeilen ohne passenden Planungsraum ({len(result.ohne_treffer)})"):
            common.table(result.ohne_treffer)
    if len(result.ohne_daten):
        with st.expander(f"Planungsräume ohne Zeile in der Tabelle ({len(result.ohne_daten)})"):
            common.table(result.ohne_daten)
    source = st.text_input("Quelle der Kennzahlen", key="kz_quelle",
                           placeholder="z. B. Kommunalstatistik 2024")
    if st.button("Kennzahlen speichern", key="kz_speichern", disabled=not source.strip() or not result.spalten,
                 icon=":material/save:"):
        try:
            save_user_indicators(store, result, quelle=source.strip())
        except SozialraumError as exc:
            _show_error(exc)
            return
        st.session_state.pop("kz_ergebnis", None)
        _flash_and_rerun(f"{len(result.spalten)} Kennzahlen gespeichert: "
                         f"{', '.join(result.spalten)}.", "kennzahlen")


@st.fragment
def _barrier_tab() -> None:
    from layers.barrieren import import_barriers

    _show_flash("barrieren")
    st.markdown(
        "Barrieremeldungen aus der Fallarbeit (CSV oder Excel): ICF-Code der Umweltfaktoren mit "
        "Beurteilungsmerkmal, Beeinträchtigungsgruppe, Datum, **pseudonymer** Personenschlüssel und "
        "der Ort (Koordinaten, Adresse oder Straße). Spalten mit Namen, Geburtsdaten oder "
        "Kontaktdaten werden abgelehnt. Die Meldungen werden nur gespeichert, wenn jede Zeile "
        "stimmt, und danach nie als Einzeldaten gezeigt oder exportiert."
    )
    uploaded = st.file_uploader("Barrieremeldungen", type=["csv", "txt", "xlsx"], key="bm_datei")
    if not uploaded:
        st.session_state.pop("bm_pruefung", None)
        return
    path = common.temp_upload(uploaded, "barrieren")
    config = common.region_config(common.region_name())
    if st.button("Meldungen prüfen", key="bm_pruefen", type="primary", icon=":material/fact_check:"):
        try:
            result = import_barriers(path, config, store=common.store(), dry_run=True)
        except SozialraumError as exc:
            st.session_state.pop("bm_pruefung", None)
            _show_error(exc)
            return
        st.session_state["bm_pruefung"] = str(path)
        st.success(result.summary(), icon=":material/check_circle:")
    if st.session_state.get("bm_pruefung") != str(path):
        return
    if st.button("Meldungen speichern", key="bm_speichern", icon=":material/save:"):
        try:
            result = import_barriers(path, config, store=common.store())
        except SozialraumError as exc:
            _show_error(exc)
            return
        st.session_state.pop("bm_pruefung", None)
        _flash_and_rerun(result.summary() + " Die geschützten Auswertungen sind aktualisiert.",
                         "barrieren")


def render() -> None:
    """Draw the page."""
    st.title("Daten")
    if not common.ensure_region_built():
        return
    common.data_notice()
    name = common.region_name()
    token = common.token(name)
    tabs = st.tabs(["Überblick", "Angebote importieren", "Angebote bearbeiten", "Planungsräume",
                    "Kennzahlen-Tabelle", "Barrieremeldungen", "Exporte"])
    with tabs[0]:
        _overview_tab(name, token)
    with tabs[1]:
        _service_import_tab()
    with tabs[2]:
        _edit_tab()
    with tabs[3]:
        _areas_tab()
    with tabs[4]:
        _indicator_tab()
    with tabs[5]:
        _barrier_tab()
    with tabs[6]:
        _exports_tab(name, token)


common.page_frame()
common.guarded(render)
