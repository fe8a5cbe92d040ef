"""The Streamlit app layer (the only code besides ``app.py`` that imports streamlit).

``state`` (session: region, question), ``cached`` (the pages' one entrance to planungsraeume),
``widgets``, ``sidebar``, the map modules (``maps``, ``overlays``, ``legend``, ``mapdata``,
``maplayers``), ``pages/`` and one component package per larger page.
"""

__all__: list[str] = []
