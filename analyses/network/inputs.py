"""Inputs of a network search: time thresholds, origins and targets attached to the graph.

Every search in :mod:`analyses.network` takes its thresholds through :func:`check_minutes` and
its points through :func:`snap_origins` / :func:`snap_targets`, so the German messages about a
bad threshold, an empty target layer or targets off the network are the same everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np

from analyses.network.graph import NetworkGraph
from analyses.network.snapping import SnappedPoints, snap_points
from layers.errors import AnalysisError
from layers.log import get_logger

__all__ = ["Origins", "check_minutes", "snap_origins", "snap_targets", "target_ids"]

log = get_logger("reachability")

Origins: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | SnappedPoints


def check_minutes(values: float | Iterable[float], *, name: str = "Zeitschwelle") -> list[float]:
    """Return the thresholds as floats; each must be a finite number > 0.

    Raises
    ------
    AnalysisError
        For a threshold ≤ 0, not a number, or an empty list.
    """
    items = [values] if isinstance(values, (int, float, np.number)) else list(values)
    if not items:
        raise AnalysisError(
            f"Es ist keine {name} angegeben.",
            hinweis="Geben Sie mindestens eine Minutenzahl an, z. B. 15.",
        )
    result = []
    for value in items:
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise AnalysisError(
                f"Die {name} '{value}' ist keine Zahl.",
                hinweis="Geben Sie die Minuten als Zahl an, z. B. 15.",
            ) from exc
        if not math.isfinite(number) or number <= 0:
            raise AnalysisError(
                f"Die {name} muss größer als 0 Minuten sein (angegeben: {value}).",
                hinweis="Übliche Schwellen sind 5, 10, 15, 20 oder 30 Minuten.",
            )
        result.append(number)
    return result


def snap_origins(graph: NetworkGraph, origins: Origins, max_anbindung_m: float) -> SnappedPoints:
    """Attach the origins to the graph (points already snapped must belong to this graph).

    Raises
    ------
    AnalysisError
        If ``origins`` were snapped to another graph.
    """
    if isinstance(origins, SnappedPoints):
        if origins.graph_key != graph.key:
            raise AnalysisError(
                "Die Startpunkte wurden an ein anderes Netz (anderes Profil oder andere Daten) "
                "angebunden.",
                hinweis="Binden Sie die Startpunkte mit snap_points an genau dieses Netz an.",
            )
        return origins
    return snap_points(graph, origins, max_anbindung_m, name="Startpunkte")


def snap_targets(
    graph: NetworkGraph,
    targets: gpd.GeoDataFrame | gpd.GeoSeries | SnappedPoints,
    max_anbindung_m: float,
    *,
    name: str,
    labels: Sequence[str] | None = None,
    strikt: bool = False,
) -> tuple[SnappedPoints, list[str]]:
    """Snap target points; raise if none (or, with ``strikt``, any) is off the network.

    Parameters
    ----------
    graph, max_anbindung_m, name, strikt
        As in :func:`analyses.network.search.nearest`.
    targets
        The target points, or points already snapped.
    labels
        A label per target for messages (default: the index).

    Returns
    -------
    snapped, off
        The snapped targets and the labels (with distances) of those off the network.

    Raises
    ------
    AnalysisError
        Empty target layer, every (or with ``strikt`` any) target off the network.
    """
    if isinstance(targets, SnappedPoints):
        snapped = targets
    else:
        if len(targets) == 0:
            raise AnalysisError(
                f"Die Ebene '{name}' ist leer: es gibt kein Ziel, zu dem Wege berechnet werden "
                "könnten.",
                hinweis="Prüfen Sie den Filter (Typ, Merkmale) oder erfassen bzw. importieren Sie "
                "zuerst Angebote.",
            )
        snapped = snap_points(graph, targets, max_anbindung_m, name=name)
    names = list(labels) if labels is not None else [str(i) for i in snapped.index]
    off = np.flatnonzero(~snapped.connected)
    off_names = [f"{names[i]} ({_distance_text(snapped.distance_m[i])})" for i in off]
    if len(off) == len(snapped) or (strikt and len(off)):
        shown = "; ".join(off_names[:10]) + (" …" if len(off_names) > 10 else "")
        raise AnalysisError(
            f"{len(off)} von {len(snapped)} Zielen in '{name}' liegen außerhalb des Wegenetzes "
            f"(weiter als {snapped.max_anbindung_m:.0f} m vom Hauptnetz des Profils "
            f"'{graph.profil.name}'): {shown}.",
            hinweis="Prüfen Sie die Koordinaten dieser Angebote (liegen sie in der Region?) oder "
            "erhöhen Sie die maximale Anbindungsdistanz.",
        )
    if len(off):
        log.warning("%d Ziele in '%s' nicht an das Wegenetz angebunden: %s",
                    len(off), name, "; ".join(off_names[:10]))
    return snapped, off_names


def _distance_text(distance: float) -> str:
    if not np.isfinite(distance):
        return "ohne Netz in der Nähe"
    if distance >= 1000:
        return f"{distance / 1000:.1f} km".replace(".", ",") + " vom Netz"
    return f"{distance:.0f} m vom Netz"



def target_ids(targets: Any, ziel_id: str | None) -> np.ndarray:
    """Ids of the target points: the ``ziel_id`` column, else the index.

    Raises
    ------
    AnalysisError
        If ``ziel_id`` is not a column of ``targets``.
    """
    if isinstance(targets, SnappedPoints):
        return np.asarray(targets.index, dtype=object)
    if ziel_id is None:
        return np.asarray(targets.index, dtype=object)
    if ziel_id not in targets.columns:
        raise AnalysisError(
            f"Die Spalte '{ziel_id}' fehlt in den Zielen.",
            hinweis=f"Vorhandene Spalten: {', '.join(map(str, targets.columns))}.",
        )
    ids: np.ndarray = targets[ziel_id].astype(object).to_numpy()
    return ids

