"""Display tables of supply: 2SFCA per area and offer, scenarios before/after, location
suggestions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from planungsraeume.darstellung.format import area_numbers, format_value, with_format

__all__ = [
    "accessibility_area_table",
    "accessibility_offer_table",
    "scenario_accessibility_table",
    "scenario_export_table",
    "scenario_table",
    "site_area_table",
    "site_method_text",
    "site_table",
]


def accessibility_area_table(result: Any) -> pd.DataFrame:
    """2SFCA per planning area: Nr., Planungsraum, demand, mean value, share without offer.

    ``result`` is a :class:`planungsraeume.versorgung.AreaAccessibility`; the value column is
    named after its unit.
    """
    per_area = result.je_planungsraum
    value = "2SFCA (Std./Woche je 1.000)"
    table = pd.DataFrame({
        "Nr.": area_numbers(per_area.index),
        "Planungsraum": per_area["name"].astype(str).to_numpy(),
        str(result.nachfrage): per_area["nachfrage"].astype(float).to_numpy(),
        value: per_area["mittelwert"].astype(float).to_numpy(),
        "ohne Angebot im Einzugsbereich (%)":
            100.0 * per_area["anteil_ohne_angebot"].astype(float).to_numpy(),
    })
    return with_format(table, {str(result.nachfrage): 0, value: 2,
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
    return with_format(table, {"Stunden/Woche": 1, "Stunden je 1.000 im Einzugsbereich": 2})


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
        "Nr.": area_numbers(rows.index),
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
    return with_format(table, decimals, signed)


def scenario_accessibility_table(result: Any, names: Mapping[str, str]) -> pd.DataFrame:
    """A scenario's 2SFCA per planning area before and after (empty without 2SFCA)."""
    access = result.erreichbarkeit
    if access is None:
        return with_format(pd.DataFrame(columns=["Nr.", "Planungsraum", "vorher", "nachher",
                                                  "Differenz"]))
    labels = {**dict(names), "Region": "Region gesamt", "ohne": "ohne Planungsraum"}
    table = pd.DataFrame({
        "Nr.": area_numbers(access.index),
        "Planungsraum": [labels.get(str(k), str(k)) for k in access.index],
        "vorher": access["vorher"].astype(float).to_numpy(),
        "nachher": access["nachher"].astype(float).to_numpy(),
        "Differenz": access["differenz"].astype(float).to_numpy(),
    })
    return with_format(table, {"vorher": 2, "nachher": 2, "Differenz": 2}, ["Differenz"])


def scenario_export_table(result: Any, names: Mapping[str, str]) -> pd.DataFrame:
    """The comparison for download, German headers like :func:`scenario_table`.

    "Planungsraum-Nr." holds the area key (``ohne`` for cells outside every area, ``gesamt`` for
    the region), so that the file joins to other tables; shares in percent, figures rounded by
    the one CSV writer (counts 0, percent 1, 2SFCA 2 decimals).
    """
    rows = _scenario_rows(result, names)
    table = scenario_table(result, names).drop(columns=["Nr."])
    table.insert(0, "Planungsraum-Nr.", [str(k) for k in rows.index])
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
    return with_format(table, {"neu versorgt (Einwohner)": 0, "davon ab 65": 0,
                                "versorgt (kumuliert)": 0})


def site_method_text(plan: Any, candidates: int) -> str:
    """How the suggestion was found, in plain German, with the number of candidates considered.

    ``candidates`` is the number of candidate sites the page also names in its map legend (the
    one count both show). The solver details (``plan.vorschlag.verfahren``) stay in the export.
    """
    suggestion = plan.vorschlag
    model = ("möglichst viele Menschen neu in der Zeit erreichen" if suggestion.modell == "MCLP"
             else "die Wege für alle möglichst kurz halten")
    quality = ("Die Auswahl ist nachweislich die beste." if suggestion.optimal else
               "Die Auswahl ist sehr gut, aber nicht nachweislich die beste (Rechenzeit begrenzt).")
    word = "Kandidat" if candidates == 1 else "Kandidaten"
    return (f"Geprüft wurden {format_value(candidates)} {word} (Ziel: {model}). {quality}")


def site_area_table(plan: Any) -> pd.DataFrame:
    """Newly covered inhabitants per planning area (only areas that gain)."""
    per_area = plan.je_planungsraum[plan.je_planungsraum["neu_versorgt"] > 0]
    table = pd.DataFrame({
        "Nr.": area_numbers(per_area.index),
        "Planungsraum": per_area["name"].astype(str).to_numpy(),
        "neu versorgt": per_area["neu_versorgt"].astype(float).to_numpy(),
        "davon ab 65": per_area["neu_versorgt_65_plus"].astype(float).to_numpy(),
    })
    return with_format(table, {"neu versorgt": 0, "davon ab 65": 0})
