"""Colours, palettes and symbols of the app, chosen for WCAG 2.1 AA and colour-vision deficiency.

Every colour that carries meaning is paired with text (legend entries, labels) or a shape, so
colour is never the only carrier of meaning. Text colours are checked against their backgrounds
with :func:`contrast_ratio` in the tests (WCAG 2.1: at least 4.5:1 for normal text, 3:1 for
graphical objects and large text).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AREA_OUTLINE",
    "AREA_SELECTED",
    "BACKGROUND",
    "BASEMAP_COLOURS",
    "GAP_OUTLINE",
    "GROUP_COLOURS",
    "GROUP_SHAPES",
    "GROUP_SHAPE_LABELS",
    "HOTSPOT_OUTLINE",
    "ISOCHRONE_COLOURS",
    "MUTED_TEXT",
    "POPULATION_BREAKS",
    "POPULATION_COLOURS",
    "PRIMARY",
    "QUALITY_COLOURS",
    "RATE_COLOURS",
    "SECONDARY_BACKGROUND",
    "SERVICE_ABBREVIATIONS",
    "STOP_BAND_COLOURS",
    "STREET_COLOURS",
    "STREET_WEIGHTS",
    "TEXT",
    "TIME_BAND_COLOURS",
    "ServiceSymbol",
    "FILL_OPACITY",
    "REGION_OUTLINE",
    "contrast_ratio",
    "outline_casing",
    "population_class_labels",
    "relative_luminance",
    "service_symbol",
    "text_colour_on",
]

# Theme colours (also written into .streamlit/config.toml; the tests compare both).
TEXT = "#1a1a1a"
BACKGROUND = "#ffffff"
SECONDARY_BACKGROUND = "#f0f2f6"
PRIMARY = "#0b5394"
MUTED_TEXT = "#4d4d4d"

# Okabe-Ito colours (safe for the common colour-vision deficiencies), darkened where they must
# carry white text.
GROUP_COLOURS = {
    "Beratung": "#005a8c",  # blue
    "Einrichtung": "#a33d00",  # dark vermillion
}
GROUP_SHAPES = {"Beratung": "kreis", "Einrichtung": "quadrat"}
GROUP_SHAPE_LABELS = {"kreis": "Kreis", "quadrat": "Quadrat"}
AREA_OUTLINE = "#1c4587"
AREA_SELECTED = "#c25400"
STREET_COLOURS = {"haupt": "#b3b3b3", "strasse": "#c8c8c8", "weg": "#d9d9d9"}
STREET_WEIGHTS = {"haupt": 3.0, "strasse": 1.6, "weg": 0.8}
# Flat colours of the offline basemap (light, so that thematic layers stand out).
BASEMAP_COLOURS = {
    "hintergrund": "#f7f7f5",
    "wasser": "#b9d7ea",
    "gruen": "#dcebd3",
    "wald": "#c5ddb8",
    "gebaeude": "#d6d3cf",
}

# Population density classes (inhabitants per 100 m cell = per hectare) with a reversed viridis
# ramp: perceptually uniform, readable in greyscale and for colour-vision deficiencies.
POPULATION_BREAKS = (1, 25, 50, 100, 200, 400)
POPULATION_COLOURS = ("#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154")


def population_class_labels() -> list[str]:
    """Legend labels of the population classes, e.g. ``"25 – 49"`` and ``"400 und mehr"``."""
    labels = []
    for lower, upper in zip(POPULATION_BREAKS, POPULATION_BREAKS[1:], strict=False):
        labels.append(f"{lower} – {upper - 1}")
    labels.append(f"{POPULATION_BREAKS[-1]} und mehr")
    return labels


def _channel(value: int) -> float:
    c = value / 255.0
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """Relative luminance of an sRGB colour ``#rrggbb`` as defined by WCAG 2.1."""
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two colours (1 … 21)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white text, whichever contrasts more with ``background``."""
    return TEXT if contrast_ratio(TEXT, background) >= contrast_ratio("#ffffff", background) else "#ffffff"


@dataclass(frozen=True)
class ServiceSymbol:
    """How a service type is drawn: a shape by group, a colour by group, a short text label."""

    kuerzel: str
    gruppe: str
    form: str
    farbe: str


# Short labels shown beside the map symbols (the legend explains each one).
SERVICE_ABBREVIATIONS = {
    "EUTB": "EUTB",
    "KoKoBe": "KoKoBe",
    "SPZ": "SPZ",
    "SPKoM": "SPKoM",
    "KSL": "KSL",
    "IFD": "IFD",
    "Pflegestützpunkt": "PSP",
    "Beratung § 106 SGB IX": "§ 106",
    "Sozialamt": "SozA",
    "Jugendamt": "JugA",
    "Gesundheitsamt": "GesA",
    "LVR-Dienststelle": "LVR",
    "Peer-Beratung": "Peer",
    "Selbsthilfe": "SHG",
    "sonstige Beratung": "Ber.",
    "Wohnangebot Eingliederungshilfe": "Wohn",
    "Pflegeeinrichtung": "Pflege",
    "Ambulanter Dienst": "Amb.",
    "Tagespflege": "TP",
    "sonstige": "sonst.",
}


def service_symbol(typ: str, gruppe: str | None) -> ServiceSymbol:
    """The symbol of a service type (unknown types get a shortened name as label)."""
    group = gruppe if gruppe in GROUP_COLOURS else "Einrichtung"
    return ServiceSymbol(
        kuerzel=SERVICE_ABBREVIATIONS.get(typ, typ[:6]),
        gruppe=group,
        form=GROUP_SHAPES[group],
        farbe=GROUP_COLOURS[group],
    )


# Travel-time classes (analyses.coverage.time_band_labels: bis 5 … über 30 Min., nicht
# erreichbar, nicht angebunden): the population ramp again, light = near, dark = far, so that the
# places that matter for planning (far, unreachable) stand out on the light basemap; unreachable
# is near-black, cells off the network mid-grey (and dashed in the legend text).
TIME_BAND_COLOURS = ("#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154",
                     "#1a1a1a", "#8c8c8c")
# Outline of Versorgungslücken (cells beyond the chosen minutes): dashed, vermillion.
GAP_OUTLINE = "#c25400"
# Isochrones: outlines from dark to light blue by budget (the area itself stays transparent).
ISOCHRONE_COLOURS = ("#08306b", "#2171b5", "#4292c6", "#6baed6", "#9ecae1")
# Barrier rates per 1,000 inhabitants (ColorBrewer YlOrBr, 5 classes: colour-blind safe,
# monotone in luminance) and the outline of Gi* hotspot cells.
RATE_COLOURS = ("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404")
HOTSPOT_OUTLINE = "#000000"
# ÖV-Güteklassen A (best) … F and "keine" (ColorBrewer RdYlBu reversed is not safe for all;
# a blue sequential ramp is: dark = best access).
QUALITY_COLOURS = {"A": "#08306b", "B": "#08519c", "C": "#2171b5", "D": "#4292c6",
                   "E": "#6baed6", "F": "#c6dbef"}
# Walking distance to the nearest stop (bis 300 m … über 1.000 m, nicht angebunden).
STOP_BAND_COLOURS = ("#fde725", "#35b779", "#31688e", "#440154", "#8c8c8c")
# The dashed region boundary (drawn on the basemap, under the thematic layers).
REGION_OUTLINE = "#555555"
# Fill opacities of the classed layers (the colour an outline lies on is the fill blended over
# the basemap at this opacity; tests/ui/test_kontrast.py checks every outline against them).
FILL_OPACITY = {
    "bevoelkerung": 0.6,  # population classes (Karte)
    "klassen": 0.62,  # travel-time and stop-distance classes (Erreichbarkeit)
    "barrieren": 0.7,  # barrier rates of the published grid
    "guete": 0.45,  # ÖV-Güteklassen
    "szenario": 0.6,  # cells newly / no longer covered (Szenarien)
    "ausgeblendet": 0.55,  # white veil over the other areas (area map)
    "luecke": 0.18,  # inside the Versorgungslücken outline (Karte, area map)
    "schwerpunkt": 0.12,  # inside the barrier hotspot outline (Karte)
}


def outline_casing(colour: str) -> str:
    """The casing drawn under an outline of ``colour``: black under light and middle tones,
    white under dark ones.

    An outline lies on fills from light yellow to near-black; no single colour has 3:1
    (WCAG 1.4.11) against all of them. The casing (a line 2 px wider, under the outline) does
    where the outline itself does not, and the outline contrasts with its casing.
    """
    return "#000000" if contrast_ratio(colour, "#000000") >= 3.0 else "#ffffff"
