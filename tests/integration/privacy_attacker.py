"""An attacker of a whole release, written independently of the engine in analyses/privacy.

It reads only what the publications of one release show (every table of every choice and year),
the public geometry (planning areas, the grid) and the documented perturbation table, and
knows which tables add up to which (a region is the union of its planning areas, a 1 km cell of
its four 500 m cells, "alle Jahre" of the years, "alle" of the impairment groups and of the ICF
chapters, a chapter of its codes, a code of the code within each group). With these relations
it solves linear programmes (HiGHS) for the true number of persons of every cell:

* distinct persons are sub-additive: ``total ≤ Σ parts`` and ``part ≤ total``;
* a published value ``v`` means the true count lies in ``table.feasible_counts(v)``;
* an unpublished (or absent) cell holds ``0 … table.max_unpublished`` persons.

A protected (unpublished) cell, or the remainder of a total without its published parts, is
*narrowed below the minimum* when the LP proves that it lies in ``1 … k−1`` (a small group of
persons exists there, as "total minus visible parts" showed it against the earlier rule).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
import shapely

Key = tuple  # (geo, code dimension, group dimension, year)


def dims(auswahl: str) -> tuple[str, str]:
    """(code dimension, group dimension) of a release choice."""
    kind, _, value = auswahl.partition(":")
    if kind == "kapitel":
        return f"kap:{value}", "*"
    if kind == "code":
        return f"code:{value}", "*"
    if kind == "gruppe":
        return "*", value
    return "*", "*"


@dataclass
class Cells:
    """Logical cells of a release: one variable each, with the attacker's bounds."""

    unpublished_max: int
    bounds: object = None  # published value → (smallest, largest) true count
    index: dict[Key, int] = field(default_factory=dict)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)
    value: list[int | None] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def add(self, key: Key, value: object, table=None) -> int:
        """Register a cell as shown in one table (``value`` None = not published)."""
        v = None if value is None or pd.isna(value) else int(value)
        if key in self.index:
            i = self.index[key]
            if self.value[i] != v:
                self.conflicts.append(f"{key}: {self.value[i]} und {v}")
                if self.value[i] is None:  # the attacker uses whatever some table shows
                    self.value[i] = v
                    self.lo[i], self.hi[i] = self.bounds(v)  # type: ignore[operator]
            return i
        self.index[key] = len(self.lo)
        lo, hi = self.bounds(v) if v is not None else (0, self.unpublished_max)  # type: ignore[operator]
        self.lo.append(lo)
        self.hi.append(hi)
        self.value.append(v)
        return self.index[key]


def read_release(release, *, grid_choices: Iterable[str] = ("alle",),
                 resolutions: Iterable[int] = (1000, 500), bounds=None,
                 unpublished_max: int | None = None) -> Cells:
    """Every cell of every publication of the release, as the attacker sees it.

    ``bounds`` and ``unpublished_max`` default to the documented perturbation table of the
    release's rule (another method's attacker passes its own, e.g. for plain rounding).
    """
    table = release.rule.tabelle if bounds is None else None
    cells = Cells(unpublished_max=table.max_unpublished if table else int(unpublished_max or 0),
                  bounds=table.feasible_counts if table else bounds)
    codes = [a.split(":", 1)[1] for a in release.auswahlen if a.startswith("code:")]
    grid_choices = set(grid_choices)
    for pub in release.publications():
        cd, gd = dims(pub.auswahl)
        year = "*" if pub.jahr is None else pub.jahr
        t = pub.tables  # the published frames (what the accessors return, without copies)
        cells.add(("region", cd, gd, year), pub.region_total["personen"], table)
        areas = t["planungsraum"]
        for pr, value in zip(areas["pr_id"], areas["personen"], strict=True):
            cells.add((("pr", pr), cd, gd, year), value, table)
        if pub.auswahl in grid_choices:
            for res in resolutions:
                grid = t[f"gitter_{res}"]
                for gid, value in zip(grid["gitter_id"], grid["personen"], strict=True):
                    cells.add((("g", res, gid), cd, gd, year), value, table)
        icf = t["planungsraum_icf"]
        shown = dict(zip(zip(icf["pr_id"], icf["icf_code"], strict=True), icf["personen"],
                         strict=True))
        shown_region = dict(zip(t["region_icf"]["icf_code"], t["region_icf"]["personen"],
                                strict=True))
        for code in codes:
            if cd.startswith("code:") and cd != f"code:{code}":
                continue
            if cd.startswith("kap:") and not code.startswith(cd[4:]):
                continue
            cells.add(("region", f"code:{code}", gd, year), shown_region.get(code), table)
            for pr in areas["pr_id"]:
                cells.add((("pr", pr), f"code:{code}", gd, year), shown.get((pr, code)), table)
        if pub.jahr is None:
            years = t["region_jahr"]
            for y, value in zip(years["jahr"], years["personen"], strict=True):
                cells.add(("region", cd, gd, int(y)), value, table)
            per = t["planungsraum_jahr"]
            for pr, y, value in zip(per["pr_id"], per["jahr"], per["personen"], strict=True):
                cells.add((("pr", pr), cd, gd, int(y)), value, table)
    return cells


def add_absent_grid(cells: Cells, release, lattice: dict[int, list[str]],
                    grid_choices: Iterable[str]) -> None:
    """The lattice cells without a published value are cells too (0 … max_unpublished)."""
    table = None
    for auswahl in grid_choices:
        cd, gd = dims(auswahl)
        for year in ("*", *release.jahre):
            for res, ids in lattice.items():
                for gid in ids:
                    key = (("g", res, gid), cd, gd, year)
                    if key not in cells.index:
                        cells.add(key, None, table)


@dataclass
class Relations:
    """Partitions: ``total ≤ Σ parts`` and ``part ≤ total`` (indices into the cells)."""

    partitions: list[tuple[int, list[int]]] = field(default_factory=list)
    subsets: list[tuple[int, int]] = field(default_factory=list)
    remainders: list[tuple[int, list[int], list[int]]] = field(default_factory=list)

    def partition(self, cells: Cells, total: Key, parts: list[Key]) -> None:
        if total not in cells.index or any(p not in cells.index for p in parts) or not parts:
            return
        t = cells.index[total]
        members = [cells.index[p] for p in parts]
        self.partitions.append((t, members))
        self.subsets.extend((m, t) for m in members)
        shown = [m for m in members if cells.value[m] is not None]
        hidden = [m for m in members if cells.value[m] is None]
        if shown and hidden:
            self.remainders.append((t, shown, hidden))

    def subset(self, cells: Cells, part: Key, total: Key) -> None:
        if part in cells.index and total in cells.index:
            self.subsets.append((cells.index[part], cells.index[total]))


def relations(cells: Cells, release, *, groups: list[str], chapters: dict[str, list[str]],
              area_ids: list[str], areas_cover: bool, years_cover: bool,
              grid_nesting: dict[str, list[str]] | None = None,
              grid_in_area: dict[str, list[str]] | None = None) -> Relations:
    """Every relation between the release's cells that holds by construction of the tables."""
    rel = Relations()
    attrs = {(k[1], k[2], k[3]) for k in cells.index}
    geos = {k[0] for k in cells.index}
    for cd, gd, year in attrs:
        if areas_cover:
            rel.partition(cells, ("region", cd, gd, year),
                          [(("pr", a), cd, gd, year) for a in area_ids])
        for parent, children in (grid_nesting or {}).items():
            rel.partition(cells, (("g", 1000, parent), cd, gd, year),
                          [(("g", 500, c), cd, gd, year) for c in children])
        for area, inside in (grid_in_area or {}).items():
            for gid in inside:
                rel.subset(cells, (("g", 500, gid), cd, gd, year), (("pr", area), cd, gd, year))
    for geo in geos:
        for year in ("*", *release.jahre):
            rel.partition(cells, (geo, "*", "*", year), [(geo, "*", g, year) for g in groups])
            rel.partition(cells, (geo, "*", "*", year),
                          [(geo, f"kap:{c}", "*", year) for c in chapters])
            for chapter, codes in chapters.items():
                rel.partition(cells, (geo, f"kap:{chapter}", "*", year),
                              [(geo, f"code:{c}", "*", year) for c in codes])
            for gd in groups:
                rel.partition(cells, (geo, "*", gd, year),
                              [(geo, f"code:{c}", gd, year) for cs in chapters.values()
                               for c in cs])
            for cs in chapters.values():
                for c in cs:
                    rel.partition(cells, (geo, f"code:{c}", "*", year),
                                  [(geo, f"code:{c}", g, year) for g in groups])
        if years_cover:
            for cd, gd in sorted({(a[0], a[1]) for a in attrs}):
                rel.partition(cells, (geo, cd, gd, "*"),
                              [(geo, cd, gd, y) for y in release.jahre])
    return rel


class Audit:
    """The LP over all cells and relations; min/max of single cells and of remainders.

    A remainder is "the persons of a total that are in none of its published parts" (what
    "total minus visible parts" recovers); it gets a variable ``r`` with ``total ≤ Σ shown + r``,
    ``r ≤ total``, ``r ≤ Σ hidden`` and ``r ≥`` each hidden part.
    """

    def __init__(self, cells: Cells, rel: Relations) -> None:
        n_cells = len(cells.lo)
        n = n_cells + len(rel.remainders)
        self.remainder_vars = list(range(n_cells, n))
        self.remainders = rel.remainders
        rows, cols, vals, upper = [], [], [], []
        r = 0
        for j, (total, shown, hidden) in enumerate(rel.remainders):
            rem = n_cells + j
            for coeffs in ([(total, 1.0), *((s, -1.0) for s in shown), (rem, -1.0)],
                           [(rem, 1.0), (total, -1.0)],
                           [(rem, 1.0), *((h, -1.0) for h in hidden)],
                           *([(h, 1.0), (rem, -1.0)] for h in hidden)):
                rows += [r] * len(coeffs)
                cols += [c for c, _ in coeffs]
                vals += [v for _, v in coeffs]
                upper.append(0.0)
                r += 1
        for total, parts in rel.partitions:
            rows += [r] * (len(parts) + 1)
            cols += [total, *parts]
            vals += [1.0] + [-1.0] * len(parts)
            upper.append(0.0)
            r += 1
        for part, total in rel.subsets:
            rows += [r, r]
            cols += [part, total]
            vals += [1.0, -1.0]
            upper.append(0.0)
            r += 1
        self.n, self.cells = n, cells
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        # Interior point without crossover: 0.5 s per query on ~6,000 cells where the simplex
        # needs a minute (the model is highly degenerate); bounds are exact to ~1e-7.
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "off")
        inf = highspy.kHighsInf
        lower = np.r_[np.array(cells.lo, float), np.zeros(len(rel.remainders))]
        top = np.r_[np.array(cells.hi, float), np.full(len(rel.remainders), highspy.kHighsInf)]
        h.addVars(n, lower, top)
        if r:
            import scipy.sparse as sp

            matrix = sp.csr_matrix((vals, (rows, cols)), shape=(r, n))
            h.addRows(r, np.full(r, -inf), np.array(upper), matrix.nnz, matrix.indptr,
                      matrix.indices, matrix.data)
        self.h = h

    def _solve(self, weights: dict[int, float], sense: highspy.ObjSense) -> tuple[float, np.ndarray]:
        h = self.h
        h.changeObjectiveSense(sense)
        h.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), np.zeros(self.n))
        idx = np.array(list(weights), dtype=np.int32)
        h.changeColsCost(len(idx), idx, np.array(list(weights.values()), float))
        h.run()
        status = h.getModelStatus()
        assert status == highspy.HighsModelStatus.kOptimal, h.modelStatusToString(status)
        return h.getInfo().objective_function_value, np.array(h.getSolution().col_value)

    def feasible(self) -> bool:
        """Whether the true data satisfy the attacker's model (a check of the attacker)."""
        try:
            self._solve({}, highspy.ObjSense.kMinimize)
        except AssertionError:
            return False
        return True

    def interval(self, i: int) -> tuple[float, float]:
        lo, _ = self._solve({i: 1.0}, highspy.ObjSense.kMinimize)
        hi, _ = self._solve({i: 1.0}, highspy.ObjSense.kMaximize)
        return lo, hi

    def narrowed(self, targets: Iterable[int], k: int, tol: float = 1e-3,
                 limit: int | None = None) -> list[tuple[int, float, float]]:
        """Protected cells and remainders the LP narrows below the minimum: (variable, min, max).

        A value is narrowed below the minimum when the attacker can prove that it lies in
        ``1 … k−1``: a small group of persons exists there. Joint LPs first: all targets at 0 at
        once (who can be empty is safe); then the others capped at ``k`` and maximised at once
        (who reaches ``k`` is safe); only the rest are minimised and maximised one by one.
        """
        lows = list(targets) + self.remainder_vars
        _, x = self._solve(dict.fromkeys(lows, 1.0), highspy.ObjSense.kMinimize)
        positive = np.array([t for t in lows if x[t] > tol], dtype=np.int32)
        if not len(positive):
            return []
        # y_t = min(x_t, k) through y_t ≤ x_t, 0 ≤ y_t ≤ k; maximise Σ y_t.
        h, m = self.h, len(positive)
        first = self.n
        h.addVars(m, np.zeros(m), np.full(m, float(k)))
        import scipy.sparse as sp

        rows = sp.csr_matrix((np.r_[np.ones(m), -np.ones(m)],
                              (np.r_[np.arange(m), np.arange(m)],
                               np.r_[np.arange(first, first + m), positive])),
                             shape=(m, first + m))
        h.addRows(m, np.full(m, -highspy.kHighsInf), np.zeros(m), rows.nnz, rows.indptr,
                  rows.indices, rows.data)
        self.n += m
        _, y = self._solve(dict(zip(range(first, first + m), [1.0] * m, strict=True)),
                           highspy.ObjSense.kMaximize)
        x = np.zeros(first)
        x[positive] = y[first:first + m]
        found = []
        for t in [int(t) for t in positive if x[t] < k - tol]:
            hi, _ = self._solve({t: 1.0}, highspy.ObjSense.kMaximize)
            if hi < k - tol:
                lo, _ = self._solve({t: 1.0}, highspy.ObjSense.kMinimize)
                if lo > tol:
                    found.append((t, lo, hi))
                    if limit is not None and len(found) >= limit:
                        break
        return found

    def proven_nonempty(self, targets: Iterable[int], tol: float = 1e-3) -> list[int]:
        """Protected cells the attacker can prove non-empty (not necessarily small)."""
        targets = list(targets)
        _, x = self._solve(dict.fromkeys(targets, 1.0), highspy.ObjSense.kMinimize)
        return [t for t in targets if x[t] > tol
                and self._solve({t: 1.0}, highspy.ObjSense.kMinimize)[0] > tol]

    def describe(self, variable: int) -> str:
        """The cell or remainder behind an LP variable, for messages."""
        if variable < len(self.cells.lo):
            return str(next(k for k, i in self.cells.index.items() if i == variable))
        total, shown, hidden = self.remainders[variable - len(self.cells.lo)]
        keys = {i: k for k, i in self.cells.index.items()}
        return f"Rest von {keys[total]} ohne {[keys[s] for s in shown]}"

    def protected(self) -> list[int]:
        """The unpublished cells (targets of the audit)."""
        return [i for i, v in enumerate(self.cells.value) if v is None]


def grid_geometry(boundary: shapely.Geometry, areas, crs) -> tuple[dict[int, list[str]],
                                                                     dict[str, list[str]],
                                                                     dict[str, list[str]]]:
    """Lattice ids at 1000/500 m, the 500 m children of each 1 km cell, 500 m cells inside areas."""
    from analyses.grid import lattice

    cells = {res: lattice(boundary, crs, res) for res in (1000, 500)}
    ids = {res: frame["gitter_id"].tolist() for res, frame in cells.items()}
    known = set(ids[500])
    nesting = {}
    for gid in ids[1000]:
        north, east = (int(v) for v in re.fullmatch(r"CRS3035RES\d+mN(\d+)E(\d+)", gid).groups())
        children = [f"CRS3035RES500mN{north + dn}E{east + de}" for dn in (0, 500)
                    for de in (0, 500)]
        nesting[gid] = [c for c in children if c in known]
    inside: dict[str, list[str]] = {}
    fine = cells[500]
    for area in areas.itertuples():
        hit = fine[fine.geometry.within(area.geometry)]
        inside[str(area.pr_id)] = hit["gitter_id"].tolist()
    return ids, nesting, inside
