"""Ways of access per planning area: outreach, opening hours, "at a time", digital-only offers.

* :func:`outreach_coverage`: every inhabitant once as "vor Ort erreichbar" (an offer of the
  question within its minutes, :func:`planungsraeume.erreichbarkeit.travel_times`), else
  "aufsuchend versorgt" (inside the responsibility area of an outreach offer of the selection,
  :func:`analyses.aufsuchend.outreach_membership`), else "nicht versorgt"; per area
  (:func:`analyses.aufsuchend.kinds_by_area`); :func:`gaps` is the gap layer with or without
  the cells served by outreach. A car radius is **modelled** like the mobile
  office's driving times (pedestrian-network length at
  :data:`planungsraeume.mobiles_buero.CAR_SPEED_KMH`).
* :func:`question_at`: the same question narrowed to the offers open at a moment of the week
  ("Di 17:00"; :func:`layers.sprechzeiten.open_at`); every reachability answer of that question
  (coverage, gaps …) then counts only open offices. Offers without readable hours count as
  open or closed by ``unbekannt_offen``.
* :func:`hours_by_area`: open hours per week of the selected offers per area (hours in which at
  least one is open, and the sum), offers with unreadable hours counted apart.
* :func:`digital_only_by_area`: offers reachable only by telephone, video or online per area,
  and areas whose offers are all digital-only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.aufsuchend import OUTREACH, coverage_kinds, kinds_by_area, outreach_membership
from analyses.network.profiles import get_profile
from analyses.network.search import travel_time_matrix
from layers.praesenz import ZONE_TABLE, empty_zones
from layers.sprechzeiten import hours_table, open_at, parse_moment, union_hours
from planungsraeume import erreichbarkeit
from planungsraeume.cache import cached
from planungsraeume.frage import Question
from planungsraeume.mobiles_buero import CAR_SPEED_KMH
from planungsraeume.region import Region

__all__ = ["cell_kinds", "digital_only_by_area", "gaps", "hours_by_area", "outreach_coverage",
           "question_at"]


def _radius_reach(region: Region, offers: pd.DataFrame, zones: pd.DataFrame,
                  cells_index: pd.Index) -> dict[str, np.ndarray]:
    """Cells reached by car within each radius zone's minutes (modelled, see the module)."""
    radius = zones[zones["art"].astype(str) == "radius"]
    if not len(radius):
        return {}
    graph = region.graph("fuss", "optimistisch")
    snapped = region.snapped_cells("fuss", "optimistisch")
    factor = CAR_SPEED_KMH / (get_profile("fuss").geschwindigkeit_m_s * 3.6)
    reach: dict[str, np.ndarray] = {}
    positions = offers.set_index(offers["angebot_id"].astype(str))
    minutes = pd.to_numeric(radius["minuten"], errors="coerce").to_numpy(dtype=float)
    for ident, limit in zip(radius["angebot_id"].astype(str), minutes, strict=True):
        point = positions.loc[[ident]].reset_index(drop=True)
        walking = float(limit) * factor
        matrix = travel_time_matrix(graph, snapped, point, walking, ziel_id="angebot_id",
                                    name="aufsuchende Angebote")
        hit = pd.Series(np.diff(matrix.minuten.tocsr().indptr) > 0, index=matrix.origin_index)
        reach[ident] = hit.reindex(cells_index).fillna(False).to_numpy(dtype=bool)
    return reach


@cached("aufsuchend_zellen")
def cell_kinds(region: Region, frage: Question) -> pd.Series:
    """Per populated cell one category (:func:`analyses.aufsuchend.coverage_kinds`).

    ``attrs["aufsuchende_angebote"]`` lists the outreach offers that counted.
    """
    offers = region.selected_offers(frage)
    travel = erreichbarkeit.travel_times(region, frage)
    cells = region.cells()
    onsite = (pd.to_numeric(travel["minuten"], errors="coerce")
              .reindex(cells.index) <= float(frage.minuten)).to_numpy()
    zones = region.layer(ZONE_TABLE) if region.has_layer(ZONE_TABLE) else empty_zones(region.crs)
    outreach = offers[offers["aufsuchend"].astype(str) == "ja"]
    zones = zones[zones["angebot_id"].astype(str).isin(outreach["angebot_id"].astype(str))]
    membership = outreach_membership(cells, region.cell_areas(), zones,
                                     _radius_reach(region, outreach, zones, cells.index))
    away = membership.any(axis=1).to_numpy() if membership.shape[1] else \
        np.zeros(len(cells), dtype=bool)
    kinds = coverage_kinds(onsite, away, index=cells.index)
    kinds.attrs["aufsuchende_angebote"] = sorted(membership.columns)
    return kinds


@cached("aufsuchend_versorgt")
def outreach_coverage(region: Region, frage: Question) -> pd.DataFrame:
    """Inhabitants per area "vor Ort erreichbar", "aufsuchend versorgt", "nicht versorgt".

    Returns
    -------
    pandas.DataFrame
        :func:`analyses.aufsuchend.kinds_by_area` in area order with ``name``; ``attrs``
        ``aufsuchende_angebote`` lists the outreach offers that counted.
    """
    kinds = cell_kinds(region, frage)
    table = kinds_by_area(kinds, region.cells(), region.cell_areas(),
                          region.areas()["pr_id"].astype(str).tolist())
    table.insert(1, "name", table["pr_id"].map(region.area_names()).fillna(table["pr_id"]))
    table.attrs["aufsuchende_angebote"] = list(kinds.attrs.get("aufsuchende_angebote", []))
    return table


def gaps(region: Region, frage: Question, *, aufsuchend_zaehlt: bool = True) -> pd.DataFrame:
    """The gap layer (:func:`planungsraeume.erreichbarkeit.gaps`), with or without outreach.

    With ``aufsuchend_zaehlt`` the cells served by an outreach offer are no gap; without it the
    gap layer is the one of the reachability page unchanged.
    """
    layer = erreichbarkeit.gaps(region, frage)
    if not aufsuchend_zaehlt:
        return layer
    kinds = cell_kinds(region, frage)
    served = kinds.reindex(layer.index).astype(str) == OUTREACH
    return layer[~served.to_numpy()]


def question_at(region: Region, frage: Question, zeitpunkt: str, *,
                unbekannt_offen: bool = False) -> Question:
    """The question narrowed to the offers open at ``zeitpunkt`` ("Di 17:00").

    Raises
    ------
    InputValidationError
        For a moment that cannot be read (German).
    AnalysisError
        If no selected offer is open then (from the next reachability answer).
    """
    minute = parse_moment(zeitpunkt)
    offers = region.selected_offers(frage)
    table = hours_table(offers)
    open_now = open_at(table.attrs["zeiten"], minute, unbekannt_offen=unbekannt_offen)
    ids = sorted(offers["angebot_id"].astype(str).to_numpy()[open_now]) or ["(keines geöffnet)"]
    return frage.with_(weitere_filter=(*frage.weitere_filter, ("angebot_id", tuple(ids))))


@cached("oeffnungszeiten_je_planungsraum")
def hours_by_area(region: Region, frage: Question) -> pd.DataFrame:
    """Open hours per week of the selected offers per planning area.

    Returns
    -------
    pandas.DataFrame
        ``pr_id``, ``name``, ``angebote``, ``stunden_offen`` (hours per week in which at least
        one offer of the area is open), ``stunden_summe`` (sum over the offers),
        ``zeiten_unbekannt`` (offers without readable hours).
    """
    offers = region.selected_offers(frage)
    table = hours_table(offers)
    parsed = table.attrs["zeiten"]
    areas = offers["pr_id"].astype(str).to_numpy()
    rows = []
    for area in [*region.areas()["pr_id"].astype(str), *sorted(set(areas) - set(
            region.areas()["pr_id"].astype(str)))]:
        mine = [parsed[i] for i in np.flatnonzero(areas == area)]
        known = [p for p in mine if p.bekannt]
        rows.append({"pr_id": area, "angebote": len(mine), "stunden_offen": union_hours(known),
                     "stunden_summe": float(sum(p.stunden_je_woche for p in known)),
                     "zeiten_unbekannt": len(mine) - len(known)})
    result = pd.DataFrame(rows)
    result.insert(1, "name", result["pr_id"].map(region.area_names()).fillna(result["pr_id"]))
    return result


def _digital_only(value: object) -> bool:
    ways = [w for w in str(value or "").split(";") if w] if isinstance(value, str) else []
    return bool(ways) and "vor Ort" not in ways


@cached("nur_digital_je_planungsraum")
def digital_only_by_area(region: Region, frage: Question) -> pd.DataFrame:
    """Per area: offers, offers reachable only digitally, and whether that is all of them.

    An offer without ``zugangswege`` counts as "vor Ort" (the default of the directory).

    Returns
    -------
    pandas.DataFrame
        ``pr_id``, ``name``, ``angebote``, ``nur_digital``, ``anteil_nur_digital`` (0–1, NaN
        without offers), ``nur_digital_erreichbar`` (the area has offers, all digital-only).
    """
    offers = region.selected_offers(frage)
    ways = offers["zugangswege"] if "zugangswege" in offers.columns else \
        pd.Series([None] * len(offers), index=offers.index)
    frame = pd.DataFrame({"pr_id": offers["pr_id"].astype(str).to_numpy(),
                          "nur_digital": [_digital_only(v) for v in ways]})
    sums = frame.groupby("pr_id").agg(angebote=("nur_digital", "size"),
                                      nur_digital=("nur_digital", "sum"))
    order = region.areas()["pr_id"].astype(str).tolist()
    sums = sums.reindex([*order, *[k for k in sums.index if k not in order]]).fillna(0)
    sums = sums.astype(int)
    share = sums["nur_digital"] / sums["angebote"].where(sums["angebote"] > 0)
    result = sums.assign(anteil_nur_digital=share,
                         nur_digital_erreichbar=(sums["angebote"] > 0)
                         & (sums["nur_digital"] == sums["angebote"]))
    result = result.rename_axis("pr_id").reset_index()
    result.insert(1, "name", result["pr_id"].map(region.area_names()).fillna(result["pr_id"]))
    return result
