"""Planungsraum-Steckbrief: the one- or two-page report per planning area, as PDF and HTML.

Coordinators put one planning area on the projector at the Planungsraumkonferenz and hand out
its Steckbrief: a map, the key figures against the region, how well its people reach advice,
where barriers were reported (privacy rules applied) and the list of services.

The report takes its figures as inputs, so that every part of the toolkit supplies its own:

``indicators`` (key figures), a long table with the columns
    ``pr_id``, ``kennzahl`` (German label), ``wert`` (the area's value), ``regionswert`` (the
    comparison value: region average per area for counts, regional rate for shares and rates) and
    ``einheit`` (one of :data:`UNITS`, decides the German formatting). Rows keep their order.
    :func:`report_indicators` takes them from the indicator module
    (:func:`planungsraeume.indikatoren.indicators_for_store`).
``coverage`` (reachability), a long table with ``pr_id``, ``typ``, ``profil``, ``minuten``,
    ``anteil_einwohner`` and ``anteil_65_plus`` (shares 0..1 of the area's population within the
    time limit), optionally ``region_anteil_einwohner``. :func:`report_coverage` computes it on
    the network (:func:`planungsraeume.erreichbarkeit.coverage`) for a :class:`CoverageChoice`.
``barriers`` (:class:`BarrierSummary`), figures that the privacy module has already
    protected; this module never reads or aggregates barrier reports itself.
    :func:`report_barriers` takes them from :func:`planungsraeume.barrieren.area_summaries` of
    the publication :func:`analyses.privacy.publish` made.

:func:`write_reports` computes all three from the store unless they are given.

The map is drawn offline by :mod:`planungsraeume.steckbrief.karte`. The PDF is set with reportlab
in DejaVu Sans (shipped with matplotlib, embedded, with all German characters); the HTML file is
self-contained (map as data URI, inline CSS), ``lang="de"``, with headings, table captions and
header cells for screen readers.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.errors import AnalysisError
from layers.formatting import MISSING, de_number, de_percent
from layers.progress import ProgressCallback
from planungsraeume.frage import profile_labels
from planungsraeume.steckbrief.karte import ATTRIBUTION, MapLayers, render_area_map

__all__ = [
    "DEFAULT_COVERAGE",
    "REPORT_INDICATORS",
    "UNITS",
    "AreaReport",
    "BarrierSummary",
    "CoverageChoice",
    "ReportContext",
    "ReportInputs",
    "advice_types_present",
    "build_area_report",
    "coverage_from_area_table",
    "coverage_questions",
    "file_stem",
    "format_value",
    "indicators_from_long_table",
    "load_report_context",
    "report_barriers",
    "report_coverage",
    "report_html",
    "report_indicators",
    "report_inputs",
    "write_report_pdf",
    "write_reports",
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
# Travel profiles of the reachability analysis, as planners read them.
ACCESS_LABELS = {"ja": "ja", "teilweise": "teilweise", "nein": "nein", "unbekannt": "unbekannt"}
SIMILAR_WITHIN = 0.05  # ±5 % counts as "etwa gleich"
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


def _comparison(value: float, reference: float) -> str:
    if not (np.isfinite(value) and np.isfinite(reference)) or reference == 0:
        return MISSING
    ratio = value / reference
    if abs(ratio - 1.0) <= SIMILAR_WITHIN:
        return "etwa gleich"
    return "höher" if ratio > 1 else "niedriger"


def _check_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(
            f"Der Tabelle '{what}' fehlen die Spalten {', '.join(missing)}.",
            hinweis=f"Erwartet werden: {', '.join(columns)}.",
        )


# --------------------------------------------------------------------------------------------
# Adapters for the tables of the indicator and reachability modules
# --------------------------------------------------------------------------------------------

# Units of the indicator module's long table -> units of the report (and the factor for "%").
_LONG_UNITS = {
    "Personen": ("personen", 1.0),
    "Anzahl": ("anzahl", 1.0),
    "%": ("anteil", 0.01),
    "je 10.000 Einw.": ("je_10000", 1.0),
    "je 1.000 Einw.": ("je_1000", 1.0),
    "Einw. je km²": ("je_km2", 1.0),
    "km²": ("km2", 1.0),
    "Minuten": ("minuten", 1.0),
    "": ("zahl", 1.0),
}


def indicators_from_long_table(long: pd.DataFrame, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Turn the indicator module's long table into this module's ``indicators`` format.

    Written against the documented columns of ``planungsraeume.indikatoren.compute_indicators``
    (``pr_id``, ``kennzahl`` = key, ``bezeichnung`` = label, ``einheit`` in "Personen", "%",
    "je 10.000 Einw.", "Anzahl", "Einw. je km²", ``wert``, ``wert_region``; shares in percent).

    Parameters
    ----------
    long
        The long indicator table.
    keys
        Indicator keys to show, in this order (default: all rows in their order).

    Returns
    -------
    pandas.DataFrame
        ``pr_id``, ``kennzahl`` (the German label), ``wert``, ``regionswert``, ``einheit``.
    """
    _check_columns(long, ("pr_id", "kennzahl", "bezeichnung", "einheit", "wert", "wert_region"),
                   "Kennzahlen")
    table = long
    if keys is not None:
        order = {key: i for i, key in enumerate(keys)}
        table = long[long["kennzahl"].isin(list(keys))].copy()
        table["_ordnung"] = table["kennzahl"].map(order)
        table = table.sort_values(["pr_id", "_ordnung"], kind="stable")
    units = table["einheit"].fillna("").astype(str)
    unknown = sorted(set(units) - set(_LONG_UNITS))
    if unknown:
        raise AnalysisError(
            f"Unbekannte Einheit(en) in der Kennzahlentabelle: {', '.join(unknown)}.",
            hinweis=f"Bekannt sind: {', '.join(u or '(leer)' for u in _LONG_UNITS)}.",
        )
    unit = units.map(lambda u: _LONG_UNITS[u][0])
    factor = units.map(lambda u: _LONG_UNITS[u][1]).astype(float)
    return pd.DataFrame(
        {
            "pr_id": table["pr_id"].astype(str).to_numpy(),
            "kennzahl": table["bezeichnung"].astype(str).to_numpy(),
            "wert": (pd.to_numeric(table["wert"], errors="coerce") * factor).to_numpy(),
            "regionswert": (pd.to_numeric(table["wert_region"], errors="coerce") * factor).to_numpy(),
            "einheit": unit.to_numpy(),
        }
    )


def coverage_from_area_table(
    table: pd.DataFrame, *, typ: str | None = None, total_id: str = "gesamt"
) -> pd.DataFrame:
    """Turn a per-area coverage table of the reachability analysis into the ``coverage`` format.

    Written against the documented output of ``analyses.coverage.coverage_by_area``: one row per
    area and threshold (``pr_id``, ``schwelle_min``, ``einwohner``, ``einwohner_erreicht``,
    ``ab65``, ``ab65_erreicht``, ``profil``, ``auswahl``) plus a total row per threshold
    (``pr_id == "gesamt"``), which gives the region value. Shares are recomputed from the
    counts (not from rounded percentages).

    Parameters
    ----------
    table
        One coverage table (one type/selection, one profile).
    typ
        Label of the service type; default: the table's ``auswahl`` column.
    total_id
        Key of the total rows.

    Returns
    -------
    pandas.DataFrame
        In the ``coverage`` format of this module.
    """
    _check_columns(table, ("pr_id", "schwelle_min", "einwohner", "einwohner_erreicht", "ab65",
                           "ab65_erreicht"), "Erreichbarkeit")

    def share(reached: pd.Series, base: pd.Series) -> np.ndarray:
        base_values = pd.to_numeric(base, errors="coerce").to_numpy(float)
        reached_values = pd.to_numeric(reached, errors="coerce").to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(base_values > 0, reached_values / base_values, np.nan)

    key = table["pr_id"].astype(str)
    totals = table[key == total_id]
    region = pd.Series(share(totals["einwohner_erreicht"], totals["einwohner"]),
                       index=totals["schwelle_min"].to_numpy())
    rows = table[key != total_id]
    label = typ if typ is not None else (
        rows["auswahl"].astype(str) if "auswahl" in rows.columns else "alle Angebote"
    )
    return pd.DataFrame(
        {
            "pr_id": rows["pr_id"].astype(str).to_numpy(),
            "typ": label if isinstance(label, str) else label.to_numpy(),
            "profil": rows["profil"].astype(str).to_numpy() if "profil" in rows.columns else MISSING,
            "minuten": pd.to_numeric(rows["schwelle_min"], errors="coerce").to_numpy(),
            "anteil_einwohner": share(rows["einwohner_erreicht"], rows["einwohner"]),
            "anteil_65_plus": share(rows["ab65_erreicht"], rows["ab65"]),
            "region_anteil_einwohner": rows["schwelle_min"].map(region).to_numpy(dtype=float),
        }
    )


# --------------------------------------------------------------------------------------------
# The report's figures from the store: indicators (#4), coverage (#3), barriers (#5)
# --------------------------------------------------------------------------------------------

# Keys of planungsraeume.indikatoren shown in the Kennzahlen table, in this order (keys a region
# does not have, e.g. age groups without population data, are left out). Imported own
# indicators (``eigen_*``) follow.
REPORT_INDICATORS: tuple[str, ...] = (
    "einwohner",
    "einwohnerdichte",
    "einwohner_unter_18",
    "anteil_unter_18",
    "einwohner_65_plus",
    "anteil_65_plus",
    "anteil_80_plus",
    "angebote",
    "beratung",
    "beratung_je_10000",
    "anteil_stufenloser_zugang",
    "anteil_stufenloser_zugang_unbekannt",
    "anteil_rollstuhlgerechtes_wc",
    "anteil_leichte_sprache",
)


@dataclass(frozen=True)
class CoverageChoice:
    """Which coverage figures the Erreichbarkeit section shows.

    Attributes
    ----------
    typen
        Service types; ``None``: every advice type (group "Beratung") present in the region.
    profile
        Travel profiles (default: on foot and in a wheelchair, the two ends of the range).
    minuten
        Time limit.
    unbekannt
        Handling of unknown way attributes (default from ``data/profile.toml``).
    """

    typen: tuple[str, ...] | None = None
    profile: tuple[str, ...] = ("fuss", "rollstuhl")
    minuten: float = 15.0
    unbekannt: str | None = None


DEFAULT_COVERAGE: CoverageChoice = CoverageChoice()


def advice_types_present(services: pd.DataFrame) -> list[str]:
    """Advice types (group "Beratung") with at least one offer, in the vocabulary's order."""
    from layers.angebote import service_types

    present = set(services.loc[services["gruppe"] == "Beratung", "typ"].dropna().astype(str))
    return [t.schluessel for t in service_types() if t.schluessel in present]


@dataclass(frozen=True)
class ReportInputs:
    """The three figure inputs of the reports, computed once for all areas."""

    indicators: pd.DataFrame
    coverage: pd.DataFrame | None
    barriers: BarrierSummary | None


# --------------------------------------------------------------------------------------------
# Content of a report
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportContext:
    """Everything read once per region for all its reports."""

    region_title: str
    population_note: str
    layers: MapLayers
    services: gpd.GeoDataFrame  # with pr_id and an approximate address
    styles: dict[str, tuple[str, str]]
    stand: str


def _addresses(services: gpd.GeoDataFrame, addresses: pd.DataFrame) -> list[str]:
    """The stated address, else "nahe <nearest OSM address>" within 60 m, else "–"."""
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
    # Column groups of the reachability table ("zu Fuß, 15 Min."), each over GROUP_COLUMNS.
    erreichbarkeit_gruppen: tuple[str, ...] = ()

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
) -> AreaReport:
    """Assemble the content of one area's report (map included).

    Parameters
    ----------
    context
        From :func:`load_report_context`.
    pr_id
        The planning area.
    indicators, coverage, barriers
        See the module docstring.

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
    name = str(match["name"].iloc[0])
    _check_columns(indicators, INDICATOR_COLUMNS, "Kennzahlen")
    own = indicators[indicators["pr_id"].astype(str) == str(pr_id)]
    unknown = sorted(set(own["einheit"]) - set(UNITS))
    if unknown:
        raise AnalysisError(
            f"Unbekannte Einheit(en) in den Kennzahlen: {', '.join(map(str, unknown))}.",
            hinweis=f"Erlaubt sind: {', '.join(UNITS)}.",
        )
    kennzahlen = [
        (
            _label(str(row.kennzahl), str(row.einheit)),
            format_value(row.wert, str(row.einheit)),
            format_value(row.regionswert, str(row.einheit), average=True),
            _comparison(_float(row.wert), _float(row.regionswert)),
        )
        for row in own.itertuples()
    ]
    reach = None
    groups: tuple[str, ...] = ()
    if coverage is not None:
        reach, groups = _reachability_rows(coverage, str(pr_id))
    barrier_rows = None
    rule = ""
    if barriers is not None:
        _check_columns(barriers.tabelle, ("pr_id", "merkmal", "wert"), "Barrieren")
        part = barriers.tabelle[barriers.tabelle["pr_id"].astype(str) == str(pr_id)]
        barrier_rows = [(str(r["merkmal"]), str(r["wert"])) for _, r in part.iterrows()]
        rule = barriers.regel

    services = context.services
    inside = services[services["pr_id"] == str(pr_id)].copy()
    inside = inside.sort_values(["typ", "name"], kind="stable").reset_index(drop=True)
    inside["nr"] = np.arange(1, len(inside) + 1)
    region_counts = services["typ"].value_counts()
    area_counts = inside["typ"].value_counts()
    typen = [
        (str(typ), de_number(area_counts.get(typ, 0)), de_number(count))
        for typ, count in region_counts.sort_index().items()
        if area_counts.get(typ, 0) > 0
    ]
    angebote = [
        (
            str(row["nr"]),
            str(row["name"]),
            str(row["typ"]),
            str(row["adresse_text"]),
            ACCESS_LABELS.get(str(row["stufenloser_zugang"]), "unbekannt"),
        )
        for _, row in inside.iterrows()
    ]
    notes = [ATTRIBUTION + "."]
    if context.population_note:
        notes.append(context.population_note)
    if (inside["quelle"] == "synthetisch").any():
        notes.append("Angebote mit „(fiktiv)“ im Namen sind erfundene Beispieldaten (quelle = synthetisch).")
    if any(a.startswith("nahe ") for *_, a, _ in angebote):
        notes.append("„nahe …“: Adresse fehlt im Verzeichnis; angegeben ist die nächste Hausadresse.")
    picture = render_area_map(context.layers, str(pr_id), styles=context.styles, numbered=inside,
                              map_height_cm=MAP_HEIGHT_CM)
    return AreaReport(
        pr_id=str(pr_id),
        name=name,
        region_title=context.region_title,
        stand=context.stand,
        map_png=picture,
        kennzahlen=kennzahlen,
        erreichbarkeit=reach,
        barrieren=barrier_rows,
        barrieren_regel=rule,
        typen=typen,
        angebote=angebote,
        hinweise=notes,
        erreichbarkeit_gruppen=groups,
    )


GROUP_COLUMNS = ("Einwohner", "ab 65 Jahren", "Region")
PDF_GROUP_COLUMNS = ("Einw.", "ab 65 J.", "Region")  # narrow PDF columns
MAX_GROUPS = 2  # more (profile, minutes) combinations than this: one row per combination
LONG_HEADER = ("Angebotstyp", "Profil", "Minuten", "Einwohner", "ab 65 Jahren", "Region (Einwohner)")


def _reachability_rows(
    coverage: pd.DataFrame, pr_id: str
) -> tuple[list[tuple[str, ...]], tuple[str, ...]]:
    """Rows of the reachability table of one area and its column groups (see AreaReport)."""
    _check_columns(coverage, COVERAGE_COLUMNS, "Erreichbarkeit")
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


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_CSS = """
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; font-size: 1.05rem; line-height: 1.45;
       color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
h1 { font-size: 2rem; margin: 0 0 .2rem; } h2 { font-size: 1.35rem; margin: 1.6rem 0 .5rem;
     border-bottom: 2px solid #1a1a1a; }
.meta { color: #3d3d3d; margin: 0 0 1rem; }
figure { margin: 0; } img { max-width: 100%; height: auto; border: 1px solid #8a8a8a; }
figcaption, .hinweis { font-size: .9rem; color: #3d3d3d; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
th, td { border: 1px solid #8a8a8a; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #e6e6e6; } tbody tr:nth-child(even) { background: #f5f5f5; }
td.zahl { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin-top: 2rem; font-size: .85rem; color: #3d3d3d; }
@media print { body { max-width: none; padding: 0; font-size: 10.5pt; } @page { size: A4; margin: 15mm; }
  h2 { break-after: avoid; } table { break-inside: auto; } tr { break-inside: avoid; } }
"""


def _table(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    body = []
    for row in rows:
        cells = [f'<th scope="row">{esc(row[0])}</th>']
        for i, value in enumerate(row[1:], start=1):
            cls = ' class="zahl"' if i in numeric else ""
            cells.append(f"<td{cls}>{esc(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


REACH_CAPTION = "Anteil der Bevölkerung, die ein Angebot des Typs innerhalb der Zeit erreicht"


def _reachability_html(report: AreaReport) -> str:
    rows = report.erreichbarkeit or []
    if not report.erreichbarkeit_gruppen:
        return _table(REACH_CAPTION, LONG_HEADER, rows, numeric=(2, 3, 4, 5))
    esc = html.escape
    top = '<th scope="col" rowspan="2">Angebotstyp</th>' + "".join(
        f'<th scope="colgroup" colspan="{len(GROUP_COLUMNS)}">{esc(g)}</th>'
        for g in report.erreichbarkeit_gruppen
    )
    sub = "".join(f'<th scope="col">{esc(c)}</th>'
                  for _ in report.erreichbarkeit_gruppen for c in GROUP_COLUMNS)
    body = "".join(
        "<tr>" + f'<th scope="row">{esc(row[0])}</th>'
        + "".join(f'<td class="zahl">{esc(v)}</td>' for v in row[1:]) + "</tr>"
        for row in rows
    )
    return (f"<table><caption>{esc(REACH_CAPTION)}</caption><thead><tr>{top}</tr><tr>{sub}</tr>"
            f"</thead><tbody>{body}</tbody></table>")


def report_html(report: AreaReport) -> str:
    """The report as one self-contained HTML document (German, accessible)."""
    esc = html.escape
    picture = base64.b64encode(report.map_png).decode("ascii")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="de"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(report.title)}</title><style>{_CSS}</style></head><body>",
        "<header><p class=\"meta\">Planungsraum-Steckbrief</p></header><main>",
        f"<h1>{esc(report.name)} <span class=\"meta\">({esc(report.pr_id)})</span></h1>",
        f'<p class="meta">{esc(report.region_title)} · Stand {esc(report.stand)}</p>',
        '<section aria-labelledby="h-karte"><h2 id="h-karte">Karte</h2><figure>',
        f'<img src="data:image/png;base64,{picture}" alt="Karte des Planungsraums '
        f'{esc(report.name)} mit Straßen, Grünflächen, Nachbarräumen und '
        f'{len(report.angebote)} Angeboten im Planungsraum; die Angebote stehen nummeriert in '
        'der Tabelle „Angebote im Planungsraum“.">',
        "<figcaption>Schwarz umrandet: der Planungsraum; gestrichelt: Nachbarräume. Nummern wie in "
        f"der Angebotsliste. {esc(ATTRIBUTION)}.</figcaption></figure></section>",
        '<section aria-labelledby="h-kennzahlen"><h2 id="h-kennzahlen">Kennzahlen</h2>',
        _table(
            "Kennzahlen des Planungsraums im Vergleich zur Region",
            ("Kennzahl", "Planungsraum", "Region", "Vergleich"),
            report.kennzahlen,
            numeric=(1, 2),
        ),
        '<p class="hinweis">Region: bei Anzahlen der Durchschnitt je Planungsraum, bei Anteilen '
        'und Quoten der Wert der ganzen Region. „etwa gleich“: höchstens 5 % Abweichung.</p>',
        "</section>",
        '<section aria-labelledby="h-erreichbarkeit"><h2 id="h-erreichbarkeit">Erreichbarkeit</h2>',
    ]
    if report.erreichbarkeit is None:
        parts.append("<p>Für diesen Bericht liegt keine Erreichbarkeitsanalyse vor.</p>")
    elif not report.erreichbarkeit:
        parts.append("<p>Keine Werte für diesen Planungsraum.</p>")
    else:
        parts.append(_reachability_html(report))
        parts.append('<p class="hinweis">Anteil der Einwohner und der Menschen ab 65 Jahren, die '
                     "das nächste Angebot des Typs innerhalb der Zeit auf dem Wegenetz des Profils "
                     "erreichen (Stufen, Steigungen und Bordsteine je nach Profil berücksichtigt); "
                     "Region: Anteil aller Einwohner der Region.</p>")
    parts.append("</section>")
    parts.append('<section aria-labelledby="h-barrieren"><h2 id="h-barrieren">Gemeldete Barrieren</h2>')
    if report.barrieren is None:
        parts.append("<p>Für diesen Bericht liegt keine Barriereauswertung vor.</p>")
    elif not report.barrieren:
        parts.append("<p>Keine veröffentlichbaren Werte für diesen Planungsraum.</p>")
    else:
        parts.append(_table("Barrieremeldungen (datenschutzgerecht zusammengefasst)",
                            ("Merkmal", "Wert"), report.barrieren))
    if report.barrieren_regel:
        parts.append(f'<p class="hinweis">Datenschutz: {esc(report.barrieren_regel)}</p>')
    parts.append("</section>")
    parts.append('<section aria-labelledby="h-angebote"><h2 id="h-angebote">Angebote im Planungsraum</h2>')
    if report.typen:
        parts.append(_table("Angebote nach Typ", ("Angebotstyp", "im Planungsraum", "in der Region"),
                            report.typen, numeric=(1, 2)))
    if report.angebote:
        parts.append(_table("Angebote im Planungsraum (Nummern wie in der Karte)",
                            ("Nr.", "Name", "Typ", "Adresse", "Stufenloser Zugang"), report.angebote))
    else:
        parts.append("<p>Im Planungsraum liegt kein Angebot des Verzeichnisses.</p>")
    parts.append("</section></main><footer>")
    parts.extend(f"<p>{esc(note)}</p>" for note in report.hinweise)
    parts.append("<p>Erstellt mit Sozialraum-Atlas.</p></footer></body></html>")
    return "\n".join(parts)


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------

_FONT = "DejaVuSans"
_FONT_BOLD = "DejaVuSans-Bold"


def _register_fonts() -> None:
    from matplotlib import get_data_path
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(_FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(_FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    addMapping(_FONT, 0, 0, _FONT)
    addMapping(_FONT, 1, 0, _FONT_BOLD)
    addMapping(_FONT, 0, 1, _FONT)
    addMapping(_FONT, 1, 1, _FONT_BOLD)


def write_report_pdf(report: AreaReport, path: str | Path) -> Path:
    """Set the report as an A4 PDF with embedded DejaVu Sans.

    Parameters
    ----------
    report
        From :func:`build_area_report`.
    path
        Target file (overwritten).

    Returns
    -------
    pathlib.Path
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    path = Path(path)
    base = ParagraphStyle("text", fontName=_FONT, fontSize=9.5, leading=12)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#3d3d3d"))
    h1 = ParagraphStyle("h1", parent=base, fontName=_FONT_BOLD, fontSize=19, leading=23, spaceAfter=2)
    h2 = ParagraphStyle("h2", parent=base, fontName=_FONT_BOLD, fontSize=12.5, leading=15,
                        spaceBefore=8, spaceAfter=4, keepWithNext=1)
    cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5)
    cell_bold = ParagraphStyle("cellb", parent=cell, fontName=_FONT_BOLD)
    cell_num = ParagraphStyle("celln", parent=cell, alignment=2)

    def esc(text: str) -> str:
        return html.escape(text, quote=False)

    def table(header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float],
              numeric: Sequence[int] = (), top_row: Sequence[tuple[str, int]] = ()) -> Table:
        data = []
        spans: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
        if top_row:
            first: list[object] = []
            col = 0
            for label, span in top_row:
                first.append(Paragraph(esc(label), cell_bold))
                first.extend([""] * (span - 1))
                if span > 1:
                    spans.append(("SPAN", (col, 0), (col + span - 1, 0)))
                col += span
            data.append(first)
        data.append([Paragraph(esc(h), cell_bold) for h in header])
        head_rows = len(data)
        for row in rows:
            data.append([
                Paragraph(esc(v), cell_num if i in numeric else (cell_bold if i == 0 else cell))
                for i, v in enumerate(row)
            ])
        result = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=head_rows,
                       hAlign="LEFT")
        result.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a8a8a")),
            ("BACKGROUND", (0, 0), (-1, head_rows - 1), colors.HexColor("#e6e6e6")),
            ("ROWBACKGROUNDS", (0, head_rows), (-1, -1), [colors.white, colors.HexColor("#f5f5f5")]),
            *spans,
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        return result

    story: list[object] = [
        Paragraph("Planungsraum-Steckbrief", small),
        Paragraph(f"{esc(report.name)} ({esc(report.pr_id)})", h1),
        Paragraph(f"{esc(report.region_title)} · Stand {esc(report.stand)}", small),
        Spacer(1, 3 * mm),
    ]
    picture = Image(io.BytesIO(report.map_png))
    scale = 180 * mm / picture.imageWidth
    picture.drawWidth = 180 * mm
    picture.drawHeight = picture.imageHeight * scale
    story.append(picture)
    story.append(Paragraph(
        "Schwarz umrandet: der Planungsraum; gestrichelt: Nachbarräume. Nummern wie in der "
        "Angebotsliste.", small))
    story.append(Paragraph("Kennzahlen", h2))
    story.append(table(("Kennzahl", "Planungsraum", "Region", "Vergleich"), report.kennzahlen,
                       (84, 32, 32, 32), numeric=(1, 2)))
    story.append(Paragraph(
        "Region: bei Anzahlen der Durchschnitt je Planungsraum, bei Anteilen und Quoten der Wert "
        "der ganzen Region. „etwa gleich“: höchstens 5 % Abweichung.", small))
    story.append(Paragraph("Erreichbarkeit", h2))
    if report.erreichbarkeit is None:
        story.append(Paragraph("Für diesen Bericht liegt keine Erreichbarkeitsanalyse vor.", base))
    elif not report.erreichbarkeit:
        story.append(Paragraph("Keine Werte für diesen Planungsraum.", base))
    else:
        groups = report.erreichbarkeit_gruppen
        if not groups:
            story.append(table(("Angebotstyp", "Profil", "Minuten", "Einwohner", "ab 65 Jahren",
                                "Region"), report.erreichbarkeit, (52, 30, 20, 26, 26, 26),
                               numeric=(2, 3, 4, 5)))
        else:
            width = (180 - 48) / (len(groups) * len(PDF_GROUP_COLUMNS))
            sub = [c for _ in groups for c in PDF_GROUP_COLUMNS]
            grid = table(["Angebotstyp", *sub], report.erreichbarkeit,
                         [48, *([width] * len(sub))], numeric=tuple(range(1, len(sub) + 1)),
                         top_row=[("", 1), *[(g, len(GROUP_COLUMNS)) for g in groups]])
            story.append(grid)
        story.append(Paragraph(
            "Anteil der Einwohner (Einw.) und der Menschen ab 65 Jahren, die das nächste Angebot "
            "des Typs innerhalb der Zeit auf dem Wegenetz des Profils erreichen (Stufen, "
            "Steigungen und Bordsteine je nach Profil berücksichtigt); Region: Anteil aller "
            "Einwohner der Region.", small))
    story.append(Paragraph("Gemeldete Barrieren", h2))
    if report.barrieren is None:
        story.append(Paragraph("Für diesen Bericht liegt keine Barriereauswertung vor.", base))
    elif not report.barrieren:
        story.append(Paragraph("Keine veröffentlichbaren Werte für diesen Planungsraum.", base))
    else:
        story.append(table(("Merkmal", "Wert"), report.barrieren, (90, 90)))
    if report.barrieren_regel:
        story.append(Paragraph(f"Datenschutz: {esc(report.barrieren_regel)}", small))
    story.append(Paragraph("Angebote im Planungsraum", h2))
    if report.typen:
        story.append(table(("Angebotstyp", "im Planungsraum", "in der Region"), report.typen,
                           (100, 40, 40), numeric=(1, 2)))
        story.append(Spacer(1, 2 * mm))
    if report.angebote:
        story.append(table(("Nr.", "Name", "Typ", "Adresse", "Stufenlos"), report.angebote,
                           (10, 54, 38, 52, 26)))
    else:
        story.append(Paragraph("Im Planungsraum liegt kein Angebot des Verzeichnisses.", base))
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(" ".join(esc(note) for note in report.hinweise), small))

    def footer(canvas: object, doc: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont(_FONT, 7.5)  # type: ignore[attr-defined]
        canvas.setFillColor(colors.HexColor("#3d3d3d"))  # type: ignore[attr-defined]
        canvas.drawString(15 * mm, 9 * mm, f"{report.title} · {ATTRIBUTION}")  # type: ignore[attr-defined]
        canvas.drawRightString(195 * mm, 9 * mm, f"Seite {doc.page}")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    document = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=13 * mm,
        bottomMargin=15 * mm, title=report.title, author="Sozialraum-Atlas",
        subject=f"Planungsraum {report.name}, {report.region_title}", lang="de-DE",
        displayDocTitle=True, creator="Sozialraum-Atlas",
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


# --------------------------------------------------------------------------------------------
# All areas
# --------------------------------------------------------------------------------------------


def _part(progress: ProgressCallback | None, start: float, end: float) -> ProgressCallback | None:
    """A callback reporting its 0..1 as ``start``..``end`` of the caller's progress."""
    if progress is None:
        return None
    outer = progress

    def scaled(fraction: float, label: str) -> None:
        outer(start + (end - start) * min(1.0, max(0.0, fraction)), label)

    return scaled


def file_stem(pr_id: str, name: str) -> str:
    """File name of an area's report: ``PR07_frankenberger-viertel``.

    Only letters, digits, ``-`` and ``_`` survive, so an area number such as ``../../x`` can
    never name a file outside the output folder.
    """
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
    slug = re.sub(r"[^a-z0-9]+", "-", name.translate(table).lower()).strip("-")
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", str(pr_id).translate(table)).strip("-.") or "planungsraum"
    return f"{key}_{slug}" if slug else key


def _index_html(region_title: str, entries: Sequence[tuple[str, str, str]], formats: Sequence[str]) -> str:
    esc = html.escape
    rows = []
    for pr_id, name, stem in entries:
        links = " · ".join(
            f'<a href="{esc(stem)}.{fmt}">{fmt.upper()}</a>' for fmt in ("html", "pdf") if fmt in formats
        )
        rows.append(f'<tr><th scope="row">{esc(pr_id)}</th><td>{esc(name)}</td><td>{links}</td></tr>')
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>Planungsraum-Steckbriefe {esc(region_title)}</title><style>{_CSS}</style></head>"
        f"<body><main><h1>Planungsraum-Steckbriefe</h1><p class=\"meta\">{esc(region_title)}</p>"
        "<table><caption>Alle Planungsräume</caption><thead><tr><th scope=\"col\">Nr.</th>"
        "<th scope=\"col\">Planungsraum</th><th scope=\"col\">Bericht</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></main></body></html>"
    )


# The region-level entry points (what the app, the CLI and the batch call) read the figures from
# the region; they import the content functions above, hence at the end.
from planungsraeume.steckbrief.quellen import (  # noqa: E402
    coverage_questions,
    load_report_context,
    report_barriers,
    report_coverage,
    report_indicators,
    report_inputs,
    write_reports,
)
