"""Presence of providers on the command line: ``praesenz traeger|orte|planungsraeume|import|
gebiete-import``, ``sprechstunden-vorschlag``, ``mobiles-buero`` and ``zugang aufsuchend|
zeitpunkt|oeffnungszeiten``.

The analyses are :mod:`planungsraeume.praesenz` and :mod:`planungsraeume.mobiles_buero` for the
question of the options (default: every advice offer, 15 minutes on foot); the tables those of
:mod:`planungsraeume.darstellung.praesenz`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.common import (
    Subparsers,
    add_network_options,
    add_region_option,
    advice_question,
    open_region,
    print_table,
    save_csv,
    sheet,
)
from layers.formatting import de_number

if TYPE_CHECKING:
    pass

__all__ = ["register"]


def _providers(args: argparse.Namespace) -> int:
    from planungsraeume.praesenz import provider_list

    table = provider_list(open_region(args.region)).rename(columns={
        "traeger": "Träger", "eigene_stellen": "eigene Stellen",
        "praesenz_eintraege": "Sprechstunden und Veranstaltungen", "orte": "Orte"})
    print_table(table)
    return 0


def _places(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung.praesenz import place_table
    from planungsraeume.praesenz import places

    shown = place_table(places(open_region(args.region), advice_question(args), args.traeger))
    print(f"Präsenz von {args.traeger}: {len(shown)} Orte")
    print_table(shown)
    save_csv(shown, args.csv)
    return 0


def _areas(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung.praesenz import presence_area_table
    from planungsraeume.praesenz import places_by_area, reach_by_area

    region, frage = open_region(args.region), advice_question(args)
    shown = presence_area_table(places_by_area(region, frage, args.traeger),
                                reach_by_area(region, frage, args.traeger))
    print(f"Präsenz von {args.traeger} je Planungsraum; erreichbar: {frage.label()}")
    print_table(shown)
    save_csv(shown, args.csv)
    return 0


def _import(args: argparse.Namespace) -> int:
    from layers.praesenz import import_presence, import_zones

    importer = import_zones if args.praesenz_befehl == "gebiete-import" else import_presence
    count = importer(open_region(args.region).store, args.datei, blatt=sheet(args.blatt),
                     pruefen=args.pruefen)
    verb = "geprüft, nichts gespeichert" if args.pruefen else "gespeichert"
    print(f"{args.datei}: {count} Zeilen {verb}.")
    return 0


def _suggest(args: argparse.Namespace) -> int:
    import time

    from planungsraeume.darstellung.praesenz import office_hour_table
    from planungsraeume.praesenz import office_hour_suggestions

    started = time.perf_counter()
    frage = advice_question(args)
    result = office_hour_suggestions(open_region(args.region), frage, args.traeger, args.anzahl,
                                     nachfrage=args.nachfrage, dauer_min=args.dauer)
    plan = result.plan.vorschlag
    print(f"Sprechstunden-Vorschlag für {result.traeger}: {args.anzahl} Gastgeber aus "
          f"{result.kandidaten} möglichen (stufenlos, lesbare Öffnungszeiten), {frage.label()}")
    print(f"Erreichen die Präsenz: vorher {de_number(plan.versorgt_vorher)}, nachher "
          f"{de_number(plan.versorgt_nachher)} von {de_number(plan.nachfrage_gesamt)} "
          f"({plan.verfahren}; {de_number(time.perf_counter() - started, 1)} s)")
    shown = office_hour_table(result.vorschlaege)
    print_table(shown)
    save_csv(shown, args.csv, "Vorschläge")
    if args.als_szenario:
        from planungsraeume.szenario_vorschlag import office_hour_scenario

        _save_scenario(args, office_hour_scenario(result, args.als_szenario, args.szenario_typ,
                                                  dauer_min=args.dauer))
    return 0


def _save_scenario(args: argparse.Namespace, scenario: object) -> None:
    from layers.errors import InputValidationError
    from layers.szenarien import Scenario, save_scenario

    if not args.szenario_typ:
        raise InputValidationError("Für das Szenario fehlt der Angebotstyp.",
                                   hinweis="Geben Sie --szenario-typ an, z. B. EUTB.")
    assert isinstance(scenario, Scenario)
    save_scenario(open_region(args.region).store, scenario)
    print(f"Szenario gespeichert: {scenario.name} ({len(scenario.aenderungen)} neue Angebote)")


def _mobile(args: argparse.Namespace) -> int:
    import time

    from planungsraeume.darstellung.praesenz import (
        mobile_area_table,
        mobile_stop_table,
        mobile_timetable,
    )
    from planungsraeume.mobiles_buero import mobile_office

    started = time.perf_counter()
    frage = advice_question(args)
    plan = mobile_office(open_region(args.region), frage, args.anzahl,
                         planungsraeume=tuple(args.planungsraum or ()), depot=args.depot,
                         standzeit_min=args.standzeit, budget_min=args.budget,
                         beginn=args.beginn, nachfrage=args.nachfrage)
    print(f"Mobiles Büro: {args.anzahl} Halte, Depot {plan.depot[1]}, {frage.label()} "
          f"({de_number(time.perf_counter() - started, 1)} s)")
    print_table(mobile_stop_table(plan.plan.standorte))
    print("Wochenplan:")
    timetable = mobile_timetable(plan.fahrplan)
    print_table(timetable)
    print("Je Planungsraum:")
    print_table(mobile_area_table(plan.plan.je_planungsraum))
    for stop, reason in plan.nicht_eingeplant.items():
        print(f"Nicht eingeplant: {stop} – {reason}")
    for note in plan.hinweise:
        print(f"Hinweis: {note}")
    save_csv(timetable, args.csv, "Wochenplan")
    if args.als_szenario:
        from planungsraeume.szenario_vorschlag import mobile_scenario

        _save_scenario(args, mobile_scenario(plan, args.als_szenario, args.szenario_typ,
                                             standzeit_min=args.standzeit))
    if args.xlsx:
        from pathlib import Path

        from planungsraeume.darstellung import xlsx_bytes

        Path(args.xlsx).write_bytes(xlsx_bytes(timetable, blatt="Wochenplan",
                                               hinweise=plan.hinweise))
        print(f"Wochenplan gespeichert: {args.xlsx}")
    return 0


def _outreach(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung.praesenz import outreach_table
    from planungsraeume.zugangswege import outreach_coverage

    frage = advice_question(args)
    table = outreach_coverage(open_region(args.region), frage)
    print(f"Vor Ort erreichbar oder aufsuchend versorgt ({frage.label()}); aufsuchende "
          f"Angebote: {len(table.attrs.get('aufsuchende_angebote', []))}")
    shown = outreach_table(table)
    print_table(shown)
    save_csv(shown, args.csv)
    return 0


def _moment(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung import coverage_table
    from planungsraeume.erreichbarkeit import coverage
    from planungsraeume.zugangswege import question_at

    region = open_region(args.region)
    frage = question_at(region, advice_question(args), args.zeitpunkt,
                        unbekannt_offen=args.unbekannt_offen)
    open_ids = dict(frage.weitere_filter).get("angebot_id", ())
    print(f"{args.zeitpunkt}: {len(region.selected_offers(frage))} Angebote geöffnet "
          f"({', '.join(open_ids)})")
    shown = coverage_table(coverage(region, frage), float(frage.minuten))
    print_table(shown)
    save_csv(shown, args.csv)
    return 0


def _access(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung.praesenz import access_table
    from planungsraeume.zugangswege import digital_only_by_area, hours_by_area

    region, frage = open_region(args.region), advice_question(args)
    shown = access_table(hours_by_area(region, frage), digital_only_by_area(region, frage))
    print_table(shown)
    save_csv(shown, args.csv)
    return 0


def _access_group(sub: Subparsers) -> None:
    group = sub.add_parser("zugang", help="aufsuchende Angebote, Öffnungszeiten, Zugangswege")
    commands = group.add_subparsers(dest="zugang_befehl", required=True)
    outreach = commands.add_parser("aufsuchend", help="vor Ort erreichbar / aufsuchend versorgt")
    _analysis(outreach)
    outreach.set_defaults(handler=_outreach)
    moment = commands.add_parser("zeitpunkt", help="Erreichbarkeit zu einem Zeitpunkt der Woche")
    _analysis(moment)
    moment.add_argument("--zeitpunkt", required=True, help="z. B. 'Di 17:00'")
    moment.add_argument("--unbekannt-offen", action="store_true",
                        help="Angebote ohne lesbare Öffnungszeiten als geöffnet zählen")
    moment.set_defaults(handler=_moment)
    hours = commands.add_parser("oeffnungszeiten",
                                help="Stunden je Woche und nur digitale Angebote je Planungsraum")
    _analysis(hours)
    hours.set_defaults(handler=_access)


def _analysis(parser: argparse.ArgumentParser) -> None:
    add_region_option(parser)
    add_network_options(parser)
    parser.add_argument("--typ", action="append", help="nur Angebote dieses Typs (mehrfach)")
    parser.add_argument("--stichtag", default=None, help="Tag JJJJ-MM-TT (Standard: heute)")
    parser.add_argument("--csv", default=None, help="Tabelle als CSV speichern")


def _scenario_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--als-szenario", metavar="NAME", default=None,
                        help="den Vorschlag als Szenario speichern")
    parser.add_argument("--szenario-typ", default=None,
                        help="Angebotstyp der neuen Angebote im Szenario, z. B. EUTB")


def _presence_group(sub: Subparsers) -> None:
    group = sub.add_parser("praesenz", help="Präsenz eines Trägers (Stellen, Sprechstunden, "
                                            "Veranstaltungen)")
    commands = group.add_subparsers(dest="praesenz_befehl", required=True)
    providers = commands.add_parser("traeger", help="Träger der Region")
    add_region_option(providers)
    providers.set_defaults(handler=_providers)
    for name, text, handler in (("orte", "alle Orte eines Trägers", _places),
                                ("planungsraeume", "Präsenz und Erreichbarkeit je Planungsraum",
                                 _areas)):
        parser = commands.add_parser(name, help=text)
        _analysis(parser)
        parser.add_argument("--traeger", required=True, help="Name des Trägers")
        parser.set_defaults(handler=handler)
    for name, text in (("import", "Sprechstunden in fremden Räumen und Veranstaltungen (CSV/XLSX)"),
                       ("gebiete-import", "Zuständigkeitsgebiete aufsuchender Angebote")):
        parser = commands.add_parser(name, help=text)
        parser.add_argument("datei", help="CSV/XLSX (Gebiete auch GeoPackage/GeoJSON)")
        add_region_option(parser)
        parser.add_argument("--blatt", default=None, help="Tabellenblatt (Name oder Nummer ab 0)")
        parser.add_argument("--pruefen", action="store_true", help="nur prüfen, nichts speichern")
        parser.set_defaults(handler=_import)


def register(sub: Subparsers) -> None:
    """Add ``praesenz``, ``sprechstunden-vorschlag``, ``mobiles-buero`` and ``zugang``."""
    _presence_group(sub)
    _access_group(sub)
    suggest = sub.add_parser("sprechstunden-vorschlag",
                             help="wo ein Träger Sprechstunden in fremden Räumen anbieten sollte")
    _analysis(suggest)
    suggest.add_argument("--traeger", required=True, help="Name des Trägers")
    suggest.add_argument("--anzahl", type=int, default=3, help="Zahl der Sprechstunden")
    suggest.add_argument("--nachfrage", choices=["einwohner", "alter_65_plus"],
                         default="einwohner")
    suggest.add_argument("--dauer", type=int, default=120, help="Dauer je Sprechstunde (Min.)")
    _scenario_options(suggest)
    suggest.set_defaults(handler=_suggest)
    mobile = sub.add_parser("mobiles-buero", help="Halte und Wochenplan eines mobilen Büros")
    _analysis(mobile)
    mobile.add_argument("--anzahl", type=int, default=5, help="Zahl der Halte")
    mobile.add_argument("--planungsraum", action="append", help="Planungsraum (mehrfach)")
    mobile.add_argument("--depot", default=None, help="ID des Angebots, an dem das Büro startet")
    mobile.add_argument("--standzeit", type=float, default=120.0, help="Minuten je Halt")
    mobile.add_argument("--budget", type=float, default=480.0, help="Minuten je Tag")
    mobile.add_argument("--beginn", default="08:00", help="Abfahrt am Depot (HH:MM)")
    mobile.add_argument("--nachfrage", choices=["einwohner", "alter_65_plus"],
                        default="einwohner")
    mobile.add_argument("--xlsx", default=None, help="Wochenplan als XLSX speichern")
    _scenario_options(mobile)
    mobile.set_defaults(handler=_mobile)
