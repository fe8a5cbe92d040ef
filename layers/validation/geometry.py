"""Geometry checks of imported layers: empty, invalid, wrong type."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from layers.errors import Problem
from layers.validation.problems import FIRST_DATA_ROW

__all__ = ["check_geometries"]


def check_geometries(
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    datei: str | Path | None = None,
    allowed_types: Sequence[str] | None = None,
    repair: bool = False,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Check geometries for emptiness, validity and type.

    Parameters
    ----------
    gdf
        Layer to check.
    name, datei
        For messages.
    allowed_types
        Accepted geometry types (e.g. ``("Polygon", "MultiPolygon")``).
    repair
        Repair invalid geometries with ``shapely.make_valid`` (reported as warnings) instead of
        reporting them as errors.

    Returns
    -------
    tuple
        A checked copy of ``gdf`` and the list of problems (rows refer to the input's order).
    """
    result = gdf.copy()
    problems: list[Problem] = []
    geoms = result.geometry.array
    missing = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    for pos in np.flatnonzero(missing):
        problems.append(
            Problem(
                f"Die Ebene '{name}' enthält ein Objekt ohne Geometrie.",
                "Ergänzen Sie die Geometrie oder entfernen Sie die Zeile.",
                datei=str(datei) if datei else None,
                zeile=int(pos) + FIRST_DATA_ROW,
                spalte="geometry",
            )
        )
    problems += _invalid_geometries(result, missing, name=name, datei=datei, repair=repair)
    if allowed_types is not None:
        types = result.geometry.geom_type.to_numpy()
        wrong = ~np.isin(types, list(allowed_types)) & ~missing
        for pos in np.flatnonzero(wrong):
            problems.append(
                Problem(
                    f"Geometrietyp '{types[pos]}' passt nicht zur Ebene '{name}' "
                    f"(erwartet: {', '.join(allowed_types)}).",
                    "Exportieren Sie die Ebene mit dem passenden Geometrietyp.",
                    datei=str(datei) if datei else None,
                    zeile=int(pos) + FIRST_DATA_ROW,
                    spalte="geometry",
                )
            )
    return result, problems


def _invalid_geometries(
    result: gpd.GeoDataFrame,
    missing: np.ndarray,
    *,
    name: str,
    datei: str | Path | None,
    repair: bool,
) -> list[Problem]:
    """Findings for invalid geometries; with ``repair`` they are repaired in ``result``."""
    problems: list[Problem] = []
    geoms = result.geometry.array
    invalid = ~np.asarray(shapely.is_valid(geoms)) & ~missing
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid])
        if repair:
            repaired = shapely.make_valid(geoms[invalid])
            result.loc[result.index[invalid], result.geometry.name] = repaired
        for pos, reason in zip(np.flatnonzero(invalid), reasons, strict=True):
            problems.append(
                Problem(
                    f"Ungültige Geometrie in Ebene '{name}' ({reason}).",
                    "Die Geometrie wurde automatisch repariert; prüfen Sie das Ergebnis."
                    if repair
                    else "Reparieren Sie die Geometrie, z. B. in QGIS mit 'Geometrien reparieren'.",
                    datei=str(datei) if datei else None,
                    zeile=int(pos) + FIRST_DATA_ROW,
                    spalte="geometry",
                    schwere="warnung" if repair else "fehler",
                )
            )
    return problems
