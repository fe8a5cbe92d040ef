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
from ui import kennzahlen, mapdata, theme
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
    from planungsraeume.build import build_region

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


@st.cache_data(show_spinner=False, max_entries=16)
def _figures(name: str, token: str) -> pd.DataFrame:
    source = open_store(region_config(name))
    return kennzahlen.area_figures(
        read_geo(source, "planungsraeume"),
        read_geo(source, "bevoelkerung"),
        read_geo(source, "angebote"),
    )


def area_figures() -> pd.DataFrame:
    """Simple key figures per planning area (temporary, see :mod:`ui.kennzahlen`)."""
    name = region_name()
    return _figures(name, token(name))


def services_web() -> gpd.GeoDataFrame:
    """The service directory in WGS 84, with the planning area of each service (``pr_id``)."""
    name = region_name()
    return _services_web(name, token(name))


@st.cache_data(show_spinner=False, max_entries=16)
def _services_web(name: str, token: str) -> gpd.GeoDataFrame:
    source = open_store(region_config(name))
    services = read_geo(source, "angebote")
    areas = read_geo(source, "planungsraeume")
    joined = gpd.sjoin(services, areas[["pr_id", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")].drop(columns=["index_right"])
    return joined.to_crs(WEB_CRS)


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
