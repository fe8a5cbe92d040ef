"""German numbers, counts, sizes and times for every message and table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from layers.formatting import MISSING, de_count, de_size, de_time


def test_counts_take_the_german_singular_only_for_one():
    assert de_count(1, "Warnung", "Warnungen") == "1 Warnung"
    assert de_count(0, "Warnung", "Warnungen") == "0 Warnungen"
    assert de_count(3, "Lücke", "Lücken") == "3 Lücken"
    assert de_count(12345, "Zeile", "Zeilen") == "12.345 Zeilen"


def test_sizes_in_byte_kb_mb():
    assert de_size(413) == "413 Byte"
    assert de_size(12_400) == "12,4 kB"
    assert de_size(3_120_000) == "3,1 MB"
    assert de_size(None) == MISSING


def test_times_are_local_german_not_iso_utc(monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_ZEITZONE", "Europe/Berlin")
    # 13:03 UTC on 1 December is 14:03 in Berlin (CET, UTC+1); in July (CEST) +2 hours.
    assert de_time("2025-12-01T13:03:00Z") == "01.12.2025, 14:03 Uhr"
    assert de_time("2025-07-01T13:03:00") == "01.07.2025, 15:03 Uhr"
    assert de_time(datetime(2025, 12, 1, 13, 3, tzinfo=UTC)) == "01.12.2025, 14:03 Uhr"
    assert de_time(None) == MISSING
    assert de_time("gestern") == "gestern"


@pytest.mark.parametrize("text", ["2025-12-01T13:03:00+00:00", "2025-12-01 13:03:00"])
def test_time_variants_of_the_store(text, monkeypatch):
    monkeypatch.setenv("SOZIALRAUM_ZEITZONE", "Europe/Berlin")
    assert de_time(text) == "01.12.2025, 14:03 Uhr"
