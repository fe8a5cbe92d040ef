"""Connections to the team database: logins, connection pools, German errors.

Driver: **psycopg 3** with **psycopg_pool**. Why not SQLAlchemy + GeoAlchemy2 (and geopandas'
``to_postgis``/``read_postgis``, which need them): every user logs in as a database role of
their own, so the app holds one small pool *per login* and the database, not the app,
decides what each may do; psycopg gives the SQLSTATE of every refusal (row-level security,
missing GRANT, the version trigger) to turn it into a German message, computes SCRAM
verifiers on the client (:func:`scram_verifier`: a password never travels or lands in a log
in plain text), and streams bulk loads with ``COPY``. ``to_postgis(if_exists="replace")``
would drop a table together with its policies and triggers; the few queries that read and
write frames are in :mod:`layers.store.postgis.frames`.

A :class:`Login` (user name + password, kept only in memory) is set per app session with
:func:`use_login`; without one, libpq's own sources apply (the user in the URL,
``PGPASSWORD``, ``~/.pgpass``, a client certificate) - never a file of this project.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool

from layers.errors import (
    AccessDeniedError,
    InputValidationError,
    LoginError,
    SozialraumError,
    StoreError,
    VersionConflictError,
)
from layers.store.postgis.funktionen import VERSION_CONFLICT

__all__ = [
    "Login",
    "close_pools",
    "conninfo",
    "connect",
    "current_login",
    "describe",
    "pool_for",
    "scram_verifier",
    "translated",
    "use_login",
]

_CURRENT: ContextVar[Login | None] = ContextVar("sozialraum_login", default=None)
_POOLS: dict[tuple[str, str], ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()
LOCK_TIMEOUT = "60s"


@dataclass(frozen=True)
class Login:
    """A database login (the password lives only in memory and never in a ``repr``)."""

    user: str
    password: str = field(repr=False)


def use_login(login: Login | None) -> Token[Login | None]:
    """Make ``login`` the one :func:`layers.store.open_store` uses in this context (thread)."""
    return _CURRENT.set(login)


def current_login() -> Login | None:
    """The login set with :func:`use_login` in this context, if any."""
    return _CURRENT.get()


def conninfo(url: str, login: Login | None = None) -> str:
    """A libpq connection string for ``url`` (and ``login``), named for the server's logs."""
    extra: dict[str, Any] = {"application_name": "sozialraum-atlas", "connect_timeout": 10}
    if login is not None:
        extra.update(user=login.user, password=login.password)
    return make_conninfo(url, **extra)


def describe(url: str) -> str:
    """The database for messages: ``host:port/dbname`` (never a password)."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return urlsplit(url).hostname or "?"
    host = str(parts.get("host") or "localhost")
    port = str(parts.get("port") or "5432")
    return f"{host}:{port}/{parts.get('dbname') or ''}"


def _configure(conn: psycopg.Connection[Any]) -> None:
    conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    conn.commit()


def connect(url: str, login: Login | None = None, *, autocommit: bool = False
            ) -> psycopg.Connection[Any]:
    """One connection (for commands and checks; the app uses :func:`pool_for`).

    Raises
    ------
    LoginError
        For a wrong user name or password.
    StoreError
        If the server cannot be reached.
    """
    with translated(url):
        conn = psycopg.connect(conninfo(url, login), autocommit=autocommit)
    if not autocommit:
        _configure(conn)
    return conn


def pool_for(url: str, login: Login | None = None) -> ConnectionPool:
    """The connection pool of one login (made on first use; at most 4 connections).

    The login is checked with a first connection, so a wrong password fails at once with
    :class:`LoginError` instead of inside the pool's retries.
    """
    secret = hashlib.sha256((login.password if login else "").encode()).hexdigest()
    key = (conninfo(url, Login(login.user, "") if login else None), secret)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is not None:
            return pool
    connect(url, login).close()
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = ConnectionPool(conninfo(url, login), min_size=1, max_size=4, num_workers=1,
                                  configure=_configure, open=True, timeout=60.0,
                                  name=f"sozialraum-{login.user if login else 'standard'}")
            _POOLS[key] = pool
    return pool


def close_pools() -> None:
    """Close every pool (at exit, and in tests between servers)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.close()


atexit.register(close_pools)

_INHERITED: list[ConnectionPool] = []


def _forget_pools_in_child() -> None:
    """After ``fork``: the child must not use (or close) the parent's connections."""
    _INHERITED.extend(_POOLS.values())  # kept referenced: never closed from the child
    _POOLS.clear()


os.register_at_fork(after_in_child=_forget_pools_in_child)


def scram_verifier(conn: psycopg.Connection[Any], user: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of a password, computed here (libpq), not on the server.

    ``CREATE ROLE … PASSWORD '<verifier>'`` stores it as it is; the password itself never
    leaves this process and cannot appear in a server log.
    """
    raw = conn.pgconn.encrypt_password(password.encode(), user.encode(), b"scram-sha-256")
    return raw.decode()


def _denied(exc: psycopg.Error, url: str) -> SozialraumError:
    diag = exc.diag
    text = str(diag.message_primary or exc)
    table = diag.table_name
    if "row-level security" in text:
        return AccessDeniedError(
            "Die Datenbank hat die Änderung abgelehnt: Ihre Rolle darf diesen Eintrag so nicht "
            f"speichern{f' (Tabelle {table})' if table else ''}. Angebote darf die "
            "Planungsraum-Koordination nur in ihren eigenen Planungsräumen anlegen, ändern oder "
            "dorthin verschieben.",
            hinweis="Wenden Sie sich an die Sozialplanung oder die Verwaltung, wenn der Eintrag "
            "geändert werden muss.",
        )
    name = text.split(" for ")[-1].replace("table ", "Tabelle ").replace(
        "schema ", "Schema ").replace("function ", "Funktion ")
    return AccessDeniedError(
        f"Die Datenbank hat den Zugriff verweigert ({name}): Ihre Rolle darf das nicht.",
        hinweis="Rollen und Rechte vergibt die Verwaltung (sozialraum nutzer anlegen).",
    )


def _translate(exc: psycopg.Error, url: str) -> SozialraumError:
    state = exc.sqlstate or ""
    diag = exc.diag
    if state == VERSION_CONFLICT:
        return VersionConflictError(str(diag.message_primary),
                                    hinweis=str(diag.message_hint or ""))
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return _denied(exc, url)
    if state.startswith("28") or isinstance(exc, pg_errors.InvalidPassword):
        return LoginError(
            "Anmeldung an der Datenbank fehlgeschlagen: Benutzername oder Passwort stimmen "
            "nicht.",
            hinweis="Prüfen Sie Ihre Eingabe; ein neues Passwort vergibt die Verwaltung.",
        )
    if isinstance(exc, pg_errors.LockNotAvailable):
        return StoreError(
            "Die Daten sind gesperrt, weil gerade jemand anderes schreibt.",
            hinweis="Versuchen Sie es in einer Minute erneut.",
        )
    if isinstance(exc, pg_errors.UniqueViolation):
        return InputValidationError(
            f"Der Eintrag ist schon vergeben ({diag.message_detail or diag.message_primary}).",
            hinweis="Wählen Sie eine andere ID; Einträge anderer Stellen sehen Sie nicht immer.",
        )
    if isinstance(exc, psycopg.OperationalError):
        text = str(exc)
        if "password authentication failed" in text or "no password supplied" in text:
            return LoginError(
                "Anmeldung an der Datenbank fehlgeschlagen: Benutzername oder Passwort stimmen "
                "nicht.",
                hinweis="Prüfen Sie Ihre Eingabe; ein neues Passwort vergibt die Verwaltung.",
            )
        return StoreError(
            f"Die Datenbank {describe(url)} ist nicht erreichbar ({text.strip()[:200]}).",
            hinweis="Prüfen Sie die Adresse in SOZIALRAUM_DB bzw. [speicher] datenbank und ob "
            "der Server läuft; fragen Sie sonst Ihre IT.",
        )
    return StoreError(
        f"Die Datenbank {describe(url)} hat einen Fehler gemeldet: "
        f"{diag.message_primary or exc}",
        hinweis="Wenn das wieder vorkommt, geben Sie diese Meldung an Ihre IT weiter.",
    )


@contextmanager
def translated(url: str) -> Iterator[None]:
    """Turn database errors inside the block into German :class:`SozialraumError` subclasses."""
    try:
        yield
    except psycopg.Error as exc:
        raise _translate(exc, url) from exc
