"""The scenario being edited (kept in the session) and the callbacks of its buttons.

The callbacks run before the page is drawn again; a :class:`SozialraumError` becomes a German
message at the top of the page instead of a traceback.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import shapely
import streamlit as st
from pyproj import Transformer

from layers.errors import InputValidationError, SozialraumError
from layers.sicher import path_inside
from layers.szenarien import ScenarioEdit
from ui import cached, eingabe, state, widgets
from ui.maplayers import WEB_CRS
from ui.sicher import check_upload_size

__all__ = [
    "CLICK", "EDITS", "MAP_KEY", "MESSAGE", "MODES", "PLACE_MODES", "RESULT",
    "add_offer", "chosen_point", "clear_edits", "close_offer", "delete_saved", "edits",
    "load_file", "load_saved", "move_offer", "on_map_click", "remove_edit", "safely", "save",
    "say", "set_edits", "take_over_suggestion", "to_web",
]

MODES = ("Szenario bearbeiten und vergleichen", "Standorte vorschlagen")
PLACE_MODES = ("Klick in die Karte", "Koordinaten", "Adresse")
EDITS = "sz_aenderungen"
MESSAGE = "sz_meldung"
CLICK = "sz_klick"
MAP_KEY = "sz_karte"
RESULT = "sv_ergebnis"


def edits() -> list[ScenarioEdit]:
    """The edits of the scenario being worked on."""
    return [ScenarioEdit(**item) for item in st.session_state.get(EDITS, [])]


def set_edits(new: list[ScenarioEdit]) -> None:
    """Replace the edits of the scenario being worked on."""
    st.session_state[EDITS] = [asdict(e) for e in new]


def say(text: str, kind: str = "success") -> None:
    """A message shown at the top of the page after the rerun."""
    st.session_state[MESSAGE] = (kind, text)


def safely(action: Any) -> Any:
    """A button callback that reports a :class:`SozialraumError` in German instead of failing."""

    def run(*args: Any) -> None:
        try:
            action(*args)
        except SozialraumError as exc:
            say(str(exc), "error")

    return run


def _to_region(lat: float, lon: float) -> tuple[float, float]:
    transformer = Transformer.from_crs(WEB_CRS, state.region().crs, always_xy=True)
    x, y = transformer.transform(lon, lat)
    return float(x), float(y)


def to_web(x: float, y: float) -> tuple[float, float]:
    """A point of the region CRS as (lat, lon)."""
    transformer = Transformer.from_crs(state.region().crs, WEB_CRS, always_xy=True)
    lon, lat = transformer.transform(x, y)
    return float(lat), float(lon)


def _inside_region(x: float, y: float) -> bool:
    return bool(shapely.covers(state.region().boundary(), shapely.Point(x, y)))


def _clicked_point() -> tuple[float, float, str]:
    click = st.session_state.get(CLICK)
    if not click:
        raise InputValidationError(
            "Es ist noch kein Punkt in der Karte gewählt.",
            hinweis="Klicken Sie in die Karte oder wählen Sie „Koordinaten“ oder „Adresse“.",
        )
    x, y = _to_region(*click)
    n = widgets.format_number
    return x, y, f"Kartenpunkt {n(click[0], 5)}, {n(click[1], 5)}"


def _typed_point() -> tuple[float, float, str]:
    lat_value, lon_value = eingabe.value_of("sz_breite"), eingabe.value_of("sz_laenge")
    n = widgets.format_number
    if lat_value is None or lon_value is None:
        raise InputValidationError(
            "Breite und Länge fehlen oder sind keine Zahlen (siehe Hinweis am Feld).",
            hinweis="Breite (z. B. 50,7753) und Länge (z. B. 6,0839) in Grad angeben.",
        )
    lat, lon = lat_value, lon_value
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputValidationError(
            "Die Koordinaten sind keine gültige geographische Breite/Länge.",
            hinweis="Breite (z. B. 50,7753) und Länge (z. B. 6,0839) in Grad angeben.",
        )
    x, y = _to_region(lat, lon)
    if not _inside_region(x, y) and _inside_region(*_to_region(lon, lat)):
        raise InputValidationError(
            "Breite und Länge sind vertauscht.",
            hinweis=f"Tauschen Sie die Werte: Breite {n(lon, 5)}, Länge {n(lat, 5)}.",
        )
    return x, y, f"Koordinaten {n(lat, 5)}, {n(lon, 5)}"


def _address_point() -> tuple[float, float, str]:
    street = str(st.session_state.get("sz_strasse") or "").strip()
    number = str(st.session_state.get("sz_hausnummer") or "").strip()
    if not street:
        raise InputValidationError("Die Straße fehlt.",
                                   hinweis="Tragen Sie Straße und Hausnummer ein.")
    result = cached.address_index(state.region()).lookup(street, number)
    if not result.placed:
        raise InputValidationError(
            f"Die Adresse „{street} {number}“ wurde nicht gefunden ({result.status}).",
            hinweis=result.hinweis or "Prüfen Sie die Schreibweise oder wählen Sie den Punkt in "
                                      "der Karte.",
        )
    where = f"Adresse {result.treffer}" + (f" ({result.status})" if result.status != "exakt" else "")
    return float(result.x), float(result.y), where


def chosen_point() -> tuple[float, float, str]:
    """The location entered in the place widgets, in the region CRS, with a description.

    Raises
    ------
    InputValidationError
        No point, invalid or swapped coordinates, an unknown address, or outside the region.
    """
    mode = st.session_state.get("sz_ort_art", PLACE_MODES[0])
    readers = {PLACE_MODES[0]: _clicked_point, PLACE_MODES[1]: _typed_point}
    x, y, where = readers.get(mode, _address_point)()
    if not _inside_region(x, y):
        raise InputValidationError(
            "Der Punkt liegt außerhalb der Region.",
            hinweis="Wählen Sie einen Standort innerhalb der Regionsgrenze (gestrichelt in der "
                    "Karte).",
        )
    return x, y, where


def add_offer() -> None:
    """Add a new offer of the chosen type at the chosen point."""
    x, y, where = chosen_point()
    capacity = eingabe.value_of("sz_neu_kapazitaet") or 0.0
    typ = st.session_state["sz_typ"]
    name = str(st.session_state.get("sz_neu_name") or "").strip() or f"{typ} (Szenario)"
    edit = ScenarioEdit("neu", typ=typ, name=name, x=x, y=y,
                        kapazitaet_std_woche=capacity if capacity > 0 else None,
                        stufenloser_zugang=st.session_state.get("sz_neu_zugang") or "ja")
    set_edits([*edits(), edit])
    say(f"Neues Angebot „{name}“ hinzugefügt ({where}).")


def _chosen_offer() -> str:
    offer = st.session_state.get("sz_angebot")
    if not offer:
        raise InputValidationError("Es ist kein Angebot gewählt.",
                                   hinweis="Wählen Sie das Angebot aus der Liste.")
    return str(offer)


def move_offer() -> None:
    """Move the chosen existing offer to the chosen point."""
    offer = _chosen_offer()
    x, y, where = chosen_point()
    set_edits([*edits(), ScenarioEdit("verschieben", angebot_id=offer, x=x, y=y)])
    say(f"Angebot {offer} wird verlegt ({where}).")


def close_offer() -> None:
    """Close the chosen existing offer."""
    offer = _chosen_offer()
    set_edits([*edits(), ScenarioEdit("schliessen", angebot_id=offer)])
    say(f"Angebot {offer} wird geschlossen.")


def remove_edit() -> None:
    """Remove the edit chosen by its number."""
    number = st.session_state.get("sz_entfernen_nr")
    current = edits()
    if number is None or not 1 <= int(number) <= len(current):
        return
    del current[int(number) - 1]
    set_edits(current)
    say(f"Änderung {number} entfernt.")


def clear_edits() -> None:
    """Remove every edit."""
    set_edits([])
    say("Alle Änderungen entfernt.")


def load_file() -> None:
    """Add the edits of an uploaded scenario file (checked by :func:`read_edit_table`)."""
    from layers.szenarien import read_edit_table

    upload = st.session_state.get("sz_datei")
    if upload is None:
        raise InputValidationError("Es ist keine Datei gewählt.",
                                   hinweis="Wählen Sie eine CSV- oder Excel-Datei.")
    too_large = check_upload_size(upload)
    if too_large:
        raise InputValidationError(too_large)
    region = state.region()
    with tempfile.TemporaryDirectory() as folder:
        path = path_inside(folder, Path(upload.name).name or "szenario")
        path.write_bytes(upload.getvalue())
        loaded = read_edit_table(path, crs=region.crs, region=region.layer("region"))
    set_edits([*edits(), *loaded])
    say(f"{len(loaded)} Änderungen aus „{upload.name}“ übernommen.")


def load_saved() -> None:
    """Load a saved scenario (replacing the edits)."""
    from layers.szenarien import load_scenario

    name = st.session_state.get("sz_gespeichert")
    if not name:
        return
    scenario = load_scenario(state.region().store, name)
    set_edits(list(scenario.aenderungen))
    st.session_state["sz_name"] = scenario.name
    st.session_state["sz_beschreibung"] = scenario.beschreibung
    say(f"Szenario „{scenario.name}“ geladen ({len(scenario.aenderungen)} Änderungen).")


def delete_saved() -> None:
    """Delete the chosen saved scenario."""
    from layers.szenarien import delete_scenario

    name = st.session_state.get("sz_gespeichert")
    if name:
        delete_scenario(state.region().store, name)
        say(f"Szenario „{name}“ gelöscht.")


def save() -> None:
    """Save the edits under the entered name."""
    from layers.szenarien import Scenario, save_scenario

    name = str(st.session_state.get("sz_name") or "").strip()
    scenario = Scenario(name, str(st.session_state.get("sz_beschreibung") or ""), tuple(edits()))
    save_scenario(state.region().store, scenario,
                  overwrite=bool(st.session_state.get("sz_ueberschreiben")))
    say(f"Szenario „{name}“ mit {len(scenario.aenderungen)} Änderungen gespeichert.")


def take_over_suggestion() -> None:
    """Add the suggested sites as new offers to the scenario and switch to it."""
    result = st.session_state.get(RESULT)
    if not result:
        return
    typ = result["typ"]
    new = [ScenarioEdit("neu", typ=typ, name=f"{typ} – {row['name']}", x=float(row.geometry.x),
                        y=float(row.geometry.y), stufenloser_zugang="ja")
           for _, row in result["plan"].standorte.iterrows()]
    set_edits([*edits(), *new])
    st.session_state["sz_modus"] = MODES[0]
    say(f"{len(new)} vorgeschlagene Standorte als neue Angebote ins Szenario übernommen.")


def on_map_click() -> None:
    """A click into the scenario map chooses the point (before the rerun)."""
    value = st.session_state.get(MAP_KEY) or {}
    clicked = value.get("last_clicked") if isinstance(value, dict) else None
    if clicked:
        st.session_state[CLICK] = (float(clicked["lat"]), float(clicked["lng"]))
        st.session_state["sz_ort_art"] = PLACE_MODES[0]
