"""Define planning areas: generated ones and the planners' own polygon files.

For the demo region they are generated: Voronoi cells around OSM ``place`` nodes
(suburb/quarter/neighbourhood), clipped to the region, and labelled as generated in ``quelle``.
Where a region has too few place nodes the fallback is a grid of square cells. A planner's own
areas come from a polygon file (:func:`read_planning_areas`) or from a table that groups
municipalities (:mod:`layers.planungsraeume.gemeinden`).
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.log import get_logger

__all__ = [
    "KEY_CANDIDATES",
    "MIN_PLACES",
    "NAME_CANDIDATES",
    "from_osm_places",
    "grid_areas",
    "read_planning_areas",
]

log = get_logger("planungsraeume")

MIN_PLACES = 3


def from_osm_places(
    places: gpd.GeoDataFrame,
    boundary: shapely.Geometry,
    *,
    kinds: list[str],
    crs: object,
    fallback_cell_m: float = 2000.0,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Generate planning areas as Voronoi cells around OSM place nodes.

    Parameters
    ----------
    places
        OSM place nodes (any CRS) with ``place`` and ``name``.
    boundary
        Region polygon in the working CRS.
    kinds
        Place values to use (e.g. ``["suburb", "quarter", "neighbourhood"]``).
    crs
        Working CRS.
    fallback_cell_m
        Edge length of the square cells used when fewer than three named places exist.

    Returns
    -------
    tuple
        The ``planungsraeume`` layer and a list of German notes for the build summary.
    """
    notes: list[str] = []
    if not places.empty:
        selected = places[places["place"].isin(kinds) & places["name"].notna()].to_crs(crs)
        selected = selected[selected.geometry.within(boundary).to_numpy()]
        selected = selected.drop_duplicates(subset="name").reset_index(drop=True)
    else:
        selected = places
    if len(selected) < MIN_PLACES:
        notes.append(
            f"Nur {len(selected)} benannte Ortsknoten ({', '.join(kinds)}) im Ausschnitt: "
            f"Planungsräume ersatzweise als Raster mit {fallback_cell_m / 1000:g} km Kantenlänge."
        )
        return grid_areas(boundary, fallback_cell_m, crs), notes
    points = shapely.multipoints(
        np.column_stack([selected.geometry.x.to_numpy(), selected.geometry.y.to_numpy()])
    )
    cells = shapely.voronoi_polygons(points, extend_to=boundary, ordered=True)
    polygons = shapely.intersection(np.asarray(shapely.get_parts(cells)), boundary)
    order = np.argsort(selected["name"].str.lower().to_numpy(), kind="stable")
    areas = gpd.GeoDataFrame(
        {
            "name": selected["name"].to_numpy()[order],
            "art": selected["place"].to_numpy()[order],
            "quelle": "generiert: Voronoi-Zellen um OSM-Ortsknoten ("
            + ", ".join(f"place={k}" for k in kinds)
            + "), auf die Region zugeschnitten",
        },
        geometry=polygons[order],
        crs=crs,
    )
    areas = areas[~areas.geometry.is_empty].reset_index(drop=True)
    areas.insert(0, "pr_id", [f"PR{i + 1:02d}" for i in range(len(areas))])
    areas["flaeche_km2"] = np.round(areas.geometry.area / 1e6, 3)
    notes.append(
        f"{len(areas)} Planungsräume aus OSM-Ortsknoten generiert (Voronoi); "
        "für echte Planungen eigene Planungsraumgrenzen importieren."
    )
    return areas, notes


def grid_areas(boundary: shapely.Geometry, cell_m: float, crs: object) -> gpd.GeoDataFrame:
    """Square cells of ``cell_m`` covering the region, clipped to it, named like a map grid."""
    minx, miny, maxx, maxy = boundary.bounds
    xs = np.arange(np.floor(minx / cell_m) * cell_m, maxx, cell_m)
    ys = np.arange(np.floor(miny / cell_m) * cell_m, maxy, cell_m)
    rows = []
    for j, y in enumerate(ys[::-1]):
        for i, x in enumerate(xs):
            cell = shapely.intersection(shapely.box(x, y, x + cell_m, y + cell_m), boundary)
            if cell.is_empty or cell.area < 0.05 * cell_m * cell_m:
                continue
            column = _column_label(i)
            rows.append({"name": f"Raster {column}{j + 1}", "geometry": cell})
    frame = pd.DataFrame(rows)
    areas = gpd.GeoDataFrame(
        {
            "name": frame["name"],
            "art": "raster",
            "quelle": f"generiert: Raster {cell_m / 1000:g} km, auf die Region zugeschnitten",
        },
        geometry=list(frame["geometry"]),
        crs=crs,
    )
    areas.insert(0, "pr_id", [f"PR{i + 1:02d}" for i in range(len(areas))])
    areas["flaeche_km2"] = np.round(areas.geometry.area / 1e6, 3)
    return areas


def _column_label(index: int) -> str:
    letters = string.ascii_uppercase
    label = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        label = letters[rem] + label
    return label


# --------------------------------------------------------------------------------------------
# Planning areas from the planners' own files
# --------------------------------------------------------------------------------------------

KEY_CANDIDATES = ("pr_id", "pr_nr", "planungsraum_id", "planungsraum_nr", "planungsraum",
                  "prnr", "raum_id", "raumnr", "nr", "nummer", "id", "schluessel", "stt_nr",
                  "stb_nr", "ags", "bezirk_nr", "sbz_nr")
NAME_CANDIDATES = ("name", "bezeichnung", "pr_name", "planungsraum_name", "raum", "raumname",
                   "stt_name", "stb_name", "gen", "bezirk", "titel")


def _pick_column(columns: list[str], wanted: str | None, candidates: tuple[str, ...],
                 what: str, datei: object, *, option: str | None = None) -> str:
    """The column named ``wanted``, else the one column among ``candidates``.

    With ``option`` (the command-line option that names the column) the choice must be
    unambiguous: a key column is never guessed, so several candidates are refused with a German
    error listing them.
    """
    from layers.errors import InputValidationError

    lower = {c.lower(): c for c in columns}
    if wanted is not None:
        if wanted in columns:
            return wanted
        if wanted.lower() in lower:
            return lower[wanted.lower()]
        raise InputValidationError(
            f"Die Spalte '{wanted}' für {what} gibt es in der Datei nicht.",
            hinweis="Vorhandene Spalten: " + ", ".join(f"'{c}'" for c in columns) + ".",
            datei=str(datei),
            spalte=wanted,
        )
    found = [lower[c] for c in candidates if c in lower]
    if option is not None and len(found) > 1:
        listed = ", ".join(f"'{c}'" for c in found)
        raise InputValidationError(
            f"Mehrere Spalten kommen für {what} in Frage: {listed}. Welche gilt, wird nicht "
            "geraten.",
            hinweis="Geben Sie die Spalte ausdrücklich an (Befehlszeile: "
            + " oder ".join(f'{option} "{c}"' if " " in c else f"{option} {c}" for c in found)
            + ") oder benennen Sie die anderen Spalten um.",
            datei=str(datei),
        )
    if found:
        return found[0]
    raise InputValidationError(
        f"Die Datei hat keine erkennbare Spalte für {what}.",
        hinweis="Geben Sie die Spalte beim Import an. Vorhandene Spalten: "
        + ", ".join(f"'{c}'" for c in columns) + ".",
        datei=str(datei),
    )


def _key_text(value: object) -> str | None:
    from layers.validation import is_blank

    if is_blank(value):
        return None
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def read_planning_areas(
    path: str | object,
    *,
    crs: object,
    schluessel: str | None = None,
    name: str | None = None,
    ebene: str | None = None,
    datei_crs: object = None,
    reparieren: bool = False,
) -> gpd.GeoDataFrame:
    """Read planning-area polygons from a GeoJSON, GeoPackage or Shapefile.

    The steps: read the file with its CRS (:func:`_read_area_file`), pick the key and name
    columns, transform and check the geometries (:func:`_checked_area_geometries`), then build
    the area table.

    Parameters
    ----------
    path
        The polygon file.
    crs
        The region's working CRS; the areas are transformed into it.
    schluessel, name
        Columns with the area number and name (default: recognised from common names such as
        ``pr_id``, ``nr``, ``STT_NR`` and ``name``, ``bezeichnung``, ``STT_NAME``). The key
        column is never guessed: a file with several candidates (e.g. ``Planungsraum`` and
        ``PR_Nr``) is refused unless ``schluessel`` names one.
    ebene
        Layer of a multi-layer GeoPackage.
    datei_crs
        CRS of a file that does not declare one (Shapefile without .prj).
    reparieren
        Repair invalid polygons (``make_valid``; reported as warnings in ``attrs["probleme"]``)
        instead of refusing them.

    Returns
    -------
    geopandas.GeoDataFrame
        ``pr_id``, ``name``, ``art``, ``quelle``, ``flaeche_km2`` in the working CRS;
        ``attrs["probleme"]`` lists warnings. Check it with
        :func:`layers.planungsraeume.checks.check_planning_areas` before storing.

    Raises
    ------
    SozialraumError
        Unreadable file, no CRS, missing columns, invalid geometries (without ``reparieren``).
    """
    file = Path(str(path))
    frame = _read_area_file(file, ebene, datei_crs)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    key_col = _pick_column(columns, schluessel, KEY_CANDIDATES, "die Planungsraum-Nummer", file,
                           option="--schluessel")
    name_col = _pick_column(columns, name, NAME_CANDIDATES, "den Namen", file)
    frame, problems = _checked_area_geometries(frame.to_crs(crs), file, reparieren)
    keys = [_key_text(v) for v in frame[key_col]]
    areas = gpd.GeoDataFrame(
        {
            "pr_id": pd.array(keys, dtype="string"),
            "name": frame[name_col].astype("string").str.strip().to_numpy(),
            "art": "importiert",
            "quelle": f"importiert: {file.name}",
        },
        geometry=frame.geometry.to_numpy(),
        crs=crs,
    )
    areas["flaeche_km2"] = np.round(areas.geometry.area / 1e6, 3)
    areas.attrs["probleme"] = [_feature_row(p) for p in problems]
    areas.attrs["datei"] = str(file)
    return areas


def _read_area_file(file: Path, ebene: str | None, datei_crs: object) -> gpd.GeoDataFrame:
    """Read a polygon file (one layer) and make sure it has a CRS.

    Raises
    ------
    SourceDataError
        Missing, empty, too large or unreadable file, or no features.
    CRSError
        The file declares no CRS and ``datei_crs`` is not given.
    """
    import pyogrio

    from layers.errors import CRSError, SourceDataError
    from layers.validation import check_file_size, parse_crs

    if not file.exists():
        raise SourceDataError("Die Datei wurde nicht gefunden.",
                              hinweis="Prüfen Sie Pfad und Dateinamen.", datei=file)
    if file.stat().st_size == 0:
        raise SourceDataError("Die Datei ist leer (0 Byte).",
                              hinweis="Exportieren Sie die Planungsräume erneut.", datei=file)
    check_file_size(file)
    try:
        frame = pyogrio.read_dataframe(file, layer=ebene)
    except Exception as exc:
        raise SourceDataError(
            f"Die Geodatei kann nicht gelesen werden ({exc}).",
            hinweis="Speichern Sie die Planungsräume in QGIS als GeoPackage oder GeoJSON.",
            datei=file,
        ) from exc
    if not isinstance(frame, gpd.GeoDataFrame) or len(frame) == 0:
        raise SourceDataError("Die Datei enthält keine Flächen.",
                              hinweis="Exportieren Sie die Planungsräume erneut.", datei=file)
    if frame.crs is None:
        if datei_crs is None:
            raise CRSError(
                "Die Datei der Planungsräume hat kein Koordinatenbezugssystem (CRS).",
                hinweis="Legen Sie die .prj-Datei dazu oder geben Sie das CRS beim Import an "
                "(z. B. EPSG:25832).",
                datei=file,
            )
        frame = frame.set_crs(parse_crs(datei_crs, datei=file))
    return frame


def _checked_area_geometries(
    frame: gpd.GeoDataFrame, file: Path, reparieren: bool
) -> tuple[gpd.GeoDataFrame, list[Any]]:
    """Check (and with ``reparieren`` repair) the polygons; refuse the file on any error.

    Returns
    -------
    tuple
        The (repaired) frame and the remaining warnings.

    Raises
    ------
    GeometryError
        Invalid or non-polygon geometries, listed by feature number.
    """
    from layers.errors import GeometryError
    from layers.validation import check_geometries

    frame, problems = check_geometries(
        frame, name="planungsraeume", datei=file, allowed_types=("Polygon", "MultiPolygon"),
        repair=reparieren,
    )
    errors = [p for p in problems if p.schwere == "fehler"]
    if errors:
        # Geometry rows are 1-based feature numbers in a spatial file, not spreadsheet rows.
        errors = [_feature_row(p) for p in errors]
        raise GeometryError(
            f"{len(errors)} Planungsraum/-räume haben ungültige oder falsche Geometrien.",
            hinweis="Reparieren Sie die Flächen in QGIS ('Geometrien reparieren') oder importieren "
            "Sie mit der Option 'reparieren'.",
            datei=file,
            probleme=errors,
        )
    return frame, problems


def _feature_row(problem: Any) -> Any:
    from dataclasses import replace

    from layers.errors import Problem
    from layers.validation import FIRST_DATA_ROW

    assert isinstance(problem, Problem)
    if problem.zeile is None:
        return problem
    return replace(problem, zeile=problem.zeile - FIRST_DATA_ROW + 1)
