"""The region's population against the official municipal totals (VG250-EW) where they are known.

A planner must be able to say how far the figures can be trusted. For every municipality of the
``gemeinden`` layer that the region touches, :func:`municipal_comparison` puts the region's
inhabitants inside it (the population cells by the one cell→area rule,
:func:`analyses.areas.cells_to_areas`) beside the municipality's official total:

* a municipality the region covers completely (at least :data:`COMPLETE` of its area): model
  (or the region's own statistics) minus the official total, absolute and in %, and the factor
  that calibrates the model to it. With ``[bevoelkerung] kalibrierung = true`` the build has
  applied it (:mod:`layers.build.kalibrierung`): ``kalibriert`` is true, the deviation 0, and
  ``kalibrierfaktor``/``einwohner_vor_kalibrierung`` say what the model gave before;
* a municipality covered only in part: the official total cannot be compared with a part, so the
  density of the model in the covered part stands beside the municipality's official density,
  with the share of the official total that the model puts into that part.

The population's kind is said in every row (``modelliert`` for the building model, else the
source of the official figures) and the year of each side, because official figures of
different years differ as well (Köln: 2012 statistics against the VG250-EW total of 2023).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from analyses.areas import cells_to_areas
from layers.build.kalibrierung import COMPLETE
from planungsraeume.cache import cached
from planungsraeume.region import Region

__all__ = ["COMPARISON_COLUMNS", "COMPLETE", "comparison_note", "municipal_comparison"]

# COMPLETE (the share from which a municipality counts as covered completely) is the build's
# (layers.build.kalibrierung), so that the comparison and the calibration agree.
COMPARISON_COLUMNS = ["ags", "name", "anteil_in_region", "vollstaendig", "einwohner_amtlich",
                      "stand_amtlich", "einwohner_region", "art_region", "jahr_region",
                      "abweichung", "abweichung_prozent", "kalibrierfaktor",
                      "dichte_region", "dichte_amtlich", "anteil_amtlich_im_teil",
                      "kalibriert", "einwohner_vor_kalibrierung"]


@cached("abgleich_gemeinden", disk=False, daily=False)
def municipal_comparison(region: Region) -> pd.DataFrame:
    """The region's inhabitants per municipality beside the official total.

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_COLUMNS`, one row per municipality with a part in the region (largest
        part first). ``abweichung``/``abweichung_prozent``/``kalibrierfaktor`` only for
        municipalities covered completely; ``dichte_region`` (inhabitants per km² of the part
        inside the region), ``dichte_amtlich`` and ``anteil_amtlich_im_teil`` (the region's
        inhabitants as a share of the official total) for every row. Empty without
        municipalities with official totals or without population. ``attrs
        ["einwohner_ausserhalb"]``: the region's inhabitants in cells outside every
        municipality (slivers where boundary files differ).
    """
    if not (region.has_layer("gemeinden") and region.has_population()):
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    towns = region.layer("gemeinden")
    towns = towns[(towns["anteil_in_region"].fillna(0) > 0) & towns["einwohner"].notna()]
    if towns.empty:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    towns = towns.sort_values("anteil_in_region", ascending=False, kind="stable")
    towns = towns.reset_index(drop=True)
    cells = region.cells()
    assigned = cells_to_areas(cells, towns, area_id="ags")
    inside = cells["einwohner"].groupby(assigned.to_numpy()).sum()
    official = towns["einwohner"].to_numpy(dtype=float)
    counted = inside.reindex(towns["ags"]).fillna(0).to_numpy(dtype=float)
    share = towns["anteil_in_region"].to_numpy(dtype=float)
    area = towns["flaeche_km2"].to_numpy(dtype=float)
    complete = share >= COMPLETE
    meta = region.meta()
    kind = meta.get("bevoelkerung_quelle", "")
    with np.errstate(divide="ignore", invalid="ignore"):
        frame = pd.DataFrame({
            "ags": towns["ags"].astype(str), "name": towns["name"].astype(str),
            "anteil_in_region": share, "vollstaendig": complete,
            "einwohner_amtlich": official,
            "stand_amtlich": towns["quelle"].astype(str).str.extract(r"(\d{2}\.\d{2}\.\d{4})")[0]
            .fillna(""),
            "einwohner_region": counted,
            "art_region": "modelliert" if kind == "modelliert" else kind,
            "jahr_region": meta.get("bevoelkerung_jahr", ""),
            "abweichung": np.where(complete, counted - official, np.nan),
            "abweichung_prozent": np.where(complete, (counted - official) / official * 100,
                                           np.nan),
            "kalibrierfaktor": np.where(complete & (counted > 0), official / counted, np.nan),
            "dichte_region": counted / (area * share),
            "dichte_amtlich": official / area,
            "anteil_amtlich_im_teil": counted / official * 100,
        })
    applied = _applied_calibration(meta)
    frame["kalibriert"] = frame["ags"].map(lambda a: a in applied).astype(bool)
    frame["einwohner_vor_kalibrierung"] = frame["ags"].map(
        lambda a: applied.get(a, {}).get("einwohner_modell", np.nan)).astype(float)
    frame["kalibrierfaktor"] = frame["kalibrierfaktor"].where(
        ~frame["kalibriert"], frame["ags"].map(lambda a: applied.get(a, {}).get("faktor", np.nan)))
    frame = frame[COMPARISON_COLUMNS]
    frame.attrs["einwohner_ausserhalb"] = float(cells["einwohner"].sum() - counted.sum())
    return frame


def _applied_calibration(meta: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The build's calibration by AGS (only municipalities it calibrated)."""
    try:
        rows = json.loads(meta.get("kalibrierung", "[]"))
    except json.JSONDecodeError:
        return {}
    return {str(r["ags"]): r for r in rows if r.get("kalibriert")}


def comparison_note(table: pd.DataFrame) -> str:
    """One German sentence per municipality for notes beside the inhabitants (Steckbrief, CLI).

    Examples: "Aachen (28,7 % der Fläche in der Region): modelliert 219.401 Einwohner = 86,8 %
    der amtlichen 252.769 (31.12.2023) – Dichte 4.720 statt 1.560 je km²."
    """
    from layers.formatting import de_number

    parts = []
    rows: list[dict[Any, Any]] = table.to_dict("records")
    for row in rows:
        label = "modelliert" if row['art_region'] == "modelliert" else "amtlich"
        year = f" {row['jahr_region']}" if row['jahr_region'] else ""
        stand = f" ({row['stand_amtlich']})" if row['stand_amtlich'] else ""
        if row['vollstaendig']:
            sign = "+" if row['abweichung'] > 0 else ""
            years = (" (verschiedene Jahre)" if label == "amtlich" and row['jahr_region']
                     and row['jahr_region'] not in row['stand_amtlich'] else "")
            calibrated = (f" – kalibriert (Modell vorher {de_number(row['einwohner_vor_kalibrierung'])}"
                          f", Faktor {de_number(row['kalibrierfaktor'], 3)})"
                          if row.get('kalibriert') else "")
            parts.append(
                f"{row['name']}: Region ({label}{year}) {de_number(row['einwohner_region'])} "
                f"Einwohner, Gemeinde amtlich {de_number(row['einwohner_amtlich'])}{stand}, "
                f"Abweichung {sign}{de_number(row['abweichung_prozent'], 1)} %{years}"
                f"{calibrated}.")
        else:
            parts.append(
                f"{row['name']} ({de_number(row['anteil_in_region'] * 100, 1)} % der Fläche in der "
                f"Region): {label}{year} {de_number(row['einwohner_region'])} Einwohner = "
                f"{de_number(row['anteil_amtlich_im_teil'], 1)} % der amtlichen "
                f"{de_number(row['einwohner_amtlich'])}{stand} – Dichte "
                f"{de_number(row['dichte_region'])} statt {de_number(row['dichte_amtlich'])} je km².")
    outside = float(table.attrs.get("einwohner_ausserhalb", 0.0))
    if parts and outside > 0:
        parts.append(f"{de_number(outside)} Einwohner der Region liegen in Zellen außerhalb "
                     "jeder Gemeindefläche (Grenzdateien verschiedener Herkunft).")
    return " ".join(parts)
