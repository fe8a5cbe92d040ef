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

Both answer one :class:`~planungsraeume.frage.Question` (type, step-free only, profile, minutes)
with :mod:`planungsraeume.versorgung` on network travel times.
"""

from __future__ import annotations

import streamlit as st

from layers.angebote import service_type_keys
from layers.sicher import escape_markdown
from planungsraeume.frage import Question, profile_labels
from planungsraeume.region import Region
from ui import links, sidebar, state, widgets
from ui.szenarien import standorte, szenario, zustand

__all__ = ["render"]

STEP_FREE = ("stufenloser_zugang",)


def _question(region: Region) -> Question:
    """The type, profile, minutes and step-free choice at the top, as one question."""
    offered = set(region.offers()["typ"].astype(str))
    present = [t for t in service_type_keys() if t in offered]
    profiles = profile_labels()
    _restore_from_address(present, list(profiles))
    if st.session_state.get("sz_typ") not in present:
        st.session_state["sz_typ"] = "EUTB" if "EUTB" in present else present[0]
    st.session_state.setdefault("sz_profil", "rollstuhl")
    st.session_state.setdefault("sz_minuten", 15)
    cols = list(st.columns([2, 2, 1, 2], vertical_alignment="bottom"))
    cols[0].selectbox("Angebotstyp", present, key="sz_typ")
    cols[1].selectbox("Profil", list(profiles), format_func=lambda v: profiles[v], key="sz_profil",
                      help="Wie die Menschen unterwegs sind: Stufen, Steigungen und Bordsteine "
                           "zählen je nach Profil.")
    cols[2].number_input("Minuten", min_value=1, max_value=120, step=1, key="sz_minuten")
    cols[3].checkbox("Nur stufenlos zugängliche Angebote zählen", key="sz_stufenlos",
                     help="Angebote ohne Angabe „ja“ beim stufenlosen Zugang versorgen niemanden.")
    return Question(angebote=f"typ:{st.session_state['sz_typ']}",
                    merkmale=STEP_FREE if st.session_state.get("sz_stufenlos") else (),
                    profil=str(st.session_state["sz_profil"]),
                    minuten=float(st.session_state["sz_minuten"]))


#: The two tasks of the page by their name in the address (``ansicht=standorte``).
VIEWS = {"szenario": zustand.MODES[0], "standorte": zustand.MODES[1]}


def _minutes(text: str) -> int:
    value = int(float(text.replace(",", ".")))
    if not 1 <= value <= 120:
        raise ValueError(text)
    return value


def _restore_from_address(present: list[str], profiles: list[str]) -> None:
    """A new session opened from a link shows the link's type, profile, minutes, step-free choice
    and task (:mod:`ui.links`; values that are not options are ignored)."""
    links.restore("angebote", "sz_typ", parse=lambda t: present[present.index(t.removeprefix("typ:"))])
    links.restore("profil", "sz_profil", profiles)
    links.restore("minuten", "sz_minuten", parse=_minutes)
    links.restore("merkmale", "sz_stufenlos", parse=lambda t: STEP_FREE[0] in t.split(","))
    links.restore("ansicht", "sz_modus", parse=lambda t: VIEWS[t])


def render() -> None:
    """Draw the page."""
    st.title("Szenarien & Standorte")
    region = state.region()
    if not widgets.ensure_region_built(region):
        return
    widgets.data_notice(region, compact=True)
    if not widgets.require_network(region):
        return
    if not region.has_population():
        st.warning("Diese Region hat keine Bevölkerungsdaten: Ohne Einwohner lässt sich nicht "
                   "berechnen, wer ein Angebot erreicht. Szenarien lassen sich in der Demo-Region "
                   "Aachen ausprobieren.", icon=":material/warning:")
        return
    message = st.session_state.pop(zustand.MESSAGE, None)
    if message:
        (st.error if message[0] == "error" else st.success)(escape_markdown(message[1], keep_lines=True))
    frage = _question(region)
    st.radio("Was möchten Sie tun?", zustand.MODES, key="sz_modus", horizontal=True)
    links.keep_question(frage)
    links.keep("ansicht", next(k for k, v in VIEWS.items() if v == st.session_state["sz_modus"]))
    if st.session_state["sz_modus"] == zustand.MODES[0]:
        szenario.scenario_section(region, frage, str(st.session_state["sz_typ"]))
    else:
        standorte.suggestion_section(region, frage)


sidebar.page_frame()
widgets.guarded(render)
