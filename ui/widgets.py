"""Widgets every page uses.

Tables in German number format, the question controls, error display, uploads, downloads, the
data notice and the build status of a region.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers.angebote import service_types
from layers.errors import InputValidationError, SozialraumError
from layers.formatting import MISSING, de_count, de_number
from layers.sicher import escape_markdown, path_inside, safe_file_name
from planungsraeume import darstellung
from planungsraeume.darstellung import csv_bytes, xlsx_bytes
from planungsraeume.frage import (
    FEATURE_LABELS,
    MINUTES,
    UNKNOWN_MODES,
    Question,
    profile_labels,
    selection_options,
    selection_text,
)
from planungsraeume.region import Region
from ui import cached, sicher, state

__all__ = [
    "DATA_KIND_SHORT",
    "DATA_KIND_TEXT",
    "PLAIN_NUMBER_COLUMNS",
    "FULL_ROWS",
    "csv_download",
    "data_kind_text",
    "data_notice",
    "display_values",
    "ensure_region_built",
    "network_message",
    "require_network",
    "format_number",
    "format_percent",
    "geopackage_bytes",
    "german_display",
    "guarded",
    "number_formats",
    "question_controls",
    "show_analysis_error",
    "show_error",
    "table",
    "temp_upload",
    "type_labels",
]

T = TypeVar("T")

DATA_KIND_TEXT = {
    "generiert": "Planungsräume **generiert** (aus OpenStreetMap-Ortsknoten, keine amtlichen Grenzen)",
    "modelliert": "Bevölkerung **modelliert** (aus der Wohnfläche geschätzt, kein Zensus-Ergebnis)",
    "synthetisch": "Angebote mit „(fiktiv)“ im Namen **synthetisch** (erfunden, zum Ausprobieren)",
    "barrieren_synthetisch": "Barrieremeldungen **synthetisch** (erfunden; echte Meldungen werden "
                             "nie als Punkte gezeigt)",
}
DATA_KIND_SHORT = {
    "generiert": "Planungsräume generiert",
    "modelliert": "Bevölkerung modelliert",
    "synthetisch": "Angebote „(fiktiv)“ synthetisch",
    "barrieren_synthetisch": "Barrieremeldungen synthetisch",
}
#: Integer columns that are identifiers or years, not quantities: shown without separators.
PLAIN_NUMBER_COLUMNS = {"Zeile", "Eintrag", "Jahr", "Rang", "Version", "Nr.", "Minuten", "PLZ"}


# --------------------------------------------------------------------------------------------
# Numbers and tables
# --------------------------------------------------------------------------------------------


def format_number(value: Any, decimals: int = 0) -> str:
    """German number format: ``12.345`` / ``12,3`` (see :func:`layers.formatting.de_number`)."""
    return de_number(value, decimals)


def format_percent(value: Any) -> str:
    """``12,3 %`` (or a dash when undefined)."""
    return MISSING if value is None or pd.isna(value) else f"{format_number(value, 1)} %"


def number_formats(frame: pd.DataFrame) -> dict[str, Any]:
    """Column settings of the numeric columns: right-aligned numbers, no browser formatting.

    The German text of every number comes from :func:`german_display` (a pandas Styler), so a
    table reads ``12.345,6`` whatever language the browser is set to; identifiers and years
    (:data:`PLAIN_NUMBER_COLUMNS`) stay without separators.
    """
    config: dict[str, Any] = {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            config[str(column)] = st.column_config.NumberColumn()
    return config


#: Cells above which a table is sent as German text instead of a styled frame (the Styler
#: renders every cell in Python; past this it costs more than it is worth).
STYLED_CELLS_LIMIT = 60_000
#: Rows a table shows without scrolling; longer tables scroll and say how many rows they have.
FULL_ROWS = 30
ROW_PX = 35


def _cell_formatter(column: str, decimals: int, signed: bool) -> Callable[[Any], str]:
    plain = column in PLAIN_NUMBER_COLUMNS

    def show(value: Any) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
            return MISSING
        if plain:
            return str(int(value)) if float(value).is_integer() else str(value)
        return darstellung.format_value(value, decimals, signed=signed)

    return show


def german_display(frame: pd.DataFrame) -> Any:
    """The frame as a pandas Styler that shows every number in German format, "–" for gaps.

    Decimals per column from ``attrs`` (:func:`planungsraeume.darstellung.with_format`),
    otherwise 0 for integers and 1 for other numbers. The values stay numbers, so the columns
    still sort by value.
    """
    decimals = frame.attrs.get(darstellung.DECIMALS, {})
    signed = set(frame.attrs.get(darstellung.SIGNED, []))
    formats: dict[Any, str | Callable[[object], str] | None] = {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        default = 0 if pd.api.types.is_integer_dtype(series) else 1
        formats[column] = _cell_formatter(str(column), int(decimals.get(str(column), default)),
                                          str(column) in signed)
    return frame.style.format(formats, na_rep=MISSING)


def table(frame: pd.DataFrame, *, column_config: dict[str, Any] | None = None,
          full: bool = True, **kwargs: Any) -> Any:
    """``st.dataframe`` without index, full width, every number in German format.

    ``full``: tall enough for up to :data:`FULL_ROWS` rows without inner scrolling; longer
    tables scroll and a caption names the number of rows.
    """
    config = {**number_formats(frame), **(column_config or {})}
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    if full and "height" not in kwargs:
        kwargs["height"] = ROW_PX * (min(len(frame), FULL_ROWS) + 1) + 3
    if frame.size > STYLED_CELLS_LIMIT:
        data: Any = darstellung.text_table(frame)
        config = dict(column_config or {})
    else:
        data = german_display(frame)
    shown = st.dataframe(data, column_config=config, **kwargs)
    if full and len(frame) > FULL_ROWS:
        st.caption(f"{de_count(len(frame), 'Zeile', 'Zeilen')} – die Tabelle lässt sich "
                   "in sich scrollen; vollständig auch im Download.")
    return shown


def display_values(element: Any) -> pd.DataFrame:
    """The texts a shown table displays (for tests: the Styler's display values)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    arrow = element.proto.arrow_data
    if arrow.HasField("styler"):
        return convert_arrow_bytes_to_pandas_df(arrow.styler.display_values)
    return pd.DataFrame(element.value)


# --------------------------------------------------------------------------------------------
# Downloads and uploads
# --------------------------------------------------------------------------------------------


def data_kind_text(region: Region) -> str:
    """The kinds of non-real data of the region in one line (for exports), "" for none."""
    kinds = cached.data_kinds(region)
    return "; ".join(DATA_KIND_SHORT[k] for k in kinds if k in DATA_KIND_SHORT)


def csv_download(label: str, frame: pd.DataFrame | Callable[[], pd.DataFrame], file_name: str,
                 key: str, *, target: Any = None, xlsx: bool = True,
                 region: Region | None = None) -> None:
    """A CSV download button and, beside it, the same table as Excel workbook (XLSX).

    The table is built only when clicked if a function is given. The CSV is written by
    :func:`planungsraeume.darstellung.csv_bytes`, the project's one CSV writer (semicolon,
    decimal comma, UTF-8 with BOM); the XLSX by :func:`planungsraeume.darstellung.xlsx_bytes`
    with the region's data kinds (modelled, generated, synthetic) as a column and a note row.
    Both round the figures to the table's decimals.
    """
    place = target or st
    data: Any = (lambda: csv_bytes(frame())) if callable(frame) else csv_bytes(frame)
    file_name = safe_file_name(file_name, fallback="tabelle.csv")
    if not xlsx:
        place.download_button(label, data, file_name=file_name, mime="text/csv", key=key,
                              on_click="ignore")
        return
    kinds = data_kind_text(region or state.region()) or None
    notes = ("Erstellt mit Sozialraum-Atlas. Zahlen gerundet; Erklärungen auf der Seite „Hilfe“.",)

    def workbook() -> bytes:
        table_ = frame() if callable(frame) else frame
        return xlsx_bytes(table_, blatt=Path(file_name).stem, hinweise=notes, datenlage=kinds)

    left, right = (target, target) if target is not None else st.columns(2)
    left.download_button(label, data, file_name=file_name, mime="text/csv", key=key,
                         on_click="ignore", icon=":material/csv:")
    right.download_button(_xlsx_label(label), workbook, file_name=f"{Path(file_name).stem}.xlsx",
                          mime=XLSX_MIME, key=f"{key}_xlsx", on_click="ignore",
                          icon=":material/table_view:")


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_label(label: str) -> str:
    """"… (CSV)" / "… als CSV …" becomes the same with Excel (XLSX)."""
    for old, new in (("(CSV)", "(Excel, XLSX)"), ("als CSV", "als Excel-Datei (XLSX)"),
                     ("CSV", "Excel (XLSX)")):
        if old in label:
            return label.replace(old, new, 1)
    return f"{label} (Excel, XLSX)"


def geopackage_bytes(layers: dict[str, pd.DataFrame]) -> bytes:
    """Several tables and layers as one GeoPackage file (for QGIS), built in a temp folder."""
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="sozialraum-export-") as folder:
        path = Path(folder) / "export.gpkg"
        for layer_name, frame in layers.items():
            out = frame.copy()
            for column in out.columns:
                if isinstance(out[column].dtype, pd.CategoricalDtype):
                    out[column] = out[column].astype("string")
            if not isinstance(out, gpd.GeoDataFrame):
                out = pd.DataFrame(out)
            pyogrio.write_dataframe(out, path, layer=layer_name, driver="GPKG")
        return path.read_bytes()


def temp_upload(uploaded: Any, folder_key: str) -> Path:
    """Save an upload into a private temporary folder; return the path of its main file.

    An upload is one file or a list of them (e.g. a Shapefile set, whose ``.shp`` is returned);
    the folder is outside the project. A name that would lead out of it (``..``) is refused, so
    is a file above the upload limit (:func:`ui.sicher.check_upload_size`).

    The folder lives in the system's temp directory for the session and is reused per key, so
    a second upload replaces the first. Only the file's name is used, never a browser path.
    """
    files = uploaded if isinstance(uploaded, list) else [uploaded]
    for item in files:
        too_large = sicher.check_upload_size(item)
        if too_large:
            raise InputValidationError(too_large)
    state_key = f"_upload_dir_{folder_key}"
    folder = st.session_state.get(state_key)
    if not folder or not Path(folder).exists():
        folder = tempfile.mkdtemp(prefix="sozialraum-upload-")
        st.session_state[state_key] = folder
    target = Path(folder)
    for old in target.iterdir():
        old.unlink(missing_ok=True)
    paths = []
    for item in files:
        path = path_inside(target, Path(item.name).name or "upload")
        path.write_bytes(item.getvalue())
        paths.append(path)
    shapefiles = [p for p in paths if p.suffix.lower() == ".shp"]
    return shapefiles[0] if shapefiles else paths[0]


# --------------------------------------------------------------------------------------------
# Errors and notices
# --------------------------------------------------------------------------------------------


def guarded(render: Callable[[], T]) -> T | None:
    """Run a page; show any :class:`SozialraumError` as a German error message."""
    try:
        return render()
    except SozialraumError as exc:
        st.error(escape_markdown(str(exc), keep_lines=True))
        return None


def show_analysis_error(exc: SozialraumError) -> None:
    """A German note for an analysis that cannot be computed with the current choice."""
    st.warning(escape_markdown(str(exc), keep_lines=True), icon=":material/info:")


def show_error(exc: SozialraumError, problems_table: Callable[[list[Any]], pd.DataFrame]
               | None = None) -> None:
    """A German error with its place (file, row, column) and fix; its findings as a table."""
    place = exc.ort()
    st.error(escape_markdown((f"{place}: " if place else "") + exc.meldung
                             + (f" So beheben: {exc.hinweis}" if exc.hinweis else "")),
             icon=":material/error:")
    if exc.probleme and problems_table is not None:
        table(problems_table(list(exc.probleme)))


def data_notice(region: Region, *, compact: bool = False) -> None:
    """A banner saying which shown data are generated, modelled or synthetic."""
    kinds = cached.data_kinds(region)
    if not kinds:
        return
    if compact:
        short = " · ".join(DATA_KIND_SHORT[k] for k in kinds if k in DATA_KIND_SHORT)
        st.info(f"Hinweis zu den Daten: {short} (siehe „Hilfe“).", icon=":material/info:")
        return
    lines = "; ".join(DATA_KIND_TEXT[k] for k in kinds if k in DATA_KIND_TEXT)
    st.info(f"Hinweis zu den Daten: {lines}. Erklärungen auf der Seite „Hilfe“.",
            icon=":material/info:")


def network_message(region: Region) -> str:
    """The German sentence of :meth:`Region.require_network` ("" where there is a network)."""
    try:
        region.require_network()
    except SozialraumError as exc:
        return exc.meldung
    return ""


def require_network(region: Region) -> bool:
    """Show the German note of a region without a pedestrian network; whether it has one.

    Every page (or part of a page) that needs the network calls this first, so that a region
    without OSM extract (e.g. Köln) gets one sentence instead of an error.
    """
    message = network_message(region)
    if message:
        st.info(message, icon=":material/info:")
    return not message


def ensure_region_built(region: Region) -> bool:
    """Build the region if its store is missing, with a progress display.

    Returns
    -------
    bool
        Whether the store is ready.
    """
    if region.exists():
        return True
    from layers.build import build_region

    with st.status(f"Region '{region.name}' wird aufgebaut …", expanded=True) as status:
        bar = st.progress(0.0)

        def report(fraction: float, label: str) -> None:
            bar.progress(min(1.0, fraction), text=label or None)

        try:
            result = build_region(region.config, progress=report)
        except SozialraumError as exc:
            status.update(label="Aufbau fehlgeschlagen", state="error")
            st.error(escape_markdown(str(exc), keep_lines=True))
            return False
        status.update(label=f"Region '{region.name}' aufgebaut", state="complete")
        st.text(result.summary())
    return True


# --------------------------------------------------------------------------------------------
# The question controls
# --------------------------------------------------------------------------------------------


def type_labels() -> dict[str, str]:
    """German names of the service types by key (``data/angebotstypen.toml``)."""
    return {t.schluessel: t.bezeichnung for t in service_types()}


PROFILE_HELP = ("Zu Fuß 1,2 m/s; Senior:innen 1,0 m/s, Treppen langsamer; Rollator und Rollstuhl "
                "0,8 m/s, keine Treppen; Rollstuhl zusätzlich keine Steigung über 6 %, kein "
                "Bordstein über 3 cm, kein schlechter Belag.")
UNKNOWN_HELP = ("Viele Wege haben in OpenStreetMap keine Angabe zu Steigung, Bordstein oder "
                "Belag. Optimistisch: solche Wege gelten als passierbar. Vorsichtig "
                "(pessimistisch): Steigungen ohne Zahl, Bordsteine ohne Höhe und unbefestigte "
                "Wege ohne Zustandsangabe gelten als Hindernis oder Umweg. Die Wahrheit liegt "
                "meist dazwischen; vergleichen Sie beide.")


def _selection_widgets(prefix: str, start: Question, options: list[str],
                       columns: list[Any]) -> tuple[str, list[str]]:
    labels = type_labels()
    with columns[0]:
        angebote = st.selectbox(
            "Angebote", options, index=options.index(start.angebote), key=f"{prefix}_angebote",
            format_func=lambda o: selection_text(o, labels),
            help="Zu welchen Angeboten der Weg gemessen wird: zum jeweils nächsten der Auswahl.",
        )
    with columns[1]:
        merkmale = st.multiselect(
            "Nur Angebote mit", list(FEATURE_LABELS), default=list(start.merkmale),
            key=f"{prefix}_merkmale", format_func=lambda m: FEATURE_LABELS[m],
            placeholder="keine Bedingung",
            help="Nur Angebote, bei denen das Merkmal mit „ja“ angegeben ist. Angebote ohne "
                 "Angabe zählen dann nicht mit.",
        )
    return str(angebote), list(merkmale)


def _travel_widgets(prefix: str, start: Question, columns: list[Any]) -> tuple[str, int, str]:
    profiles = profile_labels()
    with columns[0]:
        profil = st.radio(
            "Unterwegs", list(profiles), index=list(profiles).index(start.profil)
            if start.profil in profiles else 0, key=f"{prefix}_profil", horizontal=True,
            format_func=lambda p: profiles[p], help=PROFILE_HELP,
        )
    with columns[1]:
        options: list[int] = list(MINUTES)
        minuten = st.radio(
            "Zumutbare Minuten", options,
            index=options.index(int(start.minuten)) if start.minuten in options else 2,
            key=f"{prefix}_minuten", horizontal=True, format_func=lambda m: f"{m} Min.",
        )
    with columns[2]:
        unbekannt = st.radio(
            "Fehlende Wegeangaben", list(UNKNOWN_MODES),
            index=list(UNKNOWN_MODES).index(start.unbekannt), key=f"{prefix}_unbekannt",
            format_func=lambda m: "optimistisch" if m == "optimistisch" else "vorsichtig",
            help=UNKNOWN_HELP,
        )
    return str(profil), int(minuten or options[2]), str(unbekannt)


def question_controls(region: Region, prefix: str, *, default: Question | None = None,
                      layout: str = "wide", remember: bool = True) -> Question:
    """The widgets of a reachability question; returns the chosen :class:`Question`.

    Parameters
    ----------
    region
        The region (its active offers decide which types can be chosen).
    prefix
        Prefix of the widget keys (one set per page).
    default
        Initial values (default: the question last chosen anywhere in the app).
    layout
        ``"wide"`` (two rows of columns) or ``"narrow"`` (one below the other).
    remember
        Remember the choice for the other pages (gap layer, profiles, conference mode).
    """
    start = default or state.question()
    options = selection_options(cached.offers_web(region)["typ"].dropna().astype(str))
    if start.angebote not in options:
        start = start.with_(angebote=options[0])
    wide = layout == "wide"
    first = list(st.columns([2, 2])) if wide else [st.container(), st.container()]
    angebote, merkmale = _selection_widgets(prefix, start, options, first)
    second = list(st.columns([3, 2, 2])) if wide else [st.container() for _ in range(3)]
    profil, minuten, unbekannt = _travel_widgets(prefix, start, second)
    frage = Question(angebote=angebote, merkmale=tuple(merkmale), profil=profil, minuten=minuten,
                     unbekannt=unbekannt)
    if remember:
        state.set_question(frage)
    from ui import links

    links.keep_question(frage)
    return frage
