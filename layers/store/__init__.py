"""The region store: one interface for reading and writing region data, two files behind it.

Every module reads and writes region data through :class:`RegionStore`; nothing else opens
the GeoPackages or a PostGIS connection. :func:`open_store` returns a
:class:`layers.store.postgis.PostgisStore` in team mode (``SOZIALRAUM_DB``, see
:mod:`layers.store.postgis`) and otherwise a :class:`GeoPackageStore`, which composes

* the **derived store** ``<cache>/regions/<name>.gpkg``: everything a build makes. A build
  writes a new file and swaps it in with an atomic ``os.replace``; it is never written in
  place, so readers never see a half-written state;
* the **user store** ``<cache>/regions/<name>.nutzer.gpkg``: everything users own (imported,
  added and edited offers, own planning areas, barrier reports, ``nutzer_*`` tables,
  scenarios, the audit table ``_aenderungsprotokoll``). It is written in place in SQLite
  transactions (``BEGIN IMMEDIATE`` before any read, WAL journal so that readers never wait)
  and is never read, replaced or deleted by a build.

:mod:`layers.schema` says which layer lives where; ``angebote``, ``barrieren`` and
``planungsraeume`` are read as a merged view of both. Modules:

* :mod:`layers.store.base` - the :class:`RegionStore` interface;
* :mod:`layers.store.composite` - :class:`GeoPackageStore` (both files);
* :mod:`layers.store.geopackage` - one file, atomic replacement, temporary-file protocol;
* :mod:`layers.store.transaction` - row edits (:class:`Transaction`);
* :mod:`layers.store.recovery` - stale journals, damaged user stores, migration of old stores;
* :mod:`layers.store.sqlite` - GeoPackage at the SQLite level (blobs, tables, bulk inserts).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from layers import settings
from layers.store.base import AUDIT_TABLE, LOCK_TIMEOUT_S, META_TABLE, RegionStore, meta_frame
from layers.store.composite import USER_SUFFIX, GeoPackageStore, user_path_for
from layers.store.geopackage import GeoPackageFile
from layers.store.sqlite import ensure_attribute_table, geometry_to_blob
from layers.store.transaction import Transaction

__all__ = [
    "AUDIT_TABLE",
    "LOCK_TIMEOUT_S",
    "META_TABLE",
    "USER_SUFFIX",
    "database_url",
    "GeoPackageFile",
    "GeoPackageStore",
    "RegionStore",
    "Transaction",
    "ensure_attribute_table",
    "geometry_to_blob",
    "meta_frame",
    "open_store",
    "region_store_path",
    "user_path_for",
    "user_store_path",
]


def region_store_path(region_name: str) -> Path:
    """Where the derived store of a region lives in the cache."""
    return settings.cache_dir / "regions" / f"{region_name}.gpkg"


def user_store_path(region_name: str) -> Path:
    """Where the user store of a region lives (next to the derived store)."""
    return user_path_for(region_store_path(region_name))


def database_url(config: Any) -> str | None:
    """The team database of a region (``[speicher] datenbank``, else ``SOZIALRAUM_DB``)."""
    return getattr(config, "datenbank", None) or settings.database_url


def open_store(region: Any) -> RegionStore:
    """Open the store of a region: PostGIS in team mode, else the GeoPackage files.

    Team mode applies when the region file has ``[speicher] datenbank`` or ``SOZIALRAUM_DB``
    is set; the store then belongs to the login set with
    :func:`layers.store.postgis.use_login` (the app's login), else to libpq's defaults.
    The GeoPackage store is recovered and checked once per process.

    Parameters
    ----------
    region
        A :class:`layers.regions.RegionConfig` or a region name.

    Returns
    -------
    RegionStore
        A :class:`GeoPackageStore` or a :class:`layers.store.postgis.PostgisStore`.

    Raises
    ------
    layers.errors.UserStoreDamagedError
        If the user store cannot be read (it is left untouched).
    """
    from layers.regions import RegionConfig, load_region

    config = region if isinstance(region, RegionConfig) else load_region(region)
    url = database_url(config)
    if url:
        from layers.store.postgis import PostgisStore, current_login

        return PostgisStore(url, config.crs, schema=config.datenbank_schema or config.name,
                            login=current_login())
    store = GeoPackageStore(region_store_path(config.name), config.crs)
    store.prepare()
    return store
