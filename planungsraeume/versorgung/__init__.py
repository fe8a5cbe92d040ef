"""Scenarios, 2SFCA and location suggestions on network travel times of a region store.

The pure building blocks (:mod:`analyses.accessibility`, :mod:`analyses.scenarios`,
:mod:`analyses.location`, :mod:`planungsraeume.versorgung.standorte`) take travel times through small
function hooks. This module supplies the network versions of those hooks from the reachability
engine (:mod:`analyses.network.search`) for one travel profile, and offers the store-level calls
the app and the command line use:

* :func:`accessibility` – 2SFCA / E2SFCA per population cell and per planning area, on network
  travel times (:func:`analyses.network.search.travel_time_matrix`), with capacity as supply and
  inhabitants (or inhabitants aged 65+) as demand;
* :func:`compare_on_network` – a scenario's coverage and 2SFCA before and after, with coverage from
  :func:`analyses.network.search.nearest_service`;
* :func:`suggest_sites` – k additional offers of a type (MCLP or p-median) over candidate sites.

Demand points are the populated 100 m cells (:func:`planungsraeume.erreichbarkeit.origins_layer`), snapped to
the profile's network once per graph (memoised by :func:`analyses.network.snapping.snap_points`). A cell
that is farther than the snap limit from the network ("nicht angebunden") is never covered.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.accessibility import (
    DECAY_LABELS,
    DistanceDecay,
    aggregate_by_area,
    capacity_supply,
    service_ratios,
    two_step_fca,
)
from analyses.areas import cells_to_areas
from analyses.location import dense_minutes
from analyses.network.graph import NetworkGraph, load_graph
from analyses.network.profiles import check_unknown_mode, default_unknown_mode, get_profile
from analyses.network.search import (
    STATUS_REACHABLE,
    canonical_filter,
    check_minutes,
    nearest_service,
    travel_time_matrix,
)
from analyses.network.snapping import DEFAULT_MAX_SNAP_M, SnappedPoints, snap_points
from analyses.scenarios import (
    CoverageFunction,
    ScenarioComparison,
    TravelTimeFunction,
    compare_scenario,
)
from layers.errors import AnalysisError
from layers.progress import ProgressCallback, Steps
from layers.store import RegionStore
from layers.szenarien import ScenarioEdit
from planungsraeume.erreichbarkeit import origins_layer
from planungsraeume.versorgung.standorte import LocationPlan, TravelMatrixFunction, plan_locations

DEMAND_LABELS = {"einwohner": "Einwohner", "alter_65_plus": "Einwohner ab 65 Jahren"}
# p-median: travel times are computed up to this multiple of the time limit; pairs beyond count
# as "unreachable" (twice the longest computed time, see analyses.location.p_median).
PMEDIAN_CUTOFF_FACTOR = 3.0
SETTING_CACHE_SIZE = 8


@dataclass(frozen=True, eq=False)
class NetworkSetting:
    """Everything the network analyses of one store and profile share.

    Attributes
    ----------
    graph
        The profile's network (:func:`analyses.network.graph.load_graph`).
    cells
        Populated grid cells (``bevoelkerung`` with ``einwohner > 0``), index of the layer.
    snapped
        The cells snapped to the network.
    areas
        Planning areas.
    cell_areas
        Planning area per cell (:func:`analyses.areas.cells_to_areas`), indexed like ``cells``;
        cells outside every area are ``"ohne"``.
    services
        The ``angebote`` layer.
    max_anbindung_m
        Snap limit of cells and offers.
    """

    graph: NetworkGraph
    cells: gpd.GeoDataFrame
    snapped: SnappedPoints
    areas: gpd.GeoDataFrame
    cell_areas: pd.Series
    services: gpd.GeoDataFrame
    max_anbindung_m: float

    @property
    def profil(self) -> str:
        """Name of the travel profile."""
        return self.graph.profil.name

    @property
    def area_names(self) -> pd.Series:
        """Area name by ``pr_id``."""
        return pd.Series(self.areas["name"].astype(str).to_numpy(),
                         index=self.areas["pr_id"].astype(str).to_numpy())


_SETTINGS: OrderedDict[tuple[str, ...], NetworkSetting] = OrderedDict()
_SETTINGS_LOCK = threading.Lock()


def network_setting(
    store: RegionStore,
    profil: str,
    *,
    unbekannt: str | None = None,
    max_anbindung_m: float = DEFAULT_MAX_SNAP_M,
) -> NetworkSetting:
    """The shared inputs of the network analyses for a store and profile (cached per version).

    Parameters
    ----------
    store
        The region store.
    profil
        Travel profile (``fuss``, ``senior``, ``rollator``, ``rollstuhl``).
    unbekannt
        Handling of unknown way attributes (default from ``data/profile.toml``).
    max_anbindung_m
        Largest distance of a cell or offer to the network.

    Returns
    -------
    NetworkSetting
        Treat as read-only: it is shared between calls.
    """
    profile = get_profile(profil)
    mode = check_unknown_mode(unbekannt or default_unknown_mode())
    key = (str(getattr(store, "path", id(store))), store.version_token(), profile.name,
           profile.fingerprint(), mode, repr(float(max_anbindung_m)))
    with _SETTINGS_LOCK:
        if key in _SETTINGS:
            _SETTINGS.move_to_end(key)
            return _SETTINGS[key]
    graph = load_graph(store, profile, mode)
    cells = origins_layer(store, "bevoelkerung")
    areas = store.read_layer("planungsraeume")
    services = store.read_layer("angebote")
    assert isinstance(areas, gpd.GeoDataFrame) and isinstance(services, gpd.GeoDataFrame)
    setting = NetworkSetting(
        graph=graph,
        cells=cells,
        snapped=snap_points(graph, cells, max_anbindung_m),
        areas=areas,
        cell_areas=cells_to_areas(cells, areas).astype("string").fillna("ohne"),
        services=services,
        max_anbindung_m=float(max_anbindung_m),
    )
    with _SETTINGS_LOCK:
        _SETTINGS[key] = setting
        while len(_SETTINGS) > SETTING_CACHE_SIZE:
            _SETTINGS.popitem(last=False)
    return setting


def _filtered(services: gpd.GeoDataFrame, filter: Mapping[str, Any] | None) -> gpd.GeoDataFrame:
    """Offers matching a filter (e.g. step-free only); an empty result is allowed here."""
    mask = np.ones(len(services), dtype=bool)
    for column, values in canonical_filter(filter).items():
        if column not in services.columns:
            raise AnalysisError(
                f"Den Angeboten fehlt die Spalte '{column}', nach der gefiltert werden soll.",
                hinweis=f"Vorhandene Spalten: {', '.join(map(str, services.columns))}.",
            )
        text = services[column].astype("string").str.strip()
        mask &= text.isin(values).fillna(False).to_numpy(dtype=bool)
    return services[mask]


def _of_types(services: gpd.GeoDataFrame, types: Sequence[str] | None) -> gpd.GeoDataFrame:
    if types is None:
        return services
    return services[services["typ"].astype("string").isin(list(types)).fillna(False).to_numpy()]


def check_types(services: gpd.GeoDataFrame, types: Sequence[str]) -> list[str]:
    """The service types, each checked against the vocabulary (German error naming unknown ones)."""
    from layers.angebote import service_type_keys

    known = set(service_type_keys())
    unknown = [t for t in types if t not in known]
    if unknown:
        raise AnalysisError(
            f"Unbekannter Angebotstyp: {', '.join(unknown)}.",
            hinweis=f"Bekannt sind: {', '.join(sorted(known))}.",
        )
    if not types:
        raise AnalysisError("Es ist kein Angebotstyp gewählt.",
                            hinweis="Wählen Sie mindestens einen Angebotstyp, z. B. EUTB.")
    return list(types)


# --------------------------------------------------------------------------------------------
# The network hooks of the pure modules
# --------------------------------------------------------------------------------------------


def coverage_function(
    setting: NetworkSetting, minuten: float, *, filter: Mapping[str, Any] | None = None
) -> CoverageFunction:
    """Network coverage for :func:`analyses.scenarios.compare_scenario`.

    The returned function takes offers and returns, per populated cell, whether the nearest of
    them (that passes ``filter``) is reachable within ``minuten`` on the profile's network
    (:func:`analyses.network.search.nearest_service`).
    """
    limit = check_minutes(minuten)[0]
    index = setting.cells.index

    def coverage(services: gpd.GeoDataFrame) -> pd.Series:
        chosen = _filtered(services, filter)
        if len(chosen) == 0:
            return pd.Series(False, index=index)
        travel = nearest_service(
            setting.graph, setting.snapped, chosen, max_anbindung_m=setting.max_anbindung_m
        )
        reached = (travel["status"].astype(str) == STATUS_REACHABLE) & (travel["minuten"] <= limit)
        return pd.Series(reached.fillna(False).to_numpy(dtype=bool), index=index)

    return coverage


def travel_time_function(
    setting: NetworkSetting, max_minuten: float, *, filter: Mapping[str, Any] | None = None
) -> TravelTimeFunction:
    """Network travel times for the 2SFCA of :func:`analyses.scenarios.compare_scenario`.

    The returned function takes offers and returns the long table ``herkunft_id`` (the cell's
    ``gitter_id``), ``ziel_id`` (``angebot_id``), ``minuten`` of every pair within
    ``max_minuten`` (:func:`analyses.network.search.travel_time_matrix`). Offers failing
    ``filter`` do not appear.
    """
    limit = check_minutes(max_minuten)[0]
    cell_ids = setting.cells["gitter_id"].to_numpy()

    def travel_times(services: gpd.GeoDataFrame) -> pd.DataFrame:
        chosen = _filtered(services, filter)
        if len(chosen) == 0:
            return pd.DataFrame({"herkunft_id": pd.Series([], dtype=object),
                                 "ziel_id": pd.Series([], dtype=object),
                                 "minuten": pd.Series([], dtype=float)})
        matrix = travel_time_matrix(
            setting.graph, setting.snapped, chosen, limit, ziel_id="angebot_id",
            max_anbindung_m=setting.max_anbindung_m, name="Angebote",
        )
        coo = matrix.minuten.tocoo()
        return pd.DataFrame({
            "herkunft_id": cell_ids[coo.row],
            "ziel_id": matrix.site_ids[coo.col],
            "minuten": coo.data.astype(float),
        })

    return travel_times


def travel_matrix_function(setting: NetworkSetting, max_minuten: float) -> TravelMatrixFunction:
    """Network travel minutes for :func:`planungsraeume.versorgung.standorte.plan_locations`.

    The returned function takes points and their id column and returns a DataFrame with one row
    per populated cell (in the order of ``setting.cells``) and one column per point id, ``inf``
    beyond ``max_minuten`` or where there is no route.
    """
    limit = check_minutes(max_minuten)[0]

    def travel_minutes(points: gpd.GeoDataFrame, id_column: str) -> pd.DataFrame:
        matrix = travel_time_matrix(
            setting.graph, setting.snapped, points, limit, ziel_id=id_column,
            max_anbindung_m=setting.max_anbindung_m, name="Standorte",
        )
        return pd.DataFrame(dense_minutes(matrix.minuten), columns=list(points[id_column]))

    return travel_minutes


# --------------------------------------------------------------------------------------------
# 2SFCA per planning area
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaAccessibility:
    """2SFCA result of one type selection and profile.

    Attributes
    ----------
    zellen
        Indexed like the populated cells: ``gitter_id``, ``pr_id``, ``nachfrage``,
        ``verhaeltnis`` (supply per person), ``je_einheit`` (supply per 1,000 persons),
        ``angebote_erreichbar`` (offers in the catchment).
    je_planungsraum
        Index ``pr_id`` plus a last row ``"Region"``: ``name``, ``nachfrage``, ``mittelwert``
        (demand-weighted mean of ``je_einheit``), ``anteil_ohne_angebot``.
    angebote
        Per offer: ``name``, ``typ``, ``angebot`` (capacity used), ``kapazitaet_quelle``,
        ``nachfrage_gewichtet``, ``je_einheit`` (supply per 1,000 persons in its catchment),
        ``ohne_nachfrage``.
    profil, typen, minuten, verfahren, nachfrage
        What was computed (``verfahren`` and ``nachfrage`` in German).
    """

    zellen: pd.DataFrame
    je_planungsraum: pd.DataFrame
    angebote: pd.DataFrame
    profil: str
    typen: tuple[str, ...]
    minuten: float
    verfahren: str
    nachfrage: str

    @property
    def einheit(self) -> str:
        """German unit of ``je_einheit`` / ``mittelwert``."""
        return f"Beratungsstunden je Woche je 1.000 {self.nachfrage}"


def accessibility(
    store: RegionStore,
    profil: str,
    typen: Sequence[str],
    minuten: float,
    *,
    decay: str | DistanceDecay = "keine",
    nachfrage: str = "einwohner",
    filter: Mapping[str, Any] | None = None,
    services: gpd.GeoDataFrame | None = None,
    unbekannt: str | None = None,
    engine: str = "access",
) -> AreaAccessibility:
    """2SFCA (or E2SFCA) on network travel times, per cell and per planning area.

    Parameters
    ----------
    store
        The region store.
    profil
        Travel profile.
    typen
        Service types whose capacity is the supply (e.g. ``["EUTB"]``).
    minuten
        Catchment time limit.
    decay
        ``"keine"`` (2SFCA), ``"stufen"`` or ``"gauss"`` (E2SFCA).
    nachfrage
        ``"einwohner"`` or ``"alter_65_plus"``.
    filter
        Only offers matching it (e.g. ``{"stufenloser_zugang": "ja"}``).
    services
        Offers to use instead of the store's (e.g. a scenario's); ``angebote`` schema.
    unbekannt, engine
        Unknown-tag mode; 2SFCA engine (see :func:`analyses.accessibility.two_step_fca`).

    Returns
    -------
    AreaAccessibility
    """
    if nachfrage not in DEMAND_LABELS:
        raise AnalysisError(
            f"Unbekannte Nachfrage '{nachfrage}'.",
            hinweis=f"Erlaubt sind: {', '.join(DEMAND_LABELS)}.",
        )
    setting = network_setting(store, profil, unbekannt=unbekannt)
    limit = check_minutes(minuten)[0]
    kinds = check_types(setting.services, list(typen))
    offers = _filtered(_of_types(setting.services if services is None else services, kinds), filter)
    if len(offers) == 0:
        raise AnalysisError(
            f"Es gibt kein Angebot vom Typ {', '.join(kinds)}"
            + (" mit der gewählten Eigenschaft." if filter else "."),
            hinweis="Wählen Sie einen anderen Typ oder lockern Sie den Filter.",
        )
    cells = setting.cells
    demand = pd.Series(cells[nachfrage].to_numpy(dtype=float), index=cells.index)
    supply_table = capacity_supply(offers)
    supply = supply_table["angebot"]
    matrix = travel_time_matrix(
        setting.graph, setting.snapped, offers, limit, ziel_id="angebot_id",
        max_anbindung_m=setting.max_anbindung_m, name="Angebote",
    )
    pairs = matrix.to_frame()
    scores = two_step_fca(pairs, demand, supply, max_minutes=limit, decay=decay,
                          origin_col="origin", engine=engine)
    ratios = service_ratios(pairs, demand, supply, max_minutes=limit, decay=decay,
                            origin_col="origin")
    areas = pd.Series(setting.cell_areas.to_numpy(), index=cells.index, name="pr_id")
    area_ids = list(setting.areas["pr_id"].astype(str))
    if (areas == "ohne").any():
        area_ids.append("ohne")
    per_area = aggregate_by_area(scores["je_einheit"], demand, areas, area_ids=area_ids)
    names = setting.area_names.to_dict() | {"ohne": "ohne Planungsraum", "Region": "Region gesamt"}
    per_area.insert(0, "name", [names.get(str(k), str(k)) for k in per_area.index])
    zellen = pd.DataFrame({
        "gitter_id": cells["gitter_id"].to_numpy(),
        "pr_id": areas.to_numpy(),
        "nachfrage": demand.to_numpy(),
        "verhaeltnis": scores["verhaeltnis"].to_numpy(),
        "je_einheit": scores["je_einheit"].to_numpy(),
        "angebote_erreichbar": scores["angebote_erreichbar"].to_numpy(),
    }, index=cells.index)
    by_id = offers.set_index(offers["angebot_id"].to_numpy())
    offer_table = pd.DataFrame({
        "name": by_id["name"].reindex(ratios.index).astype(str).to_numpy(),
        "typ": by_id["typ"].reindex(ratios.index).astype(str).to_numpy(),
        "angebot": ratios["angebot"].to_numpy(),
        "kapazitaet_quelle": supply_table["kapazitaet_quelle"].reindex(ratios.index).to_numpy(),
        "nachfrage_gewichtet": ratios["nachfrage_gewichtet"].to_numpy(),
        "je_einheit": ratios["je_einheit"].to_numpy(),
        "ohne_nachfrage": ratios["ohne_nachfrage"].to_numpy(),
    }, index=ratios.index)
    kind = decay.kind if isinstance(decay, DistanceDecay) else str(decay)
    return AreaAccessibility(
        zellen=zellen,
        je_planungsraum=per_area,
        angebote=offer_table,
        profil=setting.profil,
        typen=tuple(kinds),
        minuten=limit,
        verfahren=DECAY_LABELS.get(kind, kind),
        nachfrage=DEMAND_LABELS[nachfrage],
    )


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------


def scenario_types(services: gpd.GeoDataFrame, edits: Sequence[ScenarioEdit]) -> list[str]:
    """The service types a scenario touches (new offers' types, types of moved/closed offers)."""
    found: list[str] = []
    ids = services["angebot_id"].astype(str)
    for edit in edits:
        if edit.aktion == "neu" and edit.typ:
            found.append(str(edit.typ))
        elif edit.angebot_id is not None:
            hit = services.loc[(ids == str(edit.angebot_id)).to_numpy(), "typ"]
            found.extend(str(t) for t in hit)
    return list(dict.fromkeys(found))


def compare_on_network(
    store: RegionStore,
    edits: Sequence[ScenarioEdit],
    *,
    profil: str,
    minuten: float,
    typen: Sequence[str] | None = None,
    filter: Mapping[str, Any] | None = None,
    decay: str = "keine",
    unbekannt: str | None = None,
    with_accessibility: bool = True,
) -> ScenarioComparison:
    """A scenario's coverage (and 2SFCA) before and after, on the profile's network.

    Parameters
    ----------
    store
        The region store.
    edits
        The scenario's edits.
    profil
        Travel profile.
    minuten
        Time limit of coverage and catchment of the 2SFCA.
    typen
        Service types compared; default: the types the scenario touches.
    filter
        Only offers matching it count (e.g. ``{"stufenloser_zugang": "ja"}`` for wheelchair
        users).
    decay
        Distance decay of the 2SFCA.
    unbekannt
        Unknown-tag mode of the profile.
    with_accessibility
        Also compute the 2SFCA before and after.

    Returns
    -------
    analyses.scenarios.ScenarioComparison
        Covered population per planning area (cells outside every area: ``"ohne"``), cells for
        the map, 2SFCA means per area.
    """
    setting = network_setting(store, profil, unbekannt=unbekannt)
    limit = check_minutes(minuten)[0]
    kinds = list(typen) if typen else scenario_types(setting.services, edits)
    if not kinds:
        raise AnalysisError(
            "Das Szenario enthält keine Änderung, aus der sich ein Angebotstyp ergibt.",
            hinweis="Fügen Sie eine Änderung hinzu oder wählen Sie den Angebotstyp aus.",
        )
    check_types(setting.services, kinds)
    area_ids = list(setting.areas["pr_id"].astype(str))
    if (setting.cell_areas == "ohne").any():
        area_ids.append("ohne")
    return compare_scenario(
        setting.services,
        edits,
        setting.cells,
        setting.cell_areas,
        coverage_function(setting, limit, filter=filter),
        types=kinds,
        area_ids=area_ids,
        travel_times=travel_time_function(setting, limit, filter=filter) if with_accessibility else None,
        max_minutes=limit,
        decay=decay,
    )


# --------------------------------------------------------------------------------------------
# Location suggestions
# --------------------------------------------------------------------------------------------


def suggest_sites(
    store: RegionStore,
    typ: str,
    profil: str,
    minuten: float,
    anzahl: int,
    *,
    modell: str = "mclp",
    kandidaten: gpd.GeoDataFrame | None = None,
    nachfrage: str = "einwohner",
    filter: Mapping[str, Any] | None = None,
    unbekannt: str | None = None,
    time_limit_s: float = 60.0,
    progress: ProgressCallback | None = None,
) -> LocationPlan:
    """Suggest ``anzahl`` additional offers of a type on network travel times.

    Parameters
    ----------
    store
        The region store.
    typ
        Service type of the new offers (e.g. ``"EUTB"``); its existing offers stay open.
    profil
        Travel profile (e.g. ``"rollstuhl"``).
    minuten
        Time limit of coverage.
    anzahl
        Number of new offers (k).
    modell
        ``"mclp"`` (most people newly within the limit) or ``"p-median"`` (shortest ways).
    kandidaten
        Candidate sites (``kandidat_id``, ``name``, ``art``, points); default: public buildings
        and community places of the region (:func:`layers.kandidaten.candidate_sites_from_store`).
    nachfrage
        ``"einwohner"`` or ``"alter_65_plus"``: whose coverage is maximised.
    filter
        Only existing offers matching it count as covering (e.g. step-free only).
    unbekannt, time_limit_s
        Unknown-tag mode; solver time limit.
    progress
        Callback ``(fraction, label)``; a tqdm bar on the terminal without it.

    Returns
    -------
    planungsraeume.versorgung.standorte.LocationPlan
    """
    from layers.kandidaten import candidate_sites_from_store

    if nachfrage not in DEMAND_LABELS:
        raise AnalysisError(f"Unbekannte Nachfrage '{nachfrage}'.",
                            hinweis=f"Erlaubt sind: {', '.join(DEMAND_LABELS)}.")
    limit = check_minutes(minuten)[0]
    with Steps(3, "Standortvorschlag", progress) as steps:
        steps.step("Wegenetz und Bevölkerung laden")
        setting = network_setting(store, profil, unbekannt=unbekannt)
        kinds = check_types(setting.services, [typ])
        sites = candidate_sites_from_store(store) if kandidaten is None else kandidaten
        steps.advance()
        steps.step("Reisezeiten zu Kandidaten und bestehenden Angeboten berechnen")
        cutoff = limit if modell == "mclp" else limit * PMEDIAN_CUTOFF_FACTOR
        travel = travel_matrix_function(setting, cutoff)
        existing = _filtered(_of_types(setting.services, kinds), filter)
        # Routed here, once, so that the progress display shows routing and solving apart.
        computed = {"kandidat_id": travel(sites, "kandidat_id")} if len(sites) else {}
        if len(existing):
            computed["angebot_id"] = travel(existing, "angebot_id")

        def precomputed(points: gpd.GeoDataFrame, id_column: str) -> pd.DataFrame:
            return computed[id_column] if id_column in computed else travel(points, id_column)

        steps.advance()
        steps.step("Standorte optimieren")
        plan = plan_locations(
            setting.cells, setting.areas, existing, sites, precomputed,
            types=kinds, k=int(anzahl), max_minutes=limit, model=modell,
            demand_column=nachfrage, time_limit_s=time_limit_s,
        )
        steps.advance()
    return plan
