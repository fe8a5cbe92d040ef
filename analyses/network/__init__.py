"""The reachability engine: the pedestrian network as arrays and searches on it.

* :mod:`~analyses.network.profiles` – travel profiles from ``data/profile.toml`` (speeds, edge
  rules, optimistic/pessimistic treatment of unknown tags);
* :mod:`~analyses.network.build` – :func:`~analyses.network.build.build_graph` and its steps on
  plain arrays (passable edges, symmetric CSR matrix, main network, oriented geometries);
* :mod:`~analyses.network.graph` – :class:`~analyses.network.graph.NetworkGraph`, one CSR graph
  per region, profile and mode (built once per store version by ``planungsraeume.netz``);
* :mod:`~analyses.network.reduction` – a graph reduced to a query's terminals, same distances;
* :mod:`~analyses.network.contraction` – contraction hierarchy and PHAST queries, with the numba
  kernels in :mod:`~analyses.network.kernels`;
* :mod:`~analyses.network.snapping` – attaching points to the nearest edge of the main network;
* :mod:`~analyses.network.inputs`, :mod:`~analyses.network.results` – checked thresholds and
  points, result frames and statuses;
* :mod:`~analyses.network.search` – the multi-source search and the nearest point per origin;
  :mod:`~analyses.network.shared_edges` – the direct way along an edge shared with a target;
* :mod:`~analyses.network.selection` – selecting services by type and filter;
* :mod:`~analyses.network.services` – the nearest service per origin;
* :mod:`~analyses.network.matrix` – sparse travel-time matrices and counts up to a cutoff;
* :mod:`~analyses.network.routes` – the edges of each origin's route to its nearest target.

The package imports nothing itself (``import analyses.network.profiles`` stays cheap); import
from the modules. ``__all__`` lists them for ``from analyses.network import *``.
"""

__all__ = [
    "build",
    "contraction",
    "graph",
    "inputs",
    "kernels",
    "matrix",
    "profiles",
    "reduction",
    "results",
    "routes",
    "search",
    "selection",
    "services",
    "shared_edges",
    "snapping",
]
