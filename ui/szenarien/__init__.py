"""Components of the page 'Szenarien & Standorte'.

The scenario's edits (state and callbacks), its map, the before/after comparison and the
location suggestions.
"""

__all__: list[str] = []
