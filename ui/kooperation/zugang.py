"""The view 'Aufsuchend & Öffnungszeiten' of the Netzwerk page: outreach coverage per area,
reachability at a moment of the week, open hours and digital-only offers per area. Numbers come
from :mod:`planungsraeume.zugangswege` and :mod:`planungsraeume.erreichbarkeit`."""

from __future__ import annotations

import streamlit as st

from layers.errors import SozialraumError
from planungsraeume import erreichbarkeit, zugangswege
from planungsraeume.darstellung.praesenz import access_table, outreach_table
from planungsraeume.frage import Question
from planungsraeume.region import Region
from ui import widgets

__all__ = ["access_section"]


def access_section(region: Region, frage: Question) -> None:
    """Outreach, a moment of the week, hours and ways of access per planning area."""
    try:
        outreach = zugangswege.outreach_coverage(region, frage)
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        return
    st.subheader("Vor Ort erreichbar oder aufsuchend versorgt", anchor=False)
    shown = outreach_table(outreach)
    widgets.table(shown)
    st.caption("Jede Person zählt einmal: zuerst „vor Ort erreichbar“ (ein Angebot der Auswahl "
               "in der gewählten Zeit), sonst „aufsuchend versorgt“ (im Zuständigkeitsgebiet "
               "eines aufsuchenden Angebots; Fahrzeit-Radien mit dem Auto geschätzt), sonst "
               "„nicht versorgt“.")
    count = bool(st.checkbox("Versorgungslücken: aufsuchend versorgte Menschen nicht als Lücke "
                             "zählen", value=True, key="zugang_luecken_aufsuchend"))
    layer = zugangswege.gaps(region, frage, aufsuchend_zaehlt=count)
    st.metric("Einwohner in Versorgungslücken", widgets.format_number(layer["einwohner"].sum()),
              help="Bewohnte 100-m-Zellen ohne Angebot in der gewählten Zeit"
                   + (", ohne die aufsuchend versorgten" if count else ""))
    st.download_button("Versorgungslücken (GeoPackage)",
                       lambda: widgets.geopackage_bytes({"versorgungsluecken": layer}),
                       file_name="versorgungsluecken.gpkg", key="zugang_dl_luecken",
                       mime="application/geopackage+sqlite3", on_click="ignore")
    st.subheader("Erreichbarkeit zu einem Zeitpunkt", anchor=False)
    cols = st.columns([2, 3])
    moment = str(cols[0].text_input("Wochentag und Uhrzeit", "Di 17:00", key="zugang_zeitpunkt"))
    unknown = bool(cols[1].checkbox("Angebote ohne lesbare Öffnungszeiten als geöffnet zählen",
                                    key="zugang_unbekannt"))
    try:
        at = zugangswege.question_at(region, frage, moment, unbekannt_offen=unknown)
        always = erreichbarkeit.coverage(region, frage)
        then = erreichbarkeit.coverage(region, at)
    except SozialraumError as exc:
        widgets.show_analysis_error(exc)
        then = None
    if then is not None:
        total = always[always["pr_id"] == "gesamt"].iloc[0]
        now = then[then["pr_id"] == "gesamt"].iloc[0]
        open_ids = dict(at.weitere_filter).get("angebot_id", ())
        figures = st.columns(3)
        figures[0].metric("geöffnete Angebote", widgets.format_number(len(region.selected_offers(at)))
                       if open_ids != ("(keines geöffnet)",) else "0")
        figures[1].metric("erreichen ein Angebot (immer)",
                       widgets.format_percent(total["anteil_erreicht_prozent"]))
        figures[2].metric(f"erreichen ein geöffnetes ({moment})",
                       widgets.format_percent(now["anteil_erreicht_prozent"]))
    st.subheader("Öffnungszeiten und Zugangswege je Planungsraum", anchor=False)
    access = access_table(zugangswege.hours_by_area(region, frage),
                          zugangswege.digital_only_by_area(region, frage))
    widgets.table(access)
    st.caption("„Stunden/Woche geöffnet“: Stunden, in denen mindestens ein Angebot des "
               "Planungsraums geöffnet ist. „Nur digital“: nur per Telefon, Video oder online "
               "erreichbar – wer diese Wege nicht nutzen kann, braucht ein Angebot vor Ort.")
    downloads = st.columns(2)
    widgets.csv_download("Aufsuchend (CSV)", shown, "aufsuchend.csv", "zugang_dl_auf",
                         target=downloads[0])
    widgets.csv_download("Öffnungszeiten (CSV)", access, "oeffnungszeiten.csv", "zugang_dl_oz",
                         target=downloads[1])
