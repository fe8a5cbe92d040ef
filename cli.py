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
