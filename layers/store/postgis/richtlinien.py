"""One region in the database: its schema, users' tables, GRANTs, row-level security, triggers.

Each region is a schema (``aachen``) whose tables carry the stable German layer names, so
QGIS and GDAL show ``aachen.angebote``, ``aachen.netz_kanten`` … Every table has row-level
security switched on *and forced* (the owner is bound too); what each role may do is the
table of :func:`policies`:

================================  =====================================================
table                             who may do what
================================  =====================================================
derived layers, ``_metadaten``    all five roles read; only the owner (upload) writes
``angebote``                      all read; ``planung`` writes; ``koordination`` writes
                                  rows inside its planning areas only (RLS by area)
``planungsraeume``                all read; ``planung`` writes
``barrieren`` (raw reports)       ``fallmanagement`` inserts and reads its *own* rows;
                                  no GRANT at all to planung, koordination, lesen
``barrieren_veroeffentlicht``     all read; written by the privacy gate (owner)
``kooperationen``                 all read; ``planung`` writes; ``koordination`` writes
                                  cooperations in which an offer of its areas takes part
``praesenz``                      all read; ``planung`` writes; ``koordination`` writes
                                  presence inside its planning areas only
``aufsuchend_gebiete``            all read; ``planung`` writes
``nutzer_*`` (indicators)         all read; ``planung`` writes
``szenario_*``                    verwaltung, planung, koordination read; planung writes
``_aenderungsprotokoll``          planung, koordination read all but barrier entries;
                                  fallmanagement reads its own; written by triggers only
================================  =====================================================

``verwaltung`` is a member of the owner role and may do everything.
"""

from __future__ import annotations

import hashlib
import re

from layers import schema as layer_schema
from layers.errors import ConfigError
from layers.store.postgis.funktionen import GLOBAL_SCHEMA, OWNER, ROLES

__all__ = [
    "INTERNAL_TABLES",
    "MERGED_COLUMNS",
    "PUBLISHED_TABLE",
    "STATE_TABLE",
    "check_identifier",
    "lock_key",
    "policies",
    "q",
    "region_sql",
    "secure_table_sql",
    "table_ddl",
    "trigger_specs",
]

STATE_TABLE = "_zustand"
PUBLISHED_TABLE = "barrieren_veroeffentlicht"
#: Tables that are not layers (not listed by the store).
INTERNAL_TABLES = (STATE_TABLE, layer_schema.REMOVED_TABLE)
#: Internal columns of merged layers (never read into frames).
MERGED_COLUMNS = ("_herkunft", "_erfasst_von")
_READERS = ROLES
_INTERNAL_READERS = ("verwaltung", "planung", "koordination")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

_PG_TYPES = {"str": "text", "int64": "bigint", "int32": "integer", "int16": "smallint",
             "float64": "double precision", "float32": "real", "bool": "boolean"}


def q(name: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


def lock_key(schema: str) -> int:
    """The advisory lock of a region: every app write and every upload takes it first."""
    digest = hashlib.sha256(f"sozialraum:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def check_identifier(name: str, what: str = "Schema") -> str:
    """A schema or role name that is a plain lower-case SQL identifier, else a German error."""
    if not _IDENTIFIER.match(name):
        raise ConfigError(
            f"'{name}' taugt nicht als Name für {what} in der Datenbank.",
            hinweis="Erlaubt sind Kleinbuchstaben, Ziffern und '_' (am Anfang ein Buchstabe), "
            "höchstens 63 Zeichen.",
        )
    return name


def pg_type(dtype: str) -> str:
    """The PostgreSQL column type for a dtype name of :mod:`layers.schema` or pandas."""
    text = str(dtype)
    if text in _PG_TYPES:
        return _PG_TYPES[text]
    lowered = text.lower()
    if lowered in ("int64", "uint32"):
        return "bigint"
    if lowered in ("int32", "uint16"):
        return "integer"
    if lowered in ("int16", "int8", "uint8"):
        return "smallint"
    if lowered == "boolean":
        return "boolean"
    if lowered.startswith("float"):
        return "double precision"
    if lowered.startswith("datetime64"):
        return "timestamp"
    return "text"


def table_ddl(schema: str, name: str, columns: dict[str, str], *, geometry: str | None,
              srid: int, merged: bool = False, reports: bool = False) -> list[str]:
    """``CREATE TABLE IF NOT EXISTS`` for a layer (``fid`` key, typed geometry, GiST index).

    Parameters
    ----------
    columns
        Column → PostgreSQL type (without ``fid`` and the geometry).
    geometry
        The geometry type (``POINT``, ``GEOMETRY`` …) or ``None`` for an attribute table.
    merged, reports
        Add ``_herkunft`` (merged layers) and ``_erfasst_von`` (barrier reports).
    """
    parts = ["fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"]
    parts += [f"{q(c)} {t}" for c, t in columns.items()]
    if merged:
        parts.append("_herkunft text NOT NULL DEFAULT 'nutzer'")
    if reports:
        parts.append("_erfasst_von text NOT NULL DEFAULT current_user")
    if geometry:
        parts.append(f"geometry geometry({geometry.title()}, {int(srid)})")
    target = f"{q(schema)}.{q(name)}"
    sql = [f"CREATE TABLE IF NOT EXISTS {target} ({', '.join(parts)})"]
    if geometry:
        sql.append(f"CREATE INDEX IF NOT EXISTS {q(f'{name}_geometry_idx')} ON {target} "
                   "USING gist (geometry)")
    layer = layer_schema.LAYERS.get(name)
    if layer is not None and layer.key and layer.key in columns and merged:
        sql.append(f"CREATE UNIQUE INDEX IF NOT EXISTS {q(f'{name}_{layer.key}_key')} ON "
                   f"{target} ({q(layer.key)})")
    return sql


def _declared_user_tables(schema: str, srid: int) -> list[str]:
    """The users' tables every region has from the start (their policies need them)."""
    sql: list[str] = []
    for layer in layer_schema.LAYERS.values():
        if layer.owner == layer_schema.DERIVED or layer.name == layer_schema.AUDIT_TABLE:
            continue
        columns = {c: pg_type(t) for c, t in layer.columns.items()}
        geometry = layer.geometry
        if layer.name == "planungsraeume":
            geometry = "GEOMETRY"  # imported areas may be multi-polygons
        sql += table_ddl(schema, layer.name, columns, geometry=geometry, srid=srid,
                         merged=layer.owner == layer_schema.MERGED,
                         reports=layer.name == "barrieren")
    return sql


def region_sql(schema: str, srid: int) -> list[str]:
    """Schema, state, audit, removal marks, users' tables and the area function of a region."""
    s = q(schema)
    readers = ", ".join(_READERS)
    sql = [
        f"CREATE SCHEMA IF NOT EXISTS {s} AUTHORIZATION {OWNER}",
        f"ALTER SCHEMA {s} OWNER TO {OWNER}",
        f"REVOKE ALL ON SCHEMA {s} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {s} TO {readers}",
        f"CREATE TABLE IF NOT EXISTS {s}.{STATE_TABLE} (schluessel text PRIMARY KEY, wert text)",
        f"INSERT INTO {s}.{STATE_TABLE} VALUES ('zaehler', '0'), "
        "('kennung', md5(random()::text)) ON CONFLICT DO NOTHING",
        f"CREATE TABLE IF NOT EXISTS {s}.{q(layer_schema.AUDIT_TABLE)} ("
        "fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, zeitpunkt text, benutzer text, "
        "tabelle text, objekt_id text, aktion text, alt_json text, neu_json text, "
        "rueckgaengig_von bigint, transaktion bigint, beschriftet boolean NOT NULL DEFAULT false)",
        f"CREATE INDEX IF NOT EXISTS _aenderungsprotokoll_transaktion_idx ON "
        f"{s}.{q(layer_schema.AUDIT_TABLE)} (transaktion)",
        f"CREATE TABLE IF NOT EXISTS {s}.{q(layer_schema.REMOVED_TABLE)} (tabelle text NOT NULL, "
        "schluessel text NOT NULL, zeitpunkt text, PRIMARY KEY (tabelle, schluessel))",
        *_declared_user_tables(schema, srid),
        f"""CREATE OR REPLACE FUNCTION {s}.im_eigenen_gebiet(g geometry)
RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $f$
  SELECT EXISTS (
    SELECT 1 FROM {GLOBAL_SCHEMA}.zustaendigkeit z
    JOIN {s}.planungsraeume p ON p.pr_id = z.pr_id
    WHERE z.benutzer = current_user AND z.region = '{schema}' AND ST_Covers(p.geometry, g))
$f$""",
        f"ALTER FUNCTION {s}.im_eigenen_gebiet(geometry) OWNER TO {OWNER}",
        # A cooperation is a line between two offers: it is the coordinator's when one of its
        # ends (an offer) lies in one of the coordinator's planning areas.
        f"""CREATE OR REPLACE FUNCTION {s}.endpunkt_im_eigenen_gebiet(g geometry)
RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $f$
  SELECT g IS NOT NULL AND ({s}.im_eigenen_gebiet(ST_StartPoint(g))
                            OR {s}.im_eigenen_gebiet(ST_EndPoint(g)))
$f$""",
        f"ALTER FUNCTION {s}.endpunkt_im_eigenen_gebiet(geometry) OWNER TO {OWNER}",
    ]
    return sql


def policies(schema: str, table: str) -> tuple[dict[str, tuple[str, ...]],
                                              list[tuple[str, str, tuple[str, ...],
                                                         str | None, str | None]]]:
    """The GRANTs and row-level-security policies of one table.

    Returns
    -------
    tuple
        Privilege → roles, and policies as (name, command, roles, USING, WITH CHECK).
    """
    area = f"{q(schema)}.im_eigenen_gebiet(geometry)"
    owner = ("eigentuemer", "ALL", (OWNER,), "true", "true")
    write = "SELECT, INSERT, UPDATE, DELETE"
    if table == "angebote":
        return ({"SELECT": _READERS, write: ("planung", "koordination")}, [
            owner, ("lesen", "SELECT", _READERS, "true", None),
            ("planung", "ALL", ("planung",), "true", "true"),
            ("koordination_anlegen", "INSERT", ("koordination",), None, area),
            ("koordination_aendern", "UPDATE", ("koordination",), area, area),
            ("koordination_loeschen", "DELETE", ("koordination",), area, None)])
    if table == "barrieren":
        own = "_erfasst_von = current_user"
        return ({write: ("fallmanagement",)}, [
            owner, ("fallmanagement_eigene", "ALL", ("fallmanagement",), own, own)])
    if table in _AREA_RULE_OF_RELATION:
        return _relation_policies(schema, table, owner, write)
    if table == layer_schema.AUDIT_TABLE:
        return ({"SELECT": ("planung", "koordination", "fallmanagement")}, [
            owner, ("ohne_barrieren", "SELECT", ("planung", "koordination"),
                    "tabelle <> 'barrieren'", None),
            ("eigene", "SELECT", ("fallmanagement",), "benutzer = session_user", None)])
    if table == layer_schema.REMOVED_TABLE:
        return ({"SELECT": _READERS}, [
            owner, ("lesen", "SELECT", _READERS, "tabelle <> 'barrieren'", None)])
    if table.startswith("szenario"):
        return ({"SELECT": _INTERNAL_READERS, write: ("planung",)}, [
            owner, ("lesen", "SELECT", _INTERNAL_READERS, "true", None),
            ("planung", "ALL", ("planung",), "true", "true")])
    if table == "planungsraeume" or table.startswith("nutzer_"):
        return ({"SELECT": _READERS, write: ("planung",)}, [
            owner, ("lesen", "SELECT", _READERS, "true", None),
            ("planung", "ALL", ("planung",), "true", "true")])
    if layer_schema.owner(table) == layer_schema.USER and table not in (
            STATE_TABLE, PUBLISHED_TABLE):
        return ({"SELECT": _INTERNAL_READERS, write: ("planung",)}, [
            owner, ("lesen", "SELECT", _INTERNAL_READERS, "true", None),
            ("planung", "ALL", ("planung",), "true", "true")])
    # Derived layers, build metadata, the state table, the published barrier aggregates.
    return ({"SELECT": _READERS}, [owner, ("lesen", "SELECT", _READERS, "true", None)])


#: The relation lists of issue #14 and the function that says whether a row is the
#: coordinator's (``None``: planung only).
_AREA_RULE_OF_RELATION: dict[str, str | None] = {
    "kooperationen": "endpunkt_im_eigenen_gebiet", "praesenz": "im_eigenen_gebiet",
    "aufsuchend_gebiete": None}


def _relation_policies(schema: str, table: str, owner: tuple[str, str, tuple[str, ...], str, str],
                       write: str) -> tuple[dict[str, tuple[str, ...]],
                                            list[tuple[str, str, tuple[str, ...],
                                                       str | None, str | None]]]:
    """Cooperations, presence and outreach areas: read by all, written by planung (and by
    koordination where the row belongs to its planning areas)."""
    rules: list[tuple[str, str, tuple[str, ...], str | None, str | None]] = [
        owner, ("lesen", "SELECT", _READERS, "true", None),
        ("planung", "ALL", ("planung",), "true", "true")]
    function = _AREA_RULE_OF_RELATION[table]
    if function is None:
        return {"SELECT": _READERS, write: ("planung",)}, rules
    area = f"{q(schema)}.{function}(geometry)"
    rules += [("koordination_anlegen", "INSERT", ("koordination",), None, area),
              ("koordination_aendern", "UPDATE", ("koordination",), area, area),
              ("koordination_loeschen", "DELETE", ("koordination",), area, None)]
    return {"SELECT": _READERS, write: ("planung", "koordination")}, rules


def trigger_specs(schema: str, table: str) -> dict[str, str]:
    """The triggers a table must have: name → ``CREATE TRIGGER`` statement."""
    target = f"{q(schema)}.{q(table)}"
    layer = layer_schema.LAYERS.get(table)
    key = layer.key if layer is not None and layer.key else ""
    merged = layer is not None and layer.owner == layer_schema.MERGED
    row = f"ON {target} FOR EACH ROW EXECUTE FUNCTION {GLOBAL_SCHEMA}"
    specs = {}
    if table == "barrieren":
        specs["sr_erfasser"] = (f"CREATE TRIGGER sr_erfasser BEFORE INSERT OR UPDATE {row}"
                                ".erfasser_setzen()")
    if merged:
        specs["sr_herkunft"] = (f"CREATE TRIGGER sr_herkunft BEFORE INSERT OR UPDATE {row}"
                                ".herkunft_setzen()")
    if layer is not None and "version" in layer.columns:
        specs["sr_version"] = (f"CREATE TRIGGER sr_version BEFORE INSERT OR UPDATE {row}"
                               f".version_pruefen('{key}')")
    if merged and layer is not None and layer.merge == layer_schema.BY_KEY:
        specs["sr_entfernt"] = f"CREATE TRIGGER sr_entfernt AFTER DELETE {row}.entfernt_merken('{key}')"
    audited = merged or (layer_schema.owner(table) == layer_schema.USER
                         and table not in (layer_schema.AUDIT_TABLE, *INTERNAL_TABLES,
                                           PUBLISHED_TABLE))
    if audited:
        specs["sr_protokoll"] = (f"CREATE TRIGGER sr_protokoll AFTER INSERT OR UPDATE OR DELETE "
                                 f"{row}.protokollieren('{key}')")
    if table != STATE_TABLE:
        specs["sr_zaehlen"] = (f"CREATE CONSTRAINT TRIGGER sr_zaehlen AFTER INSERT OR UPDATE OR "
                               f"DELETE ON {target} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                               f"EXECUTE FUNCTION {GLOBAL_SCHEMA}.zaehlen()")
    return specs


def _triggers(schema: str, table: str) -> list[str]:
    target = f"{q(schema)}.{q(table)}"
    sql = [f"DROP TRIGGER IF EXISTS {name} ON {target}" for name in (
        "sr_erfasser", "sr_herkunft", "sr_version", "sr_entfernt", "sr_protokoll", "sr_zaehlen")]
    return sql + list(trigger_specs(schema, table).values())


def secure_table_sql(schema: str, table: str) -> list[str]:
    """Owner, forced row-level security, GRANTs, policies and triggers of one table."""
    target = f"{q(schema)}.{q(table)}"
    grants, rules = policies(schema, table)
    sql = [f"ALTER TABLE {target} OWNER TO {OWNER}",
           f"ALTER TABLE {target} ENABLE ROW LEVEL SECURITY",
           f"ALTER TABLE {target} FORCE ROW LEVEL SECURITY",
           f"REVOKE ALL ON {target} FROM PUBLIC, {', '.join(ROLES)}"]
    sql += [f"GRANT {privilege} ON {target} TO {', '.join(roles)}"
            for privilege, roles in grants.items()]
    sql.append(
        f"DO $p$ DECLARE r record; BEGIN FOR r IN SELECT policyname FROM pg_policies WHERE "
        f"schemaname = '{schema}' AND tablename = '{table}' LOOP EXECUTE format('DROP POLICY %I "
        f"ON {target.replace('%', '%%')}', r.policyname); END LOOP; END $p$")
    for name, command, roles, using, check in rules:
        text = f"CREATE POLICY {q(name)} ON {target} FOR {command} TO {', '.join(roles)}"
        if using is not None:
            text += f" USING ({using})"
        if check is not None:
            text += f" WITH CHECK ({check})"
        sql.append(text)
    return sql + _triggers(schema, table)
