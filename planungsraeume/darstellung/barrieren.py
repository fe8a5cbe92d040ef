"""Display tables of barrier reports: published values only; a suppressed value reads "keine
Angabe", never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analyses.areas import cells_to_areas
from analyses.hotspots import HOTSPOT_LABEL
from analyses.privacy import MISSING_LABEL, Publication
from layers.formatting import de_number
from planungsraeume.darstellung.format import with_format

__all__ = [
    "barrier_area_table",
    "barrier_code_table",
    "barrier_grid_table",
    "barrier_hotspot_table",
    "barrier_street_table",
    "barrier_year_table",
    "count_text",
    "rate_text",
]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and bool(np.isnan(value)))


def count_text(value: object) -> str:
    """A published count in German format, or "keine Angabe" (suppressed and empty look alike)."""
    return MISSING_LABEL if _missing(value) else de_number(float(value))  # type: ignore[arg-type]


def rate_text(value: object) -> str:
    """A published rate with one decimal, or "keine Angabe"."""
    return MISSING_LABEL if _missing(value) else de_number(float(value), 1)  # type: ignore[arg-type]


def barrier_area_table(summaries: Sequence[Any]) -> pd.DataFrame:
    """Planning areas with published persons, reports, inhabitants, rates, top codes, trend.

    ``summaries`` is :func:`planungsraeume.barrieren.area_summaries`; the inhabitants are
    those of every other table (the one cell→area rule).
    """
    rows = []
    for summary in summaries:
        trend = summary.trend.dropna(subset=["jahr"])
        trend_text = ", ".join(
            f"{int(year)}: {count_text(persons)}"
            for year, persons in zip(trend["jahr"], trend["personen"], strict=True)
        ) or MISSING_LABEL
        codes = ", ".join(f"{r.icf_code} {r.icf_titel}" for r in summary.top_codes.itertuples())
        rows.append({
            "Nr.": summary.pr_id,
            "Planungsraum": summary.name,
            "Personen": count_text(summary.personen),
            "Meldungen": count_text(summary.meldungen),
            "Einwohner": count_text(summary.einwohner),
            "Personen je 1.000 Einw.": rate_text(summary.rate_je_1000),
            "geglättet (EB)": rate_text(summary.rate_eb_je_1000),
            "Häufigste ICF-Codes": codes or MISSING_LABEL,
            "Personen nach Jahr": trend_text,
        })
    return with_format(pd.DataFrame(rows))


def barrier_code_table(pub: Publication) -> pd.DataFrame:
    """Published ICF codes of the whole region with German titles."""
    codes = pub.icf_region()
    return with_format(pd.DataFrame({
        "Rang": codes["rang"].astype(np.int64).to_numpy(),
        "ICF-Code": codes["icf_code"].astype(str).to_numpy(),
        "Kapitel": codes["icf_code"].astype(str).str[:2].to_numpy(),
        "Bezeichnung": codes["icf_titel"].astype(str).to_numpy(),
        "Personen": [count_text(v) for v in codes["personen"]],
        "Meldungen": [count_text(v) for v in codes["meldungen"]],
    }))


def barrier_year_table(pub: Publication) -> pd.DataFrame:
    """Published persons and reports per year for the region."""
    region = pub.jahre_region()
    return with_format(pd.DataFrame({
        "Jahr": [MISSING_LABEL if pd.isna(j) else str(int(j)) for j in region["jahr"]],
        "Region: Personen": [count_text(v) for v in region["personen"]],
        "Region: Meldungen": [count_text(v) for v in region["meldungen"]],
    }))


def barrier_grid_table(grid: pd.DataFrame) -> pd.DataFrame:
    """Published grid cells (no coordinates: the cell id is the Zensus grid id)."""
    return with_format(pd.DataFrame({
        "Gitterzelle": grid["gitter_id"].astype(str).to_numpy(),
        "Personen": [count_text(v) for v in grid["personen"]],
        "Meldungen": [count_text(v) for v in grid["meldungen"]],
        "Einwohner": [count_text(v) for v in grid["einwohner"]],
        "Personen je 1.000 Einw.": [rate_text(v) for v in grid["rate_je_1000"]],
        "geglättet (EB)": [rate_text(v) for v in grid["rate_eb_je_1000"]],
        "Gi*-Klasse": grid["klasse"].astype(str).to_numpy() if "klasse" in grid else "",
    }))


def barrier_street_table(pub: Publication) -> pd.DataFrame:
    """Published streets (reports within 25 m of a named street), most persons first.

    Suppressed streets ("keine Angabe") come last, then by name; a planner reads the list top
    down as "where to look first".
    """
    streets = pub.strassen()
    persons = pd.to_numeric(streets["personen"], errors="coerce")
    reports = pd.to_numeric(streets["meldungen"], errors="coerce")
    order = pd.DataFrame({"p": persons.to_numpy(), "m": reports.to_numpy(),
                          "s": streets["strasse"].astype(str).str.casefold().to_numpy()})
    order = order.sort_values(["p", "m", "s"], ascending=[False, False, True],
                              na_position="last", kind="stable")
    rows = order.index.to_numpy()
    return with_format(pd.DataFrame({
        "Straße": streets["strasse"].astype(str).to_numpy()[rows],
        "Personen": [count_text(v) for v in streets["personen"].to_numpy()[rows]],
        "Meldungen": [count_text(v) for v in streets["meldungen"].to_numpy()[rows]],
    }))


def _streets_in_cells(cells: gpd.GeoDataFrame, streets: gpd.GeoDataFrame | None,
                      top: int) -> list[str]:
    """Per cell the names of the ``top`` named streets with the longest stretch inside it."""
    if streets is None or not len(streets) or not len(cells):
        return [MISSING_LABEL] * len(cells)
    lines = streets[["strasse", "geometry"]].reset_index(drop=True)
    polygons = cells.geometry.reset_index(drop=True)
    cell_pos, line_pos = lines.sindex.query(polygons.to_numpy(), predicate="intersects")
    lengths = shapely.length(shapely.intersection(polygons.to_numpy()[cell_pos],
                                                  lines.geometry.to_numpy()[line_pos]))
    pairs = pd.DataFrame({"zelle": cell_pos, "strasse": lines["strasse"].to_numpy()[line_pos],
                          "laenge": lengths})
    pairs = pairs[pairs["laenge"] > 0].sort_values(["zelle", "laenge"], ascending=[True, False])
    names = pairs.groupby("zelle")["strasse"].agg(lambda s: ", ".join(list(s)[:top]))
    return [str(names.get(i, MISSING_LABEL)) for i in range(len(cells))]


def barrier_hotspot_table(grid: gpd.GeoDataFrame, areas: gpd.GeoDataFrame,
                          streets: gpd.GeoDataFrame | None = None, *,
                          area_names: dict[str, str] | None = None,
                          top_streets: int = 3) -> pd.DataFrame:
    """The published hotspot cells as a ranked list a planner can act on.

    Parameters
    ----------
    grid
        The published grid with Gi* (``gitter_id``, ``personen``, ``meldungen``,
        ``rate_eb_je_1000``, ``gi_z``, ``klasse``; region CRS), e.g.
        :attr:`planungsraeume.barrieren.HotspotGrid.gitter`. Only cells of class "Hotspot"
        are listed; every one has a published value.
    areas
        Planning areas (``pr_id``, ``name``) in the same CRS: each cell gets the area of the one
        cell→area rule (:func:`analyses.areas.cells_to_areas`).
    streets
        Named streets (``strasse``, lines; :func:`layers.barrieren.street_segments`): the
        streets with the longest stretch in the cell are named.
    area_names
        Names by ``pr_id`` (default: the ``name`` column of ``areas``).
    top_streets
        How many streets per cell.

    Returns
    -------
    pandas.DataFrame
        Rang (strongest Gi* first, then the smoothed rate), Planungsraum, Straßen in der Zelle,
        Personen, Meldungen, geglättete Rate, Gitterzelle (Zensus id).
    """
    hot = grid[(grid["klasse"].astype(str) == HOTSPOT_LABEL).to_numpy()] if "klasse" in grid \
        else grid.iloc[0:0]
    hot = hot.assign(_z=pd.to_numeric(hot.get("gi_z"), errors="coerce"),
                     _r=pd.to_numeric(hot.get("rate_eb_je_1000"), errors="coerce"))
    hot = hot.sort_values(["_z", "_r", "gitter_id"], ascending=[False, False, True],
                          na_position="last", kind="stable")
    names = area_names or dict(zip(areas["pr_id"].astype(str), areas["name"].astype(str),
                                   strict=True))
    keys = cells_to_areas(hot, areas) if len(hot) else pd.Series([], dtype=object)
    return with_format(pd.DataFrame({
        "Rang": np.arange(1, len(hot) + 1, dtype=np.int64),
        "Planungsraum": [MISSING_LABEL if pd.isna(k) else f"{k} {names.get(str(k), '')}".strip()
                         for k in keys.to_numpy()],
        "Straßen in der Zelle": _streets_in_cells(hot, streets, top_streets),
        "Personen": [count_text(v) for v in hot["personen"]],
        "Meldungen": [count_text(v) for v in hot["meldungen"]],
        "geglättet je 1.000 Einw.": [rate_text(v) for v in hot["rate_eb_je_1000"]],
        "Gitterzelle": hot["gitter_id"].astype(str).to_numpy(),
    }))
