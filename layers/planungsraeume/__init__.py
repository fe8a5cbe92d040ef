"""layers/planungsraeume."""
