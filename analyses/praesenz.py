"""Presence of a provider (Träger): every place where it is present, and a summary per area.

Pure functions over frames: the offers (the provider's own offices are its offers, by
``traeger``) and the ``praesenz`` rows (office hours in other organisations' rooms, dated events)
in, one frame of places out. A place is

* ``eigene Stelle`` – an active offer of the provider (its opening hours as the times);
* ``Sprechstunde`` – regular office hours in a host offer's rooms (the host's point);
* ``Veranstaltung`` – a dated event (counted only if it lies in the window asked for).

Weekly hours come from :func:`layers.sprechzeiten.parse_hours` (what cannot be parsed counts as
unknown, never as zero, and is listed in ``zeiten_fehler``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.sprechzeiten import parse_hours

__all__ = ["EVENT", "OFFICE", "OFFICE_HOURS", "PLACE_KINDS", "presence_by_area",
           "presence_places", "providers"]

OFFICE = "eigene Stelle"
OFFICE_HOURS = "Sprechstunde"
EVENT = "Veranstaltung"
PLACE_KINDS = (OFFICE, OFFICE_HOURS, EVENT)
_COLUMNS = ["ort_id", "art", "name", "gastgeber", "zeiten", "stunden_woche", "zeiten_fehler",
            "datum", "pr_id", "quelle", "geometry"]


def providers(offers: pd.DataFrame, presence: pd.DataFrame) -> pd.DataFrame:
    """Every provider named in the offers or the presence list, with counts, most places first.

    Names that differ only in case or surrounding spaces are one provider (shown in the
    spelling met first), as in :func:`presence_places`.
    """
    own = offers["traeger"].dropna().astype(str).str.strip()
    other = presence["traeger"].dropna().astype(str).str.strip() if len(presence) else \
        pd.Series([], dtype=str)
    own, other = own[own != ""], other[other != ""]
    spelling: dict[str, str] = {}
    for name in [*own, *other]:
        spelling.setdefault(name.casefold(), name)
    table = pd.DataFrame({
        "eigene_stellen": own.str.casefold().value_counts(),
        "praesenz_eintraege": other.str.casefold().value_counts(),
    }).fillna(0).astype(int)
    table["orte"] = table.sum(axis=1)
    table.index = [spelling[k] for k in table.index]
    table = table.rename_axis("traeger").reset_index()
    return table.sort_values(["orte", "traeger"], ascending=[False, True]).reset_index(drop=True)


def _hours(text: object) -> tuple[float, str | None]:
    parsed = parse_hours(text)
    if not parsed.bekannt:
        return np.nan, parsed.fehler
    return float(parsed.stunden_je_woche), None


def presence_places(
    offers: gpd.GeoDataFrame,
    presence: gpd.GeoDataFrame,
    provider: str,
    *,
    von: date,
    bis: date,
) -> gpd.GeoDataFrame:
    """All places where ``provider`` is present: own offices, office hours, events in [von, bis].

    Parameters
    ----------
    offers
        The active offers with ``angebot_id``, ``name``, ``traeger``, ``oeffnungszeiten``,
        ``pr_id``, ``quelle`` (region CRS).
    presence
        The ``praesenz`` layer (``art`` ``sprechstunde``/``veranstaltung``, ``gastgeber_id``,
        ``zeiten``, ``datum`` …).
    provider
        The provider's name as written in ``traeger`` (case and spaces ignored).
    von, bis
        Events count if their date lies in this window.

    Returns
    -------
    geopandas.GeoDataFrame
        ``ort_id``, ``art`` (:data:`PLACE_KINDS`), ``name``, ``gastgeber`` (host's name),
        ``zeiten``, ``stunden_woche`` (NaN if unknown or an event), ``zeiten_fehler``, ``datum``,
        ``pr_id``, ``quelle``, point.
    """
    key = provider.strip().casefold()
    mine = offers[offers["traeger"].astype("string").fillna("").str.strip().str.casefold() == key]
    rows = []
    for row in mine.itertuples():
        hours, error = _hours(row.oeffnungszeiten)
        rows.append({"ort_id": str(row.angebot_id), "art": OFFICE, "name": str(row.name),
                     "gastgeber": None, "zeiten": row.oeffnungszeiten, "stunden_woche": hours,
                     "zeiten_fehler": error, "datum": None, "pr_id": str(row.pr_id),
                     "quelle": str(row.quelle), "geometry": row.geometry})
    hosts = offers.set_index(offers["angebot_id"].astype(str))
    if len(presence):
        chosen = presence[presence["traeger"].astype("string").fillna("").str.strip()
                          .str.casefold() == key]
        for row in chosen.itertuples():
            host = str(row.gastgeber_id) if isinstance(row.gastgeber_id, str) else None
            if host is not None and host not in hosts.index:
                continue  # the host offer is retired: no place any more
            if row.art == "veranstaltung":
                day = str(row.datum) if isinstance(row.datum, str) else ""
                if not day or not von.isoformat() <= day <= bis.isoformat():
                    continue
                hours, error, kind = np.nan, None, EVENT
            else:
                (hours, error), kind = _hours(row.zeiten), OFFICE_HOURS
            point = hosts.loc[host].geometry if host is not None else row.geometry
            area = str(hosts.loc[host, "pr_id"]) if host is not None else None
            rows.append({"ort_id": str(row.praesenz_id), "art": kind, "name": str(row.name),
                         "gastgeber": str(hosts.loc[host, "name"]) if host else None,
                         "zeiten": row.zeiten if kind == OFFICE_HOURS else
                         f"{row.beginn or ''}–{row.ende or ''}".strip("–"),
                         "stunden_woche": hours, "zeiten_fehler": error,
                         "datum": row.datum if kind == EVENT else None, "pr_id": area,
                         "quelle": str(row.quelle), "geometry": point})
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=offers.crs)


def presence_by_area(places: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """Per planning area: own offices, office hours, events, known weekly hours, unknown hours.

    Places without an area (an event at coordinates) must have ``pr_id`` filled in by the caller.

    Returns
    -------
    pandas.DataFrame
        ``pr_id``, ``eigene_stellen``, ``sprechstunden``, ``veranstaltungen``, ``orte``,
        ``stunden_woche`` (sum of the known weekly hours of offices and office hours),
        ``zeiten_unbekannt`` (places whose hours could not be read).
    """
    frame = pd.DataFrame({
        "pr_id": places["pr_id"].astype(str),
        "eigene_stellen": (places["art"] == OFFICE).astype(int),
        "sprechstunden": (places["art"] == OFFICE_HOURS).astype(int),
        "veranstaltungen": (places["art"] == EVENT).astype(int),
        "stunden_woche": pd.to_numeric(places["stunden_woche"], errors="coerce").fillna(0.0),
        "zeiten_unbekannt": ((places["art"] != EVENT)
                             & places["stunden_woche"].isna()).astype(int),
    })
    sums = frame.groupby("pr_id").sum()
    wanted = [*order, *[k for k in sums.index if k not in order]]
    sums = sums.reindex(wanted).fillna(0)
    sums["orte"] = sums[["eigene_stellen", "sprechstunden", "veranstaltungen"]].sum(axis=1)
    columns = ["eigene_stellen", "sprechstunden", "veranstaltungen", "orte", "zeiten_unbekannt"]
    sums[columns] = sums[columns].astype(int)
    return sums[[*columns[:4], "stunden_woche", "zeiten_unbekannt"]].rename_axis("pr_id") \
        .reset_index()
