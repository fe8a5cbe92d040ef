"""Components of the planning-area profile (page 'Planungsräume') and the Konferenzmodus.

Indicator tables and key figures, the area map, reachability, barriers, the Steckbrief.
"""

__all__: list[str] = []
