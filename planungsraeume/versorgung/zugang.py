"""Supply per demand (2SFCA / E2SFCA) of a region for a question, per cell and planning area.

The supply is the capacity of the offers the question selects (:func:`capacity_table` is the one
rule: the stated weekly hours, else the median of the type, else a documented default – the
source is a column of every output), the demand the inhabitants (or inhabitants aged 65+) of the
populated cells, and the catchment the question's minutes on its profile's network.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from analyses.accessibility import (
    DECAY_LABELS,
    DistanceDecay,
    aggregate_by_area,
    capacity_supply,
    service_ratios,
    two_step_fca,
)
from analyses.network.search import travel_time_matrix
from layers.errors import AnalysisError
from planungsraeume.cache import cached
from planungsraeume.frage import Question
from planungsraeume.region import OUTSIDE_ID, Region
from planungsraeume.versorgung.netz import DEMAND_LABELS, check_demand, check_types, matching

__all__ = ["CAPACITY_SOURCE_LABELS", "AreaAccessibility", "accessibility", "capacity_table"]

#: German words for where an offer's capacity comes from (shown beside every supply figure).
CAPACITY_SOURCE_LABELS = {
    "angegeben": "angegeben",
    "median_typ": "Median des Angebotstyps (angenommen)",
    "standard": "Standardwert 39 Std./Woche (angenommen)",
}


def capacity_table(offers: gpd.GeoDataFrame) -> pd.DataFrame:
    """The capacity of every offer, with where it comes from (the one capacity rule).

    Returns
    -------
    pandas.DataFrame
        As :func:`analyses.accessibility.capacity_supply` (``angebot``, ``kapazitaet_angegeben``,
        ``kapazitaet_quelle``), plus ``kapazitaet_hinweis`` in German.
    """
    table = capacity_supply(offers)
    table["kapazitaet_hinweis"] = table["kapazitaet_quelle"].map(CAPACITY_SOURCE_LABELS)
    return table


@dataclass(frozen=True)
class AreaAccessibility:
    """2SFCA result of one question.

    Attributes
    ----------
    zellen
        Indexed like the populated cells: ``gitter_id``, ``pr_id``, ``nachfrage``,
        ``verhaeltnis`` (supply per person), ``je_einheit`` (supply per 1,000 persons),
        ``angebote_erreichbar`` (offers in the catchment).
    je_planungsraum
        Index ``pr_id`` plus a last row ``"Region"``: ``name``, ``nachfrage``, ``mittelwert``
        (demand-weighted mean of ``je_einheit``), ``anteil_ohne_angebot``.
    angebote
        Per offer: ``name``, ``typ``, ``angebot`` (capacity used), ``kapazitaet_quelle``,
        ``kapazitaet_hinweis``, ``nachfrage_gewichtet``, ``je_einheit`` (supply per 1,000
        persons in its catchment), ``ohne_nachfrage``.
    profil, typen, minuten, verfahren, nachfrage
        What was computed (``verfahren`` and ``nachfrage`` in German).
    """

    zellen: pd.DataFrame
    je_planungsraum: pd.DataFrame
    angebote: pd.DataFrame
    profil: str
    typen: tuple[str, ...]
    minuten: float
    verfahren: str
    nachfrage: str

    @property
    def einheit(self) -> str:
        """German unit of ``je_einheit`` / ``mittelwert``."""
        return f"Beratungsstunden je Woche je 1.000 {self.nachfrage}"

    @property
    def angenommene_kapazitaeten(self) -> int:
        """How many offers have an assumed (not stated) capacity."""
        return int((self.angebote["kapazitaet_quelle"] != "angegeben").sum())


def _offer_table(offers: gpd.GeoDataFrame, supply: pd.DataFrame, ratios: pd.DataFrame) -> pd.DataFrame:
    by_id = offers.set_index(offers["angebot_id"].to_numpy())
    return pd.DataFrame({
        "name": by_id["name"].reindex(ratios.index).astype(str).to_numpy(),
        "typ": by_id["typ"].reindex(ratios.index).astype(str).to_numpy(),
        "angebot": ratios["angebot"].to_numpy(),
        "kapazitaet_quelle": supply["kapazitaet_quelle"].reindex(ratios.index).to_numpy(),
        "kapazitaet_hinweis": supply["kapazitaet_hinweis"].reindex(ratios.index).to_numpy(),
        "nachfrage_gewichtet": ratios["nachfrage_gewichtet"].to_numpy(),
        "je_einheit": ratios["je_einheit"].to_numpy(),
        "ohne_nachfrage": ratios["ohne_nachfrage"].to_numpy(),
    }, index=ratios.index)


@cached("zugang_2sfca", disk=False)
def accessibility(
    region: Region,
    frage: Question,
    *,
    decay: str | DistanceDecay = "keine",
    nachfrage: str = "einwohner",
    services: gpd.GeoDataFrame | None = None,
    engine: str = "access",
) -> AreaAccessibility:
    """2SFCA (or E2SFCA) on network travel times, per cell and per planning area.

    Parameters
    ----------
    region, frage
        The region and the question (its types, filter, profile, minutes and day).
    decay
        ``"keine"`` (2SFCA), ``"stufen"`` or ``"gauss"`` (E2SFCA).
    nachfrage
        ``"einwohner"`` or ``"alter_65_plus"``.
    services
        Offers to use instead of the region's active ones (e.g. a scenario's); the question's
        selection is applied to them as well.
    engine
        2SFCA engine (see :func:`analyses.accessibility.two_step_fca`).

    Returns
    -------
    AreaAccessibility
    """
    demand_column = check_demand(nachfrage)
    kinds = check_types(frage.typen)
    offers = (region.selected_offers(frage) if services is None else matching(services, frage))
    if len(offers) == 0:
        raise AnalysisError(
            f"Es gibt kein Angebot vom Typ {', '.join(kinds)}"
            + (" mit der gewählten Eigenschaft." if frage.merkmale else "."),
            hinweis="Wählen Sie einen anderen Typ oder lockern Sie den Filter.",
        )
    cells = region.cells()
    limit = float(frage.minuten)
    demand = pd.Series(cells[demand_column].to_numpy(dtype=float), index=cells.index)
    supply = capacity_table(offers)
    matrix = travel_time_matrix(region.graph(frage.profil, frage.unbekannt),
                                region.snapped_cells(frage.profil, frage.unbekannt), offers, limit,
                                ziel_id="angebot_id", name="Angebote")
    pairs = matrix.to_frame()
    scores = two_step_fca(pairs, demand, supply["angebot"], max_minutes=limit, decay=decay,
                          origin_col="origin", engine=engine)
    ratios = service_ratios(pairs, demand, supply["angebot"], max_minutes=limit, decay=decay,
                            origin_col="origin")
    areas = pd.Series(region.cell_areas().to_numpy(), index=cells.index, name="pr_id")
    area_ids = list(region.areas()["pr_id"].astype(str))
    if (areas == OUTSIDE_ID).any():
        area_ids.append(OUTSIDE_ID)
    per_area = aggregate_by_area(scores["je_einheit"], demand, areas, area_ids=area_ids)
    names = region.area_names() | {"Region": "Region gesamt"}
    per_area.insert(0, "name", [names.get(str(k), str(k)) for k in per_area.index])
    zellen = pd.DataFrame({
        "gitter_id": cells["gitter_id"].to_numpy(),
        "pr_id": areas.to_numpy(),
        "nachfrage": demand.to_numpy(),
        "verhaeltnis": scores["verhaeltnis"].to_numpy(),
        "je_einheit": scores["je_einheit"].to_numpy(),
        "angebote_erreichbar": scores["angebote_erreichbar"].to_numpy(),
    }, index=cells.index)
    kind = decay.kind if isinstance(decay, DistanceDecay) else str(decay)
    return AreaAccessibility(
        zellen=zellen, je_planungsraum=per_area, angebote=_offer_table(offers, supply, ratios),
        profil=frage.profil, typen=tuple(kinds), minuten=limit,
        verfahren=DECAY_LABELS.get(kind, kind), nachfrage=DEMAND_LABELS[demand_column],
    )
