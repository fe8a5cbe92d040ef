"""The ICF vocabulary of barrier reports: environmental-factor codes, qualifiers, impairment groups.

Barriers are coded as ICF environmental factors (e-codes, second level, e.g. ``e150``) with a
qualifier (``.1``–``.4`` barrier, ``+1``–``+4`` facilitator, ``.8``/``+8`` extent not specified).
The impairment groups come from ``data/beeintraechtigungen.toml``.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from layers import settings
from layers.errors import ConfigError, Problem, SourceDataError

__all__ = [
    "BARRIER_QUALIFIERS",
    "FACILITATOR_QUALIFIERS",
    "ICF_CHAPTERS",
    "IMPAIRMENT_GROUPS",
    "NEUTRAL_QUALIFIERS",
    "OTHER_ICF_COMPONENTS",
    "QUALIFIER_LABELS",
    "ImpairmentGroup",
    "ParsedCode",
    "fold_name",
    "load_icf_codes",
    "load_impairment_groups",
    "parse_icf_code",
    "parse_qualifier",
    "qualifier_severity",
]


ICF_CHAPTERS = {
    "e1": "Produkte und Technologien",
    "e2": "Natürliche und vom Menschen veränderte Umwelt",
    "e3": "Unterstützung und Beziehungen",
    "e4": "Einstellungen",
    "e5": "Dienste, Systeme und Handlungsgrundsätze",
}
IMPAIRMENT_GROUPS = ("Mobilität", "Sehen", "Hören", "Kognition", "Psyche", "Sprache")
QUALIFIER_LABELS = {
    ".0": "keine Barriere",
    ".1": "leichte Barriere",
    ".2": "mäßige Barriere",
    ".3": "erhebliche Barriere",
    ".4": "vollständige Barriere",
    "+0": "kein Förderfaktor",
    "+1": "leichter Förderfaktor",
    "+2": "mäßiger Förderfaktor",
    "+3": "erheblicher Förderfaktor",
    "+4": "vollständiger Förderfaktor",
    ".8": "nicht näher bezeichnet",
    ".9": "nicht anwendbar",
    "+8": "Förderfaktor, nicht näher bezeichnet",
}


#: Qualifiers that make a row a barrier report (.1–.4, .8 = extent not specified).
BARRIER_QUALIFIERS = (".1", ".2", ".3", ".4", ".8")
#: Qualifiers that make a row a facilitator report (+1–+4, +8 = extent not specified).
FACILITATOR_QUALIFIERS = ("+1", "+2", "+3", "+4", "+8")
#: Valid ICF qualifiers that describe no finding at a place: ``.0``/``+0`` (no barrier / no
#: facilitator) and ``.9`` (not applicable). Rows with them are skipped with a warning.
NEUTRAL_QUALIFIERS = (".0", "+0", ".9")

OTHER_ICF_COMPONENTS = {
    "b": "Körperfunktionen (b-Codes, z. B. b210 Funktionen des Sehens)",
    "d": "Aktivitäten und Partizipation (d-Codes, z. B. d460 sich in verschiedenen Umgebungen "
    "fortbewegen)",
    "s": "Körperstrukturen (s-Codes, z. B. s750 Strukturen der unteren Extremitäten)",
}


@lru_cache(maxsize=4)
def _read_icf(path: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str)
    if not {"code", "kapitel", "titel_de"}.issubset(table.columns):
        raise SourceDataError(
            "Der ICF-Codeliste fehlen die Spalten code, kapitel, titel_de.",
            hinweis="Verwenden Sie die Datei icf/icf_umweltfaktoren.csv der Referenzdaten.",
            datei=path,
        )
    return table


def load_icf_codes(path: str | Path) -> pd.DataFrame:
    """Read the ICF environmental-factor codes (``code``, ``kapitel``, ``titel_de``, ``title_en``).

    Raises
    ------
    SourceDataError
        If the file is missing or lacks columns.
    """
    path = Path(path)
    if not path.exists():
        raise SourceDataError(
            "Die ICF-Codeliste wurde nicht gefunden.",
            hinweis="Prüfen Sie [quellen] icf in der Regionskonfiguration.",
            datei=path,
        )
    return _read_icf(str(path)).copy()


@dataclass(frozen=True)
class ImpairmentGroup:
    """One entry of the controlled list in ``data/beeintraechtigungen.toml``."""

    name: str
    beschreibung: str
    aliase: tuple[str, ...] = ()


def load_impairment_groups(path: str | Path | None = None) -> list[ImpairmentGroup]:
    """Read the controlled list of impairment groups.

    Parameters
    ----------
    path
        TOML file; default ``data/beeintraechtigungen.toml``.

    Returns
    -------
    list of ImpairmentGroup
        In display order.

    Raises
    ------
    ConfigError
        If the file is missing or malformed.
    """
    path = Path(path) if path else settings.vocab_dir / "beeintraechtigungen.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        groups = [
            ImpairmentGroup(str(g["name"]), str(g.get("beschreibung", "")),
                            tuple(str(a) for a in g.get("aliase", ())))
            for g in raw["gruppe"]
        ]
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"Die Liste der Beeinträchtigungsgruppen ist nicht lesbar ({exc}).",
            hinweis="Stellen Sie data/beeintraechtigungen.toml aus dem Repository wieder her.",
            datei=path,
        ) from exc
    return groups


def fold_name(text: str) -> str:
    """Fold a name for matching: lower case, umlauts spelled out, only letters and digits."""
    key = str(text).strip().lower()
    for old, new in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        key = key.replace(old, new)
    return re.sub(r"[^a-z0-9]", "", key)


_ICF_TEXT = re.compile(
    r"^(?P<comp>[a-z])\s*(?P<digits>\d+)\s*(?P<qual>[.+]\s*\d)?$", re.IGNORECASE
)


@dataclass(frozen=True)
class ParsedCode:
    """Result of reading one ICF code cell."""

    code: str | None
    qualifier: str | None = None
    problem: Problem | None = None
    warning: Problem | None = None


def parse_icf_code(
    text: object, valid_codes: set[str], *, datei: str | None, zeile: int, spalte: str
) -> ParsedCode:
    """Read an ICF environmental-factor code (``e150``, ``E 150``, ``e150.2``, ``e1500``).

    Codes of the other ICF components are refused with an explanation: only environmental
    factors (e-codes) describe barriers. Third- and fourth-level codes (``e1500``) are accepted
    and summarised to their second-level code with a warning, because the code list holds the
    second level.

    Returns
    -------
    ParsedCode
        The second-level code and a qualifier written into the same cell, or a problem.
    """
    raw = "" if text is None or text is pd.NA else str(text).strip()
    where: dict[str, Any] = {"datei": datei, "zeile": zeile, "spalte": spalte}
    if not raw or raw.lower() == "nan":
        return ParsedCode(None, problem=Problem(
            "Der ICF-Code fehlt.", "Tragen Sie einen Umweltfaktor ein, z. B. e150.", **where))
    match = _ICF_TEXT.match(raw.replace(",", "."))
    if not match:
        return ParsedCode(None, problem=Problem(
            f"'{raw}' ist kein ICF-Code.",
            "Ein Umweltfaktor hat die Form e + drei Ziffern, z. B. e150 (Entwurf, Konstruktion, "
            "Bauprodukte und Technologien von öffentlichen Gebäuden).", **where))
    component = match.group("comp").lower()
    digits = match.group("digits")
    qualifier = match.group("qual").replace(" ", "") if match.group("qual") else None
    if component in OTHER_ICF_COMPONENTS:
        return ParsedCode(None, problem=Problem(
            f"'{raw}' ist kein Umweltfaktor, sondern ein Code der ICF-Komponente "
            f"{OTHER_ICF_COMPONENTS[component]}. Barrieren werden in der ICF ausschließlich als "
            "Umweltfaktoren (e-Codes) kodiert; b-, d- und s-Codes beschreiben die Person, nicht "
            "ihre Umwelt.",
            "Kodieren Sie den Umweltfaktor, der die Teilhabe behindert oder fördert, z. B. e150 "
            "(öffentliche Gebäude) statt d460, oder e540 (Transportwesen) statt d470.", **where))
    if component != "e":
        return ParsedCode(None, problem=Problem(
            f"'{raw}' ist kein ICF-Code (unbekannte Komponente '{component}').",
            "Umweltfaktoren beginnen mit e, z. B. e150.", **where))
    code = f"e{digits[:3]}"
    if len(digits) < 3:
        return ParsedCode(None, problem=Problem(
            f"'{raw}' ist unvollständig: Umweltfaktoren der zweiten Ebene haben drei Ziffern.",
            "Kapitel allein (e1 … e5) genügen nicht; wählen Sie z. B. e150 oder e540.", **where))
    if code not in valid_codes:
        chapter = [c for c in sorted(valid_codes) if c[:2] == code[:2]]
        close = difflib.get_close_matches(code, chapter, n=3, cutoff=0.5)
        hint = f" Ähnliche Codes im Kapitel {code[:2]}: {', '.join(close)}." if close else ""
        return ParsedCode(None, problem=Problem(
            f"Den Umweltfaktor '{code}' gibt es in der ICF-Codeliste nicht.",
            "Prüfen Sie den Code in der ICF (Komponente Umweltfaktoren, e110–e599)." + hint,
            **where))
    warning = None
    if len(digits) > 3:
        warning = Problem(
            f"'{raw}' wurde zum Code der zweiten Ebene {code} zusammengefasst.",
            "Die Auswertung arbeitet mit der zweiten Gliederungsebene der ICF.",
            schwere="warnung", **where)
    return ParsedCode(code, qualifier, warning=warning)


def parse_qualifier(text: object) -> str | None:
    """Normalise an ICF qualifier (``".2"``, ``"2"``, ``"+ 3"``, ``"0,2"``) or return ``None``.

    A bare digit means a barrier (``"2"`` → ``".2"``), as the ICF writes barriers with a point.
    """
    raw = "" if text is None or text is pd.NA else str(text).strip().replace(" ", "")
    raw = raw.replace(",", ".")
    if raw.startswith("0.") and len(raw) == 3:
        raw = raw[1:]
    if re.fullmatch(r"\d", raw):
        raw = "." + raw
    if re.fullmatch(r"[.+]\d", raw):
        return raw
    return None


def qualifier_severity(qualifier: str) -> int | None:
    """Severity 1–4 of a barrier qualifier; ``None`` for facilitators and unspecified extents."""
    if qualifier in (".1", ".2", ".3", ".4"):
        return int(qualifier[1])
    return None
