"""What every command group of ``sozialraum`` shares: options, the question, the region, printing.

A handler parses its arguments into a :class:`~planungsraeume.frage.Question`
(:func:`question`) and a :class:`~planungsraeume.region.Region` (:func:`open_region`), calls one
package function and prints its German table (:func:`print_table`, the tables of
:mod:`planungsraeume.darstellung`). CSV files are written by
:func:`planungsraeume.darstellung.write_csv` only (:func:`save_csv`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from layers import settings
from layers.errors import InputValidationError, SozialraumError

if TYPE_CHECKING:
    import pandas as pd

    from planungsraeume.frage import Question
    from planungsraeume.region import Region

__all__ = [
    "ADVICE_FILTER",
    "STEP_FREE",
    "UNKNOWN_CHOICES",
    "Handler",
    "Subparsers",
    "add_network_options",
    "advice_question",
    "add_region_option",
    "command_group",
    "open_region",
    "parse_date",
    "parse_filter",
    "print_problems",
    "print_table",
    "question",
    "run",
    "save_csv",
    "sheet",
]

Handler = Callable[[argparse.Namespace], int]
Subparsers = argparse._SubParsersAction  # the type argparse gives to add_subparsers()
#: ``--nur-stufenlos``: only offers with step-free access count.
STEP_FREE = {"stufenloser_zugang": ["ja"]}
UNKNOWN_CHOICES = ("optimistisch", "pessimistisch")


# ---- options ----------------------------------------------------------------------------------


def add_region_option(parser: argparse.ArgumentParser) -> None:
    """``--region`` (default: the configured default region)."""
    parser.add_argument("--region", default=settings.default_region, help="Regionsname")


def add_network_options(parser: argparse.ArgumentParser, minutes: float = 15.0) -> None:
    """``--profil``, ``--minuten``, ``--nur-stufenlos``, ``--unbekannt`` of the supply commands."""
    parser.add_argument("--profil", default="fuss",
                        help="Fortbewegungsprofil: fuss, senior, rollator, rollstuhl")
    parser.add_argument("--minuten", type=float, default=minutes,
                        help=f"Zeitgrenze in Minuten (Standard {minutes:g})")
    parser.add_argument("--nur-stufenlos", action="store_true",
                        help="nur Angebote mit stufenlosem Zugang zählen")
    parser.add_argument("--unbekannt", choices=UNKNOWN_CHOICES, default=None,
                        help="Umgang mit fehlenden Wegeangaben (Standard: data/profile.toml)")


def command_group(sub: Subparsers, name: str, help_text: str) -> Subparsers:
    """The sub-commands under ``name`` (``sozialraum import …``), created on first use."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest=f"{name}_was", required=True)


# ---- parsing ----------------------------------------------------------------------------------


def parse_filter(items: Sequence[str] | None) -> dict[str, list[str]]:
    """``["stufenloser_zugang=ja", "leichte_sprache=ja,teilweise"]`` → filter dict.

    Raises
    ------
    InputValidationError
        For an item that is not ``spalte=wert``.
    """
    result: dict[str, list[str]] = {}
    for item in items or []:
        if "=" not in item:
            raise InputValidationError(
                f"Der Filter '{item}' hat nicht die Form spalte=wert.",
                hinweis="Beispiel: --filter stufenloser_zugang=ja",
            )
        column, values = item.split("=", 1)
        result.setdefault(column.strip(), []).extend(v.strip() for v in values.split(","))
    return result


def parse_date(text: str | None, option: str = "--stichtag") -> date | None:
    """A day ``JJJJ-MM-TT`` of an option, or ``None``.

    Raises
    ------
    InputValidationError
        For text that is not such a date.
    """
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputValidationError(
            f"'{text}' ist kein Datum ({option}).",
            hinweis="Schreiben Sie das Datum als JJJJ-MM-TT, z. B. 2025-03-31.",
        ) from None


def sheet(value: str | None) -> str | int | None:
    """The ``--blatt`` of an XLSX file: a number counts from 0, anything else is a name."""
    return int(value) if value is not None and value.isdigit() else value


def question(args: argparse.Namespace, *, typ: str | Sequence[str] | None = None,
             filter: dict[str, list[str]] | None = None) -> Question:
    """The question of a command's options.

    Parameters
    ----------
    args
        Parsed options: ``--profil``, ``--minuten``, ``--unbekannt`` and, where the command has
        them, ``--nur-stufenlos`` and ``--stichtag``.
    typ
        Service type or types (``None``: every offer).
    filter
        Further column conditions (``--filter``).

    Returns
    -------
    planungsraeume.frage.Question
        Checked (an unknown profile or a time that is not > 0 raises a German error).
    """
    from planungsraeume.frage import Question

    wanted = dict(filter or {})
    if getattr(args, "nur_stufenlos", False):
        wanted.update(STEP_FREE)
    return Question.make(typ=typ, filter=wanted, profil=args.profil, minuten=args.minuten,
                         unbekannt=args.unbekannt,
                         stichtag=parse_date(getattr(args, "stichtag", None)))


#: The offers of the cooperation and presence commands when no ``--typ`` is given.
ADVICE_FILTER: dict[str, list[str]] = {"gruppe": ["Beratung"]}


def advice_question(args: argparse.Namespace) -> Question:
    """The question of ``--typ`` or, without it, of every advice offer (:data:`ADVICE_FILTER`)."""
    return question(args, typ=args.typ, filter=None if args.typ else ADVICE_FILTER)


def open_region(name: str, *, build: bool = False, network: bool = False) -> Region:
    """The region of ``--region``.

    Parameters
    ----------
    name
        Region name.
    build
        Build a region that is not built yet first.
    network
        The command needs the pedestrian network: a region without one (no OSM extract, e.g.
        Köln) stops here with the German sentence of
        :meth:`~planungsraeume.region.Region.require_network` (status 2), before anything is
        computed.
    """
    from planungsraeume.region import Region

    region = Region.open(name)
    if build and not region.exists():
        from layers.build import build_region

        print(f"Region '{name}' ist noch nicht gebaut; baue sie zuerst …")
        build_region(region.config)
    if network:
        region.require_network()
    return region


# ---- printing ---------------------------------------------------------------------------------


def _area_column(table: pd.DataFrame) -> pd.DataFrame:
    """"Nr." and "Planungsraum" as one column ("PR17 Rothe Erde") for a narrow terminal."""
    if list(table.columns[:2]) != ["Nr.", "Planungsraum"]:
        return table
    labels = [f"{nr} {name}" if nr not in ("", "–") else name
              for nr, name in zip(table["Nr."], table["Planungsraum"], strict=True)]
    return table.drop(columns=["Nr."]).assign(Planungsraum=labels)


def print_table(table: pd.DataFrame) -> None:
    """Print a table of :mod:`planungsraeume.darstellung` as aligned plain text (German
    numbers; the first column left-aligned, the others right-aligned)."""
    from planungsraeume.darstellung import text_table

    text = _area_column(text_table(table))
    headers = [str(c) for c in text.columns]
    rows = [[str(v) for v in row] for row in text.itertuples(index=False)]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    print(line(headers))
    for row in rows:
        print(line(row))


def print_problems(problems: Sequence[Any], limit: int = 30) -> None:
    """Findings of a check, one a line (the first ``limit``)."""
    for problem in list(problems)[:limit]:
        print(f"  - {problem}")
    if len(problems) > limit:
        print(f"  … und {len(problems) - limit} weitere (vollständig mit --bericht DATEI).")


def save_csv(table: pd.DataFrame, path: str | None, what: str = "Tabelle") -> None:
    """Write a table as Excel CSV if ``path`` is given, and say so."""
    if path:
        from planungsraeume.darstellung import write_csv

        write_csv(table, path)
        print(f"{what} gespeichert: {path}")


def run(handler: Handler, args: argparse.Namespace, stderr: Any) -> int:
    """Run a handler; a :class:`SozialraumError` is printed in German and gives status 2."""
    try:
        return handler(args)
    except SozialraumError as exc:
        print(f"Fehler: {exc}", file=stderr)
        return 2
