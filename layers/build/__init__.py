"""Build a region: from its configuration to one GeoPackage in the cache.

``sozialraum build --region aachen`` calls :func:`build_region`. The build

1. checks that every source file exists (a missing ``../shared`` gives instructions);
2. reads the OSM extract once and derives every layer from it, the boundary file and the ICF list;
3. writes all layers into a temporary GeoPackage and swaps it in atomically, so an earlier good
   store survives any failure;
4. records a fingerprint of its inputs and skips the work next time if nothing changed.

The build writes only the *derived* store ``<name>.gpkg``. What users made (imported and edited
offers, own planning areas, barrier reports, indicator tables, scenarios, the audit table) lives
in the user store ``<name>.nutzer.gpkg``, which a build never reads or replaces: before it
starts, the build only checks that the user store is readable (a damaged one stops the build
with a German error, untouched) and moves users' rows out of a store from before the split
(:mod:`layers.store.recovery`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from layers import settings
from layers.angebote import conform, services_from_osm
from layers.barrieren import load_icf_codes
from layers.build.einwohner import (
    MIN_RESIDENTIAL_BUILDINGS,
    outbuilding_note,
    population_layer,
    population_meta,
)
from layers.build.gebaeude import build_buildings
from layers.build.grenzen import (
    check_overlap,
    header_extract_area,
    read_gemeinden,
    region_boundary,
    region_frame,
    share_in_region,
)
from layers.build.haltestellen import build_addresses, build_basemap, build_stops
from layers.build.netz import build_network
from layers.build.ohne_osm import derive_layers as derive_layers_without_osm
from layers.build.wohnformen import load_housing_shares
from layers.errors import SozialraumError, StoreError
from layers.formatting import de_number
from layers.log import get_logger
from layers.planungsraeume.define import from_osm_places
from layers.progress import ProgressCallback, Steps
from layers.regions import RegionConfig, check_crs_location, load_region
from layers.schema import DERIVED_LAYERS, LAYERS
from layers.sources import check_shared_data
from layers.sources.osm import read_extract
from layers.store import META_TABLE, GeoPackageStore, meta_frame, region_store_path
from layers.store.geopackage import temporary_gpkg, write_frame
from layers.synthetic import synthetic_barriers, synthetic_services
from layers.synthetic_relations import (
    synthetic_access_ways,
    synthetic_cooperations,
    synthetic_presence,
    synthetic_zones,
)
from layers.validation import require_crs

__all__ = [
    "BUILD_SCHEMA_VERSION",
    "BuildResult",
    "LAYER_ORDER",
    "MIN_RESIDENTIAL_BUILDINGS",
    "build_region",
    "fingerprint",
    "is_current",
]

log = get_logger("build")

# Bump when the meaning of a layer changes in a way the code hash would not reveal.
BUILD_SCHEMA_VERSION = 1
# The layers a build writes, in this order (layers.schema owns the list).
LAYER_ORDER = DERIVED_LAYERS


@dataclass
class BuildResult:
    """What a build did.

    Attributes
    ----------
    region
        Region name.
    path
        The derived store (the GeoPackage the build wrote).
    rebuilt
        False if the store was current and nothing was done.
    counts
        Features per layer.
    population
        Total (modelled or Zensus) population of the region.
    crs
        Working CRS as ``EPSG:…``.
    notes
        German remarks for the user (fallbacks, sparse data, the untouched user store).
    seconds
        Wall time.
    user_path
        The user store (never written by a build).
    """

    region: str
    path: Path
    rebuilt: bool
    counts: dict[str, int] = field(default_factory=dict)
    population: int = 0
    crs: str = ""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    user_path: Path | None = None

    def summary(self) -> str:
        """A German multi-line summary for the terminal."""
        lines = [
            f"Region '{self.region}' → {self.path}",
            f"Koordinatenbezugssystem: {self.crs}",
        ]
        if self.user_path is not None:
            lines.append(f"Eigene Daten (vom Bau nie verändert): {self.user_path}")
        if not self.rebuilt:
            lines.append("Quellen unverändert: nichts neu gebaut (--force erzwingt den Neubau).")
        lines.append("Objekte je Ebene:")
        for name, count in self.counts.items():
            lines.append(f"  {name:<16} {count:>8}")
        lines.append(f"Bevölkerung gesamt: {de_number(self.population)}")
        for note in self.notes:
            lines.append(f"Hinweis: {note}")
        if self.rebuilt:
            lines.append(f"Dauer: {self.seconds:.1f} s")
        return "\n".join(lines)


def fingerprint(config: RegionConfig) -> str:
    """Hash of everything a build depends on: config, source files, vocabularies and code."""
    digest = hashlib.sha256()
    digest.update(f"schema={BUILD_SCHEMA_VERSION}".encode())
    digest.update(config.path.read_bytes())
    for source in config.source_files():
        digest.update(str(source).encode())
        if source.exists():
            digest.update(_file_hash(source).encode())
    # Every module of the data layer can change a derived layer (builders, sources, vocabulary,
    # synthetic generators), so all of them are part of the fingerprint.
    code_files = sorted((settings.project_root / "layers").rglob("*.py")) + [
        settings.vocab_dir / "angebotstypen.toml",
    ]
    for path in code_files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_current(config: RegionConfig) -> bool:
    """Whether the region's store exists and was built from the current inputs."""
    store = GeoPackageStore(region_store_path(config.name), config.crs)
    if not store.exists():
        return False
    try:
        return store.read_meta().get("fingerprint") == fingerprint(config)
    except SozialraumError:
        return False


def build_region(
    region: str | RegionConfig,
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
    target: Path | None = None,
) -> BuildResult:
    """Build (or confirm) the GeoPackage of a region.

    Parameters
    ----------
    region
        Region name or configuration.
    force
        Rebuild even if the inputs did not change.
    progress
        Callback ``(fraction, label)`` for the app; the terminal gets a tqdm bar without it.
    target
        Output path of the derived store (default: ``<cache>/regions/<name>.gpkg``); the user
        store is ``<stem>.nutzer.gpkg`` next to it.

    Returns
    -------
    BuildResult

    Raises
    ------
    SozialraumError
        Any problem with the configuration or the sources, in German; the previous store is left
        untouched.
    UserStoreDamagedError
        If the user store cannot be read: nothing is built, nothing is overwritten.
    """
    started = time.perf_counter()
    config = region if isinstance(region, RegionConfig) else load_region(region)
    path = target or region_store_path(config.name)
    store = GeoPackageStore(path, config.crs)
    # Before anything else: a damaged user store stops the build; an old single-file store's
    # user rows are moved into the user store before the old file can be replaced.
    store.prepare(thorough=True)
    check_shared_data(config.source_files())
    stamp = fingerprint(config)
    if not force and store.exists():
        previous = _safe_meta(store)
        if previous.get("fingerprint") == stamp:
            return BuildResult(
                region=config.name,
                path=path,
                rebuilt=False,
                counts=json.loads(previous.get("anzahl", "{}")),
                population=int(previous.get("bevoelkerung", "0")),
                crs=f"EPSG:{config.epsg}",
                notes=json.loads(previous.get("hinweise", "[]")),
                user_path=store.user_path,
            )

    layers, notes = _derive_layers(config, progress)
    counts = {name: len(layers[name]) for name in LAYER_ORDER if name in layers}
    population = int(layers["bevoelkerung"]["einwohner"].sum()) if len(layers["bevoelkerung"]) else 0
    meta = _metadata(config, stamp, layers, counts, population, notes)
    _write_atomically(store, layers, meta)
    own = _user_data_note(store)
    return BuildResult(
        region=config.name,
        path=path,
        rebuilt=True,
        counts=counts,
        population=population,
        crs=f"EPSG:{config.epsg}",
        notes=[*notes, *own],
        seconds=time.perf_counter() - started,
        user_path=store.user_path,
    )


def _metadata(config: RegionConfig, stamp: str, layers: dict[str, pd.DataFrame],
              counts: dict[str, int], population: int, notes: list[str]) -> dict[str, Any]:
    """The build's ``_metadaten``: inputs, summary, a fresh build id and the layout marker."""
    people = layers["bevoelkerung"]
    return {
        "region": config.name,
        "titel": config.titel,
        "crs": f"EPSG:{config.epsg}",
        "fingerprint": stamp,
        "gebaut_am": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
        "anzahl": counts,
        "bevoelkerung": str(population),
        "bevoelkerung_quelle": str(people["quelle"].iloc[0]) if len(people) else "keine",
        "bevoelkerung_jahr": _population_year(config, people),
        **population_meta(layers),
        "hinweise": notes,
        # Part of every version token: changes with every build, even of unchanged inputs.
        "build_id": uuid.uuid4().hex,
        # Marks the two-file layout: users' rows are never in this file (no migration needed).
        "speicher": "getrennt",
    }


def _population_year(config: RegionConfig, population: pd.DataFrame) -> str:
    """The year the ``bevoelkerung`` grid stands for (its ``jahr``, else the configured one)."""
    if "jahr" in population.columns and len(population):
        return str(int(population["jahr"].max()))
    return str(config.population.jahr or "")


def _user_data_note(store: GeoPackageStore) -> list[str]:
    """A German note on what the (untouched) user store holds."""
    summary = {k: v for k, v in store.user_summary().items() if v}
    if not summary:
        return []
    parts = ", ".join(f"{name}: {count}" for name, count in summary.items())
    return [f"Eigene Daten in {store.user_path.name} (vom Neubau nicht berührt): {parts}."]


def _safe_meta(store: GeoPackageStore) -> dict[str, str]:
    try:
        return store.read_meta()
    except (SozialraumError, OSError, ValueError) as exc:  # a damaged store is simply rebuilt
        log.warning("Metadaten von %s nicht lesbar (%s); baue neu.", store.path, exc)
        return {}


def _derive_layers(
    config: RegionConfig, progress: ProgressCallback | None
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """All derived layers of a region, step by step (with progress), and German notes."""
    if not config.has_osm:
        return derive_layers_without_osm(config, progress)
    notes: list[str] = []
    layers: dict[str, pd.DataFrame] = {}
    crs = config.crs
    with Steps(11, f"Region {config.name}", progress) as steps:
        # Cheap checks first, so that a bad configuration fails in a second, not after the
        # OSM extract has been read.
        steps.step("Quellen prüfen")
        icf = load_icf_codes(config.icf)
        gemeinden = read_gemeinden(config) if config.boundary_kind == "gemeinden" else None
        assert config.osm is not None  # regions without OSM extract returned above
        header_area = header_extract_area(config.osm)
        if header_area is not None:
            check_crs_location(config, header_area.centroid.x, header_area.centroid.y)
        if gemeinden is not None and header_area is not None:
            check_overlap(config, header_area, gemeinden)
        steps.advance()

        steps.step("OSM-Ausschnitt lesen")
        extract = read_extract(config.osm)
        steps.advance()

        steps.step("Grenzen und Gemeinden")
        boundary = _boundaries(config, extract, gemeinden, layers, notes)
        steps.advance()

        steps.step("Fußwegenetz")
        layers["netz_knoten"], layers["netz_kanten"] = build_network(extract, crs)
        steps.advance()

        steps.step("Gebäude")
        model = config.population
        housing = load_housing_shares(model.wohnformen, model.altersanteile,
                                      model.quelle_altersanteile)
        buildings = build_buildings(extract, crs, boundary, model, housing)
        layers["gebaeude"] = buildings
        notes.extend(n for n in [outbuilding_note(buildings, model.nebengebaeude_max_m2)] if n)
        steps.advance()

        steps.step("Bevölkerung (Zensus-Gitter)")
        layers["bevoelkerung"] = population_layer(config, buildings, boundary,
                                                  layers.get("gemeinden"), housing, notes)
        notes.extend(_comparison_note(layers.get("gemeinden"), layers["bevoelkerung"],
                                      gemeinden is not None))
        steps.advance()

        steps.step("Planungsräume")
        layers["planungsraeume"] = _planning_areas(config, extract, boundary, notes)
        steps.advance()

        steps.step("Adressen, Haltestellen, Grundkarte")
        layers["adressen"] = build_addresses(extract, crs, boundary)
        layers["haltestellen"] = build_stops(extract, crs, boundary)
        layers["grundkarte"] = build_basemap(extract, crs, boundary)
        steps.advance()

        steps.step("Angebote")
        layers["angebote"] = _services(config, extract, boundary, layers, notes)
        layers.update(_relations(config, layers, boundary, notes))
        steps.advance()

        steps.step("Barrieremeldungen (synthetisch)")
        layers["barrieren"] = _synthetic_reports(config, layers, icf, boundary, notes)
        steps.advance()
        steps.step("Speichern")
        # The write itself is the last step; it is advanced by the caller's completion.
        steps.advance()
    return layers, notes


def _boundaries(config: RegionConfig, extract: Any, gemeinden: gpd.GeoDataFrame | None,
                layers: dict[str, pd.DataFrame], notes: list[str]) -> Any:
    """The region polygon and the municipalities (with their share in the region)."""
    crs = config.crs
    boundary = region_boundary(config, extract, gemeinden)
    layers["region"] = region_frame(config, boundary)
    if gemeinden is not None:
        layers["gemeinden"] = gemeinden.assign(
            anteil_in_region=share_in_region(gemeinden, boundary))
    else:
        layers["gemeinden"] = gpd.GeoDataFrame(
            {"ags": [], "name": [], "einwohner": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs
        )
        notes.append("Keine Gemeindedatei: die Region ist die Fläche des OSM-Ausschnitts.")
    return boundary


def _comparison_note(gemeinden: pd.DataFrame | None, population: pd.DataFrame,
                     have_municipalities: bool) -> list[str]:
    """The official population of the touched municipalities next to the model's total."""
    if not have_municipalities or gemeinden is None or not len(population):
        return []
    touched = gemeinden[gemeinden["anteil_in_region"] > 0.001]
    parts = "; ".join(
        f"{name}: {de_number(int(people))} Einwohner, davon {share:.0%} der Fläche in der Region"
        for name, people, share in zip(touched["name"], touched["einwohner"],
                                       touched["anteil_in_region"], strict=True)
    )
    return [f"Zum Vergleich (VG250-EW, 31.12.2023): {parts}. Modell in der Region: "
            f"{de_number(int(population['einwohner'].sum()))}."]


def _planning_areas(config: RegionConfig, extract: Any, boundary: Any, notes: list[str]
                    ) -> gpd.GeoDataFrame:
    """Generated planning areas (Voronoi cells around OSM place nodes, or a grid)."""
    options = config.planungsraeume
    areas, area_notes = from_osm_places(
        extract.frame("places"),
        boundary,
        kinds=list(options.get("orte", ["suburb", "quarter", "neighbourhood"])),
        crs=config.crs,
        fallback_cell_m=float(options.get("raster_kantenlaenge_m", 2000)),
    )
    notes.extend(area_notes)
    return areas


def _services(config: RegionConfig, extract: Any, boundary: Any,
              layers: dict[str, pd.DataFrame], notes: list[str]) -> gpd.GeoDataFrame:
    """OSM offers plus a fictitious directory for the types OSM does not know."""
    crs = config.crs
    synth = config.synthetic
    osm_services = services_from_osm(extract, crs, boundary)
    fictitious = synthetic_services(
        osm_services,
        layers["adressen"],
        layers["planungsraeume"],
        per_type=int(synth.get("angebote_je_typ", 2)),
        seed=int(synth.get("seed", 1)),
        crs=crs,
    )
    services = pd.concat([osm_services, fictitious], ignore_index=True)
    if len(fictitious):
        notes.append(
            f"{len(fictitious)} fiktive Angebote (quelle = synthetisch) für Angebotstypen, "
            "die OSM nicht kennt."
        )
    return conform(gpd.GeoDataFrame(services, geometry="geometry", crs=crs))


def _relations(config: RegionConfig, layers: dict[str, pd.DataFrame], boundary: Any,
               notes: list[str]) -> dict[str, gpd.GeoDataFrame]:
    """Synthetic cooperations, presence and outreach areas of the demo (``quelle = synthetisch``).

    Only regions with fictitious offers get them (the relations refer to those offers); the
    ways of access of the fictitious offers are filled in here as well.
    """
    crs, seed = config.crs, int(config.synthetic.get("seed", 1))
    services = layers["angebote"]
    services["zugangswege"] = synthetic_access_ways(services, seed)
    if not (services["quelle"].astype(str) == "synthetisch").any():
        return {"kooperationen": synthetic_cooperations(services.iloc[0:0], seed, crs),
                "praesenz": synthetic_presence(services.iloc[0:0], layers["adressen"], seed, crs),
                "aufsuchend_gebiete": synthetic_zones(services.iloc[0:0], layers["planungsraeume"],
                                                      boundary, seed, crs)}
    today = date.fromisoformat(str(config.synthetic.get("stichtag", "2025-12-31")))
    relations = {
        "kooperationen": synthetic_cooperations(services, seed, crs),
        "praesenz": synthetic_presence(services, layers["adressen"], seed, crs, today=today),
        "aufsuchend_gebiete": synthetic_zones(services, layers["planungsraeume"], boundary, seed,
                                              crs),
    }
    notes.append(
        f"Fiktive Beziehungen (quelle = synthetisch): {len(relations['kooperationen'])} "
        f"Kooperationen, {len(relations['praesenz'])} Präsenztermine, "
        f"{len(relations['aufsuchend_gebiete'])} Zuständigkeitsgebiete aufsuchender Angebote."
    )
    return relations


def _synthetic_reports(config: RegionConfig, layers: dict[str, pd.DataFrame], icf: Any,
                       boundary: Any, notes: list[str]) -> gpd.GeoDataFrame:
    """Synthetic ICF barrier reports at real places (``quelle = synthetisch``)."""
    synth = config.synthetic
    reports = synthetic_barriers(
        layers["bevoelkerung"],
        layers["netz_kanten"],
        layers["netz_knoten"],
        layers["haltestellen"],
        layers["angebote"],
        icf,
        persons=int(synth.get("barrieren_personen", 500)),
        max_reports_per_person=int(synth.get("barrieren_meldungen_je_person_max", 4)),
        seed=int(synth.get("seed", 1)),
        crs=config.crs,
        today=date.fromisoformat(str(synth.get("stichtag", "2025-12-31"))),
        region=boundary,
    )
    if not len(reports):
        notes.append("Ohne Bevölkerung keine synthetischen Barrieremeldungen.")
    return reports


def _write_atomically(
    store: GeoPackageStore, layers: dict[str, pd.DataFrame], meta: dict[str, Any]
) -> None:
    """Write the derived layers into a temporary file and swap it in; the old one survives
    any failure and a killed build leaves only a temporary file the next open removes."""
    try:
        ordered = {name: layers[name] for name in LAYER_ORDER if name in layers}
        ordered.update({k: v for k, v in layers.items() if k not in ordered})
        ordered[META_TABLE] = meta_frame(meta)
        for name, frame in ordered.items():
            if isinstance(frame, gpd.GeoDataFrame):
                require_crs(frame, store.crs, name=name)
        with temporary_gpkg(store.path) as tmp:
            for name, frame in ordered.items():
                write_frame(frame, tmp, name)
            _index_keys(tmp, list(ordered))
            store.replace_with(tmp)
    except SozialraumError:
        raise
    except Exception as exc:
        raise StoreError(
            f"Der Regionsspeicher konnte nicht geschrieben werden ({exc}).",
            hinweis="Prüfen Sie freien Speicherplatz und Schreibrechte; der bisherige Stand "
            "bleibt erhalten.",
            datei=store.path,
        ) from exc


def _index_keys(path: Path, names: list[str]) -> None:
    """Index the key columns of the merged layers (edits look rows up by key)."""
    conn = sqlite3.connect(path)
    try:
        for name in names:
            layer = LAYERS.get(name)
            if layer is not None and layer.owner == "beide" and layer.key:
                conn.execute(f'CREATE INDEX IF NOT EXISTS "idx_{name}_{layer.key}" '
                             f'ON "{name}" ("{layer.key}")')
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.commit()
    finally:
        conn.close()
