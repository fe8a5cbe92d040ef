"""layers/planungsraeume."""

__all__: list[str] = []
