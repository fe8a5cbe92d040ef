"""Tiny in-code pedestrian networks with named edge cases (as cityseer's ``tools/mock.py``).

The frames have the schema of the layers ``netz_knoten`` and ``netz_kanten`` that
:mod:`layers.build.netz` writes, in an explicit metric CRS, so that
:func:`analyses.network.graph.build_graph` accepts them as they are.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["tiny_network"]


def tiny_network() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Square 1-2-3-4 (100 m sides), a parallel longer edge 1-2, a loop at 3, steps 2-5."""
    nodes = pd.DataFrame(
        {"knoten_id": [11, 12, 13, 14, 15], "x": [0.0, 100.0, 100.0, 0.0, 200.0],
         "y": [0.0, 0.0, 100.0, 100.0, 0.0]}
    )
    lines = [
        shapely.LineString([(0, 0), (100, 0)]),
        shapely.LineString([(100, 0), (100, 100)]),
        shapely.LineString([(0, 100), (100, 100)]),  # stored reversed: from v to u
        shapely.LineString([(0, 100), (0, 0)]),
        shapely.LineString([(0, 0), (50, -30), (100, 0)]),  # parallel, longer
        shapely.LineString([(100, 100), (110, 110), (100, 120), (100, 100)]),  # loop
        shapely.LineString([(100, 0), (200, 0)]),  # steps
    ]
    edges = gpd.GeoDataFrame(
        {
            "kante_id": [0, 1, 2, 3, 4, 5, 6],
            "u": [11, 12, 13, 14, 11, 13, 12],
            "v": [12, 13, 14, 11, 12, 13, 15],
            "highway": ["footway"] * 6 + ["steps"],
            "treppe": [False] * 6 + [True],
            "hauptnetz": [True] * 7,
        },
        geometry=lines,
        crs=25832,
    )
    edges["laenge_m"] = np.round(shapely.length(edges.geometry.to_numpy()), 3)
    return edges, nodes
