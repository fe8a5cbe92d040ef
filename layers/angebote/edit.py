"""Editing the service directory: add, change, move, retire, undo, history.

Every edit is one store transaction that

* reads the offer's current row,
* refuses the edit if the offer's ``version`` is not the one the user's form was based on
  (:class:`~layers.errors.VersionConflictError`; two people editing the same offer cannot
  overwrite each other silently),
* writes the change (``version`` + 1; ``quelle`` stays what it was),
* appends one entry to the audit table ``_aenderungsprotokoll``: who, when, the action, the old
  and the new values of exactly the fields that changed (and the versions).

Offers are never deleted by an edit: :func:`retire_service` sets ``gueltig_bis``. Any audit
entry can be undone with :func:`undo_change`, which applies the old values (again with a version
check, so an undo never overwrites a later change) and writes an audit entry of its own that
points to the undone one (``rueckgaengig_von``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from layers.angebote import (
    ACCESS_COLUMNS,
    SCHEMA,
    parse_access_ways,
    resolve_service_type,
    service_type,
    service_type_keys,
)
from layers.errors import (
    GeometryError,
    InputValidationError,
    LayerNotFoundError,
    Problem,
    VersionConflictError,
)
from layers.store import AUDIT_TABLE, RegionStore, Transaction
from layers.validation import is_blank, parse_date, parse_plz, parse_yes_no

__all__ = [
    "ACTION_LABELS",
    "EDITABLE",
    "KEY",
    "TABLE",
    "EditResult",
    "add_service",
    "change_history",
    "clean_values",
    "differs",
    "move_service",
    "retire_service",
    "row_values",
    "undo_change",
    "update_service",
]


TABLE = "angebote"
KEY = "angebot_id"
# Fields a user may change through the edit functions (id, version, quelle and gruppe are
# managed here).
EDITABLE = tuple(c for c in SCHEMA if c not in (KEY, "version", "quelle", "gruppe", "osm_id"))

ACTION_LABELS = {
    "anlegen": "angelegt",
    "importieren": "importiert",
    "aktualisieren": "durch Import aktualisiert",
    "aendern": "geändert",
    "verschieben": "verschoben",
    "stilllegen": "stillgelegt",
    "rueckgaengig": "rückgängig gemacht",
}


@dataclass(frozen=True)
class EditResult:
    """Outcome of one edit.

    Attributes
    ----------
    angebot_id
        The offer.
    version
        Its version after the edit (use it as ``expected_version`` of the next edit).
    audit_id
        The audit entry written (pass it to :func:`undo_change` to undo).
    """

    angebot_id: str
    version: int
    audit_id: int


def row_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row as plain values (schema columns plus ``geometry``)."""
    out = {c: row.get(c) for c in SCHEMA}
    out["geometry"] = row.get("geometry")
    return out


def clean_values(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Check and normalise the user-editable fields of an offer.

    The same rules as the import: known type, yes/no values, dates, postcode, capacity.

    Parameters
    ----------
    values
        Field → new value (only the fields to set).

    Returns
    -------
    tuple
        Cleaned values and the problems found (errors prevent saving).
    """
    clean: dict[str, Any] = {}
    problems: list[Problem] = []

    def fail(spalte: str, meldung: str, hinweis: str) -> None:
        problems.append(Problem(meldung, hinweis, spalte=spalte))

    for fld, value in values.items():
        if fld not in EDITABLE:
            fail(fld, f"Das Feld '{fld}' kann nicht bearbeitet werden.",
                 "Bearbeitbar sind: " + ", ".join(EDITABLE) + ".")
            continue
        if fld == "name":
            if is_blank(value):
                fail(fld, "Der Name des Angebots darf nicht leer sein.", "Tragen Sie einen Namen ein.")
                continue
            clean[fld] = " ".join(str(value).split())
        elif fld == "typ":
            key = resolve_service_type(value)
            if key is None:
                fail(fld, f"Unbekannter Angebotstyp '{value}'.",
                     "Erlaubt sind: " + ", ".join(service_type_keys()) + ".")
                continue
            clean[fld] = key
            clean["gruppe"] = service_type(key).gruppe
        elif fld in ACCESS_COLUMNS or fld == "aufsuchend":
            try:
                clean[fld] = parse_yes_no(value, partly=fld != "aufsuchend")
            except ValueError as exc:
                fail(fld, str(exc), "Wählen Sie ja, teilweise, nein oder unbekannt.")
        elif fld == "zugangswege":
            try:
                clean[fld] = parse_access_ways(value)
            except ValueError as exc:
                fail(fld, str(exc), "Wählen Sie vor Ort, Telefon, Video und/oder online.")
        elif fld in ("gueltig_von", "gueltig_bis"):
            try:
                clean[fld] = parse_date(value.isoformat() if isinstance(value, date) else value)
            except ValueError as exc:
                fail(fld, str(exc), "Schreiben Sie das Datum als TT.MM.JJJJ.")
        elif fld == "plz":
            try:
                clean[fld] = parse_plz(value)
            except ValueError as exc:
                fail(fld, str(exc), "Tragen Sie die fünfstellige Postleitzahl ein.")
        elif fld == "kapazitaet_std_woche":
            if is_blank(value):
                clean[fld] = None
                continue
            try:
                number = float(str(value).replace(",", "."))
            except ValueError:
                fail(fld, f"'{value}' ist keine Zahl.", "Tragen Sie Stunden pro Woche ein, z. B. 19,5.")
                continue
            if not 0 <= number <= 24 * 7 * 50:
                fail(fld, f"Die Kapazität {number:g} Stunden pro Woche ist nicht möglich.",
                     "Tragen Sie die Personalstunden pro Woche ein.")
                continue
            clean[fld] = number
        else:
            clean[fld] = None if is_blank(value) else str(value).strip()
    return clean, problems


def _raise_problems(problems: list[Problem], angebot_id: str | None) -> None:
    if problems:
        raise InputValidationError(
            f"Die Änderung am Angebot {angebot_id or '(neu)'} wurde nicht gespeichert.",
            hinweis="Korrigieren Sie die genannten Felder.",
            probleme=problems,
        )


def _region_boundary(store: RegionStore) -> shapely.Geometry:
    region = store.read_layer("region")
    return shapely.union_all(region.geometry.to_numpy())


def _check_point(store: RegionStore, point: BaseGeometry) -> None:
    if point is None or point.is_empty or point.geom_type != "Point":
        raise GeometryError(
            "Ein Angebot braucht einen Punkt als Ort.",
            hinweis="Setzen Sie den Punkt auf der Karte oder geben Sie eine Adresse an.",
        )
    boundary = _region_boundary(store)
    if not boundary.covers(point):
        raise GeometryError(
            f"Der Punkt liegt außerhalb der Region ({boundary.distance(point) / 1000:.1f} km von "
            "der Grenze).",
            hinweis="Setzen Sie den Punkt innerhalb der Region.",
        )


def _current(tx: Transaction, angebot_id: str) -> dict[str, Any]:
    rows = tx.rows(TABLE, f'"{KEY}" = ?', (angebot_id,))
    if not rows:
        raise LayerNotFoundError(
            f"Das Angebot '{angebot_id}' gibt es im Verzeichnis nicht (mehr).",
            hinweis="Laden Sie die Ansicht neu.",
        )
    return row_values(rows[0])


def _check_version(current: Mapping[str, Any], angebot_id: str, expected: int) -> None:
    version = int(current.get("version") or 1)
    if version != expected:
        raise VersionConflictError(
            f"Das Angebot '{current.get('name') or angebot_id}' wurde inzwischen von jemand "
            f"anderem geändert (jetzt Version {version}, Ihre Bearbeitung beruht auf Version "
            f"{expected}). Ihre Änderung wurde nicht gespeichert.",
            hinweis="Laden Sie das Angebot neu, prüfen Sie die neue Fassung und tragen Sie Ihre "
            "Änderung dort erneut ein.",
        )


def differs(a: Any, b: Any) -> bool:
    """Whether two stored values differ (blank = blank, numbers with tolerance, geometries to
    a millimetre)."""
    if isinstance(a, BaseGeometry) or isinstance(b, BaseGeometry):
        if a is None or b is None:
            return a is not b
        return not a.equals_exact(b, 1e-3)
    if is_blank(a) and is_blank(b):
        return False
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
        return not np.isclose(float(a), float(b))
    return str(a) != str(b)


# --------------------------------------------------------------------------------------------
# Edits
# --------------------------------------------------------------------------------------------


def add_service(
    store: RegionStore,
    values: Mapping[str, Any],
    *,
    geometry: BaseGeometry | None = None,
    angebot_id: str | None = None,
) -> EditResult:
    """Add a new offer by hand (``quelle = "manuell"``, version 1).

    Parameters
    ----------
    store
        The region store.
    values
        Fields of the offer; ``name`` and ``typ`` are required.
    geometry
        Point in the region CRS. Without it the address (``strasse``, ``hausnummer``, ``plz``,
        ``ort``) is geocoded offline; an address that is not found is an error, never a guess.
    angebot_id
        Own id; default a new ``man-…`` id.

    Returns
    -------
    EditResult

    Raises
    ------
    InputValidationError, GeometryError
        For invalid fields, a point outside the region or an address that was not found.
    """
    clean, problems = clean_values(values)
    for required in ("name", "typ"):
        if required not in clean and not any(p.spalte == required for p in problems):
            problems.append(Problem(f"Das Feld '{required}' fehlt.",
                                    "Name und Typ sind Pflichtangaben.", spalte=required))
    _raise_problems(problems, angebot_id)
    if geometry is None:
        geometry = _geocode(store, clean)
    _check_point(store, geometry)
    ident = angebot_id or f"man-{uuid.uuid4().hex[:10]}"
    row: dict[str, Any] = {c: None for c in SCHEMA}
    row.update({c: "unbekannt" for c in (*ACCESS_COLUMNS, "aufsuchend")})
    row.update(clean)
    row.update({KEY: ident, "quelle": "manuell", "version": 1})
    row.setdefault("gueltig_von", None)
    if not row["gueltig_von"]:
        row["gueltig_von"] = date.today().isoformat()
    with store.transaction() as tx:
        if tx.rows(TABLE, f'"{KEY}" = ?', (ident,)):
            raise InputValidationError(
                f"Die ID '{ident}' ist schon vergeben.",
                hinweis="Wählen Sie eine andere ID oder lassen Sie sie automatisch vergeben.",
            )
        tx.insert(TABLE, row, geometry=geometry)
        audit_id = tx.audit(TABLE, ident, "anlegen", None, {**row, "geometry": geometry})
    return EditResult(ident, 1, audit_id)


def _geocode(store: RegionStore, clean: Mapping[str, Any]) -> BaseGeometry:
    from layers.geocode import AddressIndex

    if is_blank(clean.get("strasse")):
        raise GeometryError(
            "Das Angebot hat weder einen Punkt noch eine Adresse.",
            hinweis="Setzen Sie den Punkt auf der Karte oder tragen Sie Straße und Hausnummer ein.",
        )
    result = AddressIndex.from_store(store).lookup(
        clean.get("strasse"), clean.get("hausnummer"), clean.get("plz"), clean.get("ort")
    )
    if not result.placed:
        raise GeometryError(
            f"Die Adresse wurde nicht gefunden ({result.status}). {result.hinweis}".strip(),
            hinweis="Korrigieren Sie die Adresse oder setzen Sie den Punkt auf der Karte.",
        )
    return shapely.Point(result.x, result.y)


def update_service(
    store: RegionStore,
    angebot_id: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
    geometry: BaseGeometry | None = None,
    action: str = "aendern",
) -> EditResult:
    """Change fields (and optionally the point) of an offer.

    Parameters
    ----------
    store
        The region store.
    angebot_id
        The offer.
    changes
        Field → new value; unchanged values are ignored.
    expected_version
        The version the user's form was loaded with.
    geometry
        New point (region CRS), or ``None`` to keep it.
    action
        Audit action (``aendern``, ``verschieben``, ``stilllegen``).

    Returns
    -------
    EditResult

    Raises
    ------
    VersionConflictError
        If someone else changed the offer since ``expected_version``; nothing is saved.
    InputValidationError, GeometryError, LayerNotFoundError
    """
    clean, problems = clean_values(changes)
    _raise_problems(problems, angebot_id)
    if geometry is not None:
        _check_point(store, geometry)
    with store.transaction() as tx:
        current = _current(tx, angebot_id)
        _check_version(current, angebot_id, expected_version)
        changed = {k: v for k, v in clean.items() if differs(v, current.get(k))}
        moved = geometry is not None and differs(geometry, current.get("geometry"))
        start = changed.get("gueltig_von", current.get("gueltig_von"))
        end = changed.get("gueltig_bis", current.get("gueltig_bis"))
        if not is_blank(start) and not is_blank(end) and str(end) < str(start):
            raise InputValidationError(
                f"Das Ende ({end}) läge vor dem Beginn ({start}) des Angebots.",
                hinweis="Wählen Sie ein Enddatum nach dem Beginn oder korrigieren Sie den Beginn.",
            )
        if not changed and not moved:
            return EditResult(angebot_id, expected_version, 0)
        new_version = tx.update(
            TABLE, (KEY, angebot_id), changed,
            geometry=geometry if moved else None,
            expected_version=expected_version,
        )
        old = {k: current.get(k) for k in changed}
        new = dict(changed)
        if moved:
            old["geometry"], new["geometry"] = current.get("geometry"), geometry
        old["version"], new["version"] = expected_version, new_version
        audit_id = tx.audit(TABLE, angebot_id, action, old, new)
    return EditResult(angebot_id, new_version, audit_id)


def move_service(
    store: RegionStore, angebot_id: str, point: BaseGeometry, *, expected_version: int
) -> EditResult:
    """Move an offer to a new point (region CRS); see :func:`update_service`."""
    return update_service(store, angebot_id, {}, expected_version=expected_version,
                          geometry=point, action="verschieben")


def retire_service(
    store: RegionStore,
    angebot_id: str,
    *,
    expected_version: int,
    gueltig_bis: date | str | None = None,
    grund: str | None = None,
) -> EditResult:
    """Retire an offer: it stays in the directory with ``gueltig_bis`` set (never deleted).

    Parameters
    ----------
    gueltig_bis
        Last day of the offer (default today).
    grund
        Optional reason, appended to ``bemerkung``.
    """
    end = gueltig_bis.isoformat() if isinstance(gueltig_bis, date) else gueltig_bis
    changes: dict[str, Any] = {"gueltig_bis": end or date.today().isoformat()}
    if grund:
        with store.transaction() as tx:
            note = _current(tx, angebot_id).get("bemerkung")
        changes["bemerkung"] = f"{note}; {grund}" if note else grund
    return update_service(store, angebot_id, changes, expected_version=expected_version,
                          action="stilllegen")


def undo_change(store: RegionStore, audit_id: int) -> EditResult:
    """Undo one audit entry by applying its old values; writes a new audit entry.

    An offer that was added (by hand or by import) is removed again; a change, move or
    retirement is reverted; an undo can itself be undone. Like ``git revert``, an entry can be
    undone as long as the fields it set still hold its values: later changes of other fields
    are kept, later changes of the same fields must be undone first.

    Raises
    ------
    VersionConflictError
        If a field of the entry was changed again later: undo the later change first.
    LayerNotFoundError
        If the entry does not exist.
    """
    with store.transaction() as tx:
        entries = tx.rows(AUDIT_TABLE, "fid = ?", (int(audit_id),)) if _has_audit(tx) else []
        if not entries:
            raise LayerNotFoundError(
                f"Den Protokolleintrag {audit_id} gibt es nicht.",
                hinweis="Wählen Sie einen Eintrag aus dem Änderungsprotokoll.",
            )
        entry = entries[0]
        if entry["tabelle"] != TABLE:
            raise InputValidationError(
                f"Der Protokolleintrag {audit_id} betrifft die Tabelle '{entry['tabelle']}'.",
                hinweis="Hier können nur Änderungen am Angebotsverzeichnis rückgängig gemacht "
                "werden.",
            )
        ident = str(entry["objekt_id"])
        old = _decode(entry["alt_json"])
        new = _decode(entry["neu_json"])
        rows = tx.rows(TABLE, f'"{KEY}" = ?', (ident,))
        current = row_values(rows[0]) if rows else None
        label = ACTION_LABELS.get(str(entry["aktion"]), str(entry["aktion"]))
        _check_undoable(ident, new, current, label)
        undo_id, version = _revert(tx, ident, old, new, current)
        tx.link_undo(undo_id, int(audit_id))
    return EditResult(ident, version, undo_id)


def _check_undoable(ident: str, new: dict[str, Any] | None, current: dict[str, Any] | None,
                    label: str) -> None:
    """Raise unless the fields an audit entry set still hold its values (see :func:`undo_change`)."""
    if new is None:
        return
    if current is None:
        raise VersionConflictError(
            f"Das Angebot '{ident}' gibt es nicht mehr; die Änderung ({label}) kann nicht "
            "rückgängig gemacht werden.",
            hinweis="Machen Sie zuerst die spätere Änderung rückgängig.",
        )
    # Like "git revert": allowed while the fields this entry set still hold its values;
    # later changes of other fields are kept, later changes of the same fields block.
    changed_since = [f for f in new if f != "version" and differs(new[f], current.get(f))]
    if changed_since:
        raise VersionConflictError(
            f"Das Angebot '{current.get('name') or ident}' wurde nach dieser Änderung "
            f"({label}) erneut geändert ({', '.join(sorted(changed_since))}). Das "
            "Rückgängigmachen würde die spätere Änderung überschreiben und wurde nicht "
            "ausgeführt.",
            hinweis="Machen Sie zuerst die späteren Änderungen rückgängig (neueste zuerst).",
        )


def _revert(tx: Transaction, ident: str, old: dict[str, Any] | None,
            new: dict[str, Any] | None, current: dict[str, Any] | None) -> tuple[int, int]:
    """Apply an audit entry's old values in ``tx``; return the new audit id and the version.

    Called after :func:`_check_undoable`: where the entry set values, the row exists.
    """
    if old is None:
        # Undo an insert: remove the row; the audit keeps the full old state.
        assert current is not None
        tx.delete(TABLE, (KEY, ident))
        return tx.audit(TABLE, ident, "rueckgaengig", current, None), 0
    if new is None:
        # Undo a removal: insert the recorded row again.
        if current is not None:
            raise VersionConflictError(
                f"Das Angebot '{ident}' existiert bereits wieder.",
                hinweis="Laden Sie die Ansicht neu.",
            )
        geometry = old.pop("geometry", None)
        tx.insert(TABLE, old, geometry=geometry)
        undo_id = tx.audit(TABLE, ident, "rueckgaengig", None, {**old, "geometry": geometry})
        return undo_id, int(old.get("version") or 1)
    assert current is not None
    restore = {k: v for k, v in old.items() if k not in ("version", "geometry")}
    geometry = old.get("geometry")
    now = int(current.get("version") or 1)
    version = tx.update(TABLE, (KEY, ident), restore, geometry=geometry, expected_version=now)
    before = {k: current.get(k) for k in restore}
    after = dict(restore)
    if geometry is not None:
        before["geometry"], after["geometry"] = current.get("geometry"), geometry
    before["version"], after["version"] = now, version
    return tx.audit(TABLE, ident, "rueckgaengig", before, after), version


def _has_audit(tx: Transaction) -> bool:
    return tx.has_table(AUDIT_TABLE)


def _decode(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    values: dict[str, Any] = json.loads(text)
    if values.get("geometry"):
        values["geometry"] = shapely.from_wkt(values["geometry"])
    return values


def change_history(store: RegionStore, angebot_id: str | None = None) -> pd.DataFrame:
    """The audit entries of the directory (newest first), readable for the app.

    Parameters
    ----------
    angebot_id
        Only this offer's entries.

    Returns
    -------
    pandas.DataFrame
        ``protokoll_id``, ``zeitpunkt``, ``benutzer``, ``angebot_id``, ``aktion``,
        ``felder`` (changed fields), ``alt``, ``neu`` (dicts), ``rueckgaengig_von``.
    """
    columns = ["protokoll_id", "zeitpunkt", "benutzer", "angebot_id", "aktion", "felder",
               "alt", "neu", "rueckgaengig_von"]
    if not store.has_layer(AUDIT_TABLE):
        return pd.DataFrame(columns=columns)
    with store.transaction() as tx:
        where, params = '"tabelle" = ?', [TABLE]
        if angebot_id is not None:
            where += ' AND "objekt_id" = ?'
            params.append(angebot_id)
        entries = tx.rows(AUDIT_TABLE, where + " ORDER BY fid DESC", params)
    rows = []
    for entry in entries:
        old = _decode(entry["alt_json"])
        new = _decode(entry["neu_json"])
        fields = sorted(set(old or {}) | set(new or {}))
        if old is not None and new is not None:
            fields = [f for f in fields if f != "version" and differs(old.get(f), new.get(f))]
        rows.append(
            {
                "protokoll_id": int(entry["fid"]),
                "zeitpunkt": entry["zeitpunkt"],
                "benutzer": entry["benutzer"],
                "angebot_id": entry["objekt_id"],
                "aktion": entry["aktion"],
                "felder": ", ".join(f for f in fields if f != "version"),
                "alt": old,
                "neu": new,
                "rueckgaengig_von": entry.get("rueckgaengig_von"),
            }
        )
    return pd.DataFrame(rows, columns=columns)

