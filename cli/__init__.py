"""Command line of Sozialraum-Atlas: ``sozialraum <command>``.

One module per command group (:mod:`cli.region`, :mod:`cli.angebote`, :mod:`cli.planungsraeume`,
:mod:`cli.barrieren`, :mod:`cli.analyse`, :mod:`cli.versorgung`, :mod:`cli.szenario`,
:mod:`cli.report`, :mod:`cli.kooperation`, :mod:`cli.kerndatensatz`, :mod:`cli.praesenz`, :mod:`cli.batch`, :mod:`cli.server`); shared options, the question and the table printer in :mod:`cli.common`.
Each handler parses its options into a :class:`~planungsraeume.frage.Question` and a
:class:`~planungsraeume.region.Region`, calls one package function and prints its German table
(:mod:`planungsraeume.darstellung`). Errors a user can fix (:class:`layers.errors.SozialraumError`)
are printed in German without a traceback and end the program with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cli import (
    analyse,
    angebote,
    barrieren,
    batch,
    kerndatensatz,
    kooperation,
    planungsraeume,
    praesenz,
    region,
    report,
    server,
    szenario,
    versorgung,
)
from cli.common import Handler, run

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="sozialraum",
        description="Sozialraum-Atlas: Planungsräume, Beratungslandschaft, Barrieren und "
        "Erreichbarkeit.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (region, barrieren, angebote, planungsraeume, report, szenario, versorgung,
                  analyse, kooperation, praesenz, batch, server, kerndatensatz):
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sozialraum`` console script."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    return run(handler, args, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
