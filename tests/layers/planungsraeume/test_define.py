"""Planning areas from polygon files: the real Köln Stadtteile and their topology."""

from __future__ import annotations

import numpy as np
import pyogrio
import pytest
import shapely

from layers.planungsraeume.checks import (
    check_planning_areas,
)
from layers.planungsraeume.define import read_planning_areas
from tests.tools.paths import KOELN

CRS = "EPSG:25832"

# --------------------------------------------------------------------------------------------
# Köln: real planning areas and real population
# --------------------------------------------------------------------------------------------


def test_koeln_stadtteile_in_the_right_crs(koeln_areas):
    assert len(koeln_areas) == 86 and koeln_areas["pr_id"].is_unique
    assert koeln_areas.crs.to_epsg() == 25832
    # The file says CRS84 (degrees); in EPSG:25832 the areas equal the city's SHAPE_AREA (m²).
    raw = pyogrio.read_dataframe(KOELN / "koeln_stadtteile.geojson")
    assert raw.crs.to_epsg() == 4326
    official = raw.set_index("STT_NR")["SHAPE_AREA"].astype(float)
    ours = koeln_areas.set_index("pr_id").geometry.area
    assert np.allclose(ours.reindex(official.index), official, rtol=1e-3)
    assert koeln_areas.geometry.area.sum() / 1e6 == pytest.approx(405.0, abs=1.0)
    # One self-intersecting ring in the city's file was repaired, with a warning.
    warnings = koeln_areas.attrs["probleme"]
    assert len(warnings) == 1 and "Self-intersection" in warnings[0].meldung


def test_koeln_topology_against_the_stadtbezirke(koeln_areas):
    bezirke = read_planning_areas(KOELN / "koeln_stadtbezirke.geojson", crs=CRS, reparieren=True)
    assert len(bezirke) == 9
    check = check_planning_areas(koeln_areas, shapely.union_all(bezirke.geometry.to_numpy()))
    # The KML-derived Stadtteile do not fit exactly: a few real overlaps and gaps > 100 m²,
    # reported with place and size, and hundreds of slivers summarised as warnings.
    overlaps = check.ueberlappungen.set_index(["pr_id_a", "pr_id_b"])["flaeche_m2"]
    assert len(check.fehler) == 5
    biggest = check.ueberlappungen.iloc[0]
    assert {biggest["pr_id_a"], biggest["pr_id_b"]} == {"702", "208"}  # Westhoven / Rodenkirchen
    assert biggest["flaeche_m2"] == pytest.approx(218, abs=2)
    assert overlaps.sum() < 1000 and check.luecken["flaeche_m2"].sum() < 2500
    texts = [p.meldung for p in check.probleme]
    assert any("Lücke von 485 m² zwischen Lövenich (308), Widdersdorf (309)" in t for t in texts)
    assert any("kleine Lücken unter 100 m²" in t for t in texts)
