"""The one exception hierarchy of Sozialraum-Atlas.

Every error a user can cause derives from :class:`SozialraumError`. Messages are German because
they reach planners in the app and on the command line; they name the file, row and column where
known and always say how to fix the problem. The app catches :class:`SozialraumError` and shows
``str(error)`` with ``st.error``; the CLI prints it and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "AnalysisError",
    "CRSError",
    "ConfigError",
    "GeometryError",
    "InputValidationError",
    "LayerNotFoundError",
    "PersonalDataError",
    "PrivacyError",
    "Problem",
    "ProfileError",
    "SharedDataMissingError",
    "SourceDataError",
    "SozialraumError",
    "StoreError",
    "UserStoreDamagedError",
    "VersionConflictError",
]


@dataclass(frozen=True)
class Problem:
    """One finding of a validation, addressed to a user.

    Parameters
    ----------
    meldung
        What is wrong, in German.
    hinweis
        How to fix it, in German.
    datei
        The file concerned, if any.
    zeile
        The 1-based row as a spreadsheet program shows it (header = row 1), if any.
    spalte
        The column name, if any.
    schwere
        ``"fehler"`` blocks the import of the row; ``"warnung"`` does not.
    """

    meldung: str
    hinweis: str = ""
    datei: str | None = None
    zeile: int | None = None
    spalte: str | None = None
    schwere: str = "fehler"

    def ort(self) -> str:
        """Return where the problem is, e.g. ``"Datei 'a.csv', Zeile 4, Spalte 'PLZ'"``."""
        teile = []
        if self.datei:
            teile.append(f"Datei '{Path(self.datei).name}'")
        if self.zeile is not None:
            teile.append(f"Zeile {self.zeile}")
        if self.spalte:
            teile.append(f"Spalte '{self.spalte}'")
        return ", ".join(teile)

    def __str__(self) -> str:
        ort = self.ort()
        text = f"{ort}: {self.meldung}" if ort else self.meldung
        if self.hinweis:
            text += f" So beheben: {self.hinweis}"
        return text


class SozialraumError(Exception):
    """Base class of every error a user can cause or fix.

    Parameters
    ----------
    meldung
        What went wrong, in German.
    hinweis
        How to fix it, in German.
    datei, zeile, spalte
        Where the problem is, if known.
    probleme
        Individual findings (e.g. one per bad row of an import).
    """

    def __init__(
        self,
        meldung: str,
        *,
        hinweis: str = "",
        datei: str | Path | None = None,
        zeile: int | None = None,
        spalte: str | None = None,
        probleme: Sequence[Problem] = (),
    ) -> None:
        self.meldung = meldung
        self.hinweis = hinweis
        self.datei = str(datei) if datei is not None else None
        self.zeile = zeile
        self.spalte = spalte
        self.probleme = list(probleme)
        super().__init__(self._text())

    def ort(self) -> str:
        """Where the problem is, in German (e.g. "Datei 'liste.csv', Zeile 4"), or ""."""
        return Problem("", datei=self.datei, zeile=self.zeile, spalte=self.spalte).ort()

    def _text(self) -> str:
        ort = self.ort()
        text = f"{ort}: {self.meldung}" if ort else self.meldung
        if self.hinweis:
            text += f" So beheben: {self.hinweis}"
        if self.probleme:
            gezeigt = self.probleme[:10]
            text += "\n" + "\n".join(f"- {p}" for p in gezeigt)
            if len(self.probleme) > len(gezeigt):
                text += f"\n- … und {len(self.probleme) - len(gezeigt)} weitere Befunde."
        return text


class ConfigError(SozialraumError):
    """A region configuration is missing, unreadable or inconsistent."""


class SourceDataError(SozialraumError):
    """A source file (OSM extract, boundary file, table) is missing, corrupt or unusable."""


class SharedDataMissingError(SourceDataError):
    """The shared reference data directory (``../shared/data``) is not where it should be."""


class CRSError(SozialraumError):
    """A layer has no coordinate reference system, or not the one the region works in."""


class GeometryError(SozialraumError):
    """Geometries are invalid, empty, of the wrong type or outside the region."""


class InputValidationError(SozialraumError):
    """An input table failed validation; :attr:`probleme` lists every finding."""


class PersonalDataError(InputValidationError):
    """An input file carries columns with directly identifying personal data."""


class StoreError(SozialraumError):
    """Reading or writing the region store failed."""


class LayerNotFoundError(StoreError):
    """A requested layer does not exist in the region store."""


class UserStoreDamagedError(StoreError):
    """The user store (imports, edits, scenarios, audit) cannot be read; it is left untouched.

    Builds, the app and the CLI stop with this error instead of writing anything, so that a
    damaged file can still be rescued or restored from a backup.
    """


class VersionConflictError(StoreError):
    """An edit was based on an outdated version of an object and was refused."""


class AccessDeniedError(StoreError, PermissionError):
    """The database refused a read or write the user's role does not allow (server mode)."""


class LoginError(StoreError, PermissionError):
    """A login to the server database failed (unknown user, wrong password, no role)."""


class AnalysisError(SozialraumError):
    """An analysis was asked something it cannot answer with the given inputs."""


class ProfileError(AnalysisError):
    """An unknown or inconsistent travel profile."""


class PrivacyError(SozialraumError):
    """An output would break the disclosure-control rules for barrier reports."""
