"""The location-suggestion part of the Szenarien page.

:func:`planungsraeume.versorgung.suggest_sites` for the page's question; tables from
:mod:`planungsraeume.darstellung`.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import folium
import streamlit as st

from layers.errors import InputValidationError, SozialraumError
from layers.sicher import path_inside, safe_file_name
from planungsraeume import darstellung
from planungsraeume.frage import Question
from planungsraeume.region import Region
from planungsraeume.versorgung import suggest_sites
from ui import cached, legend, mapdata, overlays, sicher, widgets
from ui.maplayers import WEB_CRS
from ui.szenarien import karte, zustand
from ui.szenarien.szenario import signed

__all__ = ["suggestion_section"]


def _settings() -> None:
    cols = list(st.columns(4))
    cols[0].number_input("Zahl neuer Angebote", min_value=1, max_value=10, value=3, step=1,
                         key="sv_anzahl")
    cols[1].radio("Modell", ["mclp", "p-median"], key="sv_modell",
                  format_func={"mclp": "möglichst viele neu versorgt (MCLP)",
                               "p-median": "kürzeste Wege für alle (p-Median)"}.get)
    cols[2].radio("Wessen Versorgung zählt", ["einwohner", "alter_65_plus"], key="sv_nachfrage",
                  format_func={"einwohner": "alle Einwohner", "alter_65_plus": "Menschen ab 65"}.get)
    cols[3].radio("Kandidaten", ["region", "liste"], key="sv_kandidaten",
                  format_func={"region": "öffentliche Gebäude der Region",
                               "liste": "eigene Liste (Datei)"}.get)
    if st.session_state.get("sv_kandidaten") == "liste":
        st.file_uploader("Kandidatenliste (CSV/Excel: Name und lon/lat oder Rechtswert/Hochwert)",
                         type=["csv", "xlsx"], key="sv_liste")


def _own_candidates(region: Region) -> Any:
    from layers.kandidaten import read_candidate_table

    if st.session_state.get("sv_kandidaten") != "liste":
        return None
    upload = st.session_state.get("sv_liste")
    if upload is None:
        raise InputValidationError("Es ist keine Kandidatenliste gewählt.",
                                   hinweis="Laden Sie eine CSV- oder Excel-Datei hoch.")
    too_large = sicher.check_upload_size(upload)
    if too_large:
        raise InputValidationError(too_large)
    with tempfile.TemporaryDirectory() as folder:
        path = path_inside(folder, Path(upload.name).name or "kandidaten")
        path.write_bytes(upload.getvalue())
        return read_candidate_table(path, crs=region.crs, region=region.layer("region"))


def _run(region: Region, frage: Question) -> None:
    candidates = _own_candidates(region)
    with st.status("Standortvorschlag wird berechnet …", expanded=True) as status:
        bar = st.progress(0.0)

        def report(fraction: float, label: str) -> None:
            bar.progress(min(1.0, fraction), text=label or None)

        try:
            plan = suggest_sites(region, frage, int(st.session_state["sv_anzahl"]),
                                 modell=st.session_state["sv_modell"], kandidaten=candidates,
                                 nachfrage=st.session_state["sv_nachfrage"], progress=report)
        except SozialraumError:
            status.update(label="Vorschlag fehlgeschlagen", state="error")
            raise
        seconds = widgets.format_number(plan.vorschlag.sekunden, 1)
        status.update(label=f"Vorschlag berechnet ({seconds} s für das Modell)",
                      state="complete", expanded=False)
    st.session_state[zustand.RESULT] = {
        "plan": plan, "typ": frage.typ, "frage": frage,
        "nachfrage": st.session_state["sv_nachfrage"],
        # The candidates the model saw: the map legend and the caption count these (one place).
        "kandidaten": cached.candidate_sites(region) if candidates is None else candidates,
        "schluessel": (region.identity()["version"], frage.key()),
    }


def _metrics(result: dict[str, Any]) -> None:
    summary = result["plan"].vorschlag
    whom = "Menschen ab 65" if result["nachfrage"] == "alter_65_plus" else "Einwohner"
    n = widgets.format_number
    metrics = list(st.columns(3))
    metrics[0].metric(f"{whom} versorgt vorher ({result['frage'].minutes_label()})",
                      n(summary.versorgt_vorher))
    metrics[1].metric(f"{whom} versorgt nachher", n(summary.versorgt_nachher))
    metrics[2].metric("neu versorgt", signed(summary.versorgt_nachher - summary.versorgt_vorher))


def _candidates(region: Region, result: dict[str, Any] | None) -> Any:
    """The candidate sites of the shown suggestion (the region's before the first one)."""
    if result is not None and result.get("kandidaten") is not None:
        return result["kandidaten"]
    return cached.candidate_sites(region)


def _map(region: Region, frage: Question, result: dict[str, Any] | None) -> None:
    plan = result["plan"] if result else None
    candidates = _candidates(region, result)
    existing = cached.selected_offers_web(region, frage)
    group = folium.FeatureGroup(name="Kandidaten und Vorschläge")
    for _, row in candidates.to_crs(WEB_CRS).iterrows():
        folium.CircleMarker([row.geometry.y, row.geometry.x], radius=3, color="#666666", weight=1,
                            fill=True, fill_opacity=0.5, tooltip=sicher.tooltip(f"Kandidat: {row['name']}"),
                            interactive=True).add_to(group)
    parts = [("ring", "#666666", f"Kandidat ({len(candidates)})")]
    if plan is not None:
        for _, row in plan.standorte.to_crs(WEB_CRS).iterrows():
            title = (f"Vorschlag {row['rang']}: {row['name']} – neu versorgt "
                     f"{widgets.format_number(row['neu_versorgt_einwohner'])} Einwohner")
            karte.label_marker(row.geometry.y, row.geometry.x, f"Vorschlag {row['rang']}", title,
                               karte.SUGGESTION_COLOUR).add_to(group)
        parts.insert(0, ("punkt", karte.SUGGESTION_COLOUR, "Vorschlag (Rang wie in der Tabelle)"))
    groups = [group, overlays.service_layer(existing, cluster=False),
              legend.legend_layer(karte.legend_text(parts, existing if len(existing) else None))]
    karte.draw(region, groups, "sv_karte",
               f"Karte der Standortvorschläge: {frage.selection_label()}", clickable=False)


def _tables(result: dict[str, Any]) -> None:
    plan, frage = result["plan"], result["frage"]
    st.markdown(f"**Vorgeschlagene Standorte** ({frage.label()})")
    st.dataframe(darstellung.text_table(darstellung.site_table(plan)), hide_index=True,
                 width="stretch", key="sv_tabelle")
    count = len(result["kandidaten"]) if result.get("kandidaten") is not None else 0
    st.caption(f"{darstellung.site_method_text(plan, count)} „neu versorgt“: Menschen, die erst "
               "durch diesen "
               "Standort das Angebot in der Zeit erreichen (nach den bestehenden und den höher "
               "gereihten).")
    for note in plan.vorschlag.hinweise:
        st.info(note, icon=":material/info:")
    st.markdown("**Neu versorgte Einwohner je Planungsraum**")
    st.dataframe(darstellung.text_table(darstellung.site_area_table(plan)), hide_index=True,
                 width="stretch", key="sv_je_pr")
    sites = plan.standorte
    cols = list(st.columns(2))
    widgets.csv_download("Vorschläge als CSV", darstellung.points_table(sites),
                         f"standortvorschlag_{result['typ']}.csv", "sv_dl_csv", target=cols[0])
    geojson = mapdata.compact_geojson(sites, [c for c in sites.columns if c != "geometry"],
                                      decimals=6)
    cols[1].download_button("Vorschläge als GeoJSON",
                            json.dumps(geojson, ensure_ascii=False).encode("utf-8"),
                            file_name=safe_file_name(f"standortvorschlag_{result['typ']}.geojson"),
                            mime="application/geo+json", key="sv_dl_geojson")
    st.button("Vorschläge als neue Angebote ins Szenario übernehmen", key="sv_uebernehmen",
              on_click=zustand.safely(zustand.take_over_suggestion))


def suggestion_section(region: Region, frage: Question) -> None:
    """Settings, the computed suggestion with metrics, map and tables."""
    _settings()
    if st.button(f"Standorte für {frage.selection_label()} vorschlagen", key="sv_start",
                 type="primary"):
        _run(region, frage)
    result = st.session_state.get(zustand.RESULT)
    if result and result["schluessel"] != (region.identity()["version"], frage.key()):
        st.info("Die Einstellungen haben sich geändert: Berechnen Sie den Vorschlag neu.",
                icon=":material/refresh:")
    if result is not None:
        _metrics(result)
    map_col, table_col = st.columns([3, 2], gap="medium")
    with map_col:
        _map(region, frage, result)
    with table_col:
        if result is None:
            st.markdown("Noch kein Vorschlag berechnet. Wählen Sie oben Typ, Profil und Minuten "
                        "und drücken Sie „Standorte vorschlagen“.")
        else:
            _tables(result)
