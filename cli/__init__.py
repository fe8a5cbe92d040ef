"""Command line of Sozialraum-Atlas: ``sozialraum <command>``.

Each command is a few lines over a package function. Errors a user can fix are printed in German
(without a traceback) and end the program with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from layers import settings
from layers.errors import SozialraumError
from layers.formatting import de_number

if TYPE_CHECKING:
    from layers.store import GeoPackageStore

Handler = Callable[[argparse.Namespace], int]


def _cmd_build(args: argparse.Namespace) -> int:
    from layers.build import build_region

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
    from layers.errors import InputValidationError

    von = date.fromisoformat(args.von) if args.von else None
    bis = date.fromisoformat(args.bis) if args.bis else None
    if args.jahr is not None:
        if von or bis:
            raise InputValidationError("--jahr und --von/--bis schließen sich aus.",
                                       hinweis="Geben Sie ein Kalenderjahr oder einen Zeitraum an.")
        von, bis = date(args.jahr, 1, 1), date(args.jahr, 12, 31)
    return BarrierFilter(
        kapitel=tuple(args.kapitel or ()),
        codes=tuple(args.code or ()),
        art=args.art,
        min_schweregrad=args.min_schwere,
        beeintraechtigung=tuple(args.gruppe or ()),
        von=von,
        bis=bis,
    )


def _barrier_rule(args: argparse.Namespace) -> object:
    from analyses.privacy import DisclosureRule

    if args.intern:
        return DisclosureRule.intern(begruendung=args.intern,
                                     angefordert_von=args.angefordert_von or "")
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
        parser.add_argument("--jahr", type=int, default=None,
                            help="nur ein Kalenderjahr (öffentlich: alle Jahre oder ein Jahr)")
        parser.add_argument("--intern", metavar="BEGRÜNDUNG", default=None,
                            help="interner Modus (mind. 3 Personen, genaue Zahlen); nur mit "
                            "einer Begründung von mindestens einem Satz und --angefordert-von; "
                            "Ausgaben werden mit Name und Grund als INTERN gekennzeichnet")
        parser.add_argument("--angefordert-von", metavar="NAME", default=None,
                            help="Name der Person, die den internen Modus anfordert")

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
# ============================================================================================
# Service directory and planning areas (issue #4): import, export, checks, indicators
# ============================================================================================


def _store_for(region: str) -> GeoPackageStore:
    from layers.store import open_store

    store = open_store(region)
    if not store.exists():
        from layers.build import build_region

        print(f"Region '{region}' ist noch nicht gebaut; baue sie zuerst …")
        build_region(region)
    return store


def _print_problems(problems: Sequence[Any], limit: int = 30) -> None:
    for problem in list(problems)[:limit]:
        print(f"  - {problem}")
    if len(problems) > limit:
        print(f"  … und {len(problems) - limit} weitere (vollständig mit --bericht DATEI).")


def _cmd_import_services(args: argparse.Namespace) -> int:
    from layers.angebote.importer import check_services_file, import_services

    store = _store_for(args.region)
    options = {"crs": args.crs, "blatt": _sheet(args.blatt), "ebene": args.ebene,
               "bestehende": args.vorhandene}
    try:
        if args.pruefen:
            report = check_services_file(store, args.datei, **options)
        else:
            report = import_services(store, args.datei, modus=args.modus, **options)
    except SozialraumError as exc:
        if args.bericht and exc.probleme:
            _write_problem_table(exc.probleme, args.bericht)
            print(f"Bericht: {args.bericht}")
        raise
    print(report.zusammenfassung())
    _print_problems(report.probleme)
    if args.bericht:
        report.tabelle().to_csv(args.bericht, sep=";", index=False, encoding="utf-8-sig")
        print(f"Bericht: {args.bericht}")
    if args.pruefen:
        print("Nur geprüft, nichts gespeichert (ohne --pruefen wird importiert).")
    return 0


def _sheet(value: str | None) -> str | int | None:
    return int(value) if value is not None and value.isdigit() else value


def _write_problem_table(problems: Sequence[Any], path: str) -> None:
    import pandas as pd

    from layers.errors import Problem

    rows = [
        {"Zeile": p.zeile, "Spalte": p.spalte, "Schwere": p.schwere, "Meldung": p.meldung,
         "So beheben": p.hinweis}
        for p in problems if isinstance(p, Problem)
    ]
    pd.DataFrame(rows).to_csv(path, sep=";", index=False, encoding="utf-8-sig")


def _cmd_export_services(args: argparse.Namespace) -> int:
    from layers.angebote.export import export_services

    store = _store_for(args.region)
    path = export_services(store, args.out, fmt=args.format,
                           nur_aktive=args.nur_aktive)
    print(f"Angebotsverzeichnis geschrieben: {path}")
    return 0


def _cmd_areas_import(args: argparse.Namespace) -> int:
    from layers.planungsraeume.checks import (
        check_planning_areas,
        region_boundary_of,
        save_planning_areas,
    )
    from layers.planungsraeume.define import read_planning_areas

    store = _store_for(args.region)
    areas = read_planning_areas(args.datei, crs=store.crs, schluessel=args.schluessel,
                                name=args.name, ebene=args.ebene, datei_crs=args.crs,
                                reparieren=args.reparieren)
    return _finish_areas(store, areas, args.pruefen, check_planning_areas, region_boundary_of,
                         save_planning_areas)


def _cmd_areas_assign(args: argparse.Namespace) -> int:
    from layers.planungsraeume.checks import (
        check_planning_areas,
        region_boundary_of,
        save_planning_areas,
    )
    from layers.planungsraeume.define import areas_from_municipalities, read_municipalities

    store = _store_for(args.region)
    if args.gemeinden:
        gemeinden = read_municipalities(args.gemeinden, crs=store.crs,
                                        ags_praefix=args.ags_praefix)
    else:
        gemeinden = store.read_layer("gemeinden")
    areas = areas_from_municipalities(args.tabelle, gemeinden, ags_spalte=args.ags_spalte,
                                      raum_spalte=args.raum_spalte, name_spalte=args.name_spalte,
                                      blatt=_sheet(args.blatt))
    _print_problems(areas.attrs.get("probleme", []))
    return _finish_areas(store, areas, args.pruefen, check_planning_areas, region_boundary_of,
                         save_planning_areas)


def _finish_areas(store: GeoPackageStore, areas: Any, only_check: bool,
                  check: Callable[..., Any], boundary_of: Callable[..., Any],
                  save: Callable[..., Any]) -> int:
    if only_check:
        result = check(areas, boundary_of(store))
        print(f"{len(areas)} Planungsräume geprüft: {result.summary()}")
        _print_problems(result.probleme)
        return 0 if result.ok else 1
    result = save(store, areas)
    print(f"{len(areas)} Planungsräume gespeichert: {result.summary()}")
    _print_problems(result.probleme)
    return 0


def _cmd_areas_check(args: argparse.Namespace) -> int:
    from layers.planungsraeume.checks import check_planning_areas, region_boundary_of

    store = _store_for(args.region)
    areas = store.read_layer("planungsraeume")
    result = check_planning_areas(areas, region_boundary_of(store))
    print(f"{len(areas)} Planungsräume: {result.summary()}")
    _print_problems(result.probleme)
    return 0 if result.ok else 1


def _cmd_areas_table(args: argparse.Namespace) -> int:
    from pathlib import Path

    from layers.planungsraeume.tabellen import join_table, save_user_indicators

    store = _store_for(args.region)
    areas = store.read_layer("planungsraeume")
    result = join_table(areas, args.datei, schluessel_spalte=args.spalte, blatt=_sheet(args.blatt))
    print(result.summary())
    _print_problems(result.probleme)
    if args.speichern:
        save_user_indicators(store, result, quelle=Path(args.datei).name)
        print("Kennzahlen in 'nutzer_kennzahlen' gespeichert.")
    return 0


def _cmd_areas_indicators(args: argparse.Namespace) -> int:
    from planungsraeume.indikatoren import (
        german_columns,
        indicators_for_store,
        indicators_wide,
        region_summary,
    )

    store = _store_for(args.region)
    long = indicators_for_store(store, stichtag=args.stichtag)
    if args.out:
        table = german_columns(long) if args.lang else indicators_wide(long)
        table.to_csv(args.out, sep=";", decimal=",", index=False, encoding="utf-8-sig")
        print(f"Kennzahlen geschrieben: {args.out}")
    summary = region_summary(long)
    with_values = summary[summary["Bereich"].isin(["Bevölkerung", "Barrierefreiheit"])]
    for row in with_values.itertuples(index=False):
        number = de_number(row[3], 1)
        print(f"  {row[1]:<58} Region: {number:>12} {row[2]} ({row[4]})")
    return 0


def _command_group(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Sub-commands under ``name`` (``sozialraum import …``), shared with other command blocks."""
    existing = sub.choices.get(name)
    if existing is None:
        existing = sub.add_parser(name, help=help_text)
    for action in existing._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    group = existing.add_subparsers(dest=f"{name}_was", required=True)
    return group


def add_service_and_area_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """``import angebote``, ``export angebote`` and ``planungsraeume …`` (issue #4)."""
    imports = _command_group(sub, "import", "eigene Daten importieren")
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
    services.set_defaults(handler=_cmd_import_services)

    exports = _command_group(sub, "export", "Daten exportieren")
    out = exports.add_parser("angebote", help="Angebotsverzeichnis exportieren")
    out.add_argument("--format", choices=["gpkg", "geojson", "csv"],
                     help="Format (Standard: aus der Dateiendung)")
    out.add_argument("--out", required=True, help="Zieldatei")
    out.add_argument("--region", default=settings.default_region)
    out.add_argument("--nur-aktive", action="store_true", help="ohne stillgelegte Angebote")
    out.set_defaults(handler=_cmd_export_services)

    areas = _command_group(sub, "planungsraeume", "Planungsräume festlegen, prüfen, auswerten")
    imp = areas.add_parser("import", help="Planungsräume aus einer Flächendatei übernehmen")
    imp.add_argument("datei", help="GeoJSON, GeoPackage oder Shapefile")
    imp.add_argument("--region", default=settings.default_region)
    imp.add_argument("--schluessel", help="Spalte mit der Planungsraum-Nummer")
    imp.add_argument("--name", help="Spalte mit dem Namen")
    imp.add_argument("--ebene", help="Ebene eines GeoPackage")
    imp.add_argument("--crs", help="CRS einer Datei ohne eigene Angabe (Shapefile ohne .prj)")
    imp.add_argument("--reparieren", action="store_true",
                     help="ungültige Flächen reparieren statt ablehnen")
    imp.add_argument("--pruefen", action="store_true", help="nur prüfen, nichts speichern")
    imp.set_defaults(handler=_cmd_areas_import)

    assign = areas.add_parser("zuordnung",
                              help="Planungsräume aus einer Tabelle Gemeinde (AGS) → Planungsraum")
    assign.add_argument("tabelle", help="CSV/XLSX mit AGS und Planungsraum-Nummer")
    assign.add_argument("--region", default=settings.default_region)
    assign.add_argument("--gemeinden", help="Gemeindegrenzen (Standard: Ebene 'gemeinden')")
    assign.add_argument("--ags-praefix", help="nur Gemeinden mit diesem AGS-Anfang")
    assign.add_argument("--ags-spalte")
    assign.add_argument("--raum-spalte")
    assign.add_argument("--name-spalte")
    assign.add_argument("--blatt")
    assign.add_argument("--pruefen", action="store_true", help="nur prüfen, nichts speichern")
    assign.set_defaults(handler=_cmd_areas_assign)

    check = areas.add_parser("pruefen", help="gespeicherte Planungsräume prüfen (Lücken, "
                             "Überlappungen)")
    check.add_argument("--region", default=settings.default_region)
    check.set_defaults(handler=_cmd_areas_check)

    table = areas.add_parser("tabelle", help="Kennzahlentabelle (CSV/XLSX) per Schlüssel "
                             "verknüpfen")
    table.add_argument("datei")
    table.add_argument("--region", default=settings.default_region)
    table.add_argument("--spalte", help="Schlüsselspalte der Tabelle (Standard: erkannt)")
    table.add_argument("--blatt")
    table.add_argument("--speichern", action="store_true",
                       help="als eigene Kennzahlen im Regionsspeicher ablegen")
    table.set_defaults(handler=_cmd_areas_table)

    indicators = areas.add_parser("kennzahlen", help="Kennzahlen je Planungsraum berechnen")
    indicators.add_argument("--region", default=settings.default_region)
    indicators.add_argument("--out", help="CSV-Datei (Semikolon, für Excel)")
    indicators.add_argument("--lang", action="store_true",
                            help="Langformat (eine Zeile je Planungsraum und Kennzahl)")
    indicators.add_argument("--stichtag", help="Stichtag für aktive Angebote (JJJJ-MM-TT)")
    indicators.set_defaults(handler=_cmd_areas_indicators)


# ============================================================================================
# End of the block of issue #4
# ============================================================================================


# ---- reports, scenarios, candidate sites (issue #7) -----------------------------------------


def _cmd_report(args: argparse.Namespace) -> int:
    from layers.store import open_store
    from planungsraeume.steckbrief import DEFAULT_COVERAGE, CoverageChoice, write_reports

    store = open_store(args.region)
    choice = CoverageChoice(
        typen=tuple(args.typ) if args.typ else None,
        profile=tuple(args.profil) if args.profil else DEFAULT_COVERAGE.profile,
        minuten=args.minuten,
    )
    written = write_reports(
        store, args.out, pr_ids=args.planungsraum or None, formats=args.format,
        coverage_choice=choice,
    )
    reports = [p for p in written if p.name != "index.html"]
    print(f"{len(reports)} Dateien geschrieben nach {args.out} (Übersicht: index.html).")
    return 0


def _cmd_scenario(args: argparse.Namespace) -> int:
    from layers.store import open_store
    from layers.szenarien import (
        ACTION_LABELS,
        Scenario,
        delete_scenario,
        list_scenarios,
        load_scenario,
        read_edit_table,
        save_scenario,
    )

    store = open_store(args.region)
    if args.aktion == "liste":
        table = list_scenarios(store)
        if table.empty:
            print("Keine Szenarien gespeichert.")
        for _, row in table.iterrows():
            print(f"{row['name']}: {row['aenderungen']} Änderungen, geändert "
                  f"{row['geaendert_am']} von {row['geaendert_von']}. "
                  f"{row['beschreibung'] or ''}".rstrip())
    elif args.aktion == "speichern":
        region = store.read_layer("region")
        edits = read_edit_table(args.datei, crs=store.crs, region=region)
        save_scenario(
            store, Scenario(args.name, args.beschreibung or "", tuple(edits)), overwrite=args.ueberschreiben
        )
        print(f"Szenario '{args.name}' mit {len(edits)} Änderungen gespeichert.")
    elif args.aktion == "zeigen":
        scenario = load_scenario(store, args.name)
        print(f"{scenario.name}: {scenario.beschreibung}".rstrip(": "))
        for number, edit in enumerate(scenario.aenderungen, start=1):
            where = f" bei ({edit.x:.0f}, {edit.y:.0f})" if edit.x is not None and edit.y is not None else ""
            what = edit.name or edit.typ or edit.angebot_id or ""
            print(f"  {number}. {ACTION_LABELS.get(edit.aktion, edit.aktion)}: {what}{where}")
    elif args.aktion == "vergleichen":
        return _compare_scenario(args, store)
    else:
        delete_scenario(store, args.name)
        print(f"Szenario '{args.name}' gelöscht.")
    return 0


STEP_FREE = {"stufenloser_zugang": "ja"}
PROFILE_WORDS = {"fuss": "zu Fuß", "senior": "ältere Menschen", "rollator": "mit Rollator",
                 "rollstuhl": "im Rollstuhl"}


def _compare_scenario(args: argparse.Namespace, store: GeoPackageStore) -> int:
    from layers.szenarien import load_scenario, read_edit_table
    from planungsraeume.versorgung import compare_on_network

    if args.datei:
        edits = read_edit_table(args.datei, crs=store.crs, region=store.read_layer("region"))
        title = f"Datei {args.datei}"
    else:
        edits = list(load_scenario(store, args.name).aenderungen)
        title = f"Szenario '{args.name}'"
    result = compare_on_network(
        store, edits, profil=args.profil, minuten=args.minuten, typen=args.typ or None,
        filter=STEP_FREE if args.nur_stufenlos else None, decay=args.abnahme,
        unbekannt=args.unbekannt,
    )
    kinds = sorted(set(result.angebote_vorher["typ"]) | set(result.angebote_nachher["typ"]))
    print(f"{title}: {len(edits)} Änderungen – Angebote: {', '.join(kinds)}; Profil "
          f"{PROFILE_WORDS.get(args.profil, args.profil)}; {de_number(args.minuten, 0)} Minuten"
          + ("; nur stufenlos zugängliche Angebote" if args.nur_stufenlos else ""))
    areas = store.read_layer("planungsraeume")
    names = dict(zip(areas["pr_id"].astype(str), areas["name"].astype(str), strict=True))
    names["ohne"] = "ohne Planungsraum"
    table = result.table(pd_series(names))
    access = result.erreichbarkeit
    rows = []
    for pr_id, row in table.iterrows():
        label = str(row["Planungsraum"]) if pr_id in ("gesamt", "ohne") else f"{pr_id} {row['Planungsraum']}"
        values = [
            label, de_number(row["Einwohner"]), de_number(row["versorgt vorher"]),
            de_number(row["versorgt nachher"]), _signed(row["Differenz"]),
            de_number(row["65+ versorgt vorher"]), de_number(row["65+ versorgt nachher"]),
            _signed(row["Differenz 65+"]),
        ]
        if access is not None:
            key = "Region" if pr_id == "gesamt" else str(pr_id)
            before = access["vorher"].get(key)
            after = access["nachher"].get(key)
            values += [de_number(before, 2), de_number(after, 2),
                       _signed(access["differenz"].get(key), 2)]
        rows.append(values)
    headers = ["Planungsraum", "Einwohner", "versorgt vorher", "nachher", "Differenz",
               "65+ vorher", "65+ nachher", "Diff. 65+"]
    if access is not None:
        headers += ["2SFCA vorher", "2SFCA nachher", "Diff. 2SFCA"]
    _print_table(headers, rows)
    print(f"Differenz gesamt: {_signed(result.differenz)} Einwohner, davon "
          f"{_signed(result.differenz_65)} ab 65 Jahren (= Summe der Planungsräume).")
    if access is not None:
        print("2SFCA: Beratungsstunden je Woche je 1.000 Einwohner im Einzugsbereich "
              f"({de_number(args.minuten, 0)} Minuten), Mittel je Planungsraum nach Einwohnern.")
    if args.csv:
        out = table.reset_index()
        if access is not None:
            out = out.join(access.rename(index={"Region": "gesamt"}).add_prefix("2sfca_"),
                           on="pr_id")
        out.to_csv(args.csv, sep=";", decimal=",", index=False, encoding="utf-8-sig")
        print(f"Tabelle gespeichert: {args.csv}")
    return 0


def pd_series(values: dict[str, str]) -> Any:
    import pandas as pd

    return pd.Series(values)


def _signed(value: object, decimals: int = 0) -> str:
    text = de_number(value, decimals)
    try:
        positive = float(value) > 0  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return text
    return f"+{text}" if positive else text


def _cmd_sites(args: argparse.Namespace) -> int:
    import time

    from layers.kandidaten import read_candidate_table
    from layers.store import open_store
    from planungsraeume.versorgung import suggest_sites

    started = time.perf_counter()
    store = open_store(args.region)
    candidates = None
    if args.kandidaten:
        candidates = read_candidate_table(args.kandidaten, crs=store.crs,
                                          region=store.read_layer("region"))
    plan = suggest_sites(
        store, args.typ, args.profil, args.minuten, args.anzahl, modell=args.modell,
        kandidaten=candidates, nachfrage="alter_65_plus" if args.nachfrage == "65plus" else "einwohner",
        filter=STEP_FREE if args.nur_stufenlos else None, unbekannt=args.unbekannt,
    )
    elapsed = time.perf_counter() - started
    result = plan.vorschlag
    whom = "Menschen ab 65 Jahren" if args.nachfrage == "65plus" else "Einwohner"
    print(f"Standortvorschlag: {args.anzahl} weitere Angebote {args.typ}, Profil "
          f"{PROFILE_WORDS.get(args.profil, args.profil)}, {de_number(args.minuten, 0)} Minuten, "
          f"Modell {result.modell}")
    print(f"Verfahren: {result.verfahren}; Rechenzeit gesamt {de_number(elapsed, 1)} s")
    area_names = plan.je_planungsraum["name"].astype(str).to_dict()
    rows = []
    for site in plan.standorte.itertuples():
        rows.append([str(site.rang), str(site.name), str(site.art),
                     f"{site.pr_id} {area_names.get(str(site.pr_id), '')}".strip(),
                     de_number(site.neu_versorgt_einwohner), de_number(site.neu_versorgt_65_plus),
                     de_number(site.versorgt_kumuliert)])
    _print_table(["Rang", "Standort", "Art", "Planungsraum", "neu versorgt", "davon 65+",
                  f"{whom} versorgt (kumuliert)"], rows)
    print(f"{whom} innerhalb von {de_number(args.minuten, 0)} Minuten: vorher "
          f"{de_number(result.versorgt_vorher)}, nachher {de_number(result.versorgt_nachher)} "
          f"({_signed(result.versorgt_nachher - result.versorgt_vorher)}) von "
          f"{de_number(result.nachfrage_gesamt)}.")
    for note in result.hinweise:
        print(f"Hinweis: {note}")
    per_area = plan.je_planungsraum[plan.je_planungsraum["neu_versorgt"] > 0]
    if len(per_area):
        print("Neu versorgte Einwohner je Planungsraum:")
        _print_table(["Planungsraum", "neu versorgt", "davon 65+"], [
            [f"{pr_id} {row['name']}", de_number(row["neu_versorgt"]),
             de_number(row["neu_versorgt_65_plus"])]
            for pr_id, row in per_area.iterrows()
        ])
    if args.csv:
        lonlat = plan.standorte.to_crs("EPSG:4326")
        table = plan.standorte.drop(columns="geometry").assign(
            lon=lonlat.geometry.x.round(6), lat=lonlat.geometry.y.round(6))
        table.to_csv(args.csv, sep=";", decimal=",", index=False, encoding="utf-8-sig")
        print(f"Vorschläge gespeichert: {args.csv}")
    return 0


def _cmd_accessibility(args: argparse.Namespace) -> int:
    from layers.store import open_store
    from planungsraeume.versorgung import accessibility

    store = open_store(args.region)
    result = accessibility(
        store, args.profil, args.typ, args.minuten, decay=args.abnahme,
        nachfrage="alter_65_plus" if args.nachfrage == "65plus" else "einwohner",
        filter=STEP_FREE if args.nur_stufenlos else None, unbekannt=args.unbekannt,
    )
    print(f"Angebot je Nachfrage (2SFCA): {', '.join(result.typen)}, Profil "
          f"{PROFILE_WORDS.get(result.profil, result.profil)}, Einzugsbereich "
          f"{de_number(result.minuten, 0)} Minuten, {result.verfahren}")
    print(f"Wert: {result.einheit} (Mittel je Planungsraum, gewichtet nach {result.nachfrage})")
    rows = [
        [str(row["name"]) if pr_id in ("Region", "ohne") else f"{pr_id} {row['name']}",
         de_number(row["nachfrage"]), de_number(row["mittelwert"], 2),
         de_number(100 * row["anteil_ohne_angebot"], 1)]
        for pr_id, row in result.je_planungsraum.iterrows()
    ]
    _print_table(["Planungsraum", result.nachfrage, "2SFCA", "% ohne Angebot im Einzugsbereich"],
                 rows)
    print("Angebote:")
    _print_table(["Angebot", "Stunden/Woche", "Kapazität", "Stunden je 1.000 im Einzugsbereich"], [
        [str(row["name"]), de_number(row["angebot"], 1), str(row["kapazitaet_quelle"]),
         de_number(row["je_einheit"], 2)]
        for _, row in result.angebote.iterrows()
    ])
    if args.csv:
        result.je_planungsraum.reset_index().to_csv(args.csv, sep=";", decimal=",", index=False,
                                                    encoding="utf-8-sig")
        print(f"Tabelle gespeichert: {args.csv}")
    return 0


def _cmd_candidates(args: argparse.Namespace) -> int:
    from layers.kandidaten import candidate_sites_from_store
    from layers.store import open_store

    sites = candidate_sites_from_store(open_store(args.region))
    lonlat = sites.to_crs("EPSG:4326")
    table = sites.drop(columns="geometry").assign(
        lon=lonlat.geometry.x.round(6), lat=lonlat.geometry.y.round(6)
    )
    # Semicolon, decimal comma, UTF-8 with BOM: opens correctly in German Excel.
    table.to_csv(args.out, sep=";", decimal=",", index=False, encoding="utf-8-sig")
    print(f"{len(table)} Kandidatenstandorte nach {args.out} geschrieben.")
    return 0


def add_issue7_commands(sub: argparse._SubParsersAction) -> None:
    """Sub-commands ``report``, ``szenario`` and ``kandidaten``."""
    report = sub.add_parser("report", help="Planungsraum-Steckbriefe als PDF und HTML schreiben")
    report.add_argument("--region", default=settings.default_region, help="Regionsname")
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
    report.set_defaults(handler=_cmd_report)

    scenario = sub.add_parser(
        "szenario", help="Szenarien speichern, auflisten, zeigen, löschen, vorher/nachher vergleichen"
    )
    scenario.add_argument("aktion", choices=["liste", "speichern", "zeigen", "loeschen", "vergleichen"])
    scenario.add_argument("--region", default=settings.default_region, help="Regionsname")
    scenario.add_argument("--name", help="Name des Szenarios")
    scenario.add_argument("--datei", help="CSV/XLSX mit den Änderungen (für 'speichern'; bei "
                          "'vergleichen' statt eines gespeicherten Szenarios)")
    scenario.add_argument("--beschreibung", help="kurze Beschreibung")
    scenario.add_argument("--ueberschreiben", action="store_true",
                          help="ein Szenario gleichen Namens ersetzen")
    _add_network_options(scenario)
    scenario.add_argument("--typ", action="append", metavar="TYP",
                          help="verglichene Angebotstypen (Standard: die das Szenario ändert)")
    scenario.add_argument("--abnahme", choices=["keine", "stufen", "gauss"], default="keine",
                          help="Distanzabnahme des 2SFCA (Standard: keine)")
    scenario.add_argument("--csv", help="Vergleichstabelle zusätzlich als CSV speichern")
    scenario.set_defaults(handler=_cmd_scenario_checked)

    sites = sub.add_parser(
        "standorte", help="Standortvorschläge für weitere Angebote (MCLP, p-Median) auf dem Wegenetz"
    )
    sites.add_argument("--region", default=settings.default_region, help="Regionsname")
    sites.add_argument("--typ", required=True, help="Angebotstyp, z. B. EUTB")
    _add_network_options(sites)
    sites.add_argument("--anzahl", "--k", type=int, default=3, dest="anzahl",
                       help="Zahl der zusätzlichen Angebote (Standard 3)")
    sites.add_argument("--modell", choices=["mclp", "p-median"], default="mclp",
                       help="mclp: möglichst viele neu versorgt; p-median: kürzeste Wege")
    sites.add_argument("--kandidaten", help="eigene Kandidatenliste (CSV/XLSX mit Name und "
                       "Koordinaten); Standard: öffentliche Gebäude der Region")
    sites.add_argument("--nachfrage", choices=["einwohner", "65plus"], default="einwohner",
                       help="wessen Versorgung zählt (Standard: alle Einwohner)")
    sites.add_argument("--csv", help="Vorschläge zusätzlich als CSV speichern")
    sites.set_defaults(handler=_cmd_sites)

    access = sub.add_parser(
        "2sfca", help="Angebot je Nachfrage (2SFCA/E2SFCA) je Planungsraum auf dem Wegenetz"
    )
    access.add_argument("--region", default=settings.default_region, help="Regionsname")
    access.add_argument("--typ", action="append", required=True, metavar="TYP",
                        help="Angebotstyp (mehrfach möglich)")
    _add_network_options(access, minutes=30.0)
    access.add_argument("--abnahme", choices=["keine", "stufen", "gauss"], default="keine",
                        help="Distanzabnahme: keine (2SFCA), stufen oder gauss (E2SFCA)")
    access.add_argument("--nachfrage", choices=["einwohner", "65plus"], default="einwohner")
    access.add_argument("--csv", help="Tabelle zusätzlich als CSV speichern")
    access.set_defaults(handler=_cmd_accessibility)

    candidates = sub.add_parser(
        "kandidaten", help="Kandidatenstandorte für neue Angebote als CSV ausgeben"
    )
    candidates.add_argument("--region", default=settings.default_region, help="Regionsname")
    candidates.add_argument("--out", required=True, help="CSV-Datei")
    candidates.set_defaults(handler=_cmd_candidates)


def _add_network_options(parser: argparse.ArgumentParser, minutes: float = 15.0) -> None:
    parser.add_argument("--profil", default="fuss",
                        help="Fortbewegungsprofil: fuss, senior, rollator, rollstuhl")
    parser.add_argument("--minuten", type=float, default=minutes,
                        help=f"Zeitgrenze in Minuten (Standard {minutes:g})")
    parser.add_argument("--nur-stufenlos", action="store_true",
                        help="nur Angebote mit stufenlosem Zugang zählen")
    parser.add_argument("--unbekannt", choices=["optimistisch", "pessimistisch"], default=None,
                        help="Umgang mit fehlenden Wegeangaben (Standard: data/profile.toml)")


def _cmd_scenario_checked(args: argparse.Namespace) -> int:
    if args.aktion == "vergleichen" and not (args.name or args.datei):
        raise SozialraumError(
            "Für 'szenario vergleichen' fehlt der Name des Szenarios (oder eine Datei).",
            hinweis="Geben Sie --name \"…\" (gespeichertes Szenario) oder --datei aenderungen.csv an.",
        )
    if args.aktion in ("speichern", "zeigen", "loeschen") and not args.name:
        raise SozialraumError(
            f"Für 'szenario {args.aktion}' fehlt der Name.", hinweis="Geben Sie --name \"…\" an."
        )
    if args.aktion == "speichern" and not args.datei:
        raise SozialraumError(
            "Für 'szenario speichern' fehlt die Datei mit den Änderungen.",
            hinweis="Geben Sie --datei aenderungen.csv an (Spalten: aktion, angebot_id, typ, name, "
            "lon, lat, kapazitaet_std_woche).",
        )
    return _cmd_scenario(args)


# ============================================================================================


def _parse_filter(items: Sequence[str] | None) -> dict[str, list[str]]:
    """``["stufenloser_zugang=ja", "leichte_sprache=ja,teilweise"]`` → filter dict."""
    result: dict[str, list[str]] = {}
    for item in items or []:
        if "=" not in item:
            raise SozialraumError(
                f"Der Filter '{item}' hat nicht die Form spalte=wert.",
                hinweis="Beispiel: --filter stufenloser_zugang=ja",
            )
        column, values = item.split("=", 1)
        result.setdefault(column.strip(), []).extend(v.strip() for v in values.split(","))
    return result


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(headers))
    for row in rows:
        print(line(row))


def _cmd_analyse_reachability(args: argparse.Namespace) -> int:
    from analyses.network.search import describe_selection
    from layers.store import open_store
    from planungsraeume import erreichbarkeit as workflow

    store = open_store(args.region)
    selection = _parse_filter(args.filter)
    table = workflow.coverage(
        store, args.profil, args.typ, selection, [args.minuten],
        unbekannt=args.unbekannt, max_anbindung_m=args.max_anbindung,
    )
    print(f"Erreichbarkeit: {describe_selection(args.typ, selection)} – Profil '{args.profil}', "
          f"fehlende Angaben {table['unbekannt'].iloc[0]}, Schwelle {de_number(args.minuten, 0)} Minuten")
    off = table.attrs.get("nicht_angebundene_ziele") or []
    if off:
        print(f"Hinweis: {len(off)} Angebote liegen nicht am Wegenetz: {'; '.join(off)}")
    rows = []
    for record in table.to_dict("records"):
        area = str(record["planungsraum"])
        if record["pr_id"] not in ("gesamt", "ohne"):
            area = f"{record['pr_id']} {area}"
        rows.append([
            area,
            de_number(float(record["einwohner"])),
            de_number(float(record["einwohner_erreicht"])),
            de_number(float(record["anteil_erreicht_prozent"]), 1),
            de_number(float(record["ab65"])),
            de_number(float(record["ab65_erreicht"])),
            de_number(float(record["anteil_ab65_erreicht_prozent"]), 1),
            de_number(float(record["einwohner_nicht_angebunden"])),
        ])
    _print_table(
        ["Planungsraum", "Einwohner", "erreicht", "%", "65+", "65+ erreicht", "65+ %",
         "nicht angebunden"],
        rows,
    )
    if args.csv:
        table.to_csv(args.csv, sep=";", decimal=",", index=False, encoding="utf-8-sig")
        print(f"Tabelle gespeichert: {args.csv}")
    return 0


def _cmd_analyse_transit(args: argparse.Namespace) -> int:
    import pandas as pd

    from analyses.transit import NO_GRADE
    from layers.regions import load_region
    from layers.store import open_store
    from planungsraeume import erreichbarkeit as workflow

    config = load_region(args.region)
    if config.gtfs is None and not args.gtfs:
        raise SozialraumError(
            f"Für die Region '{args.region}' ist kein GTFS-Fahrplan hinterlegt.",
            hinweis="Tragen Sie [quellen] gtfs = \"…zip\" in die Regionskonfiguration ein oder "
            "geben Sie --gtfs DATEI an.",
        )
    gtfs = args.gtfs or config.gtfs
    assert gtfs is not None
    store = open_store(config)
    stations = workflow.transit_stations(gtfs, store.crs, args.datum, args.von, args.bis)
    print(f"ÖV-Güteklassen – Fahrplan {gtfs}, Tag {stations.attrs.get('datum')}, "
          f"{stations.attrs.get('von')}–{stations.attrs.get('bis')} Uhr, Distanz: {args.distanz}")
    counts = stations["kategorie_roemisch"].fillna("ohne").value_counts()
    print("Haltestellen je Kategorie: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    quelle = "bevoelkerung"
    try:
        workflow.origins_layer(store, quelle)
    except SozialraumError:
        quelle = "adressen"
    result = workflow.quality_classes(
        store, gtfs, args.datum, args.von, args.bis, profil=args.profil,
        unbekannt=args.unbekannt, distanz=args.distanz, quelle=quelle,
    )
    origins = workflow.origins_layer(store, quelle)
    weight = (
        origins["einwohner"].astype(float)
        if quelle == "bevoelkerung"
        else pd.Series(1.0, index=origins.index)
    )
    grouped = weight.groupby(result["gueteklasse"].astype(str)).sum()
    total = float(weight.sum())
    label = "Einwohner" if quelle == "bevoelkerung" else "Adressen"
    rows = []
    for grade in [*"ABCDEF", NO_GRADE]:
        value = float(grouped.get(grade, 0.0))
        rows.append([grade, de_number(value), de_number(100.0 * value / total, 1)])
    _print_table(["Güteklasse", label, "%"], rows)
    return 0


def add_analyse_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``sozialraum analyse …`` (reachability commands of issue #3)."""
    analyse = sub.add_parser("analyse", help="Analysen: Erreichbarkeit, ÖV-Güteklassen")
    analyses = analyse.add_subparsers(dest="analyse", required=True)

    reach = analyses.add_parser(
        "erreichbarkeit",
        help="Versorgungsgrad je Planungsraum: Anteil der Bevölkerung, die ein Angebot in "
        "einer Zeit erreicht",
    )
    reach.add_argument("--region", default=settings.default_region, help="Regionsname")
    reach.add_argument("--profil", default="fuss",
                       help="Fortbewegungsprofil: fuss, senior, rollator, rollstuhl")
    reach.add_argument("--typ", default=None, help="Angebotstyp, z. B. EUTB (ohne: alle)")
    reach.add_argument("--minuten", type=float, default=15.0, help="Zeitschwelle in Minuten")
    reach.add_argument("--filter", action="append", metavar="SPALTE=WERT",
                       help="Merkmal der Angebote, z. B. stufenloser_zugang=ja (mehrfach möglich)")
    reach.add_argument("--unbekannt", choices=["optimistisch", "pessimistisch"], default=None,
                       help="Umgang mit fehlenden Wegeangaben (Standard: data/profile.toml)")
    reach.add_argument("--max-anbindung", type=float, default=250.0,
                       help="größter Abstand zum Wegenetz in Metern")
    reach.add_argument("--csv", default=None, help="Tabelle zusätzlich als CSV speichern")
    reach.set_defaults(handler=_cmd_analyse_reachability)

    transit = analyses.add_parser(
        "oev-gueteklassen", help="ÖV-Güteklassen aus einem GTFS-Fahrplan"
    )
    transit.add_argument("--region", default=settings.default_region, help="Regionsname")
    transit.add_argument("--gtfs", default=None, help="GTFS-ZIP (Standard: aus der Region)")
    transit.add_argument("--datum", default=None, help="Stichtag JJJJ-MM-TT (Standard: ein Dienstag)")
    transit.add_argument("--von", default=None, help="Beginn des Zeitfensters (Standard 06:00)")
    transit.add_argument("--bis", default=None, help="Ende des Zeitfensters (Standard 20:00)")
    transit.add_argument("--distanz", choices=["netz", "luftlinie"], default="netz",
                         help="Fußweg im Netz oder Luftlinie")
    transit.add_argument("--profil", default="fuss", help="Fortbewegungsprofil für die Fußwege")
    transit.add_argument("--unbekannt", choices=["optimistisch", "pessimistisch"], default=None)
    transit.set_defaults(handler=_cmd_analyse_transit)

# ============================================================================================
# end of issue #3 block
# ============================================================================================


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

    add_service_and_area_commands(sub)
    add_issue7_commands(sub)
    add_analyse_commands(sub)
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
