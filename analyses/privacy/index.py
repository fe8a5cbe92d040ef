"""Everything a release needs to know about each report, computed once per release.

Assigning reports to planning areas, streets and grid cells (spatial joins) and hashing the
person keys is the costly part; every selection of a release (choice × year) then only masks
these arrays and counts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analyses.grid import cell_corners, grid_xy
from analyses.privacy.ptable import record_keys, report_keys
from layers.errors import PrivacyError
from layers.validation.personal import normalize_person_keys

__all__ = ["SNAP_TO_STREET_M", "ReportIndex", "assign_areas", "build_index"]

SNAP_TO_STREET_M = 25.0


@dataclass
class ReportIndex:
    """The counted reports of a release and their cells in every table.

    Attributes
    ----------
    frame
        The counted reports (inside the region, with a geometry and a person key); used only
        for filter masks.
    person
        Person index per report (after normalising the key).
    person_key
        Record key per person (cell-key method).
    report_key
        Record key per report (for the cell key of report counts).
    area, street
        Planning area and street index per report (``-1`` = none).
    grid
        Per resolution: cell index per report and the cells' lower-left corners (EPSG:3035).
    code, code_values
        ICF code index per report and the codes.
    year
        Calendar year per report (``-1`` = no valid date).
    """

    frame: pd.DataFrame
    person: np.ndarray
    person_key: np.ndarray
    report_key: np.ndarray
    area: np.ndarray
    street: np.ndarray
    grid: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]
    code: np.ndarray
    code_values: np.ndarray
    year: np.ndarray

    @property
    def n_persons(self) -> int:
        """Number of distinct persons among the counted reports."""
        return len(self.person_key)


def _stable_hash(values: pd.Series) -> np.ndarray:
    """A release-independent 63-bit hash of each text (computed once per distinct text)."""
    codes, uniques = pd.factorize(values.astype(str))
    table = np.array([int.from_bytes(hashlib.blake2b(u.encode("utf-8"), digest_size=8).digest(),
                                     "big") >> 1 for u in uniques] or [0], dtype=np.int64)
    return table[np.maximum(codes, 0)]


def build_index(
    reports: gpd.GeoDataFrame,
    *,
    boundary: shapely.Geometry,
    areas: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame | None,
    salt: str | bytes,
    resolutions: tuple[int, ...],
) -> ReportIndex:
    """Normalise, hash and place every report once (see :class:`ReportIndex`)."""
    if reports.crs is None:
        raise PrivacyError("Die Barrieremeldungen haben kein Koordinatenbezugssystem.")
    keys = normalize_person_keys(reports["person_schluessel"])
    keep = keys.notna().to_numpy() & ~reports.geometry.isna().to_numpy()
    if keep.any():
        keep[keep] = shapely.covers(boundary, reports.geometry.to_numpy()[keep])
    frame = reports[keep].reset_index(drop=True)
    person, persons = pd.factorize(keys[keep].reset_index(drop=True))
    person = person.astype(np.int64)
    person_key = record_keys(list(persons), salt)
    x, y = grid_xy(frame.geometry)
    grid: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for resolution in resolutions:
        east, north = cell_corners(x, y, resolution)
        cells, uniques = pd.factorize(east * 10_000_000 + north)
        values = np.asarray(uniques, dtype=np.int64)
        grid[resolution] = (cells.astype(np.int64), values // 10_000_000, values % 10_000_000)
    code, code_values = pd.factorize(frame["icf_code"].astype(str))
    days = pd.to_datetime(frame["datum"], errors="coerce")
    year = days.dt.year.fillna(-1).astype(np.int64).to_numpy()
    day = ((days - pd.Timestamp("1970-01-01")).dt.days).fillna(-1).astype(np.int64).to_numpy()
    content = [day, _stable_hash(frame["icf_code"]), _stable_hash(frame["qualifikator"]),
               _stable_hash(frame["beeintraechtigung"]), np.rint(frame.geometry.x).astype(np.int64),
               np.rint(frame.geometry.y).astype(np.int64)]
    area = assign_areas(frame.geometry, areas.reset_index(drop=True))
    street = (_assign_streets(frame, streets.reset_index(drop=True)) if streets is not None
              else np.full(len(frame), -1, dtype=np.int64))
    return ReportIndex(frame=frame, person=person, person_key=person_key,
                       report_key=report_keys(person_key[person], content), area=area,
                       street=street, grid=grid, code=code.astype(np.int64),
                       code_values=np.asarray(code_values, dtype=object), year=year)


def assign_areas(points: gpd.GeoSeries, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Index of the planning area containing each point (``-1`` = none; first on a border)."""
    if len(areas) == 0 or len(points) == 0:
        return np.full(len(points), -1, dtype=np.int64)
    frame = gpd.GeoDataFrame(geometry=points.reset_index(drop=True), crs=points.crs)
    joined = gpd.sjoin(frame, areas[["geometry"]].reset_index(drop=True), how="left",
                       predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    out = joined["index_right"].reindex(range(len(points))).to_numpy()
    return np.where(pd.isna(out), -1, out).astype(np.int64)


def _assign_streets(reports: gpd.GeoDataFrame, streets: gpd.GeoDataFrame) -> np.ndarray:
    from layers.geocode import normalize_street

    n = len(reports)
    out = np.full(n, -1, dtype=np.int64)
    if len(streets) == 0 or n == 0:
        return out
    index = {key: i for i, key in enumerate(streets["schluessel"])}
    if "strasse" in reports.columns:
        named = reports["strasse"].to_numpy()
        for pos in range(n):
            value: Any = named[pos]
            if isinstance(value, str) and value.strip():
                out[pos] = index.get(normalize_street(value), -1)
    todo = np.flatnonzero(out < 0)
    if len(todo):
        # Nearest search on the single lines of each street is far faster than on the merged
        # multi-part streets.
        parts = streets.geometry.explode(index_parts=False)
        owner = parts.index.to_numpy()
        tree = shapely.STRtree(parts.to_numpy())
        points = reports.geometry.iloc[todo].to_numpy()
        pairs = tree.query(points, predicate="dwithin", distance=SNAP_TO_STREET_M)
        hit = np.full(len(todo), -1, dtype=np.int64)
        if pairs.shape[1]:
            distance = shapely.distance(points[pairs[0]], tree.geometries[pairs[1]])
            # Nearest street per report; on ties (a report at a junction) the first street.
            order = np.lexsort((owner[pairs[1]], distance, pairs[0]))
            first = order[np.r_[True, pairs[0][order][1:] != pairs[0][order][:-1]]]
            hit[pairs[0][first]] = owner[pairs[1][first]]
        out[todo] = hit
    return out
