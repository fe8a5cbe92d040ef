"""Data layer of Sozialraum-Atlas: settings, errors, validation, region configs, the store and the
builders of every region layer."""

__all__: list[str] = []
