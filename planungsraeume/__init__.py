"""Planning areas (Planungsräume): definition, validation and indicators."""

__all__: list[str] = []
