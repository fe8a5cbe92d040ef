"""Opening hours: OSM syntax and German free text parsed into a week; "open at" a moment."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.errors import InputValidationError
from layers.sprechzeiten import (
    free_slot,
    hours_table,
    moment_label,
    open_at,
    parse_hours,
    parse_moment,
    slot_label,
    union_hours,
)

TUESDAY_17 = 1 * 1440 + 17 * 60


def test_tuesday_17_excludes_an_office_open_monday_to_friday_9_to_12():
    morning = parse_hours("Mo–Fr 9–12 Uhr")
    assert morning.bekannt and morning.osm == "Mo-Fr 09:00-12:00"
    assert not morning.offen(parse_moment("Di 17:00"))
    assert morning.offen(parse_moment("Di 10:00"))
    late = parse_hours("Mo-Fr 09:00-12:00, Tu 14:00-18:00")
    assert open_at([morning, late], TUESDAY_17, unbekannt_offen=False).tolist() == [False, True]


def test_german_lists_add_up_while_osm_semicolons_replace():
    german = parse_hours("Mo–Fr 9–12 Uhr, Di 14–18 Uhr")
    assert german.stunden_je_woche == 19.0  # 5 × 3 h + 4 h
    assert german.offen(1 * 1440 + 10 * 60) and german.offen(TUESDAY_17)
    # German text with ';' still means "and" (the synthetic directory writes it that way) …
    assert parse_hours("Mo-Fr 09:00-13:00; Di,Do 14:00-17:00").stunden_je_woche == 26.0
    # … while a valid OSM expression keeps OSM's rule: a later ';' rule replaces Tuesday.
    osm = parse_hours("Mo-Fr 09:00-12:00; Tu 14:00-18:00")
    assert osm.stunden_je_woche == 16.0
    assert not osm.offen(1 * 1440 + 10 * 60)


@pytest.mark.parametrize(("text", "osm", "hours"), [
    ("Montag bis Freitag 9.00 bis 12.30 Uhr", "Mo-Fr 09:00-12:30", 17.5),
    ("werktags 8-16 Uhr", "Mo-Fr 08:00-16:00", 40.0),
    ("Di und Do von 14 bis 17 Uhr", "Tu,Th 14:00-17:00", 6.0),
    ("Mo-Fr 9-12 u. 13-15 Uhr", "Mo-Fr 09:00-12:00,13:00-15:00", 25.0),
    ("Mo,Mi,Fr 09:00-12:00 und nach Vereinbarung", "Mo,We,Fr 09:00-12:00", 9.0),
])
def test_common_german_free_text(text, osm, hours):
    parsed = parse_hours(text)
    assert parsed.fehler is None
    assert parsed.osm == osm
    assert parsed.stunden_je_woche == hours


def test_phrases_without_hours_are_notes_and_nonsense_is_an_error():
    appointment = parse_hours("Mo,Mi,Fr 09:00-12:00 und nach Vereinbarung")
    assert "nach Vereinbarung" in appointment.hinweise[0]
    only = parse_hours("nach Vereinbarung")
    assert not only.bekannt and "nennt keine festen Zeiten" in only.fehler
    assert "nicht als Tag oder Uhrzeit lesbar" in parse_hours("Mo 9-12 Uhr und Kaffee").fehler
    assert "weder im OSM-Format" in parse_hours("immer mal wieder").fehler
    empty = parse_hours("")
    assert not empty.bekannt and empty.fehler is None


def test_hours_table_reports_every_offer():
    offers = pd.DataFrame({"angebot_id": ["a", "b", "c"], "name": ["A", "B", "C"],
                           "oeffnungszeiten": ["Mo 9-12", None, "irgendwann"]})
    table = hours_table(offers)
    assert table["status"].tolist() == ["gelesen", "keine Angabe", "nicht lesbar"]
    assert table["stunden_je_woche"].tolist() == [3.0, 0.0, 0.0]
    assert "irgendwann" in table["hinweis"].iloc[2]


def test_unknown_hours_follow_the_flag():
    hours = [parse_hours(""), parse_hours("Mo 9-12")]
    assert open_at(hours, 9 * 60 + 30, unbekannt_offen=True).tolist() == [True, True]
    assert open_at(hours, 9 * 60 + 30, unbekannt_offen=False).tolist() == [False, True]


def test_moments_and_labels():
    assert parse_moment("Dienstag 17 Uhr") == TUESDAY_17
    assert parse_moment("tu 17:00") == TUESDAY_17
    assert moment_label(TUESDAY_17) == "Di 17:00"
    assert slot_label(TUESDAY_17, TUESDAY_17 + 90) == "Di 17:00–18:30"
    with pytest.raises(InputValidationError, match="nicht lesbar"):
        parse_moment("morgen früh")
    with pytest.raises(InputValidationError, match="gibt es nicht"):
        parse_moment("Di 25:00")


def test_union_hours_counts_overlaps_once():
    assert union_hours([parse_hours("Mo 9-12"), parse_hours("Mo 11-13")]) == 4.0


def test_free_slot_inside_opening_hours_avoiding_busy_times():
    host = parse_hours("Mo-Fr 09:00-12:00")
    assert free_slot(host, 120) == (1 * 1440 + 540, 1 * 1440 + 660)  # Tuesday first
    busy = [(1 * 1440 + 540, 1 * 1440 + 600)]
    assert free_slot(host, 120, busy=busy) == (1 * 1440 + 600, 1 * 1440 + 720)
    assert free_slot(host, 240) is None  # no window of four hours
