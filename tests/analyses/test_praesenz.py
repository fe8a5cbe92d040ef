"""Presence of a provider on hand-made offers: own offices, office hours in others' rooms,
events inside and outside the window, weekly hours and unknown hours per area."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from analyses.praesenz import presence_by_area, presence_places, providers

OFFERS = gpd.GeoDataFrame({
    "angebot_id": ["own", "host", "other"],
    "name": ["LVR-Büro", "EUTB Mitte", "KoKoBe Nord"],
    "traeger": ["LVR", "Verein", "lvr "],  # case and spaces do not matter
    "oeffnungszeiten": ["Mo-Fr 09:00-12:00", "Di 10:00-16:00", "nach Vereinbarung"],
    "pr_id": ["PR1", "PR2", "PR3"],
    "quelle": ["import"] * 3,
}, geometry=[shapely.Point(0, 0), shapely.Point(1000, 0), shapely.Point(0, 1000)], crs=25832)
PRESENCE = gpd.GeoDataFrame({
    "praesenz_id": ["p1", "p2", "p3", "p4"],
    "traeger": ["LVR", "LVR", "LVR", "Andere"],
    "art": ["sprechstunde", "veranstaltung", "veranstaltung", "sprechstunde"],
    "gastgeber_id": ["host", None, None, "host"],
    "name": ["Sprechstunde LVR", "Infotag", "Altes Fest", "Fremd"],
    "zeiten": ["Di 14-16 Uhr", None, None, "Mi 10-11"],
    "datum": [None, "2026-03-01", "2020-01-01", None],
    "beginn": [None, "10:00", "10:00", None], "ende": [None, "14:00", "12:00", None],
    "quelle": ["import"] * 4,
}, geometry=[None, shapely.Point(500, 500), shapely.Point(0, 0), None], crs=25832)


def test_places_of_one_provider():
    places = presence_places(OFFERS, PRESENCE, "LVR", von=date(2026, 1, 1), bis=date(2026, 6, 30))
    assert places["art"].tolist() == ["eigene Stelle", "eigene Stelle", "Sprechstunde",
                                      "Veranstaltung"]
    assert places["ort_id"].tolist() == ["own", "other", "p1", "p2"]  # the 2020 event is out
    office_hours = places.set_index("ort_id").loc["p1"]
    assert office_hours["gastgeber"] == "EUTB Mitte" and office_hours["pr_id"] == "PR2"
    assert office_hours.geometry.equals(OFFERS.geometry[1])  # the host's point
    hours = places.set_index("ort_id")["stunden_woche"]
    assert hours["own"] == pytest.approx(15.0) and hours["p1"] == pytest.approx(2.0)
    assert pd.isna(hours["other"])  # "nach Vereinbarung" states no hours: unknown, not 0


def test_summary_per_area_and_providers():
    places = presence_places(OFFERS, PRESENCE, "LVR", von=date(2026, 1, 1), bis=date(2026, 6, 30))
    places.loc[places["art"] == "Veranstaltung", "pr_id"] = "PR1"
    table = presence_by_area(places, ["PR1", "PR2", "PR3", "PR4"]).set_index("pr_id")
    assert table.loc["PR1"].to_dict() == {"eigene_stellen": 1, "sprechstunden": 0,
                                          "veranstaltungen": 1, "orte": 2,
                                          "stunden_woche": 15.0, "zeiten_unbekannt": 0}
    assert table.loc["PR2", "sprechstunden"] == 1 and table.loc["PR2", "stunden_woche"] == 2.0
    assert table.loc["PR3", "zeiten_unbekannt"] == 1
    assert table.loc["PR4", "orte"] == 0
    listed = providers(OFFERS, PRESENCE).set_index("traeger")
    assert listed.loc["LVR", "orte"] == 5  # "LVR" and "lvr " are one provider: 2 offices + 3 rows
    assert listed.loc["LVR", "eigene_stellen"] == 2 and listed.loc["Andere", "orte"] == 1
