"""Display tables of reachability: coverage per planning area, thresholds, shares by class."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planungsraeume.darstellung.format import area_numbers, with_format

__all__ = [
    "band_table",
    "class_table",
    "coverage_table",
    "share_table",
    "thresholds_table",
]


def coverage_table(coverage: pd.DataFrame, minuten: float) -> pd.DataFrame:
    """Coverage of one threshold per planning area (the "Versorgung je Planungsraum" table).

    Parameters
    ----------
    coverage
        :func:`planungsraeume.erreichbarkeit.coverage` (one or more thresholds).
    minuten
        The threshold shown.

    Returns
    -------
    pandas.DataFrame
        Nr., Planungsraum, Einwohner, erreicht, nicht erreicht, nicht angebunden, Anteil
        erreicht (%), the same for people aged 65+; areas, then "ohne Planungsraum", then the
        region. For every row erreicht + nicht erreicht + nicht angebunden = Einwohner.
    """
    rows = coverage[coverage["schwelle_min"].astype(float) == float(minuten)]
    table = pd.DataFrame({
        "Nr.": area_numbers(rows["pr_id"]),
        "Planungsraum": rows["planungsraum"].astype(str).to_numpy(),
        "Einwohner": rows["einwohner"].astype(np.int64).to_numpy(),
        "erreicht": rows["einwohner_erreicht"].astype(np.int64).to_numpy(),
        "nicht erreicht": rows["einwohner_nicht_erreicht"].astype(np.int64).to_numpy(),
        "nicht angebunden": rows["einwohner_nicht_angebunden"].astype(np.int64).to_numpy(),
        "Anteil erreicht (%)": rows["anteil_erreicht_prozent"].astype(float).to_numpy(),
        "65 Jahre und älter": rows["ab65"].astype(np.int64).to_numpy(),
        "65+ erreicht": rows["ab65_erreicht"].astype(np.int64).to_numpy(),
        "65+ nicht erreicht": rows["ab65_nicht_erreicht"].astype(np.int64).to_numpy(),
        "65+ nicht angebunden": rows["ab65_nicht_angebunden"].astype(np.int64).to_numpy(),
        "Anteil 65+ erreicht (%)": rows["anteil_ab65_erreicht_prozent"].astype(float).to_numpy(),
    })
    return with_format(table, {"Anteil erreicht (%)": 1, "Anteil 65+ erreicht (%)": 1})


def thresholds_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """Share of the inhabitants reached per planning area, one column per threshold."""
    wide = coverage.pivot_table(index=["pr_id", "planungsraum"], columns="schwelle_min",
                                values="anteil_erreicht_prozent", sort=False)
    wide.columns = [f"in {_minutes(m)} Min. (%)" for m in wide.columns]
    wide = wide.reset_index().rename(columns={"planungsraum": "Planungsraum"})
    wide.insert(0, "Nr.", area_numbers(wide.pop("pr_id")))
    return with_format(wide)


def _minutes(value: object) -> str:
    return f"{float(value):g}".replace(".", ",")  # type: ignore[arg-type]


def share_table(shares: pd.DataFrame) -> pd.DataFrame:
    """Shares per planning area and category (one column per category, in %).

    ``shares`` is a long table of :func:`analyses.coverage.share_by_area` (travel-time bands,
    distance to the nearest stop, ÖV-Güteklassen).
    """
    wide = shares.pivot_table(index=["pr_id", "planungsraum"], columns="kategorie",
                              values="anteil_prozent", sort=False, observed=True)
    order = list(dict.fromkeys(str(k) for k in shares["kategorie"]))
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reindex(columns=order)
    wide.columns = [f"{c} (%)" for c in wide.columns]
    wide = wide.reset_index().rename(columns={"planungsraum": "Planungsraum"})
    wide.insert(0, "Nr.", area_numbers(wide.pop("pr_id")))
    return with_format(wide)


def class_table(shares: pd.DataFrame, kategorie: str = "Reisezeit",
                anzahl: str = "Einwohner") -> pd.DataFrame:
    """The region row of :func:`analyses.coverage.share_by_area`: count and share per category.

    Parameters
    ----------
    shares
        Long table of :func:`analyses.coverage.share_by_area`.
    kategorie
        Header of the category column ("Reisezeit", "Güteklasse", "Fußweg zur Haltestelle").
    anzahl
        Header of the count column ("Einwohner", or "Adressen" where a region has no
        population).
    """
    region = shares[shares["pr_id"].astype(str) == "gesamt"]
    table = pd.DataFrame({
        kategorie: region["kategorie"].astype(str).to_numpy(),
        anzahl: region["anzahl"].astype(np.int64).to_numpy(),
        "Anteil (%)": region["anteil_prozent"].astype(float).to_numpy(),
    })
    return with_format(table)


def band_table(bands: pd.DataFrame) -> pd.DataFrame:
    """Population of the region by travel-time band (:func:`class_table` of "Reisezeit")."""
    return class_table(bands, "Reisezeit", "Einwohner")
