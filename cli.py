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


# ============================================================================================
# analyse erreichbarkeit / analyse oev-gueteklassen (issue #3: reachability engine)
# ============================================================================================


def _de_number(value: float, digits: int = 0) -> str:
    """German number formatting: 12.345 and 12,3."""
    if value != value:  # NaN
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


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
    from analyses import workflow
    from analyses.reachability import describe_selection
    from layers.store import open_store

    store = open_store(args.region)
    selection = _parse_filter(args.filter)
    table = workflow.coverage(
        store, args.profil, args.typ, selection, [args.minuten],
        unbekannt=args.unbekannt, max_anbindung_m=args.max_anbindung,
    )
    print(f"Erreichbarkeit: {describe_selection(args.typ, selection)} – Profil '{args.profil}', "
          f"fehlende Angaben {table['unbekannt'].iloc[0]}, Schwelle {_de_number(args.minuten, 0)} Minuten")
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
            _de_number(float(record["einwohner"])),
            _de_number(float(record["einwohner_erreicht"])),
            _de_number(float(record["anteil_erreicht_prozent"]), 1),
            _de_number(float(record["ab65"])),
            _de_number(float(record["ab65_erreicht"])),
            _de_number(float(record["anteil_ab65_erreicht_prozent"]), 1),
            _de_number(float(record["einwohner_nicht_angebunden"])),
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

    from analyses import workflow
    from analyses.transit import NO_GRADE
    from layers.regions import load_region
    from layers.store import open_store

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
        rows.append([grade, _de_number(value), _de_number(100.0 * value / total, 1)])
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
