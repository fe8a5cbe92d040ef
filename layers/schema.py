"""Layer names, who owns each layer, key columns, dtypes, and the one rule that merges them.

A region lives in two stores (see :mod:`layers.store`):

* the **derived** store, written only by the build and replaced as a whole by a rebuild
  (boundaries, buildings, population, network, stops, basemap, OSM and synthetic offers,
  synthetic barrier reports, generated planning areas, build metadata);
* the **user** store, written only by users' imports and edits and never touched by a build
  (own and edited offers, imported planning areas, barrier reports, indicator tables,
  scenarios, the audit table).

Six layers exist in both: ``angebote``, ``barrieren``, ``planungsraeume`` and the relations
between offers ``kooperationen``, ``praesenz``, ``aufsuchend_gebiete`` (synthetic demo rows
from the build, users' imports and edits). Reading them gives the *merged view* built by
:func:`merge_layer` / :func:`visible_derived` - the only place where that rule lives:

* ``angebote``, ``barrieren`` and the relations (:data:`BY_KEY`): a user row replaces the derived row with the
  same key (an edit of an OSM offer is stored as a user row with the same ``angebot_id``); user
  rows with new keys are added.
* ``planungsraeume`` (:data:`WHOLE`): as soon as the user store holds planning areas, they
  replace the generated ones entirely.

A derived row a user deleted is hidden by a *removal mark* (table :data:`REMOVED_TABLE` of the
user store: layer and key), because the derived store itself is never edited.

Layer names are German and stable (planners open both files in QGIS).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = [
    "AUDIT_TABLE",
    "BY_KEY",
    "DERIVED",
    "DERIVED_LAYERS",
    "LAYERS",
    "MERGED",
    "META_TABLE",
    "REMOVED_TABLE",
    "USER",
    "USER_TABLE_PREFIXES",
    "WHOLE",
    "LayerSpec",
    "is_user_owned",
    "merge_layer",
    "owner",
    "spec",
    "sql_type",
    "visible_derived",
]

Owner = Literal["abgeleitet", "nutzer", "beide"]
DERIVED: Owner = "abgeleitet"
USER: Owner = "nutzer"
MERGED: Owner = "beide"

#: Merge rules of layers that exist in both stores.
BY_KEY = "je_schluessel"
WHOLE = "ganz"

META_TABLE = "_metadaten"
AUDIT_TABLE = "_aenderungsprotokoll"
#: User-store table of derived rows users deleted (``tabelle``, ``schluessel``).
REMOVED_TABLE = "_entfernt"
#: Tables whose names start like this belong to users (scenarios, own indicator tables).
USER_TABLE_PREFIXES = ("szenario", "nutzer_")


@dataclass(frozen=True)
class LayerSpec:
    """What the project knows about one layer or table.

    Attributes
    ----------
    name
        Layer name (German, stable).
    owner
        ``"abgeleitet"`` (built), ``"nutzer"`` (users' data) or ``"beide"`` (merged view).
    key
        The column that identifies a row (``None`` for layers without a stable key).
    merge
        For ``owner == "beide"``: :data:`BY_KEY` or :data:`WHOLE`.
    geometry
        The GeoPackage geometry type, or ``None`` for an attribute table.
    columns
        Column → dtype as read from the store (``str``, ``int64``, ``int32``, ``float64``,
        ``bool``). Stores may hold more columns; these are the ones code relies on.
    """

    name: str
    owner: Owner
    key: str | None = None
    merge: str | None = None
    geometry: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)


def _text(*names: str) -> dict[str, str]:
    return dict.fromkeys(names, "str")


_SERVICE_COLUMNS = {
    **_text("angebot_id", "name", "typ", "gruppe", "zielgruppen", "strasse", "hausnummer",
            "plz", "ort", "stufenloser_zugang", "rollstuhlgerechtes_wc", "induktionsschleife",
            "gebaerdensprache", "leichte_sprache", "aufsuchend", "oeffnungszeiten",
            "zugangswege", "traeger"),
    "kapazitaet_std_woche": "float64",
    **_text("kontakt", "telefon", "email", "webseite", "bemerkung", "quelle", "osm_id",
            "gueltig_von", "gueltig_bis"),
    "version": "int64",
}
_BARRIER_COLUMNS = {
    **_text("meldung_id", "person_schluessel", "icf_code", "icf_kapitel", "icf_titel",
            "qualifikator"),
    # ICF severity 1-4; empty for facilitator reports, so it reads as float64.
    "schweregrad": "float64",
    **_text("beeintraechtigung", "datum", "ortsbezug", "quelle", "strasse", "freitext",
            "importiert_am"),
}
_AREA_COLUMNS = {**_text("pr_id", "name", "art", "quelle"), "flaeche_km2": "float64"}
# Relations between offers (issue #14): cooperations, presence of providers, outreach areas.
_COOPERATION_COLUMNS = {**_text("kooperation_id", "angebot_a", "angebot_b", "art", "seit", "bis",
                                "beleg", "bemerkung", "quelle"), "version": "int64"}
_PRESENCE_COLUMNS = {**_text("praesenz_id", "traeger", "art", "gastgeber_id", "name", "zeiten",
                             "datum", "beginn", "ende", "bemerkung", "quelle"), "version": "int64"}
_ZONE_COLUMNS = {**_text("angebot_id", "art", "planungsraeume"), "minuten": "float64",
                 **_text("bemerkung", "quelle"), "version": "int64"}

_SPECS = (
    LayerSpec("region", DERIVED, "name", geometry="POLYGON",
              columns={**_text("name", "titel"), "flaeche_km2": "float64"}),
    LayerSpec("gemeinden", DERIVED, "ags", geometry="MULTIPOLYGON",
              columns={**_text("ags", "name", "kreis"), "einwohner": "int64", "quelle": "str",
                       "flaeche_km2": "float64", "anteil_in_region": "float64"}),
    LayerSpec("planungsraeume", MERGED, "pr_id", WHOLE, "POLYGON", _AREA_COLUMNS),
    # The level above the planning areas (e.g. Köln's Stadtbezirke), from the region config.
    LayerSpec("bezirke", DERIVED, "bezirk_id", geometry="POLYGON",
              columns={**_text("bezirk_id", "name", "art", "quelle"), "flaeche_km2": "float64"}),
    LayerSpec("gebaeude", DERIVED, "osm_id", geometry="MULTIPOLYGON",
              columns={**_text("osm_id", "building", "name", "nutzung", "wohnform",
                                     "nebengebaeude"), "geschosse": "float64",
                       "geschosse_quelle": "str", "grundflaeche_m2": "float64",
                       "bgf_m2": "float64", "wohnflaeche_m2": "float64"}),
    LayerSpec("bevoelkerung", DERIVED, "gitter_id", geometry="POLYGON",
              columns={"gitter_id": "str", "x_mp_3035": "float64", "y_mp_3035": "float64",
                       "einwohner": "int64", "alter_unter_18": "int64", "alter_18_64": "int64",
                       "alter_65_79": "int64", "alter_80_plus": "int64", "quelle": "str",
                       "alter_65_plus": "int64"}),
    # Official inhabitants per planning area and year (regions with [bevoelkerung] art =
    # "statistik"); the age groups present depend on the source's bands.
    LayerSpec("bevoelkerung_zeitreihe", DERIVED,
              columns={"pr_id": "str", "jahr": "int64", "einwohner": "int64",
                       "alter_unter_18": "int64", "alter_18_64": "int64",
                       "alter_65_plus": "int64", "quelle": "str"}),
    LayerSpec("adressen", DERIVED, "adresse_id", geometry="POINT",
              columns={"adresse_id": "int64", **_text("strasse", "hausnummer", "plz", "ort")}),
    LayerSpec("angebote", MERGED, "angebot_id", BY_KEY, "POINT", _SERVICE_COLUMNS),
    LayerSpec("haltestellen", DERIVED, "haltestelle_id", geometry="POINT",
              columns=_text("haltestelle_id", "name", "art", "rollstuhl", "unterstand",
                            "sitzbank", "taktiles_leitsystem", "quelle")),
    LayerSpec("netz_knoten", DERIVED, "knoten_id", geometry="POINT",
              columns={"knoten_id": "int64", "x": "float64", "y": "float64", "grad": "int64",
                       **_text("kerb", "barrier", "crossing", "highway", "wheelchair"),
                       "bordstein_cm": "float64", "komponente": "int32", "hauptnetz": "bool"}),
    LayerSpec("netz_kanten", DERIVED, "kante_id", geometry="LINESTRING",
              columns={"kante_id": "int64", "u": "int64", "v": "int64", "osm_way_id": "int64",
                       **_text("highway", "name", "footway", "surface", "smoothness",
                               "incline"),
                       "steigung_prozent": "float64", "width": "str", "breite_m": "float64",
                       **_text("wheelchair", "foot", "lit"), "treppe": "bool",
                       "bordstein_cm": "float64", "bordstein_roh": "str",
                       "bordstein_unbekannt": "bool", "barriere": "str",
                       "barriere_blockiert": "bool", "laenge_m": "float64", "hauptnetz": "bool"}),
    LayerSpec("barrieren", MERGED, "meldung_id", BY_KEY, "POINT", _BARRIER_COLUMNS),
    LayerSpec("kooperationen", MERGED, "kooperation_id", BY_KEY, "LINESTRING",
              _COOPERATION_COLUMNS),
    LayerSpec("praesenz", MERGED, "praesenz_id", BY_KEY, "POINT", _PRESENCE_COLUMNS),
    LayerSpec("aufsuchend_gebiete", MERGED, "angebot_id", BY_KEY, "MULTIPOLYGON", _ZONE_COLUMNS),
    LayerSpec("grundkarte", DERIVED, geometry="GEOMETRY", columns={"art": "str"}),
    LayerSpec(META_TABLE, DERIVED, "schluessel", columns=_text("schluessel", "wert")),
    LayerSpec(AUDIT_TABLE, USER, "fid",
              columns={**_text("zeitpunkt", "benutzer", "tabelle", "objekt_id", "aktion",
                               "alt_json", "neu_json"), "rueckgaengig_von": "int64"}),
    LayerSpec("nutzer_kennzahlen", USER,
              columns={"pr_id": "str", "kennzahl": "str", "wert": "float64", "quelle": "str",
                       "importiert_am": "str", "jahr": "float64"}),
    LayerSpec("szenario_liste", USER, "name",
              columns=_text("name", "beschreibung", "erstellt_am", "erstellt_von",
                            "geaendert_am", "geaendert_von", "crs")),
    LayerSpec("szenario_aenderungen", USER,
              columns={"szenario": "str", "nr": "int64", "aktion": "str", "angebot_id": "str",
                       "typ": "str", "name": "str", "x": "float64", "y": "float64",
                       "kapazitaet_std_woche": "float64", "stufenloser_zugang": "str"}),
)

#: Every known layer by name.
LAYERS: dict[str, LayerSpec] = {s.name: s for s in _SPECS}
#: What a build writes, in the order it writes them.
DERIVED_LAYERS: tuple[str, ...] = tuple(s.name for s in _SPECS if s.owner in (DERIVED, MERGED)
                                        and s.name != META_TABLE)

_SQL_TYPES = {"str": "TEXT", "int64": "INTEGER", "int32": "MEDIUMINT", "int16": "SMALLINT",
              "float64": "REAL", "float32": "FLOAT", "bool": "BOOLEAN"}


def spec(name: str) -> LayerSpec | None:
    """The specification of a layer, or ``None`` for a name the project does not declare."""
    return LAYERS.get(name)


def owner(name: str) -> Owner:
    """Which store a layer lives in.

    Declared layers have their declared owner; ``szenario*`` and ``nutzer_*`` tables and every
    undeclared name belong to the user store, so that nothing a user writes can be replaced
    by a rebuild.
    """
    declared = LAYERS.get(name)
    if declared is not None:
        return declared.owner
    return USER


def is_user_owned(name: str) -> bool:
    """Whether a table is users' data only (``nutzer_*``, ``szenario*``, the audit table)."""
    return name == AUDIT_TABLE or name.startswith(USER_TABLE_PREFIXES)


def sql_type(dtype: object) -> str:
    """The GeoPackage column type GDAL uses for a pandas dtype (``TEXT`` for anything else)."""
    text = str(dtype)
    if text in _SQL_TYPES:
        return _SQL_TYPES[text]
    if text.lower() in ("int64", "uint32"):
        return "INTEGER"
    if text.lower() in ("int32", "uint16"):
        return "MEDIUMINT"
    if text.lower() in ("int16", "int8", "uint8"):
        return "SMALLINT"
    if text == "boolean":
        return "BOOLEAN"
    if text.startswith("datetime64"):
        return "DATETIME"
    return "TEXT"


def visible_derived(
    layer: LayerSpec, derived_keys: Sequence[object], hidden_keys: Collection[object],
    user_rows: int,
) -> np.ndarray:
    """Which derived rows of a merged layer stay visible next to the user rows.

    Parameters
    ----------
    layer
        A layer with ``owner == "beide"``.
    derived_keys
        The key of each derived row (in order).
    hidden_keys
        The keys (as text) that hide a derived row: those of *all* user rows of the layer (not
        only those matching a filter) and those users removed. Any collection with a fast
        ``in`` (a set, or a lookup in the user store).
    user_rows
        How many rows the user store holds for the layer (only the :data:`WHOLE` rule looks
        at it).

    Returns
    -------
    numpy.ndarray
        A boolean mask over ``derived_keys``.
    """
    count = len(derived_keys)
    if layer.merge == WHOLE and user_rows:
        return np.zeros(count, dtype=bool)
    return np.fromiter((str(k) not in hidden_keys for k in derived_keys), dtype=bool, count=count)


def _with_columns(frame: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the columns only ``other`` has, empty (the merged view has all columns)."""
    missing = [c for c in other.columns if c not in frame.columns]
    if not missing:
        return frame
    out = frame.copy()
    geometry = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    for column in missing:
        if isinstance(other, gpd.GeoDataFrame) and column == other.geometry.name:
            continue
        dtype = other[column].dtype
        kind = getattr(dtype, "kind", "O")
        out[column] = pd.Series(np.nan, index=out.index).astype(
            "float64" if kind in "iub" else dtype)
    if geometry is not None:
        out = out[[c for c in out.columns if c != geometry] + [geometry]]
    return out


def merge_layer(
    layer: LayerSpec,
    derived: pd.DataFrame | None,
    user: pd.DataFrame | None,
    *,
    user_keys: Collection[object] | None = None,
    user_rows: int | None = None,
    removed_keys: Collection[object] = (),
) -> pd.DataFrame:
    """The merged view of a layer kept in both stores.

    A user row that overrides a derived row takes that row's place (so positions stay stable
    after an edit); user rows with new keys follow the derived rows.

    Parameters
    ----------
    layer
        A layer with ``owner == "beide"``.
    derived, user
        The rows read from each store (possibly filtered the same way), or ``None`` if a store
        lacks the layer.
    user_keys, user_rows
        Keys and number of *all* user rows when ``user`` is filtered (default: from ``user``).
    removed_keys
        Keys of derived rows users deleted.

    Returns
    -------
    pandas.DataFrame
        A new frame with a fresh ``RangeIndex``.
    """
    if user_keys is None:
        user_keys = [] if user is None or layer.key is None else list(user[layer.key])
    hidden = {str(k) for k in user_keys} | {str(k) for k in removed_keys}
    if user_rows is None:
        user_rows = 0 if user is None else len(user)
    if derived is None:
        return (user if user is not None else pd.DataFrame()).reset_index(drop=True)
    key = layer.key
    derived_keys = list(derived[key]) if key is not None and key in derived.columns else []
    if key is None or len(derived_keys) != len(derived):
        derived_keys = [None] * len(derived)
    mask = visible_derived(layer, derived_keys, hidden, user_rows)
    if user is None:
        return derived[mask].reset_index(drop=True)
    if not len(user):
        return _with_columns(derived[mask].reset_index(drop=True), user)
    if not mask.any():
        return _with_columns(user.reset_index(drop=True), derived)
    position = {str(k): i for i, k in enumerate(derived_keys)}
    order_derived = np.flatnonzero(mask).astype(float)
    user_key_values = list(user[key]) if key is not None and key in user.columns else []
    order_user = np.array(
        [position.get(str(k), len(derived) + i) for i, k in enumerate(user_key_values)]
        or np.arange(len(user)) + len(derived), dtype=float,
    )
    combined = pd.concat([derived[mask], user], ignore_index=True)
    order = np.concatenate([order_derived, order_user])
    result = combined.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    crs = getattr(derived, "crs", None)
    if isinstance(result, gpd.GeoDataFrame):
        geometry = result.geometry.name
        result = result[[c for c in result.columns if c != geometry] + [geometry]]
        if crs is not None:
            result = result.set_crs(crs, allow_override=True)
    return result
