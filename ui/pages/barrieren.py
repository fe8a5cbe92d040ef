"""Page 'Barrieren (ICF)': PLACEHOLDER until the privacy-controlled hotspots of issue #5 land
(part B). It states the privacy rule in force and shows no barrier report at all."""

from __future__ import annotations

import streamlit as st

from layers import settings
from layers.barrieren import ICF_CHAPTERS
from ui import common


def render() -> None:
    """Draw the page."""
    st.title("Barrieren (ICF)")
    st.warning(
        "Diese Seite ist noch in Arbeit: Die datenschutzgerechte Auswertung der "
        "Barrieremeldungen wird gerade fertiggestellt. Bis dahin werden hier keine Meldungen gezeigt.",
        icon=":material/construction:",
    )
    st.header("Datenschutz-Regel", anchor=False)
    st.markdown(
        f"""
Barrieremeldungen stammen aus der Fallarbeit und sind Gesundheits- und Sozialdaten. Deshalb gilt
für alles, was diese Seite künftig zeigt oder zum Herunterladen anbietet:

- Eine Zelle oder ein Gebiet wird nur gezeigt, wenn sich dort **mindestens
  {settings.privacy_min_persons} verschiedene Personen** gemeldet haben.
- Zahlen werden **auf Vielfache von {settings.privacy_rounding_base} gerundet**.
- Es gibt **keine Punktkarten** und keine Dichteflächen einzelner Meldungen.
- Verdeckte Werte lassen sich nicht durch Vergleich zweier Tabellen zurückrechnen.
"""
    )
    st.header("Was hier entsteht", anchor=False)
    chapters = "\n".join(f"- **{code}** {title}" for code, title in ICF_CHAPTERS.items())
    st.markdown(
        "Eine Karte der Barriere-Schwerpunkte mit Tabellen, filterbar nach ICF-Kapitel und -Code "
        "(Umweltfaktoren) und nach Beeinträchtigungsgruppe. Die ICF-Kapitel der Umweltfaktoren:\n\n"
        + chapters
    )
    if "barrieren_synthetisch" in common.data_kinds():
        st.caption("Die Barrieremeldungen der Demo-Region sind synthetisch (erfunden).")


common.page_frame()
common.guarded(render)
