"""Indicators over time and side by side: trend per area, change since a base year, comparison.

Every value here is a value of :func:`planungsraeume.indikatoren.indicators` for one year (the
one place that computes indicators): inhabitants of that year by
:meth:`~planungsraeume.region.Region.population_by_area`, offers active on 31 December of that
year by :meth:`~planungsraeume.region.Region.offers` (the one active-offer rule, through
``gueltig_von``/``gueltig_bis``). Nothing is interpolated: a year without figures has no value.

* :func:`trend` – one indicator per area and year, beside the region's value of the year;
* :func:`change` – change between a base year and a later year per area (absolute, in %, per
  year), the region as the last row;
* :func:`trends`, :func:`changes` – the same for several indicators at once (the small
  multiples: one small line chart per indicator, the area beside the region);
* :func:`compare_areas` – two or more areas side by side (one row per indicator);
* :func:`compare_regions` – the same indicators for two or more regions side by side (each
  region's value: for shares and rates from its sums, for counts the sum of its areas).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from layers.errors import AnalysisError
from planungsraeume.region import Region

__all__ = ["CHANGE_COLUMNS", "DEFAULT_TREND", "SMALL_MULTIPLES", "TREND_COLUMNS", "change",
           "changes", "compare_areas", "compare_regions", "trend", "trend_years", "trends"]

#: The trend a planner asks for first: the share of people aged 65 and older.
DEFAULT_TREND = "anteil_65_plus"
TREND_COLUMNS = ["pr_id", "name", "kennzahl", "bezeichnung", "einheit", "jahr", "wert",
                 "zaehler", "nenner", "wert_region"]
#: The indicators of the small multiples (those a region has are shown, in this order).
SMALL_MULTIPLES = ("einwohner", "anteil_unter_18", "anteil_65_plus", "anteil_75_plus",
                   "anteil_80_plus", "einwohner_65_plus", "angebote_je_10000",
                   "beratung_je_10000")
CHANGE_COLUMNS = ["pr_id", "name", "basisjahr", "jahr", "wert_basis", "wert", "aenderung",
                  "aenderung_prozent", "aenderung_je_jahr"]


def trend_years(region: Region) -> list[int]:
    """The years a trend has values for: the years with inhabitants per area."""
    return region.population_years()


def trend(region: Region, kennzahl: str = DEFAULT_TREND, *,
          jahre: Sequence[int] | None = None) -> pd.DataFrame:
    """One indicator per planning area and year.

    Parameters
    ----------
    region
        The region.
    kennzahl
        Key of an indicator of :func:`planungsraeume.indikatoren.indicators`
        (``anteil_65_plus``, ``einwohner``, ``angebote_je_10000``, ``eigen_…``).
    jahre
        The years (default :func:`trend_years`). A year the population has no own figures for
        uses the latest earlier year's inhabitants (the rule of ``population_by_area``; the
        row's ``jahr`` stays the year asked for, ``jahr_bevoelkerung`` says which one).

    Returns
    -------
    pandas.DataFrame
        :data:`TREND_COLUMNS` plus ``jahr_bevoelkerung``, ordered by area and year;
        ``wert_region`` is the region's value of the year (for shares and rates from the sums,
        never a mean of ratios).

    Raises
    ------
    AnalysisError
        If the indicator exists in no year (the message names the known ones).
    """
    from planungsraeume.indikatoren import indicators

    years = sorted({int(y) for y in (jahre if jahre is not None else trend_years(region))})
    parts, known = [], set()
    for year in years:
        long = indicators(region, jahr=year)
        known |= set(long["kennzahl"])
        part = long[long["kennzahl"] == kennzahl]
        people = long.loc[long["kennzahl"] == "einwohner", "jahr"]
        part = part.copy()
        part["jahr_bevoelkerung"] = people.iloc[0] if len(people) else pd.NA
        part["jahr"] = year
        parts.append(part)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if not len(table):
        raise AnalysisError(
            f"Die Kennzahl '{kennzahl}' gibt es in „{region.titel}“ in keinem der Jahre "
            f"{', '.join(map(str, years)) or '(keine)'}.",
            hinweis="Vorhandene Kennzahlen: " + ", ".join(sorted(known)[:30]) + ".",
        )
    order = {pr: i for i, pr in enumerate(region.areas()["pr_id"].astype(str))}
    table = table.assign(_o=table["pr_id"].astype(str).map(order)).sort_values(
        ["_o", "jahr"], kind="stable").drop(columns="_o").reset_index(drop=True)
    table["jahr"] = table["jahr"].astype(int)
    return table[[*TREND_COLUMNS, "jahr_bevoelkerung"]]


def change(table: pd.DataFrame, basisjahr: int | None = None,
           jahr: int | None = None) -> pd.DataFrame:
    """Change of a trend between a base year and a later year, per area and for the region.

    Parameters
    ----------
    table
        :func:`trend`.
    basisjahr, jahr
        The years compared (default the first and the last year of the trend).

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS`, one row per area, then ``pr_id = "Region"``: ``aenderung`` in
        the indicator's unit (percentage points for shares), ``aenderung_prozent`` relative to
        the base value, ``aenderung_je_jahr`` = ``aenderung`` / years between.

    Raises
    ------
    AnalysisError
        If a year is not in the trend or the base year is not earlier.
    """
    years = sorted(set(table["jahr"].astype(int)))
    base = years[0] if basisjahr is None else int(basisjahr)
    last = years[-1] if jahr is None else int(jahr)
    for wanted in (base, last):
        if wanted not in years:
            raise AnalysisError(
                f"Für {wanted} hat die Entwicklung keinen Wert.",
                hinweis=f"Wählen Sie eines der Jahre {', '.join(map(str, years))}.",
            )
    if base >= last:
        raise AnalysisError(
            f"Das Basisjahr {base} muss vor dem Vergleichsjahr {last} liegen.",
            hinweis="Wählen Sie ein früheres Basisjahr.",
        )
    by_year = {y: g.set_index("pr_id") for y, g in table.groupby("jahr")}
    start, end = by_year[base], by_year[last]
    areas = list(dict.fromkeys(table["pr_id"]))
    frame = pd.DataFrame({
        "pr_id": [*areas, "Region"],
        "name": [*end["name"].reindex(areas).astype(str), "Region"],
        "basisjahr": base, "jahr": last,
        "wert_basis": [*start["wert"].reindex(areas).astype(float),
                       float(start["wert_region"].iloc[0])],
        "wert": [*end["wert"].reindex(areas).astype(float), float(end["wert_region"].iloc[0])],
    })
    frame["aenderung"] = frame["wert"] - frame["wert_basis"]
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["aenderung_prozent"] = np.where(frame["wert_basis"] != 0,
                                              frame["aenderung"] / frame["wert_basis"] * 100,
                                              np.nan)
    frame["aenderung_je_jahr"] = frame["aenderung"] / (last - base)
    return frame[CHANGE_COLUMNS]


def trends(region: Region, kennzahlen: Sequence[str] = SMALL_MULTIPLES, *,
           jahre: Sequence[int] | None = None) -> pd.DataFrame:
    """Several indicators per planning area and year: :func:`trend` of each, in one table.

    Parameters
    ----------
    region
        The region.
    kennzahlen
        Indicator keys (default :data:`SMALL_MULTIPLES`); keys the region does not have are
        left out (e.g. 80+ where the source has no such age band).
    jahre
        The years (default :func:`trend_years`).

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`trend` for every indicator present, in the order of ``kennzahlen``
        (empty with the same columns if none is present).
    """
    parts = []
    for kennzahl in dict.fromkeys(kennzahlen):
        try:
            parts.append(trend(region, kennzahl, jahre=jahre))
        except AnalysisError:
            continue
    if not parts:
        return pd.DataFrame(columns=[*TREND_COLUMNS, "jahr_bevoelkerung"])
    return pd.concat(parts, ignore_index=True)


def changes(table: pd.DataFrame, basisjahr: int | None = None,
            jahr: int | None = None) -> pd.DataFrame:
    """:func:`change` of every indicator of :func:`trends`.

    Returns
    -------
    pandas.DataFrame
        ``kennzahl``, ``bezeichnung``, ``einheit``, then :data:`CHANGE_COLUMNS`; per
        indicator one row per area and the region (``pr_id = "Region"``).
    """
    parts = []
    for kennzahl, part in table.groupby("kennzahl", sort=False):
        delta = change(part, basisjahr, jahr)
        delta.insert(0, "einheit", str(part["einheit"].iloc[0]))
        delta.insert(0, "bezeichnung", str(part["bezeichnung"].iloc[0]))
        delta.insert(0, "kennzahl", str(kennzahl))
        parts.append(delta)
    if not parts:
        return pd.DataFrame(columns=["kennzahl", "bezeichnung", "einheit", *CHANGE_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def compare_areas(long: pd.DataFrame, pr_ids: Sequence[str]) -> pd.DataFrame:
    """Two or more planning areas side by side: one row per indicator, one column per area.

    Parameters
    ----------
    long
        :func:`planungsraeume.indikatoren.indicators` (one year).
    pr_ids
        The areas, in the order of the columns.

    Returns
    -------
    pandas.DataFrame
        ``bereich``, ``kennzahl``, ``bezeichnung``, ``einheit``, ``jahr``, one column
        ``"<pr_id> <name>"`` per area and ``Region`` (the comparison value).

    Raises
    ------
    AnalysisError
        For fewer than two areas or an unknown one.
    """
    wanted = [str(p) for p in dict.fromkeys(pr_ids)]
    known = set(long["pr_id"].astype(str))
    unknown = [p for p in wanted if p not in known]
    if unknown or len(wanted) < 2:
        raise AnalysisError(
            "Für den Vergleich braucht es mindestens zwei bekannte Planungsräume"
            + (f" ({', '.join(unknown)} gibt es nicht)." if unknown else "."),
            hinweis="Geben Sie die Nummern von zwei oder mehr Planungsräumen an.",
        )
    rows = long.assign(pr_id=long["pr_id"].astype(str))
    meta = rows.drop_duplicates("kennzahl").set_index("kennzahl")
    frame = meta[["bereich", "bezeichnung", "einheit", "jahr"]].reset_index()
    names = rows.drop_duplicates("pr_id").set_index("pr_id")["name"].astype(str)
    values = rows.pivot(index="kennzahl", columns="pr_id", values="wert")
    for pr_id in wanted:
        frame[f"{pr_id} {names[pr_id]}"] = values[pr_id].reindex(frame["kennzahl"]).to_numpy()
    frame["Region"] = meta["wert_region"].reindex(frame["kennzahl"]).to_numpy()
    return frame[["bereich", "kennzahl", "bezeichnung", "einheit", "jahr",
                  *[c for c in frame.columns if c not in ("bereich", "kennzahl", "bezeichnung",
                                                         "einheit", "jahr")]]]


def compare_regions(regions: Sequence[Region], *, jahr: int | None = None) -> pd.DataFrame:
    """The same indicators for two or more regions side by side.

    Parameters
    ----------
    regions
        The regions (e.g. Aachen and Köln).
    jahr
        The year of the figures (default each region's own; see
        :func:`planungsraeume.indikatoren.indicators`).

    Returns
    -------
    pandas.DataFrame
        ``bereich``, ``kennzahl``, ``bezeichnung``, ``einheit``, then per region its value
        (column = the region's name) and ``jahr <name>``: the region's own figure
        (:func:`planungsraeume.indikatoren.region_figures`: shares and rates from the sums,
        counts the sum over its planning areas, own indicators their mean). Only indicators
        every region has.
    """
    from planungsraeume.indikatoren import indicators, region_figures

    if len(regions) < 2:
        raise AnalysisError("Für den Vergleich braucht es mindestens zwei Regionen.",
                            hinweis="Geben Sie zwei oder mehr Regionen an.")
    frames = []
    for region in regions:
        long = indicators(region, jahr=jahr)
        first = long.drop_duplicates("kennzahl").set_index("kennzahl")
        value = region_figures(long)["wert"]
        frames.append(pd.DataFrame({
            "bereich": first["bereich"], "bezeichnung": first["bezeichnung"],
            "einheit": first["einheit"], region.name: value,
            f"jahr {region.name}": first["jahr"]}))
    table = frames[0]
    for other in frames[1:]:
        table = table.join(other.drop(columns=["bereich", "bezeichnung", "einheit"]),
                           how="inner")
    return table.reset_index().rename(columns={"index": "kennzahl"})
