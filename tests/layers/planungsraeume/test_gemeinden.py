"""Planning areas from municipality tables: grouping into areas and reported gaps."""

from __future__ import annotations

import pytest
import shapely

from layers.planungsraeume.checks import check_planning_areas
from layers.planungsraeume.gemeinden import areas_from_municipalities
from tests.tools.samples import STAEDTEREGION


def test_municipalities_grouped_into_four_areas(staedteregion, tmp_path):
    path = tmp_path / "zuordnung.csv"
    STAEDTEREGION.to_csv(path, sep=";", index=False, encoding="cp1252")
    areas = areas_from_municipalities(path, staedteregion)
    assert areas["pr_id"].tolist() == ["1", "2", "3", "4"]
    assert areas["name"].tolist() == ["Stadt Aachen", "Nord", "Ost", "Eifel"]
    assert areas.set_index("pr_id").loc["2", "gemeinden"] == \
        "Alsdorf, Baesweiler, Herzogenrath, Würselen"
    # Real VG250-EW population: the Städteregion has 564,444 inhabitants.
    assert areas["einwohner_gemeinden"].sum() == 564_444
    assert areas.set_index("pr_id").loc["1", "einwohner_gemeinden"] == 252_769
    # Dissolving keeps the area; the result tiles the Städteregion without gaps or overlaps.
    assert areas.geometry.area.sum() == pytest.approx(staedteregion.geometry.area.sum(), rel=1e-9)
    check = check_planning_areas(areas, shapely.union_all(staedteregion.geometry.to_numpy()))
    assert check.ok and len(check.ueberlappungen) == 0 and len(check.luecken) == 0
    assert areas.crs.to_epsg() == 25832 and areas.attrs["probleme"] == []


def test_unassigned_municipality_leaves_a_reported_gap(staedteregion):
    table = STAEDTEREGION[STAEDTEREGION["AGS"] != "05334024"]  # Roetgen forgotten
    areas = areas_from_municipalities(table, staedteregion)
    assert any("Roetgen (05334024) ist keinem Planungsraum zugeordnet" in p.meldung
               for p in areas.attrs["probleme"])
    check = check_planning_areas(areas, shapely.union_all(staedteregion.geometry.to_numpy()))
    assert not check.ok
    roetgen = staedteregion.set_index("ags").loc["05334024"].geometry
    # Roetgen has exclaves (the Vennbahn strip), so the gap comes in several pieces.
    assert check.luecken["flaeche_m2"].sum() == pytest.approx(roetgen.area, rel=1e-6)
    assert len(check.luecken) == len(shapely.get_parts(roetgen))
    assert "Eifel (4)" in check.luecken["angrenzend"].iloc[0]
