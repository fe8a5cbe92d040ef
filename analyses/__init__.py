"""Pure analysis functions: they take GeoDataFrames and arrays and return new ones.

Reachability engine (issue #3), one module per task:

* :mod:`analyses.profiles` – travel profiles from ``data/profile.toml`` (speeds, edge rules,
  optimistic/pessimistic treatment of unknown tags);
* :mod:`analyses.graph` – the pedestrian network as a CSR graph per region, profile and mode,
  cached in memory and on disk;
* :mod:`analyses.snapping` – attaching points to the nearest edge of a profile's main network;
* :mod:`analyses.reachability` – multi-source travel times, counts, sparse matrices, routes;
* :mod:`analyses.coverage` – coverage per Planungsraum and the gap layer;
* :mod:`analyses.isochrones` – isochrone polygons;
* :mod:`analyses.transit` – distance to stops, ÖV-Güteklassen from GTFS;
* :mod:`analyses.cache` and :mod:`analyses.workflow` – cached store-level entry points for the
  app and the command line.
"""
