"""The formats of the Steckbrief's figures and the adapters from the other modules' tables.

Adapters turn the indicator module's long table (:func:`indicators_from_long_table`) and the
per-area coverage table of the reachability analysis (:func:`coverage_from_area_table`) into the
report's ``indicators`` and ``coverage`` formats; :class:`CoverageChoice` says which coverage
figures a report shows, :class:`ReportInputs` holds the three inputs. Where the figures come
from (the region and its questions) is :mod:`planungsraeume.steckbrief.quellen`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from layers.errors import AnalysisError
from layers.formatting import MISSING
from planungsraeume.indikatoren.tabelle import REGION_TOTAL, count_rates, region_figures
from planungsraeume.steckbrief.inhalt import BarrierSummary, check_columns

__all__ = [
    "DEFAULT_COVERAGE",
    "REPORT_INDICATORS",
    "CoverageChoice",
    "RegionComparison",
    "ReportInputs",
    "advice_types_present",
    "coverage_from_area_table",
    "indicators_from_long_table",
]


# Units of the indicator module's long table -> units of the report (and the factor for "%").
_LONG_UNITS = {
    "Personen": ("personen", 1.0),
    "Anzahl": ("anzahl", 1.0),
    "%": ("anteil", 0.01),
    "je 10.000 Einw.": ("je_10000", 1.0),
    "je 1.000 Einw.": ("je_1000", 1.0),
    "Einw. je km²": ("je_km2", 1.0),
    "km²": ("km2", 1.0),
    "Minuten": ("minuten", 1.0),
    "": ("zahl", 1.0),
}


def indicators_from_long_table(long: pd.DataFrame, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Turn the indicator module's long table into this module's ``indicators`` format.

    Written against the documented columns of ``planungsraeume.indikatoren.compute_indicators``
    (``pr_id``, ``kennzahl`` = key, ``bezeichnung`` = label, ``einheit`` in "Personen", "%",
    "je 10.000 Einw.", "Anzahl", "Einw. je km²", ``art``, ``wert``, ``wert_region``; shares in
    percent).

    Parameters
    ----------
    long
        The long indicator table.
    keys
        Indicator keys to show, in this order (default: all rows in their order).

    Returns
    -------
    pandas.DataFrame
        ``pr_id``, ``kennzahl`` (the German label), ``wert``, ``regionswert``, ``einheit``,
        ``je_10000``, ``region_je_10000``: for counts the region's total and both rates per
        10,000 inhabitants (:func:`_counts_against_the_region`), never a per-area average;
        ``grundlage``: "modelliert" beside figures resting on a modelled population.
    """
    check_columns(long, ("pr_id", "kennzahl", "bezeichnung", "einheit", "art", "wert",
                         "wert_region"), "Kennzahlen")
    if not long.index.is_unique:  # the rows are matched with the rates by their index
        long = long.reset_index(drop=True)
    table = long
    if keys is not None:
        order = {key: i for i, key in enumerate(keys)}
        table = long[long["kennzahl"].isin(list(keys))].copy()
        table["_ordnung"] = table["kennzahl"].map(order)
        table = table.sort_values(["pr_id", "_ordnung"], kind="stable")
    units = table["einheit"].fillna("").astype(str)
    unknown = sorted(set(units) - set(_LONG_UNITS))
    if unknown:
        raise AnalysisError(
            f"Unbekannte Einheit(en) in der Kennzahlentabelle: {', '.join(unknown)}.",
            hinweis=f"Bekannt sind: {', '.join(u or '(leer)' for u in _LONG_UNITS)}.",
        )
    unit = units.map(lambda u: _LONG_UNITS[u][0])
    factor = units.map(lambda u: _LONG_UNITS[u][1]).astype(float)
    result = pd.DataFrame(
        {
            "pr_id": table["pr_id"].astype(str).to_numpy(),
            "kennzahl": table["bezeichnung"].astype(str).to_numpy(),
            "wert": (pd.to_numeric(table["wert"], errors="coerce") * factor).to_numpy(),
            "regionswert": (pd.to_numeric(table["wert_region"], errors="coerce") * factor).to_numpy(),
            "einheit": unit.to_numpy(),
        }
    )
    return _basis(_counts_against_the_region(result, table, long), table, long)


def _basis(result: pd.DataFrame, table: pd.DataFrame, long: pd.DataFrame) -> pd.DataFrame:
    """``grundlage``: "modelliert" beside every figure resting on a modelled population – the
    long table's ``datengrundlage`` – and "modelliert (Rate)" beside counts of offers shown
    with a rate per 10,000 inhabitants."""
    if "datengrundlage" not in long.columns:
        result["grundlage"] = ""
        return result
    basis = table["datengrundlage"].fillna("").astype(str).to_numpy()
    people = long.loc[long["kennzahl"] == "einwohner", "datengrundlage"].fillna("").astype(str)
    population = "modelliert" if (people == "modelliert").any() else ""
    rated = np.isfinite(result["je_10000"].to_numpy(dtype=float))
    # A count of offers is not modelled, its rate per 10,000 inhabitants is.
    result["grundlage"] = np.where(rated & (population != "") & (basis == ""),
                                   f"{population} (Rate)", np.where(rated, population, basis))
    return result


def _counts_against_the_region(result: pd.DataFrame, table: pd.DataFrame,
                               long: pd.DataFrame) -> pd.DataFrame:
    """Region columns of counts as rates, not as per-area averages.

    For a count of the tool ``regionswert`` becomes the region's figure from
    :func:`planungsraeume.indikatoren.region_figures` (its total, the sum over the areas), and
    ``je_10000`` / ``region_je_10000`` the rates of
    :func:`planungsraeume.indikatoren.count_rates`, which the report compares. The inhabitants
    themselves get the total only. Without ``einwohner`` rows the rates stay NaN.
    """
    figures = region_figures(long)
    keys = table["kennzahl"].astype(str)
    counts = (keys.map(figures["bezug"]) == REGION_TOTAL).to_numpy(dtype=bool)
    result.loc[counts, "regionswert"] = keys.map(figures["wert"]).to_numpy(dtype=float)[counts]
    rates = count_rates(long).loc[table.index]
    result["je_10000"] = rates["je_10000"].to_numpy(dtype=float)
    result["region_je_10000"] = rates["region_je_10000"].to_numpy(dtype=float)
    return result


def coverage_from_area_table(
    table: pd.DataFrame, *, typ: str | None = None, total_id: str = "gesamt"
) -> pd.DataFrame:
    """Turn a per-area coverage table of the reachability analysis into the ``coverage`` format.

    Written against the documented output of ``analyses.coverage.coverage_by_area``: one row per
    area and threshold (``pr_id``, ``schwelle_min``, ``einwohner``, ``einwohner_erreicht``,
    ``ab65``, ``ab65_erreicht``, ``profil``, ``auswahl``) plus a total row per threshold
    (``pr_id == "gesamt"``), which gives the region value. Shares are recomputed from the
    counts (not from rounded percentages).

    Parameters
    ----------
    table
        One coverage table (one type/selection, one profile).
    typ
        Label of the service type; default: the table's ``auswahl`` column.
    total_id
        Key of the total rows.

    Returns
    -------
    pandas.DataFrame
        In the ``coverage`` format of this module.
    """
    check_columns(table, ("pr_id", "schwelle_min", "einwohner", "einwohner_erreicht", "ab65",
                           "ab65_erreicht"), "Erreichbarkeit")

    def share(reached: pd.Series, base: pd.Series) -> np.ndarray:
        base_values = pd.to_numeric(base, errors="coerce").to_numpy(float)
        reached_values = pd.to_numeric(reached, errors="coerce").to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(base_values > 0, reached_values / base_values, np.nan)

    key = table["pr_id"].astype(str)
    totals = table[key == total_id]
    region = pd.Series(share(totals["einwohner_erreicht"], totals["einwohner"]),
                       index=totals["schwelle_min"].to_numpy())
    rows = table[key != total_id]
    label = typ if typ is not None else (
        rows["auswahl"].astype(str) if "auswahl" in rows.columns else "alle Angebote"
    )
    return pd.DataFrame(
        {
            "pr_id": rows["pr_id"].astype(str).to_numpy(),
            "typ": label if isinstance(label, str) else label.to_numpy(),
            "profil": rows["profil"].astype(str).to_numpy() if "profil" in rows.columns else MISSING,
            "minuten": pd.to_numeric(rows["schwelle_min"], errors="coerce").to_numpy(),
            "anteil_einwohner": share(rows["einwohner_erreicht"], rows["einwohner"]),
            "anteil_65_plus": share(rows["ab65_erreicht"], rows["ab65"]),
            "region_anteil_einwohner": rows["schwelle_min"].map(region).to_numpy(dtype=float),
        }
    )


# Keys of planungsraeume.indikatoren shown in the Kennzahlen table, in this order (keys a region
# does not have, e.g. age groups without population data, are left out). Imported own
# indicators (``eigen_*``) follow.
REPORT_INDICATORS: tuple[str, ...] = (
    "einwohner",
    "einwohnerdichte",
    "einwohner_unter_18",
    "anteil_unter_18",
    "einwohner_65_plus",
    "anteil_65_plus",
    "anteil_80_plus",
    "angebote",
    "beratung",
    "beratung_je_10000",
    "anteil_stufenloser_zugang",
    "anteil_stufenloser_zugang_unbekannt",
    "anteil_rollstuhlgerechtes_wc",
    "anteil_leichte_sprache",
)


@dataclass(frozen=True)
class CoverageChoice:
    """Which coverage figures the Erreichbarkeit section shows.

    Attributes
    ----------
    typen
        Service types; ``None``: every advice type (group "Beratung") present in the region.
    profile
        Travel profiles (default: on foot and in a wheelchair, the two ends of the range).
    minuten
        Time limit.
    unbekannt
        Handling of unknown way attributes (default from ``data/profile.toml``).
    """

    typen: tuple[str, ...] | None = None
    profile: tuple[str, ...] = ("fuss", "rollstuhl")
    minuten: float = 15.0
    unbekannt: str | None = None


DEFAULT_COVERAGE: CoverageChoice = CoverageChoice()


def advice_types_present(services: pd.DataFrame) -> list[str]:
    """Advice types (group "Beratung") with at least one offer, in the vocabulary's order."""
    from layers.angebote import service_types

    present = set(services.loc[services["gruppe"] == "Beratung", "typ"].dropna().astype(str))
    return [t.schluessel for t in service_types() if t.schluessel in present]


@dataclass(frozen=True)
class RegionComparison:
    """The region beside a second region (:func:`planungsraeume.zeitreihe.compare_regions`).

    Attributes
    ----------
    tabelle
        The comparison (one row per indicator; a value column per region name).
    werte
        The areas' own values of the same indicators (``pr_id``, ``kennzahl``, ``wert``).
    region, andere
        The names of the report's region and of the other region.
    titel
        Region name -> short title ("Köln").
    """

    tabelle: pd.DataFrame
    werte: pd.DataFrame
    region: str
    andere: str
    titel: dict[str, str]


@dataclass(frozen=True)
class ReportInputs:
    """The figure inputs of the reports, computed once for all areas.

    ``trend``: an indicator per area and year (:func:`planungsraeume.zeitreihe.trend`, the
    share 65+ by default) where the region has figures for more than one year; ``trends``:
    the small multiples' indicators (:func:`planungsraeume.zeitreihe.trends`), their change
    since ``basisjahr`` (default the first year); ``vergleich``: a second region (optional).
    """

    indicators: pd.DataFrame
    coverage: pd.DataFrame | None
    barriers: BarrierSummary | None
    trend: pd.DataFrame | None = None
    trends: pd.DataFrame | None = None
    vergleich: RegionComparison | None = None
    basisjahr: int | None = None
