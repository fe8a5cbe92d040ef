"""Shared pieces of the app: region selection, cached loading, map data, notices, error display."""

from __future__ import annotations

import base64
import hashlib
import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers import settings
from layers.errors import SozialraumError, StoreError
from layers.formatting import de_number
from layers.log import get_logger
from layers.regions import RegionConfig, load_region
from layers.store import GeoPackageStore, open_store
from ui import mapdata, theme
from ui.auswahl import Reach
from ui.maps import Basemap

T = TypeVar("T")
WEB_CRS = "EPSG:4326"
# Bump when the preparation of map data changes, so that disk caches are rebuilt.
MAP_DATA_VERSION = "5"
log = get_logger("app")


def region_name() -> str:
    """The region the app shows (chosen in the sidebar, default from settings)."""
    return str(st.session_state.get("region", settings.default_region))


def online_tiles() -> bool:
    """Whether the user switched on online map tiles (off by default: the app works offline)."""
    return bool(st.session_state.get("online_tiles", False))


@st.cache_resource(show_spinner=False)
def region_config(name: str) -> RegionConfig:
    """Parsed region configuration (cached for the server's lifetime)."""
    return load_region(name)


def region_title(name: str) -> str:
    """Display name of a region (its key if the configuration cannot be read)."""
    try:
        return region_config(name).titel
    except SozialraumError:
        return name


def store(name: str | None = None) -> GeoPackageStore:
    """The store of the current region."""
    return open_store(region_config(name or region_name()))


def token(name: str | None = None) -> str:
    """The store's version token (changes whenever its content changes)."""
    return store(name).version_token()


@st.cache_data(show_spinner=False, max_entries=64)
def _read_layer(name: str, layer: str, token: str, to_web: bool) -> pd.DataFrame:
    frame = open_store(region_config(name)).read_layer(layer)
    if to_web and isinstance(frame, gpd.GeoDataFrame):
        return frame.to_crs(WEB_CRS)
    return frame


def layer(layer_name: str, *, to_web: bool = False) -> Any:
    """Read a layer of the current region; cached until the store changes.

    Parameters
    ----------
    layer_name
        Layer to read.
    to_web
        Return it in WGS 84 for the map.
    """
    name = region_name()
    return _read_layer(name, layer_name, token(name), to_web)


def guarded(render: Callable[[], T]) -> T | None:
    """Run a page; show any :class:`SozialraumError` as a German error message."""
    try:
        return render()
    except SozialraumError as exc:
        st.error(str(exc))
        return None


def ensure_region_built() -> bool:
    """Build the current region if its store is missing, with a progress display.

    Returns
    -------
    bool
        Whether the store is ready.
    """
    name = region_name()
    if store(name).exists():
        return True
    from layers.build import build_region

    with st.status(f"Region '{name}' wird aufgebaut …", expanded=True) as status:
        bar = st.progress(0.0)

        def report(fraction: float, label: str) -> None:
            bar.progress(min(1.0, fraction), text=label or None)

        try:
            result = build_region(name, progress=report)
        except SozialraumError as exc:
            status.update(label="Aufbau fehlgeschlagen", state="error")
            st.error(str(exc))
            return False
        status.update(label=f"Region '{name}' aufgebaut", state="complete")
        st.text(result.summary())
    return True


# --------------------------------------------------------------------------------------------
# Notices about the nature of the data
# --------------------------------------------------------------------------------------------

DATA_KIND_TEXT = {
    "generiert": "Planungsräume **generiert** (aus OpenStreetMap-Ortsknoten, keine amtlichen Grenzen)",
    "modelliert": "Bevölkerung **modelliert** (aus der Wohnfläche geschätzt, kein Zensus-Ergebnis)",
    "synthetisch": "Angebote mit „(fiktiv)“ im Namen **synthetisch** (erfunden, zum Ausprobieren)",
    "barrieren_synthetisch": "Barrieremeldungen **synthetisch** (erfunden; echte Meldungen werden nie als Punkte gezeigt)",
}


def data_kinds() -> list[str]:
    """Which kinds of non-real data the current region contains (read from the data itself)."""
    name = region_name()
    return list(_data_kinds(name, token(name)))


@st.cache_data(show_spinner=False, max_entries=16)
def _data_kinds(name: str, token: str) -> tuple[str, ...]:
    source = open_store(region_config(name))
    kinds = []
    checks = (
        ("planungsraeume", "generiert"),
        ("bevoelkerung", "modelliert"),
        ("angebote", "synthetisch"),
        ("barrieren", "barrieren_synthetisch"),
    )
    for layer_name, kind in checks:
        if kind in kinds or not source.has_layer(layer_name):
            continue
        values = source.read_layer(layer_name, columns=["quelle"])["quelle"].astype(str)
        if values.str.contains(kind.rsplit("_", 1)[-1]).any():
            kinds.append(kind)
    return tuple(kinds)


DATA_KIND_SHORT = {
    "generiert": "Planungsräume generiert",
    "modelliert": "Bevölkerung modelliert",
    "synthetisch": "Angebote „(fiktiv)“ synthetisch",
    "barrieren_synthetisch": "Barrieremeldungen synthetisch",
}


def data_notice(kinds: list[str] | None = None, *, compact: bool = False) -> None:
    """A banner saying which shown data are generated, modelled or synthetic."""
    kinds = data_kinds() if kinds is None else kinds
    if not kinds:
        return
    if compact:
        short = " · ".join(DATA_KIND_SHORT[k] for k in kinds if k in DATA_KIND_SHORT)
        st.info(f"Hinweis zu den Daten: {short} (siehe „Hilfe“).", icon=":material/info:")
        return
    lines = "; ".join(DATA_KIND_TEXT[k] for k in kinds if k in DATA_KIND_TEXT)
    st.info(f"Hinweis zu den Daten: {lines}. Erklärungen auf der Seite „Hilfe“.", icon=":material/info:")


# --------------------------------------------------------------------------------------------
# Map data (prepared once per store version; also cached on disk across server restarts)
# --------------------------------------------------------------------------------------------


@dataclass
class MapLayers:
    """Everything the maps of a region need, prepared for the browser."""

    basemap: Basemap
    areas: dict[str, Any]
    area_labels: list[tuple[float, float, str]]
    area_bounds: dict[str, list[list[float]]]
    population: dict[str, Any]


def read_geo(source: GeoPackageStore, layer_name: str, **kwargs: Any) -> gpd.GeoDataFrame:
    """Read a spatial layer (a GeoDataFrame; a table without geometry is an error)."""
    frame = source.read_layer(layer_name, **kwargs)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise StoreError(
            f"Die Ebene '{layer_name}' hat keine Geometrie.",
            hinweis="Bauen Sie die Region neu (sozialraum build --region <name> --force).",
            datei=source.path,
        )
    return frame


def _prepare_map_layers(name: str) -> MapLayers:
    source = open_store(region_config(name))
    region = read_geo(source, "region")
    edges = read_geo(source, "netz_kanten", columns=["highway"])
    grundkarte = read_geo(source, "grundkarte")
    buildings = read_geo(source, "gebaeude", columns=["nutzung"])
    areas = read_geo(source, "planungsraeume")
    population = read_geo(source, "bevoelkerung", columns=["einwohner"])
    image = mapdata.raster_basemap(grundkarte, buildings, region)
    streets = mapdata.compact_geojson(mapdata.street_lines(edges), ["klasse"])
    outline = mapdata.compact_geojson(region.assign(geometry=region.boundary.simplify(5.0)))
    web_region = region.to_crs(WEB_CRS)
    minx, miny, maxx, maxy = web_region.total_bounds
    simplified = areas.assign(geometry=areas.geometry.simplify(3.0))
    area_json = mapdata.compact_geojson(simplified, ["pr_id", "name"])
    points = areas.geometry.representative_point().to_crs(WEB_CRS)
    labels = [
        (round(p.y, 5), round(p.x, 5), f"{pr_id} {area_name}")
        for p, pr_id, area_name in zip(points, areas["pr_id"], areas["name"], strict=True)
    ]
    bounds = {}
    for pr_id, geom in zip(areas["pr_id"], areas.to_crs(WEB_CRS).geometry, strict=True):
        x0, y0, x1, y1 = geom.bounds
        bounds[str(pr_id)] = [[y0, x0], [y1, x1]]
    classes = mapdata.population_classes(population)
    classes = classes.assign(geometry=classes.geometry.simplify(2.0))
    population_json = mapdata.compact_geojson(classes, ["klasse", "label", "farbe", "zellen"])
    basemap = Basemap(
        bounds=[[miny, minx], [maxy, maxx]],
        image_url=image.data_url(),
        image_bounds=image.bounds,
        streets=streets,
        outline=outline,
        sizes={
            "grundkarte_bild": len(image.png),
            "strassen": mapdata.geojson_size(streets),
            "planungsraeume": mapdata.geojson_size(area_json),
            "bevoelkerung": mapdata.geojson_size(population_json),
        },
    )
    return MapLayers(basemap, area_json, labels, bounds, population_json)


@st.cache_resource(show_spinner=False, max_entries=8)
def _map_layers(name: str, token: str) -> MapLayers:
    # cache_resource, not cache_data: the prepared layers are read-only and large; copying them
    # on every rerun (what cache_data does) would cost more than it protects.
    return prepared_map_layers(name, token)


def prepared_map_layers(name: str, token: str) -> MapLayers:
    """Map layers of a region: from the disk cache if current, else prepared and cached there.

    Also writes the basemap files the browser loads by URL. Not memoised (see :func:`map_layers`).
    """
    key = hashlib.sha256(f"{name}|{token}|{MAP_DATA_VERSION}".encode()).hexdigest()[:16]
    folder = settings.cache_dir / "kartendaten"
    path = folder / f"{name}-{key}.pickle"
    if path.exists():
        try:
            with path.open("rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, MapLayers):
                _publish_map_files(name, key, cached)
                return cached
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
            log.warning("Kartendaten-Cache %s unlesbar (%s); wird neu erstellt.", path, exc)
    prepared = _prepare_map_layers(name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{name}-*.pickle"):
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(prepared, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError as exc:  # a read-only cache only costs time
        log.warning("Kartendaten-Cache %s nicht schreibbar (%s).", path, exc)
    _publish_map_files(name, key, prepared)
    return prepared


def _publish_map_files(name: str, key: str, prepared: MapLayers) -> None:
    """Write the basemap image and street lines as files the browser loads (once) by URL."""
    from ui import assets

    basemap = prepared.basemap
    image_name, streets_name = f"{name}-{key}-grundkarte.png", f"{name}-{key}-strassen.json"
    try:
        folder = assets.MAP_DATA_DIR
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{name}-*"):
            if old.name not in (image_name, streets_name):
                old.unlink(missing_ok=True)
        for filename, content in (
            (image_name, base64.b64decode(basemap.image_url.split(",", 1)[1])),
            (streets_name, json.dumps(basemap.streets, separators=(",", ":")).encode("utf-8")),
        ):
            target = folder / filename
            if not target.exists():
                tmp = target.with_suffix(".tmp")
                tmp.write_bytes(content)
                tmp.replace(target)
    except OSError as exc:  # without the files the map carries the data inline
        log.warning("Kartendateien nicht schreibbar (%s); Karte enthält die Daten selbst.", exc)
        return
    basemap.image_href = assets.map_data_url(image_name)
    basemap.streets_href = assets.map_data_url(streets_name)


def map_layers() -> MapLayers:
    """The prepared map layers of the current region (cached per store version)."""
    name = region_name()
    return _map_layers(name, token(name))


# --------------------------------------------------------------------------------------------
# Indicators per planning area (planungsraeume.indikatoren) and reachability
# --------------------------------------------------------------------------------------------

#: The reachability figure of the profiles and the conference mode unless the user chose another
#: one on the Erreichbarkeit page: advice offers within 15 minutes in a wheelchair.
DEFAULT_REACH = Reach()
REACH_STATE = "analyse_auswahl"


def current_reach() -> Reach:
    """The reachability question last set on the Erreichbarkeit page (else the default)."""
    value = st.session_state.get(REACH_STATE)
    return value if isinstance(value, Reach) else DEFAULT_REACH


def has_population(name: str | None = None) -> bool:
    """Whether the region has a population grid (Heidelberg's routing extract has none)."""
    name = name or region_name()
    return _has_population(name, token(name))


@st.cache_data(show_spinner=False, max_entries=16)
def _has_population(name: str, token: str) -> bool:
    from planungsraeume.erreichbarkeit import default_origin_source

    return default_origin_source(open_store(region_config(name))) == "bevoelkerung"


@st.cache_data(show_spinner=False, max_entries=32)
def _indicators(name: str, token: str, reach: tuple[Any, ...] | None) -> pd.DataFrame:
    from planungsraeume.indikatoren import indicators_for_store, reachability_coverage

    source = open_store(region_config(name))
    coverage = None
    if reach is not None and _has_population(name, token):
        question = Reach(*reach)
        coverage = reachability_coverage(
            source, profil=question.profil, minuten=question.minuten, typ=question.typ,
            filter=question.filter, auswahl=question.selection_label(),
            unbekannt=question.unbekannt,
        )
    return indicators_for_store(source, coverage=coverage)


def indicators(reach: Reach | None = None) -> pd.DataFrame:
    """#4's indicator long table of the current region (cached per store version).

    Parameters
    ----------
    reach
        Add the reachability coverage of this question (bereich "Erreichbarkeit": all
        inhabitants and 65+); ``None``: without reachability (cheap).
    """
    name = region_name()
    return _indicators(name, token(name), None if reach is None else reach.key())


OVERVIEW_KEYS = ("einwohner", "anteil_65_plus", "angebote", "beratung",
                 "anteil_stufenloser_zugang", "anteil_stufenloser_zugang_unbekannt")


@st.cache_data(show_spinner=False, max_entries=16)
def _overview(name: str, token: str) -> pd.DataFrame:
    from planungsraeume.indikatoren import indicators_wide

    long = _indicators(name, token, None)
    wide = indicators_wide(long[long["kennzahl"].isin(OVERVIEW_KEYS)], labels=False,
                           region_row=False)
    areas = open_store(region_config(name)).read_layer("planungsraeume",
                                                       columns=["pr_id", "flaeche_km2"])
    area_km2 = dict(zip(areas["pr_id"].astype(str), areas["flaeche_km2"], strict=True))
    wide.insert(2, "flaeche_km2", wide["pr_id"].astype(str).map(area_km2))
    for key in OVERVIEW_KEYS:
        if key not in wide.columns:
            wide[key] = float("nan")
    wide["pr_id"] = wide["pr_id"].astype(str)
    return wide


def area_overview() -> pd.DataFrame:
    """Key indicators per planning area in wide form (``pr_id``, ``name``, ``flaeche_km2``,
    :data:`OVERVIEW_KEYS`): the tables of the Karte page."""
    name = region_name()
    return _overview(name, token(name))


def indicator_row(long: pd.DataFrame, pr_id: str, kennzahl: str) -> pd.Series | None:
    """One indicator of one area from the long table (``None`` if absent)."""
    hit = long[(long["pr_id"].astype(str) == str(pr_id)) & (long["kennzahl"] == kennzahl)]
    return None if hit.empty else hit.iloc[0]


def profile_labels() -> dict[str, str]:
    """German labels of the travel profiles (``fuss`` → "zu Fuß")."""
    from analyses.network.profiles import load_profiles

    return {name: profile.bezeichnung for name, profile in load_profiles().items()}


def type_labels() -> dict[str, str]:
    """German names of the service types by key."""
    from layers.angebote import service_types

    return {t.schluessel: t.bezeichnung for t in service_types()}


# --------------------------------------------------------------------------------------------
# Barrier reports: only through the disclosure gate (analyses.privacy via planungsraeume)
# --------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=48)
def _publication(name: str, token: str, choice: str, jahr: int | None) -> Any:
    from planungsraeume.barrieren import FilterChoice, publication

    art = choice.split(":", 1)[0] if ":" in choice else "alle"
    barrier_filter = FilterChoice(choice, choice, art).barrier_filter(jahr)
    return publication(region_config(name), store=open_store(region_config(name)),
                       barrier_filter=barrier_filter)


def barrier_publication(choice: str = "alle", jahr: int | None = None) -> Any:
    """The protected publication (:class:`analyses.privacy.Publication`) of a fixed choice
    (:func:`barrier_choices`) and optionally one year; cached per store version."""
    name = region_name()
    return _publication(name, token(name), choice, jahr)


@st.cache_data(show_spinner=False, max_entries=16)
def _barrier_choices(name: str, token: str) -> tuple[list[tuple[str, str, str]], list[int]]:
    from planungsraeume.barrieren import filter_choices

    pub = _publication(name, token, "alle", None)
    codes = pub.icf_region()
    years = pub.jahre_region()
    published_years = [int(y) for y, p in zip(years["jahr"], years["personen"], strict=True)
                       if pd.notna(y) and pd.notna(p)]
    choices = filter_choices(region_config(name), codes=list(codes["icf_code"].astype(str)))
    return [(c.schluessel, c.bezeichnung, c.art) for c in choices], sorted(published_years)


def barrier_choices() -> tuple[list[tuple[str, str, str]], list[int]]:
    """The fixed selections of barrier reports ``(key, label, kind)`` and the published years."""
    name = region_name()
    return _barrier_choices(name, token(name))


@st.cache_resource(show_spinner=False, max_entries=32)
def _hotspots(name: str, token: str, choice: str, jahr: int | None, resolution: int) -> Any:
    from planungsraeume.barrieren import hotspot_grid

    return hotspot_grid(region_config(name), resolution, store=open_store(region_config(name)),
                        publication_=_publication(name, token, choice, jahr))


def barrier_hotspots(choice: str = "alle", jahr: int | None = None, resolution: int = 250) -> Any:
    """Published grid with smoothed rates and Gi* hotspots
    (:class:`planungsraeume.barrieren.HotspotGrid`); cached per store version."""
    name = region_name()
    return _hotspots(name, token(name), choice, jahr, resolution)


def has_barrier_reports(name: str | None = None) -> bool:
    """Whether the region has barrier reports at all (says nothing about where)."""
    name = name or region_name()
    return _has_barrier_reports(name, token(name))


@st.cache_data(show_spinner=False, max_entries=16)
def _has_barrier_reports(name: str, token: str) -> bool:
    source = open_store(region_config(name))
    return source.has_layer("barrieren") and len(source.read_layer("barrieren", columns=["quelle"])) > 0


def services_web() -> gpd.GeoDataFrame:
    """The active offers of the directory in WGS 84, with the planning area of each (``pr_id``,
    by the one assignment rule of :mod:`analyses.areas`)."""
    name = region_name()
    return _services_web(name, token(name))


@st.cache_data(show_spinner=False, max_entries=16)
def _services_web(name: str, token: str) -> gpd.GeoDataFrame:
    from analyses.areas import cells_to_areas
    from layers.angebote.edit import active_services

    source = open_store(region_config(name))
    # Retired offers stay in the directory (Daten page) but are not shown as existing.
    services = active_services(read_geo(source, "angebote"))
    areas = read_geo(source, "planungsraeume")
    services["pr_id"] = cells_to_areas(services, areas).astype("string") if len(services) else []
    return services.to_crs(WEB_CRS)


def format_number(value: float, decimals: int = 0) -> str:
    """German number format: ``12.345`` / ``12,3`` (see :func:`layers.formatting.de_number`)."""
    return de_number(value, decimals)


def format_percent(value: float) -> str:
    """``12,3 %`` (or a dash when undefined)."""
    return "–" if pd.isna(value) else f"{format_number(value, 1)} %"


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as CSV for German spreadsheet programs (semicolon, decimal comma, UTF-8 with BOM)."""
    return table.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


# --------------------------------------------------------------------------------------------
# Page frame: styles and language
# --------------------------------------------------------------------------------------------

APP_CSS = f"""
<style>
/* Visible keyboard focus everywhere (WCAG 2.4.7). */
:focus-visible {{ outline: 3px solid {theme.TEXT} !important; outline-offset: 2px !important; }}
/* Streamlit draws captions with opacity 0.6 (3:1 on white); make them solid and dark enough. */
[data-testid="stCaptionContainer"] {{ opacity: 1 !important; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{ color: {theme.MUTED_TEXT} !important; }}
.sa-figure {{ border: 2px solid {theme.AREA_OUTLINE}; border-radius: 8px; padding: 0.6rem 0.9rem; background: #fff; }}
.sa-figure .sa-wert {{ font-size: 2.2rem; font-weight: 700; color: {theme.TEXT}; line-height: 1.15; }}
.sa-figure .sa-titel {{ font-size: 1.05rem; color: {theme.TEXT}; }}
.sa-figure .sa-vergleich {{ font-size: 0.95rem; color: {theme.MUTED_TEXT}; }}
</style>
"""


def page_frame() -> None:
    """Styles shared by all pages, and the fix of the page language."""
    st.markdown(APP_CSS, unsafe_allow_html=True)
    from ui import assets

    with st.sidebar:
        assets.set_page_language()


# --------------------------------------------------------------------------------------------
# Analysis layers for the maps (GeoJSON in WGS 84, cached per store version and question)
# --------------------------------------------------------------------------------------------


def workflow_store(name: str | None = None) -> GeoPackageStore:
    """The store handed to :mod:`planungsraeume.erreichbarkeit` (results cached by its version token)."""
    return store(name)


@st.cache_data(show_spinner=False, max_entries=32)
def _travel_classes(name: str, token: str, reach: tuple[Any, ...]) -> dict[str, Any]:
    from analyses.coverage import time_band_labels, time_bands
    from planungsraeume import erreichbarkeit as workflow

    question = Reach(*reach)
    source = open_store(region_config(name))
    travel = workflow.travel_times(source, question.profil, question.typ, question.filter,
                                   unbekannt=question.unbekannt)
    cells = workflow.origins_layer(source, "bevoelkerung")
    bands = time_bands(travel)
    colours = dict(zip(time_band_labels(), theme.TIME_BAND_COLOURS, strict=True))
    classes = mapdata.classed_polygons(cells, bands, colours)
    classes["einwohner_text"] = [de_number(v) for v in classes["summe"]]
    return mapdata.compact_geojson(classes, ["klasse", "label", "farbe", "zellen", "einwohner_text"])


def travel_time_classes(reach: Reach) -> dict[str, Any]:
    """The travel time of every populated cell as dissolved classes (GeoJSON, WGS 84)."""
    name = region_name()
    return _travel_classes(name, token(name), reach.key())


@st.cache_data(show_spinner=False, max_entries=32)
def _gap_shapes(name: str, token: str, reach: tuple[Any, ...]) -> tuple[dict[str, Any], int, int]:
    from planungsraeume import erreichbarkeit as workflow

    question = Reach(*reach)
    gaps = workflow.gaps(open_store(region_config(name)), question.profil, question.typ,
                         question.minuten, question.filter, unbekannt=question.unbekannt)
    outline = mapdata.dissolved_outline(gaps)
    return (mapdata.compact_geojson(outline, ["zellen"]), len(gaps),
            int(gaps["einwohner"].sum()) if len(gaps) else 0)


def gap_shapes(reach: Reach) -> tuple[dict[str, Any], int, int]:
    """The Versorgungslücken of a question as one outline (GeoJSON), their cells and people."""
    name = region_name()
    return _gap_shapes(name, token(name), reach.key())


@st.cache_data(show_spinner=False, max_entries=32)
def _hotspot_shapes(name: str, token: str, choice: str, jahr: int | None,
                    resolution: int) -> tuple[dict[str, Any], int]:
    grid = _hotspots(name, token, choice, jahr, resolution)
    outline = mapdata.dissolved_outline(grid.hotspots)
    return mapdata.compact_geojson(outline, ["zellen"]), len(grid.hotspots)


def hotspot_shapes(choice: str = "alle", jahr: int | None = None,
                   resolution: int = 250) -> tuple[dict[str, Any], int]:
    """Gi* hotspot cells of the published grid as one outline (GeoJSON) and their number."""
    name = region_name()
    return _hotspot_shapes(name, token(name), choice, jahr, resolution)


# --------------------------------------------------------------------------------------------
# Controls shared by the pages
# --------------------------------------------------------------------------------------------


def present_types() -> list[str]:
    """Service types present among the active offers of the region."""
    return sorted(services_web()["typ"].dropna().astype(str).unique())


def reach_controls(prefix: str, *, default: Reach | None = None, layout: str = "wide",
                   remember: bool = True) -> Reach:
    """The widgets of a reachability question; returns the chosen :class:`Reach`.

    Parameters
    ----------
    prefix
        Prefix of the widget keys (one set per page).
    default
        Initial values (default: the question last chosen anywhere in the app).
    layout
        ``"wide"`` (two rows of columns) or ``"narrow"`` (one below the other).
    remember
        Remember the choice for the other pages (gap layer, profiles, conference mode).
    """
    from ui.auswahl import FEATURE_LABELS, MINUTES, UNKNOWN_MODES, selection_options, selection_text

    start = default or current_reach()
    options = selection_options(present_types())
    if start.angebote not in options:
        start = start.with_(angebote=options[0])
    labels = type_labels()
    profiles = profile_labels()
    wide = layout == "wide"
    first = st.columns([2, 2]) if wide else [st.container(), st.container()]
    with first[0]:
        angebote = st.selectbox(
            "Angebote", options, index=options.index(start.angebote), key=f"{prefix}_angebote",
            format_func=lambda o: selection_text(o, labels),
            help="Zu welchen Angeboten der Weg gemessen wird: zum jeweils nächsten der Auswahl.",
        )
    with first[1]:
        merkmale = st.multiselect(
            "Nur Angebote mit", list(FEATURE_LABELS), default=list(start.merkmale),
            key=f"{prefix}_merkmale", format_func=lambda m: FEATURE_LABELS[m],
            placeholder="keine Bedingung",
            help="Nur Angebote, bei denen das Merkmal mit „ja“ angegeben ist. Angebote ohne "
                 "Angabe zählen dann nicht mit.",
        )
    second = st.columns([3, 2, 2]) if wide else [st.container(), st.container(), st.container()]
    with second[0]:
        profil = st.radio(
            "Unterwegs", list(profiles), index=list(profiles).index(start.profil)
            if start.profil in profiles else 0, key=f"{prefix}_profil", horizontal=True,
            format_func=lambda p: profiles[p],
            help="Zu Fuß 1,2 m/s; Senior:innen 1,0 m/s, Treppen langsamer; Rollator und Rollstuhl "
                 "0,8 m/s, keine Treppen; Rollstuhl zusätzlich keine Steigung über 6 %, kein "
                 "Bordstein über 3 cm, kein schlechter Belag.",
        )
    with second[1]:
        minuten = st.radio(
            "Zumutbare Minuten", list(MINUTES), index=list(MINUTES).index(start.minuten)
            if start.minuten in MINUTES else 2, key=f"{prefix}_minuten", horizontal=True,
            format_func=lambda m: f"{m} Min.",
        )
    with second[2]:
        unbekannt = st.radio(
            "Fehlende Wegeangaben", list(UNKNOWN_MODES),
            index=list(UNKNOWN_MODES).index(start.unbekannt), key=f"{prefix}_unbekannt",
            format_func=lambda m: "optimistisch" if m == "optimistisch" else "vorsichtig",
            help="Viele Wege haben in OpenStreetMap keine Angabe zu Steigung, Bordstein oder "
                 "Belag. Optimistisch: solche Wege gelten als passierbar. Vorsichtig "
                 "(pessimistisch): Steigungen ohne Zahl, Bordsteine ohne Höhe und unbefestigte "
                 "Wege ohne Zustandsangabe gelten als Hindernis oder Umweg. Die Wahrheit liegt "
                 "meist dazwischen; vergleichen Sie beide.",
        )
    reach = Reach(angebote=str(angebote), merkmale=tuple(merkmale), profil=str(profil),
                  minuten=int(minuten), unbekannt=str(unbekannt))
    if remember:
        st.session_state[REACH_STATE] = reach
    return reach


def show_analysis_error(exc: SozialraumError) -> None:
    """A German message for an analysis that cannot be computed with the current choice."""
    st.warning(str(exc), icon=":material/info:")


def temp_upload(uploaded: Any, folder_key: str) -> Any:
    """Save an uploaded file (or a list of them, e.g. a Shapefile set) into a private temporary
    folder outside the repository; returns the path of the main file.

    The folder lives in the system's temp directory for the session and is reused per key, so
    a second upload replaces the first.
    """
    import tempfile
    from pathlib import Path

    files = uploaded if isinstance(uploaded, list) else [uploaded]
    state_key = f"_upload_dir_{folder_key}"
    folder = st.session_state.get(state_key)
    if not folder or not Path(folder).exists():
        folder = tempfile.mkdtemp(prefix="sozialraum-upload-")
        st.session_state[state_key] = folder
    target = Path(folder)
    for old in target.iterdir():
        old.unlink(missing_ok=True)
    paths = []
    for item in files:
        path = target / Path(item.name).name  # only the name: never a path from the browser
        path.write_bytes(item.getvalue())
        paths.append(path)
    # A Shapefile comes as several files; the .shp is the one to read.
    shapefiles = [p for p in paths if p.suffix.lower() == ".shp"]
    return shapefiles[0] if shapefiles else paths[0]


def geopackage_bytes(layers: dict[str, pd.DataFrame]) -> bytes:
    """Several tables and layers as one GeoPackage file (for QGIS), built in a temp folder."""
    import tempfile
    from pathlib import Path

    import pyogrio

    with tempfile.TemporaryDirectory(prefix="sozialraum-export-") as folder:
        path = Path(folder) / "export.gpkg"
        for layer_name, frame in layers.items():
            out = frame.copy()
            for column in out.columns:
                if isinstance(out[column].dtype, pd.CategoricalDtype):
                    out[column] = out[column].astype("string")
            if not isinstance(out, gpd.GeoDataFrame):
                out = pd.DataFrame(out)
            pyogrio.write_dataframe(out, path, layer=layer_name, driver="GPKG")
        return path.read_bytes()


def to_region_crs(lat: float, lon: float, crs: Any) -> tuple[float, float]:
    """A clicked map position (WGS 84) in the region's metric CRS."""
    from pyproj import Transformer

    x, y = Transformer.from_crs(WEB_CRS, crs, always_xy=True).transform(lon, lat)
    return float(x), float(y)


# Integer columns that are identifiers or years, not quantities: shown without separators.
PLAIN_NUMBER_COLUMNS = {"Zeile", "Eintrag", "Jahr", "Rang", "Version", "Nr.", "Minuten", "PLZ"}


def number_formats(frame: pd.DataFrame) -> dict[str, Any]:
    """Column settings that show every number in the reader's (German) format: ``12.345,6``."""
    config: dict[str, Any] = {}
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
            plain = str(column) in PLAIN_NUMBER_COLUMNS
            config[str(column)] = st.column_config.NumberColumn(format="plain" if plain else "localized")
    return config


def table(frame: pd.DataFrame, *, column_config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """``st.dataframe`` without index, full width, numbers in German format."""
    config = {**number_formats(frame), **(column_config or {})}
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    return st.dataframe(frame, column_config=config, **kwargs)


@st.cache_data(show_spinner=False, max_entries=8)
def _stop_classes(name: str, token: str) -> dict[str, Any]:
    from planungsraeume import erreichbarkeit as workflow

    source = open_store(region_config(name))
    distances = workflow.stop_distances(source, "fuss")
    bands = workflow.stop_distance_bands(distances)
    colours = dict(zip([str(c) for c in bands.cat.categories], theme.STOP_BAND_COLOURS, strict=True))
    classes = mapdata.classed_polygons(workflow.origins_layer(source), bands, colours)
    classes["einwohner_text"] = [de_number(v) for v in classes["summe"]]
    return mapdata.compact_geojson(classes, ["klasse", "label", "farbe", "zellen", "einwohner_text"])


def stop_distance_classes() -> dict[str, Any]:
    """Walking distance from every populated cell to the nearest stop, as dissolved classes."""
    name = region_name()
    return _stop_classes(name, token(name))
