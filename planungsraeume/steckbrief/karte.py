"""The static map of a Planungsraum-Steckbrief, drawn offline with matplotlib.

The map shows one planning area in its surroundings: neighbouring areas (grey, named), water,
green and woodland from ``grundkarte``, the street network from ``netz_kanten`` in light grey,
and the services by type. Types differ by marker shape *and* colour (colour-blind safe
Okabe–Ito palette), so colour is never the only carrier of meaning; services inside the area are
numbered like the service list of the report. A scale bar, a north arrow and the OpenStreetMap
attribution complete it. No tiles, no network: everything comes from the region store.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Rectangle

__all__ = [
    "ATTRIBUTION",
    "BASEMAP_STYLE",
    "MAJOR_ROADS",
    "MARKERS",
    "NICE_LENGTHS_M",
    "PALETTE",
    "MapLayers",
    "render_area_map",
    "type_styles",
]

ATTRIBUTION = "Kartendaten © OpenStreetMap-Mitwirkende (ODbL)"
# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h", "<", ">", "p", "*")
BASEMAP_STYLE = {
    "wald": {"facecolor": "#cfe3c4", "edgecolor": "none"},
    "gruen": {"facecolor": "#e2efd8", "edgecolor": "none"},
    "wasser": {"facecolor": "#b5d3ea", "edgecolor": "#8fb8d8"},
}
MAJOR_ROADS = {"primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link", "trunk"}
NICE_LENGTHS_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)


@dataclass(frozen=True)
class MapLayers:
    """The layers a map is drawn from (read once per region, region CRS)."""

    areas: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    basemap: gpd.GeoDataFrame
    services: gpd.GeoDataFrame


def type_styles(types: list[str]) -> dict[str, tuple[str, str]]:
    """Return a fixed (marker, colour) per service type, stable for the whole region's reports."""
    return {
        typ: (MARKERS[i % len(MARKERS)], PALETTE[(i // len(MARKERS) + i) % len(PALETTE)])
        for i, typ in enumerate(sorted(types))
    }


def _extent(geometry: object, aspect: float, margin: float = 0.12, minimum: float = 600.0) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = gpd.GeoSeries([geometry]).total_bounds
    width = max(maxx - minx, minimum)
    height = max(maxy - miny, minimum)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    width *= 1 + 2 * margin
    height *= 1 + 2 * margin
    if width / height > aspect:
        height = width / aspect
    else:
        width = height * aspect
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def _scale_bar(ax: object, extent: tuple[float, float, float, float]) -> None:
    minx, miny, maxx, maxy = extent
    width = maxx - minx
    target = width * 0.22
    length = max([n for n in NICE_LENGTHS_M if n <= target] or [NICE_LENGTHS_M[0]])
    x0 = minx + width * 0.04
    y0 = miny + (maxy - miny) * 0.05
    h = (maxy - miny) * 0.012
    ax.add_patch(Rectangle((x0 - width * 0.015, y0 - h * 1.8), length + width * 0.03, h * 5.6,  # type: ignore[attr-defined]
                           facecolor="white", edgecolor="none", alpha=0.85, zorder=8))
    ax.add_patch(Rectangle((x0, y0), length / 2, h, facecolor="black", edgecolor="black", zorder=9))  # type: ignore[attr-defined]
    ax.add_patch(Rectangle((x0 + length / 2, y0), length / 2, h, facecolor="white", edgecolor="black", zorder=9))  # type: ignore[attr-defined]
    label = f"{length // 1000:g} km" if length >= 1000 else f"{length} m"
    ax.text(x0, y0 + h * 1.6, "0", fontsize=7, ha="center", va="bottom", zorder=10)  # type: ignore[attr-defined]
    ax.text(x0 + length, y0 + h * 1.6, label, fontsize=7, ha="center", va="bottom", zorder=10)  # type: ignore[attr-defined]


def _north_arrow(ax: object, extent: tuple[float, float, float, float]) -> None:
    minx, miny, maxx, maxy = extent
    x = maxx - (maxx - minx) * 0.05
    y = maxy - (maxy - miny) * 0.16
    length = (maxy - miny) * 0.08
    ax.add_patch(FancyArrow(x, y, 0, length, width=length * 0.12, head_width=length * 0.45,  # type: ignore[attr-defined]
                            head_length=length * 0.4, length_includes_head=True,
                            facecolor="black", edgecolor="white", zorder=10))
    ax.text(x, y - length * 0.12, "N", ha="center", va="top", fontsize=10, fontweight="bold",  # type: ignore[attr-defined]
            zorder=10, bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})


def _lines(frame: gpd.GeoDataFrame) -> list[np.ndarray]:
    return [np.asarray(geom.coords)[:, :2] for geom in frame.geometry if geom is not None and not geom.is_empty]


def render_area_map(
    layers: MapLayers,
    pr_id: str,
    *,
    styles: dict[str, tuple[str, str]],
    numbered: pd.DataFrame | None = None,
    width_cm: float = 18.0,
    map_height_cm: float = 11.0,
    dpi: int = 150,
) -> bytes:
    """Draw the map of one planning area as PNG.

    Parameters
    ----------
    layers
        Areas (``pr_id``, ``name``), streets, basemap (``art``) and services (``typ``).
    pr_id
        The area to show.
    styles
        Marker and colour per service type (:func:`type_styles`).
    numbered
        Services inside the area with a column ``nr`` (label drawn next to the marker).
    width_cm, map_height_cm, dpi
        Size of the map; the legend below it adds a line per three service types.

    Returns
    -------
    bytes
        The PNG image.
    """
    area_row = layers.areas[layers.areas["pr_id"] == pr_id]
    area = area_row.geometry.iloc[0]
    extent = _extent(area, width_cm / map_height_cm)
    minx, miny, maxx, maxy = extent
    services = layers.services
    in_view = services.cx[minx:maxx, miny:maxy] if len(services) else services
    view_types = sorted(set(in_view["typ"].dropna().astype(str)))
    legend_cm = 0.7 + 0.42 * int(np.ceil((len(view_types) + 2) / 3))
    fig, ax = _figure(extent, width_cm, map_height_cm, legend_cm, dpi)
    _draw_background(ax, layers, extent)
    _draw_neighbours(ax, layers.areas[layers.areas["pr_id"] != pr_id], extent)
    _draw_area(ax, area_row)
    handles = _draw_services(ax, in_view, view_types, styles, numbered)
    _scale_bar(ax, extent)
    _north_arrow(ax, extent)
    ax.text(maxx - (maxx - minx) * 0.01, miny + (maxy - miny) * 0.012, ATTRIBUTION, fontsize=6.5,
            ha="right", va="bottom", zorder=10,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    handles.insert(0, Line2D([], [], color="#1a1a1a", linewidth=2.0, label="Planungsraum"))
    handles.insert(1, Line2D([], [], color="#6e6e6e", linewidth=0.7, linestyle=(0, (4, 2)),
                             label="Nachbarräume"))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=7,
               frameon=False, title="Angebote nach Typ (Anzahl im Ausschnitt)", title_fontsize=7.5,
               handletextpad=0.4, columnspacing=1.2)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


_Extent = tuple[float, float, float, float]


def _figure(
    extent: _Extent, width_cm: float, map_height_cm: float, legend_cm: float, dpi: int
) -> tuple[Figure, Any]:
    """Return a figure with the map axes over the legend strip, the view's background filled."""
    minx, miny, maxx, maxy = extent
    height_cm = map_height_cm + legend_cm
    fig = Figure(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, legend_cm / height_cm, 1.0, map_height_cm / height_cm))
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.add_patch(Rectangle((minx, miny), maxx - minx, maxy - miny, facecolor="#f7f7f4", zorder=0))
    return fig, ax


def _draw_background(ax: Any, layers: MapLayers, view: _Extent) -> None:
    """Green, woodland and water from ``grundkarte``; streets (major ones wider)."""
    basemap = layers.basemap.iloc[layers.basemap.sindex.query(_box(view))] if len(layers.basemap) else layers.basemap
    for kind in ("gruen", "wald", "wasser"):
        part = basemap[basemap["art"] == kind]
        if len(part):
            part.plot(ax=ax, zorder=1, linewidth=0.3, **BASEMAP_STYLE[kind])
    streets = layers.streets.iloc[layers.streets.sindex.query(_box(view))] if len(layers.streets) else layers.streets
    if len(streets):
        major = streets["highway"].isin(list(MAJOR_ROADS)).to_numpy() if "highway" in streets else np.zeros(len(streets), bool)
        ax.add_collection(LineCollection(_lines(streets[~major]), colors="#b4b4b4", linewidths=0.4, zorder=2))
        ax.add_collection(LineCollection(_lines(streets[major]), colors="#8f8f8f", linewidths=1.1, zorder=2))


def _draw_neighbours(ax: Any, others: gpd.GeoDataFrame, view: _Extent) -> None:
    """De-emphasise the surroundings, outline the neighbours, name those in view."""
    if not len(others):
        return
    minx, miny, maxx, maxy = view
    others.plot(ax=ax, facecolor="white", edgecolor="none", alpha=0.45, zorder=3)
    others.boundary.plot(ax=ax, color="#6e6e6e", linewidth=0.7, linestyle=(0, (4, 2)), zorder=4)
    view_box = _box(view)
    view_area = (maxx - minx) * (maxy - miny)
    for _, row in others.iterrows():
        visible = row.geometry.intersection(view_box)
        # Name a neighbour where a reasonable part of it is in view, inside that part.
        if visible.is_empty or visible.area < 0.02 * view_area:
            continue
        point = visible.representative_point()
        ax.text(point.x, point.y, str(row["name"]), fontsize=7, color="#404040", style="italic",
                ha="center", va="center", zorder=5,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.5})


def _draw_area(ax: Any, area_row: gpd.GeoDataFrame) -> None:
    """Draw the area's outline (black on a white halo) and its name."""
    area_row.boundary.plot(ax=ax, color="white", linewidth=4.0, zorder=5)
    area_row.boundary.plot(ax=ax, color="#1a1a1a", linewidth=2.0, zorder=6)
    label_at = area_row.geometry.iloc[0].representative_point()
    ax.text(label_at.x, label_at.y, str(area_row["name"].iloc[0]), fontsize=10, fontweight="bold",
            ha="center", va="center", zorder=6, color="#1a1a1a",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 1.5})


def _draw_services(
    ax: Any,
    in_view: gpd.GeoDataFrame,
    view_types: list[str],
    styles: dict[str, tuple[str, str]],
    numbered: pd.DataFrame | None,
) -> list[Line2D]:
    """Draw the services in view by type (marker, colour) and numbers; return the handles."""
    handles = []
    for typ in view_types:
        marker, colour = styles.get(typ, ("o", "#444444"))
        part = in_view[in_view["typ"] == typ]
        ax.scatter(part.geometry.x, part.geometry.y, marker=marker, s=46, c=colour,
                   edgecolors="black", linewidths=0.7, zorder=7)
        handles.append(Line2D([], [], marker=marker, linestyle="none", markerfacecolor=colour,
                              markeredgecolor="black", markersize=7, label=f"{typ} ({len(part)})"))
    if numbered is not None and len(numbered):
        for _, row in numbered.iterrows():
            ax.annotate(str(row["nr"]), (row.geometry.x, row.geometry.y), xytext=(5, 4),
                        textcoords="offset points", fontsize=7, fontweight="bold", zorder=8,
                        bbox={"facecolor": "white", "edgecolor": "#333333", "linewidth": 0.4, "pad": 0.6})
    return handles


def _box(view: tuple[float, float, float, float]) -> shapely.Geometry:
    return shapely.box(*view)
