"""Team mode: the region store in PostgreSQL/PostGIS, roles enforced by the database.

Selected by ``SOZIALRAUM_DB=postgresql://host:port/dbname`` (or ``[speicher] datenbank`` in
a region file); without it every region stays a GeoPackage. Modules:

* :mod:`~layers.store.postgis.store` - :class:`PostgisStore` (the :class:`RegionStore`);
* :mod:`~layers.store.postgis.transaction` - :class:`PgTransaction` (row edits);
* :mod:`~layers.store.postgis.verbindung` - logins, connection pools, German errors;
* :mod:`~layers.store.postgis.frames` - frames in and out of tables (``COPY``, WKB);
* :mod:`~layers.store.postgis.funktionen` - roles and trigger functions (SQL);
* :mod:`~layers.store.postgis.richtlinien` - a region's tables, GRANTs and policies (SQL);
* :mod:`~layers.store.postgis.einrichten` - ``sozialraum server einrichten``;
* :mod:`~layers.store.postgis.hochladen` - ``sozialraum server hochladen``;
* :mod:`~layers.store.postgis.nutzer` - logins, roles and planning areas of users;
* :mod:`~layers.store.postgis.pruefen` - ``sozialraum server pruefen``.
"""

from __future__ import annotations

from layers.store.postgis.funktionen import OWNER, ROLE_LABELS, ROLES
from layers.store.postgis.store import Identity, PostgisStore
from layers.store.postgis.transaction import PgTransaction
from layers.store.postgis.verbindung import Login, close_pools, current_login, use_login

__all__ = [
    "OWNER",
    "ROLES",
    "ROLE_LABELS",
    "Identity",
    "Login",
    "PgTransaction",
    "PostgisStore",
    "close_pools",
    "current_login",
    "use_login",
]
