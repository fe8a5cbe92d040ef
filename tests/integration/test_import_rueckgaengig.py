"""Undo of a whole import in one step restores the store byte-identically.

"Byte-identical" here means two things, both compared as bytes:

* the ``angebote`` layer as every page and command reads it (the merged view of the derived
  and the user store): all rows sorted by ``angebot_id``, all columns by name, every value as
  its ``repr`` and the geometry as full-precision WKB (:func:`layer_dump`);
* the raw rows of the user store's own tables ``angebote`` and ``_entfernt`` as SQLite holds
  them, including ``fid``, ``version`` and the GeoPackage geometry blobs (:func:`user_rows`;
  an empty table and a missing one both have no rows).

Not compared: the audit table (the undo is itself recorded there, by design) and the files'
bytes (SQLite pages, free lists and the WAL differ after any write and its reversal).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import shapely

from layers.angebote.edit import change_history, update_service
from layers.angebote.importer import import_services
from layers.angebote.rueckgaengig import IMPORT_TABLE, imports, undo_import
from layers.errors import LayerNotFoundError, VersionConflictError
from layers.store import AUDIT_TABLE
from tests.tools.samples import PLANNER_CSV
from tests.tools.stores import fingerprint

pytestmark = pytest.mark.slow


def layer_dump(store) -> bytes:
    frame = store.read_layer("angebote").sort_values("angebot_id", kind="stable")
    columns = sorted(c for c in frame.columns if c != frame.geometry.name)
    lines = []
    for row, geometry in zip(frame[columns].itertuples(index=False), frame.geometry, strict=True):
        values = [repr(None if v != v else v) for v in row]  # NaN and None alike
        lines.append("|".join(values) + "|" + shapely.to_wkb(geometry, hex=True))
    return ("\n".join(["|".join(columns), *lines])).encode("utf-8")


def user_rows(store) -> bytes:
    """The raw rows of the user store's ``angebote`` and ``_entfernt`` (a missing file or table
    has no rows: the first write creates the user store and its tables, an undo keeps them)."""
    if not Path(store.user_path).exists():
        return repr([]).encode() + b"\n" + repr([]).encode()
    conn = sqlite3.connect(f"file:{store.user_path}?mode=ro", uri=True)
    try:
        parts = []
        for table in ("angebote", "_entfernt"):
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
                parts.append(repr(conn.execute(f'SELECT * FROM "{table}" ORDER BY 1, 2').fetchall()))
            else:
                parts.append(repr([]))
    finally:
        conn.close()
    return "\n".join(parts).encode("utf-8")


def test_undo_of_a_whole_import_restores_the_store(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    before = (layer_dump(store), user_rows(store))
    path = tmp_path / "angebote_stadt.csv"
    path.write_bytes(PLANNER_CSV.encode("cp1252"))
    report = import_services(store, path, modus="gueltige")
    assert report.geschrieben == 4
    assert layer_dump(store) != before[0]
    found = imports(store)
    assert len(found) == 1
    entry = found.iloc[0]
    assert (entry["datei"], entry["neu"], entry["aktualisiert"], entry["rueckgaengig"]) == \
        ("angebote_stadt.csv", 4, 0, False)
    undo_import(store, int(entry["protokoll_id"]))
    assert (layer_dump(store), user_rows(store)) == before
    assert bool(imports(store).iloc[0]["rueckgaengig"])
    # Every row's undo is in the audit table, linked to the entry it undid.
    undone = change_history(store)
    assert sorted(undone.loc[undone["aktion"] == "rueckgaengig", "angebot_id"]) == ["A1", "A2", "A3", "A4"]
    assert undone.loc[undone["aktion"] == "rueckgaengig", "rueckgaengig_von"].notna().all()
    # A second undo is refused; nothing changes.
    state = fingerprint(store)
    with pytest.raises(VersionConflictError, match="bereits rückgängig"):
        undo_import(store, int(entry["protokoll_id"]))
    assert fingerprint(store) == state
    with pytest.raises(LayerNotFoundError, match="kein Import"):
        undo_import(store, int(undone.iloc[0]["protokoll_id"]))


def test_undo_restores_updated_offers_with_their_version(aachen_store_copy, tmp_path):
    """An import that updates a built (derived) offer and adds one: after the undo the offer is
    the derived row again (same values, same version, no copy left in the user store)."""
    store = aachen_store_copy
    offers = store.read_layer("angebote")
    derived = offers.iloc[0]
    before = (layer_dump(store), user_rows(store))
    path = tmp_path / "aktualisierung.csv"
    path.write_text("ID;Name;Typ;lat;lon\n"
                    f"{derived['angebot_id']};Neuer Name;{derived['typ']};50,7760;6,0850\n"
                    "N1;EUTB Neu;EUTB;50,7753;6,0839\n", encoding="utf-8")
    report = import_services(store, path, bestehende="aktualisieren")
    assert (report.geschrieben, report.aktualisiert) == (1, 1)
    changed = store.read_layer("angebote").set_index("angebot_id").loc[derived["angebot_id"]]
    assert changed["name"] == "Neuer Name" and changed["version"] == int(derived["version"]) + 1
    undo_import(store, int(imports(store).iloc[0]["protokoll_id"]))
    assert layer_dump(store) == before[0]
    assert user_rows(store) == before[1]


def test_undo_is_refused_when_an_imported_offer_was_changed_later(aachen_store_copy, tmp_path):
    store = aachen_store_copy
    path = tmp_path / "eins.csv"
    path.write_text("ID;Name;Typ;lat;lon\nU1;EUTB;EUTB;50,7753;6,0839\nU2;KSL;KSL;50,7760;6,0850\n",
                    encoding="utf-8")
    import_services(store, path)
    update_service(store, "U2", {"name": "KSL geändert"}, expected_version=1)
    state = fingerprint(store)
    with pytest.raises(VersionConflictError, match="nach dem Import geändert"):
        undo_import(store, int(imports(store).iloc[0]["protokoll_id"]))
    assert fingerprint(store) == state  # nothing written, not even U1 removed
    marks = store.read_layer(AUDIT_TABLE)
    assert (marks["tabelle"] == IMPORT_TABLE).sum() == 1
