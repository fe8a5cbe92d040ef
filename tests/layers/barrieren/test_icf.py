"""Barrier vocabulary: ICF codes and qualifiers, impairment groups."""

from __future__ import annotations

from layers.barrieren import (
    load_impairment_groups,
    parse_icf_code,
    parse_qualifier,
)


def test_icf_parsing_rules():
    valid = {"e150", "e540"}
    ok = parse_icf_code(" E 150.3 ", valid, datei=None, zeile=2, spalte="c")
    assert ok.code == "e150" and ok.qualifier == ".3"
    assert parse_icf_code("e15", valid, datei=None, zeile=2, spalte="c").problem is not None
    refused = parse_icf_code("d460", valid, datei=None, zeile=2, spalte="c")
    assert refused.code is None and "Aktivitäten und Partizipation" in refused.problem.meldung
    assert parse_qualifier("2") == ".2"
    assert parse_qualifier("+ 3") == "+3"
    assert parse_qualifier("0,2") == ".2"
    assert parse_qualifier("mittel") is None


def test_impairment_vocabulary_has_the_required_groups():
    names = [g.name for g in load_impairment_groups()]
    for required in ("Mobilität", "Sehen", "Hören", "Kognition", "Psyche", "Sprache"):
        assert required in names
