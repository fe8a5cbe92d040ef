"""One analysis for many regions on Dask distributed: one task per region, one gathered table.

``sozialraum batch`` (:mod:`cli.batch`) runs :func:`run_batch`: every region becomes one Dask
task (:func:`run_task`) on a ``LocalCluster`` of worker processes by default, or on an existing
cluster given by its scheduler address. The tasks' tables are gathered into one table with a
``region`` column; a region that fails is reported with its German message in
:attr:`BatchResult.fehler` and does not stop the others. The regions are either all configured
regions (:func:`configured_regions`) or every municipality of a Kreis as its own region
(:func:`municipality_regions`: the configuration of a region with the ``[grenze]`` prefix set to
the municipality's AGS, so its boundary is the municipality clipped to the region's OSM extract).

Analyses (:data:`ANALYSES`): ``build`` (the region's layers), ``versorgung`` (coverage of the
population per planning area, :func:`planungsraeume.erreichbarkeit.coverage`), ``steckbriefe``
(the area reports as HTML into a folder per region). A worker knows nothing of the caller's
settings: the cache folder travels with each task.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from layers import settings
from layers.errors import ConfigError
from layers.regions import RegionConfig, available_regions, load_region
from planungsraeume.frage import Question

__all__ = [
    "ANALYSES",
    "BatchResult",
    "RegionTaskError",
    "RegionTask",
    "configured_regions",
    "municipality_regions",
    "run_batch",
    "run_task",
]

ANALYSES = ("build", "versorgung", "steckbriefe")


class RegionTaskError(RuntimeError):
    """A region's task failed; the message is German and names the region (picklable)."""


@dataclass(frozen=True)
class RegionTask:
    """One region of a batch: its name in the results, its configuration, the cache folder."""

    name: str
    config: RegionConfig
    cache_dir: str


@dataclass
class BatchResult:
    """The gathered table (``region`` first) and one row per failed region (``region``, ``fehler``)."""

    tabelle: pd.DataFrame
    fehler: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["region", "fehler"]))


def configured_regions() -> list[RegionTask]:
    """Every region configured in ``data/regions``."""
    return [RegionTask(name, load_region(name), str(settings.cache_dir))
            for name in available_regions()]


def municipality_regions(base: str, kreis: str | None = None) -> list[RegionTask]:
    """Every municipality of a Kreis as its own region (named ``<base>-<AGS>``).

    Parameters
    ----------
    base
        A configured region whose ``[quellen] gemeinden`` holds the municipal boundaries
        (VG250); its OSM extract and settings are used for every municipality.
    kreis
        AGS prefix of the Kreis (default: the region's ``[grenze] ags_praefix``).

    Raises
    ------
    ConfigError
        If the region has no municipal boundaries or the prefix matches none.
    """
    import geopandas as gpd

    config = load_region(base)
    prefix = kreis or config.gemeinden_praefix
    if config.gemeinden is None or not prefix:
        raise ConfigError(
            f"Die Region '{base}' hat keine Gemeindegrenzen oder keinen AGS-Präfix.",
            hinweis="Tragen Sie [quellen] gemeinden und [grenze] ags_praefix ein oder geben Sie "
            "--kreis an.",
        )
    table = gpd.read_file(config.gemeinden, columns=["ags", "name"], ignore_geometry=True)
    table = table[table["ags"].astype(str).str.startswith(prefix)].sort_values("ags")
    if table.empty:
        raise ConfigError(
            f"Keine Gemeinde mit dem AGS-Präfix '{prefix}' in {config.gemeinden}.",
            hinweis="Der Präfix eines Kreises hat fünf Ziffern, z. B. 05334 (Städteregion Aachen).",
        )
    return [
        RegionTask(
            f"{base}-{ags}",
            replace(config, name=f"{base}-{ags}", titel=f"{name} ({config.titel})",
                    gemeinden_praefix=str(ags)),
            str(settings.cache_dir),
        )
        for ags, name in zip(table["ags"].astype(str), table["name"], strict=True)
    ]


def _analysis(task: RegionTask, analyse: str, frage: Question, out_dir: str | None) -> pd.DataFrame:
    from layers.build import build_region
    from planungsraeume.region import Region

    if analyse == "build":
        return pd.DataFrame({"ergebnis": [build_region(task.config).summary()]})
    region = Region.open(task.config)
    if analyse == "versorgung":
        from planungsraeume.erreichbarkeit import coverage

        table = coverage(region, frage)
        return table.reset_index() if table.index.name else table
    from layers.sicher import path_inside, safe_file_name
    from planungsraeume.steckbrief import write_reports

    base = Path(out_dir or Path(task.cache_dir) / "steckbriefe")
    folder = path_inside(base, safe_file_name(task.name, fallback="region"))
    files = write_reports(region, folder, formats=("html",))
    return pd.DataFrame({"datei": [str(path) for path in files]})


def run_task(task: RegionTask, analyse: str, frage: Question,
             out_dir: str | None = None) -> pd.DataFrame:
    """The analysis of one region (the body of one Dask task).

    Returns
    -------
    pandas.DataFrame
        The region's table with ``region`` as the first column.

    Raises
    ------
    RegionTaskError
        With the German message of whatever went wrong (every exception becomes one, so that
        it travels back from any worker).
    """
    settings.cache_dir = Path(task.cache_dir)
    settings.show_progress = False
    try:
        table = _analysis(task, analyse, frage, out_dir)
    except Exception as exc:  # reported per region; the batch goes on
        message = getattr(exc, "meldung", None) or str(exc) or type(exc).__name__
        raise RegionTaskError(f"{task.name}: {message}") from None
    table.insert(0, "region", task.name)
    return table


def _client(scheduler: str | None, workers: int) -> tuple[Any, Callable[[], None]]:
    from dask.distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)
        return client, client.close
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)

    def close() -> None:
        client.close()
        cluster.close()

    return client, close


def run_batch(
    tasks: Sequence[RegionTask],
    analyse: str,
    frage: Question,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    out_dir: str | None = None,
    progress: bool = True,
) -> BatchResult:
    """Run the analysis for every region, one Dask task each, and gather the tables.

    Parameters
    ----------
    tasks
        The regions (:func:`configured_regions`, :func:`municipality_regions`).
    analyse
        One of :data:`ANALYSES`.
    frage
        The question (profile, minutes, offers) of ``versorgung``.
    scheduler
        Address of an existing Dask scheduler (``tcp://host:8786``); default: a LocalCluster.
    workers
        Worker processes of the LocalCluster (default: one per region, at most the cores).
    out_dir
        Folder of the Steckbriefe (one subfolder per region).
    progress
        Show a progress bar (tqdm) while the tasks finish.

    Returns
    -------
    BatchResult
        Tables in the order of ``tasks``; the failed regions with their messages.
    """
    from dask.distributed import as_completed
    from tqdm import tqdm

    if analyse not in ANALYSES:
        raise ConfigError(f"Unbekannte Analyse '{analyse}'.",
                          hinweis=f"Möglich sind: {', '.join(ANALYSES)}.")
    count = workers or max(1, min(len(tasks), os.cpu_count() or 1))
    client, close = _client(scheduler, count)
    try:
        futures = {client.submit(run_task, task, analyse, frage, out_dir, pure=False,
                                 key=f"{analyse}-{task.name}"): task.name for task in tasks}
        tables: dict[str, pd.DataFrame] = {}
        failed: dict[str, str] = {}
        bar = tqdm(total=len(futures), desc=f"{analyse}: Regionen", unit="Region",
                   disable=not progress)
        for future in as_completed(futures):
            name = futures[future]
            if future.status == "error":
                failed[name] = str(future.exception())
            else:
                tables[name] = future.result()
            bar.update(1)
        bar.close()
    finally:
        close()
    order = [task.name for task in tasks]
    gathered = [tables[name] for name in order if name in tables]
    table = pd.concat(gathered, ignore_index=True) if gathered else pd.DataFrame(columns=["region"])
    errors = pd.DataFrame({"region": [n for n in order if n in failed],
                           "fehler": [failed[n] for n in order if n in failed]})
    return BatchResult(tabelle=table, fehler=errors)
