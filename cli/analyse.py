"""Reachability on the command line: ``analyse erreichbarkeit``, ``analyse oev-gueteklassen``."""

from __future__ import annotations

import argparse

from cli.common import (
    UNKNOWN_CHOICES,
    Subparsers,
    add_region_option,
    open_region,
    parse_filter,
    print_table,
    question,
    save_csv,
)
from layers.errors import ConfigError
from layers.formatting import de_number

__all__ = ["register"]


def _reachability(args: argparse.Namespace) -> int:
    from analyses.network.search import describe_selection
    from planungsraeume.darstellung import coverage_table
    from planungsraeume.erreichbarkeit import coverage

    frage = question(args, typ=args.typ, filter=parse_filter(args.filter))
    table = coverage(open_region(args.region, network=True), frage, [frage.minuten],
                     max_anbindung_m=args.max_anbindung)
    print(f"Erreichbarkeit: {describe_selection(frage.typ, frage.filter)} – Profil "
          f"'{frage.profil}' ({frage.profile_label()}), fehlende Angaben {frage.unbekannt}, "
          f"Schwelle {de_number(frage.minuten, 0)} Minuten")
    off = table.attrs.get("nicht_angebundene_ziele") or []
    if off:
        print(f"Hinweis: {len(off)} Angebote liegen nicht am Wegenetz: {'; '.join(off)}")
    print_table(coverage_table(table, frage.minuten))
    save_csv(table, args.csv)
    return 0


def _transit(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung import class_table
    from planungsraeume.erreichbarkeit import quality_class_by_area, transit_stations

    region = open_region(args.region, network=True)
    if region.config.gtfs is None and not args.gtfs:
        raise ConfigError(
            f"Für die Region '{args.region}' ist kein GTFS-Fahrplan hinterlegt.",
            hinweis="Tragen Sie [quellen] gtfs = \"…zip\" in die Regionskonfiguration ein oder "
            "geben Sie --gtfs DATEI an.",
        )
    window = (args.gtfs, args.datum, args.von, args.bis)
    stations = transit_stations(region, *window)
    print(f"ÖV-Güteklassen – Fahrplan {args.gtfs or region.config.gtfs}, Tag "
          f"{stations.attrs.get('datum')}, {stations.attrs.get('von')}–{stations.attrs.get('bis')}"
          f" Uhr, Distanz: {args.distanz}")
    counts = stations["kategorie_roemisch"].fillna("ohne").value_counts()
    print("Haltestellen je Kategorie: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    shares = quality_class_by_area(region, *window, distanz=args.distanz, profil=args.profil,
                                   unbekannt=args.unbekannt)
    label = "Einwohner" if shares.attrs.get("quelle") == "bevoelkerung" else "Adressen"
    print_table(class_table(shares, "Güteklasse", label))
    return 0


def register(sub: Subparsers) -> None:
    """Add ``analyse erreichbarkeit`` and ``analyse oev-gueteklassen``."""
    analyse = sub.add_parser("analyse", help="Analysen: Erreichbarkeit, ÖV-Güteklassen")
    commands = analyse.add_subparsers(dest="analyse", required=True)

    reach = commands.add_parser(
        "erreichbarkeit",
        help="Versorgungsgrad je Planungsraum: Anteil der Bevölkerung, die ein Angebot in "
        "einer Zeit erreicht",
    )
    add_region_option(reach)
    reach.add_argument("--profil", default="fuss",
                       help="Fortbewegungsprofil: fuss, senior, rollator, rollstuhl")
    reach.add_argument("--typ", default=None, help="Angebotstyp, z. B. EUTB (ohne: alle)")
    reach.add_argument("--minuten", type=float, default=15.0, help="Zeitschwelle in Minuten")
    reach.add_argument("--filter", action="append", metavar="SPALTE=WERT",
                       help="Merkmal der Angebote, z. B. stufenloser_zugang=ja (mehrfach möglich)")
    reach.add_argument("--unbekannt", choices=UNKNOWN_CHOICES, default=None,
                       help="Umgang mit fehlenden Wegeangaben (Standard: data/profile.toml)")
    reach.add_argument("--max-anbindung", type=float, default=250.0,
                       help="größter Abstand zum Wegenetz in Metern")
    reach.add_argument("--stichtag", default=None,
                       help="Tag, an dem die Angebote gelten (JJJJ-MM-TT; Standard: heute)")
    reach.add_argument("--csv", default=None, help="Tabelle zusätzlich als CSV speichern")
    reach.set_defaults(handler=_reachability)

    transit = commands.add_parser("oev-gueteklassen", help="ÖV-Güteklassen aus einem GTFS-Fahrplan")
    add_region_option(transit)
    transit.add_argument("--gtfs", default=None, help="GTFS-ZIP (Standard: aus der Region)")
    transit.add_argument("--datum", default=None,
                         help="Stichtag JJJJ-MM-TT (Standard: ein Dienstag)")
    transit.add_argument("--von", default=None, help="Beginn des Zeitfensters (Standard 06:00)")
    transit.add_argument("--bis", default=None, help="Ende des Zeitfensters (Standard 20:00)")
    transit.add_argument("--distanz", choices=["netz", "luftlinie"], default="netz",
                         help="Fußweg im Netz oder Luftlinie")
    transit.add_argument("--profil", default="fuss", help="Fortbewegungsprofil für die Fußwege")
    transit.add_argument("--unbekannt", choices=UNKNOWN_CHOICES, default=None)
    transit.set_defaults(handler=_transit)
