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


# --------------------------------------------------------------------------------------------
# Issue 7: Steckbriefe (reports), scenarios, candidate sites
# --------------------------------------------------------------------------------------------


def _cmd_report(args: argparse.Namespace) -> int:
    from layers.store import open_store
    from planungsraeume.steckbrief import write_reports

    store = open_store(args.region)
    written = write_reports(
        store, args.out, pr_ids=args.planungsraum or None, formats=args.format
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
    else:
        delete_scenario(store, args.name)
        print(f"Szenario '{args.name}' gelöscht.")
    return 0


def _cmd_candidates(args: argparse.Namespace) -> int:
    from layers.standorte import candidate_sites_from_store
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
    report.set_defaults(handler=_cmd_report)

    scenario = sub.add_parser("szenario", help="Szenarien speichern, auflisten, zeigen, löschen")
    scenario.add_argument("aktion", choices=["liste", "speichern", "zeigen", "loeschen"])
    scenario.add_argument("--region", default=settings.default_region, help="Regionsname")
    scenario.add_argument("--name", help="Name des Szenarios")
    scenario.add_argument("--datei", help="CSV/XLSX mit den Änderungen (für 'speichern')")
    scenario.add_argument("--beschreibung", help="kurze Beschreibung")
    scenario.add_argument("--ueberschreiben", action="store_true",
                          help="ein Szenario gleichen Namens ersetzen")
    scenario.set_defaults(handler=_cmd_scenario_checked)

    candidates = sub.add_parser(
        "kandidaten", help="Kandidatenstandorte für neue Angebote als CSV ausgeben"
    )
    candidates.add_argument("--region", default=settings.default_region, help="Regionsname")
    candidates.add_argument("--out", required=True, help="CSV-Datei")
    candidates.set_defaults(handler=_cmd_candidates)


def _cmd_scenario_checked(args: argparse.Namespace) -> int:
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

    add_issue7_commands(sub)
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
