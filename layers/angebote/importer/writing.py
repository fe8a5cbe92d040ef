"""Writing checked service rows into the store: one transaction, one audit entry per row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.angebote.importer.checking import check_services_file
from layers.angebote.importer.report import ImportReport
from layers.angebote.vocabulary import SCHEMA
from layers.errors import InputValidationError
from layers.log import get_logger
from layers.schema import AUDIT_TABLE
from layers.store import RegionStore
from layers.store.sqlite import json_or_none
from layers.store.transaction import AUDIT_COLUMNS

__all__ = ["MODES", "import_services", "write_service_rows"]

log = get_logger("angebote_import")

MODES = ("alles", "gueltige")


def import_services(
    store: RegionStore,
    path: str | Path,
    *,
    modus: str = "alles",
    crs: object = None,
    blatt: str | int | None = None,
    ebene: str | None = None,
    bestehende: str = "fehler",
) -> ImportReport:
    """Check a service file and write its rows into the directory in one transaction.

    Parameters
    ----------
    store
        The region store.
    path
        The file (see :func:`check_services_file`).
    modus
        ``"alles"``: all or nothing, any error and nothing is written (an
        :class:`InputValidationError` lists every finding); ``"gueltige"``: only the valid rows
        are written, the report lists the others. If no row is valid, nothing is written and an
        error is raised in both modes.
    crs, blatt, ebene, bestehende
        See :func:`check_services_file`.

    Returns
    -------
    ImportReport
        With ``geschrieben``/``aktualisiert`` set.

    Raises
    ------
    SozialraumError
        Problems of the file, or (in mode ``"alles"``) of any row; the store is unchanged.
    """
    if modus not in MODES:
        raise InputValidationError(
            f"Unbekannter Importmodus '{modus}'.",
            hinweis="Erlaubt sind 'alles' (alles oder nichts) und 'gueltige' (nur gültige Zeilen).",
        )
    report = check_services_file(
        store, path, crs=crs, blatt=blatt, ebene=ebene, bestehende=bestehende
    )
    if report.fehler and (modus == "alles" or report.gueltige_zeilen == 0):
        meldung = (
            f"Der Import wurde abgebrochen: {len(report.fehlerhafte_zeilen) or 'alle'} von "
            f"{report.zeilen} Zeilen haben Fehler. Es wurde nichts gespeichert."
            if modus == "alles"
            else "Keine Zeile der Datei ist gültig; es wurde nichts gespeichert."
        )
        raise InputValidationError(
            meldung,
            hinweis="Beheben Sie die aufgeführten Fehler in der Datei"
            + (" oder importieren Sie nur die gültigen Zeilen." if modus == "alles" and
               report.gueltige_zeilen else "."),
            datei=report.datei,
            probleme=report.fehler,
        )
    rows = report.gueltig
    assert rows is not None
    inserted, updated = write_service_rows(store, rows, action="importieren",
                                           update_existing=bestehende == "aktualisieren",
                                           datei=Path(str(report.datei)).name)
    report.modus = modus
    report.geschrieben = inserted
    report.aktualisiert = updated
    log.info(report.zusammenfassung())
    return report


def write_service_rows(
    store: RegionStore,
    rows: gpd.GeoDataFrame,
    *,
    action: str,
    update_existing: bool = False,
    datei: str | None = None,
) -> tuple[int, int]:
    """Insert (or update) checked rows of the ``angebote`` schema in one transaction.

    Every row gets an audit entry (``action`` for new rows, ``"aktualisieren"`` for updates).
    Either all rows are written or none. With ``datei`` (an import) one more entry names the
    file and the range of these entries, so that the whole import can be undone in one step
    (:func:`layers.angebote.rueckgaengig.undo_import`).

    Returns
    -------
    tuple
        ``(inserted, updated)``.

    Raises
    ------
    InputValidationError
        If an id appeared in the directory since the check and updates are not allowed.
    """
    columns = list(SCHEMA)
    geometry_name = rows.geometry.name
    from layers.angebote import rueckgaengig

    with store.transaction() as tx:
        first = rueckgaengig.last_audit_id(tx)
        # The stored offers with these ids, read once inside the transaction (so nobody can
        # add one between this read and the writes); a query per row would make the import
        # quadratic in the rows.
        stored = _stored_offers(tx, [str(v) for v in rows["angebot_id"]])
        pending = _NewOffers(action, rows.crs)
        seen: set[str] = set()
        updated = 0
        for values, geometry in zip(_records(rows, columns), rows[geometry_name], strict=True):
            ident = str(values["angebot_id"])
            if ident in seen:  # a repeated id sees what its first row wrote
                pending.flush(tx)
                existing = tx.rows("angebote", '"angebot_id" = ?', (ident,))
            else:
                existing = [stored[ident]] if ident in stored else []
            seen.add(ident)
            if not existing:
                pending.add(values, geometry)
                continue
            if not update_existing:
                raise InputValidationError(
                    f"Das Angebot '{ident}' wurde inzwischen von jemand anderem angelegt. Es "
                    "wurde nichts gespeichert.",
                    hinweis="Prüfen Sie die Datei erneut und importieren Sie dann.",
                )
            updated += _update_offer(tx, ident, existing[0], values, geometry)
        pending.flush(tx)
        if datei is not None:
            rueckgaengig.record_import(tx, first, datei, pending.inserted, updated)
    return pending.inserted, updated


def _update_offer(
    tx: Any, ident: str, existing: dict[str, Any], values: dict[str, Any], geometry: Any
) -> int:
    """Update a stored offer with a row's values (version-checked, audited); 1 if it changed."""
    from layers.angebote.edit import differs, row_values

    old = row_values(existing)
    version = int(old.get("version") or 1)
    changes = {k: v for k, v in values.items()
               if k not in ("angebot_id", "version", "quelle")
               and differs(v, old.get(k))}
    move = geometry is not None and differs(geometry, old.get("geometry"))
    if not changes and not move:
        return 0
    new_version = tx.update("angebote", ("angebot_id", ident), changes,
                            geometry=geometry if move else None,
                            expected_version=version)
    before = {k: old.get(k) for k in changes}
    after = dict(changes)
    if move:
        before["geometry"], after["geometry"] = old.get("geometry"), geometry
    before["version"], after["version"] = version, new_version
    tx.audit("angebote", ident, "aktualisieren", before, after)
    return 1


class _NewOffers:
    """New offers collected for one prepared insert (rows and audit entries)."""

    def __init__(self, action: str, crs: Any) -> None:
        self.action = action
        self.crs = crs
        self.rows: list[dict[str, Any]] = []
        self.geometries: list[Any] = []
        self.inserted = 0

    def add(self, values: dict[str, Any], geometry: Any) -> None:
        """Queue a new offer."""
        self.rows.append(values)
        self.geometries.append(geometry)

    def flush(self, tx: Any) -> None:
        """Insert the queued offers and their audit entries (one bulk insert each)."""
        if not self.rows:
            return
        offers = gpd.GeoDataFrame(pd.DataFrame(self.rows, columns=list(SCHEMA)),
                                  geometry=list(self.geometries), crs=self.crs)
        tx.insert_frame("angebote", offers)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        tx.ensure_table(AUDIT_TABLE, AUDIT_COLUMNS)
        tx.insert_frame(AUDIT_TABLE, pd.DataFrame({
            "zeitpunkt": now,
            "benutzer": tx.user,
            "tabelle": "angebote",
            "objekt_id": [str(values["angebot_id"]) for values in self.rows],
            "aktion": self.action,
            "alt_json": None,
            "neu_json": [json_or_none({**values, "geometry": geometry})
                         for values, geometry in zip(self.rows, self.geometries, strict=True)],
        }))
        self.inserted += len(self.rows)
        self.rows, self.geometries = [], []


def _records(rows: gpd.GeoDataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """The rows as plain dicts (missing columns and empty cells ``None``), built column-wise."""
    arrays = []
    for column in columns:
        if column in rows.columns:
            series = rows[column]
            values = series.to_numpy(dtype=object)
            values[series.isna().to_numpy()] = None
        else:
            values = np.full(len(rows), None, dtype=object)
        arrays.append(values)
    return [dict(zip(columns, row, strict=True)) for row in zip(*arrays, strict=True)]


def _stored_offers(tx: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of the ``angebote`` layer whose ids are in ``ids`` (by id)."""
    found: dict[str, dict[str, Any]] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _ID_CHUNK):
        chunk = unique[start:start + _ID_CHUNK]
        marks = ", ".join("?" for _ in chunk)
        for row in tx.rows("angebote", f'"angebot_id" IN ({marks})', chunk):
            found.setdefault(str(row["angebot_id"]), row)
    return found


# Ids per query (SQLite allows at least 999 parameters).
_ID_CHUNK = 900
