"""The one result cache: keys, days, disk files and their clean-up (no region needed)."""

from __future__ import annotations

import os
import time

import pandas as pd
import pytest

from planungsraeume import cache as cache_module
from planungsraeume.cache import ResultCache, cached


class FakeRegion:
    """Anything with an identity counts as a region for the cache."""

    def __init__(self, day: str, version: str = "1") -> None:
        self.day, self.version = day, version

    def identity(self) -> dict[str, str]:
        return {"region": "x", "speicher": "x.gpkg", "version": self.version, "tag": self.day}


@pytest.fixture()
def fresh(tmp_path, monkeypatch):
    cache = ResultCache(tmp_path / "analysen")
    monkeypatch.setattr(cache_module, "results", cache)
    return cache


def test_answers_that_do_not_depend_on_the_day_survive_midnight(fresh):
    calls: list[str] = []

    @cached("test_tageweise", disk=False)
    def offers(region: FakeRegion) -> int:
        calls.append("tag")
        return len(calls)

    @cached("test_ohne_tag", disk=False, daily=False)
    def layer(region: FakeRegion) -> int:
        calls.append("ebene")
        return len(calls)

    for day in ("2026-12-01", "2026-12-02"):
        offers(FakeRegion(day))
        layer(FakeRegion(day))
    assert calls.count("tag") == 2 and calls.count("ebene") == 1
    layer(FakeRegion("2026-12-02", version="2"))  # a new store version is a new answer
    assert calls.count("ebene") == 2


def test_unused_result_files_are_removed_and_used_ones_kept(fresh):
    frame = pd.DataFrame({"a": [1, 2]})
    fresh.get_or_compute("alt", {"k": 1}, lambda: frame)
    fresh.get_or_compute("neu", {"k": 2}, lambda: frame)
    folder = fresh._dir()
    old = time.time() - 30 * 86_400
    for path in folder.glob("alt-*"):
        os.utime(path, (old, old))
    used = ResultCache(folder)  # a new process reads "neu" from disk, which marks it as used
    assert used.get_or_compute("neu", {"k": 2}, lambda: pytest.fail("from disk")).equals(frame)
    assert not list(folder.glob("alt-*"))  # removed on the first read of the process
    assert len(list(folder.glob("neu-*"))) == 2  # parquet and its JSON sidecar
    assert used.prune(days=-1) == 2  # everything is older than "in the future"


def test_an_answer_never_outlives_the_code_that_computed_it(tmp_path, monkeypatch):
    for name in ("analyses", "layers", "planungsraeume", "data"):
        (tmp_path / name).mkdir()
    (tmp_path / "analyses" / "coverage.py").write_text("RADIUS = 300\n")
    (tmp_path / "data" / "profile.toml").write_text("[zu_fuss]\nkmh = 4.5\n")
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "seite.py").write_text("TITEL = 'a'\n")
    before = cache_module.fingerprint_of(tmp_path)
    (tmp_path / "ui" / "seite.py").write_text("TITEL = 'b'\n")
    assert cache_module.fingerprint_of(tmp_path) == before  # the pages do not compute answers
    (tmp_path / "data" / "profile.toml").write_text("[zu_fuss]\nkmh = 4.0\n")
    after_config = cache_module.fingerprint_of(tmp_path)
    assert after_config != before
    (tmp_path / "analyses" / "coverage.py").write_text("RADIUS = 400\n")
    assert cache_module.fingerprint_of(tmp_path) not in {before, after_config}

    key = cache_module.cache_key("abdeckung", {"minuten": 15})
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "anderer-code")
    assert cache_module.cache_key("abdeckung", {"minuten": 15}) != key
