"""The controlled vocabulary of the ``angebote`` layer: service types, schema, access values.

The service types come from ``data/angebotstypen.toml``; :data:`SCHEMA` is the column → dtype
contract that imports, edits, the OSM mapping and the synthetic directory all produce
(:func:`conform`). Accessibility features are stored as ``ja`` / ``teilweise`` / ``nein`` /
``unbekannt`` (:data:`ACCESS_VALUES`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from layers import settings
from layers.errors import ConfigError

__all__ = [
    "ACCESS_COLUMNS",
    "ACCESS_VALUES",
    "ACCESS_WAYS",
    "COLUMN_LABELS",
    "SCHEMA",
    "SOURCES",
    "ServiceType",
    "conform",
    "empty_services",
    "parse_access_ways",
    "resolve_service_type",
    "service_type",
    "service_type_keys",
    "service_types",
    "suggest_service_type",
]


ACCESS_VALUES = ("ja", "teilweise", "nein", "unbekannt")
ACCESS_COLUMNS = (
    "stufenloser_zugang",
    "rollstuhlgerechtes_wc",
    "induktionsschleife",
    "gebaerdensprache",
    "leichte_sprache",
)
SOURCES = ("osm", "synthetisch", "import", "manuell")
#: Ways of access an offer records in ``zugangswege`` (";"-separated); empty means "vor Ort".
ACCESS_WAYS = ("vor Ort", "Telefon", "Video", "online")
_ACCESS_WAY_WORDS = {
    "vorort": "vor Ort", "persoenlich": "vor Ort", "präsenz": "vor Ort", "praesenz": "vor Ort",
    "telefon": "Telefon", "telefonisch": "Telefon", "tel": "Telefon",
    "video": "Video", "videoberatung": "Video", "videochat": "Video",
    "online": "online", "chat": "online", "email": "online", "mail": "online", "web": "online",
}


def parse_access_ways(value: object) -> str | None:
    """Normalise the ways of access of an offer to ``"vor Ort;Telefon"`` (vocabulary order).

    Accepts ``;``, ``,``, ``/`` or ``und`` between the ways and common spellings ("persönlich",
    "telefonisch", "Videoberatung", "E-Mail"). Empty gives ``None`` (counts as "vor Ort").

    Raises
    ------
    ValueError
        With a German text naming the unknown way.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    parts = [p for p in re.split(r"\s*(?:;|,|/|\bund\b|\+)\s*", str(value).strip()) if p]
    found = []
    for part in parts:
        key = re.sub(r"[^a-zäöüß]", "", part.lower()).replace("ö", "oe")
        way = _ACCESS_WAY_WORDS.get(key)
        if way is None:
            raise ValueError(f"Der Zugangsweg '{part}' wurde nicht erkannt (erlaubt: "
                             f"{', '.join(ACCESS_WAYS)}).")
        found.append(way)
    return ";".join(w for w in ACCESS_WAYS if w in found) or None

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
    "zugangswege": "string",
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
    "zugangswege": "Zugangswege",
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
