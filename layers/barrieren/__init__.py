"""ICF environmental-factor codes and the synthetic barrier reports (``barrieren``).

Real barrier reports are case-derived health and social data; they cannot be shipped. The build
therefore generates a seeded synthetic set that behaves like real case data: a few hundred
pseudonymous persons, each with an impairment group and a home area, each reporting one to four
barriers near where they live. Reports are anchored on real OSM features where the ICF code makes
that plausible (e150/e120/e160 at steps, high kerbs, cobblestones and steep ways; e540 at stops;
e5xx at offices). Every row says ``quelle = "synthetisch"``.

Real reports come in through :func:`import_barriers` (CSV or XLSX, checked row by row, stored all
or nothing). The raw layer never leaves the store: every published figure passes the disclosure
control of :mod:`analyses.privacy`. A free-text column of an import is stored (``freitext``) for the
case managers' own records, but :func:`read_reports` never returns it and no output contains it.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers import settings
from layers.errors import (
    ConfigError,
    InputValidationError,
    Problem,
    SourceDataError,
)
from layers.geocode import AddressIndex, normalize_street
from layers.log import get_logger
from layers.validation import (
    FIRST_DATA_ROW,
    check_lonlat,
    check_personal_columns,
    check_points_in_area,
    check_pseudonym_values,
    match_columns,
    parse_crs,
    parse_dates,
    parse_decimal,
    read_table,
)

log = get_logger("barrieren")

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
}

# How often each impairment group occurs among the synthetic persons, and which codes each group
# reports (with weights). Anchor kinds say where a report of that code is placed.
GROUP_SHARES = {
    "Mobilität": 0.36,
    "Sehen": 0.12,
    "Hören": 0.09,
    "Kognition": 0.18,
    "Psyche": 0.20,
    "Sprache": 0.05,
}
GROUP_CODES: dict[str, dict[str, float]] = {
    "Mobilität": {"e150": 0.25, "e120": 0.2, "e160": 0.2, "e540": 0.15, "e210": 0.1, "e460": 0.1},
    "Sehen": {"e150": 0.2, "e160": 0.2, "e240": 0.15, "e125": 0.15, "e540": 0.15, "e460": 0.15},
    "Hören": {"e125": 0.3, "e250": 0.2, "e535": 0.2, "e460": 0.2, "e540": 0.1},
    "Kognition": {"e460": 0.25, "e575": 0.2, "e125": 0.2, "e540": 0.15, "e355": 0.2},
    "Psyche": {"e460": 0.3, "e465": 0.15, "e575": 0.2, "e580": 0.2, "e325": 0.15},
    "Sprache": {"e125": 0.35, "e460": 0.3, "e535": 0.2, "e575": 0.15},
}
CODE_ANCHORS = {
    "e150": "barriere_bau",
    "e120": "barriere_bau",
    "e160": "barriere_bau",
    "e210": "steil",
    "e540": "haltestelle",
    "e575": "angebot",
    "e580": "angebot",
    "e535": "angebot",
    "e355": "angebot",
}
HOME_RADIUS_M = 1500.0


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


def _anchors(
    edges: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame, stops: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
) -> dict[str, np.ndarray]:
    built = edges[
        edges["treppe"].fillna(False).astype(bool)
        | edges["surface"].isin(["sett", "cobblestone", "unhewn_cobblestone", "gravel", "pebblestone"])
        | edges["smoothness"].isin(["bad", "very_bad", "horrible", "very_horrible", "impassable"])
        | (edges["bordstein_cm"] > 3)
    ]
    steep = edges[edges["steigung_prozent"] > 6]
    kerbs = nodes[nodes["bordstein_cm"] > 3]

    def xy(geoms: gpd.GeoSeries) -> np.ndarray:
        if len(geoms) == 0:
            return np.empty((0, 2))
        points = geoms.interpolate(0.5, normalized=True) if geoms.geom_type.iloc[0] != "Point" else geoms
        return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])

    return {
        "barriere_bau": np.concatenate([xy(built.geometry), xy(kerbs.geometry)]),
        "steil": xy(steep.geometry) if len(steep) else xy(built.geometry),
        "haltestelle": xy(stops.geometry),
        "angebot": xy(services.geometry),
    }


def synthetic_barriers(
    population: gpd.GeoDataFrame,
    edges: gpd.GeoDataFrame,
    nodes: gpd.GeoDataFrame,
    stops: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    icf_codes: pd.DataFrame,
    *,
    persons: int,
    max_reports_per_person: int,
    seed: int,
    crs: object,
    today: date | None = None,
    region: shapely.Geometry | None = None,
) -> gpd.GeoDataFrame:
    """Generate synthetic ICF-coded barrier reports.

    Parameters
    ----------
    population
        ``bevoelkerung`` cells; persons live where people live.
    edges, nodes, stops, services
        Real features that anchor the reports.
    icf_codes
        Valid e-codes (codes not in the list are never generated).
    persons
        Number of distinct pseudonymous persons.
    max_reports_per_person
        Each person reports 1 … this many barriers.
    seed
        Random seed.
    crs
        Working CRS.
    today
        Reference date (reports fall in the three years before it); default today.
    region
        Region polygon. A report scattered around a person's home that falls outside it is
        drawn again (the import refuses reports outside the region, so the synthetic layer
        must not contain any either).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``meldung_id``, ``person_schluessel``, ``icf_code``, ``icf_kapitel``,
        ``icf_titel``, ``qualifikator``, ``schweregrad``, ``beeintraechtigung``, ``datum``,
        ``ortsbezug``, ``quelle`` and point geometry.
    """
    columns = ["meldung_id", "person_schluessel", "icf_code", "icf_kapitel", "icf_titel",
               "qualifikator", "schweregrad", "beeintraechtigung", "datum", "ortsbezug", "quelle"]
    if population.empty or persons <= 0:
        return gpd.GeoDataFrame(
            pd.DataFrame({c: pd.Series(dtype="object") for c in columns}),
            geometry=gpd.GeoSeries([], crs=crs), crs=crs,
        )
    rng = np.random.default_rng(seed)
    # Redraws use their own stream, so the reports inside the region are the same with and
    # without a region polygon.
    redraw_rng = np.random.default_rng([seed, 1])
    prepared = region
    if prepared is not None:
        shapely.prepare(prepared)
    today = today or date.today()
    valid = set(icf_codes["code"])
    titles = dict(zip(icf_codes["code"], icf_codes["titel_de"], strict=True))
    anchors = _anchors(edges, nodes, stops, services)
    weights = population["einwohner"].to_numpy(dtype=float)
    centroids = population.geometry.centroid
    cell_xy = np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
    groups = list(GROUP_SHARES)
    group_p = np.array([GROUP_SHARES[g] for g in groups])

    rows: list[dict[str, object]] = []
    points: list[np.ndarray] = []
    for person in range(persons):
        key = "P-" + hashlib.sha256(f"{seed}:{person}".encode()).hexdigest()[:10]
        group = groups[int(rng.choice(len(groups), p=group_p))]
        cell = int(rng.choice(len(weights), p=weights / weights.sum()))
        home = cell_xy[cell] + rng.uniform(-50, 50, size=2)
        codes = [c for c in GROUP_CODES[group] if c in valid]
        code_p = np.array([GROUP_CODES[group][c] for c in codes])
        for _ in range(int(rng.integers(1, max_reports_per_person + 1))):
            code = codes[int(rng.choice(len(codes), p=code_p / code_p.sum()))]
            anchor_kind = CODE_ANCHORS.get(code)
            location = None
            if anchor_kind is not None and len(anchors[anchor_kind]):
                candidates = anchors[anchor_kind]
                near = np.flatnonzero(np.hypot(*(candidates - home).T) < HOME_RADIUS_M)
                if len(near):
                    location = candidates[int(rng.choice(near))] + rng.normal(0, 8, size=2)
            if location is None:
                location = home + rng.normal(0, 250, size=2)
            if prepared is not None and not shapely.contains_xy(prepared, *location):
                location = _inside(prepared, home, redraw_rng)
            draw = rng.random()
            if draw < 0.85:
                qualifier = f".{int(rng.choice([1, 2, 3, 4], p=[0.2, 0.35, 0.3, 0.15]))}"
            elif draw < 0.95:
                qualifier = f"+{int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2]))}"
            else:
                qualifier = ".8"
            severity = int(qualifier[1]) if qualifier[0] == "." and qualifier != ".8" else None
            reported = today - timedelta(days=int(rng.integers(1, 3 * 365)))
            rows.append(
                {
                    "meldung_id": f"M-{len(rows) + 1:06d}",
                    "person_schluessel": key,
                    "icf_code": code,
                    "icf_kapitel": code[:2],
                    "icf_titel": titles.get(code),
                    "qualifikator": qualifier,
                    "schweregrad": severity,
                    "beeintraechtigung": group,
                    "datum": reported.isoformat(),
                    "ortsbezug": "koordinate",
                    "quelle": "synthetisch",
                }
            )
            points.append(location)
    frame = pd.DataFrame(rows)
    frame["schweregrad"] = frame["schweregrad"].astype("Int64")
    xy = np.asarray(points)
    return gpd.GeoDataFrame(frame, geometry=shapely.points(xy[:, 0], xy[:, 1]), crs=crs)


def _inside(region: shapely.Geometry, home: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A point scattered around ``home`` inside ``region`` (else the nearest point inside)."""
    for _ in range(20):
        location = home + rng.normal(0, 250, size=2)
        if shapely.contains_xy(region, *location):
            return location
    # A home at the very edge: the nearest point 1 m inside the boundary.
    inner = region.buffer(-1.0)
    if inner.is_empty:
        return np.asarray(shapely.get_coordinates(region.representative_point())[0])
    nearest = shapely.shortest_line(inner, shapely.Point(*home))
    return np.asarray(shapely.get_coordinates(nearest)[0])


# --------------------------------------------------------------------------------------------
# Schema, vocabularies and qualifiers
# --------------------------------------------------------------------------------------------

#: Columns of the ``barrieren`` layer (plus ``geometry``). The first eleven are those of the
#: synthetic layer; ``strasse`` (street of a street-segment report), ``freitext`` (stored, never
#: output) and ``importiert_am`` are added by imports.
SCHEMA: tuple[str, ...] = (
    "meldung_id", "person_schluessel", "icf_code", "icf_kapitel", "icf_titel", "qualifikator",
    "schweregrad", "beeintraechtigung", "datum", "ortsbezug", "quelle", "strasse", "freitext",
    "importiert_am",
)
#: Columns that analyses may read. ``freitext`` is deliberately absent.
ANALYSIS_COLUMNS: tuple[str, ...] = tuple(c for c in SCHEMA if c != "freitext")

#: Qualifiers that make a row a barrier report (.1–.4, .8 = extent not specified).
BARRIER_QUALIFIERS = (".1", ".2", ".3", ".4", ".8")
#: Qualifiers that make a row a facilitator report (+1–+4, +8 = extent not specified).
FACILITATOR_QUALIFIERS = ("+1", "+2", "+3", "+4", "+8")
#: Valid ICF qualifiers that describe no finding at a place: ``.0``/``+0`` (no barrier / no
#: facilitator) and ``.9`` (not applicable). Rows with them are skipped with a warning.
NEUTRAL_QUALIFIERS = (".0", "+0", ".9")
QUALIFIER_LABELS["+8"] = "Förderfaktor, nicht näher bezeichnet"

OTHER_ICF_COMPONENTS = {
    "b": "Körperfunktionen (b-Codes, z. B. b210 Funktionen des Sehens)",
    "d": "Aktivitäten und Partizipation (d-Codes, z. B. d460 sich in verschiedenen Umgebungen "
    "fortbewegen)",
    "s": "Körperstrukturen (s-Codes, z. B. s750 Strukturen der unteren Extremitäten)",
}

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "meldung_id": ("meldung", "meldungsnummer", "meldungs_id", "meldungsid", "id"),
    "person_schluessel": ("personenschluessel", "personen_schluessel", "person", "pseudonym",
                          "person_id", "personen_id", "pseudonymer_schluessel", "schluessel"),
    "icf_code": ("icf", "code", "icfcode", "umweltfaktor", "icf_umweltfaktor"),
    "qualifikator": ("qualifier", "beurteilungsmerkmal", "schwere", "auspraegung"),
    "beeintraechtigung": ("beeintraechtigungsgruppe", "gruppe", "behinderungsart",
                          "beeintraechtigungsart", "zielgruppe"),
    "datum": ("meldedatum", "date", "erfasst_am", "datum_meldung"),
    "quelle": ("source", "herkunft", "erfasst_von", "dienst"),
    "x": ("rechtswert", "ostwert", "easting", "x_koordinate"),
    "y": ("hochwert", "nordwert", "northing", "y_koordinate"),
    "lon": ("laenge", "longitude", "lng", "geo_laenge"),
    "lat": ("breite", "latitude", "geo_breite"),
    "crs": ("kbs", "epsg", "koordinatensystem", "koordinatenbezugssystem"),
    "strasse": ("strassenname", "str"),
    "hausnummer": ("hnr", "hausnr", "nr"),
    "plz": ("postleitzahl",),
    "freitext": ("beschreibung", "bemerkung", "bemerkungen", "notiz", "kommentar", "text",
                 "anmerkung"),
}

SNAP_TO_STREET_M = 25.0


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


def _fold(text: str) -> str:
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


# --------------------------------------------------------------------------------------------
# Places: exact address lookup and street segments
# --------------------------------------------------------------------------------------------


def lookup_addresses(
    addresses: gpd.GeoDataFrame,
    strasse: pd.Series,
    hausnummer: pd.Series,
    plz: pd.Series | None = None,
) -> list[tuple[shapely.Point | None, str]]:
    """Place addresses with the project's offline geocoder (:class:`layers.geocode.AddressIndex`).

    Returns
    -------
    list
        Per input row the point (region CRS) or ``None``, and the geocoder's German explanation.
    """
    index = AddressIndex(addresses)
    out: list[tuple[shapely.Point | None, str]] = []
    for pos in range(len(strasse)):
        result = index.lookup(
            strasse.iloc[pos], hausnummer.iloc[pos], None if plz is None else plz.iloc[pos]
        )
        point = shapely.Point(result.x, result.y) if result.placed else None
        out.append((point, result.hinweis))
    return out


def street_segments(edges: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Named streets of the pedestrian network: one row per street name (``strasse``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``strasse`` (name as in OSM), ``schluessel`` (folded name), ``laenge_m``, ``kanten``
        (number of network edges) and the merged line geometry.
    """
    named = edges[edges["name"].notna()][["name", "geometry"]].copy()
    named["schluessel"] = named["name"].map(normalize_street)
    named["laenge_m"] = named.geometry.length
    grouped = named.groupby("schluessel", sort=True)
    frame = pd.DataFrame({
        "strasse": grouped["name"].agg(lambda s: s.mode().iloc[0]),
        "laenge_m": grouped["laenge_m"].sum().round(1),
        "kanten": grouped.size(),
    })
    geometry = grouped["geometry"].agg(lambda g: shapely.line_merge(shapely.union_all(g.to_numpy())))
    result = gpd.GeoDataFrame(frame, geometry=geometry.reindex(frame.index).to_numpy(),
                              crs=edges.crs)
    return result.reset_index(names="schluessel")


def _street_anchor(line: shapely.Geometry) -> shapely.Point:
    """The point of the street closest to the centre of its extent."""
    centre = shapely.centroid(line)
    return shapely.Point(shapely.shortest_line(line, centre).coords[0])


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did (nothing is stored unless :attr:`gespeichert`)."""

    datei: str
    meldungen: int
    personen: int
    warnungen: list[Problem] = field(default_factory=list)
    uebersprungen: int = 0
    gespeichert: bool = False
    geokodiert_adresse: int = 0
    strassenbezug: int = 0

    def summary(self) -> str:
        """German summary for the terminal and the app."""
        lines = [
            f"{self.meldungen} Barrieremeldungen von {self.personen} Personen aus "
            f"'{Path(self.datei).name}' {'gespeichert' if self.gespeichert else 'geprüft'}.",
        ]
        if self.geokodiert_adresse:
            lines.append(f"{self.geokodiert_adresse} Orte über die Adresse bestimmt.")
        if self.strassenbezug:
            lines.append(f"{self.strassenbezug} Meldungen beziehen sich auf einen Straßenzug.")
        if self.uebersprungen:
            lines.append(f"{self.uebersprungen} Zeilen ohne Befund übersprungen (.0, +0, .9).")
        for warning in self.warnungen[:10]:
            lines.append(f"Hinweis: {warning}")
        if len(self.warnungen) > 10:
            lines.append(f"… und {len(self.warnungen) - 10} weitere Hinweise.")
        return "\n".join(lines)


def read_barrier_file(
    path: str | Path,
    *,
    icf_codes: pd.DataFrame,
    region_boundary: shapely.Geometry,
    crs: Any,
    addresses: gpd.GeoDataFrame | None = None,
    edges: gpd.GeoDataFrame | None = None,
    coordinate_crs: Any = None,
    quelle: str = "import",
    today: date | None = None,
    existing_ids: set[str] | None = None,
) -> tuple[gpd.GeoDataFrame, ImportResult]:
    """Read and check a file of barrier reports without storing anything.

    Parameters
    ----------
    path
        CSV (``;`` or ``,``, UTF-8 or cp1252) or XLSX with one report per row. Columns (German
        names, spelling variants accepted, see :data:`COLUMN_ALIASES`): ``person_schluessel``,
        ``icf_code``, ``qualifikator`` (or the qualifier inside the code: ``e150.2``),
        ``beeintraechtigung``, ``datum``, optional ``quelle``, ``meldung_id``, ``freitext`` and the
        place as ``x``/``y`` (with ``crs`` column or ``coordinate_crs``; default the region CRS),
        ``lon``/``lat`` (WGS 84), ``strasse`` + ``hausnummer`` (+ ``plz``) or ``strasse`` alone
        for a whole street.
    icf_codes
        The ICF code list (:func:`load_icf_codes`).
    region_boundary
        Reports must lie inside (region CRS).
    crs
        The region CRS.
    addresses, edges
        The ``adressen`` and ``netz_kanten`` layers for address and street places.
    coordinate_crs
        CRS of ``x``/``y`` columns without a ``crs`` column.
    quelle
        Source label where the file has no ``quelle`` column.
    today
        Reference day for "date in the future" (default today).
    existing_ids
        ``meldung_id`` values already stored (a second import of the same rows is refused).

    Returns
    -------
    tuple
        The reports as a GeoDataFrame in :data:`SCHEMA` and an :class:`ImportResult`.

    Raises
    ------
    PersonalDataError
        If the file has columns with names, birth dates, contact data or home addresses.
    InputValidationError
        Listing every bad cell with file, row and column.
    SourceDataError
        If the file cannot be read.
    """
    datei = str(path)
    table = read_table(path)
    check_personal_columns(table.columns, datei=path)
    cols = match_columns(table.columns, COLUMN_ALIASES)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    missing = [c for c in ("person_schluessel", "icf_code", "beeintraechtigung", "datum")
               if c not in cols]
    has_place = ({"x", "y"} <= cols.keys()) or ({"lon", "lat"} <= cols.keys()) or "strasse" in cols
    if missing or not has_place:
        needed = missing + ([] if has_place else ["Ort (x/y, lon/lat oder strasse)"])
        raise InputValidationError(
            f"Der Datei fehlen Pflichtspalten: {', '.join(needed)}.",
            hinweis="Nötig sind person_schluessel, icf_code, qualifikator (oder im Code wie "
            "e150.2), beeintraechtigung, datum und ein Ort: x/y (mit crs), lon/lat, "
            "strasse + hausnummer oder strasse allein. Eine Vorlage steht in der Dokumentation.",
            datei=path,
        )
    n = len(table)
    rows = np.arange(n) + FIRST_DATA_ROW
    today = today or date.today()

    def col(name: str) -> pd.Series:
        if name in cols:
            return table[cols[name]].reset_index(drop=True)
        return pd.Series([pd.NA] * n, dtype="string")

    # Person keys: pseudonyms only.
    persons = col("person_schluessel").str.strip()
    problems += check_pseudonym_values(persons, spalte=cols["person_schluessel"], datei=datei)

    # ICF code and qualifier.
    valid = set(icf_codes["code"])
    titles = dict(zip(icf_codes["code"], icf_codes["titel_de"], strict=True))
    codes: list[str | None] = []
    qualifiers: list[str | None] = []
    skip = np.zeros(n, dtype=bool)
    qual_col = col("qualifikator")
    for pos in range(n):
        parsed = parse_icf_code(col("icf_code").iloc[pos], valid, datei=datei,
                                zeile=int(rows[pos]), spalte=cols["icf_code"])
        if parsed.problem:
            problems.append(parsed.problem)
        if parsed.warning:
            warnings.append(parsed.warning)
        codes.append(parsed.code)
        raw_q = qual_col.iloc[pos]
        given = None if raw_q is pd.NA or raw_q is None or str(raw_q).strip() == "" else raw_q
        qualifier = parse_qualifier(given) if given is not None else parsed.qualifier
        spalte_q = cols.get("qualifikator", cols["icf_code"])
        if given is not None and qualifier is None:
            problems.append(Problem(
                f"'{given}' ist kein ICF-Beurteilungsmerkmal.",
                "Barrieren: .1 leicht, .2 mäßig, .3 erheblich, .4 vollständig, .8 nicht näher "
                "bezeichnet; Förderfaktoren: +1 bis +4, +8.",
                datei=datei, zeile=int(rows[pos]), spalte=spalte_q))
        elif qualifier is None:
            problems.append(Problem(
                "Das Beurteilungsmerkmal (Qualifikator) fehlt.",
                "Tragen Sie z. B. .2 (mäßige Barriere) oder +1 (leichter Förderfaktor) ein, in "
                "der Spalte qualifikator oder direkt am Code (e150.2).",
                datei=datei, zeile=int(rows[pos]), spalte=spalte_q))
        elif qualifier in NEUTRAL_QUALIFIERS:
            skip[pos] = True
            warnings.append(Problem(
                f"Qualifikator {qualifier} ({QUALIFIER_LABELS[qualifier]}) beschreibt keinen "
                "Befund an einem Ort; die Zeile wird nicht als Meldung übernommen.",
                "Nur Barrieren (.1–.4, .8) und Förderfaktoren (+1–+4, +8) sind Meldungen.",
                datei=datei, zeile=int(rows[pos]), spalte=spalte_q, schwere="warnung"))
        elif qualifier not in BARRIER_QUALIFIERS + FACILITATOR_QUALIFIERS:
            problems.append(Problem(
                f"Das Beurteilungsmerkmal {qualifier} liegt außerhalb des ICF-Wertebereichs.",
                "Erlaubt sind .0–.4, .8, .9 für Barrieren und +0–+4, +8 für Förderfaktoren.",
                datei=datei, zeile=int(rows[pos]), spalte=spalte_q))
        qualifiers.append(qualifier)

    # Impairment group from the controlled list.
    groups = load_impairment_groups()
    lookup = {}
    for group in groups:
        for alias in (group.name, *group.aliase):
            lookup[_fold(alias)] = group.name
    impairments: list[str | None] = []
    for pos, value in enumerate(col("beeintraechtigung").to_numpy()):
        text = "" if value is pd.NA or value is None else str(value).strip()
        name = lookup.get(_fold(text)) if text else None
        if name is None:
            problems.append(Problem(
                f"'{text}' ist keine bekannte Beeinträchtigungsgruppe." if text
                else "Die Beeinträchtigungsgruppe fehlt.",
                "Erlaubt sind: " + ", ".join(g.name for g in groups) + ".",
                datei=datei, zeile=int(rows[pos]), spalte=cols["beeintraechtigung"]))
        impairments.append(name)

    dates, date_problems = parse_dates(col("datum"), spalte=cols["datum"], datei=datei,
                                       today=today, earliest=date(1990, 1, 1))
    problems += date_problems

    sources = col("quelle").fillna(quelle).str.strip()
    reserved = sources.str.lower().eq("synthetisch").fillna(False).to_numpy(dtype=bool)
    for bad_pos in np.flatnonzero(reserved):
        problems.append(Problem(
            "Die Quelle 'synthetisch' ist für die erzeugten Demodaten reserviert.",
            "Nennen Sie die echte Quelle, z. B. 'LVR-Fallmanagement'.",
            datei=datei, zeile=int(rows[bad_pos]), spalte=cols.get("quelle")))

    places, ortsbezug, streets, place_problems, counts = _resolve_places(
        table, cols, n, datei=datei, crs=crs, coordinate_crs=coordinate_crs,
        region_boundary=region_boundary, addresses=addresses, edges=edges,
    )
    problems += place_problems
    problems += check_points_in_area(
        np.array(places, dtype=object), region_boundary, rows=rows.tolist(),
        spalte=_place_column(cols), datei=datei,
    ) if not place_problems else []

    ids = _report_ids(col("meldung_id"), persons, codes, qualifiers, dates, places)
    seen: dict[str, int] = {}
    existing_ids = existing_ids or set()
    for pos, report_id in enumerate(ids):
        if skip[pos]:
            continue
        spalte_id = cols.get("meldung_id", "meldung_id")
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

    errors = [p for p in problems if p.schwere == "fehler"]
    if errors:
        raise InputValidationError(
            f"Die Barrieremeldungen wurden nicht importiert: {len(errors)} Fehler in "
            f"'{Path(datei).name}'. Es wurde nichts gespeichert.",
            hinweis="Korrigieren Sie die genannten Zellen und importieren Sie die Datei erneut.",
            datei=path, probleme=errors,
        )
    keep = ~skip
    free_text = col("freitext")
    frame = pd.DataFrame({
        "meldung_id": ids,
        "person_schluessel": persons.astype(object),
        "icf_code": codes,
        "icf_kapitel": [c[:2] if c else None for c in codes],
        "icf_titel": [titles.get(c) if c else None for c in codes],
        "qualifikator": qualifiers,
        "schweregrad": pd.array([qualifier_severity(q) if q else None for q in qualifiers],
                                dtype="Int64"),
        "beeintraechtigung": impairments,
        "datum": [d.isoformat() if d else None for d in dates],
        "ortsbezug": ortsbezug,
        "quelle": sources.astype(object),
        "strasse": streets,
        "freitext": free_text.astype(object).where(free_text.notna(), None),
        "importiert_am": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
    })[keep].reset_index(drop=True)
    geometry = np.array(places, dtype=object)[keep]
    reports = gpd.GeoDataFrame(frame, geometry=list(geometry), crs=crs)
    result = ImportResult(
        datei=datei,
        meldungen=len(reports),
        personen=int(reports["person_schluessel"].nunique()),
        warnungen=warnings,
        uebersprungen=int(skip.sum()),
        geokodiert_adresse=int((reports["ortsbezug"] == "adresse").sum()),
        strassenbezug=int((reports["ortsbezug"] == "strasse").sum()),
    )
    del counts
    return reports, result


def _place_column(cols: dict[str, str]) -> str:
    if {"x", "y"} <= cols.keys():
        return f"{cols['x']}/{cols['y']}"
    if {"lon", "lat"} <= cols.keys():
        return f"{cols['lon']}/{cols['lat']}"
    return cols.get("strasse", "Ort")


def _resolve_places(
    table: pd.DataFrame,
    cols: dict[str, str],
    n: int,
    *,
    datei: str,
    crs: Any,
    coordinate_crs: Any,
    region_boundary: shapely.Geometry,
    addresses: gpd.GeoDataFrame | None,
    edges: gpd.GeoDataFrame | None,
) -> tuple[list[Any], list[str | None], list[str | None], list[Problem], dict[str, int]]:
    from pyproj import CRS, Transformer

    def col(name: str) -> pd.Series:
        if name in cols:
            return table[cols[name]].reset_index(drop=True)
        return pd.Series([pd.NA] * n, dtype="string")

    places: list[Any] = [None] * n
    kinds: list[str | None] = [None] * n
    streets: list[str | None] = [None] * n
    problems: list[Problem] = []
    rows = np.arange(n) + FIRST_DATA_ROW
    done = np.zeros(n, dtype=bool)

    if {"x", "y"} <= cols.keys():
        x, px = parse_decimal(col("x"), spalte=cols["x"], datei=datei)
        y, py = parse_decimal(col("y"), spalte=cols["y"], datei=datei)
        problems += px + py
        default = CRS.from_user_input(coordinate_crs) if coordinate_crs is not None else crs
        crs_text = col("crs")
        for pos in np.flatnonzero(x.notna().to_numpy() & y.notna().to_numpy()):
            text = crs_text.iloc[pos]
            try:
                source = (parse_crs(str(text).strip(), datei=datei)
                          if text is not pd.NA and str(text).strip() else default)
            except ConfigError as exc:
                problems.append(Problem(exc.meldung, exc.hinweis, datei=datei,
                                        zeile=int(rows[pos]), spalte=cols.get("crs")))
                done[pos] = True
                continue
            if CRS.from_user_input(source).is_geographic:
                problems.append(Problem(
                    "In den Spalten x/y stehen Koordinaten eines geografischen Systems (Grad).",
                    "Verwenden Sie für Grad-Angaben die Spalten lon und lat.", datei=datei,
                    zeile=int(rows[pos]), spalte=f"{cols['x']}/{cols['y']}"))
                done[pos] = True
                continue
            tx, ty = Transformer.from_crs(source, crs, always_xy=True).transform(
                float(x.iloc[pos]), float(y.iloc[pos]))
            places[pos] = shapely.Point(tx, ty)
            kinds[pos] = "koordinate"
            done[pos] = True

    if {"lon", "lat"} <= cols.keys():
        lon, pl = parse_decimal(col("lon"), spalte=cols["lon"], datei=datei)
        lat, pb = parse_decimal(col("lat"), spalte=cols["lat"], datei=datei)
        problems += pl + pb
        to_wgs = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        minx, miny, maxx, maxy = region_boundary.bounds
        lon_a, lat_a = to_wgs.transform([minx, maxx, minx, maxx], [miny, miny, maxy, maxy])
        bounds = (min(lon_a), min(lat_a), max(lon_a), max(lat_a))
        use = ~done & lon.notna().to_numpy() & lat.notna().to_numpy()
        lon_v = np.where(use, lon.to_numpy(), np.nan)
        lat_v = np.where(use, lat.to_numpy(), np.nan)
        bad = check_lonlat(lon_v, lat_v, bounds=bounds, datei=datei,
                           spalte_lon=cols["lon"], spalte_lat=cols["lat"])
        problems += bad
        bad_rows = {p.zeile for p in bad}
        from_wgs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        for pos in np.flatnonzero(use):
            done[pos] = True
            if int(rows[pos]) in bad_rows:
                continue
            tx, ty = from_wgs.transform(float(lon_v[pos]), float(lat_v[pos]))
            places[pos] = shapely.Point(tx, ty)
            kinds[pos] = "koordinate"

    street_col = col("strasse")
    number_col = col("hausnummer")
    with_address = ~done & street_col.notna().to_numpy() & number_col.notna().to_numpy()
    if with_address.any():
        if addresses is None or addresses.empty:
            for pos in np.flatnonzero(with_address):
                problems.append(Problem(
                    "Adressen können nicht aufgelöst werden: die Ebene 'adressen' ist leer.",
                    "Geben Sie Koordinaten an.", datei=datei, zeile=int(rows[pos]),
                    spalte=cols["strasse"]))
        else:
            idx = np.flatnonzero(with_address)
            found = lookup_addresses(
                addresses, street_col.iloc[idx], number_col.iloc[idx],
                col("plz").iloc[idx] if "plz" in cols else None,
            )
            for pos, (point, reason) in zip(idx, found, strict=True):
                done[pos] = True
                if point is None:
                    problems.append(Problem(
                        f"Die Adresse '{street_col.iloc[pos]} {number_col.iloc[pos]}' ist im "
                        f"Adressbestand der Region nicht zu finden. {reason}".strip(),
                        "Prüfen Sie Schreibweise und Hausnummer oder geben Sie Koordinaten an.",
                        datei=datei, zeile=int(rows[pos]),
                        spalte=f"{cols['strasse']}/{cols['hausnummer']}"))
                else:
                    places[pos] = point
                    kinds[pos] = "adresse"

    street_only = ~done & street_col.notna().to_numpy()
    if street_only.any():
        segments = street_segments(edges) if edges is not None and len(edges) else None
        by_key = ({k: i for i, k in enumerate(segments["schluessel"])}
                  if segments is not None else {})
        for pos in np.flatnonzero(street_only):
            done[pos] = True
            key = normalize_street(street_col.iloc[pos])
            if key not in by_key or segments is None:
                close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.75)
                names = ([str(segments["strasse"].iloc[by_key[c]]) for c in close]
                         if segments is not None else [])
                problems.append(Problem(
                    f"Die Straße '{street_col.iloc[pos]}' gibt es im Wegenetz der Region nicht.",
                    ("Meinten Sie: " + ", ".join(names) + "?") if names
                    else "Prüfen Sie die Schreibweise oder geben Sie Koordinaten an.",
                    datei=datei, zeile=int(rows[pos]), spalte=cols["strasse"]))
                continue
            row = segments.iloc[by_key[key]]
            places[pos] = _street_anchor(row.geometry)
            kinds[pos] = "strasse"
            streets[pos] = str(row["strasse"])

    for pos in np.flatnonzero(~done):
        problems.append(Problem(
            "Für die Meldung ist kein Ort angegeben.",
            "Tragen Sie Koordinaten (x/y oder lon/lat), eine Adresse (strasse, hausnummer) oder "
            "einen Straßennamen ein.", datei=datei, zeile=int(rows[pos]),
            spalte=_place_column(cols)))
    counts = {k: kinds.count(k) for k in ("koordinate", "adresse", "strasse")}
    return places, kinds, streets, problems, counts


def _report_ids(
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


def import_barriers(
    path: str | Path,
    region: Any,
    *,
    store: Any = None,
    coordinate_crs: Any = None,
    quelle: str = "import",
    today: date | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a file of barrier reports into the region store, all rows or none.

    Parameters
    ----------
    path
        The CSV or XLSX file (see :func:`read_barrier_file` for columns).
    region
        Region name or :class:`layers.regions.RegionConfig`.
    store
        The region store (default: the region's store in the cache).
    coordinate_crs
        CRS of ``x``/``y`` columns without a ``crs`` column.
    quelle
        Source label for files without a ``quelle`` column.
    today
        Reference day for the future-date check.
    dry_run
        Only check, do not store.

    Returns
    -------
    ImportResult

    Raises
    ------
    SozialraumError
        Any problem with the file (German, with file, row and column); nothing is stored.
    """
    from layers.regions import RegionConfig, load_region
    from layers.store import open_store

    config = region if isinstance(region, RegionConfig) else load_region(region)
    store = store or open_store(config)
    region_layer = store.read_layer("region")
    boundary = shapely.union_all(region_layer.geometry.to_numpy())
    existing = store.read_layer("barrieren") if store.has_layer("barrieren") else None
    reports, result = read_barrier_file(
        path,
        icf_codes=load_icf_codes(config.icf),
        region_boundary=boundary,
        crs=store.crs,
        addresses=store.read_layer("adressen") if store.has_layer("adressen") else None,
        edges=store.read_layer("netz_kanten", columns=["name"])
        if store.has_layer("netz_kanten") else None,
        coordinate_crs=coordinate_crs,
        quelle=quelle,
        today=today,
        existing_ids=set(existing["meldung_id"].astype(str)) if existing is not None else set(),
    )
    if dry_run or reports.empty:
        return result
    if existing is not None and len(existing):
        combined = pd.concat([existing, reports], ignore_index=True)
        combined = gpd.GeoDataFrame(combined, geometry="geometry", crs=store.crs)
    else:
        combined = reports
    for column in SCHEMA:
        if column not in combined.columns:
            combined[column] = None
    combined["schweregrad"] = pd.array(
        pd.to_numeric(combined["schweregrad"], errors="coerce"), dtype="Int64")
    combined = combined[[*SCHEMA, "geometry"]]
    store.write_layers({"barrieren": combined})
    result.gespeichert = True
    try:
        with store.transaction() as tx:
            tx.audit("barrieren", Path(str(path)).name, "import",
                     None, {"meldungen": result.meldungen, "personen": result.personen})
    except Exception as exc:  # the reports are stored; a missing audit line must not undo that
        log.warning("Import nicht im Änderungsprotokoll vermerkt: %s", exc)
    log.info("%s", result.summary().splitlines()[0])
    return result


def read_reports(store: Any) -> gpd.GeoDataFrame:
    """Read the raw barrier reports for analyses, without the free-text column.

    The result is raw case data: it must only be passed to :mod:`analyses.privacy`, never shown
    or exported.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`ANALYSIS_COLUMNS` that exist in the layer, plus ``geometry``.
    """
    names = store.read_layer("barrieren", where="1=0").columns
    wanted = [c for c in ANALYSIS_COLUMNS if c in names]
    reports = store.read_layer("barrieren", columns=wanted)
    return reports[[*wanted, "geometry"]]
