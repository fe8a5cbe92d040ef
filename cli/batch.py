"""Many regions at once on Dask distributed: ``sozialraum batch``.

``sozialraum batch versorgung --alle`` runs the coverage per planning area for every configured
region; ``--regionen aachen,heidelberg`` for some; ``--gemeinden-von aachen [--kreis 05334]``
for every municipality of a Kreis as its own region. One Dask task per region on a LocalCluster
(``--arbeiter``) or on a cluster (``--scheduler tcp://host:8786``); the tables are gathered into
one (``--ausgabe`` as CSV or GeoPackage); failed regions are listed and the status is 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from cli.common import Subparsers, add_network_options, parse_filter, print_table, question
from layers.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from planungsraeume.batch import RegionTask

__all__ = ["ANALYSES", "register", "save_batch"]

# The analyses of planungsraeume.batch (named here: registering the command imports nothing).
ANALYSES = ("build", "versorgung", "steckbriefe")


def _tasks(args: argparse.Namespace) -> list[RegionTask]:
    from layers.regions import load_region
    from planungsraeume.batch import RegionTask, configured_regions, municipality_regions

    if args.gemeinden_von:
        return municipality_regions(args.gemeinden_von, args.kreis)
    if args.alle:
        return configured_regions()
    if not args.regionen:
        raise ConfigError("Keine Regionen angegeben.",
                          hinweis="Geben Sie --alle, --regionen a,b oder --gemeinden-von an.")
    from layers import settings

    return [RegionTask(name, load_region(name), str(settings.cache_dir))
            for name in (n.strip() for n in args.regionen.split(",")) if name]


def save_batch(table: pd.DataFrame, errors: pd.DataFrame, path: str) -> None:
    """Write the gathered table (and the failed regions) as CSV or as a GeoPackage."""
    target = Path(path)
    if target.suffix.lower() == ".gpkg":
        import pyogrio

        pyogrio.write_dataframe(table, target, layer="batch", driver="GPKG")
        if len(errors):
            pyogrio.write_dataframe(errors, target, layer="batch_fehler", driver="GPKG",
                                    append=True)
    else:
        from planungsraeume.darstellung import write_csv

        write_csv(table, target)  # the one CSV writer (formula-like cells neutralised)
        if len(errors):
            write_csv(errors, target.with_name(target.stem + "_fehler.csv"))
    print(f"gespeichert: {target}")


def _batch(args: argparse.Namespace) -> int:
    from planungsraeume.batch import run_batch

    tasks = _tasks(args)
    frage = question(args, typ=args.typ, filter=parse_filter(args.filter))
    print(f"{args.analyse} für {len(tasks)} Regionen "
          f"({'Scheduler ' + args.scheduler if args.scheduler else 'LocalCluster'})")
    result = run_batch(tasks, args.analyse, frage, scheduler=args.scheduler,
                       workers=args.arbeiter, out_dir=args.ordner)
    print_table(result.tabelle)
    if args.ausgabe:
        save_batch(result.tabelle, result.fehler, args.ausgabe)
    if len(result.fehler):
        print(f"\n{len(result.fehler)} von {len(tasks)} Regionen fehlgeschlagen:")
        for row in result.fehler.itertuples():
            print(f"  {row.region}: {row.fehler}")
        return 1
    return 0


def register(sub: Subparsers) -> None:
    """Add ``batch``."""
    batch = sub.add_parser("batch", help="eine Analyse für viele Regionen (Dask)")
    batch.add_argument("analyse", choices=ANALYSES, help="build, versorgung oder steckbriefe")
    which = batch.add_mutually_exclusive_group()
    which.add_argument("--alle", action="store_true", help="alle konfigurierten Regionen")
    which.add_argument("--regionen", help="Regionsnamen, durch Komma getrennt")
    which.add_argument("--gemeinden-von", metavar="REGION",
                       help="jede Gemeinde des Kreises dieser Region als eigene Region")
    batch.add_argument("--kreis", help="AGS-Präfix des Kreises (Standard: der der Region)")
    batch.add_argument("--scheduler", help="Adresse eines Dask-Schedulers (Standard: LocalCluster)")
    batch.add_argument("--arbeiter", type=int, default=None,
                       help="Arbeitsprozesse des LocalCluster (Standard: je Region, höchstens Kerne)")
    batch.add_argument("--typ", default="EUTB", help="Angebotstyp (versorgung)")
    batch.add_argument("--filter", action="append", help="Spalte=Wert (versorgung)")
    add_network_options(batch)
    batch.add_argument("--ausgabe", help="gesammelte Tabelle als .csv oder .gpkg")
    batch.add_argument("--ordner", help="Ordner der Steckbriefe (je Region ein Unterordner)")
    batch.set_defaults(handler=_batch)
