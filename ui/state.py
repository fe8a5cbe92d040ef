"""What the app keeps per browser session: the region shown, its :class:`Region`, the question.

The sidebar sets the region (``st.session_state["region"]``); the Erreichbarkeit page (and the
controls on the Planungsräume page) set the reachability :class:`~planungsraeume.frage.Question`
that the Karte (gap layer), the Planungsräume profile and the Konferenzmodus reuse, so that the
same words and the same numbers appear everywhere. Nothing here computes anything.
"""

from __future__ import annotations

import streamlit as st

from layers import settings
from layers.errors import SozialraumError
from layers.regions import load_region
from planungsraeume.frage import DEFAULT_QUESTION, Question
from planungsraeume.region import Region

__all__ = [
    "QUESTION_KEY",
    "REGION_KEY",
    "TILES_KEY",
    "USER_KEY",
    "online_tiles",
    "question",
    "region",
    "region_name",
    "region_short_title",
    "region_title",
    "set_question",
]

#: Session keys (the sidebar widgets write the first two).
REGION_KEY = "region"
TILES_KEY = "online_tiles"
QUESTION_KEY = "frage"
#: The name entered in the sidebar outside team mode (recorded in the audit table).
USER_KEY = "benutzername"


def region_name() -> str:
    """The key of the region the app shows (chosen in the sidebar, default from settings)."""
    return str(st.session_state.get(REGION_KEY, settings.default_region))


def region() -> Region:
    """The current region, opened afresh on every call (its store records the session's name).

    Opening is cheap (the configuration is parsed, nothing is read from the store); every
    answer it gives is cached in the one result cache by the store's version, so a new edit
    shows at once.
    """
    opened = Region.open(region_name())
    name = str(st.session_state.get(USER_KEY) or "").strip()
    if name and hasattr(opened.store, "user"):
        opened.store.user = name[:80]  # this session's edits carry the name entered
    return opened


def region_title(name: str) -> str:
    """Display name of a region (its key if the configuration cannot be read)."""
    try:
        return load_region(name).titel
    except SozialraumError:
        return name


def region_short_title(name: str) -> str:
    """The region's title without its explanation in brackets ("Aachen", "Heidelberg")."""
    return region_title(name).split(" (")[0].strip() or name


def online_tiles() -> bool:
    """Whether the user switched on online map tiles (off by default: the app works offline)."""
    return bool(st.session_state.get(TILES_KEY, False))


def question() -> Question:
    """The reachability question last set in the app (else the default question)."""
    value = st.session_state.get(QUESTION_KEY)
    return value if isinstance(value, Question) else DEFAULT_QUESTION


def set_question(frage: Question) -> None:
    """Remember a question for the other pages (gap layer, profile, conference mode)."""
    st.session_state[QUESTION_KEY] = frage
