"""Define planning areas.

For the demo region they are generated: Voronoi cells around OSM ``place`` nodes
(suburb/quarter/neighbourhood), clipped to the region, and labelled as generated in ``quelle``.
Where a region has too few place nodes the fallback is a grid of square cells.
"""

from __future__ import annotations

import string
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
    "areas_from_municipalities",
    "from_osm_places",
    "grid_areas",
    "read_municipalities",
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
    from pathlib import Path

    import pyogrio

    from layers.errors import CRSError, GeometryError, SourceDataError
    from layers.validation import check_file_size, check_geometries, parse_crs

    file = Path(str(path))
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
    columns = [c for c in frame.columns if c != frame.geometry.name]
    key_col = _pick_column(columns, schluessel, KEY_CANDIDATES, "die Planungsraum-Nummer", file,
                           option="--schluessel")
    name_col = _pick_column(columns, name, NAME_CANDIDATES, "den Namen", file)
    frame = frame.to_crs(crs)
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


def _feature_row(problem: Any) -> Any:
    from dataclasses import replace

    from layers.errors import Problem
    from layers.validation import FIRST_DATA_ROW

    assert isinstance(problem, Problem)
    if problem.zeile is None:
        return problem
    return replace(problem, zeile=problem.zeile - FIRST_DATA_ROW + 1)


def read_municipalities(
    path: object, *, crs: object, ags_praefix: str | None = None
) -> gpd.GeoDataFrame:
    """Read municipality polygons with AGS (e.g. the VG250-EW file) in the working CRS.

    Parameters
    ----------
    path
        Boundary file with columns ``ags`` and ``name`` (and optionally ``pop``/``einwohner``).
    crs
        Working CRS.
    ags_praefix
        Keep only AGS starting with this (``"05334"`` = Städteregion Aachen).

    Returns
    -------
    geopandas.GeoDataFrame
        ``ags`` (8 digits), ``name``, ``einwohner``, geometry.
    """
    from pathlib import Path

    import pyogrio

    from layers.errors import SourceDataError

    file = Path(str(path))
    try:
        frame = pyogrio.read_dataframe(file)
    except Exception as exc:
        raise SourceDataError(f"Die Gemeindedatei kann nicht gelesen werden ({exc}).",
                              hinweis="Prüfen Sie den Pfad.", datei=file) from exc
    lower = {c.lower(): c for c in frame.columns}
    if "ags" not in lower or "name" not in lower:
        raise SourceDataError("Der Gemeindedatei fehlen die Spalten 'ags' und 'name'.",
                              hinweis="Verwenden Sie die VG250-Gemeindegrenzen.", datei=file)
    ags = frame[lower["ags"]].astype(str).str.strip().str.zfill(8)
    keep = ags.str.startswith(ags_praefix).to_numpy() if ags_praefix else np.ones(len(frame), bool)
    pop_col = lower.get("pop") or lower.get("einwohner") or lower.get("ewz")
    out = gpd.GeoDataFrame(
        {
            "ags": ags[keep].to_numpy(),
            "name": frame.loc[keep, lower["name"]].astype(str).to_numpy(),
            "einwohner": pd.to_numeric(frame.loc[keep, pop_col], errors="coerce").to_numpy()
            if pop_col else np.nan,
        },
        geometry=frame.geometry[keep].to_numpy(),
        crs=frame.crs,
    ).to_crs(crs)
    invalid = ~out.geometry.is_valid
    if invalid.any():
        out.loc[invalid, "geometry"] = shapely.make_valid(out.geometry[invalid].to_numpy())
    return out.reset_index(drop=True)


def areas_from_municipalities(
    table: object,
    gemeinden: gpd.GeoDataFrame,
    *,
    ags_spalte: str | None = None,
    raum_spalte: str | None = None,
    name_spalte: str | None = None,
    blatt: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Planning areas as groups of municipalities: a table assigns each AGS to an area.

    This is how a Landkreis defines its planning areas (Landkreis Görlitz: 53 Gemeinden in 11
    Planungsräume). The municipalities of each area are dissolved into one polygon.

    Parameters
    ----------
    table
        CSV/XLSX path or a DataFrame with one row per municipality: AGS, area number and
        (optionally) area name.
    gemeinden
        Municipality polygons with ``ags`` and ``name`` (the store's ``gemeinden`` layer or
        :func:`read_municipalities`), in the working CRS.
    ags_spalte, raum_spalte, name_spalte
        Columns of the table (default: recognised: ``AGS``/``Gemeindeschlüssel``,
        ``Planungsraum``/``PR_Nr``, ``Planungsraum_Name``/``Name``). The area key is never
        guessed: a table with several candidates (e.g. ``Planungsraum`` holding names and
        ``PR_Nr``) is refused unless ``raum_spalte`` names one.
    blatt
        Worksheet of an XLSX file.

    Returns
    -------
    geopandas.GeoDataFrame
        ``pr_id``, ``name``, ``art``, ``quelle``, ``gemeinden`` (names), ``ags`` (list),
        ``einwohner_gemeinden`` (sum of the municipalities' population, if known),
        ``flaeche_km2``; warnings in ``attrs["probleme"]``.

    Raises
    ------
    InputValidationError
        Unknown AGS, an AGS assigned to two areas, empty keys; all rows are listed.
    """
    from pathlib import Path

    from layers.errors import InputValidationError, Problem
    from layers.validation import FIRST_DATA_ROW, is_blank, read_table, row_numbers

    if isinstance(table, pd.DataFrame):
        frame, datei = table.astype("string"), None
        file_rows = np.arange(len(frame)) + FIRST_DATA_ROW
    else:
        frame, datei = read_table(Path(str(table)), sheet=blatt), str(table)
        file_rows = row_numbers(frame)  # blank rows are dropped but do not shift the numbers
    columns = list(frame.columns)
    ags_col = _pick_column(columns, ags_spalte, ("ags", "gemeindeschluessel", "gemeindeschlüssel",
                                                 "gkz", "ags8", "schluessel"),
                           "den Gemeindeschlüssel (AGS)", datei)
    area_col = _pick_column(columns, raum_spalte, ("planungsraum", "pr_id", "pr_nr",
                                                   "planungsraum_nr", "raum", "raum_nr", "nr"),
                            "die Planungsraum-Nummer", datei, option="--raum-spalte")
    name_col = None
    try:
        name_col = _pick_column(columns, name_spalte, ("planungsraum_name", "pr_name",
                                                       "name_planungsraum", "raumname",
                                                       "name"), "den Namen", datei)
    except InputValidationError:
        if name_spalte is not None:
            raise
    known = dict(zip(gemeinden["ags"].astype(str).str.zfill(8), range(len(gemeinden)), strict=True))
    problems: list[Problem] = []
    assignment: dict[str, tuple[str, int]] = {}
    names: dict[str, str] = {}
    for pos, (raw_ags, raw_area) in enumerate(zip(frame[ags_col], frame[area_col], strict=True)):
        row = int(file_rows[pos])
        if is_blank(raw_ags):
            problems.append(Problem("Der Gemeindeschlüssel fehlt.", "Tragen Sie den 8-stelligen "
                                    "AGS ein.", datei=datei, zeile=row, spalte=ags_col))
            continue
        digits = str(raw_ags).strip().replace(" ", "")
        digits = digits[:-2] if digits.endswith(".0") else digits
        if not digits.isdigit() or len(digits) > 8:
            problems.append(Problem(f"'{raw_ags}' ist kein Gemeindeschlüssel (AGS).",
                                    "Der AGS hat 8 Ziffern, z. B. 05334002.", datei=datei,
                                    zeile=row, spalte=ags_col))
            continue
        ags = digits.zfill(8)
        if ags not in known:
            problems.append(Problem(f"Den Gemeindeschlüssel {ags} gibt es in den Gemeindegrenzen "
                                    "nicht.", "Prüfen Sie den AGS (8 Ziffern, Stand VG250).",
                                    datei=datei, zeile=row, spalte=ags_col))
            continue
        area = _key_text(raw_area)
        if area is None:
            problems.append(Problem("Die Planungsraum-Nummer fehlt.", "Ordnen Sie jede Gemeinde "
                                    "einem Planungsraum zu.", datei=datei, zeile=row,
                                    spalte=area_col))
            continue
        if ags in assignment and assignment[ags][0] != area:
            first_area, first_row = assignment[ags]
            label = f"{gemeinden['name'].iloc[known[ags]]} ({ags})"
            problems.append(Problem(f"Die Gemeinde {label} ist zwei Planungsräumen zugeordnet "
                                    f"({first_area} in Zeile {first_row} und {area}).",
                                    "Jede Gemeinde gehört zu genau einem Planungsraum.",
                                    datei=datei, zeile=row, spalte=area_col))
            continue
        assignment[ags] = (area, row)
        if name_col is not None and not is_blank(frame[name_col].iloc[pos]):
            label = str(frame[name_col].iloc[pos]).strip()
            if area in names and names[area] != label:
                problems.append(Problem(f"Planungsraum {area} hat verschiedene Namen ('{names[area]}'"
                                        f" und '{label}'); der erste gilt.", "Vereinheitlichen "
                                        "Sie die Namen.", datei=datei, zeile=row, spalte=name_col,
                                        schwere="warnung"))
            names.setdefault(area, label)
    errors = [p for p in problems if p.schwere == "fehler"]
    if errors:
        raise InputValidationError(
            f"Die Zuordnung der Gemeinden zu Planungsräumen hat {len(errors)} Fehler.",
            hinweis="Korrigieren Sie die genannten Zeilen.",
            datei=datei,
            probleme=errors,
        )
    unassigned = [a for a in known if a not in assignment]
    for ags in unassigned:
        problems.append(Problem(
            f"Die Gemeinde {gemeinden['name'].iloc[known[ags]]} ({ags}) ist keinem Planungsraum "
            "zugeordnet.", "Ergänzen Sie sie in der Tabelle, sonst bleibt eine Lücke.",
            datei=datei, spalte=ags_col, schwere="warnung"))
    rows = []
    for area in sorted({a for a, _ in assignment.values()}, key=_natural):
        members = [ags for ags, (a, _) in assignment.items() if a == area]
        idx = [known[a] for a in members]
        part = gemeinden.iloc[idx]
        population = pd.to_numeric(part["einwohner"], errors="coerce") if "einwohner" in part else None
        rows.append({
            "pr_id": area,
            "name": names.get(area, f"Planungsraum {area}"),
            "gemeinden": ", ".join(part["name"].astype(str)),
            "ags": ", ".join(sorted(members)),
            "einwohner_gemeinden": float(population.sum()) if population is not None
            and population.notna().all() else np.nan,
            "geometry": shapely.union_all(part.geometry.to_numpy()),
        })
    out = gpd.GeoDataFrame(pd.DataFrame(rows).drop(columns="geometry"),
                           geometry=[r["geometry"] for r in rows], crs=gemeinden.crs)
    out.insert(2, "art", "gemeindezuordnung")
    out.insert(3, "quelle", f"Gemeindezuordnung: {Path(datei).name if datei else 'Tabelle'}")
    out["flaeche_km2"] = np.round(out.geometry.area / 1e6, 3)
    out["pr_id"] = out["pr_id"].astype("string")
    out.attrs["probleme"] = problems
    return out


def _natural(key: str) -> tuple[int, object]:
    return (0, int(key)) if key.isdigit() else (1, key)
