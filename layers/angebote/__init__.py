"""The advice and service landscape (``angebote``): vocabulary, schema, OSM mapping, synthetic offers.

Offers come from three sources, recorded in ``quelle``:

* ``osm``: OpenStreetMap objects mapped onto the controlled vocabulary in
  ``data/angebotstypen.toml`` (name patterns first, then tags);
* ``synthetisch``: a generated, fictitious directory for the advice types OSM lacks (EUTB,
  KoKoBe, KSL, …), placed at real addresses with a fixed seed; names end in "(fiktiv)";
* ``import`` / ``manuell``: the planners' own data (imports and edits).

Accessibility features are stored as ``ja`` / ``teilweise`` / ``nein`` / ``unbekannt``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers import settings
from layers.errors import ConfigError
from layers.sources.osm import OsmExtract

ACCESS_VALUES = ("ja", "teilweise", "nein", "unbekannt")
ACCESS_COLUMNS = (
    "stufenloser_zugang",
    "rollstuhlgerechtes_wc",
    "induktionsschleife",
    "gebaerdensprache",
    "leichte_sprache",
)
SOURCES = ("osm", "synthetisch", "import", "manuell")

# The schema of the angebote layer: column → pandas dtype. Imports and edits must produce it.
SCHEMA: dict[str, str] = {
    "angebot_id": "string",
    "name": "string",
    "typ": "string",
    "gruppe": "string",
    "zielgruppen": "string",
    "strasse": "string",
    "hausnummer": "string",
    "plz": "string",
    "ort": "string",
    "stufenloser_zugang": "string",
    "rollstuhlgerechtes_wc": "string",
    "induktionsschleife": "string",
    "gebaerdensprache": "string",
    "leichte_sprache": "string",
    "aufsuchend": "string",
    "oeffnungszeiten": "string",
    "traeger": "string",
    "kapazitaet_std_woche": "float64",
    "kontakt": "string",
    "telefon": "string",
    "email": "string",
    "webseite": "string",
    "bemerkung": "string",
    "quelle": "string",
    "osm_id": "string",
    "gueltig_von": "string",
    "gueltig_bis": "string",
    "version": "int64",
}

# German labels of the schema columns (tables, forms and exports in the app).
COLUMN_LABELS: dict[str, str] = {
    "angebot_id": "ID",
    "name": "Name",
    "typ": "Angebotstyp",
    "gruppe": "Gruppe",
    "zielgruppen": "Zielgruppen",
    "strasse": "Straße",
    "hausnummer": "Hausnummer",
    "plz": "PLZ",
    "ort": "Ort",
    "stufenloser_zugang": "Stufenloser Zugang",
    "rollstuhlgerechtes_wc": "Rollstuhlgerechtes WC",
    "induktionsschleife": "Induktionsschleife",
    "gebaerdensprache": "Gebärdensprache",
    "leichte_sprache": "Leichte Sprache",
    "aufsuchend": "Aufsuchend",
    "oeffnungszeiten": "Öffnungszeiten",
    "traeger": "Träger",
    "kapazitaet_std_woche": "Kapazität (Std./Woche)",
    "kontakt": "Kontakt",
    "telefon": "Telefon",
    "email": "E-Mail",
    "webseite": "Webseite",
    "bemerkung": "Bemerkung",
    "quelle": "Quelle",
    "osm_id": "OSM-ID",
    "gueltig_von": "Gültig von",
    "gueltig_bis": "Gültig bis",
    "version": "Version",
}

TARGET_GROUPS_OSM = {
    "disabled": "Menschen mit Behinderungen",
    "mental_health": "Menschen mit psychischen Erkrankungen",
    "senior": "Ältere Menschen",
    "migrant": "Menschen mit Migrationsgeschichte",
    "refugee": "Geflüchtete",
    "juvenile": "Kinder und Jugendliche",
    "child": "Kinder und Jugendliche",
    "parents": "Familien",
    "pregnant": "Schwangere",
    "drug_addicted": "Menschen mit Suchterkrankung",
    "homeless": "Wohnungslose Menschen",
    "underprivileged": "Menschen in Armut",
    "diseased": "Kranke Menschen",
    "woman": "Frauen",
}


@dataclass(frozen=True)
class ServiceType:
    """One entry of the controlled vocabulary of service types."""

    schluessel: str
    bezeichnung: str
    gruppe: str
    beschreibung: str
    name_muster: tuple[re.Pattern[str], ...]
    osm_tags: tuple[tuple[str, str], ...]
    synthetisch: bool
    zielgruppen: tuple[str, ...]
    aliase: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def service_types() -> tuple[ServiceType, ...]:
    """Load the vocabulary of service types from ``data/angebotstypen.toml``.

    Raises
    ------
    ConfigError
        If the file is missing or malformed.
    """
    path = settings.vocab_dir / "angebotstypen.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"Das Vokabular der Angebotstypen kann nicht gelesen werden ({exc}).",
            hinweis="Stellen Sie data/angebotstypen.toml aus dem Repository wieder her.",
            datei=path,
        ) from exc
    types = []
    for entry in raw.get("typ", []):
        types.append(
            ServiceType(
                schluessel=entry["schluessel"],
                bezeichnung=entry["bezeichnung"],
                gruppe=entry["gruppe"],
                beschreibung=entry.get("beschreibung", ""),
                name_muster=tuple(re.compile(p, re.IGNORECASE) for p in entry.get("name_muster", [])),
                osm_tags=tuple(
                    (t.split("=", 1)[0], t.split("=", 1)[1]) for t in entry.get("osm_tags", [])
                ),
                synthetisch=bool(entry.get("synthetisch", False)),
                zielgruppen=tuple(entry.get("zielgruppen", [])),
                aliase=tuple(entry.get("aliase", [])),
            )
        )
    return tuple(types)


def service_type_keys() -> list[str]:
    """The allowed values of ``typ``."""
    return [t.schluessel for t in service_types()]


def service_type(key: str) -> ServiceType:
    """Look up a service type by its key."""
    for entry in service_types():
        if entry.schluessel == key:
            return entry
    raise KeyError(key)


def _type_key(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
    return re.sub(r"[^a-z0-9§]+", "", text.strip().lower().translate(table))


@lru_cache(maxsize=1)
def _type_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for entry in service_types():
        for text in (entry.schluessel, entry.bezeichnung, *entry.aliase):
            lookup.setdefault(_type_key(text), entry.schluessel)
    return lookup


def resolve_service_type(text: object) -> str | None:
    """Map what a user wrote in a "Typ" column onto the vocabulary key, or ``None``.

    Accepted are the key (``"KoKoBe"``), the full name (``"KoKoBe – Koordinierungs-, Kontakt-
    und Beratungsstelle"``) and the aliases of ``data/angebotstypen.toml`` (``"Pflegestuetzpunkt"``,
    ``"Beratung nach § 106 SGB IX"``, ``"Teilhabeberatung"``), ignoring case, spaces, hyphens and
    umlaut spellings; then the name patterns of the vocabulary (``"EUTB Aachen"`` → ``EUTB``).
    """
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return None
    raw = str(text).strip()
    if not raw:
        return None
    found = _type_lookup().get(_type_key(raw))
    if found is not None:
        return found
    for entry in service_types():
        if any(p.search(raw) for p in entry.name_muster):
            return entry.schluessel
    return None


def suggest_service_type(text: str) -> str | None:
    """The most similar vocabulary key for an unknown type (for "Meinten Sie …?")."""
    from rapidfuzz import fuzz, process

    choices = {key: value for key, value in _type_lookup().items()}
    best = process.extractOne(_type_key(text), list(choices), scorer=fuzz.WRatio, score_cutoff=70)
    return choices[best[0]] if best else None


def empty_services(crs: object) -> gpd.GeoDataFrame:
    """An empty ``angebote`` layer with the full schema."""
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in SCHEMA.items()})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def conform(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy with exactly the schema's columns and dtypes (missing ones empty)."""
    out = frame.copy()
    for column, dtype in SCHEMA.items():
        if column not in out.columns:
            out[column] = pd.Series([None] * len(out), index=out.index, dtype="object")
        if dtype == "string":
            out[column] = out[column].astype("string")
        elif dtype == "int64":
            out[column] = pd.to_numeric(out[column], errors="coerce").fillna(1).astype("int64")
        else:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(dtype)
    geometry_name = out.geometry.name
    return out[[*SCHEMA, geometry_name]]


def classify_osm(tags: dict[str, Any]) -> str | None:
    """Map the tags of an OSM object onto a service type, or ``None`` if it is no offer.

    Name patterns decide first (an "EUTB" in the name beats any tag); then the tag rules of the
    vocabulary; then ``social_facility`` values for facilities. Food banks, soup kitchens and
    government offices without social or health remit are not part of the landscape.
    """
    name = str(tags.get("name") or "")
    for entry in service_types():
        if any(p.search(name) for p in entry.name_muster):
            return entry.schluessel
    facility_values = [v.strip() for v in str(tags.get("social_facility", "")).split(";") if v]
    target = str(tags.get("social_facility:for", ""))
    for value in facility_values:
        if value in ("group_home", "assisted_living"):
            return "Wohnangebot Eingliederungshilfe" if "disabled" in target else "Pflegeeinrichtung"
    for entry in service_types():
        for key, value in entry.osm_tags:
            if str(tags.get(key, "")) == value or value in facility_values and key == "social_facility":
                return entry.schluessel
    return None


def _access(value: object) -> str:
    text = str(value or "").strip().lower()
    if text in ("yes", "designated"):
        return "ja"
    if text == "limited":
        return "teilweise"
    if text == "no":
        return "nein"
    return "unbekannt"


def _target_groups(tags: dict[str, Any], typ: str) -> str | None:
    values = [v.strip() for v in str(tags.get("social_facility:for", "")).split(";") if v.strip()]
    groups = [TARGET_GROUPS_OSM.get(v, v) for v in values]
    if not groups:
        groups = list(service_type(typ).zielgruppen)
    return ";".join(dict.fromkeys(groups)) or None


def services_from_osm(
    extract: OsmExtract, crs: object, boundary: shapely.Geometry
) -> gpd.GeoDataFrame:
    """Map OSM service candidates onto the vocabulary.

    Parameters
    ----------
    extract
        OSM tables.
    crs
        Working CRS.
    boundary
        Region boundary (working CRS); offers outside are dropped.

    Returns
    -------
    geopandas.GeoDataFrame
        In the ``angebote`` schema with ``quelle = "osm"``.
    """
    rows = []
    for record in extract.services:
        typ = classify_osm(record)
        if typ is None:
            continue
        entry = service_type(typ)
        rows.append(
            {
                "angebot_id": f"osm-{record['osm_id']}",
                "name": record.get("name") or entry.bezeichnung,
                "typ": typ,
                "gruppe": entry.gruppe,
                "zielgruppen": _target_groups(record, typ),
                "strasse": record.get("addr:street"),
                "hausnummer": record.get("addr:housenumber"),
                "plz": record.get("addr:postcode"),
                "ort": record.get("addr:city"),
                "stufenloser_zugang": _access(record.get("wheelchair")),
                "rollstuhlgerechtes_wc": _access(record.get("toilets:wheelchair")),
                "induktionsschleife": _access(
                    record.get("hearing_loop") or record.get("induction_loop")
                ),
                "gebaerdensprache": _access(record.get("sign_language")),
                "leichte_sprache": _access(record.get("easy_language")),
                "aufsuchend": "unbekannt",
                "oeffnungszeiten": record.get("opening_hours"),
                "traeger": record.get("operator"),
                "kapazitaet_std_woche": np.nan,
                "kontakt": None,
                "telefon": record.get("phone") or record.get("contact:phone"),
                "email": record.get("email") or record.get("contact:email"),
                "webseite": record.get("website") or record.get("contact:website"),
                "bemerkung": None,
                "quelle": "osm",
                "osm_id": record["osm_id"],
                "gueltig_von": None,
                "gueltig_bis": None,
                "version": 1,
                "geometry": record["geometry"],
            }
        )
    if not rows:
        return empty_services(crs)
    frame = pd.DataFrame(rows)
    gdf = gpd.GeoDataFrame(
        frame.drop(columns="geometry"), geometry=list(frame["geometry"]), crs="EPSG:4326"
    ).to_crs(crs)
    gdf = gdf[gdf.geometry.within(boundary).to_numpy()]
    gdf = gdf.drop_duplicates(subset="angebot_id").reset_index(drop=True)
    return conform(gdf)


SYNTHETIC_PROVIDERS = (
    "Lebensweg e. V. (fiktiv)",
    "Teilhabe Rheinland gGmbH (fiktiv)",
    "Netzwerk Inklusion e. V. (fiktiv)",
    "Miteinander leben e. V. (fiktiv)",
    "Sozialwerk Grenzland gGmbH (fiktiv)",
)
SYNTHETIC_HOURS = (
    "Mo-Fr 09:00-13:00; Di,Do 14:00-17:00",
    "Mo-Do 09:00-16:00; Fr 09:00-12:00",
    "Di,Mi 10:00-15:00; Do 14:00-18:00",
    "Mo,Mi,Fr 09:00-12:00 und nach Vereinbarung",
)


def synthetic_services(
    existing: gpd.GeoDataFrame,
    addresses: gpd.GeoDataFrame,
    planungsraeume: gpd.GeoDataFrame,
    *,
    per_type: int,
    seed: int,
    crs: object,
) -> gpd.GeoDataFrame:
    """Generate a fictitious directory for the advice types that OSM lacks.

    Offers are placed at real OSM addresses, spread out (each new offer of a type is the one
    farthest from the others among 25 random candidates), with plausible accessibility. Every row
    says ``quelle = "synthetisch"`` and its name ends in "(fiktiv)".

    Parameters
    ----------
    existing
        Offers from OSM (types present there are not generated).
    addresses
        The ``adressen`` layer (working CRS).
    planungsraeume
        Planning areas, to name offers after their area.
    per_type
        Offers per missing type.
    seed
        Random seed (fixed in the region configuration).
    crs
        Working CRS.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    rng = np.random.default_rng(seed)
    present = set(existing["typ"].dropna())
    wanted = [t for t in service_types() if t.synthetisch and t.schluessel not in present]
    if addresses.empty or not wanted or per_type <= 0:
        return empty_services(crs)
    coords = np.column_stack([addresses.geometry.x.to_numpy(), addresses.geometry.y.to_numpy()])
    rows = []
    for entry in wanted:
        chosen: list[int] = []
        for number in range(per_type):
            candidates = rng.choice(len(addresses), size=min(25, len(addresses)), replace=False)
            if chosen:
                dist = np.min(
                    np.linalg.norm(coords[candidates][:, None, :] - coords[chosen][None], axis=2),
                    axis=1,
                )
                pick = int(candidates[int(np.argmax(dist))])
            else:
                pick = int(candidates[0])
            chosen.append(pick)
            address = addresses.iloc[pick]
            point = address.geometry
            area = planungsraeume[planungsraeume.geometry.contains(point)]
            area_name = str(area["name"].iloc[0]) if len(area) else "Region"
            short = entry.schluessel if len(entry.schluessel) <= 12 else entry.bezeichnung
            rows.append(
                {
                    "angebot_id": f"syn-{_slug(entry.schluessel)}-{number + 1:02d}",
                    "name": f"{short} {area_name} (fiktiv)",
                    "typ": entry.schluessel,
                    "gruppe": entry.gruppe,
                    "zielgruppen": ";".join(entry.zielgruppen) or None,
                    "strasse": address["strasse"],
                    "hausnummer": address["hausnummer"],
                    "plz": address["plz"],
                    "ort": address["ort"],
                    "stufenloser_zugang": rng.choice(
                        ["ja", "teilweise", "nein"], p=[0.65, 0.2, 0.15]
                    ),
                    "rollstuhlgerechtes_wc": rng.choice(["ja", "nein", "unbekannt"], p=[0.45, 0.35, 0.2]),
                    "induktionsschleife": rng.choice(["ja", "nein", "unbekannt"], p=[0.15, 0.6, 0.25]),
                    "gebaerdensprache": rng.choice(["ja", "nein", "unbekannt"], p=[0.1, 0.7, 0.2]),
                    "leichte_sprache": rng.choice(["ja", "nein", "unbekannt"], p=[0.4, 0.4, 0.2]),
                    "aufsuchend": rng.choice(["ja", "nein"], p=[0.3, 0.7]),
                    "oeffnungszeiten": SYNTHETIC_HOURS[int(rng.integers(len(SYNTHETIC_HOURS)))],
                    "traeger": SYNTHETIC_PROVIDERS[int(rng.integers(len(SYNTHETIC_PROVIDERS)))],
                    "kapazitaet_std_woche": float(rng.choice([19.5, 39.0, 58.5, 78.0])),
                    "kontakt": None,
                    "telefon": f"0000 {int(rng.integers(100000, 999999))} (fiktiv)",
                    "email": None,
                    "webseite": None,
                    "bemerkung": "Fiktives Angebot für die Demo-Region",
                    "quelle": "synthetisch",
                    "osm_id": None,
                    "gueltig_von": "2024-01-01",
                    "gueltig_bis": None,
                    "version": 1,
                    "geometry": point,
                }
            )
    frame = pd.DataFrame(rows)
    gdf = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(frame["geometry"]), crs=crs)
    return conform(gdf)


def _slug(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "§": ""})
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")
