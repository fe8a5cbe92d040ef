"""The population step of a region build: which source, which notes, which metadata.

The order of sources: a real Zensus 2022 grid of totals (``[quellen] zensus_csv``) replaces the
model as a whole; otherwise the building model (:func:`layers.build.bevoelkerung.
model_population`: outbuildings excluded, age shares by housing type, calibrated to the
official total of every completely covered municipality), whose cells are replaced cell by cell
by a Zensus grid with age classes (``[quellen] zensus_alter_csv``) where one is configured.
Every step says what it did in a German build note, with counts.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd

from layers.build.bevoelkerung import model_population, read_zensus_grid
from layers.build.kalibrierung import calibration_note
from layers.build.wohnformen import HousingShares
from layers.build.zensus import read_zensus_age_grid, replace_cells
from layers.errors import ConfigError
from layers.formatting import de_number
from layers.regions import RegionConfig

__all__ = ["MIN_RESIDENTIAL_BUILDINGS", "outbuilding_note", "population_layer", "population_meta"]

MIN_RESIDENTIAL_BUILDINGS = 100


def population_layer(
    config: RegionConfig,
    buildings: gpd.GeoDataFrame,
    boundary: Any,
    towns: gpd.GeoDataFrame | None,
    housing: HousingShares,
    notes: list[str],
) -> gpd.GeoDataFrame:
    """Real Zensus grid if configured; else the building model, if there are enough buildings."""
    crs = config.crs
    model = config.population
    residential = int((buildings["nutzung"] != "nichtwohnen").sum()) if len(buildings) else 0
    if model.art == "statistik":
        raise ConfigError(
            "Amtliche Einwohnerzahlen je Planungsraum ([bevoelkerung] art = \"statistik\") "
            "sind bisher nur für Regionen ohne OSM-Ausschnitt vorgesehen.",
            hinweis="Verwenden Sie für eine Region mit OSM-Ausschnitt das Gebäudemodell oder eine "
            "Zensus-Gitterdatei ([quellen] zensus_csv).",
            datei=config.path,
        )
    if model.zensus_csv is not None:
        notes.append("Bevölkerung aus der Zensus-2022-Gitterdatei (amtliche Werte).")
        return read_zensus_grid(model.zensus_csv, model.altersanteile, crs, boundary)
    if residential < MIN_RESIDENTIAL_BUILDINGS:
        notes.append(
            f"Der OSM-Ausschnitt enthält nur {len(buildings)} Gebäude ({residential} mit "
            "Wohnnutzung): daraus lässt sich keine Bevölkerung modellieren, die Ebene "
            "'bevoelkerung' bleibt leer. Hinterlegen Sie eine Zensus-2022-Gitterdatei "
            "([quellen] zensus_csv in der Regionskonfiguration)."
        )
        return model_population(buildings.iloc[0:0], model, crs)
    notes.append(
        f"Bevölkerung modelliert (Wohnfläche / {model.wohnflaeche_je_einwohner_m2:g} m² je "
        f"Einwohner; Altersanteile nach Wohnform: {housing_note(buildings, housing)}; sonst "
        f"{model.quelle_altersanteile})."
    )
    grid = model_population(buildings, model, crs, housing=housing, towns=towns)
    report = grid.attrs.get("kalibrierung", pd.DataFrame())
    if model.kalibrierung:
        notes.append(calibration_note(report))
    if model.zensus_alter_csv is not None:
        official = read_zensus_age_grid(model.zensus_alter_csv, model.altersanteile, crs, boundary)
        grid = replace_cells(grid, official)
        split = (" (65+ der Datei nach den Anteilen der Region in 65–79 und 80+ geteilt, "
                 "modelliert)" if official.attrs.get("geteilt_65") else "")
        notes.append(
            f"{len(official)} Zellen aus der Zensus-2022-Gitterdatei mit Altersklassen ersetzen "
            f"das Modell ({de_number(int(official['einwohner'].sum()))} Einwohner, "
            f"{official.attrs.get('geheim', 0)} geheim gehaltene Werte als 0){split}.")
    grid.attrs["kalibrierung"] = report
    return grid


def housing_note(buildings: gpd.GeoDataFrame, housing: HousingShares) -> str:
    """How many residential buildings of each housing type, e.g. ``"12 Pflegeheim, …"``."""
    if "wohnform" not in buildings.columns:
        return "keine"
    counts = buildings["wohnform"][buildings["wohnform"] != ""].value_counts()
    return ", ".join(f"{de_number(int(n))} {housing.titel.get(str(kind), str(kind))}"
                     for kind, n in counts.items())


def outbuilding_note(buildings: gpd.GeoDataFrame, max_m2: float) -> str | None:
    """The outbuildings excluded from the population, by reason, with counts."""
    if "nebengebaeude" not in buildings.columns or not len(buildings):
        return None
    reasons = buildings["nebengebaeude"].fillna("")
    by_tag = int((reasons == "Merkmal").sum())
    small = int((reasons == "klein ohne Adresse").sum())
    top = buildings.loc[reasons == "Merkmal", "building"].value_counts().head(4)
    values = ", ".join(f"{k} {de_number(int(v))}" for k, v in top.items())
    return (f"Nebengebäude ohne Einwohner: {de_number(by_tag + small)} – "
            f"{de_number(by_tag)} nach Merkmal ({values}), {de_number(small)} ohne Adresse mit "
            f"weniger als {de_number(max_m2)} m² Grundfläche.")


def population_meta(layers: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Metadata of the population step: the population's kind (``modelliert`` if any cell is),
    the calibration report and the outbuilding counts (JSON)."""
    people, buildings = layers.get("bevoelkerung"), layers.get("gebaeude")
    meta: dict[str, str] = {}
    if people is not None and "quelle" in people.columns and len(people):
        # In part modelled (a Zensus file replacing some cells) is modelled for every label.
        modelled = (people["quelle"].astype(str) == "modelliert").any()
        meta["bevoelkerung_quelle"] = "modelliert" if modelled else str(people["quelle"].iloc[0])
    report = people.attrs.get("kalibrierung") if people is not None else None
    if isinstance(report, pd.DataFrame) and not report.empty:
        meta["kalibrierung"] = report.to_json(orient="records", force_ascii=False)
    if buildings is not None and "nebengebaeude" in buildings.columns:
        counts = buildings["nebengebaeude"].fillna("").value_counts()
        meta["nebengebaeude"] = json.dumps(
            {str(k): int(v) for k, v in counts.items() if k}, ensure_ascii=False)
    return meta
