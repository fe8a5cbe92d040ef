"""Users of team mode: one database login role each, in exactly one of the five roles.

``sozialraum nutzer anlegen --rolle koordination --planungsraum PR05 --region aachen anna``
creates the login ``anna`` as a member of ``koordination`` and assigns PR05 of Aachen. The
password is turned into a SCRAM-SHA-256 verifier here (:func:`scram_verifier`), so the server
stores and receives only the verifier; no password is ever written to a file of this project.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from psycopg import sql

from layers.errors import InputValidationError
from layers.store.postgis.funktionen import GLOBAL_SCHEMA, OWNER, ROLES
from layers.store.postgis.richtlinien import check_identifier, q
from layers.store.postgis.verbindung import scram_verifier

__all__ = ["MIN_PASSWORD", "create_user", "list_users", "remove_user", "set_password"]

MIN_PASSWORD = 12


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputValidationError(
            f"Das Passwort ist zu kurz (mindestens {MIN_PASSWORD} Zeichen).",
            hinweis="Wählen Sie eine lange Passphrase, z. B. vier zufällige Wörter.",
        )


def _role_exists(conn: Any, name: str) -> bool:
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)",
                             (name,)).fetchone()[0])


def _check_areas(conn: Any, region: str, areas: Sequence[str]) -> None:
    check_identifier(region)
    known = [str(r[0]) for r in conn.execute(
        f"SELECT pr_id FROM {q(region)}.planungsraeume ORDER BY pr_id")]
    unknown = [a for a in areas if a not in known]
    if unknown:
        raise InputValidationError(
            f"Unbekannte Planungsräume in {region}: {', '.join(unknown)}.",
            hinweis="Vorhanden sind: " + (", ".join(known[:40]) or "(keine)") + ".",
        )


def create_user(conn: Any, name: str, rolle: str, password: str, *,
                region: str | None = None, planungsraeume: Sequence[str] = ()) -> str:
    """Create a login in one role (and assign planning areas); one transaction.

    Parameters
    ----------
    conn
        Connection of an administrator (superuser or ``verwaltung`` login).
    name
        Login name (lower case letters, digits, ``_``).
    rolle
        One of :data:`layers.store.postgis.ROLES`.
    password
        At least :data:`MIN_PASSWORD` characters; only its SCRAM verifier is sent.
    region, planungsraeume
        For ``koordination``: the region (schema) and its planning areas (``pr_id``).

    Returns
    -------
    str
        A German confirmation.
    """
    check_identifier(name, "einen Benutzernamen")
    if rolle not in ROLES:
        raise InputValidationError(f"Unbekannte Rolle '{rolle}'.",
                                   hinweis="Erlaubt sind: " + ", ".join(ROLES) + ".")
    if rolle == "koordination" and not (region and planungsraeume):
        raise InputValidationError(
            "Die Koordination braucht mindestens einen Planungsraum und die Region.",
            hinweis="Geben Sie --region und --planungsraum an (mehrfach möglich).")
    if planungsraeume and rolle != "koordination":
        raise InputValidationError("Planungsräume werden nur der Koordination zugeordnet.",
                                   hinweis="Lassen Sie --planungsraum weg.")
    _check_password(password)
    with conn.transaction():
        if _role_exists(conn, name):
            raise InputValidationError(f"Den Benutzer '{name}' gibt es schon.",
                                       hinweis="Wählen Sie einen anderen Namen.")
        if region and planungsraeume:
            _check_areas(conn, region, planungsraeume)
        verifier = scram_verifier(conn, name, password)
        extra = sql.SQL(" CREATEROLE") if rolle == "verwaltung" else sql.SQL("")
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}{}").format(
            sql.Identifier(name), sql.Literal(verifier), sql.Identifier(rolle), extra))
        conn.execute(f"SET LOCAL ROLE {OWNER}")
        for area in planungsraeume:
            conn.execute(f"INSERT INTO {GLOBAL_SCHEMA}.zustaendigkeit VALUES (%s, %s, %s)",
                         (name, region, area))
        conn.execute("RESET ROLE")
    where = f" für {region}: {', '.join(planungsraeume)}" if planungsraeume else ""
    return f"Benutzer '{name}' in der Rolle {rolle} angelegt{where}."


def set_password(conn: Any, name: str, password: str) -> str:
    """Set a new password (as SCRAM verifier)."""
    _check_password(password)
    with conn.transaction():
        if not _role_exists(conn, name):
            raise InputValidationError(f"Den Benutzer '{name}' gibt es nicht.")
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(name), sql.Literal(scram_verifier(conn, name, password))))
    return f"Neues Passwort für '{name}' gesetzt."


def remove_user(conn: Any, name: str) -> str:
    """Remove a login and its planning-area assignments (its audit entries stay)."""
    check_identifier(name, "einen Benutzernamen")
    if name in (*ROLES, OWNER):
        raise InputValidationError(f"'{name}' ist eine Rolle, kein Benutzer.")
    with conn.transaction():
        if not _role_exists(conn, name):
            raise InputValidationError(f"Den Benutzer '{name}' gibt es nicht.")
        conn.execute(f"SET LOCAL ROLE {OWNER}")
        conn.execute(f"DELETE FROM {GLOBAL_SCHEMA}.zustaendigkeit WHERE benutzer = %s", (name,))
        conn.execute("RESET ROLE")
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
    return f"Benutzer '{name}' entfernt (seine Einträge im Änderungsprotokoll bleiben)."


def list_users(conn: Any) -> pd.DataFrame:
    """Every login in one of the five roles, with its planning areas."""
    member = " OR ".join(f"pg_has_role(r.rolname, '{role}', 'MEMBER')" for role in ROLES)
    conn.execute(f"SET LOCAL ROLE {OWNER}")
    rows = conn.execute(
        f"SELECT r.rolname, {GLOBAL_SCHEMA}.rolle(r.rolname), coalesce((SELECT string_agg("
        f"z.region || ':' || z.pr_id, ', ' ORDER BY z.region, z.pr_id) FROM {GLOBAL_SCHEMA}."
        "zustaendigkeit z WHERE z.benutzer = r.rolname), '') FROM pg_roles r WHERE "
        f"r.rolcanlogin AND NOT r.rolsuper AND ({member}) ORDER BY 2, 1").fetchall()
    conn.execute("RESET ROLE")
    return pd.DataFrame(rows, columns=["benutzer", "rolle", "planungsraeume"])
