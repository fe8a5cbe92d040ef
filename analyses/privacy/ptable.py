"""The perturbation table of the cell-key method and the record keys it is indexed by.

The method is the one Zensus 2022 uses (Destatis' ``ptable`` method, the same lookup as the ONS
``cell-key-perturbation`` package):

* every person gets a fixed random **record key** in ``0 … KEY_RANGE-1``: a keyed hash (BLAKE2b
  with the region's secret salt) of the normalised person key, so the same person has the same key
  in every table, every filter and every release, and nobody without the salt can compute it;
* a cell's **cell key** is the sum of the record keys of its distinct persons modulo
  ``KEY_RANGE``; the same persons give the same cell key, wherever the cell appears;
* the **perturbation table** gives, for the true count ``n`` and the cell key, the change
  ``v``: the probabilities of ``v`` for each ``n`` are the maximum-entropy distribution on
  ``-D … D`` with mean 0 and variance ``V`` (Destatis' constraints: unbiased, constant variance,
  bounded), with target values below the minimum ``k`` blocked; the cell keys are split into
  consecutive intervals of these probabilities;
* the perturbed count ``n + v`` is then **rounded** to the rounding base; the table stores the
  combined change, so that one lookup gives the published value. Counts below ``k`` are never
  published (they are not in the table's domain), zeros stay zeros (an empty cell has no key).

Why our own code for the table: Destatis publishes the table generator only for R (``ptable``);
the ONS package applies a given table with a pandas merge over a ``750 × 4096`` row frame per
table (too slow for ~10 tables × ~100 selections of one release) and thresholds the *perturbed*
count, whereas the rule here thresholds the true number of distinct persons. The lookup below
is the same arithmetic on arrays; :meth:`PerturbationTable.ons_frame` exports the table in the
ONS format, and a test checks that the ONS package gives the same values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.optimize import minimize

__all__ = [
    "KEY_RANGE",
    "PerturbationTable",
    "cell_keys",
    "record_keys",
    "report_keys",
]

#: Number of distinct record and cell keys (the ONS package's range since version 3).
KEY_RANGE = 4096
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
#: A fixed permutation of the key range: the second use of a cell key (fuzzy threshold),
#: independent of the first (noise).
_SECOND_KEY = np.random.default_rng(20220515).permutation(KEY_RANGE)


def record_keys(person_keys: Iterable[str], salt: str | bytes) -> np.ndarray:
    """Record key (``0 … KEY_RANGE-1``) of each normalised person key, keyed by the region salt.

    Parameters
    ----------
    person_keys
        Normalised keys (:func:`layers.validation.normalize_person_key`), one per person.
    salt
        The region's secret salt (any length; hashed into the BLAKE2b key).

    Returns
    -------
    numpy.ndarray
        ``int64`` keys, uniform on the key range.
    """
    secret = _secret(salt)
    out = [int.from_bytes(hashlib.blake2b(str(k).encode("utf-8"), key=secret,
                                          digest_size=8).digest(), "big")
           for k in person_keys]
    return (np.array(out, dtype=np.uint64) % np.uint64(KEY_RANGE)).astype(np.int64)


def _secret(salt: str | bytes) -> bytes:
    raw = salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)
    return hashlib.blake2b(b"sozialraum-geheimhaltung|" + raw, digest_size=32).digest()


def _splitmix(values: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser on ``uint64`` arrays (a fixed, well-mixing bijection)."""
    z = values.astype(np.uint64)
    with np.errstate(over="ignore"):
        z = (z + np.uint64(0x9E3779B97F4A7C15)) & _MASK64
        z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK64
        z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK64
    return z ^ (z >> np.uint64(31))


def report_keys(person_hash: np.ndarray, content: list[np.ndarray]) -> np.ndarray:
    """Record key of each report (for the cell key of report counts).

    Parameters
    ----------
    person_hash
        Per report: the record key of its person (from :func:`record_keys`, secret through the
        salt).
    content
        Per report: integer columns that describe the report stably across releases (day, code,
        qualifier, group, position in metres); two identical reports of one person share a key.

    Returns
    -------
    numpy.ndarray
        ``int64`` keys in the key range.
    """
    mixed = _splitmix(np.asarray(person_hash, dtype=np.int64).astype(np.uint64))
    for column in content:
        with np.errstate(over="ignore"):
            mixed = _splitmix(mixed ^ np.asarray(column, dtype=np.int64).astype(np.uint64))
    return (mixed % np.uint64(KEY_RANGE)).astype(np.int64)


def cell_keys(cells: np.ndarray, keys: np.ndarray, n_cells: int) -> np.ndarray:
    """Cell key of every cell: sum of the contributors' keys modulo :data:`KEY_RANGE`.

    Parameters
    ----------
    cells
        Cell index per contributor (one entry per distinct person of a cell; ``-1`` = none).
    keys
        Record key per contributor.
    n_cells
        Number of cells.
    """
    valid = cells >= 0
    sums = np.bincount(cells[valid], weights=keys[valid].astype(np.float64), minlength=n_cells)
    return (np.rint(sums).astype(np.int64) % KEY_RANGE).astype(np.int64)


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


def _max_entropy(support: np.ndarray, variance: float) -> np.ndarray:
    """Maximum-entropy probabilities on ``support`` with mean 0 and the given variance.

    The solution has the form ``p(v) ∝ exp(a·v + c·v²)``; ``a`` and ``c`` minimise the convex
    dual ``log Σ exp(a·v + c·(v² − V))`` (its gradient is the constraint violation).
    """
    if len(support) == 1 or variance <= 0:
        exact: np.ndarray = (support == 0).astype(float)
        return exact
    v = support.astype(float)

    def dual(lam: np.ndarray) -> tuple[float, np.ndarray]:
        z = lam[0] * v + lam[1] * (v**2 - variance)
        top = z.max()
        w = np.exp(z - top)
        total = w.sum()
        p = w / total
        return float(np.log(total) + top), np.array([p @ v, p @ (v**2 - variance)])

    result = minimize(dual, np.zeros(2), jac=True, method="BFGS",
                      options={"gtol": 1e-12, "maxiter": 500})
    z = result.x[0] * v + result.x[1] * (v**2 - variance)
    p = np.exp(z - z.max())
    probabilities: np.ndarray = p / p.sum()
    return probabilities


@dataclass(frozen=True)
class PerturbationTable:
    """The documented perturbation table (one per rule).

    Attributes
    ----------
    min_personen
        ``k``: counts below are not published and are not in the table.
    max_abweichung
        ``D``: largest change by the noise before rounding.
    varianz
        ``V``: variance of the noise (smaller next to ``k``, where targets below ``k`` are blocked).
    rundungsbasis
        The perturbed count is rounded to a multiple of this (half up).
    unschaerfe
        ``T``: a count of ``k + j`` (``0 ≤ j < T``) is published only for the share
        ``(j + 1)/(T + 1)`` of cell keys (a second, permuted use of the key), so that the first
        appearance of a value does not tell that the cell had exactly ``k − 1`` persons before.
    """

    min_personen: int
    max_abweichung: int
    varianz: float
    rundungsbasis: int
    unschaerfe: int = 0
    _noise: np.ndarray = field(init=False, repr=False, compare=False)
    _probabilities: tuple[tuple[np.ndarray, np.ndarray], ...] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows, noise = [], np.zeros((self.max_abweichung + 1, KEY_RANGE), dtype=np.int64)
        centres = (np.arange(KEY_RANGE) + 0.5) / KEY_RANGE
        for j in range(self.max_abweichung + 1):  # j = n − k, the last row for all larger n
            support = np.arange(-min(j, self.max_abweichung), self.max_abweichung + 1)
            top = j * self.max_abweichung  # the largest variance a mean of 0 allows here
            p = _max_entropy(support, min(self.varianz, 0.5 * top))
            rows.append((support, p))
            cumulative = np.cumsum(p)
            cumulative[-1] = 1.0
            noise[j] = support[np.minimum(np.searchsorted(cumulative, centres), len(p) - 1)]
        object.__setattr__(self, "_noise", noise)
        object.__setattr__(self, "_probabilities", tuple(rows))

    # ---- lookup ------------------------------------------------------------------------------

    def noise(self, counts: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """The change ``v`` before rounding for true counts ``≥ k`` and their cell keys."""
        row = np.clip(np.asarray(counts, dtype=np.int64) - self.min_personen, 0,
                      self.max_abweichung)
        return self._noise[row, np.asarray(keys, dtype=np.int64) % KEY_RANGE]

    def published(self, counts: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Published values for true counts and cell keys; ``-1`` = not published (``n < k``, or
        ``k ≤ n < k + T`` for the cell keys the fuzzy threshold withholds)."""
        n = np.asarray(counts, dtype=np.int64)
        k = np.asarray(keys, dtype=np.int64) % KEY_RANGE
        value = self._round(n + self.noise(n, k))
        shown = n >= self.min_personen
        if self.unschaerfe:
            step = n - self.min_personen
            share = (step + 1) / (self.unschaerfe + 1)
            shown &= (step >= self.unschaerfe) | ((_SECOND_KEY[k] + 0.5) / KEY_RANGE < share)
        return np.where(shown, value, -1)

    def _round(self, values: np.ndarray) -> np.ndarray:
        base = self.rundungsbasis
        rounded = (np.floor(values / base + 0.5) * base).astype(np.int64)
        smallest = -(-self.min_personen // base) * base
        return np.maximum(rounded, smallest)

    # ---- documentation and the attacker's view -------------------------------------------------

    def probabilities(self, count: int) -> pd.DataFrame:
        """Noise distribution for a true count ``n ≥ k`` (columns ``aenderung``, ``wahrscheinlichkeit``)."""
        support, p = self._probabilities[min(max(count - self.min_personen, 0),
                                             self.max_abweichung)]
        return pd.DataFrame({"aenderung": support, "wahrscheinlichkeit": p})

    def distribution(self, count: int) -> pd.Series:
        """Probability of each published value for a true count ``n ≥ k`` (over the cell keys)."""
        values = self.published(np.full(KEY_RANGE, count), np.arange(KEY_RANGE))
        return pd.Series(values).value_counts(normalize=True).sort_index()

    @property
    def max_total_change(self) -> int:
        """Largest ``|published − true|`` that the table can produce (noise plus rounding)."""
        return _max_total_change(self)

    def _max_total_change(self) -> int:
        n = np.arange(self.min_personen, self.min_personen + 4 * self.rundungsbasis
                      + 2 * self.max_abweichung + self.unschaerfe + 1)
        return int(max(np.abs(self._all_values(int(c)) - c).max() for c in n))

    def _all_values(self, count: int) -> np.ndarray:
        values = self.published(np.full(KEY_RANGE, count), np.arange(KEY_RANGE))
        return values[values >= 0]

    @property
    def max_unpublished(self) -> int:
        """Largest true count that can stay unpublished (``k − 1 + T``)."""
        return self.min_personen - 1 + self.unschaerfe

    def feasible_counts(self, value: int) -> tuple[int, int]:
        """The true counts a published ``value`` can come from (what an attacker knows).

        Returns
        -------
        tuple of int
            Smallest and largest true count ``≥ k`` for which some cell key gives ``value``.
        """
        return _feasible_counts(self, int(value))

    def _feasible_counts(self, value: int) -> tuple[int, int]:
        """The true counts a published ``value`` can come from (what an attacker knows).

        Returns
        -------
        tuple of int
            Smallest and largest true count ``≥ k`` for which some cell key gives ``value``.
        """
        width = self.max_total_change
        hits = [c for c in range(max(self.min_personen, int(value) - width), int(value) + width + 1)
                if (self._all_values(c) == int(value)).any()]
        if not hits:
            raise ValueError(f"{value} kann nicht veröffentlicht werden")
        return min(hits), max(hits)

    def change_visibility(self) -> float:
        """Probability that a published value changes when one person joins the cell.

        Averaged over true counts away from ``k`` and independent cell keys before and after (the
        newcomer's record key is unknown to an attacker, so the new cell key is uniform).
        """
        rates = []
        for count in range(50, 50 + 2 * self.rundungsbasis):
            before, after = self.distribution(count), self.distribution(count + 1)
            same = before.mul(after, fill_value=0.0).sum()
            rates.append(1.0 - float(same))
        return float(np.mean(rates))

    def ons_frame(self, max_pcv: int = 750) -> pd.DataFrame:
        """The table in the ONS format (``pcv``, ``ckey``, ``pvalue``; ``pvalue = −pcv`` below ``k``).

        With it, ``cell_key_perturbation.create_perturbed_table(..., threshold=k)`` gives the
        same published counts as :meth:`published` (for one record per person).
        """
        pcv = np.repeat(np.arange(1, max_pcv + 1), KEY_RANGE)
        ckey = np.tile(np.arange(KEY_RANGE), max_pcv)
        value = self.published(pcv, ckey)
        pvalue = np.where(value < 0, -pcv, value - pcv)
        return pd.DataFrame({"pcv": pcv, "ckey": ckey, "pvalue": pvalue})


@lru_cache(maxsize=16)
def _max_total_change(table: PerturbationTable) -> int:
    return table._max_total_change()


@lru_cache(maxsize=8192)
def _feasible_counts(table: PerturbationTable, value: int) -> tuple[int, int]:
    return table._feasible_counts(value)
