"""WCAG 1.4.11 (non-text contrast, 3:1) of every map outline on every fill it can lie on.

The colours are the app's own (:mod:`ui.theme`, the Szenarien change colours): each fill is
blended at the opacity the map draws it with (``theme.FILL_OPACITY``) over each flat colour of
the offline basemap, exactly as Leaflet's SVG renders it (``alpha * fill + (1 - alpha) * under``,
per sRGB channel, rounded to 8 bit). An outline passes on a fill when

* the outline itself has at least 3:1 against the blended fill, or
* its casing (:func:`ui.theme.outline_casing`, a 2 px wider line drawn under it by
  :mod:`ui.overlays`) has at least 3:1 against the fill *and* the outline has at least 3:1
  against its casing (the edge of the object is then the casing, which is adjacent to the fill).

``test_contrast_table`` writes the whole table to ``.cache/tests/kontrast.md``.
"""

from __future__ import annotations

import pytest

from layers import settings
from ui import theme
from ui.szenarien.karte import CHANGE_COLOURS

MIN_RATIO = 3.0


def blend(fill: str, alpha: float, under: str) -> str:
    """``fill`` at opacity ``alpha`` over ``under`` (sRGB, 8 bit per channel)."""
    top = [int(fill[i:i + 2], 16) for i in (1, 3, 5)]
    bottom = [int(under[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(alpha * a + (1 - alpha) * b):02x}" for a, b in zip(top, bottom, strict=True))


def fills() -> dict[str, str]:
    """Every fill an outline can lie on: name → colour as drawn (blended over the basemap)."""
    palettes: dict[str, tuple[tuple[str, ...], float]] = {
        "Einwohner": (theme.POPULATION_COLOURS, theme.FILL_OPACITY["bevoelkerung"]),
        "Reisezeit": (theme.TIME_BAND_COLOURS, theme.FILL_OPACITY["klassen"]),
        "Haltestelle": (theme.STOP_BAND_COLOURS, theme.FILL_OPACITY["klassen"]),
        "Barrieren": (theme.RATE_COLOURS, theme.FILL_OPACITY["barrieren"]),
        "Güteklasse": (tuple(theme.QUALITY_COLOURS.values()), theme.FILL_OPACITY["guete"]),
        "Szenario": (tuple(CHANGE_COLOURS.values()), theme.FILL_OPACITY["szenario"]),
        "ausgeblendet": (("#ffffff",), theme.FILL_OPACITY["ausgeblendet"]),
        "Lücke": ((theme.GAP_OUTLINE,), theme.FILL_OPACITY["luecke"]),
        "Schwerpunkt": ((theme.HOTSPOT_OUTLINE,), theme.FILL_OPACITY["schwerpunkt"]),
    }
    result = {f"Grundkarte {name}": colour for name, colour in theme.BASEMAP_COLOURS.items()}
    for name, (colours, alpha) in palettes.items():
        for i, colour in enumerate(colours, start=1):
            for under_name, under in theme.BASEMAP_COLOURS.items():
                result[f"{name} {i} ({colour} {alpha:g}) auf {under_name}"] = blend(colour, alpha, under)
    return result


def outlines() -> dict[str, str]:
    """Every outline drawn over thematic fills (with a casing, :mod:`ui.overlays`)."""
    result = {"Planungsraum": theme.AREA_OUTLINE, "Auswahl": theme.AREA_SELECTED,
              "Versorgungslücke": theme.GAP_OUTLINE, "Hotspot": theme.HOTSPOT_OUTLINE}
    for i, colour in enumerate(theme.ISOCHRONE_COLOURS, start=1):
        result[f"Isochrone {i}"] = colour
    return result


def verdict(outline: str, fill: str) -> tuple[float, float, float, bool]:
    """(outline vs fill, casing vs fill, outline vs casing, passes)."""
    casing = theme.outline_casing(outline)
    direct = theme.contrast_ratio(outline, fill)
    cased = theme.contrast_ratio(casing, fill)
    inner = theme.contrast_ratio(outline, casing)
    return direct, cased, inner, direct >= MIN_RATIO or (cased >= MIN_RATIO and inner >= MIN_RATIO)


def test_blend_is_leaflets_alpha_compositing():
    assert blend("#000000", 0.5, "#ffffff") == "#808080"
    assert blend("#fde725", 1.0, "#f7f7f5") == "#fde725"
    assert blend("#fde725", 0.0, "#f7f7f5") == "#f7f7f5"


def test_casing_is_black_under_light_outlines_and_white_under_dark_ones():
    assert theme.outline_casing("#c25400") == "#000000"
    assert theme.outline_casing(theme.AREA_OUTLINE) == "#ffffff"
    assert theme.outline_casing("#000000") == "#ffffff"


def test_without_casing_some_outline_fails():
    # The reason for the casing: the vermillion gap outline has less than 3:1 on the middle
    # population classes (the "dashed gap outline is weak over the population colours").
    teal = blend(theme.POPULATION_COLOURS[2], theme.FILL_OPACITY["bevoelkerung"], theme.BASEMAP_COLOURS["hintergrund"])
    assert theme.contrast_ratio(theme.GAP_OUTLINE, teal) < MIN_RATIO
    assert verdict(theme.GAP_OUTLINE, teal)[3]


@pytest.mark.parametrize("outline", list(outlines()))
def test_outline_has_3_to_1_on_every_fill(outline: str):
    colour = outlines()[outline]
    failing = {name: verdict(colour, fill)[:3] for name, fill in fills().items()
               if not verdict(colour, fill)[3]}
    assert not failing, (outline, colour, failing)


def test_region_boundary_and_network_lines_on_the_basemap():
    # Drawn on the basemap only (under the thematic layers, or with no fill below): no casing.
    from ui.kooperation.karte import ISOLATED, LINK

    for colour in (theme.REGION_OUTLINE, LINK, ISOLATED):
        for background in theme.BASEMAP_COLOURS.values():
            assert theme.contrast_ratio(colour, background) >= MIN_RATIO, (colour, background)


def test_contrast_table():
    """The whole table (the weakest fill per outline first), for the issue's note."""
    rows = ["| Umriss | Farbe | Hülle | Umriss:Hülle | schwächste Fläche | Umriss:Fläche | "
            "Hülle:Fläche | besteht |", "|---|---|---|---|---|---|---|---|"]
    for name, colour in outlines().items():
        results = sorted(((verdict(colour, fill), fname) for fname, fill in fills().items()),
                         key=lambda item: max(item[0][0], item[0][1] if item[0][2] >= MIN_RATIO else 0))
        (direct, cased, inner, ok), fname = results[0]
        rows.append(f"| {name} | {colour} | {theme.outline_casing(colour)} | {inner:.1f} | {fname} | "
                    f"{direct:.1f} | {cased:.1f} | {'ja' if ok else 'nein'} |")
        assert ok
    target = settings.cache_dir / "kontrast.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert len(rows) == 2 + len(outlines())
