"""Page 'Szenarien & Standorte': what-if scenarios and location suggestions on the network.

Two tasks on one page, chosen at the top:

* **Szenario**: open new offers (click in the map, coordinates or an address), move or close
  existing ones, or load a scenario file; name and save the scenario; see covered population and
  covered 65+ before and after per planning area as a table and as a map of the cells newly
  covered / no longer covered, and the 2SFCA (advice hours per 1,000 inhabitants) before and
  after.
* **Standortvorschlag**: k additional offers of a type (MCLP or p-median) among public buildings
  or an own list, with the population newly covered by each suggestion, on the map and in a
  table, with downloads; a suggestion can be taken over into the scenario.

Everything runs on network travel times of the chosen profile (:mod:`planungsraeume.versorgung`).
"""

from __future__ import annotations

import html
import json
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from pyproj import Transformer
from streamlit_folium import st_folium

from layers.angebote import ACCESS_VALUES, service_type_keys
from layers.errors import InputValidationError, SozialraumError
from layers.formatting import de_percent
from layers.szenarien import ScenarioEdit
from ui import common, mapdata, maps, theme

PROFILES = {"fuss": "zu Fuß", "senior": "ältere Menschen (langsamer)", "rollator": "mit Rollator",
            "rollstuhl": "im Rollstuhl"}
DECAYS = {"keine": "ohne Distanzabnahme (2SFCA)", "stufen": "stufenweise (E2SFCA, Luo & Qi)",
          "gauss": "Gauß-Kurve (E2SFCA, Dai)"}
MODES = ("Szenario bearbeiten und vergleichen", "Standorte vorschlagen")
PLACE_MODES = ("Klick in die Karte", "Koordinaten", "Adresse")
ACTION_WORDS = {"neu": "neues Angebot", "verschieben": "verlegen", "schliessen": "schließen"}
# Okabe-Ito blue and vermillion: distinguishable with the common colour-vision deficiencies;
# the legend and the tooltips name the meaning in words as well.
CHANGE_COLOURS = {"neu versorgt": "#0072b2", "nicht mehr versorgt": "#d55e00"}
SUGGESTION_COLOUR = "#009e73"
EDITS = "sz_aenderungen"
MESSAGE = "sz_meldung"
CLICK = "sz_klick"
MAP_KEY = "sz_karte"
RESULT = "sv_ergebnis"


# --------------------------------------------------------------------------------------------
# State and small helpers
# --------------------------------------------------------------------------------------------


def _edits() -> list[ScenarioEdit]:
    return [ScenarioEdit(**item) for item in st.session_state.get(EDITS, [])]


def _set_edits(edits: list[ScenarioEdit]) -> None:
    st.session_state[EDITS] = [asdict(e) for e in edits]


def _say(text: str, kind: str = "success") -> None:
    st.session_state[MESSAGE] = (kind, text)


def _safely(action: Any) -> Any:
    """Run a button callback; a German error message instead of a traceback."""

    def run(*args: Any) -> None:
        try:
            action(*args)
        except SozialraumError as exc:
            _say(str(exc), "error")

    return run


def _store() -> Any:
    return common.store()


def _to_region(lat: float, lon: float) -> tuple[float, float]:
    transformer = Transformer.from_crs("EPSG:4326", _store().crs, always_xy=True)
    x, y = transformer.transform(lon, lat)
    return float(x), float(y)


def _to_web(x: float, y: float) -> tuple[float, float]:
    transformer = Transformer.from_crs(_store().crs, "EPSG:4326", always_xy=True)
    lon, lat = transformer.transform(x, y)
    return float(lat), float(lon)


@st.cache_resource(show_spinner=False, max_entries=4)
def _address_index(name: str, token: str) -> Any:
    from layers.geocode import AddressIndex

    return AddressIndex.from_store(common.open_store(common.region_config(name)))


def _inside_region(x: float, y: float) -> bool:
    import shapely

    region = common.layer("region")
    return bool(region.geometry.union_all().covers(shapely.Point(x, y)))


def _chosen_point() -> tuple[float, float, str]:
    """The location entered in the place widgets, in the region CRS, with a description."""
    mode = st.session_state.get("sz_ort_art", PLACE_MODES[0])
    if mode == "Klick in die Karte":
        click = st.session_state.get(CLICK)
        if not click:
            raise InputValidationError(
                "Es ist noch kein Punkt in der Karte gewählt.",
                hinweis="Klicken Sie in die Karte oder wählen Sie „Koordinaten“ oder „Adresse“.",
            )
        x, y = _to_region(*click)
        where = f"Kartenpunkt {common.format_number(click[0], 5)}, {common.format_number(click[1], 5)}"
    elif mode == "Koordinaten":
        lat = float(st.session_state.get("sz_breite") or 0.0)
        lon = float(st.session_state.get("sz_laenge") or 0.0)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputValidationError(
                "Die Koordinaten sind keine gültige geographische Breite/Länge.",
                hinweis="Breite (z. B. 50,77) und Länge (z. B. 6,08) in Grad angeben.",
            )
        x, y = _to_region(lat, lon)
        if not _inside_region(x, y) and _inside_region(*_to_region(lon, lat)):
            raise InputValidationError(
                "Breite und Länge sind vertauscht.",
                hinweis=f"Tauschen Sie die Werte: Breite {common.format_number(lon, 5)}, Länge "
                f"{common.format_number(lat, 5)}.",
            )
        where = f"Koordinaten {common.format_number(lat, 5)}, {common.format_number(lon, 5)}"
    else:
        street = str(st.session_state.get("sz_strasse") or "").strip()
        number = str(st.session_state.get("sz_hausnummer") or "").strip()
        if not street:
            raise InputValidationError("Die Straße fehlt.", hinweis="Tragen Sie Straße und Hausnummer ein.")
        name = common.region_name()
        result = _address_index(name, common.token(name)).lookup(street, number)
        if not result.placed:
            raise InputValidationError(
                f"Die Adresse „{street} {number}“ wurde nicht gefunden ({result.status}).",
                hinweis=result.hinweis or "Prüfen Sie die Schreibweise oder wählen Sie den Punkt in der Karte.",
            )
        x, y = float(result.x), float(result.y)
        where = f"Adresse {result.treffer}" + (f" ({result.status})" if result.status != "exakt" else "")
    if not _inside_region(x, y):
        raise InputValidationError(
            "Der Punkt liegt außerhalb der Region.",
            hinweis="Wählen Sie einen Standort innerhalb der Regionsgrenze (gestrichelt in der Karte).",
        )
    return x, y, where


# --------------------------------------------------------------------------------------------
# Button callbacks (run before the page is drawn again)
# --------------------------------------------------------------------------------------------


def _add_offer() -> None:
    x, y, where = _chosen_point()
    capacity = float(st.session_state.get("sz_neu_kapazitaet") or 0.0)
    typ = st.session_state["sz_typ"]
    name = str(st.session_state.get("sz_neu_name") or "").strip() or f"{typ} (Szenario)"
    edit = ScenarioEdit("neu", typ=typ, name=name, x=x, y=y,
                        kapazitaet_std_woche=capacity if capacity > 0 else None,
                        stufenloser_zugang=st.session_state.get("sz_neu_zugang") or "ja")
    _set_edits([*_edits(), edit])
    _say(f"Neues Angebot „{name}“ hinzugefügt ({where}).")


def _move_offer() -> None:
    offer = st.session_state.get("sz_angebot")
    if not offer:
        raise InputValidationError("Es ist kein Angebot gewählt.", hinweis="Wählen Sie das Angebot aus der Liste.")
    x, y, where = _chosen_point()
    _set_edits([*_edits(), ScenarioEdit("verschieben", angebot_id=offer, x=x, y=y)])
    _say(f"Angebot {offer} wird verlegt ({where}).")


def _close_offer() -> None:
    offer = st.session_state.get("sz_angebot")
    if not offer:
        raise InputValidationError("Es ist kein Angebot gewählt.", hinweis="Wählen Sie das Angebot aus der Liste.")
    _set_edits([*_edits(), ScenarioEdit("schliessen", angebot_id=offer)])
    _say(f"Angebot {offer} wird geschlossen.")


def _remove_edit() -> None:
    number = st.session_state.get("sz_entfernen_nr")
    edits = _edits()
    if number is None or not 1 <= int(number) <= len(edits):
        return
    del edits[int(number) - 1]
    _set_edits(edits)
    _say(f"Änderung {number} entfernt.")


def _clear_edits() -> None:
    _set_edits([])
    _say("Alle Änderungen entfernt.")


def _load_file() -> None:
    from layers.szenarien import read_edit_table

    upload = st.session_state.get("sz_datei")
    if upload is None:
        raise InputValidationError("Es ist keine Datei gewählt.", hinweis="Wählen Sie eine CSV- oder Excel-Datei.")
    store = _store()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        edits = read_edit_table(path, crs=store.crs, region=common.layer("region"))
    _set_edits([*_edits(), *edits])
    _say(f"{len(edits)} Änderungen aus „{upload.name}“ übernommen.")


def _load_saved() -> None:
    from layers.szenarien import load_scenario

    name = st.session_state.get("sz_gespeichert")
    if not name:
        return
    scenario = load_scenario(_store(), name)
    _set_edits(list(scenario.aenderungen))
    st.session_state["sz_name"] = scenario.name
    st.session_state["sz_beschreibung"] = scenario.beschreibung
    _say(f"Szenario „{scenario.name}“ geladen ({len(scenario.aenderungen)} Änderungen).")


def _delete_saved() -> None:
    from layers.szenarien import delete_scenario

    name = st.session_state.get("sz_gespeichert")
    if name:
        delete_scenario(_store(), name)
        _say(f"Szenario „{name}“ gelöscht.")


def _save() -> None:
    from layers.szenarien import Scenario, save_scenario

    name = str(st.session_state.get("sz_name") or "").strip()
    scenario = Scenario(name, str(st.session_state.get("sz_beschreibung") or ""), tuple(_edits()))
    save_scenario(_store(), scenario, overwrite=bool(st.session_state.get("sz_ueberschreiben")))
    _say(f"Szenario „{name}“ mit {len(scenario.aenderungen)} Änderungen gespeichert.")


def _take_over_suggestion() -> None:
    result = st.session_state.get(RESULT)
    if not result:
        return
    sites = result["plan"].standorte
    edits = [
        ScenarioEdit("neu", typ=result["typ"], name=f"{result['typ']} – {row['name']}",
                     x=float(row.geometry.x), y=float(row.geometry.y), stufenloser_zugang="ja")
        for _, row in sites.iterrows()
    ]
    _set_edits([*_edits(), *edits])
    st.session_state["sz_modus"] = MODES[0]
    _say(f"{len(edits)} vorgeschlagene Standorte als neue Angebote ins Szenario übernommen.")


def _on_map_click() -> None:
    value = st.session_state.get(MAP_KEY) or {}
    clicked = value.get("last_clicked") if isinstance(value, dict) else None
    if clicked:
        st.session_state[CLICK] = (float(clicked["lat"]), float(clicked["lng"]))
        st.session_state["sz_ort_art"] = PLACE_MODES[0]


# --------------------------------------------------------------------------------------------
# Computations (cached per store version and inputs)
# --------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def _comparison(name: str, token: str, edits: tuple[tuple[Any, ...], ...], profil: str,
                minuten: float, typ: str, step_free: bool, decay: str) -> Any:
    from planungsraeume.versorgung import compare_on_network

    store = common.open_store(common.region_config(name))
    return compare_on_network(
        store, [ScenarioEdit(*e) for e in edits], profil=profil, minuten=minuten, typen=[typ],
        filter={"stufenloser_zugang": "ja"} if step_free else None, decay=decay,
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _cells(name: str, token: str) -> gpd.GeoDataFrame:
    from planungsraeume.erreichbarkeit import origins_layer

    return origins_layer(common.open_store(common.region_config(name)))[["gitter_id", "geometry"]]


@st.cache_data(show_spinner=False, max_entries=8)
def _candidates(name: str, token: str) -> gpd.GeoDataFrame:
    from layers.kandidaten import candidate_sites_from_store

    return candidate_sites_from_store(common.open_store(common.region_config(name)))


# --------------------------------------------------------------------------------------------
# Map pieces
# --------------------------------------------------------------------------------------------


def _label_marker(lat: float, lon: float, text: str, title: str, colour: str) -> folium.Marker:
    label = (f'<div class="sa-symbol"><span class="sa-form sa-kreis" style="background-color:{colour}">'
             f'</span><span class="sa-label">{html.escape(text)}</span></div>')
    return folium.Marker([lat, lon], icon=folium.DivIcon(html=label, icon_size=None, icon_anchor=(9, 9)),
                         tooltip=title, title=title, alt=title, keyboard=True)


def _changes_layer(cells: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Veränderung der Versorgung")
    if len(cells):
        folium.GeoJson(
            mapdata.compact_geojson(cells, ["aenderung", "pr_id"]),
            style_function=lambda f: {"color": CHANGE_COLOURS[f["properties"]["aenderung"]],
                                      "weight": 0.5, "fillColor": CHANGE_COLOURS[f["properties"]["aenderung"]],
                                      "fillOpacity": 0.6},
            tooltip=folium.GeoJsonTooltip(fields=["aenderung", "pr_id"], aliases=["Zelle", "Planungsraum"]),
        ).add_to(group)
    return group


def _scenario_markers(edits: list[ScenarioEdit], services: gpd.GeoDataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Szenario")
    by_id = services.set_index(services["angebot_id"].astype(str))
    for number, edit in enumerate(edits, start=1):
        if edit.aktion in ("neu", "verschieben") and edit.x is not None and edit.y is not None:
            lat, lon = _to_web(edit.x, edit.y)
            what = "neu" if edit.aktion == "neu" else "verlegt"
            title = f"Änderung {number}: {edit.name or edit.angebot_id} ({what})"
            _label_marker(lat, lon, f"{number} {what}", title, theme.AREA_SELECTED).add_to(group)
        if edit.aktion == "schliessen" and str(edit.angebot_id) in by_id.index:
            point = by_id.loc[str(edit.angebot_id)].geometry
            title = f"Änderung {number}: {by_id.loc[str(edit.angebot_id), 'name']} (geschlossen)"
            _label_marker(point.y, point.x, f"{number} geschlossen", title, "#555555").add_to(group)
    click = st.session_state.get(CLICK)
    if click:
        folium.CircleMarker(list(click), radius=9, color="#000000", weight=3, fill=False,
                            tooltip="gewählter Punkt").add_to(group)
    return group


def _legend(parts: list[tuple[str, str, str]], services: gpd.GeoDataFrame | None) -> str:
    """Legend HTML: (kind, colour, text) entries plus the service symbols."""
    rows = ["<div><h2>Szenario und Ergebnis</h2><ul>"]
    for kind, colour, text in parts:
        shape = ('<span class="sa-swatch" style="background:{c}"></span>' if kind == "flaeche"
                 else '<span class="sa-form sa-kreis" style="background-color:{c}"></span>' if kind == "punkt"
                 else '<span class="sa-form sa-kreis" style="background:none;border:3px solid {c};box-shadow:none"></span>')
        rows.append(f"<li>{shape.format(c=colour)}{html.escape(text)}</li>")
    rows.append("</ul></div>")
    return "".join(rows) + maps.legend_html(services=services, streets=False)


def _map(groups: list[Any], key: str, label: str, *, clickable: bool) -> None:
    layers = common.map_layers()
    view = maps.fit_view(layers.basemap.bounds, width_px=760, height_px=560)
    fmap = maps.base_map(layers.basemap, online_tiles=common.online_tiles(), label=label, view=view)
    st_folium(
        fmap, key=key, height=560, use_container_width=True, center=view[0], zoom=view[1],
        returned_objects=["last_clicked"] if clickable else [],
        on_change=_on_map_click if clickable else None,
        feature_group_to_add=[maps.localize_assets(g) for g in
                              [maps.area_layer(layers.areas, layers.area_labels), *groups]],
    )


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _n(value: Any, decimals: int = 0) -> str:
    return common.format_number(value, decimals)


def _signed(value: Any, decimals: int = 0) -> str:
    text = _n(value, decimals)
    return f"+{text}" if pd.notna(value) and float(value) > 0 and text != "0" else text


def _edit_rows(edits: list[ScenarioEdit], services: gpd.GeoDataFrame) -> pd.DataFrame:
    names = dict(zip(services["angebot_id"].astype(str), services["name"].astype(str), strict=True))
    rows = []
    for number, edit in enumerate(edits, start=1):
        where = ""
        if edit.x is not None and edit.y is not None:
            lat, lon = _to_web(edit.x, edit.y)
            where = f"{_n(lat, 5)}, {_n(lon, 5)}"
        rows.append({
            "Nr.": number, "Aktion": ACTION_WORDS.get(edit.aktion, edit.aktion),
            "Angebot": edit.name or names.get(str(edit.angebot_id), str(edit.angebot_id or "")),
            "Typ": edit.typ or "", "Neuer Standort (Breite, Länge)": where,
            "Kapazität (Std./Woche)": _n(edit.kapazitaet_std_woche, 1) if edit.kapazitaet_std_woche else "",
            "Stufenlos": edit.stufenloser_zugang or "",
        })
    return pd.DataFrame(rows)


def _comparison_tables(result: Any, names: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(table shown, table for download, 2SFCA table shown)."""
    names = pd.concat([names, pd.Series({"ohne": "ohne Planungsraum"})])
    table = result.table(names)
    shown = pd.DataFrame({
        "Planungsraum": [str(v) if k in ("gesamt", "ohne") else f"{k} {v}"
                         for k, v in zip(table.index, table["Planungsraum"], strict=True)],
        "Einwohner": table["Einwohner"].map(_n),
        "versorgt vorher": table["versorgt vorher"].map(_n),
        "versorgt nachher": table["versorgt nachher"].map(_n),
        "Differenz": table["Differenz"].map(_signed),
        "65+ vorher": table["65+ versorgt vorher"].map(_n),
        "65+ nachher": table["65+ versorgt nachher"].map(_n),
        "Differenz 65+": table["Differenz 65+"].map(_signed),
        "Anteil vorher": table["Anteil vorher"].map(de_percent),
        "Anteil nachher": table["Anteil nachher"].map(de_percent),
    })
    download = table.reset_index()
    access = pd.DataFrame()
    if result.erreichbarkeit is not None:
        values = result.erreichbarkeit
        access = pd.DataFrame({
            "Planungsraum": [("Region gesamt" if k == "Region" else f"{k} {names.get(k, k)}")
                             for k in values.index],
            "vorher": values["vorher"].map(lambda v: _n(v, 2)),
            "nachher": values["nachher"].map(lambda v: _n(v, 2)),
            "Differenz": values["differenz"].map(lambda v: _signed(v, 2)),
        })
        download = download.join(values.rename(index={"Region": "gesamt"}).add_prefix("2sfca_"),
                                 on="pr_id")
    return shown, download, access


# --------------------------------------------------------------------------------------------
# Scenario part
# --------------------------------------------------------------------------------------------


def _scenario_section(typ: str, profil: str, minuten: float, step_free: bool) -> None:
    from layers.szenarien import edit_table, list_scenarios

    name = common.region_name()
    token = common.token(name)
    services = common.layer("angebote")
    services_web = common.services_web()
    edits = _edits()

    with st.expander("Gespeicherte Szenarien und Szenariodatei", expanded=not edits):
        saved = list_scenarios(_store())
        left, right = st.columns(2)
        with left:
            if len(saved):
                st.selectbox("Gespeichertes Szenario", list(saved["name"]), key="sz_gespeichert")
                cols = list(st.columns(2))
                cols[0].button("Laden", key="sz_laden", on_click=_safely(_load_saved))
                cols[1].button("Löschen", key="sz_loeschen", on_click=_safely(_delete_saved))
            else:
                st.markdown("Noch kein Szenario gespeichert.")
        with right:
            st.file_uploader(
                "Szenariodatei (CSV oder Excel)", type=["csv", "xlsx"], key="sz_datei",
                help="Spalten: aktion (neu, verschieben, schließen), angebot_id, typ, name, lon/lat "
                     "oder Rechtswert/Hochwert, kapazitaet_std_woche, stufenloser_zugang.",
            )
            st.button("Änderungen aus der Datei übernehmen", key="sz_datei_laden",
                      on_click=_safely(_load_file))

    st.subheader("Änderungen", anchor=False)
    place_col, action_col = st.columns(2)
    with place_col:
        st.radio("Standort angeben durch", PLACE_MODES, key="sz_ort_art", horizontal=True)
        mode = st.session_state.get("sz_ort_art", PLACE_MODES[0])
        if mode == "Klick in die Karte":
            click = st.session_state.get(CLICK)
            st.markdown(f"Gewählter Punkt: **{_n(click[0], 5)}, {_n(click[1], 5)}**" if click else
                        "Klicken Sie in die Karte unten, um einen Standort zu wählen.")
        elif mode == "Koordinaten":
            cols = list(st.columns(2))
            cols[0].number_input("Breite (Grad)", key="sz_breite", value=50.7753, format="%.5f",
                                 step=0.001)
            cols[1].number_input("Länge (Grad)", key="sz_laenge", value=6.0839, format="%.5f",
                                 step=0.001)
        else:
            cols = list(st.columns([3, 1]))
            cols[0].text_input("Straße", key="sz_strasse")
            cols[1].text_input("Hausnummer", key="sz_hausnummer")
    with action_col:
        new_tab, existing_tab = st.tabs(["Neues Angebot", "Bestehendes Angebot"])
        with new_tab:
            st.text_input("Name", key="sz_neu_name", placeholder=f"{typ} (Szenario)")
            cols = list(st.columns(2))
            cols[0].number_input("Kapazität (Stunden je Woche; 0 = unbekannt)", min_value=0.0,
                                 step=0.5, format="%.1f", key="sz_neu_kapazitaet")
            cols[1].selectbox("Stufenloser Zugang", ACCESS_VALUES, key="sz_neu_zugang")
            st.button(f"Neues Angebot ({typ}) am Standort hinzufügen", key="sz_hinzufuegen",
                      on_click=_safely(_add_offer), type="primary")
        with existing_tab:
            options = services.sort_values(["typ", "name"])
            labels = dict(zip(options["angebot_id"].astype(str),
                              options["name"].astype(str) + " (" + options["typ"].astype(str) + ")",
                              strict=True))
            ids = list(labels)
            if st.session_state.get("sz_angebot") not in ids:
                own = options[options["typ"] == typ]["angebot_id"].astype(str)
                st.session_state["sz_angebot"] = own.iloc[0] if len(own) else ids[0]
            st.selectbox("Angebot", ids, key="sz_angebot", format_func=lambda v: labels.get(v, v))
            cols = list(st.columns(2))
            cols[0].button("An den Standort verlegen", key="sz_verlegen", on_click=_safely(_move_offer))
            cols[1].button("Schließen", key="sz_schliessen", on_click=_safely(_close_offer))

    if edits:
        st.dataframe(_edit_rows(edits, services), hide_index=True, width="stretch")
        cols = list(st.columns([1, 1, 2], vertical_alignment="bottom"))
        cols[0].selectbox("Änderung Nr.", list(range(1, len(edits) + 1)), key="sz_entfernen_nr")
        cols[1].button("Änderung entfernen", key="sz_entfernen", on_click=_safely(_remove_edit))
        cols[2].button("Alle Änderungen verwerfen", key="sz_leeren", on_click=_safely(_clear_edits))
        with st.form("sz_speichern_form", border=True):
            st.markdown("**Szenario speichern**")
            cols = list(st.columns([2, 3]))
            cols[0].text_input("Name des Szenarios", key="sz_name", max_chars=80)
            cols[1].text_input("Beschreibung", key="sz_beschreibung")
            st.checkbox("Gleichnamiges Szenario überschreiben", key="sz_ueberschreiben")
            st.form_submit_button("Speichern", on_click=_safely(_save))

    result = None
    if edits:
        key = tuple(tuple(asdict(e).values()) for e in edits)
        with st.status("Vorher/Nachher wird auf dem Wegenetz berechnet …", expanded=False) as status:
            result = _comparison(name, token, key, profil, minuten, typ, step_free,
                                 st.session_state.get("sz_abnahme", "keine"))
            status.update(label="Vorher/Nachher berechnet", state="complete")

    st.subheader("Vorher und nachher", anchor=False)
    if result is None:
        st.markdown("Fügen Sie Änderungen hinzu (oder laden Sie ein Szenario), dann erscheinen hier "
                    "die versorgten Einwohner vorher und nachher.")
    else:
        metrics = list(st.columns(4))
        metrics[0].metric(f"Einwohner versorgt vorher ({_n(minuten)} Min.)", _n(result.versorgt_vorher))
        metrics[1].metric("Einwohner versorgt nachher", _n(result.versorgt_nachher),
                          delta=_signed(result.differenz))
        metrics[2].metric("Differenz Einwohner", _signed(result.differenz))
        metrics[3].metric("Differenz ab 65 Jahren", _signed(result.differenz_65))

    map_col, table_col = st.columns([3, 2], gap="medium")
    names = common.layer("planungsraeume").set_index("pr_id")["name"].astype(str)
    with map_col:
        changed = gpd.GeoDataFrame()
        parts = []
        if result is not None:
            cells = _cells(name, token)
            zellen = result.zellen[result.zellen["aenderung"] != "unverändert"]
            changed = cells.loc[zellen.index].assign(aenderung=zellen["aenderung"], pr_id=zellen["pr_id"])
            counts = changed["aenderung"].value_counts()
            for change, colour in CHANGE_COLOURS.items():
                parts.append(("flaeche", colour, f"{change} ({int(counts.get(change, 0))} Zellen à 100 m)"))
        parts.append(("punkt", theme.AREA_SELECTED, "Änderung des Szenarios (Nr. wie in der Liste)"))
        parts.append(("ring", "#000000", "gewählter Punkt"))
        shown = services_web[services_web["typ"] == typ]
        groups = [_changes_layer(changed), maps.service_layer(shown, cluster=False),
                  _scenario_markers(edits, services),
                  maps.legend_layer(_legend(parts, shown if len(shown) else None))]
        _map(groups, MAP_KEY, f"Karte des Szenarios: {typ}, {PROFILES[profil]}", clickable=True)
        st.caption("Ein Klick in die Karte wählt den Standort für ein neues oder verlegtes Angebot. "
                   "Blau: Zellen, die nachher versorgt sind; orange: Zellen, die nicht mehr versorgt "
                   "sind. Dieselben Zahlen stehen in der Tabelle daneben.")
    with table_col:
        if result is None:
            st.markdown("Noch kein Ergebnis.")
        else:
            shown_table, download, access = _comparison_tables(result, names)
            st.markdown(f"**Versorgte Einwohner je Planungsraum** ({typ}, {PROFILES[profil]}, "
                        f"{_n(minuten)} Minuten)")
            st.dataframe(shown_table, hide_index=True, width="stretch", key="sz_tabelle")
    if result is not None:
        st.markdown("**Angebot je Nachfrage (2SFCA): Beratungsstunden je Woche je 1.000 Einwohner**")
        st.selectbox("Distanzabnahme", list(DECAYS), format_func=lambda v: DECAYS[v], key="sz_abnahme")
        st.dataframe(access, hide_index=True, width="stretch", key="sz_2sfca")
        st.caption("Mittel je Planungsraum, gewichtet nach Einwohnern. Kapazität aus dem "
                   "Verzeichnis; wo sie fehlt, der Median des Typs (sonst 39 Stunden).")
        cols = list(st.columns(3))
        cols[0].download_button("Vergleich als CSV", common.csv_bytes(download),
                                file_name=f"szenario_vergleich_{name}.csv", mime="text/csv",
                                key="sz_dl_tabelle")
        cols[1].download_button("Änderungen als CSV (wieder ladbar)",
                                common.csv_bytes(edit_table(edits, _store().crs)),
                                file_name=f"szenario_{name}.csv", mime="text/csv", key="sz_dl_aenderungen")
        cols[2].download_button(
            "Veränderte Zellen als GeoJSON",
            json.dumps(mapdata.compact_geojson(changed, ["gitter_id", "pr_id", "aenderung"], decimals=6)
                       if len(changed) else {"type": "FeatureCollection", "features": []},
                       ensure_ascii=False).encode("utf-8"),
            file_name=f"szenario_zellen_{name}.geojson", mime="application/geo+json", key="sz_dl_zellen",
        )


# --------------------------------------------------------------------------------------------
# Location suggestions
# --------------------------------------------------------------------------------------------


def _suggestion_section(typ: str, profil: str, minuten: float, step_free: bool) -> None:
    name = common.region_name()
    token = common.token(name)
    cols = list(st.columns(4))
    cols[0].number_input("Zahl neuer Angebote", min_value=1, max_value=10, value=3, step=1, key="sv_anzahl")
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
    start = st.button(f"Standorte für {typ} vorschlagen", key="sv_start", type="primary")
    if start:
        _run_suggestion(typ, profil, minuten, step_free)
    result = st.session_state.get(RESULT)
    if result and result["schluessel"] != (name, token, typ, profil, minuten, step_free):
        st.info("Die Einstellungen haben sich geändert: Berechnen Sie den Vorschlag neu.",
                icon=":material/refresh:")

    candidates = _candidates(name, token)
    services_web = common.services_web()
    existing = services_web[services_web["typ"] == typ]
    plan = result["plan"] if result else None
    if result is not None:
        summary = result["plan"].vorschlag
        whom = "Menschen ab 65" if result["nachfrage"] == "alter_65_plus" else "Einwohner"
        metrics = list(st.columns(3))
        metrics[0].metric(f"{whom} versorgt vorher ({_n(result['minuten'])} Min.)",
                          _n(summary.versorgt_vorher))
        metrics[1].metric(f"{whom} versorgt nachher", _n(summary.versorgt_nachher))
        metrics[2].metric("neu versorgt", _signed(summary.versorgt_nachher - summary.versorgt_vorher))
    map_col, table_col = st.columns([3, 2], gap="medium")
    with map_col:
        group = folium.FeatureGroup(name="Kandidaten und Vorschläge")
        for _, row in candidates.to_crs(common.WEB_CRS).iterrows():
            folium.CircleMarker([row.geometry.y, row.geometry.x], radius=3, color="#666666", weight=1,
                                fill=True, fill_opacity=0.5, tooltip=f"Kandidat: {row['name']}",
                                interactive=True).add_to(group)
        parts = [("ring", "#666666", f"Kandidat ({len(candidates)})")]
        if plan is not None:
            for _, row in plan.standorte.to_crs(common.WEB_CRS).iterrows():
                title = (f"Vorschlag {row['rang']}: {row['name']} – neu versorgt "
                         f"{_n(row['neu_versorgt_einwohner'])} Einwohner")
                _label_marker(row.geometry.y, row.geometry.x, f"Vorschlag {row['rang']}", title,
                              SUGGESTION_COLOUR).add_to(group)
            parts.insert(0, ("punkt", SUGGESTION_COLOUR, "Vorschlag (Rang wie in der Tabelle)"))
        groups = [group, maps.service_layer(existing, cluster=False),
                  maps.legend_layer(_legend(parts, existing if len(existing) else None))]
        _map(groups, "sv_karte", f"Karte der Standortvorschläge: {typ}", clickable=False)
    with table_col:
        if plan is None:
            st.markdown("Noch kein Vorschlag berechnet. Wählen Sie oben Typ, Profil und Minuten und "
                        "drücken Sie „Standorte vorschlagen“.")
        else:
            assert result is not None
            _suggestion_tables(result)


def _run_suggestion(typ: str, profil: str, minuten: float, step_free: bool) -> None:
    from layers.kandidaten import read_candidate_table
    from planungsraeume.versorgung import suggest_sites

    name = common.region_name()
    token = common.token(name)
    store = _store()
    candidates = None
    if st.session_state.get("sv_kandidaten") == "liste":
        upload = st.session_state.get("sv_liste")
        if upload is None:
            raise InputValidationError("Es ist keine Kandidatenliste gewählt.",
                                       hinweis="Laden Sie eine CSV- oder Excel-Datei hoch.")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            candidates = read_candidate_table(path, crs=store.crs, region=common.layer("region"))
    with st.status("Standortvorschlag wird berechnet …", expanded=True) as status:
        bar = st.progress(0.0)

        def report(fraction: float, label: str) -> None:
            bar.progress(min(1.0, fraction), text=label or None)

        try:
            plan = suggest_sites(
                store, typ, profil, minuten, int(st.session_state["sv_anzahl"]),
                modell=st.session_state["sv_modell"], kandidaten=candidates,
                nachfrage=st.session_state["sv_nachfrage"],
                filter={"stufenloser_zugang": "ja"} if step_free else None, progress=report,
            )
        except SozialraumError:
            status.update(label="Vorschlag fehlgeschlagen", state="error")
            raise
        status.update(label=f"Vorschlag berechnet ({_n(plan.vorschlag.sekunden, 1)} s für das Modell)",
                      state="complete", expanded=False)
    st.session_state[RESULT] = {"plan": plan, "typ": typ, "profil": profil, "minuten": minuten,
                                "nachfrage": st.session_state["sv_nachfrage"],
                                "schluessel": (name, token, typ, profil, minuten, step_free)}


def _suggestion_tables(result: dict[str, Any]) -> None:
    plan = result["plan"]
    summary = plan.vorschlag
    names = plan.je_planungsraum["name"].astype(str).to_dict()
    sites = plan.standorte
    table = pd.DataFrame({
        "Rang": sites["rang"].to_numpy(),
        "Standort": sites["name"].astype(str).to_numpy(),
        "neu versorgt (Einwohner)": sites["neu_versorgt_einwohner"].map(_n).to_numpy(),
        "davon ab 65": sites["neu_versorgt_65_plus"].map(_n).to_numpy(),
        "Planungsraum": [f"{p} {names.get(str(p), '')}".strip() for p in sites["pr_id"]],
        "Art": sites["art"].astype(str).to_numpy(),
    })
    st.markdown(f"**Vorgeschlagene Standorte** ({result['typ']}, {PROFILES[result['profil']]}, "
                f"{_n(result['minuten'])} Minuten)")
    st.dataframe(table, hide_index=True, width="stretch", key="sv_tabelle")
    st.caption(f"{summary.verfahren}. „neu versorgt“: Menschen, die erst durch diesen Standort das "
               "Angebot in der Zeit erreichen (nach den bestehenden und den höher gereihten).")
    for note in summary.hinweise:
        st.info(note, icon=":material/info:")
    per_area = plan.je_planungsraum[plan.je_planungsraum["neu_versorgt"] > 0]
    st.markdown("**Neu versorgte Einwohner je Planungsraum**")
    st.dataframe(pd.DataFrame({
        "Planungsraum": [f"{k} {v}" for k, v in zip(per_area.index, per_area["name"], strict=True)],
        "neu versorgt": per_area["neu_versorgt"].map(_n).to_numpy(),
        "davon ab 65": per_area["neu_versorgt_65_plus"].map(_n).to_numpy(),
    }), hide_index=True, width="stretch", key="sv_je_pr")
    web = sites.to_crs(common.WEB_CRS)
    download = sites.drop(columns="geometry").assign(lat=web.geometry.y.round(6), lon=web.geometry.x.round(6))
    cols = list(st.columns(2))
    cols[0].download_button("Vorschläge als CSV", common.csv_bytes(download),
                            file_name=f"standortvorschlag_{result['typ']}.csv", mime="text/csv",
                            key="sv_dl_csv")
    cols[1].download_button(
        "Vorschläge als GeoJSON",
        json.dumps(mapdata.compact_geojson(sites, [c for c in sites.columns if c != "geometry"], decimals=6),
                   ensure_ascii=False).encode("utf-8"),
        file_name=f"standortvorschlag_{result['typ']}.geojson", mime="application/geo+json",
        key="sv_dl_geojson")
    st.button("Vorschläge als neue Angebote ins Szenario übernehmen", key="sv_uebernehmen",
              on_click=_safely(_take_over_suggestion))


# --------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------


def render() -> None:
    """Draw the page."""
    st.title("Szenarien & Standorte")
    if not common.ensure_region_built():
        return
    common.data_notice(compact=True)
    people = common.layer("bevoelkerung")
    if len(people) == 0 or float(people["einwohner"].sum()) <= 0:
        st.warning("Diese Region hat keine Bevölkerungsdaten: Ohne Einwohner lässt sich nicht "
                   "berechnen, wer ein Angebot erreicht. Hinterlegen Sie eine Zensus-Gitterdatei in "
                   "der Regionskonfiguration ([quellen] zensus_csv).", icon=":material/warning:")
        return
    message = st.session_state.pop(MESSAGE, None)
    if message:
        (st.error if message[0] == "error" else st.success)(message[1])
    services = common.layer("angebote")
    present = [t for t in service_type_keys() if t in set(services["typ"].astype(str))]
    if st.session_state.get("sz_typ") not in present:
        st.session_state["sz_typ"] = "EUTB" if "EUTB" in present else present[0]
    cols = list(st.columns([2, 2, 1, 2], vertical_alignment="bottom"))
    cols[0].selectbox("Angebotstyp", present, key="sz_typ")
    cols[1].selectbox("Profil", list(PROFILES), format_func=lambda v: PROFILES[v], key="sz_profil",
                      index=list(PROFILES).index("rollstuhl"),
                      help="Wie die Menschen unterwegs sind: Stufen, Steigungen und Bordsteine "
                           "zählen je nach Profil.")
    cols[2].number_input("Minuten", min_value=1.0, max_value=120.0, value=15.0, step=1.0, format="%.0f",
                         key="sz_minuten")
    cols[3].checkbox("Nur stufenlos zugängliche Angebote zählen", key="sz_stufenlos",
                     help="Angebote ohne Angabe „ja“ beim stufenlosen Zugang versorgen niemanden.")
    st.radio("Was möchten Sie tun?", MODES, key="sz_modus", horizontal=True)
    typ = st.session_state["sz_typ"]
    profil = st.session_state["sz_profil"]
    minuten = float(st.session_state["sz_minuten"])
    step_free = bool(st.session_state.get("sz_stufenlos"))
    if st.session_state["sz_modus"] == MODES[0]:
        _scenario_section(typ, profil, minuten, step_free)
    else:
        _suggestion_section(typ, profil, minuten, step_free)


common.page_frame()
common.guarded(render)
