"""Undo of a whole import in one step, through the audit table.

Every import (:func:`layers.angebote.importer.import_services`) writes its rows and one audit
entry per row in one transaction, then one more entry, the *import entry* (table
``angebote_import``, action ``import``), naming the file and the range of audit entries it
wrote. The transaction starts with ``BEGIN IMMEDIATE``, so no other writer's entries lie in
that range.

:func:`undo_import` reverts all rows of an import in one transaction, newest entry first: new
offers are removed, updated offers get their former values back, including their version, and
a copy of a derived offer the import made in the user store is dropped again when it equals
the derived row. Afterwards the ``angebote`` layer reads exactly as before the import. Every
reverted row gets a ``rueckgaengig`` audit entry linked to the entry it undid, the import entry
one of its own (``import_rueckgaengig``). Rows whose entries were undone one by one before are
skipped; a row changed after the import blocks the undo (nothing is written), like
:func:`layers.angebote.edit.undo_change`.

The audit keeps geometries as WKT (full precision): a moved offer gets its former coordinates
back exactly, written as a new GeoPackage blob (for a user-owned offer the blob's envelope
flags may differ from the original encoding; the shape is the same).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pandas as pd

from layers.angebote.edit import _decode, differs, row_values
from layers.errors import InputValidationError, LayerNotFoundError, VersionConflictError
from layers.schema import AUDIT_TABLE
from layers.store import RegionStore
from layers.store import sqlite as gpkg
from layers.store.transaction import DERIVED_SCHEMA, Transaction, quote

__all__ = ["IMPORT_ACTION", "IMPORT_TABLE", "UNDO_ACTION", "imports", "last_audit_id",
           "record_import", "undo_import"]

#: ``tabelle`` of the import entries (kept apart from the per-offer entries of ``angebote``).
IMPORT_TABLE = "angebote_import"
IMPORT_ACTION = "import"
UNDO_ACTION = "import_rueckgaengig"
TABLE = "angebote"
KEY = "angebot_id"


def last_audit_id(tx: Transaction) -> int:
    """The highest audit entry so far (0 without an audit table)."""
    if not tx.has_table(AUDIT_TABLE):
        return 0
    row = tx.execute(f"SELECT MAX(fid) FROM {quote(AUDIT_TABLE)}").fetchone()
    return int(row[0] or 0)


def record_import(tx: Transaction, first_after: int, datei: str, inserted: int,
                  updated: int) -> int | None:
    """Write the import entry for the audit entries after ``first_after`` (same transaction).

    Returns its id, or ``None`` if the import wrote nothing.
    """
    last = last_audit_id(tx)
    if last <= first_after:
        return None
    return tx.audit(IMPORT_TABLE, datei, IMPORT_ACTION, None,
                    {"datei": datei, "von": first_after + 1, "bis": last,
                     "neu": int(inserted), "aktualisiert": int(updated)})


def imports(store: RegionStore) -> pd.DataFrame:
    """The imports of the directory, newest first.

    Returns
    -------
    pandas.DataFrame
        ``protokoll_id``, ``zeitpunkt``, ``benutzer``, ``datei``, ``neu``, ``aktualisiert``,
        ``rueckgaengig`` (whether the import was undone).
    """
    columns = ["protokoll_id", "zeitpunkt", "benutzer", "datei", "neu", "aktualisiert",
               "rueckgaengig"]
    if not store.has_layer(AUDIT_TABLE):
        return pd.DataFrame(columns=columns)
    with store.transaction() as tx:
        entries = tx.rows(AUDIT_TABLE, '"tabelle" = ? ORDER BY fid DESC', (IMPORT_TABLE,))
    marks = [e for e in entries if e["aktion"] == IMPORT_ACTION]
    undone = {int(e["rueckgaengig_von"]) for e in entries
              if e["aktion"] == UNDO_ACTION and e.get("rueckgaengig_von") is not None}
    rows = []
    for entry in marks:
        info = _decode(entry["neu_json"]) or {}
        rows.append({"protokoll_id": int(entry["fid"]), "zeitpunkt": entry["zeitpunkt"],
                     "benutzer": entry["benutzer"], "datei": info.get("datei", entry["objekt_id"]),
                     "neu": int(info.get("neu", 0)), "aktualisiert": int(info.get("aktualisiert", 0)),
                     "rueckgaengig": int(entry["fid"]) in undone})
    return pd.DataFrame(rows, columns=columns)


def _import_entry(tx: Transaction, audit_id: int) -> dict[str, Any]:
    found = tx.rows(AUDIT_TABLE, "fid = ?", (int(audit_id),)) if tx.has_table(AUDIT_TABLE) else []
    if not found or found[0]["tabelle"] != IMPORT_TABLE or found[0]["aktion"] != IMPORT_ACTION:
        raise LayerNotFoundError(
            f"Der Protokolleintrag {audit_id} ist kein Import.",
            hinweis="Wählen Sie einen Import aus der Liste der Importe.",
        )
    if tx.rows(AUDIT_TABLE, '"rueckgaengig_von" = ? AND "aktion" = ?', (int(audit_id), UNDO_ACTION)):
        raise VersionConflictError(
            f"Der Import (Eintrag {audit_id}) wurde bereits rückgängig gemacht.",
            hinweis="Laden Sie die Ansicht neu.",
        )
    return found[0]


def _blocked(ident: str, name: str) -> VersionConflictError:
    return VersionConflictError(
        f"Das Angebot '{name or ident}' wurde nach dem Import geändert. Der Import wurde nicht "
        "rückgängig gemacht; es wurde nichts geändert.",
        hinweis="Machen Sie zuerst die späteren Änderungen dieses Angebots rückgängig "
        "(Änderungsprotokoll, neueste zuerst).",
    )


def _revert_insert(tx: Transaction, ident: str, new: dict[str, Any],
                   current: dict[str, Any]) -> int:
    if any(differs(value, current.get(field)) for field, value in new.items()):
        raise _blocked(ident, str(current.get("name") or ""))
    tx.execute(f"DELETE FROM main.{quote(TABLE)} WHERE {quote(KEY)} = ?", (ident,))
    return tx.audit(TABLE, ident, "rueckgaengig", current, None)


def _revert_update(tx: Transaction, ident: str, old: dict[str, Any], new: dict[str, Any],
                   current: dict[str, Any]) -> int:
    if any(differs(value, current.get(field)) for field, value in new.items()):
        raise _blocked(ident, str(current.get("name") or ""))
    restore = {k: v for k, v in old.items() if k not in ("version", "geometry")}
    tx.update(TABLE, (KEY, ident), restore, geometry=old.get("geometry"),
              expected_version=int(new["version"]))
    # The former version too: the offer is as it was, so an edit based on it stays valid.
    tx.execute(f"UPDATE main.{quote(TABLE)} SET version = ? WHERE {quote(KEY)} = ?",
               (int(old["version"]), ident))
    _drop_copy_of_derived(tx, ident)
    return tx.audit(TABLE, ident, "rueckgaengig", new, old)


def _drop_copy_of_derived(tx: Transaction, ident: str) -> None:
    """Remove the user-store row of an offer when it equals the derived row (a copy on write)."""
    try:
        attached = tx.execute(f"SELECT 1 FROM {DERIVED_SCHEMA}.sqlite_master WHERE name = ?",
                              (TABLE,)).fetchone()
    except sqlite3.OperationalError:  # no derived store attached
        return
    if not attached:
        return
    user = tx.execute(f"SELECT * FROM main.{quote(TABLE)} WHERE {quote(KEY)} = ?", (ident,))
    names = [d[0] for d in user.description]
    mine = user.fetchone()
    derived = tx.execute(f"SELECT * FROM {DERIVED_SCHEMA}.{quote(TABLE)} WHERE {quote(KEY)} = ?",
                         (ident,))
    theirs = derived.fetchone()
    if mine is None or theirs is None:
        return
    other = dict(zip([d[0] for d in derived.description], theirs, strict=True))

    def equal(name: str, value: Any) -> bool:
        if isinstance(value, bytes) and isinstance(other.get(name), bytes):
            # Geometry blobs: the same shape, whatever the envelope flags of the encoding.
            a, b = gpkg.blob_to_geometry(value), gpkg.blob_to_geometry(other[name])
            return a is not None and b is not None and a.equals_exact(b, 0.0)
        return bool(other.get(name) == value)

    same = all(equal(n, v) for n, v in zip(names, mine, strict=True) if n != "fid")
    if same and set(other) - {"fid"} == set(names) - {"fid"}:
        tx.execute(f"DELETE FROM main.{quote(TABLE)} WHERE {quote(KEY)} = ?", (ident,))


def undo_import(store: RegionStore, audit_id: int) -> int:
    """Undo all rows of one import in one transaction; returns the new ``import_rueckgaengig`` entry.

    Raises
    ------
    LayerNotFoundError
        If ``audit_id`` is not an import entry.
    VersionConflictError
        If the import was undone already, or one of its offers was changed after it (then
        nothing is written).
    """
    with store.transaction() as tx:
        entry = _import_entry(tx, audit_id)
        info = _decode(entry["neu_json"]) or {}
        rows = tx.rows(AUDIT_TABLE, '"tabelle" = ? AND fid BETWEEN ? AND ? ORDER BY fid DESC',
                       (TABLE, int(info["von"]), int(info["bis"])))
        undone = {int(r["rueckgaengig_von"]) for r in tx.rows(
            AUDIT_TABLE, '"rueckgaengig_von" IS NOT NULL AND "tabelle" = ?', (TABLE,))}
        for row in rows:
            if int(row["fid"]) in undone:
                continue  # this row of the import was undone on its own already
            ident = str(row["objekt_id"])
            old, new = _decode(row["alt_json"]), _decode(row["neu_json"])
            found = tx.rows(TABLE, f"{quote(KEY)} = ?", (ident,))
            if new is None or not found:
                raise _blocked(ident, "")
            current = row_values(found[0])
            if old is None:
                undo_id = _revert_insert(tx, ident, new, current)
            else:
                undo_id = _revert_update(tx, ident, old, new, current)
            tx.link_undo(undo_id, int(row["fid"]))
        if not rows:
            raise InputValidationError(f"Der Import (Eintrag {audit_id}) hat keine Zeilen.")
        result = tx.audit(IMPORT_TABLE, str(entry["objekt_id"]), UNDO_ACTION, info, None)
        tx.link_undo(result, int(audit_id))
    return result
