"""The service directory on the command line: ``import angebote``, ``export angebote``."""

from __future__ import annotations

import argparse

from cli.common import Subparsers, command_group, open_region, print_problems, save_csv, sheet
from layers import settings
from layers.errors import SozialraumError

__all__ = ["register"]


def _import(args: argparse.Namespace) -> int:
    from layers.angebote.importer import check_services_file, import_services
    from planungsraeume.darstellung import problem_table

    store = open_region(args.region, build=True).store
    options = {"crs": args.crs, "blatt": sheet(args.blatt), "ebene": args.ebene,
               "bestehende": args.vorhandene}
    try:
        report = (check_services_file(store, args.datei, **options) if args.pruefen
                  else import_services(store, args.datei, modus=args.modus, **options))
    except SozialraumError as exc:
        if exc.probleme:
            save_csv(problem_table(exc.probleme), args.bericht, "Bericht")
        raise
    print(report.zusammenfassung())
    print_problems(report.probleme)
    save_csv(report.tabelle(), args.bericht, "Bericht")
    if args.pruefen:
        print("Nur geprüft, nichts gespeichert (ohne --pruefen wird importiert).")
    return 0


def _export(args: argparse.Namespace) -> int:
    from layers.angebote.export import export_services

    store = open_region(args.region, build=True).store
    path = export_services(store, args.out, fmt=args.format, nur_aktive=args.nur_aktive)
    print(f"Angebotsverzeichnis geschrieben: {path}")
    return 0


def register(sub: Subparsers) -> None:
    """Add ``import angebote`` and ``export angebote``."""
    imports = command_group(sub, "import", "eigene Daten importieren")
    services = imports.add_parser(
        "angebote", help="Angebotsverzeichnis importieren (CSV, XLSX, GeoJSON, GPKG, SHP)")
    services.add_argument("datei", help="die Datei mit den Angeboten")
    services.add_argument("--region", default=settings.default_region)
    services.add_argument("--crs", help="CRS der Koordinaten, z. B. EPSG:25832 für "
                          "Rechtswert/Hochwert (lat/lon ist immer WGS 84)")
    services.add_argument("--modus", choices=["alles", "gueltige"], default="alles",
                          help="alles: alles oder nichts (Standard); gueltige: nur gültige Zeilen")
    services.add_argument("--blatt", help="Tabellenblatt einer XLSX-Datei (Name oder Nummer ab 0)")
    services.add_argument("--ebene", help="Ebene eines GeoPackage mit mehreren Ebenen")
    services.add_argument("--vorhandene", choices=["fehler", "aktualisieren"], default="fehler",
                          help="was mit Angeboten geschieht, deren ID es schon gibt")
    services.add_argument("--pruefen", action="store_true", help="nur prüfen, nichts speichern")
    services.add_argument("--bericht", help="Prüfbericht als CSV schreiben")
    services.set_defaults(handler=_import)

    exports = command_group(sub, "export", "Daten exportieren")
    out = exports.add_parser("angebote", help="Angebotsverzeichnis exportieren")
    out.add_argument("--format", choices=["gpkg", "geojson", "csv"],
                     help="Format (Standard: aus der Dateiendung)")
    out.add_argument("--out", required=True, help="Zieldatei")
    out.add_argument("--region", default=settings.default_region)
    out.add_argument("--nur-aktive", action="store_true", help="ohne stillgelegte Angebote")
    out.set_defaults(handler=_export)
