"""The Streamlit app layer (the only code that imports streamlit)."""
