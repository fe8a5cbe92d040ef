"""Where a barrier report is: coordinates (x/y with CRS, lon/lat), an address or a whole street.

Each row of an import file is placed by the first kind of place it has, in this order: metric
coordinates, WGS 84 degrees, street + house number (the offline geocoder), street name alone (the
named street of the pedestrian network, anchored at its middle).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from layers.barrieren.reports import street_segments
from layers.errors import ConfigError, Problem
from layers.geocode import AddressIndex, normalize_street
from layers.validation import FIRST_DATA_ROW, check_lonlat, parse_crs, parse_decimal, renumber

__all__ = ["lookup_addresses", "place_column", "resolve_places"]


def lookup_addresses(
    addresses: gpd.GeoDataFrame,
    strasse: pd.Series,
    hausnummer: pd.Series,
    plz: pd.Series | None = None,
) -> list[tuple[shapely.Point | None, str]]:
    """Place addresses with the project's offline geocoder (:class:`layers.geocode.AddressIndex`).

    Returns
    -------
    list
        Per input row the point (region CRS) or ``None``, and the geocoder's German explanation.
    """
    index = AddressIndex(addresses)
    out: list[tuple[shapely.Point | None, str]] = []
    for pos in range(len(strasse)):
        result = index.lookup(
            strasse.iloc[pos], hausnummer.iloc[pos], None if plz is None else plz.iloc[pos]
        )
        point = shapely.Point(result.x, result.y) if result.placed else None
        out.append((point, result.hinweis))
    return out


def place_column(cols: dict[str, str]) -> str:
    """The column(s) a place problem is reported in (``x/y``, ``lon/lat`` or the street)."""
    if {"x", "y"} <= cols.keys():
        return f"{cols['x']}/{cols['y']}"
    if {"lon", "lat"} <= cols.keys():
        return f"{cols['lon']}/{cols['lat']}"
    return cols.get("strasse", "Ort")


@dataclass
class _Places:
    """The places found so far, row by row, and the problems met."""

    table: pd.DataFrame
    cols: dict[str, str]
    n: int
    rows: np.ndarray
    datei: str
    crs: Any
    places: list[Any] = field(init=False)
    kinds: list[str | None] = field(init=False)
    streets: list[str | None] = field(init=False)
    problems: list[Problem] = field(default_factory=list)
    done: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.places = [None] * self.n
        self.kinds = [None] * self.n
        self.streets = [None] * self.n
        self.done = np.zeros(self.n, dtype=bool)

    def col(self, name: str) -> pd.Series:
        """A mapped column (positions = data rows), or an empty one."""
        if name in self.cols:
            return self.table[self.cols[name]].reset_index(drop=True)
        return pd.Series([pd.NA] * self.n, dtype="string")

    def problem(
        self, pos: int | np.integer[Any], meldung: str, hinweis: str, spalte: str | None
    ) -> None:
        """Record a problem of row ``pos``."""
        self.problems.append(Problem(meldung, hinweis, datei=self.datei,
                                     zeile=int(self.rows[pos]), spalte=spalte))


def resolve_places(
    table: pd.DataFrame,
    cols: dict[str, str],
    n: int,
    *,
    rows: np.ndarray | None = None,
    datei: str,
    crs: Any,
    coordinate_crs: Any,
    region_boundary: shapely.Geometry,
    addresses: gpd.GeoDataFrame | None,
    edges: gpd.GeoDataFrame | None,
) -> tuple[list[Any], list[str | None], list[str | None], list[Problem], dict[str, int]]:
    """Place every row of a barrier file.

    Parameters
    ----------
    table, cols, n
        The file's text columns, the canonical → file column mapping and the number of rows.
    rows
        The spreadsheet row of every row (default: positions from row 2 on).
    datei, crs
        For messages; the region CRS.
    coordinate_crs
        CRS of ``x``/``y`` columns without a ``crs`` column (default the region CRS).
    region_boundary
        The region (for the degree bounds).
    addresses, edges
        The ``adressen`` and ``netz_kanten`` layers for address and street places.

    Returns
    -------
    tuple
        Points (region CRS, ``None`` where unresolved), kind of place per row (``koordinate``,
        ``adresse``, ``strasse``), street name of street places, the problems and the number of
        rows per kind.
    """
    rows = np.arange(n) + FIRST_DATA_ROW if rows is None else np.asarray(rows)
    state = _Places(table, cols, n, rows, datei, crs)
    if {"x", "y"} <= cols.keys():
        _from_metric(state, coordinate_crs)
    if {"lon", "lat"} <= cols.keys():
        _from_degrees(state, region_boundary)
    _from_addresses(state, addresses)
    _from_streets(state, edges)
    for pos in np.flatnonzero(~state.done):
        state.problem(
            pos, "Für die Meldung ist kein Ort angegeben.",
            "Tragen Sie Koordinaten (x/y oder lon/lat), eine Adresse (strasse, hausnummer) oder "
            "einen Straßennamen ein.", place_column(cols))
    counts = {k: state.kinds.count(k) for k in ("koordinate", "adresse", "strasse")}
    return state.places, state.kinds, state.streets, state.problems, counts


def _from_metric(state: _Places, coordinate_crs: Any) -> None:
    """Rows with x/y: transformed from their ``crs`` cell, ``coordinate_crs`` or the region CRS."""
    cols = state.cols
    x, px = parse_decimal(state.col("x"), spalte=cols["x"], datei=state.datei)
    y, py = parse_decimal(state.col("y"), spalte=cols["y"], datei=state.datei)
    state.problems += renumber(px + py, state.rows)
    default = CRS.from_user_input(coordinate_crs) if coordinate_crs is not None else state.crs
    crs_text = state.col("crs")
    for pos in np.flatnonzero(x.notna().to_numpy() & y.notna().to_numpy()):
        text = crs_text.iloc[pos]
        state.done[pos] = True
        try:
            source = (parse_crs(str(text).strip(), datei=state.datei)
                      if text is not pd.NA and str(text).strip() else default)
        except ConfigError as exc:
            state.problem(pos, exc.meldung, exc.hinweis, cols.get("crs"))
            continue
        if CRS.from_user_input(source).is_geographic:
            state.problem(
                pos, "In den Spalten x/y stehen Koordinaten eines geografischen Systems (Grad).",
                "Verwenden Sie für Grad-Angaben die Spalten lon und lat.",
                f"{cols['x']}/{cols['y']}")
            continue
        tx, ty = Transformer.from_crs(source, state.crs, always_xy=True).transform(
            float(x.iloc[pos]), float(y.iloc[pos]))
        state.places[pos] = shapely.Point(tx, ty)
        state.kinds[pos] = "koordinate"


def _from_degrees(state: _Places, region_boundary: shapely.Geometry) -> None:
    """Rows with lon/lat (WGS 84) not placed yet; swapped or far-off degrees are reported."""
    cols = state.cols
    lon, pl = parse_decimal(state.col("lon"), spalte=cols["lon"], datei=state.datei)
    lat, pb = parse_decimal(state.col("lat"), spalte=cols["lat"], datei=state.datei)
    state.problems += renumber(pl + pb, state.rows)
    to_wgs = Transformer.from_crs(state.crs, "EPSG:4326", always_xy=True)
    minx, miny, maxx, maxy = region_boundary.bounds
    lon_a, lat_a = to_wgs.transform([minx, maxx, minx, maxx], [miny, miny, maxy, maxy])
    bounds = (min(lon_a), min(lat_a), max(lon_a), max(lat_a))
    use = ~state.done & lon.notna().to_numpy() & lat.notna().to_numpy()
    lon_v = np.where(use, lon.to_numpy(), np.nan)
    lat_v = np.where(use, lat.to_numpy(), np.nan)
    bad = renumber(check_lonlat(lon_v, lat_v, bounds=bounds, datei=state.datei,
                                spalte_lon=cols["lon"], spalte_lat=cols["lat"]), state.rows)
    state.problems += bad
    bad_rows = {p.zeile for p in bad}
    from_wgs = Transformer.from_crs("EPSG:4326", state.crs, always_xy=True)
    for pos in np.flatnonzero(use):
        state.done[pos] = True
        if int(state.rows[pos]) in bad_rows:
            continue
        tx, ty = from_wgs.transform(float(lon_v[pos]), float(lat_v[pos]))
        state.places[pos] = shapely.Point(tx, ty)
        state.kinds[pos] = "koordinate"


def _from_addresses(state: _Places, addresses: gpd.GeoDataFrame | None) -> None:
    """Rows with street and house number not placed yet: the offline geocoder, exact only."""
    cols = state.cols
    street_col = state.col("strasse")
    number_col = state.col("hausnummer")
    with_address = ~state.done & street_col.notna().to_numpy() & number_col.notna().to_numpy()
    if not with_address.any():
        return
    if addresses is None or addresses.empty:
        for pos in np.flatnonzero(with_address):
            state.problem(
                pos, "Adressen können nicht aufgelöst werden: die Ebene 'adressen' ist leer.",
                "Geben Sie Koordinaten an.", cols["strasse"])
        return
    idx = np.flatnonzero(with_address)
    found = lookup_addresses(
        addresses, street_col.iloc[idx], number_col.iloc[idx],
        state.col("plz").iloc[idx] if "plz" in cols else None,
    )
    for pos, (point, reason) in zip(idx, found, strict=True):
        state.done[pos] = True
        if point is None:
            state.problem(
                pos,
                f"Die Adresse '{street_col.iloc[pos]} {number_col.iloc[pos]}' ist im "
                f"Adressbestand der Region nicht zu finden. {reason}".strip(),
                "Prüfen Sie Schreibweise und Hausnummer oder geben Sie Koordinaten an.",
                f"{cols['strasse']}/{cols['hausnummer']}")
        else:
            state.places[pos] = point
            state.kinds[pos] = "adresse"


def _from_streets(state: _Places, edges: gpd.GeoDataFrame | None) -> None:
    """Rows with only a street name: the named street of the network (close names suggested)."""
    street_col = state.col("strasse")
    street_only = ~state.done & street_col.notna().to_numpy()
    if not street_only.any():
        return
    segments = street_segments(edges) if edges is not None and len(edges) else None
    by_key = ({k: i for i, k in enumerate(segments["schluessel"])}
              if segments is not None else {})
    for pos in np.flatnonzero(street_only):
        state.done[pos] = True
        key = normalize_street(street_col.iloc[pos])
        if key not in by_key or segments is None:
            close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.75)
            names = ([str(segments["strasse"].iloc[by_key[c]]) for c in close]
                     if segments is not None else [])
            state.problem(
                pos, f"Die Straße '{street_col.iloc[pos]}' gibt es im Wegenetz der Region nicht.",
                ("Meinten Sie: " + ", ".join(names) + "?") if names
                else "Prüfen Sie die Schreibweise oder geben Sie Koordinaten an.",
                state.cols["strasse"])
            continue
        row = segments.iloc[by_key[key]]
        state.places[pos] = _street_anchor(row.geometry)
        state.kinds[pos] = "strasse"
        state.streets[pos] = str(row["strasse"])


def _street_anchor(line: shapely.Geometry) -> shapely.Point:
    """The point of the street closest to the centre of its extent."""
    centre = shapely.centroid(line)
    return shapely.Point(shapely.shortest_line(line, centre).coords[0])
