"""``sozialraum server hochladen``: derived layers from a built GeoPackage into the database.

All layers in one transaction (readers see the old upload or the new one, never a mixture):

* a purely derived layer (``gebaeude``, ``netz_kanten`` …) is written into a new table, secured
  (row-level security, GRANTs, triggers) and swapped in for the old one;
* a merged layer (``angebote``, ``barrieren``, ``planungsraeume``) keeps every row users made
  or edited: only rows still marked ``_herkunft = 'abgeleitet'`` are replaced, and new derived
  rows are added by the one merge rule (:func:`layers.schema.visible_derived`: not where a
  user row has the key or a user removed it; for planning areas, not at all once users have
  their own).

Runs as the owner role (``verwaltung`` logins are members) with the upload marker set, so
the audit trigger does not log thousands of derived rows and the version trigger lets the
build's versions through.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from layers import schema
from layers.errors import LayerNotFoundError, StoreError
from layers.log import get_logger
from layers.store.postgis.frames import copy_frame, create_table_for, table_info
from layers.store.postgis.funktionen import OWNER, UPLOAD_SETTING
from layers.store.postgis.richtlinien import (
    STATE_TABLE,
    lock_key,
    pg_type,
    q,
    secure_table_sql,
)
from layers.validation import require_crs

if TYPE_CHECKING:
    from layers.store.postgis.store import PostgisStore

__all__ = ["begin_upload", "create_user_table", "finish_upload", "replace_derived", "replace_table",
           "upload_geopackage"]

log = get_logger("store")


def begin_upload(conn: Any, store: PostgisStore) -> None:
    """Lock the region and act as the owner with the upload marker (in the caller's transaction)."""
    if conn.execute("SELECT to_regnamespace(%s) IS NULL", (store.schema,)).fetchone()[0]:
        raise StoreError(
            f"Das Schema '{store.schema}' gibt es in der Datenbank noch nicht.",
            hinweis=f"Richten Sie den Server ein: sozialraum server einrichten --region "
            f"{store.schema}.",
        )
    # Edits of the app wait for the upload (and the upload for them): an edit never lands on
    # a derived row that is being replaced.
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(store.schema),))
    conn.execute(f"SET LOCAL ROLE {OWNER}")
    conn.execute(f"SELECT set_config('{UPLOAD_SETTING}', 'an', true)")


def replace_table(conn: Any, store: PostgisStore, name: str, frame: pd.DataFrame) -> None:
    """Write a derived layer into a new table and swap it in (inside the caller's transaction)."""
    fresh = f"{name}__neu"
    s = q(store.schema)
    conn.execute(f"DROP TABLE IF EXISTS {s}.{q(fresh)}")
    for statement in create_table_for(store.schema, fresh, frame, srid=store.srid):
        conn.execute(statement)
    info = table_info(conn, store.schema, fresh)
    assert info is not None
    copy_frame(conn, store.schema, fresh, frame, info, srid=store.srid, secured=False)
    conn.execute(f"DROP TABLE IF EXISTS {s}.{q(name)}")
    conn.execute(f"ALTER TABLE {s}.{q(fresh)} RENAME TO {q(name)}")
    if info.geometry:
        conn.execute(f"ALTER INDEX {s}.{q(f'{fresh}_geometry_idx')} RENAME TO "
                     f"{q(f'{name}_geometry_idx')}")
    for statement in secure_table_sql(store.schema, name):
        conn.execute(statement)


def _merge_derived(conn: Any, store: PostgisStore, name: str, frame: pd.DataFrame) -> int:
    """Replace the derived rows of a merged layer, keeping users' rows; rows written."""
    layer = schema.LAYERS[name]
    target = f"{q(store.schema)}.{q(name)}"
    info = table_info(conn, store.schema, name)
    if info is None:
        raise StoreError(f"Die Tabelle '{name}' fehlt.",
                         hinweis="Führen Sie sozialraum server einrichten aus.")
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for column in frame.columns:
        if column != geometry and column not in info.types and column != "fid":
            conn.execute(f"ALTER TABLE {target} ADD COLUMN {q(str(column))} "
                         f"{pg_type(str(frame[column].dtype))}")
    info = table_info(conn, store.schema, name)
    assert info is not None
    conn.execute(f"DELETE FROM {target} WHERE _herkunft = 'abgeleitet'")
    assert layer.key is not None
    kept = [str(r[0]) for r in conn.execute(f"SELECT {q(layer.key)} FROM {target}")]
    removed = [str(r[0]) for r in conn.execute(
        f"SELECT schluessel FROM {q(store.schema)}.{q(schema.REMOVED_TABLE)} WHERE tabelle = %s",
        (name,))]
    keys = frame[layer.key].tolist() if layer.key in frame.columns else [None] * len(frame)
    mask = schema.visible_derived(layer, keys, set(kept) | set(removed), len(kept))
    constants: dict[str, Any] = {"_herkunft": "abgeleitet"}
    if "_erfasst_von" in info.types:
        constants["_erfasst_von"] = "abgeleitet"
    return copy_frame(conn, store.schema, name, frame[mask], info, srid=store.srid,
                      constants=constants)


def replace_derived(conn: Any, store: PostgisStore,
                    layers: Mapping[str, pd.DataFrame] | Iterable[tuple[str, pd.DataFrame]]
                    ) -> list[str]:
    """Write derived layers (in the caller's transaction); German report lines."""
    begin_upload(conn, store)
    items = layers.items() if isinstance(layers, Mapping) else layers
    lines = []
    for name, frame in items:
        if isinstance(frame, gpd.GeoDataFrame):
            require_crs(frame, store.crs, name=name)
        own = schema.owner(name)
        if own == schema.MERGED:
            kept = _merge_derived(conn, store, name, frame)
            lines.append(f"{name}: {kept} von {len(frame)} abgeleiteten Zeilen (eigene Zeilen "
                         "und Bearbeitungen bleiben)")
        elif own == schema.DERIVED:
            replace_table(conn, store, name, frame)
            lines.append(f"{name}: {len(frame)} Zeilen")
        else:
            raise StoreError(f"'{name}' gehört zu den eigenen Daten und wird nicht hochgeladen.")
    finish_upload(conn, store)
    return lines


def finish_upload(conn: Any, store: PostgisStore) -> None:
    """Give the region a new version token (readers' caches see the upload) and reset the role."""
    conn.execute(f"UPDATE {q(store.schema)}.{STATE_TABLE} SET wert = CASE schluessel WHEN "
                 "'zaehler' THEN (wert::bigint + 1)::text ELSE md5(random()::text) END")
    conn.execute("RESET ROLE")


def upload_geopackage(store: PostgisStore, path: Path) -> list[str]:
    """Upload every derived layer of a built GeoPackage (one transaction); report lines.

    Raises
    ------
    LayerNotFoundError
        If the file does not exist.
    CRSError
        If a layer is not in the region's CRS (nothing is written).
    """
    from layers.store.geopackage import GeoPackageFile

    if not Path(path).exists():
        raise LayerNotFoundError(
            f"Die gebaute Region {path} gibt es nicht.",
            hinweis="Bauen Sie sie zuerst: sozialraum build --region <name>.", datei=path)
    source = GeoPackageFile(Path(path), store.crs)
    names = [n for n in source.list_layers() if schema.owner(n) != schema.USER]

    def frames() -> Iterable[tuple[str, pd.DataFrame]]:
        for name in names:
            log.info("lade %s hoch", name)
            yield name, source.read_layer(name)

    with store.connection() as conn:
        return replace_derived(conn, store, frames())


def create_user_table(conn: Any, store: PostgisStore, name: str, frame: pd.DataFrame) -> None:
    """Create an undeclared users' table from a frame (owners only), secured like the others."""
    conn.execute(f"SET LOCAL ROLE {OWNER}")
    for statement in create_table_for(store.schema, name, frame, srid=store.srid):
        conn.execute(statement)
    for statement in secure_table_sql(store.schema, name):
        conn.execute(statement)
    conn.execute("RESET ROLE")
