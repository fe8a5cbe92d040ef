"""Hotspot statistics on the published grid: Gi* as esda computes it, EB rates, FDR, GeoTIFF."""

from __future__ import annotations

import numpy as np

from analyses.hotspots import (
    benjamini_hochberg,
)
from analyses.privacy import empirical_bayes_rates


def test_fdr_control_matches_esda_cutoff():
    import esda

    rng = np.random.default_rng(3)
    p = np.concatenate([rng.uniform(0, 0.002, 20), rng.uniform(0, 1, 300)])
    cutoff = esda.fdr(p, 0.05)
    np.testing.assert_array_equal(benjamini_hochberg(p, 0.05), p < cutoff + 1e-15)
    assert 15 <= benjamini_hochberg(p, 0.05).sum() <= 40


def test_empirical_bayes_equals_esda():
    from esda.smoothing import Empirical_Bayes

    events = np.array([5, 10, 5, 40, 15, 5, 0, 25], dtype=float)
    base = np.array([300, 4000, 90, 9000, 2500, 1200, 700, 3100], dtype=float)
    reference = Empirical_Bayes(events, base).r.ravel()
    np.testing.assert_allclose(empirical_bayes_rates(events, base), reference, rtol=1e-12)
    # Small populations are pulled to the mean more strongly than large ones.
    raw = events / base
    mean = events.sum() / base.sum()
    smoothed = empirical_bayes_rates(events, base)
    assert abs(smoothed[2] - mean) < abs(raw[2] - mean)
