"""The method in words: plain German, Leichte Sprache, the guarantee and what it does not cover.

The Hilfe page, the Barrieren page, every export (table ``geheimhaltung_regel``) and the
Steckbrief use these texts, filled in with the figures of the rule in force.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analyses.privacy.rule import DisclosureRule

__all__ = ["erklaerung", "garantie", "leichte_sprache", "nicht_abgedeckt", "rule_text"]


def _rule(rule: DisclosureRule | None) -> DisclosureRule:
    from analyses.privacy.rule import DisclosureRule

    return rule or DisclosureRule.oeffentlich()


def garantie(rule: DisclosureRule | None = None) -> str:
    """The guarantee in one sentence that a data-protection officer can check against the data."""
    r = _rule(rule)
    w = r.tabelle.max_total_change
    return (
        f"Jede veröffentlichte Zahl zu Barrieremeldungen beruht auf mindestens {r.min_personen} "
        f"verschiedenen Personen (gezählt nach dem vereinheitlichten Personenschlüssel), weicht "
        f"um höchstens {w} von der wahren Zahl ab, ist für dieselben Personen in jeder Tabelle, "
        "jeder Auswahl und jedem Stand dieselbe Zahl, und eine leere Zelle sieht genauso aus wie "
        "eine ausgeblendete."
    )


def nicht_abgedeckt(rule: DisclosureRule | None = None) -> list[str]:
    """What the guarantee does not cover (German, one item per entry)."""
    r = _rule(rule)
    q = round(100 * r.tabelle.change_visibility())
    return [
        "Vergleich zweier Stände: Kommt zwischen zwei Ständen genau eine Person hinzu, ändern "
        "sich nur Werte, in denen sie mitgezählt ist – jeder davon mit etwa "
        f"{q} % Wahrscheinlichkeit und um einen zufälligen Betrag. Welche Werte sich ändern, "
        "lässt sich nicht verbergen. Veröffentlichen Sie deshalb zu festen Stichtagen (etwa "
        "vierteljährlich) und nicht nach jeder einzelnen Meldung.",
        "Kombination vieler Tabellen: Nur wenn die Überlagerung mehrerer zusammengehöriger "
        "Werte zufällig gleichzeitig am äußersten Rand liegt, ließe sich ein Wert enger "
        "eingrenzen. Eine Prüfung mit linearer Optimierung über alle Tabellen eines Standes "
        "(Testsuite) fand das für die Demo- und die 100.000er-Testdaten nicht.",
        "Vorwissen über einzelne Personen: Wer weiß, dass eine bestimmte Person gemeldet wurde, "
        "erfährt aus den Zahlen nicht mehr als aus ihrem Zutreffen auf mindestens "
        f"{r.min_personen} Personen – die Regel schützt Zahlen, nicht das Wissen, dass jemand "
        "in den Daten ist.",
        "Einwohnerzahlen sind nicht überlagert (sie stammen aus dem Zensus-Gitter, das schon "
        "geschützt ist); Raten sind aus den überlagerten Personenzahlen gerechnet.",
        "Der interne Modus zeigt genaue Zahlen ab 3 Personen ohne Überlagerung. Er ist nur für "
        "benannte Fachkräfte mit Begründung gedacht; jede Ausgabe trägt Namen und Grund.",
        "Das Geheimnis (Salz) der Region: Wer es und die Personenschlüssel kennt, kann die "
        "Überlagerung nachrechnen. Es bleibt bei den Daten der Region und wird nie "
        "veröffentlicht.",
    ]


def erklaerung(rule: DisclosureRule | None = None) -> str:
    """The method in plain German (Markdown) for the Hilfe page."""
    r = _rule(rule)
    t = r.tabelle
    return (
        "**Wie der Atlas die Personen in den Barrieremeldungen schützt**\n\n"
        "Barrieremeldungen stammen aus der Fallarbeit. Es sind Sozial- und Gesundheitsdaten "
        "(§ 35 SGB I, § 67 SGB X, Art. 9 DSGVO). Der Atlas zeigt sie deshalb nie als Punkte, "
        "sondern nur als Zahlen je Gitterzelle, Planungsraum, Straße, Jahr und ICF-Code – nach "
        "demselben Verfahren, das die Statistischen Ämter beim Zensus 2022 verwenden "
        "(Cell-Key-Methode):\n\n"
        f"1. **Mindestens {r.min_personen} Personen.** Eine Zahl wird nur gezeigt, wenn "
        f"mindestens {r.min_personen} verschiedene Personen dahinterstehen. Gezählt werden "
        "Personen, nicht Meldungen; Schreibweisen eines Schlüssels (groß/klein, Leerzeichen, "
        "unsichtbare Zeichen) gelten als eine Person."
        + (f" Zahlen knapp darüber ({r.min_personen} bis {t.max_unpublished} Personen) werden "
           "nur für einen Teil der Zellen gezeigt – welcher, entscheidet der Zufallsschlüssel "
           "der Zelle –, damit das erste Erscheinen einer Zahl nicht verrät, dass vorher genau "
           f"{r.min_personen - 1} Personen dahinterstanden." if t.unschaerfe else "") + "\n"
        "2. **Leicht verändert.** Jede Person hat eine feste Zufallszahl. Aus den Zufallszahlen "
        "der Personen einer Zelle ergibt sich nach einer festen, veröffentlichten Tabelle, um "
        f"wie viel die Zahl verändert wird: meist um 0, 1 oder 2, höchstens um {t.max_abweichung}. "
        f"Danach wird auf ein Vielfaches von {r.rundungsbasis} gerundet. Zusammen weicht eine "
        f"Zahl höchstens um {t.max_total_change} ab, im Mittel gar nicht.\n"
        "3. **Immer gleich. Kein Zurückrechnen.** Dieselben Personen ergeben überall dieselbe Zahl: in der Karte, "
        "in der Tabelle, bei „alle Jahre“ und beim einzelnen Jahr, in der App, im Bericht und "
        "im Export, heute und morgen. Deshalb kann man nicht durch Vergleichen von Auswahlen "
        "oder Ständen zurückrechnen – die Unterschiede sind so unsicher wie die Veränderung.\n"
        "4. **Leer und ausgeblendet sehen gleich aus.** „keine Angabe“ heißt: keine oder "
        f"höchstens {t.max_unpublished} Personen. Jede Tabelle hat feste Zeilen (alle "
        "Planungsräume, dieselben Jahre) oder zeigt nur veröffentlichte Zellen.\n"
        "5. **Reihenfolgen aus veröffentlichten Zahlen.** „Häufigste Codes“ sind nach der "
        "gezeigten Zahl geordnet, bei Gleichstand nach dem Code.\n"
        "6. **Dichteflächen und Hotspots** werden nur aus den veröffentlichten Zahlen "
        "berechnet, nie aus den Meldeorten.\n\n"
        "Deshalb ergeben Teilsummen nicht immer genau die Gesamtzahl – das ist gewollt."
    )


def leichte_sprache(rule: DisclosureRule | None = None) -> str:
    """The method in Leichte Sprache (Markdown) for the Hilfe page."""
    r = _rule(rule)
    k = r.min_personen
    return (
        "**So schützen wir die Menschen in den Meldungen**\n\n"
        "Menschen erzählen uns von Barrieren.\n"
        "Zum Beispiel: Eine Treppe ohne Rampe.\n"
        "Diese Meldungen sind geheim.\n"
        "Niemand soll wissen: Wer hat etwas gemeldet?\n\n"
        "Darum zeigen wir keine Punkte auf der Karte.\n"
        "Wir zeigen nur Zahlen.\n\n"
        f"Hinter jeder Zahl stehen mindestens {k} Menschen.\n"
        f"Sind es weniger als {k} Menschen?\n"
        "Dann steht dort: keine Angabe.\n"
        "Das steht auch dort, wenn es gar keine Meldung gibt.\n"
        "So kann niemand sehen, wo wenige Menschen etwas gemeldet haben.\n\n"
        "Wir verändern jede Zahl ein kleines bisschen.\n"
        "Ein Zufall bestimmt, um wie viel.\n"
        "Aber: Für dieselben Menschen ist die Zahl immer gleich.\n"
        "Auf der Karte, in der Tabelle und im Bericht.\n"
        "So kann niemand durch Vergleichen etwas heraus-finden.\n\n"
        "Die Zahlen sind darum nicht ganz genau.\n"
        "Aber sie zeigen gut: Wo gibt es viele Barrieren?"
    )


def rule_text(rule: DisclosureRule) -> str:
    """The rule in German for the Barrieren page, reports and exports (Markdown)."""
    text = erklaerung(rule) + "\n\n**Garantie:** " + garantie(rule)
    text += "\n\n**Nicht abgedeckt:**\n" + "\n".join(f"- {item}" for item in nicht_abgedeckt(rule))
    if rule.ist_intern:
        text = (f"**INTERNER MODUS – nicht zur Veröffentlichung.** Angefordert von "
                f"{rule.angefordert_von}. Grund: {rule.begruendung}. Genaue Zahlen ab "
                f"{rule.min_personen} Personen, ohne Überlagerung.\n\n") + text
    return text
