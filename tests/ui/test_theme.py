"""Colours of the app meet WCAG 2.1 AA contrast and the palettes stay colour-blind safe."""

from __future__ import annotations

import tomllib

import pytest

from layers import settings
from ui import theme


def test_contrast_formula_matches_wcag_reference_values():
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WebAIM's example: #767676 on white is the lightest grey that passes 4.5:1.
    assert theme.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert theme.contrast_ratio("#777777", "#ffffff") < 4.5


def test_streamlit_theme_is_the_checked_one():
    config = tomllib.loads((settings.project_root / ".streamlit" / "config.toml").read_text("utf-8"))
    colours = config["theme"]
    assert colours["textColor"].lower() == theme.TEXT
    assert colours["backgroundColor"].lower() == theme.BACKGROUND
    assert colours["secondaryBackgroundColor"].lower() == theme.SECONDARY_BACKGROUND
    assert colours["primaryColor"].lower() == theme.PRIMARY


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        (theme.TEXT, theme.BACKGROUND),
        (theme.TEXT, theme.SECONDARY_BACKGROUND),
        (theme.MUTED_TEXT, theme.BACKGROUND),
        (theme.MUTED_TEXT, theme.SECONDARY_BACKGROUND),
        (theme.PRIMARY, theme.BACKGROUND),  # links, primary buttons' outline text
        ("#ffffff", theme.PRIMARY),  # text on primary buttons, cluster counts
        (theme.AREA_OUTLINE, theme.BASEMAP_COLOURS["hintergrund"]),  # area labels on the map
        (theme.TEXT, "#ffffff"),  # legend text and symbol labels (white boxes)
    ],
)
def test_text_contrast_at_least_4_5(foreground, background):
    assert theme.contrast_ratio(foreground, background) >= 4.5


@pytest.mark.parametrize("colour", list(theme.GROUP_COLOURS.values()) + [theme.AREA_SELECTED])
def test_map_symbols_contrast_3_to_1_with_basemap(colour):
    # WCAG 1.4.11 non-text contrast against every basemap colour they may sit on.
    for background in theme.BASEMAP_COLOURS.values():
        assert theme.contrast_ratio(colour, background) >= 3.0, (colour, background)


def test_population_palette_is_sequential_in_lightness():
    # A sequential scheme must be ordered by luminance so that it reads in greyscale and for
    # every colour-vision deficiency; neighbouring classes must be distinguishable.
    lum = [theme.relative_luminance(c) for c in theme.POPULATION_COLOURS]
    assert lum == sorted(lum, reverse=True)
    for a, b in zip(theme.POPULATION_COLOURS, theme.POPULATION_COLOURS[1:], strict=False):
        assert theme.contrast_ratio(a, b) >= 1.3
    assert len(theme.population_class_labels()) == len(theme.POPULATION_COLOURS)
    assert theme.population_class_labels()[0] == "1 – 24"
    assert theme.population_class_labels()[-1] == "400 und mehr"


def test_service_groups_differ_in_shape_not_only_colour():
    assert len(set(theme.GROUP_SHAPES.values())) == len(theme.GROUP_SHAPES)
    symbol = theme.service_symbol("EUTB", "Beratung")
    assert (symbol.kuerzel, symbol.form) == ("EUTB", "kreis")
    assert theme.service_symbol("Pflegeeinrichtung", "Einrichtung").form == "quadrat"
    # Every type of the vocabulary has a short label of its own.
    from layers.angebote import service_type_keys

    labels = [theme.service_symbol(k, None).kuerzel for k in service_type_keys()]
    assert len(set(labels)) == len(labels)
