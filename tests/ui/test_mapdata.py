"""Map data preparation: outlines and classes of small in-code frames."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from ui import mapdata


def test_dissolved_outline_and_quantile_classes():
    import pandas as pd

    cells = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
                             crs="EPSG:25832")
    outline = mapdata.dissolved_outline(cells)
    assert len(outline) == 1 and outline["zellen"].iloc[0] == 2
    assert outline.geometry.iloc[0].area == pytest.approx(20_000)
    assert len(mapdata.dissolved_outline(cells.iloc[:0])) == 0
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    breaks = mapdata.class_breaks(values, 5)
    assert breaks == sorted(breaks) and 3 <= len(breaks) <= 4
    classes, labels = mapdata.classify(values, breaks)
    assert labels[0].startswith("bis ") and labels[-1].startswith("über ")
    assert classes.iloc[0] == labels[0] and classes.iloc[-1] == labels[-1]
    assert classes.cat.codes.is_monotonic_increasing
    assert mapdata.classify(values, [])[1] == ["alle Werte"]
