"""Parse OSM tag values that carry measurements (incline, width, kerb height) or yes/no.

The measurement functions accept the raw tag value (or ``None``) and return a float or ``NaN``
when the value is missing or not a measurement. Raw values are kept in the layers next to the
parsed numbers, so nothing is lost. :func:`parse_yes_limited_no` maps ``yes``/``limited``/``no``
values (``wheelchair``, ``bench``, …) to the German values of the layers.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "KERB_CLASS_CM",
    "parse_incline_percent",
    "parse_kerb_height_cm",
    "parse_width_m",
    "parse_yes_limited_no",
]

# Kerb heights (cm) assumed for the kerb=* classes, as documented on the OSM wiki (Key:kerb) and
# used by openrouteservice's wheelchair profile: flush 0, lowered up to ~3, rolled ~3, raised
# and regular above that. "yes" says nothing about the height.
KERB_CLASS_CM: dict[str, float] = {
    "flush": 0.0,
    "no": 0.0,
    "lowered": 2.0,
    "rolled": 3.0,
    "raised": 12.0,
    "regular": 12.0,
    "normal": 12.0,
}

_NUMBER = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*(%|°|deg|m|cm|mm)?\s*$", re.IGNORECASE)


def _number_and_unit(value: str | None) -> tuple[float, str] | None:
    if value is None:
        return None
    match = _NUMBER.match(str(value))
    if not match:
        return None
    return float(match.group(1).replace(",", ".")), (match.group(2) or "").lower()


def parse_incline_percent(value: str | None) -> float:
    """Parse ``incline`` into an absolute gradient in percent.

    ``"8%"`` and ``"-8 %"`` give 8.0, ``"5°"`` gives 8.75; ``"up"``/``"down"`` and missing values
    give NaN (the slope is unknown, though ``up``/``down`` say there is one).
    """
    parsed = _number_and_unit(value)
    if parsed is None:
        return math.nan
    number, unit = parsed
    if unit in ("°", "deg"):
        return abs(math.tan(math.radians(number)) * 100.0)
    if unit in ("", "%"):
        return abs(number)
    return math.nan


def parse_width_m(value: str | None) -> float:
    """Parse ``width`` into metres (``"1,5"`` → 1.5, ``"150 cm"`` → 1.5)."""
    parsed = _number_and_unit(value)
    if parsed is None:
        return math.nan
    number, unit = parsed
    factor = {"": 1.0, "m": 1.0, "cm": 0.01, "mm": 0.001}.get(unit)
    return number * factor if factor is not None and number >= 0 else math.nan


def parse_kerb_height_cm(kerb: str | None, kerb_height: str | None) -> float:
    """Kerb height in cm from ``kerb:height`` (preferred) or the ``kerb`` class.

    ``kerb:height`` without a unit is read as metres (OSM convention), so ``"0.03"`` is 3 cm.
    """
    parsed = _number_and_unit(kerb_height)
    if parsed is not None:
        number, unit = parsed
        factor = {"": 100.0, "m": 100.0, "cm": 1.0, "mm": 0.1}.get(unit)
        if factor is not None and number >= 0:
            return number * factor
    if kerb is None:
        return math.nan
    return KERB_CLASS_CM.get(str(kerb).strip().lower(), math.nan)


def parse_yes_limited_no(value: object) -> str:
    """``yes``/``designated`` → ``ja``, ``limited`` → ``teilweise``, ``no`` → ``nein``, else
    ``unbekannt`` (e.g. the OSM ``wheelchair`` tag)."""
    text = str(value or "").strip().lower()
    if text in ("yes", "designated"):
        return "ja"
    if text == "limited":
        return "teilweise"
    if text == "no":
        return "nein"
    return "unbekannt"
