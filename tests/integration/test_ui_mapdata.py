"""Map data preparation on the real demo region: small payloads, exact placement, no mutation."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PIL import Image

from ui import mapdata, theme

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def layers(aachen_store):
    read = aachen_store.read_layer
    return {
        "region": read("region"),
        "kanten": read("netz_kanten", columns=["highway"]),
        "grundkarte": read("grundkarte"),
        "gebaeude": read("gebaeude", columns=["nutzung"]),
        "planungsraeume": read("planungsraeume"),
        "bevoelkerung": read("bevoelkerung"),
        "angebote": read("angebote"),
    }


def test_compact_geojson_rounds_to_five_decimals_and_keeps_only_chosen_properties(layers):
    areas = layers["planungsraeume"]
    before = areas.copy()
    data = mapdata.compact_geojson(areas, ["pr_id", "name"])
    assert len(data["features"]) == len(areas)
    assert set(data["features"][0]["properties"]) == {"pr_id", "name"}
    text = json.dumps(data)
    numbers = [t for t in text.replace("[", " ").replace("]", " ").replace(",", " ").split() if "." in t]
    assert numbers and all(len(n.split(".")[1]) <= 5 for n in numbers if n[0].isdigit())
    # Rounded outlines stay within ~1 m of the originals.
    back = gpd.GeoDataFrame.from_features(data["features"], crs="EPSG:4326").to_crs(areas.crs)
    assert back.geometry.hausdorff_distance(areas.geometry.reset_index(drop=True)).max() < 1.5
    assert areas.equals(before)


def test_street_lines_keep_the_street_network_and_are_small(layers):
    edges = layers["kanten"]
    before = edges.copy()
    streets = mapdata.street_lines(edges)
    assert list(streets["klasse"]) == ["haupt", "strasse"]
    # Simplification keeps the length (within 2 %) of the classes it draws.
    wanted = edges[edges["highway"].map(mapdata.STREET_CLASSES).isin(["haupt", "strasse"])]
    assert streets.length.sum() == pytest.approx(wanted.length.sum(), rel=0.02)
    size = mapdata.geojson_size(mapdata.compact_geojson(streets, ["klasse"]))
    assert size < 250_000, size
    assert edges.equals(before)


def test_raster_basemap_places_buildings_exactly(layers):
    image = mapdata.raster_basemap(layers["grundkarte"], layers["gebaeude"], layers["region"])
    assert image.png.startswith(b"\x89PNG")
    assert len(image.data_url()) < 450_000  # 35,000 buildings in well under half a megabyte
    pixels = np.asarray(Image.open(io.BytesIO(image.png)))
    assert pixels.shape == (image.height, image.width)
    building_index = mapdata.RASTER_CLASSES.index("gebaeude") + 1
    share = (pixels == building_index).mean()
    # Buildings cover a plausible share of a city core's bounding box.
    assert 0.05 < share < 0.4
    # The pixel under the centroid of a large building is a building pixel.
    buildings = layers["gebaeude"]
    big = buildings.loc[buildings.area.sort_values().index[-50:]].to_crs(mapdata.MERCATOR)
    (south, west), (north, east) = image.bounds
    corners = gpd.GeoSeries([shapely.Point(west, south), shapely.Point(east, north)], crs="EPSG:4326").to_crs(mapdata.MERCATOR)
    minx, miny, maxx, maxy = corners.x[0], corners.y[0], corners.x[1], corners.y[1]
    hits = 0
    for point in big.geometry.representative_point():
        col = int((point.x - minx) / (maxx - minx) * image.width)
        row = int((maxy - point.y) / (maxy - miny) * image.height)
        hits += pixels[row, col] == building_index
    assert hits >= 48


def test_population_classes_keep_every_inhabitant(layers):
    cells = layers["bevoelkerung"]
    classes = mapdata.population_classes(cells)
    assert classes["einwohner"].sum() == pytest.approx(cells["einwohner"].sum())
    assert classes["zellen"].sum() == (cells["einwohner"] > 0).sum()
    assert list(classes["farbe"]) == [theme.POPULATION_COLOURS[k] for k in classes["klasse"]]
    assert classes.geometry.area.sum() == pytest.approx(cells[cells["einwohner"] > 0].area.sum(), rel=1e-6)
    # A cell of 30 inhabitants is in class "25 – 49".
    assert mapdata.population_class(gpd.pd.Series([1, 24, 25, 399, 400, 5000])).tolist() == [0, 0, 1, 4, 5, 5]


def test_object_at_finds_service_by_marker_position_and_area_by_polygon(layers):
    services = layers["angebote"].to_crs("EPSG:4326")
    areas = layers["planungsraeume"].to_crs("EPSG:4326")
    services = services.assign(pr_id=None)
    first = services.iloc[3]
    service_id, _area = mapdata.object_at(first.geometry.y, first.geometry.x, services, areas)
    assert service_id == str(first["angebot_id"])
    inside = areas.iloc[5].geometry.representative_point()
    assert not ((services.geometry.x - inside.x).abs() < 1e-5).any()  # not on a marker
    assert mapdata.object_at(inside.y, inside.x, services, areas) == (None, str(areas.iloc[5]["pr_id"]))
    assert mapdata.object_at(0.0, 0.0, services, areas) == (None, None)


def test_classed_polygons_keep_every_cell_and_person(layers, aachen_store):
    from analyses.coverage import time_band_labels, time_bands
    from planungsraeume import erreichbarkeit as workflow
    from planungsraeume.frage import Question
    from planungsraeume.region import Region

    region = Region.open("aachen", store=aachen_store)
    cells = region.cells()
    travel = workflow.travel_times(region, Question(angebote="typ:EUTB", profil="rollstuhl"))
    bands = time_bands(travel)
    before = cells.copy()
    colours = dict(zip(time_band_labels(), theme.TIME_BAND_COLOURS, strict=True))
    classes = mapdata.classed_polygons(cells, bands, colours)
    assert cells.equals(before)
    assert classes["zellen"].sum() == len(cells)
    assert classes["summe"].sum() == pytest.approx(cells["einwohner"].sum())
    # classes in the order of the categories, each with its colour and label
    assert list(classes["klasse"]) == sorted(classes["klasse"])
    assert all(colours[label] == colour for label, colour in zip(classes["label"], classes["farbe"], strict=True))
    # the dissolved class outlines cover the cells (within the 2 m simplification)
    union = shapely.union_all(classes.geometry.values)
    assert abs(union.area - shapely.union_all(cells.geometry.values).area) / union.area < 0.01
    data = mapdata.compact_geojson(classes, ["label", "farbe"])
    assert mapdata.geojson_size(data) < 400_000
