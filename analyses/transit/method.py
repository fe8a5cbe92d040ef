"""The tables of the ÖV-Güteklassen method (``data/oev_gueteklassen.toml``).

:class:`GueteklassenMethod` holds the mode groups, the interval classes of the Kursintervall, the
distance bands and the two tables (Haltestellenkategorie by group and interval; Güteklasse by
category and distance band); :func:`load_method` reads them (re-read when the file changes).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from layers import settings
from layers.errors import ConfigError

__all__ = ["NO_GRADE", "ROMAN", "GueteklassenMethod", "load_method", "method_file"]

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
NO_GRADE = "keine"


@dataclass(frozen=True)
class GueteklassenMethod:
    """The tables of the ÖV-Güteklassen method (from ``data/oev_gueteklassen.toml``)."""

    name: str
    quelle: str
    zeitfenster: tuple[str, str]
    group_of_route_type: dict[int, str]
    group_labels: dict[str, str]
    interval_bounds: tuple[float, ...]
    bands_m: tuple[float, ...]
    categories: dict[str, tuple[int, ...]]
    grades: dict[int, tuple[str | None, ...]]

    @property
    def group_order(self) -> list[str]:
        """Groups from the highest (rail) to the lowest (bus)."""
        return sorted(self.categories)

    def category(self, group: str, interval_min: float) -> int | None:
        """Haltestellenkategorie (1 = I …) for a group and a Kursintervall, or None."""
        if not np.isfinite(interval_min) or group not in self.categories:
            return None
        for position, bound in enumerate(self.interval_bounds):
            last = position == len(self.interval_bounds) - 1
            if interval_min < bound or (last and interval_min <= bound):
                return self.categories[group][position]
        return None

    def grade(self, category: int, distance_m: float) -> str | None:
        """Güteklasse for a category and a walking distance, or None."""
        if not np.isfinite(distance_m):
            return None
        for position, bound in enumerate(self.bands_m):
            if distance_m <= bound:
                return self.grades.get(category, ())[position]
        return None


def method_file() -> Path:
    """Return the method's table (``data/oev_gueteklassen.toml``)."""
    return settings.vocab_dir / "oev_gueteklassen.toml"


@lru_cache(maxsize=2)
def _load_method(path_text: str, mtime: int) -> GueteklassenMethod:
    path = Path(path_text)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        procedure = raw["verfahren"]
        bands = tuple(float(b) for b in procedure["distanzbaender_m"])
        bounds = tuple(float(b) for b in procedure["intervall_grenzen_min"])
        group_of: dict[int, str] = {}
        labels: dict[str, str] = {}
        for group, entry in raw["gruppen"].items():
            labels[group] = str(entry.get("bezeichnung", group))
            for route_type in entry["route_types"]:
                group_of[int(route_type)] = group
        categories = {g: tuple(int(c) for c in cats) for g, cats in raw["kategorien"].items()}
        grades: dict[int, tuple[str | None, ...]] = {}
        for roman, row in raw["gueteklassen"].items():
            grades[ROMAN.index(roman) + 1] = tuple(None if g == "-" else str(g) for g in row)
        window = procedure.get("zeitfenster", ["06:00", "20:00"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise ConfigError(
            f"Die Tabelle der ÖV-Güteklassen kann nicht gelesen werden ({exc}).",
            hinweis="Stellen Sie data/oev_gueteklassen.toml aus dem Repository wieder her.",
            datei=path,
        ) from exc
    for group, cats in categories.items():
        if len(cats) != len(bounds) or group not in labels:
            raise ConfigError(
                f"[kategorien] {group} braucht {len(bounds)} Werte (einen je Intervallklasse) "
                "und eine Gruppe [gruppen.{group}].",
                hinweis="Korrigieren Sie data/oev_gueteklassen.toml.",
                datei=path,
            )
    for category, row in grades.items():
        if len(row) != len(bands):
            raise ConfigError(
                f"[gueteklassen] {ROMAN[category - 1]} braucht {len(bands)} Werte (einen je "
                "Distanzband).",
                hinweis="Korrigieren Sie data/oev_gueteklassen.toml.",
                datei=path,
            )
    return GueteklassenMethod(
        name=str(procedure.get("name", "ÖV-Güteklassen")),
        quelle=str(procedure.get("quelle", "")),
        zeitfenster=(str(window[0]), str(window[1])),
        group_of_route_type=group_of,
        group_labels=labels,
        interval_bounds=bounds,
        bands_m=bands,
        categories=categories,
        grades=grades,
    )


def load_method() -> GueteklassenMethod:
    """Return the ÖV-Güteklassen tables (re-read when the file changes)."""
    path = method_file()
    return _load_method(str(path), path.stat().st_mtime_ns if path.exists() else 0)
