"""``sozialraum server pruefen``: are roles, GRANTs, policies and triggers in place?

Compares the database with what :mod:`layers.store.postgis.richtlinien` prescribes for every
table of every region: row-level security enabled *and forced*, exactly the expected
policies, the expected privileges of each of the five roles (no more, no less), the audit,
version and counting triggers, SCRAM password hashing; TLS is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from layers.store.postgis.einrichten import region_tables
from layers.store.postgis.funktionen import GLOBAL_SCHEMA, OWNER, ROLES
from layers.store.postgis.richtlinien import policies, q, trigger_specs

__all__ = ["Finding", "check_server"]

_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class Finding:
    """One check: passed or not, in German."""

    ok: bool
    text: str
    warnung: bool = False

    def __str__(self) -> str:
        mark = "OK     " if self.ok else ("HINWEIS" if self.warnung else "FEHLER ")
        return f"{mark} {self.text}"


def _one(conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
    row = conn.execute(sql, tuple(params) or None).fetchone()
    return None if row is None else row[0]


def _global(conn: Any) -> list[Finding]:
    found = []
    version = _one(conn, "SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
    found.append(Finding(version is not None, f"PostGIS installiert ({version or 'fehlt'})"))
    for role in (OWNER, *ROLES):
        login = _one(conn, "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (role,))
        found.append(Finding(login is False, f"Rolle {role} vorhanden, ohne Anmeldung"
                             if login is not None else f"Rolle {role} fehlt"))
    member = _one(conn, "SELECT pg_has_role('verwaltung', %s, 'MEMBER')", (OWNER,))
    found.append(Finding(bool(member), f"verwaltung ist Mitglied von {OWNER}"))
    encryption = _one(conn, "SHOW password_encryption")
    found.append(Finding(encryption == "scram-sha-256",
                         f"Passwörter werden als SCRAM-SHA-256 gespeichert ({encryption})"))
    ssl = _one(conn, "SHOW ssl")
    found.append(Finding(ssl == "on", "TLS (ssl) ist eingeschaltet" if ssl == "on" else
                         "TLS (ssl) ist aus: im Netz der Verwaltung nur mit TLS betreiben "
                         "(siehe README)", warnung=True))
    functions = _one(conn, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = "
                     "p.pronamespace WHERE n.nspname = %s AND pg_get_userbyid(p.proowner) = %s",
                     (GLOBAL_SCHEMA, OWNER))
    found.append(Finding(int(functions or 0) >= 9,
                         f"{functions} Funktionen im Schema {GLOBAL_SCHEMA} gehören {OWNER}"))
    return found


def _privileges(conn: Any, schema: str, table: str) -> list[Finding]:
    grants, _ = policies(schema, table)
    expected: dict[str, set[str]] = {role: set() for role in ROLES}
    for privilege, roles in grants.items():
        for role in roles:
            expected[role] |= {p.strip() for p in privilege.split(",")}
    target = f"{q(schema)}.{q(table)}"
    wrong = []
    for role in ROLES:
        if role == "verwaltung":
            continue  # member of the owner: may do everything
        for privilege in _PRIVILEGES:
            has = bool(_one(conn, "SELECT has_table_privilege(%s, %s, %s)",
                            (role, target, privilege)))
            if has != (privilege in expected[role]):
                wrong.append(f"{role} {'darf' if has else 'darf nicht'} {privilege}")
    return [Finding(not wrong, f"{schema}.{table}: Rechte der Rollen "
                    + ("wie vorgesehen" if not wrong else "abweichend: " + "; ".join(wrong)))]


def _table(conn: Any, schema: str, table: str) -> list[Finding]:
    row = conn.execute(
        "SELECT c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner) FROM "
        "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND "
        "c.relname = %s", (schema, table)).fetchone()
    found = [Finding(bool(row[0]) and bool(row[1]) and row[2] == OWNER,
                     f"{schema}.{table}: Zeilensicherheit an und erzwungen, Eigentümer "
                     f"{row[2]}")]
    _, rules = policies(schema, table)
    actual = {str(r[0]) for r in conn.execute(
        "SELECT policyname FROM pg_policies WHERE schemaname = %s AND tablename = %s",
        (schema, table))}
    wanted = {r[0] for r in rules}
    found.append(Finding(actual == wanted, f"{schema}.{table}: Richtlinien "
                         + (", ".join(sorted(actual)) if actual == wanted else
                            f"fehlen: {sorted(wanted - actual)}, zu viel: {sorted(actual - wanted)}")))
    triggers = {str(r[0]) for r in conn.execute(
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN "
        "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
        "AND NOT t.tgisinternal", (schema, table))}
    expected = set(trigger_specs(schema, table))
    text = (f"{schema}.{table}: Trigger {', '.join(sorted(expected))}" if expected <= triggers
            else f"{schema}.{table}: Trigger fehlen: {', '.join(sorted(expected - triggers))}")
    found.append(Finding(expected <= triggers, text))
    return found + _privileges(conn, schema, table)


def check_server(conn: Any, schemas: Sequence[str]) -> list[Finding]:
    """Every check for the shared objects and the given region schemas.

    Returns
    -------
    list of Finding
        ``ok`` false means the database does not enforce what team mode promises.
    """
    found = _global(conn)
    for schema in schemas:
        exists = _one(conn, "SELECT to_regnamespace(%s) IS NOT NULL", (schema,))
        if not exists:
            found.append(Finding(False, f"Schema {schema} fehlt (sozialraum server einrichten)"))
            continue
        for table in region_tables(conn, schema):
            found += _table(conn, schema, table)
    return found
