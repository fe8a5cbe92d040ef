"""Where the reference data comes from, and what to do when it is missing.

The project reads real reference data in place from :data:`layers.settings.shared_data_dir`
(``../shared/data`` beside the repository). It never copies those files into the repository.
On a machine without them, :func:`check_shared_data` raises an error that says where to put the
data and which public sources provide it; :func:`download` fetches the files that have a stable
public address (an optional, explicit step: the app itself never goes online).
"""

from __future__ import annotations

import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from layers import settings
from layers.errors import SharedDataMissingError
from layers.log import get_logger

__all__ = [
    "SHARED_SOURCES",
    "SharedSource",
    "check_shared_data",
    "download",
    "instructions",
    "missing_sources",
]

log = get_logger("sources")


@dataclass(frozen=True)
class SharedSource:
    """One reference file: where it lives below the shared data directory and where it comes from."""

    path: str
    what: str
    licence: str
    origin: str
    url: str | None = None


SHARED_SOURCES: tuple[SharedSource, ...] = (
    SharedSource(
        "osm/aachen.osm.pbf",
        "OpenStreetMap-Ausschnitt Aachen (Kernstadt)",
        'ODbL, "© OpenStreetMap contributors"',
        "BBBike-Ausschnitt via github.com/motis-project/test-data (Branch aachen)",
        "https://github.com/motis-project/test-data/raw/aachen/aachen.osm.pbf",
    ),
    SharedSource(
        "osm/heidelberg.osm.pbf",
        "OpenStreetMap-Routing-Ausschnitt Heidelberg",
        'ODbL, "© OpenStreetMap contributors"',
        "github.com/GIScience/openrouteservice, ors-api/src/test/files/heidelberg.test.pbf",
        "https://github.com/GIScience/openrouteservice/raw/main/ors-api/src/test/files/heidelberg.test.pbf",
    ),
    SharedSource(
        "gtfs/vrn_heidelberg_gtfs.zip",
        "GTFS-Fahrplan VRN, Ausschnitt Heidelberg",
        'VRN Open Data, Namensnennung "VRN"',
        "github.com/GIScience/openrouteservice, ors-api/src/test/files/vrn_gtfs_cut.zip",
        "https://github.com/GIScience/openrouteservice/raw/main/ors-api/src/test/files/vrn_gtfs_cut.zip",
    ),
    SharedSource(
        "boundaries/vg250ew_gemeinden_nrw.geojson",
        "Gemeinden NRW mit Einwohnerzahl (VG250-EW)",
        'dl-de/by-2-0, "© GeoBasis-DE / BKG (2024)"',
        "BKG VG250-EW (gdz.bkg.bund.de), NRW-Auswahl als GeoJSON mit Spalten ags, name, county, pop",
    ),
    SharedSource(
        "koeln/koeln_stadtteile.geojson",
        "Kölner Stadtteile (STT_NR, STT_NAME)",
        'CC-BY, "Stadt Köln"',
        "github.com/KoelnAPI/data (offenedaten-koeln.de)",
    ),
    SharedSource(
        "koeln/bevoelkerung.csv",
        "Bevölkerung Köln nach Stadtteilen 2005–2012",
        'CC-BY, "Stadt Köln"',
        "github.com/KoelnAPI/data (offenedaten-koeln.de)",
    ),
    SharedSource(
        "icf/icf_umweltfaktoren.csv",
        "ICF-Umweltfaktoren (e110–e599), deutsche Titel",
        "ICF © WHO / DIMDI (heute BfArM) 2005, unverändert mit Quellenangabe",
        "DIMDI/BfArM ClaML-Datei icf2005syst_claml (www.bfarm.de), Kapitel e",
    ),
)


def missing_sources(paths: list[Path] | None = None) -> list[Path]:
    """Return the required reference files that do not exist."""
    wanted = paths if paths is not None else [
        settings.shared_data_dir / s.path for s in SHARED_SOURCES
    ]
    return [p for p in wanted if not p.exists()]


def instructions() -> str:
    """German text: where the data belongs and where each file comes from."""
    lines = [
        f"Die Referenzdaten werden in {settings.shared_data_dir} erwartet "
        "(Ordner 'shared/data' neben dem Projektordner; anderer Ort über die Umgebungsvariable "
        "SOZIALRAUM_SHARED_DATA).",
        "Benötigte Dateien und ihre öffentlichen Quellen:",
    ]
    for source in SHARED_SOURCES:
        lines.append(f"  - {source.path}: {source.what}; Quelle: {source.origin}; Lizenz: {source.licence}")
    lines.append(
        "Dateien mit fester Adresse lädt 'sozialraum daten-laden' herunter; die übrigen legen "
        "Sie von den genannten Quellen in den Ordner."
    )
    return "\n".join(lines)


def check_shared_data(paths: list[Path]) -> None:
    """Raise :class:`SharedDataMissingError` if any of ``paths`` is missing.

    Parameters
    ----------
    paths
        The source files a build needs.
    """
    missing = missing_sources(paths)
    if not missing:
        return
    if not settings.shared_data_dir.exists():
        meldung = f"Der Ordner mit den Referenzdaten fehlt: {settings.shared_data_dir}."
    else:
        meldung = "Es fehlen Referenzdateien: " + ", ".join(str(p) for p in missing) + "."
    raise SharedDataMissingError(meldung, hinweis=instructions())


def download(target: Path | None = None) -> list[Path]:
    """Download the reference files that have a stable public address.

    Parameters
    ----------
    target
        Target directory (default: the shared data directory).

    Returns
    -------
    list of Path
        The files written.
    """
    target = target or settings.shared_data_dir
    written = []
    for source in SHARED_SOURCES:
        if source.url is None:
            continue
        path = target / source.path
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        log.info("Lade %s von %s", source.path, source.url)
        tmp = path.with_suffix(path.suffix + ".part")
        with urllib.request.urlopen(source.url, timeout=120) as response, tmp.open("wb") as out:
            shutil.copyfileobj(response, out)
        tmp.replace(path)
        written.append(path)
    return written
