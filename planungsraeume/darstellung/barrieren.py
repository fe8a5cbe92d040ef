"""Display tables of barrier reports: published values only; a suppressed value reads "keine
Angabe", never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analyses.privacy import MISSING_LABEL, Publication
from layers.formatting import de_number
from planungsraeume.darstellung.format import with_format

__all__ = [
    "barrier_area_table",
    "barrier_code_table",
    "barrier_grid_table",
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
    """Published streets (reports within 25 m of a named street)."""
    streets = pub.strassen()
    return with_format(pd.DataFrame({
        "Straße": streets["strasse"].astype(str).to_numpy(),
        "Personen": [count_text(v) for v in streets["personen"]],
        "Meldungen": [count_text(v) for v in streets["meldungen"]],
    }))
