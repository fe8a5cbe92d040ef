"""Forms of the tab "Angebote bearbeiten": move (with a small map), retire, add, history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import pandas as pd
import shapely
import streamlit as st

from layers.angebote import COLUMN_LABELS
from layers.errors import InputValidationError, SozialraumError
from layers.formatting import de_count, de_time
from ui import cached, eingabe, legend, maps, overlays, state, widgets
from ui.daten.meldungen import flash_and_rerun, save_edit, show_error, text
from ui.maplayers import WEB_CRS, to_region_crs

__all__ = ["add_form", "history", "move_form", "retire_form"]


def _on_move_click(map_key: str, prefix: str) -> None:
    """A click into the small map sets the new position of the offer (before the rerun)."""
    value = st.session_state.get(map_key) or {}
    clicked = value.get("last_clicked") if isinstance(value, dict) else None
    if clicked:
        st.session_state[f"{prefix}_lat"] = eingabe.decimal_text(float(clicked["lat"]), 6)
        st.session_state[f"{prefix}_lon"] = eingabe.decimal_text(float(clicked["lng"]), 6)


def _move_map(point: Any, prefix: str) -> None:
    """A small map of the offer; a click there fills in the new position."""
    layers = cached.map_layers(state.region())
    lat = eingabe.value_of(f"{prefix}_lat") or float(point.y)
    lon = eingabe.value_of(f"{prefix}_lon") or float(point.x)
    here = (float(point.y), float(point.x))
    groups = [overlays.selection_layer(None, point=here),
              overlays.area_layer(layers.areas, layers.area_labels)]
    if (round(lat, 6), round(lon, 6)) != (round(here[0], 6), round(here[1], 6)):
        groups.append(overlays.start_point_layer(lat, lon, "neue Lage"))
    groups.append(legend.legend_layer(legend.legend_html(streets=False, selection=True, extra=[
        ("Verschieben", [legend.LegendEntry("punkt", "#000000",
                                            "neue Lage (Klick in die Karte)")])]),
        expanded=False))
    map_key = f"{prefix}_karte"
    fmap = maps.base_map(layers.basemap, online_tiles=state.online_tiles(),
                         label="Karte zum Verschieben des Angebots", scroll_zoom=False,
                         view=(here, 16))
    legend.show_map(fmap, key=map_key, height=320, use_container_width=True, center=here, zoom=16,
              returned_objects=["last_clicked"],
              feature_group_to_add=[maps.localize_assets(g) for g in groups],
              on_change=partial(_on_move_click, map_key, prefix))


def move_form(angebot_id: str, loaded: int) -> None:
    """Move the offer to a clicked or typed position (WGS 84)."""
    from layers.angebote.edit import move_service

    region = state.region()
    web = region.directory().to_crs(WEB_CRS)
    point = web[web["angebot_id"].astype(str) == angebot_id].geometry.iloc[0]
    prefix = f"move_{angebot_id}_{loaded}"
    for axis, value in (("lat", point.y), ("lon", point.x)):
        st.session_state.setdefault(f"{prefix}_{axis}", eingabe.decimal_text(float(value), 6))
    st.markdown("**Verschieben** – klicken Sie in der Karte auf die neue Lage oder tragen Sie sie "
                "in Grad ein (WGS 84, wie in Online-Karten). Der Ring zeigt die bisherige Lage.")
    _move_map(point, prefix)
    with st.form(key=f"{prefix}_form"):
        cols = st.columns(2)
        lat = eingabe.decimal_input("Breite", f"{prefix}_lat", minimum=-90, maximum=90,
                                    example="50,7753", target=cols[0], required=True)
        lon = eingabe.decimal_input("Länge", f"{prefix}_lon", minimum=-180, maximum=180,
                                    example="6,0839", target=cols[1], required=True)
        submitted = st.form_submit_button("Hierher verschieben", icon=":material/open_with:")
    if not submitted or lat is None or lon is None:
        return
    x, y = to_region_crs(float(lat), float(lon), region.crs)
    save_edit(
        angebot_id,
        partial(move_service, region.store, angebot_id, shapely.Point(x, y),
                expected_version=loaded),
        lambda result: f"Verschoben; jetzt Version {result.version}.",
    )


def retire_form(angebot_id: str, loaded: int) -> None:
    """Retire the offer from a day on (it stays in the directory)."""
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
    save_edit(
        angebot_id,
        partial(retire_service, state.region().store, angebot_id, expected_version=loaded,
                gueltig_bis=end if isinstance(end, date) else None, grund=reason.strip() or None),
        lambda result: f"Stillgelegt zum {end:%d.%m.%Y}; jetzt Version {result.version}.",
    )


def _typed_point(lat_text: str, lon_text: str, crs: Any) -> shapely.Point | None:
    """The point of typed latitude/longitude (decimal comma allowed), or None if both empty."""
    from layers.validation import parse_decimal

    if not (lat_text.strip() or lon_text.strip()):
        return None
    numbers, problems = parse_decimal(pd.Series([lat_text, lon_text]), spalte="Breite/Länge")
    if problems or numbers.isna().any():
        raise InputValidationError(
            "Breite und Länge sind keine Zahlen.",
            hinweis="Geben Sie beide in Grad an, z. B. 50,7753 und 6,0839 – oder lassen Sie "
                    "beide leer, dann wird die Adresse verortet.", probleme=problems)
    lat, lon = float(numbers.iloc[0]), float(numbers.iloc[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputValidationError(
            "Breite oder Länge liegt außerhalb des möglichen Bereichs.",
            hinweis="Breite zwischen −90 und 90, Länge zwischen −180 und 180 Grad.")
    return shapely.Point(*to_region_crs(lat, lon, crs))


def add_form(service_fields: Callable[[str, Any], tuple[dict[str, Any], dict[str, str]]]) -> None:
    """A new offer: located from its address (offline) or from latitude/longitude."""
    from layers.angebote.edit import add_service

    with st.form(key="neu_form", clear_on_submit=False):
        st.markdown("**Neues Angebot** – Lage aus der Adresse (offline verortet) oder aus "
                    "Breite/Länge")
        values, _initial = service_fields("neu", None)
        cols = st.columns(2)
        eingabe.decimal_input("Breite (optional)", "neu_lat", minimum=-90, maximum=90,
                              example="50,7753", target=cols[0])
        eingabe.decimal_input("Länge (optional)", "neu_lon", minimum=-180, maximum=180,
                              example="6,0839", target=cols[1])
        submitted = st.form_submit_button("Angebot anlegen", icon=":material/add_location:")
    lat_text = str(st.session_state.get("neu_lat") or "")
    lon_text = str(st.session_state.get("neu_lon") or "")
    field_errors = any(st.session_state.get(k + eingabe.ERROR_SUFFIX) for k in ("neu_lat", "neu_lon"))
    if not submitted or field_errors:
        return
    clean = {k: (str(v).strip() or None) for k, v in values.items()}
    clean = {k: v for k, v in clean.items() if v is not None}
    region = state.region()
    try:
        geometry = _typed_point(lat_text, lon_text, region.crs)
        result = add_service(region.store, clean, geometry=geometry)
    except SozialraumError as exc:
        show_error(exc)
        return
    flash_and_rerun(f"Angelegt: {clean.get('name')} (ID {result.angebot_id}). Rückgängig im "
                    f"Änderungsverlauf (Eintrag {result.audit_id}).")


def _summary(values: dict[str, Any] | None) -> str:
    if not values:
        return ""
    parts = []
    for key, value in values.items():
        if key == "version":
            continue
        parts.append("Lage" if key == "geometry"
                     else f"{COLUMN_LABELS.get(key, key)}: {text(value) or '–'}")
    joined = "; ".join(parts)
    return joined if len(joined) < 160 else joined[:157] + "…"


def history(labels: dict[str, str]) -> None:
    """The change history of the directory; undo of one entry."""
    from layers.angebote.edit import ACTION_LABELS, change_history, undo_change

    store = state.region().store
    import_undo(store)
    found = change_history(store)
    if found.empty:
        st.info("Noch keine Änderungen am Angebotsverzeichnis.")
        return
    table = pd.DataFrame({
        "Eintrag": found["protokoll_id"].astype(int),
        "Zeitpunkt": [de_time(v) for v in found["zeitpunkt"]],
        "Benutzer": found["benutzer"].astype(str),
        "Angebot": [labels.get(str(a), str(a)) for a in found["angebot_id"]],
        "Aktion": [ACTION_LABELS.get(str(a), str(a)) for a in found["aktion"]],
        "Felder": found["felder"].astype(str),
        "vorher": [_summary(v) for v in found["alt"]],
        "nachher": [_summary(v) for v in found["neu"]],
    })
    widgets.table(table)
    entries = [int(v) for v in found["protokoll_id"]]
    described = {entry: f"{entry}: {who} – {what} ({when})" for entry, who, what, when in zip(
        entries, table["Angebot"], table["Aktion"], table["Zeitpunkt"], strict=True)}
    chosen = st.selectbox("Eintrag rückgängig machen", entries, key="verlauf_eintrag",
                          format_func=lambda v: described.get(v, str(v)))
    if st.button("Diese Änderung rückgängig machen", key="verlauf_rueckgaengig",
                 icon=":material/undo:"):
        try:
            result = undo_change(store, int(chosen))
        except SozialraumError as exc:
            show_error(exc)
            return
        st.session_state.pop(f"edit_version_{result.angebot_id}", None)
        flash_and_rerun(f"Eintrag {chosen} rückgängig gemacht (neuer Eintrag {result.audit_id}).")


def import_undo(store: Any) -> None:
    """Undo of a whole import in one step (the imports from the audit table)."""
    from layers.angebote.rueckgaengig import imports, undo_import

    found = imports(store)
    open_ones = found[~found["rueckgaengig"].astype(bool)]
    if open_ones.empty:
        return
    st.markdown("**Ganzen Import rückgängig machen**")
    described: dict[int, str] = {}
    for entry, datei, when, who, new, updated in zip(
            open_ones["protokoll_id"].astype(int), open_ones["datei"].astype(str),
            open_ones["zeitpunkt"], open_ones["benutzer"].astype(str),
            open_ones["neu"].astype(int), open_ones["aktualisiert"].astype(int), strict=True):
        described[int(entry)] = (f"{datei} – {de_time(when)}, {who}: "
                                 f"{de_count(int(new), 'neues Angebot', 'neue Angebote')}, "
                                 f"{de_count(int(updated), 'aktualisiertes', 'aktualisierte')}")
    chosen = st.selectbox("Import", list(described), key="import_rueckgaengig_wahl",
                          format_func=lambda v: described.get(v, str(v)))
    if st.button("Diesen Import vollständig rückgängig machen", key="import_rueckgaengig",
                 icon=":material/undo:"):
        try:
            undo_import(store, int(chosen))
        except SozialraumError as exc:
            show_error(exc)
            return
        flash_and_rerun(f"Import „{described[int(chosen)].split(' – ')[0]}“ in einem Schritt "
                        "rückgängig gemacht; das Verzeichnis ist wie vor dem Import.")
