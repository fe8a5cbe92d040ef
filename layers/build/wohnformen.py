"""Housing types (Wohnformen) of residential buildings and their documented age shares.

The modelled population gets its age structure from evidence in the OSM data, never from random
noise: a care home houses mostly people of 80 and over, a student dormitory young adults, a
single-family house more children and older owners than a block of flats. Which building is
which is read from its tags (and from care-home objects mapped inside it); the shares per
housing type and their sources live in a data file (``data/bevoelkerung/wohnformen.toml``,
named by ``[bevoelkerung] wohnformen`` of the region file). Buildings of no recognisable type
get the region's own shares (``sonstige``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.errors import ConfigError

__all__ = [
    "DORMITORY_AMENITIES",
    "DORMITORY_BUILDINGS",
    "HOUSING_TYPES",
    "OTHER",
    "SENIOR_AMENITIES",
    "SENIOR_FACILITIES",
    "SINGLE_FAMILY_BUILDINGS",
    "HousingShares",
    "classify_housing",
    "load_housing_shares",
    "senior_home_buildings",
]

#: The housing types in the order their rules are tried; ``sonstige`` is everything else.
HOUSING_TYPES = ("pflegeheim", "wohnheim", "einfamilienhaus", "mehrfamilienhaus")
OTHER = "sonstige"
SENIOR_AMENITIES = {"nursing_home", "retirement_home"}
#: ``social_facility`` values that are a home (with ``social_facility:for=senior``).
SENIOR_FACILITIES = {"nursing_home", "assisted_living", "group_home"}
DORMITORY_BUILDINGS = {"dormitory"}
DORMITORY_AMENITIES = {"student_accommodation"}
SINGLE_FAMILY_BUILDINGS = {"house", "detached", "semidetached_house", "terrace", "bungalow"}
#: ``building`` values that say nothing about the housing type; with enough mapped storeys
#: they count as multi-family houses.
_UNSPECIFIC = {"yes", "residential"}


@dataclass(frozen=True)
class HousingShares:
    """Age shares per housing type, with their source.

    Attributes
    ----------
    shares
        Housing type → age group → share (each sums to 1); includes ``sonstige``.
    titel, quelle, beleg
        Per housing type: display name, source text and kind of evidence (``amtlich``,
        ``Definition``, ``Annahme``).
    mehrfamilienhaus_ab_geschosse
        Mapped storeys from which an unspecific residential building is a multi-family house.
    path
        The data file (``None``: no file, every building is ``sonstige``).
    """

    shares: dict[str, dict[str, float]]
    titel: dict[str, str] = field(default_factory=dict)
    quelle: dict[str, str] = field(default_factory=dict)
    beleg: dict[str, str] = field(default_factory=dict)
    mehrfamilienhaus_ab_geschosse: float = 3.0
    path: Path | None = None

    def matrix(self, housing: np.ndarray, groups: list[str]) -> np.ndarray:
        """Age shares per building (rows) and age group (columns)."""
        table = np.array([[self.shares[t][g] for g in groups] for t in self.shares])
        index = {t: i for i, t in enumerate(self.shares)}
        rows = np.array([index.get(str(h), index[OTHER]) for h in housing], dtype=np.int64)
        return table[rows] if len(rows) else np.zeros((0, len(groups)))


def load_housing_shares(
    path: Path | None, default: dict[str, float], default_source: str
) -> HousingShares:
    """Read the housing-type data file; ``sonstige`` gets the region's shares.

    Raises
    ------
    ConfigError
        If the file is missing or not TOML, a type lacks an age group of the region or has
        one the region does not know, or its shares do not sum to 1 (file and type named).
    """
    base = {OTHER: dict(default)}
    titles, sources = {OTHER: "übrige Wohngebäude"}, {OTHER: default_source}
    if path is None:
        return HousingShares(base, titles, sources, {OTHER: "amtlich"})
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"Die Datei der Altersanteile nach Wohnform ist nicht lesbar ({exc}).",
            hinweis="Prüfen Sie [bevoelkerung] wohnformen in der Regionsdatei und das TOML.",
            datei=path,
        ) from exc
    shares, evidence = dict(base), {OTHER: "amtlich"}
    for name, row in (raw.get("wohnform") or {}).items():
        if name not in HOUSING_TYPES:
            raise ConfigError(
                f"Unbekannte Wohnform '{name}'.",
                hinweis="Erlaubt sind: " + ", ".join(HOUSING_TYPES) + ".", datei=path)
        values = {g: float(row.get(g, np.nan)) for g in default}
        extra = set(row) - set(default) - {"titel", "quelle", "beleg", "url"}
        if extra or any(np.isnan(v) for v in values.values()) or abs(sum(values.values()) - 1) > 1e-6:
            raise ConfigError(
                f"Die Altersanteile der Wohnform '{name}' passen nicht zur Region.",
                hinweis="Geben Sie genau die Altersgruppen " + ", ".join(default) +
                " an (Summe 1)" + (f"; unbekannt: {', '.join(sorted(extra))}" if extra else "") + ".",
                datei=path)
        shares[name] = values
        titles[name] = str(row.get("titel", name))
        sources[name] = str(row.get("quelle", ""))
        evidence[name] = str(row.get("beleg", ""))
    return HousingShares(shares, titles, sources, evidence,
                         float(raw.get("mehrfamilienhaus_ab_geschosse", 3)), Path(path))


def senior_home_buildings(
    buildings: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> np.ndarray:
    """Whether each building is a care home or senior housing (boolean array).

    Evidence: the building's own ``amenity``/``social_facility`` tags, or a care-home object
    (node or area point of the OSM service candidates) inside the building.
    """
    own = _is_senior_home(buildings)
    if services.empty or not len(buildings):
        return own
    homes = services[_is_senior_home(services)]
    if homes.empty:
        return own
    hits = gpd.sjoin(homes[["geometry"]].to_crs(buildings.crs), buildings[["geometry"]],
                     predicate="within", how="inner")
    own[np.unique(hits["index_right"].to_numpy())] = True
    return own


def _is_senior_home(frame: pd.DataFrame) -> np.ndarray:
    def tag(key: str) -> pd.Series:
        if key not in frame.columns:
            return pd.Series([""] * len(frame), index=frame.index)
        return frame[key].fillna("").astype(str)

    amenity, facility, audience = tag("amenity"), tag("social_facility"), tag("social_facility:for")
    facility_home = facility.str.split(";").apply(lambda v: bool(SENIOR_FACILITIES & set(v)))
    senior = audience.str.contains("senior")
    is_home = amenity.isin(SENIOR_AMENITIES) | (facility_home & (senior | facility.str.contains(
        "nursing_home")))
    return np.array(is_home.to_numpy(dtype=bool), copy=True)


def classify_housing(
    building_value: np.ndarray,
    amenity: np.ndarray,
    mapped_levels: np.ndarray,
    senior_home: np.ndarray,
    residential: np.ndarray,
    min_multi_levels: float,
) -> np.ndarray:
    """Housing type of every building (``""`` for non-residential ones).

    Parameters
    ----------
    building_value, amenity
        OSM ``building`` and ``amenity`` per building.
    mapped_levels
        ``building:levels`` as mapped (NaN where missing; defaults do not count as evidence).
    senior_home
        From :func:`senior_home_buildings`.
    residential
        Whether the building gets inhabitants at all.
    min_multi_levels
        Mapped storeys from which an unspecific residential building is a multi-family house.
    """
    conditions = [
        senior_home,
        np.isin(building_value, list(DORMITORY_BUILDINGS)) | np.isin(amenity, list(DORMITORY_AMENITIES)),
        np.isin(building_value, list(SINGLE_FAMILY_BUILDINGS)),
        (building_value == "apartments")
        | (np.isin(building_value, list(_UNSPECIFIC)) & (np.nan_to_num(mapped_levels) >= min_multi_levels)),
    ]
    housing = np.select(conditions, list(HOUSING_TYPES), default=OTHER)
    return np.where(residential, housing, "")
