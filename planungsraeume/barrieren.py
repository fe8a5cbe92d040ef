"""Barrier reports per planning area and as hotspot maps: what the app, the CLI and the PDF call.

Everything here takes the region's raw reports, hands them to :func:`analyses.privacy.publish`
(the one gate) and works only with what comes out of it. Rates per planning area divide the
published persons by the area's inhabitants from :meth:`planungsraeume.region.Region
.population_by_area` – the same inhabitants every other output shows.

Public API
----------
* :func:`publication` — the protected :class:`~analyses.privacy.Publication` of one filter.
* :func:`area_table` — the published per-area table with inhabitants and rates.
* :func:`area_summary` / :func:`area_summaries` — per planning area: barrier rate (raw and
  empirical-Bayes smoothed), top ICF codes with German titles, trend by year.
* :func:`hotspot_grid` / :func:`hotspot_outputs` — published grid with Gi* and smoothed rates
  (as GeoPackage, plus the kernel density of the published cell counts as GeoTIFF).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from analyses.grid import check_resolution
from analyses.hotspots import (
    HOTSPOT_LABEL,
    NOT_SIGNIFICANT_LABEL,
    getis_ord,
    kernel_density,
    smoothed_rates,
    write_geotiff,
)
from analyses.privacy import (
    DEFAULT_SALT,
    MISSING_LABEL,
    BarrierFilter,
    DisclosureRule,
    Publication,
    Release,
    choice_of_filter,
    empirical_bayes_rates,
    publish,
    publish_release,
)
from layers.barrieren import load_icf_codes, read_reports, street_segments
from layers.errors import AnalysisError, LayerNotFoundError
from layers.sicher import path_inside, safe_file_name
from planungsraeume.cache import cached
from planungsraeume.region import Region

__all__ = [
    "AreaBarrierSummary",
    "FilterChoice",
    "HotspotFiles",
    "HotspotGrid",
    "area_summaries",
    "area_summary",
    "area_table",
    "filter_choices",
    "hotspot_grid",
    "hotspot_outputs",
    "publication",
    "release",
]


def _inputs(region: Region) -> dict[str, Any]:
    if not region.has_layer("barrieren"):
        raise LayerNotFoundError("Die Region hat keine Ebene 'barrieren'.",
                                 hinweis="Bauen Sie die Region neu (sozialraum build).")
    icf = load_icf_codes(region.config.icf)
    return {
        "boundary": region.boundary(),
        "areas": region.areas(),
        "streets": street_segments(region.layer("netz_kanten", ("name",)))
        if region.has_network() else None,
        "population": region.layer("bevoelkerung") if region.has_layer("bevoelkerung") else None,
        "icf_titles": dict(zip(icf["code"], icf["titel_de"], strict=True)),
        # The record keys are salted with the store's secret, else a default (demo data).
        "salt": str(region.store.read_meta().get("geheimhaltung_salz") or DEFAULT_SALT),
    }


@cached("barrieren_release", disk=False, daily=False)
def release(region: Region, *, rule: DisclosureRule | None = None) -> Release:
    """The protected release of the region's barrier reports (every fixed choice and year).

    Returns
    -------
    analyses.privacy.Release
        Shared (cached per store version and rule): treat as read-only.
    """
    return publish_release(read_reports(region.store), rule=rule, **_inputs(region))


@cached("barrieren_veroeffentlichung", disk=False, daily=False)
def publication(
    region: Region,
    *,
    barrier_filter: BarrierFilter | None = None,
    rule: DisclosureRule | None = None,
) -> Publication:
    """The protected publication of the region's barrier reports for one filter.

    Parameters
    ----------
    region
        The region.
    barrier_filter
        Which reports (default: all barriers). In the public mode it must be one of the
        release's fixed choices (all, one chapter, group or code; all years or one year); free
        combinations exist only in the internal mode.
    rule
        Disclosure rule (default: the public rule).

    Returns
    -------
    analyses.privacy.Publication
        Shared (cached per store version, filter and rule): treat as read-only.
    """
    barrier_filter = barrier_filter or BarrierFilter()
    rule = rule or DisclosureRule.oeffentlich()
    if rule.ist_intern and choice_of_filter(barrier_filter) is None:
        return publish(read_reports(region.store), rule=rule, barrier_filter=barrier_filter,
                       **_inputs(region))
    return release(region, rule=rule).for_filter(barrier_filter)


def area_table(region: Region, pub: Publication) -> gpd.GeoDataFrame:
    """The published per-area table with the inhabitants and rates of the one area rule.

    Inhabitants come from :meth:`Region.population_by_area`; ``rate_je_1000`` is published
    persons per 1,000 inhabitants and ``rate_eb_je_1000`` its empirical-Bayes smoothing over
    the published areas. Nothing here looks at raw reports.

    Returns
    -------
    geopandas.GeoDataFrame
        :meth:`Publication.planungsraeume` with ``einwohner``, ``rate_je_1000``,
        ``rate_eb_je_1000`` replaced.
    """
    table = pub.planungsraeume().copy()
    population = region.population_by_area().set_index("pr_id")["einwohner"]
    inhabitants = population.reindex(table["pr_id"].astype(str)).fillna(0.0).to_numpy(dtype=float)
    table["einwohner"] = np.round(inhabitants).astype(np.int64)
    published = table["personen"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(inhabitants > 0, published / inhabitants * 1000, np.nan)
    table["rate_je_1000"] = np.round(rate, 2)
    use = table["veroeffentlicht"].to_numpy(dtype=bool) & (inhabitants > 0)
    smoothed = np.full(len(table), np.nan)
    if use.any():
        smoothed[use] = empirical_bayes_rates(published[use], inhabitants[use]) * 1000
    table["rate_eb_je_1000"] = np.round(smoothed, 2)
    table.attrs.update(pub.planungsraeume().attrs)
    return table


@dataclass
class AreaBarrierSummary:
    """Barrier figures of one planning area, all through disclosure control.

    Attributes
    ----------
    pr_id, name
        The planning area.
    veroeffentlicht
        False if the area's figures are suppressed (then only the note is meaningful).
    personen, meldungen
        Rounded distinct persons and reports (``None`` if suppressed).
    einwohner
        Inhabitants (population layer).
    rate_je_1000, rate_eb_je_1000
        Persons per 1,000 inhabitants, raw and empirical-Bayes smoothed.
    top_codes
        Published ICF codes (``rang``, ``icf_code``, ``icf_titel``, ``personen``, ``meldungen``).
    trend
        Per year ``jahr``, ``personen``, ``meldungen`` (empty where not published).
    filter, geheimhaltung, regel_text
        What was counted, the rule label and the German rule text for footnotes.
    """

    pr_id: str
    name: str
    veroeffentlicht: bool
    personen: int | None
    meldungen: int | None
    einwohner: int | None
    rate_je_1000: float | None
    rate_eb_je_1000: float | None
    top_codes: pd.DataFrame
    trend: pd.DataFrame
    filter: str
    geheimhaltung: str
    regel_text: str = field(repr=False, default="")

    def text(self) -> str:
        """A short German paragraph for the area profile (big-type projector view, PDF)."""
        if not self.veroeffentlicht:
            return (f"{self.name}: {MISSING_LABEL} zu {self.filter} – zu wenige Personen oder "
                    "Schutz vor Zurückrechnen.")
        parts = [f"{self.name}: etwa {self.personen} Personen mit {self.meldungen} Meldungen "
                 f"({self.filter})"]
        if self.rate_je_1000 is not None and pd.notna(self.rate_je_1000):
            parts.append(f"{_de(self.rate_je_1000)} je 1.000 Einwohner"
                         + (f" (geglättet {_de(self.rate_eb_je_1000)})"
                            if self.rate_eb_je_1000 is not None
                            and pd.notna(self.rate_eb_je_1000) else ""))
        if len(self.top_codes):
            top = self.top_codes.iloc[0]
            parts.append(f"häufigster Umweltfaktor {top['icf_code']} {top['icf_titel']}")
        return "; ".join(parts) + "."


def _de(number: float) -> str:
    """One decimal with a decimal comma (2,3)."""
    return f"{number:.1f}".replace(".", ",")


def _value(value: Any, kind: type) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return kind(value)


def area_summaries(region: Region, pub: Publication, *, top: int = 5) -> list[AreaBarrierSummary]:
    """Summaries of every planning area from one publication (same order as the layer)."""
    areas = area_table(region, pub)
    codes = pub.icf_je_planungsraum(top=top)
    years = pub.jahre_je_planungsraum()
    text = pub.rule.beschreibung()
    out = []
    for row in areas.itertuples(index=False):
        pr_id = str(row.pr_id)
        out.append(AreaBarrierSummary(
            pr_id=pr_id,
            name=str(row.name),
            veroeffentlicht=bool(row.veroeffentlicht),
            personen=_value(row.personen, int),
            meldungen=_value(row.meldungen, int),
            einwohner=_value(getattr(row, "einwohner", None), int),
            rate_je_1000=_value(getattr(row, "rate_je_1000", None), float),
            rate_eb_je_1000=_value(getattr(row, "rate_eb_je_1000", None), float),
            top_codes=codes[codes["pr_id"] == pr_id][
                ["rang", "icf_code", "icf_titel", "personen", "meldungen"]
            ].reset_index(drop=True),
            trend=years[years["pr_id"] == pr_id][["jahr", "personen", "meldungen"]]
            .reset_index(drop=True),
            filter=pub.filter.beschreibung(),
            geheimhaltung=pub.rule.kennzeichnung,
            regel_text=text,
        ))
    return out


def area_summary(region: Region, pub: Publication, pr_id: str, *,
                 top: int = 5) -> AreaBarrierSummary:
    """The summary of one planning area (for the Steckbrief / PDF report)."""
    for summary in area_summaries(region, pub, top=top):
        if summary.pr_id == str(pr_id):
            return summary
    raise AnalysisError(f"Den Planungsraum '{pr_id}' gibt es nicht.",
                        hinweis="Wählen Sie eine Nummer aus der Ebene 'planungsraeume'.")


# --------------------------------------------------------------------------------------------
# Fixed filter choices for interactive use
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoice:
    """One of the few fixed selections the app offers (never free combinations).

    Every published value is protected by the cell-key method of :mod:`analyses.privacy`: at
    least ``k`` distinct persons, the true count changed by the perturbation table indexed by
    the persons' cell key, then rounded. The same persons give the same value in every choice,
    so the difference of two overlapping choices is a difference of perturbed values, not the
    true count of the persons in between. Offering a short fixed list of one-attribute
    selections instead of arbitrary combinations keeps the number of such differences small and
    each of them coarse (a whole chapter, a whole group, a whole year).

    Attributes
    ----------
    schluessel
        Stable key (``"alle"``, ``"kapitel:e1"``, ``"gruppe:Mobilität"``, ``"code:e150"``).
    bezeichnung
        German label for a selection list.
    art
        ``"alle"``, ``"kapitel"``, ``"gruppe"`` or ``"code"``.
    """

    schluessel: str
    bezeichnung: str
    art: str

    def barrier_filter(self, jahr: int | None = None) -> BarrierFilter:
        """The filter of this choice, optionally limited to one calendar year."""
        from datetime import date

        window: dict[str, Any] = {}
        if jahr is not None:
            window = {"von": date(int(jahr), 1, 1), "bis": date(int(jahr), 12, 31)}
        value = self.schluessel.split(":", 1)[-1]
        if self.art == "kapitel":
            return BarrierFilter(kapitel=(value,), **window)
        if self.art == "gruppe":
            return BarrierFilter(beeintraechtigung=(value,), **window)
        if self.art == "code":
            return BarrierFilter(codes=(value,), **window)
        return BarrierFilter(**window)


def filter_choices(region: Region, *, codes: Sequence[str] = ()) -> list[FilterChoice]:
    """The fixed selections of barrier reports: all, each ICF chapter, each impairment group,
    and each ICF code in ``codes`` (pass the codes published for the whole region, so that no
    choice leads to a code below the minimum by construction).

    Returns
    -------
    list of FilterChoice
        In display order, with German labels (ICF chapter and code titles in German).
    """
    from layers.barrieren import ICF_CHAPTERS, load_impairment_groups

    choices = [FilterChoice("alle", "Alle Barrieren", "alle")]
    choices += [FilterChoice(f"kapitel:{code}", f"ICF-Kapitel {code}: {title}", "kapitel")
                for code, title in ICF_CHAPTERS.items()]
    choices += [FilterChoice(f"gruppe:{group.name}", f"Beeinträchtigung: {group.name}", "gruppe")
                for group in load_impairment_groups()]
    codes = [str(c) for c in codes]
    if codes:
        icf = load_icf_codes(region.config.icf)
        titles = dict(zip(icf["code"].astype(str), icf["titel_de"].astype(str), strict=True))
        choices += [FilterChoice(f"code:{code}", f"ICF-Code {code}: {titles.get(code, code)}", "code")
                    for code in sorted(dict.fromkeys(str(c) for c in codes))]
    return choices


@dataclass
class HotspotGrid:
    """The published grid of one filter with smoothed rates and Gi* hotspots.

    Attributes
    ----------
    gitter
        Published cells: ``gitter_id``, ``personen``, ``meldungen``, ``einwohner``,
        ``rate_je_1000``, ``rate_eb_je_1000``, ``gi_z``, ``p_sim``, ``klasse``,
        ``geheimhaltung``; carries the publication mark in ``attrs``.
    hotspots
        Published cells in significant hotspots (Gi* looks at the neighbourhood, computed from
        published values only; a hotspot is reported only where a value is published).
    gitterweite
        Cell size in metres.
    methode
        German description of the Gi* settings.
    """

    gitter: gpd.GeoDataFrame
    hotspots: gpd.GeoDataFrame
    gitterweite: int
    methode: str


def _rates_and_gi_star(
    pub: Publication, region: Region, resolution: int, permutations: int
) -> tuple[shapely.Geometry, gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Region boundary, published grid with smoothed rates, Gi* lattice, and the two joined."""
    boundary = region.boundary()
    grid = smoothed_rates(pub.gitter(resolution))
    hot = getis_ord(grid, boundary, resolution, permutations=permutations)
    # A hotspot is reported only where a value is published: a lattice cell without one may lie
    # in a hot neighbourhood, but calling it a hotspot would contradict "no value" beside it.
    unpublished = ~hot["gitter_id"].isin(grid["gitter_id"]).to_numpy()
    hot.loc[unpublished, "signifikant"] = False
    hot.loc[unpublished, "klasse"] = NOT_SIGNIFICANT_LABEL
    joined = grid.merge(
        hot[["gitter_id", "gi_z", "p_sim", "signifikant", "klasse"]], on="gitter_id", how="left"
    )
    joined.attrs.update(grid.attrs)
    return boundary, grid, hot, joined


@cached("barrieren_hotspots", disk=False, daily=False)
def hotspot_grid(
    region: Region,
    resolution: int,
    *,
    barrier_filter: BarrierFilter | None = None,
    rule: DisclosureRule | None = None,
    permutations: int = 999,
) -> HotspotGrid:
    """Smoothed rates and Getis-Ord Gi* hotspots of the published grid of one filter.

    Parameters
    ----------
    region, barrier_filter, rule
        As for :func:`publication`.
    resolution
        Cell size (100, 250, 500, 1000 m).
    permutations
        Permutations for the Gi* pseudo p-values.

    Returns
    -------
    HotspotGrid
        ``hotspots`` are published cells only (every hotspot cell has a published value), so
        the count of hotspot cells never exceeds the count of published cells.

    Raises
    ------
    AnalysisError
        If fewer than three cells are published (no hotspot analysis possible).
    """
    resolution = check_resolution(resolution)
    pub = publication(region, barrier_filter=barrier_filter, rule=rule)
    _, grid, hot, joined = _rates_and_gi_star(pub, region, resolution, permutations)
    hotspots = hot[(hot["klasse"] == HOTSPOT_LABEL).to_numpy()].copy()
    hotspots.attrs.update(hot.attrs)
    return HotspotGrid(gitter=joined, hotspots=hotspots, gitterweite=resolution,
                       methode=str(hot.attrs.get("methode", "")))


@dataclass
class HotspotFiles:
    """Files written by :func:`hotspot_outputs`."""

    geopackage: Path
    geotiff: Path
    published_cells: int
    lattice_cells: int
    hotspot_cells: int
    geheimhaltung: str

    def summary(self) -> str:
        """German summary for the terminal."""
        return (
            f"{self.published_cells} Gitterzellen mit veröffentlichtem Wert. Hotspot-Analyse "
            f"über alle {self.lattice_cells} Zellen der Region: {self.hotspot_cells} Zellen in "
            f"signifikanten Hotspots (Gi*, FDR 5 %).\n"
            f"Gitter mit Gi* und Raten: {self.geopackage}\n"
            f"Dichtefläche (GeoTIFF): {self.geotiff}\n"
            f"Geheimhaltung: {self.geheimhaltung}"
        )


def hotspot_outputs(
    region: Region,
    resolution: int,
    out_dir: str | Path,
    *,
    barrier_filter: BarrierFilter | None = None,
    rule: DisclosureRule | None = None,
    bandwidth_m: float | None = None,
    pixel_m: float | None = None,
    permutations: int = 999,
) -> HotspotFiles:
    """Write the published grid with Gi* and smoothed rates (GeoPackage) and a density GeoTIFF.

    Parameters
    ----------
    region
        The region.
    resolution
        Grid cell size (100, 250, 500 or 1000 m).
    out_dir
        Output directory (created if missing).
    barrier_filter, rule
        As for :func:`publication`.
    bandwidth_m
        Kernel bandwidth (default: twice the cell size).
    pixel_m
        Raster pixel size (default: a fifth of the cell size, at least 20 m).
    permutations
        Permutations for the Gi* p-values.

    Returns
    -------
    HotspotFiles
    """
    resolution = check_resolution(resolution)
    pub = publication(region, barrier_filter=barrier_filter, rule=rule)
    boundary, grid, hot, joined = _rates_and_gi_star(pub, region, resolution, permutations)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "_INTERN" if pub.rule.ist_intern else ""
    stem = f"{safe_file_name(region.name)}_{resolution}m{suffix}"
    gpkg = path_inside(out, f"barrieren_{stem}.gpkg")
    if gpkg.exists():
        gpkg.unlink()
    pyogrio.write_dataframe(joined, gpkg, layer=f"barrieren_gitter_{resolution}m", driver="GPKG")
    pyogrio.write_dataframe(
        hot, gpkg, layer=f"hotspots_gi_stern_{resolution}m", driver="GPKG")
    pyogrio.write_dataframe(
        pd.DataFrame({"regel": [pub.rule.kennzeichnung], "filter": [pub.filter.beschreibung()],
                      "methode": [hot.attrs.get("methode", "")],
                      "beschreibung": [pub.rule.beschreibung()]}),
        gpkg, layer="geheimhaltung_regel", driver="GPKG")
    surface = kernel_density(
        grid, boundary,
        bandwidth_m=bandwidth_m or 2.0 * resolution,
        pixel_m=pixel_m or max(20.0, resolution / 5),
    )
    tiff = write_geotiff(surface, path_inside(out, f"barrieren_dichte_{stem}.tif"))
    return HotspotFiles(
        geopackage=gpkg,
        geotiff=tiff,
        published_cells=len(grid),
        lattice_cells=len(hot),
        hotspot_cells=int((hot["klasse"] == HOTSPOT_LABEL).sum()),
        geheimhaltung=pub.rule.kennzeichnung,
    )
