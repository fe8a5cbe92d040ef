"""Outreach (aufsuchende Angebote): which population cells an outreach offer serves at home.

An outreach offer comes to people instead of people coming to it. It states its responsibility
area (Zuständigkeitsgebiet) in one of three ways (``art``):

* ``flaeche``: a polygon; a cell belongs to it when the cell's centre lies inside (the same
  centre rule as the planning areas);
* ``planungsraeume``: a list of planning-area ids; a cell belongs to it when the one cell→area
  rule puts it into one of them;
* ``radius``: a travel time by car from the offer; the caller computes which cells the car
  reaches within it and passes that as a boolean vector.

A cell inside the areas of several outreach offers, or reached on site as well, is still one
cell: :func:`coverage_kinds` gives every cell exactly one category, "vor Ort erreichbar" first,
then "aufsuchend versorgt", else "nicht versorgt", so that the categories of an area add up to
its inhabitants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.errors import AnalysisError

__all__ = [
    "KINDS",
    "ONSITE",
    "OUTREACH",
    "UNSERVED",
    "ZONE_KINDS",
    "coverage_kinds",
    "kinds_by_area",
    "outreach_membership",
]

ONSITE = "vor Ort erreichbar"
OUTREACH = "aufsuchend versorgt"
UNSERVED = "nicht versorgt"
KINDS = (ONSITE, OUTREACH, UNSERVED)
#: How an outreach offer states its responsibility area.
ZONE_KINDS = {"flaeche": "Fläche", "planungsraeume": "Liste von Planungsräumen",
              "radius": "Fahrzeit mit dem Auto"}


def _area_list(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in str(value).replace(";", ",").split(",") if p.strip()]


def outreach_membership(
    cells: gpd.GeoDataFrame,
    cell_areas: pd.Series,
    zones: pd.DataFrame,
    radius_reach: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Which cells lie in the responsibility area of which outreach offer.

    Parameters
    ----------
    cells
        Population cells (polygons or points, region CRS).
    cell_areas
        Planning area of every cell (indexed like ``cells``).
    zones
        One row per outreach offer: ``angebot_id``, ``art`` (see :data:`ZONE_KINDS`),
        ``planungsraeume`` (comma-separated ids, for ``planungsraeume``) and a geometry (for
        ``flaeche``; may be empty otherwise).
    radius_reach
        For offers of kind ``radius``: per ``angebot_id`` a boolean vector over ``cells``
        (reached by car within the offer's minutes).

    Returns
    -------
    pandas.DataFrame
        Boolean, cells × outreach offers (columns = ``angebot_id``), indexed like ``cells``.

    Raises
    ------
    AnalysisError
        For an unknown kind or a radius offer without its reach vector.
    """
    centres = shapely.centroid(cells.geometry.to_numpy())
    keys = cell_areas.reindex(cells.index).astype(str).to_numpy()
    columns: dict[str, np.ndarray] = {}
    geometries = zones.geometry.to_numpy() if isinstance(zones, gpd.GeoDataFrame) else None
    for position, row in enumerate(zones.itertuples(index=False)):
        offer, kind = str(row.angebot_id), str(row.art)
        if kind == "flaeche":
            shape = geometries[position] if geometries is not None else None
            if shape is None or shapely.is_empty(shape):
                raise AnalysisError(f"Das aufsuchende Angebot '{offer}' hat keine Fläche.",
                                    hinweis="Tragen Sie das Zuständigkeitsgebiet als Fläche ein.")
            member = shapely.contains_xy(shape, shapely.get_x(centres), shapely.get_y(centres))
        elif kind == "planungsraeume":
            member = np.isin(keys, _area_list(getattr(row, "planungsraeume", None)))
        elif kind == "radius":
            if radius_reach is None or offer not in radius_reach:
                raise AnalysisError(f"Für das aufsuchende Angebot '{offer}' fehlt die Fahrzeit.",
                                    hinweis="Berechnen Sie die Fahrzeiten mit dem Profil 'pkw'.")
            member = np.asarray(radius_reach[offer], dtype=bool)
        else:
            raise AnalysisError(f"Unbekannte Art des Zuständigkeitsgebiets '{kind}' ({offer}).",
                                hinweis=f"Erlaubt sind: {', '.join(ZONE_KINDS)}.")
        columns[offer] = columns.get(offer, np.zeros(len(cells), dtype=bool)) | member
    return pd.DataFrame(columns, index=cells.index, dtype=bool)


def coverage_kinds(onsite: Sequence[bool] | np.ndarray, outreach: Sequence[bool] | np.ndarray,
                   index: pd.Index | None = None) -> pd.Series:
    """One category per cell: on site first, then outreach, else not served."""
    here = np.asarray(onsite, dtype=bool)
    away = np.asarray(outreach, dtype=bool)
    if here.shape != away.shape:
        raise AnalysisError("Vor-Ort- und aufsuchende Versorgung haben verschieden viele Zellen.",
                            hinweis="Beide müssen je Rasterzelle einen Wert haben.")
    codes = np.where(here, 0, np.where(away, 1, 2)).astype(np.int64)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(list(KINDS))), index=index,
                     name="versorgung")


def kinds_by_area(
    kinds: pd.Series,
    cells: pd.DataFrame,
    cell_areas: pd.Series,
    order: Sequence[str],
    columns: Sequence[str] = ("einwohner", "alter_65_plus"),
) -> pd.DataFrame:
    """Inhabitants per planning area and category (each cell counted once).

    Returns
    -------
    pandas.DataFrame
        One row per area in ``order`` (then areas not in it): ``pr_id`` and, for each column
        ``c`` of ``columns``, ``c`` (total), ``c_vor_ort``, ``c_aufsuchend``,
        ``c_nicht_versorgt`` and the shares ``anteil_vor_ort``, ``anteil_aufsuchend``,
        ``anteil_versorgt`` (of the first column).
    """
    keys = cell_areas.reindex(kinds.index).astype(str).to_numpy()
    suffix = {ONSITE: "vor_ort", OUTREACH: "aufsuchend", UNSERVED: "nicht_versorgt"}
    frame = pd.DataFrame({"pr_id": keys})
    for column in columns:
        values = pd.to_numeric(cells.loc[kinds.index, column], errors="coerce").fillna(0.0)
        frame[column] = values.to_numpy(dtype=float)
        for kind, name in suffix.items():
            frame[f"{column}_{name}"] = np.where(kinds.to_numpy() == kind, frame[column], 0.0)
    sums = frame.groupby("pr_id").sum()
    wanted = [*order, *[k for k in sums.index if k not in order]]
    sums = sums.reindex(wanted).fillna(0.0)
    first = columns[0]
    total = sums[first].where(sums[first] > 0)
    sums["anteil_vor_ort"] = sums[f"{first}_vor_ort"] / total
    sums["anteil_aufsuchend"] = sums[f"{first}_aufsuchend"] / total
    sums["anteil_versorgt"] = (sums[f"{first}_vor_ort"] + sums[f"{first}_aufsuchend"]) / total
    return sums.rename_axis("pr_id").reset_index()
