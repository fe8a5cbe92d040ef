"""The region store interface every module reads and writes region data through."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from layers.schema import AUDIT_TABLE, META_TABLE

__all__ = ["AUDIT_TABLE", "LOCK_TIMEOUT_S", "META_TABLE", "RegionStore", "meta_frame"]

LOCK_TIMEOUT_S = 60.0


class RegionStore(ABC):
    """Interface of a region store (two GeoPackages, or a PostGIS schema in team mode).

    A region store composes the *derived* layers (written only by the build) and the *user*
    data (written only by imports and edits, never by a build) behind one interface; see
    :mod:`layers.schema` for which layer lives where and how the three shared layers
    (``angebote``, ``barrieren``, ``planungsraeume``) are merged on reading.

    Attributes
    ----------
    crs : pyproj.CRS
        The working CRS every spatial layer must have.
    path : pathlib.Path
        Where the derived layers live.
    user_path : pathlib.Path
        Where the user data lives.
    user : str
        The name recorded in the audit table for edits made through this store.
    """

    crs: CRS
    path: Path
    user_path: Path
    user: str

    @abstractmethod
    def exists(self) -> bool:
        """Whether the region has been built (the derived store exists)."""

    @abstractmethod
    def list_layers(self) -> list[str]:
        """Names of all layers and tables of both stores (internal tables start with ``_``)."""

    @abstractmethod
    def read_layer(
        self,
        name: str,
        *,
        columns: Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        where: str | None = None,
    ) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read one layer (a GeoDataFrame) or attribute table (a DataFrame); merged layers
        give the merged view."""

    @abstractmethod
    def write_layers(self, layers: Mapping[str, pd.DataFrame]) -> None:
        """Replace the given layers atomically: all of them or none.

        Layers are routed by name: derived layers to the derived store, user tables and the
        user part of merged layers to the user store.
        """

    @abstractmethod
    def transaction(self) -> Any:
        """Context manager yielding a transaction for row edits (taken before any read)."""

    @abstractmethod
    def version_token(self) -> str:
        """A string that changes with every committed write to either store (for caches)."""

    def has_layer(self, name: str) -> bool:
        """Whether a layer of that name exists."""
        return name in self.list_layers()

    def cache_identity(self) -> str:
        """What cached answers of this store are keyed by besides its version: where it is
        (and, in team mode, which data the login may see)."""
        return str(self.path)

    def read_meta(self) -> dict[str, str]:
        """The key/value metadata written by the build (fingerprint, summary, …)."""
        if not self.exists() or not self.has_layer(META_TABLE):
            return {}
        table = self.read_layer(META_TABLE)
        return dict(zip(table["schluessel"].astype(str), table["wert"].astype(str), strict=True))


def meta_frame(values: Mapping[str, object]) -> pd.DataFrame:
    """Turn metadata into the key/value table stored as :data:`META_TABLE`.

    Parameters
    ----------
    values
        Keys and values; non-strings are stored as JSON.

    Returns
    -------
    pandas.DataFrame
    """
    rows = [
        (str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        for k, v in values.items()
    ]
    return pd.DataFrame(rows, columns=["schluessel", "wert"])
