"""What-if scenarios: apply edits to the services and compare coverage before and after.

Pure functions; storage of scenarios is in :mod:`layers.szenarien`.

Coverage is not computed here: the caller passes a *coverage function* that takes a set of
services and returns, for every population cell, whether it reaches one of them within the time
limit (:data:`CoverageFunction`). The network version (profile, type, minutes) comes from the
reachability analysis; tests use a simple stand-in. Likewise a *travel-time function* gives the
origin–offer travel times for the 2SFCA comparison.

Every cell belongs to exactly one planning area (:func:`analyses.areas.cells_to_areas`), so the
per-area differences always add up to the regional difference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analyses.accessibility import aggregate_by_area, capacity_supply, two_step_fca
from layers.angebote import ServiceType, conform, service_type
from layers.errors import AnalysisError, Problem
from layers.szenarien import ScenarioEdit, check_edits

__all__ = [
    "SCENARIO_SOURCE",
    "CoverageFunction",
    "ScenarioComparison",
    "TravelTimeFunction",
    "apply_edits",
    "compare_scenario",
]

CoverageFunction = Callable[[gpd.GeoDataFrame], pd.Series]
"""Takes services (``angebote`` schema), returns a boolean Series indexed like the population
cells: True where the cell reaches one of the services within the time limit."""

TravelTimeFunction = Callable[[gpd.GeoDataFrame], pd.DataFrame]
"""Takes services, returns the long travel-time table (``herkunft_id`` = cell id, ``ziel_id`` =
``angebot_id``, ``minuten``) for the 2SFCA."""

SCENARIO_SOURCE = "szenario"


def apply_edits(services: gpd.GeoDataFrame, edits: Sequence[ScenarioEdit]) -> gpd.GeoDataFrame:
    """Return the services as they would be after the scenario's edits (a new frame).

    Parameters
    ----------
    services
        The ``angebote`` layer (region CRS); not changed.
    edits
        Edits in order; locations in the services' CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        In the ``angebote`` schema. New offers get ``quelle = "szenario"`` and, without an id,
        ``szenario-1``, ``szenario-2``, …; moved offers keep their id with the new location.

    Raises
    ------
    AnalysisError
        Listing every edit that refers to an unknown offer, a closed one, or an id that exists.
    """
    state = _Edited(services, check_edits(edits))
    for number, edit in enumerate(edits, start=1):
        if edit.aktion in ("verschieben", "schliessen"):
            state.change(number, edit)
        elif edit.aktion == "neu":
            state.add(number, edit)
    if state.problems:
        raise AnalysisError(
            "Das Szenario passt nicht zum aktuellen Angebotsverzeichnis.",
            hinweis="Korrigieren Sie die genannten Änderungen (z. B. nach einer Bearbeitung des "
            "Verzeichnisses) und speichern Sie das Szenario erneut.",
            probleme=state.problems,
        )
    return state.frame()


class _Edited:
    """The services while a scenario's edits are applied, with the problems found so far."""

    def __init__(self, services: gpd.GeoDataFrame, problems: list[Problem]) -> None:
        self.crs = services.crs
        self.result = services.copy()
        self.ids = self.result["angebot_id"].astype("string")
        self.problems = problems
        self.new_rows: list[dict[str, object]] = []
        self.closed: set[str] = set()
        self.generated = 0

    def change(self, number: int, edit: ScenarioEdit) -> None:
        """Move, rename, resize or close an existing offer."""
        key = str(edit.angebot_id)
        hit = np.flatnonzero((self.ids == key).fillna(False).to_numpy())
        if key in self.closed or not len(hit):
            self.problems.append(
                Problem(
                    f"Änderung {number}: Das Angebot '{key}' gibt es "
                    + ("im Szenario nicht mehr (bereits geschlossen)." if key in self.closed
                       else "nicht."),
                    "Prüfen Sie die angebot_id im Angebotsverzeichnis.",
                    spalte="angebot_id",
                )
            )
            return
        if edit.aktion == "schliessen":
            self.closed.add(key)
            return
        result = self.result
        pos = result.index[hit[0]]
        if edit.x is not None and edit.y is not None:
            result.loc[pos, result.geometry.name] = shapely.Point(edit.x, edit.y)
        if edit.name:
            result.loc[pos, "name"] = edit.name
        if edit.kapazitaet_std_woche is not None:
            result.loc[pos, "kapazitaet_std_woche"] = edit.kapazitaet_std_woche
        if edit.stufenloser_zugang:
            result.loc[pos, "stufenloser_zugang"] = edit.stufenloser_zugang

    def _taken(self) -> set[str]:
        return set(self.ids.dropna()) | {str(r["angebot_id"]) for r in self.new_rows}

    def add(self, number: int, edit: ScenarioEdit) -> None:
        """Return a new offer (``szenario-1``, ``szenario-2``, … without an id)."""
        if edit.angebot_id:
            key = edit.angebot_id
        else:
            self.generated += 1
            key = f"szenario-{self.generated}"
            while key in self._taken():
                self.generated += 1
                key = f"szenario-{self.generated}"
        if key in self._taken():
            self.problems.append(
                Problem(
                    f"Änderung {number}: Die angebot_id '{key}' ist schon vergeben.",
                    "Lassen Sie die ID eines neuen Angebots leer oder wählen Sie eine neue.",
                    spalte="angebot_id",
                )
            )
            return
        try:
            kind = service_type(str(edit.typ))
        except KeyError:
            return  # reported by check_edits
        self.new_rows.append(_new_offer(key, kind, edit))

    def frame(self) -> gpd.GeoDataFrame:
        """Return the services after the edits, in the ``angebote`` schema."""
        result = self.result[~self.ids.isin(list(self.closed)).fillna(False).to_numpy()]
        if self.new_rows:
            added = gpd.GeoDataFrame(
                pd.DataFrame(self.new_rows).drop(columns="geometry"),
                geometry=[r["geometry"] for r in self.new_rows],
                crs=self.crs,
            )
            result = pd.concat([result, conform(added)], ignore_index=True)
        frame = gpd.GeoDataFrame(result, geometry=result.geometry.name, crs=self.crs)
        return conform(frame).reset_index(drop=True)


def _new_offer(key: str, kind: ServiceType, edit: ScenarioEdit) -> dict[str, object]:
    """Return the row of a new offer of a scenario (unknown features as ``"unbekannt"``)."""
    return {
        "angebot_id": key,
        "name": edit.name or f"{kind.schluessel} (Szenario)",
        "typ": kind.schluessel,
        "gruppe": kind.gruppe,
        "zielgruppen": ";".join(kind.zielgruppen) or None,
        "stufenloser_zugang": edit.stufenloser_zugang or "unbekannt",
        "rollstuhlgerechtes_wc": "unbekannt",
        "induktionsschleife": "unbekannt",
        "gebaerdensprache": "unbekannt",
        "leichte_sprache": "unbekannt",
        "aufsuchend": "unbekannt",
        "kapazitaet_std_woche": edit.kapazitaet_std_woche,
        "quelle": SCENARIO_SOURCE,
        "version": 1,
        "geometry": shapely.Point(edit.x or 0.0, edit.y or 0.0),
    }


@dataclass(frozen=True)
class ScenarioComparison:
    """Coverage before and after a scenario.

    Attributes
    ----------
    je_planungsraum
        One row per planning area (index ``pr_id``): ``einwohner``, ``einwohner_65_plus``,
        ``versorgt_vorher``, ``versorgt_nachher``, ``differenz``, ``versorgt_65_vorher``,
        ``versorgt_65_nachher``, ``differenz_65``, ``anteil_vorher``, ``anteil_nachher``.
    zellen
        One row per population cell (indexed like the population): ``pr_id``,
        ``versorgt_vorher``, ``versorgt_nachher`` and ``aenderung`` (``"neu versorgt"``,
        ``"nicht mehr versorgt"``, ``"unverändert"``), for a map.
    versorgt_vorher, versorgt_nachher, versorgt_65_vorher, versorgt_65_nachher
        Regional totals, computed from the cells (not from the table).
    angebote_vorher, angebote_nachher
        The service sets compared (after the type filter).
    erreichbarkeit
        Per planning area, if a travel-time function was given: population-weighted mean 2SFCA
        value (supply per 1,000 inhabitants) ``vorher``, ``nachher``, ``differenz``; else None.
    """

    je_planungsraum: pd.DataFrame
    zellen: pd.DataFrame
    versorgt_vorher: float
    versorgt_nachher: float
    versorgt_65_vorher: float
    versorgt_65_nachher: float
    angebote_vorher: gpd.GeoDataFrame
    angebote_nachher: gpd.GeoDataFrame
    erreichbarkeit: pd.DataFrame | None = None

    @property
    def differenz(self) -> float:
        """Regional change of the covered population."""
        return self.versorgt_nachher - self.versorgt_vorher

    @property
    def differenz_65(self) -> float:
        """Regional change of the covered population aged 65+."""
        return self.versorgt_65_nachher - self.versorgt_65_vorher

    def table(self, names: pd.Series | None = None) -> pd.DataFrame:
        """Return the before/after table with German headers and a last row "Region gesamt".

        Parameters
        ----------
        names
            Area names indexed by ``pr_id`` (e.g. ``areas.set_index("pr_id")["name"]``).

        Returns
        -------
        pandas.DataFrame
            Columns Planungsraum, Einwohner, "versorgt vorher", "versorgt nachher", Differenz,
            "65+ versorgt vorher", "65+ versorgt nachher", "Differenz 65+", "Anteil vorher",
            "Anteil nachher" (shares 0..1). The total row uses the regional totals, which equal
            the sums of the rows.
        """
        body = self.je_planungsraum
        label = (
            [str(names.get(k, k)) for k in body.index] if names is not None else list(body.index)
        )
        people = float(body["einwohner"].sum())
        rows = pd.DataFrame(
            {
                "Planungsraum": label,
                "Einwohner": body["einwohner"].to_numpy(),
                "versorgt vorher": body["versorgt_vorher"].to_numpy(),
                "versorgt nachher": body["versorgt_nachher"].to_numpy(),
                "Differenz": body["differenz"].to_numpy(),
                "65+ versorgt vorher": body["versorgt_65_vorher"].to_numpy(),
                "65+ versorgt nachher": body["versorgt_65_nachher"].to_numpy(),
                "Differenz 65+": body["differenz_65"].to_numpy(),
                "Anteil vorher": body["anteil_vorher"].to_numpy(),
                "Anteil nachher": body["anteil_nachher"].to_numpy(),
            },
            index=pd.Index(body.index, name="pr_id"),
        )
        total = pd.DataFrame(
            {
                "Planungsraum": ["Region gesamt"],
                "Einwohner": [people],
                "versorgt vorher": [self.versorgt_vorher],
                "versorgt nachher": [self.versorgt_nachher],
                "Differenz": [self.differenz],
                "65+ versorgt vorher": [self.versorgt_65_vorher],
                "65+ versorgt nachher": [self.versorgt_65_nachher],
                "Differenz 65+": [self.differenz_65],
                "Anteil vorher": [self.versorgt_vorher / people if people else np.nan],
                "Anteil nachher": [self.versorgt_nachher / people if people else np.nan],
            },
            index=pd.Index(["gesamt"], name="pr_id"),
        )
        return pd.concat([rows, total])


def _covered(coverage: CoverageFunction, services: gpd.GeoDataFrame, index: pd.Index) -> np.ndarray:
    result = coverage(services)
    if not isinstance(result, pd.Series) or not result.index.equals(index):
        raise AnalysisError(
            "Die Versorgungsfunktion muss für jede Rasterzelle genau einen Wert liefern "
            "(gleicher Index wie die Bevölkerung).",
            hinweis="Das ist ein Programmfehler der aufrufenden Funktion; bitte melden.",
        )
    return result.fillna(False).to_numpy(dtype=bool)


def compare_scenario(
    services: gpd.GeoDataFrame,
    edits: Sequence[ScenarioEdit],
    population: pd.DataFrame,
    cell_areas: pd.Series,
    coverage: CoverageFunction,
    *,
    types: Sequence[str] | None = None,
    area_ids: Sequence[object] | None = None,
    travel_times: TravelTimeFunction | None = None,
    max_minutes: float | None = None,
    decay: str = "keine",
    cell_id: str = "gitter_id",
) -> ScenarioComparison:
    """Apply a scenario and compare covered population (all and 65+) per planning area.

    Parameters
    ----------
    services, edits
        The ``angebote`` layer (not changed) and the scenario's edits.
    population, cell_areas
        Population cells (``einwohner``, ``alter_65_plus``, ``gitter_id``; not changed) and the
        planning area per cell, indexed like ``population``.
    coverage
        The coverage function (see :data:`CoverageFunction`).
    types, area_ids
        Only services of these types count (e.g. ``["EUTB"]``; None: all); all planning areas
        to list (areas without cells get zeros; default: those in ``cell_areas``).
    travel_times, max_minutes, decay
        Optional travel-time function for the 2SFCA comparison (:data:`TravelTimeFunction`),
        with the catchment (then required) and distance decay of the 2SFCA.
    cell_id
        Id column of ``population`` used as ``herkunft_id`` in the travel-time table.

    Returns
    -------
    ScenarioComparison
    """
    _check_population(population, cell_areas)
    after_all = apply_edits(services, edits)
    before, after = _of_types(services, types), _of_types(after_all, types)
    covered_before = _covered(coverage, before, population.index)
    covered_after = _covered(coverage, after, population.index)
    people = population["einwohner"].to_numpy(dtype=float)
    older = population["alter_65_plus"].to_numpy(dtype=float)
    access_table = None if travel_times is None else _access_change(
        before, after, travel_times, population, cell_areas, area_ids, max_minutes, decay, cell_id
    )
    return ScenarioComparison(
        je_planungsraum=_area_table(cell_areas, people, older, covered_before, covered_after,
                                    area_ids),
        zellen=_cell_changes(cell_areas, covered_before, covered_after, population.index),
        versorgt_vorher=float((people * covered_before).sum()),
        versorgt_nachher=float((people * covered_after).sum()),
        versorgt_65_vorher=float((older * covered_before).sum()),
        versorgt_65_nachher=float((older * covered_after).sum()),
        angebote_vorher=before,
        angebote_nachher=after,
        erreichbarkeit=access_table,
    )


def _of_types(frame: gpd.GeoDataFrame, types: Sequence[str] | None) -> gpd.GeoDataFrame:
    if types is None:
        return frame.reset_index(drop=True)
    return frame[frame["typ"].isin(list(types)).to_numpy()].reset_index(drop=True)


def _check_population(population: pd.DataFrame, cell_areas: pd.Series) -> None:
    for column in ("einwohner", "alter_65_plus"):
        if column not in population.columns:
            raise AnalysisError(
                f"Der Bevölkerung fehlt die Spalte '{column}'.",
                hinweis="Verwenden Sie die Ebene 'bevoelkerung' des Regionsspeichers.",
            )
    if not cell_areas.index.equals(population.index):
        raise AnalysisError(
            "Die Planungsraum-Zuordnung passt nicht zu den Rasterzellen.",
            hinweis="Ordnen Sie die Zellen mit cells_to_areas derselben Bevölkerungsebene zu.",
        )


_TABLE_COLUMNS = [
    "einwohner", "einwohner_65_plus", "versorgt_vorher", "versorgt_nachher", "differenz",
    "versorgt_65_vorher", "versorgt_65_nachher", "differenz_65", "anteil_vorher",
    "anteil_nachher",
]


def _area_table(
    cell_areas: pd.Series,
    people: np.ndarray,
    older: np.ndarray,
    covered_before: np.ndarray,
    covered_after: np.ndarray,
    area_ids: Sequence[object] | None,
) -> pd.DataFrame:
    """Covered population (all and 65+) before and after, per planning area."""
    frame = pd.DataFrame(
        {
            "pr_id": cell_areas.astype("string").to_numpy(),
            "einwohner": people,
            "einwohner_65_plus": older,
            "versorgt_vorher": people * covered_before,
            "versorgt_nachher": people * covered_after,
            "versorgt_65_vorher": older * covered_before,
            "versorgt_65_nachher": older * covered_after,
        }
    )
    table = frame.groupby("pr_id", sort=True).sum(numeric_only=True)
    if area_ids is not None:
        table = table.reindex(pd.Index([str(a) for a in area_ids], name="pr_id"), fill_value=0.0)
    table["differenz"] = table["versorgt_nachher"] - table["versorgt_vorher"]
    table["differenz_65"] = table["versorgt_65_nachher"] - table["versorgt_65_vorher"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["anteil_vorher"] = np.where(
            table["einwohner"] > 0, table["versorgt_vorher"] / table["einwohner"], np.nan
        )
        table["anteil_nachher"] = np.where(
            table["einwohner"] > 0, table["versorgt_nachher"] / table["einwohner"], np.nan
        )
    return table[_TABLE_COLUMNS]


def _cell_changes(
    cell_areas: pd.Series, covered_before: np.ndarray, covered_after: np.ndarray, index: pd.Index
) -> pd.DataFrame:
    """Per cell: area, covered before/after and the change in words (for a map)."""
    change = np.select(
        [covered_after & ~covered_before, covered_before & ~covered_after],
        ["neu versorgt", "nicht mehr versorgt"],
        default="unverändert",
    )
    return pd.DataFrame(
        {
            "pr_id": cell_areas.astype("string").to_numpy(),
            "versorgt_vorher": covered_before,
            "versorgt_nachher": covered_after,
            "aenderung": change,
        },
        index=index.copy(),
    )


def _access_change(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    travel_times: TravelTimeFunction,
    population: pd.DataFrame,
    cell_areas: pd.Series,
    area_ids: Sequence[object] | None,
    max_minutes: float | None,
    decay: str,
    cell_id: str,
) -> pd.DataFrame:
    """Population-weighted mean 2SFCA value per area before and after, and the difference.

    Raises
    ------
    AnalysisError
        Without ``max_minutes``.
    """
    if max_minutes is None:
        raise AnalysisError(
            "Für den Vergleich der Erreichbarkeit (2SFCA) fehlt die Zeitgrenze.",
            hinweis="Geben Sie max_minutes an, z. B. 15.",
        )
    people = population["einwohner"].to_numpy(dtype=float)
    demand = pd.Series(people, index=pd.Index(population[cell_id].to_numpy()))
    areas_by_id = pd.Series(cell_areas.astype("string").to_numpy(), index=demand.index, name="pr_id")
    values = {}
    for label, offer in (("vorher", before), ("nachher", after)):
        supply = capacity_supply(offer)["angebot"]
        scores = two_step_fca(
            travel_times(offer), demand, supply, max_minutes=max_minutes, decay=decay
        )
        values[label] = aggregate_by_area(
            scores["je_einheit"], demand, areas_by_id, area_ids=area_ids
        )["mittelwert"]
    access_table = pd.DataFrame({"vorher": values["vorher"], "nachher": values["nachher"]})
    access_table["differenz"] = access_table["nachher"] - access_table["vorher"]
    return access_table
