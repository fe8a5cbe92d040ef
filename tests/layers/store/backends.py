"""The two store implementations behind one test interface (for the contract tests).

A :class:`Backend` holds the small synthetic region (:mod:`tests.layers.store.synthetic`) in
one implementation: ``geopackage`` (two files in a temporary folder) or ``postgis`` (a schema
of its own on the throwaway server, set up and loaded with the real ``server einrichten`` and
upload code). The contract tests only use the :class:`~layers.store.RegionStore` interface
and these few helpers, so they test both implementations the same way.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from layers.store import GeoPackageStore, RegionStore
from tests.layers.store.synthetic import CRS, build_synthetic, derived_layers

__all__ = ["Backend", "GeoPackageBackend", "PostgisBackend"]


class Backend:
    """One store implementation with the synthetic region in it."""

    kind: str
    store: RegionStore

    def open(self, user: str | None = None, rolle: str = "planung") -> RegionStore:
        """Another store object on the same region, writing as ``user`` (in ``rolle``)."""
        raise NotImplementedError

    def rebuild(self, *, services: int = 40, seed: int = 1, build_id: str | None = None) -> None:
        """Replace the derived layers as a build (and upload) does."""
        raise NotImplementedError

    def user_rows(self, name: str) -> pd.DataFrame:
        """The rows users made or edited in a merged layer."""
        raise NotImplementedError

    def prepare_users(self, *names: str, rolle: str = "planung") -> None:
        """Make the logins before worker processes use them (a no-op for files)."""

    def login_name(self, user: str) -> str:
        """The name the audit table records for ``user``."""
        return user


@dataclass
class GeoPackageBackend(Backend):
    """The region as ``test.gpkg`` + ``test.nutzer.gpkg``."""

    folder: Path
    kind: str = "geopackage"

    def __post_init__(self) -> None:
        self.path = self.folder / "test.gpkg"
        self.store = build_synthetic(self.path)

    def open(self, user: str | None = None, rolle: str = "planung") -> RegionStore:
        return GeoPackageStore(self.path, CRS, user=user or "test")

    def rebuild(self, *, services: int = 40, seed: int = 1, build_id: str | None = None) -> None:
        build_synthetic(self.path, services=services, seed=seed, build_id=build_id)

    def user_rows(self, name: str) -> pd.DataFrame:
        assert isinstance(self.store, GeoPackageStore)
        return self.store.own.read_layer(name)


@dataclass
class PostgisBackend(Backend):
    """The region as a schema of its own on the test server (the administrator's store)."""

    cluster: Any
    kind: str = "postgis"
    logins: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from tests.tools.server import fresh_region

        self.store = fresh_region(self.cluster)

    def open(self, user: str | None = None, rolle: str = "planung") -> RegionStore:
        from layers.store.postgis import PostgisStore
        from tests.tools.server import make_user, store_as

        if user is None:
            return PostgisStore(self.cluster.url(), CRS, schema=self.schema)
        if user not in self.logins:
            self.logins[user] = make_user(self.cluster, rolle, name=self.login_name(user))
        assert isinstance(self.store, PostgisStore)
        return store_as(self.cluster, self.store, self.logins[user])

    @property
    def schema(self) -> str:
        return str(self.store.schema)

    def prepare_users(self, *names: str, rolle: str = "planung") -> None:
        for name in names:
            self.open(name, rolle)

    def login_name(self, user: str) -> str:
        """Logins are cluster-wide: the region's schema name makes them unique."""
        return re.sub(r"[^a-z0-9_]", "_", f"{user}_{self.schema[-8:]}".lower())

    def rebuild(self, *, services: int = 40, seed: int = 1, build_id: str | None = None) -> None:
        from layers.store.base import meta_frame
        from layers.store.postgis import PostgisStore
        from layers.store.postgis.hochladen import replace_derived

        store = self.open()
        assert isinstance(store, PostgisStore)
        layers = derived_layers(services, seed=seed)
        layers["_metadaten"] = meta_frame({"region": "test",
                                           "build_id": build_id or uuid.uuid4().hex})
        with store.connection() as conn:
            replace_derived(conn, store, layers)

    def user_rows(self, name: str) -> pd.DataFrame:
        return self.store.read_layer(name, where="_herkunft <> 'abgeleitet'")
