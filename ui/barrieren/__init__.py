"""Components of the page 'Barrieren (ICF)': the protected map, tables and downloads."""

__all__: list[str] = []
