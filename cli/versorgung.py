"""Supply on the command line: ``2sfca``, ``standorte``, ``kandidaten`` (scenarios:
:mod:`cli.szenario`)."""

from __future__ import annotations

import argparse

from cli.common import (
    Subparsers,
    add_network_options,
    add_region_option,
    open_region,
    print_table,
    question,
    save_csv,
)
from layers.formatting import de_number

__all__ = ["register"]

DEMAND = {"einwohner": "einwohner", "65plus": "alter_65_plus"}
DECAY_CHOICES = ["keine", "stufen", "gauss"]


def _accessibility(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung import accessibility_area_table, accessibility_offer_table
    from planungsraeume.versorgung import accessibility

    frage = question(args, typ=args.typ)
    result = accessibility(open_region(args.region, network=True), frage, decay=args.abnahme,
                           nachfrage=DEMAND[args.nachfrage])
    print(f"Angebot je Nachfrage (2SFCA): {', '.join(result.typen)}, Profil "
          f"{frage.profile_label()}, Einzugsbereich {de_number(result.minuten, 0)} Minuten, "
          f"{result.verfahren}")
    print(f"Wert: {result.einheit} (Mittel je Planungsraum, gewichtet nach {result.nachfrage})")
    print_table(accessibility_area_table(result))
    print("Angebote:")
    print_table(accessibility_offer_table(result))
    if result.angenommene_kapazitaeten:
        print(f"Hinweis: Bei {result.angenommene_kapazitaeten} Angeboten ist die Kapazität "
              "angenommen (Spalte Kapazität).")
    save_csv(result.je_planungsraum.reset_index(), args.csv)
    return 0


def _sites(args: argparse.Namespace) -> int:
    import time

    from layers.kandidaten import read_candidate_table
    from planungsraeume.darstellung import points_table, site_area_table, site_table
    from planungsraeume.versorgung import suggest_sites

    started = time.perf_counter()
    region, frage = open_region(args.region, network=True), question(args, typ=args.typ)
    own = (read_candidate_table(args.kandidaten, crs=region.crs, region=region.layer("region"))
           if args.kandidaten else None)
    plan = suggest_sites(region, frage, args.anzahl, modell=args.modell, kandidaten=own,
                         nachfrage=DEMAND[args.nachfrage])
    result = plan.vorschlag
    whom = "Menschen ab 65 Jahren" if args.nachfrage == "65plus" else "Einwohner"
    print(f"Standortvorschlag: {args.anzahl} weitere Angebote {args.typ}, Profil "
          f"{frage.profile_label()}, {de_number(frage.minuten, 0)} Minuten, Modell {result.modell}")
    print(f"Verfahren: {result.verfahren}; Rechenzeit gesamt "
          f"{de_number(time.perf_counter() - started, 1)} s")
    print_table(site_table(plan))
    print(f"{whom} innerhalb von {de_number(frage.minuten, 0)} Minuten: vorher "
          f"{de_number(result.versorgt_vorher)}, nachher {de_number(result.versorgt_nachher)} "
          f"({_signed(result.versorgt_nachher - result.versorgt_vorher)}) von "
          f"{de_number(result.nachfrage_gesamt)}.")
    for note in result.hinweise:
        print(f"Hinweis: {note}")
    per_area = site_area_table(plan)
    if len(per_area):
        print("Neu versorgte Einwohner je Planungsraum:")
        print_table(per_area)
    save_csv(points_table(plan.standorte), args.csv, "Vorschläge")
    return 0


def _signed(value: float, decimals: int = 0) -> str:
    from planungsraeume.darstellung import format_value

    return format_value(value, decimals, signed=True)


def _candidates(args: argparse.Namespace) -> int:
    from layers.kandidaten import candidate_sites_from_store
    from planungsraeume.darstellung import points_table, write_csv

    table = points_table(candidate_sites_from_store(open_region(args.region, network=True).store))
    write_csv(table, args.out)
    print(f"{len(table)} Kandidatenstandorte nach {args.out} geschrieben.")
    return 0


def register(sub: Subparsers) -> None:
    """Add ``standorte``, ``2sfca`` and ``kandidaten``."""
    sites = sub.add_parser(
        "standorte", help="Standortvorschläge für weitere Angebote (MCLP, p-Median) auf dem Wegenetz"
    )
    add_region_option(sites)
    sites.add_argument("--typ", required=True, help="Angebotstyp, z. B. EUTB")
    add_network_options(sites)
    sites.add_argument("--anzahl", "--k", type=int, default=3, dest="anzahl",
                       help="Zahl der zusätzlichen Angebote (Standard 3)")
    sites.add_argument("--modell", choices=["mclp", "p-median"], default="mclp",
                       help="mclp: möglichst viele neu versorgt; p-median: kürzeste Wege")
    sites.add_argument("--kandidaten", help="eigene Kandidatenliste (CSV/XLSX mit Name und "
                       "Koordinaten); Standard: öffentliche Gebäude der Region")
    sites.add_argument("--nachfrage", choices=list(DEMAND), default="einwohner",
                       help="wessen Versorgung zählt (Standard: alle Einwohner)")
    sites.add_argument("--csv", help="Vorschläge zusätzlich als CSV speichern")
    sites.set_defaults(handler=_sites)

    access = sub.add_parser(
        "2sfca", help="Angebot je Nachfrage (2SFCA/E2SFCA) je Planungsraum auf dem Wegenetz"
    )
    add_region_option(access)
    access.add_argument("--typ", action="append", required=True, metavar="TYP",
                        help="Angebotstyp (mehrfach möglich)")
    add_network_options(access, minutes=30.0)
    access.add_argument("--abnahme", choices=DECAY_CHOICES, default="keine",
                        help="Distanzabnahme: keine (2SFCA), stufen oder gauss (E2SFCA)")
    access.add_argument("--nachfrage", choices=list(DEMAND), default="einwohner")
    access.add_argument("--csv", help="Tabelle zusätzlich als CSV speichern")
    access.set_defaults(handler=_accessibility)

    candidates = sub.add_parser(
        "kandidaten", help="Kandidatenstandorte für neue Angebote als CSV ausgeben"
    )
    add_region_option(candidates)
    candidates.add_argument("--out", required=True, help="CSV-Datei")
    candidates.set_defaults(handler=_candidates)

