"""Display tables of the presence of a provider, office-hour suggestions and the mobile office."""

from __future__ import annotations

import pandas as pd

from planungsraeume.darstellung.format import area_numbers, with_format

__all__ = [
    "access_table",
    "mobile_area_table",
    "mobile_stop_table",
    "mobile_timetable",
    "office_hour_table",
    "outreach_table",
    "place_table",
    "presence_area_table",
]


def _text(values: pd.Series) -> list[str]:
    return values.astype("string").fillna("").astype(str).tolist()


def place_table(places: pd.DataFrame) -> pd.DataFrame:
    """Every place of a provider: kind, name, host, times, weekly hours, date, area, source."""
    table = pd.DataFrame({
        "Art": _text(places["art"]),
        "Name": _text(places["name"]),
        "in Räumen von": _text(places["gastgeber"]),
        "Zeiten": _text(places["zeiten"]),
        "Stunden/Woche": pd.to_numeric(places["stunden_woche"], errors="coerce").to_numpy(),
        "Datum": _text(places["datum"]),
        "Nr.": area_numbers(places["pr_id"]),
        "Quelle": ["fiktiv (synthetisch)" if q == "synthetisch" else q
                   for q in _text(places["quelle"])],
    })
    return with_format(table, {"Stunden/Woche": 1})


def presence_area_table(by_area: pd.DataFrame, reach: pd.DataFrame) -> pd.DataFrame:
    """Per area: places by kind, weekly hours, and who reaches a regular place in time.

    ``by_area`` is :func:`planungsraeume.praesenz.places_by_area`, ``reach``
    :func:`planungsraeume.praesenz.reach_by_area` (its ``"gesamt"`` row is the last row here).
    """
    joined = reach.merge(by_area.drop(columns="name"), on="pr_id", how="left").fillna(
        {"eigene_stellen": 0, "sprechstunden": 0, "veranstaltungen": 0, "stunden_woche": 0.0})
    total = joined["pr_id"] == "gesamt"
    for column in ("eigene_stellen", "sprechstunden", "veranstaltungen", "stunden_woche"):
        joined.loc[total, column] = joined.loc[~total, column].sum()
    table = pd.DataFrame({
        "Nr.": area_numbers(joined["pr_id"]),
        "Planungsraum": joined["name"].astype(str).to_numpy(),
        "eigene Stellen": joined["eigene_stellen"].astype(int).to_numpy(),
        "Sprechstunden": joined["sprechstunden"].astype(int).to_numpy(),
        "Veranstaltungen": joined["veranstaltungen"].astype(int).to_numpy(),
        "Stunden/Woche": joined["stunden_woche"].astype(float).to_numpy(),
        "Einwohner": joined["einwohner"].astype(float).to_numpy(),
        "erreichen die Präsenz": joined["erreicht"].astype(float).to_numpy(),
        "Anteil (%)": 100.0 * joined["anteil_erreicht"].astype(float).to_numpy(),
    })
    return with_format(table, {"Stunden/Woche": 1, "Anteil (%)": 1, "Einwohner": 0,
                               "erreichen die Präsenz": 0})


def office_hour_table(suggestions: pd.DataFrame) -> pd.DataFrame:
    """Ranked hosts with the proposed weekly slot and the people newly reached."""
    table = pd.DataFrame({
        "Rang": suggestions["rang"].astype(int).to_numpy(),
        "Gastgeber": _text(suggestions["name"]),
        "Typ": _text(suggestions["typ"]),
        "Nr.": area_numbers(suggestions["pr_id"]),
        "Vorschlag Sprechstunde": _text(suggestions["zeitfenster"]),
        "Öffnungszeiten des Gastgebers": _text(suggestions["oeffnungszeiten"]),
        "neu erreicht (Einwohner)": suggestions["neu_versorgt_einwohner"].astype(float).to_numpy(),
        "neu erreicht (65+)": suggestions["neu_versorgt_65_plus"].astype(float).to_numpy(),
    })
    return with_format(table, {"neu erreicht (Einwohner)": 0, "neu erreicht (65+)": 0})


def mobile_stop_table(stops: pd.DataFrame) -> pd.DataFrame:
    """The chosen stops of the mobile office with the people each newly reaches."""
    table = pd.DataFrame({
        "Rang": stops["rang"].astype(int).to_numpy(),
        "Halt": _text(stops["name"]),
        "Ort": _text(stops["art"]),
        "Nr.": area_numbers(stops["pr_id"]),
        "neu erreicht (Einwohner)": stops["neu_versorgt_einwohner"].astype(float).to_numpy(),
        "neu erreicht (65+)": stops["neu_versorgt_65_plus"].astype(float).to_numpy(),
    })
    return with_format(table, {"neu erreicht (Einwohner)": 0, "neu erreicht (65+)": 0})


def mobile_timetable(timetable: pd.DataFrame) -> pd.DataFrame:
    """The weekly timetable: day, from–to, stop, area, driving minutes to it."""
    table = pd.DataFrame({
        "Tag": _text(timetable["tag"]),
        "von": _text(timetable["von"]),
        "bis": _text(timetable["bis"]),
        "Halt": _text(timetable["halt"]),
        "Nr.": area_numbers(timetable["pr_id"]),
        "Fahrt (Min., modelliert)": timetable["fahrt_min"].astype(float).to_numpy(),
    })
    return with_format(table, {"Fahrt (Min., modelliert)": 1})


def mobile_area_table(per_area: pd.DataFrame) -> pd.DataFrame:
    """Per chosen area: inhabitants, reached by fixed offices, with the mobile office, new."""
    shown = per_area[per_area["einwohner"] > 0]
    table = pd.DataFrame({
        "Nr.": area_numbers(shown.index),
        "Planungsraum": shown["name"].astype(str).to_numpy(),
        "Einwohner": shown["einwohner"].astype(float).to_numpy(),
        "erreicht vorher": shown["versorgt_vorher"].astype(float).to_numpy(),
        "erreicht mit mobilem Büro": shown["versorgt_nachher"].astype(float).to_numpy(),
        "neu erreicht": shown["neu_versorgt"].astype(float).to_numpy(),
        "neu erreicht (65+)": shown["neu_versorgt_65_plus"].astype(float).to_numpy(),
    })
    return with_format(table, {c: 0 for c in table.columns[2:]})


def outreach_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """Per area: inhabitants on site, by outreach, not served (each counted once), shares."""
    table = pd.DataFrame({
        "Nr.": area_numbers(coverage["pr_id"]),
        "Planungsraum": coverage["name"].astype(str).to_numpy(),
        "Einwohner": coverage["einwohner"].astype(float).to_numpy(),
        "vor Ort erreichbar": coverage["einwohner_vor_ort"].astype(float).to_numpy(),
        "aufsuchend versorgt": coverage["einwohner_aufsuchend"].astype(float).to_numpy(),
        "nicht versorgt": coverage["einwohner_nicht_versorgt"].astype(float).to_numpy(),
        "versorgt (%)": 100.0 * coverage["anteil_versorgt"].astype(float).to_numpy(),
    })
    return with_format(table, {"Einwohner": 0, "vor Ort erreichbar": 0,
                               "aufsuchend versorgt": 0, "nicht versorgt": 0, "versorgt (%)": 1})


def access_table(hours: pd.DataFrame, digital: pd.DataFrame) -> pd.DataFrame:
    """Per area: offers, open hours per week, unreadable hours, digital-only offers."""
    joined = hours.merge(digital.drop(columns=["name", "angebote"]), on="pr_id", how="left")
    table = pd.DataFrame({
        "Nr.": area_numbers(joined["pr_id"]),
        "Planungsraum": joined["name"].astype(str).to_numpy(),
        "Angebote": joined["angebote"].astype(int).to_numpy(),
        "Stunden/Woche geöffnet": joined["stunden_offen"].astype(float).to_numpy(),
        "Öffnungszeiten unbekannt": joined["zeiten_unbekannt"].astype(int).to_numpy(),
        "nur digital": joined["nur_digital"].fillna(0).astype(int).to_numpy(),
        "nur digital erreichbar": ["ja" if bool(v) else "nein"
                                   for v in joined["nur_digital_erreichbar"].fillna(False)],
    })
    return with_format(table, {"Stunden/Woche geöffnet": 1})
