"""The two steps of the floating catchment methods (2SFCA, E2SFCA) over a travel-time table.

Inputs are checked and reduced to reachable pairs inside the catchment once (:func:`prepare`);
the two steps then run in PySAL ``access`` (the default) or as two sparse matrix products.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyses.accessibility.decay import DistanceDecay, as_decay
from layers.errors import AnalysisError

__all__ = [
    "DESTINATION",
    "ENGINES",
    "MINUTES",
    "ORIGIN",
    "Prepared",
    "enhanced_two_step_fca",
    "prepare",
    "service_ratios",
    "two_step_fca",
]

ORIGIN = "herkunft_id"
DESTINATION = "ziel_id"
MINUTES = "minuten"
ENGINES = ("access", "numpy")


@dataclass(frozen=True)
class Prepared:
    """Checked inputs: the reachable pairs inside the catchment, demand and supply as arrays.

    Attributes
    ----------
    origin_code, dest_code, minutes, weight
        Per pair: origin and offer position, travel time (fastest of duplicate pairs) and decay
        weight (> 0).
    demand, supply
        Per origin and per offer.
    weighted_demand
        Per offer ``Σ P_i W(t_ij)``.
    """

    origin_code: np.ndarray
    dest_code: np.ndarray
    minutes: np.ndarray
    weight: np.ndarray
    demand: np.ndarray
    supply: np.ndarray
    weighted_demand: np.ndarray  # per destination


def prepare(
    travel_times: pd.DataFrame,
    demand: pd.Series,
    supply: pd.Series,
    weight_fn: DistanceDecay,
    origin_col: str,
    destination_col: str,
    minutes_col: str,
) -> Prepared:
    """Check the inputs and keep the reachable pairs inside the catchment (see :class:`Prepared`).

    Raises :class:`~layers.errors.AnalysisError` for missing columns, duplicate ids, negative or
    missing demand, supply or minutes.
    """
    missing = [c for c in (origin_col, destination_col, minutes_col) if c not in travel_times.columns]
    if missing:
        raise AnalysisError(
            f"Der Reisezeittabelle fehlen die Spalten {', '.join(repr(c) for c in missing)}.",
            hinweis=f"Erwartet wird eine Tabelle mit '{origin_col}', '{destination_col}' und "
            f"'{minutes_col}' (eine Zeile je erreichbarem Paar Herkunft–Angebot).",
        )
    if demand.index.has_duplicates or supply.index.has_duplicates:
        raise AnalysisError(
            "Nachfrage oder Angebot enthalten doppelte Schlüssel.",
            hinweis="Jede Rasterzelle und jedes Angebot darf nur einmal vorkommen.",
        )
    demand_values = pd.to_numeric(demand, errors="coerce").to_numpy(dtype=float)
    supply_values = pd.to_numeric(supply, errors="coerce").to_numpy(dtype=float)
    if np.isnan(demand_values).any() or (demand_values < 0).any():
        raise AnalysisError(
            "Die Nachfrage (Einwohnerzahlen) muss für jede Zelle eine Zahl ≥ 0 sein.",
            hinweis="Prüfen Sie die Bevölkerungsebene auf leere oder negative Werte.",
        )
    if np.isnan(supply_values).any() or (supply_values < 0).any():
        raise AnalysisError(
            "Das Angebot (Kapazität) muss für jedes Angebot eine Zahl ≥ 0 sein.",
            hinweis="Ermitteln Sie das Angebot mit capacity_supply, das fehlende Kapazitäten ersetzt.",
        )
    minutes = pd.to_numeric(travel_times[minutes_col], errors="coerce").to_numpy(dtype=float)
    if (minutes < 0).any():
        raise AnalysisError(
            "Die Reisezeittabelle enthält negative Minuten.",
            hinweis="Reisezeiten müssen ≥ 0 sein; prüfen Sie die Berechnung der Reisezeiten.",
            spalte=minutes_col,
        )
    origin_code = pd.Index(demand.index).get_indexer(travel_times[origin_col].to_numpy())
    dest_code = pd.Index(supply.index).get_indexer(travel_times[destination_col].to_numpy())
    weights = np.asarray(weight_fn(minutes), dtype=float)
    # Unknown ids, unreachable pairs (NaN/inf) and pairs beyond the catchment do not count.
    keep = (origin_code >= 0) & (dest_code >= 0) & np.isfinite(minutes) & (weights > 0)
    pairs = pd.DataFrame({"o": origin_code[keep], "d": dest_code[keep], "t": minutes[keep]})
    # Several rows for the same pair (e.g. two entrances): the fastest counts.
    frame = pairs.groupby(["o", "d"], as_index=False, sort=True).agg(t=("t", "min"))
    o = frame["o"].to_numpy(dtype=np.int64)
    d = frame["d"].to_numpy(dtype=np.int64)
    t = frame["t"].to_numpy(dtype=float)
    w = np.asarray(weight_fn(t), dtype=float)
    weighted_demand = np.bincount(d, weights=demand_values[o] * w, minlength=len(supply_values))
    return Prepared(o, d, t, w, demand_values, supply_values, weighted_demand)


def _run_access(prep: Prepared, weight_fn: DistanceDecay) -> np.ndarray:
    """Per-origin accessibility by PySAL ``access`` (offers without demand left out)."""
    from access import Access

    n_origins = len(prep.demand)
    active = prep.weighted_demand > 0
    use = active[prep.dest_code]
    result = np.zeros(n_origins)
    if not use.any():
        return result
    demand_df = pd.DataFrame({"o": np.arange(n_origins), "nachfrage": prep.demand})
    active_codes = np.flatnonzero(active)
    supply_df = pd.DataFrame({"d": active_codes, "angebot": prep.supply[active_codes]})
    cost_df = pd.DataFrame(
        {"o": prep.origin_code[use], "d": prep.dest_code[use], "minuten": prep.minutes[use]}
    )
    with warnings.catch_warnings():
        # access 1.1.10 uses set_index(inplace=True), deprecated for pandas 4 (still works in 3).
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"access(\.|$)")
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"access(\.|$)")
        model = Access(
            demand_df=demand_df,
            demand_index="o",
            demand_value="nachfrage",
            supply_df=supply_df,
            supply_index="d",
            supply_value="angebot",
            cost_df=cost_df,
            cost_origin="o",
            cost_dest="d",
            cost_name="minuten",
        )
        if weight_fn.kind == "keine":
            scores = model.two_stage_fca(name="fca", max_cost=weight_fn.max_minutes)
        else:
            scores = model.enhanced_two_stage_fca(
                name="fca", max_cost=weight_fn.max_minutes, weight_fn=weight_fn
            )
    column = scores["fca_angebot"].reindex(np.arange(n_origins))
    result[:] = column.fillna(0.0).to_numpy(dtype=float)
    return result


def _run_numpy(prep: Prepared) -> np.ndarray:
    """Run the same two steps as sparse matrix products (for very large regions)."""
    from scipy.sparse import csr_array

    matrix = csr_array(
        (prep.weight, (prep.origin_code, prep.dest_code)),
        shape=(len(prep.demand), len(prep.supply)),
    )
    ratio = np.divide(
        prep.supply, prep.weighted_demand, out=np.zeros(len(prep.supply)), where=prep.weighted_demand > 0
    )
    return np.asarray(matrix @ ratio, dtype=float)


def two_step_fca(
    travel_times: pd.DataFrame,
    demand: pd.Series,
    supply: pd.Series,
    *,
    max_minutes: float,
    decay: str | DistanceDecay = "keine",
    per: float = 1000.0,
    origin_col: str = ORIGIN,
    destination_col: str = DESTINATION,
    minutes_col: str = MINUTES,
    engine: str = "access",
) -> pd.DataFrame:
    """Supply per person reachable from every origin (2SFCA, or E2SFCA with ``decay``).

    Parameters
    ----------
    travel_times
        Long table, one row per origin–offer pair: ``herkunft_id``, ``ziel_id``, ``minuten``
        (pairs beyond ``max_minutes``, NaN or infinite minutes and unknown ids are ignored;
        duplicate pairs count with their shortest time). Not changed.
    demand, supply
        Demand per origin (inhabitants, or aged 65+) by origin id; supply per offer (e.g.
        ``capacity_supply(...)["angebot"]``) by offer id.
    max_minutes
        Catchment time limit ``t0``.
    decay
        ``"keine"`` (2SFCA), ``"stufen"`` or ``"gauss"`` (E2SFCA), or a :class:`DistanceDecay`.
    per, origin_col, destination_col, minutes_col
        Scale of the ``je_einheit`` column (default: per 1,000 persons); column names of
        ``travel_times``.
    engine
        ``"access"`` (PySAL ``access``, the default) or ``"numpy"``: the same formulas as two
        sparse matrix products (``access`` weights pair by pair in Python: with decay and a
        million pairs 4 s against 0.3 s; ``benchmarks/accessibility.py``).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``demand``: ``verhaeltnis`` (``A_i``, supply per demand unit),
        ``je_einheit`` (``A_i · per``), ``angebote_erreichbar`` (offers in the catchment).

    Raises
    ------
    AnalysisError
        On missing columns, negative times, demand or supply, duplicate ids or a time limit ≤ 0.
    """
    if engine not in ENGINES:
        raise AnalysisError(
            f"Das Rechenverfahren '{engine}' ist unbekannt.",
            hinweis=f"Erlaubt sind: {', '.join(ENGINES)}.",
        )
    weight_fn = as_decay(decay, max_minutes)
    prep = prepare(travel_times, demand, supply, weight_fn, origin_col, destination_col, minutes_col)
    values = _run_access(prep, weight_fn) if engine == "access" else _run_numpy(prep)
    reachable = np.bincount(prep.origin_code, minlength=len(prep.demand)).astype(np.int64)
    return pd.DataFrame(
        {"verhaeltnis": values, "je_einheit": values * per, "angebote_erreichbar": reachable},
        index=demand.index.copy(),
    )


def enhanced_two_step_fca(
    travel_times: pd.DataFrame,
    demand: pd.Series,
    supply: pd.Series,
    *,
    max_minutes: float,
    decay: str | DistanceDecay = "stufen",
    per: float = 1000.0,
    origin_col: str = ORIGIN,
    destination_col: str = DESTINATION,
    minutes_col: str = MINUTES,
    engine: str = "access",
) -> pd.DataFrame:
    """Enhanced 2SFCA: :func:`two_step_fca` with distance decay (default: Luo & Qi steps)."""
    return two_step_fca(
        travel_times,
        demand,
        supply,
        max_minutes=max_minutes,
        decay=decay,
        per=per,
        origin_col=origin_col,
        destination_col=destination_col,
        minutes_col=minutes_col,
        engine=engine,
    )


def service_ratios(
    travel_times: pd.DataFrame,
    demand: pd.Series,
    supply: pd.Series,
    *,
    max_minutes: float,
    decay: str | DistanceDecay = "keine",
    per: float = 1000.0,
    origin_col: str = ORIGIN,
    destination_col: str = DESTINATION,
    minutes_col: str = MINUTES,
) -> pd.DataFrame:
    """Step 1 of the method per offer: how much demand competes for each offer.

    Parameters
    ----------
    travel_times, demand, supply, max_minutes, decay, per, origin_col, destination_col, minutes_col
        As in :func:`two_step_fca`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``supply``: ``angebot`` (``S_j``), ``nachfrage_gewichtet``
        (``Σ P_i W(t_ij)``), ``verhaeltnis`` (``R_j``, NaN without demand), ``je_einheit``
        (``R_j · per``) and ``ohne_nachfrage`` (True if no demand reaches the offer).
    """
    weight_fn = as_decay(decay, max_minutes)
    prep = prepare(travel_times, demand, supply, weight_fn, origin_col, destination_col, minutes_col)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(prep.weighted_demand > 0, prep.supply / prep.weighted_demand, np.nan)
    return pd.DataFrame(
        {
            "angebot": prep.supply,
            "nachfrage_gewichtet": prep.weighted_demand,
            "verhaeltnis": ratio,
            "je_einheit": ratio * per,
            "ohne_nachfrage": ~(prep.weighted_demand > 0),
        },
        index=supply.index.copy(),
    )
