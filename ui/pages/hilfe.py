"""Page 'Hilfe': what the tool does and how to use it, also in Leichte Sprache; sources, licences."""

from __future__ import annotations

import streamlit as st

from analyses.privacy import texts as privacy_texts
from ui import sidebar, widgets

__all__ = ["render"]

ANLEITUNG = """
Der **Sozialraum-Atlas** zeigt, wie ein Sozialraum für Menschen mit Behinderungen, ältere Menschen
und andere Zielgruppen aufgestellt ist: Wo liegen die Beratungs- und Hilfeangebote, wie viele
Menschen leben in welchem Planungsraum, wo fehlen Angebote, wo häufen sich Barrieren? Das Werkzeug
läuft auf Ihrem eigenen Rechner und braucht kein Internet.

**Die Seiten**

- **Karte** – Planungsräume, Angebote nach Typ, die Bevölkerung, Versorgungslücken und
  Barriere-Schwerpunkte als Ebenen zum Ein- und Ausschalten. Ein Klick auf einen Planungsraum oder
  ein Angebot zeigt die Einzelheiten rechts. Unter der Karte stehen dieselben Angaben als Tabellen,
  zum Herunterladen als CSV (für Excel).
- **Erreichbarkeit** – wie schnell die Menschen zu Fuß, als Seniorin oder Senior, mit Rollator oder
  im Rollstuhl das nächste passende Angebot erreichen: Karte der Reisezeit je 100-m-Zelle,
  Versorgung je Planungsraum (erreicht, nicht erreicht, nicht angebunden; auch für Menschen ab 65),
  Versorgungslücken, Isochronen ab einem Angebot oder einem Klick in die Karte. Die Ansicht „Bus
  und Bahn“ zeigt den Fußweg zur nächsten Haltestelle und – wo ein Fahrplan hinterlegt ist – die
  ÖV-Güteklassen. Alles zum Herunterladen (CSV, GeoPackage).
- **Barrieren (ICF)** – Schwerpunkte gemeldeter Barrieren nach ICF-Umweltfaktoren und
  Beeinträchtigungsgruppen, nur als geschützte Zusammenfassung (Gitterzellen, Planungsräume,
  Straßen; Hotspots nach Getis-Ord Gi*). Die Datenschutz-Regel steht auf der Seite.
- **Planungsräume** – ein Profil je Planungsraum: Karte, Kennzahlen im Vergleich zur Region,
  Erreichbarkeit und Versorgungslücken, Barrieren (geschützt), Angebote und der Steckbrief als PDF
  und HTML zum Herunterladen.
- **Netzwerk & Präsenz** – vier Ansichten. *Kooperationen*: wer mit wem zusammenarbeitet
  (Linien in der Karte, ein Netzwerkdiagramm, Tabellen). „Ohne Kooperation“ sind Angebote, die
  mit keinem anderen zusammenarbeiten; „Vermittler“ sind Angebote, ohne die ihr Netz in Teile
  zerfiele; „fehlende Verbindungen“ sind Angebote, die sich ergänzen (zum Beispiel KoKoBe und
  EUTB, die Begründung steht dabei), in der gewählten Zeit voneinander erreichbar sind, aber
  nicht kooperieren. Die Liste lässt sich importieren (CSV, Excel) und bearbeiten. *Präsenz
  eines Trägers*: eigene Stellen, Sprechstunden in den Räumen anderer und Veranstaltungen, je
  Planungsraum, und wie viele Menschen eine Stelle oder Sprechstunde erreichen.
  *Sprechstunden-Vorschlag*: in welchen stufenlosen Räumen anderer Träger eine Sprechstunde die
  meisten Menschen neu erreicht, mit einem Zeitfenster in deren Öffnungszeiten. *Mobiles Büro*:
  Halte in gewählten Planungsräumen, die Menschen ohne erreichbare feste Stelle erreichen, und
  ein Wochenplan (Tag, von–bis, Halt); die Fahrzeiten sind geschätzt (modelliert).
  *Aufsuchend & Öffnungszeiten*: wer ein Angebot vor Ort erreicht, wer im Zuständigkeitsgebiet
  eines aufsuchenden Angebots wohnt (jede Person zählt einmal), wer zu einem Zeitpunkt wie
  „Di 17:00“ ein geöffnetes Angebot erreicht, wie viele Stunden je Woche Angebote im
  Planungsraum geöffnet sind und wo Angebote nur per Telefon, Video oder online erreichbar sind.
- **Konferenzmodus** – ein Planungsraum auf dem Beamer: große Karte, fünf Kennzahlen in großer
  Schrift (auch die Erreichbarkeit), Blättern mit „Vorheriger“ und „Nächster“.
- **Daten** – was in der Region gespeichert ist; Angebotslisten importieren (mit Prüfbericht je
  Zeile), das Angebotsverzeichnis bearbeiten (mit Änderungsverlauf und Rückgängig), eigene
  Planungsräume, Kennzahlen-Tabellen und Barrieremeldungen einlesen; Exporte als CSV, GeoJSON und
  GeoPackage.

**Erreichbarkeit richtig lesen**

- Die Wege folgen dem Fußwegenetz aus OpenStreetMap. Für den Rollstuhl sind Treppen, Steigungen
  über 6 %, Bordsteine über 3 cm und schlechte Beläge gesperrt; mit Rollator keine Treppen.
- Viele Wege haben keine Angabe zu Steigung oder Bordstein. **Optimistisch** heißt: solche Wege
  gelten als passierbar. **Vorsichtig** heißt: sie gelten als Hindernis oder Umweg. Vergleichen
  Sie beide – die Wirklichkeit liegt meist dazwischen.
- „Nicht angebunden“ heißt: eine Zelle liegt mehr als 250 m vom passierbaren Wegenetz entfernt.

**Bedienung mit der Tastatur**

- Mit der **Tab-Taste** springen Sie von Bedienelement zu Bedienelement, mit **Umschalt+Tab**
  zurück. Auswahllisten öffnen Sie mit der **Eingabetaste** oder den **Pfeiltasten**.
- In der Karte: Tab führt in die Karte; die **Pfeiltasten** verschieben, **+** und **−**
  vergrößern und verkleinern. Angebote in der Karte erreichen Sie mit Tab; die Eingabetaste zeigt
  ihre Einzelheiten.
- Alles, was die Karte zeigt, steht auch in den Tabellen und Auswahllisten neben oder unter ihr.

**Grundkarte**

Ohne Internet zeichnet der Atlas die Grundkarte aus den OpenStreetMap-Daten der Region: Straßen,
Gewässer, Grünflächen, Wald und Gebäude in hellen Farben. In der Seitenleiste können Sie
„Online-Kartenkacheln“ einschalten; dann lädt die Karte Kacheln von OpenStreetMap aus dem Internet.
"""

LEICHTE_SPRACHE = """
Hier steht die Hilfe in Leichter Sprache.

**Was ist der Sozialraum-Atlas?**

Der Sozialraum-Atlas ist ein Programm.
Das Programm zeigt eine Karte von einer Stadt.
Auf der Karte sehen Sie Beratungs-Stellen.
Eine Beratungs-Stelle hilft Menschen.
Zum Beispiel Menschen mit Behinderung.
Oder älteren Menschen.

**Wer benutzt das Programm?**

Menschen, die für eine Stadt planen.
Sie wollen wissen:
Gibt es genug Beratungs-Stellen?
Kommen alle Menschen gut dorthin?
Auch mit dem Rollstuhl?

**Was ist ein Planungs-Raum?**

Die Stadt ist in Teile aufgeteilt.
Jeder Teil heißt Planungs-Raum.
Für jeden Planungs-Raum gibt es Zahlen.
Zum Beispiel: Wie viele Menschen wohnen dort?

**Was ist eine Barriere?**

Eine Barriere ist ein Hindernis.
Zum Beispiel eine Treppe ohne Rampe.
Oder ein Formular in schwerer Sprache.
Menschen können Barrieren melden.
Das Programm zeigt nie, wer etwas gemeldet hat.
Es zeigt nur Orte, an denen viele Menschen etwas gemeldet haben.

**So benutzen Sie das Programm**

Links ist ein Menü.
Dort wählen Sie eine Seite.
Die Seite „Karte“ zeigt die Karte.
Die Seite „Erreichbarkeit“ zeigt:
Wie lange braucht man bis zur nächsten Beratungs-Stelle?
Zu Fuß, mit Rollator oder mit dem Rollstuhl.
Sie können auf die Karte klicken.
Dann sehen Sie mehr über einen Ort.
Unter der Karte steht alles noch einmal als Tabelle.
Sie können auch nur die Tastatur benutzen.
Die Tab-Taste springt zum nächsten Feld.

**Wer arbeitet zusammen?**

Die Seite „Netzwerk & Präsenz“ zeigt:
Welche Beratungs-Stellen arbeiten zusammen?
Eine Linie auf der Karte heißt: Diese zwei Stellen arbeiten zusammen.
Ein großer Ring heißt: Diese Stelle arbeitet mit niemandem zusammen.
Manche Stellen passen gut zusammen.
Zum Beispiel die KoKoBe und die EUTB.
Wenn sie nah beieinander sind und nicht zusammen-arbeiten,
steht das in einer Liste.

**Wo ist ein Träger da?**

Ein Träger ist eine Organisation.
Zum Beispiel der LVR.
Die Seite zeigt alle Orte von einem Träger:
eigene Büros, Sprech-Stunden in anderen Räumen und Veranstaltungen.
Das Programm kann auch vorschlagen:
Hier sollte der Träger eine Sprech-Stunde anbieten.
Dann erreichen mehr Menschen die Beratung.

**Das mobile Büro**

Ein mobiles Büro ist ein Auto mit Beratung.
Es fährt zu den Menschen.
Das Programm sucht gute Halte-Stellen.
Und es macht einen Plan für die Woche:
An welchem Tag ist das Büro wo?
Die Fahr-Zeiten sind geschätzt.

**Wann ist offen?**

Manche Beratungs-Stellen sind nur vormittags offen.
Das Programm zeigt:
Wer erreicht am Dienstag um 17 Uhr eine offene Stelle?
Manche Stellen kommen auch nach Hause.
Das heißt: aufsuchend.
Und manche Stellen gibt es nur am Telefon oder im Internet.
Das Programm zeigt auch das.

**Was bedeuten diese Wörter?**

- **synthetisch**: Diese Daten sind erfunden. Sie sind zum Üben da.
- **modelliert**: Diese Zahlen sind geschätzt. Niemand hat gezählt.
- **generiert**: Das Programm hat das selbst gemacht. Zum Beispiel die Grenzen der Planungs-Räume.
"""

BEGRIFFE = """
- **synthetisch** – erfundene Daten, die echte Daten nachahmen, damit man das Werkzeug ausprobieren
  kann. In der Demo-Region sind das die Barrieremeldungen und die Beratungsstellen, die
  OpenStreetMap nicht kennt (EUTB, KoKoBe, KSL …; ihr Name endet auf „(fiktiv)“). Sie werden mit
  festem Zufallswert erzeugt und tragen in den Daten selbst `quelle = synthetisch`, so dass jeder
  Export das Kennzeichen mitnimmt.
- **modelliert** – geschätzte Werte. Die Bevölkerung der Demo-Region wird aus der Wohnfläche der
  Gebäude geschätzt (Bruttogrundfläche × Wohnflächenanteil ÷ Wohnfläche je Einwohner) und nach den
  bundesweiten Altersanteilen aufgeteilt. Eine echte Zensus-2022-Gitterdatei ersetzt das Modell.
- **generiert** – vom Programm erzeugte Geometrie. Die Planungsräume der Demo-Region sind
  Voronoi-Zellen um OpenStreetMap-Ortsteilpunkte, keine amtlichen Grenzen; für echte Planungen
  importieren Sie Ihre eigenen Planungsraumgrenzen.
"""

QUELLEN = """
| Daten | Lizenz und Namensnennung |
| --- | --- |
| OpenStreetMap (Wege, Gebäude, Adressen, Haltestellen, Angebote, Grundkarte) | ODbL 1.0 – „© OpenStreetMap contributors“ (OpenStreetMap-Mitwirkende) |
| Gemeinden mit Einwohnerzahl (VG250-EW) | Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0) – „© GeoBasis-DE / BKG (2024)“ |
| Kölner Stadtteile und Einwohner 2005–2012 | CC BY – „Stadt Köln“ |
| ICF-Umweltfaktoren (Codes und deutsche Titel) | ICF © WHO / DIMDI (heute BfArM) 2005, unverändert übernommen |
| Fahrplandaten (GTFS-Ausschnitt Heidelberg) | VRN Open Data – Namensnennung „VRN“ |
| Kartenbibliothek Leaflet 1.9.4, Leaflet.markercluster 1.5.3 | BSD-2-Clause bzw. MIT (im Programm mitgeliefert, keine Internetverbindung nötig) |
"""


def render() -> None:
    """Draw the page."""
    st.title("Hilfe")
    anleitung, leicht, begriffe, quellen, barrierefreiheit = st.tabs(
        ["Anleitung", "Leichte Sprache", "Begriffe", "Quellen und Lizenzen", "Barrierefreiheit"]
    )
    with anleitung:
        st.markdown(ANLEITUNG)
    with leicht:
        st.markdown(LEICHTE_SPRACHE)
        st.markdown(privacy_texts.leichte_sprache())
    with begriffe:
        st.header("Was „synthetisch“, „modelliert“ und „generiert“ bedeuten", anchor=False)
        st.markdown(BEGRIFFE)
        st.header("Datenschutz bei Barrieremeldungen", anchor=False)
        st.markdown(privacy_texts.erklaerung())
        st.markdown("**Garantie:** " + privacy_texts.garantie())
        with st.expander("Was die Regel nicht abdeckt"):
            st.markdown("\n".join(f"- {item}" for item in privacy_texts.nicht_abgedeckt()))
    with quellen:
        st.markdown(QUELLEN)
        st.markdown(
            "Die Daten werden aus dem Ordner `shared/data` neben dem Projekt gelesen und nie ins "
            "Projekt kopiert. Abgeleitete Daten (Regionsspeicher, Kartendaten) liegen im Ordner "
            "`.cache`."
        )
    with barrierefreiheit:
        st.markdown(
            """
Der Atlas soll die Anforderungen der BITV 2.0 bzw. WCAG 2.1 Stufe AA erfüllen:

- Farben der Karte sind für Farbsehschwächen geeignet (Viridis-Farbverlauf, Okabe-Ito-Farben) und
  nie die einzige Information: Formen (Kreis, Quadrat), Kürzel und Legendentexte sagen dasselbe.
- Texte haben mindestens ein Kontrastverhältnis von 4,5 : 1.
- Alle Bedienelemente sind mit der Tastatur erreichbar; der Tastaturfokus ist sichtbar.
- Die Seitensprache ist Deutsch; Kartenbedienelemente haben deutsche Beschriftungen.
- Neben jeder Karte steht eine Tabelle mit denselben Angaben.

Barrieren gefunden? Bitte melden Sie sie im Projekt (Issue-Tracker), damit wir sie beheben.
"""
        )


sidebar.page_frame()
widgets.guarded(render)
