"""Components of the page 'Karte': details beside the map, analysis layers, tables."""

__all__: list[str] = []
