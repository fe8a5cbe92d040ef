"""The long indicator table: its columns, labels and the one row builder (area vs region)."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.formatting import MISSING

__all__ = [
    "ACCESS_LABELS",
    "AGE_GROUPS",
    "AREA_MEAN",
    "GERMAN_COLUMNS",
    "LONG_COLUMNS",
    "OWN_INDICATORS",
    "PER",
    "REGION_TOTAL",
    "REGION_VALUE",
    "SIMILAR_WITHIN",
    "area_names",
    "comparison_word",
    "count_rates",
    "indicator_rows",
    "region_figures",
    "slug",
]

LONG_COLUMNS = ["pr_id", "name", "bereich", "kennzahl", "bezeichnung", "einheit", "art", "wert",
                "zaehler", "nenner", "wert_region", "region_bezug", "differenz", "verhaeltnis",
                "jahr", "datengrundlage"]

GERMAN_COLUMNS = {
    "pr_id": "Nr.",
    "name": "Planungsraum",
    "bereich": "Bereich",
    "kennzahl": "Schlüssel",
    "bezeichnung": "Kennzahl",
    "einheit": "Einheit",
    "art": "Art",
    "wert": "Wert",
    "zaehler": "Zähler",
    "nenner": "Nenner",
    "wert_region": "Vergleichswert Region",
    "region_bezug": "Vergleich mit",
    "differenz": "Abweichung",
    "verhaeltnis": "Verhältnis zur Region",
    "jahr": "Jahr",
    # "modelliert" beside every figure that rests on a modelled population (issue #12, item 6).
    "datengrundlage": "Datengrundlage",
}

AGE_GROUPS = {
    "alter_unter_18": "unter 18 Jahre",
    "alter_18_64": "18 bis 64 Jahre",
    "alter_65_plus": "65 Jahre und älter",
    "alter_65_74": "65 bis 74 Jahre",
    "alter_75_plus": "75 Jahre und älter",
    "alter_65_79": "65 bis 79 Jahre",
    "alter_80_plus": "80 Jahre und älter",
}
ACCESS_LABELS = {
    "stufenloser_zugang": "stufenlosem Zugang",
    "rollstuhlgerechtes_wc": "rollstuhlgerechtem WC",
    "induktionsschleife": "Induktionsschleife",
    "gebaerdensprache": "Gebärdensprache",
    "leichte_sprache": "Leichter Sprache",
}
REGION_VALUE = "Regionswert"
AREA_MEAN = "Durchschnitt je Planungsraum"
REGION_TOTAL = "Summe der Planungsräume"
# The ``bereich`` of indicators imported by the users (their nature is not known: a count, a
# quota, an index).
OWN_INDICATORS = "Eigene Kennzahlen"
PER = 10_000
# An area within ±5 % of the region is "etwa gleich".
SIMILAR_WITHIN = 0.05


def indicator_rows(
    area_keys: np.ndarray,
    names: np.ndarray,
    *,
    bereich: str,
    kennzahl: str,
    bezeichnung: str,
    einheit: str,
    art: str,
    zaehler: np.ndarray,
    nenner: np.ndarray | None = None,
    faktor: float = 1.0,
    region_value: float | None = None,
    region_bezug: str | None = None,
) -> pd.DataFrame:
    zaehler = np.asarray(zaehler, dtype=float)
    if nenner is None:
        wert = zaehler.copy()
        nenner_out = np.full(len(zaehler), np.nan)
        region = float(np.nanmean(wert)) if region_value is None and len(wert) else region_value
        bezug = region_bezug or AREA_MEAN
    else:
        nenner_out = np.asarray(nenner, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            wert = np.where(nenner_out > 0, zaehler / nenner_out * faktor, np.nan)
        total = float(np.nansum(nenner_out))
        region = (float(np.nansum(zaehler)) / total * faktor if total > 0 else np.nan) \
            if region_value is None else region_value
        bezug = region_bezug or REGION_VALUE
    region_f = np.nan if region is None else float(region)
    if np.isfinite(region_f) and region_f != 0:
        ratio = wert / region_f
    else:
        ratio = np.full(len(wert), np.nan)
    return pd.DataFrame({
        "pr_id": area_keys,
        "name": names,
        "bereich": bereich,
        "kennzahl": kennzahl,
        "bezeichnung": bezeichnung,
        "einheit": einheit,
        "art": art,
        "wert": wert,
        "zaehler": zaehler if nenner is not None else np.full(len(zaehler), np.nan),
        "nenner": nenner_out,
        "wert_region": region_f,
        "region_bezug": bezug,
        "differenz": wert - region_f,
        "verhaeltnis": ratio,
    })


def region_figures(long: pd.DataFrame) -> pd.DataFrame:
    """The region's own figure of every indicator: the one rule for every output's region value.

    * shares and rates: ``wert_region``, the value of the whole region (from the sums);
    * counts the tool computes (``art`` ``anzahl``): the sum over the planning areas (NaN when
      no area has a value) – the region's total, not the average per area that ``wert_region``
      holds for them as the comparison value;
    * the users' own indicators (:data:`OWN_INDICATORS`): their ``wert_region``, the mean of
      the areas (summing is wrong for a quota, and the tool cannot tell a quota from a count).

    Parameters
    ----------
    long
        The long indicator table (:func:`planungsraeume.indikatoren.compute_indicators`), any
        selection of its rows.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``kennzahl`` in the table's order: ``wert`` (the figure), ``bezug`` (what it
        is: :data:`REGION_VALUE`, :data:`REGION_TOTAL` or the own indicators' ``region_bezug``)
        and ``summe`` (the sum over the areas for the tool's counts, else NaN).
    """
    first = long.drop_duplicates("kennzahl").set_index("kennzahl")
    if "bereich" in first.columns:
        own = (first["bereich"] == OWN_INDICATORS).to_numpy(dtype=bool)
    else:
        own = np.zeros(len(first), dtype=bool)
    count = (first["art"] == "anzahl").to_numpy(dtype=bool) & ~own
    values = pd.to_numeric(long["wert"], errors="coerce")
    totals = values.groupby(long["kennzahl"], sort=False).sum(min_count=1).reindex(first.index)
    total = totals.to_numpy(dtype=float)
    comparison = pd.to_numeric(first["wert_region"], errors="coerce").to_numpy(dtype=float)
    bezug = first["region_bezug"].astype(object).to_numpy() if "region_bezug" in first.columns \
        else np.full(len(first), REGION_VALUE, dtype=object)
    return pd.DataFrame({
        "wert": np.where(count, total, comparison),
        "bezug": np.where(count, REGION_TOTAL, np.where(own, bezug, REGION_VALUE)),
        "summe": np.where(count, total, np.nan),
    }, index=first.index)


def count_rates(long: pd.DataFrame) -> pd.DataFrame:
    """How a count is compared with the region: per 10,000 inhabitants, the area's and the region's.

    A count (offers, persons of an age) grows with the area's size, so an area is compared by
    its rate – its count ÷ its inhabitants × 10,000 – with the region's rate – the region's
    total (:func:`region_figures`) ÷ the region's inhabitants × 10,000 –, never by the count
    against the per-area average that ``wert_region`` holds for it. Every output that judges a
    count (the profile page, the Steckbrief) takes the rates from here.

    Parameters
    ----------
    long
        The long indicator table (with its ``einwohner`` rows).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``long``: ``je_10000`` and ``region_je_10000`` for the tool's counts except
        the inhabitants themselves, in areas with inhabitants; NaN elsewhere and without
        ``einwohner`` rows.
    """
    figures = region_figures(long)
    keys = long["kennzahl"].astype(str)
    people = long[keys == "einwohner"]
    per_area = pd.to_numeric(people["wert"], errors="coerce").groupby(
        people["pr_id"].astype(str)).sum()
    region_people = float(per_area.sum())
    inhabitants = long["pr_id"].astype(str).map(per_area).to_numpy(dtype=float)
    count = (keys.map(figures["bezug"]) == REGION_TOTAL).to_numpy(dtype=bool) & (
        keys != "einwohner").to_numpy(dtype=bool)
    rate = count & (inhabitants > 0)
    values = pd.to_numeric(long["wert"], errors="coerce").to_numpy(dtype=float)
    totals = keys.map(figures["wert"]).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        area = np.where(rate, values / inhabitants * PER, np.nan)
        region = np.where(rate & (region_people > 0), totals / max(region_people, 1.0) * PER,
                          np.nan)
    return pd.DataFrame({"je_10000": area, "region_je_10000": region}, index=long.index)


def comparison_word(value: object, reference: object) -> str:
    """"höher", "niedriger" or "etwa gleich" (within :data:`SIMILAR_WITHIN`) – the one verdict.

    Against a reference of 0: "etwa gleich" for 0, else "höher"; "–" when either is missing.
    """
    if value is None or reference is None or pd.isna(value) or pd.isna(reference):  # type: ignore[call-overload]
        return MISSING
    number, base = float(value), float(reference)  # type: ignore[arg-type]
    if not (np.isfinite(number) and np.isfinite(base)):
        return MISSING
    if base == 0:
        return "etwa gleich" if number == 0 else "höher"
    ratio = number / base
    if abs(ratio - 1.0) <= SIMILAR_WITHIN:
        return "etwa gleich"
    return "höher" if ratio > 1 else "niedriger"


def slug(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "§": "par"})
    return re.sub(r"[^A-Za-z0-9]+", "_", text.translate(table)).strip("_")


def area_names(areas: gpd.GeoDataFrame) -> np.ndarray:
    return areas["name"].astype("string").to_numpy() if "name" in areas else \
        np.full(len(areas), pd.NA)
