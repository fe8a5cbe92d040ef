"""The map of one planning area (profile page and Konferenzmodus).

The area outlined, the rest faded, its offers, optionally the Versorgungslücken.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd

from planungsraeume.region import Region
from ui import cached, legend, maps, overlays, state, theme

__all__ = ["area_map"]


def _collection(features: list[Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def area_map(region: Region, pr_id: str, inside: gpd.GeoDataFrame, *, key: str,
             gaps: dict[str, Any] | None = None, large: bool = False,
             size_px: tuple[int, int] = (540, 480), height: int = 500,
             legend_outside: bool = False) -> str | None:
    """Draw the map of one planning area.

    Parameters
    ----------
    region, pr_id
        The region and the area.
    inside
        The area's offers (WGS 84).
    key
        Widget key of the map.
    gaps
        GeoJSON of the Versorgungslücken (:func:`ui.cached.gap_outline`), or ``None``.
    large
        Projector style: large labels and legend, legend open.
    size_px, height
        Map size the view is fitted to, and the component's height.
    legend_outside
        Leave the legend out of the map and return its HTML, for the page to show beside the
        map (:func:`ui.legend.legend_beside`); else ``None`` is returned.
    """
    layers = cached.map_layers(region)
    selected = [f for f in layers.areas["features"] if f["properties"]["pr_id"] == pr_id]
    others = [f for f in layers.areas["features"] if f["properties"]["pr_id"] != pr_id]
    groups: list[Any] = []
    sections: list[Any] = []
    if gaps is not None:
        groups.append(overlays.outline_layer(gaps, name="Versorgungslücken", colour=theme.GAP_OUTLINE,
                                         fill_opacity=theme.FILL_OPACITY["luecke"], tooltip="Versorgungslücke"))
        sections.append(("Versorgungslücken", [legend.LegendEntry(
            "gestrichelt", theme.GAP_OUTLINE, "nicht in der gewählten Zeit erreichbar")]))
    groups += [
        overlays.selection_layer(_collection(selected), fade_others=_collection(others)),
        overlays.area_layer(_collection(selected),
                        [lab for lab in layers.area_labels if lab[2].startswith(f"{pr_id} ")],
                        large_labels=large),
    ]
    key_html = legend.legend_html(services=inside if len(inside) else None, selection=True,
                                  streets=False, large=large and not legend_outside,
                                  extra=sections)
    if not legend_outside:
        groups.append(legend.legend_layer(key_html))
    if len(inside):
        groups.append(overlays.service_layer(inside, cluster=False))
    width, tall = size_px
    centre, zoom = maps.fit_view(layers.area_bounds[pr_id], width_px=width, height_px=tall)
    fmap = maps.base_map(layers.basemap, online_tiles=state.online_tiles(), scroll_zoom=False,
                         label=("Karte des Planungsraums" if large
                                else f"Karte des Planungsraums {pr_id}"),
                         view=maps.fit_view(layers.basemap.bounds, width_px=width, height_px=tall))
    legend.show_map(fmap, key=key, height=height, use_container_width=True, returned_objects=[],
              center=centre, zoom=zoom,
              feature_group_to_add=[maps.localize_assets(g) for g in groups])
    return key_html if legend_outside else None
