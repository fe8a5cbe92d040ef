"""Page 'Erreichbarkeit' (reachability): PLACEHOLDER until the analyses of issue #3 land (part B)."""

from __future__ import annotations

import streamlit as st

from ui import common


def render() -> None:
    """Draw the page."""
    st.title("Erreichbarkeit")
    st.warning(
        "Diese Seite ist noch in Arbeit: Die Erreichbarkeitsanalyse wird gerade fertiggestellt.",
        icon=":material/construction:",
    )
    st.markdown(
        """
Hier berechnen Sie bald, wie gut Menschen ein passendes Angebot erreichen:

- **Angebotstypen und Filter** wählen (z. B. nur stufenlos zugängliche Beratungsstellen),
- **Profil** wählen: zu Fuß, mit Rollator, im Rollstuhl oder mit Bus und Bahn,
- **Minuten** festlegen, die zumutbar sind,
- Ergebnis als **Karte der Reisezeiten** je 100-m-Zelle und als **Tabelle je Planungsraum**
  (Anteil der Einwohner, die das Angebot in der Zeit erreichen),
- **Isochrone** ab einem Punkt, den Sie in der Karte anklicken,
- alles zum **Herunterladen** (CSV, GeoPackage).

Bis dahin zeigt die Seite **Karte** die Angebote und Planungsräume mit Tabellen.
"""
    )


common.page_frame()
common.guarded(render)
