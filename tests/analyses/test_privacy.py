"""Disclosure control on hand-made partitions: secondary suppression, one person counted once,
the public rule from the settings, rounding never below the base."""

from __future__ import annotations

import numpy as np

from analyses.privacy import DisclosureRule, Partition, protect


def test_secondary_suppression_blocks_region_minus_cells():
    # Region of 9 persons: cell A has 6, cell B has 3. Publishing A and the region would reveal
    # B = 3 by subtraction, so A (the cheaper value) must go too.
    person = np.arange(9)
    cells = np.array([0] * 6 + [1] * 3)
    region = Partition("region", np.zeros(9, dtype=np.int64), 1)
    grid = Partition("gitter", cells, 2)
    visible = protect([region, grid], person, DisclosureRule.oeffentlich())
    assert visible["region"].tolist() == [True]
    assert visible["gitter"].tolist() == [False, False]
    # With 5 persons in B both cells can be shown.
    person = np.arange(11)
    grid = Partition("gitter", np.array([0] * 6 + [1] * 5), 2)
    region = Partition("region", np.zeros(11, dtype=np.int64), 1)
    visible = protect([region, grid], person, DisclosureRule.oeffentlich())
    assert visible["gitter"].tolist() == [True, True]


def test_one_person_with_many_reports_counts_once():
    person = np.array([0] * 20 + [1, 2, 3])
    grid = Partition("gitter", np.zeros(23, dtype=np.int64), 1)
    visible = protect([grid], person, DisclosureRule.oeffentlich())
    assert visible["gitter"].tolist() == [False]


def test_public_rule_follows_settings(monkeypatch):
    from layers import settings as cfg

    monkeypatch.setattr(cfg, "privacy_min_persons", 10)
    monkeypatch.setattr(cfg, "privacy_rounding_base", 10)
    rule = DisclosureRule.oeffentlich()
    assert (rule.min_personen, rule.rundungsbasis) == (10, 10)
    assert "mindestens 10" in rule.beschreibung() or "Mindestens 10" in rule.beschreibung()
    assert rule.runden([7, 14, 15, 26]).tolist() == [10, 10, 20, 30]


def test_rounding_never_turns_a_count_into_less_than_the_base():
    rule = DisclosureRule.oeffentlich()
    assert rule.runden([5, 6, 7, 8, 12, 13]).tolist() == [5, 5, 5, 10, 10, 15]
