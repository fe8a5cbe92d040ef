"""The cooperation network on the command line: ``kooperation import|liste|hinzufuegen|loeschen|
netz|planungsraeume|fehlend``.

Import and edits go to the user store with the audit (:mod:`layers.kooperation`); the analyses
are :mod:`planungsraeume.kooperation` for the question of the options (default: every advice
offer, 15 minutes on foot), printed as the tables of :mod:`planungsraeume.darstellung.kooperation`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from cli.common import (
    Subparsers,
    add_network_options,
    add_region_option,
    advice_question,
    open_region,
    print_problems,
    print_table,
    save_csv,
    sheet,
)
from layers.formatting import de_number

if TYPE_CHECKING:
    pass

__all__ = ["register"]


def _import(args: argparse.Namespace) -> int:
    from layers.kooperation import import_cooperations

    result = import_cooperations(open_region(args.region).store, args.datei,
                                 blatt=sheet(args.blatt), pruefen=args.pruefen)
    verb = "geprüft, nichts gespeichert" if args.pruefen else f"{result.gespeichert} gespeichert"
    print(f"Kooperationsliste {result.datei.name}: {result.zeilen} Kooperationen ({verb}).")
    print_problems(result.warnungen)
    return 0


def _list(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung.kooperation import cooperation_list_table
    from planungsraeume.kooperation import stored_cooperations

    region = open_region(args.region)
    directory = region.directory()
    names = dict(zip(directory["angebot_id"].astype(str), directory["name"].astype(str),
                     strict=True))
    table = cooperation_list_table(stored_cooperations(region), names)
    print_table(table)
    save_csv(table, args.csv)
    return 0


def _add(args: argparse.Namespace) -> int:
    from layers.kooperation import add_cooperation

    key = add_cooperation(open_region(args.region).store, args.angebot_a, args.angebot_b,
                          args.art, seit=args.seit, bis=args.bis, beleg=args.beleg)
    print(f"Kooperation gespeichert: {key}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    from layers.kooperation import delete_cooperation

    delete_cooperation(open_region(args.region).store, args.schluessel)
    print(f"Kooperation gelöscht: {args.schluessel}")
    return 0


def _network(args: argparse.Namespace) -> int:
    from planungsraeume import kooperation
    from planungsraeume.darstellung.kooperation import cooperation_offer_table

    region, frage = open_region(args.region), advice_question(args)
    table = kooperation.network(region, frage)
    share = kooperation.synthetic_share(region, frage)
    print(f"Kooperationsnetz: {len(table)} Angebote, {int(table['isoliert'].sum())} ohne "
          f"Kooperation, {int(table['vermittler'].sum())} Vermittler, "
          f"{int(table['komponente'].max() or 0)} Teilnetze.")
    if share > 0:
        print(f"Hinweis: {de_number(100 * share, 0)} % der Kooperationen sind fiktiv "
              "(quelle = synthetisch, Demodaten).")
    shown = cooperation_offer_table(table)
    print_table(shown)
    save_csv(shown, args.csv)
    return 0


def _areas(args: argparse.Namespace) -> int:
    from planungsraeume import kooperation
    from planungsraeume.darstellung.kooperation import cooperation_area_table

    shown = cooperation_area_table(kooperation.network_by_area(open_region(args.region),
                                                               advice_question(args)))
    print_table(shown)
    save_csv(shown, args.csv)
    return 0


def _missing(args: argparse.Namespace) -> int:
    from planungsraeume import kooperation
    from planungsraeume.darstellung.kooperation import missing_link_table

    frage = advice_question(args)
    table = kooperation.missing(open_region(args.region), frage)
    print(f"Fehlende Verbindungen ({frage.label()}): {len(table)}")
    shown = missing_link_table(table)
    print_table(shown)
    save_csv(shown, args.csv)
    return 0


def _analysis(commands: Subparsers, name: str, help_text: str, handler: Callable[[argparse.Namespace], int]) -> None:
    parser = commands.add_parser(name, help=help_text)
    add_region_option(parser)
    add_network_options(parser)
    parser.add_argument("--typ", action="append", help="nur Angebote dieses Typs (mehrfach)")
    parser.add_argument("--stichtag", default=None, help="Tag JJJJ-MM-TT (Standard: heute)")
    parser.add_argument("--csv", default=None, help="Tabelle als CSV speichern")
    parser.set_defaults(handler=handler)


def register(sub: Subparsers) -> None:
    """Add the ``kooperation`` command group."""
    group = sub.add_parser("kooperation", help="Kooperationsnetz der Angebote")
    commands = group.add_subparsers(dest="kooperation_befehl", required=True)

    imp = commands.add_parser("import", help="Kooperationsliste aus CSV/XLSX importieren")
    imp.add_argument("datei", help="CSV/XLSX: Angebot A, Angebot B, Art, seit, bis, Quelle")
    add_region_option(imp)
    imp.add_argument("--blatt", default=None, help="Tabellenblatt (Name oder Nummer ab 0)")
    imp.add_argument("--pruefen", action="store_true", help="nur prüfen, nichts speichern")
    imp.set_defaults(handler=_import)

    lst = commands.add_parser("liste", help="gespeicherte Kooperationen")
    add_region_option(lst)
    lst.add_argument("--csv", default=None, help="Liste als CSV speichern")
    lst.set_defaults(handler=_list)

    add = commands.add_parser("hinzufuegen", help="eine Kooperation eintragen")
    add_region_option(add)
    add.add_argument("angebot_a", help="ID des ersten Angebots")
    add.add_argument("angebot_b", help="ID des zweiten Angebots")
    add.add_argument("--art", required=True, help="z. B. Verweis, Fallkonferenz")
    add.add_argument("--seit", default=None, help="JJJJ-MM-TT")
    add.add_argument("--bis", default=None, help="JJJJ-MM-TT")
    add.add_argument("--beleg", default=None, help="Herkunft der Angabe")
    add.set_defaults(handler=_add)

    delete = commands.add_parser("loeschen", help="eine Kooperation löschen")
    add_region_option(delete)
    delete.add_argument("schluessel", help="Schlüssel aus 'kooperation liste'")
    delete.set_defaults(handler=_delete)

    _analysis(commands, "netz", "Partner, Vermittler und Teilnetze je Angebot", _network)
    _analysis(commands, "planungsraeume", "Anteil ohne Kooperation je Planungsraum", _areas)
    _analysis(commands, "fehlend", "fehlende Verbindungen sich ergänzender Angebote", _missing)
