"""Offline geocoding of German addresses against the region's ``adressen`` layer.

Planners' lists of services often carry only an address. This module places them on the map
without any network service, using the OSM address points the region build stored:

1. **exact**: street and house number after normalisation (case, ``ß``/``ss``, umlauts,
   ``Str.``/``str``/``Straße``, hyphens and spaces, ``12 a`` = ``12a``);
2. **house number without suffix or range**: ``12a`` → ``12``, ``12-14`` → ``12`` (a warning);
3. **fuzzy street name** with a similarity score (rapidfuzz), only if the best candidate is
   clearly better than the second best and has the house number;
4. **interpolation** between the neighbouring house numbers of the same side of a known street,
   only for gaps of a few numbers (a warning).

Everything else is reported as ``nicht gefunden`` or ``mehrdeutig`` with the reason: a row is
never placed by a guess the user is not told about. Coordinates are returned in the CRS of the
address layer (the region CRS).
"""

from layers.geocode.index import (
    EXAKT,
    INTERPOLIERT,
    MAX_INTERPOLATION_GAP,
    MEHRDEUTIG,
    MIN_SCORE_MARGIN,
    MIN_STREET_SCORE,
    NICHT_GEFUNDEN,
    OHNE_ZUSATZ,
    PLACED,
    SAME_PLACE_M,
    UNSCHARF,
    AddressIndex,
    GeocodeResult,
)
from layers.geocode.text import (
    housenumber_fallbacks,
    normalize_housenumber,
    normalize_street,
    split_address,
)

__all__ = [
    "AddressIndex",
    "EXAKT",
    "GeocodeResult",
    "INTERPOLIERT",
    "MAX_INTERPOLATION_GAP",
    "MEHRDEUTIG",
    "MIN_SCORE_MARGIN",
    "MIN_STREET_SCORE",
    "NICHT_GEFUNDEN",
    "OHNE_ZUSATZ",
    "PLACED",
    "SAME_PLACE_M",
    "UNSCHARF",
    "housenumber_fallbacks",
    "normalize_housenumber",
    "normalize_street",
    "split_address",
]
