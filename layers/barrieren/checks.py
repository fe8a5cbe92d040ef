"""Cell checks of a barrier file: ICF codes and qualifiers, impairment groups, sources, ids."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from layers.barrieren.icf import (
    BARRIER_QUALIFIERS,
    FACILITATOR_QUALIFIERS,
    NEUTRAL_QUALIFIERS,
    QUALIFIER_LABELS,
    fold_name,
    load_impairment_groups,
    parse_icf_code,
    parse_qualifier,
)
from layers.errors import Problem

__all__ = [
    "codes_and_qualifiers",
    "duplicate_ids",
    "impairment_groups",
    "qualifier_finding",
    "report_ids",
    "reserved_sources",
]


def codes_and_qualifiers(
    code_col: pd.Series,
    qual_col: pd.Series,
    valid: set[str],
    cols: dict[str, str],
    rows: np.ndarray,
    datei: str,
) -> tuple[list[str | None], list[str | None], np.ndarray, list[Problem], list[Problem]]:
    """ICF code and qualifier of every row.

    Returns
    -------
    tuple
        Codes, qualifiers, a mask of rows without a finding (``.0``, ``+0``, ``.9``; skipped),
        errors and warnings.
    """
    codes: list[str | None] = []
    qualifiers: list[str | None] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    skip = np.zeros(len(code_col), dtype=bool)
    spalte_q = cols.get("qualifikator", cols["icf_code"])
    for pos in range(len(code_col)):
        zeile = int(rows[pos])
        parsed = parse_icf_code(code_col.iloc[pos], valid, datei=datei, zeile=zeile,
                                spalte=cols["icf_code"])
        if parsed.problem:
            problems.append(parsed.problem)
        if parsed.warning:
            warnings.append(parsed.warning)
        codes.append(parsed.code)
        raw_q = qual_col.iloc[pos]
        given = None if raw_q is pd.NA or raw_q is None or str(raw_q).strip() == "" else raw_q
        qualifier = parse_qualifier(given) if given is not None else parsed.qualifier
        finding = qualifier_finding(given, qualifier, datei=datei, zeile=zeile, spalte=spalte_q)
        if finding is None and given is not None and parsed.qualifier not in (None, qualifier):
            finding = Problem(
                f"Der Code '{str(code_col.iloc[pos]).strip()}' enthält den Qualifikator "
                f"{parsed.qualifier}, die Spalte '{spalte_q}' nennt {qualifier}; es ist unklar, "
                "welcher gilt.",
                "Tragen Sie den Qualifikator nur an einer Stelle ein (am Code wie e150.2 oder in "
                "der Spalte qualifikator) oder gleichen Sie beide an.",
                datei=datei, zeile=zeile, spalte=spalte_q)
        if finding is not None and finding.schwere == "warnung":
            skip[pos] = True
            warnings.append(finding)
        elif finding is not None:
            problems.append(finding)
        qualifiers.append(qualifier)
    return codes, qualifiers, skip, problems, warnings


def qualifier_finding(
    given: object, qualifier: str | None, *, datei: str, zeile: int, spalte: str
) -> Problem | None:
    """What is wrong with a row's qualifier: an error, a warning (no finding: skip) or nothing."""
    where: dict[str, Any] = {"datei": datei, "zeile": zeile, "spalte": spalte}
    if given is not None and qualifier is None:
        return Problem(
            f"'{given}' ist kein ICF-Beurteilungsmerkmal.",
            "Barrieren: .1 leicht, .2 mäßig, .3 erheblich, .4 vollständig, .8 nicht näher "
            "bezeichnet; Förderfaktoren: +1 bis +4, +8.", **where)
    if qualifier is None:
        return Problem(
            "Das Beurteilungsmerkmal (Qualifikator) fehlt.",
            "Tragen Sie z. B. .2 (mäßige Barriere) oder +1 (leichter Förderfaktor) ein, in "
            "der Spalte qualifikator oder direkt am Code (e150.2).", **where)
    if qualifier in NEUTRAL_QUALIFIERS:
        return Problem(
            f"Qualifikator {qualifier} ({QUALIFIER_LABELS[qualifier]}) beschreibt keinen "
            "Befund an einem Ort; die Zeile wird nicht als Meldung übernommen.",
            "Nur Barrieren (.1–.4, .8) und Förderfaktoren (+1–+4, +8) sind Meldungen.",
            schwere="warnung", **where)
    if qualifier not in BARRIER_QUALIFIERS + FACILITATOR_QUALIFIERS:
        return Problem(
            f"Das Beurteilungsmerkmal {qualifier} liegt außerhalb des ICF-Wertebereichs.",
            "Erlaubt sind .0–.4, .8, .9 für Barrieren und +0–+4, +8 für Förderfaktoren.",
            **where)
    return None


def impairment_groups(
    values: pd.Series, cols: dict[str, str], rows: np.ndarray, datei: str
) -> tuple[list[str | None], list[Problem]]:
    """The impairment group of every row, from the controlled list (aliases accepted)."""
    groups = load_impairment_groups()
    lookup = {}
    for group in groups:
        for alias in (group.name, *group.aliase):
            lookup[fold_name(alias)] = group.name
    impairments: list[str | None] = []
    problems: list[Problem] = []
    for pos, value in enumerate(values.to_numpy()):
        text = "" if value is pd.NA or value is None else str(value).strip()
        name = lookup.get(fold_name(text)) if text else None
        if name is None:
            problems.append(Problem(
                f"'{text}' ist keine bekannte Beeinträchtigungsgruppe." if text
                else "Die Beeinträchtigungsgruppe fehlt.",
                "Erlaubt sind: " + ", ".join(g.name for g in groups) + ".",
                datei=datei, zeile=int(rows[pos]), spalte=cols["beeintraechtigung"]))
        impairments.append(name)
    return impairments, problems


def reserved_sources(
    sources: pd.Series, cols: dict[str, str], rows: np.ndarray, datei: str
) -> list[Problem]:
    """Rows that claim the source label reserved for generated demo data."""
    reserved = sources.str.lower().eq("synthetisch").fillna(False).to_numpy(dtype=bool)
    return [
        Problem(
            "Die Quelle 'synthetisch' ist für die erzeugten Demodaten reserviert.",
            "Nennen Sie die echte Quelle, z. B. 'LVR-Fallmanagement'.",
            datei=datei, zeile=int(rows[bad_pos]), spalte=cols.get("quelle"))
        for bad_pos in np.flatnonzero(reserved)
    ]


def duplicate_ids(
    ids: list[str],
    skip: np.ndarray,
    rows: np.ndarray,
    existing_ids: set[str],
    spalte_id: str,
    datei: str,
) -> list[Problem]:
    """Report ids twice in the file, or already stored (the same file imported again)."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for pos, report_id in enumerate(ids):
        if skip[pos]:
            continue
        if report_id in seen:
            problems.append(Problem(
                f"Die Meldung '{report_id}' steht doppelt in der Datei (auch in Zeile "
                f"{seen[report_id]}).",
                "Entfernen Sie die doppelte Zeile.", datei=datei, zeile=int(rows[pos]),
                spalte=spalte_id))
        elif report_id in existing_ids:
            problems.append(Problem(
                f"Die Meldung '{report_id}' ist bereits gespeichert (die Datei wurde schon "
                "einmal eingelesen?).",
                "Importieren Sie nur neue Meldungen.", datei=datei, zeile=int(rows[pos]),
                spalte=spalte_id))
        seen.setdefault(report_id, int(rows[pos]))
    return problems


def report_ids(
    given: pd.Series,
    persons: pd.Series,
    codes: list[str | None],
    qualifiers: list[str | None],
    dates: pd.Series,
    places: list[Any],
) -> list[str]:
    """Given ids, or ids derived from the content so that importing a file twice is noticed."""
    out: list[str] = []
    for pos in range(len(given)):
        value = given.iloc[pos]
        if value is not pd.NA and value is not None and str(value).strip():
            out.append(str(value).strip())
            continue
        place = places[pos]
        place_key = f"{place.x:.1f},{place.y:.1f}" if place is not None else ""
        content = "|".join(str(v) for v in (persons.iloc[pos], codes[pos], qualifiers[pos],
                                            dates.iloc[pos], place_key))
        out.append("I-" + hashlib.sha256(content.encode()).hexdigest()[:12])
    return out
