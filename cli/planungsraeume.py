"""Planning areas on the command line: ``planungsraeume import|zuordnung|pruefen|tabelle|
kennzahlen``.

``import`` and ``zuordnung`` never guess the key column: a file with several candidate columns
(e.g. ``Planungsraum`` with names and ``PR_Nr``) is refused with the candidates named, until
``--schluessel`` / ``--raum-spalte`` says which one holds the area number.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import (
    Subparsers,
    command_group,
    open_region,
    parse_date,
    print_problems,
    print_table,
    save_csv,
    sheet,
)
from layers import settings

__all__ = ["register"]


def _finish(region: Any, areas: Any, only_check: bool) -> int:
    """Check (``--pruefen``) or save imported areas and print the findings."""
    from layers.planungsraeume.checks import (
        check_planning_areas,
        region_boundary_of,
        save_planning_areas,
    )

    if only_check:
        result = check_planning_areas(areas, region_boundary_of(region.store))
        print(f"{len(areas)} Planungsräume geprüft: {result.summary()}")
        print_problems(result.probleme)
        return 0 if result.ok else 1
    result = save_planning_areas(region.store, areas)
    print(f"{len(areas)} Planungsräume gespeichert: {result.summary()}")
    print_problems(result.probleme)
    return 0


def _import(args: argparse.Namespace) -> int:
    from layers.planungsraeume.define import read_planning_areas

    region = open_region(args.region, build=True)
    areas = read_planning_areas(args.datei, crs=region.crs, schluessel=args.schluessel,
                                name=args.name, ebene=args.ebene, datei_crs=args.crs,
                                reparieren=args.reparieren)
    return _finish(region, areas, args.pruefen)


def _assign(args: argparse.Namespace) -> int:
    from layers.planungsraeume.gemeinden import areas_from_municipalities, read_municipalities

    region = open_region(args.region, build=True)
    gemeinden = (read_municipalities(args.gemeinden, crs=region.crs, ags_praefix=args.ags_praefix)
                 if args.gemeinden else region.layer("gemeinden"))
    areas = areas_from_municipalities(args.tabelle, gemeinden, ags_spalte=args.ags_spalte,
                                      raum_spalte=args.raum_spalte, name_spalte=args.name_spalte,
                                      blatt=sheet(args.blatt))
    print_problems(areas.attrs.get("probleme", []))
    return _finish(region, areas, args.pruefen)


def _check(args: argparse.Namespace) -> int:
    from layers.planungsraeume.checks import check_planning_areas, region_boundary_of

    region = open_region(args.region, build=True)
    areas = region.layer("planungsraeume")
    result = check_planning_areas(areas, region_boundary_of(region.store))
    print(f"{len(areas)} Planungsräume: {result.summary()}")
    print_problems(result.probleme)
    return 0 if result.ok else 1


def _table(args: argparse.Namespace) -> int:
    from pathlib import Path

    from layers.planungsraeume.tabellen import join_table, save_user_indicators

    region = open_region(args.region, build=True)
    result = join_table(region.layer("planungsraeume"), args.datei, schluessel_spalte=args.spalte,
                        blatt=sheet(args.blatt))
    print(result.summary())
    print_problems(result.probleme)
    if args.speichern:
        save_user_indicators(region.store, result, quelle=Path(args.datei).name)
        print("Kennzahlen in 'nutzer_kennzahlen' gespeichert.")
    return 0


def _indicators(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung import indicator_long_table, indicator_summary, indicator_table
    from planungsraeume.indikatoren import indicators

    long = indicators(open_region(args.region, build=True), stichtag=parse_date(args.stichtag))
    if args.out:
        save_csv(indicator_long_table(long) if args.lang else indicator_table(long), args.out,
                 "Kennzahlen")
    print_table(indicator_summary(long, ["Bevölkerung", "Barrierefreiheit"]))
    return 0


def _add_import(areas: Subparsers) -> None:
    imp = areas.add_parser("import", help="Planungsräume aus einer Flächendatei übernehmen")
    imp.add_argument("datei", help="GeoJSON, GeoPackage oder Shapefile")
    imp.add_argument("--region", default=settings.default_region)
    imp.add_argument("--schluessel", help="Spalte mit der Planungsraum-Nummer (nötig, wenn "
                     "mehrere Spalten in Frage kommen)")
    imp.add_argument("--name", help="Spalte mit dem Namen")
    imp.add_argument("--ebene", help="Ebene eines GeoPackage")
    imp.add_argument("--crs", help="CRS einer Datei ohne eigene Angabe (Shapefile ohne .prj)")
    imp.add_argument("--reparieren", action="store_true",
                     help="ungültige Flächen reparieren statt ablehnen")
    imp.add_argument("--pruefen", action="store_true", help="nur prüfen, nichts speichern")
    imp.set_defaults(handler=_import)

    assign = areas.add_parser("zuordnung",
                              help="Planungsräume aus einer Tabelle Gemeinde (AGS) → Planungsraum")
    assign.add_argument("tabelle", help="CSV/XLSX mit AGS und Planungsraum-Nummer")
    assign.add_argument("--region", default=settings.default_region)
    assign.add_argument("--gemeinden", help="Gemeindegrenzen (Standard: Ebene 'gemeinden')")
    assign.add_argument("--ags-praefix", help="nur Gemeinden mit diesem AGS-Anfang")
    assign.add_argument("--ags-spalte", help="Spalte mit dem Gemeindeschlüssel (AGS)")
    assign.add_argument("--raum-spalte", help="Spalte mit der Planungsraum-Nummer (nötig, wenn "
                        "mehrere Spalten in Frage kommen)")
    assign.add_argument("--name-spalte", help="Spalte mit dem Namen des Planungsraums")
    assign.add_argument("--blatt", help="Tabellenblatt einer XLSX-Datei")
    assign.add_argument("--pruefen", action="store_true", help="nur prüfen, nichts speichern")
    assign.set_defaults(handler=_assign)


def register(sub: Subparsers) -> None:
    """Add ``planungsraeume import|zuordnung|pruefen|tabelle|kennzahlen``."""
    areas = command_group(sub, "planungsraeume", "Planungsräume festlegen, prüfen, auswerten")
    _add_import(areas)

    check = areas.add_parser("pruefen", help="gespeicherte Planungsräume prüfen (Lücken, "
                             "Überlappungen)")
    check.add_argument("--region", default=settings.default_region)
    check.set_defaults(handler=_check)

    table = areas.add_parser("tabelle", help="Kennzahlentabelle (CSV/XLSX) per Schlüssel "
                             "verknüpfen")
    table.add_argument("datei")
    table.add_argument("--region", default=settings.default_region)
    table.add_argument("--spalte", help="Schlüsselspalte der Tabelle (Standard: erkannt)")
    table.add_argument("--blatt")
    table.add_argument("--speichern", action="store_true",
                       help="als eigene Kennzahlen im Regionsspeicher ablegen")
    table.set_defaults(handler=_table)

    indicators = areas.add_parser("kennzahlen", help="Kennzahlen je Planungsraum berechnen")
    indicators.add_argument("--region", default=settings.default_region)
    indicators.add_argument("--out", help="CSV-Datei (Semikolon, für Excel)")
    indicators.add_argument("--lang", action="store_true",
                            help="Langformat (eine Zeile je Planungsraum und Kennzahl)")
    indicators.add_argument("--stichtag", help="Stichtag für aktive Angebote (JJJJ-MM-TT)")
    indicators.set_defaults(handler=_indicators)
