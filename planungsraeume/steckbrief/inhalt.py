"""What a Steckbrief says: the figures of one planning area, independent of the output format.

:class:`AreaReport` holds the content of one area's report (map, key figures against the region,
reachability rows, protected barrier rows, the services); :func:`build_area_report` assembles it
from the :class:`ReportContext` read once per region
(:func:`planungsraeume.steckbrief.quellen.load_report_context`) and the three figure inputs
(``indicators``, ``coverage``, ``barriers``; see :mod:`planungsraeume.steckbrief`).
:mod:`~planungsraeume.steckbrief.html` and :mod:`~planungsraeume.steckbrief.pdf` set it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.errors import AnalysisError
from layers.formatting import MISSING, de_number, de_percent
from planungsraeume.frage import profile_labels
from planungsraeume.indikatoren.tabelle import SIMILAR_WITHIN, comparison_word
from planungsraeume.steckbrief.karte import ATTRIBUTION, MapLayers, render_area_map

__all__ = [
    "ACCESS_LABELS",
    "COVERAGE_COLUMNS",
    "DECIMALS",
    "GROUP_COLUMNS",
    "INDICATOR_COLUMNS",
    "KEY_FIGURE_HEADER",
    "LONG_HEADER",
    "MAP_HEIGHT_CM",
    "MAX_GROUPS",
    "NEAREST_ADDRESS_M",
    "PDF_GROUP_COLUMNS",
    "RATE_TEXT",
    "REGION_NOTE",
    "SIMILAR_WITHIN",
    "UNITS",
    "AreaReport",
    "BarrierSummary",
    "ReportContext",
    "build_area_report",
    "key_figure_table",
    "check_columns",
    "format_value",
    "service_addresses",
]

UNITS: dict[str, str] = {
    "personen": "Personen",
    "anzahl": "Anzahl",
    "anteil": "Anteil",
    "je_10000": "je 10.000 Einwohner",
    "je_1000": "je 1.000 Einwohner",
    "km2": "km²",
    "je_km2": "je km²",
    "minuten": "Minuten",
    "zahl": "",
}
INDICATOR_COLUMNS = ("pr_id", "kennzahl", "wert", "regionswert", "einheit")
COVERAGE_COLUMNS = ("pr_id", "typ", "profil", "minuten", "anteil_einwohner", "anteil_65_plus")
ACCESS_LABELS = {"ja": "ja", "teilweise": "teilweise", "nein": "nein", "unbekannt": "unbekannt"}
RATE_TEXT = "je 10.000 Einw."
#: What the Region column of the key figures means (HTML and PDF).
REGION_NOTE = ("Region: bei Anzahlen die Zahl je 10.000 Einwohner der ganzen Region (beim "
               "Planungsraum in Klammern; verglichen werden diese Raten), bei den Einwohnern die "
               "Summe, bei Anteilen und Quoten der Wert der ganzen Region. „etwa gleich“: höchstens "
               "5 % Abweichung.")
NEAREST_ADDRESS_M = 60.0
# Map height on the page: the map, the key figures and the start of the reachability table fit
# on page 1 of A4.
MAP_HEIGHT_CM = 9.5


@dataclass(frozen=True)
class BarrierSummary:
    """Barrier figures per planning area, already protected by the disclosure-control module.

    Attributes
    ----------
    tabelle
        ``pr_id``, ``merkmal`` (German label, e.g. "Personen mit Meldungen" or "häufigster
        ICF-Code") and ``wert`` (text as it may be published, e.g. "25" or "unter 5").
    regel
        The rule that was applied, in German (shown under the table), e.g. "Werte erst ab 5
        Personen, auf 5 gerundet".
    """

    tabelle: pd.DataFrame
    regel: str


DECIMALS = {"je_km2": 0, "km2": 2, "je_10000": 1, "je_1000": 1, "minuten": 1}


def format_value(value: object, unit: str, *, average: bool = False) -> str:
    """German text of a figure in its unit (``12.345``, ``23,4 %``, ``3,1``).

    ``average`` marks a regional average of a count: small averages keep one decimal
    (``1,9`` offers per area), large ones none.
    """
    if unit in ("personen", "anzahl"):
        small = average and not _is_large(value)
        return de_number(value, 1 if small else 0)
    if unit == "anteil":
        return de_percent(value, 1)
    return de_number(value, DECIMALS.get(unit, 1))


def _is_large(value: object) -> bool:
    try:
        return abs(float(value)) >= 100  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def _label(kennzahl: str, unit: str) -> str:
    suffix = UNITS[unit]
    if unit in ("personen", "anzahl", "anteil", "zahl") or suffix in kennzahl:
        return kennzahl
    return f"{kennzahl} ({suffix})"


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def check_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise unless ``frame`` has every column (message names the table ``what``)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(
            f"Der Tabelle '{what}' fehlen die Spalten {', '.join(missing)}.",
            hinweis=f"Erwartet werden: {', '.join(columns)}.",
        )


@dataclass(frozen=True)
class ReportContext:
    """Everything read once per region for all its reports."""

    region_title: str
    population_note: str
    layers: MapLayers
    services: gpd.GeoDataFrame  # with pr_id and an approximate address
    styles: dict[str, tuple[str, str]]
    stand: str
    #: Which shown data are not real (generated areas, modelled population, synthetic offers
    #: and barrier reports), one German line; shown under the title of every report.
    datenlage: str = ""


def service_addresses(services: gpd.GeoDataFrame, addresses: pd.DataFrame) -> list[str]:
    """Return the stated address, else "nahe <nearest OSM address>" within 60 m, else "–".

    One text per service, in the order of ``services``.
    """
    texts: list[str] = []
    for _, row in services.iterrows():
        street = " ".join(
            str(row[c]) for c in ("strasse", "hausnummer") if pd.notna(row.get(c)) and str(row[c]).strip()
        )
        town = " ".join(str(row[c]) for c in ("plz", "ort") if pd.notna(row.get(c)) and str(row[c]).strip())
        texts.append(", ".join(t for t in (street, town) if t) if street else "")
    if isinstance(addresses, gpd.GeoDataFrame) and len(addresses) and len(services):
        missing = [i for i, t in enumerate(texts) if not t]
        if missing:
            points = services.iloc[missing][[services.geometry.name]].reset_index(drop=True)
            near = gpd.sjoin_nearest(
                points, addresses[["strasse", "hausnummer", "geometry"]],
                max_distance=NEAREST_ADDRESS_M, how="left",
            )
            near = near[~near.index.duplicated(keep="first")]
            for pos, i in enumerate(missing):
                hit = near.loc[pos] if pos in near.index else None
                if hit is not None and pd.notna(hit.get("strasse")):
                    number = f" {hit['hausnummer']}" if pd.notna(hit.get("hausnummer")) else ""
                    texts[i] = f"nahe {hit['strasse']}{number}"
    return [t or MISSING for t in texts]


@dataclass(frozen=True)
class AreaReport:
    """The content of one area's report, independent of the output format."""

    pr_id: str
    name: str
    region_title: str
    stand: str
    map_png: bytes
    kennzahlen: list[tuple[str, str, str, str]]  # label, area, region, comparison
    # Rows of the reachability table: one per type, with one column group per (profile, minutes)
    # (see ``erreichbarkeit_gruppen``); without groups, one row per type, profile and minutes.
    erreichbarkeit: list[tuple[str, ...]] | None
    barrieren: list[tuple[str, str]] | None
    barrieren_regel: str
    typen: list[tuple[str, str, str]]  # type, in area, in region
    angebote: list[tuple[str, str, str, str, str]]  # nr, name, type, address, step-free
    hinweise: list[str] = field(default_factory=list)
    #: The data-kind line of :attr:`ReportContext.datenlage` (first page, under the title).
    datenlage: str = ""
    # Column groups of the reachability table ("zu Fuß, 15 Min."), each over GROUP_COLUMNS.
    erreichbarkeit_gruppen: tuple[str, ...] = ()
    # The trend of one indicator: its label, rows (year, area, region) and the change in words.
    entwicklung_titel: str = ""
    entwicklung: list[tuple[str, str, str]] = field(default_factory=list)
    entwicklung_text: str = ""
    # Small multiples (PNG, alt text) and every indicator's change since the base year
    # (planungsraeume.steckbrief.entwicklung.extend_report).
    entwicklung_bild: bytes = b""
    entwicklung_bild_alt: str = ""
    veraenderung_kopf: tuple[str, ...] = ()
    veraenderung: list[tuple[str, ...]] = field(default_factory=list)
    # The area beside its region and a second region (Kennzahl, Planungsraum, region, other).
    regionsvergleich_kopf: tuple[str, ...] = ()
    regionsvergleich: list[tuple[str, str, str, str]] = field(default_factory=list)
    regionsvergleich_text: str = ""
    #: Per row of :attr:`kennzahlen`: "modelliert" where the figure rests on a modelled
    #: population, else "" (shown as a column beside the figures, see :func:`key_figure_table`).
    kennzahlen_grundlage: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        """Document title."""
        return f"Planungsraum-Steckbrief {self.name} ({self.pr_id})"


def build_area_report(
    context: ReportContext,
    pr_id: str,
    indicators: pd.DataFrame,
    *,
    coverage: pd.DataFrame | None = None,
    barriers: BarrierSummary | None = None,
    trend: pd.DataFrame | None = None,
) -> AreaReport:
    """Assemble the content of one area's report (map included).

    Parameters
    ----------
    context
        From :func:`planungsraeume.steckbrief.quellen.load_report_context`.
    pr_id
        The planning area.
    indicators, coverage, barriers
        See :mod:`planungsraeume.steckbrief`.
    trend
        :func:`planungsraeume.zeitreihe.trend` (optional): the section "Entwicklung".

    Returns
    -------
    AreaReport
    """
    areas = context.layers.areas
    match = areas[areas["pr_id"].astype(str) == str(pr_id)]
    if match.empty:
        raise AnalysisError(
            f"Den Planungsraum '{pr_id}' gibt es nicht.",
            hinweis=f"Vorhanden sind: {', '.join(areas['pr_id'].astype(str))}.",
        )
    kennzahlen = _key_figures(indicators, str(pr_id))
    reach = None
    groups: tuple[str, ...] = ()
    if coverage is not None:
        reach, groups = _reachability_rows(coverage, str(pr_id))
    barrier_rows = None
    if barriers is not None:
        check_columns(barriers.tabelle, ("pr_id", "merkmal", "wert"), "Barrieren")
        part = barriers.tabelle[barriers.tabelle["pr_id"].astype(str) == str(pr_id)]
        barrier_rows = [(str(r["merkmal"]), str(r["wert"])) for _, r in part.iterrows()]
    inside = _services_inside(context.services, str(pr_id))
    angebote = _service_rows(inside)
    title, trend_rows, trend_text = _trend_fields(trend, str(pr_id))
    picture = render_area_map(context.layers, str(pr_id), styles=context.styles, numbered=inside,
                              map_height_cm=MAP_HEIGHT_CM)
    return AreaReport(
        pr_id=str(pr_id),
        name=str(match["name"].iloc[0]),
        region_title=context.region_title,
        stand=context.stand,
        map_png=picture,
        kennzahlen=kennzahlen,
        erreichbarkeit=reach,
        barrieren=barrier_rows,
        barrieren_regel=barriers.regel if barriers is not None else "",
        typen=_type_counts(context.services, inside),
        angebote=angebote,
        hinweise=_notes(context, inside, angebote),
        datenlage=context.datenlage,
        erreichbarkeit_gruppen=groups,
        entwicklung_titel=title, entwicklung=trend_rows, entwicklung_text=trend_text,
        kennzahlen_grundlage=_key_figure_basis(indicators, str(pr_id)),
    )


KEY_FIGURE_HEADER = ("Kennzahl", "Planungsraum", "Region", "Vergleich")


def key_figure_table(report: AreaReport) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Header and rows of the Kennzahlen table (HTML and PDF): with a column "Grundlage" that
    says "modelliert" beside every figure resting on a modelled population, where any does."""
    marks = report.kennzahlen_grundlage
    if not any(marks):
        return KEY_FIGURE_HEADER, list(report.kennzahlen)
    return ((*KEY_FIGURE_HEADER, "Grundlage"),
            [(*row, mark) for row, mark in zip(report.kennzahlen, marks, strict=True)])


def _key_figure_basis(indicators: pd.DataFrame, pr_id: str) -> list[str]:
    """The ``grundlage`` of each row of :func:`_key_figures` (same rows, same order)."""
    own = indicators[indicators["pr_id"].astype(str) == pr_id]
    if "grundlage" not in own.columns:
        return [""] * len(own)
    return [str(v) if pd.notna(v) else "" for v in own["grundlage"]]


def _trend_fields(trend: pd.DataFrame | None,
                  pr_id: str) -> tuple[str, list[tuple[str, str, str]], str]:
    """Title, rows (year, area, region) and the change in words of an area's trend."""
    if trend is None or not len(trend):
        return "", [], ""
    from planungsraeume.zeitreihe import change

    mine = trend[trend["pr_id"].astype(str) == pr_id]
    if len(mine) < 2:
        return "", [], ""
    unit = "anteil" if str(mine["einheit"].iloc[0]) == "%" else "zahl"
    region = trend.drop_duplicates("jahr").set_index("jahr")["wert_region"]
    rows = [(str(int(y)), format_value(_share(v, unit), unit),
             format_value(_share(region[y], unit), unit))
            for y, v in zip(mine["jahr"], mine["wert"], strict=True)]
    delta = change(trend)
    own = delta[delta["pr_id"].astype(str) == pr_id].iloc[0]
    whole = delta[delta["pr_id"] == "Region"].iloc[0]
    points = " Prozentpunkte" if unit == "anteil" else ""

    def signed(value: float, decimals: int = 1) -> str:
        text = de_number(value, decimals)
        return f"+{text}" if value > 0 and text.strip("0,") else text

    text = (f"Veränderung {int(own['basisjahr'])}–{int(own['jahr'])}: "
            f"{signed(float(own['aenderung']))}{points} "
            f"({signed(float(own['aenderung_je_jahr']), 2)}{points} je Jahr); "
            f"Region {signed(float(whole['aenderung']))}{points}.")
    return str(mine["bezeichnung"].iloc[0]), rows, text


def _share(value: object, unit: str) -> float:
    """A trend value for :func:`format_value` (shares there are 0..1, trends in %)."""
    number = _float(value)
    return number / 100 if unit == "anteil" else number


def _key_figures(indicators: pd.DataFrame, pr_id: str) -> list[tuple[str, str, str, str]]:
    """Rows of the Kennzahlen table: label, area value, region value, comparison."""
    check_columns(indicators, INDICATOR_COLUMNS, "Kennzahlen")
    own = indicators[indicators["pr_id"].astype(str) == pr_id]
    unknown = sorted(set(own["einheit"]) - set(UNITS))
    if unknown:
        raise AnalysisError(
            f"Unbekannte Einheit(en) in den Kennzahlen: {', '.join(map(str, unknown))}.",
            hinweis=f"Erlaubt sind: {', '.join(UNITS)}.",
        )
    return [_key_figure(row) for row in own.itertuples()]


def _key_figure(row: Any) -> tuple[str, str, str, str]:
    """One row: label, area, region, comparison; counts with their rate per 10,000 inhabitants
    (the region as a rate, compared by rates), the inhabitants with the region's total."""
    unit = str(row.einheit)
    label = _label(str(row.kennzahl), unit)
    area_rate, region_rate = _float(getattr(row, "je_10000", None)), _float(getattr(row, "region_je_10000", None))
    if unit in ("personen", "anzahl") and np.isfinite(area_rate) and np.isfinite(region_rate):
        return (label, f"{format_value(row.wert, unit)} ({de_number(area_rate, 1)} {RATE_TEXT})",
                f"{de_number(region_rate, 1)} {RATE_TEXT}", comparison_word(area_rate, region_rate))
    if unit in ("personen", "anzahl") and hasattr(row, "je_10000"):
        return (label, format_value(row.wert, unit), f"{format_value(row.regionswert, unit)} gesamt",
                MISSING)
    return (label, format_value(row.wert, unit), format_value(row.regionswert, unit, average=True),
            comparison_word(_float(row.wert), _float(row.regionswert)))


def _services_inside(services: gpd.GeoDataFrame, pr_id: str) -> gpd.GeoDataFrame:
    """Return the area's services sorted by type and name, numbered (``nr``) as on the map."""
    inside = services[services["pr_id"] == pr_id].copy()
    inside = inside.sort_values(["typ", "name"], kind="stable").reset_index(drop=True)
    inside["nr"] = np.arange(1, len(inside) + 1)
    return inside


def _type_counts(services: gpd.GeoDataFrame, inside: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Per type present in the area: its count in the area and in the region."""
    region_counts = services["typ"].value_counts()
    area_counts = inside["typ"].value_counts()
    return [
        (str(typ), de_number(area_counts.get(typ, 0)), de_number(count))
        for typ, count in region_counts.sort_index().items()
        if area_counts.get(typ, 0) > 0
    ]


def _service_rows(inside: pd.DataFrame) -> list[tuple[str, str, str, str, str]]:
    """Rows of the service list: number, name, type, address, step-free access."""
    return [
        (
            str(row["nr"]),
            str(row["name"]),
            str(row["typ"]),
            str(row["adresse_text"]),
            ACCESS_LABELS.get(str(row["stufenloser_zugang"]), "unbekannt"),
        )
        for _, row in inside.iterrows()
    ]


def _notes(
    context: ReportContext, inside: pd.DataFrame, angebote: list[tuple[str, str, str, str, str]]
) -> list[str]:
    """Collect the report's footnotes: attribution, population source, synthetic data, addresses."""
    notes = [ATTRIBUTION + "."]
    if context.population_note:
        notes.append(context.population_note)
    if (inside["quelle"] == "synthetisch").any():
        notes.append("Angebote mit „(fiktiv)“ im Namen sind erfundene Beispieldaten (quelle = synthetisch).")
    if any(a.startswith("nahe ") for *_, a, _ in angebote):
        notes.append("„nahe …“: Adresse fehlt im Verzeichnis; angegeben ist die nächste Hausadresse.")
    return notes


GROUP_COLUMNS = ("Einwohner", "ab 65 Jahren", "Region")
PDF_GROUP_COLUMNS = ("Einw.", "ab 65 J.", "Region")  # narrow PDF columns
MAX_GROUPS = 2  # more (profile, minutes) combinations than this: one row per combination
LONG_HEADER = ("Angebotstyp", "Profil", "Minuten", "Einwohner", "ab 65 Jahren", "Region (Einwohner)")


def _reachability_rows(
    coverage: pd.DataFrame, pr_id: str
) -> tuple[list[tuple[str, ...]], tuple[str, ...]]:
    """Rows of the reachability table of one area and its column groups (see AreaReport)."""
    check_columns(coverage, COVERAGE_COLUMNS, "Erreichbarkeit")
    part = coverage[coverage["pr_id"].astype(str) == pr_id]
    has_region = "region_anteil_einwohner" in part.columns

    def cells(row: pd.Series) -> tuple[str, str, str]:
        return (
            de_percent(row["anteil_einwohner"]),
            de_percent(row["anteil_65_plus"]),
            de_percent(row["region_anteil_einwohner"]) if has_region else MISSING,
        )

    keys = list(dict.fromkeys(zip(part["profil"].astype(str), part["minuten"], strict=True)))
    if len(keys) > MAX_GROUPS or part.duplicated(subset=["typ", "profil", "minuten"]).any():
        long_rows: list[tuple[str, ...]] = [
            (str(row["typ"]), profile_labels().get(str(row["profil"]), str(row["profil"])),
             de_number(row["minuten"], 0), *cells(row))
            for _, row in part.iterrows()
        ]
        return long_rows, ()
    groups = tuple(f"{profile_labels().get(p, p)}, {de_number(m, 0)} Min." for p, m in keys)
    rows: list[tuple[str, ...]] = []
    for typ, block in part.groupby(part["typ"].astype(str), sort=False):
        values: list[str] = [typ]
        for profil, minutes in keys:
            hit = block[(block["profil"].astype(str) == profil) & (block["minuten"] == minutes)]
            values.extend(cells(hit.iloc[0]) if len(hit) else (MISSING,) * 3)
        rows.append(tuple(values))
    return rows, groups
