"""Indicator groups per planning area: population, offers and accessibility, own indicators."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from analyses.areas import cells_to_areas
from layers.angebote import ACCESS_COLUMNS, service_types
from layers.angebote.gueltigkeit import active_services
from layers.errors import InputValidationError
from planungsraeume.indikatoren.abdeckung import coverage_indicators
from planungsraeume.indikatoren.tabelle import (
    ACCESS_LABELS,
    AGE_GROUPS,
    LONG_COLUMNS,
    OWN_INDICATORS,
    PER,
    area_names,
    indicator_rows,
    slug,
)
from planungsraeume.region import OUTSIDE_ID

__all__ = [
    "assign_to_areas",
    "compute_indicators",
    "population_basis",
    "population_by_area",
    "population_indicators",
    "service_indicators",
    "user_indicators",
]


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


def population_basis(population: pd.DataFrame | None) -> str:
    """``"modelliert"`` if the population (cells with ``quelle``, or a table whose
    ``attrs["quelle"]`` says so) is modelled in whole or in part, else ``""``."""
    if population is None:
        return ""
    if "quelle" in population.columns:
        return "modelliert" if (population["quelle"].astype(str) == "modelliert").any() else ""
    return "modelliert" if population.attrs.get("quelle") == "modelliert" else ""


def population_indicators(
    areas: gpd.GeoDataFrame, population: pd.DataFrame, *, key: str = "pr_id"
) -> pd.DataFrame:
    """Inhabitants, density, age-group counts and shares per area (long form)."""
    keys = areas[key].astype("string").to_numpy()
    names = area_names(areas)
    inhabitants = population["einwohner"].to_numpy(dtype=float)
    # The area inside the region where the caller knows it (Region.areas: an area made of whole
    # municipalities counts only its part in the region, like its inhabitants).
    area_km2 = (areas["flaeche_km2"].to_numpy(dtype=float) if "flaeche_km2" in areas
                else areas.geometry.area.to_numpy() / 1e6)
    parts = [
        indicator_rows(keys, names, bereich="Bevölkerung", kennzahl="einwohner", bezeichnung="Einwohner",
             einheit="Personen", art="anzahl", zaehler=inhabitants),
        indicator_rows(keys, names, bereich="Bevölkerung", kennzahl="einwohnerdichte",
             bezeichnung="Einwohnerdichte", einheit="Einw. je km²", art="rate",
             zaehler=inhabitants, nenner=area_km2),
    ]
    for column, label in AGE_GROUPS.items():
        if column not in population or population[column].isna().all():
            continue
        counts = population[column].to_numpy(dtype=float)
        short = column.removeprefix("alter_")
        parts.append(indicator_rows(keys, names, bereich="Bevölkerung", kennzahl=f"einwohner_{short}",
                          bezeichnung=f"Einwohner {label}", einheit="Personen", art="anzahl",
                          zaehler=counts))
        parts.append(indicator_rows(keys, names, bereich="Bevölkerung", kennzahl=f"anteil_{short}",
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
    names = area_names(areas)
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
            groups.append((f"angebote_{slug(entry.schluessel)}", entry.schluessel,
                           (active["typ"] == entry.schluessel).to_numpy()))
    for kennzahl, label, mask in groups:
        counts = count(mask)
        parts.append(indicator_rows(keys, names, bereich="Angebote", kennzahl=kennzahl,
                          bezeichnung=label if kennzahl != "angebote" else label,
                          einheit="Anzahl", art="anzahl", zaehler=counts))
        if inhabitants is not None:
            parts.append(indicator_rows(keys, names, bereich="Angebote", kennzahl=f"{kennzahl}_je_10000",
                              bezeichnung=f"{label} je 10.000 Einwohner",
                              einheit="je 10.000 Einw.", art="rate", zaehler=counts,
                              nenner=inhabitants, faktor=float(PER)))
    totals = count(everything)
    for column in ACCESS_COLUMNS:
        if column not in active:
            continue
        values = active[column].astype("string").fillna("unbekannt").to_numpy()
        parts.append(indicator_rows(keys, names, bereich="Barrierefreiheit", kennzahl=f"anteil_{column}",
                          bezeichnung=f"Anteil der Angebote mit {ACCESS_LABELS[column]}",
                          einheit="%", art="anteil", zaehler=count(values == "ja"),
                          nenner=totals, faktor=100.0))
    values = active["stufenloser_zugang"].astype("string").fillna("unbekannt").to_numpy()
    parts.append(indicator_rows(keys, names, bereich="Barrierefreiheit",
                      kennzahl="anteil_stufenloser_zugang_unbekannt",
                      bezeichnung="Anteil der Angebote ohne Angabe zum stufenlosen Zugang",
                      einheit="%", art="anteil", zaehler=count(values == "unbekannt"),
                      nenner=totals, faktor=100.0))
    return pd.concat(parts, ignore_index=True)


def user_indicators(
    areas: gpd.GeoDataFrame, table: pd.DataFrame, *, key: str = "pr_id",
    jahr: int | None = None,
) -> pd.DataFrame:
    """Imported indicators (long: ``pr_id``, ``kennzahl``, ``wert``, optional ``jahr``) against
    the area mean.

    An indicator imported with a year column has a value per area and year: the year shown is
    ``jahr`` or, where that year has no values, the latest earlier year that has them (the rule
    of :meth:`planungsraeume.region.Region.population_by_area`); without ``jahr`` its latest
    year. An indicator without years counts for every year (``jahr`` empty).
    """
    keys = areas[key].astype("string").to_numpy()
    names = area_names(areas)
    frame = pd.DataFrame(table).copy()
    frame["pr_id"] = frame["pr_id"].astype("string")
    years = (pd.to_numeric(frame["jahr"], errors="coerce") if "jahr" in frame.columns
             else pd.Series(np.nan, index=frame.index))
    parts = []
    for kennzahl, group in frame.groupby("kennzahl", sort=False):
        group_years = years.loc[group.index].dropna()
        shown = None
        if len(group_years):
            usable = group_years[group_years <= jahr] if jahr is not None else group_years
            if not len(usable):
                continue  # the indicator starts after the year asked for
            shown = int(usable.max())
            group = group[years.loc[group.index] == shown]
        values = group.drop_duplicates("pr_id").set_index("pr_id")["wert"].reindex(keys)
        rows = indicator_rows(keys, names, bereich=OWN_INDICATORS,
                              kennzahl=f"eigen_{slug(str(kennzahl))}", bezeichnung=str(kennzahl),
                              einheit="", art="anzahl", zaehler=values.to_numpy(dtype=float),
                              region_bezug="Mittelwert der Planungsräume")
        parts.append(rows.assign(jahr=shown))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LONG_COLUMNS)


def _indicator_parts(
    areas: gpd.GeoDataFrame,
    table: pd.DataFrame | None,
    services: gpd.GeoDataFrame | None,
    coverage: pd.DataFrame | Sequence[pd.DataFrame] | None,
    eigene: pd.DataFrame | None,
    *,
    key: str,
    stichtag: date | str | None,
    jahr: int | None,
    grundlage: str,
) -> list[pd.DataFrame]:
    """The indicator groups of :func:`compute_indicators`, each with ``jahr`` and
    ``datengrundlage`` (the population's kind beside figures resting on the population)."""
    day_year = pd.Timestamp(stichtag or date.today()).year
    parts = []
    if table is not None:
        parts.append(population_indicators(areas, table, key=key).assign(
            jahr=jahr, datengrundlage=grundlage))
    if services is not None:
        offers = service_indicators(areas, services, table, key=key, stichtag=stichtag)
        per_head = offers["kennzahl"].astype(str).str.endswith(f"_je_{PER}")
        parts.append(offers.assign(jahr=day_year,
                                   datengrundlage=np.where(per_head, grundlage, "")))
    if coverage is not None:
        parts.append(coverage_indicators(areas, coverage, table, key=key).assign(
            jahr=day_year, datengrundlage=grundlage))
    if eigene is not None and len(eigene):
        parts.append(user_indicators(areas, eigene, key=key, jahr=jahr).assign(
            datengrundlage=""))
    return parts


def compute_indicators(
    areas: gpd.GeoDataFrame,
    *,
    population: pd.DataFrame | None = None,
    services: gpd.GeoDataFrame | None = None,
    coverage: pd.DataFrame | Sequence[pd.DataFrame] | None = None,
    eigene: pd.DataFrame | None = None,
    key: str = "pr_id",
    stichtag: date | str | None = None,
    jahr: int | None = None,
    grundlage: str | None = None,
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
    jahr
        The year of the population (default ``population.attrs["jahr"]``, if set); also the
        year of the own indicators shown (see :func:`user_indicators`).
    grundlage
        The population's kind for ``datengrundlage`` (``"modelliert"`` or ``""``; default
        :func:`population_basis` of ``population``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LONG_COLUMNS`; see the module docstring. Every row carries its year
        (``jahr``): the population's for population indicators, the offers' day's for offers
        and reachability, the imported year for own indicators (empty where unknown). The
        inputs are not changed. ``datengrundlage`` is ``"modelliert"`` beside every figure
        resting on a modelled population (inhabitants, age groups, rates per inhabitant,
        reachability shares), else empty.
    """
    if key not in areas.columns:
        raise InputValidationError(
            f"Den Planungsräumen fehlt die Spalte '{key}'.",
            hinweis="Planungsräume brauchen eine Nummer (pr_id).",
        )
    if jahr is None and population is not None:
        jahr = population.attrs.get("jahr")
    if grundlage is None:
        grundlage = population_basis(population)
    table = _population_table(areas, population, key)
    parts = _indicator_parts(areas, table, services, coverage, eigene, key=key,
                             stichtag=stichtag, jahr=jahr, grundlage=grundlage)
    if not parts:
        return pd.DataFrame(columns=LONG_COLUMNS)
    result = pd.concat([p for p in parts if len(p)], ignore_index=True)[LONG_COLUMNS]
    result["jahr"] = pd.to_numeric(result["jahr"]).astype("Int64")
    if table is not None:
        result.attrs["einwohner_ohne_planungsraum"] = table.attrs.get("ohne_planungsraum", 0.0)
    return result
