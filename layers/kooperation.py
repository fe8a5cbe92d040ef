"""The cooperation list (``kooperationen``): who cooperates with whom, imported and edited.

One row says that offer A and offer B cooperate: the kind of cooperation (``art``: Verweis,
Fallkonferenz, gemeinsame Sprechstunde, Kooperationsvertrag, Netzwerk …, free text), since and
until when (``seit``/``bis``), and where the information comes from (``beleg``, e.g.
"Netzwerktreffen 2024"). ``quelle`` says who made the row: ``import``, ``manuell`` or, for the
demo, ``synthetisch`` (:func:`layers.synthetisch_praesenz.synthetic_cooperations`).

The layer is kept like the offers (:mod:`layers.schema`): the build writes the demo's synthetic
list into the derived store, imports and edits go to the user store (with the audit table), and
reading gives the merged view. Each row also carries a line from A to B (region CRS) for QGIS;
the analyses always use the offers' current positions.

Files (CSV/XLSX) have the columns ``Angebot A`` and ``Angebot B`` (id or exact name of an offer),
``Art``, optionally ``seit``, ``bis``, ``Quelle``/``Beleg`` and ``Bemerkung``
(:func:`read_cooperations`). Every bad row is refused with file, row, column and fix, and
nothing is stored unless the whole file is valid (:func:`import_cooperations`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from layers.beziehungen import (
    RESERVED_SOURCE,
    OfferLookup,
    RelationTable,
    check_date_order,
    read_relation_table,
    refuse_errors,
    write_relation_rows,
)
from layers.errors import InputValidationError, LayerNotFoundError
from layers.store import RegionStore

__all__ = [
    "ALIASES",
    "COLUMNS",
    "KEY",
    "KINDS",
    "TABLE",
    "CooperationImport",
    "active_cooperations",
    "add_cooperation",
    "cooperation_id",
    "delete_cooperation",
    "empty_cooperations",
    "import_cooperations",
    "read_cooperations",
    "update_cooperation",
]

TABLE = "kooperationen"
KEY = "kooperation_id"
COLUMNS: dict[str, str] = {
    "kooperation_id": "string", "angebot_a": "string", "angebot_b": "string", "art": "string",
    "seit": "string", "bis": "string", "beleg": "string", "bemerkung": "string",
    "quelle": "string", "version": "int64",
}
#: Kinds of cooperation offered in the app (files may use other words).
KINDS = ("Verweis", "Fallkonferenz", "gemeinsame Sprechstunde", "Kooperationsvertrag",
         "Netzwerk", "Arbeitskreis", "sonstige")
ALIASES: dict[str, tuple[str, ...]] = {
    "angebot_a": ("Angebot A", "Angebot 1", "Partner A", "Partner 1", "ID A", "Stelle A",
                  "von Angebot"),
    "angebot_b": ("Angebot B", "Angebot 2", "Partner B", "Partner 2", "ID B", "Stelle B",
                  "mit Angebot"),
    "art": ("Art", "Art der Kooperation", "Kooperationsart", "Form", "Kooperation"),
    "seit": ("seit", "Beginn", "gültig ab", "gueltig ab", "von"),
    "bis": ("bis", "Ende", "gültig bis", "gueltig bis"),
    "beleg": ("Quelle", "Beleg", "Nachweis", "Herkunft"),
    "bemerkung": ("Bemerkung", "Hinweis", "Notiz"),
}
MAX_TEXT = 200


@dataclass(frozen=True)
class CooperationImport:
    """What an import did (or, when checking only, would do)."""

    datei: Path
    zeilen: int
    gespeichert: int
    warnungen: tuple[str, ...] = ()


def cooperation_id(a: str, b: str, art: str) -> str:
    """A stable key of a cooperation: the same pair and kind give the same key (either order)."""
    first, second = sorted((a, b))
    digest = hashlib.sha1(f"{first}|{second}|{art.strip().casefold()}".encode()).hexdigest()
    return f"k-{digest[:10]}"


def empty_cooperations(crs: object) -> gpd.GeoDataFrame:
    """An empty ``kooperationen`` layer with the full schema."""
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _line(points: Mapping[str, Any], a: str, b: str) -> shapely.LineString | None:
    pa, pb = points.get(a), points.get(b)
    if pa is None or pb is None:
        return None
    return shapely.LineString([(pa.x, pa.y), (pb.x, pb.y)])


def _directory(store: RegionStore) -> gpd.GeoDataFrame:
    if not store.has_layer("angebote"):
        raise LayerNotFoundError("Die Region hat kein Angebotsverzeichnis.",
                                 hinweis="Bauen Sie die Region oder importieren Sie Angebote.")
    offers = store.read_layer("angebote", columns=["angebot_id", "name", "gueltig_bis"])
    assert isinstance(offers, gpd.GeoDataFrame)
    return offers


def _row(table: RelationTable, position: int, lookup: OfferLookup,
         seen: dict[str, int]) -> dict[str, Any] | None:
    ends: list[str | None] = []
    for side in ("angebot_a", "angebot_b"):
        reference = table.cell(side, position)
        if reference is None:
            table.problem(position, side, "Das Angebot fehlt.",
                          "Tragen Sie ID oder Namen eines Angebots aus dem Verzeichnis ein.")
            ends.append(None)
            continue
        found, fix = lookup.resolve(reference)
        if found is None:
            table.problem(position, side, f"Das Angebot '{reference}' gibt es im Verzeichnis "
                          "nicht.", fix or "")
        ends.append(found)
    kind = table.cell("art", position)
    if kind is None:
        table.problem(position, "art", "Die Art der Kooperation fehlt.",
                      f"Zum Beispiel: {', '.join(KINDS[:5])}.")
    elif len(kind) > MAX_TEXT:
        table.problem(position, "art", f"Die Art ist {len(kind)} Zeichen lang.",
                      f"Höchstens {MAX_TEXT} Zeichen; Einzelheiten gehören in die Bemerkung.")
    source = table.cell("beleg", position)
    if source is not None and source.casefold() == RESERVED_SOURCE:
        table.problem(position, "beleg", "Die Quelle 'synthetisch' ist für die erzeugten "
                      "Demodaten reserviert.", "Nennen Sie die echte Herkunft der Angabe.")
    start, end = table.date("seit", position), table.date("bis", position)
    check_date_order(table, position, start, end, "bis")
    a, b = ends
    if a is not None and a == b:
        table.problem(position, "angebot_b", "Ein Angebot kann nicht mit sich selbst kooperieren.",
                      "Tragen Sie als Angebot B ein anderes Angebot ein.")
        return None
    if a is None or b is None or kind is None:
        return None
    ident = cooperation_id(a, b, kind)
    if ident in seen:
        table.problem(position, "angebot_b", f"Diese Kooperation ({kind}) steht schon in Zeile "
                      f"{seen[ident]}.", "Löschen Sie die doppelte Zeile.")
        return None
    seen[ident] = int(table.rows[position])
    return {"kooperation_id": ident, "angebot_a": a, "angebot_b": b, "art": kind, "seit": start,
            "bis": end, "beleg": source, "bemerkung": table.cell("bemerkung", position),
            "quelle": "import", "version": 1}


def read_cooperations(path: str | Path, offers: pd.DataFrame, *, blatt: str | int | None = 0
                      ) -> tuple[list[dict[str, Any]], list[str]]:
    """Read and check a cooperation file against the offer directory.

    Returns
    -------
    tuple
        The rows to store (without geometry) and German warnings.

    Raises
    ------
    SozialraumError
        Unreadable file, personal data, a missing column, or any bad row (all rows listed;
        nothing is returned then).
    """
    table = read_relation_table(path, ALIASES, required=("angebot_a", "angebot_b", "art"),
                                what="Die Kooperationsliste", blatt=blatt)
    lookup = OfferLookup(offers)
    seen: dict[str, int] = {}
    rows = [r for p in range(len(table.frame)) if (r := _row(table, p, lookup, seen)) is not None]
    refuse_errors(table.problems, "Die Kooperationsliste", table.path)
    if not rows:
        raise InputValidationError("Die Kooperationsliste enthält keine Zeile.",
                                   hinweis="Tragen Sie je Zeile zwei Angebote und die Art ein.",
                                   datei=table.path)
    warnings = [str(p) for p in table.problems if p.schwere != "fehler"]
    return rows, warnings


def import_cooperations(store: RegionStore, path: str | Path, *, blatt: str | int | None = 0,
                        pruefen: bool = False) -> CooperationImport:
    """Check a cooperation file and (unless ``pruefen``) store all of its rows, or none.

    Raises
    ------
    SozialraumError
        As :func:`read_cooperations`; also if a cooperation is stored already.
    """
    offers = _directory(store)
    rows, warnings = read_cooperations(path, offers, blatt=blatt)
    points = dict(zip(offers["angebot_id"].astype(str), offers.geometry, strict=True))
    stored = 0
    if not pruefen:
        stored = write_relation_rows(
            store, TABLE, KEY, [(r, _line(points, r["angebot_a"], r["angebot_b"])) for r in rows])
    return CooperationImport(Path(path), len(rows), stored, tuple(warnings))


def _check_pair(offers: gpd.GeoDataFrame, a: str, b: str, art: str) -> None:
    known = set(offers["angebot_id"].astype(str))
    for ident in (a, b):
        if ident not in known:
            raise InputValidationError(f"Das Angebot '{ident}' gibt es nicht.",
                                       hinweis="Wählen Sie Angebote aus dem Verzeichnis.")
    if a == b:
        raise InputValidationError("Ein Angebot kann nicht mit sich selbst kooperieren.",
                                   hinweis="Wählen Sie zwei verschiedene Angebote.")
    if not art.strip():
        raise InputValidationError("Die Art der Kooperation fehlt.",
                                   hinweis=f"Zum Beispiel: {', '.join(KINDS[:5])}.")


def add_cooperation(store: RegionStore, a: str, b: str, art: str, *, seit: str | None = None,
                    bis: str | None = None, beleg: str | None = None,
                    bemerkung: str | None = None) -> str:
    """Record one cooperation (user store, audit entry); returns its key.

    Raises
    ------
    InputValidationError
        Unknown offers, a self-cooperation, no kind, bad dates or an existing cooperation.
    """
    offers = _directory(store)
    _check_pair(offers, a, b, art)
    if seit and bis and bis < seit:
        raise InputValidationError(f"Das Ende ({bis}) liegt vor dem Beginn ({seit}).",
                                   hinweis="Prüfen Sie beide Daten.")
    values = {"kooperation_id": cooperation_id(a, b, art), "angebot_a": a, "angebot_b": b,
              "art": art.strip(), "seit": seit, "bis": bis, "beleg": beleg,
              "bemerkung": bemerkung, "quelle": "manuell", "version": 1}
    points = dict(zip(offers["angebot_id"].astype(str), offers.geometry, strict=True))
    write_relation_rows(store, TABLE, KEY, [(values, _line(points, a, b))], action="anlegen")
    return str(values[KEY])


def update_cooperation(store: RegionStore, kooperation_id: str, changes: Mapping[str, Any],
                       *, expected_version: int | None = None) -> int:
    """Change kind, dates, evidence or remark of a cooperation (version-checked, audited).

    Returns
    -------
    int
        The new version.
    """
    allowed = {"art", "seit", "bis", "beleg", "bemerkung"}
    unknown = set(changes) - allowed
    if unknown:
        raise InputValidationError(f"Diese Felder lassen sich nicht ändern: {', '.join(unknown)}.",
                                   hinweis="Änderbar sind Art, seit, bis, Beleg und Bemerkung.")
    with store.transaction() as tx:
        old = tx.rows(TABLE, f'"{KEY}" = ?', (kooperation_id,))
        if not old:
            raise LayerNotFoundError(f"Die Kooperation '{kooperation_id}' gibt es nicht (mehr).",
                                     hinweis="Laden Sie die Ansicht neu.")
        version = tx.update(TABLE, (KEY, kooperation_id), dict(changes),
                            expected_version=expected_version)
        before = {k: v for k, v in old[0].items() if k != "geometry"}
        tx.audit(TABLE, kooperation_id, "aendern", before, {**before, **changes,
                                                            "version": version})
    return version


def delete_cooperation(store: RegionStore, kooperation_id: str) -> None:
    """Delete a cooperation (a synthetic or built one gets a removal mark); audited."""
    with store.transaction() as tx:
        old = tx.rows(TABLE, f'"{KEY}" = ?', (kooperation_id,))
        if not old:
            raise LayerNotFoundError(f"Die Kooperation '{kooperation_id}' gibt es nicht (mehr).",
                                     hinweis="Laden Sie die Ansicht neu.")
        tx.delete(TABLE, (KEY, kooperation_id))
        tx.audit(TABLE, kooperation_id, "loeschen",
                 {k: v for k, v in old[0].items() if k != "geometry"}, None)


def active_cooperations(links: pd.DataFrame, stichtag: str | None = None) -> pd.DataFrame:
    """The cooperations running on a day (started and not ended; open dates count as running)."""
    day = stichtag or datetime.now(UTC).date().isoformat()
    start = links["seit"].astype("string").fillna("") if "seit" in links.columns else ""
    end = links["bis"].astype("string").fillna("") if "bis" in links.columns else ""
    running = ((start == "") | (start <= day)) & ((end == "") | (end >= day))
    return links[pd.Series(running, index=links.index).to_numpy(dtype=bool)]
