"""What-if scenarios: named lists of edits to the service landscape, stored in the region.

A scenario says "open an EUTB office here, move that Pflegestützpunkt there, close this
consultation hour". It never changes the ``angebote`` layer; it is applied on the fly
(:func:`analyses.scenarios.apply_edits`) to compare coverage before and after.

* :mod:`layers.szenarien.aenderungen`: the edits, their checks, and the edit table (CSV/XLSX)
  read and written;
* :mod:`layers.szenarien.speicher`: storage in the region's user store (tables
  ``szenario_liste`` and ``szenario_aenderungen``), all or nothing and audited.
"""

from layers.szenarien.aenderungen import (
    ACTION_LABELS,
    ACTIONS,
    Scenario,
    ScenarioEdit,
    check_edits,
    edit_table,
    read_edit_table,
)
from layers.szenarien.speicher import (
    EDIT_COLUMNS,
    EDIT_TABLE,
    MAX_NAME_LENGTH,
    SCENARIO_COLUMNS,
    SCENARIO_TABLE,
    delete_scenario,
    list_scenarios,
    load_scenario,
    save_scenario,
)

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "EDIT_COLUMNS",
    "EDIT_TABLE",
    "MAX_NAME_LENGTH",
    "SCENARIO_COLUMNS",
    "SCENARIO_TABLE",
    "Scenario",
    "ScenarioEdit",
    "check_edits",
    "delete_scenario",
    "edit_table",
    "list_scenarios",
    "load_scenario",
    "read_edit_table",
    "save_scenario",
]
