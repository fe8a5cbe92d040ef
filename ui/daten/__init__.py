"""Components of the page 'Daten'.

Overview and exports, import of service lists, editing of the directory, own planning areas,
indicator tables and barrier reports.

All checks and writes are done by :mod:`layers`; these modules show their German reports. After
a write the store's version changes, so every cached answer of the app renews itself.
"""

__all__: list[str] = []
