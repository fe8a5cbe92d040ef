"""Coordinate reference systems: parse what users write, require the region's CRS."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from layers.errors import ConfigError, CRSError

__all__ = ["crs_label", "parse_crs", "require_crs", "to_region_crs"]


def parse_crs(value: object, *, datei: str | Path | None = None, projected: bool = False) -> CRS:
    """Parse a CRS given as EPSG code, ``"EPSG:25832"``, WKT or PROJ string.

    Parameters
    ----------
    value
        What the user wrote.
    datei
        The file the value came from (for the message).
    projected
        Require a projected (metric) CRS, as every working CRS must be.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    ConfigError
        If the value is empty, unknown or (with ``projected``) geographic.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ConfigError(
            "Es ist kein Koordinatenbezugssystem (CRS) angegeben.",
            hinweis="Tragen Sie ein CRS ein, z. B. crs = \"EPSG:25832\" für NRW oder \"EPSG:25833\" für Sachsen.",
            datei=datei,
        )
    try:
        crs = CRS.from_user_input(value)
    except (PyprojCRSError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"Das Koordinatenbezugssystem '{value}' ist unbekannt.",
            hinweis="Verwenden Sie einen EPSG-Code wie \"EPSG:25832\" (ETRS89 / UTM 32N, NRW) "
            "oder \"EPSG:25833\" (ETRS89 / UTM 33N, Sachsen).",
            datei=datei,
        ) from exc
    if projected and not crs.is_projected:
        raise ConfigError(
            f"Das Koordinatenbezugssystem '{value}' ist geografisch (Grad), nicht metrisch.",
            hinweis="Als Arbeits-CRS ist ein metrisches System nötig, z. B. \"EPSG:25832\".",
            datei=datei,
        )
    return crs


def require_crs(
    gdf: gpd.GeoDataFrame | gpd.GeoSeries,
    expected: CRS | str | int,
    *,
    name: str,
    datei: str | Path | None = None,
) -> None:
    """Raise unless ``gdf`` carries exactly the expected CRS.

    A missing or mismatching CRS is an error, never a warning: silently reprojecting (or not)
    yields distances that are off by kilometres.

    Parameters
    ----------
    gdf
        The layer to check.
    expected
        The region's working CRS.
    name
        The layer's name for the message.
    datei
        The file the layer came from, if any.

    Raises
    ------
    CRSError
    """
    expected_crs = CRS.from_user_input(expected)
    if gdf.crs is None:
        raise CRSError(
            f"Die Ebene '{name}' hat kein Koordinatenbezugssystem (CRS).",
            hinweis="Speichern Sie die Datei mit CRS (z. B. in QGIS: Layer exportieren, KBS wählen) "
            "oder geben Sie beim Import das CRS der Koordinaten an.",
            datei=datei,
        )
    if not CRS.from_user_input(gdf.crs).equals(expected_crs):
        raise CRSError(
            f"Die Ebene '{name}' liegt in {crs_label(gdf.crs)}, die Region arbeitet in "
            f"{crs_label(expected_crs)}.",
            hinweis=f"Transformieren Sie die Ebene nach {crs_label(expected_crs)} "
            "(to_crs) oder importieren Sie sie über die Importfunktion, die das erledigt.",
            datei=datei,
        )


def crs_label(crs: object) -> str:
    """A CRS as users know it: "EPSG:25832", or its name if it has no EPSG code."""
    parsed = CRS.from_user_input(crs)
    epsg = parsed.to_epsg()
    return f"EPSG:{epsg}" if epsg else parsed.name


def to_region_crs(
    gdf: gpd.GeoDataFrame,
    region_crs: CRS | str | int,
    *,
    name: str,
    datei: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Return ``gdf`` transformed into the region CRS; a layer without CRS is an error.

    Parameters
    ----------
    gdf
        Input layer with a known CRS.
    region_crs
        Target CRS.
    name, datei
        For messages.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame (the input is never changed).
    """
    if gdf.crs is None:
        require_crs(gdf, region_crs, name=name, datei=datei)
    return gdf.to_crs(region_crs)
