"""``sozialraum batch`` on a Dask LocalCluster: one task per region, the gathered table equals the
regions run one by one, a failing region is reported and does not stop the others."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pandas as pd
import pytest

from cli import main
from layers import settings
from planungsraeume.batch import RegionTask, municipality_regions, run_batch, run_task
from planungsraeume.frage import Question


@pytest.fixture()
def batch_regions(aachen_store, aachen_config, heidelberg_store, tmp_path, monkeypatch):
    """Three copies of the demo store as three regions, and Heidelberg (no population: its
    coverage fails), all in a private cache folder."""
    cache = tmp_path / "cache"
    (cache / "regions").mkdir(parents=True)
    tasks = []
    for name in ("aachen_a", "aachen_b", "aachen_c"):
        shutil.copyfile(aachen_store.path, cache / "regions" / f"{name}.gpkg")
        tasks.append(RegionTask(name, replace(aachen_config, name=name), str(cache)))
    shutil.copyfile(heidelberg_store.path, cache / "regions" / "heidelberg.gpkg")
    from layers.regions import load_region

    tasks.insert(2, RegionTask("heidelberg", load_region("heidelberg"), str(cache)))
    monkeypatch.setattr(settings, "cache_dir", cache)
    return tasks


def test_batch_on_a_local_cluster_equals_one_by_one(batch_regions, monkeypatch):
    frage = Question.make(typ="EUTB", profil="rollstuhl", minuten=15)
    result = run_batch(batch_regions, "versorgung", frage, workers=2, progress=False)
    # the failing region is reported with its German message, the others finished
    assert list(result.fehler["region"]) == ["heidelberg"]
    assert result.fehler["fehler"].iloc[0].startswith("heidelberg: ")
    good = [t for t in batch_regions if t.name != "heidelberg"]
    assert list(result.tabelle["region"].unique()) == [t.name for t in good]
    # the gathered table equals the regions run one by one in this process
    one_by_one = pd.concat([run_task(t, "versorgung", frage) for t in good], ignore_index=True)
    pd.testing.assert_frame_equal(result.tabelle, one_by_one)
    per_region = result.tabelle.groupby("region").size()
    assert (per_region == per_region.iloc[0]).all() and per_region.iloc[0] > 3
    with pytest.raises(Exception, match="heidelberg"):
        run_task(batch_regions[2], "versorgung", frage)


def test_batch_command_writes_one_table_and_reports_failures(batch_regions, tmp_path, capsys,
                                                             monkeypatch):
    from layers import regions as regions_module

    configs = {t.name: t.config for t in batch_regions}
    monkeypatch.setattr(regions_module, "load_region", lambda name: configs[name])
    out = tmp_path / "versorgung.csv"
    status = main(["batch", "versorgung", "--regionen", "aachen_a,heidelberg,aachen_b",
                   "--profil", "rollstuhl", "--arbeiter", "2", "--ausgabe", str(out)])
    printed = capsys.readouterr().out
    assert status == 1
    assert "1 von 3 Regionen fehlgeschlagen" in printed and "heidelberg:" in printed
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    assert list(table["region"].unique()) == ["aachen_a", "aachen_b"]
    errors = pd.read_csv(tmp_path / "versorgung_fehler.csv", sep=";", encoding="utf-8-sig")
    assert list(errors["region"]) == ["heidelberg"]


def test_every_municipality_of_a_kreis_as_its_own_region(aachen_config):
    from cli import batch
    from planungsraeume import batch as engine

    assert batch.ANALYSES == engine.ANALYSES
    tasks = municipality_regions("aachen")
    assert len(tasks) == 10  # the Städteregion Aachen
    assert tasks[0].name == "aachen-05334002" and tasks[0].config.gemeinden_praefix == "05334002"
    assert all(t.config.osm == aachen_config.osm for t in tasks)
    assert "Monschau" in tasks[5].config.titel
