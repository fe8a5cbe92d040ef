"""German result tables shared by the command line, the app's pages and the Steckbrief.

Every function here turns the answer of one analysis of :mod:`planungsraeume` into the table a
planner reads: German headers, one row per planning area in layer order, the rows "ohne
Planungsraum" and "Region gesamt" last. The command line prints these tables
(:func:`text_table` gives the German number format), the pages show them, and every CSV a user
downloads or writes is written by :func:`csv_bytes` / :func:`write_csv` (semicolon, decimal
comma, UTF-8 with BOM: opens correctly in a German Excel).

Numbers stay numbers (so that a page can sort and a CSV keeps its decimal comma); how many
decimals a column shows, and which columns show a sign (differences), is kept in the table's
``attrs`` under :data:`DECIMALS` and :data:`SIGNED` and used by :func:`text_table`. Barrier
tables hold text, because a suppressed value reads "keine Angabe" (never 0).

Columns of a per-area table: ``Nr.`` (the area number; empty for the region row, "–" for the
inhabitants outside every area) and ``Planungsraum`` (the name).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.privacy import MISSING_LABEL, Publication
from layers.errors import Problem
from layers.formatting import MISSING, de_number, excel_csv_bytes

__all__ = [
    "DECIMALS",
    "SIGNED",
    "accessibility_area_table",
    "accessibility_offer_table",
    "area_number",
    "band_table",
    "barrier_area_table",
    "barrier_code_table",
    "barrier_grid_table",
    "barrier_street_table",
    "barrier_year_table",
    "class_table",
    "count_text",
    "coverage_table",
    "csv_bytes",
    "format_value",
    "indicator_long_table",
    "indicator_summary",
    "indicator_table",
    "points_table",
    "problem_table",
    "rate_text",
    "scenario_accessibility_table",
    "scenario_export_table",
    "scenario_table",
    "share_table",
    "site_area_table",
    "site_table",
    "text_table",
    "thresholds_table",
    "write_csv",
]

#: ``attrs`` key: decimals per numeric column (default 0 for integers, 1 for other numbers).
DECIMALS = "dezimalen"
#: ``attrs`` key: columns whose positive values are shown with "+" (differences).
SIGNED = "vorzeichen"
#: Row keys of the region total and of the inhabitants outside every area.
_TOTAL_KEYS = ("gesamt", "Region")
_OUTSIDE_KEY = "ohne"
_COUNT_UNITS = ("Personen", "Anzahl")


def _with_format(
    table: pd.DataFrame, decimals: Mapping[str, int] | None = None, signed: Iterable[str] = ()
) -> pd.DataFrame:
    table.attrs[DECIMALS] = dict(decimals or {})
    table.attrs[SIGNED] = list(signed)
    return table


def area_number(pr_id: object) -> str:
    """The ``Nr.`` cell of a per-area table: "" for the region row, "–" for "ohne"."""
    key = str(pr_id)
    if key in _TOTAL_KEYS:
        return ""
    return MISSING if key == _OUTSIDE_KEY else key


def _numbers(keys: Iterable[object]) -> list[str]:
    return [area_number(k) for k in keys]


# --------------------------------------------------------------------------------------------
# Formatting and writing
# --------------------------------------------------------------------------------------------


def format_value(value: object, decimals: int = 0, *, signed: bool = False) -> str:
    """One cell in German format ("12.345", "23,4", "+120"; "–" for a missing number).

    Text is returned unchanged.
    """
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA:
        return MISSING
    text = de_number(value, decimals)
    if signed and text != MISSING and float(value) > 0 and text.strip("0,.") != "":  # type: ignore[arg-type]
        return f"+{text}"
    return text


def text_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table with every cell as German text, using the decimals and signs in ``attrs``."""
    decimals: Mapping[str, int] = table.attrs.get(DECIMALS, {})
    signed = set(table.attrs.get(SIGNED, []))
    out = pd.DataFrame(index=table.index)
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            out[column] = ["" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                           else str(v) for v in values]
            continue
        default = 0 if pd.api.types.is_integer_dtype(values) else 1
        places = int(decimals.get(str(column), default))
        out[column] = [format_value(v, places, signed=column in signed) for v in values]
    return out


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as CSV for German spreadsheet programs: semicolon, decimal comma, UTF-8 with BOM.

    The one CSV writer of the project (command line and app downloads; a geometry column is
    left out), :func:`layers.formatting.excel_csv_bytes`.
    """
    frame = pd.DataFrame(table)
    if isinstance(table, gpd.GeoDataFrame):
        frame = pd.DataFrame(table.drop(columns=table.geometry.name))
    return excel_csv_bytes(frame)


def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write :func:`csv_bytes` of a table to a file (parent folders are created)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(csv_bytes(table))
    return target


def problem_table(problems: Sequence[Problem]) -> pd.DataFrame:
    """Findings of a check as a table: Zeile, Spalte, Schwere, Meldung, So beheben."""
    rows = [{"Zeile": p.zeile, "Spalte": p.spalte, "Schwere": p.schwere, "Meldung": p.meldung,
             "So beheben": p.hinweis} for p in problems]
    return pd.DataFrame(rows, columns=["Zeile", "Spalte", "Schwere", "Meldung", "So beheben"])


def points_table(points: gpd.GeoDataFrame) -> pd.DataFrame:
    """Points without geometry, with ``lon`` and ``lat`` (WGS 84, 6 decimals) as last columns."""
    lonlat = points.to_crs("EPSG:4326")
    table = pd.DataFrame(points.drop(columns=points.geometry.name))
    return _with_format(table.assign(lon=lonlat.geometry.x.round(6).to_numpy(),
                                     lat=lonlat.geometry.y.round(6).to_numpy()),
                        {"lon": 6, "lat": 6})


# --------------------------------------------------------------------------------------------
# Reachability
# --------------------------------------------------------------------------------------------


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
        "Nr.": _numbers(rows["pr_id"]),
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
    return _with_format(table, {"Anteil erreicht (%)": 1, "Anteil 65+ erreicht (%)": 1})


def thresholds_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """Share of the inhabitants reached per planning area, one column per threshold."""
    wide = coverage.pivot_table(index=["pr_id", "planungsraum"], columns="schwelle_min",
                                values="anteil_erreicht_prozent", sort=False)
    wide.columns = [f"in {_minutes(m)} Min. (%)" for m in wide.columns]
    wide = wide.reset_index().rename(columns={"planungsraum": "Planungsraum"})
    wide.insert(0, "Nr.", _numbers(wide.pop("pr_id")))
    return _with_format(wide)


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
    wide.insert(0, "Nr.", _numbers(wide.pop("pr_id")))
    return _with_format(wide)


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
    return _with_format(table)


def band_table(bands: pd.DataFrame) -> pd.DataFrame:
    """Population of the region by travel-time band (:func:`class_table` of "Reisezeit")."""
    return class_table(bands, "Reisezeit", "Einwohner")


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------


def _decimals_for_unit(unit: object) -> int:
    return 0 if str(unit) in _COUNT_UNITS else 1


def indicator_table(long: pd.DataFrame, *, region_row: bool = True) -> pd.DataFrame:
    """Indicators per planning area as a wide table with German headers ("Kennzahl (Einheit)").

    ``long`` is :func:`planungsraeume.indikatoren.indicators`; the last row "Region
    (Vergleichswert)" holds the comparison values.
    """
    from planungsraeume.indikatoren import indicators_wide

    wide = indicators_wide(long, region_row=region_row)
    meta = long.drop_duplicates("kennzahl")
    decimals = {}
    for label, unit in zip(meta["bezeichnung"].astype(str), meta["einheit"].fillna(""), strict=True):
        decimals[f"{label} ({unit})" if unit else label] = _decimals_for_unit(unit)
    return _with_format(wide, decimals)


def indicator_long_table(long: pd.DataFrame) -> pd.DataFrame:
    """The long indicator table (one row per area and indicator) with German column names."""
    from planungsraeume.indikatoren import german_columns

    return _with_format(german_columns(long), {"Wert": 2, "Zähler": 2, "Nenner": 2,
                                                "Vergleichswert Region": 2, "Abweichung": 2,
                                                "Verhältnis zur Region": 2})


def indicator_summary(long: pd.DataFrame, bereiche: Sequence[str] | None = None) -> pd.DataFrame:
    """The region value of every indicator: Kennzahl, Region, Einheit, Vergleich mit.

    Parameters
    ----------
    long
        :func:`planungsraeume.indikatoren.indicators`.
    bereiche
        Only these areas of indicators ("Bevölkerung", "Barrierefreiheit" …); default all.
    """
    from planungsraeume.indikatoren import region_summary

    summary = region_summary(long)
    if bereiche is not None:
        summary = summary[summary["Bereich"].isin(list(bereiche))]
    table = pd.DataFrame({
        "Kennzahl": summary["Kennzahl"].astype(str).to_numpy(),
        "Region": summary["Vergleichswert Region"].astype(float).to_numpy(),
        "Einheit": summary["Einheit"].fillna("").astype(str).to_numpy(),
        "Vergleich mit": summary["Vergleich mit"].astype(str).to_numpy(),
    })
    return _with_format(table, {"Region": 1})


# --------------------------------------------------------------------------------------------
# Supply: 2SFCA, scenarios, location suggestions
# --------------------------------------------------------------------------------------------


def accessibility_area_table(result: Any) -> pd.DataFrame:
    """2SFCA per planning area: Nr., Planungsraum, demand, mean value, share without offer.

    ``result`` is a :class:`planungsraeume.versorgung.AreaAccessibility`; the value column is
    named after its unit.
    """
    per_area = result.je_planungsraum
    value = "2SFCA (Std./Woche je 1.000)"
    table = pd.DataFrame({
        "Nr.": _numbers(per_area.index),
        "Planungsraum": per_area["name"].astype(str).to_numpy(),
        str(result.nachfrage): per_area["nachfrage"].astype(float).to_numpy(),
        value: per_area["mittelwert"].astype(float).to_numpy(),
        "ohne Angebot im Einzugsbereich (%)":
            100.0 * per_area["anteil_ohne_angebot"].astype(float).to_numpy(),
    })
    return _with_format(table, {str(result.nachfrage): 0, value: 2,
                                "ohne Angebot im Einzugsbereich (%)": 1})


def accessibility_offer_table(result: Any) -> pd.DataFrame:
    """2SFCA per offer, with where its capacity comes from (stated or assumed)."""
    offers = result.angebote
    table = pd.DataFrame({
        "Angebot": offers["name"].astype(str).to_numpy(),
        "Typ": offers["typ"].astype(str).to_numpy(),
        "Stunden/Woche": offers["angebot"].astype(float).to_numpy(),
        "Kapazität": offers["kapazitaet_hinweis"].fillna(offers["kapazitaet_quelle"])
        .astype(str).to_numpy(),
        "Stunden je 1.000 im Einzugsbereich": offers["je_einheit"].astype(float).to_numpy(),
    })
    return _with_format(table, {"Stunden/Woche": 1, "Stunden je 1.000 im Einzugsbereich": 2})


def _scenario_rows(result: Any, names: Mapping[str, str]) -> pd.DataFrame:
    names = {**dict(names), "ohne": "ohne Planungsraum"}
    return result.table(pd.Series(names, dtype=object))


def scenario_table(result: Any, names: Mapping[str, str], *,
                   with_accessibility: bool = True) -> pd.DataFrame:
    """A scenario's covered inhabitants per planning area before and after.

    Parameters
    ----------
    result
        :class:`analyses.scenarios.ScenarioComparison` (from
        :func:`planungsraeume.versorgung.compare_on_network`).
    names
        Area names by ``pr_id`` (:meth:`planungsraeume.region.Region.area_names`).
    with_accessibility
        Append the 2SFCA before/after columns when the result has them.

    Returns
    -------
    pandas.DataFrame
        Nr., Planungsraum, Einwohner, versorgt vorher/nachher, Differenz, the same for 65+,
        Anteil vorher/nachher (%) [, 2SFCA vorher/nachher, Differenz 2SFCA]; region row last.
    """
    rows = _scenario_rows(result, names)
    table = pd.DataFrame({
        "Nr.": _numbers(rows.index),
        "Planungsraum": rows["Planungsraum"].astype(str).to_numpy(),
        "Einwohner": rows["Einwohner"].astype(float).to_numpy(),
        "versorgt vorher": rows["versorgt vorher"].astype(float).to_numpy(),
        "versorgt nachher": rows["versorgt nachher"].astype(float).to_numpy(),
        "Differenz": rows["Differenz"].astype(float).to_numpy(),
        "65+ vorher": rows["65+ versorgt vorher"].astype(float).to_numpy(),
        "65+ nachher": rows["65+ versorgt nachher"].astype(float).to_numpy(),
        "Differenz 65+": rows["Differenz 65+"].astype(float).to_numpy(),
        "Anteil vorher (%)": 100.0 * rows["Anteil vorher"].astype(float).to_numpy(),
        "Anteil nachher (%)": 100.0 * rows["Anteil nachher"].astype(float).to_numpy(),
    })
    counts = ["Einwohner", "versorgt vorher", "versorgt nachher", "Differenz", "65+ vorher",
              "65+ nachher", "Differenz 65+"]
    decimals = {c: 0 for c in counts} | {"Anteil vorher (%)": 1, "Anteil nachher (%)": 1}
    signed = ["Differenz", "Differenz 65+"]
    access = result.erreichbarkeit
    if with_accessibility and access is not None:
        keys = ["Region" if k == "gesamt" else str(k) for k in rows.index]
        for column, header in (("vorher", "2SFCA vorher"), ("nachher", "2SFCA nachher"),
                               ("differenz", "Differenz 2SFCA")):
            table[header] = access[column].reindex(keys).astype(float).to_numpy()
            decimals[header] = 2
        signed.append("Differenz 2SFCA")
    return _with_format(table, decimals, signed)


def scenario_accessibility_table(result: Any, names: Mapping[str, str]) -> pd.DataFrame:
    """A scenario's 2SFCA per planning area before and after (empty without 2SFCA)."""
    access = result.erreichbarkeit
    if access is None:
        return _with_format(pd.DataFrame(columns=["Nr.", "Planungsraum", "vorher", "nachher",
                                                  "Differenz"]))
    labels = {**dict(names), "Region": "Region gesamt", "ohne": "ohne Planungsraum"}
    table = pd.DataFrame({
        "Nr.": _numbers(access.index),
        "Planungsraum": [labels.get(str(k), str(k)) for k in access.index],
        "vorher": access["vorher"].astype(float).to_numpy(),
        "nachher": access["nachher"].astype(float).to_numpy(),
        "Differenz": access["differenz"].astype(float).to_numpy(),
    })
    return _with_format(table, {"vorher": 2, "nachher": 2, "Differenz": 2}, ["Differenz"])


def scenario_export_table(result: Any, names: Mapping[str, str]) -> pd.DataFrame:
    """The comparison for download: ``pr_id`` ("gesamt" for the region), the columns of
    :meth:`~analyses.scenarios.ScenarioComparison.table` and ``2sfca_vorher`` …"""
    table = _scenario_rows(result, names).reset_index()
    if result.erreichbarkeit is not None:
        access = result.erreichbarkeit.rename(index={"Region": "gesamt"}).add_prefix("2sfca_")
        table = table.join(access, on="pr_id")
    return table


def site_table(plan: Any) -> pd.DataFrame:
    """Suggested sites in rank order: Rang, Standort, Art, Planungsraum, newly covered people.

    ``plan`` is a :class:`planungsraeume.versorgung.LocationPlan`.
    """
    sites = plan.standorte
    names = plan.je_planungsraum["name"].astype(str).to_dict()
    table = pd.DataFrame({
        "Rang": sites["rang"].astype(np.int64).to_numpy(),
        "Standort": sites["name"].astype(str).to_numpy(),
        "Art": sites["art"].astype(str).to_numpy(),
        "Planungsraum": [f"{p} {names.get(str(p), '')}".strip() for p in sites["pr_id"]],
        "neu versorgt (Einwohner)": sites["neu_versorgt_einwohner"].astype(float).to_numpy(),
        "davon ab 65": sites["neu_versorgt_65_plus"].astype(float).to_numpy(),
        "versorgt (kumuliert)": sites["versorgt_kumuliert"].astype(float).to_numpy(),
    })
    return _with_format(table, {"neu versorgt (Einwohner)": 0, "davon ab 65": 0,
                                "versorgt (kumuliert)": 0})


def site_area_table(plan: Any) -> pd.DataFrame:
    """Newly covered inhabitants per planning area (only areas that gain)."""
    per_area = plan.je_planungsraum[plan.je_planungsraum["neu_versorgt"] > 0]
    table = pd.DataFrame({
        "Nr.": _numbers(per_area.index),
        "Planungsraum": per_area["name"].astype(str).to_numpy(),
        "neu versorgt": per_area["neu_versorgt"].astype(float).to_numpy(),
        "davon ab 65": per_area["neu_versorgt_65_plus"].astype(float).to_numpy(),
    })
    return _with_format(table, {"neu versorgt": 0, "davon ab 65": 0})


# --------------------------------------------------------------------------------------------
# Barrier reports (published values only; a suppressed value reads "keine Angabe")
# --------------------------------------------------------------------------------------------


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
    return _with_format(pd.DataFrame(rows))


def barrier_code_table(pub: Publication) -> pd.DataFrame:
    """Published ICF codes of the whole region with German titles."""
    codes = pub.icf_region()
    return _with_format(pd.DataFrame({
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
    return _with_format(pd.DataFrame({
        "Jahr": [MISSING_LABEL if pd.isna(j) else str(int(j)) for j in region["jahr"]],
        "Region: Personen": [count_text(v) for v in region["personen"]],
        "Region: Meldungen": [count_text(v) for v in region["meldungen"]],
    }))


def barrier_grid_table(grid: pd.DataFrame) -> pd.DataFrame:
    """Published grid cells (no coordinates: the cell id is the Zensus grid id)."""
    return _with_format(pd.DataFrame({
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
    return _with_format(pd.DataFrame({
        "Straße": streets["strasse"].astype(str).to_numpy(),
        "Personen": [count_text(v) for v in streets["personen"]],
        "Meldungen": [count_text(v) for v in streets["meldungen"]],
    }))
