"""A region, opened once and handed to every question: stores, network, cells, offers, areas.

:class:`Region` is what r5py's ``TransportNetwork`` is to its ``TravelTimeMatrix``: built once,
then handed to every analysis of :mod:`planungsraeume` together with a frozen
:class:`~planungsraeume.frage.Question`. It holds the one rule for each quantity that several
outputs show, so that every page, command, Steckbrief and export takes it from here:

* which offers are active on a day (:meth:`Region.offers`; the rule itself is
  :func:`layers.angebote.gueltigkeit.active_services`) and which of them a question selects
  (:meth:`Region.selected_offers`);
* which planning area a population cell belongs to (:meth:`Region.cell_areas`; the rule itself
  is :func:`analyses.areas.cells_to_areas`) and therefore the inhabitants (total and by age) of
  every area (:meth:`Region.population_by_area`), in the grid's year or any other year of the
  region's official figures (:meth:`Region.population_years`, see there for the rule);
* the planning areas with their area inside the region (:meth:`Region.areas`);
* the network graph of a profile and the population cells snapped to it, built once per store
  version (:meth:`Region.graph`, :meth:`Region.snapped_cells`).

Everything is cached in the one result cache (:mod:`planungsraeume.cache`), keyed by
:meth:`Region.identity` – the stores' versions and the day – so a new edit or a new day gives new
answers and nothing else does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analyses.areas import cells_to_areas
from analyses.network.graph import NetworkGraph
from analyses.network.profiles import check_unknown_mode, default_unknown_mode, get_profile
from analyses.network.search import select_services
from analyses.network.snapping import DEFAULT_MAX_SNAP_M, SnappedPoints, snap_points
from layers.angebote.gueltigkeit import active_services
from layers.errors import AnalysisError, LayerNotFoundError
from layers.regions import RegionConfig, load_region
from layers.store import RegionStore, open_store
from planungsraeume.cache import cached
from planungsraeume.frage import Question
from planungsraeume.netz import load_graph

__all__ = [
    "AGE_COLUMNS",
    "ORIGIN_LAYERS",
    "OUTSIDE_ID",
    "OUTSIDE_NAME",
    "SERIES_LAYER",
    "Region",
]

#: Where per-area tables put inhabitants of cells that touch no planning area.
OUTSIDE_ID = "ohne"
OUTSIDE_NAME = "ohne Planungsraum"
#: Age-group columns of the population layer, in display order.
AGE_COLUMNS = ("alter_unter_18", "alter_18_64", "alter_65_plus", "alter_65_74", "alter_75_plus",
               "alter_65_79", "alter_80_plus")
#: The table of official inhabitants per planning area and year (:mod:`layers.build.statistik`).
SERIES_LAYER = "bevoelkerung_zeitreihe"
#: Layers that can serve as origins of a reachability question.
ORIGIN_LAYERS = {
    "bevoelkerung": "Bevölkerungsraster (Zellmittelpunkte)",
    "gebaeude": "Gebäude (Mittelpunkte)",
    "adressen": "Adressen",
}


@dataclass(frozen=True, eq=False)
class Region:
    """One region: its configuration and its store.

    Create it with :meth:`open`; it is cheap (nothing is read until asked) and can be made on
    every page run. Data read through it is cached per store version; treat returned objects
    other than frames as read-only.

    Attributes
    ----------
    config
        The parsed region configuration (``data/regions/<name>.toml``).
    store
        The region's store (derived layers and user data behind one interface).
    """

    config: RegionConfig
    store: RegionStore

    @classmethod
    def open(cls, region: str | RegionConfig, *, store: RegionStore | None = None) -> Region:
        """The region of a name or configuration, with its store (default: the cache's)."""
        config = region if isinstance(region, RegionConfig) else load_region(region)
        return cls(config=config, store=store or open_store(config))

    # ---- identity ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """Short key (``"aachen"``)."""
        return self.config.name

    @property
    def titel(self) -> str:
        """Display name."""
        return self.config.titel

    @property
    def crs(self) -> Any:
        """The working CRS (projected, metric)."""
        return self.store.crs

    def identity(self) -> dict[str, str]:
        """What every cached answer of this region is keyed by: name, store and version, day."""
        return {
            "region": self.name,
            "speicher": self.store.cache_identity(),
            "version": self.store.version_token(),
            "tag": date.today().isoformat(),
        }

    def exists(self) -> bool:
        """Whether the region has been built."""
        return self.store.exists()

    def has_layer(self, name: str) -> bool:
        """Whether the store has a layer of that name."""
        return self.store.has_layer(name)

    def meta(self) -> dict[str, str]:
        """The build's metadata (fingerprint, summary, population source …)."""
        return _meta(self)

    # ---- layers -----------------------------------------------------------------------------

    def layer(self, name: str, columns: tuple[str, ...] | None = None) -> Any:
        """One layer of the store (cached per version; a copy of the cached frame).

        Raises
        ------
        LayerNotFoundError
            If the store or the layer does not exist.
        """
        return _layer(self, name, columns)

    def boundary(self) -> shapely.Geometry:
        """The region polygon (union of the ``region`` layer)."""
        return _boundary(self)

    def areas(self) -> gpd.GeoDataFrame:
        """The planning areas with ``pr_id``, ``name`` and ``flaeche_km2``.

        ``flaeche_km2`` is the area of the part inside the region: where planning areas come
        from whole municipalities that reach beyond the region, only what lies in the region
        counts (its inhabitants are the region's too).
        """
        return _areas(self)

    def area_names(self) -> dict[str, str]:
        """Area name by ``pr_id`` (plus the name of the "ohne" row)."""
        areas = self.areas()
        names = dict(zip(areas["pr_id"].astype(str), areas["name"].astype(str), strict=True))
        return {**names, OUTSIDE_ID: OUTSIDE_NAME}

    # ---- population -------------------------------------------------------------------------

    def has_population(self) -> bool:
        """Whether the region has a population grid with inhabitants."""
        return _has_population(self)

    def cells(self) -> gpd.GeoDataFrame:
        """Populated grid cells (``bevoelkerung`` with ``einwohner > 0``), index of the layer.

        Raises
        ------
        AnalysisError
            If the region has no population (e.g. a routing-only extract).
        """
        return _cells(self)

    def cell_areas(self) -> pd.Series:
        """The planning area of every populated cell (``"ohne"`` outside every area).

        The one rule (:func:`analyses.areas.cells_to_areas`): a cell belongs to the area that
        contains its centroid, else to the area it overlaps most; a cell touching no area is
        ``"ohne"``. Indicators, coverage, gaps, barrier rates, scenarios, location suggestions,
        the Steckbrief and the command line all use this series.
        """
        return _cell_areas(self)

    def population_years(self) -> list[int]:
        """The years with inhabitants per planning area, ascending.

        Every year of the official table :data:`SERIES_LAYER` (regions built from statistics,
        e.g. Köln 2005–2012), else the one year the population grid stands for (the build's
        ``bevoelkerung_jahr``: the Zensus year or the year of the model), else none.
        """
        return _population_years(self)

    def population_year(self) -> int | None:
        """The year the population grid (:meth:`cells`) stands for, if known."""
        text = self.meta().get("bevoelkerung_jahr", "")
        return int(text) if text.isdigit() else None

    def population_by_area(self, jahr: int | None = None) -> pd.DataFrame:
        """Inhabitants per planning area, in the grid's year or in a given year.

        The one rule for "how many people live in an area in a year":

        1. without a year, or for the grid's year (:meth:`population_year`): the grid cells by
           :meth:`cell_areas`. A region built from official figures per area has its latest
           year on the grid, each area's figures spread over the cells whose centre lies in
           it, so this reproduces the published figures exactly;
        2. for another year: the official table :data:`SERIES_LAYER` of that year;
        3. for a year without figures: the latest earlier year that has them (figures are
           carried forward, never interpolated or invented); ``attrs["jahr"]`` says which.

        Parameters
        ----------
        jahr
            The year (default: the grid's year).

        Returns
        -------
        pandas.DataFrame
            One row per area in layer order, then ``"ohne"`` if some cells lie outside every
            area: ``pr_id``, ``name``, ``einwohner`` and the age groups present
            (:data:`AGE_COLUMNS`), as floats (modelled values are not integers per cell);
            ``attrs["jahr"]``: the year of the figures (``None`` if unknown).

        Raises
        ------
        AnalysisError
            For a year before every year with figures.
        """
        grid_year = self.population_year()
        if jahr is None or int(jahr) == grid_year or not self.has_layer(SERIES_LAYER):
            if jahr is not None and grid_year is not None and int(jahr) < grid_year:
                raise _no_year(self, int(jahr))
            frame = _population_by_area(self).copy()
            frame.attrs["jahr"] = grid_year
            return frame
        return _population_in_year(self, int(jahr)).copy()

    def origins(self, quelle: str = "bevoelkerung") -> gpd.GeoDataFrame:
        """Origins of a reachability question: populated cells, buildings or addresses.

        Raises
        ------
        AnalysisError
            Unknown source, or an empty layer.
        """
        if quelle == "bevoelkerung":
            return self.cells()
        return _origins(self, quelle)

    def default_origin_source(self) -> str:
        """``"bevoelkerung"`` where the region has a population grid, else ``"adressen"``."""
        return "bevoelkerung" if self.has_population() else "adressen"

    # ---- offers -----------------------------------------------------------------------------

    def directory(self) -> gpd.GeoDataFrame:
        """Every offer of the directory, retired ones included (for the Daten page, exports)."""
        frame = self.layer("angebote")
        assert isinstance(frame, gpd.GeoDataFrame)
        return frame

    def offers(self, stichtag: date | None = None) -> gpd.GeoDataFrame:
        """The offers active on a day (default today), with the planning area ``pr_id`` of each.

        The one rule for "which offers exist" (:func:`layers.angebote.gueltigkeit.active_services`:
        started and not retired); areas by :func:`analyses.areas.cells_to_areas` as for cells.
        """
        return _offers(self, (stichtag or date.today()).isoformat())

    def selected_offers(self, frage: Question) -> gpd.GeoDataFrame:
        """The active offers on the question's day that the question selects.

        Raises
        ------
        AnalysisError
            If no offer is left (the message names the selection).
        """
        return select_services(self.offers(frage.tag), frage.typen, frage.filter)

    # ---- network ----------------------------------------------------------------------------

    def has_network(self) -> bool:
        """Whether the region has a pedestrian network (a region without OSM extract has none)."""
        return self.config.has_osm and _has_network(self)

    def require_network(self) -> None:
        """Raise a German error if the region has no network.

        Raises
        ------
        AnalysisError
            For a region without a pedestrian network.
        """
        if not self.has_network():
            raise AnalysisError(
                f"Die Region „{self.titel}“ hat kein Wegenetz; Erreichbarkeit, Isochronen, "
                "Szenarien und Standortvorschläge lassen sich hier nicht berechnen.",
                hinweis="Wählen Sie eine Region mit OpenStreetMap-Ausschnitt (z. B. Aachen).",
            )

    def graph(self, profil: str, unbekannt: str | None = None) -> NetworkGraph:
        """The network graph of a travel profile, built once per store version."""
        self.require_network()
        return load_graph(self.store, get_profile(profil), _mode(unbekannt))

    def snapped_cells(
        self, profil: str, unbekannt: str | None = None, max_anbindung_m: float = DEFAULT_MAX_SNAP_M
    ) -> SnappedPoints:
        """The populated cells snapped to a profile's network (once per version and profile)."""
        return _snapped_cells(self, get_profile(profil).name, _mode(unbekannt), float(max_anbindung_m))


def _mode(unbekannt: str | None) -> str:
    return check_unknown_mode(unbekannt or default_unknown_mode())


# --------------------------------------------------------------------------------------------
# Cached readers (the one cache; keyed by the region's identity)
# --------------------------------------------------------------------------------------------


@cached("metadaten", disk=False, daily=False)
def _meta(region: Region) -> dict[str, str]:
    return region.store.read_meta()


@cached("ebene", disk=False, daily=False)
def _layer(region: Region, name: str, columns: tuple[str, ...] | None) -> Any:
    if not region.store.has_layer(name):
        raise LayerNotFoundError(
            f"Die Ebene '{name}' fehlt im Regionsspeicher von „{region.titel}“.",
            hinweis=f"Bauen Sie die Region neu (sozialraum build --region {region.name} --force).",
        )
    return region.store.read_layer(name, columns=list(columns) if columns is not None else None)


@cached("regionsgrenze", disk=False, daily=False)
def _boundary(region: Region) -> shapely.Geometry:
    return shapely.union_all(region.layer("region").geometry.to_numpy())


@cached("planungsraeume", disk=False, daily=False)
def _areas(region: Region) -> gpd.GeoDataFrame:
    areas = region.layer("planungsraeume")
    for column in ("pr_id", "name"):
        if column not in areas.columns:
            raise AnalysisError(
                f"Den Planungsräumen fehlt die Spalte '{column}'.",
                hinweis="Importieren Sie Planungsräume mit Nummer und Name oder bauen Sie die "
                "Region neu.",
            )
    areas = areas.copy()
    areas["pr_id"] = areas["pr_id"].astype(str)
    inside = shapely.intersection(areas.geometry.to_numpy(), region.boundary())
    areas["flaeche_km2"] = np.round(shapely.area(inside) / 1e6, 4)
    return areas


@cached("hat_bevoelkerung", disk=False, daily=False)
def _has_population(region: Region) -> bool:
    if not region.has_layer("bevoelkerung"):
        return False
    cells = region.layer("bevoelkerung", ("einwohner",))
    return bool(len(cells)) and float(pd.to_numeric(cells["einwohner"], errors="coerce").sum()) > 0


@cached("zellen", disk=False, daily=False)
def _cells(region: Region) -> gpd.GeoDataFrame:
    if not region.has_population():
        raise AnalysisError(
            f"Die Region „{region.titel}“ hat keine Bevölkerungsdaten.",
            hinweis="Wählen Sie Adressen als Startpunkte, oder eine Region mit "
            "Einwohnerzahlen (z. B. die Demo-Region Aachen).",
        )
    layer = region.layer("bevoelkerung")
    populated = layer[pd.to_numeric(layer["einwohner"], errors="coerce").fillna(0) > 0]
    assert isinstance(populated, gpd.GeoDataFrame)
    return populated


@cached("zellen_planungsraeume", disk=False, daily=False)
def _cell_areas(region: Region) -> pd.Series:
    cells = region.cells()
    keys = cells_to_areas(cells, region.areas()).astype("string").fillna(OUTSIDE_ID)
    return keys.rename("pr_id")


@cached("einwohner_je_planungsraum", disk=False, daily=False)
def _population_by_area(region: Region) -> pd.DataFrame:
    areas = region.areas()
    order = list(areas["pr_id"].astype(str))
    if not region.has_population():
        frame = pd.DataFrame({"pr_id": order, "name": list(areas["name"].astype(str))})
        frame["einwohner"] = np.nan
        return frame
    cells = region.cells()
    columns = ["einwohner", *[c for c in AGE_COLUMNS if c in cells.columns]]
    keys = region.cell_areas()
    if (keys == OUTSIDE_ID).any():
        order.append(OUTSIDE_ID)
    values = cells[columns].apply(pd.to_numeric, errors="coerce").fillna(0.0).astype(float)
    sums = values.groupby(keys.to_numpy()).sum().reindex(order).fillna(0.0)
    names = region.area_names()
    frame = pd.DataFrame({"pr_id": order, "name": [names[p] for p in order]})
    for column in columns:
        frame[column] = sums[column].to_numpy()
    return frame


@cached("bevoelkerung_jahre", disk=False, daily=False)
def _population_years(region: Region) -> list[int]:
    if region.has_layer(SERIES_LAYER):
        years = region.layer(SERIES_LAYER, ("jahr",))["jahr"]
        return sorted({int(y) for y in pd.to_numeric(years, errors="coerce").dropna()})
    year = region.population_year()
    return [year] if year is not None and region.has_population() else []


def _no_year(region: Region, jahr: int) -> AnalysisError:
    years = region.population_years()
    known = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "keine")
    return AnalysisError(
        f"Für {jahr} gibt es in „{region.titel}“ keine Einwohnerzahlen (vorhanden: {known}).",
        hinweis="Wählen Sie ein Jahr, für das Einwohnerzahlen vorliegen, oder ein späteres.",
    )


@cached("einwohner_je_planungsraum_jahr", disk=False, daily=False)
def _population_in_year(region: Region, jahr: int) -> pd.DataFrame:
    years = [y for y in region.population_years() if y <= jahr]
    if not years:
        raise _no_year(region, jahr)
    used = years[-1]
    table = pd.DataFrame(region.layer(SERIES_LAYER))
    table = table[pd.to_numeric(table["jahr"]).to_numpy() == used]
    table = table.assign(pr_id=table["pr_id"].astype(str)).set_index("pr_id")
    areas = region.areas()
    order = list(areas["pr_id"].astype(str))
    columns = ["einwohner", *[c for c in AGE_COLUMNS if c in table.columns]]
    frame = pd.DataFrame({"pr_id": order, "name": list(areas["name"].astype(str))})
    for column in columns:
        frame[column] = table[column].reindex(order).astype(float).to_numpy()
    frame.attrs["jahr"] = used
    return frame


@cached("startpunkte", disk=False, daily=False)
def _origins(region: Region, quelle: str) -> gpd.GeoDataFrame:
    if quelle not in ORIGIN_LAYERS:
        raise AnalysisError(
            f"Unbekannte Art von Startpunkten '{quelle}'.",
            hinweis=f"Erlaubt sind: {', '.join(ORIGIN_LAYERS)}.",
        )
    layer = region.layer(quelle)
    if len(layer) == 0:
        raise AnalysisError(
            f"Die Ebene '{quelle}' ({ORIGIN_LAYERS[quelle]}) ist in dieser Region leer.",
            hinweis="Wählen Sie andere Startpunkte oder bauen Sie die Region neu.",
        )
    assert isinstance(layer, gpd.GeoDataFrame)
    return layer


@cached("angebote_aktiv", disk=False, daily=False)
def _offers(region: Region, day: str) -> gpd.GeoDataFrame:
    offers = active_services(region.directory(), day)
    offers["pr_id"] = (cells_to_areas(offers, region.areas()).astype("string").fillna(OUTSIDE_ID)
                       if len(offers) else pd.Series([], dtype="string"))
    return offers


@cached("hat_wegenetz", disk=False, daily=False)
def _has_network(region: Region) -> bool:
    return region.has_layer("netz_kanten") and len(region.layer("netz_kanten", ("kante_id",))) > 0


@cached("zellen_angebunden", disk=False, daily=False)
def _snapped_cells(region: Region, profil: str, unbekannt: str, max_anbindung_m: float) -> SnappedPoints:
    return snap_points(region.graph(profil, unbekannt), region.cells(), max_anbindung_m)
