"""The pages of the app (run by ``st.navigation`` in ``app.py``)."""

__all__: list[str] = []
