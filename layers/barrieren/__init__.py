"""Barrier reports (``barrieren``): ICF codes, imported and synthetic reports, street segments.

Real barrier reports are case-derived health and social data; they cannot be shipped. The build
therefore generates a seeded synthetic set (:func:`layers.synthetic.synthetic_barriers`, every row
``quelle = "synthetisch"``) that behaves like real case data.

Real reports come in through :func:`import_barriers` (CSV or XLSX, checked row by row, stored all
or nothing). The raw layer never leaves the store: every published figure passes the disclosure
control of :mod:`analyses.privacy`. A free-text column of an import is stored (``freitext``) for the
case managers' own records, but :func:`read_reports` never returns it and no output contains it.

Modules: ``icf`` (codes, qualifiers, impairment groups), ``importer`` (reading and checking a
file, storing it), ``checks`` (cell checks), ``places`` (resolving coordinates, addresses and
streets), ``reports`` (the layer's schema, reading it, street segments).
"""

from __future__ import annotations

from layers.barrieren.icf import (
    BARRIER_QUALIFIERS,
    FACILITATOR_QUALIFIERS,
    ICF_CHAPTERS,
    IMPAIRMENT_GROUPS,
    NEUTRAL_QUALIFIERS,
    OTHER_ICF_COMPONENTS,
    QUALIFIER_LABELS,
    ImpairmentGroup,
    ParsedCode,
    load_icf_codes,
    load_impairment_groups,
    parse_icf_code,
    parse_qualifier,
    qualifier_severity,
)
from layers.barrieren.importer import (
    COLUMN_ALIASES,
    ImportResult,
    import_barriers,
    read_barrier_file,
)
from layers.barrieren.places import lookup_addresses
from layers.barrieren.reports import ANALYSIS_COLUMNS, SCHEMA, read_reports, street_segments
from layers.synthetic import (
    CODE_ANCHORS,
    GROUP_CODES,
    GROUP_SHARES,
    HOME_RADIUS_M,
    synthetic_barriers,
)

__all__ = [
    "ANALYSIS_COLUMNS",
    "BARRIER_QUALIFIERS",
    "CODE_ANCHORS",
    "COLUMN_ALIASES",
    "FACILITATOR_QUALIFIERS",
    "GROUP_CODES",
    "GROUP_SHARES",
    "HOME_RADIUS_M",
    "ICF_CHAPTERS",
    "IMPAIRMENT_GROUPS",
    "NEUTRAL_QUALIFIERS",
    "OTHER_ICF_COMPONENTS",
    "QUALIFIER_LABELS",
    "SCHEMA",
    "ImpairmentGroup",
    "ImportResult",
    "ParsedCode",
    "import_barriers",
    "load_icf_codes",
    "load_impairment_groups",
    "lookup_addresses",
    "parse_icf_code",
    "parse_qualifier",
    "qualifier_severity",
    "read_barrier_file",
    "read_reports",
    "street_segments",
    "synthetic_barriers",
]
