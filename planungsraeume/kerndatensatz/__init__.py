"""The Kerndatensatz: one documented long table per planning area and year (seed 003).

Twelve communities of the Rhineland-Palatinate model project agreed on one core data set
("Kerndatensatz") to compare themselves. Here it is every indicator the tool computes without a
reachability question, per planning area, per year and for the region, in one long table with
the columns of :data:`~planungsraeume.kerndatensatz.lexikon.COLUMNS`:

* the indicators of :func:`planungsraeume.indikatoren.indicators` for every year with
  inhabitants (:meth:`~planungsraeume.region.Region.population_years`; a region without years
  gives one pass in the population's own year): inhabitants by the one cell→area rule,
  offers active on 31 December by the one offer rule, own indicators of the year;
* the region rows: shares and rates the region's own value (sums of numerators ÷ sums of
  denominators), counts the sum of the planning areas (the rule of
  :func:`planungsraeume.zeitreihe.compare_regions`); own indicators have no region row;
* barrier reports per year (:func:`planungsraeume.barrieren_jahre.barrier_series`): only the
  values the privacy gate publishes, empty where it publishes none.

Every row says where it comes from (``quelle``) and whether it rests on modelled population or
synthetic data. :mod:`~planungsraeume.kerndatensatz.datei` writes it (CSV through the one CSV
writer, XLSX, the data dictionary) and reads it back into the identical frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from planungsraeume.darstellung import with_format
from planungsraeume.indikatoren.tabelle import OWN_INDICATORS, region_figures
from planungsraeume.kerndatensatz.lexikon import BARRIER_AREA, COLUMN_TYPES, COLUMNS
from planungsraeume.region import Region

__all__ = ["DECIMALS", "KEY_COLUMNS", "conform", "kerndatensatz"]

#: Decimals of the numbers of the Kerndatensatz (the values are rounded to them once).
DECIMALS = 6
#: The columns that identify a row (unique in a Kerndatensatz).
KEY_COLUMNS = ["ebene", "schluessel", "jahr", "indikator"]
_OWN = OWN_INDICATORS


def kerndatensatz(region: Region, *, jahre: Sequence[int] | None = None) -> pd.DataFrame:
    """The Kerndatensatz of a region.

    Parameters
    ----------
    region
        The region.
    jahre
        The years (default: :meth:`Region.population_years`, or one pass in the population's
        own year where there are none).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`~planungsraeume.kerndatensatz.lexikon.COLUMNS` in their types
        (:func:`conform`); planning-area rows in layer order, then the region row, per year and
        indicator; barrier rows last.
    """
    from planungsraeume.barrieren_jahre import barrier_series
    from planungsraeume.indikatoren import indicators

    years: list[int | None] = list(jahre) if jahre is not None else [
        *region.population_years()] or [None]
    parts = []
    for year in years:
        long = indicators(region, jahr=year)
        parts.append(_indicator_rows(region, long, year, _sources(region, long)))
    if region.has_layer("barrieren"):
        parts.append(_barrier_rows(barrier_series(region), _layer_source(region, "barrieren")))
    return conform(pd.concat(parts, ignore_index=True))


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame in the Kerndatensatz's columns, types and rounding (text as ``string``,
    years as ``Int64``, numbers as ``float64`` rounded to :data:`DECIMALS`, flags as ``bool``)."""
    out = pd.DataFrame(index=range(len(frame)))
    for name, kind, _ in COLUMNS:
        values = frame[name].reset_index(drop=True) if name in frame else pd.Series(
            [pd.NA] * len(frame), dtype="object")
        if kind == "text":
            text = values.astype("string")
            out[name] = text.mask(text.str.len() == 0)  # "" and empty are one: no text
        elif kind == "ganzzahl":
            out[name] = pd.to_numeric(values, errors="raise").astype("Int64")
        elif kind == "zahl":
            out[name] = pd.to_numeric(values, errors="raise").astype(float).round(DECIMALS)
        else:
            out[name] = values.fillna(False).astype(bool)
    return with_format(out, {name: DECIMALS for name, kind in COLUMN_TYPES.items()
                             if kind == "zahl"})


def _layer_source(region: Region, layer: str) -> str:
    if not region.has_layer(layer):
        return ""
    table = region.layer(layer, ("quelle",))
    if "quelle" not in table:
        return ""
    return "; ".join(sorted({str(v) for v in table["quelle"].dropna()}))


def _sources(region: Region, long: pd.DataFrame) -> dict[str, tuple[str, bool, bool]]:
    """(quelle, modelliert, synthetisch) per kind of row of one year's indicators."""
    from layers.planungsraeume.tabellen import USER_INDICATOR_TABLE
    from planungsraeume.indikatoren import year_day

    population = _layer_source(region, "bevoelkerung")
    modelled = "modelliert" in population
    offer_years = pd.to_numeric(long.loc[long["bereich"] == "Angebote", "jahr"]).dropna()
    day = year_day(int(offer_years.iloc[0]) if len(offer_years) else None)
    offers = region.offers(day)
    kinds = sorted({str(v) for v in offers["quelle"].dropna()}) if "quelle" in offers else []
    offer_text = "Angebote: " + (", ".join(kinds) or "keine")
    own = _layer_source(region, USER_INDICATOR_TABLE) or "eigene Tabelle (importiert)"
    return {
        "Bevölkerung": (population, modelled, False),
        "Angebote": (offer_text, False, "synthetisch" in kinds),
        "Angebote je Einwohner": (f"{offer_text}; Einwohner: {population}", modelled,
                                  "synthetisch" in kinds),
        _OWN: (own, "modelliert" in own, "synthetisch" in own),
    }


def _indicator_rows(region: Region, long: pd.DataFrame, year: int | None,
                    sources: dict[str, tuple[str, bool, bool]]) -> pd.DataFrame:
    """One year's indicators: the planning areas, then one region row per indicator."""
    rows = pd.DataFrame({
        "ebene": "Planungsraum", "schluessel": long["pr_id"].astype(str),
        "name": long["name"], "jahr_daten": long["jahr"],
        "jahr": long["jahr"] if year is None else year,
        "bereich": long["bereich"], "indikator": long["kennzahl"],
        "bezeichnung": long["bezeichnung"], "wert": long["wert"], "einheit": long["einheit"],
        "art": long["art"], "zaehler": long["zaehler"], "nenner": long["nenner"]})
    regional = _region_rows(long, region)
    # Without a year each indicator keeps its own year, in the region row as well.
    regional["jahr"] = regional["jahr_daten"] if year is None else year
    rows = pd.concat([rows, regional], ignore_index=True)
    kind = np.where(rows["bereich"].isin(["Angebote", "Barrierefreiheit"]), "Angebote",
                    rows["bereich"])
    kind = np.where((rows["bereich"] == "Angebote") & (rows["art"] == "rate"),
                    "Angebote je Einwohner", kind)
    source = pd.Series(kind).map(sources)
    rows["quelle"] = [s[0] for s in source]
    rows["modelliert"] = [s[1] for s in source]
    rows["synthetisch"] = [s[2] for s in source]
    same = pd.to_numeric(rows["jahr_daten"]).astype("Int64") == pd.to_numeric(
        rows["jahr"]).astype("Int64")
    rows.loc[same.fillna(False).to_numpy(dtype=bool), "jahr_daten"] = pd.NA
    return rows


def _region_rows(long: pd.DataFrame, region: Region) -> pd.DataFrame:
    """Region values (:func:`planungsraeume.indikatoren.region_figures`: shares/rates from the
    sums, counts summed over areas) of the tool's indicators."""
    tool = long[long["bereich"] != _OWN]
    first = tool.drop_duplicates("kennzahl").set_index("kennzahl")
    grouped = tool.groupby("kennzahl", sort=False)
    figures = region_figures(tool)
    count = (first["art"] == "anzahl").to_numpy()  # no numerator and denominator
    return pd.DataFrame({
        "ebene": "Region", "schluessel": region.name, "name": region.titel,
        "jahr_daten": first["jahr"].to_numpy(), "bereich": first["bereich"].to_numpy(),
        "indikator": first.index.to_numpy(), "bezeichnung": first["bezeichnung"].to_numpy(),
        "wert": figures["wert"].to_numpy(dtype=float),
        "einheit": first["einheit"].to_numpy(), "art": first["art"].to_numpy(),
        "zaehler": np.where(count, np.nan, grouped["zaehler"].sum(min_count=1)
                            .reindex(first.index).to_numpy(dtype=float)),
        "nenner": np.where(count, np.nan, grouped["nenner"].sum(min_count=1)
                           .reindex(first.index).to_numpy(dtype=float)),
    })


def _barrier_rows(series: pd.DataFrame, source: str) -> pd.DataFrame:
    """The published barrier series as two indicators (persons, reports) per row of it."""
    parts = []
    for column, label, unit in (("personen", "Personen mit Barrieremeldungen", "Personen"),
                                ("meldungen", "Barrieremeldungen", "Meldungen")):
        parts.append(pd.DataFrame({
            "ebene": series["ebene"], "schluessel": series["schluessel"],
            "name": series["name"], "jahr": series["jahr"], "bereich": BARRIER_AREA,
            "indikator": f"barrieren_{column}", "bezeichnung": label,
            "wert": series[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
            "einheit": unit, "art": "anzahl", "quelle": source, "modelliert": False,
            "synthetisch": "synthetisch" in source,
            "geheimhaltung": series["geheimhaltung"]}))
    return pd.concat(parts, ignore_index=True)
