"""Selecting services for a network search: by type and/or a filter on their columns.

One canonical form of a filter (:func:`canonical_filter`) makes the same selection the same
cache key; :func:`describe_selection` says in German what was selected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np

from layers.errors import AnalysisError

__all__ = [
    "canonical_filter",
    "describe_selection",
    "select_services",
    "selected_services",
    "type_label",
]


def canonical_filter(filter: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Put a service filter in one canonical form (sorted columns and values, as text).

    The same selection always gives the same cache key.
    """
    if not filter:
        return {}
    result: dict[str, list[str]] = {}
    for column, wanted in filter.items():
        values = [wanted] if isinstance(wanted, (str, int, float, bool)) else list(wanted)
        result[str(column)] = sorted(str(v).strip() for v in values)
    return dict(sorted(result.items()))


def describe_selection(typ: str | None, filter: Mapping[str, Any] | None) -> str:
    """Return a German description of a service selection, e.g. ``EUTB, stufenloser_zugang = ja``."""
    parts = [typ] if typ else ["alle Angebote"]
    for column, values in canonical_filter(filter).items():
        parts.append(f"{column} = {' oder '.join(values)}")
    return ", ".join(parts)


def select_services(
    angebote: gpd.GeoDataFrame,
    typ: str | Sequence[str] | None = None,
    filter: Mapping[str, Any] | None = None,
) -> gpd.GeoDataFrame:
    """Return the services of one or more types and/or matching a filter.

    Parameters
    ----------
    angebote
        The service layer (``angebote``).
    typ
        A service type key (``"EUTB"``) or several; ``None`` = all types.
    filter
        Column → wanted value or values, e.g. ``{"stufenloser_zugang": "ja"}``; values compare
        as text, surrounding spaces ignored.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame with the selected rows (index kept).

    Raises
    ------
    AnalysisError
        Empty layer, unknown column or type, or nothing left after filtering.
    """
    return selected_services(angebote, typ, filter).copy()


def selected_services(
    angebote: gpd.GeoDataFrame,
    typ: str | Sequence[str] | None = None,
    filter: Mapping[str, Any] | None = None,
) -> gpd.GeoDataFrame:
    """:func:`select_services` without the copy, for read-only use in the network searches.

    Returns ``angebote`` itself if every row is selected (no copy of a layer that is only
    read); the callers never modify it.
    """
    if len(angebote) == 0:
        raise AnalysisError(
            "Die Angebotsebene ist leer: es gibt keine Angebote, deren Erreichbarkeit berechnet "
            "werden könnte.",
            hinweis="Importieren oder erfassen Sie zuerst Angebote (oder bauen Sie die Region neu).",
        )
    mask = np.ones(len(angebote), dtype=bool)
    if typ is not None:
        if "typ" not in angebote.columns:
            raise AnalysisError(
                "Der Angebotsebene fehlt die Spalte 'typ'.",
                hinweis="Die Angebote müssen dem Schema von layers/angebote.py folgen.",
            )
        wanted = [typ] if isinstance(typ, str) else list(typ)
        present = set(angebote["typ"].dropna().astype(str))
        unknown = [t for t in wanted if t not in present]
        if unknown and len(unknown) == len(wanted):
            raise AnalysisError(
                f"Es gibt kein Angebot vom Typ {', '.join(repr(t) for t in unknown)}.",
                hinweis=f"Vorhandene Typen: {', '.join(sorted(present))}.",
            )
        mask &= angebote["typ"].astype("string").isin(wanted).fillna(False).to_numpy(dtype=bool)
    for column, values in canonical_filter(filter).items():
        if column not in angebote.columns:
            raise AnalysisError(
                f"Den Angeboten fehlt die Spalte '{column}', nach der gefiltert werden soll.",
                hinweis=f"Vorhandene Spalten: {', '.join(map(str, angebote.columns))}.",
            )
        text = angebote[column].astype("string").str.strip()
        mask &= text.isin(values).fillna(False).to_numpy(dtype=bool)
    selected = angebote if mask.all() else angebote[mask]
    if len(selected) == 0:
        raise AnalysisError(
            f"Kein Angebot erfüllt die Auswahl ({describe_selection(type_label(typ), filter)}).",
            hinweis="Lockern Sie den Filter oder prüfen Sie die Schreibweise der Werte "
            "(z. B. 'ja', 'teilweise', 'nein', 'unbekannt').",
        )
    return selected


def type_label(typ: str | Sequence[str] | None) -> str | None:
    """One service type, or several joined by commas, as text for messages (None stays None)."""
    if typ is None or isinstance(typ, str):
        return typ
    return ", ".join(typ)
