"""Published barrier aggregates in the database: the privacy gate's output, in its own table.

Planners, coordinators and readers have no GRANT on the raw reports (``barrieren``), so in
team mode they cannot run the privacy gate themselves. The administrator does (``sozialraum
server hochladen`` and ``sozialraum server veroeffentlichen``): the gate
(:func:`analyses.privacy.publish`, via :mod:`planungsraeume.barrieren`) turns the raw reports
into the published per-area table, and :func:`write_published` writes exactly that table into
``barrieren_veroeffentlicht``. Every role reads that table; only the owner role writes it (a
login of another role cannot even ``SET ROLE`` to it), so the database keeps anything else
from landing there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd

from layers.errors import StoreError
from layers.store.postgis.hochladen import begin_upload, finish_upload, replace_table
from layers.store.postgis.richtlinien import PUBLISHED_TABLE
from layers.validation import require_crs

if TYPE_CHECKING:
    from layers.store.postgis.store import PostgisStore

__all__ = ["GATE_COLUMNS", "PUBLISHED_TABLE", "write_published"]

#: Columns every table of the privacy gate's per-area publication has (``geheimhaltung``
#: names the disclosure rule applied); a frame without them did not come out of the gate.
GATE_COLUMNS = ("pr_id", "veroeffentlicht", "personen", "meldungen", "geheimhaltung")


def write_published(store: PostgisStore, table: gpd.GeoDataFrame, *, filter_text: str) -> int:
    """Replace the published barrier aggregates of a region (one transaction); rows written.

    Parameters
    ----------
    store
        The region, opened by a ``verwaltung`` login (or the database owner).
    table
        The per-area table of the public publication
        (:func:`planungsraeume.barrieren.area_table`); suppressed cells stay empty.
    filter_text
        Which reports the table counts (:meth:`BarrierFilter.beschreibung`), stored per row.

    Raises
    ------
    StoreError
        If the frame lacks the gate's columns (nothing is written).
    AccessDeniedError
        If the login is not allowed to write it (the database refuses).
    """
    missing = [c for c in GATE_COLUMNS if c not in table.columns]
    if missing:
        raise StoreError(
            "Nur die Ausgabe der Geheimhaltung darf als veröffentlichte Barrieren-Zahlen "
            f"gespeichert werden; es fehlen die Spalten {', '.join(missing)}.",
            hinweis="Veröffentlichen Sie mit: sozialraum server veroeffentlichen --region <name>.")
    require_crs(table, store.crs, name=PUBLISHED_TABLE)
    frame = table.assign(filter=filter_text)
    with store.connection() as conn:
        begin_upload(conn, store)
        replace_table(conn, store, PUBLISHED_TABLE, frame)
        finish_upload(conn, store)
    return len(frame)
