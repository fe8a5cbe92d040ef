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
``text``      invisible, control and bidi characters; formula-like cells
``limits``    resource limits checked before parsing
"""

from __future__ import annotations

from layers.validation.columns import ambiguous_columns, column_key, find_column, match_columns
from layers.validation.crs import crs_label, parse_crs, require_crs, to_region_crs
from layers.validation.encoding import decode_text
from layers.validation.geometry import check_geometries
from layers.validation.limits import (
    check_archive,
    check_cell_lengths,
    check_file_size,
    check_table_shape,
)
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
    lonlat_problem,
    table_points,
)
from layers.validation.problems import FIRST_DATA_ROW, raise_if_errors, renumber
from layers.validation.tables import excel_sheets, read_table, row_numbers, table_notes
from layers.validation.text import (
    BIDI_CONTROLS,
    FORMULA_PREFIXES,
    INVISIBLE,
    clean_table,
    strip_invisible,
)
from layers.validation.values import (
    EARLIEST_YEAR,
    PLAUSIBLE_YEARS_AHEAD,
    AmbiguousDateError,
    is_blank,
    normalize_key,
    parse_date,
    parse_dates,
    parse_decimal,
    parse_decimal_column,
    parse_option_date,
    parse_plz,
    parse_yes_no,
    plausible_date_problem,
)

__all__ = [
    "BIDI_CONTROLS",
    "COORDINATE_ALIASES",
    "EARLIEST_YEAR",
    "PLAUSIBLE_YEARS_AHEAD",
    "AmbiguousDateError",
    "FIRST_DATA_ROW",
    "FORMULA_PREFIXES",
    "INVISIBLE",
    "PERSONAL_COLUMN_PATTERNS",
    "ambiguous_columns",
    "check_archive",
    "check_cell_lengths",
    "check_file_size",
    "check_geometries",
    "clean_table",
    "check_lonlat",
    "check_personal_columns",
    "normalize_person_key",
    "normalize_person_keys",
    "check_points_in_area",
    "check_pseudonym_values",
    "check_table_shape",
    "column_key",
    "crs_label",
    "decode_text",
    "excel_sheets",
    "find_column",
    "is_blank",
    "lonlat_problem",
    "match_columns",
    "normalize_key",
    "normalize_person_key",
    "parse_crs",
    "parse_date",
    "parse_dates",
    "parse_decimal",
    "parse_decimal_column",
    "parse_option_date",
    "parse_plz",
    "parse_yes_no",
    "plausible_date_problem",
    "raise_if_errors",
    "read_table",
    "renumber",
    "row_numbers",
    "table_notes",
    "require_crs",
    "strip_invisible",
    "table_points",
    "to_region_crs",
]
