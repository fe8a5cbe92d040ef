"""Region configurations: the only place where a region is described.

A region is one TOML file in ``data/regions/``. No path, CRS or bounding box of a concrete region
appears in code; a new region is a new file. Relative source paths are resolved against
:data:`layers.settings.shared_data_dir`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyproj import CRS

from layers import settings
from layers.errors import ConfigError
from layers.validation import parse_crs

BOUNDARY_KINDS = ("gemeinden", "extrakt")
PLANUNGSRAUM_KINDS = ("osm_orte", "datei", "gemeinden_zuordnung")


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
    """

    wohnflaeche_je_einwohner_m2: float
    wohnflaechenanteil: float
    geschosse_standard: dict[str, float]
    altersanteile: dict[str, float]
    quelle_altersanteile: str
    zensus_csv: Path | None = None


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
        Path to the OSM PBF extract.
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
    """

    name: str
    titel: str
    crs: CRS
    osm: Path
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
        files = [self.osm, self.icf]
        for optional in (self.gemeinden, self.gtfs, self.population.zensus_csv):
            if optional is not None:
                files.append(optional)
        pr_file = self.planungsraeume.get("datei")
        if pr_file:
            files.append(Path(pr_file))
        return files


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
        If the file is missing, not valid TOML, lacks required keys or names an unknown CRS.
    """
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
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"Die Regionskonfiguration ist kein gültiges TOML ({exc}).",
            hinweis="Prüfen Sie Anführungszeichen, Klammern und '=' in der genannten Zeile.",
            datei=path,
        ) from exc

    def section(key: str) -> dict[str, Any]:
        value = raw.get(key)
        if not isinstance(value, dict):
            raise ConfigError(
                f"Der Abschnitt [{key}] fehlt.",
                hinweis=f"Ergänzen Sie [{key}] nach dem Muster von data/regions/aachen.toml.",
                datei=path,
            )
        return value

    def required(sec: dict[str, Any], sec_name: str, key: str) -> Any:
        if key not in sec or sec[key] in (None, ""):
            raise ConfigError(
                f"Im Abschnitt [{sec_name}] fehlt der Eintrag '{key}'.",
                hinweis=f"Ergänzen Sie '{key} = …' nach dem Muster von data/regions/aachen.toml.",
                datei=path,
            )
        return sec[key]

    region = section("region")
    quellen = section("quellen")
    grenze = section("grenze")
    pr = section("planungsraeume")
    bev = section("bevoelkerung")
    synth = raw.get("synthetisch", {})

    crs = parse_crs(required(region, "region", "crs"), datei=path, projected=True)
    boundary_kind = str(required(grenze, "grenze", "art"))
    if boundary_kind not in BOUNDARY_KINDS:
        raise ConfigError(
            f"Unbekannte Grenzart '{boundary_kind}'.",
            hinweis=f"Erlaubt sind: {', '.join(BOUNDARY_KINDS)}.",
            datei=path,
        )
    gemeinden = _resolve(quellen.get("gemeinden"), path)
    praefix = grenze.get("ags_praefix")
    if boundary_kind == "gemeinden" and (gemeinden is None or not praefix):
        raise ConfigError(
            "Für die Grenzart 'gemeinden' fehlen die Gemeindedatei oder das AGS-Präfix.",
            hinweis="Setzen Sie [quellen] gemeinden = \"…\" und [grenze] ags_praefix = \"05334\".",
            datei=path,
        )
    pr_kind = str(required(pr, "planungsraeume", "art"))
    if pr_kind not in PLANUNGSRAUM_KINDS:
        raise ConfigError(
            f"Unbekannte Art der Planungsräume '{pr_kind}'.",
            hinweis=f"Erlaubt sind: {', '.join(PLANUNGSRAUM_KINDS)}.",
            datei=path,
        )
    pr_options = dict(pr)
    if pr_options.get("datei"):
        pr_options["datei"] = str(_resolve(pr_options["datei"], path))

    shares = {str(k): float(v) for k, v in required(bev, "bevoelkerung", "altersanteile").items()}
    if abs(sum(shares.values()) - 1.0) > 1e-6:
        raise ConfigError(
            f"Die Altersanteile summieren sich zu {sum(shares.values()):.4f}, nicht zu 1.",
            hinweis="Korrigieren Sie [bevoelkerung.altersanteile], sodass die Summe 1 ergibt.",
            datei=path,
        )
    population = PopulationModel(
        wohnflaeche_je_einwohner_m2=float(
            required(bev, "bevoelkerung", "wohnflaeche_je_einwohner_m2")
        ),
        wohnflaechenanteil=float(required(bev, "bevoelkerung", "wohnflaechenanteil")),
        geschosse_standard={
            str(k): float(v)
            for k, v in required(bev, "bevoelkerung", "geschosse_standard").items()
        },
        altersanteile=shares,
        quelle_altersanteile=str(bev.get("quelle_altersanteile", "")),
        zensus_csv=_resolve(quellen.get("zensus_csv"), path),
    )
    osm = _resolve(required(quellen, "quellen", "osm"), path)
    icf = _resolve(required(quellen, "quellen", "icf"), path)
    assert osm is not None and icf is not None  # required() guarantees a value
    return RegionConfig(
        name=path.stem,
        titel=str(region.get("titel", path.stem)),
        beschreibung=str(region.get("beschreibung", "")),
        crs=crs,
        osm=osm,
        boundary_kind=boundary_kind,
        gemeinden=gemeinden,
        gemeinden_praefix=str(praefix) if praefix else None,
        planungsraeume=pr_options,
        gtfs=_resolve(quellen.get("gtfs"), path),
        icf=icf,
        population=population,
        synthetic=dict(synth),
        path=path,
        raw=raw,
    )
