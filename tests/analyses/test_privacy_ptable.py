"""The perturbation table and the keys of the cell-key method (no region needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analyses.privacy import KEY_RANGE, DisclosureRule, record_keys
from analyses.privacy.ptable import cell_keys, report_keys
from analyses.privacy.texts import erklaerung, garantie, leichte_sprache, nicht_abgedeckt

TABLE = DisclosureRule.oeffentlich().tabelle


def test_noise_is_unbiased_with_the_documented_variance_and_bound():
    for n in (7, 8, 10, 40, 400):
        p = TABLE.probabilities(n)
        assert p["wahrscheinlichkeit"].sum() == pytest.approx(1.0)
        mean = (p["aenderung"] * p["wahrscheinlichkeit"]).sum()
        var = (p["aenderung"] ** 2 * p["wahrscheinlichkeit"]).sum()
        assert mean == pytest.approx(0.0, abs=1e-8)
        assert var == pytest.approx(min(TABLE.varianz, 0.5 * (n - 5) * 5), rel=1e-6)
        assert p["aenderung"].abs().max() <= TABLE.max_abweichung
        assert (n + p["aenderung"] >= 5).all()  # targets below k are blocked
    # The keys realise the distribution: share of keys per change ≈ probability (±1/4096).
    keys = np.arange(KEY_RANGE)
    realised = pd.Series(TABLE.noise(np.full(KEY_RANGE, 50), keys)).value_counts(normalize=True)
    expected = TABLE.probabilities(50).set_index("aenderung")["wahrscheinlichkeit"]
    assert (realised.reindex(expected.index, fill_value=0) - expected).abs().max() < 1.5 / KEY_RANGE


def test_published_values_are_rounded_never_below_k_and_never_for_small_counts():
    counts = np.repeat(np.arange(0, 80), KEY_RANGE)
    keys = np.tile(np.arange(KEY_RANGE), 80)
    values = TABLE.published(counts, keys)
    assert (values[counts < 5] == -1).all()
    shown = values >= 0
    assert (values[shown] % 5 == 0).all() and (values[shown] >= 5).all()
    assert np.abs(values[shown] - counts[shown]).max() == TABLE.max_total_change == 7
    # Fuzzy threshold: 5 and 6 persons are published for 1/3 and 2/3 of the keys, 7+ always.
    share = pd.Series(shown).groupby(counts).mean()
    assert share[5] == pytest.approx(1 / 3, abs=0.01) and share[6] == pytest.approx(2 / 3, abs=0.01)
    assert share[7:].min() == 1.0
    # Mean of the published value ≈ the true count away from the threshold (rounding is unbiased
    # over the noise).
    mean = pd.Series(values[shown]).groupby(counts[shown]).mean()
    assert (mean[20:] - mean[20:].index).abs().max() < 0.6


def test_the_attacker_knows_the_interval_of_a_published_value():
    for value in (5, 10, 15, 50):
        lo, hi = TABLE.feasible_counts(value)
        counts = np.arange(max(lo - 5, 0), hi + 6)
        hits = [c for c in counts if (TABLE.published(np.full(KEY_RANGE, c),
                                                      np.arange(KEY_RANGE)) == value).any()]
        assert (min(hits), max(hits)) == (lo, hi)
        assert hi - lo + 1 >= 5  # at least k possible true counts behind every value
    assert TABLE.max_unpublished == 6


def test_change_visibility_is_what_the_documentation_says():
    q = TABLE.change_visibility()
    assert 0.2 < q < 0.5
    assert f"{round(100 * q)} %" in nicht_abgedeckt()[0]


def test_record_keys_are_fixed_secret_and_uniform():
    people = [f"P-{i:06d}" for i in range(20000)]
    a = record_keys(people, "geheim")
    assert (a == record_keys(people, "geheim")).all()
    assert (a != record_keys(people, "anders")).mean() > 0.99
    counts = np.bincount(a % 16, minlength=16)
    assert counts.min() > 0.9 * len(people) / 16 and counts.max() < 1.1 * len(people) / 16
    assert a.min() >= 0 and a.max() < KEY_RANGE


def test_cell_keys_depend_only_on_the_persons_of_a_cell():
    keys = np.array([7, 4090, 12, 300])
    one = cell_keys(np.array([0, 0, 0, 1]), keys, 2)
    other = cell_keys(np.array([1, 1, 1, 0])[::-1], keys[::-1], 2)  # same sets, other order
    assert one[0] == other[1] == (7 + 4090 + 12) % KEY_RANGE
    r1 = report_keys(np.array([5, 5]), [np.array([19000, 19001])])
    r2 = report_keys(np.array([5, 5]), [np.array([19000, 19001])])
    assert (r1 == r2).all() and r1[0] != r1[1]


def test_ons_package_gives_the_same_values_with_our_table():
    """Independent oracle: the ONS `cell-key-perturbation` package applied to our table."""
    ckp = pytest.importorskip("cell_key_perturbation.create_perturbed_table")
    rng = np.random.default_rng(3)
    cells = rng.integers(0, 40, 3000)
    keys = rng.integers(0, KEY_RANGE, 3000)
    micro = pd.DataFrame({"zelle": cells, "record_key": keys})
    ptable = TABLE.ons_frame(max_pcv=200)
    ons = ckp.create_perturbed_table(micro, ptable, [], ["zelle"], "record_key",
                                     use_existing_ons_id=False, threshold=5)
    n = np.bincount(cells, minlength=40)
    ours = TABLE.published(n, cell_keys(cells, keys, 40))
    theirs = ons.set_index("zelle")["count"].reindex(range(40))
    assert [None if v < 0 else int(v) for v in ours] == \
        [None if pd.isna(v) else int(v) for v in theirs]


def test_texts_name_the_figures_of_the_rule():
    text = garantie()
    assert "mindestens 5 verschiedenen Personen" in text and "höchstens 7" in text
    assert "Cell-Key-Methode" in erklaerung() and "Zensus 2022" in erklaerung()
    easy = leichte_sprache()
    assert "mindestens 5 Menschen" in easy
    sentences = [s for line in easy.splitlines() for s in line.replace("?", ".").split(".")]
    assert max(len(s.split()) for s in sentences if s.strip()) <= 10  # short sentences
    assert len(nicht_abgedeckt()) >= 5


def test_public_rule_follows_settings(monkeypatch):
    from layers import settings as cfg

    monkeypatch.setattr(cfg, "privacy_min_persons", 10)
    monkeypatch.setattr(cfg, "privacy_rounding_base", 10)
    rule = DisclosureRule.oeffentlich()
    assert (rule.min_personen, rule.rundungsbasis) == (10, 10)
    assert "Mindestens 10" in rule.beschreibung()
    assert rule.runden([7, 14, 15, 26]).tolist() == [10, 10, 20, 30]
    values = rule.tabelle.published(np.repeat(np.arange(30), KEY_RANGE),
                                    np.tile(np.arange(KEY_RANGE), 30))
    assert (values[: 10 * KEY_RANGE] == -1).all() and (values[values >= 0] % 10 == 0).all()


def test_rounding_helper_never_turns_a_count_into_less_than_the_base():
    rule = DisclosureRule.oeffentlich()
    assert rule.runden([5, 6, 7, 8, 12, 13]).tolist() == [5, 5, 5, 10, 10, 15]


def test_public_rule_cannot_switch_the_perturbation_off():
    from layers.errors import PrivacyError

    with pytest.raises(PrivacyError):
        DisclosureRule(min_personen=5, rundungsbasis=5, max_abweichung=0, varianz=0.0)
