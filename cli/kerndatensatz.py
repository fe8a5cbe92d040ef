"""The Kerndatensatz on the command line: ``export kerndatensatz``, ``import kerndatensatz``.

``export`` writes the long table (CSV, XLSX) and its data dictionary into a folder
(:func:`planungsraeume.kerndatensatz.datei.export_region`); ``import`` reads a Kerndatensatz file
back (losslessly), checks it and prints what it holds.
"""

from __future__ import annotations

import argparse

from cli.common import Subparsers, command_group, open_region, print_table
from layers import settings

__all__ = ["register"]


def _export(args: argparse.Namespace) -> int:
    from planungsraeume.kerndatensatz.datei import export_region

    files = export_region(open_region(args.region, build=True), args.out)
    print(files.summary())
    return 0


def _import(args: argparse.Namespace) -> int:
    from planungsraeume.kerndatensatz.datei import contents_table, read_kerndatensatz

    frame = read_kerndatensatz(args.datei)
    print(f"Kerndatensatz gelesen: {len(frame)} Zeilen, "
          f"{frame['indikator'].nunique()} Kennzahlen.")
    print_table(contents_table(frame))
    return 0


def register(sub: Subparsers) -> None:
    """Add ``export kerndatensatz`` and ``import kerndatensatz``."""
    exports = command_group(sub, "export", "Daten exportieren")
    out = exports.add_parser(
        "kerndatensatz", help="Kerndatensatz (alle Kennzahlen je Planungsraum und Jahr) mit "
        "Datenlexikon als CSV und XLSX schreiben")
    out.add_argument("--region", default=settings.default_region)
    out.add_argument("--out", required=True, help="Zielordner")
    out.set_defaults(handler=_export)

    imports = command_group(sub, "import", "eigene Daten importieren")
    imp = imports.add_parser("kerndatensatz",
                             help="Kerndatensatz (CSV oder XLSX) einlesen und prüfen")
    imp.add_argument("datei", help="die CSV- oder XLSX-Datei des Kerndatensatzes")
    imp.set_defaults(handler=_import)
