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
"""

from __future__ import annotations

import os
from pathlib import Path

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
