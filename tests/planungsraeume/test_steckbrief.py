"""Planungsraum-Steckbrief: adapters from the engines' tables to the report's sections."""

from __future__ import annotations

import pandas as pd
import pytest

AREA = "PR17"  # Rothe Erde: large, with services inside


def test_adapter_for_the_reachability_coverage_table():
    from planungsraeume.steckbrief import coverage_from_area_table

    # Rows in the documented format of analyses.coverage.coverage_by_area.
    table = pd.DataFrame(
        {
            "pr_id": [AREA, "PR01", "gesamt", AREA, "PR01", "gesamt"],
            "schwelle_min": [10, 10, 10, 15, 15, 15],
            "einwohner": [1000, 500, 1500, 1000, 500, 1500],
            "einwohner_erreicht": [250, 500, 750, 800, 500, 1300],
            "ab65": [200, 100, 300, 200, 100, 300],
            "ab65_erreicht": [50, 100, 150, 150, 100, 250],
            "profil": ["rollstuhl"] * 6,
            "auswahl": ["EUTB"] * 6,
        }
    )
    coverage = coverage_from_area_table(table)
    assert len(coverage) == 4 and set(coverage["pr_id"]) == {AREA, "PR01"}
    row = coverage[(coverage["pr_id"] == AREA) & (coverage["minuten"] == 15)].iloc[0]
    assert row["anteil_einwohner"] == pytest.approx(0.8)
    assert row["anteil_65_plus"] == pytest.approx(0.75)
    assert row["region_anteil_einwohner"] == pytest.approx(1300 / 1500)
    assert row["typ"] == "EUTB" and row["profil"] == "rollstuhl"
