"""Planning areas on the command line: ``planungsraeume import|zuordnung|pruefen|tabelle|
kennzahlen|entwicklung|vergleich``.

``entwicklung`` prints one indicator per area and year and its change since a base year;
``vergleich`` two or more areas side by side (both from :mod:`planungsraeume.zeitreihe`).

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
                        blatt=sheet(args.blatt), jahr_spalte=args.jahr_spalte)
    print(result.summary())
    print_problems(result.probleme)
    if args.speichern:
        save_user_indicators(region.store, result, quelle=Path(args.datei).name)
        print("Kennzahlen in 'nutzer_kennzahlen' gespeichert.")
    return 0


def _indicators(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung import indicator_long_table, indicator_summary, indicator_table
    from planungsraeume.indikatoren import indicators, year_day

    long = indicators(open_region(args.region, build=True), stichtag=parse_date(args.stichtag),
                      jahr=args.jahr)
    if args.jahr is not None:
        print(f"Kennzahlen für {args.jahr} (Einwohner {_year_of(long, 'einwohner')}, Angebote "
              f"am Stichtag {parse_date(args.stichtag) or year_day(args.jahr):%d.%m.%Y}).")
    if args.out:
        save_csv(indicator_long_table(long) if args.lang else indicator_table(long), args.out,
                 "Kennzahlen")
    print_table(indicator_summary(long, ["Bevölkerung", "Barrierefreiheit"]))
    return 0


def _year_of(long: Any, kennzahl: str) -> str:
    rows = long[long["kennzahl"] == kennzahl]
    return str(rows["jahr"].iloc[0]) if len(rows) and rows["jahr"].notna().any() else "ohne Jahr"


def _trend(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung import trend_change_table, trend_table
    from planungsraeume.zeitreihe import change, trend

    region = open_region(args.region, build=True)
    table = trend(region, args.kennzahl, jahre=args.jahre)
    if args.planungsraum:
        table = table[table["pr_id"].astype(str).isin(args.planungsraum)]
    label, unit = table["bezeichnung"].iloc[0], str(table["einheit"].iloc[0])
    years = sorted(set(table["jahr"]))
    print(f"Entwicklung: {label} ({unit}), {years[0]}–{years[-1]}, je Planungsraum und Region.")
    print_table(trend_table(table))
    if len(years) > 1:
        delta = change(table, args.basisjahr, args.bis)
        print()
        print(f"Veränderung {int(delta['basisjahr'].iloc[0])}–{int(delta['jahr'].iloc[0])}:")
        print_table(trend_change_table(delta, unit))
        save_csv(trend_change_table(delta, unit), args.veraenderung_out, "Veränderung")
    save_csv(trend_table(table), args.out, "Entwicklung")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from planungsraeume.darstellung import area_comparison_table
    from planungsraeume.indikatoren import indicators
    from planungsraeume.zeitreihe import compare_areas

    region = open_region(args.region, build=True)
    long = indicators(region, jahr=args.jahr)
    table = area_comparison_table(compare_areas(long, args.planungsraum))
    if args.bereich:
        table = table[table["Bereich"].isin(args.bereich)]
    print_table(table.drop(columns=["Bereich"]))
    save_csv(table, args.out, "Vergleich")
    return 0


def _add_time(areas: Subparsers) -> None:
    trend = areas.add_parser("entwicklung", help="eine Kennzahl je Planungsraum über die Jahre")
    trend.add_argument("--region", default=settings.default_region)
    trend.add_argument("--kennzahl", default="anteil_65_plus",
                       help="Schlüssel der Kennzahl (Standard: anteil_65_plus)")
    trend.add_argument("--jahre", type=int, nargs="+",
                       help="Jahre (Standard: alle Jahre mit Einwohnerzahlen)")
    trend.add_argument("--planungsraum", nargs="+", help="nur diese Planungsräume")
    trend.add_argument("--basisjahr", type=int, help="Basisjahr der Veränderung (Standard: "
                       "erstes Jahr)")
    trend.add_argument("--bis", type=int, help="Vergleichsjahr (Standard: letztes Jahr)")
    trend.add_argument("--out", help="CSV-Datei der Werte je Jahr")
    trend.add_argument("--veraenderung-out", help="CSV-Datei der Veränderung")
    trend.set_defaults(handler=_trend)

    compare = areas.add_parser("vergleich", help="zwei oder mehr Planungsräume nebeneinander")
    compare.add_argument("--region", default=settings.default_region)
    compare.add_argument("--planungsraum", nargs="+", required=True,
                         help="Nummern der Planungsräume (mindestens zwei)")
    compare.add_argument("--jahr", type=int, help="Jahr der Kennzahlen (Standard: aktuell)")
    compare.add_argument("--bereich", nargs="+", help="nur diese Bereiche (z. B. Bevölkerung)")
    compare.add_argument("--out", help="CSV-Datei")
    compare.set_defaults(handler=_compare)


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
    """Add ``planungsraeume import|zuordnung|pruefen|tabelle|kennzahlen|entwicklung|vergleich``."""
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
    table.add_argument("--jahr-spalte", help="Spalte mit dem Jahr (Standard: eine Spalte "
                       "'Jahr', falls vorhanden; dann eine Zeile je Planungsraum und Jahr)")
    table.add_argument("--speichern", action="store_true",
                       help="als eigene Kennzahlen im Regionsspeicher ablegen")
    table.set_defaults(handler=_table)

    indicators = areas.add_parser("kennzahlen", help="Kennzahlen je Planungsraum berechnen")
    indicators.add_argument("--region", default=settings.default_region)
    indicators.add_argument("--out", help="CSV-Datei (Semikolon, für Excel)")
    indicators.add_argument("--lang", action="store_true",
                            help="Langformat (eine Zeile je Planungsraum und Kennzahl)")
    indicators.add_argument("--stichtag", help="Stichtag für aktive Angebote (JJJJ-MM-TT)")
    indicators.add_argument("--jahr", type=int, help="Jahr der Einwohner und eigenen Kennzahlen; "
                            "Angebote am 31.12. des Jahres (Standard: aktuell)")
    indicators.set_defaults(handler=_indicators)
    _add_time(areas)
