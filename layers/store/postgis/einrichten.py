"""``sozialraum server einrichten``: roles, schemas, tables, policies and triggers (idempotent).

Run it once with a database superuser (or a role that may create roles and already has
PostGIS installed), and again after every update of Sozialraum-Atlas or for a new region: it
creates what is missing and puts every GRANT, policy and trigger back into the state this
version expects, without touching data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from layers.store.postgis.funktionen import ADMIN_SQL, OWNER, OWNER_SQL
from layers.store.postgis.richtlinien import (
    check_identifier,
    q,
    region_sql,
    secure_table_sql,
)

__all__ = ["region_tables", "secure_region", "setup_regions"]


def region_tables(conn: Any, schema: str) -> list[str]:
    """Every table of a region schema (as the database has them, whatever the role sees)."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.oid", (schema,))
    return [str(r[0]) for r in rows]


def secure_region(conn: Any, schema: str) -> int:
    """Apply owner, row-level security, GRANTs, policies and triggers to every table."""
    tables = region_tables(conn, schema)
    for table in tables:
        for statement in secure_table_sql(schema, table):
            conn.execute(statement)
    return len(tables)


def setup_regions(conn: Any, regions: Sequence[tuple[str, int]]) -> list[str]:
    """Set up the shared objects and each region; one transaction (all or nothing).

    Parameters
    ----------
    conn
        A psycopg connection of an administrator (not in autocommit mode).
    regions
        ``(schema, srid)`` per region.

    Returns
    -------
    list of str
        German report lines.
    """
    lines = []
    with conn.transaction():
        conn.execute(ADMIN_SQL)
        conn.execute(f"SET LOCAL ROLE {OWNER}")
        conn.execute(OWNER_SQL)
        lines.append("Rollen verwaltung, planung, koordination, fallmanagement, lesen und "
                     "das Schema 'sozialraum' sind eingerichtet.")
        for schema, srid in regions:
            check_identifier(schema)
            for statement in region_sql(schema, srid):
                conn.execute(statement)
            count = secure_region(conn, schema)
            lines.append(f"Region {q(schema)} (EPSG:{srid}): {count} Tabellen mit "
                         "Zeilensicherheit, Rechten und Protokoll-Triggern.")
        conn.execute("RESET ROLE")
    return lines
