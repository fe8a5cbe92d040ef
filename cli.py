"""Command line of Sozialraum-Atlas: ``sozialraum <command>``.

Each command is a few lines over a package function. Errors a user can fix are printed in German
(without a traceback) and end the program with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from layers import settings
from layers.errors import SozialraumError

Handler = Callable[[argparse.Namespace], int]


def _cmd_build(args: argparse.Namespace) -> int:
    from planungsraeume.build import build_region

    result = build_region(args.region, force=args.force)
    print(result.summary())
    return 0


def _cmd_regions(args: argparse.Namespace) -> int:
    from layers.regions import available_regions, load_region

    for name in available_regions():
        config = load_region(name)
        print(f"{name:<14} {config.titel} ({config.crs.to_string()})")
    return 0


def _cmd_download(args: argparse.Namespace) -> int:
    from layers import sources

    written = sources.download()
    for path in written:
        print(f"geladen: {path}")
    missing = sources.missing_sources()
    if missing:
        print(sources.instructions())
        return 1
    print("Alle Referenzdaten vorhanden.")
    return 0


# ---- barrier reports (issue #5) -----------------------------------------------------------


def _barrier_filter(args: argparse.Namespace) -> object:
    from datetime import date

    from analyses.privacy import BarrierFilter

    return BarrierFilter(
        kapitel=tuple(args.kapitel or ()),
        codes=tuple(args.code or ()),
        art=args.art,
        min_schweregrad=args.min_schwere,
        beeintraechtigung=tuple(args.gruppe or ()),
        von=date.fromisoformat(args.von) if args.von else None,
        bis=date.fromisoformat(args.bis) if args.bis else None,
    )


def _barrier_rule(args: argparse.Namespace) -> object:
    from analyses.privacy import DisclosureRule

    if args.intern:
        return DisclosureRule.intern(begruendung=args.intern)
    return DisclosureRule.oeffentlich()


def _cmd_barrieren_import(args: argparse.Namespace) -> int:
    from layers.barrieren import import_barriers

    result = import_barriers(args.datei, args.region, coordinate_crs=args.crs,
                             quelle=args.quelle, dry_run=args.pruefen)
    print(result.summary())
    return 0


def _cmd_barrieren_hotspots(args: argparse.Namespace) -> int:
    from planungsraeume.barrieren import hotspot_outputs

    files = hotspot_outputs(
        args.region, args.zelle, args.out,
        barrier_filter=_barrier_filter(args),  # type: ignore[arg-type]
        rule=_barrier_rule(args),  # type: ignore[arg-type]
        bandwidth_m=args.bandbreite,
    )
    print(files.summary())
    return 0


def _cmd_barrieren_planungsraeume(args: argparse.Namespace) -> int:
    from planungsraeume.barrieren import area_summaries, publication

    pub = publication(args.region, barrier_filter=_barrier_filter(args),  # type: ignore[arg-type]
                      rule=_barrier_rule(args))  # type: ignore[arg-type]
    for summary in area_summaries(pub, top=3):
        print(summary.text())
    print(f"Geheimhaltung: {pub.rule.kennzeichnung}")
    return 0


def _add_barrier_commands(sub: argparse._SubParsersAction) -> None:
    barrier = sub.add_parser("barrieren", help="ICF-Barrieremeldungen importieren und auswerten")
    barrier_sub = barrier.add_subparsers(dest="barrieren_befehl", required=True)

    imp = barrier_sub.add_parser("import", help="Barrieremeldungen aus CSV/XLSX importieren")
    imp.add_argument("datei", help="CSV- oder XLSX-Datei mit einer Meldung je Zeile")
    imp.add_argument("--region", default=settings.default_region)
    imp.add_argument("--crs", default=None, help="KBS der Spalten x/y, z. B. EPSG:25832")
    imp.add_argument("--quelle", default="import", help="Quelle, wenn die Datei keine nennt")
    imp.add_argument("--pruefen", action="store_true", help="nur prüfen, nichts speichern")
    imp.set_defaults(handler=_cmd_barrieren_import)

    def add_filter(parser: argparse.ArgumentParser) -> None:
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

    hot = barrier_sub.add_parser("hotspots", help="Gitter, Gi*-Hotspots und Dichtefläche")
    add_filter(hot)
    hot.add_argument("--zelle", type=int, default=250, choices=[100, 250, 500, 1000])
    hot.add_argument("--out", required=True, help="Ausgabeverzeichnis")
    hot.add_argument("--bandbreite", type=float, default=None, help="Kernbandbreite in m")
    hot.set_defaults(handler=_cmd_barrieren_hotspots)

    areas = barrier_sub.add_parser("planungsraeume", help="Kennzahlen je Planungsraum")
    add_filter(areas)
    areas.set_defaults(handler=_cmd_barrieren_planungsraeume)


# ---- end of barrier reports ----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="sozialraum",
        description="Sozialraum-Atlas: Planungsräume, Beratungslandschaft, Barrieren und "
        "Erreichbarkeit.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="Region aus ihrer Konfiguration in den Cache bauen")
    build.add_argument("--region", default=settings.default_region, help="Regionsname")
    build.add_argument("--force", action="store_true", help="auch ohne Änderung neu bauen")
    build.set_defaults(handler=_cmd_build)

    regions = sub.add_parser("regionen", help="konfigurierte Regionen auflisten")
    regions.set_defaults(handler=_cmd_regions)

    download = sub.add_parser(
        "daten-laden", help="Referenzdaten mit fester Adresse herunterladen (einmalig, optional)"
    )
    download.set_defaults(handler=_cmd_download)
    _add_barrier_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sozialraum`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except SozialraumError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
