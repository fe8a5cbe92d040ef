"""The pages' one entrance to :mod:`planungsraeume`: one wrapper per answer a page shows.

Every wrapper takes the :class:`~planungsraeume.region.Region` (and the
:class:`~planungsraeume.frage.Question` or fixed choice) and returns what a page draws. There is
ONE caching mechanism, :func:`planungsraeume.cache.cached`, keyed by the store's version and the
question: wrappers that prepare something for the browser (GeoJSON in WGS 84, dissolved classes,
German choice lists) are cached with it; wrappers around a function that is cached there already
only translate the page's choice and call it (no second cache). No ``st.cache_*`` anywhere.

Numbers come from planungsraeume alone: inhabitants per area from
:meth:`Region.population_by_area` (through the indicators or the coverage table), offers from
:meth:`Region.offers` / :meth:`Region.selected_offers`, barrier rates from
:func:`planungsraeume.barrieren.area_table`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from analyses.coverage import time_band_labels, time_bands
from analyses.privacy import Publication
from layers.errors import AnalysisError, SozialraumError
from layers.formatting import de_number
from planungsraeume import barrieren, erreichbarkeit, indikatoren
from planungsraeume.cache import cached
from planungsraeume.frage import Question
from planungsraeume.region import Region
from ui import mapdata, theme
from ui.maplayers import MAP_DATA_VERSION, WEB_CRS, MapLayers, prepare_map_layers, publish_map_files

__all__ = [
    "DATA_KIND_CHECKS",
    "EMPTY_GEOJSON",
    "OVERVIEW_KEYS",
    "BarrierGrid",
    "address_index",
    "area_overview",
    "barrier_choices",
    "barrier_filter",
    "barrier_grid",
    "barrier_publication",
    "candidate_sites",
    "named_streets",
    "report_context",
    "report_figures",
    "data_kinds",
    "gap_outline",
    "has_barrier_reports",
    "indicators",
    "layer_overview",
    "map_layers",
    "offers_web",
    "selected_offers_web",
    "stop_classes",
    "travel_time_bands",
    "travel_time_classes",
]

EMPTY_GEOJSON: dict[str, Any] = {"type": "FeatureCollection", "features": []}
#: Layers whose ``quelle`` says what kind of non-real data a region holds.
DATA_KIND_CHECKS = (
    ("planungsraeume", "generiert"),
    ("bevoelkerung", "modelliert"),
    ("angebote", "synthetisch"),
    ("barrieren", "barrieren_synthetisch"),
)
#: The indicators of the Karte page's area table and details.
OVERVIEW_KEYS = ("einwohner", "anteil_65_plus", "angebote", "beratung",
                 "anteil_stufenloser_zugang", "anteil_stufenloser_zugang_unbekannt")
CLASS_PROPERTIES = ["klasse", "label", "farbe", "zellen", "einwohner_text"]


# --------------------------------------------------------------------------------------------
# Map layers and offers
# --------------------------------------------------------------------------------------------


@cached("app_kartenebenen", pickled=True, daily=False)
def _map_layers(region: Region, version: str = MAP_DATA_VERSION) -> MapLayers:
    return prepare_map_layers(region)


def map_layers(region: Region) -> MapLayers:
    """The prepared map layers of the region (:func:`ui.maplayers.prepare_map_layers`).

    Kept in memory and, as the one pickled kind of the result cache, on disk, so that a
    restarted server draws its maps at once; shared, treat as read-only.
    """
    prepared = _map_layers(region)
    publish_map_files(region, prepared)
    return prepared


@cached("app_angebote_web", disk=False)
def offers_web(region: Region, frage: Question | None = None) -> gpd.GeoDataFrame:
    """The active offers, or those a question selects, in WGS 84.

    :meth:`Region.offers` (or :meth:`Region.selected_offers`), each with its planning area
    ``pr_id``.
    """
    offers = region.offers() if frage is None else region.selected_offers(frage)
    return offers.to_crs(WEB_CRS)


def selected_offers_web(region: Region, frage: Question) -> gpd.GeoDataFrame:
    """The offers a question selects (:func:`offers_web`), empty where none matches.

    For pages that filter the offers they show: an empty choice is a selection, not an error.
    """
    try:
        return offers_web(region, frage)
    except AnalysisError:
        return offers_web(region).iloc[0:0]


# --------------------------------------------------------------------------------------------
# Reachability
# --------------------------------------------------------------------------------------------


def _classes_geojson(cells: gpd.GeoDataFrame, classes: pd.Series,
                     colours: dict[str, str]) -> dict[str, Any]:
    polygons = mapdata.classed_polygons(cells, classes, colours)
    polygons["einwohner_text"] = [de_number(v) for v in polygons["summe"]]
    return mapdata.compact_geojson(polygons, CLASS_PROPERTIES)


@cached("app_reisezeit_klassen", disk=False)
def travel_time_classes(region: Region, frage: Question) -> dict[str, Any]:
    """The travel time of every populated cell as dissolved classes (GeoJSON, WGS 84).

    From :func:`planungsraeume.erreichbarkeit.travel_times`.
    """
    travel = erreichbarkeit.travel_times(region, frage)
    colours = dict(zip(time_band_labels(), theme.TIME_BAND_COLOURS, strict=True))
    return _classes_geojson(region.cells(), time_bands(travel), colours)


def travel_time_bands(region: Region, frage: Question) -> pd.DataFrame:
    """Inhabitants per planning area and travel-time class
    (:func:`planungsraeume.erreichbarkeit.time_bands_by_area`, cached there)."""
    return erreichbarkeit.time_bands_by_area(region, frage)


@cached("app_luecken_umriss", disk=False)
def gap_outline(region: Region, frage: Question) -> tuple[dict[str, Any], int, int]:
    """The Versorgungslücken of a question as one outline, their cells and inhabitants.

    From :func:`planungsraeume.erreichbarkeit.gaps`; the outline as GeoJSON in WGS 84.
    """
    gaps = erreichbarkeit.gaps(region, frage)
    outline = mapdata.dissolved_outline(gaps).to_crs(WEB_CRS)
    people = int(round(float(gaps["einwohner"].sum()))) if len(gaps) else 0
    return mapdata.compact_geojson(outline, ["zellen"]), len(gaps), people


@cached("app_haltestellen_klassen", disk=False, daily=False)
def stop_classes(region: Region) -> dict[str, Any]:
    """Walking distance from every populated cell to the nearest stop, as dissolved classes.

    :func:`planungsraeume.erreichbarkeit.stop_distances` in the bands of
    :func:`~planungsraeume.erreichbarkeit.stop_distance_bands` (GeoJSON, WGS 84).
    """
    bands = erreichbarkeit.stop_distance_bands(erreichbarkeit.stop_distances(region, "fuss"))
    colours = dict(zip([str(c) for c in bands.cat.categories], theme.STOP_BAND_COLOURS,
                       strict=True))
    return _classes_geojson(region.cells(), bands, colours)


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------


def indicators(region: Region, frage: Question | None = None) -> pd.DataFrame:
    """The indicator long table (:func:`planungsraeume.indikatoren.indicators`, cached there).

    With a question, its reachability coverage where the region has population and network.
    """
    return indikatoren.indicators(region, frage)


@cached("app_planungsraum_uebersicht", disk=False)
def area_overview(region: Region) -> pd.DataFrame:
    """Key indicators per planning area in wide form (the tables of the Karte page).

    Columns ``pr_id``, ``name``, ``flaeche_km2`` (the part inside the region,
    :meth:`Region.areas`) and :data:`OVERVIEW_KEYS` (from :func:`indicators`, inhabitants by
    :meth:`Region.population_by_area`).
    """
    long = indicators(region)
    wide = indikatoren.indicators_wide(long[long["kennzahl"].isin(OVERVIEW_KEYS)], labels=False,
                                       region_row=False)
    areas = region.areas()
    area_km2 = dict(zip(areas["pr_id"].astype(str), areas["flaeche_km2"], strict=True))
    wide["pr_id"] = wide["pr_id"].astype(str)
    wide.insert(2, "flaeche_km2", wide["pr_id"].map(area_km2))
    for key in OVERVIEW_KEYS:
        if key not in wide.columns:
            wide[key] = float("nan")
    return wide


# --------------------------------------------------------------------------------------------
# Barrier reports (only through the disclosure gate)
# --------------------------------------------------------------------------------------------


def barrier_filter(choice: str, jahr: int | None = None) -> Any:
    """The :class:`analyses.privacy.BarrierFilter` of a fixed choice key and optional year."""
    art = choice.split(":", 1)[0] if ":" in choice else "alle"
    return barrieren.FilterChoice(choice, choice, art).barrier_filter(jahr)


def barrier_publication(region: Region, choice: str = "alle",
                        jahr: int | None = None) -> Publication:
    """The protected publication of a fixed choice and optional year.

    :func:`planungsraeume.barrieren.publication`, cached there; shared, treat as read-only.
    """
    return barrieren.publication(region, barrier_filter=barrier_filter(choice, jahr))


@cached("app_barrieren_auswahl", disk=False, daily=False)
def barrier_choices(region: Region) -> tuple[list[tuple[str, str, str]], list[int]]:
    """The fixed selections ``(key, label, kind)`` and the years with a published value.

    :func:`planungsraeume.barrieren.filter_choices` with the codes published for the region.
    """
    pub = barrier_publication(region)
    years = pub.jahre_region()
    published = sorted(int(y) for y, p in zip(years["jahr"], years["personen"], strict=True)
                       if pd.notna(y) and pd.notna(p))
    choices = barrieren.filter_choices(region, codes=list(pub.icf_region()["icf_code"].astype(str)))
    return [(c.schluessel, c.bezeichnung, c.art) for c in choices], published


@dataclass(frozen=True)
class BarrierGrid:
    """The published grid of one choice for the Barrieren page and the Karte.

    Attributes
    ----------
    gitter
        Published cells with smoothed rates (and Gi* classes where computed).
    umriss
        GeoJSON (WGS 84) outline of the published cells in significant Gi* hotspots.
    hotspot_zellen
        Their number (never more than published cells).
    hinweis
        German method note, or why there is no hotspot analysis.
    """

    gitter: gpd.GeoDataFrame
    umriss: dict[str, Any]
    hotspot_zellen: int
    hinweis: str


@cached("app_barrieren_gitter", disk=False, daily=False)
def barrier_grid(region: Region, choice: str = "alle", jahr: int | None = None,
                 resolution: int = 250) -> BarrierGrid:
    """Smoothed rates and Gi* hotspots of the published grid of a fixed choice.

    :func:`planungsraeume.barrieren.hotspot_grid`; with too few published cells the smoothed
    grid alone and a note why.
    """
    from analyses.hotspots import smoothed_rates

    try:
        hot = barrieren.hotspot_grid(region, int(resolution),
                                     barrier_filter=barrier_filter(choice, jahr))
    except SozialraumError as exc:
        pub = barrier_publication(region, choice, jahr)
        return BarrierGrid(smoothed_rates(pub.gitter(int(resolution))), EMPTY_GEOJSON, 0,
                           f"Keine Hotspot-Analyse: {exc.meldung} {exc.hinweis}".strip())
    outline = mapdata.dissolved_outline(hot.hotspots).to_crs(WEB_CRS)
    return BarrierGrid(hot.gitter, mapdata.compact_geojson(outline, ["zellen"]),
                       len(hot.hotspots), f"Methode: {hot.methode}")


def has_barrier_reports(region: Region) -> bool:
    """Whether the region has barrier reports at all (says nothing about where)."""
    return region.has_layer("barrieren") and len(region.layer("barrieren", ("quelle",))) > 0


# --------------------------------------------------------------------------------------------
# Data about the data
# --------------------------------------------------------------------------------------------


@cached("app_datenarten", disk=False, daily=False)
def data_kinds(region: Region) -> tuple[str, ...]:
    """Which kinds of non-real data the region holds, read from the ``quelle`` of its layers."""
    kinds: list[str] = []
    for layer_name, kind in DATA_KIND_CHECKS:
        if kind in kinds or not region.has_layer(layer_name):
            continue
        values = region.layer(layer_name, ("quelle",))["quelle"].astype(str)
        if values.str.contains(kind.rsplit("_", 1)[-1]).any():
            kinds.append(kind)
    return tuple(kinds)


@cached("app_ebenen_uebersicht", disk=False, daily=False)
def layer_overview(region: Region, described: tuple[str, ...],
                   with_source: tuple[str, ...]) -> pd.DataFrame:
    """Per described layer of the store: name, number of objects and sources.

    The sources are the values of the ``quelle`` column of the layers in ``with_source``. Read
    from the store directly (only the needed column), so that no large layer is held in memory
    for a count.
    """
    rows = []
    for layer_name in region.store.list_layers():
        if layer_name not in described:
            continue
        columns = ["quelle"] if layer_name in with_source else []
        frame = region.store.read_layer(layer_name, columns=columns)
        sources = (", ".join(sorted(frame["quelle"].astype(str).unique()))
                   if "quelle" in frame else "")
        rows.append({"Ebene": layer_name, "Objekte": len(frame), "Quelle": sources})
    return pd.DataFrame(rows, columns=["Ebene", "Objekte", "Quelle"])


@cached("app_steckbrief_kontext", disk=False, daily=False)
def report_context(region: Region) -> Any:
    """What every Steckbrief of the region shares (map layers, offers, data-kind line)."""
    from planungsraeume.steckbrief import load_report_context

    return load_report_context(region)


@cached("app_steckbrief_zahlen", disk=False)
def report_figures(region: Region, frage: Question, vergleich: str = "") -> Any:
    """The Steckbrief figures of all areas for the app's question (indicators, reach, barriers,
    trends) and, with ``vergleich`` (a region name), the region beside that region."""
    from planungsraeume.steckbrief import report_inputs
    from ui.profil.steckbrief import coverage_choice

    other = Region.open(vergleich) if vergleich else None
    if other is not None and not other.exists():
        other = None  # not built yet: the page says so beside the comparison
    return report_inputs(region, coverage_choice=coverage_choice(frage), vergleichsregion=other)


@cached("app_strassen", disk=False, daily=False)
def named_streets(region: Region) -> gpd.GeoDataFrame | None:
    """Named streets of the pedestrian network (one line per name), ``None`` without network."""
    from layers.barrieren import street_segments

    if not region.has_network():
        return None
    return street_segments(region.layer("netz_kanten", ("name",)))


@cached("app_kandidaten", daily=False)
def candidate_sites(region: Region) -> gpd.GeoDataFrame:
    """Candidate sites for location suggestions (public buildings and community places)."""
    from layers.kandidaten import candidate_sites_from_store

    return candidate_sites_from_store(region.store)


@cached("app_adressindex", disk=False, daily=False)
def address_index(region: Region) -> Any:
    """The offline address index of the region (for geocoding typed addresses)."""
    from layers.geocode import AddressIndex

    return AddressIndex.from_store(region.store)
