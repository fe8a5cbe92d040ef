"""One release: every fixed choice × every year (and all years) of one set of reports.

:func:`publish_release` prepares the reports once (normalised person keys, record keys, areas,
streets and grid cells); :meth:`Release.publication` returns the tables of one choice and year.
Because every value is a function of its cell's own persons (cell-key method), a selection
computed now or later, alone or with all others, gives the same values: the release is one
linked, consistent set of tables by construction, and computing its selections lazily changes
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analyses.privacy.filters import BarrierFilter, choice_filter, choice_of_filter
from analyses.privacy.index import ReportIndex, build_index
from analyses.privacy.publication import Publication
from analyses.privacy.rule import DisclosureRule
from analyses.privacy.tables import Geo, make_geo, published_counts, selection_tables
from layers.errors import PrivacyError

__all__ = ["DEFAULT_SALT", "Release", "default_choices", "publish", "publish_release"]

#: Salt used when the caller gives none (tests, benchmarks). A real region sets its own secret.
DEFAULT_SALT = "sozialraum-atlas-demo"


def default_choices(icf_codes: Sequence[str] = ()) -> tuple[str, ...]:
    """The fixed choices of a release: all, every ICF chapter, every impairment group, every
    ICF code of the catalogue (never derived from the reports, so none exists only because a
    report exists)."""
    from layers.barrieren import ICF_CHAPTERS, load_impairment_groups

    return ("alle", *(f"kapitel:{c}" for c in ICF_CHAPTERS),
            *(f"gruppe:{g.name}" for g in load_impairment_groups()),
            *(f"code:{c}" for c in sorted(dict.fromkeys(str(c) for c in icf_codes))))


@dataclass
class Release:
    """All publications of one release (see :func:`publish_release`).

    Attributes
    ----------
    rule
        The disclosure rule.
    auswahlen
        The fixed choices (``"alle"``, ``"kapitel:e1"``, ``"gruppe:Mobilität"``, ``"code:e150"``).
    jahre
        The years offered (rows of every year table, each also a selectable year).
    """

    rule: DisclosureRule
    auswahlen: tuple[str, ...]
    jahre: tuple[int, ...]
    index: ReportIndex = field(repr=False)
    geo: Geo = field(repr=False)
    _cache: dict[tuple[str, int | None], Publication] = field(default_factory=dict, repr=False)

    def publication(self, auswahl: str = "alle", jahr: int | None = None) -> Publication:
        """The tables of one choice and year (``None`` = all years)."""
        if auswahl not in self.auswahlen:
            raise PrivacyError(f"Die Auswahl '{auswahl}' gehört nicht zu dieser Veröffentlichung.",
                               hinweis="Wählen Sie eine der festen Auswahlen.")
        if jahr is not None and int(jahr) not in self.jahre:
            raise PrivacyError(f"Das Jahr {jahr} gehört nicht zu dieser Veröffentlichung.",
                               hinweis="Wählen Sie ein angebotenes Jahr oder alle Jahre.")
        key = (auswahl, None if jahr is None else int(jahr))
        if key not in self._cache:
            self._cache[key] = _publication(self, choice_filter(auswahl, key[1]), *key)
        return self._cache[key]

    def publications(self) -> Iterator[Publication]:
        """Every publication of the release (each choice with all years and each year)."""
        for auswahl in self.auswahlen:
            for jahr in (None, *self.jahre):
                yield self.publication(auswahl, jahr)

    def for_filter(self, barrier_filter: BarrierFilter) -> Publication:
        """The publication of a filter that stands for a fixed choice and year."""
        choice = choice_of_filter(barrier_filter)
        if choice is None or choice[0] not in self.auswahlen:
            raise PrivacyError(
                f"„{barrier_filter.beschreibung()}“ ist keine feste Auswahl dieser "
                "Veröffentlichung; freie Kombinationen gibt es nur im internen Modus.",
                hinweis="Wählen Sie alle Barrieren, ein ICF-Kapitel, eine Gruppe oder einen Code, "
                "alle Jahre oder ein Jahr.")
        return self.publication(*choice)


def _publication(release: Release | _Single, barrier_filter: BarrierFilter,
                 auswahl: str | None, jahr: int | None) -> Publication:
    mask = barrier_filter.mask(release.index.frame)
    jahre = release.jahre if jahr is None else (jahr,)
    tables, total = selection_tables(release.index, release.geo, release.rule, mask, jahre)
    return Publication(rule=release.rule, filter=barrier_filter, crs=release.geo.crs,
                       tables=tables, region_total=total, auswahl=auswahl, jahr=jahr)


@dataclass
class _Single:
    rule: DisclosureRule
    jahre: tuple[int, ...]
    index: ReportIndex
    geo: Geo


def _published_years(index: ReportIndex, rule: DisclosureRule, art: str) -> tuple[int, ...]:
    """Years whose region total of all reports of this kind is published, with gaps filled.

    The rows of the year tables therefore follow published values only: a year with fewer than
    ``k`` persons in the whole region adds no row, in any table of any choice.
    """
    mask = BarrierFilter(art=art).mask(index.frame) & (index.year >= 0)
    if not mask.any():
        return ()
    years = np.unique(index.year[mask])
    cells = np.searchsorted(years, index.year).clip(0, len(years) - 1)
    persons, _ = published_counts(index, rule.tabelle, mask, np.where(mask, cells, -1), len(years))
    shown = years[persons >= 0]
    return tuple(range(int(shown.min()), int(shown.max()) + 1)) if len(shown) else ()


def publish_release(
    reports: gpd.GeoDataFrame,
    *,
    boundary: shapely.Geometry,
    areas: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame | None = None,
    population: pd.DataFrame | None = None,
    icf_titles: dict[str, str] | None = None,
    rule: DisclosureRule | None = None,
    salt: str | bytes = DEFAULT_SALT,
    auswahlen: Sequence[str] | None = None,
    jahre: Sequence[int] | None = None,
) -> Release:
    """Prepare the release of a set of barrier reports: every fixed choice, every year.

    Parameters
    ----------
    reports
        Raw reports (``barrieren`` layer) in the region CRS. Not changed.
    boundary
        The region polygon; reports outside are not counted.
    areas
        ``planungsraeume`` (``pr_id``, ``name``, geometry).
    streets
        Named streets (:func:`layers.barrieren.street_segments`); ``None`` = no street table.
    population
        ``bevoelkerung`` cells (``gitter_id``, ``einwohner``, geometry) for rates.
    icf_titles
        German titles of the ICF codes (the catalogue; its codes are the code choices).
    rule
        Default :meth:`DisclosureRule.oeffentlich`.
    salt
        The region's secret salt for the record keys (keep it with the region's data, never
        publish it; changing it changes every published value).
    auswahlen
        The fixed choices (default :func:`default_choices` of the catalogue).
    jahre
        The years (default: the years whose region total is published, gaps filled).

    Returns
    -------
    Release
    """
    rule = rule or DisclosureRule.oeffentlich()
    index = build_index(reports, boundary=boundary, areas=areas, streets=streets, salt=salt,
                        resolutions=rule.gitter)
    geo = make_geo(areas, streets, population, rule.gitter, icf_titles, reports.crs)
    choices = tuple(auswahlen) if auswahlen is not None else default_choices(
        sorted(icf_titles or ()))
    years = tuple(sorted(int(j) for j in jahre)) if jahre is not None else _published_years(
        index, rule, "barrieren")
    return Release(rule=rule, auswahlen=choices, jahre=years, index=index, geo=geo)


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
    salt: str | bytes = DEFAULT_SALT,
) -> Publication:
    """The publication of one filter (the earlier entry point; same values as the release).

    Values are the cell-key values of :func:`publish_release` with the same salt, so a filter
    that is one of the release's choices gives exactly the release's tables. The year rows are
    the release's years of the filter's kind of reports. Prefer :func:`publish_release`, which
    prepares the reports once for all choices.

    Parameters
    ----------
    reports, boundary, areas, streets, population, icf_titles, rule, salt
        As for :func:`publish_release`.
    barrier_filter
        Default: all barriers.
    """
    rule = rule or DisclosureRule.oeffentlich()
    barrier_filter = barrier_filter or BarrierFilter()
    index = build_index(reports, boundary=boundary, areas=areas, streets=streets, salt=salt,
                        resolutions=rule.gitter)
    geo = make_geo(areas, streets, population, rule.gitter, icf_titles, reports.crs)
    single = _Single(rule=rule, jahre=_published_years(index, rule, barrier_filter.art),
                     index=index, geo=geo)
    choice = choice_of_filter(barrier_filter)
    if choice is None:
        return _publication(single, barrier_filter, None, None)
    return _publication(single, barrier_filter, *choice)
