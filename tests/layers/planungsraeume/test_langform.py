"""Long-form statistics and age bands (the Köln file itself is read in test_tabellen)."""

from __future__ import annotations

import numpy as np

from layers.planungsraeume.langform import parse_age_band


def test_age_band_labels():
    assert parse_age_band("00 - < 03") == (0, 3.0)
    assert parse_age_band("65 bis unter 80") == (65, 80.0)
    assert parse_age_band("18-24") == (18, 25.0)
    assert parse_age_band("75 und älter") == (75, np.inf)
    assert parse_age_band("80+") == (80, np.inf)
    assert parse_age_band("Einwohner") is None


# --------------------------------------------------------------------------------------------
# Joining tables
# --------------------------------------------------------------------------------------------
