"""Components of the page 'Netzwerk & Präsenz': the cooperation network (map, diagram, tables,
import and editing)."""

__all__: list[str] = []
