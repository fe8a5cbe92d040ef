"""Team mode on the command line: ``server einrichten|hochladen|veroeffentlichen|pruefen`` and
``nutzer anlegen|passwort|entfernen|liste``.

The database is ``--db``, else the region file's ``[speicher] datenbank``, else
``SOZIALRAUM_DB``; the administrator's password comes from libpq (``PGPASSWORD``,
``~/.pgpass``), a new user's password from a prompt or ``--passwort-stdin``, never from an
option. Everything is done by :mod:`layers.store.postgis.verwaltung`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli.common import Subparsers
from layers import settings

if TYPE_CHECKING:
    from layers.regions import RegionConfig

__all__ = ["register"]


def _configs(args: argparse.Namespace) -> list[RegionConfig]:
    from layers.regions import load_region

    return [load_region(name) for name in (args.region or [settings.default_region])]


def _print(lines: list[str]) -> int:
    for line in lines:
        print(line)
    return 0


def _set_up(args: argparse.Namespace) -> int:
    from layers.store.postgis.verwaltung import set_up

    return _print(set_up(_configs(args), args.db))


def _publish(config: RegionConfig, url: str | None) -> str:
    """Run the privacy gate on the raw reports as the administrator; write its public table."""
    from layers.store.postgis.veroeffentlichen import write_published
    from layers.store.postgis.verwaltung import admin_store
    from planungsraeume.barrieren import area_table, publication
    from planungsraeume.region import Region

    region = Region.open(config, store=admin_store(config, url))
    if not region.has_layer("barrieren"):
        return "Keine Barrieremeldungen: nichts zu veröffentlichen."
    pub = publication(region)
    rows = write_published(region.store, area_table(region, pub),  # type: ignore[arg-type]
                           filter_text=pub.filter.beschreibung())
    return (f"Veröffentlichte Barrieren-Zahlen: {rows} Planungsräume "
            f"(Geheimhaltung: {pub.rule.kennzeichnung}).")


def _upload(args: argparse.Namespace) -> int:
    from layers.store.postgis.verwaltung import upload

    for config in _configs(args):
        _print(upload(config, args.db, args.gpkg))
        print(_publish(config, args.db))
    return 0


def _publish_command(args: argparse.Namespace) -> int:
    return _print([_publish(config, args.db) for config in _configs(args)])


def _check(args: argparse.Namespace) -> int:
    from layers.store.postgis.verwaltung import check

    findings = check(_configs(args), args.db)
    bad = [f for f in findings if not f.ok and not f.warnung]
    for finding in findings if args.alle else [f for f in findings if not f.ok]:
        print(finding)
    print(f"{len(findings)} Prüfungen, {len(bad)} Fehler.")
    return 1 if bad else 0


def _password(args: argparse.Namespace) -> str:
    if args.passwort_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    from layers.errors import InputValidationError

    first = getpass.getpass(f"Passwort für {args.name}: ")
    if getpass.getpass("Passwort wiederholen: ") != first:
        raise InputValidationError("Die beiden Passwörter stimmen nicht überein.")
    return first


def _add_user(args: argparse.Namespace) -> int:
    from layers.regions import load_region
    from layers.store.postgis.verwaltung import add_user, server_url

    areas = tuple(args.planungsraum or ())
    name = args.region or (settings.default_region if areas else None)
    config = load_region(name) if name else None
    print(add_user(server_url(config, args.db), args.name, args.rolle, _password(args),
                   config=config, planungsraeume=areas))
    return 0


def _user_password(args: argparse.Namespace) -> int:
    from layers.store.postgis.verwaltung import new_password, server_url

    print(new_password(server_url(None, args.db), args.name, _password(args)))
    return 0


def _remove_user(args: argparse.Namespace) -> int:
    from layers.store.postgis.verwaltung import delete_user, server_url

    print(delete_user(server_url(None, args.db), args.name))
    return 0


def _list_users(args: argparse.Namespace) -> int:
    from layers.store.postgis.verwaltung import server_url, users

    table = users(server_url(None, args.db))
    print(table.to_string(index=False) if len(table) else "Keine Benutzer.")
    return 0


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, metavar="URL",
                        help="postgresql://server:5432/datenbank (ohne Passwort; Standard: "
                        "[speicher] der Region, sonst SOZIALRAUM_DB)")


def _server(sub: Subparsers) -> None:
    server = sub.add_parser("server", help="Teammodus: PostgreSQL/PostGIS-Server verwalten")
    commands = server.add_subparsers(dest="server_befehl", required=True)
    for name, handler, text in (
            ("einrichten", _set_up, "Rollen, Schemas, Rechte und Richtlinien anlegen "
             "(wiederholbar)"),
            ("hochladen", _upload, "abgeleitete Ebenen der gebauten Region hochladen und "
             "Barrieren-Zahlen veröffentlichen"),
            ("veroeffentlichen", _publish_command, "Barrieren-Zahlen durch die Geheimhaltung "
             "veröffentlichen"),
            ("pruefen", _check, "prüfen, ob Rollen, Rechte und Richtlinien stimmen")):
        parser = commands.add_parser(name, help=text)
        parser.add_argument("--region", action="append", default=None,
                            help="Regionsname (mehrfach möglich; Standard: die Standardregion)")
        _db_option(parser)
        parser.set_defaults(handler=handler)
        if name == "hochladen":
            parser.add_argument("--gpkg", default=None,
                                help="gebaute GeoPackage-Datei (Standard: die der Region im Cache)")
        if name == "pruefen":
            parser.add_argument("--alle", action="store_true",
                                help="auch bestandene Prüfungen zeigen")


def _users(sub: Subparsers) -> None:
    users = sub.add_parser("nutzer", help="Teammodus: Benutzer (Datenbank-Logins) verwalten")
    commands = users.add_subparsers(dest="nutzer_befehl", required=True)
    add = commands.add_parser("anlegen", help="Benutzer in einer Rolle anlegen")
    add.add_argument("name", help="Anmeldename (Kleinbuchstaben, Ziffern, _)")
    add.add_argument("--rolle", required=True,
                     help="verwaltung, planung, koordination, fallmanagement oder lesen")
    add.add_argument("--planungsraum", action="append", default=None,
                     help="für die Koordination: zugeordneter Planungsraum (mehrfach möglich)")
    add.add_argument("--region", default=None,
                     help="Region der Planungsräume (Standard: die Standardregion)")
    add.set_defaults(handler=_add_user)
    password = commands.add_parser("passwort", help="neues Passwort setzen")
    password.add_argument("name")
    password.set_defaults(handler=_user_password)
    for parser in (add, password):
        parser.add_argument("--passwort-stdin", action="store_true",
                            help="Passwort aus der ersten Zeile der Standardeingabe lesen")
    remove = commands.add_parser("entfernen", help="Benutzer entfernen (Protokoll bleibt)")
    remove.add_argument("name")
    remove.set_defaults(handler=_remove_user)
    listing = commands.add_parser("liste", help="Benutzer mit Rolle und Planungsräumen")
    listing.set_defaults(handler=_list_users)
    for parser in (add, password, remove, listing):
        _db_option(parser)


def register(sub: Subparsers) -> None:
    """Add ``server …`` and ``nutzer …``."""
    _server(sub)
    _users(sub)
