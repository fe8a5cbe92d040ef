"""German tables of the trend views: change since a base year per indicator, small multiples,
regions side by side in long form (for charts).

Every value comes from :mod:`planungsraeume.zeitreihe` (:func:`~planungsraeume.zeitreihe.trends`,
:func:`~planungsraeume.zeitreihe.changes`, :func:`~planungsraeume.zeitreihe.compare_regions`);
this module only selects, labels and formats. The page (:mod:`ui.profil.vergleich`) and the
Steckbrief (:mod:`planungsraeume.steckbrief.entwicklung`) show the same tables.
"""

from __future__ import annotations

import pandas as pd

from planungsraeume.darstellung.format import format_value, with_format
from planungsraeume.zeitreihe import SMALL_MULTIPLES

__all__ = ["REGION_CHART_KEYS", "REGION_SERIES", "areas_multiples_long", "chart_label", "indicator_changes_table", "region_comparison_long",
           "small_multiples_long"]

#: The indicators of the region comparison's charts and of its Steckbrief table.
REGION_CHART_KEYS = (*SMALL_MULTIPLES, "anteil_stufenloser_zugang")
#: The name of the region's line in a small multiple.
REGION_SERIES = "Region"
_COUNT_UNITS = ("Personen", "Anzahl")


def _decimals(unit: object) -> int:
    return 0 if str(unit) in _COUNT_UNITS else 1


def chart_label(bezeichnung: object, einheit: object) -> str:
    """The title of one small chart: "Anteil 65 Jahre und älter (%)"."""
    unit, label = str(einheit or ""), str(bezeichnung)
    if not unit or (unit.startswith("je ") and " je " in label):  # "… je 10.000 Einwohner"
        return label
    return f"{label} ({unit})"


def indicator_changes_table(changes: pd.DataFrame, pr_id: str) -> pd.DataFrame:
    """The change since the base year of every indicator for one area, beside the region's.

    Parameters
    ----------
    changes
        :func:`planungsraeume.zeitreihe.changes`.
    pr_id
        The planning area.

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``Kennzahl``, ``Einheit``, the base year's and the last year's
        value, ``Veränderung`` (in the unit; percentage points for shares), ``Veränderung
        (%)``, ``je Jahr`` and ``Region: Veränderung``. German text cells (the rows mix units).
    """
    own = changes[changes["pr_id"].astype(str) == str(pr_id)]
    region = changes[changes["pr_id"].astype(str) == "Region"].set_index("kennzahl")
    if not len(own):
        return with_format(pd.DataFrame(columns=["Kennzahl", "Einheit"]))
    base, last = int(own["basisjahr"].iloc[0]), int(own["jahr"].iloc[0])
    rows = []
    for row in own.itertuples(index=False):
        d = _decimals(row.einheit)
        unit = "Prozentpunkte" if str(row.einheit) == "%" else str(row.einheit)
        whole = region.loc[str(row.kennzahl)] if str(row.kennzahl) in region.index else None
        rows.append({
            "Kennzahl": str(row.bezeichnung), "Einheit": str(row.einheit),
            str(base): format_value(_number(row.wert_basis), d),
            str(last): format_value(_number(row.wert), d),
            "Veränderung": f"{format_value(_number(row.aenderung), d, signed=True)} "
                           f"{unit}".strip(),
            "Veränderung (%)": format_value(_number(row.aenderung_prozent), 1, signed=True),
            "je Jahr": format_value(_number(row.aenderung_je_jahr), 2, signed=True),
            "Region: Veränderung": format_value(
                None if whole is None else _number(whole["aenderung"]), d,
                signed=True),
        })
    return with_format(pd.DataFrame(rows))


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def small_multiples_long(trends: pd.DataFrame, pr_id: str) -> pd.DataFrame:
    """The data of the small multiples of one area: per indicator its line and the region's.

    Parameters
    ----------
    trends
        :func:`planungsraeume.zeitreihe.trends`.
    pr_id
        The planning area.

    Returns
    -------
    pandas.DataFrame
        ``kennzahl``, ``Kennzahl`` (chart title with unit), ``Jahr``, ``Reihe`` (the area's
        "<Nr.> <Name>" or :data:`REGION_SERIES`), ``Wert``; in the order of the indicators.
    """
    own = trends[trends["pr_id"].astype(str) == str(pr_id)]
    if not len(own):
        return pd.DataFrame(columns=["kennzahl", "Kennzahl", "Jahr", "Reihe", "Wert"])
    name = f"{pr_id} {own['name'].iloc[0]}"
    label = [chart_label(b, e) for b, e in zip(own["bezeichnung"], own["einheit"], strict=True)]
    area = pd.DataFrame({"kennzahl": own["kennzahl"].to_numpy(), "Kennzahl": label,
                         "Jahr": own["jahr"].astype(int).to_numpy(), "Reihe": name,
                         "Wert": own["wert"].astype(float).to_numpy()})
    region = area.assign(Reihe=REGION_SERIES, Wert=own["wert_region"].astype(float).to_numpy())
    order = {k: i for i, k in enumerate(dict.fromkeys(own["kennzahl"]))}
    both = pd.concat([area, region], ignore_index=True)
    both = both.assign(_o=both["kennzahl"].map(order)).sort_values(
        ["_o", "Reihe", "Jahr"], kind="stable").drop(columns="_o")
    return both.reset_index(drop=True)


def areas_multiples_long(trends: pd.DataFrame, pr_ids: list[str]) -> pd.DataFrame:
    """Small multiples of two or more areas: per indicator one line per area and the region's.

    Same columns as :func:`small_multiples_long`; the areas in the order of ``pr_ids``.
    """
    parts = [small_multiples_long(trends, pr_id) for pr_id in dict.fromkeys(pr_ids)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return small_multiples_long(trends.iloc[0:0], "")
    areas = [p[p["Reihe"] != REGION_SERIES] for p in parts]
    both = pd.concat([*areas, parts[0][parts[0]["Reihe"] == REGION_SERIES]], ignore_index=True)
    order = {k: i for i, k in enumerate(dict.fromkeys(both["kennzahl"]))}
    both = both.assign(_o=both["kennzahl"].map(order)).sort_values(
        ["_o"], kind="stable").drop(columns="_o")
    return both.reset_index(drop=True)


def region_comparison_long(comparison: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    """Regions side by side (:func:`planungsraeume.zeitreihe.compare_regions`) in long form.

    Returns
    -------
    pandas.DataFrame
        ``kennzahl``, ``Kennzahl`` (title with unit), ``Region`` (its title), ``Wert``,
        ``Jahr`` (the year of the region's figures, may be empty); one row per indicator and
        region, missing values left out.
    """
    rows = []
    for values in comparison.to_dict("records"):
        for name, title in titles.items():
            value = _number(values.get(name))
            if value is None:
                continue
            year = values.get(f"jahr {name}")
            rows.append({"kennzahl": values["kennzahl"],
                         "Kennzahl": chart_label(values["bezeichnung"], values["einheit"]),
                         "Region": title, "Wert": value,
                         "Jahr": "" if year is None or pd.isna(year) else str(int(year))})
    return pd.DataFrame(rows, columns=["kennzahl", "Kennzahl", "Region", "Wert", "Jahr"])
