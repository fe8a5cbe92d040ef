"""The one place where inputs are checked.

Every loader and every analysis entry point validates through these functions, so that a given
mistake always produces the same German message: what is wrong, where (file, row, column) and how
to fix it. Functions either return a cleaned copy or raise a subclass of
:class:`layers.errors.SozialraumError`; none of them mutates its input.

The package has one module per concern:

``problems``  row numbering and turning findings into one error
``crs``       coordinate reference systems
``geometry``  empty, invalid and mistyped geometries
``encoding``  decoding text files (UTF-8, UTF-16, cp1252; garbled text refused)
``tables``    reading CSV and XLSX tables
``columns``   matching column headers
``values``    numbers, dates, yes/no, postcodes, keys
``points``    coordinates in tables, points inside an area
``personal``  personal-data columns and pseudonymous person keys
"""

from __future__ import annotations

from layers.validation.columns import column_key, find_column, match_columns
from layers.validation.crs import crs_label, parse_crs, require_crs, to_region_crs
from layers.validation.encoding import decode_text
from layers.validation.geometry import check_geometries
from layers.validation.personal import (
    PERSONAL_COLUMN_PATTERNS,
    check_personal_columns,
    check_pseudonym_values,
    normalize_person_key,
    normalize_person_keys,
)
from layers.validation.points import (
    COORDINATE_ALIASES,
    check_lonlat,
    check_points_in_area,
    table_points,
)
from layers.validation.problems import FIRST_DATA_ROW, raise_if_errors
from layers.validation.tables import excel_sheets, read_table
from layers.validation.values import (
    is_blank,
    normalize_key,
    parse_date,
    parse_dates,
    parse_decimal,
    parse_decimal_column,
    parse_plz,
    parse_yes_no,
)

__all__ = [
    "COORDINATE_ALIASES",
    "FIRST_DATA_ROW",
    "PERSONAL_COLUMN_PATTERNS",
    "check_geometries",
    "check_lonlat",
    "check_personal_columns",
    "normalize_person_key",
    "normalize_person_keys",
    "check_points_in_area",
    "check_pseudonym_values",
    "column_key",
    "crs_label",
    "decode_text",
    "excel_sheets",
    "find_column",
    "is_blank",
    "match_columns",
    "normalize_key",
    "parse_crs",
    "parse_date",
    "parse_dates",
    "parse_decimal",
    "parse_decimal_column",
    "parse_plz",
    "parse_yes_no",
    "raise_if_errors",
    "read_table",
    "require_crs",
    "table_points",
    "to_region_crs",
]
