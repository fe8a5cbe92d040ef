"""Commands of the region itself: ``build``, ``regionen``, ``daten-laden``, ``abgleich``,
``altersstruktur``, ``regionsvergleich``.

``abgleich`` puts the region's inhabitants per municipality beside the official totals
(:mod:`planungsraeume.abgleich`); ``altersstruktur`` shows the modelled 65+ share per planning
area with its reason (:mod:`planungsraeume.altersstruktur`).
"""

from __future__ import annotations

import argparse

import pandas as pd

from cli.common import Subparsers, add_region_option

__all__ = ["register"]


def _build(args: argparse.Namespace) -> int:
    from layers.build import build_region

    print(build_region(args.region, force=args.force).summary())
    return 0


def _regions(args: argparse.Namespace) -> int:
    from layers.regions import available_regions, load_region

    for name in available_regions():
        config = load_region(name)
        print(f"{name:<14} {config.titel} ({config.crs.to_string()})")
    return 0


def _download(args: argparse.Namespace) -> int:
    from layers import sources

    for path in sources.download():
        print(f"geladen: {path}")
    if sources.missing_sources():
        print(sources.instructions())
        return 1
    print("Alle Referenzdaten vorhanden.")
    return 0


def _comparison(args: argparse.Namespace) -> int:
    from cli.common import open_region, print_table, save_csv
    from planungsraeume.abgleich import comparison_note, municipal_comparison
    from planungsraeume.darstellung import with_format

    table = municipal_comparison(open_region(args.region, build=True))
    if table.empty:
        print("Für diese Region gibt es keine amtlichen Gemeindesummen zum Vergleich (oder "
              "keine Bevölkerung).")
        return 0
    shown = with_format(pd.DataFrame({
        "AGS": table["ags"], "Gemeinde": table["name"],
        "Fläche in der Region (%)": table["anteil_in_region"] * 100,
        "Einwohner amtlich": table["einwohner_amtlich"], "Stand": table["stand_amtlich"],
        "Einwohner der Region": table["einwohner_region"], "Art": table["art_region"],
        "Abweichung (%)": table["abweichung_prozent"],
        "Dichte Region (je km²)": table["dichte_region"],
        "Dichte amtlich (je km²)": table["dichte_amtlich"],
    }), {"Fläche in der Region (%)": 1, "Abweichung (%)": 1, "Einwohner amtlich": 0,
         "Einwohner der Region": 0, "Dichte Region (je km²)": 0, "Dichte amtlich (je km²)": 0},
        signed=["Abweichung (%)"])
    print_table(shown)
    print(comparison_note(table))
    if table["kalibriert"].any():
        print("Kalibriert: Das Modell ist auf die amtliche Summe jeder ganz abgedeckten Gemeinde "
              "umgerechnet (Faktor je Gemeinde); teilweise abgedeckte Gemeinden nur im "
              "Dichtevergleich.")
    else:
        print("Nicht kalibriert: Die Bevölkerung wird nicht auf die amtlichen Summen umgerechnet"
              " (keine Gemeinde liegt ganz in der Region, oder die Zahlen sind amtlich).")
    save_csv(shown, args.out, "Abgleich")
    return 0


def _age_structure(args: argparse.Namespace) -> int:
    from cli.common import open_region, print_table, save_csv
    from layers.formatting import de_number
    from planungsraeume.altersstruktur import age_structure
    from planungsraeume.darstellung import with_format

    region = open_region(args.region, build=True)
    table = age_structure(region)
    if table.empty:
        print("Diese Region hat keine Bevölkerung.")
        return 0
    shown = with_format(pd.DataFrame({
        "Nr.": table["pr_id"], "Planungsraum": table["name"], "Einwohner": table["einwohner"],
        "65+ (%)": table["anteil_65_plus"], "80+ (%)": table["anteil_80_plus"],
        "Art": table["art"], "Begründung": table["begruendung"],
    }), {"Einwohner": 0, "65+ (%)": 1, "80+ (%)": 1})
    print_table(shown)
    print(f"Region: 65+ {de_number(table.attrs['region_65_plus'], 1)} %. "
          + (region.config.population.methode or "")
          + " Anteile je Wohnform und Quelle: data/bevoelkerung/wohnformen.toml.")
    save_csv(shown, args.out, "Altersstruktur")
    return 0


def _compare_regions(args: argparse.Namespace) -> int:
    from cli.common import open_region, print_table, save_csv
    from planungsraeume.darstellung import region_comparison_table
    from planungsraeume.zeitreihe import compare_regions

    regions = [open_region(name, build=True) for name in args.regionen]
    table = compare_regions(regions, jahr=args.jahr)
    if args.bereich:
        table = table[table["bereich"].isin(args.bereich)]
    shown = region_comparison_table(table, {r.name: r.titel.split(" (")[0] for r in regions})
    print(" · ".join(r.titel for r in regions))
    print_table(shown.drop(columns=["Bereich"]))
    print("Anteile und Quoten: Wert der ganzen Region; Anzahlen: Summe der Planungsräume.")
    save_csv(shown, args.out, "Regionsvergleich")
    return 0


def register(sub: Subparsers) -> None:
    """Add ``build``, ``regionen``, ``daten-laden``, ``abgleich``, ``altersstruktur`` and
    ``regionsvergleich``."""
    build = sub.add_parser("build", help="Region aus ihrer Konfiguration in den Cache bauen")
    add_region_option(build)
    build.add_argument("--force", action="store_true", help="auch ohne Änderung neu bauen")
    build.set_defaults(handler=_build)

    regions = sub.add_parser("regionen", help="konfigurierte Regionen auflisten")
    regions.set_defaults(handler=_regions)

    download = sub.add_parser(
        "daten-laden", help="Referenzdaten mit fester Adresse herunterladen (einmalig, optional)"
    )
    download.set_defaults(handler=_download)

    comparison = sub.add_parser("abgleich", help="Einwohner der Region je Gemeinde neben den "
                                "amtlichen Summen (VG250-EW)")
    add_region_option(comparison)
    comparison.add_argument("--out", help="CSV-Datei")
    comparison.set_defaults(handler=_comparison)

    ages = sub.add_parser("altersstruktur", help="Anteil 65+ je Planungsraum mit Begründung "
                          "(Pflegeheime, Wohnheime, Gebäudetypen; modelliert)")
    add_region_option(ages)
    ages.add_argument("--out", help="CSV-Datei")
    ages.set_defaults(handler=_age_structure)

    regions_cmp = sub.add_parser("regionsvergleich",
                                 help="dieselben Kennzahlen für zwei oder mehr Regionen")
    regions_cmp.add_argument("--regionen", nargs="+", required=True,
                             help="Namen der Regionen (z. B. aachen koeln)")
    regions_cmp.add_argument("--jahr", type=int, help="Jahr der Kennzahlen")
    regions_cmp.add_argument("--bereich", nargs="+", help="nur diese Bereiche")
    regions_cmp.add_argument("--out", help="CSV-Datei")
    regions_cmp.set_defaults(handler=_compare_regions)
