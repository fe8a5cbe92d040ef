"""Regions and users on the throwaway test server (:mod:`tests.tools.postgres`).

Every test gets a region schema of its own (:func:`fresh_region`), set up with the real
``server einrichten`` code and filled with the synthetic derived layers (or a built
GeoPackage) with the real upload code; users are made with the real ``nutzer anlegen`` code.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg

from layers.store.base import meta_frame
from layers.store.postgis import Login, PostgisStore
from layers.store.postgis.einrichten import setup_regions
from layers.store.postgis.hochladen import replace_derived, upload_geopackage
from layers.store.postgis.nutzer import create_user
from tests.tools.postgres import Cluster

__all__ = ["admin", "fresh_region", "make_user", "store_as", "unique_name"]

SRID = 25832


def unique_name(prefix: str) -> str:
    """A fresh lower-case identifier (schema or login name)."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def admin(cluster: Cluster) -> psycopg.Connection[Any]:
    """A superuser connection (the database administrator of a municipality)."""
    return psycopg.connect(cluster.url())


def fresh_region(cluster: Cluster, *, layers: dict[str, pd.DataFrame] | None = None,
                 gpkg: Path | None = None, schema: str | None = None,
                 build_id: str | None = None) -> PostgisStore:
    """A new region schema, set up and loaded; returns the administrator's store."""
    name = schema or unique_name("r")
    with admin(cluster) as conn:
        setup_regions(conn, [(name, SRID)])
    store = PostgisStore(cluster.url(), SRID, schema=name)
    if gpkg is not None:
        upload_geopackage(store, gpkg)
    else:
        from tests.layers.store.synthetic import derived_layers

        derived = dict(layers or derived_layers())
        derived["_metadaten"] = meta_frame({"region": name,
                                            "build_id": build_id or uuid.uuid4().hex})
        with store.connection() as conn:
            replace_derived(conn, store, derived)
    return store


def make_user(cluster: Cluster, rolle: str, *, region: str | None = None,
              areas: tuple[str, ...] = (), name: str | None = None) -> Login:
    """A new login in ``rolle`` (with a random password, only in memory)."""
    login = Login(name or unique_name(rolle[:4]), secrets.token_urlsafe(18))
    with admin(cluster) as conn:
        create_user(conn, login.user, rolle, login.password, region=region,
                    planungsraeume=areas)
    return login


def store_as(cluster: Cluster, store: PostgisStore, login: Login) -> PostgisStore:
    """The same region as seen by another login (what the app opens after the login)."""
    return PostgisStore(cluster.url_without_password(login.user), store.crs,
                        schema=store.schema, login=login)
