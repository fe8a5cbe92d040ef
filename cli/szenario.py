"""What-if scenarios on the command line: ``szenario liste|speichern|zeigen|loeschen|vergleichen``.

``speichern`` checks every edit at once (:func:`layers.szenarien.save_scenario`): an offer id
that does not exist today (or is retired) is refused before anything is stored, not only when
the scenario is compared.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import (
    Subparsers,
    add_network_options,
    add_region_option,
    open_region,
    print_table,
    question,
    save_csv,
)
from layers.errors import InputValidationError
from layers.formatting import de_number

__all__ = ["register"]

ACTIONS = ["liste", "speichern", "zeigen", "loeschen", "vergleichen"]
_NAME = ("der Name", 'Geben Sie --name "…" an.')
_FILE = ("die Datei mit den Änderungen",
         "Geben Sie --datei aenderungen.csv an (Spalten: aktion, angebot_id, typ, name, lon, "
         "lat, kapazitaet_std_woche).")
_NAME_OR_FILE = ("der Name des Szenarios (oder eine Datei)",
                 'Geben Sie --name "…" (gespeichertes Szenario) oder --datei aenderungen.csv an.')


def _require(args: argparse.Namespace, option: str, what: tuple[str, str]) -> None:
    if not getattr(args, option):
        raise InputValidationError(f"Für 'szenario {args.aktion}' fehlt {what[0]}.",
                                   hinweis=what[1])


def _edits(args: argparse.Namespace, region: Any) -> list[Any]:
    from layers.szenarien import read_edit_table

    return read_edit_table(args.datei, crs=region.crs, region=region.layer("region"))


def _list(args: argparse.Namespace, region: Any) -> int:
    from layers.szenarien import list_scenarios

    table = list_scenarios(region.store)
    if table.empty:
        print("Keine Szenarien gespeichert.")
    for row in table.to_dict("records"):
        print(f"{row['name']}: {row['aenderungen']} Änderungen, geändert {row['geaendert_am']} "
              f"von {row['geaendert_von']}. {row['beschreibung'] or ''}".rstrip())
    return 0


def _save(args: argparse.Namespace, region: Any) -> int:
    from layers.szenarien import Scenario, save_scenario

    _require(args, "datei", _FILE)
    edits = _edits(args, region)
    save_scenario(region.store, Scenario(args.name, args.beschreibung or "", tuple(edits)),
                  overwrite=args.ueberschreiben)
    print(f"Szenario '{args.name}' mit {len(edits)} Änderungen gespeichert.")
    return 0


def _show(args: argparse.Namespace, region: Any) -> int:
    from layers.szenarien import ACTION_LABELS, load_scenario

    scenario = load_scenario(region.store, args.name)
    print(f"{scenario.name}: {scenario.beschreibung}".rstrip(": "))
    for number, edit in enumerate(scenario.aenderungen, start=1):
        where = (f" bei ({edit.x:.0f}, {edit.y:.0f})"
                 if edit.x is not None and edit.y is not None else "")
        what = edit.name or edit.typ or edit.angebot_id or ""
        print(f"  {number}. {ACTION_LABELS.get(edit.aktion, edit.aktion)}: {what}{where}")
    return 0


def _delete(args: argparse.Namespace, region: Any) -> int:
    from layers.szenarien import delete_scenario

    delete_scenario(region.store, args.name)
    print(f"Szenario '{args.name}' gelöscht.")
    return 0


def _compare(args: argparse.Namespace, region: Any) -> int:
    from layers.szenarien import load_scenario
    from planungsraeume.darstellung import format_value, scenario_export_table, scenario_table
    from planungsraeume.versorgung import compare_on_network

    edits = _edits(args, region) if args.datei else list(load_scenario(region.store, args.name)
                                                           .aenderungen)
    title = f"Datei {args.datei}" if args.datei else f"Szenario '{args.name}'"
    frage = question(args, typ=args.typ or None)
    result = compare_on_network(region, frage, edits, decay=args.abnahme)
    kinds = sorted(set(result.angebote_vorher["typ"]) | set(result.angebote_nachher["typ"]))
    print(f"{title}: {len(edits)} Änderungen – Angebote: {', '.join(kinds)}; Profil "
          f"{frage.profile_label()}; {de_number(frage.minuten, 0)} Minuten"
          + ("; nur stufenlos zugängliche Angebote" if args.nur_stufenlos else ""))
    names = region.area_names()
    print_table(scenario_table(result, names))
    print(f"Differenz gesamt: {format_value(result.differenz, signed=True)} Einwohner, davon "
          f"{format_value(result.differenz_65, signed=True)} ab 65 Jahren (= Summe der "
          "Planungsräume).")
    if result.erreichbarkeit is not None:
        print("2SFCA: Beratungsstunden je Woche je 1.000 Einwohner im Einzugsbereich "
              f"({de_number(frage.minuten, 0)} Minuten), Mittel je Planungsraum nach Einwohnern.")
    save_csv(scenario_export_table(result, names), args.csv)
    return 0


def _scenario(args: argparse.Namespace) -> int:
    if args.aktion == "vergleichen" and not args.datei:
        _require(args, "name", _NAME_OR_FILE)
    elif args.aktion in ("speichern", "zeigen", "loeschen"):
        _require(args, "name", _NAME)
    action = {"liste": _list, "speichern": _save, "zeigen": _show, "loeschen": _delete,
              "vergleichen": _compare}[args.aktion]
    return action(args, open_region(args.region, network=args.aktion == "vergleichen"))


def register(sub: Subparsers) -> None:
    """Add ``szenario``."""
    scenario = sub.add_parser(
        "szenario", help="Szenarien speichern, auflisten, zeigen, löschen, vorher/nachher vergleichen"
    )
    scenario.add_argument("aktion", choices=ACTIONS)
    add_region_option(scenario)
    scenario.add_argument("--name", help="Name des Szenarios")
    scenario.add_argument("--datei", help="CSV/XLSX mit den Änderungen (für 'speichern'; bei "
                          "'vergleichen' statt eines gespeicherten Szenarios)")
    scenario.add_argument("--beschreibung", help="kurze Beschreibung")
    scenario.add_argument("--ueberschreiben", action="store_true",
                          help="ein Szenario gleichen Namens ersetzen")
    add_network_options(scenario)
    scenario.add_argument("--typ", action="append", metavar="TYP",
                          help="verglichene Angebotstypen (Standard: die das Szenario ändert)")
    scenario.add_argument("--abnahme", choices=["keine", "stufen", "gauss"], default="keine",
                          help="Distanzabnahme des 2SFCA (Standard: keine)")
    scenario.add_argument("--csv", help="Vergleichstabelle zusätzlich als CSV speichern")
    scenario.set_defaults(handler=_scenario)
