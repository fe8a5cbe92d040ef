"""The layers of a region without an OSM extract: areas, districts, official population, demo data.

:func:`derive_layers` is what :func:`layers.build.build_region` runs for a configuration
without ``[quellen] osm`` (e.g. ``data/regions/koeln.toml``). It writes

* ``region`` (the union of the planning areas), ``planungsraeume`` (with ``bezirk_id`` and
  ``bezirk``), ``bezirke`` and ``gemeinden`` (the municipalities of the AGS prefix, for the
  comparison with the official municipal total);
* ``bevoelkerung`` (the latest year on the grid) and ``bevoelkerung_zeitreihe`` (every year per
  area), see :mod:`layers.build.statistik`;
* ``angebote``: a fictitious directory with a history (:func:`layers.synthetic
  .synthetic_services_in_cells`), ``barrieren``: synthetic reports placed inside the region
  (:func:`layers.synthetic.synthetic_barriers`), both ``quelle = "synthetisch"``.

The layers ``gebaeude``, ``adressen``, ``haltestellen``, ``grundkarte`` and the network
(``netz_knoten``, ``netz_kanten``) are written empty, with their columns, so that readers need no
special case: :meth:`planungsraeume.region.Region.has_network` is false and every network page
and command says so in German.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from layers.angebote import conform
from layers.barrieren import load_icf_codes
from layers.build.gebaeude import build_buildings
from layers.build.grenzen import read_gemeinden, region_frame, share_in_region
from layers.build.haltestellen import build_addresses, build_basemap, build_stops
from layers.build.statistik import (
    SERIES_LAYER,
    area_cells,
    districts,
    planning_areas,
    population_series,
    spread_over_cells,
)
from layers.errors import ConfigError
from layers.formatting import de_number
from layers.progress import ProgressCallback, Steps
from layers.regions import RegionConfig
from layers.schema import LAYERS
from layers.sources.osm import OsmExtract
from layers.synthetic import synthetic_barriers, synthetic_services_in_cells

__all__ = ["derive_layers"]


def derive_layers(config: RegionConfig,
                  progress: ProgressCallback | None) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Every layer of a region without OSM extract, and German notes for the build summary.

    Raises
    ------
    ConfigError
        If the region has no official population table (a region without OSM extract cannot
        model its population from buildings).
    SozialraumError
        Bad source files, in German.
    """
    if config.population.art != "statistik":
        raise ConfigError(
            "Eine Region ohne OSM-Ausschnitt braucht amtliche Einwohnerzahlen je Planungsraum.",
            hinweis="Setzen Sie [bevoelkerung] art = \"statistik\" und statistik = \"…csv\" "
            "(Muster: data/regions/koeln.toml) oder ergänzen Sie [quellen] osm.",
            datei=config.path,
        )
    layers: dict[str, pd.DataFrame] = {}
    notes = ["Kein OSM-Ausschnitt: kein Wegenetz, keine Gebäude, Adressen oder Haltestellen; "
             "Erreichbarkeit, Isochronen, Szenarien und Standortvorschläge sind hier nicht "
             "berechenbar."]
    synth = config.synthetic
    seed = int(synth.get("seed", 1))
    with Steps(5, f"Region {config.name}", progress) as steps:
        steps.step("Planungsräume und Bezirke")
        icf = load_icf_codes(config.icf)
        areas = planning_areas(config)
        boundary = shapely.make_valid(shapely.union_all(areas.geometry.to_numpy()))
        layers["region"] = region_frame(config, boundary)
        layers["planungsraeume"] = areas
        if config.planungsraeume.get("bezirke"):
            layers["bezirke"] = districts(config)
        layers["gemeinden"] = _municipalities(config, boundary)
        layers.update(_empty_osm_layers(config, boundary))
        steps.advance()

        steps.step("Bevölkerung (amtliche Statistik)")
        series, age_notes = population_series(config, areas)
        latest = int(series["jahr"].max())
        cells = spread_over_cells(area_cells(areas, config.population.raster_m, config.crs),
                                  series[series["jahr"] == latest], config.population
                                  .statistik_quelle, latest)
        layers["bevoelkerung"], layers[SERIES_LAYER] = cells, series
        notes += _population_notes(config, series, layers["gemeinden"], age_notes)
        steps.advance()

        steps.step("Angebote (synthetisch)")
        services = synthetic_services_in_cells(
            cells, areas, per_type=int(synth.get("angebote_je_typ", 2)), seed=seed,
            crs=config.crs, first_year=int(synth.get("angebote_von", latest - 5)),
            last_year=int(synth.get("angebote_bis", latest)))
        layers["angebote"] = conform(services)
        notes.append(f"{len(services)} fiktive Angebote (quelle = synthetisch) mit "
                     "Gültigkeitszeiträumen, an zufälligen Orten in bewohnten Zellen.")
        steps.advance()

        steps.step("Barrieremeldungen (synthetisch)")
        nothing = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=config.crs), crs=config.crs)
        layers["barrieren"] = synthetic_barriers(
            cells, nothing, nothing, nothing, layers["angebote"], icf,
            persons=int(synth.get("barrieren_personen", 500)),
            max_reports_per_person=int(synth.get("barrieren_meldungen_je_person_max", 4)),
            seed=seed, crs=config.crs,
            today=date.fromisoformat(str(synth.get("stichtag", f"{latest}-12-31"))),
            region=boundary,
        )
        steps.advance()
        steps.step("Speichern")
        steps.advance()
    return layers, notes


def _empty_osm_layers(config: RegionConfig, boundary: shapely.Geometry) -> dict[str, pd.DataFrame]:
    """``gebaeude``, ``adressen``, ``haltestellen``, ``grundkarte`` and the network, empty."""
    nothing = OsmExtract(Path("ohne-osm"), None)
    network = {name: _empty_layer(name, config.crs) for name in ("netz_knoten", "netz_kanten")}
    return {
        **network,
        "gebaeude": build_buildings(nothing, config.crs, boundary, config.population),
        "adressen": build_addresses(nothing, config.crs, boundary),
        "haltestellen": build_stops(nothing, config.crs, boundary),
        "grundkarte": build_basemap(nothing, config.crs, boundary),
    }


def _empty_layer(name: str, crs: object) -> gpd.GeoDataFrame:
    """A layer of :mod:`layers.schema` without rows, with its declared columns and dtypes."""
    layer = LAYERS[name]
    columns = {c: pd.Series(dtype="object" if t == "str" else t) for c, t in layer.columns.items()}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _municipalities(config: RegionConfig, boundary: shapely.Geometry) -> gpd.GeoDataFrame:
    if config.gemeinden is None or not config.gemeinden_praefix:
        return gpd.GeoDataFrame({"ags": [], "name": [], "einwohner": []},
                                geometry=gpd.GeoSeries([], crs=config.crs), crs=config.crs)
    gemeinden = read_gemeinden(config)
    return gemeinden.assign(anteil_in_region=share_in_region(gemeinden, boundary))


def _population_notes(config: RegionConfig, series: pd.DataFrame, gemeinden: pd.DataFrame,
                      age_notes: list[str]) -> list[str]:
    years = sorted(series["jahr"].unique())
    latest = series[series["jahr"] == years[-1]]
    notes = [
        f"Bevölkerung amtlich je Planungsraum ({config.population.statistik_quelle}), "
        f"{years[0]}–{years[-1]}; {years[-1]}: {de_number(int(latest['einwohner'].sum()))} "
        "Einwohner. Auf Zellen gleichmäßig verteilt nur für Karten und Raster.",
        *age_notes,
    ]
    if len(gemeinden):
        parts = "; ".join(f"{name}: {de_number(int(count))}"
                          for name, count in zip(gemeinden["name"], gemeinden["einwohner"],
                                                 strict=True) if pd.notna(count))
        notes.append(f"Zum Vergleich (VG250-EW, 31.12.2023): {parts}.")
    return notes
