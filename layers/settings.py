"""Global settings of Sozialraum-Atlas, in the manner of ``osmnx.settings``.

Change a value by assigning to the module attribute (``settings.cache_dir = Path(...)``) or by
setting the environment variable named in the comment before the first import.

Attributes
----------
project_root : pathlib.Path
    The directory holding ``pyproject.toml``.
shared_data_dir : pathlib.Path
    Read-only reference data (OSM extracts, boundaries, GTFS, ICF codes). Environment variable
    ``SOZIALRAUM_SHARED_DATA``; default ``<project_root>/../shared/data``.
cache_dir : pathlib.Path
    Derived data (region GeoPackages, graphs, analysis results). Git-ignored. Environment variable
    ``SOZIALRAUM_CACHE``; default ``<project_root>/.cache``.
regions_dir : pathlib.Path
    Region configuration files (TOML), one per region.
privacy_min_persons : int
    Disclosure control: smallest number of distinct persons a published cell or area may rest on.
privacy_rounding_base : int
    Disclosure control: published counts are rounded to a multiple of this number.
show_progress : bool
    Show progress bars on the terminal (``SOZIALRAUM_PROGRESS=0`` turns them off).
log_level : str
    Level of the ``sozialraum`` logger (``SOZIALRAUM_LOG_LEVEL``).
database_url : str or None
    Team mode: the PostgreSQL/PostGIS database every region is stored in, as
    ``postgresql://host:port/dbname`` (``SOZIALRAUM_DB``; a region file's ``[speicher]
    datenbank`` overrides it per region). Never put a password into it: the app asks for a
    login, the command line uses libpq's ``PGPASSWORD``/``~/.pgpass``. ``None`` (default):
    each region is a GeoPackage in :attr:`cache_dir`.
max_file_mb : float
    Largest input file (tables, geodata) accepted for import, in MB; checked before the file is
    parsed (``SOZIALRAUM_MAX_FILE_MB``, default 100).
max_rows : int
    Most data rows of an imported table (``SOZIALRAUM_MAX_ROWS``, default 200 000).
max_columns : int
    Most columns of an imported table (``SOZIALRAUM_MAX_COLUMNS``, default 200).
max_field_chars : int
    Longest text of a single cell (``SOZIALRAUM_MAX_FIELD_CHARS``, default 10 000).
max_uncompressed_mb : float
    Most uncompressed content of an XLSX or ZIP file, in MB, checked from the archive's
    directory before anything is unpacked (``SOZIALRAUM_MAX_UNCOMPRESSED_MB``, default 500).
max_compression_ratio : float
    Highest compression ratio of a single XLSX/ZIP member larger than 1 MB uncompressed; zip
    bombs compress far better than any real spreadsheet (``SOZIALRAUM_MAX_COMPRESSION_RATIO``,
    default 200).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "cache_dir",
    "database_url",
    "default_region",
    "log_level",
    "max_columns",
    "max_compression_ratio",
    "max_field_chars",
    "max_file_mb",
    "max_rows",
    "max_uncompressed_mb",
    "privacy_min_persons",
    "privacy_rounding_base",
    "project_root",
    "regions_dir",
    "shared_data_dir",
    "show_progress",
    "vocab_dir",
]

project_root: Path = Path(__file__).resolve().parent.parent

shared_data_dir: Path = Path(
    os.environ.get("SOZIALRAUM_SHARED_DATA", project_root.parent / "shared" / "data")
).resolve()

cache_dir: Path = Path(os.environ.get("SOZIALRAUM_CACHE", project_root / ".cache")).resolve()

regions_dir: Path = project_root / "data" / "regions"

vocab_dir: Path = project_root / "data"

default_region: str = os.environ.get("SOZIALRAUM_REGION", "aachen")

privacy_min_persons: int = 5
privacy_rounding_base: int = 5

show_progress: bool = os.environ.get("SOZIALRAUM_PROGRESS", "1") != "0"

log_level: str = os.environ.get("SOZIALRAUM_LOG_LEVEL", "INFO")

database_url: str | None = os.environ.get("SOZIALRAUM_DB") or None



def _env_number(name: str, default: float) -> float:
    """A numeric setting from the environment (default when unset or not a number)."""
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


# Resource limits of imports (issue #9): checked before parsing, each error names the limit and
# the environment variable that raises it.
max_file_mb: float = _env_number("SOZIALRAUM_MAX_FILE_MB", 100)
max_rows: int = int(_env_number("SOZIALRAUM_MAX_ROWS", 200_000))
max_columns: int = int(_env_number("SOZIALRAUM_MAX_COLUMNS", 200))
max_field_chars: int = int(_env_number("SOZIALRAUM_MAX_FIELD_CHARS", 10_000))
max_uncompressed_mb: float = _env_number("SOZIALRAUM_MAX_UNCOMPRESSED_MB", 500)
max_compression_ratio: float = _env_number("SOZIALRAUM_MAX_COMPRESSION_RATIO", 200)
