"""Region configurations: the only place where a region is described.

A region is one TOML file in ``data/regions/``. No path, CRS or bounding box of a concrete region
appears in code; a new region is a new file. Relative source paths are resolved against
:data:`layers.settings.shared_data_dir`.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyproj import CRS

from layers import settings
from layers.errors import ConfigError
from layers.validation import parse_crs

__all__ = [
    "ALLOWED_KEYS",
    "BOUNDARY_KINDS",
    "LAND_UTM_ZONES",
    "PLANUNGSRAUM_KINDS",
    "POPULATION_KINDS",
    "PopulationModel",
    "RegionConfig",
    "available_regions",
    "check_crs_location",
    "load_region",
]

#: ``gemeinden``: municipalities of an AGS prefix clipped to the OSM extract; ``extrakt``: the
#: area of the extract; ``planungsraeume``: the union of the planning areas of a file (a region
#: without OSM extract, e.g. Köln's Stadtteile).
BOUNDARY_KINDS = ("gemeinden", "extrakt", "planungsraeume")
PLANUNGSRAUM_KINDS = ("osm_orte", "datei", "gemeinden_zuordnung")
#: ``modell``: the dasymetric building model (optionally replaced by a Zensus grid);
#: ``statistik``: official figures per planning area and year from a long table.
POPULATION_KINDS = ("modell", "statistik")

#: Every key a region file may contain, per section. The tables inside [bevoelkerung]
#: (building types, age groups) have free keys. Anything else is a typo and refused by name.
ALLOWED_KEYS: dict[str, tuple[str, ...] | None] = {
    "region": ("titel", "beschreibung", "crs"),
    "quellen": ("osm", "gemeinden", "icf", "gtfs", "zensus_csv", "zensus_alter_csv"),
    "grenze": ("art", "ags_praefix"),
    "planungsraeume": ("art", "orte", "raster_kantenlaenge_m", "datei", "schluessel", "name",
                       "bezeichnung", "quelle", "bezirke"),
    "bevoelkerung": ("wohnflaeche_je_einwohner_m2", "wohnflaechenanteil", "quelle_altersanteile",
                     "geschosse_standard", "altersanteile", "art", "statistik", "quelle",
                     "raster_m", "jahr", "nebengebaeude", "nebengebaeude_max_m2", "wohnformen",
                     "kalibrierung", "methode"),
    "synthetisch": ("seed", "barrieren_personen", "barrieren_meldungen_je_person_max",
                    "angebote_je_typ", "stichtag", "angebote_von", "angebote_bis"),
    # Team mode (issue #11): the region lives in a PostgreSQL/PostGIS database.
    "speicher": ("datenbank", "schema"),
}

#: The official ETRS89/UTM zone of each German Land, by the first two digits of its AGS: the
#: surveying offices of Berlin, Brandenburg, Mecklenburg-Vorpommern and Saxony work in zone 33
#: (EPSG:25833), all others in zone 32 (EPSG:25832), Bavaria included.
LAND_UTM_ZONES: dict[str, tuple[str, int]] = {
    "01": ("Schleswig-Holstein", 32), "02": ("Hamburg", 32), "03": ("Niedersachsen", 32),
    "04": ("Bremen", 32), "05": ("Nordrhein-Westfalen", 32), "06": ("Hessen", 32),
    "07": ("Rheinland-Pfalz", 32), "08": ("Baden-Württemberg", 32), "09": ("Bayern", 32),
    "10": ("Saarland", 32), "11": ("Berlin", 33), "12": ("Brandenburg", 33),
    "13": ("Mecklenburg-Vorpommern", 33), "14": ("Sachsen", 33), "15": ("Sachsen-Anhalt", 32),
    "16": ("Thüringen", 32),
}
# How far (degrees of longitude) a region's centre may lie outside its UTM zone when no AGS says
# which Land it is in: Bavaria works in zone 32 up to 13.8° E, 1.8° beyond the zone's edge.
_ZONE_TOLERANCE_DEG = 2.0


@dataclass(frozen=True)
class PopulationModel:
    """Parameters of the dasymetric population model (documented in the region file).

    Attributes
    ----------
    wohnflaeche_je_einwohner_m2
        Living space per inhabitant (m²).
    wohnflaechenanteil
        Share of the gross floor area that is living space.
    geschosse_standard
        Default number of storeys by OSM ``building`` value where ``building:levels`` is missing.
    altersanteile
        Share of each age group in the population; sums to 1.
    zensus_csv
        Optional real Zensus 2022 100 m grid CSV that replaces the model.
    art
        ``"modell"`` (from buildings) or ``"statistik"`` (official figures per planning area and
        year, see :mod:`layers.build.statistik`).
    statistik
        With ``art = "statistik"``: the long table (``jahr, raum_id, zeile, zahl``) of official
        population figures per planning area.
    statistik_quelle
        Attribution of that table (stored in the ``quelle`` of every row).
    raster_m
        Edge of the population grid cells in metres (100 like the Zensus grid).
    jahr
        The year the modelled population stands for (``[bevoelkerung] jahr``; for
        ``statistik`` the latest year of the table).
    nebengebaeude, nebengebaeude_max_m2
        OSM ``building`` values that are outbuildings, and the footprint below which a building
        without an address counts as one (0: no size rule); both never get inhabitants.
    wohnformen
        Data file of age shares per housing type (:mod:`layers.build.wohnformen`).
    kalibrierung
        Scale the model to the official total of every municipality covered completely.
    zensus_alter_csv
        Optional Zensus 2022 100 m grid with age classes that replaces the model cell by cell.
    methode
        The method in words, as the region file states it (shown beside the figures).
    """

    wohnflaeche_je_einwohner_m2: float
    wohnflaechenanteil: float
    geschosse_standard: dict[str, float]
    altersanteile: dict[str, float]
    quelle_altersanteile: str
    zensus_csv: Path | None = None
    art: str = "modell"
    statistik: Path | None = None
    statistik_quelle: str = ""
    raster_m: int = 100
    jahr: int | None = None
    nebengebaeude: tuple[str, ...] = ()
    nebengebaeude_max_m2: float = 0.0
    wohnformen: Path | None = None
    kalibrierung: bool = False
    zensus_alter_csv: Path | None = None
    methode: str = ""


@dataclass(frozen=True)
class RegionConfig:
    """A parsed and checked region configuration.

    Attributes
    ----------
    name
        Short key (file name without ``.toml``), e.g. ``"aachen"``.
    titel
        Display name.
    crs
        Working CRS (projected, metric).
    osm
        Path to the OSM PBF extract; ``None`` for a region without one (no pedestrian network,
        buildings or addresses: reachability cannot be computed there).
    boundary_kind
        ``"gemeinden"`` (municipalities from a boundary file, clipped to the extract) or
        ``"extrakt"`` (the convex hull of the extract).
    gemeinden, gemeinden_praefix
        Boundary file and the AGS prefix selecting the region's municipalities.
    planungsraeume
        How planning areas are made (see :data:`PLANUNGSRAUM_KINDS`) and its options.
    gtfs
        Optional GTFS feed.
    icf
        ICF environmental-factor code list.
    population
        Population model parameters.
    synthetic
        Seeds and sizes for the synthetic layers.
    path
        The configuration file.
    datenbank, datenbank_schema
        Team mode: the PostgreSQL URL (without password) and schema the region is stored in
        (``[speicher]``; ``None``: :data:`layers.settings.database_url`, else a GeoPackage).
    """

    name: str
    titel: str
    crs: CRS
    osm: Path | None
    boundary_kind: str
    gemeinden: Path | None
    gemeinden_praefix: str | None
    planungsraeume: dict[str, Any]
    gtfs: Path | None
    icf: Path
    population: PopulationModel
    synthetic: dict[str, Any]
    path: Path
    beschreibung: str = ""
    datenbank: str | None = None
    datenbank_schema: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def epsg(self) -> int:
        """EPSG code of the working CRS."""
        code = self.crs.to_epsg()
        if code is None:  # pragma: no cover - parse_crs accepts EPSG-backed systems in practice
            raise ConfigError("Das CRS hat keinen EPSG-Code.", datei=self.path)
        return code

    def source_files(self) -> list[Path]:
        """Every source file the build reads (for change detection)."""
        files = [self.icf]
        for optional in (self.osm, self.gemeinden, self.gtfs, self.population.zensus_csv,
                         self.population.statistik, self.population.wohnformen,
                         self.population.zensus_alter_csv):
            if optional is not None:
                files.append(optional)
        for options in (self.planungsraeume, self.planungsraeume.get("bezirke") or {}):
            if options.get("datei"):
                files.append(Path(options["datei"]))
        return files

    @property
    def has_osm(self) -> bool:
        """Whether the region has an OSM extract (and so a network, buildings, addresses)."""
        return self.osm is not None


def available_regions() -> list[str]:
    """Names of all configured regions."""
    return sorted(p.stem for p in settings.regions_dir.glob("*.toml"))


def _resolve(value: str | None, config_path: Path) -> Path | None:
    if not value:
        return None
    path = Path(value)
    if path.is_absolute():
        return path
    if value.startswith(("./", "../")):
        return (config_path.parent / path).resolve()
    return settings.shared_data_dir / path


def _project_file(value: str | None) -> Path | None:
    """A data file of the project itself (relative to ``data/``, e.g. the housing-type shares)."""
    return None if not value else settings.regions_dir.parent / value


def load_region(name_or_path: str | Path) -> RegionConfig:
    """Load and check a region configuration.

    Parameters
    ----------
    name_or_path
        A region name from ``data/regions/`` (``"aachen"``) or a path to a TOML file.

    Returns
    -------
    RegionConfig

    Raises
    ------
    ConfigError
        If the file is missing, not valid TOML, has unknown keys (named, with the likely
        intended key), lacks required keys, names an unknown CRS or one that does not fit the
        region's Land, or a source that is a folder.
    """
    path = _config_path(name_or_path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"Die Regionskonfiguration ist kein gültiges TOML ({exc}).",
            hinweis="Prüfen Sie Anführungszeichen, Klammern und '=' in der genannten Zeile.",
            datei=path,
        ) from exc
    _check_keys(raw, path)
    reader = _Sections(raw, path)
    region, quellen, grenze = reader.section("region"), reader.section("quellen"), reader.section("grenze")
    crs = parse_crs(reader.required(region, "region", "crs"), datei=path, projected=True)
    boundary_kind = reader.choice(grenze, "grenze", "art", BOUNDARY_KINDS, "Grenzart")
    gemeinden = _resolve(quellen.get("gemeinden"), path)
    praefix = grenze.get("ags_praefix")
    if boundary_kind == "gemeinden" and (gemeinden is None or not praefix):
        raise ConfigError(
            "Für die Grenzart 'gemeinden' fehlen die Gemeindedatei oder das AGS-Präfix.",
            hinweis="Setzen Sie [quellen] gemeinden = \"…\" und [grenze] ags_praefix = \"05334\".",
            datei=path,
        )
    if praefix:
        _check_land_zone(crs, str(praefix), path)
    osm = _resolve(quellen.get("osm"), path)
    if osm is None and boundary_kind != "planungsraeume":
        raise ConfigError(
            "Im Abschnitt [quellen] fehlt der Eintrag 'osm'.",
            hinweis="Ergänzen Sie 'osm = …' nach dem Muster von data/regions/aachen.toml; eine "
            "Region ohne OSM-Ausschnitt braucht [grenze] art = \"planungsraeume\" (Muster: "
            "data/regions/koeln.toml).",
            datei=path,
        )
    icf = _resolve(reader.required(quellen, "quellen", "icf"), path)
    assert icf is not None  # required() guarantees a value
    population = _population(reader, quellen, path)
    gtfs = _resolve(quellen.get("gtfs"), path)
    _check_files(path, osm=osm, icf=icf, gemeinden=gemeinden, gtfs=gtfs,
                 zensus_csv=population.zensus_csv, statistik=population.statistik)
    return RegionConfig(
        name=path.stem,
        titel=str(region.get("titel", path.stem)),
        beschreibung=str(region.get("beschreibung", "")),
        crs=crs,
        osm=osm,
        boundary_kind=boundary_kind,
        gemeinden=gemeinden,
        gemeinden_praefix=str(praefix) if praefix else None,
        planungsraeume=_planning_areas(reader, boundary_kind, path),
        gtfs=gtfs,
        icf=icf,
        population=population,
        synthetic=dict(raw.get("synthetisch", {})),
        path=path,
        raw=raw,
        **_storage(reader, path),
    )


def _storage(reader: _Sections, path: Path) -> dict[str, str | None]:
    """The ``[speicher]`` section: database URL (never with a password) and schema."""
    section = reader.section("speicher") if "speicher" in reader.raw else {}
    url = section.get("datenbank")
    schema = section.get("schema")
    if url is not None:
        url = str(url)
        parsed = urlsplit(url)
        if parsed.scheme not in ("postgresql", "postgres"):
            raise ConfigError(
                f"[speicher] datenbank = '{url}' ist keine PostgreSQL-Adresse.",
                hinweis="Schreiben Sie sie als postgresql://server:5432/datenbank.",
                datei=path,
            )
        if parsed.password:
            raise ConfigError(
                "[speicher] datenbank enthält ein Passwort; Passwörter gehören nie in "
                "Projektdateien.",
                hinweis="Entfernen Sie das Passwort aus der Adresse. Die App fragt bei der "
                "Anmeldung danach, die Kommandozeile nutzt PGPASSWORD oder ~/.pgpass.",
                datei=path,
            )
    return {"datenbank": url, "datenbank_schema": None if schema is None else str(schema)}


def _config_path(name_or_path: str | Path) -> Path:
    """The TOML file of a region name or path; an unknown region names the known ones."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        path = candidate
    else:
        path = settings.regions_dir / f"{name_or_path}.toml"
    if not path.exists():
        known = ", ".join(available_regions()) or "(keine)"
        raise ConfigError(
            f"Die Regionskonfiguration '{name_or_path}' gibt es nicht.",
            hinweis=f"Bekannte Regionen: {known}. Eine neue Region legen Sie als TOML-Datei in "
            f"{settings.regions_dir} an.",
            datei=path,
        )
    return path


class _Sections:
    """Access to the sections of a parsed region file, with German errors for missing ones."""

    def __init__(self, raw: dict[str, Any], path: Path) -> None:
        self.raw = raw
        self.path = path

    def section(self, key: str) -> dict[str, Any]:
        """A required section."""
        value = self.raw.get(key)
        if not isinstance(value, dict):
            raise ConfigError(
                f"Der Abschnitt [{key}] fehlt.",
                hinweis=f"Ergänzen Sie [{key}] nach dem Muster von data/regions/aachen.toml.",
                datei=self.path,
            )
        return value

    def required(self, sec: dict[str, Any], sec_name: str, key: str) -> Any:
        """A required entry of a section."""
        if key not in sec or sec[key] in (None, ""):
            raise ConfigError(
                f"Im Abschnitt [{sec_name}] fehlt der Eintrag '{key}'.",
                hinweis=f"Ergänzen Sie '{key} = …' nach dem Muster von data/regions/aachen.toml.",
                datei=self.path,
            )
        return sec[key]

    def choice(self, sec: dict[str, Any], sec_name: str, key: str, allowed: tuple[str, ...],
               what: str, default: str | None = None) -> str:
        """An entry that must be one of ``allowed`` (``default`` where it is missing)."""
        value = str(sec.get(key, default) if default is not None
                    else self.required(sec, sec_name, key))
        if value not in allowed:
            raise ConfigError(
                f"Unbekannte {what} '{value}' ([{sec_name}] {key}).",
                hinweis=f"Erlaubt sind: {', '.join(allowed)}.",
                datei=self.path,
            )
        return value


def _check_keys(raw: dict[str, Any], path: Path) -> None:
    """Refuse unknown sections and keys by name, suggesting the likely intended one."""
    for section, value in raw.items():
        if section not in ALLOWED_KEYS:
            _unknown(f"Abschnitt [{section}]", section, list(ALLOWED_KEYS), path)
        allowed = ALLOWED_KEYS[section]
        if allowed is None or not isinstance(value, dict):
            continue
        for key in value:
            if key not in allowed:
                _unknown(f"Eintrag '{key}' im Abschnitt [{section}]", key, list(allowed), path)


def _unknown(what: str, key: str, allowed: list[str], path: Path) -> None:
    """Raise for an unknown section or key."""
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    section = what.startswith("Abschnitt")
    suggestion = (f"[{close[0]}]" if section else f"'{close[0]}'") if close else ""
    hint = f"Meinten Sie {suggestion}? " if close else ""
    if section:
        allowed = [f"[{a}]" for a in allowed]
    raise ConfigError(
        f"Unbekannter {what}.",
        hinweis=hint + "Erlaubt sind: " + ", ".join(allowed) + ". Tippfehler werden nicht "
        "still übergangen, weil der Eintrag sonst wirkungslos bliebe.",
        datei=path,
    )


def _planning_areas(reader: _Sections, boundary_kind: str, path: Path) -> dict[str, Any]:
    """The [planungsraeume] options (kind checked, file paths resolved, also of [….bezirke])."""
    pr = reader.section("planungsraeume")
    kind = reader.choice(pr, "planungsraeume", "art", PLANUNGSRAUM_KINDS, "Art der Planungsräume")
    options = dict(pr)
    if options.get("datei"):
        options["datei"] = str(_resolve(options["datei"], path))
    if boundary_kind == "planungsraeume" and (kind != "datei" or not options.get("datei")):
        raise ConfigError(
            "Die Grenzart 'planungsraeume' braucht Planungsräume aus einer Datei.",
            hinweis="Setzen Sie [planungsraeume] art = \"datei\" und datei = \"…geojson\".",
            datei=path,
        )
    bezirke = options.get("bezirke")
    if bezirke is not None:
        if not isinstance(bezirke, dict) or not bezirke.get("datei"):
            raise ConfigError(
                "Im Abschnitt [planungsraeume.bezirke] fehlt der Eintrag 'datei'.",
                hinweis="Die Ebene über den Planungsräumen (z. B. Stadtbezirke) braucht eine "
                "Flächendatei: datei = \"koeln/koeln_stadtbezirke.geojson\".",
                datei=path,
            )
        options["bezirke"] = {**bezirke, "datei": str(_resolve(bezirke["datei"], path))}
    return options


def _population(reader: _Sections, quellen: dict[str, Any], path: Path) -> PopulationModel:
    """The [bevoelkerung] section: the building model (age shares must sum to 1) or official
    statistics per planning area."""
    bev = reader.section("bevoelkerung")
    kind = reader.choice(bev, "bevoelkerung", "art", POPULATION_KINDS, "Art der Bevölkerung",
                         default="modell")
    raster = int(bev.get("raster_m", 100))
    if raster not in (100, 250, 500, 1000):
        raise ConfigError(
            f"Die Rastergröße {raster} m der Bevölkerung ist nicht vorgesehen.",
            hinweis="Erlaubt sind 100, 250, 500 und 1000 m (Zensus-Gitter: 100 m).",
            datei=path,
        )
    if kind == "statistik":
        return PopulationModel(
            wohnflaeche_je_einwohner_m2=0.0, wohnflaechenanteil=0.0, geschosse_standard={},
            altersanteile={}, quelle_altersanteile="", art=kind,
            statistik=_resolve(reader.required(bev, "bevoelkerung", "statistik"), path),
            statistik_quelle=str(reader.required(bev, "bevoelkerung", "quelle")),
            raster_m=raster,
        )
    shares = {str(k): float(v)
              for k, v in reader.required(bev, "bevoelkerung", "altersanteile").items()}
    if abs(sum(shares.values()) - 1.0) > 1e-6:
        raise ConfigError(
            f"Die Altersanteile summieren sich zu {sum(shares.values()):.4f}, nicht zu 1.",
            hinweis="Korrigieren Sie [bevoelkerung.altersanteile], sodass die Summe 1 ergibt.",
            datei=path,
        )
    return PopulationModel(
        wohnflaeche_je_einwohner_m2=float(
            reader.required(bev, "bevoelkerung", "wohnflaeche_je_einwohner_m2")
        ),
        wohnflaechenanteil=float(reader.required(bev, "bevoelkerung", "wohnflaechenanteil")),
        geschosse_standard={
            str(k): float(v)
            for k, v in reader.required(bev, "bevoelkerung", "geschosse_standard").items()
        },
        altersanteile=shares,
        quelle_altersanteile=str(bev.get("quelle_altersanteile", "")),
        zensus_csv=_resolve(quellen.get("zensus_csv"), path),
        art=kind,
        raster_m=raster,
        jahr=int(bev["jahr"]) if bev.get("jahr") else None,
        nebengebaeude=tuple(str(v) for v in bev.get("nebengebaeude", ())),
        nebengebaeude_max_m2=float(bev.get("nebengebaeude_max_m2", 0.0)),
        wohnformen=_project_file(bev.get("wohnformen")),
        kalibrierung=bool(bev.get("kalibrierung", False)),
        zensus_alter_csv=_resolve(quellen.get("zensus_alter_csv"), path),
        methode=" ".join(str(bev.get("methode", "")).split()),
    )


def _check_files(path: Path, **sources: Path | None) -> None:
    """A source given as a folder is refused (missing files are reported by the build)."""
    for key, source in sources.items():
        if source is not None and source.is_dir():
            what = "die ZIP-Datei des GTFS-Feeds" if key == "gtfs" else "eine Datei"
            raise ConfigError(
                f"Der Eintrag '{key}' im Abschnitt [{_SECTION_OF.get(key, 'quellen')}] zeigt auf einen Ordner ({source}), "
                "nicht auf eine Datei.",
                hinweis=f"Geben Sie {what} an, z. B. {key} = \"{_EXAMPLES.get(key, 'ordner/datei')}\".",
                datei=path,
            )


_SECTION_OF = {"statistik": "bevoelkerung"}
_EXAMPLES = {"gtfs": "gtfs/vrn_heidelberg_gtfs.zip", "osm": "osm/aachen.osm.pbf",
             "icf": "icf/icf_umweltfaktoren.csv",
             "gemeinden": "boundaries/vg250ew_gemeinden_nrw.geojson",
             "zensus_csv": "zensus/zensus2022_100m.csv", "statistik": "koeln/bevoelkerung.csv"}


def _utm_zone(crs: CRS) -> int | None:
    """The zone of an ETRS89 or WGS 84 UTM system (north), else ``None``."""
    code = crs.to_epsg() or 0
    for base in (25800, 32600):
        if base + 28 <= code <= base + 38:
            return code - base
    return None


def _check_land_zone(crs: CRS, praefix: str, path: Path) -> None:
    """Refuse a UTM zone other than the official one of the Land the AGS prefix names."""
    zone = _utm_zone(crs)
    land = LAND_UTM_ZONES.get(praefix[:2])
    if zone is None or land is None or zone == land[1]:
        return
    name, expected = land
    raise ConfigError(
        f"Das Koordinatenbezugssystem EPSG:{crs.to_epsg()} (UTM-Zone {zone}) passt nicht zur "
        f"Region: {name} (AGS {praefix[:2]}…) arbeitet amtlich in UTM-Zone {expected}.",
        hinweis=f"Setzen Sie in [region] crs = \"EPSG:{25800 + expected}\" (ETRS89 / UTM "
        f"{expected}N); Abstände in der falschen Zone sind verzerrt und passen nicht zu den "
        "amtlichen Daten des Landes.",
        datei=path,
    )


def check_crs_location(config: RegionConfig, lon: float, lat: float) -> None:
    """Refuse a UTM working CRS whose zone is far from where the region lies.

    Parameters
    ----------
    config
        The region (its CRS and file, for the message).
    lon, lat
        The region's centre in degrees (e.g. from the OSM extract's header).

    Raises
    ------
    ConfigError
        If the centre lies more than 2° of longitude outside the zone (Bavaria, officially in
        zone 32, reaches 1.8° beyond it; Görlitz in zone 33 lies 3° beyond).
    """
    zone = _utm_zone(config.crs)
    if zone is None:
        return
    west, east = -180 + 6 * (zone - 1), -180 + 6 * zone
    outside = max(west - lon, lon - east, 0.0)
    if outside <= _ZONE_TOLERANCE_DEG:
        return
    fitting = int((lon + 180) // 6) + 1
    raise ConfigError(
        f"Das Koordinatenbezugssystem EPSG:{config.crs.to_epsg()} (UTM-Zone {zone}, {west}° bis "
        f"{east}° Ost) passt nicht zur Lage der Region ({lon:.2f}° Ost, {lat:.2f}° Nord, "
        f"UTM-Zone {fitting}).",
        hinweis=f"Setzen Sie in [region] crs = \"EPSG:{25800 + fitting}\" (ETRS89 / UTM "
        f"{fitting}N) oder das amtliche System des Landes.",
        datei=config.path,
    )
