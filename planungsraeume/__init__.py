"""Planning areas (Planungsräume): definition, validation and indicators."""
