"""Municipality boundaries with population (VG250-EW of the BKG): the one reader.

The region build (:func:`layers.build.grenzen.read_gemeinden`) and the grouping of
municipalities into planning areas (:func:`layers.planungsraeume.gemeinden.read_municipalities`)
read the same file format; both call :func:`read_vg250`, so a file is checked and read the same
way wherever it is used.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS

from layers.errors import CRSError, SourceDataError

__all__ = ["VG250_SOURCE", "read_vg250"]

VG250_SOURCE = "VG250-EW (© GeoBasis-DE / BKG 2024), Einwohner 31.12.2023"


def read_vg250(
    path: Path,
    *,
    crs: object,
    ags_praefix: str | None = None,
    pfad_hinweis: str = "Prüfen Sie den Pfad.",
    praefix_hinweis: str = "Prüfen Sie das AGS-Präfix.",
) -> gpd.GeoDataFrame:
    """Read municipality polygons with AGS, name and population in the working CRS.

    Parameters
    ----------
    path
        Boundary file (GeoJSON, GeoPackage, Shapefile) with columns ``ags`` and ``name`` and
        optionally ``county`` and ``pop``/``ewz``/``einwohner`` (any case).
    crs
        Working CRS of the result.
    ags_praefix
        Keep only municipalities whose 8-digit AGS starts with this (``"05334"`` =
        Städteregion Aachen); None or ``""`` keeps all.
    pfad_hinweis, praefix_hinweis
        How to fix a missing file or a prefix that matches nothing, in the caller's terms (a
        region configuration entry or a command-line option).

    Returns
    -------
    geopandas.GeoDataFrame
        ``ags`` (8 digits), ``name``, ``kreis``, ``einwohner`` (Int64), ``quelle``, geometry
        (invalid polygons repaired) and ``flaeche_km2``.

    Raises
    ------
    SourceDataError
        If the file is missing or unreadable, lacks columns, or no AGS matches the prefix.
    CRSError
        If the file has no CRS, or claims degrees for metric coordinates.
    """
    gemeinden = _open_vg250(path, pfad_hinweis)
    lower = {c.lower(): c for c in gemeinden.columns}
    for needed in ("ags", "name"):
        if needed not in lower:
            raise SourceDataError(
                f"Der Gemeindegrenzen-Datei fehlt die Spalte '{needed}'.",
                hinweis="Erwartet werden mindestens die Spalten ags, name und pop (Einwohner).",
                datei=path,
            )
    ags = gemeinden[lower["ags"]].astype(str).str.strip().str.zfill(8)
    prefix = ags_praefix or ""
    selected = gemeinden[ags.str.startswith(prefix).to_numpy()].copy()
    if selected.empty:
        raise SourceDataError(
            f"Keine Gemeinde in der Datei hat einen AGS, der mit '{prefix}' beginnt.",
            hinweis=praefix_hinweis,
            datei=path,
        )
    pop_col = lower.get("pop") or lower.get("ewz") or lower.get("einwohner")
    out = gpd.GeoDataFrame(
        {
            "ags": ags[selected.index].to_numpy(),
            "name": selected[lower["name"]].to_numpy(),
            "kreis": selected[lower["county"]].to_numpy() if "county" in lower else None,
            "einwohner": selected[pop_col].astype("Int64").to_numpy() if pop_col else None,
            "quelle": VG250_SOURCE,
        },
        geometry=selected.geometry.to_numpy(),
        crs=gemeinden.crs,
    ).to_crs(crs)
    invalid = ~out.geometry.is_valid
    if invalid.any():
        out.loc[invalid, "geometry"] = shapely.make_valid(out.geometry[invalid].to_numpy())
    out["flaeche_km2"] = np.round(out.geometry.area / 1e6, 3)
    return out


def _open_vg250(path: Path, pfad_hinweis: str) -> gpd.GeoDataFrame:
    """Read the file and check that it declares a CRS that fits its coordinates.

    Raises
    ------
    SourceDataError
        Missing or unreadable file.
    CRSError
        No CRS, or degrees claimed for metric coordinates.
    """
    if not path.exists():
        raise SourceDataError(
            "Die Gemeindegrenzen-Datei wurde nicht gefunden.", hinweis=pfad_hinweis, datei=path,
        )
    try:
        gemeinden = pyogrio.read_dataframe(path)
    except Exception as exc:
        raise SourceDataError(
            f"Die Gemeindegrenzen-Datei kann nicht gelesen werden ({exc}).",
            hinweis="Speichern Sie die Datei als GeoJSON oder GeoPackage neu.",
            datei=path,
        ) from exc
    if gemeinden.crs is None:
        raise CRSError(
            "Die Gemeindegrenzen-Datei hat kein Koordinatenbezugssystem (CRS).",
            hinweis="Speichern Sie die Datei mit CRS (GeoJSON ist nach RFC 7946 immer WGS 84; "
            "eine 'crs'-Angabe, die nicht lesbar ist, entfernen) oder als GeoPackage mit CRS.",
            datei=path,
        )
    if CRS.from_user_input(gemeinden.crs).is_geographic and len(gemeinden):
        minx, miny, maxx, maxy = gemeinden.total_bounds
        if min(minx, miny) < -180 or max(maxx, maxy) > 180:
            raise CRSError(
                "Die Gemeindegrenzen-Datei gibt kein passendes Koordinatenbezugssystem an: "
                "die Koordinaten sind metrisch, die Datei behauptet aber Grad (WGS 84).",
                hinweis="Speichern Sie die Datei mit dem richtigen CRS (z. B. EPSG:25832) als "
                "GeoPackage, oder transformieren Sie sie nach WGS 84.",
                datei=path,
            )
    return gemeinden
