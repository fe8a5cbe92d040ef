"""The modelled age structure per planning area, with the evidence behind it.

The building model gives each residential building the age shares of its housing type
(:mod:`layers.build.wohnformen`: care homes, student dormitories, single- and multi-family
houses, else the region's shares). A planner who reads "65+ 27 % in area A, 19 % in area B"
must see why: :func:`age_structure` puts beside each area's 65+ share (from the one population,
:meth:`planungsraeume.region.Region.population_by_area`) the buildings that explain it – the
number of care homes and dormitories and the share of the modelled inhabitants living in each
housing type (inhabitants are proportional to living space in the model). Every figure is
``modelliert``; for regions with official figures (Zensus grid, statistics) the reason says so.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.areas import cells_to_areas
from layers.build.bevoelkerung import GRID_CRS, cell_id
from planungsraeume.cache import cached
from planungsraeume.region import Region

__all__ = ["AGE_STRUCTURE_COLUMNS", "age_structure", "reason_text"]

AGE_STRUCTURE_COLUMNS = ["pr_id", "name", "einwohner", "alter_65_plus", "anteil_65_plus",
                         "anteil_80_plus", "pflegeheime", "wohnheime", "anteil_pflegeheim",
                         "anteil_wohnheim", "anteil_einfamilienhaus", "anteil_mehrfamilienhaus",
                         "anteil_sonstige", "art", "begruendung"]
_KINDS = ("pflegeheim", "wohnheim", "einfamilienhaus", "mehrfamilienhaus", "sonstige")


@cached("altersstruktur", disk=False, daily=False)
def age_structure(region: Region) -> pd.DataFrame:
    """65+ and 80+ share per planning area with the housing evidence that explains it.

    Returns
    -------
    pandas.DataFrame
        :data:`AGE_STRUCTURE_COLUMNS`, one row per planning area in layer order (shares in %;
        ``anteil_<wohnform>``: share of the area's modelled living space, i.e. of its modelled
        inhabitants before calibration, in that housing type). ``attrs["region_65_plus"]``:
        the region's 65+ share in %. Empty without population.
    """
    if not region.has_population():
        return pd.DataFrame(columns=AGE_STRUCTURE_COLUMNS)
    people = region.population_by_area()
    people = people[people["pr_id"].astype(str) != "ohne"].reset_index(drop=True)
    frame = pd.DataFrame({"pr_id": people["pr_id"].astype(str), "name": people["name"],
                          "einwohner": people["einwohner"].to_numpy(dtype=float)})
    older = people.get("alter_65_plus", pd.Series(np.nan, index=people.index))
    oldest = people.get("alter_80_plus", pd.Series(np.nan, index=people.index))
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["alter_65_plus"] = older.to_numpy(dtype=float)
        frame["anteil_65_plus"] = frame["alter_65_plus"] / frame["einwohner"] * 100
        frame["anteil_80_plus"] = oldest.to_numpy(dtype=float) / frame["einwohner"] * 100
    frame = frame.merge(_housing_by_area(region), on="pr_id", how="left")
    for column in AGE_STRUCTURE_COLUMNS:
        if column.startswith(("anteil_", "pflegeheime", "wohnheime")) and column not in frame:
            frame[column] = 0.0
    frame[["pflegeheime", "wohnheime"]] = frame[["pflegeheime", "wohnheime"]].fillna(0).astype(int)
    source = region.meta().get("bevoelkerung_quelle", "")
    frame["art"] = "modelliert" if source == "modelliert" else source
    frame["begruendung"] = [reason_text({str(k): v for k, v in row.items()}, source)
                            for row in frame.to_dict("records")]
    total = float(people["einwohner"].sum())
    frame = frame[AGE_STRUCTURE_COLUMNS]
    frame.attrs["region_65_plus"] = (float(older.sum()) / total * 100) if total else np.nan
    return frame


def _housing_by_area(region: Region) -> pd.DataFrame:
    """Care homes, dormitories and the living-space share of each housing type per area."""
    if not region.has_layer("gebaeude"):
        return pd.DataFrame({"pr_id": pd.Series(dtype=str)})
    buildings = region.layer("gebaeude")
    if "wohnform" not in buildings.columns:
        return pd.DataFrame({"pr_id": pd.Series(dtype=str)})
    buildings = buildings[buildings["wohnform"].fillna("") != ""]
    if buildings.empty:
        return pd.DataFrame({"pr_id": pd.Series(dtype=str)})
    area = _building_areas(region, buildings)
    table = pd.DataFrame({"pr_id": area, "wohnform": buildings["wohnform"].to_numpy(),
                          "flaeche": buildings["wohnflaeche_m2"].to_numpy(dtype=float)})
    space = table.pivot_table(index="pr_id", columns="wohnform", values="flaeche",
                              aggfunc="sum", fill_value=0.0)
    space = space.reindex(columns=list(_KINDS), fill_value=0.0)
    shares = space.div(space.sum(axis=1).replace(0, np.nan), axis=0) * 100
    counts = table.pivot_table(index="pr_id", columns="wohnform", values="flaeche",
                               aggfunc="count", fill_value=0).reindex(columns=list(_KINDS),
                                                                      fill_value=0)
    out = shares.add_prefix("anteil_")
    out["pflegeheime"] = counts.loc[:, "pflegeheim"]
    out["wohnheime"] = counts.loc[:, "wohnheim"]
    return out.reset_index()


def _building_areas(region: Region, buildings: gpd.GeoDataFrame) -> np.ndarray:
    """The planning area of each building: the area of the grid cell its inhabitants are in.

    The model puts a building's inhabitants into the cell of its representative point, and the
    cell belongs to an area by the one cell→area rule; so the reasons count exactly the
    buildings whose inhabitants the area's figures contain. Buildings in no populated cell
    fall back to the area containing their point.
    """
    points = buildings.geometry.representative_point().to_crs(GRID_CRS)
    resolution = int(region.config.population.raster_m)
    ids = [cell_id(n, e, resolution) for n, e in zip(
        (np.floor(points.y.to_numpy() / resolution) * resolution).astype(np.int64),
        (np.floor(points.x.to_numpy() / resolution) * resolution).astype(np.int64), strict=True)]
    cells = region.cells()
    by_cell = dict(zip(cells["gitter_id"].astype(str), region.cell_areas().astype(str),
                       strict=True))
    fallback = cells_to_areas(buildings.set_geometry(buildings.geometry.representative_point()),
                              region.areas()).astype(str).to_numpy()
    return np.array([by_cell.get(i, f) for i, f in zip(ids, fallback, strict=True)], dtype=object)


def reason_text(row: dict[str, object], source: str = "modelliert") -> str:
    """German reason for an area's modelled age structure, e.g. ``"2 Pflegeheime (6 % der
    Einwohner), 61 % Einfamilienhäuser, 20 % Mehrfamilienhäuser"``."""
    from layers.formatting import de_number

    if source != "modelliert":
        return f"amtliche Zahlen ({source})" if source else ""

    def pct(key: str) -> float:
        value = row.get(key)
        return float(value) if isinstance(value, int | float) and not np.isnan(value) else 0.0

    parts = []
    homes, dorms = int(pct("pflegeheime")), int(pct("wohnheime"))
    if homes:
        parts.append(f"{homes} {'Pflegeheim' if homes == 1 else 'Pflegeheime'} "
                     f"({de_number(pct('anteil_pflegeheim'), 1)} % der Einwohner)")
    if dorms:
        parts.append(f"{dorms} {'Studierendenwohnheim' if dorms == 1 else 'Studierendenwohnheime'}"
                     f" ({de_number(pct('anteil_wohnheim'), 1)} %)")
    parts.append(f"{de_number(pct('anteil_einfamilienhaus'), 0)} % Einfamilienhäuser")
    parts.append(f"{de_number(pct('anteil_mehrfamilienhaus'), 0)} % Mehrfamilienhäuser")
    parts.append(f"{de_number(pct('anteil_sonstige'), 0)} % ohne Gebäudetyp (Anteile der Region)")
    return ", ".join(parts)
