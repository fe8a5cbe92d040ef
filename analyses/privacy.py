"""Disclosure control for barrier reports: the ONE gate between raw reports and any output.

Barrier reports are case-derived health and social data (SGB X, Art. 9 GDPR). Every map layer,
table, raster, export and report that touches them is built from a :class:`Publication` made by
:func:`publish`; nothing else aggregates them. :func:`publish` counts distinct persons and reports
for every table of one filter at once — the region total, the Zensus grid at each resolution of
the rule, the planning areas, the streets, and the ICF codes and years per planning area and
region — and applies the rule to all of them jointly, because an attacker can combine any of
them.

The rule (:class:`DisclosureRule`, German text in :meth:`DisclosureRule.beschreibung`):

1. *Primary suppression*: a cell, area or street is published only if at least ``k`` distinct
   persons (``settings.privacy_min_persons``, 5) stand behind it.
2. *Rounding*: published counts are rounded to a multiple of ``settings.privacy_rounding_base``.
3. *Secondary suppression against differencing*: an attacker takes a published total and
   subtracts published parts that lie wholly inside it — a planning area minus its grid cells,
   the region minus its visible areas, a 1 km cell minus its 500 m cells and then minus 100 m
   cells inside the rest, an area minus the streets inside it, and so on, across all tables of the
   filter, in chains of up to ``rule.tiefe`` steps (default 2). Every remainder that can be formed
   this way must be empty or rest on at least ``k`` distinct persons; otherwise further parts are
   suppressed (the smallest first) until it does. A part lies "wholly inside" a total when all of
   its reports do — a conservative reading of what an attacker could know from the geometry.
4. *No point data*: there is no function that returns report locations; density surfaces are
   computed from published cell values only (:mod:`analyses.hotspots`).
5. *No zeros*: cells without reports are not listed and areas or years without published value
   say "keine Angabe", so that "suppressed" and "empty" cannot be told apart.
6. Secondary suppression of a total is made meaningful: a suppressed total with at least ``k``
   persons must not be recomputable as the sum of its visible parts.

An internal mode (:meth:`DisclosureRule.intern`, minimum 3 persons, exact counts) exists for
case management staff; it must be requested explicitly with a reason, and every output made
under it carries the label "INTERN – nicht zur Veröffentlichung".

Values are protected per filter. Differences between two filters (e.g. all barriers minus the
barriers of one impairment group) are protected by rounding only; user interfaces should offer a
few fixed filter choices rather than arbitrary combinations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analyses.grid import RESOLUTIONS, cell_corners, cells_frame, grid_xy, population_on_grid
from layers import settings
from layers.errors import AnalysisError, PrivacyError
from layers.log import get_logger

log = get_logger("privacy")

#: Absolute lower bounds the configuration cannot go below.
PUBLIC_MIN_PERSONS_FLOOR = 5
INTERNAL_MIN_PERSONS_FLOOR = 3
PUBLISHED_MARK = "sozialraum_geheimhaltung"
MISSING_LABEL = "keine Angabe"
SNAP_TO_STREET_M = 25.0


# --------------------------------------------------------------------------------------------
# The rule
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureRule:
    """A disclosure-control rule. Make one with :meth:`oeffentlich` or :meth:`intern`.

    Attributes
    ----------
    min_personen
        Smallest number of distinct persons behind any published value (``k``).
    rundungsbasis
        Published counts are rounded to a multiple of this.
    modus
        ``"öffentlich"`` or ``"intern"``.
    gitter
        Grid resolutions that may be published for a filter (all are protected jointly).
    tiefe
        Length of the differencing chains checked (1 = total minus parts, 2 = and then minus
        parts of another table inside the remainder).
    begruendung
        Why the internal mode is used (required for it).
    """

    min_personen: int
    rundungsbasis: int
    modus: str = "öffentlich"
    gitter: tuple[int, ...] = RESOLUTIONS
    tiefe: int = 2
    begruendung: str = ""

    def __post_init__(self) -> None:
        if self.modus not in ("öffentlich", "intern"):
            raise PrivacyError(f"Unbekannter Geheimhaltungsmodus '{self.modus}'.",
                               hinweis="Erlaubt sind 'öffentlich' und 'intern'.")
        floor = PUBLIC_MIN_PERSONS_FLOOR if self.modus == "öffentlich" else INTERNAL_MIN_PERSONS_FLOOR
        if self.min_personen < floor:
            raise PrivacyError(
                f"Die Mindestzahl von {self.min_personen} Personen ist für den Modus "
                f"'{self.modus}' zu klein (mindestens {floor}).",
                hinweis="Setzen Sie settings.privacy_min_persons auf 5 oder mehr; kleinere Werte "
                "sind nur intern (mindestens 3) zulässig.",
            )
        if self.rundungsbasis < 1:
            raise PrivacyError("Die Rundungsbasis muss mindestens 1 sein.",
                               hinweis="Setzen Sie settings.privacy_rounding_base auf z. B. 5.")
        if self.modus == "öffentlich" and self.rundungsbasis < 2:
            raise PrivacyError("Öffentliche Werte müssen gerundet werden (Basis mindestens 2).",
                               hinweis="Setzen Sie settings.privacy_rounding_base auf z. B. 5.")
        if self.modus == "intern" and not self.begruendung.strip():
            raise PrivacyError("Der interne Modus braucht eine Begründung.",
                               hinweis="Rufen Sie DisclosureRule.intern(begruendung=…) auf.")
        if not self.gitter or any(r not in RESOLUTIONS for r in self.gitter):
            raise PrivacyError(f"Unbekannte Gitterweiten {self.gitter}.",
                               hinweis="Erlaubt sind 100, 250, 500 und 1000 m.")
        if self.tiefe not in (1, 2, 3):
            raise PrivacyError("Die Prüftiefe muss 1, 2 oder 3 sein.")

    @classmethod
    def oeffentlich(cls, gitter: Sequence[int] = RESOLUTIONS) -> DisclosureRule:
        """The public rule from :mod:`layers.settings` (default: 5 persons, rounding to 5)."""
        return cls(
            min_personen=int(settings.privacy_min_persons),
            rundungsbasis=int(settings.privacy_rounding_base),
            modus="öffentlich",
            gitter=tuple(sorted(int(r) for r in gitter)),
        )

    @classmethod
    def intern(
        cls,
        *,
        begruendung: str,
        min_personen: int = INTERNAL_MIN_PERSONS_FLOOR,
        rundungsbasis: int = 1,
        gitter: Sequence[int] = RESOLUTIONS,
    ) -> DisclosureRule:
        """The internal rule for case management staff (explicit switch, labelled outputs).

        Parameters
        ----------
        begruendung
            Why exact small counts are needed (recorded in every output's label).
        min_personen
            At least 3.
        rundungsbasis
            1 = exact counts.
        gitter
            Grid resolutions.
        """
        log.warning("Interner Geheimhaltungsmodus angefordert: %s", begruendung)
        return cls(min_personen=min_personen, rundungsbasis=rundungsbasis, modus="intern",
                   gitter=tuple(sorted(int(r) for r in gitter)), begruendung=begruendung)

    @property
    def ist_intern(self) -> bool:
        """Whether this is the internal mode."""
        return self.modus == "intern"

    @property
    def kennzeichnung(self) -> str:
        """The label every output carries."""
        if self.ist_intern:
            return (f"INTERN – nicht zur Veröffentlichung (mind. {self.min_personen} Personen je "
                    f"Wert, Rundung auf {self.rundungsbasis}; Grund: {self.begruendung})")
        return (f"öffentlich: mind. {self.min_personen} Personen je Wert, gerundet auf "
                f"{self.rundungsbasis}, Schutz vor Differenzbildung")

    def runden(self, values: Any) -> np.ndarray:
        """Round counts to the rule's base (half up); never below the minimum for non-zero."""
        array = np.asarray(values, dtype=float)
        base = self.rundungsbasis
        rounded = np.floor(array / base + 0.5) * base
        return np.where(array > 0, np.maximum(rounded, base), 0).astype(np.int64)

    def beschreibung(self) -> str:
        """The rule in German for the app page and reports (Markdown)."""
        k = self.min_personen
        base = self.rundungsbasis
        text = (
            "**Schutz der Personen in den Barrieremeldungen (Geheimhaltung)**\n\n"
            "Barrieremeldungen stammen aus der Fallarbeit und sind Sozial- und Gesundheitsdaten "
            "(SGB X, Art. 9 DSGVO). Deshalb zeigt der Atlas sie nie als Punkte und nie als "
            "Dichtefläche einzelner Meldeorte, sondern nur zusammengefasst nach diesen Regeln:\n\n"
            f"1. **Mindestens {k} Personen.** Eine Gitterzelle, ein Planungsraum, eine Straße, "
            f"ein Jahr oder ein ICF-Code wird nur gezeigt, wenn mindestens {k} verschiedene "
            "Personen dahinterstehen. Gezählt werden Personen über ihren pseudonymen Schlüssel, "
            "nicht Nennungen.\n"
        )
        if base > 1:
            text += (f"2. **Gerundet.** Alle Zahlen sind auf ein Vielfaches von {base} gerundet "
                     f"(z. B. 7 → {int(self.runden([7])[0])}, 8 → {int(self.runden([8])[0])}).\n")
        else:
            text += "2. **Ungerundet.** Im internen Modus werden genaue Zahlen gezeigt.\n"
        text += (
            "3. **Kein Zurückrechnen.** Aus einer Gesamtzahl minus der gezeigten Teile (zum "
            "Beispiel Planungsraum minus seine Gitterzellen, Region minus die gezeigten "
            "Planungsräume, 1-km-Zelle minus ihre kleineren Zellen) darf sich keine Zahl "
            f"ergeben, hinter der weniger als {k} Personen stehen. Wo das drohte, sind weitere "
            "Werte ausgeblendet (sekundäre Geheimhaltung). Das gilt für alle Karten und Tabellen "
            "derselben Auswahl gemeinsam.\n"
            "4. **Keine Nullen.** Leere und ausgeblendete Werte sehen gleich aus "
            f"(„{MISSING_LABEL}“), damit niemand erkennen kann, wo es wenige Meldungen gibt.\n"
            "5. **Dichteflächen und Hotspots** werden nur aus den veröffentlichten Zellwerten "
            "berechnet, nie aus den Meldeorten.\n\n"
            "Werte verschiedener Auswahlen (etwa „alle Gruppen“ und „nur Mobilität“) sind "
            "jeweils für sich geschützt; ihre Differenz ist nur durch die Rundung geschützt. "
            "Veröffentlichen Sie deshalb keine selbst gebildeten Differenzen."
        )
        if self.ist_intern:
            text = (f"**INTERNER MODUS – nicht zur Veröffentlichung.** Grund: {self.begruendung}. "
                    f"Mindestens {k} Personen je Wert.\n\n") + text
        return text


# --------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------

ART_CHOICES = ("barrieren", "foerderfaktoren", "alle")


@dataclass(frozen=True)
class BarrierFilter:
    """Which reports a publication counts.

    Attributes
    ----------
    kapitel
        ICF chapters (``"e1"`` … ``"e5"``); empty = all.
    codes
        ICF codes (``"e150"``); empty = all.
    art
        ``"barrieren"`` (qualifiers .1–.4, .8), ``"foerderfaktoren"`` (+1–+4, +8) or ``"alle"``.
    min_schweregrad
        Only barriers at least this severe (1–4; excludes .8 and facilitators).
    beeintraechtigung
        Impairment groups; empty = all.
    von, bis
        Time window (inclusive).
    """

    kapitel: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    art: str = "barrieren"
    min_schweregrad: int | None = None
    beeintraechtigung: tuple[str, ...] = ()
    von: date | None = None
    bis: date | None = None

    def __post_init__(self) -> None:
        if self.art not in ART_CHOICES:
            raise AnalysisError(f"Unbekannte Art '{self.art}'.",
                                hinweis="Erlaubt: barrieren, foerderfaktoren, alle.")
        if self.min_schweregrad is not None and not 1 <= self.min_schweregrad <= 4:
            raise AnalysisError("Der Mindestschweregrad muss zwischen 1 und 4 liegen.")
        if self.von and self.bis and self.von > self.bis:
            raise AnalysisError("Der Zeitraum endet vor seinem Beginn.",
                                hinweis="Tauschen Sie 'von' und 'bis'.")

    def apply(self, reports: pd.DataFrame) -> pd.DataFrame:
        """Return the matching reports (a new frame; raw data, for :func:`publish` only)."""
        keep = np.ones(len(reports), dtype=bool)
        qualifier = reports["qualifikator"].astype(str)
        if self.art == "barrieren":
            keep &= qualifier.str.startswith(".").to_numpy() & ~qualifier.isin(
                [".0", ".9"]).to_numpy()
        elif self.art == "foerderfaktoren":
            keep &= qualifier.str.startswith("+").to_numpy() & ~qualifier.eq("+0").to_numpy()
        else:
            keep &= ~qualifier.isin([".0", "+0", ".9"]).to_numpy()
        if self.min_schweregrad is not None:
            severity = pd.to_numeric(reports["schweregrad"], errors="coerce").to_numpy()
            keep &= np.nan_to_num(severity, nan=0) >= self.min_schweregrad
        if self.kapitel:
            keep &= reports["icf_kapitel"].isin(self.kapitel).to_numpy()
        if self.codes:
            keep &= reports["icf_code"].isin(self.codes).to_numpy()
        if self.beeintraechtigung:
            keep &= reports["beeintraechtigung"].isin(self.beeintraechtigung).to_numpy()
        if self.von or self.bis:
            days = pd.to_datetime(reports["datum"], errors="coerce")
            if self.von:
                keep &= (days >= pd.Timestamp(self.von)).fillna(False).to_numpy(dtype=bool)
            if self.bis:
                keep &= (days <= pd.Timestamp(self.bis)).fillna(False).to_numpy(dtype=bool)
        return reports[keep]

    def beschreibung(self) -> str:
        """German one-line description for captions and file metadata."""
        parts = {"barrieren": "Barrieren", "foerderfaktoren": "Förderfaktoren",
                 "alle": "Barrieren und Förderfaktoren"}[self.art]
        extra = []
        if self.min_schweregrad:
            extra.append(f"Schweregrad ab .{self.min_schweregrad}")
        if self.kapitel:
            extra.append("ICF-Kapitel " + ", ".join(self.kapitel))
        if self.codes:
            extra.append("ICF-Codes " + ", ".join(self.codes))
        if self.beeintraechtigung:
            extra.append("Gruppe " + ", ".join(self.beeintraechtigung))
        if self.von or self.bis:
            von = f"{self.von:%d.%m.%Y}" if self.von else "Beginn"
            bis = f"{self.bis:%d.%m.%Y}" if self.bis else "heute"
            extra.append(f"Zeitraum {von}–{bis}")
        return parts + (" (" + "; ".join(extra) + ")" if extra else "")


# --------------------------------------------------------------------------------------------
# The protection engine
# --------------------------------------------------------------------------------------------


@dataclass
class Partition:
    """One table of a publication: each report belongs to at most one of its cells.

    Attributes
    ----------
    name
        Table name (``"region"``, ``"gitter_250"``, ``"planungsraum"``, …).
    codes
        Cell index per report (``-1`` = in no cell of this table).
    n_cells
        Number of cells.
    fixed
        Visibility given from outside (``fixed_visible``) and not to be changed.
    fixed_visible
        For fixed tables: which cells are published.
    allowed
        Cells that may be published at all (``None`` = all); others are suppressed from the start.
    """

    name: str
    codes: np.ndarray
    n_cells: int
    fixed: bool = False
    fixed_visible: np.ndarray | None = None
    allowed: np.ndarray | None = None
    _order: np.ndarray | None = field(default=None, repr=False)
    _starts: np.ndarray | None = field(default=None, repr=False)
    _members: np.ndarray | None = field(default=None, repr=False)

    def sorted_view(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Report positions sorted by cell, segment starts and the cell of each segment."""
        if self._order is None:
            valid = np.flatnonzero(self.codes >= 0)
            order = valid[np.argsort(self.codes[valid], kind="stable")]
            cells = self.codes[order]
            starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]]) if len(cells) else \
                np.empty(0, dtype=np.int64)
            self._order, self._starts, self._members = order, starts, cells[starts]
        assert self._starts is not None and self._members is not None
        return self._order, self._starts, self._members


def distinct_persons(groups: np.ndarray, person: np.ndarray, n_groups: int) -> np.ndarray:
    """Distinct persons per group (``groups`` = group index per report, ``-1`` = none)."""
    valid = groups >= 0
    if not valid.any():
        return np.zeros(n_groups, dtype=np.int64)
    n_person = int(person.max()) + 1
    key = groups[valid].astype(np.int64) * n_person + person[valid]
    unique = np.unique(key)
    return np.bincount(unique // n_person, minlength=n_groups)


def _subtract(
    key: np.ndarray, members: Partition, visible: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Remove from each residual group the visible members lying wholly inside it.

    Returns the new residual key, and for every removed member its index and its group.
    """
    order, starts, cells = members.sorted_view()
    if len(order) == 0:
        return key, np.empty(0, np.int64), np.empty(0, np.int64)
    k_sorted = key[order]
    lo = np.minimum.reduceat(k_sorted, starts)
    hi = np.maximum.reduceat(k_sorted, starts)
    inside = (lo == hi) & (lo >= 0) & visible[cells]
    if not inside.any():
        return key, np.empty(0, np.int64), np.empty(0, np.int64)
    removed_cells = cells[inside]
    removed_groups = lo[inside]
    covered = np.zeros(members.n_cells, dtype=bool)
    covered[removed_cells] = True
    report_cells = members.codes
    hit = (report_cells >= 0) & covered[np.maximum(report_cells, 0)]
    new_key = np.where(hit, -1, key)
    return new_key, removed_cells, removed_groups


def protect(
    partitions: Sequence[Partition],
    person: np.ndarray,
    rule: DisclosureRule,
    *,
    max_rounds: int = 200,
) -> dict[str, np.ndarray]:
    """Decide which cells of every table may be published (primary and secondary suppression).

    Parameters
    ----------
    partitions
        The tables of one publication (all over the same reports).
    person
        Person index per report.
    rule
        ``k`` and the depth of the differencing chains.

    Returns
    -------
    dict
        Table name to a boolean array (published or not) per cell.
    """
    k = rule.min_personen
    person = np.asarray(person, dtype=np.int64)
    persons = {p.name: distinct_persons(p.codes, person, p.n_cells) for p in partitions}
    visible: dict[str, np.ndarray] = {}
    for p in partitions:
        if p.fixed:
            assert p.fixed_visible is not None
            visible[p.name] = p.fixed_visible.astype(bool).copy()
        else:
            visible[p.name] = persons[p.name] >= k
            if p.allowed is not None:
                visible[p.name] &= p.allowed.astype(bool)
    by_name = {p.name: p for p in partitions}

    for _round in range(max_rounds):
        hide: dict[str, set[int]] = {p.name: set() for p in partitions}
        for group_table in partitions:
            if group_table.n_cells == 0:
                continue
            g_codes = group_table.codes
            g_vis = visible[group_table.name]
            nontiny = persons[group_table.name] >= k
            safe = np.maximum(g_codes, 0)
            in_vis = (g_codes >= 0) & g_vis[safe]
            in_hidden = (g_codes >= 0) & ~g_vis[safe] & nontiny[safe]
            start_vis = np.where(in_vis, g_codes, -1)
            start_hidden = np.where(in_hidden, g_codes, -1)
            others = [p for p in partitions if p.name != group_table.name]
            _chains(start_vis, start_hidden, group_table, others, visible, persons, person,
                    k, rule.tiefe, hide, by_name)
        if not any(hide.values()):
            return visible
        for name, cells in hide.items():
            if cells:
                visible[name][list(cells)] = False
    raise PrivacyError(  # pragma: no cover - each round hides at least one cell
        "Die sekundäre Geheimhaltung kam nicht zum Abschluss.",
        hinweis="Melden Sie diesen Fehler mit der verwendeten Auswahl.",
    )


def _chains(
    start_vis: np.ndarray,
    start_hidden: np.ndarray,
    group_table: Partition,
    others: list[Partition],
    visible: dict[str, np.ndarray],
    persons: dict[str, np.ndarray],
    person: np.ndarray,
    k: int,
    depth: int,
    hide: dict[str, set[int]],
    by_name: dict[str, Partition],
) -> None:
    n = group_table.n_cells

    # A group with at least this many reports has at least k distinct persons, because nobody
    # has more than max_per_person reports; only smaller groups need an exact (costly) count.
    max_per_person = int(np.bincount(person).max()) if len(person) else 1
    certain = (k - 1) * max_per_person + 1

    def check(key: np.ndarray, removed: list[tuple[str, np.ndarray, np.ndarray]],
              require_nonempty: bool) -> None:
        touched = np.zeros(n, dtype=bool)
        for _name, _cells, groups in removed:
            touched[groups] = True
        if not touched.any():
            return
        valid = key >= 0
        report_counts = np.bincount(key[valid], minlength=n)
        undecided = touched & (report_counts > 0) & (report_counts < certain)
        remaining = np.where(report_counts >= certain, k, 0)
        if undecided.any():
            subset = valid & undecided[np.maximum(key, 0)]
            exact = distinct_persons(np.where(subset, key, -1), person, n)
            remaining = np.where(undecided, exact, remaining)
        if require_nonempty:
            bad = touched & (remaining < k)
        else:
            bad = touched & (remaining > 0) & (remaining < k)
        for g in np.flatnonzero(bad):
            best: tuple[int, str, int] | None = None
            pending = False
            for name, cells, groups in removed:
                if by_name[name].fixed:
                    continue
                for cell in cells[groups == g]:
                    if int(cell) in hide[name]:
                        pending = True
                        continue
                    if not visible[name][cell]:
                        continue
                    cost = int(persons[name][cell])
                    if best is None or cost < best[0]:
                        best = (cost, name, int(cell))
            if pending:
                continue  # a suppression decided in this round already adds to the remainder
            if best is not None:
                hide[best[1]].add(best[2])
            elif not group_table.fixed and visible[group_table.name][g]:
                hide[group_table.name].add(int(g))
            else:  # pragma: no cover - fixed tables were protected among themselves
                log.warning("Geheimhaltung: Rest in '%s' nur über feste Tabellen bildbar.",
                            group_table.name)

    def walk(key: np.ndarray, removed: list[tuple[str, np.ndarray, np.ndarray]],
             used: set[str], level: int, require_nonempty: bool) -> None:
        for member in others:
            if member.name in used:
                continue
            new_key, cells, groups = _subtract(key, member, visible[member.name])
            if len(cells) == 0:
                continue
            chain = [*removed, (member.name, cells, groups)]
            check(new_key, chain, require_nonempty)
            if level < depth and not require_nonempty:
                walk(new_key, chain, used | {member.name}, level + 1, require_nonempty)

    if (start_vis >= 0).any():
        walk(start_vis, [], set(), 1, False)
    if (start_hidden >= 0).any():
        walk(start_hidden, [], set(), depth, True)  # one step: a hidden total stays hidden


# --------------------------------------------------------------------------------------------
# Publication
# --------------------------------------------------------------------------------------------


@dataclass
class Publication:
    """Everything that may be shown or exported about the reports of one filter.

    Obtain it from :func:`publish`. Every method returns a new frame whose values passed the
    rule; each frame carries the column ``geheimhaltung`` and ``frame.attrs`` entries with the
    rule and filter.
    """

    rule: DisclosureRule
    filter: BarrierFilter
    crs: Any
    tables: dict[str, pd.DataFrame]
    region_total: dict[str, Any]

    def _finish(self, frame: pd.DataFrame, table: str) -> pd.DataFrame:
        frame = frame.copy()
        frame["geheimhaltung"] = self.rule.kennzeichnung
        frame.attrs[PUBLISHED_MARK] = self.rule.kennzeichnung
        frame.attrs["tabelle"] = table
        frame.attrs["filter"] = self.filter.beschreibung()
        frame.attrs["intern"] = self.rule.ist_intern
        return frame

    def gitter(self, resolution: int) -> gpd.GeoDataFrame:
        """Published grid cells at a resolution (only cells with a published value).

        Columns: ``gitter_id``, ``personen``, ``meldungen``, ``einwohner``, ``rate_je_1000``
        (persons per 1,000 inhabitants, from the rounded count), ``geheimhaltung``, geometry.
        """
        name = f"gitter_{int(resolution)}"
        if name not in self.tables:
            raise PrivacyError(
                f"Das {resolution}-m-Gitter ist in dieser Veröffentlichung nicht enthalten.",
                hinweis=f"Die Regel erlaubt die Gitterweiten {', '.join(map(str, self.rule.gitter))} m.",
            )
        return self._finish(self.tables[name], name)

    def planungsraeume(self) -> gpd.GeoDataFrame:
        """All planning areas; ``personen``/``meldungen``/rates are empty where not published.

        Columns: ``pr_id``, ``name``, ``veroeffentlicht``, ``personen``, ``meldungen``,
        ``einwohner``, ``rate_je_1000``, ``rate_eb_je_1000`` (empirical-Bayes smoothed),
        ``hinweis``, ``geheimhaltung``, geometry.
        """
        return self._finish(self.tables["planungsraum"], "planungsraum")

    def strassen(self) -> gpd.GeoDataFrame:
        """Published streets (reports within 25 m of a named street of the network)."""
        return self._finish(self.tables["strasse"], "strasse")

    def region(self) -> pd.DataFrame:
        """One row: the region total (empty values if not published)."""
        return self._finish(pd.DataFrame([self.region_total]), "region")

    def icf_je_planungsraum(self, top: int | None = None) -> pd.DataFrame:
        """Published ICF codes per planning area, most frequent first (``rang``)."""
        frame = self.tables["planungsraum_icf"]
        if top is not None:
            frame = frame[frame["rang"] <= top]
        return self._finish(frame, "planungsraum_icf")

    def icf_region(self) -> pd.DataFrame:
        """Published ICF codes for the whole region."""
        return self._finish(self.tables["region_icf"], "region_icf")

    def jahre_je_planungsraum(self) -> pd.DataFrame:
        """Persons and reports per planning area and year (empty where not published)."""
        return self._finish(self.tables["planungsraum_jahr"], "planungsraum_jahr")

    def jahre_region(self) -> pd.DataFrame:
        """Persons and reports per year for the whole region (empty where not published)."""
        return self._finish(self.tables["region_jahr"], "region_jahr")

    def export(self, path: Any) -> list[str]:
        """Write every published table into a GeoPackage (for QGIS), with the rule as a table.

        Returns
        -------
        list of str
            Names of the layers written.
        """
        import pyogrio

        written = []
        layers: dict[str, pd.DataFrame] = {"geheimhaltung_regel": pd.DataFrame({
            "regel": [self.rule.kennzeichnung], "filter": [self.filter.beschreibung()],
            "beschreibung": [self.rule.beschreibung()],
        })}
        for resolution in self.rule.gitter:
            layers[f"barrieren_gitter_{resolution}m"] = self.gitter(resolution)
        layers["barrieren_planungsraeume"] = self.planungsraeume()
        layers["barrieren_strassen"] = self.strassen()
        layers["barrieren_region"] = self.region()
        layers["barrieren_icf_planungsraum"] = self.icf_je_planungsraum()
        layers["barrieren_icf_region"] = self.icf_region()
        layers["barrieren_jahre_planungsraum"] = self.jahre_je_planungsraum()
        layers["barrieren_jahre_region"] = self.jahre_region()
        for name, frame in layers.items():
            out = frame if isinstance(frame, gpd.GeoDataFrame) else pd.DataFrame(frame)
            kwargs: dict[str, Any] = {}
            if isinstance(out, gpd.GeoDataFrame) and len(out) == 0:
                kwargs["geometry_type"] = "Unknown"
            pyogrio.write_dataframe(out, path, layer=name, driver="GPKG", **kwargs)
            written.append(name)
        return written


def require_published(frame: pd.DataFrame) -> str:
    """Raise unless ``frame`` came out of a :class:`Publication`; return its rule label.

    Functions that draw, smooth or export barrier figures call this first, so that raw report
    counts cannot reach an output by accident.
    """
    label = frame.attrs.get(PUBLISHED_MARK)
    if not label or "geheimhaltung" not in frame.columns:
        raise PrivacyError(
            "Diese Tabelle ist nicht durch die Geheimhaltung gegangen und darf nicht ausgegeben "
            "werden.",
            hinweis="Erzeugen Sie Werte zu Barrieremeldungen immer mit analyses.privacy.publish().",
        )
    return str(label)


def empirical_bayes_rates(events: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Global empirical-Bayes smoothed rates (Marshall 1991), as ``esda``'s ``Empirical_Bayes``.

    Units with ``base == 0`` get NaN and do not enter the estimate.

    Parameters
    ----------
    events
        Event counts per unit.
    base
        Population at risk per unit.

    Returns
    -------
    numpy.ndarray
        Smoothed rates (events per person).
    """
    e = np.asarray(events, dtype=float)
    b = np.asarray(base, dtype=float)
    out = np.full(len(e), np.nan)
    use = b > 0
    if not use.any():
        return out
    e_u, b_u = e[use], b[use]
    mean = e_u.sum() / b_u.sum()
    raw = e_u / b_u
    variance = (b_u * (raw - mean) ** 2).sum() / b_u.sum()
    prior_var = variance - mean / b_u.mean()
    prior_var = max(prior_var, 0.0)
    denom = prior_var + mean / b_u
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(denom > 0, prior_var / denom, 0.0)
    out[use] = weight * raw + (1 - weight) * mean
    return out


def _factorize(values: Iterable[Any]) -> tuple[np.ndarray, pd.Index]:
    codes, uniques = pd.factorize(pd.Series(list(values), dtype=object), use_na_sentinel=True)
    return codes.astype(np.int64), pd.Index(uniques)


def _assign_areas(points: gpd.GeoSeries, areas: gpd.GeoDataFrame) -> np.ndarray:
    if len(areas) == 0 or len(points) == 0:
        return np.full(len(points), -1, dtype=np.int64)
    frame = gpd.GeoDataFrame(geometry=points.reset_index(drop=True), crs=points.crs)
    joined = gpd.sjoin(frame, areas[["geometry"]].reset_index(drop=True), how="left",
                       predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    out = joined["index_right"].reindex(range(len(points))).to_numpy()
    return np.where(pd.isna(out), -1, out).astype(np.int64)


def _assign_streets(reports: gpd.GeoDataFrame, streets: gpd.GeoDataFrame) -> np.ndarray:
    from layers.geocode import normalize_street

    n = len(reports)
    out = np.full(n, -1, dtype=np.int64)
    if len(streets) == 0 or n == 0:
        return out
    index = {key: i for i, key in enumerate(streets["schluessel"])}
    if "strasse" in reports.columns:
        named = reports["strasse"].to_numpy()
        for pos in range(n):
            value = named[pos]
            if isinstance(value, str) and value.strip():
                out[pos] = index.get(normalize_street(value), -1)
    todo = np.flatnonzero(out < 0)
    if len(todo):
        # Nearest search on the single lines of each street is far faster than on the merged
        # multi-part streets.
        parts = streets.geometry.explode(index_parts=False)
        owner = parts.index.to_numpy()
        tree = shapely.STRtree(parts.to_numpy())
        points = reports.geometry.iloc[todo].to_numpy()
        pairs = tree.query(points, predicate="dwithin", distance=SNAP_TO_STREET_M)
        hit = np.full(len(todo), -1, dtype=np.int64)
        if pairs.shape[1]:
            distance = shapely.distance(points[pairs[0]], tree.geometries[pairs[1]])
            # Nearest street per report; on ties (a report at a junction) the first street.
            order = np.lexsort((owner[pairs[1]], distance, pairs[0]))
            first = order[np.r_[True, pairs[0][order][1:] != pairs[0][order][:-1]]]
            hit[pairs[0][first]] = owner[pairs[1][first]]
        out[todo] = hit
    return out


def publish(
    reports: gpd.GeoDataFrame,
    *,
    boundary: shapely.Geometry,
    areas: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame | None = None,
    population: pd.DataFrame | None = None,
    icf_titles: dict[str, str] | None = None,
    rule: DisclosureRule | None = None,
    barrier_filter: BarrierFilter | None = None,
) -> Publication:
    """Aggregate barrier reports and apply disclosure control to every table at once.

    Parameters
    ----------
    reports
        Raw reports (``barrieren`` layer, e.g. from :func:`layers.barrieren.read_reports`) in the
        region CRS. Not changed.
    boundary
        The region polygon; reports outside are not counted.
    areas
        ``planungsraeume`` (``pr_id``, ``name``, geometry).
    streets
        Named streets (:func:`layers.barrieren.street_segments`); ``None`` = no street table.
    population
        ``bevoelkerung`` cells (``gitter_id``, ``einwohner``, geometry) for rates.
    icf_titles
        German titles of the ICF codes.
    rule
        Default :meth:`DisclosureRule.oeffentlich`.
    barrier_filter
        Default: all barriers.

    Returns
    -------
    Publication
    """
    rule = rule or DisclosureRule.oeffentlich()
    barrier_filter = barrier_filter or BarrierFilter()
    if reports.crs is None:
        raise PrivacyError("Die Barrieremeldungen haben kein Koordinatenbezugssystem.")
    crs = reports.crs
    selected = barrier_filter.apply(reports)
    selected = selected[~selected.geometry.isna()]
    if len(selected):
        inside = shapely.covers(boundary, selected.geometry.to_numpy())
        selected = selected[inside]
    selected = selected.reset_index(drop=True)
    n = len(selected)
    person, _ = _factorize(selected["person_schluessel"].astype(str))
    titles = icf_titles or {}

    # ---- spatial tables -------------------------------------------------------------------
    partitions: list[Partition] = [Partition("region", np.zeros(n, dtype=np.int64), 1)]
    x, y = grid_xy(selected.geometry)
    grid_keys: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for resolution in rule.gitter:
        east, north = cell_corners(x, y, resolution)
        combined = east * 10_000_000 + north
        codes, uniques = pd.factorize(combined)
        values = np.asarray(uniques, dtype=np.int64)
        grid_keys[resolution] = (values // 10_000_000, values % 10_000_000)
        partitions.append(Partition(f"gitter_{resolution}", codes.astype(np.int64), len(values)))
    areas = areas.reset_index(drop=True)
    area_codes = _assign_areas(selected.geometry, areas)
    partitions.append(Partition("planungsraum", area_codes, len(areas)))
    streets = streets.reset_index(drop=True) if streets is not None else None
    street_codes = (_assign_streets(selected, streets) if streets is not None
                    else np.full(n, -1, dtype=np.int64))
    if streets is not None and len(streets):
        partitions.append(Partition("strasse", street_codes, len(streets)))
    visible = protect(partitions, person, rule)

    # ---- attribute tables (ICF codes and years), with the spatial decisions fixed ----------
    code_codes, code_values = _factorize(selected["icf_code"].astype(str))
    years = pd.to_datetime(selected["datum"], errors="coerce").dt.year.to_numpy()
    year_values = np.array(sorted({int(v) for v in years if not np.isnan(v)}), dtype=np.int64)
    year_codes = np.where(np.isnan(years), -1,
                          np.searchsorted(year_values, np.nan_to_num(years).astype(np.int64)))
    n_codes, n_years = len(code_values), len(year_values)
    area_code_cells = np.where((area_codes >= 0) & (code_codes >= 0),
                               area_codes * max(n_codes, 1) + code_codes, -1)
    area_year_cells = np.where((area_codes >= 0) & (year_codes >= 0),
                               area_codes * max(n_years, 1) + year_codes, -1)
    attribute_partitions = [
        Partition("region", partitions[0].codes, 1, fixed=True, fixed_visible=visible["region"]),
        Partition("planungsraum", area_codes, len(areas), fixed=True,
                  fixed_visible=visible["planungsraum"]),
        # Codes and years are shown only for planning areas that are shown themselves.
        Partition("planungsraum_icf", area_code_cells, len(areas) * max(n_codes, 1),
                  allowed=np.repeat(visible["planungsraum"], max(n_codes, 1))),
        Partition("region_icf", code_codes, n_codes),
        Partition("planungsraum_jahr", area_year_cells, len(areas) * max(n_years, 1),
                  allowed=np.repeat(visible["planungsraum"], max(n_years, 1))),
        Partition("region_jahr", year_codes.astype(np.int64), n_years),
    ]
    visible.update({k: v for k, v in protect(attribute_partitions, person, rule).items()
                    if k not in ("region", "planungsraum")})

    # ---- published frames ------------------------------------------------------------------
    def counts(p_codes: np.ndarray, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
        valid = p_codes >= 0
        reports_n = np.bincount(p_codes[valid], minlength=n_cells)
        return distinct_persons(p_codes, person, n_cells), reports_n

    tables: dict[str, pd.DataFrame] = {}
    by_name = {p.name: p for p in partitions + attribute_partitions}
    for resolution in rule.gitter:
        name = f"gitter_{resolution}"
        part = by_name[name]
        pers, reps = counts(part.codes, part.n_cells)
        show = np.flatnonzero(visible[name])
        east, north = grid_keys[resolution]
        cells = cells_frame(east[show], north[show], resolution, crs)
        cells.insert(1, "personen", rule.runden(pers[show]))
        cells.insert(2, "meldungen", rule.runden(reps[show]))
        if population is not None and len(population):
            inhabitants = population_on_grid(population, resolution)
            cells.insert(3, "einwohner", inhabitants.reindex(cells["gitter_id"]).fillna(0)
                         .round().astype(np.int64).to_numpy())
            with np.errstate(divide="ignore", invalid="ignore"):
                rate = np.where(cells["einwohner"] > 0,
                                cells["personen"] / cells["einwohner"] * 1000, np.nan)
            cells.insert(4, "rate_je_1000", np.round(rate, 2))
        tables[name] = cells.sort_values("gitter_id").reset_index(drop=True)

    pers, reps = counts(area_codes, len(areas))
    area_vis = visible["planungsraum"]
    area_frame = gpd.GeoDataFrame(
        {
            "pr_id": areas["pr_id"].astype(str) if "pr_id" in areas else areas.index.astype(str),
            "name": areas["name"] if "name" in areas else None,
            "veroeffentlicht": area_vis,
            "personen": pd.array(np.where(area_vis, rule.runden(pers), 0), dtype="Int64"),
            "meldungen": pd.array(np.where(area_vis, rule.runden(reps), 0), dtype="Int64"),
        },
        geometry=areas.geometry.to_numpy(), crs=crs,
    )
    area_frame.loc[~area_vis, ["personen", "meldungen"]] = pd.NA
    if population is not None and len(population):
        centres = gpd.GeoDataFrame(
            {"einwohner": population["einwohner"].to_numpy()},
            geometry=population.geometry.centroid.to_numpy(), crs=crs)
        home_area = _assign_areas(centres.geometry, areas)
        area_inhabitants = np.bincount(
            np.maximum(home_area, 0),
            weights=np.where(home_area >= 0, centres["einwohner"].to_numpy(dtype=float), 0.0),
            minlength=len(areas))
        area_frame["einwohner"] = np.round(area_inhabitants).astype(np.int64)
        published = area_frame["personen"].astype("Float64").to_numpy(dtype=float,
                                                                       na_value=np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(area_inhabitants > 0, published / area_inhabitants * 1000, np.nan)
        area_frame["rate_je_1000"] = np.round(rate, 2)
        use = area_vis & (area_inhabitants > 0)
        smoothed = np.full(len(areas), np.nan)
        if use.any():
            smoothed[use] = empirical_bayes_rates(published[use], area_inhabitants[use]) * 1000
        area_frame["rate_eb_je_1000"] = np.round(smoothed, 2)
    area_frame["hinweis"] = np.where(
        area_vis, "", f"{MISSING_LABEL}: weniger als {rule.min_personen} Personen oder Schutz "
        "vor Zurückrechnen")
    tables["planungsraum"] = area_frame

    if streets is not None and len(streets):
        pers, reps = counts(street_codes, len(streets))
        show = np.flatnonzero(visible["strasse"])
        tables["strasse"] = gpd.GeoDataFrame(
            {
                "strasse": streets["strasse"].iloc[show].to_numpy(),
                "personen": rule.runden(pers[show]),
                "meldungen": rule.runden(reps[show]),
            },
            geometry=streets.geometry.iloc[show].to_numpy(), crs=crs,
        )
    else:
        tables["strasse"] = gpd.GeoDataFrame(
            {"strasse": [], "personen": [], "meldungen": []},
            geometry=gpd.GeoSeries([], crs=crs), crs=crs)

    # ICF codes per area and region, ranked.
    pers, reps = counts(area_code_cells, len(areas) * max(n_codes, 1))
    show = np.flatnonzero(visible["planungsraum_icf"])
    area_idx, code_idx = show // max(n_codes, 1), show % max(n_codes, 1)
    icf_area = pd.DataFrame({
        "pr_id": areas["pr_id"].astype(str).to_numpy()[area_idx] if len(show) else [],
        "name": areas["name"].to_numpy()[area_idx] if len(show) else [],
        "icf_code": np.asarray(code_values, dtype=object)[code_idx] if len(show) else [],
        "personen": rule.runden(pers[show]),
        "meldungen": rule.runden(reps[show]),
        "_exakt": pers[show],
    })
    icf_area["icf_titel"] = icf_area["icf_code"].map(titles)
    icf_area = icf_area.sort_values(["pr_id", "_exakt", "icf_code"], ascending=[True, False, True])
    icf_area["rang"] = icf_area.groupby("pr_id").cumcount() + 1
    tables["planungsraum_icf"] = icf_area.drop(columns="_exakt")[
        ["pr_id", "name", "rang", "icf_code", "icf_titel", "personen", "meldungen"]
    ].reset_index(drop=True)

    pers, reps = counts(code_codes, n_codes)
    show = np.flatnonzero(visible["region_icf"])
    icf_reg = pd.DataFrame({
        "icf_code": np.asarray(code_values, dtype=object)[show] if len(show) else [],
        "personen": rule.runden(pers[show]),
        "meldungen": rule.runden(reps[show]),
        "_exakt": pers[show],
    }).sort_values(["_exakt", "icf_code"], ascending=[False, True])
    icf_reg.insert(1, "icf_titel", icf_reg["icf_code"].map(titles))
    icf_reg.insert(0, "rang", np.arange(1, len(icf_reg) + 1))
    tables["region_icf"] = icf_reg.drop(columns="_exakt").reset_index(drop=True)

    # Years per area and region: every (area, year) is listed; unpublished values stay empty.
    pers, reps = counts(area_year_cells, len(areas) * max(n_years, 1))
    vis = visible["planungsraum_jahr"]
    if n_years:
        grid = np.arange(len(areas) * n_years)
        a_idx, y_idx = grid // n_years, grid % n_years
        tables["planungsraum_jahr"] = pd.DataFrame({
            "pr_id": areas["pr_id"].astype(str).to_numpy()[a_idx],
            "name": areas["name"].to_numpy()[a_idx],
            "jahr": year_values[y_idx],
            "personen": pd.array(np.where(vis, rule.runden(pers), 0), dtype="Int64"),
            "meldungen": pd.array(np.where(vis, rule.runden(reps), 0), dtype="Int64"),
        })
        tables["planungsraum_jahr"].loc[~vis, ["personen", "meldungen"]] = pd.NA
    else:
        tables["planungsraum_jahr"] = pd.DataFrame(
            {"pr_id": [], "name": [], "jahr": [], "personen": [], "meldungen": []})
    pers, reps = counts(year_codes.astype(np.int64), n_years)
    vis = visible["region_jahr"]
    tables["region_jahr"] = pd.DataFrame({
        "jahr": year_values,
        "personen": pd.array(np.where(vis, rule.runden(pers), 0), dtype="Int64"),
        "meldungen": pd.array(np.where(vis, rule.runden(reps), 0), dtype="Int64"),
    })
    tables["region_jahr"].loc[~vis, ["personen", "meldungen"]] = pd.NA

    pers, reps = counts(partitions[0].codes, 1)
    region_visible = bool(visible["region"][0])
    region_total: dict[str, Any] = {
        "veroeffentlicht": region_visible,
        "personen": int(rule.runden(pers)[0]) if region_visible else None,
        "meldungen": int(rule.runden(reps)[0]) if region_visible else None,
        "filter": barrier_filter.beschreibung(),
    }
    if population is not None and len(population) and region_visible:
        total = float(population["einwohner"].sum())
        region_total["einwohner"] = int(round(total))
        region_total["rate_je_1000"] = round(region_total["personen"] / total * 1000, 2) \
            if total else None
    return Publication(rule=rule, filter=barrier_filter, crs=crs, tables=tables,
                       region_total=region_total)
