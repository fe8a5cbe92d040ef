"""Commands of the region itself: ``build``, ``regionen``, ``daten-laden``."""

from __future__ import annotations

import argparse

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


def register(sub: Subparsers) -> None:
    """Add ``build``, ``regionen`` and ``daten-laden``."""
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
