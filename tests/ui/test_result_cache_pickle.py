"""The one explicit pickle option of the result cache (used only for the app's map layers)."""

from __future__ import annotations

import pandas as pd
import pytest

from planungsraeume import cache as result_cache
from planungsraeume.cache import ResultCache, cached


class FakeRegion:
    """Anything with a cache identity."""

    def __init__(self, version: str) -> None:
        self.version = version

    def identity(self) -> dict[str, str]:
        return {"region": "test", "version": self.version}


def test_a_pickled_answer_survives_a_restart_and_others_stay_in_memory(tmp_path):
    value = {"basemap": [1, 2, 3]}
    cache = ResultCache(tmp_path)
    assert cache.get_or_compute("karte", {"x": 1}, lambda: value, pickled=True) == value
    restarted = ResultCache(tmp_path)
    assert restarted.get_or_compute("karte", {"x": 1}, lambda: pytest.fail("from disk"),
                                    pickled=True) == value
    # Without the option a non-frame answer is kept in memory only.
    cache.get_or_compute("anderes", {"x": 1}, lambda: value)
    assert ResultCache(tmp_path).get_or_compute("anderes", {"x": 1}, lambda: "neu") == "neu"
    # Frames keep their Parquet files (no pickle for them).
    cache.get_or_compute("tabelle", {"x": 1}, lambda: pd.DataFrame({"a": [1]}), pickled=True)
    assert list(tmp_path.glob("tabelle-*.parquet")) and not list(tmp_path.glob("tabelle-*.pickle"))


def test_a_damaged_pickle_is_recomputed(tmp_path):
    ResultCache(tmp_path).get_or_compute("karte", {"x": 1}, lambda: "alt", pickled=True)
    (damaged,) = tmp_path.glob("karte-*.pickle")
    damaged.write_bytes(b"kaputt")
    assert ResultCache(tmp_path).get_or_compute("karte", {"x": 1}, lambda: "neu",
                                                pickled=True) == "neu"


def test_the_decorator_keys_pickled_answers_by_the_region_version(tmp_path, monkeypatch):
    monkeypatch.setattr(result_cache, "results", ResultCache(tmp_path))
    calls: list[str] = []

    @cached("test_karte", pickled=True)
    def prepare(region: FakeRegion) -> dict[str, str]:
        calls.append(region.version)
        return {"version": region.version}

    assert prepare(FakeRegion("1")) == {"version": "1"}
    monkeypatch.setattr(result_cache, "results", ResultCache(tmp_path))  # a restarted server
    assert prepare(FakeRegion("1")) == {"version": "1"}
    assert prepare(FakeRegion("2")) == {"version": "2"}
    assert calls == ["1", "2"]
