"""What checking and importing a service file found: :class:`ImportReport`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from layers.errors import Problem
from layers.formatting import de_count
from layers.geocode import PLACED

__all__ = ["ImportReport"]


@dataclass
class ImportReport:
    """What checking (and possibly importing) a service file found.

    Attributes
    ----------
    datei
        The file.
    zeilen
        Number of data rows read.
    gueltig
        Valid rows in the ``angebote`` schema (region CRS), ready to be written; column
        ``zeile`` says which row of the file each came from.
    probleme
        Every finding (errors block their row; warnings do not).
    geokodierung
        One row per geocoded address: ``zeile``, ``adresse``, ``status``, ``punktzahl``,
        ``treffer``, ``hinweis``, ``x``, ``y``.
    spalten
        Which header of the file was read as which schema field.
    modus
        ``"alles"`` or ``"gueltige"`` once written; ``None`` after a check only.
    geschrieben, aktualisiert
        Rows inserted and rows updated by :func:`import_services`.
    """

    datei: str
    zeilen: int = 0
    gueltig: gpd.GeoDataFrame | None = None
    probleme: list[Problem] = field(default_factory=list)
    geokodierung: pd.DataFrame = field(default_factory=pd.DataFrame)
    spalten: dict[str, str] = field(default_factory=dict)
    modus: str | None = None
    geschrieben: int = 0
    aktualisiert: int = 0

    @property
    def fehler(self) -> list[Problem]:
        """Findings that block a row (or the file)."""
        return [p for p in self.probleme if p.schwere == "fehler"]

    @property
    def warnungen(self) -> list[Problem]:
        """Findings that do not block."""
        return [p for p in self.probleme if p.schwere != "fehler"]

    @property
    def fehlerhafte_zeilen(self) -> list[int]:
        """Rows of the file with at least one error (sorted)."""
        return sorted({p.zeile for p in self.fehler if p.zeile is not None})

    @property
    def gueltige_zeilen(self) -> int:
        """Number of rows that passed."""
        return 0 if self.gueltig is None else len(self.gueltig)

    def tabelle(self) -> pd.DataFrame:
        """The findings as a table for the app and for download (German column names)."""
        return pd.DataFrame(
            [
                {
                    "Datei": Path(p.datei).name if p.datei else Path(self.datei).name,
                    "Zeile": p.zeile,
                    "Spalte": p.spalte,
                    "Schwere": "Fehler" if p.schwere == "fehler" else "Warnung",
                    "Meldung": p.meldung,
                    "So beheben": p.hinweis,
                }
                for p in self.probleme
            ],
            columns=["Datei", "Zeile", "Spalte", "Schwere", "Meldung", "So beheben"],
        )

    def zusammenfassung(self) -> str:
        """A German one-paragraph summary."""
        name = Path(self.datei).name
        text = (
            f"{name}: {de_count(self.zeilen, 'Zeile', 'Zeilen')} gelesen, "
            f"{self.gueltige_zeilen} gültig, {len(self.fehlerhafte_zeilen)} mit Fehlern, "
            f"{de_count(len(self.warnungen), 'Warnung', 'Warnungen')}."
        )
        if len(self.geokodierung):
            placed = int(self.geokodierung["status"].isin(PLACED).sum())
            text += f" {placed} von {len(self.geokodierung)} Adressen offline verortet."
        if self.modus is not None:
            text += f" Gespeichert: {self.geschrieben} neu"
            text += f", {self.aktualisiert} aktualisiert." if self.aktualisiert else "."
        return text
