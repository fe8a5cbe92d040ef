"""The Steckbrief on the command line: ``report`` (PDF and HTML of every planning area)."""

from __future__ import annotations

import argparse

from cli.common import Subparsers, add_region_option, open_region

__all__ = ["register"]


def _report(args: argparse.Namespace) -> int:
    from planungsraeume.steckbrief import DEFAULT_COVERAGE, CoverageChoice, write_reports

    choice = CoverageChoice(
        typen=tuple(args.typ) if args.typ else None,
        profile=tuple(args.profil) if args.profil else DEFAULT_COVERAGE.profile,
        minuten=args.minuten,
    )
    other = open_region(args.vergleichsregion) if args.vergleichsregion else None
    written = write_reports(open_region(args.region), args.out,
                            pr_ids=args.planungsraum or None, formats=args.format,
                            coverage_choice=choice, vergleichsregion=other)
    reports = [p for p in written if p.name != "index.html"]
    print(f"{len(reports)} Dateien geschrieben nach {args.out} (Übersicht: index.html).")
    return 0


def register(sub: Subparsers) -> None:
    """Add ``report``."""
    report = sub.add_parser("report", help="Planungsraum-Steckbriefe als PDF und HTML schreiben")
    add_region_option(report)
    report.add_argument("--out", required=True, help="Ausgabeverzeichnis")
    report.add_argument("--planungsraum", action="append", metavar="PR_ID",
                        help="nur diesen Planungsraum (mehrfach möglich)")
    report.add_argument("--format", nargs="+", choices=["pdf", "html"], default=["pdf", "html"],
                        help="Ausgabeformate (Standard: pdf html)")
    report.add_argument("--typ", action="append", metavar="TYP",
                        help="Angebotstyp im Abschnitt Erreichbarkeit (mehrfach möglich; "
                        "Standard: alle Beratungstypen der Region)")
    report.add_argument("--profil", action="append", metavar="PROFIL",
                        help="Profil im Abschnitt Erreichbarkeit (mehrfach möglich; Standard: "
                        "fuss und rollstuhl)")
    report.add_argument("--minuten", type=float, default=15.0,
                        help="Zeitschwelle im Abschnitt Erreichbarkeit (Standard 15)")
    report.add_argument("--vergleichsregion", metavar="REGION",
                        help="eine zweite Region, deren Kennzahlen neben dem Planungsraum und "
                        "seiner Region stehen (z. B. aachen)")
    report.set_defaults(handler=_report)
