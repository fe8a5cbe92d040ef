"""Display tables of the cooperation network: offers, planning areas, missing links, the list.

The answers of :mod:`planungsraeume.kooperation` as the tables a planner reads (German headers,
numbers kept as numbers with their decimals in ``attrs``), shared by the app and the command line.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from planungsraeume.darstellung.format import area_numbers, with_format

__all__ = [
    "cooperation_area_table",
    "cooperation_list_table",
    "cooperation_offer_table",
    "missing_link_table",
]


def _yes(values: pd.Series) -> list[str]:
    return ["ja" if bool(v) else "nein" for v in values]


def _source(values: pd.Series) -> list[str]:
    return ["fiktiv (synthetisch)" if str(v) == "synthetisch" else str(v) for v in values]


def cooperation_offer_table(network: pd.DataFrame) -> pd.DataFrame:
    """One row per offer: name, type, area, partners, broker, betweenness, network, source.

    ``network`` is :func:`planungsraeume.kooperation.network` (its order is kept: most
    partners first).
    """
    table = pd.DataFrame({
        "Angebot": network["name"].astype(str).to_numpy(),
        "Typ": network["typ"].astype(str).to_numpy(),
        "Nr.": area_numbers(network["pr_id"]),
        "Partner": network["grad"].astype(int).to_numpy(),
        "ohne Kooperation": _yes(network["isoliert"]),
        "Vermittler": _yes(network["vermittler"]),
        "Zwischenzentralität": network["zwischenzentralitaet"].astype(float).to_numpy(),
        "Teilnetz": network["komponente"].astype(int).to_numpy(),
        "Angebote im Teilnetz": network["komponente_groesse"].astype(int).to_numpy(),
        "Quelle": _source(network["quelle"]),
    })
    return with_format(table, {"Zwischenzentralität": 3})


def cooperation_area_table(by_area: pd.DataFrame) -> pd.DataFrame:
    """Per planning area: offers, offers without any cooperation and their share, mean partners.

    ``by_area`` is :func:`planungsraeume.kooperation.network_by_area`.
    """
    table = pd.DataFrame({
        "Nr.": area_numbers(by_area["pr_id"]),
        "Planungsraum": by_area["name"].astype(str).to_numpy(),
        "Angebote": by_area["angebote"].astype(int).to_numpy(),
        "ohne Kooperation": by_area["ohne_kooperation"].astype(int).to_numpy(),
        "Anteil ohne Kooperation (%)":
            100.0 * by_area["anteil_ohne_kooperation"].astype(float).to_numpy(),
        "Partner je Angebot": by_area["kooperationen_je_angebot"].astype(float).to_numpy(),
    })
    return with_format(table, {"Anteil ohne Kooperation (%)": 1, "Partner je Angebot": 1})


def missing_link_table(missing: pd.DataFrame) -> pd.DataFrame:
    """Missing links: the two offers, their types, the travel minutes and the reason."""
    table = pd.DataFrame({
        "Angebot A": missing["name_a"].astype(str).to_numpy(),
        "Typ A": missing["typ_a"].astype(str).to_numpy(),
        "Angebot B": missing["name_b"].astype(str).to_numpy(),
        "Typ B": missing["typ_b"].astype(str).to_numpy(),
        "Minuten": missing["minuten"].astype(float).to_numpy(),
        "Warum sie zusammenarbeiten sollten": missing["grund"].astype(str).to_numpy(),
    })
    return with_format(table, {"Minuten": 1})


def cooperation_list_table(links: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The stored cooperations with the offers' names (``names``: ``angebot_id`` → name)."""

    def text(column: str) -> list[str]:
        if column not in links.columns:
            return [""] * len(links)
        return links[column].astype("string").fillna("").astype(str).tolist()

    table = pd.DataFrame({
        "Schlüssel": text("kooperation_id"),
        "Angebot A": [names.get(i, i) for i in text("angebot_a")],
        "Angebot B": [names.get(i, i) for i in text("angebot_b")],
        "Art": text("art"),
        "seit": text("seit"),
        "bis": text("bis"),
        "Beleg": text("beleg"),
        "Quelle": _source(pd.Series(text("quelle"), dtype=object)),
    })
    return with_format(table)
