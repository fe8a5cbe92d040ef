"""Barrier reports on the command line: ``barrieren import|hotspots|planungsraeume``.

Everything printed or written passes the one disclosure gate (:func:`analyses.privacy.publish`,
through :mod:`planungsraeume.barrieren`); ``--intern`` needs a reason and marks every output.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.common import Subparsers, open_region, parse_date, save_csv
from layers import settings

if TYPE_CHECKING:
    from analyses.privacy import BarrierFilter, DisclosureRule

__all__ = ["register"]


def _filter(args: argparse.Namespace) -> BarrierFilter:
    from analyses.privacy import BarrierFilter

    return BarrierFilter(
        kapitel=tuple(args.kapitel or ()),
        codes=tuple(args.code or ()),
        art=args.art,
        min_schweregrad=args.min_schwere,
        beeintraechtigung=tuple(args.gruppe or ()),
        von=parse_date(args.von, "--von"),
        bis=parse_date(args.bis, "--bis"),
    )


def _rule(args: argparse.Namespace) -> DisclosureRule:
    from analyses.privacy import DisclosureRule

    if args.intern:
        return DisclosureRule.intern(begruendung=args.intern)
    return DisclosureRule.oeffentlich()


def _import(args: argparse.Namespace) -> int:
    from layers.barrieren import import_barriers

    result = import_barriers(args.datei, args.region, coordinate_crs=args.crs,
                             quelle=args.quelle, dry_run=args.pruefen)
    print(result.summary())
    return 0


def _hotspots(args: argparse.Namespace) -> int:
    from planungsraeume.barrieren import hotspot_outputs

    files = hotspot_outputs(open_region(args.region), args.zelle, args.out,
                            barrier_filter=_filter(args), rule=_rule(args),
                            bandwidth_m=args.bandbreite)
    print(files.summary())
    return 0


def _areas(args: argparse.Namespace) -> int:
    from planungsraeume.barrieren import area_summaries, publication
    from planungsraeume.darstellung import barrier_area_table

    region = open_region(args.region)
    pub = publication(region, barrier_filter=_filter(args), rule=_rule(args))
    summaries = area_summaries(region, pub, top=3)
    for summary in summaries:
        print(summary.text())
    print(f"Geheimhaltung: {pub.rule.kennzeichnung}")
    save_csv(barrier_area_table(summaries), args.csv)
    return 0


def _add_filter(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", default=settings.default_region)
    parser.add_argument("--art", default="barrieren",
                        choices=["barrieren", "foerderfaktoren", "alle"])
    parser.add_argument("--kapitel", action="append", help="ICF-Kapitel, z. B. e1")
    parser.add_argument("--code", action="append", help="ICF-Code, z. B. e150")
    parser.add_argument("--gruppe", action="append", help="Beeinträchtigungsgruppe")
    parser.add_argument("--min-schwere", type=int, default=None, choices=[1, 2, 3, 4])
    parser.add_argument("--von", default=None, help="Datum JJJJ-MM-TT")
    parser.add_argument("--bis", default=None, help="Datum JJJJ-MM-TT")
    parser.add_argument("--intern", metavar="BEGRÜNDUNG", default=None,
                        help="interner Modus (mind. 3 Personen, ungerundet); nur mit "
                        "Begründung, Ausgaben werden als INTERN gekennzeichnet")


def register(sub: Subparsers) -> None:
    """Add ``barrieren import``, ``barrieren hotspots`` and ``barrieren planungsraeume``."""
    barrier = sub.add_parser("barrieren", help="ICF-Barrieremeldungen importieren und auswerten")
    commands = barrier.add_subparsers(dest="barrieren_befehl", required=True)

    imp = commands.add_parser("import", help="Barrieremeldungen aus CSV/XLSX importieren")
    imp.add_argument("datei", help="CSV- oder XLSX-Datei mit einer Meldung je Zeile")
    imp.add_argument("--region", default=settings.default_region)
    imp.add_argument("--crs", default=None, help="KBS der Spalten x/y, z. B. EPSG:25832")
    imp.add_argument("--quelle", default="import", help="Quelle, wenn die Datei keine nennt")
    imp.add_argument("--pruefen", action="store_true", help="nur prüfen, nichts speichern")
    imp.set_defaults(handler=_import)

    hot = commands.add_parser("hotspots", help="Gitter, Gi*-Hotspots und Dichtefläche")
    _add_filter(hot)
    hot.add_argument("--zelle", type=int, default=250, choices=[100, 250, 500, 1000])
    hot.add_argument("--out", required=True, help="Ausgabeverzeichnis")
    hot.add_argument("--bandbreite", type=float, default=None, help="Kernbandbreite in m")
    hot.set_defaults(handler=_hotspots)

    areas = commands.add_parser("planungsraeume", help="Kennzahlen je Planungsraum")
    _add_filter(areas)
    areas.add_argument("--csv", default=None,
                       help="Tabelle je Planungsraum zusätzlich als CSV speichern")
    areas.set_defaults(handler=_areas)
