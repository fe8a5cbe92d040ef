"""The cooperation list on the Aachen demo: import (CSV, XLSX), edits with audit, refusals that
leave the store unchanged, the synthetic demo network and its analysis per planning area."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from layers.errors import InputValidationError, SozialraumError
from layers.kooperation import (
    add_cooperation,
    cooperation_id,
    delete_cooperation,
    import_cooperations,
    update_cooperation,
)
from layers.store import AUDIT_TABLE
from planungsraeume import erreichbarkeit, kooperation
from planungsraeume.frage import Question
from tests.tools.stores import fingerprint

pytestmark = pytest.mark.slow

ADVICE = Question(angebote="beratung", profil="rollstuhl", minuten=15)
EUTB, KOKOBE, SPZ = "syn-eutb-01", "syn-kokobe-01", "syn-spz-01"


def _audit(store) -> pd.DataFrame:
    audit = store.read_layer(AUDIT_TABLE) if store.has_layer(AUDIT_TABLE) else pd.DataFrame()
    return audit[audit["tabelle"] == "kooperationen"] if len(audit) else audit


def _csv(tmp_path, text: str, name: str = "kooperationen.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_by_id_and_name_stores_every_row_with_an_audit_entry(aachen_region_copy, tmp_path):
    region = aachen_region_copy
    path = _csv(tmp_path, "Angebot A;Angebot B;Art;seit;Quelle\n"
                f"{EUTB};KoKoBe Kaiserplatz (fiktiv);Fallkonferenz;01.03.2024;Netzwerktreffen\n"
                f"{SPZ};{EUTB};Verweis;;\n")
    result = import_cooperations(region.store, path)
    assert (result.zeilen, result.gespeichert) == (2, 2)
    links = region.layer("kooperationen").set_index("kooperation_id")
    first = links.loc[cooperation_id(EUTB, KOKOBE, "Fallkonferenz")]
    assert (first["angebot_a"], first["angebot_b"], first["seit"]) == (EUTB, KOKOBE, "2024-03-01")
    assert first["quelle"] == "import" and first["beleg"] == "Netzwerktreffen"
    assert first.geometry.length > 0  # a line from A to B
    audit = _audit(region.store)
    assert len(audit) == 2 and set(audit["aktion"]) == {"importieren"}
    assert json.loads(audit.iloc[0]["neu_json"])["quelle"] == "import"
    # The analysis sees the new cooperation (a new store version gives a new answer).
    graph = kooperation.network(region, ADVICE).set_index("angebot_id")
    partners = kooperation.cooperations(region, ADVICE)
    assert ((partners["angebot_a"] == EUTB) & (partners["angebot_b"] == KOKOBE)).any()
    assert graph.loc[EUTB, "grad"] >= 2


def test_xlsx_import_reads_the_sheet(aachen_region_copy, tmp_path):
    path = tmp_path / "kooperationen.xlsx"
    pd.DataFrame({"Partner A": [EUTB], "Partner B": [SPZ], "Kooperationsart": ["Netzwerk"],
                  "bis": ["31.12.2030"]}).to_excel(path, index=False)
    result = import_cooperations(aachen_region_copy.store, path)
    assert result.gespeichert == 1


def test_bad_rows_are_refused_in_german_and_nothing_is_stored(aachen_region_copy, tmp_path):
    store = aachen_region_copy.store
    before = fingerprint(store)
    path = _csv(tmp_path, "Angebot A;Angebot B;Art;seit;bis;Quelle\n"
                f"{EUTB};KoKoBe Kaiserplatzz;Verweis;;;\n"
                f"{EUTB};{EUTB};Verweis;;;\n"
                f"{EUTB};{SPZ};;;;\n"
                f"{EUTB};{SPZ};Verweis;01.01.2025;01.01.2024;\n"
                f"{SPZ};{KOKOBE};Verweis;;;synthetisch\n"
                f"{SPZ};{KOKOBE};Verweis;31.02.2024;;\n", name="schlecht.csv")
    with pytest.raises(InputValidationError) as info:
        import_cooperations(store, path)
    text = str(info.value)
    assert "Datei 'schlecht.csv'" in text and "So beheben:" in text
    for expected in (
        "Zeile 2, Spalte 'Angebot B': Das Angebot 'KoKoBe Kaiserplatzz' gibt es im Verzeichnis "
        "nicht",
        "Meinten Sie 'KoKoBe Kaiserplatz (fiktiv)'?",
        "Zeile 3, Spalte 'Angebot B': Ein Angebot kann nicht mit sich selbst kooperieren",
        "Zeile 4, Spalte 'Art': Die Art der Kooperation fehlt",
        "Zeile 5, Spalte 'bis': Das Ende (2024-01-01) liegt vor dem Beginn (2025-01-01)",
        "Zeile 6, Spalte 'Quelle': Die Quelle 'synthetisch' ist für die erzeugten Demodaten "
        "reserviert",
        "Zeile 7, Spalte 'seit': '31.02.2024' ist kein gültiges Datum",
    ):
        assert expected in text, text
    assert fingerprint(store) == before
    # A file with a cooperation stored already: refused as a whole, nothing written.
    good = _csv(tmp_path, f"Angebot A;Angebot B;Art\n{EUTB};{SPZ};Verweis\n")
    import_cooperations(store, good)
    after_first = fingerprint(store)
    with pytest.raises(InputValidationError, match="gibt es schon"):
        import_cooperations(store, good)
    assert fingerprint(store) == after_first


def test_missing_column_and_personal_data_are_refused(aachen_region_copy, tmp_path):
    store = aachen_region_copy.store
    before = fingerprint(store)
    with pytest.raises(SozialraumError, match="keine Spalte für angebot_b"):
        import_cooperations(store, _csv(tmp_path, f"Angebot A;Art\n{EUTB};Verweis\n"))
    with pytest.raises(SozialraumError, match="personenbezogene Daten"):
        import_cooperations(store, _csv(tmp_path, "Angebot A;Angebot B;Art;Geburtsdatum\n"
                                        f"{EUTB};{SPZ};Verweis;01.01.1960\n"))
    assert fingerprint(store) == before


def test_add_change_delete_are_audited_and_version_checked(aachen_region_copy):
    region = aachen_region_copy
    key = add_cooperation(region.store, EUTB, SPZ, "gemeinsame Sprechstunde", seit="2024-01-01")
    assert key == cooperation_id(SPZ, EUTB, "gemeinsame Sprechstunde")  # order does not matter
    with pytest.raises(InputValidationError, match="gibt es schon"):
        add_cooperation(region.store, SPZ, EUTB, "gemeinsame Sprechstunde")
    with pytest.raises(InputValidationError, match="nicht mit sich selbst"):
        add_cooperation(region.store, EUTB, EUTB, "Verweis")
    version = update_cooperation(region.store, key, {"bis": "2024-12-31"}, expected_version=1)
    assert version == 2
    with pytest.raises(SozialraumError):
        update_cooperation(region.store, key, {"bis": "2025-12-31"}, expected_version=1)
    # Ended in 2024: not running on the question's day any more.
    running = kooperation.cooperations(region, ADVICE)
    assert key not in set(running["kooperation_id"])
    delete_cooperation(region.store, key)
    assert key not in set(region.layer("kooperationen")["kooperation_id"])
    assert list(_audit(region.store)["aktion"]) == ["anlegen", "aendern", "loeschen"]


def test_a_synthetic_cooperation_can_be_deleted_and_the_analysis_follows(aachen_region_copy):
    region = aachen_region_copy
    links = kooperation.cooperations(region, ADVICE)
    assert len(links) and set(links["quelle"]) == {"synthetisch"}
    row = links.iloc[0]
    before = kooperation.network(region, ADVICE).set_index("angebot_id")["grad"]
    delete_cooperation(region.store, str(row["kooperation_id"]))
    after = kooperation.network(region, ADVICE).set_index("angebot_id")["grad"]
    pair_still = kooperation.cooperations(region, ADVICE)
    same = ((pair_still["angebot_a"] == row["angebot_a"]) & (pair_still["angebot_b"] == row["angebot_b"])
            | (pair_still["angebot_a"] == row["angebot_b"]) & (pair_still["angebot_b"] == row["angebot_a"]))
    if not same.any():  # the only cooperation of that pair: both lose one partner
        assert after[row["angebot_a"]] == before[row["angebot_a"]] - 1
        assert after[row["angebot_b"]] == before[row["angebot_b"]] - 1


def test_the_demo_network_is_synthetic_and_has_isolated_offers_and_brokers(aachen):
    table = kooperation.network(aachen, ADVICE)
    assert kooperation.synthetic_share(aachen, ADVICE) == 1.0
    assert table["isoliert"].sum() >= 2
    assert table["vermittler"].sum() >= 1
    assert (table.loc[table["isoliert"], "grad"] == 0).all()
    assert table["zwischenzentralitaet"].between(0, 1).all()
    # The degree of every offer equals its number of distinct partners in the list.
    links = kooperation.cooperations(aachen, ADVICE)
    pairs = {frozenset(p) for p in zip(links["angebot_a"], links["angebot_b"], strict=True)}
    for ident, degree in table.set_index("angebot_id")["grad"].items():
        assert degree == sum(ident in p for p in pairs)


def test_missing_links_are_complementary_uncooperating_and_within_reach(aachen):
    question = ADVICE.with_(minuten=30)
    missing = kooperation.missing(aachen, question)
    assert len(missing) >= 1
    reach = erreichbarkeit.offer_travel_times(aachen, question)
    minutes = {(a, b): m for a, b, m in zip(reach["von"], reach["nach"], reach["minuten"],
                                            strict=True)}
    pairs = {frozenset((p.typ_a, p.typ_b)): p.grund for p in kooperation.complementary_pairs()}
    links = kooperation.cooperations(aachen, question)
    partners = {frozenset(p) for p in zip(links["angebot_a"], links["angebot_b"], strict=True)}
    for row in missing.itertuples():
        assert pairs[frozenset((row.typ_a, row.typ_b))] == row.grund
        assert frozenset((row.angebot_a, row.angebot_b)) not in partners
        shortest = min(minutes.get((row.angebot_a, row.angebot_b), 99),
                       minutes.get((row.angebot_b, row.angebot_a), 99))
        assert row.minuten == pytest.approx(round(shortest, 1)) and row.minuten <= 30
    # A tighter reach never finds more missing links.
    assert len(kooperation.missing(aachen, ADVICE.with_(minuten=5))) <= len(missing)
