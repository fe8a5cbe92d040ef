"""Every view a link: the region, planning area, offers, profile, minutes and filters in the URL.

A copied address opens the same view: each page puts what it shows into ``st.query_params``
(``/planungsraeume?region=aachen&planungsraum=PR05&profil=rollstuhl&minuten=10``), and a new
session takes the values from the address before the widgets are drawn. Values from the
address are checked against the options of the widget; an unknown value is ignored (the page
shows its default), never an error.

How it fits together:

- :func:`begin` (``app.py``, before the sidebar) starts the collection of this run and, in a
  new session, turns the question parameters (``angebote``, ``merkmale``, ``profil``,
  ``minuten``, ``unbekannt``) into the app's question (:func:`ui.state.set_question`), which
  every page reads.
- :func:`restore` (pages, before a widget that is driven by session state) puts a value from
  the address into the session; :func:`initial` gives the address's value as a widget default.
- :func:`keep` (pages, after the widget) and :func:`keep_question` record what the view shows;
  :func:`finish` (``app.py``, after the page) writes it to the address bar.

Only the first run of a session reads the address: afterwards the widgets are the truth and the
address follows them. The URL names are German and stable (:data:`NAMES`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from layers.errors import SozialraumError
from planungsraeume.frage import FEATURE_LABELS, MINUTES, UNKNOWN_MODES, Question
from ui import state

__all__ = ["NAMES", "begin", "finish", "initial", "keep", "keep_question", "restore",
           "url_value", "view_url"]

#: URL parameter names and what they hold.
NAMES = {
    "region": "Kurzname der Region (aachen, heidelberg …)",
    "planungsraum": "Nummer des gewählten Planungsraums",
    "angebot": "Kennung des gewählten Angebots",
    "angebote": "Auswahl der Angebote (beratung, alle, typ:EUTB …)",
    "merkmale": "Bedingungen an die Angebote, mit Komma getrennt",
    "profil": "Unterwegs-Profil (fuss, senior, rollator, rollstuhl)",
    "minuten": "Zumutbare Minuten",
    "unbekannt": "Umgang mit fehlenden Wegeangaben",
    "typen": "Angebotstypen der Karte, mit Komma getrennt",
    "stufenlos": "nur stufenlos zugängliche Angebote (ja)",
    "auswahl": "Auswahl der Barrieremeldungen",
    "jahr": "Jahr der Barrieremeldungen",
    "gitter": "Gitterweite in Metern",
    "ansicht": "Ansicht der Seite",
}
_READ = "_links_gelesen"        # the address of the session's first run (read once)
_COLLECTED = "_links_sammlung"  # what this run shows
_QUESTION = ("angebote", "merkmale", "profil", "minuten", "unbekannt")


def begin() -> None:
    """Start a run: remember the first address of the session, restore its question."""
    if _READ not in st.session_state:
        st.session_state[_READ] = {k: st.query_params.get_all(k) for k in st.query_params}
        _restore_question()
    st.session_state[_COLLECTED] = {}


def url_value(name: str) -> str | None:
    """The value of ``name`` in the session's first address (``None`` if absent)."""
    values = st.session_state.get(_READ, {}).get(name) or []
    return str(values[0]) if values else None


def _list(text: str | None) -> list[str]:
    return [v for v in (text or "").split(",") if v]


def _restore_question() -> None:
    if not any(url_value(n) is not None for n in _QUESTION):
        return
    start = state.question()
    changes: dict[str, Any] = {}
    if url_value("angebote"):
        changes["angebote"] = url_value("angebote")
    if url_value("merkmale") is not None:
        changes["merkmale"] = tuple(m for m in _list(url_value("merkmale")) if m in FEATURE_LABELS)
    if url_value("profil"):
        changes["profil"] = url_value("profil")
    minutes = url_value("minuten")
    if minutes and minutes.isdigit() and int(minutes) in MINUTES:
        changes["minuten"] = int(minutes)
    if url_value("unbekannt") in UNKNOWN_MODES:
        changes["unbekannt"] = url_value("unbekannt")
    for key, value in changes.items():  # one by one: a wrong value drops only itself
        try:
            start = start.with_(**{key: value})
        except (SozialraumError, ValueError, TypeError):
            continue
    state.set_question(start)


def _convert(text: str, options: Sequence[Any]) -> Any:
    """The option whose text is ``text`` (options may be ints or ``None``); raises KeyError."""
    for option in options:
        if option is not None and str(option) == text:
            return option
    raise KeyError(text)


def restore(name: str, key: str, options: Sequence[Any] | None = None, *,
            parse: Callable[[str], Any] | None = None) -> None:
    """Put the address's value of ``name`` into ``st.session_state[key]`` (new sessions only).

    Parameters
    ----------
    name
        URL parameter (:data:`NAMES`).
    key
        Session key of the widget.
    options
        Allowed values; a value from the address that is none of them is ignored.
    parse
        Converts the text (e.g. ``lambda t: t == "ja"`` for a checkbox) instead of ``options``.
    """
    text = url_value(name)
    done = st.session_state.setdefault("_links_erledigt", set())
    if text is None or key in done:
        return
    done.add(key)
    try:
        value = parse(text) if parse is not None else (
            _convert(text, options) if options is not None else text)
    except (KeyError, ValueError):
        return
    st.session_state[key] = value


def initial(name: str, key: str, default: list[Any], options: Sequence[Any]) -> list[Any]:
    """The default of a multiselect: the address's comma list (valid entries) in a new session.

    A list without a single valid entry is ignored (``default``).
    """
    text = url_value(name)
    done = st.session_state.setdefault("_links_erledigt", set())
    if text is None or key in done or key in st.session_state:
        return default
    done.add(key)
    valid = [o for o in options if str(o) in set(_list(text))]
    return valid or default


def keep(name: str, value: Any) -> None:
    """Record what the view shows under ``name`` (``None``/empty: left out of the address)."""
    if value is None or value == [] or value == "":
        return
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    elif isinstance(value, bool):
        value = "ja" if value else "nein"
    st.session_state.setdefault(_COLLECTED, {})[name] = str(value)


def keep_question(frage: Question) -> None:
    """Record a reachability question (offers, features, profile, minutes, unknown ways)."""
    keep("angebote", frage.angebote)
    keep("merkmale", list(frage.merkmale))
    keep("profil", frage.profil)
    keep("minuten", int(frage.minuten))
    keep("unbekannt", frage.unbekannt)


def finish(page_path: str = "") -> None:
    """Write the recorded view into the address bar (when it changed) and show it as a link.

    ``page_path`` is the page's URL path (``karte``); the sidebar then shows the full address of
    this view to copy (:func:`view_url`).
    """
    collected = dict(st.session_state.get(_COLLECTED, {}))
    if not any(n in collected for n in _QUESTION):
        # The app-wide question (gap layer, profile, conference mode) travels with every link.
        keep_question(state.question())
    wanted = {"region": state.region_name(), **st.session_state.get(_COLLECTED, {})}
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)
    if page_path:
        with st.sidebar:
            st.markdown("**Link zu dieser Ansicht** (mit Planungsraum und Einstellungen; zum "
                        "Weitergeben kopieren):")
            st.code(view_url(page_path, wanted), language=None, wrap_lines=True)


def view_url(page_path: str, params: dict[str, str]) -> str:
    """The full address of a view: the server as the browser sees it, the page, the settings."""
    from urllib.parse import urlencode, urlsplit

    try:
        seen = urlsplit(str(st.context.url or ""))
        base = f"{seen.scheme}://{seen.netloc}" if seen.netloc else ""
    except Exception:  # outside a browser session (tests)
        base = ""
    query = urlencode(params, safe=",:")
    return f"{base}/{page_path}" + (f"?{query}" if query else "")
