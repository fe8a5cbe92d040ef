"""Pure analysis functions: they take GeoDataFrames and arrays and return new ones.

Reachability engine (issue #3), one module per task:

* :mod:`analyses.network.profiles` – travel profiles from ``data/profile.toml`` (speeds, edge rules,
  optimistic/pessimistic treatment of unknown tags);
* :mod:`analyses.network.graph` – the pedestrian network as a CSR graph per region, profile and mode,
  cached in memory and on disk;
* :mod:`analyses.network.snapping` – attaching points to the nearest edge of a profile's main network;
* :mod:`analyses.network.search` – multi-source travel times, counts, sparse matrices, routes;
* :mod:`analyses.coverage` – coverage per Planungsraum and the gap layer;
* :mod:`analyses.isochrones` – isochrone polygons;
* :mod:`analyses.transit` – distance to stops, ÖV-Güteklassen from GTFS;
* :mod:`planungsraeume.cache` and :mod:`planungsraeume.erreichbarkeit` – cached store-level entry points for the
  app and the command line.
"""
