"""Hotspot statistics on the PUBLISHED barrier grid: Getis-Ord Gi*, smoothed rates, density.

Every function here takes a grid that came out of :class:`analyses.privacy.Publication` (checked
with :func:`analyses.privacy.require_published`) and never sees a report location or an
unpublished count. Cells of the region without a published value enter with 0: the statistics
describe where *published* barrier counts cluster.

* :func:`getis_ord` — Gi* (``esda.G_Local`` with ``star=True``) on the region's lattice with
  queen contiguity, conditional-permutation p-values with a fixed seed, and Benjamini–Hochberg
  control of the false discovery rate.
* :func:`smoothed_rates` — persons per 1,000 inhabitants with global empirical-Bayes smoothing.
* :func:`kernel_density` / :func:`write_geotiff` — a Gaussian kernel density of the published
  cell counts (never of report points) as a GeoTIFF in the region CRS.
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from analyses.grid import check_resolution, lattice
from analyses.privacy import empirical_bayes_rates, require_published
from layers.errors import AnalysisError

__all__ = [
    "DEFAULT_PERMUTATIONS",
    "DEFAULT_SEED",
    "HOTSPOT_LABEL",
    "NODATA",
    "NOT_SIGNIFICANT_LABEL",
    "DensitySurface",
    "benjamini_hochberg",
    "getis_ord",
    "kernel_density",
    "lattice_values",
    "queen_weights",
    "smoothed_rates",
    "warm_up",
    "write_geotiff",
]

DEFAULT_SEED = 20261122
DEFAULT_PERMUTATIONS = 999
NODATA = -9999.0
HOTSPOT_LABEL = "Hotspot"
NOT_SIGNIFICANT_LABEL = "nicht signifikant"


def _esda() -> Any:
    """esda, with its permutation kernels compiled once per installation, not once per process.

    esda's conditional permutation runs in numba kernels declared without ``cache=True``, so
    every new process (the app's server, each ``sozialraum barrieren`` call) compiled them
    again: 10-25 s on this project's 2-core reference machine before the first Gi*. The
    statistic, the permutation drawing and the p-value kernels get numba's on-disk cache; the
    driver loop ``compute_chunk``, which takes the statistic as a first-class function (numba
    cannot cache that: the function's type differs per process), runs as plain Python around
    the compiled statistic. Results are unchanged (same seed, same p-values; see the test
    against esda's own call). Names that a future esda lacks are left alone.
    """
    import esda

    global _ESDA_PREPARED
    with _ESDA_LOCK:  # the app's sessions run in threads
        if _ESDA_PREPARED:
            return esda
        _ESDA_PREPARED = True
        from esda import crand, getisord, significance

        for module, name in ((crand, "vec_permutations"), (getisord, "_g_local_star_crand"),
                             (significance, "_permutation_significance")):
            kernel: Any = getattr(module, name, None)
            if hasattr(kernel, "enable_caching"):
                kernel.enable_caching()
        driver: Any = getattr(crand, "compute_chunk", None)
        if hasattr(driver, "py_func"):
            _COMPILED_DRIVER.append(driver)  # kept for the test that compares both paths
            crand.compute_chunk = driver.py_func
    return esda


_ESDA_PREPARED = False
_ESDA_LOCK = threading.Lock()
_COMPILED_DRIVER: list[Any] = []


def warm_up() -> float:
    """Compile (or load from numba's cache) esda's Gi* kernels on a tiny lattice; returns seconds.

    The set-up (``dev.py``) calls this once per installation, so that the first hotspot
    analysis in the app does not wait for the compiler.
    """
    from libpysal.weights import lat2W

    started = time.perf_counter()
    esda = _esda()
    values = np.arange(16, dtype=float) % 5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        esda.G_Local(values, lat2W(4, 4), transform="B", star=True, permutations=9, seed=1,
                     n_jobs=1, keep_simulations=False)
    return time.perf_counter() - started


def queen_weights(cells: pd.DataFrame) -> Any:
    """Queen-contiguity weights (binary) between lattice cells (``zeile``/``spalte``).

    Parameters
    ----------
    cells
        A lattice from :func:`analyses.grid.lattice`.

    Returns
    -------
    libpysal.weights.W
        Ids are the row positions 0 … n-1; cells without neighbours are islands.
    """
    from libpysal.weights import W

    position = {(int(r), int(c)): i for i, (r, c) in
                enumerate(zip(cells["zeile"], cells["spalte"], strict=True))}
    neighbours: dict[int, list[int]] = {}
    for (r, c), i in position.items():
        neighbours[i] = [
            position[(r + dr, c + dc)]
            for dr in (-1, 0, 1) for dc in (-1, 0, 1)
            if (dr or dc) and (r + dr, c + dc) in position
        ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands at the region's edge are expected
        return W(neighbours, silence_warnings=True)


def benjamini_hochberg(pvalues: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Which tests are rejected when the false discovery rate is held at ``alpha``.

    Parameters
    ----------
    pvalues
        p-values.
    alpha
        FDR level.

    Returns
    -------
    numpy.ndarray of bool
    """
    p = np.asarray(pvalues, dtype=float)
    n = len(p)
    if n == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(p, kind="stable")
    thresholds = alpha * np.arange(1, n + 1) / n
    passed = np.flatnonzero(p[order] <= thresholds)
    reject = np.zeros(n, dtype=bool)
    if len(passed):
        reject[order[: passed[-1] + 1]] = True
    return reject


def lattice_values(
    published: pd.DataFrame, cells: pd.DataFrame, column: str = "personen"
) -> np.ndarray:
    """Return the published values on the lattice; cells without a published value get 0."""
    require_published(published)
    values = published.set_index("gitter_id")[column]
    return (
        pd.to_numeric(values, errors="coerce").reindex(cells["gitter_id"]).fillna(0)
        .to_numpy(dtype=float)
    )


def getis_ord(
    published: gpd.GeoDataFrame,
    boundary: shapely.Geometry,
    resolution: int,
    *,
    column: str = "personen",
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.05,
) -> gpd.GeoDataFrame:
    """Getis-Ord Gi* hotspots of a published grid.

    Parameters
    ----------
    published
        :meth:`Publication.gitter` at ``resolution``.
    boundary, resolution
        Region polygon (region CRS; the lattice is every cell touching it); cell size.
    column
        Value analysed (``personen`` or ``rate_je_1000``).
    permutations, seed
        Conditional permutations for the pseudo p-values; their random seed (reproducible).
    alpha
        False-discovery rate.

    Returns
    -------
    geopandas.GeoDataFrame
        The lattice with ``wert``, ``gi_z`` (standardised Gi*), ``p_sim``, ``signifikant``
        (a hotspot after FDR control: equal to ``klasse == "Hotspot"``), ``klasse``
        (Hotspot/Coldspot/nicht signifikant) and ``geheimhaltung``.
    """
    esda = _esda()
    label = require_published(published)
    check_resolution(resolution)
    cells = lattice(boundary, published.crs, resolution)
    y = lattice_values(published, cells, column)
    if np.count_nonzero(y) < 3:
        raise AnalysisError(
            f"Für eine Hotspot-Analyse gibt es zu wenige veröffentlichte Zellen ({np.count_nonzero(y)}).",
            hinweis="Wählen Sie eine größere Zellweite oder eine weniger enge Auswahl.",
        )
    z, p_sim = _gi_star(esda, y, queen_weights(cells), permutations, seed)
    significant = benjamini_hochberg(p_sim, alpha)
    # Only clusters of high values are reported. Unpublished cells enter as 0, so a cluster of
    # low values ("coldspot") would mostly show where values are suppressed, not where barriers
    # are rare; and ties at 0 give spuriously small permutation p-values on the low side.
    hot = significant & (z > 0)
    # The flag means "significant hotspot", so that it always equals the class (a significant
    # cluster of low values is not reported, see above).
    result = cells.assign(
        wert=y, gi_z=np.round(z, 4), p_sim=p_sim, signifikant=hot,
        klasse=np.where(hot, HOTSPOT_LABEL, NOT_SIGNIFICANT_LABEL), geheimhaltung=label,
    )
    result.attrs.update(published.attrs)
    result.attrs["methode"] = (
        f"Getis-Ord Gi* (esda), Queen-Nachbarschaft, {permutations} Permutationen, Startwert "
        f"{seed}, FDR {alpha:.0%} (Benjamini-Hochberg)"
    )
    return result


def _gi_star(
    esda: Any, y: np.ndarray, w: Any, permutations: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Standardised Gi* and conditional-permutation p-values (``esda.G_Local``, ``star=True``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda announces a future change of its p-value default
        gi = esda.G_Local(y, w, transform="B", star=True, permutations=permutations,
                          seed=seed, n_jobs=1, keep_simulations=False)
    return np.asarray(gi.Zs, dtype=float), np.asarray(gi.p_sim, dtype=float)


def smoothed_rates(published: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``rate_eb_je_1000``: empirical-Bayes smoothed persons per 1,000 inhabitants.

    The prior (global mean and variance) is estimated from the published cells with
    inhabitants; unpublished cells do not enter, because their values are unknown.
    """
    require_published(published)
    if "einwohner" not in published.columns:
        raise AnalysisError("Die Gitterzellen haben keine Einwohnerzahl.",
                            hinweis="Veröffentlichen Sie mit der Bevölkerungsebene.")
    result = published.copy()
    result["rate_eb_je_1000"] = np.round(
        empirical_bayes_rates(result["personen"].to_numpy(dtype=float),
                              result["einwohner"].to_numpy(dtype=float)) * 1000, 3)
    result.attrs.update(published.attrs)
    return result


@dataclass
class DensitySurface:
    """A raster in the region CRS (row 0 = north)."""

    values: np.ndarray
    transform: Any
    crs: CRS
    nodata: float = NODATA
    tags: dict[str, str] = field(default_factory=dict)


def kernel_density(
    published: gpd.GeoDataFrame,
    boundary: shapely.Geometry,
    *,
    bandwidth_m: float = 500.0,
    pixel_m: float = 50.0,
    column: str = "personen",
) -> DensitySurface:
    """Gaussian kernel density of published cell counts (persons per km²).

    Each published cell contributes its rounded count at its centre; report locations are never
    used. Pixels outside the region are nodata.

    Parameters
    ----------
    published
        A published grid (:meth:`Publication.gitter`).
    boundary
        Region polygon (region CRS).
    bandwidth_m
        Standard deviation of the Gaussian kernel.
    pixel_m
        Pixel size.
    column
        Counted value.

    Returns
    -------
    DensitySurface
    """
    from rasterio.transform import from_origin

    label = require_published(published)
    if bandwidth_m <= 0 or pixel_m <= 0:
        raise AnalysisError("Bandbreite und Pixelgröße müssen positiv sein.")
    crs = CRS.from_user_input(published.crs)
    minx, maxy, xs, ys = _pixel_centres(boundary, pixel_m)
    centres = published.geometry.centroid
    weights = pd.to_numeric(published[column], errors="coerce").fillna(0).to_numpy(dtype=float)
    density = _gaussian_sum(xs, ys, centres.x.to_numpy(), centres.y.to_numpy(), weights,
                            bandwidth_m)
    px, py = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(boundary, px.ravel(), py.ravel()).reshape(px.shape)
    values = np.where(inside, density, NODATA).astype(np.float32)
    return DensitySurface(
        values=values,
        transform=from_origin(minx, maxy, pixel_m, pixel_m),
        crs=crs,
        tags={
            "geheimhaltung": label,
            "filter": str(published.attrs.get("filter", "")),
            "einheit": "Personen je km² (Kerndichte der veröffentlichten Zellwerte)",
            "methode": f"Gauß-Kern, Bandbreite {bandwidth_m:g} m, aus veröffentlichten "
            "Gitterzellen, nie aus Meldeorten",
        },
    )


def _pixel_centres(
    boundary: shapely.Geometry, pixel_m: float
) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Lay a pixel grid aligned to ``pixel_m`` around the boundary.

    Returns its west and north edge and the pixel centres along x (west → east) and y
    (north → south).
    """
    minx, miny, maxx, maxy = boundary.bounds
    minx, miny = np.floor(minx / pixel_m) * pixel_m, np.floor(miny / pixel_m) * pixel_m
    maxx, maxy = np.ceil(maxx / pixel_m) * pixel_m, np.ceil(maxy / pixel_m) * pixel_m
    width = int(round((maxx - minx) / pixel_m))
    height = int(round((maxy - miny) / pixel_m))
    xs = minx + (np.arange(width) + 0.5) * pixel_m
    ys = maxy - (np.arange(height) + 0.5) * pixel_m
    return float(minx), float(maxy), xs, ys


def _gaussian_sum(
    xs: np.ndarray, ys: np.ndarray, cx: np.ndarray, cy: np.ndarray, weights: np.ndarray,
    bandwidth_m: float,
) -> np.ndarray:
    """Weighted Gaussian kernels at (cx, cy) summed on the pixel centres, per km²."""
    height, width = len(ys), len(xs)
    density = np.zeros((height, width))
    norm = 1.0 / (2 * np.pi * bandwidth_m**2) * 1e6  # persons per m² → per km²
    # Chunks of rows keep the distance array near 20 million entries.
    step = max(1, int(2e7 // max(1, width * len(cx))))
    for start in range(0, height, step):
        rows = ys[start:start + step]
        dy2 = (rows[:, None, None] - cy[None, None, :]) ** 2
        dx2 = (xs[None, :, None] - cx[None, None, :]) ** 2
        kernel = np.exp(-(dx2 + dy2) / (2 * bandwidth_m**2))
        density[start:start + step] = (kernel * weights).sum(axis=2) * norm
    return density


def write_geotiff(surface: DensitySurface, path: str | Path) -> Path:
    """Write a :class:`DensitySurface` as a compressed GeoTIFF (float32, nodata set)."""
    import rasterio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    height, width = surface.values.shape
    with rasterio.open(
        path, "w", driver="GTiff", height=height, width=width, count=1, dtype="float32",
        crs=surface.crs.to_wkt(), transform=surface.transform, nodata=surface.nodata,
        compress="deflate",
    ) as dst:
        dst.write(surface.values.astype(np.float32), 1)
        dst.update_tags(**surface.tags)
        dst.set_band_description(1, "Barrieren: Personen je km²")
    return path
