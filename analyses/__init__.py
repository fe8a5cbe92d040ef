"""Pure analysis functions: they take GeoDataFrames and arrays and return new ones.

No store, no cache: :mod:`planungsraeume` reads the region and caches the answers.

* :mod:`analyses.network` – the reachability engine (profiles, graph, contraction hierarchy,
  snapping, multi-source searches, services, travel-time matrices, routes);
* :mod:`analyses.areas` – the one rule that assigns cells and points to planning areas;
* :mod:`analyses.coverage` – coverage per Planungsraum, the gap layer, time classes and shares;
* :mod:`analyses.isochrones` – isochrone polygons;
* :mod:`analyses.transit` – distance to stops, ÖV-Güteklassen from GTFS (package);
* :mod:`analyses.accessibility` – 2SFCA and enhanced 2SFCA (package);
* :mod:`analyses.location` – location suggestions: MCLP, p-median, greedy baseline (package);
* :mod:`analyses.scenarios` – what-if edits of the services, coverage before and after;
* :mod:`analyses.grid`, :mod:`analyses.hotspots` – the barrier grid and its hotspot statistics;
* :mod:`analyses.privacy` – the one gate every barrier output passes.

The package imports nothing itself; import from the modules. ``__all__`` lists them for
``from analyses import *``.
"""

__all__ = [
    "accessibility",
    "areas",
    "coverage",
    "grid",
    "hotspots",
    "isochrones",
    "location",
    "network",
    "privacy",
    "scenarios",
    "transit",
]
