"""Roles enforced by the database (team mode), against the real test server.

Each role is a login of its own; every refusal is tested twice where it matters: through the
project's code (a German :class:`~layers.errors.AccessDeniedError`) and with hand-written SQL
on a plain connection of that login (the database itself refuses, whatever the client).
"""

from __future__ import annotations

import geopandas as gpd
import psycopg
import pytest
import shapely

from layers.angebote.edit import change_history, undo_change, update_service
from layers.errors import AccessDeniedError, LoginError, StoreError, VersionConflictError
from layers.store import AUDIT_TABLE
from layers.store.postgis import PostgisStore
from layers.store.postgis.einrichten import setup_regions
from layers.store.postgis.pruefen import check_server
from tests.layers.store.synthetic import CRS, X0, Y0, derived_layers
from tests.tools.server import admin, fresh_region, make_user, store_as

#: The synthetic region's four boxes, named like the planning areas of the acceptance test.
AREAS = ["PR05", "PR06", "PR07", "PR08"]


def _layers() -> dict[str, gpd.GeoDataFrame]:
    layers = derived_layers()
    layers["planungsraeume"] = layers["planungsraeume"].assign(pr_id=AREAS)
    offers = layers["angebote"]
    # osm-0 in PR05 (lower left box), osm-1 in PR06 (lower right box).
    offers.loc[0, "geometry"] = shapely.Point(X0 + 1000, Y0 + 1000)
    offers.loc[1, "geometry"] = shapely.Point(X0 + 4000, Y0 + 1000)
    return layers


@pytest.fixture()
def region(postgis_cluster) -> PostgisStore:
    return fresh_region(postgis_cluster, layers=_layers())


def _sql(cluster, login):
    return psycopg.connect(cluster.url(login.user, login.password))


def test_koordination_edits_only_offers_in_its_planning_areas(postgis_cluster, region):
    login = make_user(postgis_cluster, "koordination", region=region.schema, areas=("PR05",))
    store = store_as(postgis_cluster, region, login)
    assert store.identity().rolle == "koordination"
    assert store.identity().planungsraeume == ("PR05",)
    assert update_service(store, "osm-0", {"name": "In PR05"}, expected_version=1).version == 2
    with pytest.raises(AccessDeniedError) as info:
        update_service(store, "osm-1", {"name": "Fremd"}, expected_version=1)
    text = str(info.value)
    assert "abgelehnt" in text and "koordination" in text and "PR05" in text
    # Moving its own offer into PR06 is refused by the policy's WITH CHECK (an error raised
    # by the database itself).
    with pytest.raises(AccessDeniedError, match="eigenen Planungsräumen"):
        update_service(store, "osm-0", {}, expected_version=2,
                       geometry=shapely.Point(X0 + 4000, Y0 + 1000))
    with _sql(postgis_cluster, login) as conn:
        done = conn.execute(f'UPDATE "{region.schema}".angebote SET name = %s, version = 2 '
                            "WHERE angebot_id = 'osm-1'", ("SQL",))
        assert done.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(f'INSERT INTO "{region.schema}".angebote (angebot_id, name, geometry) '
                         "VALUES ('neu', 'x', ST_SetSRID(ST_Point(%s, %s), 25832))",
                         (X0 + 4000, Y0 + 1000))
    offers = region.read_layer("angebote").set_index("angebot_id")
    assert offers.loc["osm-1", "name"] == "Angebot osm 1" and offers.loc["osm-1", "version"] == 1
    assert offers.loc["osm-0", "name"] == "In PR05"
    audit = region.read_layer(AUDIT_TABLE)
    assert audit["benutzer"].tolist() == [login.user] and audit["objekt_id"].tolist() == ["osm-0"]


def test_fallmanagement_reads_only_its_own_reports(postgis_cluster, region, aachen_config,
                                                   tmp_path):
    from layers.barrieren import import_barriers
    from tests.layers.store.synthetic import barrier_file

    anna = make_user(postgis_cluster, "fallmanagement")
    ben = make_user(postgis_cluster, "fallmanagement")
    for login, prefix in ((anna, "A"), (ben, "B")):
        source = barrier_file(tmp_path / f"{prefix}.csv", prefix, 12, seed=len(prefix))
        assert import_barriers(source, aachen_config,
                               store=store_as(postgis_cluster, region, login)).meldungen == 12
    mine = store_as(postgis_cluster, region, anna).read_layer("barrieren")
    assert sorted(mine["meldung_id"]) == sorted(f"A-{i}" for i in range(12))
    with _sql(postgis_cluster, anna) as conn:
        rows = conn.execute(f'SELECT meldung_id, _erfasst_von FROM "{region.schema}".barrieren'
                            ).fetchall()
        assert {r[1] for r in rows} == {anna.user} and len(rows) == 12
        assert conn.execute(f'SELECT count(*) FROM "{region.schema}".barrieren WHERE '
                            "meldung_id LIKE 'B-%%'").fetchone()[0] == 0
        # Claiming another person's name is corrected by the trigger, not believed.
        conn.execute(f'INSERT INTO "{region.schema}".barrieren (meldung_id, _erfasst_von) '
                     "VALUES ('A-x', %s)", (ben.user,))
        assert conn.execute(f'SELECT _erfasst_von FROM "{region.schema}".barrieren WHERE '
                            "meldung_id = 'A-x'").fetchone()[0] == anna.user
    everything = region.read_layer("barrieren")  # the administrator sees all
    assert len(everything) == 10 + 12 + 12 + 1
    own_audit = store_as(postgis_cluster, region, anna).read_layer(AUDIT_TABLE)
    assert set(own_audit["benutzer"]) == {anna.user}


@pytest.mark.parametrize("rolle", ["lesen", "planung", "koordination"])
def test_raw_reports_are_closed_to_every_other_role_even_with_sql(postgis_cluster, region, rolle):
    areas = ("PR05",) if rolle == "koordination" else ()
    login = make_user(postgis_cluster, rolle, region=region.schema if areas else None,
                      areas=areas)
    store = store_as(postgis_cluster, region, login)
    assert "barrieren" not in store.list_layers() and not store.has_layer("barrieren")
    with pytest.raises(AccessDeniedError, match="verweigert"):
        store.read_layer("barrieren")
    with _sql(postgis_cluster, login) as conn:
        for sql in (f'SELECT * FROM "{region.schema}".barrieren',
                    f'SELECT count(*) FROM "{region.schema}".barrieren',
                    f'COPY "{region.schema}".barrieren TO STDOUT'):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
            conn.rollback()
        audit = conn.execute(f'SELECT count(*) FROM "{region.schema}"._aenderungsprotokoll '
                             "WHERE tabelle = 'barrieren'") if rolle != "lesen" else None
        assert audit is None or audit.fetchone()[0] == 0


def test_lesen_reads_published_layers_and_changes_nothing(postgis_cluster, region):
    login = make_user(postgis_cluster, "lesen")
    store = store_as(postgis_cluster, region, login)
    assert len(store.read_layer("angebote")) == 40
    assert AUDIT_TABLE not in store.list_layers()
    with pytest.raises(AccessDeniedError):
        update_service(store, "osm-0", {"name": "x"}, expected_version=1)
    with _sql(postgis_cluster, login) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'UPDATE "{region.schema}".angebote SET name = \'x\'')
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'SELECT * FROM "{region.schema}"._aenderungsprotokoll')


def test_audit_is_written_by_the_database_and_cannot_be_forged(postgis_cluster, region):
    login = make_user(postgis_cluster, "planung")
    with _sql(postgis_cluster, login) as conn:
        schema = region.schema
        conn.execute(f'UPDATE "{schema}".angebote SET name = \'QGIS\', version = 2 '
                     "WHERE angebot_id = 'osm-2'")
        conn.commit()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'INSERT INTO "{schema}"._aenderungsprotokoll (benutzer) VALUES (\'x\')')
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'UPDATE "{schema}"._aenderungsprotokoll SET benutzer = \'x\'')
        conn.rollback()
        # A direct edit that does not raise the version is refused (optimistic versioning in
        # the database, with the German message).
        with pytest.raises(psycopg.Error, match="inzwischen von jemand anderem geändert"):
            conn.execute(f'UPDATE "{schema}".angebote SET name = \'alt\' '
                         "WHERE angebot_id = 'osm-3'")
        conn.rollback()
    audit = region.read_layer(AUDIT_TABLE)
    assert audit["benutzer"].tolist() == [login.user]
    assert audit["aktion"].tolist() == ["aendern"] and audit["objekt_id"].tolist() == ["osm-2"]
    assert '"QGIS"' in audit["neu_json"].iloc[0] and '"Angebot osm 2"' in audit["alt_json"].iloc[0]


def test_undo_is_per_user_and_respects_roles(postgis_cluster, region):
    planer = make_user(postgis_cluster, "planung")
    koord = make_user(postgis_cluster, "koordination", region=region.schema, areas=("PR05",))
    as_planer = store_as(postgis_cluster, region, planer)
    as_koord = store_as(postgis_cluster, region, koord)
    foreign = update_service(as_planer, "osm-1", {"name": "Planung"}, expected_version=1)
    own = update_service(as_koord, "osm-0", {"name": "Koordination"}, expected_version=1)
    with pytest.raises(AccessDeniedError):
        undo_change(as_koord, foreign.audit_id)  # PR06 is not the coordinator's
    undone = undo_change(as_koord, own.audit_id)
    undo_change(as_planer, foreign.audit_id)
    audit = change_history(region).set_index("protokoll_id")
    assert audit.loc[undone.audit_id, "benutzer"] == koord.user
    assert audit.loc[undone.audit_id, "rueckgaengig_von"] == own.audit_id
    assert audit.loc[foreign.audit_id, "benutzer"] == planer.user
    offers = region.read_layer("angebote").set_index("angebot_id")
    assert offers.loc["osm-0", "name"] == "Angebot osm 0"
    assert offers.loc["osm-1", "name"] == "Angebot osm 1"


def test_wrong_password_is_a_german_login_error(postgis_cluster, region):
    from layers.store.postgis import Login

    login = make_user(postgis_cluster, "lesen")
    with pytest.raises(LoginError, match="Passwort"):
        store_as(postgis_cluster, region, Login(login.user, "falsch-falsch-falsch")).exists()


def test_version_conflict_from_the_database_is_german(postgis_cluster, region):
    store = store_as(postgis_cluster, region, make_user(postgis_cluster, "planung"))
    update_service(store, "osm-4", {"name": "Erste"}, expected_version=1)
    with pytest.raises(VersionConflictError, match="Version 2"):
        update_service(store, "osm-4", {"name": "Zweite"}, expected_version=1)


def test_setup_is_idempotent_and_the_check_finds_tampering(postgis_cluster, region):
    update_service(region, "osm-0", {"name": "bleibt"}, expected_version=1)
    with admin(postgis_cluster) as conn:
        setup_regions(conn, [(region.schema, 25832)])
        findings = check_server(conn, [region.schema])
        errors = [str(f) for f in findings if not f.ok and not f.warnung]
        assert errors == [] and len(findings) > 40
        conn.execute(f'ALTER TABLE "{region.schema}".barrieren NO FORCE ROW LEVEL SECURITY')
        conn.execute(f'GRANT SELECT ON "{region.schema}".barrieren TO lesen')
        conn.execute(f'DROP POLICY koordination_aendern ON "{region.schema}".angebote')
        conn.commit()
        errors = [str(f) for f in check_server(conn, [region.schema]) if not f.ok]
        assert any("barrieren: Zeilensicherheit" in e for e in errors)
        assert any("barrieren: Rechte" in e and "lesen darf SELECT" in e for e in errors)
        assert any("angebote: Richtlinien" in e and "koordination_aendern" in e for e in errors)
        setup_regions(conn, [(region.schema, 25832)])
        assert [f for f in check_server(conn, [region.schema]) if not f.ok and not f.warnung] == []
    assert region.read_layer("angebote").set_index("angebot_id").loc["osm-0", "name"] == "bleibt"
    assert len(region.read_layer(AUDIT_TABLE)) == 1
    assert CRS == "EPSG:25832"


def _gate_table(region: PostgisStore) -> gpd.GeoDataFrame:
    """The privacy gate's per-area table of the region's reports (run by the administrator)."""
    from analyses.privacy import DisclosureRule, publish
    from layers.barrieren import read_reports

    areas = region.read_layer("planungsraeume")
    rule = DisclosureRule.oeffentlich()
    return publish(read_reports(region), boundary=region.read_layer("region").geometry.iloc[0],
                   areas=areas, rule=rule).planungsraeume()


def test_published_aggregates_are_the_gates_output_in_their_own_table(postgis_cluster, region):
    from layers.store.postgis.veroeffentlichen import PUBLISHED_TABLE, write_published

    table = _gate_table(region)
    assert write_published(region, table, filter_text="alle Barrieren") == 4
    stored = region.read_layer(PUBLISHED_TABLE).sort_values("pr_id").reset_index(drop=True)
    assert stored["pr_id"].tolist() == AREAS and set(stored["filter"]) == {"alle Barrieren"}
    # One person with ten reports is below every threshold: nothing is published.
    assert not stored["veroeffentlicht"].any() and stored["personen"].isna().all()
    assert stored.crs == CRS and stored.geometry.notna().all()
    for rolle in ("lesen", "planung", "koordination", "fallmanagement"):
        login = make_user(postgis_cluster, rolle, region=region.schema,
                          areas=("PR05",) if rolle == "koordination" else ())
        store = store_as(postgis_cluster, region, login)
        assert PUBLISHED_TABLE in store.list_layers()
        assert len(store.read_layer(PUBLISHED_TABLE)) == 4
        with pytest.raises(AccessDeniedError):
            write_published(store, table, filter_text="gefälscht")
        with _sql(postgis_cluster, login) as conn:
            for sql in (f'INSERT INTO "{region.schema}".{PUBLISHED_TABLE} (pr_id) VALUES (\'x\')',
                        f'UPDATE "{region.schema}".{PUBLISHED_TABLE} SET personen = 99',
                        f'DELETE FROM "{region.schema}".{PUBLISHED_TABLE}'):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
                conn.rollback()
    with pytest.raises(StoreError, match="Geheimhaltung"):
        write_published(region, table.drop(columns=["geheimhaltung"]), filter_text="x")
    assert len(region.read_layer(PUBLISHED_TABLE)) == 4


def test_verwaltung_creates_users_and_others_cannot(postgis_cluster, region):
    from layers.store.postgis import Login
    from layers.store.postgis.nutzer import create_user

    boss = make_user(postgis_cluster, "verwaltung")
    with _sql(postgis_cluster, boss) as conn:
        create_user(conn, f"k_{boss.user}", "koordination", "ein-langes-passwort",
                    region=region.schema, planungsraeume=("PR06",))
    koord = store_as(postgis_cluster, region, Login(f"k_{boss.user}", "ein-langes-passwort"))
    assert koord.identity().rolle == "koordination"
    assert koord.identity().planungsraeume == ("PR06",)
    assert update_service(koord, "osm-1", {"name": "PR06"}, expected_version=1).version == 2
    planer = make_user(postgis_cluster, "planung")
    with _sql(postgis_cluster, planer) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            create_user(conn, f"x_{planer.user}", "verwaltung", "ein-langes-passwort")


def _relation_layers() -> dict[str, gpd.GeoDataFrame]:
    from layers.kooperation import empty_cooperations
    from layers.praesenz import empty_presence, empty_zones

    layers = _layers()
    layers["kooperationen"] = empty_cooperations(CRS)
    layers["praesenz"] = empty_presence(CRS)
    layers["aufsuchend_gebiete"] = empty_zones(CRS)
    return layers


def _presence(key: str, x: float) -> tuple[dict[str, object], shapely.Point]:
    values = {"praesenz_id": key, "traeger": "LVR", "art": "sprechstunde", "gastgeber_id": None,
              "name": "Sprechstunde", "zeiten": "Di 10:00-12:00", "quelle": "manuell",
              "version": 1}
    return values, shapely.Point(x, Y0 + 1000)


def test_cooperation_and_presence_lists_are_written_by_planning_and_coordination(
        postgis_cluster):
    """Team mode keeps the relation lists of #14 (issue #11): planung writes them, koordination
    records presence inside its planning areas (and cooperations of its offers), lesen nothing."""
    from layers.beziehungen import write_relation_rows
    from layers.kooperation import add_cooperation

    region = fresh_region(postgis_cluster, layers=_relation_layers())
    planung = store_as(postgis_cluster, region, make_user(postgis_cluster, "planung"))
    key = add_cooperation(planung, "osm-0", "osm-1", "Fallberatung")
    assert region.read_layer("kooperationen")["kooperation_id"].tolist() == [key]

    login = make_user(postgis_cluster, "koordination", region=region.schema, areas=("PR05",))
    koordination = store_as(postgis_cluster, region, login)
    # osm-0 lies in PR05: a cooperation with one of the coordinator's offers is allowed.
    add_cooperation(koordination, "osm-0", "osm-2", "Verweisung")
    write_relation_rows(koordination, "praesenz", "praesenz_id", [_presence("p-1", X0 + 1000)])
    with pytest.raises(AccessDeniedError):
        write_relation_rows(koordination, "praesenz", "praesenz_id",
                            [_presence("p-2", X0 + 4000)])  # PR06 is not the coordinator's
    assert region.read_layer("praesenz")["praesenz_id"].tolist() == ["p-1"]

    lesen = store_as(postgis_cluster, region, make_user(postgis_cluster, "lesen"))
    assert len(lesen.read_layer("kooperationen")) == 2
    with pytest.raises(AccessDeniedError):
        add_cooperation(lesen, "osm-1", "osm-2", "Fallberatung")
    audit = region.read_layer(AUDIT_TABLE)
    assert set(audit["tabelle"]) == {"kooperationen", "praesenz"}
    assert login.user in set(audit["benutzer"])
