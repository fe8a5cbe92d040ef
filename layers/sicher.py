"""Safe output of user-supplied text: HTML and JavaScript, Markdown, spreadsheets, file names.

Everything a planner typed or imported (names of offers, planning areas, scenarios and candidate
sites, Träger, opening hours, remarks, indicator titles …) is data, never markup, code or a path.
It leaves the program through a handful of contexts, and each has exactly one function here:

* **HTML** (element text, quoted attribute values) **and JavaScript template literals**:
  :func:`escape_html`. One function serves both because folium's ``Tooltip`` puts its text into a
  template literal `` `…` `` that becomes HTML, and the GeoJSON tooltips put property values into
  ``innerHTML``: the result contains none of ``< > & " ' ` $ \\``, so it can neither open a tag
  nor end the literal nor start a ``${…}`` substitution.
* **JSON inside a ``<script>`` element**: :func:`script_json` (no ``</script>``, no ``<!--``).
* **Markdown** (Streamlit headings, captions, lists, messages): :func:`escape_markdown`.
  Streamlit shows raw HTML in Markdown as text, but an image ``![](http://…)``, a link, a colour
  directive ``:red[…]`` or a formula ``$…$`` would still be interpreted.
* **Spreadsheet cells** (CSV, XLSX): :func:`neutralise_cell` and :func:`neutralise_formulas`
  put ``'`` before a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return
  (OWASP, "CSV Injection"), so that Excel or LibreOffice never runs it as a formula; numbers, and
  text cells holding nothing but a number such as ``-3,5``, stay as they are.
  :func:`formula_like` tells an importer which cells would be such formulas.
* **File names** from ids and names: :func:`safe_file_name` (letters, digits, ``-``, ``_``,
  ``.``; never ``..``, never a separator) and :func:`path_inside`, which resolves the target and
  refuses anything outside the output folder.

The Steckbrief (``planungsraeume.steckbrief``), the data layer's CSV writer
(:func:`layers.formatting.excel_csv_bytes`) and the app (``ui.sicher`` for folium) use these
functions; nothing else escapes by hand.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from layers.errors import InputValidationError

__all__ = [
    "FORMULA_PREFIXES",
    "escape_html",
    "escape_markdown",
    "formula_like",
    "neutralise_cell",
    "neutralise_formulas",
    "path_inside",
    "safe_file_name",
    "script_json",
]

# --------------------------------------------------------------------------------------------
# HTML, JavaScript template literals, JSON in <script>
# --------------------------------------------------------------------------------------------

_HTML_ENTITIES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
    # For JavaScript template literals (folium.Tooltip): no backtick ends the literal, no "$"
    # starts a ${…} substitution, no backslash starts an escape sequence.
    "`": "&#x60;", "$": "&#x24;", "\\": "&#x5C;",
}
_HTML_TABLE = str.maketrans(_HTML_ENTITIES)


def _text(value: object) -> str:
    """``value`` as text; ``None``, NaN and ``pd.NA`` give ``""``."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


def escape_html(value: object) -> str:
    """Text safe in HTML element content, quoted attribute values and JavaScript template literals.

    Parameters
    ----------
    value
        Any value; ``None`` and NaN give ``""``, everything else ``str(value)``.

    Returns
    -------
    str
        The text with ``& < > " '`` as HTML entities and `` ` $ \\ `` as numeric character
        references, which a browser shows as the original characters. Example:
        ``escape_html("<b>${x}</b>") == "&lt;b&gt;&#x24;{x}&lt;/b&gt;"``.
    """
    return _text(value).translate(_HTML_TABLE)


_SCRIPT_JSON = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value: Any) -> str:
    """``value`` as a JavaScript/JSON literal that is safe inside an HTML ``<script>`` element.

    ``json.dumps`` alone leaves ``</script>`` and ``<!--`` intact, which end or change the script
    element in an HTML page; here ``< > & '`` and the line separators U+2028/U+2029 are written
    as ``\\uXXXX`` escapes. ``JSON.parse`` and JavaScript read the same value back.

    Parameters
    ----------
    value
        Anything :func:`json.dumps` accepts.

    Returns
    -------
    str
    """
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_JSON)


# --------------------------------------------------------------------------------------------
# Markdown (Streamlit)
# --------------------------------------------------------------------------------------------

# Characters that start inline Markdown in Streamlit: emphasis, code, links and images, HTML and
# autolinks, entities, strike-through, formulas. "(" and ")" only matter after "]", which is
# escaped; line-start syntax (#, -, 1.) cannot occur because line breaks are removed.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!&~$|{}])")
# Streamlit directives and shortcodes: ":red[…]", ":material/icon:", ":smile:".
_MARKDOWN_COLON = re.compile(r":(?=[A-Za-z])")


def escape_markdown(value: object, *, keep_lines: bool = False) -> str:
    """Text that Streamlit's Markdown shows literally (headings, captions, lists, messages).

    Parameters
    ----------
    value
        Any value; ``None`` and NaN give ``""``.
    keep_lines
        Keep line breaks (for multi-line messages such as an error with its findings); by
        default they become spaces, so that a value cannot start a heading, list or table.

    Returns
    -------
    str
        E.g. ``escape_markdown("![x](http://a/b.png)") == "\\!\\[x\\](http://a/b.png)"``.
    """
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", _text(value))
    text = _MARKDOWN_COLON.sub(r"\\:", text)
    if not keep_lines:
        text = " ".join(text.splitlines())
    return text


# --------------------------------------------------------------------------------------------
# Spreadsheet cells (CSV, XLSX)
# --------------------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A cell that is nothing but a number (German or English notation, optional sign, percent or
# per-mille sign) cannot carry a formula: "-3", "-1.234,5", "+2,5 %".
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,]*(?:[eE][+-]?\d+)?\s?[%‰]?")


def formula_like(value: object) -> bool:
    """Whether a text cell would be read as a formula by a spreadsheet program.

    ``True`` for text beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return,
    except text that is only a number (``-3``, ``-1.234,5``). Non-text values give ``False``.
    """
    return (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
            and _PLAIN_NUMBER.fullmatch(value) is None)


def neutralise_cell(value: Any) -> Any:
    """``value`` with ``'`` in front if it is text a spreadsheet would run as a formula.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell("-3,5"), neutralise_cell(-3.5)
    ('-3,5', -3.5)
    """
    return "'" + value if formula_like(value) else value


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells cannot be run as formulas (:func:`neutralise_cell`).

    Only text cells change: numeric, boolean and date columns are left alone, so a negative
    number stays a number. Column names are neutralised too (a header is a cell as well).

    Parameters
    ----------
    table
        Any frame.

    Returns
    -------
    pandas.DataFrame
        A new frame (the input is not changed); the same object if nothing needed a change.
    """
    changed: dict[int, np.ndarray] = {}
    for position in range(table.shape[1]):
        values = table.iloc[:, position]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        cells = values.to_numpy(dtype=object)
        mask = np.fromiter((formula_like(v) for v in cells), dtype=bool, count=len(cells))
        if mask.any():
            fixed = cells.copy()
            fixed[mask] = ["'" + v for v in cells[mask]]
            changed[position] = fixed
    headers = [neutralise_cell(c) for c in table.columns]
    if not changed and headers == list(table.columns):
        return table
    out = table.copy()
    for position, fixed in changed.items():
        out.isetitem(position, fixed)
    out.columns = pd.Index(headers)
    return out


# --------------------------------------------------------------------------------------------
# File names and output folders
# --------------------------------------------------------------------------------------------

_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                           "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}


def safe_file_name(text: object, *, fallback: str = "datei", max_length: int = 120) -> str:
    """A file name made from an id or name that is safe on every system.

    Umlauts become ``ae``/``oe``/``ue``/``ss``, other accents are dropped; every run of
    characters other than letters, digits, ``-``, ``_`` and ``.`` becomes ``-``; a run of dots
    becomes one dot; leading and trailing ``-``, ``_`` and ``.`` are removed (so no hidden files,
    no ``..``), Windows device names (``CON``, ``NUL``, …) get a ``_`` in front, and the result
    is at most ``max_length`` characters.

    Parameters
    ----------
    text
        The id or name (``None`` and ``""`` give ``fallback``).
    fallback
        Used when nothing usable is left.
    max_length
        Longest result.

    Returns
    -------
    str
        E.g. ``safe_file_name("../../../x") == "x"``, ``safe_file_name("Süd/Ost") == "Sued-Ost"``.
    """
    ascii_text = (unicodedata.normalize("NFKD", _text(text).translate(_TRANSLIT))
                  .encode("ascii", "ignore").decode("ascii"))
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text)
    name = re.sub(r"\.{2,}", ".", name).strip("-_.")
    name = name[:max_length].rstrip("-_.")
    if not name:
        return fallback
    if name.split(".")[0].lower() in _WINDOWS_RESERVED:
        name = f"_{name}"
    return name


def path_inside(folder: str | Path, name: str | Path) -> Path:
    """``folder / name``, checked to lie inside ``folder`` after resolving ``..`` and links.

    Parameters
    ----------
    folder
        The output folder (need not exist yet).
    name
        A file name or a relative path below ``folder``, e.g. from :func:`safe_file_name`.

    Returns
    -------
    pathlib.Path
        The resolved target path.

    Raises
    ------
    InputValidationError
        If the target would lie outside ``folder`` (an absolute name, ``..``, a link leading
        out) or is the folder itself.
    """
    base = Path(folder).resolve()
    target = (base / name).resolve()
    if target == base or base not in target.parents:
        raise InputValidationError(
            f"Der Dateiname '{name}' führt aus dem Ausgabeordner heraus und wird nicht geschrieben.",
            hinweis="Verwenden Sie Kennungen und Namen ohne Pfadangaben ('/', '\\', '..').",
            datei=base,
        )
    return target
