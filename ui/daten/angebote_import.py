"""The tab "Angebote importieren": upload, check with a German report, then store on request.

Checking and storing are :func:`layers.angebote.importer.check_services_file` and
:func:`~layers.angebote.importer.import_services`; checking writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from layers.errors import SozialraumError
from layers.sicher import escape_markdown
from ui import state, widgets
from ui.daten.meldungen import flash_and_rerun, show_error, show_flash
from ui.maplayers import WEB_CRS

__all__ = ["SERVICE_UPLOAD_TYPES", "service_import_tab"]

SERVICE_UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "xlsm", "geojson", "json", "gpkg", "shp",
                        "shx", "dbf", "prj", "cpg"]
REPORT_KEY = "import_bericht"


def _options(path: Path) -> dict[str, Any] | None:
    """CRS of x/y columns, the sheet of a workbook, and what to do with known ids."""
    from layers.validation import excel_sheets

    cols = st.columns(3)
    crs = cols[0].text_input(
        "Koordinatensystem der Rechts-/Hochwerte (optional)", key="import_crs",
        placeholder="z. B. EPSG:25832",
        help="Nur nötig, wenn die Datei Rechtswert/Hochwert (x/y) enthält und nicht im System "
             f"der Region ({state.region().crs}) ist. Breite/Länge sind immer WGS 84.")
    sheet = None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            sheets = excel_sheets(path)
        except SozialraumError as exc:
            show_error(exc)
            return None
        sheet = cols[1].selectbox("Tabellenblatt", sheets, key="import_blatt")
    existing = cols[2].radio(
        "Angebote, die es schon gibt (gleiche ID)", ["fehler", "aktualisieren"],
        key="import_vorhandene",
        format_func=lambda v: "als Fehler melden" if v == "fehler" else "aktualisieren")
    return {"crs": crs.strip() or None, "blatt": sheet, "bestehende": existing}


def _check(path: Path, options: dict[str, Any]) -> None:
    from layers.angebote.importer import check_services_file

    with st.spinner("Datei wird gelesen, geprüft und Adressen werden verortet …"):
        try:
            report = check_services_file(state.region().store, path, **options)
        except SozialraumError as exc:
            st.session_state.pop(REPORT_KEY, None)
            show_error(exc)
            return
    st.session_state[REPORT_KEY] = (str(path), options, report)


def _report(report: Any, path: Path) -> None:
    """The summary, the findings with a CSV download, geocoding and the valid rows."""
    (st.warning if report.fehler else st.success)(
        escape_markdown(report.zusammenfassung()), icon=":material/warning:" if report.fehler
        else ":material/check_circle:")
    table = report.tabelle()
    if len(table):
        st.markdown("**Prüfbericht** (jede Zeile mit Datei, Zeile, Spalte und wie man es behebt)")
        widgets.table(table)
        widgets.csv_download("Prüfbericht als CSV", table, f"pruefbericht_{path.stem}.csv",
                             "import_bericht_csv")
    if len(report.geokodierung):
        with st.expander(f"Adressen verortet ({len(report.geokodierung)})"):
            widgets.table(report.geokodierung.rename(columns={
                "zeile": "Zeile", "adresse": "Adresse", "status": "Ergebnis",
                "punktzahl": "Punktzahl", "treffer": "Treffer", "hinweis": "Hinweis",
            }).drop(columns=["x", "y"], errors="ignore"))
    if report.gueltig is not None and len(report.gueltig):
        with st.expander(f"Gültige Zeilen ({len(report.gueltig)})"):
            valid = report.gueltig.to_crs(WEB_CRS)
            widgets.table(pd.DataFrame({
                "Zeile": valid["zeile"] if "zeile" in valid else None,
                "Name": valid["name"], "Typ": valid["typ"], "Straße": valid["strasse"],
                "Hausnr.": valid["hausnummer"], "Breite": valid.geometry.y.round(6),
                "Länge": valid.geometry.x.round(6)}))


def _store(report: Any, path: Path, options: dict[str, Any]) -> None:
    from layers.angebote.importer import import_services

    modes = {"gueltige": "nur gültige Zeilen übernehmen", "alles": "alles oder nichts"}
    mode = st.radio("Übernehmen", list(modes), key="import_modus", format_func=modes.get,
                    help="Nur gültige Zeilen: fehlerhafte Zeilen bleiben draußen (stehen im "
                         "Prüfbericht). Alles oder nichts: bei einem einzigen Fehler wird nichts "
                         "gespeichert.")
    if not st.button("In das Angebotsverzeichnis übernehmen", key="import_speichern",
                     disabled=report.gueltige_zeilen == 0, icon=":material/save:"):
        return
    try:
        done = import_services(state.region().store, path, modus=mode, **options)
    except SozialraumError as exc:
        show_error(exc)
        return
    st.session_state.pop(REPORT_KEY, None)
    flash_and_rerun(done.zusammenfassung() + " Karte, Analysen und Kennzahlen sind "
                    "aktualisiert.", "import")


@st.fragment
def service_import_tab() -> None:
    """Upload a service list, check it, then take it over."""
    show_flash("import")
    st.markdown(
        "Laden Sie eine Angebotsliste hoch: **Excel** (.xlsx), **CSV** (Semikolon oder Komma, "
        "UTF-8 oder Windows-1252), **GeoJSON**, **GeoPackage** oder **Shapefile** (.shp mit "
        ".shx, .dbf, .prj zusammen auswählen). Nötig sind Name und Typ; der Ort kommt aus "
        "Koordinaten (Breite/Länge oder Rechtswert/Hochwert) oder aus der Adresse. Zuerst wird "
        "geprüft – gespeichert wird erst, wenn Sie es bestätigen."
    )
    uploaded = st.file_uploader("Angebotsliste", type=SERVICE_UPLOAD_TYPES,
                                accept_multiple_files=True, key="import_datei")
    if not uploaded:
        st.session_state.pop(REPORT_KEY, None)
        return
    path = widgets.temp_upload(uploaded, "angebote")
    options = _options(path)
    if options is None:
        return
    if st.button("Datei prüfen", key="import_pruefen", type="primary", icon=":material/fact_check:"):
        _check(path, options)
    stored = st.session_state.get(REPORT_KEY)
    if not stored or stored[0] != str(path) or stored[1] != options:
        return
    _report(stored[2], path)
    _store(stored[2], path, options)
