"""Candidate sites for new offers (``kandidaten``): public buildings, community places, user lists.

Location suggestions (:mod:`analyses.location`) choose among candidate sites. Planners think of
places the municipality can actually use: its own buildings, schools and family centres, community
and parish centres, and the premises of existing services (sharing an office is the cheapest way to
open a consultation hour). :func:`candidate_sites` selects these from the region's layers:

* buildings whose OSM ``building`` value marks a public or community use
  (:data:`BUILDING_KINDS`), and buildings of any use whose name says so
  (:data:`NAME_PATTERN`: Rathaus, Bürgerhaus, Begegnungsstätte, Stadtteilbüro, Pfarrheim,
  Familienzentrum, Bibliothek, VHS, …), except university buildings;
* the locations of the existing offers (``angebote``), as shared premises.

Candidates closer than ``merge_distance_m`` to a better-ranked one (a school complex of five
buildings) are merged into that one. A planner's own list (CSV/XLSX with a name and coordinates)
is read with :func:`read_candidate_table`, with German messages for every bad row.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from layers.errors import InputValidationError, Problem
from layers.store import RegionStore
from layers.validation import find_column, read_table, renumber, row_numbers, table_points

__all__ = [
    "BUILDING_KINDS",
    "COLUMNS",
    "DEFAULT_MERGE_DISTANCE_M",
    "EXCLUDED_BUILDINGS",
    "ID_ALIASES",
    "NAMED_KIND",
    "NAME_ALIASES",
    "NAME_PATTERN",
    "SERVICE_KIND",
    "candidate_sites",
    "candidate_sites_from_store",
    "read_candidate_table",
]

# OSM building values that mark a building usable for public offers, with the German label
# shown to planners, in order of preference when candidates are merged.
BUILDING_KINDS: dict[str, str] = {
    "townhall": "Rathaus / Verwaltung",
    "government": "Rathaus / Verwaltung",
    "civic": "Öffentliches Gebäude",
    "public": "Öffentliches Gebäude",
    "community_centre": "Gemeinschaftszentrum",
    "social_facility": "Soziale Einrichtung",
    "college": "Bildungseinrichtung (VHS, Kolleg)",
    "school": "Schule",
    "kindergarten": "Kita / Familienzentrum",
}
NAME_PATTERN = re.compile(
    r"Rathaus|Bezirksamt|Bürgerhaus\b|Bürgerhauses|Bürgerzentrum|Bürgerbüro|Begegnung|Stadtteilbüro|"
    r"Stadtteilzentrum|Quartiersbüro|Nachbarschafts|Gemeindezentrum|Gemeindehaus|Pfarrheim|"
    r"Pfarrzentrum|Familienzentrum|Jugendzentrum|Seniorenzentrum|Bibliothek|Bücherei|"
    r"Volkshochschule|\bVHS\b",
    re.IGNORECASE,
)
NAMED_KIND = "Gemeinschafts- oder Bürgerhaus (nach Name)"
SERVICE_KIND = "Räume eines bestehenden Angebots"
EXCLUDED_BUILDINGS = {"university"}
DEFAULT_MERGE_DISTANCE_M = 30.0

COLUMNS = ["kandidat_id", "name", "art", "quelle"]


def _empty(crs: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype="string") for c in COLUMNS}, geometry=gpd.GeoSeries([], crs=crs), crs=crs
    )


def candidate_sites(
    buildings: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame | None = None,
    *,
    merge_distance_m: float = DEFAULT_MERGE_DISTANCE_M,
) -> gpd.GeoDataFrame:
    """Select candidate sites from buildings and existing offers.

    Existing premises rank first, then buildings by the order of :data:`BUILDING_KINDS` (named
    ones before unnamed ones); a candidate within ``merge_distance_m`` of a better one is
    dropped.

    Parameters
    ----------
    buildings
        The ``gebaeude`` layer (``osm_id``, ``building``, ``name``); not changed.
    services
        The ``angebote`` layer, or None to leave existing offers out.
    merge_distance_m
        Candidates closer than this to a better-ranked candidate are dropped.

    Returns
    -------
    geopandas.GeoDataFrame
        Points (a building's representative point) with ``kandidat_id``, ``name``, ``art``
        (German kind) and ``quelle`` (``osm_gebaeude`` or ``angebote``), in the buildings' CRS.
    """
    crs = buildings.crs
    parts: list[gpd.GeoDataFrame] = []
    chosen = _building_candidates(buildings)
    if chosen is not None:
        parts.append(chosen)
    if services is not None and len(services):
        parts.append(
            gpd.GeoDataFrame(
                {
                    "kandidat_id": ("ang-" + services["angebot_id"].astype(str)).to_numpy(),
                    "name": services["name"].astype("string").to_numpy(),
                    "art": (SERVICE_KIND + " (" + services["typ"].astype(str) + ")").to_numpy(),
                    "quelle": "angebote",
                    "_rang": -1.0,  # existing premises first: they exist and are known
                },
                geometry=services.geometry.to_numpy(),
                crs=services.crs,
            )
        )
    if not parts:
        return _empty(crs)
    frame = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=crs)
    frame = frame.sort_values(["_rang", "kandidat_id"], kind="stable").reset_index(drop=True)
    keep = _thin(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy(), merge_distance_m)
    frame = frame[keep].drop(columns="_rang").reset_index(drop=True)
    frame["kandidat_id"] = frame["kandidat_id"].astype("string")
    frame["name"] = frame["name"].astype("string")
    frame["art"] = frame["art"].astype("string")
    frame["quelle"] = frame["quelle"].astype("string")
    return frame


def _building_candidates(buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """Buildings of a candidate kind or name, with their rank (``_rang``); None if there are none."""
    if not len(buildings):
        return None
    kind_value = buildings["building"].astype("string").fillna("")
    by_kind = kind_value.isin(list(BUILDING_KINDS)).to_numpy()
    by_name = np.zeros(len(buildings), dtype=bool)
    if "name" in buildings:
        by_name = (
            buildings["name"].astype("string").fillna("").str.contains(NAME_PATTERN)
            .to_numpy(dtype=bool)
            & ~kind_value.isin(list(EXCLUDED_BUILDINGS)).to_numpy()
        )
    chosen = buildings[by_kind | by_name]
    if not len(chosen):
        return None
    kinds = chosen["building"].astype("string").fillna("")
    label = kinds.map(BUILDING_KINDS).fillna(NAMED_KIND)
    rank = kinds.map({k: i for i, k in enumerate(BUILDING_KINDS)}).fillna(len(BUILDING_KINDS))
    name = chosen["name"].astype("string") if "name" in chosen else pd.Series(pd.NA, index=chosen.index)
    return gpd.GeoDataFrame(
        {
            "kandidat_id": ("geb-" + chosen["osm_id"].astype(str)).to_numpy(),
            "name": name.fillna(label).to_numpy(),
            "art": label.to_numpy(),
            "quelle": "osm_gebaeude",
            "_rang": rank.to_numpy(dtype=float) + np.where(name.isna(), 0.5, 0.0),
        },
        geometry=chosen.geometry.representative_point().to_numpy(),
        crs=buildings.crs,
    )


def _thin(x: np.ndarray, y: np.ndarray, distance: float) -> np.ndarray:
    """Keep a point unless an earlier kept point is within ``distance`` (order = preference)."""
    keep = np.zeros(len(x), dtype=bool)
    kept_x: list[float] = []
    kept_y: list[float] = []
    for i in range(len(x)):
        if kept_x:
            d2 = (np.asarray(kept_x) - x[i]) ** 2 + (np.asarray(kept_y) - y[i]) ** 2
            if d2.min() < distance * distance:
                continue
        keep[i] = True
        kept_x.append(float(x[i]))
        kept_y.append(float(y[i]))
    return keep


def candidate_sites_from_store(
    store: RegionStore, *, with_services: bool = True, merge_distance_m: float = DEFAULT_MERGE_DISTANCE_M
) -> gpd.GeoDataFrame:
    """:func:`candidate_sites` over the ``gebaeude`` (and ``angebote``) layers of a store."""
    buildings = store.read_layer("gebaeude", columns=["osm_id", "building", "name"])
    services = store.read_layer("angebote") if with_services else None
    assert isinstance(buildings, gpd.GeoDataFrame)
    return candidate_sites(
        buildings,
        services if isinstance(services, gpd.GeoDataFrame) else None,
        merge_distance_m=merge_distance_m,
    )


# --------------------------------------------------------------------------------------------
# A planner's own list
# --------------------------------------------------------------------------------------------

NAME_ALIASES = ("name", "bezeichnung", "standort", "titel", "gebaeude", "gebäude")
ID_ALIASES = ("kandidat_id", "id", "nr", "nummer", "standort_id")


def read_candidate_table(
    path: str | Path,
    *,
    crs: CRS | str | int,
    region: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Read a planner's list of candidate sites (CSV or XLSX).

    The file needs a name column (``Name``/``Bezeichnung``/``Standort``) and coordinates, either
    WGS 84 degrees (``lon``/``lat``, ``Längengrad``/``Breitengrad``) or metric coordinates in the
    region CRS (``Rechtswert``/``Hochwert``). Decimal commas are fine. An id column is optional.

    Parameters
    ----------
    path
        The file.
    crs
        The region's working CRS.
    region
        The ``region`` layer (boundary), to catch points outside the region and swapped
        longitude/latitude.

    Returns
    -------
    geopandas.GeoDataFrame
        ``kandidat_id``, ``name``, ``art`` ("eigene Liste"), ``quelle`` (``liste``), points in
        the region CRS.

    Raises
    ------
    SourceDataError
        If the file cannot be read.
    InputValidationError
        Naming every bad row and column (missing name, missing or unparseable coordinates,
        points outside the region, duplicate ids); nothing is returned then.
    """
    path = Path(path)
    table = read_table(path)
    rows = row_numbers(table)  # the rows the user sees (blank rows are dropped when reading)
    table = table.reset_index(drop=True)
    region_crs = CRS.from_user_input(crs)
    name_col = find_column(table.columns, NAME_ALIASES)
    problems: list[Problem] = []
    if name_col is None:
        problems.append(
            Problem(
                "Die Spalte mit dem Namen des Standorts fehlt.",
                "Nennen Sie eine Spalte 'Name' (oder 'Bezeichnung').",
                datei=str(path),
            )
        )
    boundary = region.to_crs(region_crs).geometry.union_all()
    xs, ys, found = table_points(table, crs=region_crs, boundary=boundary, datei=path)
    problems.extend(renumber(found, rows))
    names = _candidate_names(table, name_col, rows, path, problems)
    ids = _candidate_ids(table, rows, path, problems)
    errors = [p for p in problems if p.schwere == "fehler"]
    if errors:
        raise InputValidationError(
            f"Die Standortliste enthält {len(errors)} Fehler; es wurde nichts übernommen.",
            hinweis="Korrigieren Sie die genannten Zeilen und laden Sie die Datei erneut.",
            datei=path,
            probleme=sorted(errors, key=lambda p: (p.zeile or 0, p.spalte or "")),
        )
    return gpd.GeoDataFrame(
        {
            "kandidat_id": ("liste-" + ids).to_numpy(),
            "name": names.to_numpy(),
            "art": "eigene Liste",
            "quelle": "liste",
        },
        geometry=gpd.points_from_xy(xs, ys),
        crs=region_crs,
    ).astype({"kandidat_id": "string", "name": "string", "art": "string", "quelle": "string"})


def _candidate_names(
    table: pd.DataFrame, name_col: str | None, rows: np.ndarray, path: Path,
    problems: list[Problem],
) -> pd.Series:
    """The stripped names (all missing without a name column); empty names go to ``problems``."""
    if name_col is None:
        return pd.Series(pd.NA, index=table.index, dtype="string")
    names = table[name_col].astype("string").str.strip()
    for pos in np.flatnonzero(names.fillna("").eq("").to_numpy()):
        problems.append(
            Problem(
                "Der Name des Standorts fehlt.",
                "Tragen Sie einen Namen ein, damit der Vorschlag erkennbar ist.",
                datei=str(path), zeile=int(rows[pos]), spalte=name_col,
            )
        )
    return names


def _candidate_ids(
    table: pd.DataFrame, rows: np.ndarray, path: Path, problems: list[Problem]
) -> pd.Series:
    """The id column (or the row counts 1, 2, … without one); repeated ids go to ``problems``."""
    id_col = find_column(table.columns, ID_ALIASES)
    ids = (
        table[id_col].astype("string").str.strip()
        if id_col is not None
        else pd.Series([str(pos + 1) for pos in range(len(table))], dtype="string")
    )
    for pos in np.flatnonzero(ids.duplicated(keep="first").to_numpy()):
        problems.append(
            Problem(
                f"Die ID '{ids.iloc[pos]}' kommt mehrfach vor.",
                "Vergeben Sie jede ID nur einmal.",
                datei=str(path), zeile=int(rows[pos]), spalte=id_col,
            )
        )
    return ids
