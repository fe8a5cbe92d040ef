"""The database side of team mode that every region shares: roles, schema ``sozialraum``,
the assignment of coordinators to planning areas, and the trigger functions.

Everything here is SQL run by ``sozialraum server einrichten`` (idempotent: ``IF NOT EXISTS``,
``CREATE OR REPLACE``). The rules the database enforces, whatever client writes:

* **who**: every audit entry and every barrier report carries ``session_user``, the login the
  database authenticated (SCRAM), not a name the client claims;
* **versions**: an update of an offer must raise ``version`` by exactly one, else the database
  refuses it with SQLSTATE ``SA409`` (optimistic versioning; :data:`VERSION_CONFLICT`);
* **audit**: an ``AFTER`` row trigger writes old and new values of every change into the
  region's ``_aenderungsprotokoll`` (a ``SECURITY DEFINER`` function: users cannot write the
  table themselves);
* **derived rows**: rows loaded by ``server hochladen`` are marked ``_herkunft = 'abgeleitet'``;
  an edit turns them into ``'bearbeitet'`` so that the next upload keeps the user's version
  (the merge rule of :mod:`layers.schema`), and deleting one leaves a removal mark;
* **version token**: a deferred trigger counts committed write transactions in ``_zustand``.
"""

from __future__ import annotations

__all__ = [
    "ADMIN_SQL",
    "GLOBAL_SCHEMA",
    "OWNER_SQL",
    "OWNER",
    "ROLES",
    "ROLE_LABELS",
    "UPLOAD_SETTING",
    "VERSION_CONFLICT",
]

#: The role that owns every object (no login); ``verwaltung`` is a member.
OWNER = "sozialraum_eigentuemer"
#: The five roles of team mode, most powerful first (a login belongs to exactly one).
ROLES = ("verwaltung", "planung", "koordination", "fallmanagement", "lesen")
ROLE_LABELS = {
    "verwaltung": "Verwaltung (Nutzer, Regionen, Bau)",
    "planung": "Sozialplanung",
    "koordination": "Planungsraum-Koordination",
    "fallmanagement": "Fallmanagement",
    "lesen": "Lesen",
}
GLOBAL_SCHEMA = "sozialraum"
#: SQLSTATE of a refused update that was based on an outdated version.
VERSION_CONFLICT = "SA409"
#: Transaction-local setting that marks an upload of derived layers (honoured for owners only).
UPLOAD_SETTING = "sozialraum.hochladen"

_ROLE_LIST = ", ".join(ROLES)

ADMIN_SQL = f"""
CREATE EXTENSION IF NOT EXISTS postgis;
DO $roles$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['{OWNER}', {", ".join(f"'{r}'" for r in ROLES)}] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles a ON a.oid = m.roleid
                 JOIN pg_roles b ON b.oid = m.member
                 WHERE a.rolname = '{OWNER}' AND b.rolname = 'verwaltung') THEN
    GRANT {OWNER} TO verwaltung;
  END IF;
  IF NOT has_database_privilege('{OWNER}', current_database(), 'CREATE') THEN
    EXECUTE format('GRANT CREATE, CONNECT ON DATABASE %I TO {OWNER}', current_database());
  END IF;
  IF NOT has_database_privilege('lesen', current_database(), 'CONNECT') THEN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO {_ROLE_LIST}', current_database());
  END IF;
END
$roles$;
"""

#: Run as the owner role (``SET ROLE``): the shared schema, the assignments, the functions.
OWNER_SQL = f"""
CREATE SCHEMA IF NOT EXISTS {GLOBAL_SCHEMA} AUTHORIZATION {OWNER};
ALTER SCHEMA {GLOBAL_SCHEMA} OWNER TO {OWNER};
REVOKE ALL ON SCHEMA {GLOBAL_SCHEMA} FROM PUBLIC;
GRANT USAGE ON SCHEMA {GLOBAL_SCHEMA} TO {_ROLE_LIST};

CREATE TABLE IF NOT EXISTS {GLOBAL_SCHEMA}.zustaendigkeit (
  benutzer text NOT NULL,
  region text NOT NULL,
  pr_id text NOT NULL,
  PRIMARY KEY (benutzer, region, pr_id)
);
ALTER TABLE {GLOBAL_SCHEMA}.zustaendigkeit OWNER TO {OWNER};
ALTER TABLE {GLOBAL_SCHEMA}.zustaendigkeit ENABLE ROW LEVEL SECURITY;
ALTER TABLE {GLOBAL_SCHEMA}.zustaendigkeit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON {GLOBAL_SCHEMA}.zustaendigkeit FROM PUBLIC;
GRANT SELECT ON {GLOBAL_SCHEMA}.zustaendigkeit TO {_ROLE_LIST};
DROP POLICY IF EXISTS eigentuemer ON {GLOBAL_SCHEMA}.zustaendigkeit;
CREATE POLICY eigentuemer ON {GLOBAL_SCHEMA}.zustaendigkeit FOR ALL TO {OWNER}
  USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS eigene ON {GLOBAL_SCHEMA}.zustaendigkeit;
CREATE POLICY eigene ON {GLOBAL_SCHEMA}.zustaendigkeit FOR SELECT TO {_ROLE_LIST}
  USING (benutzer = current_user);

-- The app role of a login: the first of the five roles it is a member of.
CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.rolle(benutzer name DEFAULT current_user)
RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog AS $f$
  SELECT r FROM unnest(ARRAY[{", ".join(f"'{r}'" for r in ROLES)}]) WITH ORDINALITY AS x(r, n)
  WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
    AND pg_has_role(benutzer, r, 'MEMBER')
  ORDER BY n LIMIT 1
$f$;

CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.hochladen_aktiv()
RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog AS $f$
  SELECT coalesce(current_setting('{UPLOAD_SETTING}', true), '') = 'an'
     AND pg_has_role(session_user, '{OWNER}', 'MEMBER')
$f$;

-- A row as JSON for the audit table: internal columns dropped, the geometry as WKT.
CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.zeile_json(zeile jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public AS $f$
  SELECT CASE WHEN jsonb_typeof(zeile -> 'geometry') = 'object'
    THEN (zeile - 'fid' - '_herkunft' - '_erfasst_von' - 'geometry')
         || jsonb_build_object('geometry', ST_AsText(ST_GeomFromGeoJSON(zeile -> 'geometry')))
    ELSE zeile - 'fid' - '_herkunft' - '_erfasst_von' END
$f$;

-- BEFORE INSERT OR UPDATE on merged layers: mark users' rows and edited derived rows.
CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.herkunft_setzen()
RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN
  IF {GLOBAL_SCHEMA}.hochladen_aktiv() THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    NEW._herkunft := 'nutzer';
  ELSIF OLD._herkunft = 'abgeleitet' THEN
    NEW._herkunft := 'bearbeitet';
  ELSE
    NEW._herkunft := OLD._herkunft;
  END IF;
  RETURN NEW;
END
$f$;

-- BEFORE INSERT OR UPDATE on barrier reports: who entered a report is the login, for good.
CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.erfasser_setzen()
RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
BEGIN
  IF {GLOBAL_SCHEMA}.hochladen_aktiv() THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    NEW._erfasst_von := current_user;
  ELSE
    NEW._erfasst_von := OLD._erfasst_von;
  END IF;
  RETURN NEW;
END
$f$;

-- BEFORE INSERT OR UPDATE on versioned layers: optimistic versioning, enforced here.
CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.version_pruefen()
RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $f$
DECLARE
  schluessel text := TG_ARGV[0];
  objekt text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.version IS NULL THEN NEW.version := 1; END IF;
    RETURN NEW;
  END IF;
  IF {GLOBAL_SCHEMA}.hochladen_aktiv() THEN
    RETURN NEW;
  END IF;
  IF NEW.version IS DISTINCT FROM coalesce(OLD.version, 1) + 1 THEN
    objekt := to_jsonb(OLD) ->> schluessel;
    RAISE EXCEPTION USING
      ERRCODE = '{VERSION_CONFLICT}',
      MESSAGE = format('Das Objekt ''%s'' in ''%s'' wurde inzwischen von jemand anderem '
                       'geändert (jetzt Version %s, Ihre Bearbeitung beruht auf Version %s). '
                       'Ihre Änderung wurde nicht gespeichert.', objekt, TG_TABLE_NAME,
                       coalesce(OLD.version, 1), coalesce(NEW.version - 1, 0)),
      DETAIL = format('%s|%s|%s', objekt, coalesce(OLD.version, 1),
                      coalesce(NEW.version - 1, 0)),
      HINT = 'Laden Sie das Objekt neu und tragen Sie Ihre Änderung dort erneut ein; wer '
             'direkt in der Datenbank (z. B. in QGIS) bearbeitet, erhöht "version" um 1.';
  END IF;
  RETURN NEW;
END
$f$;

-- AFTER INSERT OR UPDATE OR DELETE: the audit entry (database user, time, old and new values).
CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.protokollieren()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $f$
DECLARE
  schluessel text := TG_ARGV[0];
  alt jsonb;
  neu jsonb;
  d_alt jsonb := '{{}}';
  d_neu jsonb := '{{}}';
  k text;
  objekt text;
BEGIN
  IF {GLOBAL_SCHEMA}.hochladen_aktiv() THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN alt := {GLOBAL_SCHEMA}.zeile_json(to_jsonb(OLD)); END IF;
  IF TG_OP <> 'DELETE' THEN neu := {GLOBAL_SCHEMA}.zeile_json(to_jsonb(NEW)); END IF;
  IF schluessel <> '' THEN
    objekt := coalesce(neu ->> schluessel, alt ->> schluessel);
  END IF;
  IF TG_OP = 'UPDATE' THEN
    FOR k IN SELECT jsonb_object_keys(neu) LOOP
      IF (alt -> k) IS DISTINCT FROM (neu -> k) OR k = 'version' THEN
        d_alt := d_alt || jsonb_build_object(k, alt -> k);
        d_neu := d_neu || jsonb_build_object(k, neu -> k);
      END IF;
    END LOOP;
    IF (d_neu - 'version') = '{{}}'::jsonb THEN
      RETURN NULL;
    END IF;
    alt := d_alt;
    neu := d_neu;
  END IF;
  EXECUTE format('INSERT INTO %I._aenderungsprotokoll (zeitpunkt, benutzer, tabelle, objekt_id, '
                 'aktion, alt_json, neu_json, transaktion) VALUES ($1, $2, $3, $4, $5, $6, $7, '
                 '$8)', TG_TABLE_SCHEMA)
    USING to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
          || '+00:00', session_user::text, TG_TABLE_NAME::text, objekt,
          CASE TG_OP WHEN 'INSERT' THEN 'anlegen' WHEN 'UPDATE' THEN 'aendern'
                     ELSE 'loeschen' END,
          alt::text, neu::text, txid_current();
  RETURN NULL;
END
$f$;

-- AFTER DELETE on layers merged by key: a deleted derived row stays hidden after uploads.
CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.entfernt_merken()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $f$
BEGIN
  IF {GLOBAL_SCHEMA}.hochladen_aktiv() OR OLD._herkunft NOT IN ('abgeleitet', 'bearbeitet') THEN
    RETURN NULL;
  END IF;
  EXECUTE format('INSERT INTO %I._entfernt (tabelle, schluessel, zeitpunkt) VALUES ($1, $2, '
                 '$3) ON CONFLICT DO NOTHING', TG_TABLE_SCHEMA)
    USING TG_TABLE_NAME::text, to_jsonb(OLD) ->> TG_ARGV[0], statement_timestamp()::text;
  RETURN NULL;
END
$f$;

-- Deferred: once per committed write transaction, a new write id for the version token.
CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.zaehlen()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $f$
BEGIN
  IF coalesce(current_setting('sozialraum.gezaehlt', true), '')
     = TG_TABLE_SCHEMA || ':' || txid_current()::text THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('sozialraum.gezaehlt', TG_TABLE_SCHEMA || ':' || txid_current()::text,
                     true);
  EXECUTE format('UPDATE %I._zustand SET wert = CASE schluessel WHEN ''zaehler'' '
                 'THEN (wert::bigint + 1)::text ELSE md5(random()::text || clock_timestamp()) '
                 'END WHERE schluessel IN (''zaehler'', ''kennung'')', TG_TABLE_SCHEMA);
  RETURN NULL;
END
$f$;

-- The app names the action of the entry a trigger wrote in this transaction (edit.py calls
-- tx.audit after the write), or adds a summary entry (an import of a file). Always as the
-- login itself: nobody can write an entry in someone else's name.
CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.protokoll(
  ziel text, tabelle_ text, objekt text, aktion_ text, alt text, neu text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $f$
DECLARE
  nr bigint;
BEGIN
  EXECUTE format('UPDATE %I._aenderungsprotokoll SET aktion = $1, beschriftet = true '
                 'WHERE fid = (SELECT max(fid) FROM %I._aenderungsprotokoll WHERE '
                 'transaktion = txid_current() AND benutzer = session_user AND tabelle = $2 '
                 'AND objekt_id = $3 AND NOT beschriftet) RETURNING fid', ziel, ziel)
    INTO nr USING aktion_, tabelle_, objekt;
  IF nr IS NULL THEN
    EXECUTE format('INSERT INTO %I._aenderungsprotokoll (zeitpunkt, benutzer, tabelle, '
                   'objekt_id, aktion, alt_json, neu_json, transaktion, beschriftet) VALUES '
                   '($1, $2, $3, $4, $5, $6, $7, txid_current(), true) RETURNING fid', ziel)
      INTO nr
      USING to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
            || '+00:00', session_user::text, tabelle_, objekt, aktion_, alt, neu;
  END IF;
  RETURN nr;
END
$f$;

-- Bulk: name the action of the trigger's entries of many objects written in this transaction.
CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.protokoll_beschriften(
  ziel text, tabelle_ text, objekte text[], aktion_ text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $f$
DECLARE
  n bigint;
BEGIN
  EXECUTE format('UPDATE %I._aenderungsprotokoll SET aktion = $1, beschriftet = true WHERE '
                 'transaktion = txid_current() AND benutzer = session_user AND tabelle = $2 '
                 'AND objekt_id = ANY($3) AND NOT beschriftet', ziel)
    USING aktion_, tabelle_, objekte;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$f$;

-- An undo entry (written in this transaction by this login) points to the entry it undid.
CREATE OR REPLACE FUNCTION {GLOBAL_SCHEMA}.rueckgaengig_verknuepfen(
  ziel text, eintrag bigint, rueckgaengig bigint)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $f$
BEGIN
  EXECUTE format('UPDATE %I._aenderungsprotokoll SET rueckgaengig_von = $1 WHERE fid = $2 '
                 'AND benutzer = session_user AND transaktion = txid_current()', ziel)
    USING rueckgaengig, eintrag;
END
$f$;

REVOKE ALL ON FUNCTION {GLOBAL_SCHEMA}.protokoll(text, text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION {GLOBAL_SCHEMA}.rueckgaengig_verknuepfen(text, bigint, bigint)
  FROM PUBLIC;
REVOKE ALL ON FUNCTION {GLOBAL_SCHEMA}.protokoll_beschriften(text, text, text[], text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {GLOBAL_SCHEMA}.protokoll_beschriften(text, text, text[], text)
  TO {_ROLE_LIST};
GRANT EXECUTE ON FUNCTION {GLOBAL_SCHEMA}.protokoll(text, text, text, text, text, text)
  TO {_ROLE_LIST};
GRANT EXECUTE ON FUNCTION {GLOBAL_SCHEMA}.rueckgaengig_verknuepfen(text, bigint, bigint)
  TO {_ROLE_LIST};
"""
