"""The region store in PostgreSQL/PostGIS (team mode): :class:`PostgisStore`.

One schema per region; every layer is a table of the same German name with a typed geometry
column in the region's SRID and a GiST index, so QGIS and GDAL open each of them directly.
The three merged layers (``angebote``, ``barrieren``, ``planungsraeume``) are single tables:
``server hochladen`` replaces the rows marked ``_herkunft = 'abgeleitet'`` and keeps users'
rows and edited derived rows by the merge rule of :mod:`layers.schema`; reading a table *is*
the merged view, as far as the login's role may see it.

Each store object belongs to one login (:class:`~layers.store.postgis.verbindung.Login`, or
libpq's defaults on the command line); the database enforces the role of that login.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from psycopg.conninfo import conninfo_to_dict
from pyproj import CRS

from layers import schema
from layers.errors import LayerNotFoundError
from layers.store.base import RegionStore
from layers.store.postgis.frames import read_frame, table_info
from layers.store.postgis.funktionen import GLOBAL_SCHEMA
from layers.store.postgis.richtlinien import (
    INTERNAL_TABLES,
    STATE_TABLE,
    check_identifier,
    lock_key,
    q,
)
from layers.store.postgis.transaction import PgTransaction
from layers.store.postgis.verbindung import Login, describe, pool_for, translated
from layers.validation import require_crs

__all__ = ["Identity", "PostgisStore"]


@dataclass(frozen=True)
class Identity:
    """Who a store's login is: the database user, the role, the assigned planning areas."""

    benutzer: str
    rolle: str
    planungsraeume: tuple[str, ...] = ()


class PostgisStore(RegionStore):
    """A region stored in a PostgreSQL/PostGIS schema (see the module docstring).

    Parameters
    ----------
    url
        ``postgresql://host:port/dbname`` (without a password).
    crs
        The region's working CRS (the geometry columns' SRID).
    schema
        The region's schema (default: the region's name).
    login
        The database login; ``None``: libpq's defaults (URL user, ``PGPASSWORD``, ``.pgpass``).
    """

    def __init__(self, url: str, crs: CRS | str | int, *, schema: str,
                 login: Login | None = None) -> None:
        self.url = url
        self.crs = CRS.from_user_input(crs)
        self.srid = int(self.crs.to_epsg() or 0)
        self.schema = check_identifier(schema)
        self.login = login
        parts = conninfo_to_dict(url)
        self.user = (login.user if login else str(parts.get("user") or getpass.getuser()))
        self.path = Path(f"postgresql:{describe(url)}") / self.schema
        self.user_path = self.path
        self._identity: Identity | None = None

    def __repr__(self) -> str:
        return f"PostgisStore({describe(self.url)!r}, schema={self.schema!r}, user={self.user!r})"

    # ---- connections ------------------------------------------------------------------------

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A pooled connection in a transaction (committed at the end, rolled back on error)."""
        with translated(self.url), pool_for(self.url, self.login).connection() as conn:
            yield conn

    def identity(self) -> Identity:
        """The login, its role and (for coordinators) its planning areas; read once."""
        if self._identity is None:
            with self.connection() as conn:
                row = conn.execute(
                    f"SELECT session_user, {GLOBAL_SCHEMA}.rolle(), ARRAY(SELECT pr_id FROM "
                    f"{GLOBAL_SCHEMA}.zustaendigkeit WHERE benutzer = current_user AND "
                    "region = %s ORDER BY pr_id)", (self.schema,)).fetchone()
            self._identity = Identity(str(row[0]), str(row[1] or "keine"), tuple(row[2] or ()))
        return self._identity

    def cache_identity(self) -> str:
        """What the result cache keys answers by: the database, the schema and the *view*.

        Logins of one role see the same rows, except in ``fallmanagement`` (own reports):
        those answers are cached per login, so no answer computed for one person is shown to
        another who may not see the same data.
        """
        me = self.identity()
        view = me.rolle if me.rolle != "fallmanagement" else f"{me.rolle}:{me.benutzer}"
        return f"postgresql://{describe(self.url)}#{self.schema}?sicht={view}"

    # ---- reading ----------------------------------------------------------------------------

    def _listing(self, conn: Any) -> list[str]:
        """Tables the login may read, users' tables only once they hold rows (as the
        GeoPackage's user store creates them on first write)."""
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND "
            "has_table_privilege(quote_ident(table_schema) || '.' || quote_ident(table_name), "
            "'SELECT')", (self.schema,)).fetchall()
        names = {str(r[0]) for r in rows} - set(INTERNAL_TABLES)
        for name in sorted(names):
            if schema.owner(name) == schema.USER:
                if conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {q(self.schema)}.{q(name)})"
                                ).fetchone()[0]:
                    names.discard(name)
        order = [*schema.DERIVED_LAYERS, schema.META_TABLE]
        return [n for n in order if n in names] + sorted(n for n in names if n not in order)

    def exists(self) -> bool:
        """Whether the region's derived layers have been uploaded."""
        with self.connection() as conn:
            return bool(conn.execute("SELECT to_regclass(%s) IS NOT NULL",
                                     (f"{q(self.schema)}.{q(schema.META_TABLE)}",)).fetchone()[0])

    def list_layers(self) -> list[str]:
        """The layers the login may read (derived ones first)."""
        with self.connection() as conn:
            return self._listing(conn)

    def read_layer(
        self,
        name: str,
        *,
        columns: Sequence[str] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        where: str | None = None,
    ) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read one layer (merged layers are single tables: the merged view).

        Raises
        ------
        LayerNotFoundError
            If the layer does not exist (or a users' table has no rows yet).
        AccessDeniedError
            If the login's role may not read it (e.g. raw barrier reports).
        CRSError
            If its geometry column is not in the region's CRS.
        """
        with self.connection() as conn:
            info = table_info(conn, self.schema, name)
            if info is None or self._empty_user_table(conn, name):
                raise self._missing(name)
            return read_frame(conn, self.schema, name, info, crs=self.crs, columns=columns,
                              bbox=bbox, where=where)

    def _empty_user_table(self, conn: Any, name: str) -> bool:
        """A users' table the login may read but that holds no rows yet (not a layer yet)."""
        if schema.owner(name) != schema.USER:
            return False
        target = f"{q(self.schema)}.{q(name)}"
        if not conn.execute("SELECT has_table_privilege(%s, 'SELECT')", (target,)).fetchone()[0]:
            return False  # reading it is refused by the database (AccessDeniedError)
        return bool(conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {target})").fetchone()[0])

    def _missing(self, name: str) -> LayerNotFoundError:
        if schema.owner(name) == schema.USER:
            return LayerNotFoundError(
                f"Die Ebene '{name}' fehlt im Regionsspeicher.",
                hinweis="Sie entsteht mit dem ersten Import oder der ersten Bearbeitung.",
                datei=str(self.path),
            )
        return LayerNotFoundError(
            f"Die Ebene '{name}' fehlt im Regionsspeicher ({describe(self.url)}, Schema "
            f"{self.schema}).",
            hinweis="Laden Sie die gebaute Region hoch: sozialraum server hochladen --region "
            f"{self.schema}.",
            datei=str(self.path),
        )

    def version_token(self) -> str:
        """Build id of the uploaded layers + the write id the database sets at every commit."""
        with self.connection() as conn:
            state = dict(conn.execute(
                f"SELECT schluessel, wert FROM {q(self.schema)}.{STATE_TABLE}").fetchall())
            build = "leer"
            if conn.execute("SELECT to_regclass(%s) IS NOT NULL",
                            (f"{q(self.schema)}.{q(schema.META_TABLE)}",)).fetchone()[0]:
                row = conn.execute(f"SELECT wert FROM {q(self.schema)}.{q(schema.META_TABLE)} "
                                   "WHERE schluessel = 'build_id'").fetchone()
                build = "-" if row is None else str(row[0])
        return f"{build}|{state.get('zaehler')}-{state.get('kennung')}"

    # ---- writing ----------------------------------------------------------------------------

    def write_layers(self, layers: Mapping[str, pd.DataFrame]) -> None:
        """Replace layers: derived ones as an upload does (owner only), the rest in one
        transaction (the users' part of merged layers).

        Raises
        ------
        CRSError
            If a spatial layer is not in the region CRS (nothing is written).
        AccessDeniedError
            If the login's role may not write a layer.
        """
        for name, frame in layers.items():
            if isinstance(frame, gpd.GeoDataFrame):
                require_crs(frame, self.crs, name=name)
        derived = {k: v for k, v in layers.items() if schema.owner(k) == schema.DERIVED}
        users = {k: v for k, v in layers.items() if k not in derived}
        if derived:
            from layers.store.postgis.hochladen import replace_derived

            with self.connection() as conn:
                replace_derived(conn, self, derived)
        if users:
            with self.transaction() as tx:
                for name, frame in users.items():
                    if not tx.has_table(name):
                        from layers.store.postgis.hochladen import create_user_table

                        create_user_table(tx._conn, self, name, frame)
                        tx._info.pop(name, None)
                    tx.replace_table(name, frame)

    @contextmanager
    def transaction(self) -> Iterator[PgTransaction]:
        """A write transaction of the region, its advisory lock taken before any read.

        Yields
        ------
        PgTransaction
            Committed when the block ends normally, rolled back on any exception.
        """
        if not self.exists():
            raise LayerNotFoundError(
                f"Die Region '{self.schema}' ist in der Datenbank {describe(self.url)} noch "
                "nicht hochgeladen.",
                hinweis="Bauen Sie sie und laden Sie sie hoch: sozialraum build --region … und "
                "sozialraum server hochladen --region ….",
                datei=str(self.path),
            )
        with self.connection() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(self.schema),))
            yield PgTransaction(conn, self)

    def user_summary(self) -> dict[str, int]:
        """Rows per users' table the login may read."""
        with self.connection() as conn:
            names = [n for n in self._listing(conn) if schema.owner(n) != schema.DERIVED]
            return {n: int(conn.execute(f"SELECT count(*) FROM {q(self.schema)}.{q(n)}"
                                        ).fetchone()[0]) for n in names}

