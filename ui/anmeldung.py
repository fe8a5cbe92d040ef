"""Login in team mode (server mode): who is logged in, in which role, and what the app shows.

When the shown region lives in a PostgreSQL/PostGIS database (``SOZIALRAUM_DB`` or the
region file's ``[speicher] datenbank``) the app asks for a login before any page. Each user
is a database login role: the name and password go to the database and nowhere else (kept in
this browser session's memory only); the store of every page then belongs to that login
(:func:`layers.store.postgis.use_login`), so the *database* decides what may be read or
written. The app only hides what the role may not do (:data:`ROLE_PAGES`,
:data:`ROLE_DATA_TABS`) - a hidden button is a courtesy, the refusal is the database's.
Without a server the app is unchanged (one person, one GeoPackage).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from layers.errors import SozialraumError
from layers.regions import load_region
from layers.sicher import escape_markdown
from ui import state

__all__ = [
    "ALL",
    "LOGIN_KEY",
    "ROLE_DATA_TABS",
    "RELATION_WRITERS",
    "ROLE_PAGES",
    "Session",
    "allowed_data_tabs",
    "allowed_pages",
    "login_gate",
    "logout",
    "may_edit_relations",
    "server_url",
    "session",
    "show_identity",
]

LOGIN_KEY = "anmeldung"
#: Every page or tab.
ALL = "*"
#: The pages (``url_path``) each role sees in server mode.
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "verwaltung": (ALL,),
    "planung": ("karte", "erreichbarkeit", "barrieren-veroeffentlicht", "planungsraeume",
                "netzwerk", "szenarien", "konferenz", "daten", "hilfe"),
    "koordination": ("karte", "erreichbarkeit", "barrieren-veroeffentlicht", "planungsraeume",
                     "netzwerk", "szenarien", "konferenz", "daten", "hilfe"),
    "fallmanagement": ("karte", "daten", "hilfe"),
    "lesen": ("karte", "erreichbarkeit", "barrieren-veroeffentlicht", "planungsraeume",
              "netzwerk", "konferenz", "hilfe"),
}
#: The roles whose GRANTs allow writing the relation lists (cooperations, presence; see
#: :mod:`layers.store.postgis.richtlinien`).
RELATION_WRITERS = ("verwaltung", "planung", "koordination")
#: The tabs of the Daten page each role sees in server mode (what its GRANTs allow to write).
ROLE_DATA_TABS: dict[str, tuple[str, ...]] = {
    "verwaltung": (ALL,),
    "planung": ("Überblick", "Angebote importieren", "Angebote bearbeiten", "Planungsräume",
                "Kennzahlen-Tabelle", "Exporte"),
    "koordination": ("Überblick", "Angebote bearbeiten", "Exporte"),
    "fallmanagement": ("Barrieremeldungen",),
    "lesen": (),
}


@dataclass(frozen=True)
class Session:
    """The logged-in user of this browser session (the password only in memory)."""

    login: object  # layers.store.postgis.Login (imported lazily: psycopg only in server mode)
    url: str
    benutzer: str
    rolle: str
    planungsraeume: tuple[str, ...] = ()


def server_url(region_name: str | None = None) -> str | None:
    """The team database of the shown region, ``None`` without team mode."""
    from layers.store import database_url

    try:
        return database_url(load_region(region_name or state.region_name()))
    except SozialraumError:
        return None


def session() -> Session | None:
    """The logged-in user, if any."""
    value = st.session_state.get(LOGIN_KEY)
    return value if isinstance(value, Session) else None


def _try_login(url: str, user: str, password: str) -> Session:
    from layers.store.postgis import Login, PostgisStore

    config = load_region(state.region_name())
    login = Login(user.strip(), password)
    store = PostgisStore(url, config.crs, schema=config.datenbank_schema or config.name,
                         login=login)
    me = store.identity()
    if not store.exists():
        from layers.errors import StoreError

        raise StoreError(
            f"Die Region '{config.name}' liegt noch nicht auf dem Datenbankserver.",
            hinweis="Die Verwaltung lädt sie hoch: sozialraum server einrichten und "
            f"sozialraum server hochladen --region {config.name}.")
    return Session(login, url, me.benutzer, me.rolle, me.planungsraeume)


def _login_form(url: str) -> None:
    from layers.store.postgis.verbindung import describe

    st.title("Anmeldung")
    st.write(f"Diese Region liegt auf dem Datenbankserver {describe(url)} (Teammodus). "
             "Melden Sie sich mit Ihrem Benutzernamen und Passwort an; was Sie sehen und "
             "ändern dürfen, entscheidet Ihre Rolle in der Datenbank.")
    with st.form("anmeldung_formular"):
        user = st.text_input("Benutzername", key="anmeldung_name")
        password = st.text_input("Passwort", type="password", key="anmeldung_passwort")
        sent = st.form_submit_button("Anmelden")
    if not sent:
        return
    try:
        st.session_state[LOGIN_KEY] = _try_login(url, user, password)
    except SozialraumError as exc:
        st.error(escape_markdown(str(exc), keep_lines=True))
        return
    st.session_state.pop("anmeldung_passwort", None)
    st.rerun()


def login_gate() -> Session | None:
    """Ask for the login in server mode (stops the page until logged in); else ``None``.

    Sets the login for every store this script run opens.
    """
    url = server_url()
    if url is None:
        return None
    from layers.store.postgis import use_login

    me = session()
    if me is not None and me.url != url:  # another region on another server: log in again
        logout()
        me = None
    if me is None:
        use_login(None)
        _login_form(url)
        st.stop()
    assert me is not None
    use_login(me.login)  # type: ignore[arg-type]
    return me


def logout() -> None:
    """Forget the login of this browser session."""
    st.session_state.pop(LOGIN_KEY, None)


def allowed_pages(me: Session | None, url_paths: list[str]) -> list[str]:
    """The pages to show: all without team mode, else those of the role."""
    if me is None:
        return [p for p in url_paths if p != "barrieren-veroeffentlicht"]
    wanted = ROLE_PAGES.get(me.rolle, ())
    if ALL in wanted:
        return list(url_paths)
    return [p for p in url_paths if p in wanted]


def allowed_data_tabs(tabs: list[str]) -> list[str]:
    """The Daten page's tabs for the logged-in role (all without team mode)."""
    me = session()
    if me is None or server_url() is None:
        return list(tabs)
    wanted = ROLE_DATA_TABS.get(me.rolle, ())
    return list(tabs) if ALL in wanted else [t for t in tabs if t in wanted]


def may_edit_relations() -> bool:
    """Whether the forms that change cooperation lists are shown (always without team mode)."""
    me = session()
    return me is None or server_url() is None or me.rolle in RELATION_WRITERS


def show_identity(me: Session) -> None:
    """Who is logged in, in which role (sidebar), and the logout button."""
    from layers.store.postgis import ROLE_LABELS

    label = ROLE_LABELS.get(me.rolle, me.rolle)
    areas = f" ({', '.join(me.planungsraeume)})" if me.planungsraeume else ""
    st.markdown(escape_markdown(f"Angemeldet als {me.benutzer}"))
    st.caption(escape_markdown(f"Rolle: {label}{areas}"))
    if st.button("Abmelden", key="abmelden"):
        logout()
        st.rerun()
