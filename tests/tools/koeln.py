"""The Köln source file read independently of the project (csv module only), for comparisons."""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache

from tests.tools.paths import KOELN

__all__ = ["SENIOR_BANDS", "source_figure", "source_figures"]

#: The age bands of the source that make up "65 and older".
SENIOR_BANDS = ("65 - < 75", "75 und älter")


@cache
def source_figures() -> dict[tuple[int, str, str], float]:
    """``(year, raum_id, zeile) → zahl`` of ``koeln/bevoelkerung.csv`` (tables 005 and 020)."""
    figures: dict[tuple[int, str, str], float] = defaultdict(float)
    with (KOELN / "bevoelkerung.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["tab_id"] in ("005", "020"):
                figures[(int(row["jahr"]), row["raum_id"], row["zeile"])] += float(row["zahl"])
    return dict(figures)


def source_figure(year: int, raum_id: str, *zeilen: str) -> float:
    """The sum of some rows of one area and year in the source (``"Einwohner"`` by default)."""
    figures = source_figures()
    return sum(figures[(year, raum_id, z)] for z in (zeilen or ("Einwohner",)))
