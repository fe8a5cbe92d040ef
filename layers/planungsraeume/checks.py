"""Checks of a planning-area layer and storing it.

Planning areas must tile the region: every point inside the boundary belongs to exactly one
area. :func:`check_planning_areas` reports what stands in the way, with location and size:

* invalid, empty or non-polygon geometries,
* missing or duplicate keys (``pr_id``) and missing names,
* overlaps between two areas (which pair, how many m², where),
* gaps inside the region boundary (how many m², where, between which areas),
* parts of areas outside the region (a warning).

Digitised boundaries rarely fit to the millimetre, so pieces smaller than ``splitter_m2``
(default 100 m²) are reported as warnings ("Splitterflächen"), larger ones as errors.
:func:`save_planning_areas` stores a checked layer atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.errors import GeometryError, InputValidationError, Problem
from layers.formatting import de_count, de_number
from layers.store import RegionStore
from layers.validation import FIRST_DATA_ROW, check_geometries, require_crs

__all__ = [
    "AREA_COLUMNS",
    "AreaCheck",
    "MIN_REPORTED_M2",
    "SPLITTER_M2",
    "check_planning_areas",
    "region_boundary_of",
    "save_planning_areas",
]

SPLITTER_M2 = 100.0
MIN_REPORTED_M2 = 0.01
AREA_COLUMNS = ("pr_id", "name", "art", "quelle", "flaeche_km2")


@dataclass
class AreaCheck:
    """Findings of :func:`check_planning_areas`.

    Attributes
    ----------
    probleme
        All findings (errors and warnings), German.
    ueberlappungen
        One row per overlapping pair: ``pr_id_a``, ``pr_id_b``, ``flaeche_m2``, ``x``, ``y``
        (a point inside the overlap), geometry.
    luecken
        One row per gap: ``flaeche_m2``, ``x``, ``y``, ``angrenzend`` (names of the areas
        around it), geometry.
    ausserhalb_m2
        Area of the planning areas outside the region boundary.
    """

    probleme: list[Problem] = field(default_factory=list)
    ueberlappungen: gpd.GeoDataFrame | None = None
    luecken: gpd.GeoDataFrame | None = None
    ausserhalb_m2: float = 0.0

    @property
    def fehler(self) -> list[Problem]:
        """Findings that prevent storing."""
        return [p for p in self.probleme if p.schwere == "fehler"]

    @property
    def ok(self) -> bool:
        """Whether the layer may be stored."""
        return not self.fehler

    def summary(self) -> str:
        """German one-line summary."""
        overlaps = 0 if self.ueberlappungen is None else len(self.ueberlappungen)
        gaps = 0 if self.luecken is None else len(self.luecken)
        gap_m2 = 0.0 if self.luecken is None else float(self.luecken["flaeche_m2"].sum())
        over_m2 = 0.0 if self.ueberlappungen is None else float(
            self.ueberlappungen["flaeche_m2"].sum())
        return (
            f"{len(self.fehler)} Fehler, "
            f"{de_count(len(self.probleme) - len(self.fehler), 'Warnung', 'Warnungen')}; "
            f"{de_count(overlaps, 'Überlappung', 'Überlappungen')} ({_m2(over_m2)}), "
            f"{de_count(gaps, 'Lücke', 'Lücken')} ({_m2(gap_m2)}), "
            f"außerhalb der Region {_m2(self.ausserhalb_m2)}."
        )


def _m2(value: float) -> str:
    return f"{de_number(value, 0 if value >= 10 else 1)} m²"


def check_planning_areas(
    areas: gpd.GeoDataFrame,
    boundary: shapely.Geometry | None = None,
    *,
    key: str = "pr_id",
    splitter_m2: float = SPLITTER_M2,
    datei: str | None = None,
) -> AreaCheck:
    """Check that planning areas are valid, uniquely keyed and tile the region.

    Parameters
    ----------
    areas
        Planning areas in a projected CRS (m²).
    boundary
        The region boundary in the same CRS; without it gaps are only searched between areas
        (holes in their union).
    key
        Key column.
    splitter_m2
        Overlaps and gaps smaller than this are warnings, larger ones errors.
    datei
        Source file for the messages.

    Returns
    -------
    AreaCheck
    """
    result = AreaCheck()
    problems = result.probleme
    if areas.crs is None or not areas.crs.is_projected:
        raise GeometryError(
            "Planungsräume müssen in einem metrischen Koordinatenbezugssystem vorliegen.",
            hinweis="Transformieren Sie sie in das CRS der Region (z. B. EPSG:25832).",
        )
    checked, geometry_problems = check_geometries(
        areas, name="planungsraeume", datei=datei, allowed_types=("Polygon", "MultiPolygon")
    )
    # Objects of a layer are numbered from 1 (as in QGIS' attribute table), not like rows of a
    # spreadsheet with a header.
    problems.extend(replace(p, zeile=p.zeile - FIRST_DATA_ROW + 1) if p.zeile else p
                    for p in geometry_problems)
    names = areas["name"] if "name" in areas else pd.Series([None] * len(areas))
    keys = areas[key].astype("string") if key in areas else pd.Series([pd.NA] * len(areas))
    problems += _key_problems(keys, names, key, datei)
    valid = np.asarray(shapely.is_valid(checked.geometry.array)) & ~np.asarray(
        shapely.is_empty(checked.geometry.array) | shapely.is_missing(checked.geometry.array))
    geoms = checked.geometry.to_numpy()
    labels = [_label(keys.iloc[i], names.iloc[i]) for i in range(len(areas))]
    result.ueberlappungen = _overlaps(geoms, valid, keys, labels, splitter_m2, datei, problems,
                                      areas.crs)
    result.luecken, result.ausserhalb_m2 = _gaps(geoms, valid, labels, boundary, splitter_m2,
                                                 datei, problems, areas.crs)
    return result


def _key_problems(
    keys: pd.Series, names: pd.Series, key: str, datei: str | None
) -> list[Problem]:
    """Missing and repeated area numbers (errors) and missing names (warnings), by object."""
    problems = []
    for pos, value in enumerate(keys):
        if pd.isna(value) or not str(value).strip():
            problems.append(Problem("Der Planungsraum hat keine Nummer (Schlüssel).",
                                    "Vergeben Sie jedem Planungsraum eine eindeutige Nummer.",
                                    datei=datei, zeile=pos + 1, spalte=key))
    duplicated = keys[keys.duplicated(keep=False) & keys.notna()]
    for value in sorted(set(duplicated)):
        rows = [int(i) + 1 for i in np.flatnonzero((keys == value).to_numpy(dtype=bool))]
        problems.append(Problem(
            f"Die Planungsraum-Nummer '{value}' kommt mehrfach vor (Objekte "
            f"{', '.join(map(str, rows))}).",
            "Jeder Planungsraum braucht eine eigene Nummer; fassen Sie Teile zu einer Fläche "
            "zusammen oder nummerieren Sie neu.", datei=datei, zeile=rows[1], spalte=key))
    for pos, value in enumerate(names):
        if pd.isna(value) or not str(value).strip():
            problems.append(Problem("Der Planungsraum hat keinen Namen.",
                                    "Tragen Sie einen Namen ein.", datei=datei, zeile=pos + 1,
                                    spalte="name", schwere="warnung"))
    return problems


def _label(key: object, name: object) -> str:
    if name is None or name is pd.NA or not str(name).strip():
        return str(key)
    return f"{name} ({key})"


def _overlaps(
    geoms: np.ndarray,
    valid: np.ndarray,
    keys: pd.Series,
    labels: list[str],
    splitter_m2: float,
    datei: str | None,
    problems: list[Problem],
    crs: object,
) -> gpd.GeoDataFrame:
    index = np.flatnonzero(valid)
    tree = shapely.STRtree(geoms[index])
    left, right = tree.query(geoms[index], predicate="intersects")
    rows = []
    for a, b in zip(left, right, strict=True):
        if a >= b:
            continue
        i, j = int(index[a]), int(index[b])
        piece = shapely.intersection(geoms[i], geoms[j])
        area = float(shapely.area(piece))
        if area < MIN_REPORTED_M2:
            continue  # shared boundary only
        point = piece.representative_point()
        rows.append({"pr_id_a": keys.iloc[i], "pr_id_b": keys.iloc[j], "flaeche_m2": area,
                     "x": point.x, "y": point.y, "geometry": piece,
                     "_text": f"'{labels[i]}' und '{labels[j]}'"})
    rows.sort(key=lambda r: -r["flaeche_m2"])
    hint = ("Korrigieren Sie die gemeinsame Grenze (in QGIS: 'Topologie prüfen', Einrasten an "
            "Stützpunkten).")
    problems += _piece_problems(
        rows, splitter_m2, hint, datei,
        lambda row: (f"{row['_text']} überlappen sich auf {_m2(row['flaeche_m2'])} (bei "
                     f"Rechtswert {row['x']:.0f}, Hochwert {row['y']:.0f})."),
        lambda count, total, biggest: (
            f"{count} kleine Überlappungen unter {_m2(splitter_m2)} (Splitterflächen, "
            f"zusammen {_m2(total)}); die größte: {biggest['_text']} mit "
            f"{_m2(biggest['flaeche_m2'])} bei Rechtswert {biggest['x']:.0f}, Hochwert "
            f"{biggest['y']:.0f}."),
    )
    frame = pd.DataFrame(rows, columns=["pr_id_a", "pr_id_b", "flaeche_m2", "x", "y", "geometry"])
    return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(frame["geometry"]),
                            crs=crs)


def _gaps(
    geoms: np.ndarray,
    valid: np.ndarray,
    labels: list[str],
    boundary: shapely.Geometry | None,
    splitter_m2: float,
    datei: str | None,
    problems: list[Problem],
    crs: object,
) -> tuple[gpd.GeoDataFrame, float]:
    union = shapely.union_all(geoms[valid]) if valid.any() else shapely.Polygon()
    outside = 0.0
    if boundary is not None:
        missing = shapely.difference(boundary, union)
        outside = float(shapely.area(shapely.difference(union, boundary)))
        if outside >= splitter_m2:
            problems.append(Problem(
                f"Die Planungsräume ragen auf {_m2(outside)} über die Regionsgrenze hinaus.",
                "Das ist zulässig (z. B. bei Planungsräumen über den Ausschnitt hinaus); "
                "Kennzahlen zählen nur, was in der Region liegt.", datei=datei,
                schwere="warnung"))
    else:
        holes = [shapely.Polygon(ring) for part in shapely.get_parts(union)
                 for ring in getattr(part, "interiors", [])]
        missing = shapely.union_all(holes) if holes else shapely.Polygon()
    rows = []
    tree = shapely.STRtree(geoms)
    for piece in shapely.get_parts(missing):
        area = float(shapely.area(piece))
        if area < MIN_REPORTED_M2 or piece.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        point = piece.representative_point()
        near = [labels[int(i)] for i in tree.query(piece.buffer(1.0), predicate="intersects")
                if valid[int(i)]]
        rows.append({"flaeche_m2": area, "x": point.x, "y": point.y,
                     "angrenzend": ", ".join(near), "geometry": piece})
    rows.sort(key=lambda r: -r["flaeche_m2"])
    hint = ("Schließen Sie die Lücke, indem Sie die Grenze des angrenzenden Planungsraums "
            "anpassen.")
    problems += _piece_problems(
        rows, splitter_m2, hint, datei,
        lambda row: (f"Lücke von {_m2(row['flaeche_m2'])}"
                     + (f" zwischen {row['angrenzend']}" if row["angrenzend"] else "")
                     + f" (bei Rechtswert {row['x']:.0f}, Hochwert {row['y']:.0f}): diese "
                     "Fläche gehört zu keinem Planungsraum."),
        lambda count, total, biggest: (
            f"{count} kleine Lücken unter {_m2(splitter_m2)} (Splitterflächen, zusammen "
            f"{_m2(total)}); die größte mit {_m2(biggest['flaeche_m2'])} bei Rechtswert "
            f"{biggest['x']:.0f}, Hochwert {biggest['y']:.0f}."),
    )
    frame = pd.DataFrame(rows, columns=["flaeche_m2", "x", "y", "angrenzend", "geometry"])
    gaps = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(frame["geometry"]),
                            crs=crs)
    return gaps, outside


def _piece_problems(
    rows: list[dict[str, Any]],
    splitter_m2: float,
    hint: str,
    datei: str | None,
    one: Callable[[dict[str, Any]], str],
    slivers_text: Callable[[int, float, dict[str, Any]], str],
) -> list[Problem]:
    """An error per overlap or gap piece of at least ``splitter_m2`` (``rows`` largest first),
    and one warning summing up the smaller ones (slivers): their count, total and the largest."""
    problems = [Problem(one(row), hint, datei=datei, spalte="geometry")
                for row in rows if row["flaeche_m2"] >= splitter_m2]
    slivers = [r for r in rows if r["flaeche_m2"] < splitter_m2]
    if slivers:
        total = sum(r["flaeche_m2"] for r in slivers)
        problems.append(Problem(slivers_text(len(slivers), total, slivers[0]), hint, datei=datei,
                                spalte="geometry", schwere="warnung"))
    return problems


def region_boundary_of(store: RegionStore) -> shapely.Geometry:
    """The region polygon of a store."""
    region = store.read_layer("region")
    return shapely.union_all(region.geometry.to_numpy())


def save_planning_areas(
    store: RegionStore,
    areas: gpd.GeoDataFrame,
    *,
    boundary: shapely.Geometry | None | str = "region",
    splitter_m2: float = SPLITTER_M2,
) -> AreaCheck:
    """Check planning areas and replace the store's ``planungsraeume`` layer atomically.

    The new layer replaces the old one in one atomic step (or not at all). Its ``quelle`` does
    not start with "generiert", so a later region build keeps it.

    Parameters
    ----------
    store
        The region store.
    areas
        Planning areas (``pr_id``, ``name``, geometry; further columns are kept).
    boundary
        ``"region"`` (default: the store's region polygon), a polygon, or ``None`` (only check
        between the areas).
    splitter_m2
        See :func:`check_planning_areas`.

    Returns
    -------
    AreaCheck
        The check (with warnings) of the stored layer.

    Raises
    ------
    InputValidationError
        If the check finds errors; nothing is stored.
    """
    require_crs(areas, store.crs, name="planungsraeume")
    limit = region_boundary_of(store) if isinstance(boundary, str) else boundary
    datei = areas.attrs.get("datei")
    check = check_planning_areas(areas, limit, splitter_m2=splitter_m2, datei=datei)
    if not check.ok:
        raise InputValidationError(
            "Die Planungsräume wurden nicht gespeichert: " + check.summary(),
            hinweis="Beheben Sie die genannten Fehler; Splitterflächen unter "
            f"{splitter_m2:g} m² sind nur Warnungen.",
            datei=datei,
            probleme=check.fehler,
        )
    out = areas.copy()
    out["pr_id"] = out["pr_id"].astype("string")
    for column in ("art", "quelle"):
        if column not in out:
            out[column] = "importiert"
    if out["quelle"].astype(str).str.startswith("generiert").any():
        out["quelle"] = out["quelle"].astype(str).str.replace("generiert", "übernommen", n=1)
    out["flaeche_km2"] = np.round(out.geometry.area / 1e6, 3)
    first = [c for c in AREA_COLUMNS if c in out.columns]
    rest = [c for c in out.columns if c not in first and c != out.geometry.name]
    out = out[[*first, *rest, out.geometry.name]]
    store.write_layers({"planungsraeume": out})
    return check
