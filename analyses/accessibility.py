"""Supply–demand accessibility: two-step floating catchment area (2SFCA) and enhanced 2SFCA.

Coverage ("is there an offer within 15 minutes?") ignores how much an offer can carry. The
floating catchment methods weigh supply (here: advice hours per week, ``kapazitaet_std_woche``)
against the demand that competes for it (inhabitants, or inhabitants aged 65+):

1. For every offer *j*: ``R_j = S_j / Σ_i P_i · W(t_ij)`` over the origins *i* that reach *j*
   within the time limit ``t0`` (its catchment). ``R_j`` is the supply per person of the offer.
2. For every origin *i*: ``A_i = Σ_j R_j · W(t_ij)`` over the offers it reaches within ``t0``.
   ``A_i`` is the supply per person available at *i* (we also give it per 1,000 persons: "Beratungs-
   stunden je Woche je 1.000 Einwohner").

``W`` is the distance-decay weight (see :class:`DistanceDecay`):

* ``"keine"``: classic 2SFCA (Luo & Wang 2003): ``W = 1`` up to ``t0``.
* ``"stufen"``: enhanced 2SFCA (Luo & Qi 2009): the catchment is split into three equal time zones
  with weights 1.00, 0.68 and 0.22 (the published weights for 0–10, 10–20, 20–30 min, scaled to
  ``t0``); other steps can be given.
* ``"gauss"``: Gaussian-based 2SFCA (Dai 2010): ``W(t) = (exp(-½ (t/t0)²) − exp(-½)) /
  (1 − exp(-½))`` for ``t < t0``, else 0, so that ``W(0) = 1`` and ``W(t0) = 0`` (no jump at the
  catchment edge).

The computation is done by PySAL ``access`` (``Access.two_stage_fca`` for the classic method,
``Access.enhanced_two_stage_fca`` with our weight function for the others); it runs with pandas 3
and numpy 2 (``access`` 1.1.10 only emits pandas-4 deprecation warnings, silenced here). This
module prepares and validates the inputs and makes two decisions ``access`` leaves open:

* An offer whose catchment holds no demand (nobody, or only zero-demand cells, reach it) has an
  undefined ratio ``S/0``; it is left out of step 2 and flagged ``ohne_nachfrage`` in
  :func:`service_ratios`, instead of giving its reachers an infinite value.
* An origin that reaches no offer gets ``A_i = 0`` (it is in the output, not dropped).

Missing capacities get a documented default (:func:`capacity_supply`) and are flagged.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from layers.errors import AnalysisError, Problem

DecayKind = Literal["keine", "stufen", "gauss"]
DECAY_KINDS: tuple[str, ...] = ("keine", "stufen", "gauss")
DECAY_LABELS = {
    "keine": "ohne Distanzabnahme (klassisches 2SFCA)",
    "stufen": "stufenweise Distanzabnahme (E2SFCA nach Luo & Qi 2009)",
    "gauss": "Gauß-Distanzabnahme (nach Dai 2010)",
}
# Luo & Qi (2009): weights of the three travel-time zones of the enhanced 2SFCA.
LUO_QI_STEP_WEIGHTS = (1.0, 0.68, 0.22)

# Default capacity where none is known: one full-time position (39 h/week, TVöD-VKA), used only
# when no offer of the same type has a known capacity either.
DEFAULT_CAPACITY_HOURS = 39.0
CAPACITY_COLUMN = "kapazitaet_std_woche"

ORIGIN = "herkunft_id"
DESTINATION = "ziel_id"
MINUTES = "minuten"

_GAUSS_EDGE = math.exp(-0.5)


@dataclass(frozen=True)
class DistanceDecay:
    """A distance-decay weight ``W(minutes)`` for the floating catchment methods.

    Parameters
    ----------
    kind
        ``"keine"``, ``"stufen"`` or ``"gauss"`` (see the module docstring).
    max_minutes
        The catchment's time limit ``t0``; ``W = 0`` beyond it.
    steps
        Only for ``"stufen"``: ``(upper_minutes, weight)`` pairs in increasing order; default: the
        Luo & Qi zones ``(t0/3, 1.0), (2·t0/3, 0.68), (t0, 0.22)``.

    Notes
    -----
    Calling the object works on scalars (as ``access`` calls it, row by row) and on arrays.
    """

    kind: str
    max_minutes: float
    steps: tuple[tuple[float, float], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in DECAY_KINDS:
            raise AnalysisError(
                f"Die Distanzabnahme '{self.kind}' ist unbekannt.",
                hinweis=f"Erlaubt sind: {', '.join(DECAY_KINDS)}.",
            )
        if not (np.isfinite(self.max_minutes) and self.max_minutes > 0):
            raise AnalysisError(
                f"Die Zeitgrenze muss größer als 0 Minuten sein (angegeben: {self.max_minutes}).",
                hinweis="Geben Sie eine Zeitgrenze wie 15 (Minuten) an.",
            )
        if self.kind == "stufen":
            steps = self.steps or tuple(
                (self.max_minutes * (k + 1) / 3.0, w) for k, w in enumerate(LUO_QI_STEP_WEIGHTS)
            )
            bounds = [b for b, _ in steps]
            weights = [w for _, w in steps]
            if any(b2 <= b1 for b1, b2 in zip(bounds, bounds[1:], strict=False)) or bounds[0] <= 0:
                raise AnalysisError(
                    "Die Stufen der Distanzabnahme müssen mit steigenden Minuten angegeben werden.",
                    hinweis="Beispiel: (5, 1.0), (10, 0.68), (15, 0.22).",
                )
            if any(not 0 <= w <= 1 for w in weights):
                raise AnalysisError(
                    "Die Gewichte der Distanzabnahme müssen zwischen 0 und 1 liegen.",
                    hinweis="Beispiel: (5, 1.0), (10, 0.68), (15, 0.22).",
                )
            object.__setattr__(self, "steps", tuple((float(b), float(w)) for b, w in steps))

    @property
    def label(self) -> str:
        """German description for reports."""
        return DECAY_LABELS[self.kind]

    def _scalar(self, minutes: float) -> float:
        if not minutes <= self.max_minutes:  # also False for NaN
            return 0.0
        if self.kind == "keine":
            return 1.0
        if self.kind == "gauss":
            ratio = minutes / self.max_minutes
            return max(0.0, (math.exp(-0.5 * ratio * ratio) - _GAUSS_EDGE) / (1.0 - _GAUSS_EDGE))
        for bound, weight in self.steps:
            if minutes <= bound:
                return weight
        return 0.0

    def __call__(self, minutes: float | np.ndarray) -> float | np.ndarray:
        """Weight of a travel time (scalar) or of an array of travel times."""
        if np.ndim(minutes) == 0:
            return self._scalar(float(minutes))
        values = np.asarray(minutes, dtype=float)
        inside = values <= self.max_minutes
        if self.kind == "keine":
            return inside.astype(float)
        if self.kind == "gauss":
            ratio = values / self.max_minutes
            weight = (np.exp(-0.5 * ratio * ratio) - _GAUSS_EDGE) / (1.0 - _GAUSS_EDGE)
            return np.where(inside, np.clip(weight, 0.0, 1.0), 0.0)
        out = np.zeros(values.shape)
        assigned = np.zeros(values.shape, dtype=bool)
        for bound, step_weight in self.steps:
            hit = inside & ~assigned & (values <= bound)
            out[hit] = step_weight
            assigned |= hit
        return out


def decay(kind: str, max_minutes: float, steps: Sequence[tuple[float, float]] = ()) -> DistanceDecay:
    """Build a :class:`DistanceDecay` (convenience for callers and the CLI)."""
    return DistanceDecay(kind, float(max_minutes), tuple((float(b), float(w)) for b, w in steps))


# --------------------------------------------------------------------------------------------
# Supply
# --------------------------------------------------------------------------------------------


def capacity_supply(
    services: pd.DataFrame,
    *,
    column: str = CAPACITY_COLUMN,
    id_column: str = "angebot_id",
    type_column: str = "typ",
    default: float = DEFAULT_CAPACITY_HOURS,
) -> pd.DataFrame:
    """Supply per offer from its capacity, with a documented default where it is missing.

    A missing capacity (empty, or 0, which spreadsheets often use for "unknown") is replaced by
    the median of the known capacities of offers of the same type in ``services``; if no offer of
    that type has one, by ``default`` (39 h/week: one full-time position).

    Parameters
    ----------
    services
        Offers (``angebote`` schema); not changed.
    column, id_column, type_column
        Capacity, key and type columns.
    default
        Capacity used when neither the offer nor its type has a known capacity.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``id_column``: ``angebot`` (the capacity used), ``kapazitaet_angegeben``
        (the stated value or NaN) and ``kapazitaet_quelle`` (``"angegeben"``, ``"median_typ"`` or
        ``"standard"``).

    Raises
    ------
    AnalysisError
        If capacities are negative, or ids are missing or duplicated.
    """
    for name in (id_column, column):
        if name not in services.columns:
            raise AnalysisError(
                f"Den Angeboten fehlt die Spalte '{name}'.",
                hinweis="Verwenden Sie die Ebene 'angebote' des Regionsspeichers.",
            )
    ids = services[id_column]
    if ids.isna().any() or ids.duplicated().any():
        raise AnalysisError(
            "Die Angebote haben fehlende oder doppelte Schlüssel (angebot_id).",
            hinweis="Jedes Angebot braucht eine eindeutige angebot_id.",
        )
    stated = pd.to_numeric(services[column], errors="coerce").astype(float)
    negative = np.flatnonzero((stated < 0).to_numpy())
    if len(negative):
        raise AnalysisError(
            "Kapazitäten dürfen nicht negativ sein.",
            hinweis="Korrigieren Sie die Kapazität (Stunden je Woche) der genannten Angebote.",
            probleme=[
                Problem(
                    f"Angebot '{ids.iloc[pos]}' hat die Kapazität {stated.iloc[pos]}.",
                    spalte=column,
                )
                for pos in negative
            ],
        )
    known = stated.where(stated > 0)
    types = (
        services[type_column].astype("string").fillna("")
        if type_column in services.columns
        else pd.Series("", index=services.index, dtype="string")
    )
    type_median = known.groupby(types.to_numpy()).median()
    by_type = pd.Series(types.map(type_median).to_numpy(dtype=float), index=services.index)
    used = known.fillna(by_type).fillna(float(default))
    source = np.where(known.notna(), "angegeben", np.where(by_type.notna(), "median_typ", "standard"))
    return pd.DataFrame(
        {
            "angebot": used.to_numpy(dtype=float),
            "kapazitaet_angegeben": stated.to_numpy(dtype=float),
            "kapazitaet_quelle": source,
        },
        index=pd.Index(ids.to_numpy(), name=id_column),
    )


# --------------------------------------------------------------------------------------------
# Floating catchments
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    origin_code: np.ndarray
    dest_code: np.ndarray
    minutes: np.ndarray
    weight: np.ndarray
    demand: np.ndarray
    supply: np.ndarray
    weighted_demand: np.ndarray  # per destination


def _as_decay(kind: str | DistanceDecay, max_minutes: float) -> DistanceDecay:
    if isinstance(kind, DistanceDecay):
        if not math.isclose(kind.max_minutes, max_minutes):
            raise AnalysisError(
                f"Die Distanzabnahme gilt für {kind.max_minutes} Minuten, die Zeitgrenze ist "
                f"{max_minutes} Minuten.",
                hinweis="Verwenden Sie für beides dieselbe Zeitgrenze.",
            )
        return kind
    return DistanceDecay(str(kind), float(max_minutes))


def _prepare(
    travel_times: pd.DataFrame,
    demand: pd.Series,
    supply: pd.Series,
    weight_fn: DistanceDecay,
    origin_col: str,
    destination_col: str,
    minutes_col: str,
) -> _Prepared:
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
    return _Prepared(o, d, t, w, demand_values, supply_values, weighted_demand)


def _run_access(prep: _Prepared, weight_fn: DistanceDecay) -> np.ndarray:
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


def _run_numpy(prep: _Prepared) -> np.ndarray:
    """The same two steps as sparse matrix products (for very large regions)."""
    from scipy.sparse import csr_array

    matrix = csr_array(
        (prep.weight, (prep.origin_code, prep.dest_code)),
        shape=(len(prep.demand), len(prep.supply)),
    )
    ratio = np.divide(
        prep.supply, prep.weighted_demand, out=np.zeros(len(prep.supply)), where=prep.weighted_demand > 0
    )
    return np.asarray(matrix @ ratio, dtype=float)


ENGINES = ("access", "numpy")


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
    demand
        Demand per origin (inhabitants, or inhabitants aged 65+), indexed by origin id.
    supply
        Supply per offer (e.g. ``capacity_supply(...)["angebot"]``), indexed by offer id.
    max_minutes
        Catchment time limit ``t0``.
    decay
        ``"keine"`` (2SFCA), ``"stufen"`` or ``"gauss"`` (E2SFCA), or a :class:`DistanceDecay`.
    per
        Scale of the ``je_einheit`` column (default: per 1,000 persons).
    origin_col, destination_col, minutes_col
        Column names of ``travel_times``.
    engine
        ``"access"`` (PySAL ``access``, the default) or ``"numpy"``: the same formulas as two
        sparse matrix products. ``access`` weights pair by pair in Python; with distance decay
        and a million origin–offer pairs that takes about 4 s against 0.3 s (Aachen, 42,000
        pairs: 0.15 s against 0.03 s; ``benchmarks/accessibility.py``).

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
    weight_fn = _as_decay(decay, max_minutes)
    prep = _prepare(travel_times, demand, supply, weight_fn, origin_col, destination_col, minutes_col)
    values = _run_access(prep, weight_fn) if engine == "access" else _run_numpy(prep)
    reachable = np.bincount(prep.origin_code, minlength=len(prep.demand))
    return pd.DataFrame(
        {
            "verhaeltnis": values,
            "je_einheit": values * per,
            "angebote_erreichbar": reachable.astype(np.int64),
        },
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
    weight_fn = _as_decay(decay, max_minutes)
    prep = _prepare(travel_times, demand, supply, weight_fn, origin_col, destination_col, minutes_col)
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


# --------------------------------------------------------------------------------------------
# Aggregation per planning area
# --------------------------------------------------------------------------------------------


def aggregate_by_area(
    values: pd.Series,
    weights: pd.Series,
    areas: pd.Series,
    *,
    area_ids: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Population-weighted mean of an origin value per planning area.

    Parameters
    ----------
    values
        Value per origin (e.g. ``two_step_fca(...)["je_einheit"]``).
    weights
        Weight per origin (inhabitants or inhabitants 65+), same index as ``values``.
    areas
        Planning area per origin (:func:`analyses.areas.cells_to_areas`), same index.
    area_ids
        All area keys to report (areas without origins get 0 inhabitants and NaN means); default:
        the areas that occur in ``areas``.

    Returns
    -------
    pandas.DataFrame
        Indexed by area key: ``nachfrage`` (sum of weights), ``mittelwert`` (weighted mean, NaN
        where the weight sum is 0), ``anteil_ohne_angebot`` (weight share of origins with value 0).
        A last row ``"Region"`` holds the same figures for all origins.
    """
    if not (values.index.equals(weights.index) and values.index.equals(areas.index)):
        raise AnalysisError(
            "Werte, Gewichte und Planungsraum-Zuordnung müssen denselben Index haben.",
            hinweis="Verwenden Sie für alle drei dieselben Rasterzellen in derselben Reihenfolge.",
        )
    frame = pd.DataFrame(
        {
            "bereich": areas.astype("string").to_numpy(),
            "w": pd.to_numeric(weights, errors="coerce").fillna(0.0).to_numpy(dtype=float),
            "v": pd.to_numeric(values, errors="coerce").to_numpy(dtype=float),
        }
    )
    frame["wv"] = frame["w"] * frame["v"].fillna(0.0)
    frame["w_ohne"] = frame["w"] * (frame["v"].fillna(0.0) <= 0)
    grouped = frame.groupby("bereich", sort=True)[["w", "wv", "w_ohne"]].sum()
    if area_ids is not None:
        grouped = grouped.reindex(pd.Index([str(a) for a in area_ids], name="bereich"), fill_value=0.0)
    total = frame[["w", "wv", "w_ohne"]].sum().to_frame("Region").T
    grouped = pd.concat([grouped, total])
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(grouped["w"] > 0, grouped["wv"] / grouped["w"], np.nan)
        without = np.where(grouped["w"] > 0, grouped["w_ohne"] / grouped["w"], np.nan)
    result = pd.DataFrame(
        {"nachfrage": grouped["w"].to_numpy(), "mittelwert": mean, "anteil_ohne_angebot": without},
        index=pd.Index(grouped.index.astype(str), name=areas.name or "pr_id"),
    )
    return result
