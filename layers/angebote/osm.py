"""Offers from OpenStreetMap: OSM tags mapped onto the vocabulary (``quelle = "osm"``)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.angebote.vocabulary import conform, empty_services, service_type, service_types
from layers.sources.osm import OsmExtract
from layers.sources.osm_tags import parse_yes_limited_no

__all__ = ["TARGET_GROUPS_OSM", "classify_osm", "services_from_osm"]


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
        if typ is not None:
            rows.append(_osm_row(record, typ))
    if not rows:
        return empty_services(crs)
    frame = pd.DataFrame(rows)
    gdf = gpd.GeoDataFrame(
        frame.drop(columns="geometry"), geometry=list(frame["geometry"]), crs="EPSG:4326"
    ).to_crs(crs)
    gdf = gdf[gdf.geometry.within(boundary).to_numpy()]
    gdf = gdf.drop_duplicates(subset="angebot_id").reset_index(drop=True)
    return conform(gdf)


def _osm_row(record: dict[str, Any], typ: str) -> dict[str, Any]:
    """One OSM object of type ``typ`` as a row of the ``angebote`` schema (plus geometry)."""
    entry = service_type(typ)
    return {
        "angebot_id": f"osm-{record['osm_id']}",
        "name": record.get("name") or entry.bezeichnung,
        "typ": typ,
        "gruppe": entry.gruppe,
        "zielgruppen": _target_groups(record, typ),
        "strasse": record.get("addr:street"),
        "hausnummer": record.get("addr:housenumber"),
        "plz": record.get("addr:postcode"),
        "ort": record.get("addr:city"),
        "stufenloser_zugang": parse_yes_limited_no(record.get("wheelchair")),
        "rollstuhlgerechtes_wc": parse_yes_limited_no(record.get("toilets:wheelchair")),
        "induktionsschleife": parse_yes_limited_no(
            record.get("hearing_loop") or record.get("induction_loop")
        ),
        "gebaerdensprache": parse_yes_limited_no(record.get("sign_language")),
        "leichte_sprache": parse_yes_limited_no(record.get("easy_language")),
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
