"""Export of the service directory as GeoPackage, GeoJSON and CSV (for Excel).

Every export keeps the ``quelle`` column, so fictitious (``synthetisch``) offers stay labelled
wherever the file goes.

* **GeoPackage**: layer ``angebote`` in the region CRS (opens in QGIS).
* **GeoJSON**: WGS 84 as RFC 7946 requires.
* **CSV**: semicolon-separated, UTF-8 with BOM and decimal comma, so that a double click opens it
  correctly in a German Excel; coordinates as ``rechtswert``/``hochwert`` (region CRS) and
  ``breite``/``laenge`` (WGS 84), which the import reads back.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from layers.angebote import SCHEMA
from layers.angebote.gueltigkeit import active_services
from layers.errors import InputValidationError, StoreError
from layers.formatting import excel_csv_bytes
from layers.store import RegionStore

__all__ = [
    "FORMATS",
    "export_format",
    "export_services",
    "export_services_bytes",
    "services_csv_frame",
    "services_for_export",
]

FORMATS = {"gpkg": ".gpkg", "geojson": ".geojson", "csv": ".csv"}


def export_format(path: str | Path, fmt: str | None = None) -> str:
    """The export format from an explicit name or the file ending.

    Raises
    ------
    InputValidationError
        For an unknown format.
    """
    if fmt is None:
        suffix = Path(path).suffix.lower().lstrip(".")
        fmt = {"json": "geojson"}.get(suffix, suffix)
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InputValidationError(
            f"Unbekanntes Exportformat '{fmt}'.",
            hinweis="Erlaubt sind gpkg (GeoPackage), geojson und csv.",
        )
    return fmt


def services_for_export(
    store: RegionStore, *, nur_aktive: bool = False, stichtag: date | str | None = None
) -> gpd.GeoDataFrame:
    """The directory as it is exported (schema columns, sorted by type and name)."""
    services = store.read_layer("angebote")
    if nur_aktive:
        services = active_services(services, stichtag)
    columns = [c for c in SCHEMA if c in services.columns]
    out = services[[*columns, services.geometry.name]]
    return out.sort_values(["typ", "name", "angebot_id"], kind="stable").reset_index(drop=True)


def services_csv_frame(services: gpd.GeoDataFrame) -> pd.DataFrame:
    """The table written to CSV: schema columns plus region and WGS 84 coordinates."""
    frame = pd.DataFrame(services.drop(columns=services.geometry.name))
    wgs = services.geometry.to_crs(4326)
    frame["rechtswert"] = services.geometry.x.round(2).to_numpy()
    frame["hochwert"] = services.geometry.y.round(2).to_numpy()
    frame["breite"] = wgs.y.round(7).to_numpy()
    frame["laenge"] = wgs.x.round(7).to_numpy()
    return frame


def export_services(
    store: RegionStore,
    path: str | Path,
    *,
    fmt: str | None = None,
    nur_aktive: bool = False,
    stichtag: date | str | None = None,
) -> Path:
    """Write the service directory to a file.

    The file is written next to the target and moved into place, so an existing file is only
    replaced by a complete export.

    Parameters
    ----------
    store
        The region store.
    path
        Target file.
    fmt
        ``"gpkg"``, ``"geojson"`` or ``"csv"`` (default from the file ending).
    nur_aktive
        Only offers valid on ``stichtag`` (default: all, retired ones with their end date).
    stichtag
        Reference day for ``nur_aktive`` (default today).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    target = Path(path)
    kind = export_format(target, fmt)
    services = services_for_export(store, nur_aktive=nur_aktive, stichtag=stichtag)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=FORMATS[kind],
                                        dir=target.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        if kind == "csv":
            tmp.write_bytes(excel_csv_bytes(services_csv_frame(services)))
        else:
            tmp.unlink()
            frame = services if kind == "gpkg" else services.to_crs(4326)
            pyogrio.write_dataframe(
                frame,
                tmp,
                layer="angebote",
                driver="GPKG" if kind == "gpkg" else "GeoJSON",
                **({"COORDINATE_PRECISION": 7, "RFC7946": "YES"} if kind == "geojson" else {}),
            )
        os.replace(tmp, target)
    except OSError as exc:
        raise StoreError(
            f"Die Exportdatei konnte nicht geschrieben werden ({exc}).",
            hinweis="Prüfen Sie Schreibrechte und ob die Datei in einem anderen Programm "
            "(z. B. Excel) geöffnet ist.",
            datei=target,
        ) from exc
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()
    return target


def export_services_bytes(
    store: RegionStore,
    fmt: str,
    *,
    nur_aktive: bool = False,
    stichtag: date | str | None = None,
) -> bytes:
    """The export as bytes (for a download button in the app).

    Parameters
    ----------
    fmt
        ``"gpkg"``, ``"geojson"`` or ``"csv"``.

    Returns
    -------
    bytes
        The file content; name it ``angebote.<fmt>``.
    """
    kind = export_format(f"angebote.{fmt}", fmt)
    with tempfile.TemporaryDirectory() as tmp:
        path = export_services(store, Path(tmp) / f"angebote{FORMATS[kind]}", fmt=kind,
                               nur_aktive=nur_aktive, stichtag=stichtag)
        return path.read_bytes()
