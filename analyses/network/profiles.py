"""Travel profiles (Fortbewegungsprofile): speeds and rules on network attributes, as data.

The profiles live in ``data/profile.toml`` (the file documents every number and rule). This module
reads them and turns the rules into one time factor per edge of ``netz_kanten``: a finite factor
≥ 1 for passable edges, ``inf`` for blocked ones. Two modes say how unknown tags count:
``"optimistisch"`` (unknown = passable) and ``"pessimistisch"`` (the profile's
``[profil.pessimistisch]`` rules apply); every result records the mode it was computed with.

Examples
--------
>>> from analyses.network.profiles import get_profile
>>> get_profile("rollstuhl").geschwindigkeit_m_s
0.8
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from layers import settings
from layers.errors import ConfigError, ProfileError

__all__ = [
    "BLOCK",
    "EDGE_COLUMNS",
    "INCLINE_STEEP",
    "INCLINE_VAGUE",
    "PESSIMISTIC_RULES",
    "UNKNOWN_MODES",
    "UNPAVED_PATH_HIGHWAYS",
    "Profile",
    "check_unknown_mode",
    "default_unknown_mode",
    "get_profile",
    "load_profiles",
    "profile_file",
]

UNKNOWN_MODES = ("optimistisch", "pessimistisch")
BLOCK = "sperren"
# Pessimistic rules a profile may set (see data/profile.toml for their meaning).
PESSIMISTIC_RULES = (
    "steigung_unbekannt",
    "bordstein_unbekannt",
    "unbefestigt_ohne_smoothness",
    "oberflaeche_unbekannt_weg",
)
# incline values that say there is a slope without saying how steep it is.
INCLINE_VAGUE = {"up", "down", "yes"}
# incline values that say the slope is steep: above every limit in both modes.
INCLINE_STEEP = {"steep"}
UNPAVED_PATH_HIGHWAYS = {"path", "track", "bridleway"}
# Columns of netz_kanten the rules read.
EDGE_COLUMNS = (
    "laenge_m",
    "highway",
    "surface",
    "smoothness",
    "incline",
    "steigung_prozent",
    "breite_m",
    "wheelchair",
    "treppe",
    "bordstein_cm",
    "bordstein_unbekannt",
    "barriere_blockiert",
)


@dataclass(frozen=True)
class Profile:
    """One travel profile.

    Attributes
    ----------
    name
        Key used everywhere (``"fuss"``, ``"senior"``, ``"rollator"``, ``"rollstuhl"``).
    bezeichnung, beschreibung
        German label and description for the app.
    geschwindigkeit_m_s
        Speed on a flat, smooth way (m/s).
    treppen
        Time factor on steps, or ``inf`` if steps are blocked.
    sperrt_rollstuhl_nein
        Block edges tagged ``wheelchair=no``.
    sperrt_barrieren
        Block edges with a barrier the profile cannot pass (``barriere_blockiert``).
    max_steigung_prozent, max_bordstein_cm, min_breite_m
        Limits; ``None`` means no limit.
    gesperrte_smoothness, gesperrte_oberflaechen
        ``smoothness`` and ``surface`` values that block an edge.
    oberflaechen_faktor
        Time factor per ``surface`` value.
    pessimistisch
        Rules for unknown tags in the pessimistic mode: rule → factor (``inf`` = blocked).
    unbefestigt
        Surfaces counted as unpaved by the rule ``unbefestigt_ohne_smoothness``.
    """

    name: str
    bezeichnung: str
    beschreibung: str
    geschwindigkeit_m_s: float
    treppen: float = 1.0
    sperrt_rollstuhl_nein: bool = False
    sperrt_barrieren: bool = False
    max_steigung_prozent: float | None = None
    max_bordstein_cm: float | None = None
    min_breite_m: float | None = None
    gesperrte_smoothness: frozenset[str] = frozenset()
    gesperrte_oberflaechen: frozenset[str] = frozenset()
    oberflaechen_faktor: dict[str, float] = field(default_factory=dict)
    pessimistisch: dict[str, float] = field(default_factory=dict)
    unbefestigt: frozenset[str] = frozenset()

    def fingerprint(self) -> str:
        """Return a hash of every rule and number (part of every cache key)."""
        data = asdict(self)
        data = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in data.items()}
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def edge_factors(self, edges: pd.DataFrame, unbekannt: str) -> np.ndarray:
        """Time factor of every edge: ≥ 1 if passable, ``inf`` if blocked.

        Parameters
        ----------
        edges
            Edges with the columns of ``netz_kanten`` (see :data:`EDGE_COLUMNS`; missing columns
            count as unknown tags).
        unbekannt
            ``"optimistisch"`` or ``"pessimistisch"``.

        Returns
        -------
        numpy.ndarray
            One float per row of ``edges``.
        """
        mode = check_unknown_mode(unbekannt)
        columns = _EdgeColumns(edges)
        factor, blocked = self._tag_rules(columns)
        if mode == "pessimistisch" and self.pessimistisch:
            factor, blocked = self._pessimistic_rules(columns, factor, blocked)
        return np.where(blocked, np.inf, factor)

    def _tag_rules(self, edges: _EdgeColumns) -> tuple[np.ndarray, np.ndarray]:
        """Factor and blocked mask from the rules that read tags (both modes)."""
        n = edges.n
        highway = edges.text("highway")
        surface = edges.text("surface")
        steps = edges.flag("treppe") | highway.equals("steps")
        factor = np.ones(n)
        blocked = np.zeros(n, dtype=bool)
        if math.isinf(self.treppen):
            blocked |= steps
        else:
            factor = np.where(steps, factor * self.treppen, factor)
        if self.sperrt_rollstuhl_nein:
            blocked |= edges.text("wheelchair").equals("no")
        if self.sperrt_barrieren:
            blocked |= edges.flag("barriere_blockiert")
        steep_tag = edges.text("incline", lower=True).isin(INCLINE_STEEP)
        if self.max_steigung_prozent is not None:
            blocked |= edges.number("steigung_prozent") > self.max_steigung_prozent
            blocked |= steep_tag
        if self.max_bordstein_cm is not None:
            blocked |= edges.number("bordstein_cm") > self.max_bordstein_cm
        if self.min_breite_m is not None:
            blocked |= edges.number("breite_m") < self.min_breite_m
        if self.gesperrte_smoothness:
            blocked |= edges.text("smoothness").isin(self.gesperrte_smoothness)
        if self.gesperrte_oberflaechen:
            blocked |= surface.isin(self.gesperrte_oberflaechen)
        if self.oberflaechen_faktor:
            factor = factor * surface.map(self.oberflaechen_faktor, 1.0)
        return factor, blocked

    def _pessimistic_rules(
        self, edges: _EdgeColumns, factor: np.ndarray, blocked: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Apply the ``[profil.pessimistisch]`` rules for unknown tags to factor and mask."""
        highway = edges.text("highway")
        surface = edges.text("surface")
        smoothness = edges.text("smoothness")
        incline = edges.text("incline", lower=True)
        vague_incline = incline.isin(INCLINE_VAGUE) & np.isnan(edges.number("steigung_prozent"))
        conditions = {
            "steigung_unbekannt": vague_incline,
            "bordstein_unbekannt": edges.flag("bordstein_unbekannt"),
            "unbefestigt_ohne_smoothness": surface.isin(self.unbefestigt)
            & smoothness.equals(""),
            "oberflaeche_unbekannt_weg": highway.isin(UNPAVED_PATH_HIGHWAYS)
            & surface.equals(""),
        }
        for rule, rule_factor in self.pessimistisch.items():
            hit = conditions[rule]
            if math.isinf(rule_factor):
                blocked = blocked | hit
            else:
                factor = np.where(hit, factor * rule_factor, factor)
        return factor, blocked


class _EdgeColumns:
    """The edge columns the rules read; a missing column counts as unknown tags.

    Text columns are factorised once (:class:`_Tag`) and reused by every rule.
    """

    def __init__(self, edges: pd.DataFrame) -> None:
        self.edges = edges
        self.n = len(edges)
        self._tags: dict[tuple[str, bool], _Tag] = {}

    def text(self, column: str, lower: bool = False) -> _Tag:
        """Return the text column, factorised (missing = ``""``)."""
        key = (column, lower)
        if key not in self._tags:
            values = self.edges[column] if column in self.edges.columns else None
            self._tags[key] = _Tag(values, self.n, lower=lower)
        return self._tags[key]

    def number(self, column: str) -> np.ndarray:
        """Return the column as floats (NaN where missing or not a number)."""
        if column not in self.edges.columns:
            return np.full(self.n, np.nan)
        values: np.ndarray = pd.to_numeric(self.edges[column], errors="coerce").to_numpy(
            dtype=float
        )
        return values

    def flag(self, column: str) -> np.ndarray:
        """Return the column as booleans (False where missing)."""
        if column not in self.edges.columns:
            return np.zeros(self.n, dtype=bool)
        values: np.ndarray = (
            self.edges[column].astype("boolean").fillna(False).to_numpy(dtype=bool)
        )
        return values


class _Tag:
    """One text column of the edges, factorised.

    Rules are evaluated once per distinct value (a handful) instead of once per edge (up to
    millions).
    """

    def __init__(self, values: pd.Series | None, n: int, *, lower: bool = False) -> None:
        if values is None:
            self.codes = np.zeros(n, dtype=np.intp)
            self.values = np.array([""], dtype=object)
            return
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        cleaned = [str(v).strip() for v in uniques]
        if lower:
            cleaned = [v.lower() for v in cleaned]
        self.values = np.array([*cleaned, ""], dtype=object)  # the last one stands for missing
        self.codes = np.where(codes < 0, len(cleaned), codes)

    def isin(self, allowed: frozenset[str] | set[str]) -> np.ndarray:
        """Whether each edge's value is one of ``allowed``."""
        hit = np.array([v in allowed for v in self.values], dtype=bool)
        return hit[self.codes]

    def equals(self, value: str) -> np.ndarray:
        """Whether each edge's value is ``value`` (``""`` = missing)."""
        return np.asarray(self.values == value, dtype=bool)[self.codes]

    def map(self, mapping: dict[str, float], default: float) -> np.ndarray:
        """Return a number per edge from its value."""
        numbers = np.array([mapping.get(v, default) for v in self.values], dtype=float)
        return numbers[self.codes]


def check_unknown_mode(unbekannt: str) -> str:
    """Return the mode if it is known.

    Raises
    ------
    ProfileError
        For any other value.
    """
    if unbekannt not in UNKNOWN_MODES:
        raise ProfileError(
            f"Unbekannter Umgang mit fehlenden Angaben: '{unbekannt}'.",
            hinweis="Erlaubt sind 'optimistisch' (fehlende Angaben gelten als passierbar) und "
            "'pessimistisch' (fehlende Angaben sperren oder verlangsamen, siehe data/profile.toml).",
        )
    return unbekannt


def _limit(value: Any, key: str, path: Path, name: str) -> float | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("keine", "")):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"Profil '{name}': '{key}' muss eine Zahl oder \"keine\" sein, nicht '{value}'.",
            hinweis=f"Korrigieren Sie den Eintrag '{key}' in data/profile.toml.",
            datei=path,
        ) from exc
    if result < 0:
        raise ConfigError(
            f"Profil '{name}': '{key}' darf nicht negativ sein ({value}).",
            hinweis=f"Korrigieren Sie den Eintrag '{key}' in data/profile.toml.",
            datei=path,
        )
    return result


def _factor(value: Any, key: str, path: Path, name: str) -> float:
    if isinstance(value, str) and value.strip().lower() == BLOCK:
        return math.inf
    try:
        result = float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"Profil '{name}': '{key}' muss ein Zeitfaktor (Zahl ≥ 1) oder \"sperren\" sein, "
            f"nicht '{value}'.",
            hinweis=f"Korrigieren Sie den Eintrag '{key}' in data/profile.toml.",
            datei=path,
        ) from exc
    if not result >= 1.0 or math.isinf(result):
        raise ConfigError(
            f"Profil '{name}': der Zeitfaktor '{key}' = {value} muss mindestens 1 sein.",
            hinweis="Ein Faktor unter 1 würde einen Weg schneller als Asphalt machen; schreiben Sie "
            "eine Zahl ≥ 1 oder \"sperren\".",
            datei=path,
        )
    return result


def profile_file() -> Path:
    """Return the profile table (``data/profile.toml``)."""
    return settings.vocab_dir / "profile.toml"


def _read_table(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"Die Profiltabelle kann nicht gelesen werden ({exc}).",
            hinweis="Stellen Sie data/profile.toml aus dem Repository wieder her oder korrigieren "
            "Sie die genannte Stelle.",
            datei=path,
        ) from exc


@lru_cache(maxsize=4)
def _load(path_text: str, mtime_ns: int) -> tuple[dict[str, Profile], str]:
    """Profiles by name and the default unknown-tag mode of the file (cached per mtime)."""
    path = Path(path_text)
    raw = _read_table(path)
    settings_section = raw.get("einstellungen", {})
    default_mode = str(settings_section.get("unbekannt_standard", "optimistisch"))
    if default_mode not in UNKNOWN_MODES:
        raise ConfigError(
            f"unbekannt_standard = '{default_mode}' ist nicht erlaubt.",
            hinweis="Schreiben Sie \"optimistisch\" oder \"pessimistisch\".",
            datei=path,
        )
    unpaved = frozenset(str(s) for s in settings_section.get("unbefestigt", []))
    profiles: dict[str, Profile] = {}
    entries = raw.get("profil", [])
    if not entries:
        raise ConfigError(
            "Die Profiltabelle enthält kein [[profil]].",
            hinweis="Stellen Sie data/profile.toml aus dem Repository wieder her.",
            datei=path,
        )
    for entry in entries:
        name = str(entry.get("name", "")).strip()
        if not name:
            raise ConfigError(
                "Ein [[profil]] hat keinen Namen.",
                hinweis="Ergänzen Sie name = \"…\".",
                datei=path,
            )
        if name in profiles:
            raise ConfigError(
                f"Das Profil '{name}' ist doppelt definiert.",
                hinweis="Jeder Profilname darf nur einmal vorkommen.",
                datei=path,
            )
        profiles[name] = _profile(entry, name, path, unpaved)
    return profiles, default_mode


def _pessimistic(entry: dict[str, Any], name: str, path: Path) -> dict[str, float]:
    pessimistic: dict[str, float] = {}
    for rule, value in dict(entry.get("pessimistisch", {})).items():
        if rule not in PESSIMISTIC_RULES:
            raise ConfigError(
                f"Profil '{name}': unbekannte Regel '{rule}' in [profil.pessimistisch].",
                hinweis=f"Bekannte Regeln: {', '.join(PESSIMISTIC_RULES)}.",
                datei=path,
            )
        pessimistic[rule] = _factor(value, rule, path, name)
    return pessimistic


def _profile(entry: dict[str, Any], name: str, path: Path, unpaved: frozenset[str]) -> Profile:
    """One ``[[profil]]`` entry as a :class:`Profile` (raises ConfigError naming the key)."""
    speed = _limit(entry.get("geschwindigkeit_m_s"), "geschwindigkeit_m_s", path, name)
    if speed is None or speed <= 0:
        raise ConfigError(
            f"Profil '{name}': die Geschwindigkeit muss größer als 0 m/s sein.",
            hinweis="Tragen Sie geschwindigkeit_m_s = 1.2 (o. ä.) ein.",
            datei=path,
        )
    pessimistic = _pessimistic(entry, name, path)

    def limit(key: str) -> float | None:
        return _limit(entry.get(key), key, path, name)

    def texts(key: str) -> frozenset[str]:
        return frozenset(str(s) for s in entry.get(key, []))

    return Profile(
        name=name,
        bezeichnung=str(entry.get("bezeichnung", name)),
        beschreibung=str(entry.get("beschreibung", "")),
        geschwindigkeit_m_s=speed,
        treppen=_factor(entry.get("treppen", 1.0), "treppen", path, name),
        sperrt_rollstuhl_nein=bool(entry.get("sperrt_rollstuhl_nein", False)),
        sperrt_barrieren=bool(entry.get("sperrt_barrieren", False)),
        max_steigung_prozent=limit("max_steigung_prozent"),
        max_bordstein_cm=limit("max_bordstein_cm"),
        min_breite_m=limit("min_breite_m"),
        gesperrte_smoothness=texts("gesperrte_smoothness"),
        gesperrte_oberflaechen=texts("gesperrte_oberflaechen"),
        oberflaechen_faktor={
            str(k): _factor(v, f"oberflaechen_faktor.{k}", path, name)
            for k, v in dict(entry.get("oberflaechen_faktor", {})).items()
        },
        pessimistisch=pessimistic,
        unbefestigt=unpaved,
    )


def load_profiles() -> dict[str, Profile]:
    """All profiles of ``data/profile.toml``, by name (re-read when the file changes).

    Raises
    ------
    ConfigError
        If the file is missing or malformed.
    """
    path = profile_file()
    mtime = path.stat().st_mtime_ns if path.exists() else 0
    return dict(_load(str(path), mtime)[0])


def default_unknown_mode() -> str:
    """Return the mode for unknown tags used when a caller does not choose one."""
    path = profile_file()
    mtime = path.stat().st_mtime_ns if path.exists() else 0
    return _load(str(path), mtime)[1]


def get_profile(profile: str | Profile) -> Profile:
    """Look a profile up by name (a :class:`Profile` is returned unchanged).

    Raises
    ------
    ProfileError
        If no profile of that name exists; the message lists the known ones.
    """
    if isinstance(profile, Profile):
        return profile
    profiles = load_profiles()
    if profile not in profiles:
        known = ", ".join(f"'{name}'" for name in profiles)
        raise ProfileError(
            f"Das Fortbewegungsprofil '{profile}' gibt es nicht.",
            hinweis=f"Bekannte Profile: {known}. Neue Profile legen Sie in data/profile.toml an.",
        )
    return profiles[profile]
