"""What the administration commands do (``sozialraum server …``, ``sozialraum nutzer …``).

Each function takes the region configuration(s) and the database URL and returns German
report lines; :mod:`cli.server` only parses options and prints. The administrator connects
with libpq's own sources (the user in the URL, ``PGPASSWORD``, ``~/.pgpass``, a client
certificate): no password is ever an option or a file of this project.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from layers.errors import ConfigError
from layers.regions import RegionConfig
from layers.store.postgis.einrichten import setup_regions
from layers.store.postgis.hochladen import upload_geopackage
from layers.store.postgis.nutzer import create_user, list_users, remove_user, set_password
from layers.store.postgis.pruefen import Finding, check_server
from layers.store.postgis.store import PostgisStore
from layers.store.postgis.verbindung import connect, describe, translated

__all__ = [
    "add_user",
    "admin_store",
    "check",
    "delete_user",
    "new_password",
    "region_schema",
    "server_url",
    "set_up",
    "upload",
    "users",
]


def server_url(config: RegionConfig | None = None, url: str | None = None) -> str:
    """The team database: ``url``, else the region's ``[speicher] datenbank``, else
    ``SOZIALRAUM_DB``.

    Raises
    ------
    ConfigError
        If none is set (German, with how to set it).
    """
    from layers.store import database_url

    found = url or (database_url(config) if config is not None else None)
    if not found:
        from layers import settings

        found = settings.database_url
    if not found:
        raise ConfigError(
            "Kein Datenbankserver angegeben (Teammodus).",
            hinweis="Setzen Sie SOZIALRAUM_DB=postgresql://server:5432/datenbank, tragen Sie "
            "[speicher] datenbank in die Regionsdatei ein oder geben Sie --db an.",
        )
    return found


def region_schema(config: RegionConfig) -> str:
    """The region's schema in the database (``[speicher] schema``, else its name)."""
    return config.datenbank_schema or config.name


def admin_store(config: RegionConfig, url: str | None = None) -> PostgisStore:
    """The region's store as the administrator (libpq's login)."""
    return PostgisStore(server_url(config, url), config.crs, schema=region_schema(config))


@contextmanager
def _admin(url: str) -> Iterator[Any]:
    with translated(url), connect(url) as conn:
        yield conn


def set_up(configs: Sequence[RegionConfig], url: str | None = None) -> list[str]:
    """Roles, shared objects and every region's schema (idempotent; one transaction)."""
    target = server_url(configs[0] if configs else None, url)
    regions = [(region_schema(c), int(c.crs.to_epsg() or 0)) for c in configs]
    with _admin(target) as conn:
        lines = setup_regions(conn, regions)
    return [f"Server {describe(target)}:", *lines]


def upload(config: RegionConfig, url: str | None = None, gpkg: Path | None = None
           ) -> list[str]:
    """Upload the derived layers of the region's built GeoPackage (one transaction)."""
    from layers.store import region_store_path

    store = admin_store(config, url)
    source = Path(gpkg) if gpkg else region_store_path(config.name)
    return [f"Hochgeladen aus {source} nach {describe(store.url)}, Schema {store.schema}:",
            *upload_geopackage(store, source)]


def check(configs: Sequence[RegionConfig], url: str | None = None) -> list[Finding]:
    """Every check of roles, GRANTs, policies and triggers for the regions."""
    target = server_url(configs[0] if configs else None, url)
    with _admin(target) as conn:
        return check_server(conn, [region_schema(c) for c in configs])


def add_user(url: str, name: str, rolle: str, password: str, *,
             config: RegionConfig | None = None, planungsraeume: Sequence[str] = ()) -> str:
    """Create a login in one role (coordinators with their planning areas of ``config``)."""
    with _admin(url) as conn:
        return create_user(conn, name, rolle, password,
                           region=region_schema(config) if config else None,
                           planungsraeume=planungsraeume)


def new_password(url: str, name: str, password: str) -> str:
    """Set a login's password (only its SCRAM verifier is sent)."""
    with _admin(url) as conn:
        return set_password(conn, name, password)


def delete_user(url: str, name: str) -> str:
    """Remove a login (its audit entries stay)."""
    with _admin(url) as conn:
        return remove_user(conn, name)


def users(url: str) -> Any:
    """Every login with its role and planning areas (a frame)."""
    with _admin(url) as conn:
        return list_users(conn)
