"""Barrier reports per year: the published time series per planning area and for the region.

Every figure comes out of the region's protected release (:func:`planungsraeume.barrieren
.release`, :func:`analyses.privacy.publish_release`): the year tables of one fixed choice
(``jahre_je_planungsraum`` and ``jahre_region``). Nothing here counts raw reports.

How the years are protected (the cell-key method of :mod:`analyses.privacy`):

* Each (area, year), (region, year) and the "all years" figures are cells of the release. A
  cell resting on fewer than ``k`` distinct persons (``settings.privacy_min_persons``, 5) is not
  published, nor a zero, so "empty" and "too few" look alike; just above ``k`` the fuzzy
  threshold withholds some cells as well (by a second use of the cell key).
* Every published value is the true count of distinct persons changed by the perturbation
  table, indexed by the cell key (the sum of the persons' salted record keys), and rounded to
  the rounding base. So "all years minus 2024", "2024 minus 2023" or "region minus the other
  areas" is a difference of two perturbed, rounded values: its true counterpart is only known
  within twice the table's largest change, an interval that reaches down to zero, so it never
  proves that a small group (1 … k−1 persons) exists.
* The perturbation is a fixed function of the persons of a cell (same persons, same value in
  every table, every choice and every later call), so asking again or through another filter
  does not average the noise away.
* The rows are fixed: the release's years (those whose region total is published, gaps
  filled) for every area, so a lone report in another year adds no row and an empty row does
  not reveal whether there were 0 or 1–4 persons.
"""

from __future__ import annotations

import pandas as pd

from analyses.privacy import DisclosureRule, require_published
from planungsraeume.region import Region

__all__ = ["SERIES_COLUMNS", "barrier_series"]

#: Columns of :func:`barrier_series`.
SERIES_COLUMNS = ["ebene", "schluessel", "name", "jahr", "veroeffentlicht", "personen",
                  "meldungen", "geheimhaltung"]


def barrier_series(region: Region, *, auswahl: str = "alle",
                   rule: DisclosureRule | None = None) -> pd.DataFrame:
    """Published barrier counts per planning area and year, then the region per year.

    Parameters
    ----------
    region
        The region (must have the ``barrieren`` layer).
    auswahl
        A fixed choice of the release (``"alle"``, ``"kapitel:e1"``, ``"gruppe:Mobilität"``,
        ``"code:e150"``).
    rule
        Disclosure rule (default: the public rule).

    Returns
    -------
    pandas.DataFrame
        :data:`SERIES_COLUMNS`: ``ebene`` "Planungsraum" (every area × every release year, in
        layer order) then "Region" (``schluessel`` = the region's name); ``personen`` and
        ``meldungen`` as nullable integers, empty where not published; ``attrs`` carry the
        publication mark, the rule's label and the filter text.

    Raises
    ------
    LayerNotFoundError
        Without barrier reports.
    """
    from planungsraeume.barrieren import release

    pub = release(region, rule=rule).publication(auswahl)
    per_area, per_year = pub.jahre_je_planungsraum(), pub.jahre_region()
    label = require_published(per_area)
    require_published(per_year)
    areas = pd.DataFrame({
        "ebene": "Planungsraum", "schluessel": per_area["pr_id"].astype(str),
        "name": per_area["name"].astype(str), "jahr": per_area["jahr"].astype(int),
        "personen": per_area["personen"], "meldungen": per_area["meldungen"]})
    whole = pd.DataFrame({
        "ebene": "Region", "schluessel": region.name, "name": region.titel,
        "jahr": per_year["jahr"].astype(int), "personen": per_year["personen"],
        "meldungen": per_year["meldungen"]})
    frame = pd.concat([areas, whole], ignore_index=True)
    frame["personen"] = frame["personen"].astype("Int64")
    frame["meldungen"] = frame["meldungen"].astype("Int64")
    frame["veroeffentlicht"] = frame["personen"].notna().to_numpy(dtype=bool)
    frame["geheimhaltung"] = label
    frame.attrs.update(per_area.attrs)
    return frame[SERIES_COLUMNS]
