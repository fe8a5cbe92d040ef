"""Import of the planners' own service directories (CSV, XLSX, GeoJSON, GeoPackage, Shapefile).

The import runs in two steps that the app shows separately:

1. :func:`check_services_file` reads the file, maps its columns onto the ``angebote`` schema
   (German headers such as "Bezeichnung", "Straße", "Hnr", "Rechtswert", "Barrierefrei"),
   validates every row and geocodes rows that only have an address against the region's
   ``adressen`` layer (offline). It writes nothing and returns an :class:`ImportReport`: the
   valid rows, one German finding per problem (file, row, column, what is wrong, how to fix it)
   and the geocoding result of every address row.
2. :func:`import_services` writes the checked rows into the store in ONE transaction, with one
   audit entry per row. The user chooses the mode: ``"alles"`` (all or nothing: any error and
   nothing is written) or ``"gueltige"`` (only the valid rows; the others are listed). Nothing is
   ever half-written: the transaction either commits every row or none.

Imported rows get ``quelle = "import"`` (rows of a re-imported export that say ``synthetisch``
keep that label) and ``version = 1``.

Modules: ``columns`` (header mapping), ``reading`` (files into text columns), ``rows`` and
``places`` (row checks), ``checking`` (:func:`check_services_file`), ``report``
(:class:`ImportReport`), ``writing`` (:func:`import_services`, :func:`write_service_rows`).
"""

from __future__ import annotations

from layers.angebote.importer.checking import EXISTING, check_services_file
from layers.angebote.importer.columns import (
    AMBIGUOUS_NUMBER,
    HEADER_ALIASES,
    REQUIRED_FIELDS,
    SERVICE_PERSONAL_ALLOWED,
    header_key,
    map_columns,
)
from layers.angebote.importer.reading import (
    SPATIAL_SUFFIXES,
    TABLE_SUFFIXES,
    Source,
    read_services_source,
)
from layers.angebote.importer.report import ImportReport
from layers.angebote.importer.rows import WGS84
from layers.angebote.importer.writing import MODES, import_services, write_service_rows

__all__ = [
    "AMBIGUOUS_NUMBER",
    "EXISTING",
    "HEADER_ALIASES",
    "MODES",
    "REQUIRED_FIELDS",
    "SERVICE_PERSONAL_ALLOWED",
    "SPATIAL_SUFFIXES",
    "TABLE_SUFFIXES",
    "WGS84",
    "ImportReport",
    "Source",
    "check_services_file",
    "header_key",
    "import_services",
    "map_columns",
    "read_services_source",
    "write_service_rows",
]
