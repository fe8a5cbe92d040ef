"""The data dictionary of the Kerndatensatz: every column and every indicator, in German.

:data:`COLUMNS` is the schema (name, type, meaning) that :func:`planungsraeume.kerndatensatz
.kerndatensatz` produces and :func:`planungsraeume.kerndatensatz.datei.read_kerndatensatz`
restores; :func:`indicator_dictionary` documents each indicator of one Kerndatensatz
(definition, unit, source, modelled or synthetic) from the rows themselves, so a new indicator
of :mod:`planungsraeume.indikatoren` is documented the day it appears.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["BARRIER_AREA", "COLUMNS", "COLUMN_TYPES", "column_dictionary", "definition",
           "indicator_dictionary"]

#: Bereich of the barrier rows (published figures of the privacy gate).
BARRIER_AREA = "Barrieremeldungen"

#: Column, type (``text``, ``ganzzahl``, ``zahl``, ``ja/nein``) and meaning, in table order.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("ebene", "text", "„Planungsraum“ oder „Region“ (die ganze Region, Summe bzw. Regionswert)."),
    ("schluessel", "text", "Nummer des Planungsraums (pr_id der Ebene planungsraeume); bei der "
     "Region ihr Kurzname (z. B. koeln)."),
    ("name", "text", "Name des Planungsraums bzw. Titel der Region."),
    ("jahr", "ganzzahl", "Jahr, für das die Zahl steht. Leer: das Jahr der Zahlen ist unbekannt "
     "(z. B. modellierte Bevölkerung ohne Bezugsjahr)."),
    ("jahr_daten", "ganzzahl", "Jahr der zugrunde liegenden Daten, wenn es vom Jahr abweicht "
     "(Einwohnerzahlen werden bis zum nächsten Jahr mit Zahlen fortgeschrieben, nie "
     "interpoliert; eigene Kennzahlen ohne Jahresspalte sind leer)."),
    ("bereich", "text", "Themenbereich: Bevölkerung, Angebote, Barrierefreiheit, Eigene "
     f"Kennzahlen, {BARRIER_AREA}."),
    ("indikator", "text", "Stabiler Schlüssel der Kennzahl (z. B. anteil_65_plus); im Blatt "
     "„Kennzahlen“ des Datenlexikons beschrieben."),
    ("bezeichnung", "text", "Deutsche Bezeichnung der Kennzahl."),
    ("wert", "zahl", "Wert der Kennzahl (auf 6 Nachkommastellen gerundet). Leer: kein Wert "
     "(Nenner 0, oder bei Barrieremeldungen „keine Angabe“ wegen Geheimhaltung)."),
    ("einheit", "text", "Einheit des Werts (Personen, %, je 10.000 Einw., Einw. je km², Anzahl)."),
    ("art", "text", "anzahl (eine Zahl), anteil (Anteil in %), rate (je Einwohner oder Fläche)."),
    ("zaehler", "zahl", "Bei Anteilen und Raten: der Zähler (wert = zaehler / nenner × Faktor); "
     "bei der Region die Summe der Planungsräume."),
    ("nenner", "zahl", "Bei Anteilen und Raten: der Nenner (Einwohner, Angebote, Fläche in km²)."),
    ("quelle", "text", "Herkunft der Daten, aus der Spalte quelle der Ebenen (Bevölkerung, "
     "Angebote, Barrieremeldungen, eigene Tabelle)."),
    ("modelliert", "ja/nein", "ja: die Zahl beruht auf modellierter Bevölkerung (keine "
     "amtlichen Werte)."),
    ("synthetisch", "ja/nein", "ja: die Zahl beruht ganz oder teilweise auf erfundenen "
     "(synthetischen) Daten, z. B. Demo-Angeboten oder Demo-Barrieremeldungen."),
    ("geheimhaltung", "text", "Bei Barrieremeldungen die Geheimhaltungsregel, durch die der Wert "
     "gegangen ist; sonst leer."),
)
COLUMN_TYPES = {name: kind for name, kind, _ in COLUMNS}


def column_dictionary() -> pd.DataFrame:
    """Every column of the Kerndatensatz: ``spalte``, ``typ``, ``bedeutung``."""
    return pd.DataFrame(list(COLUMNS), columns=["spalte", "typ", "bedeutung"])


_COUNT_RULE = "Region: Summe der Planungsräume."
_SHARE_RULE = "Region: Summe der Zähler ÷ Summe der Nenner (kein Mittel der Anteile)."
_OFFERS = ("gültigen Angebote am 31. Dezember des Jahres (im laufenden Jahr: heute; "
           "gueltig_ab/gueltig_bis), zugeordnet dem Planungsraum, in dem sie liegen")


def definition(indikator: str, bereich: str, art: str, bezeichnung: str) -> str:
    """German definition of one indicator (how the value is computed)."""
    if bereich == BARRIER_AREA:
        what = "Meldungen" if indikator.endswith("meldungen") else "verschiedene Personen"
        return (f"{bezeichnung}: {what} mit Barrieremeldungen im Kalenderjahr, nur "
                "veröffentlichte Werte der Geheimhaltung (Zellschlüsselverfahren: ab der "
                "Mindestzahl verschiedener Personen, Wert verändert und gerundet). Leer = keine "
                "Angabe (0 oder zu wenige Personen; beides sieht gleich aus).")
    if bereich == "Eigene Kennzahlen":
        return (f"Eigene Kennzahl „{bezeichnung}“ aus der importierten Tabelle "
                "(nutzer_kennzahlen), Wert wie importiert; keine Regionszeile.")
    if indikator == "einwohnerdichte":
        return "Einwohner je km² Fläche des Planungsraums in der Region (zaehler ÷ nenner). " \
            + _SHARE_RULE
    if bereich == "Bevölkerung":
        if art == "anteil":
            return (f"{bezeichnung}: Einwohner der Altersgruppe ÷ alle Einwohner × 100. "
                    + _SHARE_RULE)
        return (f"{bezeichnung} im Planungsraum (Bevölkerungszellen, deren Mittelpunkt im "
                "Planungsraum liegt, bzw. amtliche Zahl je Planungsraum). " + _COUNT_RULE)
    if bereich == "Barrierefreiheit":
        return (f"{bezeichnung}: Anteil der {_OFFERS} mit der Angabe „ja“ (teilweise, nein "
                "und unbekannt zählen nicht) × 100. " + _SHARE_RULE)
    if art == "rate":
        return f"{bezeichnung}: Anzahl der {_OFFERS} ÷ Einwohner × 10.000. " + _SHARE_RULE
    return f"{bezeichnung}: Anzahl der {_OFFERS}. " + _COUNT_RULE


def indicator_dictionary(frame: pd.DataFrame) -> pd.DataFrame:
    """Every indicator of a Kerndatensatz: definition, unit, source, modelled, synthetic.

    Parameters
    ----------
    frame
        :func:`planungsraeume.kerndatensatz.kerndatensatz`.

    Returns
    -------
    pandas.DataFrame
        ``indikator``, ``bereich``, ``bezeichnung``, ``einheit``, ``art``, ``definition``,
        ``quelle`` (every source of its rows), ``modelliert``/``synthetisch`` ("ja" where some
        row is), ``jahre`` (first–last year), in the order of the Kerndatensatz.
    """
    rows = []
    for indikator, group in frame.groupby("indikator", sort=False):
        first = group.iloc[0]
        years = group["jahr"].dropna().astype(int)
        rows.append({
            "indikator": indikator, "bereich": first["bereich"],
            "bezeichnung": first["bezeichnung"], "einheit": first["einheit"],
            "art": first["art"],
            "definition": definition(str(indikator), str(first["bereich"]), str(first["art"]),
                                     str(first["bezeichnung"])),
            "quelle": " | ".join(dict.fromkeys(group["quelle"].dropna().astype(str))),
            "modelliert": "ja" if group["modelliert"].any() else "nein",
            "synthetisch": "ja" if group["synthetisch"].any() else "nein",
            "jahre": (f"{years.min()}–{years.max()}" if years.min() != years.max()
                      else str(years.min())) if len(years) else "",
        })
    return pd.DataFrame(rows)
