"""Writing checked service rows into the store: one transaction, one audit entry per row."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from layers.angebote.importer.checking import check_services_file
from layers.angebote.importer.report import ImportReport
from layers.angebote.vocabulary import SCHEMA
from layers.errors import InputValidationError
from layers.log import get_logger
from layers.store import RegionStore

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
                                           update_existing=bestehende == "aktualisieren")
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
) -> tuple[int, int]:
    """Insert (or update) checked rows of the ``angebote`` schema in one transaction.

    Every row gets an audit entry (``action`` for new rows, ``"aktualisieren"`` for updates).
    Either all rows are written or none.

    Returns
    -------
    tuple
        ``(inserted, updated)``.

    Raises
    ------
    InputValidationError
        If an id appeared in the directory since the check and updates are not allowed.
    """
    from layers.angebote.edit import differs, row_values

    inserted = updated = 0
    columns = list(SCHEMA)
    with store.transaction() as tx:
        for record in rows.to_dict("records"):
            values = {c: record.get(c) for c in columns}
            geometry = record.get(rows.geometry.name)
            ident = str(values["angebot_id"])
            existing = tx.rows("angebote", '"angebot_id" = ?', (ident,))
            if existing:
                if not update_existing:
                    raise InputValidationError(
                        f"Das Angebot '{ident}' wurde inzwischen von jemand anderem angelegt. Es "
                        "wurde nichts gespeichert.",
                        hinweis="Prüfen Sie die Datei erneut und importieren Sie dann.",
                    )
                old = row_values(existing[0])
                version = int(old.get("version") or 1)
                changes = {k: v for k, v in values.items()
                           if k not in ("angebot_id", "version", "quelle")
                           and differs(v, old.get(k))}
                move = geometry is not None and differs(geometry, old.get("geometry"))
                if not changes and not move:
                    continue
                new_version = tx.update("angebote", ("angebot_id", ident), changes,
                                        geometry=geometry if move else None,
                                        expected_version=version)
                before = {k: old.get(k) for k in changes}
                after = dict(changes)
                if move:
                    before["geometry"], after["geometry"] = old.get("geometry"), geometry
                before["version"], after["version"] = version, new_version
                tx.audit("angebote", ident, "aktualisieren", before, after)
                updated += 1
            else:
                tx.insert("angebote", values, geometry=geometry)
                tx.audit("angebote", ident, action, None, {**values, "geometry": geometry})
                inserted += 1
    return inserted, updated
