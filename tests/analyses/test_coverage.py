"""Coverage: travel-time classes (the edges of a band belong to the lower class)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.coverage import (
    NOT_CONNECTED_LABEL,
    UNREACHABLE_LABEL,
    time_bands,
)


def test_edge_of_a_band_belongs_to_the_lower_class():
    travel = pd.DataFrame({"minuten": [5.0, 5.0001, 15.0, 31.0, np.nan, np.nan],
                           "status": ["erreichbar"] * 4 + ["nicht erreichbar", "nicht angebunden"]})
    assert time_bands(travel).astype(str).tolist() == [
        "bis 5 Min.", "5–10 Min.", "10–15 Min.", "über 30 Min.", UNREACHABLE_LABEL,
        NOT_CONNECTED_LABEL]
