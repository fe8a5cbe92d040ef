"""Components of the page 'Erreichbarkeit': maps, isochrones, public transport, downloads."""

__all__: list[str] = []
