"""The cooperation network of offers: degree, isolated offers, brokers, components, missing links.

Pure functions over frames (no store): offers (``angebot_id``, ``name``, ``typ``, ``pr_id``) and
cooperations (``angebot_a``, ``angebot_b``, ``art``) in, new frames out. The graph is an
undirected :class:`networkx.Graph` whose nodes are all offers given (so that offers without any
cooperation are isolated nodes, not missing ones); two offers cooperating in several ways are one
edge whose ``arten`` lists the kinds.

* **Grad**: number of partners.
* **Vermittler** (broker): an offer on many shortest paths between others, measured by the
  normalised betweenness centrality of networkx (Brandes' algorithm); an offer is marked as a
  broker when it is an articulation point of the network (without it, its component falls
  apart), i.e. when others reach each other only through it.
* **Komponenten**: groups of offers connected through cooperations, numbered by size (1 = the
  largest); an isolated offer is a component of its own.
* **Fehlende Verbindungen**: pairs of complementary types (``data/kooperation_ergaenzung.toml``)
  whose offers are within reach of each other but do not cooperate (:func:`missing_links`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from layers.errors import ConfigError

__all__ = [
    "ComplementaryPair",
    "area_summary",
    "cooperation_graph",
    "load_complementary_pairs",
    "missing_links",
    "network_measures",
]


@dataclass(frozen=True)
class ComplementaryPair:
    """Two service types that should cooperate, and why (from the data file)."""

    typ_a: str
    typ_b: str
    grund: str


def load_complementary_pairs(path: Path, known_types: Sequence[str] | None = None
                             ) -> tuple[ComplementaryPair, ...]:
    """Read ``[[paar]]`` entries (``typ_a``, ``typ_b``, ``grund``) of the data file.

    Raises
    ------
    ConfigError
        If the file is unreadable, an entry lacks a field, or names a type not in
        ``known_types`` (German, naming the entry).
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Die Liste der sich ergänzenden Angebotstypen ist nicht lesbar ({exc}).",
                          hinweis="Stellen Sie die Datei aus dem Repository wieder her.",
                          datei=path) from exc
    pairs = []
    for number, entry in enumerate(raw.get("paar", []), start=1):
        missing = [k for k in ("typ_a", "typ_b", "grund") if not str(entry.get(k, "")).strip()]
        if missing:
            raise ConfigError(f"Paar {number}: es fehlt {', '.join(missing)}.",
                              hinweis="Jedes [[paar]] braucht typ_a, typ_b und grund.", datei=path)
        for key in ("typ_a", "typ_b"):
            if known_types is not None and entry[key] not in known_types:
                raise ConfigError(f"Paar {number}: den Angebotstyp '{entry[key]}' gibt es nicht.",
                                  hinweis="Verwenden Sie Schlüssel aus data/angebotstypen.toml.",
                                  datei=path)
        pairs.append(ComplementaryPair(str(entry["typ_a"]), str(entry["typ_b"]),
                                       str(entry["grund"]).strip()))
    return tuple(pairs)


def cooperation_graph(offers: pd.DataFrame, links: pd.DataFrame) -> nx.Graph:
    """The undirected cooperation graph over all given offers.

    Links whose ends are not among ``offers`` (e.g. a retired offer) and self-links are left
    out; several links between the same two offers become one edge with all kinds in ``arten``.
    """
    graph = nx.Graph()
    ids = offers["angebot_id"].astype(str).tolist()
    graph.add_nodes_from(ids)
    known = set(ids)
    kinds = links["art"] if "art" in links.columns else pd.Series([""] * len(links))
    for a, b, kind in zip(links["angebot_a"].astype(str), links["angebot_b"].astype(str),
                          kinds.fillna("").astype(str), strict=True):
        if a == b or a not in known or b not in known:
            continue
        if graph.has_edge(a, b):
            graph.edges[a, b]["arten"] = sorted({*graph.edges[a, b]["arten"], kind} - {""})
        else:
            graph.add_edge(a, b, arten=[kind] if kind else [])
    return graph


def network_measures(offers: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Degree, betweenness, broker flag and component of every offer.

    Returns
    -------
    pandas.DataFrame
        One row per offer in the order given: ``angebot_id``, ``grad``, ``isoliert``,
        ``zwischenzentralitaet`` (normalised betweenness, 0–1), ``vermittler``
        (articulation point), ``komponente`` (1 = largest), ``komponente_groesse``.
    """
    graph = cooperation_graph(offers, links)
    ids = offers["angebot_id"].astype(str).tolist()
    between = nx.betweenness_centrality(graph, normalized=True) if len(graph) else {}
    brokers = set(nx.articulation_points(graph)) if len(graph) else set()
    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    component = {node: number for number, part in enumerate(parts, start=1) for node in part}
    size = {node: len(part) for part in parts for node in part}
    degree = dict(graph.degree())
    return pd.DataFrame({
        "angebot_id": ids,
        "grad": [int(degree.get(i, 0)) for i in ids],
        "isoliert": [degree.get(i, 0) == 0 for i in ids],
        "zwischenzentralitaet": [round(float(between.get(i, 0.0)), 6) for i in ids],
        "vermittler": [i in brokers for i in ids],
        "komponente": [int(component.get(i, 0)) for i in ids],
        "komponente_groesse": [int(size.get(i, 1)) for i in ids],
    })


def area_summary(offers: pd.DataFrame, measures: pd.DataFrame,
                 order: Sequence[str] | None = None) -> pd.DataFrame:
    """Per planning area: offers, offers without any cooperation and their share.

    Parameters
    ----------
    offers
        With ``angebot_id`` and ``pr_id``.
    measures
        :func:`network_measures` of the same offers.
    order
        Area ids in display order (areas without offers get zero rows).

    Returns
    -------
    pandas.DataFrame
        ``pr_id``, ``angebote``, ``ohne_kooperation``, ``anteil_ohne_kooperation`` (0–1, NaN
        for an area without offers), ``kooperationen_je_angebot`` (mean degree).
    """
    joined = offers[["angebot_id", "pr_id"]].astype(str).merge(
        measures[["angebot_id", "grad", "isoliert"]], on="angebot_id", how="left")
    grouped = joined.groupby("pr_id").agg(angebote=("angebot_id", "size"),
                                          ohne_kooperation=("isoliert", "sum"),
                                          grad=("grad", "mean"))
    keys = list(order) if order is not None else sorted(grouped.index)
    extra = [k for k in grouped.index if k not in keys]
    grouped = grouped.reindex([*keys, *extra])
    counts = grouped["angebote"].fillna(0).astype(int)
    without = grouped["ohne_kooperation"].fillna(0).astype(int)
    return pd.DataFrame({
        "pr_id": grouped.index.astype(str),
        "angebote": counts.to_numpy(),
        "ohne_kooperation": without.to_numpy(),
        "anteil_ohne_kooperation": np.where(counts > 0, without / counts.where(counts > 0), np.nan),
        "kooperationen_je_angebot": grouped["grad"].to_numpy(dtype=float),
    })


def _partners(graph: nx.Graph, node: str, types: dict[str, str], wanted: str) -> bool:
    return any(types.get(other) == wanted for other in graph.neighbors(node))


def missing_links(
    offers: pd.DataFrame,
    links: pd.DataFrame,
    pairs: Sequence[ComplementaryPair],
    reach: pd.DataFrame,
    max_minutes: float,
) -> pd.DataFrame:
    """Complementary offers within reach of each other that do not cooperate.

    For every pair of types (A, B) and every offer of type A that cooperates with no offer of
    type B, the nearest offer of type B within ``max_minutes`` is a missing link (and the same
    from B's side); a pair found from both sides is listed once.

    Parameters
    ----------
    offers
        ``angebot_id``, ``name``, ``typ`` (and ``pr_id`` if present).
    links
        The cooperations (``angebot_a``, ``angebot_b``).
    pairs
        Complementary type pairs with the reason.
    reach
        Travel minutes between offers: ``von``, ``nach``, ``minuten`` (either direction is
        enough; missing pairs count as out of reach).
    max_minutes
        What counts as "within reach".

    Returns
    -------
    pandas.DataFrame
        ``angebot_a``, ``name_a``, ``typ_a``, ``angebot_b``, ``name_b``, ``typ_b``, ``minuten``,
        ``grund``, sorted by minutes.
    """
    graph = cooperation_graph(offers, links)
    types = dict(zip(offers["angebot_id"].astype(str), offers["typ"].astype(str), strict=True))
    names = dict(zip(offers["angebot_id"].astype(str), offers["name"].astype(str), strict=True))
    minutes: dict[tuple[str, str], float] = {}
    for a, b, value in zip(reach["von"].astype(str), reach["nach"].astype(str),
                           pd.to_numeric(reach["minuten"], errors="coerce"), strict=True):
        if np.isfinite(value) and value <= max_minutes:
            for key in ((a, b), (b, a)):
                minutes[key] = min(minutes.get(key, np.inf), float(value))
    found: dict[tuple[str, str], dict[str, object]] = {}
    for pair in pairs:
        for own, other in ((pair.typ_a, pair.typ_b), (pair.typ_b, pair.typ_a)):
            partners = [i for i, t in types.items() if t == other]
            for node in (i for i, t in types.items() if t == own):
                if _partners(graph, node, types, other):
                    continue
                near = [(minutes[(node, p)], p) for p in partners if (node, p) in minutes]
                if not near:
                    continue
                value, best = min(near)
                a, b = (node, best) if own == pair.typ_a else (best, node)
                found.setdefault((a, b), {
                    "angebot_a": a, "name_a": names[a], "typ_a": types[a],
                    "angebot_b": b, "name_b": names[b], "typ_b": types[b],
                    "minuten": round(value, 1), "grund": pair.grund,
                })
    columns = ["angebot_a", "name_a", "typ_a", "angebot_b", "name_b", "typ_b", "minuten", "grund"]
    table = pd.DataFrame(list(found.values()), columns=columns)
    return table.sort_values(["minuten", "angebot_a", "angebot_b"]).reset_index(drop=True)
