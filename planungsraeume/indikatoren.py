"""Indicators per planning area, each against the region.

:func:`compute_indicators` returns ONE tidy table (one row per planning area and indicator)
that the app's profile page, the conference mode and the PDF report show directly:

==============  ==========================================================================
column          meaning
==============  ==========================================================================
pr_id, name     the planning area
bereich         Bevölkerung, Angebote, Barrierefreiheit, Erreichbarkeit, Eigene Kennzahlen
kennzahl        stable machine key (``anteil_65_plus``, ``angebote_EUTB_je_10000``)
bezeichnung     German label ("Anteil 65 Jahre und älter")
einheit         "Personen", "%", "je 10.000 Einw.", "Anzahl", "Einw. je km²"
art             ``anzahl`` (a count), ``anteil`` (a share in %), ``rate`` (per population
                or area)
wert            the area's value
zaehler,        the counts behind a share or rate (``wert = zaehler / nenner`` scaled), so
nenner          that no figure is a black box
wert_region     the comparison value: for shares and rates the value of the whole region
                (sum of numerators / sum of denominators, never a mean of ratios); for counts
                the average per planning area
region_bezug    what ``wert_region`` is ("Regionswert" or "Durchschnitt je Planungsraum")
differenz       ``wert - wert_region``
verhaeltnis     ``wert / wert_region`` (NaN where the region value is 0)
==============  ==========================================================================

Inputs:

* **Population** either as grid cells (the ``bevoelkerung`` layer; each cell is assigned to the
  area containing its centroid) or as a table per area (e.g. official statistics joined with
  :mod:`layers.planungsraeume.tabellen`), with ``einwohner`` and any of the standard age groups.
* **Services**: the ``angebote`` layer; only offers valid on ``stichtag`` count (retired ones
  do not); counted per type and per 10,000 inhabitants; barrier-free shares from the five
  accessibility fields (``ja`` counts as barrier-free; ``teilweise``/``nein``/``unbekannt`` do
  not, and the share of ``unbekannt`` is reported too).
* **Reachability coverage** (from the reachability analyses of ``analyses/``): one or more
  tables per area in the form described at :func:`coverage_indicators`, or computed from a
  per-cell result with :func:`coverage_from_cells`.
* **User indicators**: the long table ``nutzer_kennzahlen`` (from imported spreadsheets).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.areas import cells_to_areas
from layers.angebote import ACCESS_COLUMNS, service_types
from layers.angebote.edit import active_services
from layers.errors import InputValidationError
from planungsraeume.cache import cached
from planungsraeume.frage import Question
from planungsraeume.region import OUTSIDE_ID, Region

LONG_COLUMNS = ["pr_id", "name", "bereich", "kennzahl", "bezeichnung", "einheit", "art", "wert",
                "zaehler", "nenner", "wert_region", "region_bezug", "differenz", "verhaeltnis"]

GERMAN_COLUMNS = {
    "pr_id": "Nr.",
    "name": "Planungsraum",
    "bereich": "Bereich",
    "kennzahl": "Schlüssel",
    "bezeichnung": "Kennzahl",
    "einheit": "Einheit",
    "art": "Art",
    "wert": "Wert",
    "zaehler": "Zähler",
    "nenner": "Nenner",
    "wert_region": "Vergleichswert Region",
    "region_bezug": "Vergleich mit",
    "differenz": "Abweichung",
    "verhaeltnis": "Verhältnis zur Region",
}

AGE_GROUPS = {
    "alter_unter_18": "unter 18 Jahre",
    "alter_18_64": "18 bis 64 Jahre",
    "alter_65_plus": "65 Jahre und älter",
    "alter_65_79": "65 bis 79 Jahre",
    "alter_80_plus": "80 Jahre und älter",
}
ACCESS_LABELS = {
    "stufenloser_zugang": "stufenlosem Zugang",
    "rollstuhlgerechtes_wc": "rollstuhlgerechtem WC",
    "induktionsschleife": "Induktionsschleife",
    "gebaerdensprache": "Gebärdensprache",
    "leichte_sprache": "Leichter Sprache",
}
REGION_VALUE = "Regionswert"
AREA_MEAN = "Durchschnitt je Planungsraum"
PER = 10_000


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


def assign_to_areas(
    areas: gpd.GeoDataFrame, geometries: gpd.GeoSeries, *, key: str = "pr_id"
) -> pd.Series:
    """The key of the planning area each geometry belongs to.

    The project's one assignment rule (:func:`analyses.areas.cells_to_areas`): centroid, else
    largest overlap, else nearest area.

    Returns
    -------
    pandas.Series
        Indexed like ``geometries``.
    """
    frame = gpd.GeoDataFrame(geometry=geometries, crs=geometries.crs)
    return cells_to_areas(frame, areas, area_id=key)


def population_by_area(
    areas: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, *, key: str = "pr_id"
) -> pd.DataFrame:
    """Sum grid cells (``einwohner`` and age groups) per planning area by cell centroid.

    Returns
    -------
    pandas.DataFrame
        One row per area in the areas' order: ``key``, ``einwohner`` and the age-group columns
        present in ``cells``. ``attrs["ohne_planungsraum"]`` holds the inhabitants of cells
        whose centroid lies in no area.
    """
    columns = ["einwohner", *[c for c in AGE_GROUPS if c in cells.columns]]
    assigned = assign_to_areas(areas, cells.geometry, key=key)
    sums = pd.DataFrame(cells[columns]).astype(float).groupby(assigned.to_numpy()).sum()
    out = pd.DataFrame({key: areas[key].astype("string").to_numpy()})
    out = out.join(sums, on=key)
    out[columns] = out[columns].fillna(0.0)
    out.attrs["ohne_planungsraum"] = float(cells.loc[assigned.isna().to_numpy(), "einwohner"].sum())
    return out


def _population_table(
    areas: gpd.GeoDataFrame, population: pd.DataFrame | None, key: str
) -> pd.DataFrame | None:
    if population is None:
        return None
    if isinstance(population, gpd.GeoDataFrame) and population.geometry.name in population:
        return population_by_area(areas, population, key=key)
    if key not in population.columns or "einwohner" not in population.columns:
        raise InputValidationError(
            f"Die Bevölkerungstabelle braucht die Spalten '{key}' und 'einwohner'.",
            hinweis="Übergeben Sie Gitterzellen (Ebene 'bevoelkerung') oder eine Tabelle je "
            "Planungsraum.",
        )
    table = pd.DataFrame(population).copy()
    table[key] = table[key].astype("string")
    merged = pd.DataFrame({key: areas[key].astype("string").to_numpy()}).merge(
        table, on=key, how="left")
    return merged


def _row(
    area_keys: np.ndarray,
    names: np.ndarray,
    *,
    bereich: str,
    kennzahl: str,
    bezeichnung: str,
    einheit: str,
    art: str,
    zaehler: np.ndarray,
    nenner: np.ndarray | None = None,
    faktor: float = 1.0,
    region_value: float | None = None,
    region_bezug: str | None = None,
) -> pd.DataFrame:
    zaehler = np.asarray(zaehler, dtype=float)
    if nenner is None:
        wert = zaehler.copy()
        nenner_out = np.full(len(zaehler), np.nan)
        region = float(np.nanmean(wert)) if region_value is None and len(wert) else region_value
        bezug = region_bezug or AREA_MEAN
    else:
        nenner_out = np.asarray(nenner, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            wert = np.where(nenner_out > 0, zaehler / nenner_out * faktor, np.nan)
        total = float(np.nansum(nenner_out))
        region = (float(np.nansum(zaehler)) / total * faktor if total > 0 else np.nan) \
            if region_value is None else region_value
        bezug = region_bezug or REGION_VALUE
    region_f = np.nan if region is None else float(region)
    if np.isfinite(region_f) and region_f != 0:
        ratio = wert / region_f
    else:
        ratio = np.full(len(wert), np.nan)
    return pd.DataFrame({
        "pr_id": area_keys,
        "name": names,
        "bereich": bereich,
        "kennzahl": kennzahl,
        "bezeichnung": bezeichnung,
        "einheit": einheit,
        "art": art,
        "wert": wert,
        "zaehler": zaehler if nenner is not None else np.full(len(zaehler), np.nan),
        "nenner": nenner_out,
        "wert_region": region_f,
        "region_bezug": bezug,
        "differenz": wert - region_f,
        "verhaeltnis": ratio,
    })


def _slug(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "§": "par"})
    return re.sub(r"[^A-Za-z0-9]+", "_", text.translate(table)).strip("_")


# --------------------------------------------------------------------------------------------
# Indicator groups
# --------------------------------------------------------------------------------------------


def population_indicators(
    areas: gpd.GeoDataFrame, population: pd.DataFrame, *, key: str = "pr_id"
) -> pd.DataFrame:
    """Inhabitants, density, age-group counts and shares per area (long form)."""
    keys = areas[key].astype("string").to_numpy()
    names = _names(areas)
    inhabitants = population["einwohner"].to_numpy(dtype=float)
    # The area inside the region where the caller knows it (Region.areas: an area made of whole
    # municipalities counts only its part in the region, like its inhabitants).
    area_km2 = (areas["flaeche_km2"].to_numpy(dtype=float) if "flaeche_km2" in areas
                else areas.geometry.area.to_numpy() / 1e6)
    parts = [
        _row(keys, names, bereich="Bevölkerung", kennzahl="einwohner", bezeichnung="Einwohner",
             einheit="Personen", art="anzahl", zaehler=inhabitants),
        _row(keys, names, bereich="Bevölkerung", kennzahl="einwohnerdichte",
             bezeichnung="Einwohnerdichte", einheit="Einw. je km²", art="rate",
             zaehler=inhabitants, nenner=area_km2),
    ]
    for column, label in AGE_GROUPS.items():
        if column not in population or population[column].isna().all():
            continue
        counts = population[column].to_numpy(dtype=float)
        short = column.removeprefix("alter_")
        parts.append(_row(keys, names, bereich="Bevölkerung", kennzahl=f"einwohner_{short}",
                          bezeichnung=f"Einwohner {label}", einheit="Personen", art="anzahl",
                          zaehler=counts))
        parts.append(_row(keys, names, bereich="Bevölkerung", kennzahl=f"anteil_{short}",
                          bezeichnung=f"Anteil {label}", einheit="%", art="anteil",
                          zaehler=counts, nenner=inhabitants, faktor=100.0))
    return pd.concat(parts, ignore_index=True)


def service_indicators(
    areas: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    population: pd.DataFrame | None,
    *,
    key: str = "pr_id",
    stichtag: date | str | None = None,
) -> pd.DataFrame:
    """Offers per type, per 10,000 inhabitants, and barrier-free shares per area (long form).

    Only offers valid on ``stichtag`` (default today) count. Types are listed in the order of
    the vocabulary; types without any offer in the region are left out.
    """
    keys = areas[key].astype("string").to_numpy()
    names = _names(areas)
    active = active_services(services, stichtag)
    # Offers of Region.offers carry their area already (the same rule as the cells').
    assigned = (active["pr_id"].astype("string").where(active["pr_id"] != OUTSIDE_ID)
                if "pr_id" in active.columns and key == "pr_id"
                else assign_to_areas(areas, active.geometry, key=key))
    active = active.assign(_pr=assigned.to_numpy())[assigned.notna().to_numpy()]
    inhabitants = population["einwohner"].to_numpy(dtype=float) if population is not None else None

    def count(mask: pd.Series | np.ndarray) -> np.ndarray:
        counts = active.loc[np.asarray(mask, dtype=bool), "_pr"].value_counts()
        return counts.reindex(keys).fillna(0).to_numpy(dtype=float)

    everything = np.ones(len(active), dtype=bool)
    parts = []
    groups = [("angebote", "Angebote insgesamt", everything),
              ("beratung", "Beratungsangebote", (active["gruppe"] == "Beratung").to_numpy())]
    present = set(active["typ"].dropna())
    for entry in service_types():
        if entry.schluessel in present:
            groups.append((f"angebote_{_slug(entry.schluessel)}", entry.schluessel,
                           (active["typ"] == entry.schluessel).to_numpy()))
    for kennzahl, label, mask in groups:
        counts = count(mask)
        parts.append(_row(keys, names, bereich="Angebote", kennzahl=kennzahl,
                          bezeichnung=label if kennzahl != "angebote" else label,
                          einheit="Anzahl", art="anzahl", zaehler=counts))
        if inhabitants is not None:
            parts.append(_row(keys, names, bereich="Angebote", kennzahl=f"{kennzahl}_je_10000",
                              bezeichnung=f"{label} je 10.000 Einwohner",
                              einheit="je 10.000 Einw.", art="rate", zaehler=counts,
                              nenner=inhabitants, faktor=float(PER)))
    totals = count(everything)
    for column in ACCESS_COLUMNS:
        if column not in active:
            continue
        values = active[column].astype("string").fillna("unbekannt").to_numpy()
        parts.append(_row(keys, names, bereich="Barrierefreiheit", kennzahl=f"anteil_{column}",
                          bezeichnung=f"Anteil der Angebote mit {ACCESS_LABELS[column]}",
                          einheit="%", art="anteil", zaehler=count(values == "ja"),
                          nenner=totals, faktor=100.0))
    values = active["stufenloser_zugang"].astype("string").fillna("unbekannt").to_numpy()
    parts.append(_row(keys, names, bereich="Barrierefreiheit",
                      kennzahl="anteil_stufenloser_zugang_unbekannt",
                      bezeichnung="Anteil der Angebote ohne Angabe zum stufenlosen Zugang",
                      einheit="%", art="anteil", zaehler=count(values == "unbekannt"),
                      nenner=totals, faktor=100.0))
    return pd.concat(parts, ignore_index=True)


def coverage_from_cells(
    areas: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    erreicht: str | np.ndarray | pd.Series,
    *,
    kennzahl: str,
    bezeichnung: str | None = None,
    key: str = "pr_id",
    gewicht: str = "einwohner",
) -> pd.DataFrame:
    """A coverage table per area from a per-cell reachability result.

    Parameters
    ----------
    areas
        Planning areas.
    cells
        Population cells (``bevoelkerung`` layer) in the same CRS.
    erreicht
        Per cell: whether the service is reached (a boolean column name, array or Series
        aligned with ``cells``), e.g. ``reisezeit_min <= 15`` from the reachability analysis.
    kennzahl, bezeichnung
        Key and German label, e.g. ``"eutb_rollstuhl_15"``, "EUTB in 15 Min. (Rollstuhl)".
    gewicht
        The population column to count (``einwohner`` or ``alter_65_plus``).

    Returns
    -------
    pandas.DataFrame
        ``pr_id``, ``kennzahl``, ``bezeichnung``, ``erreicht``, ``basis`` (see
        :func:`coverage_indicators`).
    """
    reached = cells[erreicht] if isinstance(erreicht, str) else erreicht
    reached = np.asarray(reached, dtype=bool)
    if len(reached) != len(cells):
        raise InputValidationError(
            "Die Angabe 'erreicht' hat nicht so viele Werte wie es Zellen gibt.",
            hinweis="Übergeben Sie einen Wert je Bevölkerungszelle.",
        )
    weights = cells[gewicht].to_numpy(dtype=float)
    assigned = assign_to_areas(areas, cells.geometry, key=key).to_numpy()
    frame = pd.DataFrame({"pr": assigned, "erreicht": weights * reached, "basis": weights})
    sums = frame.dropna(subset=["pr"]).groupby("pr")[["erreicht", "basis"]].sum()
    keys = areas[key].astype("string").to_numpy()
    sums = sums.reindex(keys).fillna(0.0)
    return pd.DataFrame({
        key: keys,
        "kennzahl": kennzahl,
        "bezeichnung": bezeichnung or kennzahl,
        "erreicht": sums["erreicht"].to_numpy(),
        "basis": sums["basis"].to_numpy(),
    })


def coverage_from_area_coverage(
    area_coverage: pd.DataFrame,
    minuten: float,
    *,
    kennzahl: str,
    bezeichnung: str,
    gruppe: str = "einwohner",
) -> pd.DataFrame:
    """The coverage table of the reachability analysis as input of :func:`coverage_indicators`.

    Parameters
    ----------
    area_coverage
        Output of ``planungsraeume.erreichbarkeit.coverage`` / ``analyses.coverage.coverage_by_area``
        (one row per area and threshold, plus ``gesamt``/``ohne`` rows, which are dropped: the
        region value is recomputed from the areas).
    minuten
        The threshold to take (must be one of the table's thresholds).
    kennzahl, bezeichnung
        Key and German label of the indicator.
    gruppe
        ``"einwohner"`` (all inhabitants) or ``"ab65"`` (people aged 65 and over).

    Returns
    -------
    pandas.DataFrame
        ``pr_id``, ``kennzahl``, ``bezeichnung``, ``erreicht``, ``basis``.
    """
    if gruppe not in ("einwohner", "ab65"):
        raise InputValidationError(f"Unbekannte Gruppe '{gruppe}'.",
                                   hinweis="Erlaubt sind 'einwohner' und 'ab65'.")
    rows = area_coverage[np.isclose(area_coverage["schwelle_min"].astype(float), float(minuten))]
    if rows.empty:
        raise InputValidationError(
            f"Die Erreichbarkeitstabelle enthält keine Schwelle von {minuten:g} Minuten.",
            hinweis="Berechnen Sie die Versorgung mit dieser Minutenzahl.",
        )
    rows = rows[~rows["pr_id"].astype(str).isin(["gesamt", "ohne"])]
    return pd.DataFrame({
        "pr_id": rows["pr_id"].astype(str).to_numpy(),
        "kennzahl": kennzahl,
        "bezeichnung": bezeichnung,
        "erreicht": rows[f"{gruppe}_erreicht"].to_numpy(dtype=float),
        "basis": rows[gruppe].to_numpy(dtype=float),
    })


def reachability_coverage(region: Region, frage: Question) -> list[pd.DataFrame]:
    """Reachability coverage of a region for a question, as input of :func:`indicators`.

    Runs the cached reachability analysis (:func:`planungsraeume.erreichbarkeit.coverage`) and
    returns two tables: all inhabitants and people aged 65 and over who reach a selected offer
    within the question's minutes.

    Returns
    -------
    list of pandas.DataFrame
        Keys ``erreichbarkeit_<slug>`` and ``erreichbarkeit_<slug>_65`` once passed through
        :func:`coverage_indicators`.
    """
    from planungsraeume import erreichbarkeit

    table = erreichbarkeit.coverage(region, frage)
    label = f"{frage.selection_label()} in {frage.minutes_label()} {frage.profile_label()}"
    slug = _slug(f"{frage.selection_label()}_{frage.profil}_{frage.minuten:g}")
    return [
        coverage_from_area_coverage(table, float(frage.minuten), kennzahl=slug, bezeichnung=label),
        coverage_from_area_coverage(table, float(frage.minuten), kennzahl=f"{slug}_65",
                                    bezeichnung=f"{label}, 65 Jahre und älter", gruppe="ab65"),
    ]


def coverage_indicators(
    areas: gpd.GeoDataFrame,
    coverage: pd.DataFrame | Sequence[pd.DataFrame],
    population: pd.DataFrame | None = None,
    *,
    key: str = "pr_id",
) -> pd.DataFrame:
    """Reachability coverage per area as indicators against the region.

    This is the hook for the reachability analyses: they deliver, per planning area, how many
    people reach a kind of service within a time limit.

    Parameters
    ----------
    areas
        Planning areas.
    coverage
        One table or several, each with the area key column and

        * a label: ``kennzahl`` (and optionally ``bezeichnung``), or any of the columns
          ``typ``, ``profil``, ``minuten``, ``gruppe`` from which the label is built
          (e.g. "EUTB · rollstuhl · 15 Min. · 65+"), and
        * the counts ``erreicht`` (people reached) and ``basis`` (people in the area), from
          which the share and the region's share are computed exactly; or, if only a share
          is known, ``anteil`` (0–1), whose region value is then weighted with the areas'
          inhabitants (or their plain mean without population).
    population
        Per-area population (for weighting ``anteil``-only tables).

    Returns
    -------
    pandas.DataFrame
        Long-form indicators (bereich "Erreichbarkeit", einheit "%").
    """
    tables = [coverage] if isinstance(coverage, pd.DataFrame) else list(coverage)
    keys = areas[key].astype("string").to_numpy()
    names = _names(areas)
    parts = []
    for table in tables:
        if key not in table.columns:
            raise InputValidationError(
                f"Der Erreichbarkeitstabelle fehlt die Spalte '{key}'.",
                hinweis="Jede Zeile braucht die Nummer des Planungsraums.",
            )
        frame = pd.DataFrame(table).copy()
        frame[key] = frame[key].astype("string")
        if "kennzahl" not in frame.columns:
            label_columns = [c for c in ("typ", "profil", "minuten", "gruppe") if c in frame]
            if not label_columns:
                raise InputValidationError(
                    "Der Erreichbarkeitstabelle fehlt eine Bezeichnung (Spalte 'kennzahl' oder "
                    "'typ'/'profil'/'minuten').",
                    hinweis="Ergänzen Sie, was die Zahlen messen.",
                )
            frame["kennzahl"] = frame[label_columns].astype(str).agg("_".join, axis=1)
            frame["bezeichnung"] = frame[label_columns].apply(_coverage_label, axis=1)
        if "bezeichnung" not in frame.columns:
            frame["bezeichnung"] = frame["kennzahl"]
        has_counts = {"erreicht", "basis"} <= set(frame.columns)
        if not has_counts and "anteil" not in frame.columns:
            raise InputValidationError(
                "Die Erreichbarkeitstabelle braucht 'erreicht' und 'basis' (Personen) oder "
                "'anteil' (0–1).",
                hinweis="Siehe planungsraeume.indikatoren.coverage_indicators.",
            )
        for kennzahl, group in frame.groupby("kennzahl", sort=False):
            group = group.drop_duplicates(subset=[key]).set_index(key).reindex(keys)
            label = str(group["bezeichnung"].dropna().iloc[0]) if group["bezeichnung"].notna().any() \
                else str(kennzahl)
            slug = f"erreichbarkeit_{_slug(str(kennzahl))}"
            if has_counts:
                parts.append(_row(keys, names, bereich="Erreichbarkeit", kennzahl=slug,
                                  bezeichnung=f"Anteil erreicht: {label}", einheit="%",
                                  art="anteil", zaehler=group["erreicht"].to_numpy(dtype=float),
                                  nenner=group["basis"].to_numpy(dtype=float), faktor=100.0))
            else:
                share = group["anteil"].to_numpy(dtype=float)
                if np.nanmax(share, initial=0.0) > 1.0:
                    raise InputValidationError(
                        f"Die Anteile der Kennzahl '{kennzahl}' sind größer als 1.",
                        hinweis="Geben Sie Anteile als Zahl zwischen 0 und 1 an.",
                    )
                weights = population["einwohner"].to_numpy(dtype=float) \
                    if population is not None else np.ones(len(keys))
                usable = np.isfinite(share) & np.isfinite(weights)
                region = float(np.sum(share[usable] * weights[usable]) / np.sum(weights[usable]) * 100) \
                    if usable.any() and np.sum(weights[usable]) > 0 else np.nan
                parts.append(_row(keys, names, bereich="Erreichbarkeit", kennzahl=slug,
                                  bezeichnung=f"Anteil erreicht: {label}", einheit="%",
                                  art="anteil", zaehler=share * 100, region_value=region,
                                  region_bezug=REGION_VALUE + (" (gewichtet)" if population is not None else " (Mittel)")))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LONG_COLUMNS)


def _coverage_label(row: pd.Series) -> str:
    parts = []
    for column, value in row.items():
        if column == "minuten":
            parts.append(f"{value:g} Min." if isinstance(value, (int, float)) else f"{value} Min.")
        else:
            parts.append(str(value))
    return " · ".join(parts)


def user_indicators(
    areas: gpd.GeoDataFrame, table: pd.DataFrame, *, key: str = "pr_id"
) -> pd.DataFrame:
    """Imported indicators (long: ``pr_id``, ``kennzahl``, ``wert``) against the area mean."""
    keys = areas[key].astype("string").to_numpy()
    names = _names(areas)
    frame = pd.DataFrame(table).copy()
    frame["pr_id"] = frame["pr_id"].astype("string")
    parts = []
    for kennzahl, group in frame.groupby("kennzahl", sort=False):
        values = group.drop_duplicates("pr_id").set_index("pr_id")["wert"].reindex(keys)
        parts.append(_row(keys, names, bereich="Eigene Kennzahlen",
                          kennzahl=f"eigen_{_slug(str(kennzahl))}", bezeichnung=str(kennzahl),
                          einheit="", art="anzahl", zaehler=values.to_numpy(dtype=float),
                          region_bezug="Mittelwert der Planungsräume"))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LONG_COLUMNS)


def _names(areas: gpd.GeoDataFrame) -> np.ndarray:
    return areas["name"].astype("string").to_numpy() if "name" in areas else \
        np.full(len(areas), pd.NA)


# --------------------------------------------------------------------------------------------
# Everything together
# --------------------------------------------------------------------------------------------


def compute_indicators(
    areas: gpd.GeoDataFrame,
    *,
    population: pd.DataFrame | None = None,
    services: gpd.GeoDataFrame | None = None,
    coverage: pd.DataFrame | Sequence[pd.DataFrame] | None = None,
    eigene: pd.DataFrame | None = None,
    key: str = "pr_id",
    stichtag: date | str | None = None,
) -> pd.DataFrame:
    """All indicators per planning area against the region, as one tidy long table.

    Parameters
    ----------
    areas
        Planning areas (``pr_id``, ``name``, polygons in the region CRS).
    population
        Grid cells (GeoDataFrame, assigned by centroid) or a table per area with ``key``,
        ``einwohner`` and age groups.
    services
        The ``angebote`` layer.
    coverage
        Reachability coverage tables (see :func:`coverage_indicators`).
    eigene
        Imported indicators (``nutzer_kennzahlen``).
    key
        Area key column.
    stichtag
        Day for which offers count as active (default today).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LONG_COLUMNS`; see the module docstring. The inputs are not changed.
    """
    if key not in areas.columns:
        raise InputValidationError(
            f"Den Planungsräumen fehlt die Spalte '{key}'.",
            hinweis="Planungsräume brauchen eine Nummer (pr_id).",
        )
    table = _population_table(areas, population, key)
    parts = []
    if table is not None:
        parts.append(population_indicators(areas, table, key=key))
    if services is not None:
        parts.append(service_indicators(areas, services, table, key=key, stichtag=stichtag))
    if coverage is not None:
        parts.append(coverage_indicators(areas, coverage, table, key=key))
    if eigene is not None and len(eigene):
        parts.append(user_indicators(areas, eigene, key=key))
    if not parts:
        return pd.DataFrame(columns=LONG_COLUMNS)
    result = pd.concat([p for p in parts if len(p)], ignore_index=True)[LONG_COLUMNS]
    if table is not None:
        result.attrs["einwohner_ohne_planungsraum"] = table.attrs.get("ohne_planungsraum", 0.0)
    return result


@cached("kennzahlen", disk=False)
def indicators(region: Region, frage: Question | None = None, *,
               stichtag: date | None = None) -> pd.DataFrame:
    """:func:`compute_indicators` for a region: its inhabitants per area (the one cell→area
    rule), its active offers on the day, its own indicators and, with a question, the
    reachability coverage of that question.

    Parameters
    ----------
    region
        The region.
    frage
        Add the reachability coverage of this question (bereich "Erreichbarkeit"); ``None``:
        without reachability (cheap). Its day is the day of the offers as well.
    stichtag
        Day of the offers without a question (default today).

    Returns
    -------
    pandas.DataFrame
        The long table of :func:`compute_indicators`; ``attrs["einwohner_ohne_planungsraum"]``
        holds the inhabitants of cells outside every area.
    """
    from layers.planungsraeume.tabellen import USER_INDICATOR_TABLE

    day = frage.tag if frage is not None else (stichtag or date.today())
    areas = region.areas()
    population = region.population_by_area() if region.has_population() else None
    outside = 0.0
    if population is not None:
        outside = float(population.loc[population["pr_id"] == OUTSIDE_ID, "einwohner"].sum())
        population = population[population["pr_id"] != OUTSIDE_ID]
    coverage = (reachability_coverage(region, frage)
                if frage is not None and region.has_population() and region.has_network() else None)
    own = region.layer(USER_INDICATOR_TABLE) if region.has_layer(USER_INDICATOR_TABLE) else None
    result = compute_indicators(areas, population=population, services=region.offers(day),
                                coverage=coverage, eigene=own, stichtag=day)
    result.attrs["einwohner_ohne_planungsraum"] = outside
    return result


def indicators_wide(long: pd.DataFrame, *, labels: bool = True,
                    region_row: bool = True) -> pd.DataFrame:
    """One row per planning area, one column per indicator (for tables and downloads).

    Parameters
    ----------
    long
        Output of :func:`compute_indicators`.
    labels
        Column names as German labels with unit ("Anteil 65 Jahre und älter (%)") instead of
        keys.
    region_row
        Append a last row "Region" with the comparison values.
    """
    order = list(dict.fromkeys(long["kennzahl"]))
    areas = long.drop_duplicates("pr_id")[["pr_id", "name"]]
    values = long.pivot(index="pr_id", columns="kennzahl", values="wert")
    wide = areas.merge(values.reindex(columns=order), left_on="pr_id", right_index=True,
                       how="left").reset_index(drop=True)
    if region_row:
        region = long.drop_duplicates("kennzahl").set_index("kennzahl")["wert_region"]
        extra = {"pr_id": "", "name": "Region (Vergleichswert)", **region.to_dict()}
        wide = pd.concat([wide, pd.DataFrame([extra])], ignore_index=True)
    wide.columns.name = None
    if labels:
        meta = long.drop_duplicates("kennzahl").set_index("kennzahl")
        label = meta["bezeichnung"].astype(str).to_dict()
        unit = meta["einheit"].fillna("").astype(str).to_dict()
        names = {k: f"{label[k]} ({unit[k]})" if unit[k] else label[k] for k in order}
        wide = wide.rename(columns={**names, "pr_id": "Nr.", "name": "Planungsraum"})
    return wide


def region_summary(long: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator: region value, lowest and highest area (German column names)."""
    rows = []
    for kennzahl, group in long.groupby("kennzahl", sort=False):
        values = group["wert"].astype(float)
        valid = group[values.notna()]
        ordered = valid.sort_values("wert", kind="stable")
        low = ordered.iloc[0] if len(ordered) else None
        high = ordered.iloc[-1] if len(ordered) else None
        first = group.iloc[0]
        rows.append({
            "Bereich": first["bereich"],
            "Kennzahl": first["bezeichnung"],
            "Einheit": first["einheit"],
            "Vergleichswert Region": first["wert_region"],
            "Vergleich mit": first["region_bezug"],
            "Summe aller Planungsräume": float(values.sum()) if first["art"] == "anzahl"
            else np.nan,
            "Niedrigster Wert": None if low is None else low["wert"],
            "Niedrigster Wert in": None if low is None else low["name"],
            "Höchster Wert": None if high is None else high["wert"],
            "Höchster Wert in": None if high is None else high["name"],
            "Schlüssel": kennzahl,
        })
    return pd.DataFrame(rows)


def german_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The long table with German column names (for display and CSV download)."""
    return frame.rename(columns=GERMAN_COLUMNS)
