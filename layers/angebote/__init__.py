"""The advice and service landscape (``angebote``): vocabulary, schema, OSM mapping, imports, edits.

Offers come from three sources, recorded in ``quelle``:

* ``osm``: OpenStreetMap objects mapped onto the controlled vocabulary in
  ``data/angebotstypen.toml`` (name patterns first, then tags), see :mod:`layers.angebote.osm`;
* ``synthetisch``: a generated, fictitious directory for the advice types OSM lacks (EUTB,
  KoKoBe, KSL, …), placed at real addresses with a fixed seed; names end in "(fiktiv)"
  (:func:`layers.synthetic.synthetic_services`);
* ``import`` / ``manuell``: the planners' own data (:mod:`layers.angebote.importer`,
  :mod:`layers.angebote.edit`).

Accessibility features are stored as ``ja`` / ``teilweise`` / ``nein`` / ``unbekannt``.

Modules: ``vocabulary`` (types, schema, :func:`conform`), ``osm``, ``importer`` (checking and
importing files), ``edit`` (single edits with history), ``export``.
"""

from __future__ import annotations

from layers.angebote.osm import TARGET_GROUPS_OSM, classify_osm, services_from_osm
from layers.angebote.vocabulary import (
    ACCESS_COLUMNS,
    ACCESS_VALUES,
    ACCESS_WAYS,
    COLUMN_LABELS,
    SCHEMA,
    SOURCES,
    ServiceType,
    conform,
    empty_services,
    parse_access_ways,
    resolve_service_type,
    service_type,
    service_type_keys,
    service_types,
    suggest_service_type,
)
from layers.synthetic import SYNTHETIC_HOURS, SYNTHETIC_PROVIDERS, synthetic_services

__all__ = [
    "ACCESS_COLUMNS",
    "ACCESS_VALUES",
    "ACCESS_WAYS",
    "COLUMN_LABELS",
    "SCHEMA",
    "SOURCES",
    "SYNTHETIC_HOURS",
    "SYNTHETIC_PROVIDERS",
    "TARGET_GROUPS_OSM",
    "ServiceType",
    "classify_osm",
    "conform",
    "empty_services",
    "parse_access_ways",
    "resolve_service_type",
    "service_type",
    "service_type_keys",
    "service_types",
    "services_from_osm",
    "suggest_service_type",
    "synthetic_services",
]
