"""Public transport: walking distance to the nearest stop, and ÖV-Güteklassen from GTFS.

* :func:`nearest_stop` – per origin the network walking distance and time to the nearest stop
  (OSM ``haltestellen`` or any stop layer).
* :func:`station_departures` – departures per station in a time window on a chosen day (the
  service calendar decides which trips run; trips of the previous service day after midnight
  count too), the Kursintervall, the mode group and the Haltestellenkategorie I–VII.
* :func:`gueteklassen` – per origin the ÖV-Güteklasse A–F from the categories of the stations
  and the walking distance to them (network distance, or straight-line as in the original
  method).
* :func:`gueteklassen_flaechen` – the grades as polygons (straight-line buffers, or network
  areas built like isochrones).

The method's tables live in ``data/oev_gueteklassen.toml`` (documented there). Network distances
are travel times × profile speed: with the profile ``fuss`` these are plain metres; with a
barrier-aware profile (``rollstuhl``) they are "metres as if on asphalt", so steps make a stop
unreachable and cobblestones make it farther – a Güteklasse for wheelchair users.

Modules: :mod:`~analyses.transit.method` (the tables), :mod:`~analyses.transit.departures`
(departures and categories), :mod:`~analyses.transit.grades` (grades per origin, nearest stop),
:mod:`~analyses.transit.flaechen` (grade polygons). Every public name is importable from the
package.
"""

from analyses.transit.departures import (
    parse_clock,
    station_departures,
    stations_layer,
    typical_weekday,
)
from analyses.transit.flaechen import gueteklassen_flaechen
from analyses.transit.grades import DISTANCE_MODES, gueteklassen, nearest_stop
from analyses.transit.method import (
    NO_GRADE,
    ROMAN,
    GueteklassenMethod,
    load_method,
    method_file,
)

__all__ = [
    "DISTANCE_MODES",
    "NO_GRADE",
    "ROMAN",
    "GueteklassenMethod",
    "gueteklassen",
    "gueteklassen_flaechen",
    "load_method",
    "method_file",
    "nearest_stop",
    "parse_clock",
    "station_departures",
    "stations_layer",
    "typical_weekday",
]
